// Numeric key values survive a DynamoDB round trip with every provider. DynamoDB stores a number
// trimmed and in plain notation (`1.50` → `1.5`, `1E+2` → `100`); Direct KMS binds the key values
// into the KMS encryption context, so it must use that form, or the item can never be decrypted
// once read back.
import {
  CreateTableCommand,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { NumberValueImpl as NumberValue } from '@aws-sdk/util-dynamodb';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalDynamoDB, startLocalKms, type LocalDynamoDB, type LocalKms } from '../../../local/src/index.js';
import {
  AttributeActions,
  ItemEncryptor,
  SecretKey,
  StaticMaterialsProvider,
  WrappedMaterialsProvider,
  type CryptographicMaterialsProvider,
  type Item,
} from '../../src/index.js';
import { canonicalizeNumber } from '../../src/format/index.js';
import { MetaStore, MostRecentProvider } from '../../src/metastore/index.js';
import { DirectKmsMaterialsProvider } from '../../src/providers/direct-kms/index.js';
import { EncryptedDynamoDBClient } from '../../src/sdk/index.js';
import { exactNumbers } from '../../src/sdk/native.js';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const TABLE = 'ledger';
const actions = new AttributeActions().withKeyAttributes('pk', 'sk');
const crypto = { encryptionContext: { tableName: TABLE, partitionKeyName: 'pk', sortKeyName: 'sk' }, attributeActions: actions };

let db: LocalDynamoDB;
let kms: LocalKms;
let plain: DynamoDBClient;
let kmsClient: KMSClient;
let directKms: DirectKmsMaterialsProvider;

