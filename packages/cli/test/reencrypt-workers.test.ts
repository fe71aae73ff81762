import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchWriteItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretKey, type Item } from 'ddbec';
import { formatSecretKeyFile, loadConfig, type TableConfig } from 'ddbec/config';
import type { FrontHandler } from '../../local/src/index.js';
import { itemsOf } from '../src/reencrypt/checkpoint.js';
import { TableCheckpoint, type JobView } from '../src/reencrypt/checkpoint-table.js';
import { baseEnv, bin, ddbec, ddbecJson, start, startStack, type RunResult, type Stack, scanTable } from './support.js';

const dir = mkdtempSync(join(tmpdir(), 'ddbec-workers-'));
const JOBS = 'ddbec-jobs';
let stack: Stack;
let from: TableConfig;
let to: TableConfig;

/** Scans of a gated table wait until the test opens its gate: a worker then holds its leases and does nothing else. */
const gates = new Map<string, { opened: Promise<void>; open: () => void }>();
function gate(table: string): () => void {
  let open = (): void => undefined;
  const opened = new Promise<void>((resolve) => (open = resolve));
  gates.set(table, { opened, open });
  return open;
}
const gatedScan: FrontHandler = async (request, context) => {
  const table = (request.json() as { TableName?: string } | undefined)?.TableName;
  if (table !== undefined) await gates.get(table)?.opened;
  return context.forward(request);
};

const configPath = (name: string): string => join(dir, `${name}.json`);

beforeAll(async () => {
  stack = await startStack({ Scan: gatedScan });
  for (const name of ['old', 'new']) {
    writeFileSync(join(dir, `${name}.aes`), formatSecretKeyFile(SecretKey.generate('AES', 256)));
    writeFileSync(join(dir, `${name}.hmac`), formatSecretKeyFile(SecretKey.generate('HmacSHA256', 256)));
  }
  const tables = (name: string) =>
    Object.fromEntries(
      ['fleet', 'dup', 'lost', 'bar'].map((table) => [table, { partitionKey: 'id', provider: { type: 'wrapped', wrappingKey: { file: `${name}.aes` }, signingKey: { file: `${name}.hmac` } } }]),
    );
  writeFileSync(configPath('old'), JSON.stringify({ tables: tables('old') }));
  writeFileSync(configPath('new'), JSON.stringify({ tables: tables('new') }));
  from = (await loadConfig(configPath('old'))).table('fleet');
  to = (await loadConfig(configPath('new'))).table('fleet');
}, 30_000);

afterAll(async () => {
  await stack.stop();
  rmSync(dir, { recursive: true, force: true });
});

const plain = (table: string, n: number): Item => ({ id: { S: `${table}-${n}` }, n: { N: String(n) }, secret: { S: `secret ${n} of ${table}` } });

async function seed(table: string, count: number): Promise<void> {
  await stack.createTable(table, 'id');
  const config = (await loadConfig(configPath('old'))).table(table);
  const stored = await Promise.all(Array.from({ length: count }, (_, n) => config.encryptor.encryptItem(plain(table, n), config)));
  for (let i = 0; i < stored.length; i += 25) {
    let pending: Record<string, { PutRequest: { Item: Item } }[]> | undefined = { [table]: stored.slice(i, i + 25).map((item) => ({ PutRequest: { Item: item } })) };
    while (pending !== undefined && Object.keys(pending).length > 0) {
      pending = (await stack.ddb.send(new BatchWriteItemCommand({ RequestItems: pending }))).UnprocessedItems as typeof pending;
    }
  }
}

/** Every item of `table` reads under the new configuration (and no longer under the old one), unchanged. */
async function expectAllNew(table: string, count: number): Promise<void> {
  const items = await scanTable(stack.ddb, table);
  expect(items).toHaveLength(count);
  const seen = new Set<number>();
  for (const stored of items) {
    const item = await to.encryptor.decryptItem(stored, { ...to, encryptionContext: { ...to.encryptionContext, tableName: table } });
    const n = Number((item['n'] as { N: string }).N);
    expect(item).toEqual(plain(table, n));
    seen.add(n);
    await expect(from.encryptor.decryptItem(stored, { ...from, encryptionContext: { ...from.encryptionContext, tableName: table } })).rejects.toThrow();
  }
  expect(seen.size).toBe(count);
}

const itemsDone = (job: JobView | undefined): number => (job === undefined ? 0 : [...job.segments.values()].reduce((sum, segment) => sum + itemsOf(segment.counts), 0));

