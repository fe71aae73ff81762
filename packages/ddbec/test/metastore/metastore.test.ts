import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalDynamoDB, type LocalService } from '../../../local/src/index.js';
import {
  AttributeActions,
  isDdbecError,
  ItemEncryptor,
  MATERIAL_DESCRIPTION_ATTRIBUTE,
  SecretKey,
  SIGNATURE_ATTRIBUTE,
  StaticMaterialsProvider,
  type Item,
} from '../../src/index.js';
import { decodeMaterialDescription } from '../../src/format/index.js';
import { MetaStore, metaStoreRowConfig, MostRecentProvider } from '../../src/metastore/index.js';
import { countingClient, hookCommand } from './support.js';

const inner = new StaticMaterialsProvider({ encryptionKey: SecretKey.generate('AES', 256), signingKey: SecretKey.generate('HmacSHA256', 256) });
const config = {
  encryptionContext: { tableName: 'data', partitionKeyName: 'pk' },
  attributeActions: new AttributeActions({ attributeActions: { pk: 'SIGN_ONLY' } }),
};
const item = (n: number): Item => ({ pk: { S: `item-${n}` }, secret: { S: `secret ${n}` } });
const metaIdOf = (stored: Item): string | undefined =>
  decodeMaterialDescription((stored[MATERIAL_DESCRIPTION_ATTRIBUTE] as { B: Uint8Array }).B).get('amzn-ddb-meta-id');

let db: LocalService;
let table = 0;
beforeAll(async () => {
  db = await startLocalDynamoDB();
});
afterAll(async () => {
  await db.stop();
});

async function freshStore() {
  const { client, counts } = countingClient(db.endpoint);
  const tableName = `metastore-${++table}`;
  await MetaStore.createTable(client, tableName, { pollMs: 10 });
  counts.clear();
  return { client, counts, tableName, store: new MetaStore({ client, tableName, materialsProvider: inner }) };
}

describe('MetaStore in DynamoDB', () => {
  it('creates version 0 on first use, with rows in the Java/Python layout', async () => {
    const { client, tableName, store } = await freshStore();
    const provider = new MostRecentProvider({ store, materialName: 'orders', ttlMs: 60_000 });
    const encryptor = new ItemEncryptor({ materialsProvider: provider });
    const stored = await encryptor.encryptItem(item(1), config);
    expect(metaIdOf(stored)).toBe('orders#0');
    expect(await encryptor.decryptItem(stored, config)).toEqual(item(1));

    const { Item: row } = await client.send(new GetItemCommand({ TableName: tableName, Key: { N: { S: 'orders' }, V: { N: '0' } } }));
    // The Java/Python row plus ddbec's encrypted createdAt (readers decrypt every attribute but N and V).
    expect(Object.keys(row ?? {}).sort()).toEqual(['N', 'V', 'enc', 'encAlg', 'int', 'intAlg', 't', 'createdAt', SIGNATURE_ATTRIBUTE, MATERIAL_DESCRIPTION_ATTRIBUTE].sort());
    for (const name of ['t', 'enc', 'encAlg', 'int', 'intAlg', 'createdAt']) expect(row?.[name]).toHaveProperty('B');
    const plain = await new ItemEncryptor({ materialsProvider: inner }).decryptItem(row as Item, metaStoreRowConfig(tableName));
    expect(plain).toMatchObject({ N: { S: 'orders' }, V: { N: '0' }, t: { S: '0' }, encAlg: { S: 'AES' }, intAlg: { S: 'HmacSHA256' } });
    expect((plain['enc'] as { B: Uint8Array }).B).toHaveLength(32);
    expect(await store.versions('orders')).toEqual([0]);
  });

  it('rotates: new items carry the new version after the TTL, old items still decrypt', async () => {
    const { store } = await freshStore();
    let now = 1_000_000;
    const writer = new MostRecentProvider({ store, materialName: 'm', ttlMs: 1_000, clock: () => now });
    const other = new MostRecentProvider({ store, materialName: 'm', ttlMs: 1_000, clock: () => now });
    const encryptor = new ItemEncryptor({ materialsProvider: writer });
    const otherEncryptor = new ItemEncryptor({ materialsProvider: other });
    const before = await encryptor.encryptItem(item(1), config);
    expect(metaIdOf(await otherEncryptor.encryptItem(item(2), config))).toBe('m#0');
    expect(await writer.rotate()).toBe(1);
    expect(metaIdOf(await encryptor.encryptItem(item(3), config))).toBe('m#1');
    expect(metaIdOf(await otherEncryptor.encryptItem(item(4), config))).toBe('m#0'); // still within its TTL
    now += 1_000 + 500; // past TTL and grace
    const after = await otherEncryptor.encryptItem(item(5), config);
    expect(metaIdOf(after)).toBe('m#1');
    expect(await otherEncryptor.decryptItem(before, config)).toEqual(item(1));
    expect(await encryptor.decryptItem(after, config)).toEqual(item(5));
    expect(await store.versions('m')).toEqual([0, 1]);
  });

  it('two concurrent creators of the same version end with one row, and both use it', async () => {
    const { tableName } = await freshStore();
    const a = countingClient(db.endpoint).client;
    const b = countingClient(db.endpoint).client;
    let bQueried!: () => void;
    let aPut!: () => void;
    const bQueriedP = new Promise<void>((resolve) => (bQueried = resolve));
    const aPutP = new Promise<void>((resolve) => (aPut = resolve));
    // Force the race: B looks (finds nothing) before A writes; B writes after A wrote.
    hookCommand(a, 'PutItemCommand', { before: () => bQueriedP, after: () => { aPut(); } });
    hookCommand(b, 'QueryCommand', { after: () => { bQueried(); } });
    hookCommand(b, 'PutItemCommand', { before: () => aPutP });
    const storeA = new MetaStore({ client: a, tableName, materialsProvider: inner });
    const storeB = new MetaStore({ client: b, tableName, materialsProvider: inner });
    const [fromA, fromB] = await Promise.all([storeA.newProvider('race'), storeB.newProvider('race')]);
    expect([fromA.version, fromB.version]).toEqual([0, 0]);
    expect(await storeA.versions('race')).toEqual([0]);
    const storedByB = await new ItemEncryptor({ materialsProvider: fromB.provider }).encryptItem(item(1), config);
    expect(await new ItemEncryptor({ materialsProvider: fromA.provider }).decryptItem(storedByB, config)).toEqual(item(1));
  });

  it('refuses unknown versions and malformed meta ids clearly', async () => {
    const { store } = await freshStore();
    const provider = new MostRecentProvider({ store, materialName: 'x', ttlMs: 60_000 });
    const encryptor = new ItemEncryptor({ materialsProvider: provider });
    const stored = await encryptor.encryptItem(item(1), config);
    const other = new ItemEncryptor({ materialsProvider: new MostRecentProvider({ store, materialName: 'never-created', ttlMs: 60_000 }) });
    // The item names x#0; the reader looks up (never-created, 0), which does not exist.
    const error = await other.decryptItem(stored, config).catch((e: unknown) => e);
    expect(isDdbecError(error, 'ERR_MATERIALS_UNAVAILABLE')).toBe(true);
    expect(String(error)).toContain('never-created#0');
  });
});

