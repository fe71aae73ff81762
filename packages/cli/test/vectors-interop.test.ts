// Items from `ddbec vectors encrypt`, loaded into the local DynamoDB, read through the
// encrypting SDK client; and the KMS scenarios against a KMS endpoint that lacks their key.
import { BatchWriteItemCommand, CreateTableCommand, DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { AttributeActions, SecretKey, StaticMaterialsProvider, type Item } from 'ddbec';
import { EncryptedDynamoDBClient } from 'ddbec/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalDynamoDB, startLocalKms, type LocalKms, type LocalService } from '../../local/src/index.js';
import { compareItems } from '../src/vectors/compare.js';
import { expandPlaintext, fromVectorItem, type KeyEntry, type PlaintextFile } from '../src/vectors/manifest.js';
import { decryptScenarios, encryptScenarios } from '../src/vectors/run.js';
import { repo } from './support.js';

const scenarios = resolve(repo, '../shared/vectors/legacy/encrypted_item/scenarios.json');
const describeVectors = existsSync(scenarios) ? describe : describe.skip;
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

describeVectors('vector sets and the services', () => {
  let db: LocalService;
  let kms: LocalKms;
  const out = mkdtempSync(join(tmpdir(), 'ddbec-vectors-sdk-'));
  beforeAll(async () => {
    [db, kms] = await Promise.all([startLocalDynamoDB(), startLocalKms()]);
  });
  afterAll(async () => {
    await Promise.all([db.stop(), kms.stop()]);
    rmSync(out, { recursive: true, force: true });
  });

  it('items written by `ddbec vectors encrypt`, loaded into DynamoDB, read back through EncryptedDynamoDBClient', async () => {
    await encryptScenarios(scenarios, { outDir: out });
    const stored = JSON.parse(readFileSync(join(out, 'ciphertext/ddbec/python-static-aes-hmac-3.json'), 'utf8')) as Record<string, Record<string, unknown>[]>;
    const keys = JSON.parse(readFileSync(join(out, 'keys.json'), 'utf8')) as Record<string, KeyEntry>;
    const key = (name: string): Uint8Array => new Uint8Array(Buffer.from(keys[name]?.material ?? '', 'base64'));
    const provider = new StaticMaterialsProvider({ encryptionKey: SecretKey.fromBytes(key('aesKey'), 'AES'), signingKey: SecretKey.fromBytes(key('hmacKey'), 'HmacSHA256') });
    const plain = new DynamoDBClient({ endpoint: db.endpoint, region: 'us-east-1', credentials });
    await plain.send(
      new CreateTableCommand({
        TableName: 'TableName',
        AttributeDefinitions: [{ AttributeName: 'hashKey', AttributeType: 'N' }, { AttributeName: 'rangeKey', AttributeType: 'N' }],
        KeySchema: [{ AttributeName: 'hashKey', KeyType: 'HASH' }, { AttributeName: 'rangeKey', KeyType: 'RANGE' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    const items = (stored['TableName'] ?? []).map(fromVectorItem);
    for (let i = 0; i < items.length; i += 25) {
      await plain.send(new BatchWriteItemCommand({ RequestItems: { TableName: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) } }));
    }
    // The client has one set of actions per table: read the items written with the "encrypt" set.
    const plaintextFile = JSON.parse(readFileSync(join(out, 'plaintext.json'), 'utf8')) as PlaintextFile;
    const plaintext = expandPlaintext(plaintextFile, 'v1').get('TableName');
    const withEncrypt = (plaintextFile.items['TableName']?.items ?? []).map((entry, index) => ({ entry, index })).filter(({ entry }) => entry.action === 'encrypt');
    const client = EncryptedDynamoDBClient.from(plain, {
      tables: { TableName: { materialsProvider: provider, attributeActions: new AttributeActions({ attributeActions: { version: 'SIGN_ONLY' } }) } },
    });
    expect(withEncrypt.length).toBeGreaterThan(5);
    for (const { index } of withEncrypt) {
      const expected = plaintext?.items[index]?.attributes as Item;
      const Key = { hashKey: expected['hashKey'] as Item[string], rangeKey: expected['rangeKey'] as Item[string] };
      const { Item: read } = await client.send(new GetItemCommand({ TableName: 'TableName', Key }));
      expect(compareItems(expected, read as Item, { ignore: new Set() })).toEqual([]);
    }
    plain.destroy();
  });

  it('`--kms-endpoint`: KMS scenarios run where their key exists, and say so where it does not', async () => {
    const results = await decryptScenarios(scenarios, { kmsEndpoint: kms.endpoint });
    const network = results.filter((r) => r.name.includes('kms') || (r.name.endsWith('-3') && r.name.includes('metastore')));
    expect(network.map((r) => r.status)).toEqual(['skip', 'skip', 'skip', 'skip']);
    for (const result of network) expect(result.detail).toMatch(/^key arn:aws:kms:us-west-2:658956600833:key\/\S+ does not exist at http:\/\/127\.0\.0\.1:\d+$/);
    expect(results.filter((r) => r.status === 'ok')).toHaveLength(18);
  });
});
