import { CreateTableCommand, DynamoDBClient, type CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { expect } from 'vitest';
import { startLocalDynamoDB, type LocalDynamoDB, type LocalDynamoDBOptions } from '../../../local/src/index.js';
import {
  AttributeActions,
  CryptoAction,
  SecretKey,
  StaticMaterialsProvider,
  WrappedMaterialsProvider,
  type CryptographicMaterialsProvider,
  type Item,
} from '../../src/index.js';
import type { EncryptionConfig } from '../../src/sdk/index.js';

export const staticProvider = new StaticMaterialsProvider({ encryptionKey: SecretKey.generate('AES', 256), signingKey: SecretKey.generate('HmacSHA256', 256) });
export const wrappedProvider = new WrappedMaterialsProvider({ wrappingKey: SecretKey.generate('AES', 256), signingKey: SecretKey.generate('HmacSHA256', 256) });

/**
 * `customers`: pk (S) + sk (N); GSI `byRegion` on `region` (ALL), GSI `byStatus` on `status`
 * (KEYS_ONLY), LSI `byCreated` on `created` (KEYS_ONLY). Actions: `plan` and `created` sign-only,
 * `note` and `visits` do-nothing, everything else (including the index key `region` and
 * `status`, downgraded to sign-only) encrypted.
 */
export const CUSTOMERS_ACTIONS = new AttributeActions({
  attributeActions: { plan: CryptoAction.SignOnly, created: CryptoAction.SignOnly, note: CryptoAction.DoNothing, visits: CryptoAction.DoNothing },
});
/** `orders`: pk `id` (S) only; everything encrypted except `state` (sign-only); wrapped keys; signed as `orders-logical`. */
export const ORDERS_ACTIONS = new AttributeActions({ attributeActions: { state: CryptoAction.SignOnly } });

export const TABLES: readonly CreateTableCommandInput[] = [
  {
    TableName: 'customers',
    AttributeDefinitions: [
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'sk', AttributeType: 'N' },
      { AttributeName: 'region', AttributeType: 'S' },
      { AttributeName: 'status', AttributeType: 'S' },
      { AttributeName: 'created', AttributeType: 'N' },
    ],
    KeySchema: [
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [
      { IndexName: 'byRegion', KeySchema: [{ AttributeName: 'region', KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' } },
      { IndexName: 'byStatus', KeySchema: [{ AttributeName: 'status', KeyType: 'HASH' }], Projection: { ProjectionType: 'KEYS_ONLY' } },
    ],
    LocalSecondaryIndexes: [
      {
        IndexName: 'byCreated',
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'created', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'KEYS_ONLY' },
      },
    ],
    BillingMode: 'PAY_PER_REQUEST',
  },
  {
    TableName: 'orders',
    AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
    BillingMode: 'PAY_PER_REQUEST',
  },
  {
    TableName: 'plain',
    AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
    BillingMode: 'PAY_PER_REQUEST',
  },
];

/**
 * The configuration the tests use: `customers` discovered with DescribeTable, `orders` with an
 * explicit key schema, `plain` declared plaintext.
 */
export function encryptionConfig(overrides: Partial<EncryptionConfig> = {}, provider: CryptographicMaterialsProvider = staticProvider): EncryptionConfig {
  return {
    tables: {
      customers: { materialsProvider: provider, attributeActions: CUSTOMERS_ACTIONS },
      orders: { materialsProvider: wrappedProvider, attributeActions: ORDERS_ACTIONS, logicalTableName: 'orders-logical', keySchema: { partitionKey: 'id' } },
    },
    plaintextTables: ['plain'],
    ...overrides,
  };
}

/** The ItemEncryptor config equivalent to the table config of `customers` (index keys downgraded to sign-only). */
export const CUSTOMERS_CRYPTO = {
  encryptionContext: { tableName: 'customers', partitionKeyName: 'pk', sortKeyName: 'sk' },
  attributeActions: CUSTOMERS_ACTIONS.withKeyAttributes('pk', 'sk', 'region', 'status', 'created'),
};

export function plainClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 });
}

export async function startDatabase(options: LocalDynamoDBOptions = {}): Promise<LocalDynamoDB> {
  const db = await startLocalDynamoDB(options);
  const client = plainClient(db.endpoint);
  try {
    for (const table of TABLES) await client.send(new CreateTableCommand(table));
  } finally {
    client.destroy();
  }
  db.resetRequests();
  return db;
}

/** A customer item in canonical form (numbers canonical, string sets sorted), so it reads back exactly. */
export function customer(pk: string, sk: number, extra: Item = {}): Item {
  return {
    pk: { S: pk },
    sk: { N: String(sk) },
    name: { S: `Customer ${pk}` },
    email: { S: `${pk}@example.com` },
    balance: { N: '1.5' },
    tags: { SS: ['gold', 'vip'] },
    avatar: { B: new Uint8Array([1, 2, 3, sk & 255]) },
    profile: { M: { languages: { L: [{ S: 'en' }, { S: 'fr' }] }, verified: { BOOL: true }, nothing: { NULL: true } } },
    region: { S: 'emea' },
    status: { S: 'active' },
    created: { N: String(1_700_000_000 + sk) },
    plan: { S: 'pro' },
    note: { S: 'free text' },
    visits: { N: '1' },
    ...extra,
  };
}

/** Checks what a plain client reads back: ciphertext for encrypted attributes, the two reserved attributes, plaintext for the others. */
export const skOf = (item: Item): number => Number((item['sk'] as { N: string }).N);

export function expectStoredEncrypted(stored: Item | undefined, original: Item, plaintextNames: readonly string[]): void {
  expect(stored).toBeDefined();
  const item = stored as Item;
  expect(item['*amzn-ddb-map-sig*']).toEqual({ B: anyBytes });
  expect(item['*amzn-ddb-map-desc*']).toEqual({ B: anyBytes });
  for (const name of Object.keys(original)) {
    if (plaintextNames.includes(name)) expect(item[name], name).toEqual(original[name]);
    else {
      expect(item[name], name).toEqual({ B: anyBytes });
      expect(item[name], name).not.toEqual(original[name]);
    }
  }
}

/** Matches any byte array (typed for the linter). */
export const anyBytes: unknown = expect.any(Uint8Array);
/** Matches any string. */
export const anyString: unknown = expect.any(String);

/** Plaintext attributes of `customers` items. */
export const CUSTOMERS_PLAINTEXT = ['pk', 'sk', 'region', 'status', 'created', 'plan', 'note', 'visits'];

/**
 * Sends `command` with `send` and checks the caller's input is deep-equal before and after
 * (nothing the integration does may mutate it): `await unchanged(new GetItemCommand(…), (c) => client.send(c))`.
 */
export async function unchanged<C extends { readonly input: unknown }, O>(command: C, send: (command: C) => Promise<O>): Promise<O> {
  const before = structuredClone(command.input);
  try {
    return await send(command);
  } finally {
    expect(command.input).toEqual(before);
  }
}

/**
 * Makes every `client.send(command)` of this client object check that the command's input is
 * deep-equal before and after the call (the test's own client objects only).
 */
export function guardInputs<C extends object>(client: C): C {
  const target = client as unknown as { send: (command: { readonly input: unknown }, ...rest: unknown[]) => Promise<unknown> };
  const send = target.send.bind(client);
  target.send = async (command, ...rest) => {
    const before = structuredClone(command.input);
    try {
      return await send(command, ...rest);
    } finally {
      expect(command.input, `${command.constructor.name} input`).toEqual(before);
    }
  };
  return client;
}
