import { resolve } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { KMSClient, ListKeysCommand } from '@aws-sdk/client-kms';
import { CommandFailed, EXIT, line, printJson, type Io } from '../io.js';
import {
  DEFAULT_DYNAMODB_PORT,
  DEFAULT_KMS_PORT,
  processAlive,
  readState,
  removeState,
  stackEnv,
  startLocalStack,
  writeState,
  type StackState,
} from '../local/stack.js';
import { flag, int, str, type CommandSpec } from '../spec.js';

export interface LocalUpOptions {
  /** Where state is kept (default `./.ddbec`). */
  readonly dataDir?: string | undefined;
  /** Keep DynamoDB and KMS data in memory only (the state file is still written). */
  readonly memory?: boolean | undefined;
  readonly dynamodbPort?: number | undefined;
  readonly kmsPort?: number | undefined;
  /** The local KMS region (default us-east-1, or the one its state was created with). */
  readonly region?: string | undefined;
  readonly json?: boolean | undefined;
  /** Stop when this settles (default: on SIGINT or SIGTERM). */
  readonly until?: Promise<unknown> | undefined;
}

export const DEFAULT_DATA_DIR = '.ddbec';

/**
 * `ddbec local up`: DynamoDB (dynalite) and KMS on 127.0.0.1, in the foreground until Ctrl-C
 * or SIGTERM, then a clean shutdown (state flushed, state file removed). Exit 130 after Ctrl-C,
 * 0 after SIGTERM.
 */
export async function localUp(options: LocalUpOptions, io: Io): Promise<number> {
  const dataDir = resolve(options.dataDir ?? DEFAULT_DATA_DIR);
  const running = readState(dataDir);
  if (running !== undefined && running.pid !== process.pid && processAlive(running.pid)) {
    throw new CommandFailed(`the local stack of ${dataDir} is already running (pid ${running.pid}: DynamoDB ${running.dynamodb}, KMS ${running.kms})`);
  }
  const memory = options.memory === true;
  const dynamodbPort = options.dynamodbPort ?? DEFAULT_DYNAMODB_PORT;
  const kmsPort = options.kmsPort ?? DEFAULT_KMS_PORT;
  let stack;
  try {
    stack = await startLocalStack({ ...(memory ? {} : { dataDir }), dynamodbPort, kmsPort, region: options.region });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new CommandFailed(`a port is already in use (DynamoDB ${dynamodbPort}, KMS ${kmsPort}); choose others with --dynamodb-port / --kms-port`);
    }
    throw error;
  }
  const state: StackState = {
    pid: process.pid,
    startedAt: new Date().toISOString(),
    dataDir,
    memory,
    region: stack.region,
    dynamodb: stack.dynamodb.endpoint,
    kms: stack.kms.endpoint,
  };
  const signals = options.until === undefined ? waitForSignal() : undefined;
  let why: unknown;
  try {
    writeState(dataDir, state);
    if (options.json) io.stdout.write(`${JSON.stringify({ ...state, env: stack.env })}\n`);
    else {
      line(io.stdout, `ddbec local stack running (pid ${process.pid}${memory ? ', in memory' : `, data in ${dataDir}`})`);
      line(io.stdout, `  DynamoDB  ${stack.dynamodb.endpoint}`);
      line(io.stdout, `  KMS       ${stack.kms.endpoint}   (region ${stack.region})`);
      line(io.stdout);
      line(io.stdout, 'Point ddbec, the AWS SDKs and the AWS CLI at it (in another shell):');
      printExports(io, stack.env);
      line(io.stdout);
      line(io.stdout, 'Press Ctrl-C to stop.');
    }
    why = await (options.until ?? signals?.promise);
    if (!options.json) line(io.stdout, `${typeof why === 'string' ? `${why}: ` : ''}stopping…`);
  } finally {
    signals?.dispose();
    await stack.stop();
    const current = readState(dataDir);
    if (current?.pid === process.pid) removeState(dataDir);
  }
  if (!options.json) line(io.stdout, 'stopped');
  return why === 'SIGINT' ? EXIT.interrupted : EXIT.ok;
}

function printExports(io: Io, env: Readonly<Record<string, string>>): void {
  for (const [name, value] of Object.entries(env)) line(io.stdout, `  export ${name}=${value}`);
  line(io.stdout, '  # AWS CLI releases older than mid-2023 ignore AWS_ENDPOINT_URL_*: give them --endpoint-url');
}

