import {
  CancelKeyDeletionCommand,
  CreateAliasCommand,
  CreateKeyCommand,
  DecryptCommand,
  DeleteAliasCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  DisableKeyRotationCommand,
  EnableKeyCommand,
  EnableKeyRotationCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  GenerateDataKeyWithoutPlaintextCommand,
  GenerateRandomCommand,
  GetKeyRotationStatusCommand,
  KMSClient,
  ListAliasesCommand,
  ListKeyRotationsCommand,
  ListKeysCommand,
  ListResourceTagsCommand,
  ReEncryptCommand,
  RotateKeyOnDemandCommand,
  ScheduleKeyDeletionCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateAliasCommand,
  UpdateKeyDescriptionCommand,
  type CreateKeyCommandInput,
  type KeyMetadata,
} from '@aws-sdk/client-kms';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalKms, type LocalKms } from '../src/index.js';
import { expectKmsError } from './kms-support.js';

let kms: LocalKms;
let client: KMSClient;

beforeAll(async () => {
  kms = await startLocalKms();
  client = new KMSClient({
    endpoint: kms.endpoint,
    region: kms.region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
});

afterAll(async () => {
  client.destroy();
  await kms.stop();
});

type Key = KeyMetadata & { KeyId: string; Arn: string };

async function createKey(input: CreateKeyCommandInput = {}): Promise<Key> {
  const { KeyMetadata: meta } = await client.send(new CreateKeyCommand(input));
  if (meta?.KeyId === undefined || meta.Arn === undefined) throw new Error('CreateKey returned no KeyMetadata');
  return { ...meta, KeyId: meta.KeyId, Arn: meta.Arn };
}

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const text = (bytes: Uint8Array | undefined): string => new TextDecoder().decode(bytes);
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
let aliasCounter = 0;
const uniqueAlias = (stem: string): string => `alias/${stem}-${++aliasCounter}-${Date.now()}`;

/** Adds the deprecated CustomerMasterKeySpec member (kept out of typed literals for the linter). */
function deprecatedSpec(input: CreateKeyCommandInput, spec: string): CreateKeyCommandInput {
  return { ...input, ['CustomerMasterKeySpec' as string]: spec };
}

async function encrypt(keyId: string, plaintext: string, context?: Record<string, string>): Promise<Uint8Array> {
  const { CiphertextBlob } = await client.send(new EncryptCommand({ KeyId: keyId, Plaintext: utf8(plaintext), EncryptionContext: context }));
  if (CiphertextBlob === undefined) throw new Error('no CiphertextBlob');
  return CiphertextBlob;
}

describe('CreateKey and DescribeKey', () => {
  it('creates a symmetric key by default with full, AWS-shaped KeyMetadata', async () => {
    const before = Date.now();
    const key = await createKey({ Description: 'orders table key' });
    expect(key.KeyId).toMatch(uuid);
    expect(key).toMatchObject({
      AWSAccountId: '111122223333',
      Arn: `arn:aws:kms:us-east-1:111122223333:key/${key.KeyId}`,
      Enabled: true,
      Description: 'orders table key',
      KeyUsage: 'ENCRYPT_DECRYPT',
      KeyState: 'Enabled',
      Origin: 'AWS_KMS',
      KeyManager: 'CUSTOMER',
      CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT',
      KeySpec: 'SYMMETRIC_DEFAULT',
      EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
      MultiRegion: false,
    });
    expect(key.DeletionDate).toBeUndefined();
    expect(key.CreationDate).toBeInstanceOf(Date);
    expect(key.CreationDate?.getTime()).toBeGreaterThanOrEqual(before - 1);
    expect(key.CurrentKeyMaterialId).toMatch(/^[0-9a-f]{64}$/);

    const { KeyMetadata } = await client.send(new DescribeKeyCommand({ KeyId: key.KeyId }));
    expect(KeyMetadata).toEqual(key);
  });

  it('reports an empty Description when none is given', async () => {
    expect((await createKey()).Description).toBe('');
  });

  it('creates non-symmetric keys as metadata, with the algorithms AWS lists', async () => {
    const rsaEnc = await createKey({ KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' });
    expect(rsaEnc).toMatchObject({ KeySpec: 'RSA_2048', CustomerMasterKeySpec: 'RSA_2048', EncryptionAlgorithms: ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'] });
    expect(rsaEnc.CurrentKeyMaterialId).toBeUndefined();
    const rsaSign = await createKey({ KeySpec: 'RSA_4096', KeyUsage: 'SIGN_VERIFY' });
    expect(rsaSign.SigningAlgorithms).toContain('RSASSA_PSS_SHA_256');
    expect(rsaSign.EncryptionAlgorithms).toBeUndefined();
    const ecc = await createKey({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
    expect(ecc.SigningAlgorithms).toEqual(['ECDSA_SHA_256']);
    const hmac = await createKey({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' });
    expect(hmac.MacAlgorithms).toEqual(['HMAC_SHA_256']);
    // The deprecated CustomerMasterKeySpec still works as a synonym of KeySpec.
    const legacy = await createKey(deprecatedSpec({ KeyUsage: 'SIGN_VERIFY' }, 'RSA_3072'));
    expect(legacy.KeySpec).toBe('RSA_3072');
  });

  it('validates KeySpec / KeyUsage combinations and other inputs', async () => {
    await expectKmsError(client.send(new CreateKeyCommand({ KeySpec: 'SYMMETRIC_DEFAULT', KeyUsage: 'SIGN_VERIFY' })), 'ValidationException');
    await expectKmsError(client.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'ENCRYPT_DECRYPT' })), 'ValidationException');
    await expectKmsError(client.send(new CreateKeyCommand({ KeySpec: 'HMAC_256', KeyUsage: 'ENCRYPT_DECRYPT' })), 'ValidationException');
    await expectKmsError(client.send(new CreateKeyCommand({ KeySpec: 'RSA_2048' })), 'ValidationException'); // KeyUsage required
    await expectKmsError(
      client.send(new CreateKeyCommand(deprecatedSpec({ KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' }, 'RSA_2048'))),
      'ValidationException',
    );
    // Enum values the model does not know are rejected by the service, not guessed.
    await expectKmsError(client.send(new CreateKeyCommand({ KeySpec: 'AES_999' as 'RSA_2048' })), 'ValidationException');
    await expectKmsError(client.send(new CreateKeyCommand({ Origin: 'EXTERNAL' })), 'UnsupportedOperationException');
    await expectKmsError(client.send(new CreateKeyCommand({ Description: 'x'.repeat(8193) })), 'ValidationException');
  });

  it('finds keys by key id, key ARN, alias name and alias ARN', async () => {
    const key = await createKey();
    const alias = uniqueAlias('describe');
    await client.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: key.KeyId }));
    for (const ref of [key.KeyId, key.Arn, alias, `arn:aws:kms:us-east-1:111122223333:${alias}`]) {
      const { KeyMetadata } = await client.send(new DescribeKeyCommand({ KeyId: ref }));
      expect(KeyMetadata?.KeyId, ref).toBe(key.KeyId);
    }
  });

  it('says NotFoundException for unknown keys and aliases, malformed ids and other regions', async () => {
    const key = await createKey();
    await expectKmsError(client.send(new DescribeKeyCommand({ KeyId: '11111111-2222-4333-8444-555555555555' })), 'NotFoundException');
    await expectKmsError(client.send(new DescribeKeyCommand({ KeyId: 'not-a-key-id' })), 'NotFoundException');
    await expectKmsError(client.send(new DescribeKeyCommand({ KeyId: 'alias/does-not-exist' })), 'NotFoundException');
    await expectKmsError(client.send(new DescribeKeyCommand({ KeyId: key.Arn.replace('us-east-1', 'eu-west-1') })), 'NotFoundException');
    await expectKmsError(client.send(new DescribeKeyCommand({ KeyId: key.Arn.replace('111122223333', '444455556666') })), 'NotFoundException');
  });

  it('updates the description (UpdateKeyDescription)', async () => {
    const key = await createKey({ Description: 'old' });
    await client.send(new UpdateKeyDescriptionCommand({ KeyId: key.Arn, Description: 'new' }));
    const { KeyMetadata } = await client.send(new DescribeKeyCommand({ KeyId: key.KeyId }));
    expect(KeyMetadata?.Description).toBe('new');
  });
});

describe('ListKeys', () => {
  it('pages with Limit / Marker / Truncated / NextMarker and lists every key once', async () => {
    const created = new Set<string>();
    for (let i = 0; i < 5; i++) created.add((await createKey()).KeyId);
    const seen: string[] = [];
    let marker: string | undefined;
    let pages = 0;
    do {
      const out = await client.send(new ListKeysCommand({ Limit: 2, Marker: marker }));
      pages++;
      expect(out.Keys?.length).toBeLessThanOrEqual(2);
      for (const k of out.Keys ?? []) {
        expect(k.KeyArn).toBe(`arn:aws:kms:us-east-1:111122223333:key/${k.KeyId ?? ''}`);
        seen.push(k.KeyId ?? '');
      }
      expect(out.Truncated).toBe(out.NextMarker !== undefined);
      marker = out.NextMarker;
    } while (marker !== undefined);
    expect(new Set(seen).size).toBe(seen.length);
    for (const id of created) expect(seen).toContain(id);
    expect(pages).toBeGreaterThanOrEqual(3);
    const all = await client.send(new ListKeysCommand({}));
    expect(all.Truncated).toBe(false);
    expect(all.Keys?.map((k) => k.KeyId)).toEqual(seen);
  });

  it('rejects a bad Limit and a Marker it did not issue', async () => {
    await expectKmsError(client.send(new ListKeysCommand({ Limit: 0 })), 'ValidationException');
    await expectKmsError(client.send(new ListKeysCommand({ Limit: 1001 })), 'ValidationException');
    await expectKmsError(client.send(new ListKeysCommand({ Marker: 'bm90LW91cnM' })), 'InvalidMarkerException');
  });
});

describe('aliases', () => {
  it('CreateAlias, ListAliases (filter and paging), UpdateAlias, DeleteAlias', async () => {
    const a = await createKey();
    const b = await createKey();
    const names = [uniqueAlias('pg'), uniqueAlias('pg'), uniqueAlias('pg')];
    for (const name of names) await client.send(new CreateAliasCommand({ AliasName: name, TargetKeyId: a.Arn }));

    const forA = await client.send(new ListAliasesCommand({ KeyId: a.KeyId }));
    expect(forA.Truncated).toBe(false);
    expect(forA.Aliases?.map((x) => x.AliasName).sort()).toEqual([...names].sort());
    const first = forA.Aliases?.[0];
    expect(first).toMatchObject({ TargetKeyId: a.KeyId, AliasArn: `arn:aws:kms:us-east-1:111122223333:${first?.AliasName ?? ''}` });
    expect(first?.CreationDate).toBeInstanceOf(Date);
    expect(first?.LastUpdatedDate).toBeInstanceOf(Date);

    const paged: string[] = [];
    let marker: string | undefined;
    do {
      const out = await client.send(new ListAliasesCommand({ KeyId: a.Arn, Limit: 1, Marker: marker }));
      expect(out.Aliases).toHaveLength(1);
      paged.push(out.Aliases?.[0]?.AliasName ?? '');
      marker = out.NextMarker;
      expect(out.Truncated).toBe(marker !== undefined);
    } while (marker !== undefined);
    expect(paged).toEqual(forA.Aliases?.map((x) => x.AliasName));

    const all = await client.send(new ListAliasesCommand({ Limit: 100 }));
    for (const name of names) expect(all.Aliases?.map((x) => x.AliasName)).toContain(name);

    const [moved, deleted] = names as [string, string, string];
    await client.send(new UpdateAliasCommand({ AliasName: moved, TargetKeyId: b.KeyId }));
    expect((await client.send(new DescribeKeyCommand({ KeyId: moved }))).KeyMetadata?.KeyId).toBe(b.KeyId);
    expect((await client.send(new ListAliasesCommand({ KeyId: b.KeyId }))).Aliases?.map((x) => x.AliasName)).toEqual([moved]);

    await client.send(new DeleteAliasCommand({ AliasName: deleted }));
    await expectKmsError(client.send(new DescribeKeyCommand({ KeyId: deleted })), 'NotFoundException');
    await expectKmsError(client.send(new DeleteAliasCommand({ AliasName: deleted })), 'NotFoundException');
    await expectKmsError(client.send(new UpdateAliasCommand({ AliasName: deleted, TargetKeyId: a.KeyId })), 'NotFoundException');
  });

  it('validates alias names and targets like AWS', async () => {
    const key = await createKey();
    const name = uniqueAlias('dup');
    await client.send(new CreateAliasCommand({ AliasName: name, TargetKeyId: key.KeyId }));
    await expectKmsError(client.send(new CreateAliasCommand({ AliasName: name, TargetKeyId: key.KeyId })), 'AlreadyExistsException');
    await expectKmsError(client.send(new CreateAliasCommand({ AliasName: 'no-prefix', TargetKeyId: key.KeyId })), 'ValidationException');
    await expectKmsError(client.send(new CreateAliasCommand({ AliasName: 'alias/bad name!', TargetKeyId: key.KeyId })), 'ValidationException');
    await expectKmsError(client.send(new CreateAliasCommand({ AliasName: 'alias/aws/mine', TargetKeyId: key.KeyId })), 'NotAuthorizedException');
    await expectKmsError(client.send(new DeleteAliasCommand({ AliasName: 'alias/aws/dynamodb' })), 'NotAuthorizedException');
    // An alias must point at a key, given by key id or key ARN — not at another alias.
    await expectKmsError(client.send(new CreateAliasCommand({ AliasName: uniqueAlias('x'), TargetKeyId: name })), 'ValidationException');
    await expectKmsError(
      client.send(new CreateAliasCommand({ AliasName: uniqueAlias('x'), TargetKeyId: '11111111-2222-4333-8444-555555555555' })),
      'NotFoundException',
    );
    // ListAliases' KeyId takes a key id or ARN only.
    await expectKmsError(client.send(new ListAliasesCommand({ KeyId: name })), 'NotFoundException');
    // UpdateAlias only moves between keys of the same type and usage.
    const signing = await createKey({ KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' });
    await expectKmsError(client.send(new UpdateAliasCommand({ AliasName: name, TargetKeyId: signing.KeyId })), 'ValidationException');
  });
});

describe('Encrypt, Decrypt, ReEncrypt', () => {
  it('round-trips with and without KeyId, through every key reference form', async () => {
    const key = await createKey();
    const alias = uniqueAlias('enc');
    await client.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: key.KeyId }));
    const context = { table: 'orders', 'aws-crypto-public-key': 'x', ü: 'ñ' };
    for (const ref of [key.KeyId, key.Arn, alias, `arn:aws:kms:us-east-1:111122223333:${alias}`]) {
      const out = await client.send(new EncryptCommand({ KeyId: ref, Plaintext: utf8(`secret via ${ref}`), EncryptionContext: context }));
      expect(out.KeyId).toBe(key.Arn);
      expect(out.EncryptionAlgorithm).toBe('SYMMETRIC_DEFAULT');
      const blob = out.CiphertextBlob;
      const plain = await client.send(new DecryptCommand({ CiphertextBlob: blob, EncryptionContext: { ü: 'ñ', table: 'orders', 'aws-crypto-public-key': 'x' } }));
      expect(text(plain.Plaintext)).toBe(`secret via ${ref}`);
      expect(plain.KeyId).toBe(key.Arn);
      expect(plain.EncryptionAlgorithm).toBe('SYMMETRIC_DEFAULT');
      for (const decryptRef of [key.KeyId, key.Arn, alias, `arn:aws:kms:us-east-1:111122223333:${alias}`]) {
        const again = await client.send(new DecryptCommand({ CiphertextBlob: blob, EncryptionContext: context, KeyId: decryptRef }));
        expect(text(again.Plaintext)).toBe(`secret via ${ref}`);
      }
    }
  });

  it('InvalidCiphertextException for another context, a flipped bit, or a blob pointed at another key', async () => {
    const key = await createKey();
    const other = await createKey();
    const blob = await encrypt(key.KeyId, 'payload', { purpose: 'test' });
    await expectKmsError(client.send(new DecryptCommand({ CiphertextBlob: blob })), 'InvalidCiphertextException');
    await expectKmsError(client.send(new DecryptCommand({ CiphertextBlob: blob, EncryptionContext: { purpose: 'other' } })), 'InvalidCiphertextException');
    await expectKmsError(
      client.send(new DecryptCommand({ CiphertextBlob: blob, EncryptionContext: { purpose: 'test', extra: '' } })),
      'InvalidCiphertextException',
    );
    for (const index of [0, 5, 20, 30, 40, blob.length - 1]) {
      const flipped = Uint8Array.from(blob);
      flipped[index] = (flipped[index] ?? 0) ^ 0x01;
      await expectKmsError(
        client.send(new DecryptCommand({ CiphertextBlob: flipped, EncryptionContext: { purpose: 'test' } })),
        'InvalidCiphertextException',
      );
    }
    // Rewrite the key id inside the blob (bytes 3..18) to another existing key.
    const retargeted = Uint8Array.from(blob);
    retargeted.set(Buffer.from(other.KeyId.replaceAll('-', ''), 'hex'), 3);
    await expectKmsError(
      client.send(new DecryptCommand({ CiphertextBlob: retargeted, EncryptionContext: { purpose: 'test' } })),
      'InvalidCiphertextException',
    );
    await expectKmsError(client.send(new DecryptCommand({ CiphertextBlob: utf8('not a blob at all') })), 'InvalidCiphertextException');
    await expectKmsError(client.send(new DecryptCommand({ CiphertextBlob: blob.subarray(0, 30), EncryptionContext: { purpose: 'test' } })), 'InvalidCiphertextException');
  });

  it('IncorrectKeyException when Decrypt names a key that did not encrypt the blob', async () => {
    const key = await createKey();
    const other = await createKey();
    const alias = uniqueAlias('other');
    await client.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: other.KeyId }));
    const blob = await encrypt(key.KeyId, 'payload');
    await expectKmsError(client.send(new DecryptCommand({ CiphertextBlob: blob, KeyId: other.KeyId })), 'IncorrectKeyException');
    await expectKmsError(client.send(new DecryptCommand({ CiphertextBlob: blob, KeyId: alias })), 'IncorrectKeyException');
    await expectKmsError(
      client.send(new ReEncryptCommand({ CiphertextBlob: blob, SourceKeyId: other.Arn, DestinationKeyId: key.KeyId })),
      'IncorrectKeyException',
    );
    await expectKmsError(
      client.send(new DecryptCommand({ CiphertextBlob: blob, KeyId: '11111111-2222-4333-8444-555555555555' })),
      'NotFoundException',
    );
  });

  it('ReEncrypt moves a ciphertext to another key and context', async () => {
    const source = await createKey();
    const destination = await createKey();
    const alias = uniqueAlias('dest');
    await client.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: destination.KeyId }));
    const blob = await encrypt(source.KeyId, 'moving', { v: '1' });
    const out = await client.send(
      new ReEncryptCommand({
        CiphertextBlob: blob,
        SourceEncryptionContext: { v: '1' },
        DestinationKeyId: alias,
        DestinationEncryptionContext: { v: '2' },
      }),
    );
    expect(out).toMatchObject({
      SourceKeyId: source.Arn,
      KeyId: destination.Arn,
      SourceEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
      DestinationEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
    });
    const plain = await client.send(new DecryptCommand({ CiphertextBlob: out.CiphertextBlob, EncryptionContext: { v: '2' } }));
    expect(text(plain.Plaintext)).toBe('moving');
    expect(plain.KeyId).toBe(destination.Arn);
    await expectKmsError(
      client.send(new ReEncryptCommand({ CiphertextBlob: blob, SourceEncryptionContext: { v: 'x' }, DestinationKeyId: destination.KeyId })),
      'InvalidCiphertextException',
    );
    await expectKmsError(
      client.send(new ReEncryptCommand({ CiphertextBlob: blob, SourceEncryptionContext: { v: '1' }, DestinationKeyId: 'alias/nope' })),
      'NotFoundException',
    );
  });

  it('validates plaintext size and rejects non-symmetric keys for symmetric crypto', async () => {
    const key = await createKey();
    await expectKmsError(client.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: new Uint8Array(4097) })), 'ValidationException');
    const big = await client.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: new Uint8Array(4096).fill(7) }));
    expect((await client.send(new DecryptCommand({ CiphertextBlob: big.CiphertextBlob }))).Plaintext).toEqual(new Uint8Array(4096).fill(7));
    const rsa = await createKey({ KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' });
    const signing = await createKey({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
    await expectKmsError(client.send(new EncryptCommand({ KeyId: rsa.KeyId, Plaintext: utf8('x') })), 'InvalidKeyUsageException');
    await expectKmsError(client.send(new EncryptCommand({ KeyId: signing.KeyId, Plaintext: utf8('x') })), 'InvalidKeyUsageException');
    await expectKmsError(
      client.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: utf8('x'), EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' })),
      'InvalidKeyUsageException',
    );
    // Asymmetric encryption itself is not emulated (documented limitation).
    await expectKmsError(
      client.send(new EncryptCommand({ KeyId: rsa.KeyId, Plaintext: utf8('x'), EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' })),
      'UnsupportedOperationException',
    );
    await expectKmsError(client.send(new GenerateDataKeyCommand({ KeyId: rsa.KeyId, KeySpec: 'AES_256' })), 'InvalidKeyUsageException');
  });

  it('DryRun answers DryRunOperationException and does nothing', async () => {
    const key = await createKey();
    await expectKmsError(client.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: utf8('x'), DryRun: true })), 'DryRunOperationException');
  });
});

