import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { KMSClient } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalDynamoDB, startLocalKms, type LocalKms, type LocalService } from '../../../local/src/index.js';
import { DbesdkItemEncryptor } from '../../src/dbesdk/item-encryptor.js';
import type { Item } from '../../src/format/index.js';
import { DBE_ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384_SYMSIG_HMAC_SHA384 as SUITE_SIG } from '../../src/keyrings/algorithm-suites.js';
import { DynamoDbBranchKeyStore } from '../../src/keyrings/branch-key-store/index.js';
import { createDynamoDbEncryptionBranchKeyIdSupplier } from '../../src/keyrings/hierarchical/branch-key-id-supplier.js';
import { HierarchicalKeyring } from '../../src/keyrings/hierarchical/hierarchical-keyring.js';
import type { BranchKeyStore, EncryptedDataKey } from '../../src/keyrings/types.js';
import { codeOf, decryptionMaterials, encryptionMaterials, expectRoundTrip } from './materials.js';
import { ddbClientFor, kmsClientFor, newKmsKey } from './support.js';

let db: LocalService;
let kms: LocalKms;
let ddb: DynamoDBClient;
let kmsClient: KMSClient;
let store: DynamoDbBranchKeyStore;

beforeAll(async () => {
  [db, kms] = await Promise.all([startLocalDynamoDB(), startLocalKms()]);
  ddb = ddbClientFor(db.endpoint);
  kmsClient = kmsClientFor(kms.endpoint);
  const kmsKeyArn = await newKmsKey(kmsClient);
  store = new DynamoDbBranchKeyStore({ ddbClient: ddb, kmsClient, tableName: 'branch-keys', logicalKeyStoreName: 'branch-keys', kmsConfiguration: { kmsKeyArn } });
  await store.createKeyStore();
});
afterAll(async () => {
  ddb.destroy();
  kmsClient.destroy();
  await Promise.all([db.stop(), kms.stop()]);
});

/** A store that counts its reads. */
function counting(inner: BranchKeyStore) {
  const counts = { active: 0, version: 0 };
  const wrapped: BranchKeyStore = {
    getActiveBranchKey: (id) => {
      counts.active++;
      return inner.getActiveBranchKey(id);
    },
    getBranchKeyVersion: (id, version) => {
      counts.version++;
      return inner.getBranchKeyVersion(id, version);
    },
    getBeaconKey: (id) => inner.getBeaconKey(id),
  };
  return { store: wrapped, counts };
}

