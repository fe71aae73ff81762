// The code of an EncryptorPool's worker thread (always the ESM build): builds the
// configuration's providers once, then encrypts or decrypts the batches of items it is sent.
import { parentPort, workerData } from 'node:worker_threads';
import { AttributeActions } from '../encryptor/index.js';
import type { Item } from '../format/index.js';
import { settleBounded } from '../sdk/concurrency.js';
import { loadConfig, type LoadConfigOptions, type LoadedConfig } from './load.js';
import { describeError, type WorkerData, type WorkRequest, type WorkResult } from './pool.js';

/** Items of one batch in flight at once (they only wait on a KMS or MetaStore call). */
const CONCURRENCY = 16;

const data = workerData as WorkerData;
const port = parentPort;
if (port === null) throw new Error('pool-worker.js runs in a worker thread of an EncryptorPool');

/** A failure here fails the worker (an unhandled rejection): the pool then fails the items it sent. */
const ready = start();

port.on('message', (request: WorkRequest) => {
  void ready
    .then((config) => answer(config, request))
    .then((result) => {
      port.postMessage(result);
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
  const settled = await settleBounded(request.items, CONCURRENCY, (item: Item) => encryptor[request.operation](item, crypto));
  return { id: request.id, results: settled.map((result) => (result.ok ? result : { ok: false, error: describeError(result.error) })) };
}
