// One client, two formats: DB-ESDK tables through the encrypting client against the local
// DynamoDB. Legacy, DB-ESDK and plaintext items live in one table; each migration policy reads
// or refuses each of them exactly as the specification's table encryption config says, writes
// in the format it says, and the SDK-integration rules hold for the new format.
import {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  CreateTableCommand,
  DynamoDBClient,
  ExecuteStatementCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  TransactGetItemsCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalDynamoDB } from '../../../local/src/index.js';
import { AttributeActions, CryptoAction, isDdbecError, MATERIAL_DESCRIPTION_ATTRIBUTE, SIGNATURE_ATTRIBUTE, type DdbecErrorCode, type Item } from '../../src/index.js';
import { RawAesKeyring } from '../../src/keyrings/raw-aes.js';
import {
  decryptionFailures,
  EncryptedDynamoDBClient,
  LegacyPolicy,
  PlaintextPolicy,
  readModifyWrite,
  type DbesdkTableEncryptionConfig,
  type EncryptionConfig,
  type TableKeySchema,
} from '../../src/sdk/index.js';
import { plainClient, staticProvider } from './helpers.js';

const TABLE = 'mixed';
const KEY_SCHEMA: TableKeySchema = {
  partitionKey: 'pk',
  indexes: [
    { indexName: 'byRegion', partitionKey: 'region', projection: 'ALL' },
    { indexName: 'byStatus', partitionKey: 'status', projection: 'KEYS_ONLY' },
  ],
};
/** The legacy items' actions: everything encrypted but the keys (made sign-only) and `note`. */
const LEGACY_ACTIONS = new AttributeActions({ attributeActions: { note: CryptoAction.DoNothing } });
const keyring = new RawAesKeyring({ keyNamespace: 'ddbec-test', keyName: 'mixed', wrappingKey: new Uint8Array(randomBytes(32)) });

/** The DB-ESDK configuration of `mixed`, with a policy. */
function dbesdkTable(overrides: Partial<DbesdkTableEncryptionConfig> = {}): DbesdkTableEncryptionConfig {
  return {
    logicalTableName: TABLE,
    partitionKeyName: 'pk',
    attributeActionsOnEncrypt: {
      pk: 'SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT',
      name: 'ENCRYPT_AND_SIGN',
      email: 'ENCRYPT_AND_SIGN',
      plan: 'SIGN_ONLY',
      tenant: 'SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT',
      region: 'SIGN_ONLY',
      status: 'SIGN_ONLY',
      note: 'DO_NOTHING',
    },
    allowedUnsignedAttributes: ['note'],
    allowedUnsignedAttributePrefix: 'x_',
    keyring,
    keySchema: KEY_SCHEMA,
    ...overrides,
  };
}

const legacyOverride = (policy: LegacyPolicy): DbesdkTableEncryptionConfig['legacyOverride'] => ({ policy, materialsProvider: staticProvider, attributeActionsOnEncrypt: LEGACY_ACTIONS });

function item(pk: string, extra: Item = {}): Item {
  return {
    pk: { S: pk },
    name: { S: `Name ${pk}` },
    email: { S: `${pk}@example.com` },
    plan: { S: 'pro' },
    tenant: { S: 'acme' },
    region: { S: 'emea' },
    status: { S: 'active' },
    note: { S: 'free text' },
    ...extra,
  };
}

let db: LocalDynamoDB;
let plain: DynamoDBClient;
const clients: EncryptedDynamoDBClient[] = [];

function encrypted(table: DbesdkTableEncryptionConfig, extra: Partial<EncryptionConfig> = {}): EncryptedDynamoDBClient {
  const client = EncryptedDynamoDBClient.from(plain, { tables: { [TABLE]: table }, ...extra });
  clients.push(client);
  return client;
}

async function stored(pk: string): Promise<Item | undefined> {
  return (await plain.send(new GetItemCommand({ TableName: TABLE, Key: { pk: { S: pk } }, ConsistentRead: true }))).Item;
}

