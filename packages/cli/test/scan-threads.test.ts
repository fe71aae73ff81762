// `ddbec scan --threads N`: worker threads scan segments of the table and send formatted text.
// Whatever the threads, the same items and the same failures are printed (in another order),
// for legacy and DB-ESDK tables, with a beacon filter, and with --limit. Runs the real binary
// against the local stack, whose Scan pages are forced to 20 items (several pages per segment).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchWriteItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { SecretKey } from 'ddbec';
import { formatSecretKeyFile, loadConfig } from 'ddbec/config';
import { DynamoDbBranchKeyStore } from 'ddbec/dbesdk/aws';
import { EncryptedDynamoDBClient } from 'ddbec/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonResponse, type FrontHandler } from '../../local/src/index.js';
import { ddbec, ddbecJson, startStack, type RunResult, type Stack } from './support.js';

const dir = mkdtempSync(join(tmpdir(), 'ddbec-scan-threads-'));
let stack: Stack;
let env: Record<string, string>;

const smallPages: FrontHandler = async (request, context) => {
  const reply = await context.call(request.operation, { ...(request.json() as object), Limit: 20 });
  return jsonResponse(reply.status, reply.body);
};

const STATIC = { type: 'static', encryptionKey: { file: 'aes.key' }, signingKey: { file: 'hmac.key' } };
const EMAILS = ['ada@example.com', 'alan@example.com', 'grace@example.com'];

beforeAll(async () => {
  stack = await startStack({ Scan: smallPages });
  const configPath = join(dir, 'ddbec.config.json');
  env = { ...stack.env, DDBEC_CONFIG: configPath };
  writeFileSync(join(dir, 'aes.key'), formatSecretKeyFile(SecretKey.generate('AES', 256)));
  writeFileSync(join(dir, 'hmac.key'), formatSecretKeyFile(SecretKey.generate('HmacSHA256', 256)));
  const kmsKeyArn = await stack.createKey();
  const store = new DynamoDbBranchKeyStore({ ddbClient: stack.ddb, kmsClient: stack.kmsClient, tableName: 'branch-keys', logicalKeyStoreName: 'branch-keys', kmsConfiguration: { kmsKeyArn } });
  await store.createKeyStore();
  const { branchKeyIdentifier } = await store.createKey();
  writeFileSync(
    configPath,
    JSON.stringify({
      tables: {
        orders: { partitionKey: 'id', provider: STATIC },
        empty: { partitionKey: 'id', provider: STATIC },
        missing: { partitionKey: 'id', provider: STATIC },
        ledger: {
          partitionKey: 'id',
          attributeActionsOnEncrypt: { id: 'SIGN_ONLY', email: 'ENCRYPT_AND_SIGN', n: 'SIGN_ONLY', data: 'ENCRYPT_AND_SIGN' },
          keyring: { type: 'raw-aes', keyNamespace: 'ledger', keyName: 'key-1', wrappingKey: { file: 'aes.key' } },
        },
        people: {
          partitionKey: 'id',
          attributeActionsOnEncrypt: { id: 'SIGN_ONLY', email: 'ENCRYPT_AND_SIGN', n: 'SIGN_ONLY', data: 'ENCRYPT_AND_SIGN' },
          keyring: { type: 'hierarchical', branchKeyId: branchKeyIdentifier, keyStore: { tableName: 'branch-keys', kmsKeyArn } },
          search: { keySource: { single: { keyId: branchKeyIdentifier } }, standardBeacons: [{ name: 'email', length: 1 }] },
        },
      },
    }),
  );
  const config = await loadConfig(configPath, { dynamoDBClient: stack.ddb, kmsClient: stack.kmsClient });
  const client = EncryptedDynamoDBClient.from(stack.ddb, config.encryptionConfig);
  for (const [table, count] of [['orders', 230], ['ledger', 170], ['people', 120]] as const) {
    await stack.createTable(table, 'id');
    const items = Array.from({ length: count }, (_, n) => ({
      id: { S: `${table}-${n}` },
      email: { S: EMAILS[n % EMAILS.length] as string },
      n: { N: String(n) },
      data: { B: new Uint8Array([n & 255, n >> 8]) },
    }));
    for (let i = 0; i < items.length; i += 25) {
      await client.send(new BatchWriteItemCommand({ RequestItems: { [table]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) } }));
    }
  }
  // a signed attribute changed behind the client's back: refused, whatever the thread
  for (const table of ['orders', 'ledger']) {
    await stack.ddb.send(new UpdateItemCommand({ TableName: table, Key: { id: { S: `${table}-7` } }, UpdateExpression: 'SET n = :n', ExpressionAttributeValues: { ':n': { N: '700' } } }));
  }
  await stack.createTable('empty', 'id');
}, 60_000);

