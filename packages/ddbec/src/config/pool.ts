import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { DdbecError, isDdbecError } from '../errors.js';
import type { CryptoAction, Item } from '../format/index.js';
import type { CryptoConfig, ItemEncryptor } from '../encryptor/index.js';
import type { ItemPool } from '../sdk/config.js';
import type { Settled } from '../sdk/concurrency.js';
import { pkcs11KeyUses, workerSource, type LoadedConfig, type WorkerSource } from './load.js';
import { BatchWriter, readBatch, type Batch, type ErrorDescription } from './pool-batch.js';

export interface EncryptorPoolOptions {
  /** Worker threads (started when first needed). Default: the number of CPUs (`os.availableParallelism()`). */
  readonly threads?: number;
  /**
   * The fewest items of one call worth sending to the workers: below it, callers such as the
   * SDK integration encrypt or decrypt on their own thread. Default {@link DEFAULT_MIN_ITEMS}.
   */
  readonly minItems?: number;
  /**
   * For `direct-kms` and `most-recent` tables: a module each worker imports (a path or a
   * `file:` URL) whose default export returns the AWS clients of `loadConfig`'s options
   * (`{ kmsClient, dynamoDBClient }`), since clients cannot be sent to another thread. Without
   * it, the items of those tables are not run in the pool (`accepts` is false).
   */
  readonly clients?: string | URL;
}

/**
 * The default of {@link EncryptorPoolOptions.minItems}, measured (`npm run bench`, 2 cores):
 * below about this many typical items, sending them to a worker and back costs more than
 * the other core saves.
 */
export const DEFAULT_MIN_ITEMS = 256;

/** Items per message to a worker at most: enough to amortize a message. */
const CHUNK_ITEMS = 64;
/** Messages a worker holds at once: one it works on, one waiting, so it never idles between two. */
const CHUNKS_PER_WORKER = 2;

/** This module's URL; in the CommonJS build, its ESM twin's (see scripts/build-lib.mjs), so workers always run the ESM build. */
// eslint-disable-next-line @typescript-eslint/ban-ts-comment -- an error in the CommonJS build only, so not @ts-expect-error
// @ts-ignore -- TS1343 in the CommonJS build, whose output the build script rewrites
const WORKER_BASE: string = import.meta.url;

type Operation = 'encryptItem' | 'decryptItem';

/** The part of a `CryptoConfig` that crosses to a worker: plain data. */
interface CryptoDescription {
  readonly encryptionContext: CryptoConfig['encryptionContext'];
  readonly defaultAction: CryptoAction;
  readonly overrides: readonly (readonly [string, CryptoAction])[];
}

/** A message to a worker: `count` items in `batch` (see pool-batch.ts), whose buffer the message transfers. */
export interface WorkRequest {
  readonly id: number;
  readonly operation: Operation;
  readonly table: string;
  readonly crypto: CryptoDescription;
  readonly batch: Batch;
  readonly count: number;
}

/** A worker's answer to a {@link WorkRequest}: a result per item (the item or an error), in order, in a transferred batch. */
export interface WorkResult {
  readonly id: number;
  readonly batch: Batch;
}

/** What a worker is started with: the configuration, never a provider or a client. */
export interface WorkerData {
  readonly source: WorkerSource;
  readonly clients: string | undefined;
}

/** Items of one call, as they wait for a worker. */
interface Chunk {
  readonly operation: Operation;
  readonly table: string;
  readonly crypto: CryptoDescription;
  readonly items: readonly Item[];
  /** A result per item, in order; `undefined` for an item that could not be sent (see pool-batch.ts). */
  readonly settle: (results: (Settled<Item> | undefined)[]) => void;
}

/** A chunk in a worker: which of its items were sent. */
interface Sent {
  readonly chunk: Chunk;
  readonly sent: readonly number[];
}

interface Slot {
  readonly worker: Worker;
  readonly inFlight: Map<number, Sent>;
}

/**
 * Worker threads that encrypt and decrypt items of the tables of a loaded configuration —
 * for bulk work (Query and Scan pages, BatchGetItem, BatchWriteItem, re-encryption). Give it
 * to the SDK integration as `EncryptionConfig.pool`, or call `decryptItems` / `encryptItems`.
 *
 * What crosses to a worker: once, when it starts, the configuration document, its directory
 * and the environment variables its key sources name; each worker reads the keys and builds
 * its own providers (a KMS or DynamoDB client comes from {@link EncryptorPoolOptions.clients}).
 * Then per batch of items, one buffer holding the items (transferred: moved, not copied) and
 * the table's encryption context and attribute actions; back, one buffer holding the items or
 * per-item errors (code and message). Key bytes never cross after a worker's start. An item
 * that is not made of well-formed attribute values is run on the calling thread instead (where
 * the encryptor reports the problem).
 *
 * Idle workers do not keep the process alive; `close()` ends them.
 */