function formatOf(stored: Item | undefined): string {
  if (stored === undefined) return 'missing';
  if (stored['aws_dbe_head'] !== undefined && stored['aws_dbe_foot'] !== undefined) return 'dbesdk';
  if (stored[SIGNATURE_ATTRIBUTE] !== undefined && stored[MATERIAL_DESCRIPTION_ATTRIBUTE] !== undefined) return 'legacy';
  return 'plaintext';
}

async function code(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (isDdbecError(error)) return error.code;
    return (error as { name?: string }).name ?? String(error);
  }
  return 'ok';
}

beforeAll(async () => {
  const { startLocalDynamoDB } = await import('../../../local/src/index.js');
  db = await startLocalDynamoDB();
  plain = plainClient(db.endpoint);
  await plain.send(
    new CreateTableCommand({
      TableName: TABLE,
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'region', AttributeType: 'S' },
        { AttributeName: 'status', AttributeType: 'S' },
      ],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      GlobalSecondaryIndexes: [
        { IndexName: 'byRegion', KeySchema: [{ AttributeName: 'region', KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' } },
        { IndexName: 'byStatus', KeySchema: [{ AttributeName: 'status', KeyType: 'HASH' }], Projection: { ProjectionType: 'KEYS_ONLY' } },
      ],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  // One item in each format, written by the writer of that format
  const legacyWriter = EncryptedDynamoDBClient.from(plain, { tables: { [TABLE]: { materialsProvider: staticProvider, attributeActions: LEGACY_ACTIONS, keySchema: KEY_SCHEMA } } });
  await legacyWriter.send(new PutItemCommand({ TableName: TABLE, Item: item('L') }));
  await encrypted(dbesdkTable()).send(new PutItemCommand({ TableName: TABLE, Item: item('D') }));
  await plain.send(new PutItemCommand({ TableName: TABLE, Item: item('P') }));
  expect([formatOf(await stored('L')), formatOf(await stored('D')), formatOf(await stored('P'))]).toEqual(['legacy', 'dbesdk', 'plaintext']);
});
afterAll(async () => {
  plain.destroy();
  await db.stop();
});

type Read = 'decrypted' | 'as stored' | 'refused';
// policy → what it writes, and how it reads the legacy, the DB-ESDK and the plaintext item
const POLICIES: readonly [name: string, config: Partial<DbesdkTableEncryptionConfig>, write: string, legacy: Read, dbesdk: Read, plaintext: Read][] = [
  ['no override', {}, 'dbesdk', 'refused', 'decrypted', 'refused'],
  [LegacyPolicy.ForceLegacyEncryptAllowLegacyDecrypt, { legacyOverride: legacyOverride(LegacyPolicy.ForceLegacyEncryptAllowLegacyDecrypt) }, 'legacy', 'decrypted', 'decrypted', 'refused'],
  [LegacyPolicy.ForbidLegacyEncryptAllowLegacyDecrypt, { legacyOverride: legacyOverride(LegacyPolicy.ForbidLegacyEncryptAllowLegacyDecrypt) }, 'dbesdk', 'decrypted', 'decrypted', 'refused'],
  [LegacyPolicy.ForbidLegacyEncryptForbidLegacyDecrypt, { legacyOverride: legacyOverride(LegacyPolicy.ForbidLegacyEncryptForbidLegacyDecrypt) }, 'dbesdk', 'refused', 'decrypted', 'refused'],
  // the specification: a legacy item has no DB-ESDK header, so it is a plaintext item here
  [PlaintextPolicy.ForcePlaintextWriteAllowPlaintextRead, { plaintextOverride: PlaintextPolicy.ForcePlaintextWriteAllowPlaintextRead }, 'plaintext', 'as stored', 'decrypted', 'decrypted'],
  [PlaintextPolicy.ForbidPlaintextWriteAllowPlaintextRead, { plaintextOverride: PlaintextPolicy.ForbidPlaintextWriteAllowPlaintextRead }, 'dbesdk', 'as stored', 'decrypted', 'decrypted'],
  [PlaintextPolicy.ForbidPlaintextWriteForbidPlaintextRead, { plaintextOverride: PlaintextPolicy.ForbidPlaintextWriteForbidPlaintextRead }, 'dbesdk', 'refused', 'decrypted', 'refused'],
];

describe('a table of legacy, DB-ESDK and plaintext items under each policy', () => {
  it.each(POLICIES)('%s: writes %s; GetItem of the legacy item → %s, of the DB-ESDK item → %s, of the plaintext item → %s', async (name, config, write, ...reads) => {
    const client = encrypted(dbesdkTable(config));
    const pks = ['L', 'D', 'P'];
    for (const [i, pk] of pks.entries()) {
      const expected = reads[i] as Read;
      const read = client.send(new GetItemCommand({ TableName: TABLE, Key: { pk: { S: pk } } }));
      if (expected === 'refused') expect(await code(read), pk).toBe('ERR_ITEM_FORMAT_REFUSED');
      else expect((await read).Item, pk).toEqual(expected === 'decrypted' ? item(pk) : await stored(pk));
    }
    // a Scan in report mode lists exactly the refused items
    const report = encrypted(dbesdkTable(config), { decryptionFailures: 'report' });
    const scanned = await report.send(new ScanCommand({ TableName: TABLE, ConsistentRead: true }));
    const refusedKeys = decryptionFailures(scanned).map((failure) => (failure.key['pk'] as { S: string }).S);
    expect(refusedKeys.filter((pk) => pks.includes(pk)).sort()).toEqual(pks.filter((_, i) => reads[i] === 'refused').sort());
    // a write is stored in the policy's format and reads back
    const pk = `W-${name}`;
    await client.send(new PutItemCommand({ TableName: TABLE, Item: item(pk) }));
    expect(formatOf(await stored(pk))).toBe(write);
    expect((await client.send(new GetItemCommand({ TableName: TABLE, Key: { pk: { S: pk } } }))).Item).toEqual(item(pk));
  });

  it('a plaintext item is refused by a table without a plaintext policy, even one that reads legacy items', async () => {
    const client = encrypted(dbesdkTable({ legacyOverride: legacyOverride(LegacyPolicy.ForbidLegacyEncryptAllowLegacyDecrypt) }));
    expect(await code(client.send(new GetItemCommand({ TableName: TABLE, Key: { pk: { S: 'P' } } })))).toBe('ERR_ITEM_FORMAT_REFUSED');
  });
});

describe('configurations the specification forbids are refused at construction', () => {
  it('a legacy and a plaintext policy on one table', () => {
    expect(() =>
      encrypted(dbesdkTable({ legacyOverride: legacyOverride(LegacyPolicy.ForbidLegacyEncryptAllowLegacyDecrypt), plaintextOverride: PlaintextPolicy.ForbidPlaintextWriteAllowPlaintextRead })),
    ).toThrow(/has both legacyOverride and plaintextOverride/);
  });

  it('unknown policies, and a legacy override without its encryptor or actions', () => {
    expect(() => encrypted(dbesdkTable({ plaintextOverride: 'ALLOW' as PlaintextPolicy }))).toThrow(/plaintextOverride must be one of/);
    expect(() => encrypted(dbesdkTable({ legacyOverride: { policy: 'LEGACY' as LegacyPolicy, materialsProvider: staticProvider, attributeActionsOnEncrypt: LEGACY_ACTIONS } }))).toThrow(
      /legacyOverride.policy must be one of/,
    );
    expect(() => encrypted(dbesdkTable({ legacyOverride: { policy: LegacyPolicy.ForbidLegacyEncryptAllowLegacyDecrypt, attributeActionsOnEncrypt: LEGACY_ACTIONS } }))).toThrow(
      /exactly one of encryptor and materialsProvider/,
    );
  });

  it('an encrypted index key, and key names that are not the table’s', () => {
    const actions = dbesdkTable().attributeActionsOnEncrypt;
    expect(() => encrypted(dbesdkTable({ attributeActionsOnEncrypt: { ...actions, status: 'ENCRYPT_AND_SIGN' } }))).toThrow(
      expect.objectContaining({ code: 'ERR_KEY_ATTRIBUTE_ENCRYPTED', message: expect.stringContaining('global secondary index "byStatus"') as unknown }),
    );
    expect(() => encrypted(dbesdkTable({ partitionKeyName: 'id', attributeActionsOnEncrypt: { ...actions, id: 'SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT' } }))).toThrow(/key names "id", but the table's primary key is "pk"/);
  });

  it('two tables with one logical table name', () => {
    expect(() => EncryptedDynamoDBClient.from(plain, { tables: { [TABLE]: dbesdkTable(), copy: dbesdkTable({ keySchema: { partitionKey: 'pk' } }) } })).toThrow(
      /tables\["mixed"\] and tables\["copy"\] have the same logicalTableName "mixed"/,
    );
  });

  it('a table configured in both formats', () => {
    expect(() => encrypted({ ...dbesdkTable(), attributeActions: LEGACY_ACTIONS } as DbesdkTableEncryptionConfig)).toThrow(/both attributeActions .* and attributeActionsOnEncrypt/);
  });
});

describe('the SDK-integration rules for the new format', () => {
  let client: EncryptedDynamoDBClient;
  beforeAll(() => {
    client = encrypted(dbesdkTable());
  });
  const key = { pk: { S: 'D' } };

  async function refused(command: { readonly input: unknown }, expected: DdbecErrorCode, mention: string): Promise<void> {
    db.resetRequests();
    const send = client.send.bind(client) as unknown as (command: unknown) => Promise<unknown>;
    const error = await send(command).catch((caught: unknown) => caught);
    expect(isDdbecError(error, expected), String(error)).toBe(true);
    expect((error as Error).message).toContain(mention);
    // (the first request of a client compares the declared key schema with DescribeTable's)
    expect(Object.keys(db.requests).filter((operation) => operation !== 'DescribeTable')).toEqual([]);
  }

  it('updates may change only unsigned attributes: SIGN_ONLY, SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT and unconfigured ones are signed', async () => {
    // (SET of a sign-only attribute to a plain value is let through under a guard that keeps the
    // stored value — see test/sdk/updates.test.ts; removing one, or setting an encrypted one, is refused.)
    for (const attribute of ['plan', 'tenant', 'name', 'unknown', 'aws_dbe_head']) {
      await refused(new UpdateItemCommand({ TableName: TABLE, Key: key, UpdateExpression: 'REMOVE #a', ExpressionAttributeNames: { '#a': attribute } }), 'ERR_SIGNED_ATTRIBUTE_UPDATE', `"${attribute}"`);
    }
    await refused(new UpdateItemCommand({ TableName: TABLE, Key: key, UpdateExpression: 'SET #a = :v', ExpressionAttributeNames: { '#a': 'name' }, ExpressionAttributeValues: { ':v': { S: 'x' } } }), 'ERR_SIGNED_ATTRIBUTE_UPDATE', '"name"');
    // the guard: a signed attribute set to its stored value passes; to another value, DynamoDB refuses it
    const setPlanAndTenant = (plan: string): UpdateItemCommand =>
      new UpdateItemCommand({ TableName: TABLE, Key: key, UpdateExpression: 'SET #p = :p, tenant = :t', ExpressionAttributeNames: { '#p': 'plan' }, ExpressionAttributeValues: { ':p': { S: plan }, ':t': { S: 'acme' } } });
    await client.send(setPlanAndTenant('pro'));
    expect(await code(client.send(setPlanAndTenant('free')))).toBe('ConditionalCheckFailedException');
    await client.send(
      new UpdateItemCommand({ TableName: TABLE, Key: key, UpdateExpression: 'SET note = :n, x_seen = :s', ExpressionAttributeValues: { ':n': { S: 'changed' }, ':s': { N: '1' } } }),
    );
    const { Item } = await client.send(new GetItemCommand({ TableName: TABLE, Key: key }));
    expect(Item).toEqual(item('D', { note: { S: 'changed' }, x_seen: { N: '1' } }));
  });

  it('an update never creates an item (it needs the DB-ESDK footer)', async () => {
    const update = new UpdateItemCommand({ TableName: TABLE, Key: { pk: { S: 'nobody' } }, UpdateExpression: 'SET note = :n', ExpressionAttributeValues: { ':n': { S: 'x' } } });
    expect(await code(client.send(update))).toBe('ConditionalCheckFailedException');
    expect(await stored('nobody')).toBeUndefined();
  });

  it('conditions and filters may not use encrypted attributes; signed ones are fine', async () => {
    await refused(new ScanCommand({ TableName: TABLE, FilterExpression: '#n = :v', ExpressionAttributeNames: { '#n': 'name' }, ExpressionAttributeValues: { ':v': { S: 'x' } } }), 'ERR_ENCRYPTED_ATTRIBUTE_IN_EXPRESSION', '"name"');
    await refused(new PutItemCommand({ TableName: TABLE, Item: item('C'), ConditionExpression: 'email <> :v', ExpressionAttributeValues: { ':v': { S: 'x' } } }), 'ERR_ENCRYPTED_ATTRIBUTE_IN_EXPRESSION', '"email"');
    const { Items } = await client.send(
      new QueryCommand({ TableName: TABLE, IndexName: 'byRegion', KeyConditionExpression: '#r = :r', FilterExpression: '#p = :p AND tenant = :t', ExpressionAttributeNames: { '#r': 'region', '#p': 'plan' }, ExpressionAttributeValues: { ':r': { S: 'emea' }, ':p': { S: 'pro' }, ':t': { S: 'acme' } } }),
    ).catch((error: unknown) => ({ Items: [error] }));
    // the index also holds the legacy and plaintext items, which this policy refuses
    expect(isDdbecError(Items?.[0], 'ERR_ITEM_FORMAT_REFUSED')).toBe(true);
  });

  it('projections, indexes that do not project every attribute, PartiQL, legacy parameters and reserved names are refused', async () => {
    await refused(new GetItemCommand({ TableName: TABLE, Key: key, ProjectionExpression: 'plan' }), 'ERR_PROJECTION', 'ProjectionExpression');
    await refused(new QueryCommand({ TableName: TABLE, IndexName: 'byStatus', KeyConditionExpression: '#s = :s', ExpressionAttributeNames: { '#s': 'status' }, ExpressionAttributeValues: { ':s': { S: 'active' } } }), 'ERR_PROJECTION', 'byStatus');
    await refused(new ExecuteStatementCommand({ Statement: `SELECT * FROM "${TABLE}"` }), 'ERR_UNSUPPORTED_OPERATION', 'PartiQL');
    await refused(new ScanCommand({ TableName: TABLE, ScanFilter: {} }), 'ERR_UNSUPPORTED_OPERATION', 'ScanFilter');
    await refused(new PutItemCommand({ TableName: TABLE, Item: item('R', { aws_dbe_b_x: { S: 'y' } }) }), 'ERR_RESERVED_ATTRIBUTE', '"aws_dbe_b_x"');
  });

  it('batch and transaction writes encrypt, their reads decrypt', async () => {
    await client.send(new BatchWriteItemCommand({ RequestItems: { [TABLE]: [{ PutRequest: { Item: item('B1') } }, { PutRequest: { Item: item('B2') } }] } }));
    await client.send(new TransactWriteItemsCommand({ TransactItems: [{ Put: { TableName: TABLE, Item: item('T1') } }] }));
    expect([formatOf(await stored('B1')), formatOf(await stored('B2')), formatOf(await stored('T1'))]).toEqual(['dbesdk', 'dbesdk', 'dbesdk']);
    const batch = await client.send(new BatchGetItemCommand({ RequestItems: { [TABLE]: { Keys: [{ pk: { S: 'B1' } }, { pk: { S: 'B2' } }] } } }));
    expect(batch.Responses?.[TABLE]?.map((read) => read['pk']?.S).sort()).toEqual(['B1', 'B2']);
    expect(batch.Responses?.[TABLE]?.find((read) => read['pk']?.S === 'B1')).toEqual(item('B1'));
    const transact = await client.send(new TransactGetItemsCommand({ TransactItems: [{ Get: { TableName: TABLE, Key: { pk: { S: 'T1' } } } }] }));
    expect(transact.Responses?.[0]?.Item).toEqual(item('T1'));
  });

  it('the DocumentClient works on a DB-ESDK table', async () => {
    const documents = DynamoDBDocumentClient.from(client);
    await documents.send(new PutCommand({ TableName: TABLE, Item: { pk: 'doc', name: 'Doc', email: 'd@example.com', plan: 'free', tenant: 'acme', region: 'apac', status: 'new', note: 'n' } }));
    expect(formatOf(await stored('doc'))).toBe('dbesdk');
    expect((await documents.send(new GetCommand({ TableName: TABLE, Key: { pk: 'doc' } }))).Item).toEqual({ pk: 'doc', name: 'Doc', email: 'd@example.com', plan: 'free', tenant: 'acme', region: 'apac', status: 'new', note: 'n' });
  });

  it('while legacy items are read, an attribute the legacy actions encrypt may not be compared', async () => {
    const reading = encrypted(dbesdkTable({ legacyOverride: legacyOverride(LegacyPolicy.ForbidLegacyEncryptAllowLegacyDecrypt) }));
    const scan = (target: EncryptedDynamoDBClient): Promise<unknown> => target.send(new ScanCommand({ TableName: TABLE, FilterExpression: '#p = :p', ExpressionAttributeNames: { '#p': 'plan' }, ExpressionAttributeValues: { ':p': { S: 'pro' } } }));
    expect(await code(scan(reading))).toBe('ERR_ENCRYPTED_ATTRIBUTE_IN_EXPRESSION');
    const forbidding = encrypted(dbesdkTable({ legacyOverride: legacyOverride(LegacyPolicy.ForbidLegacyEncryptForbidLegacyDecrypt) }));
    expect(await code(scan(forbidding))).toBe('ERR_ITEM_FORMAT_REFUSED'); // the filter is sent; the legacy items that match are refused
  });

  it('readModifyWrite moves a legacy item and a plaintext item to the DB-ESDK format, conditional on them being unchanged', async () => {
    const legacyWriter = encrypted(dbesdkTable({ legacyOverride: legacyOverride(LegacyPolicy.ForceLegacyEncryptAllowLegacyDecrypt) }));
    await legacyWriter.send(new PutItemCommand({ TableName: TABLE, Item: item('L2') }));
    const fromLegacy = encrypted(dbesdkTable({ legacyOverride: legacyOverride(LegacyPolicy.ForbidLegacyEncryptAllowLegacyDecrypt) }));
    expect(formatOf(await stored('L2'))).toBe('legacy');
    const moved = await readModifyWrite(fromLegacy, { TableName: TABLE, Key: { pk: { S: 'L2' } }, update: (current) => current && { ...current, plan: { S: 'moved' } } });
    expect(moved.written).toBe(true);
    expect(formatOf(await stored('L2'))).toBe('dbesdk');
    const fromPlaintext = encrypted(dbesdkTable({ plaintextOverride: PlaintextPolicy.ForbidPlaintextWriteAllowPlaintextRead }));
    await plain.send(new PutItemCommand({ TableName: TABLE, Item: item('P2') }));
    let raced = false;
    const result = await readModifyWrite(fromPlaintext, {
      TableName: TABLE,
      Key: { pk: { S: 'P2' } },
      update: async (current) => {
        if (!raced) {
          raced = true; // a concurrent plaintext writer changes the item between the read and the write
          await plain.send(new PutItemCommand({ TableName: TABLE, Item: item('P2', { note: { S: 'concurrent' } }) }));
        }
        return current && { ...current, plan: { S: 'moved' } };
      },
    });
    expect(result.attempts).toBe(2);
    expect(formatOf(await stored('P2'))).toBe('dbesdk');
    expect((await fromPlaintext.send(new GetItemCommand({ TableName: TABLE, Key: { pk: { S: 'P2' } } }))).Item).toEqual(item('P2', { note: { S: 'concurrent' }, plan: { S: 'moved' } }));
  });
});
