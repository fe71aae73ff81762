// node packages/ddbec/bench/reencrypt-cli.mjs [typical-items] [large-items] — informational, not
// part of `npm run bench` (filling the table takes a while): `ddbec reencrypt` end to end against
// dynalite (in this process) with --threads 0 and 2, 8 segments, a checkpoint file. Each run
// re-encrypts the whole table, alternately from keys A to keys B and back; wall-clock seconds of
// the whole command, modes alternating over 3 rounds (the best is shown). dynalite shares the
// cores with the command, so on 2 cores this does not show what 2 cores give against DynamoDB.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { startLocalDynamoDB } from '../../local/dist/index.js';
import { loadConfig } from '../dist/esm/config/index.js';
import { largeItem, typicalItem } from './items.mjs';
import { fillTable } from './local-table.mjs';
import { table } from './report.mjs';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const BIN = fileURLToPath(new URL('../../cli/bin/ddbec.js', import.meta.url));
const sizes = { typical: Number(process.argv[2] ?? 5_000), large: Number(process.argv[3] ?? 500) };
const ROUNDS = 3;

const dir = mkdtempSync(join(tmpdir(), 'ddbec-reencrypt-bench-'));
const dynamodb = await startLocalDynamoDB();
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const ddb = new DynamoDBClient({ endpoint: dynamodb.endpoint, region: 'us-east-1', credentials });
try {
  const key = (byte) => Buffer.alloc(32, byte).toString('base64');
  const keys = { A_AES: key(1), A_HMAC: key(2), B_AES: key(3), B_HMAC: key(4) };
  const configs = {};
  for (const name of ['A', 'B']) {
    const provider = { type: 'static', encryptionKey: { env: `${name}_AES` }, signingKey: { env: `${name}_HMAC` } };
    configs[name] = join(dir, `${name}.json`);
    writeFileSync(configs[name], JSON.stringify({ tables: Object.fromEntries(Object.keys(sizes).map((shape) => [shape, { partitionKey: 'pk', sortKey: 'sk', provider }])) }));
  }
  const env = { ...process.env, ...keys, AWS_ENDPOINT_URL_DYNAMODB: dynamodb.endpoint, AWS_REGION: 'us-east-1' };

  const out = table(`ddbec reencrypt end to end against dynalite (same process as the bench, sharing the cores), 8 segments; seconds, best of ${ROUNDS}; ${availableParallelism()} CPUs, load ${loadavg()[0].toFixed(1)} at start`, [
    { name: 'table', width: 10 },
    { name: 'items' },
    { name: '--threads 0 s', decimals: 2 },
    { name: '--threads 2 s', decimals: 2 },
    { name: '0 ÷ 2', decimals: 2 },
    { name: 'load at end', decimals: 1 },
  ]);
  for (const [shape, make] of [['typical', typicalItem], ['large', largeItem]]) {
    const count = sizes[shape];
    await fillTable(ddb, shape, count, make, (await loadConfig(configs.A, { env: keys })).table(shape));
    const best = {};
    let under = 'A';
    let run = 0;
    for (let round = 0; round < ROUNDS; round += 1) {
      for (const threads of round % 2 === 0 ? [0, 2] : [2, 0]) {
        const to = under === 'A' ? 'B' : 'A';
        const args = ['reencrypt', '--table', shape, '--from-config', configs[under], '--to-config', configs[to], '--segments', '8', '--checkpoint', join(dir, `${shape}-${run}.json`), '--progress', 'none', '--json'];
        best[threads] = Math.min(best[threads] ?? Infinity, await seconds([...args, '--threads', String(threads)], env, count));
        under = to;
        run += 1;
      }
    }
    out.row({ table: shape, items: count, '--threads 0 s': best[0], '--threads 2 s': best[2], '0 ÷ 2': best[0] / best[2], 'load at end': loadavg()[0] });
  }
} finally {
  ddb.destroy();
  await dynamodb.stop();
  rmSync(dir, { recursive: true, force: true });
}

/** Runs the CLI; fails unless it re-encrypted `count` items. */
async function seconds(args, env, count) {
  const start = performance.now();
  const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  let text = '';
  child.stdout.setEncoding('utf8').on('data', (chunk) => (text += chunk));
  const code = await new Promise((resolve) => child.once('close', resolve));
  const elapsed = (performance.now() - start) / 1000;
  const report = code === 0 ? JSON.parse(text) : undefined;
  if (report?.reencrypted !== count || report.complete !== true) throw new Error(`ddbec ${args.join(' ')}: exit ${code}, ${text.slice(-300)}`);
  return elapsed;
}