beforeAll(async () => {
  [db, kms] = await Promise.all([startLocalDynamoDB(), startLocalKms()]);
  plain = new DynamoDBClient({ endpoint: db.endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });
  kmsClient = new KMSClient({ endpoint: kms.endpoint, region: 'us-east-1', credentials });
  const keyId = (await kmsClient.send(new CreateKeyCommand({}))).KeyMetadata?.Arn ?? '';
  directKms = new DirectKmsMaterialsProvider({ kmsClient, keyId });
  await plain.send(
    new CreateTableCommand({
      TableName: TABLE,
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'N' },
        { AttributeName: 'sk', AttributeType: 'N' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  await MetaStore.createTable(plain, 'ddbec-keys', { pollMs: 10 });
});
afterAll(async () => {
  plain.destroy();
  kmsClient.destroy();
  await Promise.all([db.stop(), kms.stop()]);
});

it.each(['1.50', '1E+2', '0.0', '-0', '00012', '1.0e-5', '-1.500E-10', '.5', '5.', '9.99e125', '1e-130', '12345678901234567890123456789012345678E+50'])(
  'the local DynamoDB returns %s as canonicalizeNumber writes it',
  async (text) => {
    await plain.send(new PutItemCommand({ TableName: TABLE, Item: { pk: { N: text }, sk: { N: '0' } } }));
    const { Items } = await plain.send(new QueryCommand({ TableName: TABLE, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { N: text } } }));
    expect(Items?.map((item) => item['pk'])).toEqual([{ N: canonicalizeNumber(text) }]);
    await plain.send(new DeleteItemCommand({ TableName: TABLE, Key: { pk: { N: text }, sk: { N: '0' } } }));
  },
);

const providers: [string, () => CryptographicMaterialsProvider][] = [
  ['Direct KMS', () => directKms],
  ['most recent (MetaStore over Direct KMS)', () => new MostRecentProvider({ store: new MetaStore({ client: plain, tableName: 'ddbec-keys', materialsProvider: directKms }), materialName: 'ledger', ttlMs: 60_000 })],
  ['wrapped', () => new WrappedMaterialsProvider({ wrappingKey: SecretKey.generate('AES', 256), signingKey: SecretKey.generate('HmacSHA256', 256) })],
  ['static', () => new StaticMaterialsProvider({ encryptionKey: SecretKey.generate('AES', 256), signingKey: SecretKey.generate('HmacSHA256', 256) })],
];

describe.each(providers)('an item keyed pk = 1.50, sk = 1E+2 reads back from DynamoDB (%s)', (_name, provider) => {
  const item: Item = { pk: { N: '1.50' }, sk: { N: '1E+2' }, secret: { S: 'the secret' } };
  const key = { pk: { N: '1.50' }, sk: { N: '1E+2' } };
  const readBack: Item = { pk: { N: '1.5' }, sk: { N: '100' }, secret: { S: 'the secret' } };

  it('through EncryptedDynamoDBClient', async () => {
    const client = EncryptedDynamoDBClient.from(plain, { tables: { [TABLE]: { materialsProvider: provider(), attributeActions: actions, keySchema: { partitionKey: 'pk', sortKey: 'sk' } } } });
    await client.send(new PutItemCommand({ TableName: TABLE, Item: item }));
    expect((await client.send(new GetItemCommand({ TableName: TABLE, Key: key }))).Item).toEqual(readBack);
    await client.send(new DeleteItemCommand({ TableName: TABLE, Key: key }));
  });

  it('through DynamoDBDocumentClient over EncryptedDynamoDBClient', async () => {
    const client = EncryptedDynamoDBClient.from(plain, { tables: { [TABLE]: { materialsProvider: provider(), attributeActions: actions, keySchema: { partitionKey: 'pk', sortKey: 'sk' } } } });
    const documents = DynamoDBDocumentClient.from(client, { unmarshallOptions: { wrapNumbers: exactNumbers } });
    await documents.send(new PutCommand({ TableName: TABLE, Item: { pk: NumberValue.from('1.50'), sk: NumberValue.from('1E+2'), secret: 'the secret' } }));
    const { Item } = await documents.send(new GetCommand({ TableName: TABLE, Key: { pk: 1.5, sk: 100 } }));
    expect(Item).toEqual({ pk: 1.5, sk: 100, secret: 'the secret' });
    await client.send(new DeleteItemCommand({ TableName: TABLE, Key: key }));
  });

  it('through ItemEncryptor and a plain client', async () => {
    const encryptor = new ItemEncryptor({ materialsProvider: provider() });
    await plain.send(new PutItemCommand({ TableName: TABLE, Item: await encryptor.encryptItem(item, crypto) }));
    const { Item } = await plain.send(new GetItemCommand({ TableName: TABLE, Key: key }));
    expect(await encryptor.decryptItem(Item ?? {}, crypto)).toEqual(readBack);
    await plain.send(new DeleteItemCommand({ TableName: TABLE, Key: key }));
  });
});

it('Direct KMS puts the key values into the KMS encryption context as DynamoDB returns them', async () => {
  kms.resetRequests();
  await new ItemEncryptor({ materialsProvider: directKms }).encryptItem({ pk: { N: '-001.2500E+3' }, sk: { N: '0.0' } }, crypto);
  expect(kms.requests[0]?.encryptionContext).toMatchObject({ pk: '-1250', sk: '0', '*aws-kms-table*': TABLE });
});

it('Direct KMS refuses a key value that is not a number, naming the attribute', async () => {
  const item = { pk: { N: '1,5' }, sk: { N: '1' } };
  // The item encryptor refuses it first, as DynamoDB would; the provider on its own does too.
  const viaEncryptor = await new ItemEncryptor({ materialsProvider: directKms }).encryptItem(item, crypto).catch((e: unknown) => e);
  expect(viaEncryptor).toMatchObject({ code: 'ERR_INVALID_ITEM', message: expect.stringContaining('"pk"') as unknown });
  const context = { ...crypto.encryptionContext, attributes: item, materialDescription: new Map<string, string>() };
  const error = await directKms.getEncryptionMaterials(context).catch((e: unknown) => e);
  expect(error).toMatchObject({ code: 'ERR_SERIALIZATION', message: expect.stringContaining('"pk"') as unknown });
  for (const e of [viaEncryptor, error]) expect(String(e)).not.toContain('1,5');
});