describe('MostRecentProvider over a MetaStore', () => {
  it('200 concurrent encrypts on a cold cache cause exactly one MetaStore read', async () => {
    const { counts, store } = await freshStore();
    await store.newProvider('hot'); // version 0 exists
    counts.clear();
    const provider = new MostRecentProvider({ store, materialName: 'hot', ttlMs: 60_000 });
    const encryptor = new ItemEncryptor({ materialsProvider: provider });
    const stored = await Promise.all(Array.from({ length: 200 }, (_, i) => encryptor.encryptItem(item(i), config)));
    expect(Object.fromEntries(counts)).toEqual({ QueryCommand: 1 });
    expect(new Set(stored.map(metaIdOf))).toEqual(new Set(['hot#0']));
    counts.clear();
    await Promise.all(stored.map((s) => encryptor.decryptItem(s, config)));
    expect(counts.size).toBe(0); // the version's provider is cached
  });

  it('on an empty store, concurrent first encrypts create version 0 exactly once', async () => {
    const { counts, store } = await freshStore();
    const encryptor = new ItemEncryptor({ materialsProvider: new MostRecentProvider({ store, materialName: 'new', ttlMs: 60_000 }) });
    await Promise.all(Array.from({ length: 50 }, (_, i) => encryptor.encryptItem(item(i), config)));
    expect(Object.fromEntries(counts)).toEqual({ QueryCommand: 1, PutItemCommand: 1 });
  });

  it('rotates by age when a rotation policy is set, once across concurrent providers', async () => {
    const { store } = await freshStore();
    let now = Date.now();
    const make = () => new ItemEncryptor({ materialsProvider: new MostRecentProvider({ store, materialName: 'aged', ttlMs: 1_000, rotateAfterMs: 60_000, clock: () => now }) });
    const [a, b] = [make(), make()];
    expect(metaIdOf(await a.encryptItem(item(1), config))).toBe('aged#0');
    now += 30_000;
    expect(metaIdOf(await b.encryptItem(item(2), config))).toBe('aged#0');
    now += 31_000; // version 0 is now 61 s old
    const [fromA, fromB] = await Promise.all([a.encryptItem(item(3), config), b.encryptItem(item(4), config)]);
    expect([metaIdOf(fromA), metaIdOf(fromB)]).toEqual(['aged#1', 'aged#1']);
    expect(await store.versions('aged')).toEqual([0, 1]);
    expect(await b.decryptItem(fromA, config)).toEqual(item(3));
  });

  it('a cold reader loads each version once, however many items name it', async () => {
    const { counts, store } = await freshStore();
    const writer = new ItemEncryptor({ materialsProvider: new MostRecentProvider({ store, materialName: 'r', ttlMs: 0 }) });
    const stored = await Promise.all(Array.from({ length: 20 }, (_, i) => writer.encryptItem(item(i), config)));
    counts.clear();
    const reader = new ItemEncryptor({ materialsProvider: new MostRecentProvider({ store, materialName: 'r', ttlMs: 60_000 }) });
    await Promise.all(stored.map((s) => reader.decryptItem(s, config)));
    expect(Object.fromEntries(counts)).toEqual({ GetItemCommand: 1 });
  });
});