export class EncryptorPool implements ItemPool {
  readonly threads: number;
  readonly minItems: number;
  readonly #data: WorkerData;
  /** The encryptors of the configuration that the workers can build, by the table they belong to. */
  readonly #tables = new Map<ItemEncryptor, string>();
  readonly #slots: Slot[] = [];
  readonly #queue: Chunk[] = [];
  #nextId = 0;
  #closed = false;
  /** Bytes per item of the last batch: the size to start the next batch's buffer with. */
  #bytesPerItem = 1024;

  constructor(config: LoadedConfig, options: EncryptorPoolOptions = {}) {
    const threads = options.threads ?? availableParallelism();
    if (!Number.isSafeInteger(threads) || threads < 1) throw new DdbecError('ERR_INVALID_ARGUMENT', 'options.threads must be an integer ≥ 1');
    const minItems = options.minItems ?? DEFAULT_MIN_ITEMS;
    if (!Number.isSafeInteger(minItems) || minItems < 1) throw new DdbecError('ERR_INVALID_ARGUMENT', 'options.minItems must be an integer ≥ 1');
    this.threads = threads;
    this.minItems = minItems;
    const clients = options.clients === undefined ? undefined : moduleUrl(options.clients);
    const needClients = new Set(['direct-kms', 'most-recent']);
    for (const table of Object.values(config.tables)) {
      // A token's keys stay with the token's sessions of the calling thread: those tables are not pooled.
      if (pkcs11KeyUses(config.document, [table.name]).length > 0) continue;
      if (clients !== undefined || !needClients.has(table.providerType)) this.#tables.set(table.encryptor, table.name);
    }
    this.#data = { source: workerSource(config, [...this.#tables.values()]), clients };
  }

  /** Whether `count` items of this encryptor go to the workers: it is one of the configuration's, and there are enough of them. */
  accepts(encryptor: ItemEncryptor, count: number): boolean {
    return !this.#closed && count >= this.minItems && this.#tables.has(encryptor);
  }

  /** Encrypts and signs items in the workers; a result per item, in order. */
  encryptItems(encryptor: ItemEncryptor, items: readonly Item[], config: CryptoConfig): Promise<Settled<Item>[]> {
    return this.#run('encryptItem', encryptor, items, config);
  }

  /** Verifies and decrypts items in the workers; a result per item, in order. */
  decryptItems(encryptor: ItemEncryptor, items: readonly Item[], config: CryptoConfig): Promise<Settled<Item>[]> {
    return this.#run('decryptItem', encryptor, items, config);
  }

