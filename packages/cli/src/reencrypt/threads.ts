// `ddbec reencrypt --threads N`: N worker threads (worker.ts) each do the whole work of the scan
// segments they are given: scan a page, decrypt under the old configuration, encrypt under the
// new one, write. Each runs its share of the segments at once (the unfinished ones ÷ N), so as
// many requests are in flight as on one thread, where every segment runs at once. This thread keeps what must have one owner: the checkpoint
// (a file, or the leased rows of a checkpoint table with their heartbeats), the progress, the
// problems, the stop on a signal. A worker sends each page's result here and scans its next page
// only once the page is saved, so a page is counted once and saved before the next one starts,
// as on one thread.
//
// What crosses the thread boundary: the command's options (file paths, endpoints, environment
// and the run's settings) once per worker — each loads both configurations and makes its own
// clients, so no key crosses —; a segment's number and position (its last evaluated key) when it
// is handed out; per page, the counts, the next key and the keys of the items that were not
// re-encrypted (as AttributeValue objects: structured clone keeps their bytes); errors as
// descriptions.
import { Worker } from 'node:worker_threads';
import type { AwsOptions } from '../aws.js';
import { reviveError, type ErrorDescription } from '../thread-errors.js';
import { addCounts, itemsOf, type CheckpointStore } from './checkpoint.js';
import type { RotationFiles } from './configs.js';
import type { PageDone, Problem, ReencryptSettings, SegmentPosition } from './run.js';

/** The worker's module, always the built one (workers cannot run TypeScript): from src/ and dist/ alike. */
const WORKER = new URL('../../dist/reencrypt/worker.js', import.meta.url);

/** What a worker is started with. */
export interface ReencryptJob {
  readonly options: RotationFiles & AwsOptions;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly settings: ReencryptSettings;
  readonly totalSegments: number;
  /** Segments a worker runs at once. */
  readonly segmentsAtOnce: number;
}

/** An answer to the worker's question `id` (a worker asks several at once, and pages are saved in any order). */
export type ToWorker =
  | { readonly type: 'segment'; readonly id: number; readonly segment: ({ readonly number: number } & SegmentPosition) | undefined }
  /** The page is recorded: scan the next one, unless the run stops. */
  | { readonly type: 'saved'; readonly id: number; readonly stop: boolean };

export type FromWorker =
  | { readonly type: 'next'; readonly id: number }
  | ({ readonly type: 'page'; readonly id: number; readonly segment: number; readonly problems: Problem[] } & PageDone)
  | { readonly type: 'done' }
  | { readonly type: 'failed'; readonly error: ErrorDescription };

export interface ThreadedRun {
  readonly threads: number;
  readonly job: Omit<ReencryptJob, 'totalSegments' | 'segmentsAtOnce'>;
  readonly checkpoint: CheckpointStore;
  /** True once the run should stop after the pages in flight. */
  readonly stopping: () => boolean;
  /** Called after each page with its number of items. */
  readonly onItems?: ((count: number) => void) | undefined;
  readonly onProblem: (problem: Problem) => void;
}

/**
 * Runs the unfinished segments of the checkpoint in `threads` workers (at most one per segment).
 * The first failure — in a worker, or saving a page here — stops every worker after its page in
 * flight, and is thrown once they have all stopped.
 */
export async function reencryptInThreads(run: ThreadedRun): Promise<void> {
  const pending = [...run.checkpoint.segments].filter(([, state]) => !state.done);
  const threads = Math.min(run.threads, pending.length);
  const job: ReencryptJob = { ...run.job, totalSegments: run.checkpoint.share.totalSegments, segmentsAtOnce: Math.ceil(pending.length / threads) };
  let failure: { error: unknown } | undefined;
  const stopping = (): boolean => failure !== undefined || run.stopping();
  const workers: Worker[] = [];
  try {
    await Promise.all(
      Array.from({ length: threads }, () => {
        const worker = new Worker(WORKER, { workerData: job });
        workers.push(worker);
        const post = (message: ToWorker): void => {
          worker.postMessage(message);
        };
        return new Promise<void>((resolve) => {
          let ended = false;
          const end = (error?: unknown): void => {
            if (error !== undefined) failure ??= { error };
            ended = true;
            resolve();
          };
          worker.on('message', (message: FromWorker) => {
            switch (message.type) {
              case 'next': {
                const next = stopping() ? undefined : pending.shift();
                post({ type: 'segment', id: message.id, segment: next === undefined ? undefined : { number: next[0], lastEvaluatedKey: next[1].lastEvaluatedKey, done: next[1].done } });
                break;
              }
              case 'page':
                void recordPage(run, message).then(
                  () => {
                    post({ type: 'saved', id: message.id, stop: stopping() });
                  },
                  (error: unknown) => {
                    failure ??= { error };
                    post({ type: 'saved', id: message.id, stop: true });
                  },
                );
                break;
              case 'done':
                end();
                break;
              case 'failed':
                end(reviveError(message.error));
            }
          });
          worker.on('error', (error) => {
            end(error);
          });
          worker.on('exit', (code) => {
            if (!ended) end(new Error(`a re-encryption worker stopped (exit code ${code})`));
          });
        });
      }),
    );
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
  if (failure !== undefined) throw failure.error;
}

/** Adds a worker's page to its segment's state and saves it (not on a dry run). */
async function recordPage(run: ThreadedRun, page: Extract<FromWorker, { type: 'page' }>): Promise<void> {
  const state = run.checkpoint.segments.get(page.segment);
  if (state === undefined) throw new Error(`a worker ran segment ${page.segment}, which is not this run's`);
  for (const problem of page.problems) run.onProblem(problem);
  addCounts(state.counts, page.counts);
  state.lastEvaluatedKey = page.lastEvaluatedKey;
  state.done = page.done;
  run.onItems?.(itemsOf(page.counts));
  if (!run.job.settings.dryRun) await run.checkpoint.save(page.segment);
}
