import {
  CreateTableCommand,
  DynamoDBClient,
  GetItemCommand,
  ListTablesCommand,
  PutItemCommand,
  TransactGetItemsCommand,
  TransactWriteItemsCommand,
  type AttributeValue,
  type TransactionCanceledException,
  type TransactWriteItem,
} from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonResponse, startLocalDynamoDB, type LocalDynamoDB } from '../src/index.js';

let db: LocalDynamoDB;
let client: DynamoDBClient;

beforeAll(async () => {
  db = await startLocalDynamoDB({
    recordRequests: true,
    handlers: { DescribeLimits: () => Promise.resolve(jsonResponse(200, { AccountMaxReadCapacityUnits: 7 })) },
  });
  client = new DynamoDBClient({ endpoint: db.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 });
  for (const TableName of ['ta1', 'tb1']) {
    await client.send(
      new CreateTableCommand({
        TableName,
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  }
});
afterAll(async () => {
  client.destroy();
  await db.stop();
});

const id = (value: string): Record<string, AttributeValue> => ({ id: { S: value } });
const get = async (table: string, key: string): Promise<Record<string, AttributeValue> | undefined> =>
  (await client.send(new GetItemCommand({ TableName: table, Key: id(key), ConsistentRead: true }))).Item;
const failure = (promise: Promise<unknown>): Promise<TransactionCanceledException> => promise.then(
  () => {
    throw new Error('expected a failure');
  },
  (error: unknown) => error as TransactionCanceledException,
);

describe('the DynamoDB front', () => {
  it('forwards other operations unchanged, counts them and can record their bodies', async () => {
    db.resetRequests();
    expect((await client.send(new ListTablesCommand({}))).TableNames).toEqual(['ta1', 'tb1']);
    await client.send(new PutItemCommand({ TableName: 'ta1', Item: { ...id('fwd'), n: { N: '1' } } }));
    expect(await get('ta1', 'fwd')).toEqual({ ...id('fwd'), n: { N: '1' } });
    expect(db.requests).toEqual({ ListTables: 1, PutItem: 1, GetItem: 1 });
    expect(db.requestLog.map((r) => r.operation)).toEqual(['ListTables', 'PutItem', 'GetItem']);
    expect(JSON.parse(db.requestLog[1]?.body ?? '')).toEqual({ TableName: 'ta1', Item: { id: { S: 'fwd' }, n: { N: '1' } } });
    db.resetRequests();
    expect(db.requests).toEqual({});
    expect(db.requestLog).toEqual([]);
  });

  it('routes an operation to its handler', async () => {
    const response = await fetch(db.endpoint, { method: 'POST', headers: { 'x-amz-target': 'DynamoDB_20120810.DescribeLimits' }, body: '{}' });
    expect(await response.json()).toEqual({ AccountMaxReadCapacityUnits: 7 });
  });
});

describe('TransactWriteItems emulation', () => {
  it('applies every action; a ConditionCheck writes nothing', async () => {
    await client.send(new PutItemCommand({ TableName: 'ta1', Item: { ...id('u'), n: { N: '1' } } }));
    await client.send(new PutItemCommand({ TableName: 'ta1', Item: { ...id('d') } }));
    await client.send(new PutItemCommand({ TableName: 'tb1', Item: { ...id('check'), v: { S: 'x' } } }));
    db.resetRequests();
    await client.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          { Put: { TableName: 'ta1', Item: { ...id('p'), v: { S: 'new' } }, ConditionExpression: 'attribute_not_exists(id)' } },
          { Update: { TableName: 'ta1', Key: id('u'), UpdateExpression: 'ADD n :one', ExpressionAttributeValues: { ':one': { N: '1' } } } },
          { Delete: { TableName: 'ta1', Key: id('d') } },
          { ConditionCheck: { TableName: 'tb1', Key: id('check'), ConditionExpression: 'v = :x', ExpressionAttributeValues: { ':x': { S: 'x' } } } },
          { ConditionCheck: { TableName: 'tb1', Key: id('absent'), ConditionExpression: 'attribute_not_exists(id)' } },
        ],
      }),
    );
    expect(db.requests).toEqual({ TransactWriteItems: 1 });
    expect(await get('ta1', 'p')).toEqual({ ...id('p'), v: { S: 'new' } });
    expect(await get('ta1', 'u')).toEqual({ ...id('u'), n: { N: '2' } });
    expect(await get('ta1', 'd')).toBeUndefined();
    expect(await get('tb1', 'check')).toEqual({ ...id('check'), v: { S: 'x' } });
    expect(await get('tb1', 'absent')).toBeUndefined();
  });

  it('cancels all or nothing with one reason per action, in the shape the SDK parses', async () => {
    await client.send(new PutItemCommand({ TableName: 'ta1', Item: { ...id('keep'), n: { N: '5' } } }));
    const error = await failure(
      client.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            { Put: { TableName: 'ta1', Item: { ...id('rolled-back') } } },
            { Update: { TableName: 'ta1', Key: id('keep'), UpdateExpression: 'SET n = :z', ExpressionAttributeValues: { ':z': { N: '0' } } } },
            { Delete: { TableName: 'tb1', Key: id('nothing'), ConditionExpression: 'attribute_exists(id)' } },
            {
              ConditionCheck: {
                TableName: 'ta1',
                Key: id('fwd'),
                ConditionExpression: 'n = :two',
                ExpressionAttributeValues: { ':two': { N: '2' } },
                ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
              },
            },
          ],
        }),
      ),
    );
    expect(error.name).toBe('TransactionCanceledException');
    expect(error.message).toContain('[None, None, ConditionalCheckFailed, ConditionalCheckFailed]');
    expect(error.CancellationReasons).toEqual([
      { Code: 'None' },
      { Code: 'None' },
      { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed' },
      { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed', Item: { ...id('fwd'), n: { N: '1' } } },
    ]);
    expect(await get('ta1', 'rolled-back')).toBeUndefined();
    expect(await get('ta1', 'keep')).toEqual({ ...id('keep'), n: { N: '5' } });
    expect(await get('tb1', 'nothing')).toBeUndefined();
  });

  it('validates the request like DynamoDB', async () => {
    const put = (key: string, table = 'ta1'): TransactWriteItem => ({ Put: { TableName: table, Item: id(key) } });
    const tooMany = await failure(client.send(new TransactWriteItemsCommand({ TransactItems: Array.from({ length: 101 }, (_, i) => put(`k${i}`)) })));
    expect(tooMany.name).toBe('ValidationException');
    expect(tooMany.message).toContain('less than or equal to 100');
    const twice = await failure(client.send(new TransactWriteItemsCommand({ TransactItems: [put('same'), { Delete: { TableName: 'ta1', Key: id('same') } }] })));
    expect(twice.name).toBe('ValidationException');
    expect(twice.message).toContain('multiple operations on one item');
    expect((await failure(client.send(new TransactWriteItemsCommand({ TransactItems: [{ Put: { TableName: 'ta1', Item: { other: { S: 'x' } } } }] })))).name).toBe('ValidationException');
    expect((await failure(client.send(new TransactWriteItemsCommand({ TransactItems: [put('x', 'missing-table')] })))).name).toBe('ResourceNotFoundException');
    const invalidExpression = await failure(
      client.send(new TransactWriteItemsCommand({ TransactItems: [put('first'), { Update: { TableName: 'ta1', Key: id('u'), UpdateExpression: 'SET' } }] })),
    );
    expect(invalidExpression.name).toBe('ValidationException');
    expect(await get('ta1', 'first')).toBeUndefined();
    expect(await get('ta1', 'k0')).toBeUndefined();
  });

  it('serializes transactions, so a cancelled one never undoes another', async () => {
    await client.send(new PutItemCommand({ TableName: 'ta1', Item: { ...id('counter'), n: { N: '0' } } }));
    const results = await Promise.allSettled(
      Array.from({ length: 12 }, (_, i) =>
        client.send(
          new TransactWriteItemsCommand({
            TransactItems: [
              { Update: { TableName: 'ta1', Key: id('counter'), UpdateExpression: 'ADD n :one', ExpressionAttributeValues: { ':one': { N: '1' } } } },
              { ConditionCheck: { TableName: 'tb1', Key: id(`gate-${i}`), ConditionExpression: i % 2 === 0 ? 'attribute_not_exists(id)' : 'attribute_exists(id)' } },
            ],
          }),
        ),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(6);
    expect(await get('ta1', 'counter')).toEqual({ ...id('counter'), n: { N: '6' } });
  });
});

