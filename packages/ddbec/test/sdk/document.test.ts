// The same integration through @aws-sdk/lib-dynamodb: native values in and out, exact numbers,
// and — from the request bodies the local DynamoDB received — ciphertext on the wire.
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  paginateQuery,
  PutCommand,
  QueryCommand,
  ScanCommand,
  TransactGetCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { NumberValueImpl as NumberValue } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalDynamoDB } from '../../../local/src/index.js';
import { isDdbecError } from '../../src/index.js';
import { exactNumbers } from '../../src/sdk/native.js';
import { EncryptedDynamoDBClient } from '../../src/sdk/index.js';
import { anyBytes, anyString, encryptionConfig, guardInputs, plainClient, startDatabase, unchanged } from './helpers.js';

let db: LocalDynamoDB;
let plain: DynamoDBClient;
let documents: DynamoDBDocumentClient;

beforeAll(async () => {
  db = await startDatabase({ recordRequests: true });
  plain = plainClient(db.endpoint);
  documents = guardInputs(
    DynamoDBDocumentClient.from(EncryptedDynamoDBClient.from(plain, encryptionConfig()), {
      marshallOptions: { removeUndefinedValues: true },
      unmarshallOptions: { wrapNumbers: exactNumbers },
    }),
  );
});
afterAll(async () => {
  documents.destroy();
  plain.destroy();
  await db.stop();
});

const SECRET = 'ada-lovelace-secret@example.com';
const customer = (pk: string, sk: number): Record<string, unknown> => ({
  pk,
  sk,
  name: 'Ada',
  email: SECRET,
  balance: NumberValue.from('12345678901234567890.123456789'),
  small: 0.25,
  tags: new Set(['a', 'b']),
  avatar: new Uint8Array([9, 8, 7]),
  profile: { languages: ['en'], verified: true, nothing: null },
  region: 'emea',
  plan: 'pro',
  note: 'hello',
  visits: 1,
});

/** The JSON bodies of the requests of one operation received since the last reset. */
const bodies = (operation: string): Record<string, unknown>[] =>
  db.requestLog.filter((entry) => entry.operation === operation).map((entry) => JSON.parse(entry.body) as Record<string, unknown>);

