// npm run bench (multi-core rows, `ddbec scan --threads`): the compute path of a segment worker
// without the network — Scan page bodies (the JSON text DynamoDB returns, pages of ≤ 1 MB) →
// the SDK's parsing → verify and decrypt → the CLI's `--json` item text — on the calling thread
// vs in 1 and 2 worker threads that each load the configuration once and send back only text.
// Modes alternate within each round; the ratio is per round (its median is shown). CPU ms per
// 1,000 items counts every thread of the process (the least of the rounds); "CPU-bound" is
// 2 × the calling thread's CPU ÷ the 2 workers' — the ratio 2 idle cores would give if the two
// workers share the work evenly (on a loaded machine the wall-clock ratio is lower). Not a test.
import { randomBytes } from 'node:crypto';
import { availableParallelism, loadavg } from 'node:os';
import { Worker } from 'node:worker_threads';
import { settleBounded } from '../dist/esm/sdk/concurrency.js';
import { largeItem, typicalItem } from './items.mjs';
import { table } from './report.mjs';
import { openBench, scanPages } from './segments-job.mjs';

const QUICK = Number(process.env.BENCH_SECONDS ?? 1) < 1; // `--quick`
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const PAGE_BYTES = 1_000_000;
/** Distinct large items (the pages of 1,000 repeat them: decrypting is the same work for a repeat). */
const LARGE_DISTINCT = 24;

/** DynamoDB JSON as DynamoDB sends it (binary as base64). */
const wire = (item) =>
  JSON.stringify(item, function (key, value) {
    const raw = this[key]; // before a Buffer's toJSON
    return raw instanceof Uint8Array ? Buffer.from(raw).toString('base64') : value;
  });

/** Page bodies of ≤ PAGE_BYTES and ≤ `maxItems` items each, without their closing brace (see segments-job.mjs). */
export function pageBodies(items, maxItems = Infinity) {
  const bodies = [];
  let texts = [];
  let bytes = 0;
  const flush = () => {
    bodies.push(`{"Count":${texts.length},"ScannedCount":${texts.length},"Items":[${texts.join(',')}]`);
    texts = [];
    bytes = 0;
  };
  for (const item of items) {
    const text = wire(item);
    if ((bytes + text.length > PAGE_BYTES || texts.length >= maxItems) && texts.length > 0) flush();
    texts.push(text);
    bytes += text.length;
  }
  if (texts.length > 0) flush();
  return bodies;
}

