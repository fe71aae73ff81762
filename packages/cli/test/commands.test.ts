import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BatchWriteItemCommand, GetItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { DisableKeyCommand } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateConfig } from 'ddbec/config';
import { bench, benchScript } from '../src/commands/bench.js';
import { main, parseCommandLine } from '../src/cli.js';
import { commandHelp, CONFIG_REFERENCE } from '../src/help.js';
import type { CommandSpec } from '../src/spec.js';
import { ddbec, ddbecJson, repo, start, startStack, type Stack } from './support.js';

let stack: Stack;
let dir: string;
let env: Record<string, string>;
let ordersKey: string;

const config = (name = 'ddbec.config.json'): string => join(dir, name);

beforeAll(async () => {
  stack = await startStack();
  dir = mkdtempSync(join(tmpdir(), 'ddbec-cli-'));
  ordersKey = await stack.createKey();
  const metaKey = await stack.createKey();
  env = { ...stack.env, DDBEC_CONFIG: config() };
  await Promise.all([stack.createTable('customers', 'customerId'), stack.createTable('orders', 'customerId', 'orderNo'), stack.createTable('events', 'id'), stack.createTable('plain', 'id')]);
  const generated = await Promise.all([
    ddbec(['keys', 'generate', '--type', 'aes', '--out', join(dir, 'keys/customers.aes')]),
    ddbec(['keys', 'generate', '--type', 'hmac', '--out', join(dir, 'keys/customers.hmac')]),
  ]);
  for (const run of generated) expect(run.code, run.stderr).toBe(0);
  writeFileSync(
    config(),
    JSON.stringify({
      tables: {
        customers: {
          partitionKey: 'customerId',
          attributeActions: { default: 'ENCRYPT_AND_SIGN', overrides: { plan: 'SIGN_ONLY', lastSeen: 'DO_NOTHING' } },
          provider: { type: 'wrapped', wrappingKey: { file: 'keys/customers.aes' }, signingKey: { file: 'keys/customers.hmac' } },
        },
        orders: { partitionKey: 'customerId', sortKey: 'orderNo', provider: { type: 'direct-kms', keyId: ordersKey } },
        events: {
          partitionKey: 'id',
          provider: { type: 'most-recent', materialName: 'events', ttlMs: 0, metaStore: { tableName: 'ddbec-keys', provider: { type: 'direct-kms', keyId: metaKey } } },
        },
        plain: { partitionKey: 'id', attributeActions: { default: 'DO_NOTHING' } },
      },
    }),
  );
});

