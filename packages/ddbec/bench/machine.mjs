// npm run bench (before the multi-core rows): what two threads give on this machine right now,
// with no ddbec at all — the same pure compute (a SHA-256 chain and an integer loop) twice on the
// calling thread vs once in each of 2 worker threads, rounds alternating. On a shared virtual
// machine two vCPUs need not be two idle cores; the worker rows after this one cannot beat this
// ratio, so read them against it. Not a test.
import { createHash } from 'node:crypto';
import { availableParallelism, loadavg } from 'node:os';
import { Worker } from 'node:worker_threads';
import { table } from './report.mjs';
import { median, next } from './segments.mjs';

const QUICK = Number(process.env.BENCH_SECONDS ?? 1) < 1; // `--quick`
const ROUNDS = QUICK ? 3 : 7;
/** Hash steps of one piece of work (about 0.1 s, or 0.03 s in --quick). */
const STEPS = QUICK ? 30_000 : 100_000;

/** The work, run here and (as its source) in the workers. */
function work(steps) {
  let digest = Buffer.alloc(32);
  for (let i = 0; i < steps; i += 1) digest = createHash('sha256').update(digest).digest();
  let x = 0;
  for (let i = 0; i < steps * 20; i += 1) x = (x * 31 + i) | 0;
  return x + digest[0];
}

const WORKER = `const { createHash } = require('node:crypto');
const { parentPort } = require('node:worker_threads');
${work.toString()}
parentPort.on('message', (steps) => parentPort.postMessage({ done: work(steps) }));`;

export async function benchMachine() {
  const load = loadavg()[0];
  const workers = Array.from({ length: 2 }, () => new Worker(WORKER, { eval: true }));
  const inWorkers = (steps) =>
    Promise.all(
      workers.map((worker) => {
        worker.postMessage(steps);
        return next(worker, (message) => message.done !== undefined);
      }),
    );
  try {
    work(STEPS / 10);
    await inWorkers(STEPS / 10);
    const ratios = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      let start = performance.now();
      work(STEPS);
      work(STEPS);
      const here = performance.now() - start;
      start = performance.now();
      await inWorkers(STEPS);
      ratios.push(here / (performance.now() - start));
    }
    table(`This machine's ceiling for 2 threads: the same pure compute twice on the calling thread vs once in each of 2 workers (no ddbec), ${ROUNDS} rounds alternating; ${availableParallelism()} CPUs, load ${load.toFixed(1)} at start`, [
      { name: 'rounds' },
      { name: 'median ×', decimals: 2 },
      { name: 'least ×', decimals: 2 },
      { name: 'most ×', decimals: 2 },
    ]).row({ rounds: ROUNDS, 'median ×': median(ratios), 'least ×': Math.min(...ratios), 'most ×': Math.max(...ratios) });
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}
