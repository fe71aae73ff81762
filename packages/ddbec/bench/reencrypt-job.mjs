// The work of `ddbec reencrypt` (packages/cli/src/reencrypt/run.ts, the CLI's own code) without
// the network: a DynamoDB client whose Scan answers are page bodies held in memory (the JSON text
// DynamoDB sends) and whose PutItem answers `{}`. Used by reencrypt.mjs on the calling thread
// (`reencryptTable`, every segment at once) and in reencrypt-worker.mjs (`runSegmentPages`, one
// segment at a time, as a worker of `reencrypt --threads` does).
import { Readable } from 'node:stream';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { loadConfig } from '../dist/esm/config/index.js';
import { runSegmentPages } from '../../cli/dist/reencrypt/run.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** Both configurations: static keys from `OLD_*` to `NEW_*` (variables of `env`). */
export async function openRotationBench(env) {
  const provider = (name) => ({ type: 'static', encryptionKey: { env: `${name}_AES` }, signingKey: { env: `${name}_HMAC` } });
  const document = (name) => ({ tables: { bench: { partitionKey: 'pk', sortKey: 'sk', provider: provider(name) } } });
  const [from, to] = await Promise.all(['OLD', 'NEW'].map(async (name) => (await loadConfig(document(name), { env })).table('bench')));
  return { from, to };
}

export const SETTINGS = { dryRun: false, pageSize: 100, concurrency: 8, retries: 5, transientRetries: 0, backoffMs: 0 };

const UTF8 = new TextDecoder();

function answer(text) {
  return { response: { statusCode: 200, headers: { 'content-type': 'application/x-amz-json-1.0' }, body: Readable.from([Buffer.from(text)]) } };
}

/**
 * A client whose Scan of segment s answers `bodies[plans[s][k]]` for its k-th page (each body is
 * a page's JSON text without its closing brace, to which the next page's key is added), and whose
 * PutItem answers `{}`.
 */
export function cannedClient(bodies, plans) {
  return new DynamoDBClient({
    region: 'us-east-1',
    endpoint: 'http://bench.invalid',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
    maxAttempts: 1,
    requestHandler: {
      handle: async (request) => {
        if (String(request.headers['x-amz-target']).endsWith('.PutItem')) return answer('{}');
        const input = JSON.parse(typeof request.body === 'string' ? request.body : UTF8.decode(request.body));
        const plan = plans[input.Segment];
        const k = input.ExclusiveStartKey === undefined ? 0 : Number(input.ExclusiveStartKey.sk.S);
        if (plan.length === 0) return answer('{"Count":0,"ScannedCount":0,"Items":[]}');
        const next = k + 1 < plan.length ? `,"LastEvaluatedKey":{"pk":{"S":"page"},"sk":{"S":"${k + 1}"}}}` : '}';
        return answer(bodies[plan[k]] + next);
      },
    },
  });
}

/** The run's settings for `runSegmentPages` and `reencryptTable` with a client. */
export function pageRun(rotation, client) {
  return { ...SETTINGS, ...rotation, client, stopping: () => false, onProblem: (problem) => {
    throw new Error(`${problem.code}: ${problem.message}`);
  } };
}

/** One segment's pages, as a worker of `reencrypt --threads` runs them; `pageDone` is awaited after each page. */
export function runSegment(rotation, client, segment, totalSegments, pageDone) {
  return runSegmentPages(pageRun(rotation, client), segment, totalSegments, { lastEvaluatedKey: undefined, done: false }, pageDone);
}
