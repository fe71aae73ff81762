// The low-level encrypting client against the local DynamoDB, through the real SDK: every
// data operation writes ciphertext (checked with a plain client) and reads back the original.
import {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  CreateTableCommand,
  DeleteItemCommand,
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  ListTablesCommand,
  paginateQuery,
  paginateScan,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  TransactGetItemsCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
  type TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonResponse, type FrontHandler, type LocalDynamoDB } from '../../../local/src/index.js';
import { ItemEncryptor, isDdbecError, type CryptographicMaterialsProvider, type Item } from '../../src/index.js';
import { EncryptedDynamoDBClient, ITEM_DECRYPT_MIDDLEWARE, ITEM_ENCRYPT_MIDDLEWARE, readModifyWrite } from '../../src/sdk/index.js';
import {
  CUSTOMERS_CRYPTO,
  CUSTOMERS_PLAINTEXT,
  customer,
  encryptionConfig,
  expectStoredEncrypted,
  guardInputs,
  plainClient,
  skOf,
  startDatabase,
  staticProvider,
  unchanged,
} from './helpers.js';

let db: LocalDynamoDB;
let plain: DynamoDBClient;
let client: EncryptedDynamoDBClient;

/** When set, the local DynamoDB writes only the first put of each table of a BatchWriteItem and returns the rest as unprocessed. */
let throttleBatchWrites = false;
const throttlingBatchWrite: FrontHandler = async (request, context) => {
  if (!throttleBatchWrites) return context.forward(request);
  const requestItems = (request.json() as { RequestItems: Record<string, unknown[]> }).RequestItems;
  const now: Record<string, unknown[]> = {};
  const later: Record<string, unknown[]> = {};
  for (const [table, writes] of Object.entries(requestItems)) {
    now[table] = writes.slice(0, 1);
    if (writes.length > 1) later[table] = writes.slice(1);
  }
  const reply = await context.call('BatchWriteItem', { RequestItems: now });
  return jsonResponse(reply.status, reply.errorType ? reply.body : { UnprocessedItems: later });
};

beforeAll(async () => {
  db = await startDatabase({ handlers: { BatchWriteItem: throttlingBatchWrite } });
  plain = plainClient(db.endpoint);
  client = guardInputs(EncryptedDynamoDBClient.from(plain, encryptionConfig()));
});
afterAll(async () => {
  client.destroy();
  plain.destroy();
  await db.stop();
});

const key = (pk: string, sk: number): Item => ({ pk: { S: pk }, sk: { N: String(sk) } });
const stored = async (pk: string, sk: number): Promise<Item | undefined> =>
  (await plain.send(new GetItemCommand({ TableName: 'customers', Key: key(pk, sk), ConsistentRead: true }))).Item;

