// npm run bench (second script): the cost of the AWS SDK integration (ddbec/sdk) over the bare
// ItemEncryptor. The same requests — N PutItems, then one Query returning the N items — go
// through an EncryptedDynamoDBClient, and through a plain DynamoDBClient with encryptItem /
// decryptItem called by hand; the ratio of the two times is the middleware's overhead
// (target ≤ 1.10). Measured twice, in one run, rounds interleaved so the ratio holds on a noisy
// machine: over an in-memory HTTP handler (the SDK's work only, so the overhead is not diluted
// by a database) and against the local DynamoDB (dynalite). Not a test: nothing is asserted.
import { DynamoDBClient, PutItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { randomBytes } from 'node:crypto';
import { AttributeActions, CryptoAction, ItemEncryptor, SecretKey, StaticMaterialsProvider } from '../dist/esm/index.js';
import { EncryptedDynamoDBClient } from '../dist/esm/sdk/index.js';
import { startLocalDynamoDB } from '../../local/dist/index.js';
import { table } from './report.mjs';

const N = Number(process.env.BENCH_ITEMS ?? 100);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 10);
const TABLE = 'bench';

// ---- items and configuration ------------------------------------------------------------------
function item(i) {
  return {
    pk: { S: 'tenant#1' },
    sk: { N: String(i) },
    name: { S: `Customer ${i}` },
    email: { S: `customer${i}@example.com` },
    address: { S: '12 St James Square, London SW1Y 4JH, United Kingdom' },
    balance: { N: String(1000 + i * 3.25) },
    tags: { SS: ['vip', 'newsletter', `cohort-${i % 7}`] },
    preferences: { M: { language: { S: 'en-GB' }, marketing: { BOOL: false } } },
    avatar: { B: new Uint8Array(randomBytes(64)) },
    plan: { S: 'pro' },
    updatedAt: { S: '2026-11-29T10:00:00Z' },
  };
}
const items = Array.from({ length: N }, (_, i) => item(i));
const provider = new StaticMaterialsProvider({ encryptionKey: SecretKey.generate('AES', 256), signingKey: SecretKey.generate('HmacSHA256', 256) });
const actions = new AttributeActions({ attributeActions: { plan: CryptoAction.SignOnly, updatedAt: CryptoAction.DoNothing } });
const keySchema = { partitionKey: 'pk', sortKey: 'sk' };
const crypto = { encryptionContext: { tableName: TABLE, partitionKeyName: 'pk', sortKeyName: 'sk' }, attributeActions: actions.withKeyAttributes('pk', 'sk') };
const encryptor = new ItemEncryptor({ materialsProvider: provider });
const config = { tables: { [TABLE]: { itemEncryptor: encryptor, attributeActions: actions, keySchema } } };
const query = { TableName: TABLE, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: 'tenant#1' } } };

// ---- the two ways of doing the same requests ---------------------------------------------------
async function viaMiddleware(client) {
  for (const Item of items) await client.send(new PutItemCommand({ TableName: TABLE, Item }));
  const { Items } = await client.send(new QueryCommand(query));
  if (Items.length !== N) throw new Error(`expected ${N} items`);
}
async function byHand(client) {
  for (const plaintext of items) await client.send(new PutItemCommand({ TableName: TABLE, Item: await encryptor.encryptItem(plaintext, crypto) }));
  const { Items } = await client.send(new QueryCommand(query));
  const decrypted = [];
  for (const stored of Items) decrypted.push(await encryptor.decryptItem(stored, crypto));
  if (decrypted.length !== N) throw new Error(`expected ${N} items`);
}

// ---- an in-memory HTTP handler: PutItem answers {}, Query the stored page, DescribeTable the key ---
// (Buffers have a toJSON, so look at the raw member, not the value JSON.stringify passes)
const toJson = (value) =>
  JSON.stringify(value, function (key, v) {
    const raw = this[key];
    return raw instanceof Uint8Array ? Buffer.from(raw).toString('base64') : v;
  });
const storedPage = await Promise.all(items.map((plaintext) => encryptor.encryptItem(plaintext, crypto)));
const queryBody = new TextEncoder().encode(toJson({ Items: storedPage, Count: N, ScannedCount: N }));
const emptyBody = new TextEncoder().encode('{}');
// the encrypting client compares its declared key schema with DescribeTable's once
const describeBody = new TextEncoder().encode(
  JSON.stringify({ Table: { TableName: TABLE, KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }] } }),
);
const memoryHandler = {
  metadata: { handlerProtocol: 'http/1.1' },
  async handle(request) {
    const target = request.headers['x-amz-target'] ?? '';
    const body = target.endsWith('.Query') ? queryBody : target.endsWith('.DescribeTable') ? describeBody : emptyBody;
    return { response: { statusCode: 200, headers: { 'content-type': 'application/x-amz-json-1.0' }, body } };
  },
  updateHttpClientConfig() {},
  httpHandlerConfigs: () => ({}),
  destroy() {},
};