export async function benchSegments() {
  const env = { AES: randomBytes(32).toString('base64'), HMAC: randomBytes(32).toString('base64') };
  const document = { tables: { bench: { partitionKey: 'pk', sortKey: 'sk', provider: { type: 'static', encryptionKey: { env: 'AES' }, signingKey: { env: 'HMAC' } } } } };
  const config = await openBench(document, env);
  const sizes = QUICK ? { typical: 300, large: 6 } : { typical: 10_000, large: 1_000 };
  const load = loadavg()[0];
  const out = table(
    `ddbec scan --threads: Scan page bodies → parse → verify + decrypt → --json text, no network; items/s (best of ${ROUNDS} rounds, modes alternating); ×: median of the per-round ratios to the calling thread; ${availableParallelism()} CPUs, load ${load.toFixed(1)} at start`,
    [
      { name: 'scan', width: 14 },
      { name: 'pages' },
      { name: 'calling thread' },
      { name: '1 worker' },
      { name: '× (1)', decimals: 2 },
      { name: '2 workers' },
      { name: '× (2)', decimals: 2 },
      { name: 'CPU ms/1k (thread)' },
      { name: 'CPU ms/1k (2 workers)' },
      { name: '× (2) CPU-bound', decimals: 2 },
      { name: 'workers start ms' },
    ],
  );
  const started = performance.now();
  const workers = Array.from({ length: 2 }, () => new Worker(new URL('./segments-worker.mjs', import.meta.url), { workerData: { document, env } }));
  await Promise.all(workers.map((worker) => next(worker, (message) => message.ready === true)));
  const startMs = performance.now() - started;
  for (const [shape, make] of [['typical', typicalItem], ['large', largeItem]]) {
    const count = sizes[shape];
    const distinct = shape === 'typical' ? count : Math.min(count, LARGE_DISTINCT);
    const plain = Array.from({ length: distinct }, (_, i) => make(i));
    const stored = (await settleBounded(plain, 16, (item) => config.encryptor.encryptItem(item, config))).map((result) => result.value);
    const bodies = pageBodies(stored);
    const perPage = bodies.map((body) => Number(/^\{"Count":(\d+)/.exec(body)[1]));
    const plan = [];
    for (let items = 0; items < count; items += perPage[plan.length % bodies.length]) plan.push(plan.length % bodies.length);

    await Promise.all(
      workers.map((worker) => {
        worker.postMessage({ bodies });
        return next(worker, (message) => message.ready === true);
      }),
    );

    const here = async () => scanPages(config, bodies, plan, () => undefined);
    const inWorkers = (n) => async () => {
      const shares = workers.slice(0, n).map((worker, w) => [worker, plan.filter((_, k) => k % n === w)]);
      const counts = await Promise.all(
        shares
          .filter(([, share]) => share.length > 0)
          .map(([worker, share]) => {
            worker.postMessage({ plan: share });
            return next(worker, (message) => typeof message.items === 'number');
          }),
      );
      return counts.reduce((sum, message) => sum + message.items, 0);
    };
    const { best, ratios, cpu } = await measureModes({ here, one: inWorkers(1), two: inWorkers(2) }, ROUNDS);
    out.row({
      scan: `${count.toLocaleString('en')} ${shape}`,
      pages: plan.length,
      'calling thread': best.here,
      '1 worker': best.one,
      '× (1)': median(ratios.one),
      '2 workers': best.two,
      '× (2)': median(ratios.two),
      'CPU ms/1k (thread)': cpu.here,
      'CPU ms/1k (2 workers)': cpu.two,
      '× (2) CPU-bound': (2 * cpu.here) / cpu.two,
      'workers start ms': startMs,
    });
  }
  await Promise.all(workers.map((worker) => worker.terminate()));
}

/** The next message of `worker` that `wanted` accepts (the others — page texts — are dropped, as a sink would). */
export function next(worker, wanted) {
  return new Promise((resolve, reject) => {
    const onMessage = (message) => {
      if (!wanted(message)) return;
      worker.off('message', onMessage);
      worker.off('error', reject);
      resolve(message);
    };
    worker.on('message', onMessage);
    worker.once('error', reject);
  });
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/**
 * Runs each mode (`here`, then the others; each returns the items it did) once per round, in
 * turn. Per mode: the best items/s and the least CPU ms per 1,000 items (every thread of the
 * process); per mode but `here`, its ratio to `here` in each round.
 */
export async function measureModes(modes, rounds) {
  const best = {};
  const cpu = {};
  const ratios = {};
  for (const mode of Object.keys(modes)) {
    best[mode] = 0;
    cpu[mode] = Infinity;
    if (mode !== 'here') ratios[mode] = [];
  }
  for (let round = 0; round < rounds; round += 1) {
    const rate = {};
    for (const [mode, run] of Object.entries(modes)) {
      const start = performance.now();
      const used = process.cpuUsage();
      const items = await run();
      rate[mode] = items / ((performance.now() - start) / 1000);
      best[mode] = Math.max(best[mode], rate[mode]);
      const { user, system } = process.cpuUsage(used);
      cpu[mode] = Math.min(cpu[mode], (user + system) / 1000 / (items / 1000));
    }
    for (const mode of Object.keys(ratios)) ratios[mode].push(rate[mode] / rate.here);
  }
  return { best, cpu, ratios };
}
