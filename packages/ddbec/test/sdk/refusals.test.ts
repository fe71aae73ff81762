// What the integration refuses, and that a refused request never reaches DynamoDB: the local
// DynamoDB counts every request it receives.
import {
  BatchExecuteStatementCommand,
  BatchGetItemCommand,
  BatchWriteItemCommand,
  DeleteItemCommand,
  DynamoDBClient,
  ExecuteStatementCommand,
  ExecuteTransactionCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  TransactGetItemsCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorResponse, type LocalDynamoDB } from '../../../local/src/index.js';
import { AttributeActions, CryptoAction, isDdbecError, type DdbecErrorCode, type Item } from '../../src/index.js';
import { EncryptedDynamoDBClient, type EncryptionConfig, type TableKeySchema } from '../../src/sdk/index.js';
import { itemSize, MAX_ITEM_SIZE } from '../../src/sdk/items.js';
import { CUSTOMERS_ACTIONS, customer, encryptionConfig, guardInputs, plainClient, startDatabase, staticProvider } from './helpers.js';

const CUSTOMERS_SCHEMA: TableKeySchema = {
  partitionKey: 'pk',
  sortKey: 'sk',
  indexes: [
    { indexName: 'byRegion', partitionKey: 'region', projection: 'ALL' },
    { indexName: 'byStatus', partitionKey: 'status', projection: 'KEYS_ONLY' },
    { indexName: 'byCreated', type: 'local', partitionKey: 'pk', sortKey: 'created', projection: 'KEYS_ONLY' },
  ],
};

let db: LocalDynamoDB;
let plain: DynamoDBClient;
let client: EncryptedDynamoDBClient;

beforeAll(async () => {
  db = await startDatabase();
  plain = plainClient(db.endpoint);
  const config = encryptionConfig();
  client = guardInputs(EncryptedDynamoDBClient.from(plain, {
    ...config,
    tables: { ...config.tables, customers: { materialsProvider: staticProvider, attributeActions: CUSTOMERS_ACTIONS, keySchema: CUSTOMERS_SCHEMA } },
  }));
  await client.send(new PutItemCommand({ TableName: 'customers', Item: customer('c', 1) }));
});
afterAll(async () => {
  plain.destroy();
  await db.stop();
});

const key: Item = { pk: { S: 'c' }, sk: { N: '1' } };

/** Sends the command, expects a ddbec error with `code` whose message contains every `mentions`, no request at all, and an unchanged input. */
async function refused(command: { readonly input: unknown }, code: DdbecErrorCode, ...mentions: string[]): Promise<void> {
  const before = structuredClone(command.input);
  db.resetRequests();
  const send = client.send.bind(client) as unknown as (command: unknown) => Promise<unknown>;
  const error = await send(command).catch((e: unknown) => e);
  expect(isDdbecError(error, code), String(error)).toBe(true);
  for (const text of mentions) expect((error as Error).message).toContain(text);
  expect(db.requests).toEqual({});
  expect(command.input).toEqual(before);
}

