import { constants, privateDecrypt } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { asDelegatedKey, generateRsaKeyPair } from '../../src/index.js';
import {
  DBE_ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384_SYMSIG_HMAC_SHA384 as SUITE_SIG,
  DBE_ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY_SYMSIG_HMAC_SHA384 as SUITE_HMAC,
} from '../../src/keyrings/algorithm-suites.js';
import { MultiKeyring } from '../../src/keyrings/multi.js';
import { RawAesKeyring } from '../../src/keyrings/raw-aes.js';
import { RawRsaKeyring, type RsaPadding } from '../../src/keyrings/raw-rsa.js';
import type { DecryptionMaterials, EncryptionMaterials, Keyring } from '../../src/keyrings/types.js';
import { DdbecError } from '../../src/errors.js';
import { CONTEXT, codeOf, decryptionMaterials, encryptionMaterials, expectRoundTrip, flipped } from './materials.js';

const pair = generateRsaKeyPair(2048);
const otherPair = generateRsaKeyPair(2048);
const PADDINGS: RsaPadding[] = ['PKCS1', 'OAEP_SHA1_MGF1', 'OAEP_SHA256_MGF1', 'OAEP_SHA384_MGF1', 'OAEP_SHA512_MGF1'];
const rsa = (paddingScheme: RsaPadding, keys: Partial<typeof pair> = pair, keyName = 'rsa-key') =>
  new RawRsaKeyring({ keyNamespace: 'ns', keyName, paddingScheme, publicKey: keys.publicKey, privateKey: keys.privateKey });
const aes = (fill = 1, keyName = 'aes-key') => new RawAesKeyring({ keyNamespace: 'ns', keyName, wrappingKey: new Uint8Array(32).fill(fill) });

