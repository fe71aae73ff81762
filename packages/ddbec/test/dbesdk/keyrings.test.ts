import { describe, expect, it } from 'vitest';
import { DBE_ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384_SYMSIG_HMAC_SHA384 as SUITE_SIG, DBE_ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY_SYMSIG_HMAC_SHA384 as SUITE_HMAC } from '../../src/keyrings/algorithm-suites.js';
import { HierarchicalKeyring } from '../../src/keyrings/hierarchical/hierarchical-keyring.js';
import { StaticBranchKeyStore } from '../../src/keyrings/hierarchical/static-branch-key-store.js';
import { RawAesKeyring } from '../../src/keyrings/raw-aes.js';
import type { DecryptionMaterials, EncryptionMaterials, Keyring } from '../../src/keyrings/types.js';
import { parseHeader } from '../../src/structured/header.js';
import { DdbecError, isDdbecError } from '../../src/errors.js';
import { asDelegatedKey, SecretKey } from '../../src/index.js';
import { b64, describeDbesdkVectors, readDbesdkJson, vectorBranchKey, vectorKeyStore, VECTOR_PARTITION_KEY, VECTOR_TABLE } from './vectors.js';

const ec = { 'aws-crypto-table-name': 'T', 'aws-crypto-partition-name': 'pk', 'aws-crypto-attr.pk': 'AAFh' };

function encryptionMaterials(suite = SUITE_HMAC, encryptionContext: Record<string, string> = ec): EncryptionMaterials {
  return { algorithmSuite: suite, encryptionContext, encryptedDataKeys: [], requiredEncryptionContextKeys: [] };
}

function decryptionMaterials(suite = SUITE_HMAC, encryptionContext: Record<string, string> = ec): DecryptionMaterials {
  return { algorithmSuite: suite, encryptionContext, requiredEncryptionContextKeys: [] };
}

async function rejects(promise: Promise<unknown>, code: string): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isDdbecError(error) ? error.code : error).toBe(code);
}

const aesKey = (n: number) => Uint8Array.from({ length: n }, (_, i) => i);
const branchStore = () =>
  new StaticBranchKeyStore([
    { branchKeyIdentifier: 'bk', branchKeyVersion: '11111111-2222-4333-8444-555555555555', branchKey: aesKey(32) },
    { branchKeyIdentifier: 'bk', branchKeyVersion: 'aaaaaaaa-2222-4333-8444-555555555555', branchKey: aesKey(32).reverse() },
    { branchKeyIdentifier: 'other', branchKeyVersion: 'bbbbbbbb-2222-4333-8444-555555555555', branchKey: aesKey(32) },
  ]);

const keyrings: [string, () => Keyring, () => Keyring][] = [
  ['raw AES-128', () => new RawAesKeyring({ keyNamespace: 'ns', keyName: 'k', wrappingKey: aesKey(16) }), () => new RawAesKeyring({ keyNamespace: 'ns', keyName: 'k', wrappingKey: aesKey(16).reverse() })],
  ['raw AES-192', () => new RawAesKeyring({ keyNamespace: 'ns', keyName: 'k', wrappingKey: aesKey(24) }), () => new RawAesKeyring({ keyNamespace: 'ns', keyName: 'other', wrappingKey: aesKey(24) })],
  ['raw AES-256', () => new RawAesKeyring({ keyNamespace: 'ns', keyName: 'k', wrappingKey: aesKey(32) }), () => new RawAesKeyring({ keyNamespace: 'other', keyName: 'k', wrappingKey: aesKey(32) })],
  ['hierarchical', () => new HierarchicalKeyring({ keyStore: branchStore(), branchKeyId: 'bk' }), () => new HierarchicalKeyring({ keyStore: branchStore(), branchKeyId: 'other' })],
];

