// EncryptorPool: worker threads built from a loaded configuration. It runs the built package
// (dist/: a worker thread runs JavaScript), so `npm run build` first, as `npm test` does.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchGetItemCommand, BatchWriteItemCommand, CreateTableCommand, DynamoDBClient, QueryCommand, ScanCommand, type ScanCommandOutput } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { isDdbecError, type Item } from 'ddbec';
import { EncryptorPool, loadConfig, type LoadedConfig, type TableConfig } from 'ddbec/config';
import { decryptionFailures, EncryptedDynamoDBClient, type EncryptionConfig } from 'ddbec/sdk';
import { startLocalDynamoDB, type LocalDynamoDB } from '../../../local/src/index.js';
import { workerSource } from '../../src/config/load.js';
import { loadConfig as loadConfigFromSource } from '../../src/config/index.js';

const dir = mkdtempSync(join(tmpdir(), 'ddbec-pool-'));
const key = (): string => randomBytes(32).toString('base64');
const env = { POOL_AES: key(), POOL_HMAC: key(), UNRELATED_SECRET: 'not for workers' };
const staticProvider = { type: 'static', encryptionKey: { env: 'POOL_AES' }, signingKey: { env: 'POOL_HMAC' } };
const document = {
  tables: {
    bulk: { partitionKey: 'pk', sortKey: 'sk', attributeActions: { overrides: { note: 'DO_NOTHING', plan: 'SIGN_ONLY' } }, provider: staticProvider },
    other: { partitionKey: 'id', provider: staticProvider },
    kms: { partitionKey: 'id', provider: { type: 'direct-kms', keyId: 'alias/pool-test', region: 'us-east-1' } },
  },
};
const kmsClient = new KMSClient({ region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });

let config: LoadedConfig;
let bulk: TableConfig;
let pool: EncryptorPool;

const item = (n: number): Item => ({
  pk: { S: `p${n % 3}` },
  sk: { N: String(n) },
  name: { S: `customer ${n}` },
  tags: { SS: ['a', 'b', `t${n}`] },
  balance: { N: '1.5' },
  avatar: { B: new Uint8Array([1, 2, n & 255]) },
  profile: { M: { languages: { L: [{ S: 'en' }, { NULL: true }] }, verified: { BOOL: n % 2 === 0 } } },
  plan: { S: 'pro' },
  note: { S: `unsigned ${n}` },
});

/** Flips a byte of the signature: the item no longer verifies. */
function tamper(stored: Item): Item {
  const signature = (stored['*amzn-ddb-map-sig*'] as { B: Uint8Array }).B;
  const flipped = new Uint8Array(signature);
  flipped[0] = (flipped[0] as number) ^ 1;
  return { ...stored, '*amzn-ddb-map-sig*': { B: flipped } };
}

/** What the calling thread gives for each item: the item, or the error's code and message. */
async function onThisThread(operation: 'encryptItem' | 'decryptItem', items: readonly Item[]): Promise<unknown[]> {
  return Promise.all(items.map((i) => bulk.encryptor[operation](i, bulk).then((value) => ({ ok: true, value }), (error: unknown) => failure(error))));
}
const failure = (error: unknown): unknown => ({ ok: false, code: isDdbecError(error) ? error.code : undefined, message: (error as Error).message });
const comparable = (results: readonly { ok: boolean; value?: Item; error?: unknown }[]): unknown[] => results.map((r) => (r.ok ? { ok: true, value: r.value } : failure(r.error)));

beforeAll(async () => {
  config = await loadConfig(document, { env, kmsClient });
  bulk = config.table('bulk');
  pool = new EncryptorPool(config, { threads: 2, minItems: 1 });
});

afterAll(async () => {
  await pool.close();
  kmsClient.destroy();
  rmSync(dir, { recursive: true, force: true });
});