describe('GenerateDataKey and GenerateDataKeyWithoutPlaintext', () => {
  it('returns a data key whose ciphertext decrypts to it under the same context', async () => {
    const key = await createKey();
    const alias = uniqueAlias('gdk');
    await client.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: key.KeyId }));
    for (const [input, length] of [
      [{ KeySpec: 'AES_256' }, 32],
      [{ KeySpec: 'AES_128' }, 16],
      [{ NumberOfBytes: 1 }, 1],
      [{ NumberOfBytes: 1024 }, 1024],
    ] as const) {
      const out = await client.send(new GenerateDataKeyCommand({ KeyId: alias, EncryptionContext: { t: 'x' }, ...input }));
      expect(out.Plaintext).toHaveLength(length);
      expect(out.KeyId).toBe(key.Arn);
      const back = await client.send(new DecryptCommand({ CiphertextBlob: out.CiphertextBlob, EncryptionContext: { t: 'x' } }));
      expect(back.Plaintext).toEqual(out.Plaintext);
    }
    const noPlain = await client.send(new GenerateDataKeyWithoutPlaintextCommand({ KeyId: key.Arn, KeySpec: 'AES_256', EncryptionContext: { t: 'y' } }));
    expect(noPlain).not.toHaveProperty('Plaintext');
    expect(noPlain.KeyId).toBe(key.Arn);
    const back = await client.send(new DecryptCommand({ CiphertextBlob: noPlain.CiphertextBlob, EncryptionContext: { t: 'y' } }));
    expect(back.Plaintext).toHaveLength(32);
  });

  it('needs exactly one of NumberOfBytes (1..1024) and KeySpec', async () => {
    const key = await createKey();
    await expectKmsError(client.send(new GenerateDataKeyCommand({ KeyId: key.KeyId })), 'ValidationException');
    await expectKmsError(client.send(new GenerateDataKeyCommand({ KeyId: key.KeyId, KeySpec: 'AES_256', NumberOfBytes: 32 })), 'ValidationException');
    await expectKmsError(client.send(new GenerateDataKeyCommand({ KeyId: key.KeyId, NumberOfBytes: 0 })), 'ValidationException');
    await expectKmsError(client.send(new GenerateDataKeyCommand({ KeyId: key.KeyId, NumberOfBytes: 1025 })), 'ValidationException');
    await expectKmsError(client.send(new GenerateDataKeyWithoutPlaintextCommand({ KeyId: key.KeyId })), 'ValidationException');
    await expectKmsError(client.send(new GenerateDataKeyCommand({ KeyId: 'alias/missing', KeySpec: 'AES_256' })), 'NotFoundException');
  });

  it('GenerateRandom', async () => {
    expect((await client.send(new GenerateRandomCommand({ NumberOfBytes: 48 }))).Plaintext).toHaveLength(48);
    await expectKmsError(client.send(new GenerateRandomCommand({})), 'ValidationException');
  });
});

