// Every core on a whole-table job with the SDK integration: worker threads that each run a part
// of a parallel Scan with their own clients, verify and decrypt their pages, and do the work on
// the items where they were decrypted — only a small result (here a count and a sum) comes back.
// Sending decrypted items to another thread costs about as much as decrypting them, so the
// work goes where the items are. Build the examples (`npm run example` builds them all), then:
//   node examples/dist/parallel-scan.js ddbec.config.json accounts 2
// with the endpoint and region in the environment (AWS_ENDPOINT_URL_DYNAMODB, AWS_REGION).
import { availableParallelism } from 'node:os';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { DynamoDBClient, paginateScan } from '@aws-sdk/client-dynamodb';
import { loadConfig } from 'ddbec/config';
import { EncryptedDynamoDBClient } from 'ddbec/sdk';

interface Share {
  readonly configPath: string;
  readonly table: string;
  readonly segments: readonly number[];
  readonly totalSegments: number;
}

export interface Totals {
  items: number;
  balance: number;
}

/** One thread's share: its segments, page by page, decrypted by its own encrypting client. */
async function scanShare(share: Share): Promise<Totals> {
  // Each thread loads the configuration (and reads the keys) itself: providers and clients cannot cross threads.
  const config = await loadConfig(share.configPath);
  const client = EncryptedDynamoDBClient.from(new DynamoDBClient({}), config.encryptionConfig);
  const totals: Totals = { items: 0, balance: 0 };
  try {
    for (const segment of share.segments) {
      for await (const page of paginateScan({ client }, { TableName: share.table, Segment: segment, TotalSegments: share.totalSegments })) {
        for (const item of page.Items ?? []) {
          totals.items += 1;
          totals.balance += Number(item['balance']?.N ?? 0);
        }
      }
    }
  } finally {
    client.destroy();
  }
  return totals;
}

/** Scans `table` with `threads` worker threads, four scan segments each; returns the totals of every thread. */
export async function main(configPath: string, table: string, threads = availableParallelism(), log: (line: string) => void = console.log): Promise<Totals> {
  const totalSegments = threads * 4;
  const shares = Array.from({ length: threads }, (_, t): Share => ({ configPath, table, totalSegments, segments: Array.from({ length: 4 }, (_, k) => t + k * threads) }));
  const results = await Promise.all(
    shares.map(
      (share) =>
        new Promise<Totals>((resolve, reject) => {
          const worker = new Worker(new URL(import.meta.url), { workerData: share });
          worker.once('message', resolve);
          worker.once('error', reject);
          worker.once('exit', (code) => {
            reject(new Error(`a scan thread exited (code ${code})`));
          });
        }),
    ),
  );
  const totals = results.reduce((sum, part) => ({ items: sum.items + part.items, balance: sum.balance + part.balance }), { items: 0, balance: 0 });
  log(`${totals.items} items, total balance ${totals.balance}, ${threads} threads`);
  return totals;
}

if (!isMainThread) parentPort?.postMessage(await scanShare(workerData as Share));
else if (import.meta.url === `file://${process.argv[1] ?? ''}`) await main(process.argv[2] ?? 'ddbec.config.json', process.argv[3] ?? 'accounts', Number(process.argv[4] ?? availableParallelism()));
