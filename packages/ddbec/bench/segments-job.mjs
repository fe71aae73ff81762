// The work of one `ddbec scan --threads` worker (packages/cli/src/segment-worker.ts) without the
// network: a DynamoDB client whose Scan answers are page bodies held in memory (the JSON text
// DynamoDB sends), through the CLI's own EncryptedTable (the SDK parses, the encrypting client
// verifies and decrypts) and its own formatting (`scan --json`'s item text). Used by
// segments.mjs on the calling thread and in segments-worker.mjs.
import { Readable } from 'node:stream';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { loadConfig } from '../dist/esm/config/index.js';
import { itemsText } from '../../cli/dist/read-output.js';
import { EncryptedTable } from '../../cli/dist/table.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** The benchmark's table from a configuration document and its key variables. */
export async function openBench(document, env) {
  return (await loadConfig(document, { env })).table('bench');
}

const UTF8 = new TextDecoder();

/** The table's description (the encrypting client reads the key schema and indexes once). */
const DESCRIBE = JSON.stringify({
  Table: {
    TableName: 'bench',
    KeySchema: [
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ],
    AttributeDefinitions: [
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'sk', AttributeType: 'S' },
    ],
  },
});

function answer(text) {
  return { response: { statusCode: 200, headers: { 'content-type': 'application/x-amz-json-1.0' }, body: Readable.from([Buffer.from(text)]) } };
}

/**
 * A client whose k-th Scan answer is `bodies[plan[k]]`: each body is a page's JSON text without
 * its closing brace, to which the next page's key (or nothing, on the last) is added.
 */
function cannedClient(bodies, plan) {
  return new DynamoDBClient({
    region: 'us-east-1',
    endpoint: 'http://bench.invalid',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
    requestHandler: {
      handle: async (request) => {
        if (String(request.headers['x-amz-target']).endsWith('.DescribeTable')) return answer(DESCRIBE);
        const start = JSON.parse(typeof request.body === 'string' ? request.body : UTF8.decode(request.body)).ExclusiveStartKey;
        const k = start === undefined ? 0 : Number(start.sk.S);
        const next = k + 1 < plan.length ? `,"LastEvaluatedKey":{"pk":{"S":"page"},"sk":{"S":"${k + 1}"}}}` : '}';
        return answer(bodies[plan[k]] + next);
      },
    },
  });
}

/** Scans the pages of `plan`, passing each page's formatted text to `send`; returns the number of items. */
export async function scanPages(config, bodies, plan, send) {
  const client = cannedClient(bodies, plan);
  const table = new EncryptedTable(config, client);
  let items = 0;
  try {
    for await (const page of table.scan({})) {
      if (page.failures.length > 0) throw new Error(`${page.failures.length} items refused: ${page.failures[0].code} ${page.failures[0].message}`);
      items += page.items.length;
      send(itemsText(page.items, { json: true, plain: false }));
    }
  } finally {
    client.destroy();
  }
  return items;
}