describe('refused before anything is sent', () => {
  it('UpdateItem that changes a signed or encrypted attribute', async () => {
    const update = { TableName: 'customers', Key: key, ExpressionAttributeValues: { ':v': { S: 'x' } } };
    await refused(new UpdateItemCommand({ ...update, UpdateExpression: 'REMOVE #p', ExpressionAttributeNames: { '#p': 'plan' } }), 'ERR_SIGNED_ATTRIBUTE_UPDATE', '"plan"', 'signed', 'readModifyWrite');
    await refused(new UpdateItemCommand({ ...update, UpdateExpression: 'SET note = :v, email = :v' }), 'ERR_SIGNED_ATTRIBUTE_UPDATE', '"email"', 'encrypted');
    await refused(new UpdateItemCommand({ ...update, UpdateExpression: 'SET note = :v REMOVE profile.verified' }), 'ERR_SIGNED_ATTRIBUTE_UPDATE', '"profile"');
    await refused(new UpdateItemCommand({ ...update, UpdateExpression: 'ADD tags :v' }), 'ERR_SIGNED_ATTRIBUTE_UPDATE', '"tags"');
    await refused(new UpdateItemCommand({ ...update, UpdateExpression: 'SET note = email' }), 'ERR_ENCRYPTED_ATTRIBUTE_IN_EXPRESSION', '"email"');
    await refused(
      new TransactWriteItemsCommand({
        TransactItems: [
          { Put: { TableName: 'customers', Item: customer('c', 2) } },
          { Update: { ...update, Key: { pk: { S: 'c' }, sk: { N: '3' } }, UpdateExpression: 'SET balance = :v' } },
        ],
      }),
      'ERR_SIGNED_ATTRIBUTE_UPDATE',
      'TransactItems[1].Update.UpdateExpression',
      '"balance"',
    );
    await refused(new UpdateItemCommand({ ...update, AttributeUpdates: { note: { Action: 'PUT', Value: { S: 'x' } } } }), 'ERR_UNSUPPORTED_OPERATION', 'AttributeUpdates');
  });

  it('condition, filter and key-condition expressions on encrypted attributes', async () => {
    const values = { ':v': { S: 'x' } };
    await refused(
      new PutItemCommand({ TableName: 'customers', Item: customer('c', 1), ConditionExpression: 'email = :v', ExpressionAttributeValues: values }),
      'ERR_ENCRYPTED_ATTRIBUTE_IN_EXPRESSION',
      'ConditionExpression',
      '"email"',
      'ciphertext',
    );
    await refused(new DeleteItemCommand({ TableName: 'customers', Key: key, ConditionExpression: 'contains(#t, :v)', ExpressionAttributeNames: { '#t': 'tags' }, ExpressionAttributeValues: values }), 'ERR_ENCRYPTED_ATTRIBUTE_IN_EXPRESSION', '"tags"');
    await refused(
      new QueryCommand({ TableName: 'customers', KeyConditionExpression: 'pk = :v', FilterExpression: 'profile.verified = :t', ExpressionAttributeValues: { ...values, ':t': { BOOL: true } } }),
      'ERR_ENCRYPTED_ATTRIBUTE_IN_EXPRESSION',
      'FilterExpression',
      '"profile"',
    );
    await refused(new ScanCommand({ TableName: 'customers', FilterExpression: 'attribute_exists(profile.verified)' }), 'ERR_ENCRYPTED_ATTRIBUTE_IN_EXPRESSION', '"profile"');
    await refused(new ScanCommand({ TableName: 'customers', FilterExpression: 'size(avatar) > :n', ExpressionAttributeValues: { ':n': { N: '1' } } }), 'ERR_ENCRYPTED_ATTRIBUTE_IN_EXPRESSION', '"avatar"');
    await refused(
      new TransactWriteItemsCommand({ TransactItems: [{ ConditionCheck: { TableName: 'customers', Key: key, ConditionExpression: 'balance > :v', ExpressionAttributeValues: values } }] }),
      'ERR_ENCRYPTED_ATTRIBUTE_IN_EXPRESSION',
      'TransactItems[0].ConditionCheck.ConditionExpression',
    );
    // also on a table whose key schema was discovered (and cached) with DescribeTable
    const discovering = guardInputs(EncryptedDynamoDBClient.from(plain, encryptionConfig()));
    await discovering.send(new GetItemCommand({ TableName: 'customers', Key: key }));
    db.resetRequests();
    const error = await discovering.send(new ScanCommand({ TableName: 'customers', FilterExpression: '#n = :v', ExpressionAttributeNames: { '#n': 'name' }, ExpressionAttributeValues: values })).catch((e: unknown) => e);
    expect(isDdbecError(error, 'ERR_ENCRYPTED_ATTRIBUTE_IN_EXPRESSION')).toBe(true);
    expect(db.requests).toEqual({});
  });

  it('unreadable expressions and undefined placeholders', async () => {
    await refused(new ScanCommand({ TableName: 'customers', FilterExpression: '#missing = :v', ExpressionAttributeValues: { ':v': { S: 'x' } } }), 'ERR_INVALID_ARGUMENT', '#missing');
    await refused(new ScanCommand({ TableName: 'customers', FilterExpression: 'note = :v AND (plan', ExpressionAttributeValues: { ':v': { S: 'x' } } }), 'ERR_INVALID_ARGUMENT', 'parenthesis');
    await refused(new ScanCommand({ TableName: 'customers', FilterExpression: 'note = "x"' }), 'ERR_INVALID_ARGUMENT', 'character 8');
  });

  it('PartiQL on an encrypted table', async () => {
    await refused(new ExecuteStatementCommand({ Statement: `SELECT * FROM "customers" WHERE pk = 'c'` }), 'ERR_UNSUPPORTED_OPERATION', '"customers"', 'PartiQL');
    await refused(new ExecuteStatementCommand({ Statement: `update customers set note = 'x' where pk = 'c' and sk = 1` }), 'ERR_UNSUPPORTED_OPERATION', '"customers"');
    await refused(
      new BatchExecuteStatementCommand({ Statements: [{ Statement: `SELECT * FROM "plain" WHERE id = 'a'` }, { Statement: `INSERT INTO "orders" VALUE {'id': 'x'}` }] }),
      'ERR_UNSUPPORTED_OPERATION',
      'Statements[1].Statement',
      '"orders"',
    );
    await refused(
      new ExecuteTransactionCommand({ TransactStatements: [{ Statement: `DELETE FROM "customers"."byRegion" WHERE region = 'x'` }] }),
      'ERR_UNSUPPORTED_OPERATION',
      '"customers"',
    );
    await refused(new ExecuteStatementCommand({ Statement: `SELECT * FROM` }), 'ERR_UNSUPPORTED_OPERATION', 'cannot tell which table');
    // refused without even reading the key schema of a table configured without one
    const fresh = guardInputs(EncryptedDynamoDBClient.from(plain, encryptionConfig()));
    db.resetRequests();
    for (const command of [
      new ExecuteStatementCommand({ Statement: `SELECT * FROM customers` }),
      new ScanCommand({ TableName: 'customers', ScanFilter: {} }),
      new GetItemCommand({ TableName: 'customers', Key: key, ProjectionExpression: 'pk' }),
    ]) {
      expect(isDdbecError(await fresh.send(command as ScanCommand).catch((e: unknown) => e))).toBe(true);
    }
    expect(db.requests).toEqual({});
    // PartiQL on a table declared plaintext goes through (dynalite itself does not implement it)
    db.resetRequests();
    const error = await client.send(new ExecuteStatementCommand({ Statement: `SELECT * FROM "plain"` })).catch((e: unknown) => e);
    expect(isDdbecError(error)).toBe(false);
    expect(db.requests).toEqual({ ExecuteStatement: 1 });
  });

  it('PartiQL that could reach an encrypted table under any quoting or case, even with unknownTables: passthrough', async () => {
    const open = guardInputs(EncryptedDynamoDBClient.from(plain, encryptionConfig({ unknownTables: 'passthrough' })));
    const statements = [
      'SELECT * FROM CUSTOMERS',
      'select * from Customers where pk = 1',
      'SELECT * FROM "CUSTOMERS"',
      'SELECT * FROM customers.byRegion',
      `SELECT * FROM "Customers"."byRegion" WHERE region = 'x'`,
      'SeLeCt * FrOm/* comment */\n\t"cUsToMeRs"',
      `DELETE FROM Orders WHERE id = 'x'`,
      `INSERT INTO "ORDERS" VALUE {'id': 'x'}`,
      `UPDATE oRdErS SET note = 'x' WHERE id = 'x'`,
      `EXISTS(SELECT * FROM Customers WHERE pk = 'c')`,
      'SELECT * FROM cuſtomers', // ſ (long s) upper-cases to S
      'SELECT * FROM "plain" WHERE customers = 1', // the name anywhere, even as an attribute
    ];
    for (const Statement of statements) {
      for (const command of [
        new ExecuteStatementCommand({ Statement }),
        new BatchExecuteStatementCommand({ Statements: [{ Statement: `SELECT * FROM "plain"` }, { Statement }] }),
        new ExecuteTransactionCommand({ TransactStatements: [{ Statement }] }),
      ]) {
        db.resetRequests();
        const error = await (open.send as (command: unknown) => Promise<unknown>)(command).catch((e: unknown) => e);
        expect(isDdbecError(error, 'ERR_UNSUPPORTED_OPERATION'), `${Statement}: ${String(error)}`).toBe(true);
        expect((error as Error).message).toMatch(/encrypted table "(customers|orders)"/);
        expect(db.requests).toEqual({});
      }
    }
    // a statement whose table cannot be read is refused too
    for (const Statement of ['SELECT * FROM ?', `SELECT * FROM 'customers'`, 'SELECT * FROM "customers', 'SELECT * FROM t /* customers']) {
      const error = await open.send(new ExecuteStatementCommand({ Statement })).catch((e: unknown) => e);
      expect(isDdbecError(error, 'ERR_UNSUPPORTED_OPERATION'), Statement).toBe(true);
    }
    // with the default, a table that is not configured is refused as in any other request
    await refused(new ExecuteStatementCommand({ Statement: 'SELECT * FROM audit' }), 'ERR_UNKNOWN_TABLE', '"audit"');
    await refused(new ExecuteStatementCommand({ Statement: 'SELECT * FROM Plain' }), 'ERR_UNKNOWN_TABLE', 'did you mean "plain"?');
  });

  it('legacy parameters', async () => {
    await refused(new PutItemCommand({ TableName: 'customers', Item: customer('c', 1), Expected: { note: { Exists: false } } }), 'ERR_UNSUPPORTED_OPERATION', 'Expected', 'ConditionExpression');
    await refused(new ScanCommand({ TableName: 'customers', ScanFilter: { note: { ComparisonOperator: 'NOT_NULL' } } }), 'ERR_UNSUPPORTED_OPERATION', 'ScanFilter', 'FilterExpression');
    await refused(new QueryCommand({ TableName: 'customers', KeyConditions: { pk: { ComparisonOperator: 'EQ', AttributeValueList: [{ S: 'c' }] } } }), 'ERR_UNSUPPORTED_OPERATION', 'KeyConditions');
    await refused(new QueryCommand({ TableName: 'customers', KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': { S: 'c' } }, QueryFilter: {} }), 'ERR_UNSUPPORTED_OPERATION', 'QueryFilter');
  });

  it('projections, and reads of indexes that do not project every attribute', async () => {
    await refused(new GetItemCommand({ TableName: 'customers', Key: key, ProjectionExpression: 'pk, email' }), 'ERR_PROJECTION', 'ProjectionExpression', 'cannot be verified');
    await refused(new GetItemCommand({ TableName: 'customers', Key: key, AttributesToGet: ['pk'] }), 'ERR_PROJECTION', 'AttributesToGet');
    const query = { TableName: 'customers', KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': { S: 'c' } } };
    await refused(new QueryCommand({ ...query, Select: 'SPECIFIC_ATTRIBUTES' }), 'ERR_PROJECTION', 'SPECIFIC_ATTRIBUTES');
    await refused(new QueryCommand({ ...query, Select: 'ALL_PROJECTED_ATTRIBUTES' }), 'ERR_PROJECTION', 'ALL_PROJECTED_ATTRIBUTES');
    await refused(new BatchGetItemCommand({ RequestItems: { customers: { Keys: [key], ProjectionExpression: 'pk' } } }), 'ERR_PROJECTION', 'RequestItems.customers.ProjectionExpression');
    await refused(new TransactGetItemsCommand({ TransactItems: [{ Get: { TableName: 'customers', Key: key, ProjectionExpression: 'pk' } }] }), 'ERR_PROJECTION');
    await refused(new QueryCommand({ ...query, IndexName: 'byCreated' }), 'ERR_PROJECTION', '"byCreated"', 'KEYS_ONLY', 'ALL_ATTRIBUTES');
    await refused(
      new QueryCommand({ TableName: 'customers', IndexName: 'byStatus', KeyConditionExpression: '#s = :s', ExpressionAttributeNames: { '#s': 'status' }, ExpressionAttributeValues: { ':s': { S: 'active' } } }),
      'ERR_PROJECTION',
      '"byStatus"',
    );
    // counting through such an index is fine
    const { Count } = await client.send(
      new QueryCommand({ TableName: 'customers', IndexName: 'byStatus', Select: 'COUNT', KeyConditionExpression: '#s = :s', ExpressionAttributeNames: { '#s': 'status' }, ExpressionAttributeValues: { ':s': { S: 'active' } } }),
    );
    expect(Count).toBe(1);
  });

  it('an item that fits in plaintext but not once encrypted, saying how much encryption added', async () => {
    /** A customer item of exactly `size` bytes as DynamoDB counts them (its encrypted `bio` fills it up). */
    const ofSize = (size: number): Item => {
      const item = customer('big', 1, { bio: { S: '' } });
      return { ...item, bio: { S: 'x'.repeat(size - itemSize(item)) } };
    };
    await refused(
      new PutItemCommand({ TableName: 'customers', Item: ofSize(MAX_ITEM_SIZE - 50) }),
      'ERR_ITEM_TOO_LARGE',
      'PutItem: Item for encrypted table "customers" is 409,550 bytes in plaintext, within DynamoDB\'s item size limit of 409,600 bytes (400 KB), but ',
      ' bytes once encrypted: encryption adds ',
    );
    await refused(
      new BatchWriteItemCommand({ RequestItems: { customers: [{ PutRequest: { Item: customer('c', 2) } }, { PutRequest: { Item: ofSize(MAX_ITEM_SIZE) } }] } }),
      'ERR_ITEM_TOO_LARGE',
      'RequestItems.customers[1].PutRequest.Item for encrypted table "customers" is 409,600 bytes in plaintext',
    );
    await refused(new PutItemCommand({ TableName: 'customers', Item: ofSize(MAX_ITEM_SIZE + 1) }), 'ERR_ITEM_TOO_LARGE', 'is 409,601 bytes before encryption');
    // an item within the limit once encrypted is written, and is what DynamoDB counts
    const written = ofSize(MAX_ITEM_SIZE - 1000);
    await client.send(new PutItemCommand({ TableName: 'customers', Item: written }));
    const stored = (await plain.send(new GetItemCommand({ TableName: 'customers', Key: { pk: { S: 'big' }, sk: { N: '1' } } }))).Item as Item;
    expect(itemSize(stored)).toBeGreaterThan(itemSize(written));
    expect(itemSize(stored)).toBeLessThanOrEqual(MAX_ITEM_SIZE);
  });

  it('items with a reserved attribute', async () => {
    await refused(new PutItemCommand({ TableName: 'customers', Item: { ...customer('c', 1), '*amzn-ddb-map-sig*': { B: new Uint8Array(1) } } }), 'ERR_RESERVED_ATTRIBUTE');
  });
});

describe('configurations that would encrypt a key attribute', () => {
  const withActions = (overrides: Record<string, CryptoAction>, keySchema?: TableKeySchema): EncryptionConfig => ({
    tables: { customers: { materialsProvider: staticProvider, attributeActions: new AttributeActions({ attributeActions: overrides }), ...(keySchema ? { keySchema } : {}) } },
  });

  it('are refused when the client is made, for an explicit key schema', () => {
    db.resetRequests();
    const make = (overrides: Record<string, CryptoAction>) => () => EncryptedDynamoDBClient.from(plain, withActions(overrides, CUSTOMERS_SCHEMA));
    expect(make({ region: CryptoAction.EncryptAndSign })).toThrow(/attribute "region" is the partition key of global secondary index "byRegion"/);
    expect(make({ created: CryptoAction.EncryptAndSign })).toThrow(/attribute "created" is the sort key of local secondary index "byCreated"/);
    expect(make({ sk: CryptoAction.EncryptAndSign })).toThrow(/attribute "sk" is the sort key of the table/);
    let error: unknown;
    try {
      make({ status: CryptoAction.EncryptAndSign })();
    } catch (caught) {
      error = caught;
    }
    expect(isDdbecError(error, 'ERR_KEY_ATTRIBUTE_ENCRYPTED')).toBe(true);
    expect(db.requests).toEqual({});
  });

  it('are refused on first use for a discovered key schema, before any data request', async () => {
    const discovering = guardInputs(EncryptedDynamoDBClient.from(plain, withActions({ status: CryptoAction.EncryptAndSign })));
    db.resetRequests();
    const error = await discovering.send(new PutItemCommand({ TableName: 'customers', Item: customer('c', 9) })).catch((e: unknown) => e);
    expect(isDdbecError(error, 'ERR_KEY_ATTRIBUTE_ENCRYPTED')).toBe(true);
    expect((error as Error).message).toMatch(/"status" is the partition key of global secondary index "byStatus"/);
    expect(db.requests).toEqual({ DescribeTable: 1 });
  });

  it('a declared key schema that leaves an index key to be encrypted is refused on first use (DescribeTable), naming the index', async () => {
    const declared = (keySchema: TableKeySchema) => guardInputs(EncryptedDynamoDBClient.from(plain, { tables: { customers: { materialsProvider: staticProvider, attributeActions: CUSTOMERS_ACTIONS, keySchema } } }));
    const withoutIndexes = declared({ partitionKey: 'pk', sortKey: 'sk' });
    db.resetRequests();
    const error = await withoutIndexes.send(new PutItemCommand({ TableName: 'customers', Item: customer('c', 9) })).catch((e: unknown) => e);
    expect(isDdbecError(error, 'ERR_KEY_ATTRIBUTE_ENCRYPTED'), String(error)).toBe(true);
    expect((error as Error).message).toContain('attribute "region" is the partition key of global secondary index "byRegion" (DescribeTable), which tables["customers"].keySchema does not declare');
    expect(db.requests).toEqual({ DescribeTable: 1 });
    const wrongKey = await declared({ partitionKey: 'id' }).send(new GetItemCommand({ TableName: 'customers', Key: key })).catch((e: unknown) => e);
    expect(isDdbecError(wrongKey, 'ERR_INVALID_ARGUMENT')).toBe(true);
    expect((wrongKey as Error).message).toContain('gives the primary key "id", but table "customers" has "pk" + "sk"');
    // the complete schema passes, with one DescribeTable for the comparison
    const complete = declared(CUSTOMERS_SCHEMA);
    db.resetRequests();
    await complete.send(new PutItemCommand({ TableName: 'customers', Item: customer('c', 9) }));
    await complete.send(new GetItemCommand({ TableName: 'customers', Key: key }));
    expect(db.requests).toEqual({ DescribeTable: 1, PutItem: 1, GetItem: 1 });
  });

  it('without DescribeTable permission, DynamoDB\'s "Type mismatch for Index Key" error says what ddbec did', async () => {
    const denying = await startDatabase();
    denying.front.handle('DescribeTable', () => Promise.resolve(errorResponse('AccessDeniedException', 'not authorized to perform: dynamodb:DescribeTable')));
    const base = plainClient(denying.endpoint);
    try {
      const declared = EncryptedDynamoDBClient.from(base, { tables: { customers: { materialsProvider: staticProvider, attributeActions: CUSTOMERS_ACTIONS, keySchema: { partitionKey: 'pk', sortKey: 'sk' } } } });
      const error = await declared.send(new PutItemCommand({ TableName: 'customers', Item: customer('c', 9) })).catch((e: unknown) => e);
      expect((error as Error).name, String(error)).toBe('ValidationException');
      expect((error as Error).message).toContain('Type mismatch for Index Key region');
      expect((error as Error).message).toContain('[ddbec: table "customers" encrypted "region", a key of index "byRegion" that ddbec\'s key schema of the table does not have');
      expect((error as Error).message).toContain('add the index to keySchema.indexes');
      expect(denying.requests).toEqual({ DescribeTable: 1, PutItem: 1 });
    } finally {
      base.destroy();
      await denying.stop();
    }
  });

  it('other invalid configurations are refused at once', () => {
    const bad = (config: unknown) => () => EncryptedDynamoDBClient.from(plain, config as EncryptionConfig);
    expect(bad({ tables: { t: { attributeActions: CUSTOMERS_ACTIONS } } })).toThrow(/exactly one of materialsProvider and itemEncryptor/);
    expect(bad({ tables: { t: { materialsProvider: staticProvider, attributeActions: {} } } })).toThrow(/AttributeActions/);
    expect(bad({ tables: {}, concurrency: 0 })).toThrow(/concurrency/);
    expect(bad({ tables: {}, unknownTables: 'ignore' })).toThrow(/unknownTables must be "error" or "passthrough"/);
    expect(bad({ tables: {}, plaintextTables: 'audit' })).toThrow(/plaintextTables must be an array of table names/);
    expect(bad({ tables: {}, plaintextTables: [''] })).toThrow(/plaintextTables must be an array of table names/);
    const customers = { customers: { materialsProvider: staticProvider, attributeActions: CUSTOMERS_ACTIONS, keySchema: CUSTOMERS_SCHEMA } };
    expect(bad({ tables: customers, plaintextTables: ['customers'] })).toThrow(/table "customers" is both in tables and in plaintextTables/);
    expect(bad({ tables: customers, plaintextTables: ['Customers'] })).toThrow(/plaintextTables has "Customers", which differs from "customers" in tables only by case/);
    expect(bad({ tables: { t: { materialsProvider: staticProvider, attributeActions: CUSTOMERS_ACTIONS, keySchema: { sortKey: 'x' } } } })).toThrow(/partitionKey/);
    expect(() => EncryptedDynamoDBClient.from(undefined as unknown as DynamoDBClient, encryptionConfig())).toThrow(/DynamoDBClient/);
  });
});