const clientOptions = { region: 'us-east-1', credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' } };

async function measure(label, plain) {
  const encrypted = EncryptedDynamoDBClient.from(plain, config);
  await viaMiddleware(encrypted);
  await byHand(plain);
  const best = { middleware: Infinity, byHand: Infinity };
  const runs = [
    ['byHand', () => byHand(plain)],
    ['middleware', () => viaMiddleware(encrypted)],
  ];
  for (let round = 0; round < ROUNDS; round += 1) {
    // alternate which goes first, so neither always pays for the other's garbage
    for (const [name, run] of round % 2 === 0 ? runs : [...runs].reverse()) {
      const start = process.hrtime.bigint();
      await run();
      best[name] = Math.min(best[name], Number(process.hrtime.bigint() - start) / 1e6);
    }
  }
  return {
    backend: label,
    requests: `${N} PutItem + 1 Query (${N} items)`,
    'by hand ms': best.byHand,
    'middleware ms': best.middleware,
    'middleware ÷ by hand': best.middleware / best.byHand,
  };
}

const rows = table(`ddbec sdk bench — Node ${process.version}, static provider, best of ${ROUNDS} interleaved rounds; ratio 1.000 = no overhead`, [
  { name: 'backend', width: 25 },
  { name: 'requests', width: 30 },
  { name: 'by hand ms', decimals: 1 },
  { name: 'middleware ms', decimals: 1 },
  { name: 'middleware ÷ by hand', decimals: 3 },
]);
{
  const plain = new DynamoDBClient({ ...clientOptions, endpoint: 'http://127.0.0.1:9', requestHandler: memoryHandler });
  rows.row(await measure('in-memory HTTP handler', plain));
}
{
  const db = await startLocalDynamoDB();
  const plain = new DynamoDBClient({ ...clientOptions, endpoint: db.endpoint });
  const { CreateTableCommand } = await import('@aws-sdk/client-dynamodb');
  await plain.send(
    new CreateTableCommand({
      TableName: TABLE,
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'N' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  rows.row(await measure('local DynamoDB (dynalite)', plain));
  plain.destroy();
  await db.stop();
}


// ---- Direct KMS: one Query of 1,000 items, each needing a KMS Decrypt with 10 ms latency ---------
// The encrypted client decrypts the items of a page with bounded concurrency (default 16);
// `concurrency: 1` is the sequential baseline. Same table, same page, one run.
{
  const { CreateTableCommand, BatchWriteItemCommand } = await import('@aws-sdk/client-dynamodb');
  const { CreateKeyCommand, KMSClient } = await import('@aws-sdk/client-kms');
  const { countCommands, startKmsProcess } = await import('./kms-process.mjs');
  const { DirectKmsMaterialsProvider } = await import('../dist/esm/providers/direct-kms/index.js');
  const KMS_ITEMS = Number(process.env.BENCH_KMS_ITEMS ?? 1000);
  const LATENCY_MS = Number(process.env.BENCH_KMS_LATENCY_MS ?? 10);
  const [db, kms] = await Promise.all([startLocalDynamoDB(), startKmsProcess({ latencyMs: LATENCY_MS })]);
  const plain = new DynamoDBClient({ ...clientOptions, endpoint: db.endpoint });
  const kmsClient = new KMSClient({ ...clientOptions, endpoint: kms.endpoint, maxAttempts: 1 });
  const calls = countCommands(kmsClient);
  try {
    await plain.send(
      new CreateTableCommand({
        TableName: TABLE,
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'N' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    const keyId = (await kmsClient.send(new CreateKeyCommand({}))).KeyMetadata.Arn;
    const kmsEncryptor = new ItemEncryptor({ materialsProvider: new DirectKmsMaterialsProvider({ kmsClient, keyId }) });
    const small = (i) => ({ pk: { S: 'tenant#1' }, sk: { N: String(i) }, email: { S: `customer${i}@example.com` }, plan: { S: 'pro' } });
    const stored = await Promise.all(Array.from({ length: KMS_ITEMS }, (_, i) => kmsEncryptor.encryptItem(small(i), crypto)));
    for (let i = 0; i < stored.length; i += 25) {
      await plain.send(new BatchWriteItemCommand({ RequestItems: { [TABLE]: stored.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) } }));
    }
    const kmsRows = table(`Query through the encrypted client, Direct KMS provider, local KMS (own process) with ${LATENCY_MS} ms latency per call`, [
      { name: 'decryption', width: 27 },
      { name: 'items' },
      { name: 'KMS Decrypt calls' },
      { name: 'query ms' },
      { name: 'speed-up ×', decimals: 1 },
    ]);
    let sequentialMs;
    for (const concurrency of [1, undefined]) {
      const client = EncryptedDynamoDBClient.from(plain, {
        tables: { [TABLE]: { itemEncryptor: kmsEncryptor, attributeActions: actions, keySchema } },
        ...(concurrency === undefined ? {} : { concurrency }),
      });
      calls.total = 0;
      const start = process.hrtime.bigint();
      let count = 0;
      let ExclusiveStartKey;
      do {
        const page = await client.send(new QueryCommand({ ...query, ExclusiveStartKey }));
        count += page.Items.length;
        ExclusiveStartKey = page.LastEvaluatedKey;
      } while (ExclusiveStartKey);
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      kmsRows.row({
        decryption: concurrency === 1 ? 'sequential (concurrency: 1)' : 'default concurrency (16)',
        items: count,
        'KMS Decrypt calls': calls.total,
        'query ms': ms,
        'speed-up ×': sequentialMs === undefined ? undefined : sequentialMs / ms,
      });
      sequentialMs ??= ms;
    }
  } finally {
    plain.destroy();
    kmsClient.destroy();
    await Promise.all([db.stop(), kms.stop()]);
  }
}

// ---- Scan pages of encrypted items: the SDK's deserializer vs ddbec's item parsing --------------
await (await import('./items-parse.mjs')).benchItemsParse();
