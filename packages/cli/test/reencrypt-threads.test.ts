// `ddbec reencrypt --threads N`: worker threads re-encrypt whole segments while the calling thread
// keeps the checkpoint. The table ends as with one thread, with the same counts and problems; an
// interrupted run resumes without counting an item twice; a worker's failure stops the run with
// its error; a checkpoint table's leases work as without threads. Runs the real binary against
// the local stack, whose Scan pages are forced to 20 items (several pages per segment).
import { readFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchWriteItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretKey, type Item } from 'ddbec';
import { formatSecretKeyFile, loadConfig, type TableConfig } from 'ddbec/config';
import { findSoftHsmModule, initSoftHsmToken } from '@ddbec/local';
import { errorResponse, jsonResponse, type FrontHandler } from '../../local/src/index.js';
import { TableCheckpoint } from '../src/reencrypt/checkpoint-table.js';
import { ddbec, ddbecJson, start, startStack, type RunResult, type Stack, scanTable } from './support.js';

const dir = mkdtempSync(join(tmpdir(), 'ddbec-reencrypt-threads-'));
const JOBS = 'ddbec-thread-jobs';
const TABLES = ['one', 'two', 'capped', 'paused', 'broken', 'leased', 'stolen', 'hsm'];
let stack: Stack;

/** The run's Scans of a gated table (not the estimate's counts) wait at the gate until the test opens it; `waiting` counts the Scans held there. */
const gates = new Map<string, { after: number; opened: Promise<void>; open: () => void; waiting: number }>();
function gate(table: string, after: number): { open: () => void; waiting: () => number } {
  let open = (): void => undefined;
  const opened = new Promise<void>((resolve) => (open = resolve));
  const entry = { after, opened, open, waiting: 0 };
  gates.set(table, entry);
  return { open, waiting: () => entry.waiting };
}
const scans = new Map<string, number>();
/** The run's Scans of each table in flight now, and at most. */
const inFlight = new Map<string, { now: number; most: number }>();
const gatedSmallPages: FrontHandler = async (request, context) => {
  const input = request.json() as { TableName?: string; Select?: string };
  const table = input.TableName ?? '';
  if (input.Select === 'COUNT') return context.forward(request);
  const flight = inFlight.get(table) ?? { now: 0, most: 0 };
  inFlight.set(table, flight);
  flight.now += 1;
  flight.most = Math.max(flight.most, flight.now);
  try {
    const entry = gates.get(table);
    const seen = (scans.get(table) ?? 0) + 1;
    scans.set(table, seen);
    if (entry !== undefined && seen > entry.after) {
      entry.waiting += 1;
      await entry.opened;
      entry.waiting -= 1;
    }
    const reply = await context.call(request.operation, { ...input, Limit: 20 });
    return jsonResponse(reply.status, reply.body);
  } finally {
    flight.now -= 1;
  }
};

/** Writes of these items fail with a (non-retryable) ValidationException. */
const refused = new Set<string>();
const refusingPuts: FrontHandler = async (request, context) => {
  const id = (request.json() as { Item?: { id?: { S?: string } } }).Item?.id?.S;
  if (id !== undefined && refused.has(id)) return errorResponse('ValidationException', `refusing ${id} for the test`, 400);
  return context.forward(request);
};

const configPath = (name: string): string => join(dir, `${name}.json`);
const plain = (n: number): Item => ({ id: { S: `item-${String(n).padStart(4, '0')}` }, n: { N: String(n) }, secret: { S: `secret ${n}` } });
let old: (table: string) => Promise<TableConfig>;
let fresh: (table: string) => Promise<TableConfig>;

beforeAll(async () => {
  stack = await startStack({ Scan: gatedSmallPages, PutItem: refusingPuts });
  for (const name of ['old', 'new']) {
    writeFileSync(join(dir, `${name}.aes`), formatSecretKeyFile(SecretKey.generate('AES', 256)));
    writeFileSync(join(dir, `${name}.hmac`), formatSecretKeyFile(SecretKey.generate('HmacSHA256', 256)));
    const provider = { type: 'static', encryptionKey: { file: `${name}.aes` }, signingKey: { file: `${name}.hmac` } };
    writeFileSync(configPath(name), JSON.stringify({ tables: Object.fromEntries(TABLES.map((table) => [table, { partitionKey: 'id', provider }])) }));
  }
  old = async (table) => (await loadConfig(configPath('old'))).table(table);
  fresh = async (table) => (await loadConfig(configPath('new'))).table(table);
}, 30_000);

