// A worker thread of `ddbec reencrypt --threads` (see threads.ts): loads both configurations and
// makes its own clients, then re-encrypts the segments it is given, `segmentsAtOnce` at a time,
// page by page, each waiting after each page until the calling thread has saved it.
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
/** The questions waiting for their answer, by id. */
const waiting = new Map<number, (message: ToWorker) => void>();
let nextId = 0;
port.on('message', (message: ToWorker) => {
  if (message.type === 'saved') stop ||= message.stop;
  const answered = waiting.get(message.id);
  waiting.delete(message.id);
  answered?.(message);
});

function send(message: FromWorker): void {
  port.postMessage(message);
}

type Question = { readonly type: 'next' } | Omit<Extract<FromWorker, { type: 'page' }>, 'id'>;

/** Sends a question and waits for its answer. */
function ask(question: Question): Promise<ToWorker> {
  const id = nextId++;
  return new Promise((resolvePromise) => {
    waiting.set(id, resolvePromise);
    send({ ...question, id });
  });
}

async function run(): Promise<void> {
  const clients = awsClients(job.options, job.env, regionHint(resolve(job.options.toConfig)));
  try {
    const { from, to } = await openRotation(job.options, clients, job.env);
    // One loop per segment in flight; the first failure stops the others after their page in flight.
    let failed = false;
    const loop = async (): Promise<void> => {
      let problems: Problem[] = [];
      const pageRun = { ...job.settings, client: clients.dynamodb, from, to, stopping: () => stop || failed, onProblem: (problem: Problem) => problems.push(problem) };
      while (!stop && !failed) {
        const answer = await ask({ type: 'next' });
        if (answer.type !== 'segment' || answer.segment === undefined) return;
        const segment = answer.segment.number;
        await runSegmentPages(pageRun, segment, job.totalSegments, answer.segment, async (page) => {
          const sent = problems;
          problems = [];
          await ask({ type: 'page', segment, problems: sent, ...page });
        });
      }
    };
    const loops = Array.from({ length: job.segmentsAtOnce }, () =>
      loop().catch((error: unknown) => {
        failed = true;
        throw error;
      }),
    );
    const settled = await Promise.allSettled(loops);
    const rejected = settled.find((result) => result.status === 'rejected');
    if (rejected !== undefined) throw rejected.reason;
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
