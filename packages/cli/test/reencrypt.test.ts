import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchWriteItemCommand, DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretKey, type Item } from 'ddbec';
import { formatSecretKeyFile, loadConfig, type TableConfig } from 'ddbec/config';
import { MetaStore } from 'ddbec/metastore';
import { errorResponse, type FrontHandler } from '../../local/src/index.js';
import { rotationOf, tableIdentity } from '../src/reencrypt/digest.js';
import { estimateItemCount } from '../src/reencrypt/estimate.js';
import { ddbec, ddbecJson, start, startStack, type Stack, scanTable } from './support.js';

const ITEMS = 5_000;
const dir = mkdtempSync(join(tmpdir(), 'ddbec-reencrypt-'));
let stack: Stack;
let from: TableConfig;
let to: TableConfig;

/** Items whose first conditional re-encryption write meets a concurrent writer: with the new configuration, or the old one. */
const racedNew = new Set(Array.from({ length: 10 }, (_, i) => `a-${String(i * 397 + 11).padStart(5, '0')}`));
const racedOld = new Set(Array.from({ length: 10 }, (_, i) => `a-${String(i * 409 + 23).padStart(5, '0')}`));
const raced = new Set<string>();

/** Conditional writes of these items to table "throttled" fail on the service's side (HTTP 500) this many times more. */
const throttles = new Map<string, number>();

/** Before the reencrypt run's first conditional PutItem of a raced item, another writer updates that item. */
const interfere: FrontHandler = async (request, context) => {
  const input = request.json() as { TableName?: string; ConditionExpression?: string; Item?: { id?: { S?: string } } } | undefined;
  const id = input?.Item?.id?.S;
  const throttled = input?.TableName === 'throttled' && id !== undefined ? (throttles.get(id) ?? 0) : 0;
  if (throttled > 0 && id !== undefined) {
    throttles.set(id, throttled - 1);
    return errorResponse('InternalServerError', 'failing for the test', 500);
  }
  if (input?.TableName === 'accounts' && input.ConditionExpression !== undefined && id !== undefined && !raced.has(id) && (racedNew.has(id) || racedOld.has(id))) {
    raced.add(id);
    const writer = racedNew.has(id) ? to : from;
    const item = await writer.encryptor.encryptItem(account(id, racedNew.has(id) ? 'concurrent-new' : 'concurrent-old'), writer);
    await stack.ddb.send(new PutItemCommand({ TableName: 'accounts', Item: item }));
  }
  return context.forward(request);
};

function account(id: string, note: string): Item {
  return { id: { S: id }, owner: { S: `owner of ${id}` }, balance: { N: String(id.length * 7) }, note: { S: note }, updatedAt: { S: '2026-11-29' } };
}

const id = (n: number): string => `a-${String(n).padStart(5, '0')}`;

beforeAll(async () => {
  stack = await startStack({ PutItem: interfere });
  await stack.createTable('accounts', 'id');
  await MetaStore.createTable(stack.ddb, 'ddbec-keys', { pollMs: 20 });
  const kmsKey = await stack.createKey();
  writeFileSync(join(dir, 'old.aes'), formatSecretKeyFile(SecretKey.generate('AES', 256)));
  writeFileSync(join(dir, 'old.hmac'), formatSecretKeyFile(SecretKey.generate('HmacSHA256', 256)));
  const actions = { default: 'ENCRYPT_AND_SIGN', overrides: { note: 'SIGN_ONLY', updatedAt: 'DO_NOTHING' } };
  writeFileSync(
    join(dir, 'old.json'),
    JSON.stringify({ tables: { accounts: { partitionKey: 'id', attributeActions: actions, provider: { type: 'wrapped', wrappingKey: { file: 'old.aes' }, signingKey: { file: 'old.hmac' } } } } }),
  );
  // Moving to KMS: versioned keys in a MetaStore protected by the KMS key; "note" is now encrypted too.
  writeFileSync(
    join(dir, 'new.json'),
    JSON.stringify({
      tables: {
        accounts: {
          partitionKey: 'id',
          attributeActions: { default: 'ENCRYPT_AND_SIGN', overrides: { updatedAt: 'DO_NOTHING' } },
          provider: { type: 'most-recent', materialName: 'accounts', ttlMs: 600_000, metaStore: { tableName: 'ddbec-keys', provider: { type: 'direct-kms', keyId: kmsKey } } },
        },
      },
    }),
  );
  const options = { dynamoDBClient: stack.ddb, kmsClient: stack.kmsClient };
  from = (await loadConfig(join(dir, 'old.json'), options)).table('accounts');
  to = (await loadConfig(join(dir, 'new.json'), options)).table('accounts');

  // Seed with batch writes, encrypted under the old configuration.
  const stored = await Promise.all(Array.from({ length: ITEMS }, (_, n) => from.encryptor.encryptItem(account(id(n), 'seeded'), from)));
  const batches: Item[][] = [];
  for (let i = 0; i < stored.length; i += 25) batches.push(stored.slice(i, i + 25));
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < batches.length) {
        const batch = batches[next] as Item[];
        next += 1;
        let pending: Record<string, { PutRequest: { Item: Item } }[]> | undefined = { accounts: batch.map((item) => ({ PutRequest: { Item: item } })) };
        while (pending !== undefined && Object.keys(pending).length > 0) {
          const result = await stack.ddb.send(new BatchWriteItemCommand({ RequestItems: pending }));
          pending = result.UnprocessedItems as typeof pending;
        }
      }
    }),
  );
}, 60_000);

