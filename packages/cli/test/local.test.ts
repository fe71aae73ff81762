import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import { CreateKeyCommand, DescribeKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import type { ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { baseEnv, ddbec, ddbecJson, start, type RunResult } from './support.js';

const dir = mkdtempSync(join(tmpdir(), 'ddbec-local-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** The AWS CLI, when this machine has one (v1 or v2). */
const awsCli = ['aws'].find((name) => spawnSync(name, ['--version'], { encoding: 'utf8' }).status === 0);

interface Up {
  readonly stop: (signal: NodeJS.Signals) => Promise<RunResult>;
  readonly first: string;
  readonly child: ChildProcess;
}

/** Starts `ddbec local up …` and waits for its first line of output. */
async function up(args: readonly string[]): Promise<Up> {
  const run = start(['local', 'up', '--dynamodb-port', '0', '--kms-port', '0', ...args]);
  const first = await new Promise<string>((resolve, reject) => {
    let text = '';
    run.child.stdout?.on('data', (chunk: string) => {
      text += chunk;
      if (text.includes('\n')) resolve(text);
    });
    void run.done.then((result) => {
      reject(new Error(`local up exited early (${String(result.code)}): ${result.stderr}`));
    });
  });
  return {
    first,
    child: run.child,
    stop: (signal) => {
      run.child.kill(signal);
      return run.done;
    },
  };
}

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

describe('ddbec local up / status', () => {
  it('runs until SIGTERM or SIGINT, keeps data in the data directory, and status follows it', async () => {
    const dataDir = join(dir, 'state');
    const first = await up(['--data-dir', dataDir, '--json']);
    const stack = JSON.parse(first.first) as { pid: number; dynamodb: string; kms: string; memory: boolean; env: Record<string, string> };
    expect(stack).toMatchObject({ memory: false, dataDir, region: 'us-east-1' });
    expect(stack.env).toEqual({
      AWS_ENDPOINT_URL_DYNAMODB: stack.dynamodb,
      AWS_ENDPOINT_URL_KMS: stack.kms,
      AWS_REGION: 'us-east-1',
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
    });

    const ddb = new DynamoDBClient({ endpoint: stack.dynamodb, region: 'us-east-1', credentials });
    const kms = new KMSClient({ endpoint: stack.kms, region: 'us-east-1', credentials });
    await ddb.send(
      new CreateTableCommand({
        TableName: 'kept',
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    await waitUntilTableExists({ client: ddb, maxWaitTime: 30, minDelay: 0.02, maxDelay: 0.2 }, { TableName: 'kept' });
    await ddb.send(new PutItemCommand({ TableName: 'kept', Item: { id: { S: 'a' }, n: { N: '1' } } }));
    const { KeyMetadata } = await kms.send(new CreateKeyCommand({}));
    ddb.destroy();
    kms.destroy();

    const [status, again] = await Promise.all([ddbecJson(['local', 'status', '--data-dir', dataDir]), ddbec(['local', 'up', '--data-dir', dataDir])]);
    expect(status.result.code).toBe(0);
    expect(status.json).toMatchObject({ running: true, healthy: true, pid: stack.pid, dynamodb: { ok: true, detail: '1 tables' }, kms: { ok: true, detail: '1 keys' } });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`is already running (pid ${stack.pid}`);

    const stopped = await first.stop('SIGTERM');
    expect(stopped.code).toBe(0);
    expect(existsSync(join(dataDir, 'local.json'))).toBe(false);
    const down = await ddbecJson(['local', 'status', '--data-dir', dataDir]);
    expect(down.result.code).toBe(1);
    expect(down.json).toEqual({ running: false, dataDir, reason: 'not running' });

    const second = await up(['--data-dir', dataDir]);
    expect(second.first).toMatch(/^ddbec local stack running \(pid \d+, data in /);
    const human = await ddbec(['local', 'status', '--data-dir', dataDir]);
    expect(human.code).toBe(0);
    const endpoint = /export AWS_ENDPOINT_URL_DYNAMODB=(\S+)/.exec(human.stdout)?.[1];
    const kmsEndpoint = /export AWS_ENDPOINT_URL_KMS=(\S+)/.exec(human.stdout)?.[1];
    const ddb2 = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials });
    const kms2 = new KMSClient({ endpoint: kmsEndpoint, region: 'us-east-1', credentials });
    const { Item } = await ddb2.send(new GetItemCommand({ TableName: 'kept', Key: { id: { S: 'a' } } }));
    expect(Item).toEqual({ id: { S: 'a' }, n: { N: '1' } });
    const described = await kms2.send(new DescribeKeyCommand({ KeyId: KeyMetadata?.KeyId }));
    expect(described.KeyMetadata?.Enabled).toBe(true);
    ddb2.destroy();
    kms2.destroy();
    // Ctrl-C: a clean stop, and exit 130 as for any interrupted command
    const interrupted = await second.stop('SIGINT');
    expect(interrupted.code).toBe(130);
    expect(interrupted.stdout).toMatch(/SIGINT: stopping…\nstopped\n$/);
    expect(existsSync(join(dataDir, 'local.json'))).toBe(false);
  });

  it('--memory keeps nothing on disk but the state file while it runs', async () => {
    const dataDir = join(dir, 'memory');
    const running = await up(['--data-dir', dataDir, '--memory', '--json']);
    expect(JSON.parse(running.first)).toMatchObject({ memory: true });
    expect(existsSync(join(dataDir, 'local.json'))).toBe(true);
    expect(existsSync(join(dataDir, 'dynamodb'))).toBe(false);
    expect(existsSync(join(dataDir, 'kms'))).toBe(false);
    expect((await running.stop('SIGTERM')).code).toBe(0);
    expect(existsSync(join(dataDir, 'local.json'))).toBe(false);
  });

  it('prints exports that ddbec and the AWS CLI use as they are: a newcomer creates a KMS key, a table and items with ddbec alone', async () => {
    const cwd = mkdtempSync(join(dir, 'newcomer-'));
    const stack = await up(['--memory', '--data-dir', join(cwd, '.ddbec')]);
    const printed = await new Promise<string>((resolve) => {
      let text = stack.first;
      const check = (): void => {
        if (text.includes('Press Ctrl-C')) resolve(text);
      };
      stack.child.stdout?.on('data', (chunk: string) => {
        text += chunk;
        check();
      });
      check();
    });
    const exports: Record<string, string> = {};
    for (const [, name = '', value = ''] of printed.matchAll(/^ {2}export (\w+)=(\S+)$/gm)) exports[name] = value;
    expect(Object.keys(exports)).toEqual(['AWS_ENDPOINT_URL_DYNAMODB', 'AWS_ENDPOINT_URL_KMS', 'AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']);
    const env = { ...exports, HOME: cwd };

    const key = await ddbecJson<{ Arn: string; AliasName: string }>(['keys', 'create-kms', '--alias', 'alias/orders'], { env, cwd });
    expect(key.result.code, key.result.stderr).toBe(0);
    expect(key.json).toMatchObject({ Arn: expect.stringMatching(/^arn:aws:kms:us-east-1:/) as unknown, AliasName: 'alias/orders' });
    const generated = await ddbec(['keys', 'generate', '--type', 'hmac', '--out', 'keys/orders.hmac'], { env, cwd });
    expect(generated.code, generated.stderr).toBe(0);
    writeFileSync(
      join(cwd, 'ddbec.config.json'),
      JSON.stringify({ tables: { orders: { partitionKey: 'customerId', sortKey: 'orderNo', provider: { type: 'direct-kms', keyId: 'alias/orders' } } } }),
    );
    const created = await ddbec(['table', 'create', '--table', 'orders', '--sort-key', 'orderNo:N'], { env, cwd });
    expect(created.stdout, created.stderr).toBe('created table orders: key customerId (S), orderNo (N), on-demand capacity\n');
    const [twice, unknown, badType] = await Promise.all([
      ddbec(['table', 'create', '--table', 'orders', '--sort-key', 'orderNo:N'], { env, cwd }),
      ddbec(['table', 'create', '--table', 'visits'], { env, cwd }),
      ddbec(['table', 'create', '--table', 'visits', '--partition-key', 'id:X'], { env, cwd }),
    ]);
    expect([twice.code, twice.stderr]).toEqual([1, 'ddbec: table "orders" already exists\n']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^ddbec: "visits" is not a table of the configuration \S+: pass --partition-key\n/);
    expect(badType.stderr).toMatch(/^ddbec: --partition-key must be NAME or NAME:S, NAME:N, NAME:B\n/);
    const plainTable = await ddbecJson(['table', 'create', '--table', 'visits', '--partition-key', 'id'], { env, cwd });
    expect(plainTable.json).toEqual({ TableName: 'visits', KeySchema: [{ AttributeName: 'id', AttributeType: 'S', KeyType: 'HASH' }] });

    const put = await ddbec(['put', '--table', 'orders', '--item', '{"customerId": "c-1", "orderNo": 1, "total": 42.5}'], { env, cwd });
    expect(put.code, put.stderr).toBe(0);
    const got = await ddbec(['get', '--table', 'orders', '--key', '{"customerId": "c-1", "orderNo": 1}', '--plain'], { env, cwd });
    expect(JSON.parse(got.stdout)).toEqual({ Item: { customerId: 'c-1', orderNo: 1, total: 42.5 } });
    const inspected = await ddbecJson(['inspect', '--table', 'orders', '--key', '{"customerId": "c-1", "orderNo": 1}'], { env, cwd });
    expect(inspected.json).toMatchObject({ provider: { type: 'direct-kms' }, verified: true });

    expect((await stack.stop('SIGTERM')).code).toBe(0);
  });

  it.skipIf(!awsCli)('the exports work with the AWS CLI, which checks x-amz-crc32 on a table encrypted with a KMS key', async () => {
    const cwd = mkdtempSync(join(dir, 'aws-cli-'));
    const stack = await up(['--memory', '--data-dir', join(cwd, '.ddbec'), '--json']);
    const { env: exports } = JSON.parse(stack.first) as { env: Record<string, string> };
    const env = { ...exports, HOME: cwd };
    expect((await ddbec(['keys', 'create-kms', '--alias', 'alias/table-key'], { env, cwd })).code).toBe(0);
    expect((await ddbec(['table', 'create', '--table', 'sessions', '--partition-key', 'id'], { env, cwd })).code).toBe(0);
    const aws = (args: readonly string[]): { status: number | null; stdout: string; stderr: string } => {
      // no retries: a checksum mismatch must fail, not be retried into success
      const run = spawnSync(awsCli ?? 'aws', [...args, '--output', 'json'], { env: baseEnv({ ...env, AWS_MAX_ATTEMPTS: '1' }), encoding: 'utf8' });
      return { status: run.status, stdout: run.stdout, stderr: run.stderr };
    };
    const updated = aws(['dynamodb', 'update-table', '--table-name', 'sessions', '--sse-specification', 'Enabled=true,SSEType=KMS,KMSMasterKeyId=alias/table-key']);
    expect(updated.status, updated.stderr).toBe(0);
    const described = aws(['dynamodb', 'describe-table', '--table-name', 'sessions']);
    expect(described.status, described.stderr).toBe(0);
    expect((JSON.parse(described.stdout) as { Table: { SSEDescription: { SSEType: string } } }).Table.SSEDescription.SSEType).toBe('KMS');
    const aliases = aws(['kms', 'list-aliases']);
    expect(aliases.stdout).toContain('alias/table-key');
    const deleted = aws(['dynamodb', 'delete-table', '--table-name', 'sessions']);
    expect(deleted.status, deleted.stderr).toBe(0);
    expect((await stack.stop('SIGTERM')).code).toBe(0);
  });
});
