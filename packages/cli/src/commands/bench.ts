import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { CommandFailed, EXIT, envOf, printJson, type Io } from '../io.js';
import { flag, int, num, type CommandSpec } from '../spec.js';

export interface BenchOptions {
  /** Seconds per measurement (BENCH_SECONDS, default 1; shorter with `quick`). */
  readonly seconds?: number | undefined;
  /** Rounds per measurement; the best is kept (BENCH_ROUNDS, default 3; 1 with `quick`). */
  readonly rounds?: number | undefined;
  /** The suite's `--quick`: a short run (under 30 s) with shorter measurements and fewer items. `seconds` and `rounds` still win. */
  readonly quick?: boolean | undefined;
  /** One JSON document at the end instead of the tables as they come. */
  readonly json?: boolean | undefined;
  /** The suite to run; default the installed library's `bench/run.mjs` ({@link benchScript}). */
  readonly script?: string | undefined;
}

/** Where the installed library keeps its benchmark suite: `bench/run.mjs` beside its package.json. */
export function benchScript(): string {
  return join(dirname(createRequire(import.meta.url).resolve('ddbec/package.json')), 'bench', 'run.mjs');
}

interface BenchTable {
  readonly title: string;
  readonly columns: string[];
  readonly rows: Record<string, unknown>[];
}

/**
 * `ddbec bench`: runs the library's benchmark suite (a source checkout's `bench/run.mjs`). Its
 * tables are printed a row at a time as the measurements finish; with `json`, the suite prints
 * JSON lines (`BENCH_FORMAT=json`) that become one document.
 */
export async function bench(options: BenchOptions, io: Io): Promise<number> {
  const script = options.script ?? benchScript();
  if (!existsSync(script)) {
    throw new CommandFailed(
      `the benchmark suite is not shipped in the installed ddbec package (there is no ${script}); run \`npm run bench\` in a clone of the ddbec repository`,
    );
  }
  const env = {
    ...envOf(io),
    ...(options.seconds === undefined ? {} : { BENCH_SECONDS: String(options.seconds) }),
    ...(options.rounds === undefined ? {} : { BENCH_ROUNDS: String(options.rounds) }),
    ...(options.json === true ? { BENCH_FORMAT: 'json' } : {}),
  };
  const child = spawn(process.execPath, [script, ...(options.quick === true ? ['--quick'] : [])], { cwd: dirname(script), env, stdio: ['ignore', 'pipe', 'pipe'] });
  const tables: BenchTable[] = [];
  // the suite's own seconds and rounds (those of `--quick`), when it says them
  const settings = { seconds: Number(env.BENCH_SECONDS ?? 1), rounds: Number(env.BENCH_ROUNDS ?? 3) };
  if (options.json === true) {
    createInterface({ input: child.stdout }).on('line', (text) => {
      if (!collect(tables, settings, text)) io.stderr.write(`${text}\n`);
    });
  } else {
    child.stdout.on('data', (chunk: Buffer) => io.stdout.write(chunk.toString()));
  }
  child.stderr.on('data', (chunk: Buffer) => io.stderr.write(chunk.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  if (code !== 0) throw new CommandFailed(`the benchmark suite failed (exit ${code ?? 'signal'})`);
  if (options.json === true) printJson(io, { node: process.version, ...settings, tables });
  return EXIT.ok;
}

/**
 * One JSON line of the suite: its settings (`{settings: {seconds, rounds}}`), a table
 * (`{table, columns}`) or one of its rows (`{table, row}`); false for any other line.
 */
function collect(tables: BenchTable[], settings: { seconds: number; rounds: number }, text: string): boolean {
  let record: { table?: unknown; columns?: unknown; row?: unknown; settings?: { seconds?: unknown; rounds?: unknown } };
  try {
    record = JSON.parse(text) as typeof record;
  } catch {
    return false;
  }
  const table = typeof record.table === 'string' ? record.table : undefined;
  if (typeof record.settings === 'object' && record.settings !== null) {
    const { seconds, rounds } = record.settings;
    if (typeof seconds === 'number') settings.seconds = seconds;
    if (typeof rounds === 'number') settings.rounds = rounds;
  } else if (table !== undefined && Array.isArray(record.columns)) tables.push({ title: table, columns: record.columns.map(String), rows: [] });
  else if (table !== undefined && typeof record.row === 'object' && record.row !== null) tables.find((entry) => entry.title === table)?.rows.push(record.row as Record<string, unknown>);
  else return false;
  return true;
}

export const benchCommands: readonly CommandSpec[] = [
  {
    name: 'bench',
    summary: 'run the library’s benchmark suite: items/s against the raw node:crypto floor, the SDK integration’s overhead, Direct KMS concurrency',
    options: {
      seconds: { type: 'string', value: 'S', description: 'seconds per measurement (default 1; shorter with --quick)' },
      rounds: { type: 'string', value: 'N', description: 'rounds per measurement, best kept (default 3; 1 with --quick)' },
      quick: { type: 'boolean', description: 'the suite’s --quick: a short run (under 30 s) with fewer items, for a first look, not for figures' },
    },
    groups: ['json'],
    details: [
      'Runs `bench/run.mjs` of the installed ddbec library; each row is printed as soon as it is measured. With --json, one document at the end: `{ node, seconds, rounds, tables: [{ title, columns, rows }] }`. The suite is part of the source repository, not of the published package: when it is missing, the command says so and exits 1.',
    ],
    examples: ['ddbec bench', 'ddbec bench --quick', 'ddbec bench --json > bench.json'],
    run: ({ values }, io) =>
      bench({ seconds: num(values, 'seconds', 0.01), rounds: int(values, 'rounds', 1, 100), quick: flag(values, 'quick'), json: flag(values, 'json') }, io),
  },
];