afterAll(async () => {
  await stack.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** `count` items under the old configuration; item 5 is tampered with (readable under neither) and item 6 is already under the new one. */
async function seed(table: string, count: number): Promise<void> {
  await stack.createTable(table, 'id');
  const [from, to] = await Promise.all([old(table), fresh(table)]);
  const stored = await Promise.all(Array.from({ length: count }, (_, n) => (n === 6 ? to : from).encryptor.encryptItem(plain(n), n === 6 ? to : from)));
  for (let i = 0; i < stored.length; i += 25) {
    let pending: Record<string, { PutRequest: { Item: Item } }[]> | undefined = { [table]: stored.slice(i, i + 25).map((item) => ({ PutRequest: { Item: item } })) };
    while (pending !== undefined && Object.keys(pending).length > 0) {
      pending = (await stack.ddb.send(new BatchWriteItemCommand({ RequestItems: pending }))).UnprocessedItems as typeof pending;
    }
  }
  await stack.ddb.send(new UpdateItemCommand({ TableName: table, Key: { id: plain(5)['id'] as { S: string } }, UpdateExpression: 'SET n = :n', ExpressionAttributeValues: { ':n': { N: '500' } } }));
}

/** Every item but the tampered one reads under the new configuration, unchanged. */
async function expectAllNew(table: string, count: number): Promise<void> {
  const to = await fresh(table);
  const items = await scanTable(stack.ddb, table);
  expect(items).toHaveLength(count);
  const read = await Promise.all(items.filter((item) => (item['id'] as { S: string }).S !== 'item-0005').map((item) => to.encryptor.decryptItem(item, to)));
  expect(read.map((item) => Number((item['n'] as { N: string }).N)).sort((a, b) => a - b)).toEqual(Array.from({ length: count }, (_, n) => n).filter((n) => n !== 5));
  for (const item of read) expect(item).toEqual(plain(Number((item['n'] as { N: string }).N)));
}

interface Report {
  complete: boolean;
  reencrypted: number;
  alreadyNew: number;
  vanished: number;
  failed: number;
  conflicts: number;
  items: number;
  problems: { key: unknown; reason: string; code: string; message: string }[];
  note?: string;
}

const args = (table: string, extra: readonly string[]): string[] => [
  'reencrypt',
  '--table',
  table,
  '--from-config',
  configPath('old'),
  '--to-config',
  configPath('new'),
  '--checkpoint',
  join(dir, `${table}.checkpoint.json`),
  ...extra,
];

const run = (table: string, extra: readonly string[]): Promise<{ result: RunResult; json: Report }> => ddbecJson<Report>(args(table, extra), { env: stack.env });

/** The counts and problems of a report, the table's name in messages replaced by T. */
const counts = (report: Report, table: string) => {
  const { reencrypted, alreadyNew, vanished, failed, conflicts, items, problems } = report;
  return { reencrypted, alreadyNew, vanished, failed, conflicts, items, problems: problems.map((problem) => ({ ...problem, message: problem.message.replaceAll(`"${table}"`, '"T"') })) };
};

describe('ddbec reencrypt --threads', () => {
  it('ends the table as one thread does, with the same counts and problems; a second run finds the checkpoint complete', { timeout: 40_000 }, async () => {
    const COUNT = 300;
    await Promise.all([seed('one', COUNT), seed('two', COUNT), seed('capped', 40)]);
    const single = await run('one', ['--segments', '8', '--threads', '0', '--progress', 'none']);
    const threaded = await run('two', ['--segments', '8', '--threads', '2', '--progress', 'none']);
    expect(threaded.result.code, threaded.result.stderr).toBe(1);
    expect(threaded.result.code).toBe(single.result.code);
    expect(threaded.result.stderr).toBe(single.result.stderr);
    expect(counts(threaded.json, 'two')).toEqual(counts(single.json, 'one'));
    expect(threaded.json).toMatchObject({ complete: true, items: COUNT, reencrypted: COUNT - 2, alreadyNew: 1, failed: 1 });
    expect(threaded.json.problems).toEqual([{ key: { id: { S: 'item-0005' } }, reason: 'failed', code: 'ERR_SIGNATURE_INVALID', message: expect.any(String) as unknown }]);
    await expectAllNew('two', COUNT);
    // Never more Scans in flight than on one thread, where every segment scans at once
    expect(inFlight.get('two')?.most).toBeLessThanOrEqual(8);
    const checkpoint = JSON.parse(readFileSync(join(dir, 'two.checkpoint.json'), 'utf8')) as { complete: boolean; totals: Record<string, number>; segments: { done: boolean }[] };
    expect(checkpoint.complete).toBe(true);
    expect(checkpoint.segments.every((segment) => segment.done)).toBe(true);
    expect(checkpoint.totals).toEqual({ reencrypted: COUNT - 2, alreadyNew: 1, vanished: 0, failed: 1, conflicts: 0 });

    const again = await ddbec(args('two', ['--threads', '2']), { env: stack.env });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/already complete/);

    // More threads than segments: one per segment. Progress counts every item.
    const capped = await run('capped', ['--segments', '2', '--threads', '6']);
    expect(capped.result.stderr).toMatch(/^progress: 40\/≈?[\d,]+ items \(100%\)/m);
    expect(capped.json).toMatchObject({ complete: true, items: 40, reencrypted: 38, alreadyNew: 1, failed: 1 });
    await expectAllNew('capped', 40);
    expect(inFlight.get('capped')?.most).toBeLessThanOrEqual(2);
  });

  it('stops after the pages in flight on SIGINT, and resumes without counting an item twice', { timeout: 40_000 }, async () => {
    const COUNT = 400;
    await seed('paused', COUNT);
    // 6 Scans pass, then the workers wait at the gate with their earlier pages saved: each runs
    // 2 of the 4 segments at once, and 6 pages of 20 items cannot finish two segments of this
    // table, so at least 3 Scans end up held (at most 2 if a worker ran one segment at a time)
    const held = gate('paused', 6);
    const first = start(args('paused', ['--segments', '4', '--threads', '2', '--json']), { env: stack.env });
    let ended = false;
    void first.done.then(() => (ended = true));
    let stderr = '';
    first.child.stderr?.on('data', (chunk: string) => (stderr += chunk));
    const until = async (state: () => boolean, what: string): Promise<void> => {
      while (!state()) {
        if (ended) throw new Error(`the run ended before ${what}: ${(await first.done).stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    await until(() => held.waiting() >= 3, 'the workers waited at the gate');
    first.child.kill('SIGINT');
    await until(() => stderr.includes('SIGINT: finishing the pages in flight'), 'it heard SIGINT');
    held.open();
    const stopped = await first.done;
    expect(stopped.code, stopped.stderr).toBe(1);
    expect(stopped.stderr).toMatch(/SIGINT: finishing the pages in flight/);
    const interrupted = JSON.parse(stopped.stdout) as Report;
    expect(interrupted.complete).toBe(false);
    expect(interrupted.note).toMatch(/^interrupted; run the same command again to resume/);
    // The pages scanned (6, then at most 4 held at the gate) are done and saved, no more
    expect(interrupted.items).toBeGreaterThan(0);
    expect(interrupted.items).toBeLessThanOrEqual(10 * 20);
    const saved = JSON.parse(readFileSync(join(dir, 'paused.checkpoint.json'), 'utf8')) as { totals: Record<string, number> };
    expect(Object.values(saved.totals).reduce((sum, n) => sum + n, 0)).toBe(interrupted.items);

    const resumed = await run('paused', ['--threads', '2']);
    // The unreadable item is reported by the run that reached its page, whichever it was
    expect(resumed.result.code).toBe(resumed.json.problems.length === 0 ? 0 : 1);
    expect([...interrupted.problems, ...resumed.json.problems].map((problem) => problem.key)).toEqual([{ id: { S: 'item-0005' } }]);
    expect(resumed.result.stdout).not.toMatch(/already complete/);
    expect(resumed.json).toMatchObject({ complete: true, items: COUNT, reencrypted: COUNT - 2, alreadyNew: 1, failed: 1, vanished: 0, conflicts: 0 });
    await expectAllNew('paused', COUNT);
  });

  it('a failure in a worker stops the run with its error, as on one thread; the run resumes once it is gone', { timeout: 40_000 }, async () => {
    const COUNT = 200;
    await seed('broken', COUNT);
    refused.add('item-0150');
    const one = await ddbec(args('broken', ['--segments', '4', '--threads', '0', '--progress', 'none']), { env: stack.env });
    const two = await ddbec(args('broken', ['--segments', '4', '--threads', '2', '--progress', 'none', '--restart']), { env: stack.env });
    expect(one.code).toBe(1);
    expect(one.stderr).toBe('ddbec: ValidationException: refusing item-0150 for the test\n');
    expect(two.code).toBe(one.code);
    expect(two.stderr).toBe(one.stderr);
    refused.clear();
    const resumed = await run('broken', ['--threads', '2']);
    expect(resumed.json).toMatchObject({ complete: true, items: COUNT, failed: 1, vanished: 0, conflicts: 0 });
    expect(resumed.json.reencrypted + resumed.json.alreadyNew).toBe(COUNT - 1);
    await expectAllNew('broken', COUNT);
  });

  it('works with a checkpoint table: leases taken, pages saved under them, and a lease lost stops every worker', { timeout: 40_000 }, async () => {
    await Promise.all([seed('leased', 200), seed('stolen', 200)]);
    const shared = (table: string): string[] => args(table, ['--checkpoint-table', JOBS, '--segments', '4', '--threads', '2', '--lease', '30']).filter((arg, i, all) => arg !== '--checkpoint' && all[i - 1] !== '--checkpoint');
    const { result, json } = await ddbecJson<Report & { checkpointTraffic: { requests: number } }>(shared('leased'), { env: stack.env });
    expect(result.code).toBe(1);
    expect(json).toMatchObject({ complete: true, items: 200, reencrypted: 198, alreadyNew: 1, failed: 1 });
    expect(json.checkpointTraffic.requests).toBeGreaterThan(0);
    const status = await ddbecJson(['reencrypt', 'status', '--checkpoint-table', JOBS, '--table', 'leased'], { env: stack.env });
    expect(status.json).toMatchObject({ complete: true, segmentsDone: 4, items: 200 });
    await expectAllNew('leased', 200);

    const held = gate('stolen', 0);
    const copy = start([...shared('stolen'), '--json'], { env: stack.env });
    let ended = false;
    void copy.done.then(() => (ended = true));
    let job = await TableCheckpoint.read(stack.ddb, JOBS, 'stolen').catch(() => undefined);
    while (held.waiting() < 2 || job?.segments.size !== 4) {
      if (ended) throw new Error(`the run ended before its workers scanned: ${(await copy.done).stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
      job = await TableCheckpoint.read(stack.ddb, JOBS, 'stolen').catch(() => undefined);
    }
    // Another copy takes segment 1 over, as it would after the lease expired.
    const key = { pk: { S: 'stolen' }, sk: { S: `g${String(job.generation).padStart(6, '0')}#s0000001` } };
    await stack.ddb.send(new UpdateItemCommand({ TableName: JOBS, Key: key, UpdateExpression: 'SET #owner = :other, seq = seq + :one', ExpressionAttributeNames: { '#owner': 'owner' }, ExpressionAttributeValues: { ':other': { S: 'intruder' }, ':one': { N: '1' } } }));
    held.open();
    const lost = await copy.done;
    expect(lost.code).toBe(1);
    expect(lost.stderr).toMatch(/segment 1 was taken over by .*This one stops\./);
    const after = await TableCheckpoint.read(stack.ddb, JOBS, 'stolen');
    expect(after?.segments.get(1)).toMatchObject({ done: false, counts: { reencrypted: 0 } });
    expect([...(after?.segments.values() ?? [])].some((segment) => !segment.done)).toBe(true);
  });
});

const softHsm = findSoftHsmModule();
describe.skipIf(softHsm === undefined)('ddbec reencrypt --threads with keys in a PKCS#11 token', () => {
  it('runs on the calling thread, and says so', { timeout: 30_000 }, async () => {
    const tokenDir = mkdtempSync(join(dir, 'token-'));
    const token = await initSoftHsmToken({ directory: tokenDir, label: 'reencrypt' });
    const env = { ...stack.env, SOFTHSM2_CONF: token.configPath, HSM_PIN: token.pin };
    const hsmConfig = join(tokenDir, 'hsm.json');
    writeFileSync(
      hsmConfig,
      JSON.stringify({
        pkcs11: { module: token.module, tokenLabel: token.label, pin: { env: 'HSM_PIN' } },
        tables: { hsm: { partitionKey: 'id', provider: { type: 'wrapped', wrappingKey: { pkcs11: { label: 'kek' } }, signingKey: { pkcs11: { label: 'mac' } } } } },
      }),
    );
    for (const keyArgs of [['--type', 'aes', '--label', 'kek', '--usage', 'wrap,unwrap'], ['--type', 'hmac', '--label', 'mac']]) {
      const made = await ddbec(['keys', 'generate', '--pkcs11', ...keyArgs, '--config', hsmConfig], { env });
      expect(made.code, made.stderr).toBe(0);
    }
    await seed('hsm', 60);
    const { result, json } = await ddbecJson<Report>(
      ['reencrypt', '--table', 'hsm', '--from-config', configPath('old'), '--to-config', hsmConfig, '--checkpoint', join(tokenDir, 'checkpoint.json'), '--threads', '2', '--progress', 'none'],
      { env },
    );
    expect(result.stderr).toBe('ddbec reencrypt: --threads ignored: keys of the table are in a PKCS#11 token, whose sessions belong to this thread\n');
    // item 5 was tampered with, item 6 is under the (file) keys of new.json: neither reads under the old keys
    expect(json).toMatchObject({ complete: true, items: 60, reencrypted: 58, failed: 2 });
  });
});
