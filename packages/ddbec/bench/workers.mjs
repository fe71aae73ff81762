// npm run bench (multi-core rows): decrypting and encrypting many items at once on the calling
// thread vs in an EncryptorPool of 1, 2, … worker threads (ddbec/config), with the static
// provider; items/s of the whole batch, results back on the calling thread. Also the smallest
// batch for which the pool pays (its default `minItems`). Not a test: nothing is asserted.
import { randomBytes } from 'node:crypto';
import { availableParallelism, loadavg } from 'node:os';
import { EncryptorPool, loadConfig } from '../dist/esm/config/index.js';
import { settleBounded } from '../dist/esm/sdk/concurrency.js';
import { typicalItem, largeItem } from './items.mjs';
import { table } from './report.mjs';

const QUICK = Number(process.env.BENCH_SECONDS ?? 1) < 1; // `--quick`
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const MAX_THREADS = Math.max(2, availableParallelism());

export async function benchWorkers() {
  const key = (bytes) => randomBytes(bytes).toString('base64');
  const loaded = await loadConfig(
    { tables: { bench: { partitionKey: 'pk', sortKey: 'sk', provider: { type: 'static', encryptionKey: { env: 'AES' }, signingKey: { env: 'HMAC' } } } } },
    { env: { AES: key(32), HMAC: key(32) } },
  );
  const bench = loaded.table('bench');
  const here = (operation, items) => settleBounded(items, 16, (item) => bench.encryptor[operation](item, bench));

  const sizes = QUICK ? { typical: 1_000, large: 50 } : { typical: 10_000, large: 1_000 };
  const threadCounts = [1, 2, ...(MAX_THREADS > 2 ? [MAX_THREADS] : [])];
  const pools = new Map(threadCounts.map((threads) => [threads, new EncryptorPool(loaded, { threads, minItems: 1 })]));
  const scaling = table(`EncryptorPool — items/s for one batch, best of ${ROUNDS}; ${availableParallelism()} CPUs, load ${loadavg()[0].toFixed(1)} at start; ×1 thread = vs the calling thread alone`, [
    { name: 'batch', width: 22 },
    { name: 'operation', width: 9 },
    { name: 'calling thread' },
    ...threadCounts.flatMap((threads) => [{ name: `${threads} worker${threads === 1 ? '' : 's'}` }, { name: `×1 thread (${threads})`, decimals: 2 }]),
  ]);
  for (const [shape, make] of [['typical', typicalItem], ['large', largeItem]]) {
    const count = sizes[shape];
    const plain = Array.from({ length: count }, (_, i) => make(i));
    const stored = (await here('encryptItem', plain)).map((result) => result.value);
    for (const [operation, items] of [['decryptItem', stored], ['encryptItem', plain]]) {
      const best = { here: 0 };
      for (let round = 0; round < ROUNDS; round += 1) {
        best.here = Math.max(best.here, count / ((await milliseconds(() => here(operation, items))) / 1000));
        for (const [threads, pool] of pools) {
          const run = () => (operation === 'decryptItem' ? pool.decryptItems(bench.encryptor, items, bench) : pool.encryptItems(bench.encryptor, items, bench));
          best[threads] = Math.max(best[threads] ?? 0, count / ((await milliseconds(run)) / 1000));
        }
      }
      const row = { batch: `${count.toLocaleString('en')} ${shape}`, operation: operation === 'decryptItem' ? 'decrypt' : 'encrypt', 'calling thread': best.here };
      for (const threads of threadCounts) {
        row[`${threads} worker${threads === 1 ? '' : 's'}`] = best[threads];
        row[`×1 thread (${threads})`] = best[threads] / best.here;
      }
      scaling.row(row);
    }
  }

  // The threshold: the time of a batch of n typical items decrypted here vs in the 2-thread pool (warm).
  const threshold = table('EncryptorPool threshold — ms for one batch of n typical items (decrypt): calling thread vs 2 warm workers', [
    { name: 'n', width: 6 },
    { name: 'calling thread ms', decimals: 2 },
    { name: '2 workers ms', decimals: 2 },
    { name: 'pool ÷ here', decimals: 2 },
  ]);
  const pool = pools.get(2);
  const all = (await here('encryptItem', Array.from({ length: 1024 }, (_, i) => typicalItem(i)))).map((result) => result.value);
  for (const n of QUICK ? [256, 1024] : [16, 64, 128, 256, 512, 1024]) {
    const items = all.slice(0, n);
    const best = { here: Infinity, pool: Infinity };
    for (let round = 0; round < ROUNDS * 5; round += 1) {
      best.here = Math.min(best.here, await milliseconds(() => here('decryptItem', items)));
      best.pool = Math.min(best.pool, await milliseconds(() => pool.decryptItems(bench.encryptor, items, bench)));
    }
    threshold.row({ n, 'calling thread ms': best.here, '2 workers ms': best.pool, 'pool ÷ here': best.pool / best.here });
  }
  await Promise.all([...pools.values()].map((p) => p.close()));
}

async function milliseconds(run) {
  const start = process.hrtime.bigint();
  await run();
  return Number(process.hrtime.bigint() - start) / 1e6;
}