describe('EncryptedDynamoDBClient', () => {
  it('is a DynamoDBClient with named middleware, and leaves the original client plain', () => {
    expect(client).toBeInstanceOf(DynamoDBClient);
    const names = client.middlewareStack.identify();
    const at = (name: string): number => names.findIndex((entry) => entry.startsWith(`${name} `));
    expect(at(ITEM_ENCRYPT_MIDDLEWARE)).toBeGreaterThan(at('DocumentMarshall'));
    expect(at(ITEM_ENCRYPT_MIDDLEWARE)).toBeLessThan(at('serializerMiddleware'));
    expect(at(ITEM_DECRYPT_MIDDLEWARE)).toBeGreaterThan(at('DocumentUnmarshall'));
    expect(at(ITEM_DECRYPT_MIDDLEWARE)).toBeLessThan(at('deserializerMiddleware'));
    expect(plain.middlewareStack.identify().join()).not.toContain(ITEM_ENCRYPT_MIDDLEWARE);
    expect(client.config).not.toBe(plain.config);
    expect(client.config.region).toBe(plain.config.region);
  });

  it('PutItem encrypts, GetItem decrypts; ReturnValues ALL_OLD comes back decrypted', async () => {
    const item = customer('put', 1);
    await unchanged(new PutItemCommand({ TableName: 'customers', Item: item }), (c) => client.send(c));
    expectStoredEncrypted(await stored('put', 1), item, CUSTOMERS_PLAINTEXT);
    const { Item } = await unchanged(new GetItemCommand({ TableName: 'customers', Key: key('put', 1) }), (c) => client.send(c));
    expect(Item).toEqual(item);

    const replacement = customer('put', 1, { name: { S: 'Replaced' } });
    const { Attributes } = await unchanged(new PutItemCommand({ TableName: 'customers', Item: replacement, ReturnValues: 'ALL_OLD' }), (c) => client.send(c));
    expect(Attributes).toEqual(item);
  });

  it('writes what ItemEncryptor alone reads, and reads what ItemEncryptor alone wrote', async () => {
    const encryptor = new ItemEncryptor({ materialsProvider: staticProvider });
    const item = customer('interop', 1);
    await client.send(new PutItemCommand({ TableName: 'customers', Item: item }));
    expect(await encryptor.decryptItem((await stored('interop', 1)) as Item, CUSTOMERS_CRYPTO)).toEqual(item);

    const other = customer('interop', 2);
    await plain.send(new PutItemCommand({ TableName: 'customers', Item: await encryptor.encryptItem(other, CUSTOMERS_CRYPTO) }));
    expect((await client.send(new GetItemCommand({ TableName: 'customers', Key: key('interop', 2) }))).Item).toEqual(other);
  });

  it('canonicalizes encrypted numbers and sorts encrypted sets', async () => {
    const item = customer('canon', 1, { balance: { N: '001.50' }, tags: { SS: ['b', 'a'] } });
    await client.send(new PutItemCommand({ TableName: 'customers', Item: item }));
    const { Item } = await client.send(new GetItemCommand({ TableName: 'customers', Key: key('canon', 1) }));
    expect(Item?.['balance']).toEqual({ N: '1.5' });
    expect(Item?.['tags']).toEqual({ SS: ['a', 'b'] });
  });

  it('Query and Scan decrypt every item in order; Select COUNT works; the paginators yield decrypted pages', async () => {
    const items = Array.from({ length: 7 }, (_, i) => customer('query', i));
    for (const item of items) await client.send(new PutItemCommand({ TableName: 'customers', Item: item }));
    const query = { TableName: 'customers', KeyConditionExpression: 'pk = :pk AND sk >= :zero', ExpressionAttributeValues: { ':pk': { S: 'query' }, ':zero': { N: '0' } } };
    const { Items } = await unchanged(new QueryCommand(query), (c) => client.send(c));
    expect(Items).toEqual(items);
    const { Count, Items: none } = await client.send(new QueryCommand({ ...query, Select: 'COUNT' }));
    expect(Count).toBe(7);
    expect(none).toBeUndefined();

    const pages: Item[][] = [];
    // (the SDK's paginators write ExclusiveStartKey and Limit into their input, hence the copies)
    for await (const page of paginateQuery({ client, pageSize: 3 }, { ...query })) pages.push(page.Items ?? []);
    expect(pages.map((page) => page.length)).toEqual([3, 3, 1]);
    expect(pages.flat()).toEqual(items);

    const scanned: Item[] = [];
    const scan = { TableName: 'customers', FilterExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: 'query' } } };
    for await (const page of paginateScan({ client, pageSize: 5 }, { ...scan })) scanned.push(...(page.Items ?? []));
    expect(scanned.sort((a, b) => skOf(a) - skOf(b))).toEqual(items);
    const { Items: viaScan } = await unchanged(new ScanCommand(scan), (c) => client.send(c));
    expect(viaScan).toHaveLength(7);
  });

  it('queries an index that projects every attribute (its key was downgraded to sign-only)', async () => {
    const item = customer('gsi', 1, { region: { S: 'apac-unique' } });
    await client.send(new PutItemCommand({ TableName: 'customers', Item: item }));
    expect((await stored('gsi', 1))?.['region']).toEqual({ S: 'apac-unique' });
    const { Items } = await client.send(
      new QueryCommand({ TableName: 'customers', IndexName: 'byRegion', KeyConditionExpression: '#r = :r', ExpressionAttributeNames: { '#r': 'region' }, ExpressionAttributeValues: { ':r': { S: 'apac-unique' } } }),
    );
    expect(Items).toEqual([item]);
    const lsi = await client.send(
      new QueryCommand({ TableName: 'customers', IndexName: 'byCreated', Select: 'ALL_ATTRIBUTES', KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': { S: 'gsi' } } }),
    );
    expect(lsi.Items).toEqual([item]);
  });

  it('DeleteItem decrypts ALL_OLD', async () => {
    const item = customer('delete', 1);
    await client.send(new PutItemCommand({ TableName: 'customers', Item: item }));
    const { Attributes } = await unchanged(new DeleteItemCommand({ TableName: 'customers', Key: key('delete', 1), ReturnValues: 'ALL_OLD' }), (c) => client.send(c));
    expect(Attributes).toEqual(item);
    expect(await stored('delete', 1)).toBeUndefined();
  });

  it('UpdateItem changes do-nothing attributes: ALL_NEW decrypted, UPDATED_NEW as is; never creates an unsigned item', async () => {
    const item = customer('update', 1);
    await client.send(new PutItemCommand({ TableName: 'customers', Item: item }));
    const update = {
      TableName: 'customers',
      Key: key('update', 1),
      UpdateExpression: 'SET note = :n ADD visits :one',
      ConditionExpression: '#plan = :plan',
      ExpressionAttributeNames: { '#plan': 'plan' },
      ExpressionAttributeValues: { ':n': { S: 'changed' }, ':one': { N: '1' }, ':plan': { S: 'pro' } },
    };
    const { Attributes } = await unchanged(new UpdateItemCommand({ ...update, ReturnValues: 'ALL_NEW' }), (c) => client.send(c));
    expect(Attributes).toEqual({ ...item, note: { S: 'changed' }, visits: { N: '2' } });
    expectStoredEncrypted(await stored('update', 1), { ...item, note: { S: 'changed' }, visits: { N: '2' } }, CUSTOMERS_PLAINTEXT);
    const partial = await client.send(new UpdateItemCommand({ ...update, ReturnValues: 'UPDATED_NEW' }));
    expect(partial.Attributes).toEqual({ note: { S: 'changed' }, visits: { N: '3' } });
    const old = await client.send(new UpdateItemCommand({ ...update, ReturnValues: 'ALL_OLD' }));
    expect(old.Attributes).toEqual({ ...item, note: { S: 'changed' }, visits: { N: '3' } });

    const missing = await client.send(new UpdateItemCommand({ ...update, Key: key('update', 99) })).catch((e: unknown) => e);
    expect((missing as Error).name).toBe('ConditionalCheckFailedException');
    expect(await stored('update', 99)).toBeUndefined();
  });

  it('readModifyWrite changes encrypted attributes safely and retries after a concurrent change', async () => {
    const item = customer('rmw', 1);
    await client.send(new PutItemCommand({ TableName: 'customers', Item: item }));
    let calls = 0;
    const result = await readModifyWrite(client, {
      TableName: 'customers',
      Key: key('rmw', 1),
      update: async (current) => {
        calls += 1;
        if (calls === 1) {
          // someone else changes the item between our read and our write
          await client.send(new PutItemCommand({ TableName: 'customers', Item: { ...(current as Item), email: { S: 'other@example.com' } } }));
        }
        return { ...(current as Item), balance: { N: '99.25' } };
      },
    });
    expect(result).toMatchObject({ written: true, attempts: 2 });
    const { Item } = await client.send(new GetItemCommand({ TableName: 'customers', Key: key('rmw', 1) }));
    expect(Item).toEqual({ ...item, email: { S: 'other@example.com' }, balance: { N: '99.25' } });
    expectStoredEncrypted(await stored('rmw', 1), item, CUSTOMERS_PLAINTEXT);

    const created = await readModifyWrite(client, { TableName: 'customers', Key: key('rmw', 2), update: (current) => (current ? undefined : customer('rmw', 2)) });
    expect(created).toMatchObject({ written: true, attempts: 1 });
    const skipped = await readModifyWrite(client, { TableName: 'customers', Key: key('rmw', 2), update: () => undefined });
    expect(skipped).toEqual({ Item: customer('rmw', 2), written: false, attempts: 1 });
    const moved = await readModifyWrite(client, { TableName: 'customers', Key: key('rmw', 2), update: (c) => ({ ...(c as Item), pk: { S: 'elsewhere' } }) }).catch((e: unknown) => e);
    expect(isDdbecError(moved, 'ERR_INVALID_ARGUMENT')).toBe(true);
  });

  it('leaves out undefined attributes and map entries, as the SDK does for a plain table (also in readModifyWrite)', async () => {
    const plainItem = { id: { S: 'undef' }, gone: undefined, m: { M: { gone: undefined, kept: { N: '1' } } } } as unknown as Item;
    await plain.send(new PutItemCommand({ TableName: 'plain', Item: plainItem }));
    expect((await plain.send(new GetItemCommand({ TableName: 'plain', Key: { id: { S: 'undef' } } }))).Item).toEqual({ id: { S: 'undef' }, m: { M: { kept: { N: '1' } } } });

    const item = customer('undef', 1);
    const withUndefined = { ...item, gone: undefined, profile: { M: { languages: { L: [{ S: 'en' }] }, gone: undefined } }, note: { S: undefined, N: '2' } } as unknown as Item;
    const expected: Item = { ...item, profile: { M: { languages: { L: [{ S: 'en' }] } } }, note: { N: '2' } };
    await client.send(new PutItemCommand({ TableName: 'customers', Item: withUndefined }));
    expect((await client.send(new GetItemCommand({ TableName: 'customers', Key: key('undef', 1) }))).Item).toEqual(expected);
    await readModifyWrite(client, { TableName: 'customers', Key: key('undef', 1), update: (current) => ({ ...current, email: undefined }) as unknown as Item });
    const { email: _, ...withoutEmail } = expected;
    expect((await client.send(new GetItemCommand({ TableName: 'customers', Key: key('undef', 1) }))).Item).toEqual(withoutEmail);
  });

  it('BatchWriteItem and BatchGetItem work per table (encrypted, wrapped + logical name, plain)', async () => {
    const customers = [customer('batch', 1), customer('batch', 2)];
    const order: Item = { id: { S: 'o-1' }, total: { N: '12.5' }, state: { S: 'open' } };
    const row: Item = { id: { S: 'r-1' }, text: { S: 'not encrypted' } };
    const write = new BatchWriteItemCommand({
      RequestItems: {
        customers: customers.map((Item) => ({ PutRequest: { Item } })),
        orders: [{ PutRequest: { Item: order } }],
        plain: [{ PutRequest: { Item: row } }],
      },
    });
    const { UnprocessedItems } = await unchanged(write, (c) => client.send(c));
    expect(UnprocessedItems ?? {}).toEqual({});
    const storedOrder = (await plain.send(new GetItemCommand({ TableName: 'orders', Key: { id: { S: 'o-1' } } }))).Item;
    expectStoredEncrypted(storedOrder, order, ['id', 'state']);
    expect((await plain.send(new GetItemCommand({ TableName: 'plain', Key: { id: { S: 'r-1' } } }))).Item).toEqual(row);

    const read = new BatchGetItemCommand({
      RequestItems: { customers: { Keys: [key('batch', 1), key('batch', 2)] }, orders: { Keys: [{ id: { S: 'o-1' } }] }, plain: { Keys: [{ id: { S: 'r-1' } }] } },
    });
    const { Responses, UnprocessedKeys } = await unchanged(read, (c) => client.send(c));
    expect(UnprocessedKeys ?? {}).toEqual({});
    expect(Responses?.['customers']?.sort((a, b) => skOf(a) - skOf(b))).toEqual(customers);
    expect(Responses?.['orders']).toEqual([order]);
    expect(Responses?.['plain']).toEqual([row]);

    // the logical table name is what is signed: ItemEncryptor reads it with that name
    const encryptor = new ItemEncryptor({ materialsProvider: (await import('./helpers.js')).wrappedProvider });
    const config = { encryptionContext: { tableName: 'orders-logical', partitionKeyName: 'id' }, attributeActions: (await import('./helpers.js')).ORDERS_ACTIONS.withKeyAttributes('id') };
    expect(await encryptor.decryptItem(storedOrder as Item, config)).toEqual(order);

    const deletes = await client.send(new BatchWriteItemCommand({ RequestItems: { customers: [{ DeleteRequest: { Key: key('batch', 2) } }] } }));
    expect(deletes.UnprocessedItems ?? {}).toEqual({});
    expect(await stored('batch', 2)).toBeUndefined();
  });

  it('BatchWriteItem gives unprocessed puts back as the caller\'s plaintext items, so a retry loop works', async () => {
    const items = [customer('retry', 1), customer('retry', 2), customer('retry', 3)];
    const order: Item = { id: { S: 'o-retry' }, total: { N: '1' }, state: { S: 'new' } };
    let requestItems: NonNullable<ConstructorParameters<typeof BatchWriteItemCommand>[0]['RequestItems']> = {
      customers: items.map((Item) => ({ PutRequest: { Item } })),
      orders: [{ PutRequest: { Item: order } }],
    };
    const unprocessed: unknown[] = [];
    throttleBatchWrites = true;
    try {
      for (let round = 0; round < 5 && Object.keys(requestItems).length > 0; round += 1) {
        const { UnprocessedItems } = await unchanged(new BatchWriteItemCommand({ RequestItems: requestItems }), (c) => client.send(c));
        unprocessed.push(UnprocessedItems);
        requestItems = UnprocessedItems ?? {};
      }
    } finally {
      throttleBatchWrites = false;
    }
    expect(unprocessed).toEqual([
      { customers: [{ PutRequest: { Item: items[1] } }, { PutRequest: { Item: items[2] } }] },
      { customers: [{ PutRequest: { Item: items[2] } }] },
      {},
    ]);
    for (const [i, item] of items.entries()) expectStoredEncrypted(await stored('retry', i + 1), item, CUSTOMERS_PLAINTEXT);
  });

  it('TransactWriteItems encrypts puts and validates the other actions; TransactGetItems decrypts', async () => {
    const a = customer('tx', 1);
    const b = customer('tx', 2);
    await client.send(new PutItemCommand({ TableName: 'customers', Item: b }));
    await client.send(new PutItemCommand({ TableName: 'customers', Item: customer('tx', 3) }));
    const order: Item = { id: { S: 'o-tx' }, total: { N: '3' }, state: { S: 'new' } };
    const write = new TransactWriteItemsCommand({
      TransactItems: [
        { Put: { TableName: 'customers', Item: a, ConditionExpression: 'attribute_not_exists(pk)' } },
        { Update: { TableName: 'customers', Key: key('tx', 2), UpdateExpression: 'SET note = :n', ExpressionAttributeValues: { ':n': { S: 'in tx' } } } },
        { ConditionCheck: { TableName: 'customers', Key: key('tx', 2), ConditionExpression: 'attribute_exists(email)' } },
        { Delete: { TableName: 'customers', Key: key('tx', 3), ConditionExpression: '#s = :s', ExpressionAttributeNames: { '#s': 'status' }, ExpressionAttributeValues: { ':s': { S: 'active' } } } },
        { Put: { TableName: 'orders', Item: order } },
      ].filter((_, i) => i !== 2),
    });
    await unchanged(write, (c) => client.send(c));
    expectStoredEncrypted(await stored('tx', 1), a, CUSTOMERS_PLAINTEXT);
    expect(await stored('tx', 3)).toBeUndefined();

    const get = new TransactGetItemsCommand({
      TransactItems: [
        { Get: { TableName: 'customers', Key: key('tx', 1) } },
        { Get: { TableName: 'orders', Key: { id: { S: 'o-tx' } } } },
        { Get: { TableName: 'customers', Key: key('tx', 2) } },
        { Get: { TableName: 'customers', Key: key('tx', 3) } },
      ],
    });
    const { Responses } = await unchanged(get, (c) => client.send(c));
    expect(Responses).toEqual([{ Item: a }, { Item: order }, { Item: { ...b, note: { S: 'in tx' } } }, {}]);

    // a failed condition cancels everything; the reason's old item comes back decrypted
    const failed = await client
      .send(
        new TransactWriteItemsCommand({
          TransactItems: [
            { Put: { TableName: 'customers', Item: customer('tx', 4) } },
            { ConditionCheck: { TableName: 'customers', Key: key('tx', 1), ConditionExpression: 'attribute_not_exists(pk)', ReturnValuesOnConditionCheckFailure: 'ALL_OLD' } },
          ],
        }),
      )
      .then(
        () => {
          throw new Error('expected a cancellation');
        },
        (e: unknown) => e as TransactionCanceledException,
      );
    expect(failed.name).toBe('TransactionCanceledException');
    expect(failed.CancellationReasons?.map((r) => r.Code)).toEqual(['None', 'ConditionalCheckFailed']);
    expect(failed.CancellationReasons?.[1]?.Item).toEqual(a);
    expect(await stored('tx', 4)).toBeUndefined();
  });

  it('allows expressions on sign-only and do-nothing attributes, and existence checks on encrypted ones', async () => {
    const item = customer('expr', 1);
    await client.send(new PutItemCommand({ TableName: 'customers', Item: item }));
    await client.send(
      new PutItemCommand({
        TableName: 'customers',
        Item: item,
        ConditionExpression: 'attribute_exists(email) AND (#plan = :p OR begins_with(note, :n)) AND size(#r) > :z',
        ExpressionAttributeNames: { '#r': 'region', '#plan': 'plan' },
        ExpressionAttributeValues: { ':p': { S: 'pro' }, ':n': { S: 'free' }, ':z': { N: '0' } },
      }),
    );
    const { Items } = await client.send(
      new QueryCommand({
        TableName: 'customers',
        KeyConditionExpression: 'pk = :pk',
        FilterExpression: 'attribute_not_exists(secret) AND created BETWEEN :a AND :b',
        ExpressionAttributeValues: { ':pk': { S: 'expr' }, ':a': { N: '0' }, ':b': { N: '9999999999' } },
      }),
    );
    expect(Items).toEqual([item]);
  });

  it('passes declared plaintext tables and the control plane through', async () => {
    const row: Item = { id: { S: 'p-1' }, text: { S: 'hello' } };
    await client.send(new PutItemCommand({ TableName: 'plain', Item: row }));
    expect((await plain.send(new GetItemCommand({ TableName: 'plain', Key: { id: { S: 'p-1' } } }))).Item).toEqual(row);
    expect((await client.send(new ListTablesCommand({}))).TableNames).toEqual(['customers', 'orders', 'plain']);
    expect((await client.send(new DescribeTableCommand({ TableName: 'customers' }))).Table?.TableName).toBe('customers');
  });

  it('refuses tables that are not configured, and names that differ from a configured one only by case, before sending', async () => {
    // "Customers" exists too: a typo of "customers" would silently store plaintext there
    await plain.send(
      new CreateTableCommand({
        TableName: 'Customers',
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'N' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    const row: Item = { id: { S: 'p-2' }, text: { S: 'hello' } };
    const refusals: [{ readonly input: unknown }, string][] = [
      [new PutItemCommand({ TableName: 'audit', Item: row }), 'table "audit" is not in the encryption configuration: add it to tables, or to plaintextTables'],
      [new PutItemCommand({ TableName: 'Customers', Item: customer('typo', 1) }), 'table "Customers" is not in the encryption configuration; did you mean "customers"?'],
      [new GetItemCommand({ TableName: 'ORDERS', Key: { id: { S: 'o' } } }), 'did you mean "orders"?'],
      [new GetItemCommand({ TableName: 'Plain', Key: { id: { S: 'p-2' } } }), 'did you mean "plain"?'],
      [new BatchWriteItemCommand({ RequestItems: { plain: [{ PutRequest: { Item: row } }], CUSTOMERS: [{ PutRequest: { Item: customer('typo', 1) } }] } }), '"CUSTOMERS"'],
      [new TransactWriteItemsCommand({ TransactItems: [{ Put: { TableName: 'arn:aws:dynamodb:us-east-1:000000000000:table/Customers', Item: customer('typo', 1) } }] }), 'did you mean "customers"?'],
    ];
    db.resetRequests();
    for (const [command, message] of refusals) {
      const error = await (client.send as (command: unknown) => Promise<unknown>)(command).catch((e: unknown) => e);
      expect(isDdbecError(error, 'ERR_UNKNOWN_TABLE'), String(error)).toBe(true);
      expect((error as Error).message).toContain(message);
    }
    expect(db.requests).toEqual({});

    // unknownTables: 'passthrough' sends tables that are not configured as they are — never a case-only variant of a configured one
    const open = guardInputs(EncryptedDynamoDBClient.from(plain, encryptionConfig({ unknownTables: 'passthrough', plaintextTables: [] })));
    await open.send(new PutItemCommand({ TableName: 'plain', Item: row }));
    expect((await plain.send(new GetItemCommand({ TableName: 'plain', Key: { id: { S: 'p-2' } } }))).Item).toEqual(row);
    const typo = await open.send(new PutItemCommand({ TableName: 'Customers', Item: customer('typo', 1) })).catch((e: unknown) => e);
    expect(isDdbecError(typo, 'ERR_UNKNOWN_TABLE')).toBe(true);
    expect((typo as Error).message).toContain('did you mean "customers"?');
    expect((await plain.send(new ScanCommand({ TableName: 'Customers' }))).Count).toBe(0);
  });

  it('reads the key schema once with DescribeTable and caches it (with a TTL); compares a declared one once', async () => {
    const fresh = guardInputs(EncryptedDynamoDBClient.from(plain, encryptionConfig()));
    db.resetRequests();
    await fresh.send(new GetItemCommand({ TableName: 'customers', Key: key('none', 1) }));
    await fresh.send(new GetItemCommand({ TableName: 'customers', Key: key('none', 1) }));
    await fresh.send(new GetItemCommand({ TableName: 'orders', Key: { id: { S: 'none' } } }));
    await fresh.send(new GetItemCommand({ TableName: 'orders', Key: { id: { S: 'none' } } }));
    expect(db.requests).toEqual({ DescribeTable: 2, GetItem: 4 });

    const uncached = guardInputs(EncryptedDynamoDBClient.from(plain, encryptionConfig({ keySchemaTtlMs: 0 })));
    db.resetRequests();
    await uncached.send(new GetItemCommand({ TableName: 'customers', Key: key('none', 1) }));
    await uncached.send(new GetItemCommand({ TableName: 'customers', Key: key('none', 1) }));
    expect(db.requests).toEqual({ DescribeTable: 2, GetItem: 2 });
  });

  it('refuses to wrap an encrypting client', () => {
    expect(() => EncryptedDynamoDBClient.from(client, encryptionConfig())).toThrow(/already encrypts/);
  });
});

describe('multi-item decryption', () => {
  /** The static provider, with a random delay and a count of decryptions in flight. */
  function slowProvider(): CryptographicMaterialsProvider & { maxInFlight: number } {
    const inner: CryptographicMaterialsProvider = staticProvider;
    let inFlight = 0;
    const provider = {
      maxInFlight: 0,
      getEncryptionMaterials: (context: Parameters<CryptographicMaterialsProvider['getEncryptionMaterials']>[0]) => inner.getEncryptionMaterials(context),
      getDecryptionMaterials: async (context: Parameters<CryptographicMaterialsProvider['getDecryptionMaterials']>[0]) => {
        inFlight += 1;
        provider.maxInFlight = Math.max(provider.maxInFlight, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 1 + Math.random() * 4));
        inFlight -= 1;
        return inner.getDecryptionMaterials(context);
      },
    };
    return provider;
  }

  it('runs with bounded concurrency and keeps the order', async () => {
    const items = Array.from({ length: 40 }, (_, i) => customer('conc', i));
    await client.send(new BatchWriteItemCommand({ RequestItems: { customers: items.slice(0, 25).map((Item) => ({ PutRequest: { Item } })) } }));
    await client.send(new BatchWriteItemCommand({ RequestItems: { customers: items.slice(25).map((Item) => ({ PutRequest: { Item } })) } }));
    const query = new QueryCommand({ TableName: 'customers', KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: 'conc' } } });
    for (const concurrency of [1, 5, 16]) {
      const provider = slowProvider();
      const slow = guardInputs(EncryptedDynamoDBClient.from(plain, encryptionConfig({ concurrency }, provider)));
      const { Items } = await slow.send(query);
      expect(Items).toEqual(items);
      expect(provider.maxInFlight).toBe(concurrency);
    }
  });

  it('fails the page on a bad item, or reports it with its key (decryptionFailures: report)', async () => {
    const items = [customer('bad', 1), customer('bad', 2), customer('bad', 3)];
    for (const item of items) await client.send(new PutItemCommand({ TableName: 'customers', Item: item }));
    // tamper with a sign-only attribute of the second item
    await plain.send(new UpdateItemCommand({ TableName: 'customers', Key: key('bad', 2), UpdateExpression: 'SET #p = :p', ExpressionAttributeNames: { '#p': 'plan' }, ExpressionAttributeValues: { ':p': { S: 'free' } } }));
    const query = new QueryCommand({ TableName: 'customers', KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: 'bad' } } });
    const error = await client.send(query).catch((e: unknown) => e);
    expect(isDdbecError(error, 'ERR_SIGNATURE_INVALID')).toBe(true);

    const { decryptionFailures } = await import('../../src/sdk/index.js');
    const reporting = guardInputs(EncryptedDynamoDBClient.from(plain, encryptionConfig({ decryptionFailures: 'report' })));
    const output = await reporting.send(query);
    expect(output.Items).toEqual([items[0], items[2]]);
    expect(output).toMatchObject({ Count: 2, ScannedCount: 3 });
    const scanned = await reporting.send(new ScanCommand({ TableName: 'customers', FilterExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: 'bad' } } }));
    expect(scanned.Items).toHaveLength(2);
    expect(scanned.Count).toBe(2);
    expect(scanned.ScannedCount).toBeGreaterThanOrEqual(3);
    const failures = decryptionFailures(output);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ tableName: 'customers', index: 1, key: key('bad', 2) });
    expect(isDdbecError(failures[0]?.error, 'ERR_SIGNATURE_INVALID')).toBe(true);
    expect(decryptionFailures(await client.send(new QueryCommand({ ...query.input, ExpressionAttributeValues: { ':pk': { S: 'query' } } })))).toEqual([]);
  });
});
