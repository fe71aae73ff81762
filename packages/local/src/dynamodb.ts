import dynalite from 'dynalite';
import { mkdirSync } from 'node:fs';
import { AtRestEmulation } from './at-rest.js';
import { DynamoDBFront, transactionHandlers, type FrontHandler, type FrontRequestRecord } from './dynamodb-front.js';
import type { LocalKms } from './kms/index.js';
import { close, listen, type LocalService } from './service.js';

export interface LocalDynamoDBOptions {
  /** Port on 127.0.0.1; 0 (default) picks a free one. */
  readonly port?: number;
  /** Directory for the LevelDB store; omit to keep everything in memory. */
  readonly dataDir?: string;
  /** How long tables stay CREATING/UPDATING/DELETING, in ms (default 0: immediately ACTIVE). */
  readonly tableTransitionMs?: number;
  /** Keep every request body (see {@link LocalDynamoDB.requestLog}). Default false. */
  readonly recordRequests?: boolean;
  /** Extra or replacement operation handlers for the front (see `DynamoDBFront`). */
  readonly handlers?: Readonly<Record<string, FrontHandler>>;
  /**
   * The local KMS whose keys encrypt tables at rest (`SSESpecification` with the AWS managed key
   * or a customer managed key; see at-rest.ts). Without it only the AWS owned key is accepted.
   */
  readonly kms?: LocalKms;
  /** How long an encryption change stays `SSEDescription.Status: UPDATING`, in ms (default 0). */
  readonly sseTransitionMs?: number;
}

/** The local DynamoDB: dynalite behind a front that adds the transaction operations and counts requests. */
export interface LocalDynamoDB extends LocalService {
  readonly front: DynamoDBFront;
  /** Requests received since start or the last reset, per operation (`{ PutItem: 2, … }`). */
  readonly requests: Readonly<Record<string, number>>;
  /** Request bodies received since start or the last reset (only with `recordRequests: true`). */
  readonly requestLog: readonly FrontRequestRecord[];
  /** Zeroes the counts and empties the log. */
  resetRequests(): void;
  /** The encryption-at-rest emulation (SSE metadata, archival, backups). */
  readonly atRest: AtRestEmulation;
}

/**
 * Starts dynalite — a DynamoDB implementation from npm — on an internal port of 127.0.0.1,
 * and in front of it a small proxy on the requested port that emulates TransactGetItems and
 * TransactWriteItems (which dynalite lacks) and counts requests. `endpoint` is the front.
 */
export async function startLocalDynamoDB(options: LocalDynamoDBOptions = {}): Promise<LocalDynamoDB> {
  if (options.dataDir !== undefined) mkdirSync(options.dataDir, { recursive: true });
  const ms = options.tableTransitionMs ?? 0;
  const server = dynalite({
    ...(options.dataDir === undefined ? {} : { path: options.dataDir }),
    createTableMs: ms,
    deleteTableMs: ms,
    updateTableMs: ms,
  });
  const atRest = new AtRestEmulation({ kms: options.kms, dataDir: options.dataDir, sseTransitionMs: options.sseTransitionMs });
  const backendPort = await listen(server, 0);
  const front = new DynamoDBFront({
    backend: `http://127.0.0.1:${backendPort}`,
    handlers: atRest.wrap({ ...transactionHandlers, ...options.handlers }),
    recordRequests: options.recordRequests ?? false,
  });
  let port: number;
  try {
    port = await front.listen(options.port ?? 0);
  } catch (error) {
    await close(server);
    throw error;
  }
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    front,
    atRest,
    get requests() {
      return front.requests;
    },
    get requestLog() {
      return front.requestLog;
    },
    resetRequests: () => {
      front.resetRequests();
    },
    stop: async () => {
      await front.close();
      await close(server);
    },
  };
}