  /** Ends the workers; items in flight fail with `ERR_WORKER_FAILED`, and the pool takes no more work. */
  async close(): Promise<void> {
    this.#closed = true;
    const slots = this.#slots.splice(0);
    for (const chunk of this.#queue.splice(0)) chunk.settle(failed(chunk, 'the pool was closed'));
    await Promise.all(
      slots.map(async (slot) => {
        this.#fail(slot, 'the pool was closed');
        await slot.worker.terminate();
      }),
    );
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  async #run(operation: Operation, encryptor: ItemEncryptor, items: readonly Item[], config: CryptoConfig): Promise<Settled<Item>[]> {
    if (this.#closed) throw new DdbecError('ERR_INVALID_ARGUMENT', 'the encryptor pool is closed');
    const table = this.#tables.get(encryptor);
    if (table === undefined) throw new DdbecError('ERR_INVALID_ARGUMENT', "the encryptor is not one of the pool's configuration (or its table needs options.clients)");
    const actions = config.attributeActions;
    const crypto: CryptoDescription = { encryptionContext: config.encryptionContext, defaultAction: actions.defaultAction, overrides: [...actions.overrides] };
    const parts: Promise<(Settled<Item> | undefined)[]>[] = [];
    // at least a few chunks per thread, so that the threads finish together
    const size = Math.max(1, Math.min(CHUNK_ITEMS, Math.ceil(items.length / (this.threads * CHUNKS_PER_WORKER * 2))));
    for (let start = 0; start < items.length; start += size) {
      const chunk = items.slice(start, start + size);
      parts.push(new Promise((settle) => this.#queue.push({ operation, table, crypto, items: chunk, settle })));
    }
    this.#dispatch();
    const results = (await Promise.all(parts)).flat();
    // The items that could not be sent: on this thread, where the encryptor says what is wrong.
    for (let i = 0; i < results.length; i++) {
      if (results[i] !== undefined) continue;
      results[i] = await encryptor[operation](items[i] as Item, config).then(
        (value) => ({ ok: true, value }),
        (error: unknown) => ({ ok: false, error }),
      );
    }
    return results as Settled<Item>[];
  }

  /** Gives queued chunks to workers with room, starting workers up to `threads`. */
  #dispatch(): void {
    while (this.#queue.length > 0) {
      let slot = this.#slots.find((candidate) => candidate.inFlight.size < CHUNKS_PER_WORKER);
      if (slot === undefined && this.#slots.length < this.threads) {
        try {
          slot = this.#start();
        } catch (error) {
          const why = `cannot start a worker thread (${error instanceof Error ? error.message : String(error)})`;
          for (const chunk of this.#queue.splice(0)) chunk.settle(failed(chunk, why));
          return;
        }
      }
      if (slot === undefined) return;
      this.#send(slot, this.#queue.shift() as Chunk);
    }
  }

  /** Writes a chunk's items into a batch (now, so that the calling thread writes while the workers work) and posts it. */
  #send(slot: Slot, chunk: Chunk): void {
    const writer = new BatchWriter(Math.max(4096, Math.ceil(chunk.items.length * this.#bytesPerItem * 1.1)));
    const sent: number[] = [];
    chunk.items.forEach((item, k) => {
      if (writer.item(item)) sent.push(k);
    });
    if (sent.length === 0) {
      chunk.settle(chunk.items.map(() => undefined));
      return;
    }
    const batch = writer.finish();
    this.#bytesPerItem = Math.ceil(batch.length / sent.length);
    const { operation, table, crypto } = chunk;
    const request: WorkRequest = { id: this.#nextId++, operation, table, crypto, batch, count: sent.length };
    slot.inFlight.set(request.id, { chunk, sent });
    slot.worker.ref();
    slot.worker.postMessage(request, [batch.buffer]);
  }

  #start(): Slot {
    // No Node.js options of the process: a worker refuses some (`node -e`'s --input-type,
    // --max-old-space-size), and it runs only ddbec's code (and the `clients` module).
    const worker = new Worker(new URL('./pool-worker.js', WORKER_BASE), { workerData: this.#data, execArgv: [] });
    const slot: Slot = { worker, inFlight: new Map() };
    this.#slots.push(slot);
    worker.on('message', (result: WorkResult) => {
      const entry = slot.inFlight.get(result.id);
      if (entry === undefined) return;
      slot.inFlight.delete(result.id);
      if (slot.inFlight.size === 0) worker.unref();
      settleSent(entry, readBatch(result.batch, 'copies').map((r) => (r.ok ? r : { ok: false, error: revive(r.error) })));
      this.#dispatch();
    });
    const lost = (why: string): void => {
      const index = this.#slots.indexOf(slot);
      if (index < 0) return;
      this.#slots.splice(index, 1);
      this.#fail(slot, why);
      this.#dispatch();
    };
    worker.on('error', (error) => {
      lost(`a worker thread failed: ${error.message}`);
    });
    worker.on('exit', (code) => {
      lost(`a worker thread exited (code ${code})`);
    });
    return slot;
  }

  /** Fails every item a worker holds. */
  #fail(slot: Slot, why: string): void {
    for (const entry of slot.inFlight.values()) settleSent(entry, failed(entry.chunk, why, entry.sent.length));
    slot.inFlight.clear();
  }
}

function moduleUrl(module: string | URL): string {
  if (module instanceof URL || /^(file|data):/.test(module)) return String(module);
  return pathToFileURL(resolve(module)).href;
}

/** `count` (default: all) items of a chunk, failed with ERR_WORKER_FAILED. */
function failed(chunk: Chunk, why: string, count = chunk.items.length): Settled<Item>[] {
  const verb = chunk.operation === 'encryptItem' ? 'encrypted' : 'decrypted';
  const error = new DdbecError('ERR_WORKER_FAILED', `${why}; the ${count} items it held for table "${chunk.table}" were not ${verb}`);
  return Array.from({ length: count }, () => ({ ok: false, error }));
}

/** Settles a chunk with the results of the items sent; those not sent are `undefined`. */
function settleSent({ chunk, sent }: Sent, results: readonly Settled<Item>[]): void {
  const all = new Array<Settled<Item> | undefined>(chunk.items.length).fill(undefined);
  sent.forEach((k, j) => (all[k] = results[j]));
  chunk.settle(all);
}

function revive(description: ErrorDescription): Error {
  if (description.code !== undefined) return new DdbecError(description.code, description.message);
  const error = new Error(description.message);
  error.name = description.name;
  return error;
}

/** An error as a worker sends it back (code, name and message: no stack, no cause). */
export function describeError(error: unknown): ErrorDescription {
  if (isDdbecError(error)) return { code: error.code, name: error.name, message: error.message };
  if (error instanceof Error) return { code: undefined, name: error.name, message: error.message };
  return { code: undefined, name: 'Error', message: String(error) };
}
