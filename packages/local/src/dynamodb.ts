import dynalite from 'dynalite';
import { mkdirSync } from 'node:fs';
import { close, listen, type LocalService } from './service.js';

export interface LocalDynamoDBOptions {
  /** Port on 127.0.0.1; 0 (default) picks a free one. */
  readonly port?: number;
  /** Directory for the LevelDB store; omit to keep everything in memory. */
  readonly dataDir?: string;
  /** How long tables stay CREATING/UPDATING/DELETING, in ms (default 0: immediately ACTIVE). */
  readonly tableTransitionMs?: number;
}

/** Starts dynalite — a DynamoDB implementation from npm — on 127.0.0.1. */
export async function startLocalDynamoDB(options: LocalDynamoDBOptions = {}): Promise<LocalService> {
  if (options.dataDir !== undefined) mkdirSync(options.dataDir, { recursive: true });
  const ms = options.tableTransitionMs ?? 0;
  const server = dynalite({
    ...(options.dataDir === undefined ? {} : { path: options.dataDir }),
    createTableMs: ms,
    deleteTableMs: ms,
    updateTableMs: ms,
  });
  const port = await listen(server, options.port ?? 0);
  return { endpoint: `http://127.0.0.1:${port}`, port, stop: () => close(server) };
}
