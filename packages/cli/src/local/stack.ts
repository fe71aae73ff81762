import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { LocalKms, LocalService } from '@ddbec/local';
import { writeFileAtomic } from '@ddbec/local/files';

/** The local stack: dynalite and the local KMS on 127.0.0.1. */
export interface LocalStack {
  readonly dynamodb: LocalService;
  readonly kms: LocalKms;
  readonly region: string;
  /** The environment variables that point the AWS SDKs and CLI (and ddbec) at the stack. */
  readonly env: Readonly<Record<string, string>>;
  /** Stops both services; state on disk is flushed. */
  stop(): Promise<void>;
}

export interface LocalStackOptions {
  /** Keep DynamoDB and KMS state here (`dynamodb/`, `kms/`); omit for memory only. */
  readonly dataDir?: string | undefined;
  /** 0 picks free ports. */
  readonly dynamodbPort?: number | undefined;
  readonly kmsPort?: number | undefined;
  readonly region?: string | undefined;
}

export const DEFAULT_DYNAMODB_PORT = 8000;
export const DEFAULT_KMS_PORT = 8001;

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  // Loaded on demand: dynalite and LevelDB are not needed by the other commands.
  const { startLocalDynamoDB, startLocalKms } = await import('@ddbec/local');
  const dataDir = options.dataDir;
  const kms = await startLocalKms({
    port: options.kmsPort ?? 0,
    ...(dataDir === undefined ? {} : { dataDir: join(dataDir, 'kms') }),
    ...(options.region === undefined ? {} : { region: options.region }),
  });
  let dynamodb: LocalService;
  try {
    // The local KMS also serves DynamoDB's encryption at rest (SSESpecification with KMS keys).
    dynamodb = await startLocalDynamoDB({
      port: options.dynamodbPort ?? 0,
      kms,
      ...(dataDir === undefined ? {} : { dataDir: join(dataDir, 'dynamodb') }),
    });
  } catch (error) {
    await kms.stop();
    throw error;
  }
  const region = kms.region;
  return {
    dynamodb,
    kms,
    region,
    env: stackEnv(dynamodb.endpoint, kms.endpoint, region),
    stop: async () => {
      await Promise.all([kms.stop(), dynamodb.stop()]);
    },
  };
}

/**
 * The variables that point the AWS SDKs, the AWS CLI (v1 and v2 releases since mid-2023) and ddbec at the
 * stack: service endpoints, the region under both names (the AWS CLI v1 and Python read only
 * `AWS_DEFAULT_REGION`) and dummy credentials. No `AWS_ENDPOINT_URL`: it would send every other
 * service (STS, S3, …) to the local DynamoDB.
 */
export function stackEnv(dynamodbEndpoint: string, kmsEndpoint: string, region: string): Record<string, string> {
  return {
    AWS_ENDPOINT_URL_DYNAMODB: dynamodbEndpoint,
    AWS_ENDPOINT_URL_KMS: kmsEndpoint,
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
  };
}

// ---- the state file `ddbec local status` reads ------------------------------------------------------

export const STATE_FILE = 'local.json';

export interface StackState {
  readonly pid: number;
  readonly startedAt: string;
  readonly dataDir: string;
  readonly memory: boolean;
  readonly region: string;
  readonly dynamodb: string;
  readonly kms: string;
}

/** Writes the state file atomically (temp file, fsync, rename). */
export function writeState(dataDir: string, state: StackState): void {
  writeFileAtomic(join(dataDir, STATE_FILE), `${JSON.stringify(state, null, 2)}\n`, 0o644);
}

export function readState(dataDir: string): StackState | undefined {
  try {
    const state = JSON.parse(readFileSync(join(dataDir, STATE_FILE), 'utf8')) as Partial<StackState>;
    if (typeof state.pid !== 'number' || typeof state.dynamodb !== 'string' || typeof state.kms !== 'string') return undefined;
    return state as StackState;
  } catch {
    return undefined;
  }
}

export function removeState(dataDir: string): void {
  rmSync(join(dataDir, STATE_FILE), { force: true });
}

/** True when a process with this id exists (signal 0 checks without sending anything). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