afterAll(async () => {
  await stack.stop();
  rmSync(dir, { recursive: true, force: true });
});

interface ScanJson {
  Items: unknown[];
  Count: number;
  ScannedCount: number;
  Failures: unknown[];
}

const sorted = (values: unknown[]): string[] => values.map((value) => JSON.stringify(value)).sort();

async function scanJson(args: readonly string[]): Promise<{ result: RunResult; json: ScanJson }> {
  return ddbecJson<ScanJson>(['scan', ...args], { env });
}

describe('ddbec scan --threads', () => {
  it('prints the same items and the same failures as a single-threaded scan', async () => {
    for (const args of [
      ['--table', 'orders'],
      ['--table', 'ledger', '--plain'],
      ['--table', 'people', '--filter', 'email = :e', '--values', '{":e": "ada@example.com"}'],
      ['--table', 'ledger', '--filter', '#n < :n', '--names', '{"#n": "n"}', '--values', '{":n": {"N": "100"}}'],
    ]) {
      const single = await scanJson([...args, '--threads', '0']);
      expect(single.json.Count, args.join(' ')).toBeGreaterThan(0);
      for (const threads of ['1', '2']) {
        const parallel = await scanJson([...args, '--threads', threads]);
        const what = `${args.join(' ')} --threads ${threads}`;
        expect(parallel.result.code, what).toBe(single.result.code);
        expect(parallel.result.stderr, what).toBe(single.result.stderr);
        expect(sorted(parallel.json.Items), what).toEqual(sorted(single.json.Items));
        expect(sorted(parallel.json.Failures), what).toEqual(sorted(single.json.Failures));
        expect([parallel.json.Count, parallel.json.ScannedCount], what).toEqual([single.json.Count, single.json.ScannedCount]);
      }
    }
    const beacon = await scanJson(['--table', 'people', '--plain', '--threads', '2', '--filter', 'email = :e', '--values', '{":e": "ada@example.com"}']);
    expect(beacon.json.Count).toBe(40);
    expect(beacon.json.Items.every((item) => (item as { email: string }).email === 'ada@example.com')).toBe(true);
    const failures = (await scanJson(['--table', 'ledger', '--threads', '2'])).json.Failures as { Key: unknown; Code: string }[];
    expect(failures.map((failure) => failure.Key)).toEqual([{ id: { S: 'ledger-7' } }]);
  });

  it('prints the same text, and reports refused items on standard error', async () => {
    const blocks = (result: RunResult): string[] => result.stdout.split('\n\n').sort();
    const single = await ddbec(['scan', '--table', 'orders'], { env });
    const parallel = await ddbec(['scan', '--table', 'orders', '--threads', '2'], { env });
    expect(parallel.code).toBe(1);
    expect(blocks(parallel)).toEqual(blocks(single));
    expect(parallel.stderr).toBe(single.stderr);
    expect(parallel.stderr).toMatch(/^ddbec: id=\{"S":"orders-7"\}: ERR_SIGNATURE_INVALID: /);
    expect(parallel.stdout.endsWith('229 items, 1 refused\n')).toBe(true);
  });

  it('stops at --limit exactly', async () => {
    const all = new Set(sorted((await scanJson(['--table', 'ledger'])).json.Items));
    for (const limit of ['1', '37', '169', '500']) {
      const { json } = await scanJson(['--table', 'ledger', '--threads', '2', '--limit', limit]);
      const items = sorted(json.Items);
      expect(items, limit).toHaveLength(Math.min(Number(limit), 169));
      expect(json.Count).toBe(items.length);
      expect(new Set(items).size).toBe(items.length);
      expect(items.every((item) => all.has(item))).toBe(true);
    }
    const text = await ddbec(['scan', '--table', 'orders', '--threads', '2', '--limit', '25'], { env });
    expect(text.stdout.split('\n\n')).toHaveLength(25);
    expect(text.stdout.endsWith('25 items\n') || text.stdout.endsWith('25 items, 1 refused\n')).toBe(true);
  });

  it('prints an empty table, and a table that does not exist fails, as a single-threaded scan does', async () => {
    for (const args of [['--table', 'empty', '--json'], ['--table', 'empty'], ['--table', 'missing']]) {
      const single = await ddbec(['scan', ...args], { env });
      const parallel = await ddbec(['scan', ...args, '--threads', '2'], { env });
      expect(parallel, args.join(' ')).toEqual(single);
    }
    const missing = await ddbec(['scan', '--table', 'missing', '--threads', '2'], { env });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^ddbec: ResourceNotFoundException: /);
  });
});
