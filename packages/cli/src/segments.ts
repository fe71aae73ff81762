// `ddbec scan --threads N`: N worker threads (segment-worker.ts) each run a parallel Scan over
// segments they take one at a time, verify, decrypt and format the items of their pages, and
// send the text here; this thread only writes it. What crosses the thread boundary: the
// command's options once per worker (each loads the configuration and makes its own clients),
// then formatted text (and the keys of refused items).
import { Worker } from 'node:worker_threads';
import type { AwsOptions } from './aws.js';
import type { ConfigOptions } from './context.js';
import type { ItemsText, ReadFormat, ReadOutput } from './read-output.js';
import type { ReadFailure } from './table.js';
import { reviveError, type ErrorDescription } from './thread-errors.js';

/** Segments per worker: one that finishes early takes another, so an uneven table keeps every thread busy. */
const SEGMENTS_PER_WORKER = 4;
/** Pages a worker may have sent that are not written yet: it reads the next one meanwhile, then waits. */
export const PAGES_IN_FLIGHT = 2;

/**
 * The worker's module, always the built one (workers cannot run TypeScript): from src/ and from
 * dist/ alike, `../dist/` is the package's build.
 */
const WORKER = new URL('../dist/segment-worker.js', import.meta.url);

/** What a worker is started with. */
export interface SegmentScan {
  readonly options: ConfigOptions & AwsOptions & { readonly table: string };
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly format: ReadFormat;
  /** The Scan's expression parameters (`FilterExpression`, names, values). */
  readonly input: Readonly<Record<string, unknown>>;
  readonly totalSegments: number;
}

export type ToWorker = { readonly type: 'segment'; readonly segment: number | undefined } | { readonly type: 'written' };

export type FromWorker =
  | { readonly type: 'next' }
  | { readonly type: 'page'; readonly page: ItemsText; readonly failures: ReadFailure[]; readonly scanned: number }
  | { readonly type: 'done' }
  | { readonly type: 'failed'; readonly error: ErrorDescription };

/**
 * Scans with `threads` workers and writes their pages to `output` as they come (a worker
 * waits while {@link PAGES_IN_FLIGHT} of its pages are not written, so memory holds a few
 * pages per worker); stops them all when the output has its limit. The order of the items is
 * the order pages arrive in: not a single-threaded scan's.
 */
export async function scanSegments(
  threads: number,
  scan: Omit<SegmentScan, 'totalSegments'>,
  output: ReadOutput,
): Promise<{ failures: ReadFailure[]; scanned: number }> {
  const data: SegmentScan = { ...scan, totalSegments: threads * SEGMENTS_PER_WORKER };
  const failures: ReadFailure[] = [];
  let scanned = 0;
  let next = 0;
  const workers: Worker[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      let writing = Promise.resolve();
      let running = threads;
      for (let i = 0; i < threads; i += 1) {
        const worker = new Worker(WORKER, { workerData: data });
        workers.push(worker);
        let done = false;
        const post = (message: ToWorker): void => {
          worker.postMessage(message);
        };
        worker.on('message', (message: FromWorker) => {
          switch (message.type) {
            case 'next':
              post({ type: 'segment', segment: next < data.totalSegments ? next++ : undefined });
              break;
            case 'page':
              failures.push(...message.failures);
              scanned += message.scanned;
              writing = writing.then(async () => {
                await output.items(message.page);
                if (output.remaining <= 0) resolve();
                else post({ type: 'written' });
              });
              writing.catch(reject);
              break;
            case 'done':
              done = true;
              running -= 1;
              if (running === 0) writing.then(resolve, reject);
              break;
            case 'failed':
              reject(reviveError(message.error));
          }
        });
        worker.on('error', reject);
        worker.on('exit', (code) => {
          if (!done) reject(new Error(`a scan worker stopped (exit code ${code})`));
        });
      }
    });
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
  return { failures, scanned };
}
