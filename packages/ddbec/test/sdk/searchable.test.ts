// A DB-ESDK table with beacons through the encrypting client: what every write adds, what an
// update may not touch, how Query and Scan are rewritten, checked and filtered (Count,
// LastEvaluatedKey, failures reported), and what is refused before anything is sent.
import {
  CreateTableCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
  type QueryCommandOutput,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, QueryCommand as DocumentQueryCommand, ScanCommand as DocumentScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalDynamoDB, type LocalDynamoDB } from '../../../local/src/index.js';
import { isDdbecError, type Item } from '../../src/index.js';
import { HierarchicalKeyring } from '../../src/keyrings/hierarchical/hierarchical-keyring.js';
import { StaticBranchKeyStore } from '../../src/keyrings/hierarchical/static-branch-key-store.js';
import { createDynamoDbEncryptionBranchKeyIdSupplier } from '../../src/keyrings/hierarchical/branch-key-id-supplier.js';
import { beaconIndex, type SearchConfig } from '../../src/searchable/index.js';
import {
  decryptionFailures,
  EncryptedDynamoDBClient,
  numberOfQueries,
  numberOfQueriesDocument,
  queryAllPartitions,
  queryAllPartitionsDocument,
  type DbesdkTableEncryptionConfig,
} from '../../src/sdk/index.js';
import { plainClient } from './helpers.js';

const TABLE = 'contacts';
const keyStore = new StaticBranchKeyStore([
  { branchKeyIdentifier: 'contacts-key', branchKeyVersion: '0b5e0a54-3c1a-4f38-9d1e-7c0e3e1f2a11', branchKey: new Uint8Array(32).fill(1), beaconKey: new Uint8Array(32).fill(2) },
]);

/** `email` (standard, 2 bits: nearly everything collides), `Place` (signed parts only: stored as itself, SIGN_ONLY), `EmailCity` (compound). */
const search: SearchConfig = {
  writeVersion: 1,
  versions: [
    {
      version: 1,
      keyStore,
      keySource: { single: { keyId: 'contacts-key', cacheTTL: 600 } },
      standardBeacons: [{ name: 'email', length: 2 }],
      compoundBeacons: [
        { name: 'Place', split: '.', signed: [{ name: 'country', prefix: 'C-' }, { name: 'city', prefix: 'Y-' }] },
        {
          name: 'EmailCity',
          split: '|',
          encrypted: [{ name: 'email', prefix: 'E-' }],
          signed: [{ name: 'city', prefix: 'Y-' }],
          constructors: [{ parts: [{ name: 'email', required: true }, { name: 'city', required: true }] }],
        },
      ],
    },
  ],
};

const config = {
  logicalTableName: TABLE,
  partitionKeyName: 'id',
  attributeActionsOnEncrypt: { id: 'SIGN_ONLY', email: 'ENCRYPT_AND_SIGN', phone: 'ENCRYPT_AND_SIGN', country: 'SIGN_ONLY', city: 'SIGN_ONLY', visits: 'DO_NOTHING' },
  allowedUnsignedAttributes: ['visits'],
  algorithmSuiteId: 0x6700,
  keyring: new HierarchicalKeyring({ keyStore, branchKeyId: 'contacts-key', ttlSeconds: 600 }),
  search,
} as const satisfies DbesdkTableEncryptionConfig;

const byEmail = beaconIndex(config, 'email');
const byPlace = beaconIndex(config, 'Place', { indexName: 'by-place' });

const contact = (id: string, email: string, city = 'Paris', country = 'FR'): Item => ({
  id: { S: id },
  email: { S: email },
  phone: { S: `+33 ${id}` },
  country: { S: country },
  city: { S: city },
  visits: { N: '1' },
});
const CONTACTS = Array.from({ length: 24 }, (_, i) => contact(`c${String(i).padStart(2, '0')}`, `user${i % 8}@example.com`, i % 3 === 0 ? 'Lyon' : 'Paris'));

let db: LocalDynamoDB;
let plain: DynamoDBClient;
let client: EncryptedDynamoDBClient;

async function code(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return isDdbecError(error) ? error.code : ((error as { name?: string }).name ?? String(error));
  }
  return 'ok';
}

