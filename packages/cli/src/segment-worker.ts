// A worker thread of `ddbec scan --threads` (see segments.ts): loads the configuration and
// makes its own clients, then scans the segments it is given, verifying, decrypting and
// formatting every page before sending it as text.
import { parentPort, workerData } from 'node:worker_threads';
import { openAnyTable } from './context.js';
import { itemsText } from './read-output.js';
import { PAGES_IN_FLIGHT, type FromWorker, type SegmentScan, type ToWorker } from './segments.js';
import { EncryptedTable } from './table.js';
import { describeError } from './thread-errors.js';

const data = workerData as SegmentScan;
const maybePort = parentPort;
if (maybePort === null) throw new Error('segment-worker.js runs in a worker thread of `ddbec scan --threads`');
const port = maybePort;

let unwritten = 0;
let written: (() => void) | undefined;
let segmentGiven: ((segment: number | undefined) => void) | undefined;
port.on('message', (message: ToWorker) => {
  if (message.type === 'written') {
    unwritten -= 1;
    written?.();
    written = undefined;
  } else {
    segmentGiven?.(message.segment);
  }
});

function send(message: FromWorker): void {
  port.postMessage(message);
}

function nextSegment(): Promise<number | undefined> {
  return new Promise((resolve) => {
    segmentGiven = resolve;
    send({ type: 'next' });
  });
}

async function run(): Promise<void> {
  const { table, clients } = await openAnyTable(data.options, data.env);
  try {
    const encrypted = new EncryptedTable(table, clients.dynamodb);
    for (let segment = await nextSegment(); segment !== undefined; segment = await nextSegment()) {
      for await (const result of encrypted.scan({ ConsistentRead: true, ...data.input, Segment: segment, TotalSegments: data.totalSegments })) {
        const page = itemsText(result.items, data.format);
        if (unwritten >= PAGES_IN_FLIGHT) await new Promise<void>((resolve) => (written = resolve));
        unwritten += 1;
        send({ type: 'page', page, failures: result.failures, scanned: result.scannedCount });
      }
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
