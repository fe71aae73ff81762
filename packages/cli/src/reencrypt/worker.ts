// A worker thread of `ddbec reencrypt --threads` (see threads.ts): loads both configurations and
// makes its own clients, then re-encrypts the segments it is given one at a time, page by page,
// waiting after each page until the calling thread has saved it.
import { resolve } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { awsClients } from '../aws.js';
import { regionHint } from '../context.js';
import { describeError } from '../thread-errors.js';
import { openRotation } from './configs.js';
import { runSegmentPages, type Problem } from './run.js';
import type { FromWorker, ReencryptJob, ToWorker } from './threads.js';

const job = workerData as ReencryptJob;
const maybePort = parentPort;
if (maybePort === null) throw new Error('reencrypt/worker.js runs in a worker thread of `ddbec reencrypt --threads`');
const port = maybePort;

let stop = false;
let answered: ((message: ToWorker) => void) | undefined;
port.on('message', (message: ToWorker) => {
  if (message.type === 'saved') stop ||= message.stop;
  answered?.(message);
});

function send(message: FromWorker): void {
  port.postMessage(message);
}

/** Sends `message` and waits for the answer (the calling thread answers every message in turn). */
function ask(message: FromWorker): Promise<ToWorker> {
  return new Promise((resolvePromise) => {
    answered = resolvePromise;
    send(message);
  });
}

async function run(): Promise<void> {
  const clients = awsClients(job.options, job.env, regionHint(resolve(job.options.toConfig)));
  try {
    const { from, to } = await openRotation(job.options, clients, job.env);
    let problems: Problem[] = [];
    const pageRun = { ...job.settings, client: clients.dynamodb, from, to, stopping: () => stop, onProblem: (problem: Problem) => problems.push(problem) };
    for (;;) {
      const answer = await ask({ type: 'next' });
      if (answer.type !== 'segment' || answer.segment === undefined) return;
      const segment = answer.segment.number;
      await runSegmentPages(pageRun, segment, job.totalSegments, answer.segment, async (page) => {
        const sent = problems;
        problems = [];
        await ask({ type: 'page', segment, problems: sent, ...page });
      });
    }
  } finally {
    clients.destroy();
  }
}

run().then(
  () => {
    send({ type: 'done' });
  },
  (error: unknown) => {
    send({ type: 'failed', error: describeError(error) });
  },
);