describe('key states', () => {
  it('DisableKey → DisabledException for crypto; EnableKey restores it', async () => {
    const key = await createKey();
    const blob = await encrypt(key.KeyId, 'before');
    await client.send(new DisableKeyCommand({ KeyId: key.Arn }));
    const { KeyMetadata } = await client.send(new DescribeKeyCommand({ KeyId: key.KeyId }));
    expect(KeyMetadata).toMatchObject({ KeyState: 'Disabled', Enabled: false });
    await expectKmsError(client.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: utf8('x') })), 'DisabledException');
    await expectKmsError(client.send(new DecryptCommand({ CiphertextBlob: blob })), 'DisabledException');
    await expectKmsError(client.send(new GenerateDataKeyCommand({ KeyId: key.KeyId, KeySpec: 'AES_256' })), 'DisabledException');
    await expectKmsError(client.send(new GenerateDataKeyWithoutPlaintextCommand({ KeyId: key.KeyId, KeySpec: 'AES_256' })), 'DisabledException');
    await expectKmsError(client.send(new EnableKeyRotationCommand({ KeyId: key.KeyId })), 'DisabledException');
    await client.send(new EnableKeyCommand({ KeyId: key.KeyId }));
    expect(text((await client.send(new DecryptCommand({ CiphertextBlob: blob }))).Plaintext)).toBe('before');
  });

  it('ScheduleKeyDeletion → PendingDeletion (KMSInvalidStateException); CancelKeyDeletion → Disabled', async () => {
    const key = await createKey();
    const blob = await encrypt(key.KeyId, 'doomed');
    const now = kms.now().getTime();
    const out = await client.send(new ScheduleKeyDeletionCommand({ KeyId: key.Arn, PendingWindowInDays: 7 }));
    expect(out).toMatchObject({ KeyId: key.Arn, KeyState: 'PendingDeletion', PendingWindowInDays: 7 });
    const deletion = out.DeletionDate?.getTime() ?? 0;
    expect(deletion - now).toBeGreaterThanOrEqual(7 * 86_400_000 - 1000);
    expect(deletion - now).toBeLessThanOrEqual(7 * 86_400_000 + 5000);
    const { KeyMetadata } = await client.send(new DescribeKeyCommand({ KeyId: key.KeyId }));
    expect(KeyMetadata).toMatchObject({ KeyState: 'PendingDeletion', Enabled: false });
    expect(KeyMetadata?.DeletionDate?.getTime()).toBe(deletion);
    expect(kms.keyState(key.KeyId)).toBe('PendingDeletion');

    await expectKmsError(client.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: utf8('x') })), 'KMSInvalidStateException');
    await expectKmsError(client.send(new DecryptCommand({ CiphertextBlob: blob })), 'KMSInvalidStateException');
    await expectKmsError(client.send(new GenerateDataKeyCommand({ KeyId: key.KeyId, KeySpec: 'AES_256' })), 'KMSInvalidStateException');
    await expectKmsError(client.send(new EnableKeyCommand({ KeyId: key.KeyId })), 'KMSInvalidStateException');
    await expectKmsError(client.send(new DisableKeyCommand({ KeyId: key.KeyId })), 'KMSInvalidStateException');
    await expectKmsError(client.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId })), 'KMSInvalidStateException');
    await expectKmsError(client.send(new TagResourceCommand({ KeyId: key.KeyId, Tags: [{ TagKey: 'a', TagValue: 'b' }] })), 'KMSInvalidStateException');
    await expectKmsError(client.send(new CreateAliasCommand({ AliasName: uniqueAlias('late'), TargetKeyId: key.KeyId })), 'KMSInvalidStateException');

    const cancelled = await client.send(new CancelKeyDeletionCommand({ KeyId: key.KeyId }));
    expect(cancelled.KeyId).toBe(key.Arn);
    const after = await client.send(new DescribeKeyCommand({ KeyId: key.KeyId }));
    expect(after.KeyMetadata).toMatchObject({ KeyState: 'Disabled', Enabled: false });
    expect(after.KeyMetadata?.DeletionDate).toBeUndefined();
    await expectKmsError(client.send(new CancelKeyDeletionCommand({ KeyId: key.KeyId })), 'KMSInvalidStateException');
    await client.send(new EnableKeyCommand({ KeyId: key.KeyId }));
    expect(text((await client.send(new DecryptCommand({ CiphertextBlob: blob }))).Plaintext)).toBe('doomed');
  });

  it('validates PendingWindowInDays (7..30, default 30)', async () => {
    const key = await createKey();
    await expectKmsError(client.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 6 })), 'ValidationException');
    await expectKmsError(client.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 31 })), 'ValidationException');
    const out = await client.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId }));
    expect(out.PendingWindowInDays).toBe(30);
  });

  it('management operations take a key id or key ARN, not an alias (NotFoundException, as in AWS)', async () => {
    const key = await createKey();
    const alias = uniqueAlias('mgmt');
    await client.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: key.KeyId }));
    const aliasArn = `arn:aws:kms:us-east-1:111122223333:${alias}`;
    for (const ref of [alias, aliasArn]) {
      await expectKmsError(client.send(new DisableKeyCommand({ KeyId: ref })), 'NotFoundException');
      await expectKmsError(client.send(new EnableKeyCommand({ KeyId: ref })), 'NotFoundException');
      await expectKmsError(client.send(new ScheduleKeyDeletionCommand({ KeyId: ref })), 'NotFoundException');
      await expectKmsError(client.send(new TagResourceCommand({ KeyId: ref, Tags: [{ TagKey: 'a', TagValue: 'b' }] })), 'NotFoundException');
      await expectKmsError(client.send(new EnableKeyRotationCommand({ KeyId: ref })), 'NotFoundException');
      await expectKmsError(client.send(new GetKeyRotationStatusCommand({ KeyId: ref })), 'NotFoundException');
    }
    expect((await client.send(new DescribeKeyCommand({ KeyId: key.KeyId }))).KeyMetadata?.KeyState).toBe('Enabled');
  });
});

