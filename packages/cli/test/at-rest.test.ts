// `ddbec at-rest …` and `ddbec demo at-rest`: the real binary as a child process against a local
// stack in this process (DynamoDB front with encryption at rest + local KMS), a dozen tables in
// assorted states.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, type SSESpecification } from '@aws-sdk/client-dynamodb';
import { CreateKeyCommand, DisableKeyCommand, DisableKeyRotationCommand, EnableKeyCommand, EnableKeyRotationCommand, KMSClient, ScheduleKeyDeletionCommand } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalDynamoDB, startLocalKms, type LocalDynamoDB, type LocalKms } from '../../local/src/index.js';
import { main } from '../src/cli.js';
import { ddbec, ddbecJson } from './support.js';

const DAY = 86_400_000;
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

let kms: LocalKms;
let db: LocalDynamoDB;
let ddb: DynamoDBClient;
let kmsClient: KMSClient;
let dir: string;
let env: Record<string, string>;
const keys: Record<string, { id: string; arn: string }> = {};

async function key(name: string, rotation = true): Promise<void> {
  const { KeyMetadata } = await kmsClient.send(new CreateKeyCommand({ Description: name }));
  keys[name] = { id: KeyMetadata?.KeyId ?? '', arn: KeyMetadata?.Arn ?? '' };
  if (rotation) await kmsClient.send(new EnableKeyRotationCommand({ KeyId: KeyMetadata?.KeyId }));
}

async function table(name: string, sse?: SSESpecification): Promise<void> {
  await ddb.send(
    new CreateTableCommand({
      TableName: name,
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
      ...(sse === undefined ? {} : { SSESpecification: sse }),
    }),
  );
}

const cmk = (name: string): SSESpecification => ({ Enabled: true, SSEType: 'KMS', KMSMasterKeyId: keys[name]?.id ?? '' });
const look = (name: string): Promise<unknown> => ddb.send(new DescribeTableCommand({ TableName: name }));

beforeAll(async () => {
  // The KMS clock starts 7 days in the past and is moved to the present below, so that
  // the binary (on the system clock) audits tables that became inaccessible 7 and 6.5 days ago.
  kms = await startLocalKms({ now: () => new Date(Date.now() - 7 * DAY) });
  db = await startLocalDynamoDB({ kms });
  ddb = new DynamoDBClient({ endpoint: db.endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });
  kmsClient = new KMSClient({ endpoint: kms.endpoint, region: 'us-east-1', credentials });
  dir = mkdtempSync(join(tmpdir(), 'ddbec-at-rest-cli-'));
  env = { AWS_ENDPOINT_URL_DYNAMODB: db.endpoint, AWS_ENDPOINT_URL_KMS: kms.endpoint, AWS_REGION: 'us-east-1' };

  for (const name of ['ok', 'static', 'shared', 'disabled', 'pending', 'near', 'archived', 'reenabled']) await key(name, name !== 'static');
  await kmsClient.send(new DisableKeyRotationCommand({ KeyId: keys['static']?.id }));
  await table('owned-plain');
  await table('owned-client', { Enabled: false });
  await table('managed', { Enabled: true });
  await table('cmk-ok', cmk('ok'));
  await table('cmk-norotation', cmk('static'));
  await table('cmk-shared-a', cmk('shared'));
  await table('cmk-shared-b', { Enabled: true, SSEType: 'KMS', KMSMasterKeyId: keys['shared']?.arn ?? '' });
  await table('cmk-disabled', cmk('disabled'));
  await table('cmk-pending', cmk('pending'));
  await table('cmk-near-archive', cmk('near'));
  await table('cmk-archived', cmk('archived'));
  await table('cmk-reenabled', cmk('reenabled'));

  await kmsClient.send(new DisableKeyCommand({ KeyId: keys['archived']?.id }));
  await look('cmk-archived');
  kms.advanceTime(DAY / 2);
  await kmsClient.send(new DisableKeyCommand({ KeyId: keys['near']?.id }));
  await look('cmk-near-archive');
  kms.advanceTime(6.5 * DAY);
  await look('cmk-archived');
  await kmsClient.send(new DisableKeyCommand({ KeyId: keys['disabled']?.id }));
  await kmsClient.send(new ScheduleKeyDeletionCommand({ KeyId: keys['pending']?.id, PendingWindowInDays: 30 }));
  await kmsClient.send(new DisableKeyCommand({ KeyId: keys['reenabled']?.id }));
  await look('cmk-reenabled');
  await kmsClient.send(new EnableKeyCommand({ KeyId: keys['reenabled']?.id }));
  await look('cmk-disabled');

  writeFileSync(
    join(dir, 'ddbec.config.json'),
    JSON.stringify({
      tables: {
        'owned-client': { partitionKey: 'pk', attributeActions: { default: 'DO_NOTHING' } },
        ok: { tableName: 'cmk-ok', partitionKey: 'pk', attributeActions: { default: 'DO_NOTHING' } },
        gone: { partitionKey: 'pk', attributeActions: { default: 'DO_NOTHING' } },
      },
    }),
  );
});

