// The proof of searchable encryption: 10,000 items with random emails, tenants and
// dates written in batches through the encrypting client into the local DynamoDB with real
// GSIs over the beacons; random queries by email (standard beacon), by tenant and month prefix
// (begins_with on a compound beacon) and by tenant and date range (BETWEEN on the compound
// beacon's signed date part) return exactly the items a plaintext filter over the decrypted
// table returns — through the low-level client and the DocumentClient, with the paginators.
// It also measures, per query, how many items DynamoDB read (the beacon's matches) against how
// many were returned, for three email beacon lengths, and prints the figures.
import { BatchWriteItemCommand, CreateTableCommand, GetItemCommand, paginateQuery, paginateScan, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, paginateQuery as paginateDocumentQuery } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalDynamoDB, type LocalDynamoDB } from '../../../local/src/index.js';
import type { Item } from '../../src/index.js';
import { HierarchicalKeyring } from '../../src/keyrings/hierarchical/hierarchical-keyring.js';
import { StaticBranchKeyStore } from '../../src/keyrings/hierarchical/static-branch-key-store.js';
import { beaconIndex, beaconLengthFigures, type SearchConfig } from '../../src/searchable/index.js';
import { EncryptedDynamoDBClient, type DbesdkTableEncryptionConfig } from '../../src/sdk/index.js';
import { plainClient } from './helpers.js';

const TABLE = 'people';
const ITEMS = 10_000;
const EMAILS = 2_000;
const TENANTS = 40;
/** The email beacon lengths measured: the bottom and the top of the advised range for 2,000 values (6 to 9 bits), and far above it. */
const EMAIL_LENGTHS = [6, 9, 14] as const;
/** The email beacon length of the proof's table. */
const MAIN_LENGTH = 9;

/** A deterministic generator (mulberry32), so that the table is the same on every run. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const next = random(14);
const pick = (count: number): number => Math.floor(next() * count);
const emails = Array.from({ length: EMAILS }, (_, i) => `user${i}.${pick(1e6).toString(36)}@example${pick(5)}.com`);
const tenants = Array.from({ length: TENANTS }, (_, i) => `t${String(i).padStart(2, '0')}`);
const dateOf = (day: number): string => new Date(Date.UTC(2024, 0, 1 + day)).toISOString().slice(0, 10);
const people: Item[] = Array.from({ length: ITEMS }, (_, i) => ({
  id: { S: `p${String(i).padStart(5, '0')}` },
  email: { S: emails[pick(EMAILS)] as string },
  tenant: { S: tenants[pick(TENANTS)] as string },
  date: { S: dateOf(pick(366)) },
  name: { S: `Person ${i}` },
}));

const keyStore = new StaticBranchKeyStore([
  { branchKeyIdentifier: 'people-key', branchKeyVersion: '5f4c1e1a-0b64-4a43-9a9c-6a3a3c0b1e01', branchKey: new Uint8Array(32).fill(7), beaconKey: new Uint8Array(32).fill(9) },
]);

const keyring = new HierarchicalKeyring({ keyStore, branchKeyId: 'people-key', ttlSeconds: 600 });

/**
 * The proof's table: an email beacon, a tenant beacon, and the compound beacon `TenantDate`
 * (`T-<tenant beacon>.D-<date>`) over them. Two beacons may not hash the same attribute, so the
 * other email lengths get tables of their own (the same items, only an email beacon).
 */
function tableConfig(name: string, emailLength: number, withTenants: boolean) {
  const search: SearchConfig = {
    writeVersion: 1,
    versions: [
      {
        version: 1,
        keyStore,
        keySource: { single: { keyId: 'people-key', cacheTTL: 600 } },
        standardBeacons: [{ name: 'email', length: emailLength }, ...(withTenants ? [{ name: 'tenant', length: 4 }] : [])],
        compoundBeacons: withTenants
          ? [
              {
                name: 'TenantDate',
                split: '.',
                encrypted: [{ name: 'tenant', prefix: 'T-' }],
                signed: [{ name: 'date', prefix: 'D-' }],
                constructors: [{ parts: [{ name: 'tenant', required: true }, { name: 'date', required: true }] }],
              },
            ]
          : [],
      },
    ],
  };
  return {
    logicalTableName: name,
    partitionKeyName: 'id',
    attributeActionsOnEncrypt: { id: 'SIGN_ONLY', email: 'ENCRYPT_AND_SIGN', tenant: 'ENCRYPT_AND_SIGN', date: 'SIGN_ONLY', name: 'ENCRYPT_AND_SIGN' },
    algorithmSuiteId: 0x6700,
    keyring,
    search,
  } as const satisfies DbesdkTableEncryptionConfig;
}