describe('key rotation', () => {
  it('EnableKeyRotation / GetKeyRotationStatus / DisableKeyRotation', async () => {
    const key = await createKey();
    expect(await client.send(new GetKeyRotationStatusCommand({ KeyId: key.KeyId }))).toMatchObject({ KeyRotationEnabled: false, KeyId: key.Arn });
    await client.send(new EnableKeyRotationCommand({ KeyId: key.Arn, RotationPeriodInDays: 90 }));
    const on = await client.send(new GetKeyRotationStatusCommand({ KeyId: key.Arn }));
    expect(on).toMatchObject({ KeyRotationEnabled: true, RotationPeriodInDays: 90 });
    expect((on.NextRotationDate?.getTime() ?? 0) - kms.now().getTime()).toBeGreaterThan(89 * 86_400_000);
    await client.send(new EnableKeyRotationCommand({ KeyId: key.KeyId }));
    expect((await client.send(new GetKeyRotationStatusCommand({ KeyId: key.KeyId }))).RotationPeriodInDays).toBe(365);
    await client.send(new DisableKeyRotationCommand({ KeyId: key.KeyId }));
    expect((await client.send(new GetKeyRotationStatusCommand({ KeyId: key.KeyId }))).KeyRotationEnabled).toBe(false);
    await expectKmsError(client.send(new EnableKeyRotationCommand({ KeyId: key.KeyId, RotationPeriodInDays: 89 })), 'ValidationException');
    const rsa = await createKey({ KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' });
    await expectKmsError(client.send(new EnableKeyRotationCommand({ KeyId: rsa.KeyId })), 'UnsupportedOperationException');
    expect((await client.send(new GetKeyRotationStatusCommand({ KeyId: rsa.KeyId }))).KeyRotationEnabled).toBe(false);
  });

  it('RotateKeyOnDemand keeps old ciphertexts decryptable and encrypts with the new material', async () => {
    const key = await createKey();
    const oldBlob = await encrypt(key.KeyId, 'old', { c: '1' });
    const rotated = await client.send(new RotateKeyOnDemandCommand({ KeyId: key.KeyId }));
    expect(rotated.KeyId).toBe(key.Arn);
    const { KeyMetadata } = await client.send(new DescribeKeyCommand({ KeyId: key.KeyId }));
    expect(KeyMetadata?.CurrentKeyMaterialId).not.toBe(key.CurrentKeyMaterialId);
    const newBlob = await encrypt(key.KeyId, 'new', { c: '1' });
    const oldPlain = await client.send(new DecryptCommand({ CiphertextBlob: oldBlob, EncryptionContext: { c: '1' } }));
    expect(text(oldPlain.Plaintext)).toBe('old');
    expect(oldPlain.KeyMaterialId).toBe(key.CurrentKeyMaterialId);
    const newPlain = await client.send(new DecryptCommand({ CiphertextBlob: newBlob, EncryptionContext: { c: '1' } }));
    expect(text(newPlain.Plaintext)).toBe('new');
    expect(newPlain.KeyMaterialId).toBe(KeyMetadata?.CurrentKeyMaterialId);

    const rotations = await client.send(new ListKeyRotationsCommand({ KeyId: key.KeyId }));
    expect(rotations.Rotations).toHaveLength(1);
    expect(rotations.Rotations?.[0]).toMatchObject({ RotationType: 'ON_DEMAND', KeyMaterialId: KeyMetadata?.CurrentKeyMaterialId });
    const all = await client.send(new ListKeyRotationsCommand({ KeyId: key.KeyId, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' }));
    expect(all.Rotations).toHaveLength(2);

    for (let i = 1; i < 10; i++) await client.send(new RotateKeyOnDemandCommand({ KeyId: key.KeyId }));
    // The SDK retries LimitExceededException like a throttle; one attempt is enough to see it.
    const once = new KMSClient({ endpoint: kms.endpoint, region: kms.region, credentials: { accessKeyId: 'l', secretAccessKey: 'l' }, maxAttempts: 1 });
    await expectKmsError(once.send(new RotateKeyOnDemandCommand({ KeyId: key.KeyId })), 'LimitExceededException');
    once.destroy();
    expect(text((await client.send(new DecryptCommand({ CiphertextBlob: oldBlob, EncryptionContext: { c: '1' } }))).Plaintext)).toBe('old');
  });
});

describe('tags', () => {
  it('CreateKey Tags, TagResource (overwrites), UntagResource, ListResourceTags (paged)', async () => {
    const key = await createKey({ Tags: [{ TagKey: 'team', TagValue: 'data' }] });
    await client.send(
      new TagResourceCommand({
        KeyId: key.Arn,
        Tags: [
          { TagKey: 'env', TagValue: 'dev' },
          { TagKey: 'team', TagValue: 'platform' },
          { TagKey: 'cost', TagValue: '' },
        ],
      }),
    );
    const all = await client.send(new ListResourceTagsCommand({ KeyId: key.KeyId }));
    expect(all.Truncated).toBe(false);
    expect(all.Tags).toEqual([
      { TagKey: 'cost', TagValue: '' },
      { TagKey: 'env', TagValue: 'dev' },
      { TagKey: 'team', TagValue: 'platform' },
    ]);
    const first = await client.send(new ListResourceTagsCommand({ KeyId: key.KeyId, Limit: 2 }));
    expect(first).toMatchObject({ Truncated: true, Tags: all.Tags?.slice(0, 2) });
    const second = await client.send(new ListResourceTagsCommand({ KeyId: key.KeyId, Limit: 2, Marker: first.NextMarker }));
    expect(second).toMatchObject({ Truncated: false, Tags: all.Tags?.slice(2) });
    expect(second.NextMarker).toBeUndefined();
    await client.send(new UntagResourceCommand({ KeyId: key.KeyId, TagKeys: ['env', 'cost', 'absent'] }));
    expect((await client.send(new ListResourceTagsCommand({ KeyId: key.Arn }))).Tags).toEqual([{ TagKey: 'team', TagValue: 'platform' }]);
  });

  it('rejects reserved, duplicate and too many tags (TagException) and bad lengths (ValidationException)', async () => {
    const key = await createKey();
    await expectKmsError(client.send(new TagResourceCommand({ KeyId: key.KeyId, Tags: [{ TagKey: 'aws:x', TagValue: 'v' }] })), 'TagException');
    await expectKmsError(client.send(new CreateKeyCommand({ Tags: [{ TagKey: 'AWS:x', TagValue: 'v' }] })), 'TagException');
    await expectKmsError(
      client.send(new TagResourceCommand({ KeyId: key.KeyId, Tags: [{ TagKey: 'a', TagValue: '1' }, { TagKey: 'a', TagValue: '2' }] })),
      'TagException',
    );
    const many = Array.from({ length: 51 }, (_, i) => ({ TagKey: `k${i}`, TagValue: 'v' }));
    await expectKmsError(client.send(new TagResourceCommand({ KeyId: key.KeyId, Tags: many })), 'TagException');
    await expectKmsError(client.send(new TagResourceCommand({ KeyId: key.KeyId, Tags: [{ TagKey: 'k'.repeat(129), TagValue: 'v' }] })), 'ValidationException');
    await expectKmsError(client.send(new TagResourceCommand({ KeyId: key.KeyId, Tags: [{ TagKey: 'k', TagValue: 'v'.repeat(257) }] })), 'ValidationException');
    expect((await client.send(new ListResourceTagsCommand({ KeyId: key.KeyId }))).Tags).toEqual([]);
  });
});

describe('multi-Region keys', () => {
  it('creates mrk- keys, replicates them in-process into another region, and each region decrypts the other\'s ciphertext', async () => {
    const west = await startLocalKms({ region: 'us-west-2' });
    const westClient = new KMSClient({ endpoint: west.endpoint, region: 'us-west-2', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    try {
      const key = await createKey({ MultiRegion: true });
      expect(key.KeyId).toMatch(/^mrk-[0-9a-f]{32}$/);
      expect(key).toMatchObject({
        MultiRegion: true,
        MultiRegionConfiguration: { MultiRegionKeyType: 'PRIMARY', PrimaryKey: { Arn: key.Arn, Region: 'us-east-1' } },
      });
      const westArn = key.Arn.replace(':us-east-1:', ':us-west-2:');
      await expectKmsError(westClient.send(new DescribeKeyCommand({ KeyId: westArn })), 'NotFoundException');
      const replica = kms.replicateKey(key.KeyId, west);
      expect(replica).toMatchObject({ keyId: key.KeyId, arn: westArn });
      const { KeyMetadata } = await westClient.send(new DescribeKeyCommand({ KeyId: westArn }));
      expect(KeyMetadata).toMatchObject({ MultiRegion: true, MultiRegionConfiguration: { MultiRegionKeyType: 'REPLICA', PrimaryKey: { Arn: key.Arn } } });

      const blob = await encrypt(key.Arn, 'across regions', { a: 'b' });
      const decrypted = await westClient.send(new DecryptCommand({ CiphertextBlob: blob, KeyId: westArn, EncryptionContext: { a: 'b' } }));
      expect(text(decrypted.Plaintext)).toBe('across regions');
      expect(decrypted.KeyId).toBe(westArn);
      const back = await westClient.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: utf8('and back') }));
      const again = await client.send(new DecryptCommand({ CiphertextBlob: back.CiphertextBlob }));
      expect([text(again.Plaintext), again.KeyId]).toEqual(['and back', key.Arn]);

      // Only multi-Region keys replicate, once, into another region of the same account.
      const single = await createKey();
      expect(() => kms.replicateKey(single.KeyId, west)).toThrow(/not a multi-Region key/);
      expect(() => kms.replicateKey(key.KeyId, west)).toThrow(/already exists/);
      expect(() => kms.replicateKey(key.KeyId, kms)).toThrow(/must differ/);
    } finally {
      westClient.destroy();
      await west.stop();
    }
  });

  it('keeps mrk keys across restarts of a persistent local KMS', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ddbec-kms-mrk-'));
    try {
      const first = await startLocalKms({ dataDir });
      const firstClient = new KMSClient({ endpoint: first.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
      const { KeyMetadata } = await firstClient.send(new CreateKeyCommand({ MultiRegion: true }));
      const { CiphertextBlob } = await firstClient.send(new EncryptCommand({ KeyId: KeyMetadata?.KeyId, Plaintext: utf8('kept') }));
      firstClient.destroy();
      await first.stop();
      const second = await startLocalKms({ dataDir });
      const secondClient = new KMSClient({ endpoint: second.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
      const { Plaintext, KeyId } = await secondClient.send(new DecryptCommand({ CiphertextBlob }));
      expect([text(Plaintext), KeyId]).toEqual(['kept', KeyMetadata?.Arn]);
      secondClient.destroy();
      await second.stop();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
