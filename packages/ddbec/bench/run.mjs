// npm run bench [-- --quick] [-- --json[=FILE]] [-- --python]
// ddbec's benchmark suite; each table is one function, measured in one run and printed a row at
// a time. Not a test: nothing is asserted.
// --quick       a short run (one round of 0.15 s slices, fewer items, the default DB-ESDK suite only) for a first look
// --json[=FILE] also write every table to FILE (default bench-results.json), with the machine
// --python      the side-by-side with the Python reference client (DDBEC_PYTHON_REFERENCE, see
//               python.mjs); also on whenever DDBEC_PYTHON_REFERENCE is set
// The environment variables of `ddbec bench` (BENCH_SECONDS, BENCH_ROUNDS, BENCH_FORMAT, …) win
// over these flags.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const jsonArg = args.find((arg) => arg === '--json' || arg.startsWith('--json='));
const QUICK = { BENCH_QUICK: '1', BENCH_SECONDS: '0.15', BENCH_ROUNDS: '1', BENCH_ITEMS: '20', BENCH_KMS_ITEMS: '50', BENCH_PKCS11_ITEMS: '50', BENCH_PYTHON_ROUNDS: '2' };
if (quick) for (const [name, value] of Object.entries(QUICK)) process.env[name] ??= value;
const options = { seconds: Number(process.env.BENCH_SECONDS ?? 1), rounds: Number(process.env.BENCH_ROUNDS ?? 3) };
// for `ddbec bench --json`, which gathers the JSON lines of report.mjs
if (process.env.BENCH_FORMAT === 'json') console.log(JSON.stringify({ settings: { quick, ...options } }));

// ---- in a source checkout, build what the suite imports when it is older than its sources ----
const packages = fileURLToPath(new URL('../../', import.meta.url));
function newest(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((entry) => newest(`${path}/${entry}`)));
}
for (const name of ['ddbec', 'local', 'cli']) {
  const dir = `${packages}${name}`;
  if (!existsSync(`${dir}/src`)) continue;
  const built = name === 'cli' ? `${dir}/dist/bin.js` : `${dir}/dist/esm/index.js`;
  if (existsSync(built) && statSync(built).mtimeMs >= newest(`${dir}/src`)) continue;
  const workspace = JSON.parse(readFileSync(`${dir}/package.json`, 'utf8')).name;
  console.error(`building ${workspace} (its dist is older than its sources)`);
  execFileSync('npm', ['run', 'build', '-w', workspace], { cwd: `${packages}..`, stdio: ['ignore', process.stderr, 'inherit'] });
}

const { printed } = await import('./report.mjs');
const { benchProviders, benchStatic } = await import('./encryptor.mjs');

/** Table: bytes allocated per item (see allocation.mjs for the method), in a child process. */
async function benchAllocation() {
  const { table } = await import('./report.mjs');
  const rows = table(
    'Allocated per item, static provider: V8 heap growth and ArrayBuffer contents over N items with no GC in between (--expose-gc, 64 MiB young generation)',
    [{ name: 'item', width: 8 }, { name: 'operation', width: 9 }, { name: 'items' }, { name: 'heap B/item' }, { name: 'array buffers B/item' }, { name: 'total KiB/item', decimals: 1 }, { name: 'GCs (must be 0)' }],
  );
  const script = fileURLToPath(new URL('./allocation.mjs', import.meta.url));
  const child = spawn(process.execPath, ['--expose-gc', '--min-semi-space-size=64', '--max-semi-space-size=64', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  for await (const line of createInterface({ input: child.stdout })) {
    const m = JSON.parse(line);
    rows.row({
      item: m.item,
      operation: m.operation,
      items: m.items,
      'heap B/item': m.heap,
      'array buffers B/item': m.arrayBuffers,
      'total KiB/item': (m.heap + m.arrayBuffers) / 1024,
      'GCs (must be 0)': m.collections,
    });
  }
}

/** The machine, for the README and the JSON document. */
function machine() {
  const cpuinfo = existsSync('/proc/cpuinfo') ? readFileSync('/proc/cpuinfo', 'utf8') : '';
  const model = /^model name\s*:\s*(.*)$/m.exec(cpuinfo)?.[1] ?? os.cpus()[0]?.model ?? 'unknown';
  let cpus = os.availableParallelism?.() ?? os.cpus().length;
  try {
    cpus = Number(execFileSync('nproc', { encoding: 'utf8' }).trim());
  } catch {
    // no nproc: the count Node sees
  }
  return { node: process.version, cpus, cpu: model, platform: `${os.platform()} ${os.release()}` };
}

const started = new Date();
const host = machine();
console.error(`ddbec bench on ${host.cpus} × ${host.cpu}, Node ${host.node}${quick ? ' (--quick)' : ''}`);
/** Runs one part of the suite and says on standard error how long it took (tables go to standard output). */
async function section(name, run) {
  const start = performance.now();
  await run();
  console.error(`${name}: ${((performance.now() - start) / 1000).toFixed(1)} s`);
}

await section('single thread, static provider', () => benchStatic(options));
await section('every provider', () => benchProviders(options));
await section('allocation', () => benchAllocation());
if (args.includes('--python') || process.env.DDBEC_PYTHON_REFERENCE !== undefined) {
  const { benchPython } = await import('./python.mjs');
  await section('Python reference', () => benchPython());
}
await section('DB-ESDK format', async () => {
  const { benchDbesdk } = await import('./dbesdk.mjs');
  const { ITEMS } = await import('./items.mjs');
  const { serializeAttribute } = await import('../dist/esm/format/index.js');
  const serializedSize = (item) => Object.values(item).reduce((sum, value) => sum + serializeAttribute(value).length, 0);
  await benchDbesdk(Object.entries(ITEMS).map(([name, make]) => [name, make(), serializedSize(make())]));
});
await section('Direct KMS with latency', async () => (await import('./kms.mjs')).benchDirectKms());
await section('PKCS#11 (SoftHSM2)', async () => (await import('./pkcs11.mjs')).benchPkcs11());
await section('AWS SDK integration', () => import('./sdk.mjs'));
await section('two threads on this machine', async () => (await import('./machine.mjs')).benchMachine());
await section('scan --threads (segment workers)', async () => (await import('./segments.mjs')).benchSegments());
await section('reencrypt --threads', async () => (await import('./reencrypt.mjs')).benchReencrypt());

if (jsonArg !== undefined) {
  const file = jsonArg === '--json' ? 'bench-results.json' : jsonArg.slice('--json='.length);
  const document = { date: started.toISOString(), machine: host, quick, ...options, tables: printed };
  writeFileSync(file, `${JSON.stringify(document, null, 2)}\n`);
  console.error(`wrote ${file}`);
}