describe.each(keyrings)('%s keyring', (_name, make, makeOther) => {
  it.each([SUITE_HMAC, SUITE_SIG])('wraps and unwraps under suite %#, with a symmetric signing key per EDK', async (suite) => {
    const keyring = make();
    const once = await keyring.onEncrypt(encryptionMaterials(suite));
    const twice = await keyring.onEncrypt(once);
    expect(once.plaintextDataKey).toHaveLength(32);
    expect(twice.plaintextDataKey).toBe(once.plaintextDataKey);
    expect(twice.encryptedDataKeys).toHaveLength(2);
    expect(twice.symmetricSigningKeys).toHaveLength(2);
    for (const [i, edk] of twice.encryptedDataKeys.entries()) {
      const decrypted = await make().onDecrypt(decryptionMaterials(suite), [edk]);
      expect(decrypted.plaintextDataKey).toEqual(once.plaintextDataKey);
      expect(decrypted.symmetricSigningKey).toEqual(twice.symmetricSigningKeys?.[i]);
    }
  });

  it('refuses another key, another encryption context, and altered bytes', async () => {
    const { encryptedDataKeys: [edk] } = await make().onEncrypt(encryptionMaterials());
    if (edk === undefined) throw new Error('no EDK');
    await rejects(makeOther().onDecrypt(decryptionMaterials(), [edk]), 'ERR_UNWRAPPING_FAILED');
    await rejects(make().onDecrypt(decryptionMaterials(SUITE_HMAC, { ...ec, 'aws-crypto-attr.pk': 'AAFi' }), [edk]), 'ERR_UNWRAPPING_FAILED');
    for (let i = 0; i < edk.ciphertext.length; i += 7) {
      const ciphertext = edk.ciphertext.slice();
      ciphertext[i] = (ciphertext[i] as number) ^ 1;
      await rejects(make().onDecrypt(decryptionMaterials(), [{ ...edk, ciphertext }]), 'ERR_UNWRAPPING_FAILED');
    }
    for (let i = 0; i < edk.keyProviderInfo.length; i++) {
      const keyProviderInfo = edk.keyProviderInfo.slice();
      keyProviderInfo[i] = (keyProviderInfo[i] as number) ^ 1;
      await rejects(make().onDecrypt(decryptionMaterials(), [{ ...edk, keyProviderInfo }]), 'ERR_UNWRAPPING_FAILED');
    }
  });

  it('skips EDKs of other keyrings and returns materials that already hold a data key unchanged', async () => {
    const { encryptedDataKeys } = await makeOther().onEncrypt(await make().onEncrypt(encryptionMaterials()));
    const reversed = [...encryptedDataKeys].reverse();
    expect((await make().onDecrypt(decryptionMaterials(), reversed)).plaintextDataKey).toHaveLength(32);
    const done = { ...decryptionMaterials(), plaintextDataKey: aesKey(32) };
    expect(await make().onDecrypt(done, reversed)).toBe(done);
  });
});

describe('RawAesKeyring options', () => {
  it('refuses bad namespaces, names and keys', () => {
    expect(() => new RawAesKeyring({ keyNamespace: 'aws-kms', keyName: 'k', wrappingKey: aesKey(32) })).toThrow(/aws-kms/);
    expect(() => new RawAesKeyring({ keyNamespace: '', keyName: 'k', wrappingKey: aesKey(32) })).toThrow(/keyNamespace/);
    expect(() => new RawAesKeyring({ keyNamespace: 'ns', keyName: '', wrappingKey: aesKey(32) })).toThrow(/keyName/);
    expect(() => new RawAesKeyring({ keyNamespace: 'ns', keyName: 'k', wrappingKey: aesKey(20) })).toThrow(/160 bits/);
    expect(() => new RawAesKeyring({ keyNamespace: 'ns', keyName: 'k', wrappingKey: asDelegatedKey(SecretKey.generate('HmacSHA256', 256)) })).toThrow(/AES key/);
  });

  it('wraps and unwraps with a delegated AES key (AES-GCM through the seam), the same bytes as software', async () => {
    const key = SecretKey.generate('AES', 256);
    const software = new RawAesKeyring({ keyNamespace: 'ns', keyName: 'key', wrappingKey: key.exportBytes() });
    const delegated = new RawAesKeyring({ keyNamespace: 'ns', keyName: 'key', wrappingKey: asDelegatedKey(key) });
    expect(JSON.stringify(delegated)).toBe('{"type":"RawAesKeyring","keyNamespace":"ns","keyName":"key"}');
    for (const [writer, reader] of [
      [software, delegated],
      [delegated, software],
    ] as const) {
      const encrypted = await writer.onEncrypt(encryptionMaterials());
      const [edk] = encrypted.encryptedDataKeys;
      if (edk === undefined) throw new Error('no EDK');
      expect(edk.keyProviderInfo).toHaveLength(3 + 8 + 12);
      expect((await reader.onDecrypt(decryptionMaterials(), [edk])).plaintextDataKey).toEqual(encrypted.plaintextDataKey);
      const tampered = edk.ciphertext.slice();
      tampered[60] = (tampered[60] ?? 0) ^ 1;
      await rejects(reader.onDecrypt(decryptionMaterials(), [{ ...edk, ciphertext: tampered }]), 'ERR_UNWRAPPING_FAILED');
    }
    // A delegated key that cannot do AES-GCM says so.
    const cbcOnly = { keyType: 'secret' as const, algorithm: 'AES', encrypt: () => Promise.resolve(new Uint8Array()) };
    await rejects(new RawAesKeyring({ keyNamespace: 'ns', keyName: 'key', wrappingKey: cbcOnly }).onEncrypt(encryptionMaterials()), 'ERR_INVALID_KEY');
  });

  it('writes the provider info the MPL defines: key name, tag bits, IV length, IV', async () => {
    const [edk] = (await new RawAesKeyring({ keyNamespace: 'ns', keyName: 'key', wrappingKey: aesKey(32) }).onEncrypt(encryptionMaterials())).encryptedDataKeys;
    expect(edk?.keyProviderId).toBe('ns');
    expect(Buffer.from(edk?.keyProviderInfo.subarray(0, 11) ?? []).toString('hex')).toBe('6b6579000000800000000c');
    expect(edk?.keyProviderInfo).toHaveLength(3 + 8 + 12);
    expect(edk?.ciphertext).toHaveLength(48 + 48);
  });
});