describe('HierarchicalKeyring over the DynamoDB + KMS branch key store', () => {
  it('round-trips with the real store, and decrypts an older version after versionKey', async () => {
    const { branchKeyIdentifier: branchKeyId } = await store.createKey();
    const keyring = new HierarchicalKeyring({ keyStore: store, branchKeyId, ttlSeconds: 600 });
    const [old] = await expectRoundTrip(keyring, keyring, SUITE_SIG);
    await store.versionKey(branchKeyId);
    const fresh = new HierarchicalKeyring({ keyStore: store, branchKeyId, ttlSeconds: 600 });
    const [edk] = (await fresh.onEncrypt(encryptionMaterials())).encryptedDataKeys;
    const versionOf = (e: EncryptedDataKey | undefined) => Buffer.from(e?.ciphertext.subarray(48 + 28, 48 + 44) ?? []).toString('hex');
    expect(versionOf(edk)).not.toBe(versionOf(old));
    expect((await fresh.onDecrypt(decryptionMaterials(SUITE_SIG), old ? [old] : [])).plaintextDataKey).toHaveLength(32);
  });

  it('caches branch keys for ttlSeconds and reads the new active version after it', async () => {
    const { branchKeyIdentifier: branchKeyId } = await store.createKey();
    const { store: countingStore, counts } = counting(store);
    let now = 1_000_000;
    const keyring = new HierarchicalKeyring({ keyStore: countingStore, branchKeyId, ttlSeconds: 60, clock: () => now });
    const first = await keyring.onEncrypt(encryptionMaterials());
    await keyring.onEncrypt(encryptionMaterials());
    expect(counts).toEqual({ active: 1, version: 0 });
    for (let i = 0; i < 3; i++) await keyring.onDecrypt(decryptionMaterials(), first.encryptedDataKeys);
    expect(counts).toEqual({ active: 1, version: 1 });

    await store.versionKey(branchKeyId);
    now += 60_000; // exactly the TTL: still fresh
    const stale = (await keyring.onEncrypt(encryptionMaterials())).encryptedDataKeys[0];
    expect(stale?.ciphertext.subarray(76, 92)).toEqual(first.encryptedDataKeys[0]?.ciphertext.subarray(76, 92));
    now += 1;
    const renewed = (await keyring.onEncrypt(encryptionMaterials())).encryptedDataKeys[0];
    expect(renewed?.ciphertext.subarray(76, 92)).not.toEqual(first.encryptedDataKeys[0]?.ciphertext.subarray(76, 92));
    expect(counts).toEqual({ active: 2, version: 1 });
  });

  it('loads a missing branch key once for any number of concurrent callers, and retries after a failure', async () => {
    const { branchKeyIdentifier: branchKeyId } = await store.createKey();
    const { store: countingStore, counts } = counting(store);
    const keyring = new HierarchicalKeyring({ keyStore: countingStore, branchKeyId, ttlSeconds: 60 });
    // All 20 ask the cache before the store's first answer (network I/O) can arrive.
    expect(await Promise.all(Array.from({ length: 20 }, () => keyring.onEncrypt(encryptionMaterials())))).toHaveLength(20);
    expect(counts.active).toBe(1);

    const failing = counting(store);
    const unlucky = new HierarchicalKeyring({ keyStore: failing.store, branchKeyId: 'missing', ttlSeconds: 60 });
    const failures = await Promise.all(Array.from({ length: 5 }, () => codeOf(unlucky.onEncrypt(encryptionMaterials()))));
    expect(new Set(failures)).toEqual(new Set(['ERR_BRANCH_KEY_NOT_FOUND']));
    expect(failing.counts.active).toBe(1);
    await codeOf(unlucky.onEncrypt(encryptionMaterials()));
    expect(failing.counts.active).toBe(2);
  });

  it('keeps at most maxCacheEntries branch keys, dropping the least recently used', async () => {
    const ids = await Promise.all([0, 1, 2].map(async () => (await store.createKey()).branchKeyIdentifier));
    const { store: countingStore, counts } = counting(store);
    const keyring = new HierarchicalKeyring({
      keyStore: countingStore,
      branchKeyIdSupplier: { getBranchKeyId: (context) => context['tenant'] ?? '' },
      ttlSeconds: 60,
      maxCacheEntries: 2,
    });
    const encryptFor = (i: number) => keyring.onEncrypt(encryptionMaterials(undefined, { tenant: ids[i] ?? '' }));
    await encryptFor(0);
    await encryptFor(1);
    await encryptFor(0); // 0 is now the most recently used
    await encryptFor(2); // drops 1
    expect(counts.active).toBe(3);
    await encryptFor(0);
    expect(counts.active).toBe(3);
    await encryptFor(1);
    expect(counts.active).toBe(4);
  });

  it('validates its cache and branch key options', () => {
    const make = (options: object) => () => new HierarchicalKeyring({ keyStore: store, ...options });
    expect(make({ branchKeyId: 'x', ttlSeconds: 0 })).toThrow(/ttlSeconds/);
    expect(make({ branchKeyId: 'x', ttlSeconds: 1, maxCacheEntries: 0 })).toThrow(/maxCacheEntries/);
    expect(make({})).toThrow(/either branchKeyId/);
    expect(make({ branchKeyId: 'x', branchKeyIdSupplier: { getBranchKeyId: () => 'x' } })).toThrow(/either branchKeyId/);
    expect(make({ branchKeyIdSupplier: {} })).toThrow(/getBranchKeyId/);
  });
});