const ids = (items: readonly Item[] | undefined): string[] => (items ?? []).map((item) => (item['id'] as { S: string }).S).sort();
const withEmail = (email: string): string[] => ids(CONTACTS.filter((item) => (item['email'] as { S: string }).S === email));

beforeAll(async () => {
  db = await startLocalDynamoDB();
  plain = plainClient(db.endpoint);
  await plain.send(
    new CreateTableCommand({
      TableName: TABLE,
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }, ...byEmail.AttributeDefinitions, ...byPlace.AttributeDefinitions],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      GlobalSecondaryIndexes: [byEmail.GlobalSecondaryIndex, byPlace.GlobalSecondaryIndex],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  client = EncryptedDynamoDBClient.from(plain, { tables: { [TABLE]: config } });
  for (const item of CONTACTS) await client.send(new PutItemCommand({ TableName: TABLE, Item: item }));
});

afterAll(async () => {
  plain?.destroy();
  await db?.stop();
});

describe('writes', () => {
  it('beaconIndex keys the indexes on the stored beacons and projects every attribute', () => {
    expect(byEmail.GlobalSecondaryIndex).toEqual({ IndexName: 'email-index', KeySchema: [{ AttributeName: 'aws_dbe_b_email', KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' } });
    expect(byPlace.index).toEqual({ indexName: 'by-place', type: 'global', partitionKey: 'Place', sortKey: undefined, projection: 'ALL' });
    expect(() => beaconIndex(config, 'phone')).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
    expect(() => beaconIndex(config, 'email', { sortKey: 'phone' })).toThrow(/sort key "phone" is encrypted/);
  });

  it('PutItem stores the beacons and the version tag; reads return the item without them (a signed beacon is an attribute of the item)', async () => {
    const { Item: stored } = await plain.send(new GetItemCommand({ TableName: TABLE, Key: { id: { S: 'c01' } } }));
    expect(stored?.['aws_dbe_b_email']).toEqual({ S: expect.stringMatching(/^[0-9a-f]$/) as unknown });
    expect(stored?.['aws_dbe_b_EmailCity']).toEqual({ S: expect.stringMatching(/^E-[0-9a-f]\|Y-Paris$/) as unknown });
    expect(stored?.['Place']).toEqual({ S: 'C-FR.Y-Paris' });
    expect(stored?.['aws_dbe_v_1']).toEqual({ S: ' ' });
    const { Item: read } = await client.send(new GetItemCommand({ TableName: TABLE, Key: { id: { S: 'c01' } } }));
    expect(read).toEqual({ ...CONTACTS[1], Place: { S: 'C-FR.Y-Paris' } });
  });

  it('TransactWriteItems and the DocumentClient write the beacons too', async () => {
    await client.send(new TransactWriteItemsCommand({ TransactItems: [{ Put: { TableName: TABLE, Item: contact('t1', 'transact@example.com') } }] }));
    await DynamoDBDocumentClient.from(client).send(new PutCommand({ TableName: TABLE, Item: { id: 'd1', email: 'doc@example.com', country: 'FR', city: 'Nice', visits: 2 } }));
    for (const id of ['t1', 'd1']) {
      const { Item: stored } = await plain.send(new GetItemCommand({ TableName: TABLE, Key: { id: { S: id } } }));
      expect(Object.keys(stored ?? {}).filter((name) => name.startsWith('aws_dbe_b_')).sort(), id).toEqual(['aws_dbe_b_EmailCity', 'aws_dbe_b_email']);
    }
  });

  it('a supplied signed beacon that differs from its parts is refused (ERR_BEACON_WRITE)', async () => {
    expect(await code(client.send(new PutItemCommand({ TableName: TABLE, Item: { ...contact('x1', 'x@example.com'), Place: { S: 'C-DE.Y-Berlin' } } })))).toBe('ERR_BEACON_WRITE');
  });

  it('UpdateItem may not change what a beacon is computed from (it is signed or encrypted); a do-nothing attribute keeps the beacons', async () => {
    const update = (expression: string, values: Item) => client.send(new UpdateItemCommand({ TableName: TABLE, Key: { id: { S: 'c02' } }, UpdateExpression: expression, ExpressionAttributeValues: values }));
    expect(await code(update('SET email = :e', { ':e': { S: 'moved@example.com' } }))).toBe('ERR_SIGNED_ATTRIBUTE_UPDATE');
    const transactUpdate = new TransactWriteItemsCommand({
      TransactItems: [{ Update: { TableName: TABLE, Key: { id: { S: 'c02' } }, UpdateExpression: 'REMOVE email' } }],
    });
    expect(await code(client.send(transactUpdate))).toBe('ERR_SIGNED_ATTRIBUTE_UPDATE');
    expect(await code(update('SET city = :c', { ':c': { S: 'Lille' } }))).toBe('ConditionalCheckFailedException');
    expect(await code(update('SET aws_dbe_b_email = :b', { ':b': { S: 'not a beacon' } }))).not.toBe('ok');
    const before = (await plain.send(new GetItemCommand({ TableName: TABLE, Key: { id: { S: 'c02' } } }))).Item;
    await update('SET visits = visits + :one', { ':one': { N: '1' } });
    const after = (await plain.send(new GetItemCommand({ TableName: TABLE, Key: { id: { S: 'c02' } } }))).Item;
    expect(after?.['visits']).toEqual({ N: '2' });
    expect(after?.['aws_dbe_b_email']).toEqual(before?.['aws_dbe_b_email']);
  });

  it('an invalid search config is refused when the client is made (ERR_BEACON_CONFIG)', () => {
    const bad = { ...config, search: { ...search, versions: [{ ...search.versions[0], standardBeacons: [{ name: 'email', length: 64 }] }] } } as DbesdkTableEncryptionConfig;
    expect(() => EncryptedDynamoDBClient.from(plain, { tables: { [TABLE]: bad } })).toThrow(expect.objectContaining({ code: 'ERR_BEACON_CONFIG' }));
  });
});

describe('queries', () => {
  const email = 'user3@example.com';

  it('Query on a beacon returns exactly the matching items, though the 2-bit beacon matches many more', async () => {
    const output = await client.send(new QueryCommand({ TableName: TABLE, IndexName: 'email-index', KeyConditionExpression: 'email = :e', ExpressionAttributeValues: { ':e': { S: email } } }));
    expect(ids(output.Items)).toEqual(withEmail(email));
    expect(output.Count).toBe(withEmail(email).length);
    expect(output.ScannedCount).toBeGreaterThan(output.Count ?? 0);
    expect((output.Items ?? []).every((item) => Object.keys(item).every((name) => !name.startsWith('aws_dbe_')))).toBe(true);
  });

  it('the DocumentClient queries with native values', async () => {
    const documents = DynamoDBDocumentClient.from(client);
    const output = await documents.send(new DocumentQueryCommand({ TableName: TABLE, IndexName: 'email-index', KeyConditionExpression: '#e = :e', ExpressionAttributeNames: { '#e': 'email' }, ExpressionAttributeValues: { ':e': email } }));
    expect((output.Items ?? []).map((item) => item['id'] as string).sort()).toEqual(withEmail(email));
  });

  it('a signed beacon is queried as it is stored (no false positives to remove)', async () => {
    const output = await client.send(new QueryCommand({ TableName: TABLE, IndexName: 'by-place', KeyConditionExpression: 'Place = :p', ExpressionAttributeValues: { ':p': { S: 'C-FR.Y-Lyon' } } }));
    expect(ids(output.Items)).toEqual(ids(CONTACTS.filter((item) => (item['city'] as { S: string }).S === 'Lyon')));
    expect(output.ScannedCount).toBe(output.Count);
  });

  it('Scan filters on beacons, with pages that the filter may empty; LastEvaluatedKey is kept', async () => {
    const found: Item[] = [];
    let start: Record<string, unknown> | undefined;
    let pages = 0;
    do {
      const output = await client.send(
        new ScanCommand({ TableName: TABLE, FilterExpression: 'email = :e AND begins_with(EmailCity, :p)', ExpressionAttributeValues: { ':e': { S: email }, ':p': { S: `E-${email}|Y-Pa` } }, Limit: 4, ExclusiveStartKey: start as Item | undefined }),
      );
      expect(output.Count).toBe(output.Items?.length);
      found.push(...(output.Items ?? []));
      start = output.LastEvaluatedKey;
      pages += 1;
    } while (start !== undefined);
    expect(pages).toBeGreaterThan(5);
    expect(ids(found)).toEqual(ids(CONTACTS.filter((item) => (item['email'] as { S: string }).S === email && (item['city'] as { S: string }).S === 'Paris')));
  });

  it('an encrypted attribute without a beacon is still refused in an expression; a beacon over an encrypted attribute is not', async () => {
    expect(await code(client.send(new ScanCommand({ TableName: TABLE, FilterExpression: 'phone = :p', ExpressionAttributeValues: { ':p': { S: '+33 c01' } } })))).toBe('ERR_ENCRYPTED_ATTRIBUTE_IN_EXPRESSION');
    expect(await code(client.send(new ScanCommand({ TableName: TABLE, FilterExpression: 'email = :e OR phone = :p', ExpressionAttributeValues: { ':e': { S: email }, ':p': { S: '+33 c01' } } })))).toBe('ERR_ENCRYPTED_ATTRIBUTE_IN_EXPRESSION');
    expect(await code(client.send(new ScanCommand({ TableName: TABLE, FilterExpression: 'email = :e', ExpressionAttributeValues: { ':e': { S: email } } })))).toBe('ok');
  });

  it('Select COUNT on a beacon is refused: only decryption removes the false positives', async () => {
    const count = client.send(new QueryCommand({ TableName: TABLE, IndexName: 'email-index', KeyConditionExpression: 'email = :e', ExpressionAttributeValues: { ':e': { S: email } }, Select: 'COUNT' }));
    expect(await code(count)).toBe('ERR_BEACON_QUERY');
  });

  it('decryptionFailures: report lists an item that fails verification and filters the others', async () => {
    const victim = withEmail(email)[0] as string;
    const { Item: stored } = await plain.send(new GetItemCommand({ TableName: TABLE, Key: { id: { S: victim } } }));
    await plain.send(new PutItemCommand({ TableName: TABLE, Item: { ...stored, city: { S: 'Forged' } } }));
    try {
      const reporting = EncryptedDynamoDBClient.from(plain, { tables: { [TABLE]: config }, decryptionFailures: 'report' });
      const output = await reporting.send(new QueryCommand({ TableName: TABLE, IndexName: 'email-index', KeyConditionExpression: 'email = :e', ExpressionAttributeValues: { ':e': { S: email } } }));
      expect(decryptionFailures(output).map((failure) => failure.key)).toEqual([{ id: { S: victim } }]);
      expect(ids(output.Items)).toEqual(withEmail(email).filter((id) => id !== victim));
      expect(output.Count).toBe(output.Items?.length);
    } finally {
      await plain.send(new PutItemCommand({ TableName: TABLE, Item: stored }));
    }
  });
});

describe('beacon partitions', () => {
  // three partitions; an item's partition is its number modulo 3, so each email is in several
  const partitioned = {
    ...config,
    logicalTableName: 'partitioned',
    search: { ...search, versions: [{ ...search.versions[0], maximumNumberOfPartitions: 3, partitionSelector: (item: Readonly<Item>) => Number((item['id'] as { S: string }).S.slice(1)) % 3 }] },
  } as DbesdkTableEncryptionConfig;
  const query = { TableName: 'partitioned', IndexName: 'email-index', KeyConditionExpression: 'email = :e' };
  let partitions: EncryptedDynamoDBClient;

  beforeAll(async () => {
    await plain.send(
      new CreateTableCommand({
        TableName: 'partitioned',
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }, ...byEmail.AttributeDefinitions],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        GlobalSecondaryIndexes: [byEmail.GlobalSecondaryIndex],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    partitions = EncryptedDynamoDBClient.from(plain, { tables: { partitioned } });
    for (const item of CONTACTS) await partitions.send(new PutItemCommand({ TableName: 'partitioned', Item: item }));
  });

  it('numberOfQueries says how many queries find every item; each reads one partition (:aws_dbe_partition)', async () => {
    const email = 'user5@example.com';
    const values = { ':e': { S: email } };
    expect(await numberOfQueries(partitions, { ...query, ExpressionAttributeValues: values })).toBe(3);
    expect(await numberOfQueries(client, { TableName: TABLE, IndexName: 'email-index', KeyConditionExpression: 'email = :e', ExpressionAttributeValues: values })).toBe(1);
    const documents = DynamoDBDocumentClient.from(partitions);
    expect(await numberOfQueriesDocument(documents, { ...query, ExpressionAttributeValues: { ':e': email } })).toBe(3);
    const found: string[][] = [];
    for (let partition = 0; partition < 3; partition += 1) {
      const output = await partitions.send(new QueryCommand({ ...query, ExpressionAttributeValues: { ...values, ':aws_dbe_partition': { N: String(partition) } } }));
      found.push(ids(output.Items));
    }
    expect(found.flat().sort()).toEqual(withEmail(email));
    expect(found.filter((part) => part.length > 0).length).toBeGreaterThan(1);
    expect(await code(partitions.send(new QueryCommand({ ...query, ExpressionAttributeValues: { ...values, ':aws_dbe_partition': { N: '3' } } })))).toBe('ERR_BEACON_QUERY');
  });

  it('refuses a Query that needs several partitions but names none (it would read partition 0 only), through both clients', async () => {
    const values = { ':e': { S: 'user5@example.com' } };
    const refusal = partitions.send(new QueryCommand({ ...query, ExpressionAttributeValues: values }));
    await expect(refusal).rejects.toThrow(expect.objectContaining({ code: 'ERR_BEACON_QUERY' }) as Error);
    await expect(refusal).rejects.toThrow(/this query needs 3 queries, one per beacon partition: set :aws_dbe_partition to 0, 1, … 2 .* or use queryAllPartitions/);
    const documents = DynamoDBDocumentClient.from(partitions);
    expect(await code(documents.send(new DocumentQueryCommand({ ...query, ExpressionAttributeValues: { ':e': 'user5@example.com' } })))).toBe('ERR_BEACON_QUERY');
    // a key condition without a partitioned beacon takes one query: nothing to name
    const byId = await partitions.send(new QueryCommand({ TableName: 'partitioned', KeyConditionExpression: 'id = :id', FilterExpression: 'email = :e', ExpressionAttributeValues: { ':id': { S: 'c05' }, ...values } }));
    expect(ids(byId.Items)).toEqual(['c05']);
  });

  it('queryAllPartitions pages through every partition: exactly the items of the plaintext answer, through both clients', async () => {
    const documents = DynamoDBDocumentClient.from(partitions);
    for (let i = 0; i < 9; i += 1) {
      // user8 is no one's email
      const email = `user${i}@example.com`;
      const want = withEmail(email);
      const pages: QueryCommandOutput[] = [];
      // Limit 1: every partition takes several pages (ExclusiveStartKey)
      for await (const page of queryAllPartitions(partitions, { ...query, Limit: 1, ExpressionAttributeValues: { ':e': { S: email } } })) pages.push(page);
      expect(ids(pages.flatMap((page) => page.Items ?? [])), email).toEqual(want);
      expect(pages.length).toBeGreaterThan(3);
      const viaDocuments: Record<string, unknown>[] = [];
      for await (const page of queryAllPartitionsDocument(documents, { ...query, Limit: 2, ExpressionAttributeValues: { ':e': email } })) viaDocuments.push(...(page.Items ?? []));
      expect(viaDocuments.map((item) => item['id']).sort(), email).toEqual(want);
      expect(viaDocuments.every((item) => typeof item['email'] === 'string')).toBe(true);
    }
    // a table without partitions: one paginated query
    const plainPages: QueryCommandOutput[] = [];
    for await (const page of queryAllPartitions(client, { TableName: TABLE, IndexName: 'email-index', KeyConditionExpression: 'email = :e', ExpressionAttributeValues: { ':e': { S: 'user1@example.com' } } })) plainPages.push(page);
    expect(ids(plainPages.flatMap((page) => page.Items ?? []))).toEqual(withEmail('user1@example.com'));
    const named = queryAllPartitions(partitions, { ...query, ExpressionAttributeValues: { ':e': { S: 'user1@example.com' }, ':aws_dbe_partition': { N: '0' } } });
    await expect(named.next()).rejects.toThrow(/queryAllPartitions sets :aws_dbe_partition itself/);
  });

  it('a Scan covers every partition in one pass (its filter names the beacon value of each)', async () => {
    const documents = DynamoDBDocumentClient.from(partitions);
    for (let i = 0; i < 8; i += 1) {
      const email = `user${i}@example.com`;
      const found: Item[] = [];
      let start: Record<string, AttributeValue> | undefined;
      do {
        const page = await partitions.send(new ScanCommand({ TableName: 'partitioned', Limit: 5, FilterExpression: 'email = :e', ExpressionAttributeValues: { ':e': { S: email } }, ExclusiveStartKey: start }));
        found.push(...(page.Items ?? []));
        start = page.LastEvaluatedKey;
      } while (start !== undefined);
      expect(ids(found), email).toEqual(withEmail(email));
      const viaDocuments = await documents.send(new DocumentScanCommand({ TableName: 'partitioned', FilterExpression: 'email = :e', ExpressionAttributeValues: { ':e': email } }));
      expect((viaDocuments.Items ?? []).map((item) => item['id'] as string).sort(), email).toEqual(withEmail(email));
    }
  });
});

describe('a beacon key per tenant (multi key source)', () => {
  // each tenant's items are encrypted under its branch key, and their beacons use its beacon key
  const tenants = new StaticBranchKeyStore(
    ['acme', 'globex'].map((tenant, i) => ({
      branchKeyIdentifier: tenant,
      branchKeyVersion: `0b5e0a54-3c1a-4f38-9d1e-7c0e3e1f2a2${i}`,
      branchKey: new Uint8Array(32).fill(10 + i),
      beaconKey: new Uint8Array(32).fill(20 + i),
    })),
  );
  const multi = {
    logicalTableName: 'tenants',
    partitionKeyName: 'tenant',
    sortKeyName: 'id',
    attributeActionsOnEncrypt: { tenant: 'SIGN_ONLY', id: 'SIGN_ONLY', email: 'ENCRYPT_AND_SIGN' },
    algorithmSuiteId: 0x6700,
    keyring: new HierarchicalKeyring({
      keyStore: tenants,
      ttlSeconds: 600,
      branchKeyIdSupplier: createDynamoDbEncryptionBranchKeyIdSupplier({ getBranchKeyIdFromDdbKey: (key) => (key['tenant'] as { S: string }).S }),
    }),
    search: {
      writeVersion: 1,
      versions: [{ version: 1, keyStore: tenants, keySource: { multi: { keyFieldName: 'tenant', cacheTTL: 600 } }, standardBeacons: [{ name: 'email', length: 1 }] }],
    },
  } as const satisfies DbesdkTableEncryptionConfig;
  const people = ['acme', 'globex'].flatMap((tenant) => [1, 2, 3, 4].map((i) => ({ tenant: { S: tenant }, id: { S: `${tenant}-${i}` }, email: { S: `user${i % 2}@example.com` } })));
  let tenantsClient: EncryptedDynamoDBClient;

  beforeAll(async () => {
    const index = beaconIndex(multi, 'email');
    await plain.send(
      new CreateTableCommand({
        TableName: 'tenants',
        AttributeDefinitions: [{ AttributeName: 'tenant', AttributeType: 'S' }, { AttributeName: 'id', AttributeType: 'S' }, ...index.AttributeDefinitions],
        KeySchema: [
          { AttributeName: 'tenant', KeyType: 'HASH' },
          { AttributeName: 'id', KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: [index.GlobalSecondaryIndex],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    tenantsClient = EncryptedDynamoDBClient.from(plain, { tables: { tenants: multi } });
    for (const item of people) await tenantsClient.send(new PutItemCommand({ TableName: 'tenants', Item: item }));
  });

  it('a query names its tenant, and gets only that tenant’s matching items', async () => {
    const query = (tenant: string) =>
      tenantsClient.send(
        new QueryCommand({
          TableName: 'tenants',
          IndexName: 'email-index',
          KeyConditionExpression: 'email = :e',
          FilterExpression: 'tenant = :t',
          ExpressionAttributeValues: { ':e': { S: 'user1@example.com' }, ':t': { S: tenant } },
        }),
      );
    expect(ids((await query('acme')).Items)).toEqual(['acme-1', 'acme-3']);
    expect(ids((await query('globex')).Items)).toEqual(['globex-1', 'globex-3']);
    const unnamed = tenantsClient.send(new QueryCommand({ TableName: 'tenants', IndexName: 'email-index', KeyConditionExpression: 'email = :e', ExpressionAttributeValues: { ':e': { S: 'user1@example.com' } } }));
    expect(await code(unnamed)).toBe('ERR_BEACON_QUERY');
  });
});
