import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { CommandFailed, EXIT, envOf, type Io } from '../io.js';
import { num, int, type CommandSpec } from '../spec.js';

export interface BenchOptions {
  /** Seconds per measurement (BENCH_SECONDS, default 1). */
  readonly seconds?: number | undefined;
  /** Rounds per measurement; the best is kept (BENCH_ROUNDS, default 3). */
  readonly rounds?: number | undefined;
  /** The suite to run; default the installed library's `bench/run.mjs` ({@link benchScript}). */
  readonly script?: string | undefined;
}

/** Where the installed library keeps its benchmark suite: `bench/run.mjs` beside its package.json. */
export function benchScript(): string {
  return join(dirname(createRequire(import.meta.url).resolve('ddbec/package.json')), 'bench', 'run.mjs');
}

/** `ddbec bench`: runs the library's benchmark suite (a source checkout's `bench/run.mjs`) and prints its tables. */
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
  };
  const child = spawn(process.execPath, [script], { cwd: dirname(script), env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.on('data', (chunk: Buffer) => io.stdout.write(chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => io.stderr.write(chunk.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  if (code !== 0) throw new CommandFailed(`the benchmark suite failed (exit ${code ?? 'signal'})`);
  return EXIT.ok;
}

export const benchCommands: readonly CommandSpec[] = [
  {
    name: 'bench',
    summary: 'run the library’s benchmark suite and print its tables (items/s against the raw node:crypto floor)',
    options: {
      seconds: { type: 'string', value: 'S', description: 'seconds per measurement (default 1)' },
      rounds: { type: 'string', value: 'N', description: 'rounds per measurement, best kept (default 3)' },
    },
    details: [
      'Runs `bench/run.mjs` of the installed ddbec library. The suite is part of the source repository, not of the published package: when it is missing, the command says so and exits 1.',
    ],
    examples: ['ddbec bench', 'ddbec bench --seconds 0.2 --rounds 1'],
    run: ({ values }, io) => bench({ seconds: num(values, 'seconds', 0.01), rounds: int(values, 'rounds', 1, 100) }, io),
  },
];