afterAll(async () => {
  ddb.destroy();
  kmsClient.destroy();
  await db.stop();
  await kms.stop();
  rmSync(dir, { recursive: true, force: true });
});

interface AuditJson {
  generatedAt: string;
  region: string;
  tables: { table: string; keyType: string; tableStatus: string; key?: { state: string; rotationEnabled?: boolean }; clientSide?: boolean; archival?: { backupArn?: string } }[];
  findings: { severity: string; code: string; table: string; message: string }[];
  summary: Record<string, unknown>;
}

describe('ddbec at-rest audit', () => {
  it('finds the expected problems (JSON)', async () => {
    const { result, json } = await ddbecJson<AuditJson>(['at-rest', 'audit', '--require-customer-managed', '--config', join(dir, 'ddbec.config.json')], { env });
    expect(result.code, result.stderr).toBe(0);
    expect(json.region).toBe('us-east-1');
    expect(json.tables.map((t) => [t.table, t.keyType, t.tableStatus, t.key?.state ?? null, t.key?.rotationEnabled ?? null, t.clientSide])).toEqual([
      ['cmk-archived', 'customer-managed', 'ARCHIVED', 'Disabled', true, false],
      ['cmk-disabled', 'customer-managed', 'INACCESSIBLE_ENCRYPTION_CREDENTIALS', 'Disabled', true, false],
      ['cmk-near-archive', 'customer-managed', 'INACCESSIBLE_ENCRYPTION_CREDENTIALS', 'Disabled', true, false],
      ['cmk-norotation', 'customer-managed', 'ACTIVE', 'Enabled', false, false],
      ['cmk-ok', 'customer-managed', 'ACTIVE', 'Enabled', true, true],
      ['cmk-pending', 'customer-managed', 'INACCESSIBLE_ENCRYPTION_CREDENTIALS', 'PendingDeletion', true, false],
      ['cmk-reenabled', 'customer-managed', 'ACTIVE', 'Enabled', true, false],
      ['cmk-shared-a', 'customer-managed', 'ACTIVE', 'Enabled', true, false],
      ['cmk-shared-b', 'customer-managed', 'ACTIVE', 'Enabled', true, false],
      ['managed', 'aws-managed', 'ACTIVE', 'Enabled', true, false],
      ['owned-client', 'owned', 'ACTIVE', null, null, true],
      ['owned-plain', 'owned', 'ACTIVE', null, null, false],
    ]);
    expect(json.findings.filter((f) => f.code !== 'CLIENT_SIDE_NOT_CONFIGURED').map((f) => [f.severity, f.code, f.table])).toEqual([
      ['critical', 'TABLE_ARCHIVED', 'cmk-archived'],
      ['critical', 'KEY_DISABLED', 'cmk-disabled'],
      ['critical', 'TABLE_INACCESSIBLE', 'cmk-disabled'],
      ['critical', 'ARCHIVE_DEADLINE_NEAR', 'cmk-near-archive'],
      ['critical', 'KEY_DISABLED', 'cmk-near-archive'],
      ['critical', 'TABLE_INACCESSIBLE', 'cmk-near-archive'],
      ['critical', 'KEY_PENDING_DELETION', 'cmk-pending'],
      ['critical', 'TABLE_INACCESSIBLE', 'cmk-pending'],
      ['high', 'CUSTOMER_MANAGED_KEY_REQUIRED', 'managed'],
      ['high', 'CUSTOMER_MANAGED_KEY_REQUIRED', 'owned-client'],
      ['high', 'CUSTOMER_MANAGED_KEY_REQUIRED', 'owned-plain'],
      ['medium', 'KEY_ROTATION_DISABLED', 'cmk-norotation'],
      ['medium', 'CLIENT_SIDE_TABLE_MISSING', 'gone'],
    ]);
    expect(json.findings.filter((f) => f.code === 'CLIENT_SIDE_NOT_CONFIGURED')).toHaveLength(10);
    expect(json.findings.find((f) => f.code === 'ARCHIVE_DEADLINE_NEAR')?.message).toMatch(/will be archived in 1[12]\.\d hours/);
    expect(json.tables[0]?.archival?.backupArn).toMatch(/:table\/cmk-archived\/backup\//);
    expect(json.summary).toMatchObject({ tables: 12, inaccessible: 3, archived: 1, keyTypes: { owned: 2, 'aws-managed': 1, 'customer-managed': 9 } });
  });

  it('writes a self-contained HTML report and prints a text report; --fail-on sets the exit code', async () => {
    const file = join(dir, 'report.html');
    const [html, text, failing] = await Promise.all([
      ddbec(['at-rest', 'audit', '--html', file], { env }),
      ddbec(['at-rest', 'audit', '--tables', 'cmk-ok,cmk-norotation,nope'], { env }),
      ddbec(['at-rest', 'audit', '--fail-on', 'critical', '--json'], { env }),
    ]);
    expect(html.code, html.stderr).toBe(0);
    expect(html.stdout).toMatch(/wrote the HTML report to .*report\.html\n12 tables, findings: 8 critical, 1 medium/);
    const page = readFileSync(file, 'utf8');
    expect(page).toMatch(/^<!DOCTYPE html>/);
    expect(page).not.toMatch(/<script|<link|\bsrc=|@import|https?:\/\//i);
    for (const name of ['cmk-archived', 'cmk-near-archive', 'owned-plain', 'ARCHIVE_DEADLINE_NEAR']) expect(page).toContain(name);

    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^Encryption at rest in us-east-1: 2 tables/);
    expect(text.stdout).toMatch(/cmk-norotation\s+ACTIVE\s+customer managed\s+key\/\S+\s+Enabled\s+off/);
    expect(text.stdout).toMatch(/HIGH\s+nope\s+TABLE_NOT_FOUND/);
    expect(failing.code).toBe(1);
  });
});

describe('ddbec at-rest status and set', () => {
  it('status of one table (text and JSON) and of every table', async () => {
    const [one, oneJson, all] = await Promise.all([
      ddbec(['at-rest', 'status', 'cmk-near-archive'], { env }),
      ddbecJson<{ keyType: string; keyArn: string; inaccessible: boolean; archiveAt: string }>(['at-rest', 'status', 'cmk-near-archive'], { env }),
      ddbec(['at-rest', 'status'], { env }),
    ]);
    expect(one.code, one.stderr).toBe(0);
    expect(one.stdout).toMatch(/^Table {9}cmk-near-archive {2}\(arn:aws:dynamodb:/);
    expect(one.stdout).toMatch(/\nStatus {8}INACCESSIBLE_ENCRYPTION_CREDENTIALS\n/);
    expect(one.stdout).toMatch(/\nKey state {5}Disabled\n/);
    expect(one.stdout).toMatch(/\nInaccessible {2}since \S+; archived on \S+ unless the key is usable again\n/);
    expect(oneJson.json).toMatchObject({ keyType: 'customer-managed', keyArn: keys['near']?.arn, inaccessible: true });
    expect(oneJson.json.archiveAt).toMatch(/^\d{4}-/);
    expect(all.code).toBe(0);
    expect(all.stdout.split('\n').filter((l) => /^(cmk|managed|owned)/.test(l))).toHaveLength(12);
    expect(all.stdout).not.toContain('Findings');
  });

  it('set switches keys, is idempotent, honours --endpoint-url, and refuses an unusable key without touching the table', async () => {
    await table('switch-me');
    const flags = ['--endpoint-url', db.endpoint, '--kms-endpoint-url', kms.endpoint, '--region', 'us-east-1'];
    const switched = await ddbec(['at-rest', 'set', 'switch-me', '--key', keys['ok']?.arn ?? '', '--poll-interval', '0.05', ...flags]);
    expect(switched.code, switched.stderr).toBe(0);
    expect(switched.stdout).toBe(`switch-me: now encrypted with the customer managed key ${keys['ok']?.arn ?? ''} (was the AWS owned key)\n`);
    const again = await ddbecJson<{ changed: boolean }>(['at-rest', 'set', 'switch-me', '--key', keys['ok']?.id ?? ''], { env });
    expect(again.json.changed).toBe(false);

    db.resetRequests();
    const refused = await ddbec(['at-rest', 'set', 'switch-me', '--key', keys['disabled']?.id ?? ''], { env });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^ddbec: ERR_AT_REST_KEY_UNUSABLE: the KMS key \S+ cannot encrypt the table: it is Disabled/);
    const inaccessible = await ddbec(['at-rest', 'set', 'cmk-disabled', '--key', 'owned'], { env });
    expect(inaccessible.stderr).toMatch(/ERR_AT_REST_TABLE_INACCESSIBLE/);
    expect(db.requests['UpdateTable']).toBeUndefined();

    const owned = await ddbec(['at-rest', 'set', 'switch-me', '--key', 'owned', '--poll-interval', '0.05'], { env });
    expect(owned.stdout).toMatch(/now encrypted with the AWS owned key \(was the customer managed key/);
    const usage = await ddbec(['at-rest', 'set', 'switch-me'], { env });
    expect(usage.code).toBe(2);
  });
});

describe('ddbec demo at-rest', () => {
  it('runs the encryption-at-rest chapter on its own in-process stack', async () => {
    const run = await ddbec(['demo', 'at-rest']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('table INACCESSIBLE_ENCRYPTION_CREDENTIALS');
    expect(run.stdout).toMatch(/GetItem fails: ValidationException: KMS key disabled error/);
    expect(run.stdout).toContain('the data is intact');
    expect(run.stdout).toMatch(/HIGH\s+sessions\s+CUSTOMER_MANAGED_KEY_REQUIRED/);
  });
});

describe('the configuration and colours', () => {
  it('status reads ./ddbec.config.json (entry names); audit counts the MetaStore tables of the configuration as encrypted', async () => {
    const cwd = join(dir, 'project');
    mkdirSync(cwd);
    writeFileSync(
      join(cwd, 'ddbec.config.json'),
      JSON.stringify({
        region: 'us-east-1',
        tables: {
          orders: {
            tableName: 'cmk-ok',
            partitionKey: 'pk',
            provider: { type: 'most-recent', materialName: 'orders', metaStore: { tableName: 'orders-keys', provider: { type: 'direct-kms', keyId: 'alias/orders' } } },
          },
        },
      }),
    );
    await table('orders-keys');
    const [status, audit] = await Promise.all([
      ddbecJson<{ table: string; keyType: string }>(['at-rest', 'status', 'orders'], { env, cwd }),
      ddbecJson<AuditJson>(['at-rest', 'audit', '--tables', 'cmk-ok,orders-keys,owned-plain'], { env, cwd }),
    ]);
    expect(status.result.code, status.result.stderr).toBe(0);
    expect(status.json).toMatchObject({ table: 'cmk-ok', keyType: 'customer-managed' });
    expect(audit.json.tables.map((t) => [t.table, t.clientSide])).toEqual([
      ['cmk-ok', true],
      ['orders-keys', true],
      ['owned-plain', false],
    ]);
    expect(audit.json.findings.filter((f) => f.code === 'CLIENT_SIDE_NOT_CONFIGURED').map((f) => f.table)).toEqual(['owned-plain']);
  });

  it('colours a terminal, unless NO_COLOR, TERM=dumb or --no-color', async () => {
    const report = async (args: readonly string[], extra: Record<string, string> = {}): Promise<string> => {
      let text = '';
      const io = { stdout: { isTTY: true, write: (chunk: string) => (text += chunk) }, stderr: { write: () => true }, env: { ...env, ...extra } };
      expect(await main(['at-rest', 'audit', '--tables', 'owned-plain', '--require-customer-managed', ...args], io)).toBe(0);
      return text;
    };
    const ansi = '\u001b[';
    expect(await report([])).toContain(ansi);
    expect(await report([], { TERM: 'xterm-256color', NO_COLOR: '' })).toContain(ansi);
    expect(await report([], { NO_COLOR: '1' })).not.toContain(ansi);
    expect(await report([], { TERM: 'dumb' })).not.toContain(ansi);
    expect(await report(['--no-color'])).not.toContain(ansi);
  });
});
