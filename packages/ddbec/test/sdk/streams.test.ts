// DynamoDB Streams records (the JSON shape of a Lambda DynamoDBStreamEvent) decrypted with the
// table configuration of the encrypting client.
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalDynamoDB } from '../../../local/src/index.js';
import { isDdbecError, type Item } from '../../src/index.js';
import { EncryptedDynamoDBClient, StreamRecordDecryptor, type StreamAttributeValue } from '../../src/sdk/index.js';
import { CUSTOMERS_ACTIONS, customer, encryptionConfig, guardInputs, plainClient, startDatabase, staticProvider } from './helpers.js';

let db: LocalDynamoDB;
let plain: DynamoDBClient;
let client: EncryptedDynamoDBClient;

beforeAll(async () => {
  db = await startDatabase();
  plain = plainClient(db.endpoint);
  client = guardInputs(EncryptedDynamoDBClient.from(plain, encryptionConfig()));
});
afterAll(async () => {
  plain.destroy();
  await db.stop();
});

/** An item as Lambda delivers it: JSON, with binary values as base64 text. */
const lambdaJson = (item: Item): Record<string, StreamAttributeValue> =>
  JSON.parse(JSON.stringify(item, (_key, value: unknown) => (value instanceof Uint8Array ? Buffer.from(value).toString('base64') : value))) as Record<string, StreamAttributeValue>;

const arn = (table: string): string => `arn:aws:dynamodb:us-east-1:000000000000:table/${table}/stream/2026-01-01T00:00:00.000`;

describe('StreamRecordDecryptor', () => {
  it('decrypts NewImage and OldImage of a Lambda event, in order, and passes plaintext tables through', async () => {
    const before = customer('stream', 1);
    const after = customer('stream', 1, { email: { S: 'new@example.com' }, note: { S: 'changed' } });
    const key = { pk: { S: 'stream' }, sk: { N: '1' } };
    await client.send(new PutItemCommand({ TableName: 'customers', Item: before }));
    const oldImage = (await plain.send(new GetItemCommand({ TableName: 'customers', Key: key }))).Item as Item;
    await client.send(new PutItemCommand({ TableName: 'customers', Item: after }));
    const newImage = (await plain.send(new GetItemCommand({ TableName: 'customers', Key: key }))).Item as Item;
    const row: Item = { id: { S: 'r' }, data: { B: new Uint8Array([1, 2]) } };
    const event = {
      Records: [
        { eventID: '1', eventName: 'INSERT', eventSourceARN: arn('customers'), dynamodb: { Keys: lambdaJson(key), NewImage: lambdaJson(oldImage), StreamViewType: 'NEW_AND_OLD_IMAGES' } },
        { eventID: '2', eventName: 'MODIFY', eventSourceARN: arn('customers'), dynamodb: { Keys: lambdaJson(key), NewImage: lambdaJson(newImage), OldImage: lambdaJson(oldImage) } },
        { eventID: '3', eventName: 'REMOVE', eventSourceARN: arn('customers'), dynamodb: { Keys: lambdaJson(key), OldImage: lambdaJson(newImage) } },
        { eventID: '4', eventName: 'INSERT', eventSourceARN: arn('plain'), dynamodb: { Keys: lambdaJson({ id: row['id'] as never }), NewImage: lambdaJson(row) } },
      ],
    };
    const copy = structuredClone(event);
    const decryptor = new StreamRecordDecryptor(encryptionConfig(), { client: plain });
    const { Records } = await decryptor.decryptEvent(event);
    expect(event).toEqual(copy);
    expect(Records.map((r) => r.eventID)).toEqual(['1', '2', '3', '4']);
    expect(Records[0]?.dynamodb?.NewImage).toEqual(before);
    expect(Records[0]?.dynamodb?.Keys).toEqual(key);
    expect(Records[1]?.dynamodb).toMatchObject({ NewImage: after, OldImage: before });
    expect(Records[1]?.dynamodb).toHaveProperty('Keys', key);
    expect(Records[2]?.dynamodb?.OldImage).toEqual(after);
    expect(Records[3]?.dynamodb?.NewImage).toEqual(row);
  });

  it('refuses records of tables that are not configured, or a case-only variant of one, unless unknownTables: passthrough', async () => {
    const row: Item = { id: { S: 'r' } };
    const record = (table: string) => ({ eventSourceARN: arn(table), dynamodb: { Keys: lambdaJson(row), NewImage: lambdaJson(row) } });
    const decryptor = new StreamRecordDecryptor(encryptionConfig(), { client: plain });
    const unknown = await decryptor.decryptRecord(record('audit')).catch((e: unknown) => e);
    expect(isDdbecError(unknown, 'ERR_UNKNOWN_TABLE')).toBe(true);
    expect((unknown as Error).message).toContain('"audit"');
    const typo = await decryptor.decryptRecord(record('Customers')).catch((e: unknown) => e);
    expect((typo as Error).message).toContain('did you mean "customers"?');
    const open = new StreamRecordDecryptor(encryptionConfig({ unknownTables: 'passthrough' }), { client: plain });
    expect((await open.decryptRecord(record('audit'))).dynamodb?.NewImage).toEqual(row);
  });

  it('works from explicit key schemas without a client; a tampered image fails', async () => {
    const item = customer('stream', 2);
    await client.send(new PutItemCommand({ TableName: 'customers', Item: item }));
    const image = (await plain.send(new GetItemCommand({ TableName: 'customers', Key: { pk: { S: 'stream' }, sk: { N: '2' } } }))).Item as Item;
    const decryptor = new StreamRecordDecryptor({
      tables: {
        customers: {
          materialsProvider: staticProvider,
          attributeActions: CUSTOMERS_ACTIONS,
          keySchema: {
            partitionKey: 'pk',
            sortKey: 'sk',
            indexes: [
              { indexName: 'byRegion', partitionKey: 'region' },
              { indexName: 'byStatus', partitionKey: 'status' },
              { indexName: 'byCreated', type: 'local', partitionKey: 'pk', sortKey: 'created' },
            ],
          },
        },
      },
    });
    const record = await decryptor.decryptRecord({ dynamodb: { NewImage: image } }, 'customers');
    expect(record.dynamodb?.NewImage).toEqual(item);
    const tampered = await decryptor.decryptRecord({ eventSourceARN: arn('customers'), dynamodb: { NewImage: { ...image, plan: { S: 'free' } } } }).catch((e: unknown) => e);
    expect(isDdbecError(tampered, 'ERR_SIGNATURE_INVALID')).toBe(true);
    const anonymous = await decryptor.decryptRecord({ dynamodb: { NewImage: image } }).catch((e: unknown) => e);
    expect(isDdbecError(anonymous, 'ERR_INVALID_ARGUMENT')).toBe(true);
    expect(() => new StreamRecordDecryptor(encryptionConfig())).toThrow(/needs a keySchema/);
  });
});
