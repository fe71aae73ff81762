import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateTableCommand, DynamoDBClient, ScanCommand, type ScanCommandOutput } from '@aws-sdk/client-dynamodb';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { startLocalDynamoDB, startLocalKms, type FrontHandler, type LocalKms, type LocalService } from '../../local/src/index.js';

const here = dirname(fileURLToPath(import.meta.url));
export const repo = resolve(here, '../../..');
export const bin = join(repo, 'packages/cli/bin/ddbec.js');

export interface RunResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly cwd?: string;
  readonly input?: string;
}

/** A clean environment: no AWS settings of the machine running the tests leak in. */
export function baseEnv(extra: Readonly<Record<string, string | undefined>> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of ['PATH', 'HOME', 'TMPDIR', 'SYSTEMROOT']) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  for (const [name, value] of Object.entries(extra)) if (value !== undefined) env[name] = value;
  return env;
}

/** Starts the real `ddbec` binary (asynchronously: the local stack it talks to runs in this process). */
export function start(args: readonly string[], options: RunOptions = {}): { child: ChildProcess; done: Promise<RunResult> } {
  const child = spawn(process.execPath, [bin, ...args], { cwd: options.cwd ?? repo, env: baseEnv(options.env), stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.stdin?.end(options.input ?? '');
  const done = new Promise<RunResult>((resolvePromise, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      resolvePromise({ code, signal, stdout, stderr });
    });
  });
  return { child, done };
}

export function ddbec(args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return start(args, options).done;
}

/** Runs the binary and parses its `--json` standard output (typed as the caller expects it). */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the caller names the shape of the JSON
export async function ddbecJson<T = Record<string, unknown>>(args: readonly string[], options: RunOptions = {}): Promise<{ result: RunResult; json: T }> {
  const result = await ddbec([...args, '--json'], options);
  let json: T;
  try {
    json = JSON.parse(result.stdout) as T;
  } catch {
    throw new Error(`not JSON (exit ${String(result.code)}):\n${result.stdout}\n${result.stderr}`);
  }
  return { result, json };
}

export interface Stack {
  readonly dynamodb: LocalService;
  readonly kms: LocalKms;
  readonly ddb: DynamoDBClient;
  readonly kmsClient: KMSClient;
  /** The environment that points the binary at the stack. */
  readonly env: Record<string, string>;
  createKey(): Promise<string>;
  createTable(name: string, partitionKey: string, sortKey?: string): Promise<void>;
  stop(): Promise<void>;
}

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

/** dynalite and the local KMS in this process, on free ports, in memory; `handlers` intercept DynamoDB operations. */
export async function startStack(handlers?: Readonly<Record<string, FrontHandler>>): Promise<Stack> {
  const [dynamodb, kms] = await Promise.all([startLocalDynamoDB(handlers === undefined ? {} : { handlers }), startLocalKms()]);
  const ddb = new DynamoDBClient({ endpoint: dynamodb.endpoint, region: 'us-east-1', credentials });
  const kmsClient = new KMSClient({ endpoint: kms.endpoint, region: 'us-east-1', credentials });
  return {
    dynamodb,
    kms,
    ddb,
    kmsClient,
    env: { AWS_ENDPOINT_URL_DYNAMODB: dynamodb.endpoint, AWS_ENDPOINT_URL_KMS: kms.endpoint, AWS_REGION: 'us-east-1' },
    createKey: async () => {
      const { KeyMetadata } = await kmsClient.send(new CreateKeyCommand({}));
      if (KeyMetadata?.Arn === undefined) throw new Error('no key');
      return KeyMetadata.Arn;
    },
    createTable: async (name, partitionKey, sortKey) => {
      await ddb.send(
        new CreateTableCommand({
          TableName: name,
          AttributeDefinitions: [
            { AttributeName: partitionKey, AttributeType: 'S' },
            ...(sortKey === undefined ? [] : [{ AttributeName: sortKey, AttributeType: 'N' as const }]),
          ],
          KeySchema: [{ AttributeName: partitionKey, KeyType: 'HASH' }, ...(sortKey === undefined ? [] : [{ AttributeName: sortKey, KeyType: 'RANGE' as const }])],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
    },
    stop: async () => {
      ddb.destroy();
      kmsClient.destroy();
      await Promise.all([dynamodb.stop(), kms.stop()]);
    },
  };
}

/** Every item of `table` as stored (a consistent Scan, page after page). */
export async function scanTable(client: DynamoDBClient, table: string): Promise<NonNullable<ScanCommandOutput['Items']>> {
  const items: NonNullable<ScanCommandOutput['Items']> = [];
  let startKey: ScanCommandOutput['LastEvaluatedKey'];
  do {
    const page = await client.send(new ScanCommand({ TableName: table, ExclusiveStartKey: startKey, ConsistentRead: true }));
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey !== undefined);
  return items;
}