function waitForSignal(): { promise: Promise<string>; dispose(): void } {
  let onSignal: (signal: NodeJS.Signals) => void = () => undefined;
  const promise = new Promise<string>((resolvePromise) => {
    onSignal = (signal) => {
      resolvePromise(signal);
    };
  });
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return {
    promise,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

export interface LocalStatusOptions {
  readonly dataDir?: string | undefined;
  readonly json?: boolean | undefined;
}

interface Probe {
  readonly endpoint: string;
  readonly ok: boolean;
  readonly detail: string;
}

/** `ddbec local status`: whether the stack of a data directory runs and answers. Exit 1 when it does not. */
export async function localStatus(options: LocalStatusOptions, io: Io): Promise<number> {
  const dataDir = resolve(options.dataDir ?? DEFAULT_DATA_DIR);
  const state = readState(dataDir);
  if (state === undefined || !processAlive(state.pid)) {
    const reason = state === undefined ? 'not running' : `not running (stale state file: pid ${state.pid} is gone)`;
    if (options.json) printJson(io, { running: false, dataDir, reason });
    else line(io.stdout, `ddbec local stack of ${dataDir}: ${reason}; start it with \`ddbec local up\``);
    return EXIT.failed;
  }
  const [dynamodb, kms] = await Promise.all([probeDynamoDB(state), probeKms(state)]);
  const healthy = dynamodb.ok && kms.ok;
  const env = stackEnv(state.dynamodb, state.kms, state.region);
  if (options.json) printJson(io, { running: true, healthy, ...state, dynamodb, kms, env });
  else {
    line(io.stdout, `ddbec local stack of ${dataDir}: running (pid ${state.pid} since ${state.startedAt}${state.memory ? ', in memory' : ''})`);
    line(io.stdout, `  DynamoDB  ${dynamodb.endpoint}  ${dynamodb.ok ? 'ok' : 'NOT ANSWERING'} (${dynamodb.detail})`);
    line(io.stdout, `  KMS       ${kms.endpoint}  ${kms.ok ? 'ok' : 'NOT ANSWERING'} (${kms.detail})`);
    line(io.stdout);
    printExports(io, env);
  }
  return healthy ? EXIT.ok : EXIT.failed;
}

const PROBE = {
  region: 'us-east-1',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  maxAttempts: 1,
  requestHandler: { connectionTimeout: 1_000, requestTimeout: 3_000 },
};

async function probeDynamoDB(state: StackState): Promise<Probe> {
  const client = new DynamoDBClient({ ...PROBE, region: state.region, endpoint: state.dynamodb });
  try {
    const { TableNames } = await client.send(new ListTablesCommand({}));
    return { endpoint: state.dynamodb, ok: true, detail: `${TableNames?.length ?? 0} tables` };
  } catch (error) {
    return { endpoint: state.dynamodb, ok: false, detail: error instanceof Error ? error.message : String(error) };
  } finally {
    client.destroy();
  }
}

async function probeKms(state: StackState): Promise<Probe> {
  const client = new KMSClient({ ...PROBE, region: state.region, endpoint: state.kms });
  try {
    const { Keys } = await client.send(new ListKeysCommand({}));
    return { endpoint: state.kms, ok: true, detail: `${Keys?.length ?? 0} keys` };
  } catch (error) {
    return { endpoint: state.kms, ok: false, detail: error instanceof Error ? error.message : String(error) };
  } finally {
    client.destroy();
  }
}

const DATA_DIR = { 'data-dir': { type: 'string', value: 'DIR', description: `where the stack keeps its state and state file (default ./${DEFAULT_DATA_DIR})` } } as const;

export const localCommands: readonly CommandSpec[] = [
  {
    name: 'local up',
    summary: 'run DynamoDB and KMS locally on 127.0.0.1 (foreground; Ctrl-C stops cleanly, exit 130)',
    options: {
      ...DATA_DIR,
      memory: { type: 'boolean', description: 'keep DynamoDB and KMS data in memory only' },
      'dynamodb-port': { type: 'string', value: 'PORT', description: `DynamoDB port (default ${DEFAULT_DYNAMODB_PORT}; 0 picks a free one)` },
      'kms-port': { type: 'string', value: 'PORT', description: `KMS port (default ${DEFAULT_KMS_PORT}; 0 picks a free one)` },
      region: { type: 'string', value: 'REGION', description: 'the local KMS region (default us-east-1)' },
    },
    groups: ['json'],
    details: [
      'DynamoDB is dynalite (from npm); KMS is ddbec’s local KMS (the JSON protocol of AWS KMS: keys, aliases, data keys, enable/disable, rotation). State is kept in DIR (`dynamodb/`, `kms/`) unless --memory; the KMS key material in DIR is not protected — development only. A state file DIR/local.json (pid, endpoints) lets `ddbec local status` find the stack; it is removed on shutdown. With --json, one line of JSON describes the stack.',
    ],
    examples: ['ddbec local up', 'ddbec local up --memory --dynamodb-port 0 --kms-port 0 --json'],
    run: ({ values }, io) =>
      localUp(
        {
          dataDir: str(values, 'data-dir'),
          memory: flag(values, 'memory'),
          dynamodbPort: int(values, 'dynamodb-port', 0, 65535),
          kmsPort: int(values, 'kms-port', 0, 65535),
          region: str(values, 'region'),
          json: flag(values, 'json'),
        },
        io,
      ),
  },
  {
    name: 'local status',
    summary: 'report whether the local stack runs and its endpoints answer (exit 1 when not)',
    options: DATA_DIR,
    groups: ['json'],
    examples: ['ddbec local status', 'eval "$(ddbec local status | grep export)"'],
    run: ({ values }, io) => localStatus({ dataDir: str(values, 'data-dir'), json: flag(values, 'json') }, io),
  },
];
