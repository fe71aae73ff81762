// Part of the AWS SDK integration bench (sdk.mjs): reading Scan pages of encrypted items through
// an EncryptedDynamoDBClient over an in-memory HTTP handler, with ddbec parsing the items of the
// responses itself (the default, middleware `ItemsParse`) and with the SDK's deserializer doing
// it (the same client with `ItemsParse` removed). Pages of up to 1 MB, as DynamoDB sends them;
// both clients verify and decrypt every item. One thread, the two clients taking turns page by
// page (who goes first alternating), ratio per round. Not a test: nothing is asserted.
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import os from 'node:os';
import { AttributeActions, CryptoAction, ItemEncryptor, SecretKey, StaticMaterialsProvider } from '../dist/esm/index.js';
import { EncryptedDynamoDBClient } from '../dist/esm/sdk/index.js';
import { ITEMS_PARSE_MIDDLEWARE } from '../dist/esm/sdk/response-items.js';
import { AES_KEY, HMAC_KEY, largeItem, SIGN_ONLY, typicalItem } from './items.mjs';
import { table } from './report.mjs';

const QUICK = process.env.BENCH_QUICK === '1';
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const TABLE = 'bench';
const PAGE_BYTES = 1024 * 1024;

const encryptor = new ItemEncryptor({
  materialsProvider: new StaticMaterialsProvider({ encryptionKey: SecretKey.fromBytes(AES_KEY, 'AES'), signingKey: SecretKey.fromBytes(HMAC_KEY, 'HmacSHA256') }),
});
const actions = new AttributeActions({ attributeActions: Object.fromEntries(SIGN_ONLY.map((name) => [name, CryptoAction.SignOnly])) });
const crypto = { encryptionContext: { tableName: TABLE, partitionKeyName: 'pk', sortKeyName: 'sk' }, attributeActions: actions.withKeyAttributes('pk', 'sk') };
const config = { tables: { [TABLE]: { itemEncryptor: encryptor, attributeActions: actions, keySchema: { partitionKey: 'pk', sortKey: 'sk' } } } };

// (Buffers have a toJSON, so look at the raw member, not the value JSON.stringify passes)
const wire = (item) =>
  JSON.stringify(item, function (key, value) {
    const raw = this[key];
    return raw instanceof Uint8Array ? Buffer.from(raw).toString('base64') : value;
  });

/** The body of a Scan page of encrypted `make(i)` items, as many as fit in 1 MB (at most `total`). */
async function pageBody(make, total) {
  const items = [];
  let bytes = 0;
  for (let i = 0; i < total; i += 1) {
    const text = wire(await encryptor.encryptItem(make(i), crypto));
    if (items.length > 0 && bytes + text.length > PAGE_BYTES) break;
    items.push(text);
    bytes += text.length + 1;
  }
  return { count: items.length, body: new TextEncoder().encode(`{"Count":${items.length},"Items":[${items.join(',')}],"ScannedCount":${items.length}}`) };
}

const describeBody = new TextEncoder().encode(
  JSON.stringify({ Table: { TableName: TABLE, KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }] } }),
);

/** A plain client whose HTTP handler answers every Scan with `body`. */
function cannedClient(body) {
  return new DynamoDBClient({
    region: 'us-east-1',
    endpoint: 'http://bench.invalid',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
    requestHandler: {
      metadata: { handlerProtocol: 'http/1.1' },
      handle: async (request) => {
        const describe = String(request.headers['x-amz-target']).endsWith('.DescribeTable');
        return { response: { statusCode: 200, headers: { 'content-type': 'application/x-amz-json-1.0' }, body: describe ? describeBody : body } };
      },
      updateHttpClientConfig() {},
      httpHandlerConfigs: () => ({}),
      destroy() {},
    },
  });
}

/** Reads one page through `client`; returns the seconds it took. */
async function readPage(client, count) {
  const start = process.hrtime.bigint();
  const { Items } = await client.send(new ScanCommand({ TableName: TABLE }));
  if (Items.length !== count) throw new Error(`expected ${count} items`);
  return Number(process.hrtime.bigint() - start) / 1e9;
}

export async function benchItemsParse() {
  const [load1] = os.loadavg();
  const rows = table(
    `Scan pages (≤ 1 MB) of encrypted items through EncryptedDynamoDBClient, in-memory HTTP handler, static provider, one thread: the SDK's deserializer vs ddbec's item parsing (best of ${ROUNDS} rounds, pages interleaved, load ${load1.toFixed(2)} at start)`,
    [
      { name: 'item', width: 8 },
      { name: 'items read', width: 10 },
      { name: 'items/page' },
      { name: "SDK's items/s" },
      { name: "ddbec's items/s" },
      { name: 'ratio per round', width: 17 },
    ],
  );
  for (const [name, make, total] of [
    ['typical', typicalItem, QUICK ? 500 : 10_000],
    ['large', largeItem, QUICK ? 30 : 1000],
  ]) {
    const { count, body } = await pageBody(make, total);
    const pages = Math.ceil(total / count);
    const plain = cannedClient(body);
    const ddbec = EncryptedDynamoDBClient.from(plain, config);
    const sdk = EncryptedDynamoDBClient.from(plain, config);
    sdk.middlewareStack.remove(ITEMS_PARSE_MIDDLEWARE);
    // warm up both (and the key schema check)
    await readPage(ddbec, count);
    await readPage(sdk, count);
    const best = { sdk: Infinity, ddbec: Infinity };
    const ratios = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      // page by page, the two clients taking turns to go first, so that both meet the same noise
      const seconds = { sdk: 0, ddbec: 0 };
      for (let page = 0; page < pages; page += 1) {
        for (const which of (round + page) % 2 === 0 ? ['sdk', 'ddbec'] : ['ddbec', 'sdk']) seconds[which] += await readPage(which === 'sdk' ? sdk : ddbec, count);
      }
      best.sdk = Math.min(best.sdk, seconds.sdk);
      best.ddbec = Math.min(best.ddbec, seconds.ddbec);
      ratios.push(seconds.sdk / seconds.ddbec);
    }
    rows.row({
      item: name,
      'items read': pages * count,
      'items/page': count,
      "SDK's items/s": (pages * count) / best.sdk,
      "ddbec's items/s": (pages * count) / best.ddbec,
      'ratio per round': `${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}×`,
    });
    plain.destroy();
  }
}
