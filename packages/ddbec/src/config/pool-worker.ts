// The code of an EncryptorPool's worker thread (always the ESM build): builds the
// configuration's providers once, then encrypts or decrypts the batches of items it is sent.
import { parentPort, workerData } from 'node:worker_threads';
import { DdbecError } from '../errors.js';
import { AttributeActions } from '../encryptor/index.js';
import type { Item } from '../format/index.js';
import { settleBounded } from '../sdk/concurrency.js';
import { loadConfig, type LoadConfigOptions, type LoadedConfig } from './load.js';
import { describeError, type WorkerData, type WorkRequest, type WorkResult } from './pool.js';
import { BatchWriter, readBatch } from './pool-batch.js';

/** Items of one batch in flight at once (they only wait on a KMS or MetaStore call). */
const CONCURRENCY = 16;

const data = workerData as WorkerData;
const port = parentPort;
if (port === null) throw new Error('pool-worker.js runs in a worker thread of an EncryptorPool');

/** A failure here fails the worker (an unhandled rejection): the pool then fails the items it sent. */
const ready = start();

// One batch at a time, in order: the first answer goes back while the next batch is worked on
// (batches worked on together would all finish at the end, and the calling thread would read
// every answer while this thread waits).
let previous: Promise<void> = ready.then(() => undefined);
port.on('message', (request: WorkRequest) => {
  previous = previous.then(async () => {
    const result = await answer(await ready, request);
    port.postMessage(result, [result.batch.buffer]);
  });
});

async function start(): Promise<LoadedConfig> {
  const clients = data.clients === undefined ? {} : await ((await import(data.clients)) as { default: () => LoadConfigOptions | Promise<LoadConfigOptions> }).default();
  const { source } = data;
  return loadConfig(source.document, { ...clients, baseDir: source.baseDir, env: source.env, tables: source.tables });
}

async function answer(config: LoadedConfig, request: WorkRequest): Promise<WorkResult> {
  const { encryptor } = config.table(request.table);
  const crypto = {
    encryptionContext: request.crypto.encryptionContext,
    attributeActions: new AttributeActions({ defaultAction: request.crypto.defaultAction, attributeActions: new Map(request.crypto.overrides) }),
  };
  const items = readBatch(request.batch, 'views').map((entry) => (entry as { value: Item }).value);
  const settled = await settleBounded(items, CONCURRENCY, (item: Item) => encryptor[request.operation](item, crypto));
  const writer = new BatchWriter(Math.ceil(request.batch.length * 1.1));
  for (const result of settled) {
    if (result.ok && writer.item(result.value)) continue;
    writer.error(describeError(result.ok ? new DdbecError('ERR_WORKER_FAILED', 'the result could not be sent back') : result.error));
  }
  return { id: request.id, batch: writer.finish() };
}
