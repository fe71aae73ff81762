import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startLocalDynamoDB, startLocalKms, type LocalKms, type LocalService } from '../../../local/src/index.js';
import { AttributeActions, ItemEncryptor } from '../../src/index.js';
import { MetaStore, MostRecentProvider } from '../../src/metastore/index.js';
import { DirectKmsMaterialsProvider } from '../../src/providers/direct-kms/index.js';

let kms: LocalKms;
let db: LocalService;
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
beforeAll(async () => {
  [kms, db] = await Promise.all([startLocalKms(), startLocalDynamoDB()]);
});
afterAll(async () => {
  await Promise.all([kms.stop(), db.stop()]);
});

it('a MetaStore protected by AWS KMS: KMS is called per version, never per item on a warm cache', async () => {
  const kmsClient = new KMSClient({ endpoint: kms.endpoint, region: 'us-east-1', credentials });
  const ddb = new DynamoDBClient({ endpoint: db.endpoint, region: 'us-east-1', credentials });
  const keyId = (await kmsClient.send(new CreateKeyCommand({}))).KeyMetadata?.Arn ?? '';
  await MetaStore.createTable(ddb, 'ddbec-keys', { pollMs: 10 });
  const store = new MetaStore({ client: ddb, tableName: 'ddbec-keys', materialsProvider: new DirectKmsMaterialsProvider({ kmsClient, keyId }) });
  const provider = new MostRecentProvider({ store, materialName: 'customers', ttlMs: 60_000 });
  const encryptor = new ItemEncryptor({ materialsProvider: provider });
  const config = { encryptionContext: { tableName: 'customers', partitionKeyName: 'id' }, attributeActions: new AttributeActions().withKeyAttributes('id') };

  kms.resetRequests();
  const first = await encryptor.encryptItem({ id: { S: '0' }, card: { S: '4242' } }, config);
  // Creating version 0 encrypts its row: one data key.
  expect(kms.requests.map((r) => r.operation)).toEqual(['GenerateDataKey']);
  expect(kms.requests[0]?.encryptionContext).toMatchObject({ N: 'customers', V: '0', '*aws-kms-table*': 'ddbec-keys' });

  kms.resetRequests();
  const items = await Promise.all(Array.from({ length: 100 }, (_, i) => encryptor.encryptItem({ id: { S: String(i) }, card: { S: '4242' } }, config)));
  await Promise.all(items.map((item) => encryptor.decryptItem(item, config)));
  expect(kms.requests).toHaveLength(0);

  // A new process reads the version once: one KMS Decrypt for the row, then none per item.
  const reader = new ItemEncryptor({ materialsProvider: new MostRecentProvider({ store, materialName: 'customers', ttlMs: 60_000 }) });
  await Promise.all([first, ...items].map((item) => reader.decryptItem(item, config)));
  expect(kms.requests.map((r) => r.operation)).toEqual(['Decrypt']);
  kmsClient.destroy();
  ddb.destroy();
});
