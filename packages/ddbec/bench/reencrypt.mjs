// npm run bench (multi-core rows, `ddbec reencrypt --threads`): the compute path of a re-encryption
// without the network — Scan page bodies (the JSON text DynamoDB returns: ≤ 100 items, ≤ 1 MB) →
// the SDK's parsing → decrypt under the old static keys → encrypt under new ones → the SDK's
// PutItem request (answered `{}`) — on the calling thread (`reencryptTable`: 8 segments at once,
// 8 items in flight each) vs in 1 and 2 worker threads that each load both configurations once,
// run their share of the segments at once and wait after each page until this thread has
// recorded its counts, as `reencrypt --threads` does (without the checkpoint file's write). Modes alternate
// within each round; the ratio is per round (its median is shown). CPU ms per 1,000 items counts
// every thread of the process (the least of the rounds). Not a test.
import { randomBytes } from 'node:crypto';
import { availableParallelism, loadavg } from 'node:os';
import { Worker } from 'node:worker_threads';
import { settleBounded } from '../dist/esm/sdk/concurrency.js';
import { reencryptTable } from '../../cli/dist/reencrypt/run.js';
import { addCounts, freshSegment, itemsOf, zeroCounts } from '../../cli/dist/reencrypt/checkpoint.js';
import { largeItem, typicalItem } from './items.mjs';
import { table } from './report.mjs';
import { cannedClient, openRotationBench, pageRun } from './reencrypt-job.mjs';
import { measureModes, median, next, pageBodies } from './segments.mjs';

const QUICK = Number(process.env.BENCH_SECONDS ?? 1) < 1; // `--quick`
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SEGMENTS = 8;
/** Distinct large items (the pages of 1,000 repeat them: re-encrypting is the same work for a repeat). */
const LARGE_DISTINCT = 24;

export async function benchReencrypt() {
  const key = () => randomBytes(32).toString('base64');
  const env = { OLD_AES: key(), OLD_HMAC: key(), NEW_AES: key(), NEW_HMAC: key() };
  const rotation = await openRotationBench(env);
  const sizes = QUICK ? { typical: 100, large: 2 } : { typical: 10_000, large: 1_000 };
  const load = loadavg()[0];
  const out = table(
    `ddbec reencrypt --threads: Scan page bodies → parse → decrypt (old static keys) → encrypt (new ones) → PutItem request, no network; items/s (best of ${ROUNDS} rounds, modes alternating); ×: median of the per-round ratios to the calling thread; ${availableParallelism()} CPUs, load ${load.toFixed(1)} at start`,
    [
      { name: 'reencrypt', width: 14 },
      { name: 'pages' },
      { name: 'calling thread' },
      { name: '1 worker' },
      { name: '× (1)', decimals: 2 },
      { name: '2 workers' },
      { name: '× (2)', decimals: 2 },
      { name: 'CPU ms/1k (thread)' },
      { name: 'CPU ms/1k (2 workers)' },
      { name: 'workers start ms' },
    ],
  );
  const started = performance.now();
  const workers = Array.from({ length: 2 }, () => new Worker(new URL('./reencrypt-worker.mjs', import.meta.url), { workerData: { env } }));
  await Promise.all(workers.map((worker) => next(worker, (message) => message.ready === true)));
  const startMs = performance.now() - started;
  for (const [shape, make] of [['typical', typicalItem], ['large', largeItem]]) {
    const count = sizes[shape];
    const distinct = shape === 'typical' ? count : Math.min(count, LARGE_DISTINCT);
    const plain = Array.from({ length: distinct }, (_, i) => make(i));
    const stored = (await settleBounded(plain, 16, (item) => rotation.from.encryptor.encryptItem(item, rotation.from))).map((result) => result.value);
    const bodies = pageBodies(stored, 100);
    const perPage = bodies.map((body) => Number(/^\{"Count":(\d+)/.exec(body)[1]));
    // Pages of at least `count` items (whole pages), dealt to the segments in turn
    const plans = Array.from({ length: SEGMENTS }, () => []);
    let pages = 0;
    let total = 0;
    for (; total < count; total += perPage[pages % bodies.length], pages += 1) plans[pages % SEGMENTS].push(pages % bodies.length);

    await Promise.all(
      workers.map((worker) => {
        worker.postMessage({ bodies, plans });
        return next(worker, (message) => message.ready === true);
      }),
    );
    const client = cannedClient(bodies, plans);

    const here = async () => {
      const segments = new Map(plans.map((_, segment) => [segment, freshSegment()]));
      const checkpoint = { where: 'memory', share: { workers: 1, index: 0, totalSegments: SEGMENTS }, segments, resumed: false, save: async () => {}, close: async () => {} };
      await reencryptTable({ ...pageRun(rotation, client), checkpoint });
      return counted([...segments.values()].map((state) => state.counts));
    };
    const inWorkers = (n) => async () => {
      const sum = zeroCounts();
      let segment = 0;
      const give = () => (segment < SEGMENTS ? segment++ : null);
      const atOnce = Math.ceil(SEGMENTS / n);
      await Promise.all(
        workers.slice(0, n).map(
          (worker) =>
            new Promise((resolve, reject) => {
              let running = atOnce;
              const onMessage = (message) => {
                if (message.page !== undefined) {
                  addCounts(sum, message.page.counts);
                  worker.postMessage({ saved: message.page.segment });
                } else if (message.next === true) {
                  worker.postMessage({ segment: give() });
                } else if (message.finished === true && --running === 0) {
                  worker.off('message', onMessage);
                  worker.off('error', reject);
                  resolve();
                }
              };
              worker.on('message', onMessage);
              worker.once('error', reject);
              for (let k = 0; k < atOnce; k += 1) worker.postMessage({ segment: give() });
            }),
        ),
      );
      return counted([sum]);
    };
    /** Every item re-encrypted, or the bench measured something else. */
    const counted = (all) => {
      const sum = zeroCounts();
      for (const counts of all) addCounts(sum, counts);
      if (sum.reencrypted !== total || itemsOf(sum) !== total) throw new Error(`re-encrypted ${JSON.stringify(sum)} of ${total} items`);
      return total;
    };
    const { best, ratios, cpu } = await measureModes({ here, one: inWorkers(1), two: inWorkers(2) }, ROUNDS);
    client.destroy();
    out.row({
      reencrypt: `${total.toLocaleString('en')} ${shape}`,
      pages,
      'calling thread': best.here,
      '1 worker': best.one,
      '× (1)': median(ratios.one),
      '2 workers': best.two,
      '× (2)': median(ratios.two),
      'CPU ms/1k (thread)': cpu.here,
      'CPU ms/1k (2 workers)': cpu.two,
      'workers start ms': startMs,
    });
  }
  await Promise.all(workers.map((worker) => worker.terminate()));
}
