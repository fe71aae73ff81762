// auditEncryption and its reports, over a local stack with tables in assorted states.
import { DisableKeyCommand, DisableKeyRotationCommand, EnableKeyRotationCommand, ScheduleKeyDeletionCommand } from '@aws-sdk/client-kms';
import { DescribeTableCommand, UpdateTableCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isDdbecError } from '../../src/index.js';
import {
  auditEncryption,
  auditToJson,
  escapeHtml,
  formatAuditHtml,
  formatAuditJson,
  formatAuditText,
  type AuditReport,
  type Finding,
} from '../../src/at-rest/index.js';
import { createKey, createTable, DAY, startStack, type Stack } from './helpers.js';

let stack: Stack;
let keys: Record<'rotating' | 'static' | 'disabled' | 'old' | 'pending', { id: string; arn: string }>;

beforeAll(async () => {
  stack = await startStack({ sseTransitionMs: 60_000 });
  const k = async (): Promise<{ id: string; arn: string }> => createKey(stack);
  keys = { rotating: await k(), static: await k(), disabled: await k(), old: await k(), pending: await k() };
  await stack.kmsClient.send(new EnableKeyRotationCommand({ KeyId: keys.rotating.id }));
  await stack.kmsClient.send(new EnableKeyRotationCommand({ KeyId: keys.old.id }));
  await stack.kmsClient.send(new EnableKeyRotationCommand({ KeyId: keys.disabled.id }));
  await stack.kmsClient.send(new EnableKeyRotationCommand({ KeyId: keys.pending.id }));
  await createTable(stack, 'a-owned');
  await createTable(stack, 'b-managed', { Enabled: true });
  await createTable(stack, 'c-rotating', { Enabled: true, SSEType: 'KMS', KMSMasterKeyId: keys.rotating.id });
  await createTable(stack, 'd-static', { Enabled: true, SSEType: 'KMS', KMSMasterKeyId: keys.static.id });
  await createTable(stack, 'e-old', { Enabled: true, SSEType: 'KMS', KMSMasterKeyId: keys.old.id });
  await createTable(stack, 'f-disabled', { Enabled: true, SSEType: 'KMS', KMSMasterKeyId: keys.disabled.id });
  await createTable(stack, 'g-pending', { Enabled: true, SSEType: 'KMS', KMSMasterKeyId: keys.pending.id });
  await createTable(stack, 'h-updating');
  // e-old has been inaccessible for 6 days when the audit runs; f-disabled and g-pending just became so.
  await stack.kmsClient.send(new DisableKeyCommand({ KeyId: keys.old.id }));
  await stack.dynamodb.send(new DescribeTableCommand({ TableName: 'e-old' }));
  stack.kms.advanceTime(6 * DAY);
  await stack.kmsClient.send(new DisableKeyCommand({ KeyId: keys.disabled.id }));
  await stack.kmsClient.send(new ScheduleKeyDeletionCommand({ KeyId: keys.pending.id, PendingWindowInDays: 7 }));
  await stack.kmsClient.send(new DisableKeyRotationCommand({ KeyId: keys.static.id }));
  await stack.dynamodb.send(new UpdateTableCommand({ TableName: 'h-updating', SSESpecification: { Enabled: true } }));
});

afterAll(async () => {
  await stack.stop();
});

const brief = (findings: readonly Finding[]): string[] => findings.map((f) => `${f.severity} ${f.table} ${f.code}`);

