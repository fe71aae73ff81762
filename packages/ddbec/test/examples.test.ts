import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { expect, it } from 'vitest';
import { SecretKey } from 'ddbec';
import { formatSecretKeyFile, loadConfig } from 'ddbec/config';
import { EncryptedDynamoDBClient } from 'ddbec/sdk';
import { startLocalDynamoDB, startLocalKms } from '../../local/src/index.js';
import { main as searchable } from '../examples/searchable.js';
import { main as wrappedKeys } from '../examples/wrapped-keys.js';
import { ddbClientFor, kmsClientFor, newKmsKey } from './keyrings/support.js';

it('examples/wrapped-keys.ts runs and reads its item back', async () => {
  const lines: string[] = [];
  const item = await wrappedKeys((line) => lines.push(line));
  expect(item['email']).toEqual({ S: 'ada@example.com' });
  expect(lines[0]).toContain('*amzn-ddb-map-sig*');
});

it('examples/searchable.ts finds customers by encrypted email and by tenant and date range on the local stack', async () => {
  const [db, kms] = await Promise.all([startLocalDynamoDB(), startLocalKms()]);
  const dynamodb = ddbClientFor(db.endpoint);
  const kmsClient = kmsClientFor(kms.endpoint);
  try {
    const lines: string[] = [];
    const [byEmail, byTenantDate] = await searchable({ dynamodb, kms: kmsClient, kmsKeyArn: await newKmsKey(kmsClient) }, (line) => lines.push(line));
    expect(byEmail?.map((item) => item['id']).sort()).toEqual(['c1', 'c4']);
    expect(byTenantDate?.map((item) => item['id'])).toEqual(['c1']);
    expect(lines).toEqual([
      'email beacon: 8 to 14 bits advised; using 12',
      'email = :email: Ada, Ada (globex)',
      'tenant = :tenant AND TenantDate BETWEEN :from AND :to: Ada',
    ]);
  } finally {
    dynamodb.destroy();
    kmsClient.destroy();
    await Promise.all([db.stop(), kms.stop()]);
  }
});

it('examples/parallel-scan.ts sums a table in 2 worker threads, each decrypting its own segments', async () => {
  const run = promisify(execFile);
  const examples = fileURLToPath(new URL('../examples/', import.meta.url));
  // Worker threads run JavaScript: the examples are built as `npm run example` builds them.
  await run(process.execPath, [createRequire(import.meta.url).resolve('typescript/bin/tsc'), '-p', join(examples, 'tsconfig.json')]);
  const dir = mkdtempSync(join(tmpdir(), 'ddbec-parallel-scan-'));
  const db = await startLocalDynamoDB();
  const dynamodb = ddbClientFor(db.endpoint);
  try {
    writeFileSync(join(dir, 'aes.key'), formatSecretKeyFile(SecretKey.generate('AES', 256)));
    writeFileSync(join(dir, 'hmac.key'), formatSecretKeyFile(SecretKey.generate('HmacSHA256', 256)));
    const configPath = join(dir, 'ddbec.config.json');
    const provider = { type: 'static', encryptionKey: { file: 'aes.key' }, signingKey: { file: 'hmac.key' } };
    writeFileSync(configPath, JSON.stringify({ tables: { accounts: { partitionKey: 'id', provider } } }));
    await dynamodb.send(
      new CreateTableCommand({
        TableName: 'accounts',
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    const documents = DynamoDBDocumentClient.from(EncryptedDynamoDBClient.from(dynamodb, (await loadConfig(configPath)).encryptionConfig));
    const ITEMS = 300;
    for (let start = 0; start < ITEMS; start += 25) {
      const items = Array.from({ length: 25 }, (_, k) => ({ id: `account-${start + k}`, balance: start + k }));
      await documents.send(new BatchWriteCommand({ RequestItems: { accounts: items.map((Item) => ({ PutRequest: { Item } })) } }));
    }
    const env = { ...process.env, AWS_ENDPOINT_URL_DYNAMODB: db.endpoint, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local' };
    const { stdout } = await run(process.execPath, [join(examples, 'dist/parallel-scan.js'), configPath, 'accounts', '2'], { env });
    expect(stdout).toBe(`${ITEMS} items, total balance ${(ITEMS * (ITEMS - 1)) / 2}, 2 threads\n`);
  } finally {
    dynamodb.destroy();
    await db.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
