// Items DynamoDB would refuse are refused by the SDK integration before anything is sent, also
// when the bad value is in an encrypted attribute (DynamoDB would only see its ciphertext and
// store it): the local DynamoDB counts every request it receives.
import { BatchWriteItemCommand, GetItemCommand, PutItemCommand, ScanCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { NumberValueImpl as NumberValue } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalDynamoDB } from '../../../local/src/index.js';
import { isDdbecError, type Item } from '../../src/index.js';
import { EncryptedDynamoDBClient } from '../../src/sdk/index.js';
import { customer, encryptionConfig, guardInputs, plainClient, startDatabase } from './helpers.js';

let db: LocalDynamoDB;
let plain: DynamoDBClient;
let client: EncryptedDynamoDBClient;
let documents: DynamoDBDocumentClient;

beforeAll(async () => {
  db = await startDatabase();
  plain = plainClient(db.endpoint);
  client = guardInputs(EncryptedDynamoDBClient.from(plain, encryptionConfig()));
  // Discover (and cache) the key schema of customers now, so that a refused request sends nothing.
  await client.send(new GetItemCommand({ TableName: 'customers', Key: { pk: { S: 'none' }, sk: { N: '0' } } }));
  documents = guardInputs(DynamoDBDocumentClient.from(client));
});
afterAll(async () => {
  plain.destroy();
  await db.stop();
});

const THIRTY_NINE_DIGITS = '123456789012345678901234567890123456789';

/** Sends the command; expects ERR_INVALID_ITEM with `mentions`, no request at all, and no value in the message. */
async function refused(send: () => Promise<unknown>, ...mentions: string[]): Promise<void> {
  db.resetRequests();
  const error = await send().catch((e: unknown) => e);
  expect(isDdbecError(error, 'ERR_INVALID_ITEM'), String(error)).toBe(true);
  const message = (error as Error).message;
  for (const text of mentions) expect(message).toContain(text);
  expect(message).not.toContain('1234567890');
  expect(db.requests).toEqual({});
}

/** The items of `customers` under partition key `pk`, as stored. */
async function storedUnder(pk: string): Promise<Item[]> {
  const { Items } = await plain.send(new ScanCommand({ TableName: 'customers', FilterExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: pk } } }));
  return Items ?? [];
}

describe('an item DynamoDB would refuse is refused before sending', () => {
  it('PutItem with a 39-digit number in an encrypted attribute', async () => {
    const item = customer('bad-put', 1, { balance: { N: THIRTY_NINE_DIGITS } });
    await refused(() => client.send(new PutItemCommand({ TableName: 'customers', Item: item })), 'attribute "balance"', 'more than 38 significant digits');
    const { Item: stored } = await plain.send(new GetItemCommand({ TableName: 'customers', Key: { pk: { S: 'bad-put' }, sk: { N: '1' } } }));
    expect(stored).toBeUndefined();
    // the same item with a valid number is written
    await client.send(new PutItemCommand({ TableName: 'customers', Item: customer('bad-put', 1) }));
    expect(await storedUnder('bad-put')).toHaveLength(1);
  });

  it('BatchWriteItem with one bad item among good ones: nothing is written at all', async () => {
    const batch = new BatchWriteItemCommand({
      RequestItems: {
        customers: [
          { PutRequest: { Item: customer('bad-batch', 1) } },
          { PutRequest: { Item: customer('bad-batch', 2, { prices: { NS: ['1.50', '1.5'] } }) } },
          { PutRequest: { Item: customer('bad-batch', 3) } },
        ],
        orders: [{ PutRequest: { Item: { id: { S: 'bad-batch' }, state: { S: 'new' } } } }],
      },
    });
    await refused(() => client.send(batch), 'attribute "prices"', 'duplicate members in a number set');
    expect(await storedUnder('bad-batch')).toEqual([]);
    const { Item: order } = await plain.send(new GetItemCommand({ TableName: 'orders', Key: { id: { S: 'bad-batch' } } }));
    expect(order).toBeUndefined();
  });

  it('DocumentClient PutCommand with a NumberValue of 39 digits in an encrypted attribute', async () => {
    const item = { pk: 'bad-doc', sk: 1, name: 'Ada', balance: NumberValue.from(THIRTY_NINE_DIGITS) };
    await refused(() => documents.send(new PutCommand({ TableName: 'customers', Item: item })), 'attribute "balance"', 'more than 38 significant digits');
    expect(await storedUnder('bad-doc')).toEqual([]);
  });

  it('DocumentClient PutCommand with a number set whose members are equal in value, nested in an encrypted map', async () => {
    const item = { pk: 'bad-doc', sk: 2, profile: { languages: ['en', { scores: new Set([NumberValue.from('2.50'), NumberValue.from('2.5')]) }] } };
    await refused(
      () => documents.send(new PutCommand({ TableName: 'customers', Item: item })),
      'attribute "profile" (a map value, in list element [1], in a map value): duplicate members in a number set',
    );
    expect(await storedUnder('bad-doc')).toEqual([]);
  });
});