describe('TransactGetItems emulation', () => {
  it('reads every item consistently, {} for a missing one, with projections', async () => {
    await client.send(new PutItemCommand({ TableName: 'tb1', Item: { ...id('g'), x: { S: '1' }, y: { S: '2' } } }));
    const { Responses } = await client.send(
      new TransactGetItemsCommand({
        TransactItems: [
          { Get: { TableName: 'tb1', Key: id('g') } },
          { Get: { TableName: 'ta1', Key: id('missing') } },
          { Get: { TableName: 'ta1', Key: id('g'), ProjectionExpression: 'id' } },
          { Get: { TableName: 'tb1', Key: id('check'), ProjectionExpression: '#v', ExpressionAttributeNames: { '#v': 'v' } } },
        ],
      }),
    );
    expect(Responses).toEqual([{ Item: { ...id('g'), x: { S: '1' }, y: { S: '2' } } }, {}, {}, { Item: { v: { S: 'x' } } }]);
  });

  it('refuses two reads of one item and unknown tables', async () => {
    const twice = await failure(client.send(new TransactGetItemsCommand({ TransactItems: [{ Get: { TableName: 'tb1', Key: id('g') } }, { Get: { TableName: 'tb1', Key: id('g') } }] })));
    expect(twice.name).toBe('ValidationException');
    const missing = await failure(client.send(new TransactGetItemsCommand({ TransactItems: [{ Get: { TableName: 'nope', Key: id('g') } }] })));
    expect(missing.name).toBe('ResourceNotFoundException');
  });
});
