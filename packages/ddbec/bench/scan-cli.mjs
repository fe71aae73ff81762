// node packages/ddbec/bench/scan-cli.mjs [typical-items] [large-items] — informational, not
// part of `npm run bench` (filling the table takes a minute): `ddbec scan --json` end to end
// against dynalite (in this process) with --threads 0, 1 and 2. Wall-clock seconds of the whole
// command, modes alternating over 3 rounds (the best is shown). dynalite shares the cores with
// the command, so on 2 cores this does not show what 2 cores give against DynamoDB.
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
const sizes = { typical: Number(process.argv[2] ?? 10_000), large: Number(process.argv[3] ?? 1_000) };
const ROUNDS = 3;

const dir = mkdtempSync(join(tmpdir(), 'ddbec-scan-bench-'));
const dynamodb = await startLocalDynamoDB();
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const ddb = new DynamoDBClient({ endpoint: dynamodb.endpoint, region: 'us-east-1', credentials });
try {
  const provider = { type: 'static', encryptionKey: { env: 'AES' }, signingKey: { env: 'HMAC' } };
  const keys = { AES: Buffer.alloc(32, 1).toString('base64'), HMAC: Buffer.alloc(32, 2).toString('base64') };
  const document = { tables: {} };
  for (const shape of Object.keys(sizes)) document.tables[shape] = { partitionKey: 'pk', sortKey: 'sk', provider };
  const configPath = join(dir, 'ddbec.config.json');
  writeFileSync(configPath, JSON.stringify(document));
  const config = await loadConfig(configPath, { env: keys });
  const env = { ...process.env, ...keys, DDBEC_CONFIG: configPath, AWS_ENDPOINT_URL_DYNAMODB: dynamodb.endpoint, AWS_REGION: 'us-east-1' };

  const out = table(`ddbec end to end against dynalite (same process as the bench, sharing the cores); seconds, best of ${ROUNDS}; ${availableParallelism()} CPUs, load ${loadavg()[0].toFixed(1)} at start`, [
    { name: 'command', width: 34 },
    { name: 'items' },
    { name: '--threads 0 s', decimals: 2 },
    { name: '--threads 1 s', decimals: 2 },
    { name: '--threads 2 s', decimals: 2 },
    { name: '0 ÷ 2', decimals: 2 },
  ]);
  for (const [shape, make] of [['typical', typicalItem], ['large', largeItem]]) {
    const count = sizes[shape];
    await fillTable(ddb, shape, count, make, config.table(shape));
    const best = {};
    for (let round = 0; round < ROUNDS; round += 1) {
      for (const threads of [0, 1, 2]) best[threads] = Math.min(best[threads] ?? Infinity, await seconds(['scan', '--table', shape, '--json', '--threads', String(threads)], env, count));
    }
    out.row({ command: `scan --json (${shape})`, items: count, '--threads 0 s': best[0], '--threads 1 s': best[1], '--threads 2 s': best[2], '0 ÷ 2': best[0] / best[2] });
  }
} finally {
  ddb.destroy();
  await dynamodb.stop();
  rmSync(dir, { recursive: true, force: true });
}

/** Runs the CLI, reading its standard output; fails unless it printed `count` items. */
async function seconds(args, env, count) {
  const start = performance.now();
  const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  let tail = '';
  child.stdout.setEncoding('utf8').on('data', (chunk) => (tail = (tail + chunk).slice(-200)));
  const code = await new Promise((resolve) => child.once('close', resolve));
  const elapsed = (performance.now() - start) / 1000;
  if (code !== 0 || !tail.includes(`"Count": ${count},`)) throw new Error(`ddbec ${args.join(' ')}: exit ${code}, ${tail}`);
  return elapsed;
}