/** Table name → its configuration and indexes (from `beaconIndex`). */
const TABLES = Object.fromEntries(
  EMAIL_LENGTHS.map((length) => {
    const name = length === MAIN_LENGTH ? TABLE : `${TABLE}-email${length}`;
    const config = tableConfig(name, length, length === MAIN_LENGTH);
    const indexes = [beaconIndex(config, 'email'), ...(length === MAIN_LENGTH ? [beaconIndex(config, 'tenant', { indexName: 'tenant-date', sortKey: 'TenantDate' })] : [])];
    return [name, { config, indexes }];
  }),
);

let db: LocalDynamoDB;
let plain: DynamoDBClient;
let client: EncryptedDynamoDBClient;
let documents: DynamoDBDocumentClient;
/** The table as the encrypting client reads it back (Scan), by id. */
let decrypted: Item[];

beforeAll(async () => {
  db = await startLocalDynamoDB();
  plain = plainClient(db.endpoint);
  client = EncryptedDynamoDBClient.from(plain, { tables: Object.fromEntries(Object.entries(TABLES).map(([name, { config }]) => [name, config])) });
  documents = DynamoDBDocumentClient.from(client);
  await Promise.all(
    Object.entries(TABLES).map(async ([name, { indexes }]) => {
      const definitions = new Map(indexes.flatMap((index) => index.AttributeDefinitions).map((definition) => [definition.AttributeName, definition]));
      await plain.send(
        new CreateTableCommand({
          TableName: name,
          AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }, ...definitions.values()],
          KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
          GlobalSecondaryIndexes: indexes.map((index) => index.GlobalSecondaryIndex),
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
      const batches: Item[][] = [];
      for (let i = 0; i < people.length; i += 25) batches.push(people.slice(i, i + 25));
      await Promise.all(
        Array.from({ length: 4 }, async () => {
          for (let batch = batches.shift(); batch !== undefined; batch = batches.shift()) {
            const { UnprocessedItems } = await client.send(new BatchWriteItemCommand({ RequestItems: { [name]: batch.map((Item) => ({ PutRequest: { Item } })) } }));
            expect(UnprocessedItems ?? {}).toEqual({});
          }
        }),
      );
    }),
  );
  decrypted = [];
  for await (const page of paginateScan({ client }, { TableName: TABLE })) decrypted.push(...(page.Items ?? []));
}, 120_000);

afterAll(async () => {
  plain?.destroy();
  await db?.stop();
});

const ids = (items: readonly Item[]): string[] => items.map((item) => (item['id'] as { S: string }).S).sort();
const text = (item: Item, name: string): string => (item[name] as { S: string }).S;

/** A query, what a plaintext filter of the decrypted table keeps, and the request for each client. */
interface Case {
  readonly what: string;
  readonly expected: (item: Item) => boolean;
  readonly index: string;
  readonly keyCondition: string;
  /** Expression attribute values as plain strings (the DocumentClient's form). */
  readonly values: Readonly<Record<string, string>>;
}

const emailCase = (email: string): Case => ({
  what: `email = ${email}`,
  expected: (item) => text(item, 'email') === email,
  index: 'email-index',
  keyCondition: 'email = :e',
  values: { ':e': email },
});

const monthCase = (tenant: string, month: number): Case => {
  const prefix = `T-${tenant}.D-2024-${String(month).padStart(2, '0')}`;
  return {
    what: `tenant = ${tenant} AND begins_with(TenantDate, ${prefix})`,
    expected: (item) => text(item, 'tenant') === tenant && text(item, 'date').startsWith(prefix.slice(prefix.indexOf('.D-') + 3)),
    index: 'tenant-date',
    keyCondition: 'tenant = :t AND begins_with(TenantDate, :p)',
    values: { ':t': tenant, ':p': prefix },
  };
};

const rangeCase = (tenant: string, from: number, days: number): Case => {
  const [low, high] = [dateOf(from), dateOf(from + days)];
  return {
    what: `tenant = ${tenant} AND TenantDate BETWEEN ${low} AND ${high}`,
    expected: (item) => text(item, 'tenant') === tenant && text(item, 'date') >= low && text(item, 'date') <= high,
    index: 'tenant-date',
    keyCondition: 'tenant = :t AND TenantDate BETWEEN :low AND :high',
    values: { ':t': tenant, ':low': `T-${tenant}.D-${low}`, ':high': `T-${tenant}.D-${high}` },
  };
};

const caseArbitrary: fc.Arbitrary<Case> = fc.oneof(
  // mostly emails of the table, sometimes one that no item has
  fc.oneof(fc.constantFrom(...emails).map((email) => emailCase(email)), fc.emailAddress().map((email) => emailCase(email))),
  fc.tuple(fc.constantFrom(...tenants, 't99'), fc.integer({ min: 1, max: 12 })).map(([tenant, month]) => monthCase(tenant, month)),
  fc.tuple(fc.constantFrom(...tenants), fc.integer({ min: 0, max: 365 }), fc.integer({ min: 0, max: 120 })).map(([tenant, from, days]) => rangeCase(tenant, from, days)),
);

/** Every page of a query through the low-level client: the items returned and how many DynamoDB read. */
async function lowLevel(query: Case, table = TABLE): Promise<{ items: Item[]; read: number }> {
  const items: Item[] = [];
  let read = 0;
  const values = Object.fromEntries(Object.entries(query.values).map(([name, value]) => [name, { S: value }]));
  for await (const page of paginateQuery({ client, pageSize: 50 }, { TableName: table, IndexName: query.index, KeyConditionExpression: query.keyCondition, ExpressionAttributeValues: values })) {
    expect(page.Count).toBe(page.Items?.length);
    items.push(...(page.Items ?? []));
    read += page.ScannedCount ?? 0;
  }
  return { items, read };
}

async function document(query: Case): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  for await (const page of paginateDocumentQuery({ client: documents, pageSize: 50 }, { TableName: TABLE, IndexName: query.index, KeyConditionExpression: query.keyCondition, ExpressionAttributeValues: query.values })) {
    items.push(...(page.Items ?? []));
  }
  return items;
}