describe('branch key id suppliers: per-tenant branch keys through DbesdkItemEncryptor', () => {
  const tenantKeys = new Map<string, string>();
  const supplier = createDynamoDbEncryptionBranchKeyIdSupplier({
    getBranchKeyIdFromDdbKey: (key: Item) => {
      const tenant = key['tenant'];
      const id = tenant !== undefined && 'S' in tenant ? tenantKeys.get(tenant.S) : undefined;
      if (id === undefined) throw new Error('unknown tenant');
      return id;
    },
  });

  beforeAll(async () => {
    for (const tenant of ['acme', 'globex']) {
      tenantKeys.set(tenant, (await store.createKey({ branchKeyIdentifier: `tenant-${tenant}`, encryptionContext: { tenant } })).branchKeyIdentifier);
    }
  });

  const encryptorWith = (keyring: HierarchicalKeyring, actions: Record<string, 'SIGN_ONLY' | 'SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT' | 'ENCRYPT_AND_SIGN'>) =>
    new DbesdkItemEncryptor({
      logicalTableName: 'orders',
      partitionKeyName: 'tenant',
      sortKeyName: 'id',
      attributeActionsOnEncrypt: { ...actions, secret: 'ENCRYPT_AND_SIGN' },
      keyring,
    });

  it.each([
    ['version 1 items (key values serialized)', { tenant: 'SIGN_ONLY', id: 'SIGN_ONLY' }],
    ['version 2 items (legend)', { tenant: 'SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT', id: 'SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT' }],
  ] as const)('each tenant gets its own branch key: %s', async (_name, actions) => {
    const keyring = new HierarchicalKeyring({ keyStore: store, branchKeyIdSupplier: supplier, ttlSeconds: 60 });
    const encryptor = encryptorWith(keyring, actions);
    const items: Item[] = [
      { tenant: { S: 'acme' }, id: { N: '1' }, secret: { S: 'acme secret' } },
      { tenant: { S: 'globex' }, id: { N: '2' }, secret: { S: 'globex secret' } },
    ];
    for (const item of items) {
      const stored = await encryptor.encryptItem(item);
      expect(await encryptor.decryptItem(stored)).toEqual(item);
    }
    // One tenant's key cannot read another tenant's item, even when the item is moved.
    const acme = await encryptor.encryptItem(items[0] as Item);
    const fixed = encryptorWith(new HierarchicalKeyring({ keyStore: store, branchKeyId: 'tenant-globex', ttlSeconds: 60 }), actions);
    expect(await codeOf(fixed.decryptItem(acme))).not.toBe('resolved');
    expect(await codeOf(encryptor.encryptItem({ tenant: { S: 'initech' }, id: { N: '3' }, secret: { S: 'x' } }))).not.toBe('resolved');
  });

  it('reads the key from the encryption context as the spec says, and refuses one without it', async () => {
    const key = { tenant: { S: 'acme' }, id: { N: '7' } };
    const seen: Item[] = [];
    const recording = createDynamoDbEncryptionBranchKeyIdSupplier({
      getBranchKeyIdFromDdbKey: (k) => {
        seen.push(k);
        return 'tenant-acme';
      },
    });
    const keyring = new HierarchicalKeyring({ keyStore: store, branchKeyIdSupplier: recording, ttlSeconds: 60 });
    const context = { tenant: 'SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT', id: 'SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT' } as const;
    const extra: Item = { flag: { BOOL: true }, none: { NULL: true }, blob: { B: new Uint8Array([1, 2]) }, list: { L: [{ S: 'x' }] } };
    const extraActions = { flag: 'SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT', none: 'SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT', blob: 'SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT', list: 'SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT' } as const;
    await encryptorWith(keyring, { ...context, ...extraActions }).encryptItem({ ...key, ...extra });
    await encryptorWith(keyring, { tenant: 'SIGN_ONLY', id: 'SIGN_ONLY' }).encryptItem({ ...key, secret: { B: new Uint8Array([1, 2]) } });
    expect(seen).toEqual([{ ...key, ...extra }, key]);
    expect(await codeOf(Promise.resolve().then(() => recording.getBranchKeyId({ 'aws-crypto-table-name': 't' })))).toBe('ERR_INVALID_ARGUMENT');
    expect(await codeOf(Promise.resolve().then(() => recording.getBranchKeyId({ 'aws-crypto-partition-name': 'pk' })))).toBe('ERR_INVALID_ARGUMENT');
    expect(() => createDynamoDbEncryptionBranchKeyIdSupplier({} as never)).toThrow(/getBranchKeyIdFromDdbKey/);
  });
});