describe('EncryptorPool', () => {
  it('decrypts like the calling thread: the same items in the same order, and the same failure for each tampered item', async () => {
    const stored = await Promise.all(Array.from({ length: 300 }, (_, n) => bulk.encryptor.encryptItem(item(n), bulk)));
    const mixed = stored.map((s, n) => (n % 37 === 5 ? tamper(s) : s));
    const results = await pool.decryptItems(bulk.encryptor, mixed, bulk);
    expect(results.filter((r) => !r.ok)).toHaveLength(8);
    expect(comparable(results)).toEqual(await onThisThread('decryptItem', mixed));
  });

  it('encrypts what the calling thread decrypts back to the item; an item it refuses fails alone, with the same error', async () => {
    const plain = Array.from({ length: 200 }, (_, n) => item(n));
    plain[17] = { ...item(17), '*amzn-ddb-map-sig*': { S: 'reserved' } };
    const results = await pool.encryptItems(bulk.encryptor, plain, bulk);
    const expected = await onThisThread('encryptItem', plain);
    expect(failure((results[17] as { error: unknown }).error)).toEqual(expected[17]);
    for (const [n, result] of results.entries()) {
      if (n !== 17) expect(await bulk.encryptor.decryptItem((result as { value: Item }).value, bulk)).toEqual(plain[n]);
    }
  });

  it('returns stored values exactly (number text, set order), and runs an item it cannot send on the calling thread', async () => {
    const plain = Array.from({ length: 40 }, (_, n) => ({ ...item(n), plan: { N: '1.50' }, note: { SS: ['z', 'a'] } }));
    const stored = await Promise.all(plain.map((p) => bulk.encryptor.encryptItem(p, bulk)));
    // an unpaired surrogate in a do-nothing attribute: unsigned, so it verifies, but no batch can carry it
    stored[7] = { ...stored[7], note: { S: 'x\uD800' } };
    const results = await pool.decryptItems(bulk.encryptor, stored, bulk);
    expect(comparable(results)).toEqual(await onThisThread('decryptItem', stored));
    expect((results[3] as { value: Item }).value.plan).toEqual({ N: '1.50' });
    expect((results[7] as { value: Item }).value.note).toEqual({ S: 'x\uD800' });
  });

  it('accepts enough items of the encryptors it can build in a worker, no others', async () => {
    const small = new EncryptorPool(config, { threads: 1, minItems: 100 });
    expect(small.accepts(bulk.encryptor, 100)).toBe(true);
    expect(small.accepts(bulk.encryptor, 99)).toBe(false);
    // a Direct KMS table needs a KMS client, which cannot cross to a thread: not without options.clients
    expect(small.accepts(config.table('kms').encryptor, 1000)).toBe(false);
    expect(small.accepts((await loadConfig(document, { env, kmsClient })).table('bulk').encryptor, 1000)).toBe(false);
    await small.close();
    expect(small.accepts(bulk.encryptor, 1000)).toBe(false);
    await expect(small.decryptItems(bulk.encryptor, [], bulk)).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
  });

  it('sends a worker the configuration and only the environment variables its key sources name', async () => {
    const loaded = await loadConfigFromSource(document, { env, kmsClient });
    const source = workerSource(loaded, ['bulk', 'other']);
    expect(source.env).toEqual({ POOL_AES: env.POOL_AES, POOL_HMAC: env.POOL_HMAC });
    expect(source.tables).toEqual(['bulk', 'other']);
    expect(JSON.parse(JSON.stringify(source))).toEqual(source);
  });

  it('fails the items a worker held when it dies, without hanging, and goes on with a new worker', async () => {
    const module = join(dir, 'exiting-kms.mjs');
    // the KMS client of each worker ends its thread on the first request
    writeFileSync(module, 'export default () => ({ kmsClient: { send() { process.exit(7); } } });\n');
    const crashing = new EncryptorPool(config, { threads: 1, minItems: 1, clients: module });
    const kms = config.table('kms');
    const results = await crashing.encryptItems(kms.encryptor, [{ id: { S: 'a' } }, { id: { S: 'b' } }], kms);
    expect(results).toHaveLength(2);
    for (const result of results) {
      expect(result.ok).toBe(false);
      expect((result as { error: unknown }).error).toMatchObject({ code: 'ERR_WORKER_FAILED', message: expect.stringContaining('exited (code 7)') as unknown });
    }
    const stored = await bulk.encryptor.encryptItem(item(1), bulk);
    expect(await crashing.decryptItems(bulk.encryptor, [stored], bulk)).toEqual([{ ok: true, value: item(1) }]);
    await crashing.close();
  });

  it('fails the items in flight when closed', async () => {
    const closing = new EncryptorPool(config, { threads: 1, minItems: 1 });
    const stored = await bulk.encryptor.encryptItem(item(1), bulk);
    const pending = closing.decryptItems(bulk.encryptor, Array.from({ length: 500 }, () => stored), bulk);
    await closing.close();
    const results = await pending;
    expect(results.some((r) => !r.ok && isDdbecError(r.error, 'ERR_WORKER_FAILED'))).toBe(true);
  });

  it('does not keep the process alive when idle (no close needed)', async () => {
    const script = `import { EncryptorPool, loadConfig } from 'ddbec/config';
const config = await loadConfig(${JSON.stringify({ tables: { bulk: document.tables.bulk } })}, { env: ${JSON.stringify(env)} });
const bulk = config.table('bulk');
const pool = new EncryptorPool(config, { threads: 2, minItems: 1 });
const stored = await bulk.encryptor.encryptItem({ pk: { S: 'a' }, sk: { N: '1' }, name: { S: 'n' } }, bulk);
const results = await pool.decryptItems(bulk.encryptor, [stored, stored, stored], bulk);
console.log(results.every((r) => r.ok) ? 'decrypted' : 'failed');
`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: join(import.meta.dirname, '..', '..'), stdio: ['ignore', 'pipe', 'inherit'] });
    onTestFinished(() => {
      child.kill(); // when it hangs: the test timed out
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise((resolve) => child.on('exit', resolve));
    expect({ code, output }).toEqual({ code: 0, output: 'decrypted\n' });
  });
});