describe('DynamoDBDocumentClient over EncryptedDynamoDBClient', () => {
  it('puts native values that go on the wire encrypted, and gets them back exactly', async () => {
    const item = customer('doc', 1);
    db.resetRequests();
    await unchanged(new PutCommand({ TableName: 'customers', Item: item }), (c) => documents.send(c));
    const [body] = bodies('PutItem');
    const wireItem = body?.['Item'] as Record<string, Record<string, unknown>>;
    expect(wireItem['email']).toEqual({ B: anyString });
    expect(wireItem['balance']).toEqual({ B: anyString });
    expect(wireItem['tags']).toEqual({ B: anyString });
    expect(wireItem['*amzn-ddb-map-sig*']).toEqual({ B: anyString });
    expect(wireItem['pk']).toEqual({ S: 'doc' });
    expect(wireItem['plan']).toEqual({ S: 'pro' });
    expect(JSON.stringify(body)).not.toContain(SECRET);
    expect(JSON.stringify(body)).not.toContain('12345678901234567890');

    const { Item } = await unchanged(new GetCommand({ TableName: 'customers', Key: { pk: 'doc', sk: 1 } }), (c) => documents.send(c));
    expect(Item).toEqual(item);
    expect(Item?.['balance']).toBeInstanceOf(NumberValue);
    expect(String(Item?.['balance'])).toBe('12345678901234567890.123456789');
    expect(Item?.['small']).toBe(0.25);

    // what a plain client sees
    const stored = (await plain.send(new GetItemCommand({ TableName: 'customers', Key: { pk: { S: 'doc' }, sk: { N: '1' } } }))).Item;
    expect(stored?.['email']).toEqual({ B: anyBytes });
  });

  it('never writes translateConfig onto the original client config', () => {
    expect(plain.config).not.toHaveProperty('translateConfig');
  });

  it('Query, Scan and the lib-dynamodb paginator return native decrypted items', async () => {
    const items = [customer('docq', 1), customer('docq', 2), customer('docq', 3)];
    for (const item of items) await documents.send(new PutCommand({ TableName: 'customers', Item: item }));
    const query = { TableName: 'customers', KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': 'docq' } };
    const { Items } = await unchanged(new QueryCommand(query), (c) => documents.send(c));
    expect(Items).toEqual(items);
    const pages: unknown[] = [];
    for await (const page of paginateQuery({ client: documents, pageSize: 2 }, { ...query })) pages.push(...(page.Items ?? []));
    expect(pages).toEqual(items);
    const { Items: scanned } = await documents.send(new ScanCommand({ TableName: 'customers', FilterExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': 'docq' } }));
    expect(scanned).toHaveLength(3);
  });

  it('UpdateCommand works on do-nothing attributes and is refused on signed ones before sending', async () => {
    await documents.send(new PutCommand({ TableName: 'customers', Item: customer('docu', 1) }));
    const { Attributes } = await unchanged(
      new UpdateCommand({ TableName: 'customers', Key: { pk: 'docu', sk: 1 }, UpdateExpression: 'SET note = :n', ExpressionAttributeValues: { ':n': 'updated' }, ReturnValues: 'ALL_NEW' }),
      (c) => documents.send(c),
    );
    expect(Attributes).toEqual({ ...customer('docu', 1), note: 'updated' });

    db.resetRequests();
    const refused = await documents
      .send(new UpdateCommand({ TableName: 'customers', Key: { pk: 'docu', sk: 1 }, UpdateExpression: 'SET email = :e', ExpressionAttributeValues: { ':e': 'x@example.com' } }))
      .catch((e: unknown) => e);
    expect(isDdbecError(refused, 'ERR_SIGNED_ATTRIBUTE_UPDATE')).toBe(true);
    expect(db.requests).toEqual({});

    const { Attributes: old } = await documents.send(new DeleteCommand({ TableName: 'customers', Key: { pk: 'docu', sk: 1 }, ReturnValues: 'ALL_OLD' }));
    expect(old).toEqual({ ...customer('docu', 1), note: 'updated' });
  });

  it('batch and transaction commands encrypt and decrypt too', async () => {
    const a = customer('docb', 1);
    const b = customer('docb', 2);
    const order = { id: 'o-doc', total: 5, state: 'paid' };
    db.resetRequests();
    await unchanged(new BatchWriteCommand({ RequestItems: { customers: [{ PutRequest: { Item: a } }], orders: [{ PutRequest: { Item: order } }] } }), (c) => documents.send(c));
    await unchanged(new TransactWriteCommand({ TransactItems: [{ Put: { TableName: 'customers', Item: b, ConditionExpression: 'attribute_not_exists(pk)' } }] }), (c) => documents.send(c));
    const wire = JSON.stringify([...bodies('BatchWriteItem'), ...bodies('TransactWriteItems')]);
    expect(wire).not.toContain(SECRET);
    expect(wire).toContain('*amzn-ddb-map-sig*');

    const { Responses } = await unchanged(new BatchGetCommand({ RequestItems: { customers: { Keys: [{ pk: 'docb', sk: 1 }] }, orders: { Keys: [{ id: 'o-doc' }] } } }), (c) => documents.send(c));
    expect(Responses?.['customers']).toEqual([a]);
    expect(Responses?.['orders']).toEqual([order]);
    const tx = await unchanged(
      new TransactGetCommand({ TransactItems: [{ Get: { TableName: 'customers', Key: { pk: 'docb', sk: 2 } } }, { Get: { TableName: 'orders', Key: { id: 'o-doc' } } }] }),
      (c) => documents.send(c),
    );
    expect(tx.Responses).toEqual([{ Item: b }, { Item: order }]);
  });

  it('two document clients with different options do not share a config', async () => {
    const wrapping = guardInputs(DynamoDBDocumentClient.from(EncryptedDynamoDBClient.from(plain, encryptionConfig()), { unmarshallOptions: { wrapNumbers: true } }));
    const { Item } = await wrapping.send(new GetCommand({ TableName: 'customers', Key: { pk: 'doc', sk: 1 } }));
    expect(Item?.['small']).toBeInstanceOf(NumberValue);
    const again = await documents.send(new GetCommand({ TableName: 'customers', Key: { pk: 'doc', sk: 1 } }));
    expect(again.Item?.['small']).toBe(0.25);
  });
});
