import { CreateTableCommand, GetItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { expect } from 'vitest';
import { startLocalDynamoDB, type LocalDynamoDB } from '../../../local/src/index.js';
import type { Item } from '../../src/index.js';
import { anyBytes, plainClient } from '../sdk/helpers.js';

/** What the guide's examples print, whichever ORM runs them. */
export const EXAMPLE_OUTPUT = [
  'get: Ada <ada@example.com>',
  'update of an encrypted attribute: refused (ERR_SIGNED_ATTRIBUTE_UPDATE)',
  'batch get: Grace, Linus',
  'query acme: Ada <ada@example.org> visits=2, Grace <grace@example.com> visits=0',
  'scan: 3 customers',
  'after delete: 2 customers',
];

/**
 * A local DynamoDB with table `customers`: partition key `partitionKey`, and a global index
 * (`index`, projecting ALL) on `indexKeys`.
 */
export async function startCustomersTable(partitionKey: string, index: string, indexKeys: readonly [string, string]): Promise<{ db: LocalDynamoDB; plain: DynamoDBClient }> {
  const db = await startLocalDynamoDB();
  const plain = plainClient(db.endpoint);
  await plain.send(
    new CreateTableCommand({
      TableName: 'customers',
      AttributeDefinitions: [partitionKey, ...indexKeys].map((name) => ({ AttributeName: name, AttributeType: 'S' })),
      KeySchema: [{ AttributeName: partitionKey, KeyType: 'HASH' }],
      GlobalSecondaryIndexes: [
        {
          IndexName: index,
          KeySchema: [
            { AttributeName: indexKeys[0], KeyType: 'HASH' },
            { AttributeName: indexKeys[1], KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  return { db, plain };
}

/** Reads an item with the plain client and checks which attributes are ciphertext and which are not. */
export async function expectAtRest(plain: DynamoDBClient, key: Item, encrypted: readonly string[], plaintext: Readonly<Record<string, unknown>>): Promise<void> {
  const { Item: stored } = await plain.send(new GetItemCommand({ TableName: 'customers', Key: key }));
  expect(stored?.['*amzn-ddb-map-sig*']).toEqual({ B: anyBytes });
  for (const name of encrypted) expect(stored?.[name], name).toEqual({ B: anyBytes });
  for (const [name, value] of Object.entries(plaintext)) expect(stored?.[name], name).toEqual(value);
}