describe('EncryptorPool in the SDK integration', () => {
  let db: LocalDynamoDB;
  let plain: DynamoDBClient;
  const clients = (extra: Partial<EncryptionConfig>) => [
    EncryptedDynamoDBClient.from(plain, { ...config.encryptionConfig, ...extra }),
    EncryptedDynamoDBClient.from(plain, { ...config.encryptionConfig, ...extra, pool }),
  ];

  beforeAll(async () => {
    db = await startLocalDynamoDB();
    plain = new DynamoDBClient({ endpoint: db.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 });
    await plain.send(
      new CreateTableCommand({
        TableName: 'bulk',
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
    await plain.send(
      new CreateTableCommand({ TableName: 'other', AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }], BillingMode: 'PAY_PER_REQUEST' }),
    );
    // written through the pool: BatchWriteItem requests of 25 items, encrypted in the workers
    const [, pooled] = clients({}) as [EncryptedDynamoDBClient, EncryptedDynamoDBClient];
    for (let start = 0; start < 120; start += 25) {
      const n = Array.from({ length: Math.min(25, 120 - start) }, (_, i) => start + i);
      const output = await pooled.send(
        new BatchWriteItemCommand({
          RequestItems: {
            bulk: n.map((i) => ({ PutRequest: { Item: item(i) } })),
            other: n.slice(0, 5).map((i) => ({ PutRequest: { Item: { id: { S: `o${i}` }, secret: { S: `secret ${i}` } } } })),
          },
        }),
      );
      expect(output.UnprocessedItems ?? {}).toEqual({});
    }
    // two items that no longer verify
    const stored = (await plain.send(new ScanCommand({ TableName: 'bulk', Limit: 40 }))).Items as Item[];
    for (const victim of [stored[3], stored[30]] as Item[]) {
      await plain.send(new BatchWriteItemCommand({ RequestItems: { bulk: [{ PutRequest: { Item: tamper(victim) } }] } }));
    }
  });

  afterAll(async () => {
    plain.destroy();
    await db.stop();
  });

  const scanAll = async (client: EncryptedDynamoDBClient): Promise<unknown[]> => {
    const pages: unknown[] = [];
    let start: ScanCommandOutput['LastEvaluatedKey'];
    do {
      const page = await client.send(new ScanCommand({ TableName: 'bulk', Limit: 50, ExclusiveStartKey: start }));
      pages.push({ items: page.Items, count: page.Count, failures: decryptionFailures(page).map((f) => ({ ...f, error: failure(f.error) })) });
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
    return pages;
  };

  it('Scan and Query pages, with decryptionFailures report: the same items, order and failures as without the pool', async () => {
    const [alone, pooled] = clients({ decryptionFailures: 'report' }) as [EncryptedDynamoDBClient, EncryptedDynamoDBClient];
    const expected = await scanAll(alone);
    expect(expected.flatMap((page) => (page as { failures: unknown[] }).failures)).toHaveLength(2);
    expect(await scanAll(pooled)).toEqual(expected);
    const query = new QueryCommand({ TableName: 'bulk', KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': { S: 'p1' } } });
    const [a, b] = [await alone.send(query), await pooled.send(query)];
    expect(b.Items).toEqual(a.Items);
    expect(b.Items?.length).toBeGreaterThan(30);
  });

  it('Scan with decryptionFailures throw: the same error', async () => {
    const [alone, pooled] = clients({}) as [EncryptedDynamoDBClient, EncryptedDynamoDBClient];
    const scan = new ScanCommand({ TableName: 'bulk' });
    const expected = await alone.send(scan).then(() => undefined, failure);
    expect(expected).toMatchObject({ code: 'ERR_SIGNATURE_INVALID' });
    expect(await pooled.send(scan).then(() => undefined, failure)).toEqual(expected);
  });

  it('BatchGetItem over two tables: the same responses', async () => {
    const [alone, pooled] = clients({}) as [EncryptedDynamoDBClient, EncryptedDynamoDBClient];
    const keys = Array.from({ length: 40 }, (_, i) => i + 40).map((i) => ({ pk: { S: `p${i % 3}` }, sk: { N: String(i) } }));
    const get = new BatchGetItemCommand({ RequestItems: { bulk: { Keys: keys }, other: { Keys: [{ id: { S: 'o1' } }, { id: { S: 'o2' } }] } } });
    const byKey = (items: Record<string, unknown>[] | undefined) => [...(items ?? [])].sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y)));
    const [a, b] = [await alone.send(get), await pooled.send(get)];
    expect(byKey(a.Responses?.['bulk'])).toHaveLength(40);
    expect(byKey(b.Responses?.['bulk'])).toEqual(byKey(a.Responses?.['bulk']));
    expect(byKey(b.Responses?.['other'])).toEqual(byKey(a.Responses?.['other']));
  });
});