afterAll(async () => {
  await stack.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('ddbec keys generate', () => {
  it('writes AES, HMAC and RSA keys readable only by their owner, and never overwrites without --force', async () => {
    const out = join(dir, 'gen');
    const [aes, hmac, rsa] = await Promise.all([
      ddbecJson(['keys', 'generate', '--type', 'aes', '--out', join(out, 'a.key')]),
      ddbecJson(['keys', 'generate', '--type', 'hmac', '--out', join(out, 'h.key'), '--bits', '512']),
      ddbecJson(['keys', 'generate', '--type', 'rsa', '--out', join(out, 'r.pem'), '--bits', '2048']),
    ]);
    expect(aes.json).toEqual({ type: 'aes', algorithm: 'AES', bits: 256, file: join(out, 'a.key') });
    expect(hmac.json).toMatchObject({ algorithm: 'HmacSHA256', bits: 512 });
    expect(rsa.json).toEqual({ type: 'rsa', algorithm: 'RSA', bits: 2048, file: join(out, 'r.pem'), publicKey: join(out, 'r.pem.pub') });
    for (const file of ['a.key', 'h.key', 'r.pem', 'r.pem.pub']) expect(statSync(join(out, file)).mode & 0o777, file).toBe(0o600);
    expect(readFileSync(join(out, 'a.key'), 'utf8')).toMatch(/^-----BEGIN DDBEC AES KEY-----\n[A-Za-z0-9+/=]{44}\n-----END DDBEC AES KEY-----\n$/);
    expect(readFileSync(join(out, 'r.pem'), 'utf8')).toContain('-----BEGIN PRIVATE KEY-----');
    expect(readFileSync(join(out, 'r.pem.pub'), 'utf8')).toContain('-----BEGIN PUBLIC KEY-----');

    const before = readFileSync(join(out, 'a.key'), 'utf8');
    const refused = await ddbec(['keys', 'generate', '--type', 'aes', '--out', join(out, 'a.key')]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(`ddbec: ${join(out, 'a.key')} exists; pass --force to overwrite it\n`);
    expect(readFileSync(join(out, 'a.key'), 'utf8')).toBe(before);
    const forced = await ddbec(['keys', 'generate', '--type', 'aes', '--out', join(out, 'a.key'), '--force']);
    expect(forced.code).toBe(0);
    expect(readFileSync(join(out, 'a.key'), 'utf8')).not.toBe(before);
    expect(statSync(join(out, 'a.key')).mode & 0o777).toBe(0o600);

    const bad = await ddbec(['keys', 'generate', '--type', 'des', '--out', join(out, 'd.key')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--type must be aes, hmac or rsa');
  });
});

describe('data commands on a configured table', () => {
  it('puts (plain JSON, DynamoDB JSON, @file, stdin) and gets items back decrypted', async () => {
    const put1 = await ddbecJson(['put', '--table', 'customers', '--item', '{"customerId": "c-1", "email": "ada@example.com", "plan": "pro", "balance": 1024.5, "lastSeen": "2026-11-29"}'], { env });
    expect(put1.result.code, put1.result.stderr).toBe(0);
    expect(put1.json).toEqual({ TableName: 'customers', Key: { customerId: { S: 'c-1' } }, Encrypted: 2, SignedOnly: 2, Untouched: 1 });
    writeFileSync(join(dir, 'item.json'), JSON.stringify({ customerId: { S: 'c-2' }, email: { S: 'grace@example.com' }, photo: { B: 'AAECAw==' }, plan: { S: 'team' } }));
    const [put2, put3] = await Promise.all([
      ddbec(['put', '--table', 'customers', '--item', `@${join(dir, 'item.json')}`], { env }),
      ddbec(['put', '--table', 'customers', '--item', '-'], { env, input: '{"customerId": "c-3", "email": "alan@example.com", "tags": ["a"]}' }),
    ]);
    expect([put2.code, put3.code], put2.stderr + put3.stderr).toEqual([0, 0]);
    expect(put2.stdout).toBe('put customerId={"S":"c-2"} into customers: 2 encrypted, 2 signed only, 0 untouched\n');

    const stored = await stack.ddb.send(new GetItemCommand({ TableName: 'customers', Key: { customerId: { S: 'c-1' } } }));
    expect(stored.Item?.['email']).toHaveProperty('B');
    expect(stored.Item?.['plan']).toEqual({ S: 'pro' });

    const [get1, get2, text] = await Promise.all([
      ddbecJson(['get', '--table', 'customers', '--key', '{"customerId": "c-1"}'], { env }),
      ddbecJson(['get', '--table', 'customers', '--key', '{"customerId": {"S": "c-2"}}'], { env }),
      ddbec(['get', '--table', 'customers', '--key', '{"customerId": "c-3"}'], { env }),
    ]);
    // the AWS CLI's shape: aws dynamodb get-item prints {"Item": …}
    expect(get1.json).toEqual({ Item: { customerId: { S: 'c-1' }, email: { S: 'ada@example.com' }, plan: { S: 'pro' }, balance: { N: '1024.5' }, lastSeen: { S: '2026-11-29' } } });
    expect(get2.json).toEqual({ Item: { customerId: { S: 'c-2' }, email: { S: 'grace@example.com' }, photo: { B: 'AAECAw==' }, plan: { S: 'team' } } });
    expect(text.stdout).toBe('customerId  S  "c-3"\nemail       S  "alan@example.com"\ntags        L  [{"S":"a"}]\n');
  });

  it('--plain prints native JSON values (every digit of a number kept), which --format plain reads back', async () => {
    const item = { customerId: { S: 'n-1' }, big: { N: '12345678901234567890.000000000000001' }, small: { N: '-1.5E-7' }, set: { NS: ['1', '2.50'] }, bin: { B: 'AAEC' }, nothing: { NULL: true }, nested: { M: { ok: { BOOL: true }, list: { L: [{ S: 'x' }, { N: '3' }] } } } };
    const put = await ddbec(['put', '--table', 'customers', '--item', JSON.stringify(item)], { env });
    expect(put.code, put.stderr).toBe(0);
    const plain = await ddbec(['get', '--table', 'customers', '--key', '{"customerId": "n-1"}', '--plain'], { env });
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stdout).toContain('"big": 12345678901234567890.000000000000001,');
    expect(plain.stdout).toContain('"small": -0.00000015,');
    expect(JSON.parse(plain.stdout)).toEqual({ Item: { customerId: 'n-1', big: Number('12345678901234567890'), small: -1.5e-7, set: [1, 2.5], bin: 'AAEC', nothing: null, nested: { ok: true, list: ['x', 3] } } });
    const scanned = await ddbec(['scan', '--table', 'customers', '--plain', '--filter', 'customerId = :c', '--values', '{":c": "n-1"}'], { env });
    expect(JSON.parse(scanned.stdout)).toMatchObject({ Items: [{ customerId: 'n-1', set: [1, 2.5] }], Count: 1, Failures: [] });

    const item2 = (JSON.parse(plain.stdout) as { Item: Record<string, unknown> }).Item;
    const again = await ddbec(['put', '--table', 'customers', '--format', 'plain', '--item', '-'], { env, input: JSON.stringify({ ...item2, customerId: 'n-2', big: 7 }) });
    expect(again.code, again.stderr).toBe(0);
    const back = await ddbecJson<{ Item: Record<string, unknown> }>(['get', '--table', 'customers', '--key', '{"customerId": "n-2"}'], { env });
    expect(back.json.Item).toMatchObject({ big: { N: '7' }, nothing: { NULL: true }, nested: { M: { ok: { BOOL: true } } } });
  });

  it('`ddbec get --json` composes with `ddbec inspect -`; --stored shows how the item is protected', async () => {
    const decrypted = await ddbec(['get', '--table', 'customers', '--key', '{"customerId": "c-1"}', '--json'], { env });
    const stored = await ddbec(['get', '--table', 'customers', '--key', '{"customerId": "c-1"}', '--json', '--stored'], { env });
    const [plaintext, protectedItem, verified] = await Promise.all([
      ddbecJson<{ items: unknown[] }>(['inspect', '-'], { input: decrypted.stdout }),
      ddbecJson<{ items: unknown[] }>(['inspect', '-'], { input: stored.stdout }),
      ddbecJson<{ items: unknown[] }>(['inspect', '-', '--table', 'customers'], { env, input: stored.stdout }),
    ]);
    expect(plaintext.result.code, plaintext.result.stderr).toBe(0);
    expect(plaintext.json.items).toMatchObject([{ provider: { type: 'none' }, attributes: { email: { classification: 'untouched' } } }]);
    expect(protectedItem.json.items).toMatchObject([{ provider: { type: 'wrapped-aes' }, attributes: { email: { classification: 'probably-encrypted' } } }]);
    expect(verified.json.items).toMatchObject([{ verified: true, item: { email: { S: 'ada@example.com' } } }]);
  });

  it('queries, scans and deletes; exit 1 when an item is not found', async () => {
    await Promise.all(
      [1, 2, 3].map((n) => ddbec(['put', '--table', 'orders', '--item', JSON.stringify({ customerId: 'c-9', orderNo: n, total: n * 10 })], { env }).then((r) => { expect(r.code, r.stderr).toBe(0); })),
    );
    const [byKey, byCondition, scan, limited] = await Promise.all([
      ddbecJson<{ Items: { orderNo: { N: string }; total: { N: string } }[]; Count: number }>(['query', '--table', 'orders', '--key', '{"customerId": "c-9"}', '--descending'], { env }),
      ddbecJson<{ Count: number }>(['query', '--table', 'orders', '--key-condition', 'customerId = :c AND orderNo >= :n', '--values', '{":c": "c-9", ":n": 2}'], { env }),
      ddbecJson<{ Count: number; ScannedCount: number; Failures: unknown[] }>(['scan', '--table', 'orders'], { env }),
      ddbecJson<{ Count: number }>(['scan', '--table', 'customers', '--limit', '2'], { env }),
    ]);
    expect(byKey.json.Items.map((item) => [item.orderNo.N, item.total.N])).toEqual([
      ['3', '30'],
      ['2', '20'],
      ['1', '10'],
    ]);
    expect(byCondition.json.Count).toBe(2);
    expect(scan.json).toMatchObject({ Count: 3, ScannedCount: 3, Failures: [] });
    expect(limited.json.Count).toBe(2);

    const deleted = await ddbecJson(['delete', '--table', 'orders', '--key', '{"customerId": "c-9", "orderNo": 1}'], { env });
    expect(deleted.json).toEqual({ TableName: 'orders', Key: { customerId: { S: 'c-9' }, orderNo: { N: '1' } }, Deleted: true });
    const [again, missing] = await Promise.all([
      ddbec(['delete', '--table', 'orders', '--key', '{"customerId": "c-9", "orderNo": 1}'], { env }),
      ddbec(['get', '--table', 'orders', '--key', '{"customerId": "c-9", "orderNo": 1}'], { env }),
    ]);
    expect([again.code, missing.code]).toEqual([1, 1]);
    expect(missing.stderr).toBe('ddbec: item not found: customerId={"S":"c-9"}, orderNo={"N":"1"} in orders\n');
  });

  it('refuses a tampered item (exit 1), and scan reports it while printing the others', async () => {
    await ddbec(['put', '--table', 'customers', '--item', '{"customerId": "t-1", "email": "t@example.com", "plan": "free"}'], { env });
    await stack.ddb.send(
      new UpdateItemCommand({ TableName: 'customers', Key: { customerId: { S: 't-1' } }, UpdateExpression: 'SET #p = :p', ExpressionAttributeNames: { '#p': 'plan' }, ExpressionAttributeValues: { ':p': { S: 'enterprise' } } }),
    );
    const [get, scan, inspect] = await Promise.all([
      ddbec(['get', '--table', 'customers', '--key', '{"customerId": "t-1"}'], { env }),
      ddbecJson<{ Items: unknown[]; Failures: { Key: unknown; Code: string }[] }>(['scan', '--table', 'customers'], { env }),
      ddbecJson<{ verified: boolean; error: { code: string } }>(['inspect', '--config', config(), '--table', 'customers', '--key', '{"customerId": "t-1"}'], { env }),
    ]);
    expect(get.code).toBe(1);
    expect(get.stderr).toBe('ddbec: ERR_SIGNATURE_INVALID: signature not valid for item (table "customers", customerId=S:"t-1")\n');
    expect(scan.result.code).toBe(1);
    expect(scan.json.Failures).toEqual([{ Key: { customerId: { S: 't-1' } }, Code: 'ERR_SIGNATURE_INVALID', Message: expect.stringContaining('signature not valid') as unknown }]);
    expect(scan.json.Items.length).toBeGreaterThanOrEqual(3);
    expect(inspect.result.code).toBe(1);
    expect(inspect.json).toMatchObject({ verified: false, error: { code: 'ERR_SIGNATURE_INVALID' } });
  });

  it('inspects a stored item with and without keys', async () => {
    const [keyless, keyed, human] = await Promise.all([
      ddbecJson(['inspect', '--table', 'customers', '--key', '{"customerId": "c-1"}'], { env: stack.env }),
      ddbecJson(['inspect', '--config', config(), '--table', 'customers', '--key', '{"customerId": "c-1"}'], { env }),
      ddbec(['inspect', '--config', config(), '--table', 'customers', '--key', '{"customerId": "c-1"}'], { env }),
    ]);
    expect(keyless.json).toMatchObject({
      source: 'customers',
      provider: { type: 'wrapped-aes' },
      signature: { present: true, bytes: 32, algorithm: 'HmacSHA256' },
      materialDescription: { 'amzn-ddb-wrap-alg': 'AESWrap', 'amzn-ddb-env-alg': 'AES' },
      attributes: {
        customerId: { type: 'S', classification: 'signed-or-untouched' },
        email: { type: 'B', classification: 'probably-encrypted', bytes: 48 },
        plan: { type: 'S', classification: 'signed-or-untouched' },
        lastSeen: { type: 'S', classification: 'signed-or-untouched' },
      },
    });
    expect(keyless.json).not.toHaveProperty('verified');
    expect(keyed.json).toMatchObject({
      verified: true,
      attributes: { customerId: { classification: 'signed' }, email: { classification: 'encrypted' }, lastSeen: { classification: 'untouched' } },
      item: { email: { S: 'ada@example.com' } },
    });
    expect(human.stdout).toContain('provider              wrapped AES (content key wrapped with an AES key, AES Key Wrap)');
    expect(human.stdout).toContain('signature verified; decrypted item:');

    // ./ddbec.config.json is read as by every other command; a table it does not configure is read without keys
    await stack.createTable('raw', 'id');
    await stack.ddb.send(new PutItemCommand({ TableName: 'raw', Item: { id: { S: 'r-1' } } }));
    const [byDefault, unconfigured] = await Promise.all([
      ddbecJson(['inspect', '--table', 'customers', '--key', '{"customerId": "c-1"}'], { env: stack.env, cwd: dir }),
      ddbecJson(['inspect', '--table', 'raw', '--key', '{"id": "r-1"}'], { env: stack.env, cwd: dir }),
    ]);
    expect(byDefault.json).toMatchObject({ verified: true, item: { email: { S: 'ada@example.com' } } });
    expect(unconfigured.result.code, unconfigured.result.stderr).toBe(0);
    expect(unconfigured.json).not.toHaveProperty('verified');
  });

  it('passes a plaintext table through unchanged', async () => {
    const put = await ddbec(['put', '--table', 'plain', '--item', '{"id": "p-1", "note": "hello"}'], { env });
    expect(put.code, put.stderr).toBe(0);
    const stored = await stack.ddb.send(new GetItemCommand({ TableName: 'plain', Key: { id: { S: 'p-1' } } }));
    expect(stored.Item).toEqual({ id: { S: 'p-1' }, note: { S: 'hello' } });
    const inspect = await ddbecJson(['inspect', '--item', JSON.stringify({ id: { S: 'p-1' }, note: { S: 'hello' } })]);
    expect(inspect.json).toMatchObject({ provider: { type: 'none' }, attributes: { note: { classification: 'untouched' } } });
    // `aws dynamodb scan` output on standard input
    const scanned = await ddbecJson<{ items: { source: string; provider: { type: string } }[] }>(['inspect', '-'], { input: JSON.stringify({ Items: [stored.Item, stored.Item], Count: 2, ScannedCount: 2 }) });
    expect(scanned.json.items.map((item) => [item.source, item.provider.type])).toEqual([
      ['stdin[0]', 'none'],
      ['stdin[1]', 'none'],
    ]);
  });
});

describe('ddbec metastore', () => {
  it('creates the MetaStore table, rotates a material and lists its versions; items name their version', async () => {
    const created = await ddbecJson(['metastore', 'create', '--table', 'events'], { env });
    expect(created.result.code, created.result.stderr).toBe(0);
    expect(created.json).toEqual({ created: 'ddbec-keys' });
    const twice = await ddbec(['metastore', 'create', '--table', 'ddbec-keys'], { env });
    expect(twice.code).toBe(1);
    expect(twice.stderr).toBe('ddbec: MetaStore table "ddbec-keys" already exists\n');

    const none = await ddbecJson(['metastore', 'versions', '--table', 'events'], { env });
    expect(none.json).toEqual({ table: 'ddbec-keys', material: 'events', versions: [] });
    await ddbec(['put', '--table', 'events', '--item', '{"id": "e-0", "what": "first"}'], { env });
    const rotated = await ddbecJson(['metastore', 'rotate', '--table', 'ddbec-keys'], { env });
    expect(rotated.json).toEqual({ table: 'ddbec-keys', material: 'events', version: 1, metaId: 'events#1' });
    await ddbec(['put', '--table', 'events', '--item', '{"id": "e-1", "what": "second"}'], { env });
    const [versions, old, current, read] = await Promise.all([
      ddbecJson(['metastore', 'versions', '--table', 'events'], { env }),
      ddbecJson<{ provider: { metaId: string } }>(['inspect', '--table', 'events', '--key', '{"id": "e-0"}'], { env: stack.env }),
      ddbecJson<{ provider: { type: string; metaId: string; materialName: string; version: number } }>(['inspect', '--table', 'events', '--key', '{"id": "e-1"}'], { env: stack.env }),
      ddbecJson<{ Item: unknown }>(['get', '--table', 'events', '--key', '{"id": "e-0"}'], { env }),
    ]);
    expect(versions.json).toEqual({ table: 'ddbec-keys', material: 'events', versions: [0, 1] });
    expect(old.json.provider.metaId).toBe('events#0');
    expect(current.json.provider).toMatchObject({ type: 'metastore', metaId: 'events#1', materialName: 'events', version: 1 });
    expect(read.json.Item).toEqual({ id: { S: 'e-0' }, what: { S: 'first' } });
    const other = await ddbec(['metastore', 'versions', '--table', 'customers'], { env });
    expect(other.code).toBe(2);
    expect(other.stderr).toContain('no table of the configuration uses a most-recent provider with MetaStore "customers"');
  });
});

describe('exit codes and messages', () => {
  it('usage errors exit 2 with a short usage, in ddbec’s words, suggesting the closest command or option', async () => {
    const runs = await Promise.all([
      ddbec(['frobnicate']),
      ddbec(['get', '--tabel', 'customers'], { env }),
      ddbec(['get', '--key', '{}'], { env }),
      ddbec(['put', '--table', 'customers', '--item', '{"customerId": '], { env }),
      ddbec(['metastore', 'spin', '--table', 'x']),
      ddbec(['reencrypt', '--table', 'customers', '--from-config', config(), '--to-config', config(), '--segments', '0']),
      ddbec(['get', '--table', 'customers', '--key', '{"customerId":"x"}'], { env: { ...stack.env }, cwd: tmpdir() }),
      ddbec(['scna', '--table', 'customers']),
      ddbec(['local', 'stat']),
      ddbec(['get', '--table'], { env }),
      ddbec(['get', '--table', '--json'], { env }),
      ddbec(['scan', '--json=yes', '--table', 'customers'], { env }),
      ddbec(['metastore']),
    ]);
    expect(runs.map((run) => run.code)).toEqual(runs.map(() => 2));
    expect(runs[0]?.stderr).toBe('ddbec: unknown command "frobnicate"\nUsage: ddbec <command> [options]\nRun `ddbec help` for the list of commands.\n');
    expect(runs[1]?.stderr).toBe('ddbec: unknown option --tabel (did you mean --table?)\nUsage: ddbec get [options]\nRun `ddbec get --help` for its options.\n');
    expect(runs[2]?.stderr).toMatch(/^ddbec: --table is required\nUsage: ddbec get \[options\]\n/);
    expect(runs[3]?.stderr).toMatch(/^ddbec: --item: not valid JSON/);
    expect(runs[4]?.stderr).toMatch(/^ddbec: unknown metastore command "spin" \(create, versions, rotate\)/);
    expect(runs[5]?.stderr).toMatch(/^ddbec: --segments must be an integer from 1/);
    expect(runs[6]?.stderr).toMatch(/^ddbec: no configuration: pass --config FILE/);
    expect(runs[7]?.stderr).toMatch(/^ddbec: unknown command "scna" \(did you mean scan\?\)\n/);
    expect(runs[8]?.stderr).toMatch(/^ddbec: unknown local command "stat" \(did you mean local status\?\)\n/);
    expect(runs[9]?.stderr).toMatch(/^ddbec: --table needs a value \(NAME\)\n/);
    expect(runs[10]?.stderr).toMatch(/^ddbec: --table needs a value \(NAME\)\n/);
    expect(runs[11]?.stderr).toMatch(/^ddbec: --json takes no value\n/);
    expect(runs[12]?.stderr).toMatch(/^ddbec: metastore needs a command: create, versions, rotate\n/);
    for (const run of runs) {
      // never Node's own parser messages, never the whole help
      expect(run.stderr).not.toMatch(/Unknown option '|ERR_PARSE_ARGS|argument is ambiguous|To specify a positional argument/);
      expect(run.stderr.split('\n').length).toBeLessThanOrEqual(4);
    }
  });

  it('--kms-endpoint is read as --kms-endpoint-url, by every command', () => {
    const ownSpelling: CommandSpec = { name: 'x', summary: '', options: { 'kms-endpoint': { type: 'string', description: '' } }, run: () => Promise.resolve(0) };
    const group: CommandSpec = { name: 'y', summary: '', groups: ['aws'], run: () => Promise.resolve(0) };
    for (const spec of [ownSpelling, group]) {
      for (const spelling of ['--kms-endpoint', '--kms-endpoint-url']) {
        expect(parseCommandLine(spec, [spelling, 'http://127.0.0.1:1']).values, `${spec.name} ${spelling}`).toEqual({ 'kms-endpoint': 'http://127.0.0.1:1', 'kms-endpoint-url': 'http://127.0.0.1:1' });
      }
    }
    expect(commandHelp(ownSpelling)).toContain('--kms-endpoint-url VALUE');
    expect(commandHelp(ownSpelling)).not.toMatch(/--kms-endpoint\b(?!-url)/);
  });

  it('an invalid configuration or a missing key exits 2 and names the JSON path', async () => {
    writeFileSync(config('bad.json'), JSON.stringify({ tables: { customers: { partitionKey: 'customerId', provider: { type: 'direct-kms', keyId: 42 } } } }));
    writeFileSync(
      config('nokey.json'),
      JSON.stringify({ tables: { customers: { partitionKey: 'customerId', provider: { type: 'static', encryptionKey: { file: 'keys/none.aes' }, signingKey: { env: 'DDBEC_NO_SUCH_VAR' } } } } }),
    );
    const [bad, nokey] = await Promise.all([
      ddbec(['get', '--config', config('bad.json'), '--table', 'customers', '--key', '{"customerId": "c-1"}'], { env }),
      ddbec(['get', '--config', config('nokey.json'), '--table', 'customers', '--key', '{"customerId": "c-1"}'], { env }),
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe(`ddbec: invalid configuration ${config('bad.json')}:\n  tables.customers.provider.keyId: must be a string\n`);
    expect(nokey.code).toBe(2);
    expect(nokey.stderr).toBe(
      `ddbec: invalid configuration ${config('nokey.json')}:\n` +
        `  tables.customers.provider.encryptionKey.file: cannot read key file ${join(dir, 'keys/none.aes')} (ENOENT)\n` +
        '  tables.customers.provider.signingKey.env: environment variable DDBEC_NO_SUCH_VAR is not set\n',
    );
  });

  it('a wrong key or a disabled KMS key exits 1 with the error code', async () => {
    await ddbec(['keys', 'generate', '--type', 'hmac', '--out', join(dir, 'keys/other.hmac')]);
    const wrong = JSON.parse(readFileSync(config(), 'utf8')) as { tables: { customers: { provider: { signingKey: unknown } } } };
    wrong.tables.customers.provider.signingKey = { file: 'keys/other.hmac' };
    writeFileSync(config('wrong.json'), JSON.stringify(wrong));
    const put = await ddbec(['put', '--table', 'orders', '--item', '{"customerId": "k-1", "orderNo": 1, "total": 5}'], { env });
    expect(put.code, put.stderr).toBe(0);
    await stack.kmsClient.send(new DisableKeyCommand({ KeyId: ordersKey }));
    const [wrongKey, disabled] = await Promise.all([
      ddbec(['get', '--config', config('wrong.json'), '--table', 'customers', '--key', '{"customerId": "c-1"}'], { env }),
      ddbec(['get', '--table', 'orders', '--key', '{"customerId": "k-1", "orderNo": 1}'], { env }),
    ]);
    expect(wrongKey.code).toBe(1);
    expect(wrongKey.stderr).toMatch(/^ddbec: ERR_SIGNATURE_INVALID: /);
    expect(disabled.code).toBe(1);
    expect(disabled.stderr).toMatch(/^ddbec: ERR_UNWRAPPING_FAILED: .*DisabledException/);
  });

  it('an unreachable endpoint gives one line, exit 1', async () => {
    const runs = await Promise.all([
      ddbec(['get', '--table', 'customers', '--key', '{"customerId": "c-1"}', '--endpoint-url', 'http://127.0.0.1:1'], { env }),
      ddbec(['scan', '--table', 'customers'], { env: { ...env, AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:1' } }),
      ddbec(['inspect', '--table', 'customers', '--key', '{"customerId": "c-1"}', '--endpoint-url', 'http://127.0.0.1:1']),
    ]);
    for (const run of runs) {
      expect(run.code).toBe(1);
      expect(run.stderr).toBe('ddbec: cannot connect to 127.0.0.1:1 (ECONNREFUSED): check --endpoint-url / --kms-endpoint-url, or start the local stack with `ddbec local up`\n');
    }
    const kmsRuns = await Promise.all([
      ddbec(['put', '--table', 'orders', '--item', '{"customerId": "k-2", "orderNo": 1}', '--kms-endpoint-url', 'http://127.0.0.1:1'], { env }),
      ddbec(['put', '--table', 'orders', '--item', '{"customerId": "k-2", "orderNo": 1}', '--kms-endpoint', 'http://127.0.0.1:1'], { env }),
    ]);
    for (const kms of kmsRuns) {
      expect(kms.code).toBe(1);
      expect(kms.stderr.trim().split('\n')).toHaveLength(1);
      expect(kms.stderr).toContain('ECONNREFUSED');
    }
  });

  it('credential errors say what is wrong: a missing profile by name; KMS at AWS while DynamoDB is local', async () => {
    const home = join(dir, 'home');
    mkdirSync(join(home, '.aws'), { recursive: true });
    writeFileSync(join(home, '.aws', 'config'), '[default]\nregion = us-east-1\n\n[profile dev]\nregion = eu-west-1\n');
    const offline = { HOME: home, AWS_EC2_METADATA_DISABLED: 'true' };
    const [flagged, fromEnv, known] = await Promise.all([
      ddbec(['at-rest', 'status', '--profile', 'prod'], { env: offline }),
      ddbec(['scan', '--table', 'customers'], { env: { ...env, ...offline, AWS_PROFILE: 'staging' } }),
      ddbec(['at-rest', 'status', '--profile', 'dev', '--endpoint-url', 'http://127.0.0.1:1'], { env: offline }),
    ]);
    expect(flagged.code).toBe(2);
    expect(flagged.stderr).toMatch(new RegExp(`^ddbec: AWS profile "prod" is not defined in ${join(home, '.aws', 'config')} or ${join(home, '.aws', 'credentials')}\n`));
    expect(fromEnv.code).toBe(2);
    expect(fromEnv.stderr).toMatch(/^ddbec: AWS profile "staging" \(from AWS_PROFILE\) is not defined in /);
    expect(known.stderr).not.toContain('is not defined');

    // the Direct KMS table, with only DynamoDB's endpoint: no credentials for AWS, and none needed locally
    const localOnly = { ...offline, AWS_ENDPOINT_URL_DYNAMODB: stack.dynamodb.endpoint, AWS_REGION: 'us-east-1', DDBEC_CONFIG: config() };
    const kmsAtAws = await ddbec(['put', '--table', 'orders', '--item', '{"customerId": "k-3", "orderNo": 1}'], { env: localOnly });
    expect(kmsAtAws.code).toBe(1);
    expect(kmsAtAws.stderr).toBe(
      `ddbec: the KMS client is pointed at AWS, not at the local stack: DynamoDB is ${stack.dynamodb.endpoint} but no KMS endpoint is set (pass --kms-endpoint-url or set AWS_ENDPOINT_URL_KMS; \`ddbec local up\` prints it); KMS said: CredentialsProviderError: Could not load credentials from any providers\n`,
    );
    const customers = await ddbec(['get', '--table', 'customers', '--key', '{"customerId": "c-1"}'], { env: localOnly });
    expect(customers.code, customers.stderr).toBe(0);
  });

  it('a closed standard output (`ddbec scan | head -1`) ends the command quietly', async () => {
    // 40 attributes of 130 characters: the text form shows each in full (it abbreviates longer values)
    const notes = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`note${i}`, { S: 'x'.repeat(130) }]));
    for (let start = 0; start < 200; start += 25) {
      const items = Array.from({ length: 25 }, (_, i) => ({ PutRequest: { Item: { id: { S: `pipe-${start + i}` }, ...notes } } }));
      await stack.ddb.send(new BatchWriteItemCommand({ RequestItems: { plain: items } }));
    }
    for (const args of [['scan', '--table', 'plain'], ['scan', '--table', 'plain', '--json'], ['scan', '--table', 'plain', '--threads', '2']]) {
      // over 1 MB of output, text or JSON: far more than a pipe holds, so the command writes after the reader is gone
      const run = start(args, { env });
      await new Promise<void>((resolve) => {
        run.child.stdout?.once('data', () => {
          run.child.stdout?.destroy();
          resolve();
        });
      });
      const result = await run.done;
      expect(result.stderr, args.join(' ')).toBe('');
      expect(result.code, args.join(' ')).toBe(141);
    }
  });
});

describe('help, reference and bench', () => {
  it('help is laid out in the terminal’s width (80 columns when not a terminal)', async () => {
    const output = async (args: string[], stdout: { isTTY?: boolean; columns?: number }): Promise<string[]> => {
      let text = '';
      const code = await main(args, { stdout: { ...stdout, write: (chunk: string) => (text += chunk) }, stderr: { write: () => true } });
      expect(code).toBe(0);
      // example command lines are not wrapped (they are meant to be copied)
      return text.split('\nExamples:')[0]?.split('\n') ?? [];
    };
    for (const args of [['help'], ['help', 'get'], ['scan', '--help'], ['help', 'at-rest', 'audit']]) {
      const narrow = await output(args, { isTTY: true, columns: 60 });
      expect(Math.max(...narrow.map((l) => l.length)), args.join(' ')).toBeLessThanOrEqual(60);
      const piped = await output(args, { columns: 60 });
      expect(Math.max(...piped.map((l) => l.length)), args.join(' ')).toBeLessThanOrEqual(80);
      expect(Math.max(...piped.map((l) => l.length)), args.join(' ')).toBeGreaterThan(60);
    }
  });

  it('docs/cli.md is `ddbec help --markdown`', async () => {
    const [markdown, help, version] = await Promise.all([ddbec(['help', '--markdown']), ddbec(['help', 'reencrypt']), ddbec(['--version'])]);
    expect(markdown.code).toBe(0);
    expect(readFileSync(join(repo, 'packages/cli/docs/cli.md'), 'utf8'), 'regenerate: node packages/cli/bin/ddbec.js help --markdown > packages/cli/docs/cli.md').toBe(markdown.stdout);
    expect(help.stdout).toMatch(/^Usage: ddbec reencrypt \[options\]/);
    const example = /```json\n([\s\S]*?)```/.exec(CONFIG_REFERENCE)?.[1] ?? '';
    expect(validateConfig(JSON.parse(example)).tables).toHaveProperty('orders');
    expect(version.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });

  it.skipIf(!existsSync(join(repo, '../shared/vectors/legacy/encrypted_item/scenarios.json')))('vectors decrypt --json', async () => {
    const { result, json } = await ddbecJson(['vectors', 'decrypt', join(repo, '../shared/vectors/legacy/encrypted_item/scenarios.json')]);
    expect(result.code).toBe(0);
    expect(json).toMatchObject({ passed: 18, failed: 0, skipped: 4 });
  });

  it('bench runs the installed library’s suite, and says so when it is not shipped', async () => {
    expect(benchScript()).toBe(join(repo, 'packages/ddbec/bench/run.mjs'));
    const script = join(dir, 'fake-bench.mjs');
    writeFileSync(script, 'console.log(`table ${process.env.BENCH_SECONDS} ${process.env.BENCH_ROUNDS}`);');
    let out = '';
    const io = { stdout: { write: (text: string) => (out += text) }, stderr: { write: (text: string) => (out += text) } };
    expect(await bench({ seconds: 0.5, rounds: 2, script }, io)).toBe(0);
    expect(out).toBe('table 0.5 2\n');
    await expect(bench({ script: join(dir, 'absent/bench/run.mjs') }, io)).rejects.toThrow(/the benchmark suite is not shipped in the installed ddbec package/);
    const usage = await ddbec(['bench', '--rounds', '0']);
    expect(usage.code).toBe(2);
  });

  it('bench prints each row as it is measured, as an aligned table; --json gathers the rows into one document; --quick', async () => {
    const report = pathToFileURL(join(repo, 'packages/ddbec/bench/report.mjs')).href;
    const gate = join(dir, 'bench-gate');
    const script = join(dir, 'streaming-bench.mjs');
    // one row, then (text mode only) nothing more until the test has seen that row
    writeFileSync(
      script,
      `import { existsSync } from 'node:fs';
      import { table } from ${JSON.stringify(report)};
      const quick = process.argv.includes('--quick');
      if (process.env.BENCH_FORMAT === 'json') console.log(JSON.stringify({ settings: { quick, seconds: 0.25, rounds: 2 } }));
      const t = table('items per second (' + process.env.BENCH_SECONDS + ' s, ' + process.env.BENCH_ROUNDS + ' rounds' + (quick ? ', quick' : '') + ')', [{ name: 'provider', width: 12 }, { name: 'encrypt items/s' }, { name: 'ratio', decimals: 2 }]);
      t.row({ provider: 'static', 'encrypt items/s': 10234.4, ratio: 1.054 });
      if (process.env.BENCH_FORMAT !== 'json') while (!existsSync(${JSON.stringify(gate)})) await new Promise((resolve) => setTimeout(resolve, 10));
      t.row({ provider: 'wrapped-RSA', 'encrypt items/s': 812 });`,
    );
    let out = '';
    let seenRow: () => void = () => undefined;
    const firstRow = new Promise<void>((resolve) => {
      seenRow = resolve;
    });
    const io = {
      stdout: {
        write: (text: string) => {
          out += text;
          if (out.includes('static')) seenRow();
          return true;
        },
      },
      stderr: { write: (text: string) => (out += text) },
    };
    const running = bench({ quick: true, script }, io);
    await firstRow;
    expect(out).not.toContain('wrapped-RSA');
    writeFileSync(gate, '');
    expect(await running).toBe(0);
    expect(out).toBe(
      [
        'items per second (undefined s, undefined rounds, quick)',
        'provider      encrypt items/s  ratio',
        '------------  ---------------  -----',
        'static                  10234   1.05',
        'wrapped-RSA               812',
        '',
      ].join('\n'),
    );

    let json = '';
    const jsonIo = { stdout: { write: (text: string) => (json += text) }, stderr: { write: (text: string) => (json += text) } };
    expect(await bench({ json: true, seconds: 0.5, rounds: 2, script }, jsonIo)).toBe(0);
    expect(JSON.parse(json)).toEqual({
      node: process.version,
      seconds: 0.25,
      rounds: 2,
      tables: [
        {
          title: 'items per second (0.5 s, 2 rounds)',
          columns: ['provider', 'encrypt items/s', 'ratio'],
          rows: [
            { provider: 'static', 'encrypt items/s': 10234, ratio: 1.05 },
            { provider: 'wrapped-RSA', 'encrypt items/s': 812 },
          ],
        },
      ],
    });
  });
});

describe('ddbec demo', () => {
  it('tells its story on an in-process local stack', async () => {
    const run = await ddbec(['demo']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    for (const expected of [
      'refused: ERR_SIGNATURE_INVALID',
      '→ provider: MetaStore version customers#0',
      'c-1004: written with customers#1, reads back as Katherine Johnson',
      'refused: ERR_UNWRAPPING_FAILED',
      'DisabledException',
      'EnableKey: readable again (ada@example.com).',
      'c-1005 is stored in the new format — header version 1,',
      '4 re-encrypted, 1 already new. Table: 0 legacy, 5 DB-ESDK.',
      'c-1001 reads as Ada Lovelace.',
      'refused: ERR_ITEM_FORMAT_REFUSED',
    ]) {
      expect(run.stdout).toContain(expected);
    }
  });
});