describe('RawRsaKeyring', () => {
  it.each(PADDINGS.flatMap((p) => [SUITE_HMAC, SUITE_SIG].map((s) => [p, s] as const)))('round-trips with %s under suite %o', async (padding, suite) => {
    const [edk] = await expectRoundTrip(rsa(padding, { publicKey: pair.publicKey }), rsa(padding, { privateKey: pair.privateKey }), suite);
    expect(edk?.keyProviderId).toBe('ns');
    expect(Buffer.from(edk?.keyProviderInfo ?? []).toString()).toBe('rsa-key');
    expect(edk?.ciphertext).toHaveLength(48 + 256);
  });

  it.each([
    ['OAEP_SHA1_MGF1', 'sha1'],
    ['OAEP_SHA256_MGF1', 'sha256'],
    ['OAEP_SHA384_MGF1', 'sha384'],
    ['OAEP_SHA512_MGF1', 'sha512'],
  ] as const)('%s uses MGF1 with the OAEP hash (what OpenSSL, Java and the MPL do)', async (padding, oaepHash) => {
    const [edk] = (await rsa(padding).onEncrypt(encryptionMaterials())).encryptedDataKeys;
    const intermediateKey = privateDecrypt(
      { key: pair.privateKey.exportPem(), padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash },
      edk?.ciphertext.subarray(48) ?? new Uint8Array(),
    );
    expect(intermediateKey).toHaveLength(32);
  });

  it('adds its EDK to existing materials, keeping their data key', async () => {
    const generated = await aes().onEncrypt(encryptionMaterials());
    const both = await rsa('OAEP_SHA256_MGF1').onEncrypt(generated);
    expect(both.plaintextDataKey).toBe(generated.plaintextDataKey);
    expect(both.encryptedDataKeys).toHaveLength(2);
    const decrypted = await rsa('OAEP_SHA256_MGF1').onDecrypt(decryptionMaterials(), both.encryptedDataKeys);
    expect(decrypted.plaintextDataKey).toEqual(generated.plaintextDataKey);
    expect(decrypted.symmetricSigningKey).toEqual(both.symmetricSigningKeys?.[1]);
  });

  it('needs the public key to encrypt and the private key to decrypt (never derives one from the other)', async () => {
    const [edk] = (await rsa('OAEP_SHA256_MGF1').onEncrypt(encryptionMaterials())).encryptedDataKeys;
    expect(await codeOf(rsa('OAEP_SHA256_MGF1', { privateKey: pair.privateKey }).onEncrypt(encryptionMaterials()))).toBe('ERR_WRAPPING_FAILED');
    expect(await codeOf(rsa('OAEP_SHA256_MGF1', { publicKey: pair.publicKey }).onDecrypt(decryptionMaterials(), edk ? [edk] : []))).toBe('ERR_UNWRAPPING_FAILED');
  });

  it('refuses another key pair, name, padding or encryption context, and any altered bit', async () => {
    const [edk] = (await rsa('OAEP_SHA256_MGF1').onEncrypt(encryptionMaterials())).encryptedDataKeys;
    if (edk === undefined) throw new Error('no EDK');
    const fails = async (keyring: Keyring, materials: DecryptionMaterials = decryptionMaterials(), e = edk) => {
      expect(await codeOf(keyring.onDecrypt(materials, [e]))).toBe('ERR_UNWRAPPING_FAILED');
    };
    await fails(rsa('OAEP_SHA256_MGF1', otherPair));
    await fails(rsa('OAEP_SHA256_MGF1', pair, 'other-name'));
    await fails(rsa('OAEP_SHA384_MGF1'));
    await fails(rsa('PKCS1'));
    await fails(rsa('OAEP_SHA256_MGF1'), decryptionMaterials(SUITE_HMAC, { ...CONTEXT, 'aws-crypto-attr.pk': 'AAFi' }));
    for (let i = 0; i < edk.ciphertext.length; i += 13) await fails(rsa('OAEP_SHA256_MGF1'), undefined, flipped(edk, 'ciphertext', i));
    await fails(rsa('OAEP_SHA256_MGF1'), undefined, flipped(edk, 'keyProviderInfo', 0));
    await fails(rsa('OAEP_SHA256_MGF1'), undefined, { ...edk, ciphertext: edk.ciphertext.subarray(0, 48) });
  });

  it.each(PADDINGS)('decrypts with a delegated private key (%s), the same bytes as software; its failures are unwrapping failures', async (padding) => {
    const delegated = new RawRsaKeyring({ keyNamespace: 'ns', keyName: 'rsa-key', paddingScheme: padding, privateKey: asDelegatedKey(pair.privateKey) });
    const [edk] = await expectRoundTrip(rsa(padding, { publicKey: pair.publicKey }), delegated);
    if (edk === undefined) throw new Error('no EDK');
    for (const index of [0, 48, edk.ciphertext.length - 1]) {
      expect(await codeOf(delegated.onDecrypt(decryptionMaterials(), [flipped(edk, 'ciphertext', index)]))).toBe('ERR_UNWRAPPING_FAILED');
    }
    // A delegated key that cannot unwrap says so: a configuration error, not "no data key".
    const signOnly = { keyType: 'private' as const, algorithm: 'RSA', sign: () => Promise.resolve(new Uint8Array()) };
    const unusable = new RawRsaKeyring({ keyNamespace: 'ns', keyName: 'rsa-key', paddingScheme: padding, privateKey: signOnly });
    expect(await codeOf(unusable.onDecrypt(decryptionMaterials(), [edk]))).toBe('ERR_INVALID_KEY');
  });

  it('validates its options', () => {
    const make = (options: object) => () => new RawRsaKeyring({ keyNamespace: 'ns', keyName: 'k', paddingScheme: 'OAEP_SHA256_MGF1', ...options });
    expect(make({ publicKey: pair.publicKey })).not.toThrow();
    expect(make({})).toThrow(/publicKey, a privateKey or both/);
    expect(make({ publicKey: pair.publicKey, paddingScheme: 'OAEP_SHA224_MGF1' })).toThrow(/paddingScheme/);
    expect(make({ publicKey: pair.publicKey, keyNamespace: 'aws-kms-x' })).toThrow(/aws-kms/);
    expect(make({ publicKey: pair.privateKey })).toThrow(/RsaPublicKey/);
    expect(make({ privateKey: asDelegatedKey(pair.privateKey) })).not.toThrow();
    expect(make({ privateKey: asDelegatedKey(pair.publicKey) })).toThrow(/delegated private key/);
    expect(make({ publicKey: generateRsaKeyPair(1024).publicKey, paddingScheme: 'OAEP_SHA512_MGF1' })).toThrow(/too short/);
  });
});

/** A keyring that records its calls and fails (or not) on demand. */
function spy(name: string, inner: Keyring, failDecrypt?: DdbecError): Keyring & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    onEncrypt: (m: EncryptionMaterials) => {
      calls.push(`${name}.onEncrypt`);
      return inner.onEncrypt(m);
    },
    onDecrypt: (m, edks) => {
      calls.push(`${name}.onDecrypt`);
      return failDecrypt ? Promise.reject(failDecrypt) : inner.onDecrypt(m, edks);
    },
  };
}