/** Polls the checkpoint table (a state, not a time) until `done` holds. */
async function waitForJob(table: string, done: (job: JobView | undefined) => boolean, what: string, alive: () => boolean): Promise<JobView | undefined> {
  for (;;) {
    const job = await TableCheckpoint.read(stack.ddb, JOBS, table).catch(() => undefined);
    if (done(job)) return job;
    if (!alive()) throw new Error(`the workers ended before ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 30));
  }
}

const workerArgs = (table: string, extra: readonly string[]): string[] => [
  'reencrypt',
  '--table',
  table,
  '--from-config',
  configPath('old'),
  '--to-config',
  configPath('new'),
  '--checkpoint-table',
  JOBS,
  '--json',
  ...extra,
];

describe('ddbec reencrypt shared by workers (--workers, --worker-index, --checkpoint-table)', () => {
  it('N worker processes, some killed with SIGKILL at random points and restarted elsewhere, re-encrypt every item exactly once in the totals', { timeout: 90_000 }, async () => {
    const FLEET = 900;
    const WORKERS = 3;
    await seed('fleet', FLEET);
    const common = ['--segments', '6', '--page-size', '15', '--lease', '1'];
    // Worker 0 by flags, 1 as a Kubernetes Indexed Job sees it, 2 as an AWS Batch array job.
    const envOf = (index: number): Record<string, string> =>
      index === 0 ? {} : index === 1 ? { JOB_COMPLETION_INDEX: '1', DDBEC_WORKERS: String(WORKERS) } : { AWS_BATCH_JOB_ARRAY_INDEX: '2', AWS_BATCH_JOB_ARRAY_SIZE: String(WORKERS) };
    const launch = (index: number) =>
      start(workerArgs('fleet', [...common, ...(index === 0 ? ['--workers', String(WORKERS), '--worker-index', '0'] : [])]), {
        env: { ...stack.env, ...envOf(index) },
        cwd: mkdtempSync(join(dir, `worker-${index}-`)),
      });
    const workers = Array.from({ length: WORKERS }, (_, index) => launch(index));
    const running = (): number[] => workers.flatMap((worker, index) => (worker.child.exitCode === null && worker.child.signalCode === null ? [index] : []));
    const kills: { index: number; atItems: number }[] = [];
    for (const fraction of [0.1 + Math.random() * 0.3, 0.45 + Math.random() * 0.3]) {
      const job = await waitForJob('fleet', (seen) => itemsDone(seen) >= FLEET * fraction, `${Math.round(fraction * 100)}% done`, () => running().length > 0);
      const candidates = running();
      const index = candidates[Math.floor(Math.random() * candidates.length)];
      if (index === undefined) continue;
      const victim = workers[index] as (typeof workers)[number];
      victim.child.kill('SIGKILL');
      // It may have finished its share just before the signal: then it stays finished.
      if ((await victim.done).signal !== 'SIGKILL') continue;
      kills.push({ index, atItems: itemsDone(job) });
      workers[index] = launch(index);
    }
    expect(kills.length, `at least one worker was killed part-way: ${JSON.stringify(kills)}`).toBeGreaterThan(0);
    const results = await Promise.all(workers.map((worker) => worker.done));
    const outputs = results.map((result: RunResult) => {
      expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
      return JSON.parse(result.stdout) as { complete: boolean; workers: number; segmentsRun: number; checkpointTraffic: { requests: number; writeCapacityUnits: number } };
    });
    for (const [index, output] of outputs.entries()) {
      expect(output, `worker ${index}`).toMatchObject({ complete: true, workers: WORKERS, workerIndex: index, segments: 6, segmentsRun: 2 });
      expect(output.checkpointTraffic.requests).toBeGreaterThan(0);
    }

    await expectAllNew('fleet', FLEET);
    const { result, json } = await ddbecJson(['reencrypt', 'status', '--checkpoint-table', JOBS, '--table', 'fleet'], { env: stack.env });
    expect(result.code, result.stderr).toBe(0);
    expect(json).toMatchObject({ table: 'fleet', complete: true, workers: WORKERS, totalSegments: 6, segmentsDone: 6, items: FLEET, failed: 0, conflicts: 0, vanished: 0 });
    expect((json['reencrypted'] as number) + (json['alreadyNew'] as number)).toBe(FLEET);
    expect(json['estimatedItems']).toBeGreaterThan(0);
    const perWorker = json['perWorker'] as { segments: number[]; segmentsDone: number; lastHeartbeat?: string }[];
    expect(perWorker.map((worker) => worker.segments)).toEqual([
      [0, 3],
      [1, 4],
      [2, 5],
    ]);
    for (const worker of perWorker) expect(worker.lastHeartbeat).toBeDefined();
    const text = await ddbec(['reencrypt', 'status', '--checkpoint-table', JOBS, '--table', 'fleet'], { env: stack.env });
    expect(text.stdout).toMatch(/segments: 6 of 6 done/);
    expect(text.stdout).toMatch(new RegExp(`items: ${FLEET.toLocaleString('en-US')}: re-encrypted`));
  });

  it('a second copy given the same index stops with a clear error while the first holds the leases, and the first finishes', { timeout: 60_000 }, async () => {
    await seed('dup', 40);
    const open = gate('dup');
    const args = workerArgs('dup', ['--segments', '2', '--page-size', '10', '--lease', '4']);
    const first = start(args, { env: stack.env, cwd: mkdtempSync(join(dir, 'first-')) });
    let firstEnded = false;
    void first.done.then(() => (firstEnded = true));
    await waitForJob('dup', (job) => job?.segments.size === 2 && [...job.segments.values()].every((segment) => segment.held), 'the first copy held its leases', () => !firstEnded);
    const second = await ddbec(args, { env: stack.env, cwd: mkdtempSync(join(dir, 'second-')) });
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/held by another live worker \(.* pid \d+, worker 0 of 1\): are two copies running with --worker-index 0\?/);
    open();
    const done = await first.done;
    expect(done.code, done.stderr).toBe(0);
    expect(JSON.parse(done.stdout)).toMatchObject({ complete: true, reencrypted: 40 });
    await expectAllNew('dup', 40);
  });

  it('a copy whose lease was taken over fails its next conditional write and stops, leaving the segment to the new holder', { timeout: 60_000 }, async () => {
    await seed('lost', 40);
    const open = gate('lost');
    const copy = start(workerArgs('lost', ['--segments', '2', '--page-size', '10', '--lease', '30']), { env: stack.env, cwd: mkdtempSync(join(dir, 'lost-')) });
    let ended = false;
    void copy.done.then(() => (ended = true));
    const job = await waitForJob('lost', (seen) => seen?.segments.size === 2 && [...seen.segments.values()].every((segment) => segment.held), 'the copy held its leases', () => !ended);
    // Another copy takes segment 1 over, as it would after the lease expired.
    const key = { pk: { S: 'lost' }, sk: { S: `g${String(job?.generation).padStart(6, '0')}#s0000001` } };
    await stack.ddb.send(new UpdateItemCommand({ TableName: JOBS, Key: key, UpdateExpression: 'SET #owner = :other, seq = seq + :one', ExpressionAttributeNames: { '#owner': 'owner' }, ExpressionAttributeValues: { ':other': { S: 'intruder' }, ':one': { N: '1' } } }));
    open();
    const result = await copy.done;
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/segment 1 was taken over by .*This one stops\./);
    const after = await TableCheckpoint.read(stack.ddb, JOBS, 'lost');
    expect(after?.segments.get(1)).toMatchObject({ done: false, held: true, counts: { reencrypted: 0 } });
  });

  it('shows a progress bar with the estimated total under a pseudo-terminal', { timeout: 30_000 }, async () => {
    await seed('bar', 150);
    const args = [bin, ...workerArgs('bar', ['--page-size', '20']).filter((arg) => arg !== '--json' && arg !== '--checkpoint-table' && arg !== JOBS)];
    const command = [process.execPath, ...args].map((arg) => `'${arg.replaceAll("'", "'\\''")}'`).join(' ');
    const child = spawn('script', ['-qfec', command, '/dev/null'], { cwd: mkdtempSync(join(dir, 'bar-')), env: baseEnv({ ...stack.env, TERM: 'xterm' }), stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdin.end();
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    expect(code, out).toBe(0);
    const frames = out.split('\r').map((frame) => frame.trim()).filter((frame) => frame !== '');
    expect(frames.some((frame) => /^0 items {2}0 items\/s$/.test(frame)), out).toBe(true);
    expect(frames.some((frame) => /^\[█{24}\] {2}150\/150 items \(100%\) {2}[\d,]+ items\/s/.test(frame)), out).toBe(true);
    expect(out).toMatch(/re-encrypted 150 of 150 items of bar/);
  });
});