describe('HierarchicalKeyring', () => {
  it('wraps under the active (last) version and unwraps an older version', async () => {
    const store = branchStore();
    const keyring = new HierarchicalKeyring({ keyStore: store, branchKeyId: 'bk' });
    const [edk] = (await keyring.onEncrypt(encryptionMaterials())).encryptedDataKeys;
    expect(edk?.keyProviderId).toBe('aws-kms-hierarchy');
    expect(Buffer.from(edk?.keyProviderInfo ?? []).toString()).toBe('bk');
    expect(Buffer.from(edk?.ciphertext.subarray(48 + 28, 48 + 44) ?? []).toString('hex')).toBe('aaaaaaaa222243338444555555555555');
    const old = new StaticBranchKeyStore([{ branchKeyIdentifier: 'bk', branchKeyVersion: '11111111-2222-4333-8444-555555555555', branchKey: aesKey(32) }]);
    const [oldEdk] = (await new HierarchicalKeyring({ keyStore: old, branchKeyId: 'bk' }).onEncrypt(encryptionMaterials())).encryptedDataKeys;
    if (oldEdk === undefined) throw new Error('no EDK');
    expect((await keyring.onDecrypt(decryptionMaterials(), [oldEdk])).plaintextDataKey).toHaveLength(32);
  });

  it('reports a version the store does not have as undecryptable, and passes on retryable store errors', async () => {
    const [edk] = (await new HierarchicalKeyring({ keyStore: branchStore(), branchKeyId: 'bk' }).onEncrypt(encryptionMaterials())).encryptedDataKeys;
    if (edk === undefined) throw new Error('no EDK');
    const only = new StaticBranchKeyStore([{ branchKeyIdentifier: 'bk', branchKeyVersion: '11111111-2222-4333-8444-555555555555', branchKey: aesKey(32) }]);
    await rejects(new HierarchicalKeyring({ keyStore: only, branchKeyId: 'bk' }).onDecrypt(decryptionMaterials(), [edk]), 'ERR_UNWRAPPING_FAILED');
    const throttled = Object.assign(Object.create(only) as StaticBranchKeyStore, {
      getBranchKeyVersion: () => Promise.reject(new DdbecError('ERR_KMS_THROTTLED', 'slow down')),
    });
    await rejects(new HierarchicalKeyring({ keyStore: throttled, branchKeyId: 'bk' }).onDecrypt(decryptionMaterials(), [edk]), 'ERR_KMS_THROTTLED');
  });
});

describeDbesdkVectors('hierarchical keyring against the DB-ESDK vectors', () => {
  it('unwraps the data key the Java writer wrapped under static-branch-key-1', async () => {
    const vectors = readDbesdkJson<{ tests: Record<string, { encrypted: { aws_dbe_head: { B: string } } }> }>('decrypt_java_33.json');
    const head = parseHeader(b64(vectors.tests['1']?.encrypted.aws_dbe_head.B ?? ''));
    const keyring = new HierarchicalKeyring({ keyStore: vectorKeyStore(), branchKeyId: vectorBranchKey()['key-id'] });
    const encryptionContext = {
      ...head.storedEncryptionContext,
      'aws-crypto-table-name': VECTOR_TABLE,
      'aws-crypto-partition-name': VECTOR_PARTITION_KEY,
      [`aws-crypto-attr.${VECTOR_PARTITION_KEY}`]: Buffer.from([0, 2, 0x31]).toString('base64'),
    };
    const materials = await keyring.onDecrypt(decryptionMaterials(SUITE_SIG, encryptionContext), head.encryptedDataKeys);
    expect(materials.plaintextDataKey).toHaveLength(32);
    expect(materials.symmetricSigningKey).toHaveLength(32);
  });
});