describe('MultiKeyring', () => {
  it('generates with the generator, then each child adds one EDK in order; each keyring alone decrypts its EDK', async () => {
    const multi = new MultiKeyring({ generator: aes(1), childKeyrings: [rsa('OAEP_SHA256_MGF1'), aes(2, 'second')] });
    const encrypted = await multi.onEncrypt(encryptionMaterials(SUITE_SIG));
    expect(encrypted.encryptedDataKeys.map((e) => Buffer.from(e.keyProviderInfo.subarray(0, 6)).toString())).toEqual(['aes-ke', 'rsa-ke', 'second']);
    for (const [keyring, i] of [[aes(1), 0], [rsa('OAEP_SHA256_MGF1'), 1], [aes(2, 'second'), 2]] as const) {
      const decrypted = await keyring.onDecrypt(decryptionMaterials(SUITE_SIG), encrypted.encryptedDataKeys);
      expect(decrypted.plaintextDataKey).toEqual(encrypted.plaintextDataKey);
      expect(decrypted.symmetricSigningKey).toEqual(encrypted.symmetricSigningKeys?.[i]);
    }
    await expectRoundTrip(multi, multi, SUITE_HMAC);
  });

  it('decrypts with the first keyring that succeeds, generator first, and stops there', async () => {
    const { encryptedDataKeys } = await new MultiKeyring({ generator: aes(1), childKeyrings: [aes(2, 'second')] }).onEncrypt(encryptionMaterials());
    const wrong = spy('wrong', aes(9, 'unknown'));
    const second = spy('second', aes(2, 'second'));
    const first = spy('first', aes(1));
    const multi = new MultiKeyring({ generator: wrong, childKeyrings: [second, first] });
    expect((await multi.onDecrypt(decryptionMaterials(), encryptedDataKeys)).plaintextDataKey).toHaveLength(32);
    expect([...wrong.calls, ...second.calls, ...first.calls]).toEqual(['wrong.onDecrypt', 'second.onDecrypt']);
  });

  it('collects every failure; a retryable one decides the code', async () => {
    const { encryptedDataKeys } = await aes(1).onEncrypt(encryptionMaterials());
    const none = new MultiKeyring({ childKeyrings: [aes(7, 'x'), rsa('OAEP_SHA256_MGF1')] });
    const error = await none.onDecrypt(decryptionMaterials(), encryptedDataKeys).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ERR_UNWRAPPING_FAILED' });
    expect((error as Error).message).toMatch(/ns\/x.*; .*ns\/rsa-key/);
    expect((error as Error).cause).toBeInstanceOf(AggregateError);
    expect(((error as Error).cause as AggregateError).errors as unknown[]).toHaveLength(2);
    const throttled = spy('kms', aes(7), new DdbecError('ERR_KMS_THROTTLED', 'slow down'));
    expect(await codeOf(new MultiKeyring({ childKeyrings: [aes(7, 'x'), throttled] }).onDecrypt(decryptionMaterials(), encryptedDataKeys))).toBe('ERR_KMS_THROTTLED');
  });

  it('refuses a data key it cannot have: none without a generator, one with a generator; passes a decrypted one through', async () => {
    expect(await codeOf(new MultiKeyring({ childKeyrings: [aes()] }).onEncrypt(encryptionMaterials()))).toBe('ERR_WRAPPING_FAILED');
    const generated = await aes().onEncrypt(encryptionMaterials());
    expect(await codeOf(new MultiKeyring({ generator: aes() }).onEncrypt(generated))).toBe('ERR_WRAPPING_FAILED');
    expect((await new MultiKeyring({ childKeyrings: [aes(2)] }).onEncrypt(generated)).encryptedDataKeys).toHaveLength(2);
    const done = { ...decryptionMaterials(), plaintextDataKey: new Uint8Array(32) };
    expect(await new MultiKeyring({ childKeyrings: [aes()] }).onDecrypt(done, [])).toBe(done);
    const silent: Keyring = { onEncrypt: (m) => Promise.resolve(m), onDecrypt: (m) => Promise.resolve(m) };
    expect(await codeOf(new MultiKeyring({ generator: silent }).onEncrypt(encryptionMaterials()))).toBe('ERR_WRAPPING_FAILED');
  });

  it('validates its options', () => {
    expect(() => new MultiKeyring({})).toThrow(/generator or at least one child/);
    expect(() => new MultiKeyring({ generator: {} as Keyring })).toThrow(/not a keyring/);
    expect(() => new MultiKeyring({ childKeyrings: [aes(), 'x' as unknown as Keyring] })).toThrow(/array of keyrings/);
  });
});
