import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import { CreateKeyCommand, DescribeKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { afterAll, describe, expect, it } from 'vitest';
import { ddbec, ddbecJson, start, type RunResult } from './support.js';

const dir = mkdtempSync(join(tmpdir(), 'ddbec-local-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

interface Up {
  readonly stop: (signal: NodeJS.Signals) => Promise<RunResult>;
  readonly first: string;
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
    const interrupted = await second.stop('SIGINT');
    expect(interrupted.code).toBe(0);
    expect(interrupted.stdout).toMatch(/SIGINT: stopping…\nstopped\n$/);
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
});
