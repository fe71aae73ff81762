// The same integration through @aws-sdk/lib-dynamodb: native values in and out, exact numbers,
// and — from the request bodies the local DynamoDB received — ciphertext on the wire.
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
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
import { EncryptedDynamoDBClient, readModifyWriteDocument } from '../../src/sdk/index.js';
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
/** A JavaScript number lib-dynamodb refuses to marshall (beyond Number.MAX_SAFE_INTEGER); its error quotes it. */
const UNSAFE = Number.MAX_SAFE_INTEGER * 3;
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

  it('readModifyWriteDocument changes encrypted attributes with native values and the document client\'s options', async () => {
    await documents.send(new PutCommand({ TableName: 'customers', Item: customer('docrmw', 1) }));
    db.resetRequests();
    let calls = 0;
    const result = await readModifyWriteDocument(documents, {
      TableName: 'customers',
      Key: { pk: 'docrmw', sk: 1 },
      update: async (current) => {
        calls += 1;
        expect(current?.['balance']).toBeInstanceOf(NumberValue); // the client's wrapNumbers: exactNumbers
        // a concurrent writer changes the item before the first write: readModifyWriteDocument starts again
        if (calls === 1) await documents.send(new PutCommand({ TableName: 'customers', Item: { ...current, plan: 'enterprise' } }));
        return { ...current, email: 'new-secret@example.com', tags: new Set(['c']), gone: undefined };
      },
    });
    const expected = { ...customer('docrmw', 1), email: 'new-secret@example.com', tags: new Set(['c']), plan: 'enterprise' };
    expect(result).toEqual({ Item: { ...expected, gone: undefined }, written: true, attempts: 2 });
    expect((await documents.send(new GetCommand({ TableName: 'customers', Key: { pk: 'docrmw', sk: 1 } }))).Item).toEqual(expected);
    expect(JSON.stringify(bodies('PutItem'))).not.toContain('new-secret');

    const created = await readModifyWriteDocument(documents, { TableName: 'customers', Key: { pk: 'docrmw', sk: 2 }, update: (current) => (current ? undefined : customer('docrmw', 2)) });
    expect(created).toMatchObject({ written: true, attempts: 1 });
    const skipped = await readModifyWriteDocument(documents, { TableName: 'customers', Key: { pk: 'docrmw', sk: 2 }, update: () => undefined });
    expect(skipped).toEqual({ Item: customer('docrmw', 2), written: false, attempts: 1 });
    const moved = await readModifyWriteDocument(documents, { TableName: 'customers', Key: { pk: 'docrmw', sk: 2 }, update: (current) => ({ ...current, sk: 3 }) }).catch((e: unknown) => e);
    expect(isDdbecError(moved, 'ERR_INVALID_ARGUMENT')).toBe(true);
    const leaking = await readModifyWriteDocument(documents, { TableName: 'customers', Key: { pk: 'docrmw', sk: 2 }, update: (current) => ({ ...current, secret: UNSAFE }) }).catch((e: unknown) => e);
    expect(isDdbecError(leaking, 'ERR_SERIALIZATION')).toBe(true);
    expect((leaking as Error).message).toContain('the updated item: lib-dynamodb cannot marshall "secret" (a JavaScript number beyond Number.MAX_SAFE_INTEGER');
    expect((leaking as Error).message).not.toContain(String(UNSAFE));
    const overPlain = await readModifyWriteDocument(DynamoDBDocumentClient.from(plain), { TableName: 'customers', Key: { pk: 'x', sk: 1 }, update: () => undefined }).catch((e: unknown) => e);
    expect((overPlain as Error).message).toContain('needs a DynamoDBDocumentClient made from an EncryptedDynamoDBClient');
  });

  it('undefined values: exactly what lib-dynamodb does without ddbec, for both removeUndefinedValues settings', async () => {
    for (const removeUndefinedValues of [false, true]) {
      const viaDdbec = DynamoDBDocumentClient.from(EncryptedDynamoDBClient.from(plain, encryptionConfig()), { marshallOptions: { removeUndefinedValues } });
      const without = DynamoDBDocumentClient.from(plain, { marshallOptions: { removeUndefinedValues } });
      const item = { top: undefined, profile: { gone: undefined, kept: 1 }, list: [1, undefined], tags: new Set(['a', undefined]) };
      const outcome = (client: DynamoDBDocumentClient, TableName: string, key: Record<string, unknown>): Promise<string> =>
        client.send(new PutCommand({ TableName, Item: { ...key, ...item } })).then(
          () => 'written',
          (error: unknown) => `${(error as Error).name}: ${(error as Error).message}`,
        );
      const encrypted = await outcome(viaDdbec, 'customers', { pk: 'undef', sk: removeUndefinedValues ? 1 : 0 });
      expect(encrypted).toBe(await outcome(without, 'plain', { id: 'undef' }));
      expect(encrypted).toBe(removeUndefinedValues ? 'written' : 'Error: Pass options.removeUndefinedValues=true to remove undefined values from map/array/set.');
    }
    const { Item } = await documents.send(new GetCommand({ TableName: 'customers', Key: { pk: 'undef', sk: 1 } }));
    expect(Item).toEqual({ pk: 'undef', sk: 1, profile: { kept: 1 }, list: [1], tags: new Set(['a']) });
  });

  it('conversion errors of lib-dynamodb never carry a value of an encrypted table, in either direction', async () => {
    const bare = DynamoDBDocumentClient.from(EncryptedDynamoDBClient.from(plain, encryptionConfig()));
    class Secret {
      toString(): string {
        return 'SECRET-CLASS-VALUE';
      }
    }
    const refusals: [{ readonly input: unknown }, string, string][] = [
      [new PutCommand({ TableName: 'customers', Item: { pk: 'leak', sk: 1, secret: UNSAFE } }), 'PutItem (table "customers"): lib-dynamodb cannot marshall Item.secret (a JavaScript number beyond Number.MAX_SAFE_INTEGER', String(UNSAFE)],
      [new PutCommand({ TableName: 'customers', Item: { pk: 'leak', sk: 1, profile: { secret: new Secret() } } }), 'cannot marshall Item.profile (an unsupported type', 'SECRET-CLASS-VALUE'],
      [new PutCommand({ TableName: 'orders', Item: { id: 'leak', total: Number.NaN } }), 'cannot marshall Item.total (NaN and Infinity are not DynamoDB numbers)', 'Special numeric value'],
      [new UpdateCommand({ TableName: 'customers', Key: { pk: 'leak', sk: 1 }, UpdateExpression: 'SET note = :n', ExpressionAttributeValues: { ':n': UNSAFE } }), 'ExpressionAttributeValues.:n', String(UNSAFE)],
      [new BatchWriteCommand({ RequestItems: { customers: [{ PutRequest: { Item: { pk: 'leak', sk: 1, secret: UNSAFE } } }] } }), 'RequestItems.customers[0].PutRequest.Item.secret', String(UNSAFE)],
      [new PutCommand({ TableName: 'audit', Item: { id: 'leak', secret: UNSAFE } }), 'PutItem (table "audit")', String(UNSAFE)],
    ];
    db.resetRequests();
    for (const [command, message, secret] of refusals) {
      const error = await (bare.send as (command: unknown) => Promise<unknown>)(command).catch((e: unknown) => e);
      expect(isDdbecError(error, 'ERR_SERIALIZATION'), String(error)).toBe(true);
      expect((error as Error).message).toContain(message);
      expect((error as Error).message).not.toContain(secret);
      expect((error as Error).cause).toBeUndefined();
    }
    expect(db.requests).toEqual({});
    // a table declared plaintext keeps lib-dynamodb's own error
    const plainError = await bare.send(new PutCommand({ TableName: 'plain', Item: { id: 'leak', n: UNSAFE } })).catch((e: unknown) => e);
    expect(isDdbecError(plainError)).toBe(false);
    expect((plainError as Error).message).toContain(String(UNSAFE));

    // unmarshalling a decrypted number a JavaScript number cannot hold (no wrapNumbers)
    await plain.send(new PutItemCommand({ TableName: 'plain', Item: { id: { S: 'x' } } }));
    const encrypted = EncryptedDynamoDBClient.from(plain, encryptionConfig());
    await encrypted.send(new PutItemCommand({ TableName: 'customers', Item: { pk: { S: 'leak' }, sk: { N: '2' }, balance: { N: '123456789012345678901.5' } } }));
    for (const command of [
      new GetCommand({ TableName: 'customers', Key: { pk: 'leak', sk: 2 } }),
      new QueryCommand({ TableName: 'customers', KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': 'leak' } }),
    ]) {
      const error = await (bare.send as (command: unknown) => Promise<unknown>)(command).catch((e: unknown) => e);
      expect(isDdbecError(error, 'ERR_SERIALIZATION'), String(error)).toBe(true);
      expect((error as Error).message).toMatch(/lib-dynamodb cannot unmarshall (Item|Items\[0\])\.balance \(a number a JavaScript number cannot hold exactly: set unmarshallOptions.wrapNumbers\)/);
      expect((error as Error).message).not.toContain('123456789012345678901');
    }
  });
});