afterAll(async () => {
  await stack.stop();
  rmSync(dir, { recursive: true, force: true });
});

const args = (checkpoint: string): string[] =>
  ['reencrypt', '--table', 'accounts', '--from-config', join(dir, 'old.json'), '--to-config', join(dir, 'new.json'), '--segments', '4', '--page-size', '50', '--checkpoint', checkpoint];

describe('ddbec reencrypt', () => {
  it('--dry-run reports what would change and writes nothing', { timeout: 60_000 }, async () => {
    const checkpoint = join(dir, 'dry.checkpoint.json');
    const before = await stack.ddb.send(new GetItemCommand({ TableName: 'accounts', Key: { id: { S: id(7) } } }));
    const { result, json } = await ddbecJson(args(checkpoint).concat('--dry-run'), { env: stack.env });
    expect(result.code, result.stderr).toBe(0);
    expect(json).toMatchObject({ dryRun: true, complete: true, reencrypted: ITEMS, alreadyNew: 0, failed: 0, conflicts: 0, items: ITEMS, problems: [] });
    expect(existsSync(checkpoint)).toBe(false);
    const after = await stack.ddb.send(new GetItemCommand({ TableName: 'accounts', Key: { id: { S: id(7) } } }));
    expect(after.Item).toEqual(before.Item);
  });

  it('estimates the item count from a few sampled scan segments (DescribeTable says 0 here)', async () => {
    const estimate = await estimateItemCount(stack.ddb, 'accounts');
    expect(estimate.items).toBeGreaterThan(ITEMS * 0.65);
    expect(estimate.items).toBeLessThan(ITEMS * 1.35);
    expect(estimate.method).toMatch(/^\d+ items counted in 8 of \d+ scan segments$/);
    expect(estimate.requests).toBeLessThanOrEqual(40);
  });

  it('retries an item whose write still fails transiently after the AWS SDK\'s own retries, instead of failing', { timeout: 30_000 }, async () => {
    await stack.createTable('throttled', 'id');
    await Promise.all(
      Array.from({ length: 10 }, async (_, n) =>
        stack.ddb.send(new PutItemCommand({ TableName: 'throttled', Item: await from.encryptor.encryptItem(account(`t-${n}`, 'seeded'), { ...from, encryptionContext: { ...from.encryptionContext, tableName: 'throttled' } }) })),
      ),
    );
    const config = readFileSync(join(dir, 'old.json'), 'utf8').replaceAll('"accounts"', '"throttled"');
    writeFileSync(join(dir, 'throttled-old.json'), config);
    writeFileSync(join(dir, 'throttled-new.json'), readFileSync(join(dir, 'new.json'), 'utf8').replaceAll('"tables":{"accounts"', '"tables":{"throttled"'));
    throttles.set('t-3', 4); // as many as the AWS SDK's attempts for DynamoDB
    const { result, json } = await ddbecJson(
      ['reencrypt', '--table', 'throttled', '--from-config', join(dir, 'throttled-old.json'), '--to-config', join(dir, 'throttled-new.json'), '--checkpoint', join(dir, 'throttled.cp.json')],
      { env: stack.env },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(json).toMatchObject({ complete: true, reencrypted: 10, failed: 0, problems: [] });
    expect(throttles.get('t-3')).toBe(0);
  });

  it('is killed part-way, resumes from its checkpoint, loses nothing and clobbers no concurrent writer', async () => {
    const checkpoint = join(dir, 'accounts.checkpoint.json');
    const env = stack.env;

    // Meanwhile, the application (already on the new configuration) updates and inserts items.
    const written = new Map<string, string>();
    let writing = true;
    const writer = (async () => {
      for (let n = 0; writing; n += 1) {
        const key = n % 2 === 0 ? id((n * 7919) % ITEMS) : `b-${n}`;
        if (racedNew.has(key) || racedOld.has(key)) continue;
        const note = `app write ${n}`;
        await stack.ddb.send(new PutItemCommand({ TableName: 'accounts', Item: await to.encryptor.encryptItem(account(key, note), to) }));
        written.set(key, note);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();

    const first = start(args(checkpoint), { env });
    let finished = false;
    void first.done.then(() => {
      finished = true;
    });
    let progress = 0;
    while (progress < 1_500) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      try {
        progress = (JSON.parse(readFileSync(checkpoint, 'utf8')) as { totals: { reencrypted: number } }).totals.reencrypted;
      } catch {
        progress = 0; // not written yet
      }
      if (finished) throw new Error(`reencrypt finished before it could be killed: ${(await first.done).stdout}`);
    }
    first.child.kill('SIGKILL');
    const killed = await first.done;
    expect(killed.signal).toBe('SIGKILL');
    const saved = JSON.parse(readFileSync(checkpoint, 'utf8')) as { complete: boolean; segments: { lastEvaluatedKey?: unknown }[] };
    expect(saved.complete).toBe(false);
    expect(saved.segments.some((segment) => segment.lastEvaluatedKey !== undefined)).toBe(true);

    const resumed = await ddbecJson(args(checkpoint), { env });
    writing = false;
    await writer;
    expect(resumed.result.code, resumed.result.stderr).toBe(0);
    expect(resumed.json).toMatchObject({ complete: true, failed: 0, conflicts: 0, problems: [] });
    expect(resumed.json['reencrypted'] as number).toBeGreaterThan(1_000);

    // Every item reads under the new configuration; none is missing, none was clobbered.
    const items = await scanTable(stack.ddb, 'accounts');
    const ids = items.map((item) => (item['id'] as { S: string }).S);
    expect(new Set(ids).size).toBe(ids.length);
    for (let n = 0; n < ITEMS; n += 1) expect(ids).toContain(id(n));
    const notes = new Map<string, string>();
    await Promise.all(
      items.map(async (stored) => {
        const plain = await to.encryptor.decryptItem(stored, to);
        notes.set((plain['id'] as { S: string }).S, (plain['note'] as { S: string }).S);
      }),
    );
    expect(notes.size).toBe(ids.length);
    for (const key of racedNew) expect(notes.get(key), key).toBe('concurrent-new');
    for (const key of racedOld) expect(notes.get(key), key).toBe('concurrent-old');
    expect(raced.size).toBe(racedNew.size + racedOld.size);
    for (const [key, note] of written) expect(notes.get(key), key).toBe(note);
    expect(written.size).toBeGreaterThan(10);
    const counts = [...notes.values()].reduce((tally, note) => tally.set(note, (tally.get(note) ?? 0) + 1), new Map<string, number>());
    expect(counts.get('seeded')).toBe(ITEMS - racedNew.size - racedOld.size - [...written.keys()].filter((key) => key.startsWith('a-')).length);

    // Running again finds the checkpoint complete.
    const again = await ddbecJson(args(checkpoint), { env });
    expect(again.json).toMatchObject({ complete: true, note: 'already complete (pass --restart to run again)' });
  }, 120_000);

  it.each([
    ['starts encrypting an attribute', 'SIGN_ONLY', 'ENCRYPT_AND_SIGN'],
    ['stops encrypting an attribute', 'ENCRYPT_AND_SIGN', 'SIGN_ONLY'],
  ])('with the same keys, %s: items already done (an interrupted page) are not done twice', async (_name, before, after) => {
    const table = `actions-${before}`;
    await stack.createTable(table, 'id');
    const config = (action: string) => ({
      tables: { [table]: { partitionKey: 'id', attributeActions: { overrides: { note: action } }, provider: { type: 'static', encryptionKey: { file: 'old.aes' }, signingKey: { file: 'old.hmac' } } } },
    });
    writeFileSync(join(dir, `${table}-from.json`), JSON.stringify(config(before)));
    writeFileSync(join(dir, `${table}-to.json`), JSON.stringify(config(after)));
    const old = (await loadConfig(join(dir, `${table}-from.json`))).table(table);
    const done = (await loadConfig(join(dir, `${table}-to.json`))).table(table);
    await Promise.all(
      Array.from({ length: 20 }, async (_, n) => {
        const writer = n % 2 === 0 ? old : done;
        const item = await writer.encryptor.encryptItem({ id: { S: `i-${n}` }, note: { S: `note ${n}` }, other: { N: String(n) } }, writer);
        await stack.ddb.send(new PutItemCommand({ TableName: table, Item: item }));
      }),
    );
    const run = await ddbecJson(['reencrypt', '--table', table, '--from-config', join(dir, `${table}-from.json`), '--to-config', join(dir, `${table}-to.json`), '--checkpoint', join(dir, `${table}.cp.json`)], {
      env: stack.env,
    });
    expect(run.json).toMatchObject({ complete: true, reencrypted: 10, alreadyNew: 10, failed: 0, problems: [] });
    for (const stored of await scanTable(stack.ddb, table)) {
      const plain = await done.encryptor.decryptItem(stored, done);
      const n = (plain['id'] as { S: string }).S.slice(2);
      expect(plain).toEqual({ id: { S: `i-${n}` }, note: { S: `note ${n}` }, other: { N: n } });
      expect(stored['note'] !== undefined && 'B' in stored['note']).toBe(after === 'ENCRYPT_AND_SIGN');
    }
  });

  it('encrypts a table that was plaintext', async () => {
    await stack.createTable('legacy', 'id');
    await Promise.all(Array.from({ length: 40 }, (_, n) => stack.ddb.send(new PutItemCommand({ TableName: 'legacy', Item: { id: { S: `p-${n}` }, secret: { S: `s${n}` } } }))));
    writeFileSync(join(dir, 'plain.json'), JSON.stringify({ tables: { legacy: { partitionKey: 'id', attributeActions: { default: 'DO_NOTHING' } } } }));
    writeFileSync(
      join(dir, 'encrypted.json'),
      JSON.stringify({ tables: { legacy: { partitionKey: 'id', provider: { type: 'wrapped', wrappingKey: { file: 'old.aes' }, signingKey: { file: 'old.hmac' } } } } }),
    );
    const run = await ddbecJson(
      ['reencrypt', '--table', 'legacy', '--from-config', join(dir, 'plain.json'), '--to-config', join(dir, 'encrypted.json'), '--checkpoint', join(dir, 'legacy.json')],
      { env: stack.env },
    );
    expect(run.json).toMatchObject({ complete: true, reencrypted: 40, problems: [] });
    const legacy = (await loadConfig(join(dir, 'encrypted.json'))).table('legacy');
    const { Item } = await stack.ddb.send(new GetItemCommand({ TableName: 'legacy', Key: { id: { S: 'p-3' } } }));
    expect(Item?.['secret']).toHaveProperty('B');
    expect(await legacy.encryptor.decryptItem(Item as Item, legacy)).toEqual({ id: { S: 'p-3' }, secret: { S: 's3' } });
  });

  describe('rotations in a row: each one re-encrypts every item, never skipped by the checkpoint of another', () => {
    const ROTATED = 100;
    const configs = ['A', 'B', 'C'] as const;
    const work = join(dir, 'rotations');
    const configFile = (name: string): string => join(work, `${name}.json`);
    const tableOf = async (name: string): Promise<TableConfig> => (await loadConfig(configFile(name))).table('rotations');
    const argsOf = (fromName: string, toName: string): string[] => ['reencrypt', '--table', 'rotations', '--from-config', configFile(fromName), '--to-config', configFile(toName), '--page-size', '40'];
    const run = (fromName: string, toName: string, extra: readonly string[] = []) => ddbecJson([...argsOf(fromName, toName), ...extra], { env: stack.env, cwd: work });

    beforeAll(async () => {
      mkdirSync(work);
      await stack.createTable('rotations', 'id');
      for (const name of configs) {
        writeFileSync(join(work, `${name}.aes`), formatSecretKeyFile(SecretKey.generate('AES', 256)));
        writeFileSync(join(work, `${name}.hmac`), formatSecretKeyFile(SecretKey.generate('HmacSHA256', 256)));
        const provider = { type: 'wrapped', wrappingKey: { file: `${name}.aes` }, signingKey: { file: `${name}.hmac` } };
        writeFileSync(configFile(name), JSON.stringify({ tables: { rotations: { partitionKey: 'id', provider } } }));
      }
      const a = await tableOf('A');
      await Promise.all(
        Array.from({ length: ROTATED }, async (_, n) =>
          stack.ddb.send(new PutItemCommand({ TableName: 'rotations', Item: await a.encryptor.encryptItem({ id: { S: `r-${n}` }, secret: { S: `secret ${n}` } }, a) })),
        ),
      );
    });

    /** Every item reads under `name`, and under none of the other configurations. */
    async function expectAllUnder(name: string): Promise<void> {
      const tables = Object.fromEntries(await Promise.all(configs.map(async (config) => [config, await tableOf(config)] as const)));
      const items = await scanTable(stack.ddb, 'rotations');
      expect(items).toHaveLength(ROTATED);
      for (const stored of items) {
        const readers: string[] = [];
        for (const config of configs) {
          const table = tables[config] as TableConfig;
          const plain = await table.encryptor.decryptItem(stored, table).catch(() => undefined);
          if (plain !== undefined) {
            readers.push(config);
            expect(plain['secret']).toEqual({ S: `secret ${(plain['id'] as { S: string }).S.slice(2)}` });
          }
        }
        expect(readers).toEqual([name]);
      }
    }

    it('A → B, then B → A, then A → B again, then B → C: every step re-encrypts every item', { timeout: 60_000 }, async () => {
      for (const [fromName, toName] of [
        ['A', 'B'],
        ['B', 'A'],
        ['A', 'B'],
        ['B', 'C'],
      ] as const) {
        const { result, json } = await run(fromName, toName);
        expect(result.code, `${fromName} → ${toName}: ${result.stderr}`).toBe(0);
        expect(json, `${fromName} → ${toName}`).toMatchObject({ complete: true, reencrypted: ROTATED, alreadyNew: 0, failed: 0 });
        expect(json['note']).toBeUndefined();
        // Logs get plain progress lines (standard error is not a terminal here); a table this small is counted, not estimated.
        expect(result.stderr).toMatch(new RegExp(`^progress: ${ROTATED}/${ROTATED} items \\(100%\\)`, 'm'));
        expect(result.stderr).not.toContain('\r');
        await expectAllUnder(toName);
      }
      // The same rotation again is the one that is already complete.
      const again = await run('B', 'C');
      expect(again.json).toMatchObject({ complete: true, note: 'already complete (pass --restart to run again)' });
      const status = await ddbecJson(['reencrypt', 'status', '--checkpoint', join(work, '.ddbec/reencrypt-rotations.checkpoint.json')], { env: stack.env });
      expect(status.json).toMatchObject({ table: 'rotations', rotation: again.json['rotation'], complete: true, workers: 1, segmentsDone: 4, items: ROTATED, reencrypted: ROTATED });
    });

    it('refuses to start over the unfinished checkpoint of another rotation, unless --restart', { timeout: 30_000 }, async () => {
      const file = join(work, '.ddbec/reencrypt-rotations.checkpoint.json');
      const saved = JSON.parse(readFileSync(file, 'utf8')) as { complete: boolean; segments: { done: boolean }[] };
      saved.complete = false;
      (saved.segments[0] as { done: boolean }).done = false;
      writeFileSync(file, JSON.stringify(saved));
      const refused = await ddbec(argsOf('C', 'A'), { env: stack.env, cwd: work });
      expect(refused.code).toBe(2);
      expect(refused.stderr).toMatch(/belongs to another re-encryption of table "rotations" \(digest [0-9a-f]{12}\), which is not finished/);
      await expectAllUnder('C');
      const restarted = await run('C', 'A', ['--restart']);
      expect(restarted.json).toMatchObject({ complete: true, reencrypted: ROTATED, failed: 0 });
      await expectAllUnder('A');
    });
  });
});

describe('the digest that identifies a re-encryption', () => {
  const work = mkdtempSync(join(tmpdir(), 'ddbec-digest-'));
  afterAll(() => {
    rmSync(work, { recursive: true, force: true });
  });
  const key = (name: string, algorithm: 'AES' | 'HmacSHA256'): string => {
    writeFileSync(join(work, name), formatSecretKeyFile(SecretKey.generate(algorithm, 256)));
    return name;
  };
  const clients = { dynamoDBClient: new DynamoDBClient({ region: 'us-east-1' }), kmsClient: new KMSClient({ region: 'eu-west-1' }) };
  const identity = async (table: object, env: Record<string, string> = {}) => {
    writeFileSync(join(work, 'config.json'), JSON.stringify({ tables: { t: { partitionKey: 'id', ...table } } }));
    const config = await loadConfig(join(work, 'config.json'), { env, ...clients });
    return tableIdentity(config, config.table('t'), env);
  };

  it('depends on the keys (by fingerprint, wherever they are read from), the actions and the signing profile; not on caching or read-only options', async () => {
    const [aes, hmac, otherAes] = [key('a.aes', 'AES'), key('a.hmac', 'HmacSHA256'), key('b.aes', 'AES')];
    const provider = (wrappingKey: object) => ({ type: 'wrapped', wrappingKey, signingKey: { file: hmac } });
    const base = await identity({ provider: provider({ file: aes }) });
    const text = JSON.stringify(base);
    expect(text).not.toContain(readFileSync(join(work, aes), 'utf8').split('\n')[1]);
    renameSync(join(work, aes), join(work, 'moved.aes'));
    expect(await identity({ provider: provider({ file: 'moved.aes' }) })).toEqual(base);
    const env = { WRAPPING_KEY: readFileSync(join(work, 'moved.aes'), 'utf8') };
    expect(await identity({ provider: provider({ env: 'WRAPPING_KEY' }) }, env)).toEqual(base);
    expect(await identity({ provider: { ...provider({ file: 'moved.aes' }), allowLegacyPkcs1: true } })).toEqual(base);
    expect(await identity({ provider: provider({ file: otherAes }) })).not.toEqual(base);
    expect(await identity({ provider: provider({ file: 'moved.aes' }), signingProfile: 'python' })).not.toEqual(base);
    expect(await identity({ provider: provider({ file: 'moved.aes' }), attributeActions: { overrides: { note: 'SIGN_ONLY' } } })).not.toEqual(base);
  });

  it('names a KMS key by id and region, a MetaStore by table and material; the cache settings do not count', async () => {
    const mostRecent = (extra: object, keyId = 'alias/k') =>
      identity({ provider: { type: 'most-recent', materialName: 'm', metaStore: { tableName: 'keys', provider: { type: 'direct-kms', keyId, region: 'eu-west-1' } }, ...extra } });
    const base = await mostRecent({});
    expect(await mostRecent({ ttlMs: 5_000, cacheSize: 3 })).toEqual(base);
    expect(await mostRecent({ materialName: 'other' })).not.toEqual(base);
    expect(await mostRecent({}, 'alias/other')).not.toEqual(base);
  });

  it('is ordered: A → B is not B → A', () => {
    const a = { provider: 'a' };
    const b = { provider: 'b' };
    expect(rotationOf('t', a, b).digest).not.toBe(rotationOf('t', b, a).digest);
    expect(rotationOf('t', a, b).digest).toBe(rotationOf('t', { ...a }, { ...b }).digest);
    expect(rotationOf('t', a, b).digest).not.toBe(rotationOf('u', a, b).digest);
  });
});