describe('searchable encryption on 10,000 items', () => {
  it('stores the beacons beside each item and reads back every item written without them', async () => {
    const { Item: stored } = await plain.send(new GetItemCommand({ TableName: TABLE, Key: { id: { S: 'p00042' } } }));
    expect(Object.keys(stored ?? {}).filter((name) => name.startsWith('aws_dbe_')).sort()).toEqual(['aws_dbe_b_TenantDate', 'aws_dbe_b_email', 'aws_dbe_b_tenant', 'aws_dbe_foot', 'aws_dbe_head', 'aws_dbe_v_1']);
    expect(ids(decrypted)).toEqual(ids(people));
    expect(decrypted.find((item) => text(item, 'id') === 'p00042')).toEqual(people[42]);
    expect(decrypted.every((item) => Object.keys(item).every((name) => !name.startsWith('aws_dbe_')))).toBe(true);
  });

  it('returns exactly what a plaintext filter returns, through both clients and the paginators', async () => {
    await fc.assert(
      fc.asyncProperty(caseArbitrary, async (query) => {
        const want = ids(decrypted.filter(query.expected));
        const got = await lowLevel(query);
        expect(ids(got.items), query.what).toEqual(want);
        expect(got.read, query.what).toBeGreaterThanOrEqual(want.length);
        const viaDocuments = await document(query);
        expect(viaDocuments.map((item) => item['id'] as string).sort(), query.what).toEqual(want);
        expect(viaDocuments.every((item) => Object.keys(item).every((name) => !name.startsWith('aws_dbe_')))).toBe(true);
      }),
      { seed: 1414, numRuns: 100 },
    );
  }, 60_000);

  it('reads the false positives beaconLength predicts, for three email beacon lengths', async () => {
    const sample = Array.from({ length: 60 }, (_, i) => emails[(i * 37) % EMAILS] as string);
    const rows: string[] = [];
    for (const length of EMAIL_LENGTHS) {
      let read = 0;
      let returned = 0;
      for (const email of sample) {
        const result = await lowLevel(emailCase(email), length === MAIN_LENGTH ? TABLE : `${TABLE}-email${length}`);
        read += result.read;
        returned += result.items.length;
      }
      const predicted = beaconLengthFigures(EMAILS, length).itemsReadPerMatch;
      const measured = read / returned;
      rows.push(`email beacon ${String(length).padStart(2)} bits: ${sample.length} queries read ${read} items, returned ${returned} (${measured.toFixed(2)} read per returned, predicted ${predicted.toFixed(2)}; false positives ${(100 * (1 - returned / read)).toFixed(1)} %)`);
      expect(measured).toBeGreaterThan(predicted / 2);
      expect(measured).toBeLessThan(predicted * 2);
    }
    let read = 0;
    let returned = 0;
    for (const tenant of tenants) {
      const result = await lowLevel(monthCase(tenant, 3));
      read += result.read;
      returned += result.items.length;
    }
    rows.push(`tenant beacon  4 bits: ${tenants.length} month queries read ${read} items, returned ${returned} (${(read / returned).toFixed(2)} read per returned, predicted ${beaconLengthFigures(TENANTS, 4).itemsReadPerMatch.toFixed(2)})`);
    console.log(`beacon figures (${ITEMS} items, ${EMAILS} distinct emails, ${TENANTS} tenants):\n  ${rows.join('\n  ')}`);
  }, 60_000);
});