describe('auditEncryption', () => {
  let report: AuditReport;

  beforeAll(async () => {
    report = await auditEncryption(stack.clients, {
      now: () => stack.kms.now(),
      requireCustomerManagedKey: true,
      clientSideTables: new Map([
        ['c-rotating', {}],
        ['d-static', {}],
        ['z-missing', {}],
      ]),
    });
  });

  it('has one row per table, with key type, key state, rotation and client-side encryption', () => {
    const rows = report.tables.map((r) => [r.table, r.keyType, r.tableStatus, r.key?.state ?? '-', r.key?.rotationEnabled ?? '-', r.clientSide]);
    expect(rows).toEqual([
      ['a-owned', 'owned', 'ACTIVE', '-', '-', false],
      ['b-managed', 'aws-managed', 'ACTIVE', 'Enabled', true, false],
      ['c-rotating', 'customer-managed', 'ACTIVE', 'Enabled', true, true],
      ['d-static', 'customer-managed', 'ACTIVE', 'Enabled', false, true],
      ['e-old', 'customer-managed', 'INACCESSIBLE_ENCRYPTION_CREDENTIALS', 'Disabled', true, false],
      ['f-disabled', 'customer-managed', 'INACCESSIBLE_ENCRYPTION_CREDENTIALS', 'Disabled', true, false],
      ['g-pending', 'customer-managed', 'INACCESSIBLE_ENCRYPTION_CREDENTIALS', 'PendingDeletion', true, false],
      ['h-updating', 'owned', 'ACTIVE', '-', '-', false],
    ]);
    expect(report.summary).toMatchObject({ tables: 8, keyTypes: { owned: 2, 'aws-managed': 1, 'customer-managed': 5 }, inaccessible: 3, archived: 0 });
  });

  it('finds what matters, most severe first', () => {
    expect(brief(report.findings)).toEqual([
      'critical e-old ARCHIVE_DEADLINE_NEAR',
      'critical e-old KEY_DISABLED',
      'critical e-old TABLE_INACCESSIBLE',
      'critical f-disabled KEY_DISABLED',
      'critical f-disabled TABLE_INACCESSIBLE',
      'critical g-pending KEY_PENDING_DELETION',
      'critical g-pending TABLE_INACCESSIBLE',
      'high a-owned CUSTOMER_MANAGED_KEY_REQUIRED',
      'high b-managed CUSTOMER_MANAGED_KEY_REQUIRED',
      'high h-updating CUSTOMER_MANAGED_KEY_REQUIRED',
      'medium d-static KEY_ROTATION_DISABLED',
      'medium z-missing CLIENT_SIDE_TABLE_MISSING',
      'low a-owned CLIENT_SIDE_NOT_CONFIGURED',
      'low b-managed CLIENT_SIDE_NOT_CONFIGURED',
      'low e-old CLIENT_SIDE_NOT_CONFIGURED',
      'low f-disabled CLIENT_SIDE_NOT_CONFIGURED',
      'low g-pending CLIENT_SIDE_NOT_CONFIGURED',
      'low h-updating CLIENT_SIDE_NOT_CONFIGURED',
      'info h-updating ENCRYPTION_UPDATING',
    ]);
    const near = report.findings.find((f) => f.code === 'ARCHIVE_DEADLINE_NEAR');
    expect(near?.message).toMatch(/will be archived in 24\.0 hours/);
    expect(near?.keyArn).toBe(keys.old.arn);
    expect(report.summary.findings).toEqual({ critical: 7, high: 3, medium: 2, low: 6, info: 1 });
  });

  it('without the policy or client-side tables, only the key and table findings remain', async () => {
    const plain = await auditEncryption(stack.clients, { now: () => stack.kms.now(), archiveWarningHours: 12 });
    expect(brief(plain.findings).filter((f) => !f.includes('TABLE_INACCESSIBLE') && !f.includes('KEY_'))).toEqual(['info h-updating ENCRYPTION_UPDATING']);
    expect(plain.tables.every((r) => r.clientSide === undefined)).toBe(true);
  });

  it('audits the tables it is given; a missing one is a finding', async () => {
    const some = await auditEncryption(stack.clients, { tables: ['d-static', 'nope', 'd-static'] });
    expect(some.tables.map((r) => r.table)).toEqual(['d-static']);
    expect(brief(some.findings)).toEqual(['high nope TABLE_NOT_FOUND', 'medium d-static KEY_ROTATION_DISABLED']);
  });

  it('pages through ListTables', async () => {
    stack.dynamodb.middlewareStack.add(
      (next, context) => (args) => {
        if (context.commandName === 'ListTablesCommand') (args.input as { Limit?: number }).Limit = 3;
        return next(args);
      },
      { step: 'initialize', name: 'smallPages' },
    );
    try {
      stack.db.resetRequests();
      const paged = await auditEncryption(stack.clients);
      expect(paged.tables).toHaveLength(8);
      expect(stack.db.requests['ListTables']).toBe(3);
    } finally {
      stack.dynamodb.middlewareStack.remove('smallPages');
    }
  });

  it('archived tables are reported with their backup', async () => {
    const key = await createKey(stack);
    await createTable(stack, 'y-archived', { Enabled: true, SSEType: 'KMS', KMSMasterKeyId: key.id });
    await stack.kmsClient.send(new DisableKeyCommand({ KeyId: key.id }));
    await stack.dynamodb.send(new DescribeTableCommand({ TableName: 'y-archived' }));
    const archivedStack = await auditEncryption(stack.clients, { tables: ['y-archived'] });
    expect(archivedStack.summary.archived).toBe(0);
    stack.kms.advanceTime(7 * DAY);
    const audit = await auditEncryption(stack.clients, { tables: ['y-archived'], now: () => stack.kms.now() });
    expect(audit.tables[0]).toMatchObject({ tableStatus: 'ARCHIVED', archived: true, inaccessible: true });
    expect(audit.tables[0]?.archival?.backupArn).toMatch(/\/backup\//);
    expect(brief(audit.findings)).toEqual(['critical y-archived TABLE_ARCHIVED']);
    expect(audit.findings[0]?.message).toContain(audit.tables[0]?.archival?.backupArn ?? '?');
  });

  it('validates its options', async () => {
    for (const options of [{ archiveWarningHours: -1 }, { concurrency: 0 }]) {
      try {
        await auditEncryption(stack.clients, options);
        expect.unreachable();
      } catch (error) {
        expect(isDdbecError(error, 'ERR_INVALID_ARGUMENT')).toBe(true);
      }
    }
  });

  describe('reports', () => {
    it('text: a table, then the findings', () => {
      const text = formatAuditText(report);
      const lines = text.split('\n');
      expect(lines[0]).toMatch(/^Encryption at rest in us-east-1: 8 tables \(2 AWS owned, 1 AWS managed, 5 customer managed, 3 inaccessible\)/);
      expect(lines[2]).toMatch(/^TABLE\s+STATUS\s+KEY TYPE\s+KEY\s+KEY STATE\s+ROTATION\s+CLIENT-SIDE$/);
      expect(text).toMatch(new RegExp(`d-static\\s+ACTIVE\\s+customer managed\\s+key/${keys.static.id}\\s+Enabled\\s+off\\s+yes`));
      expect(text).toMatch(/g-pending\s+INACCESSIBLE_ENCRYPTION_CREDENTIALS \(archive \d{4}-\d\d-\d\d\)\s+customer managed\s+key\/\S+\s+PendingDeletion \(\d{4}-\d\d-\d\d\)/);
      expect(text).toContain('Findings (7 critical, 3 high, 2 medium, 6 low, 1 info):');
      expect(text).toMatch(/\n {2}CRITICAL {2}e-old {7}ARCHIVE_DEADLINE_NEAR: will be archived in 24\.0 hours/);
      expect(text).not.toContain('\u001b[');
      expect(formatAuditText(report, { color: true })).toContain('\u001b[1;31mCRITICAL');
    });

    it('JSON: dates as ISO strings, round-trips', () => {
      const json = JSON.parse(formatAuditJson(report)) as { generatedAt: string; tables: { table: string; inaccessibleSince?: string }[] };
      expect(json).toEqual(auditToJson(report));
      expect(json.generatedAt).toBe(report.generatedAt.toISOString());
      expect(json.tables.find((t) => t.table === 'e-old')?.inaccessibleSince).toMatch(/^\d{4}-\d\d-\d\dT/);
    });

    it('HTML: one self-contained page that escapes every name', () => {
      const html = formatAuditHtml(report);
      expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
      expect(html).toContain('<style>');
      expect(html).not.toMatch(/<script|<link|\bsrc=|url\(|@import|https?:\/\//i);
      expect(html).toContain('<td class="mono name">d-static</td>');
      const evil: AuditReport = {
        ...report,
        tables: [{ ...(report.tables[0] as AuditReport['tables'][number]), table: '<img src=x onerror=alert(1)>', keyArn: 'arn:"&\'' }],
        findings: [{ severity: 'critical', code: 'TABLE_INACCESSIBLE', table: '</td><script>alert(1)</script>', message: 'a < b & c > d' }],
      };
      const escaped = formatAuditHtml(evil, { title: 'Audit <of> "things"' });
      expect(escaped).not.toMatch(/<img|<script|<\/td><script/);
      expect(escaped).toContain('&lt;img src=x onerror=alert(1)&gt;');
      expect(escaped).toContain('arn:&quot;&amp;&#39;');
      expect(escaped).toContain('a &lt; b &amp; c &gt; d');
      expect(escaped).toContain('<title>Audit &lt;of&gt; &quot;things&quot;</title>');
      expect(escapeHtml(`<>&"'`)).toBe('&lt;&gt;&amp;&quot;&#39;');
    });
  });
});
