import { resolve } from 'node:path';
import { CreateTableCommand, DescribeTableCommand, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { CreateAliasCommand, CreateKeyCommand, DisableKeyCommand, EnableKeyCommand, EnableKeyRotationCommand } from '@aws-sdk/client-kms';
import {
  auditEncryption,
  describeTableEncryption,
  formatAuditHtml,
  formatAuditJson,
  formatAuditText,
  isTableKeyInaccessibleError,
  setTableEncryption,
  SEVERITIES,
  type AuditReport,
  type EncryptionTarget,
  type Severity,
  type TableEncryption,
} from 'ddbec/at-rest';
import { awsClients, type AwsClients, type AwsOptions } from '../aws.js';
import { providerOf, type ConfigFile } from 'ddbec/config';
import { configPath, readConfigDocument } from '../context.js';
import { writeFileAtomic } from '@ddbec/local/files';
import { colorFor, EXIT, envOf, line, printJson, UsageError, type Io } from '../io.js';
import { startLocalStack } from '../local/stack.js';
import { awsOptionsOf, flag, num, str, type CommandSpec } from '../spec.js';

type Env = Readonly<Record<string, string | undefined>>;

const KEY_TYPE_LABEL = { owned: 'AWS owned', 'aws-managed': 'AWS managed', 'customer-managed': 'customer managed' } as const;

async function withClients<T>(options: AwsOptions, env: Env, work: (clients: AwsClients) => Promise<T>, region?: string): Promise<T> {
  const clients = awsClients(options, env, region);
  try {
    return await work(clients);
  } finally {
    clients.destroy();
  }
}

// ---- status ----------------------------------------------------------------------------------

export interface AtRestStatusOptions extends AwsOptions {
  /** One table (a DynamoDB table, or an entry of the configuration); omit for every table of the account and region. */
  readonly table?: string | undefined;
  /** The configuration, for its region and table entries (default: $DDBEC_CONFIG, else ./ddbec.config.json if present). */
  readonly config?: string | undefined;
  readonly json?: boolean | undefined;
}

/** `ddbec at-rest status [TABLE]`: how one table (or every table) is encrypted at rest. */
export async function atRestStatus(options: AtRestStatusOptions, io: Io): Promise<number> {
  const env = envOf(io);
  const path = configPath(options.config, env);
  const document = path === undefined ? undefined : readConfigDocument(path);
  const entry = options.table === undefined || document === undefined ? undefined : document.tables[options.table];
  const table = entry?.tableName ?? options.table;
  return withClients(options, env, async (clients) => {
    const at = { dynamodb: clients.dynamodb, kms: clients.kms() };
    if (table === undefined) {
      const report = await auditEncryption(at);
      if (options.json) printJson(io, report.tables);
      else io.stdout.write(formatAuditText({ ...report, findings: [] }).replace(/\nNo findings\.\n$/, '\n'));
      return EXIT.ok;
    }
    const state = await describeTableEncryption(at, table);
    if (options.json) printJson(io, state);
    else printState(io, state);
    return EXIT.ok;
  }, regionOf(document));
}

function regionOf(document: ConfigFile | undefined): string | undefined {
  return typeof document?.region === 'string' ? document.region : undefined;
}

/**
 * The DynamoDB tables whose items a configuration encrypts: its tables, and the MetaStore
 * tables of its most-recent providers (their rows are encrypted by the inner provider).
 */
export function clientSideTablesOf(document: ConfigFile): string[] {
  const names = new Set<string>();
  for (const [name, entry] of Object.entries(document.tables)) {
    names.add(entry.tableName ?? name);
    const provider = providerOf(entry);
    if (provider?.type === 'most-recent') names.add(provider.metaStore.tableName);
  }
  return [...names];
}

function printState(io: Io, state: TableEncryption): void {
  const row = (label: string, value: string): void => {
    line(io.stdout, `${label.padEnd(14)}${value}`);
  };
  row('Table', `${state.table}${state.tableArn === undefined ? '' : `  (${state.tableArn})`}`);
  row('Status', state.tableStatus);
  row('Key type', KEY_TYPE_LABEL[state.keyType]);
  if (state.keyArn !== undefined) row('KMS key', state.keyArn);
  if (state.sseStatus !== undefined) row('SSE status', state.sseStatus);
  if (state.key !== undefined) {
    const deletion = state.key.deletionDate === undefined ? '' : ` (deletion on ${state.key.deletionDate.toISOString()})`;
    row('Key state', `${state.key.state}${deletion}`);
    row('Rotation', state.key.rotationEnabled === undefined ? 'unknown' : state.key.rotationEnabled ? 'enabled' : 'disabled');
    if (state.key.error !== undefined) row('KMS said', state.key.error);
  }
  if (state.archived) {
    row('Archived', `${state.archival?.at?.toISOString() ?? 'yes'}${state.archival?.backupArn === undefined ? '' : `; backup ${state.archival.backupArn}`}`);
  } else if (state.inaccessible) {
    row('Inaccessible', `since ${state.inaccessibleSince?.toISOString() ?? '?'}; archived on ${state.archiveAt?.toISOString() ?? '?'} unless the key is usable again`);
  }
}

// ---- set -------------------------------------------------------------------------------------

export interface AtRestSetOptions extends AwsOptions {
  readonly table: string;
  /** `owned`, `aws-managed` (or `alias/aws/dynamodb`), or a customer managed key: key id, key ARN, alias name or alias ARN. */
  readonly key: string;
  /** Return right after UpdateTable instead of waiting until it is applied. */
  readonly noWait?: boolean | undefined;
  /** Seconds to wait at most (default 600). */
  readonly timeoutSeconds?: number | undefined;
  /** Seconds between DescribeTable polls (default 2). */
  readonly pollSeconds?: number | undefined;
  readonly json?: boolean | undefined;
}

export function targetOf(key: string): EncryptionTarget {
  if (key === 'owned' || key === 'aws-owned') return { type: 'owned' };
  if (key === 'aws-managed' || key === 'alias/aws/dynamodb') return { type: 'aws-managed' };
  if (key.trim() === '') throw new UsageError('--key must be owned, aws-managed or a KMS key (id, ARN, alias/NAME)');
  return { type: 'customer-managed', keyId: key };
}

/** `ddbec at-rest set TABLE --key …`: switches the table's key after checking it is safe; waits until applied. */
export async function atRestSet(options: AtRestSetOptions, io: Io): Promise<number> {
  const target = targetOf(options.key);
  return withClients(options, envOf(io), async (clients) => {
    const result = await setTableEncryption({ dynamodb: clients.dynamodb, kms: clients.kms() }, options.table, target, {
      wait: options.noWait !== true,
      ...(options.timeoutSeconds === undefined ? {} : { timeoutMs: options.timeoutSeconds * 1000 }),
      ...(options.pollSeconds === undefined ? {} : { pollIntervalMs: options.pollSeconds * 1000 }),
    });
    if (options.json) {
      printJson(io, result);
      return EXIT.ok;
    }
    const describe = (state: TableEncryption): string => `${KEY_TYPE_LABEL[state.keyType]} key${state.keyArn === undefined ? '' : ` ${state.keyArn}`}`;
    if (!result.changed) line(io.stdout, `${options.table} is already encrypted with the ${describe(result.before)}; nothing to do`);
    else if (options.noWait === true) line(io.stdout, `${options.table}: switching from the ${describe(result.before)} (SSE status ${result.after.sseStatus ?? 'none'}); not waiting`);
    else line(io.stdout, `${options.table}: now encrypted with the ${describe(result.after)} (was the ${describe(result.before)})`);
    return EXIT.ok;
  });
}

// ---- audit -----------------------------------------------------------------------------------

export interface AtRestAuditOptions extends AwsOptions {
  /** Write the report as a self-contained HTML page to this file. */
  readonly html?: string | undefined;
  readonly json?: boolean | undefined;
  /** Only these tables (default: every table). */
  readonly tables?: readonly string[] | undefined;
  /** Report tables without a customer managed key. */
  readonly requireCustomerManaged?: boolean | undefined;
  /** Warn this many hours before an inaccessible table is archived (default 48). */
  readonly archiveWarningHours?: number | undefined;
  /** A ddbec configuration: its tables and their MetaStore tables have client-side encryption (default: $DDBEC_CONFIG, else ./ddbec.config.json if present). */
  readonly config?: string | undefined;
  /** Exit 1 when a finding is this severe or worse. */
  readonly failOn?: Severity | undefined;
}

/** `ddbec at-rest audit`: every table's encryption at rest and the findings, as text, JSON and/or HTML. */
export async function atRestAudit(options: AtRestAuditOptions, io: Io): Promise<number> {
  const env = envOf(io);
  const path = configPath(options.config, env);
  const document = path === undefined ? undefined : readConfigDocument(path);
  const clientSideTables = document === undefined ? undefined : clientSideTablesOf(document);
  const region = regionOf(document);
  const report: AuditReport = await withClients(
    options,
    env,
    (clients) =>
      auditEncryption(
        { dynamodb: clients.dynamodb, kms: clients.kms() },
        {
          ...(options.tables === undefined ? {} : { tables: options.tables }),
          requireCustomerManagedKey: options.requireCustomerManaged === true,
          ...(options.archiveWarningHours === undefined ? {} : { archiveWarningHours: options.archiveWarningHours }),
          ...(clientSideTables === undefined ? {} : { clientSideTables }),
        },
      ),
    region,
  );
  if (options.html !== undefined) {
    const file = resolve(options.html);
    writeFileAtomic(file, formatAuditHtml(report), 0o644);
    line(options.json ? io.stderr : io.stdout, `wrote the HTML report to ${file}`);
  }
  if (options.json) io.stdout.write(formatAuditJson(report));
  else if (options.html === undefined) io.stdout.write(formatAuditText(report, { color: colorFor(io, io.stdout) }));
  else {
    const counts = SEVERITIES.filter((s) => report.summary.findings[s] > 0).map((s) => `${report.summary.findings[s]} ${s}`);
    line(io.stdout, `${report.summary.tables} tables, ${report.findings.length === 0 ? 'no findings' : `findings: ${counts.join(', ')}`}`);
  }
  if (options.failOn !== undefined) {
    const limit = SEVERITIES.indexOf(options.failOn);
    if (report.findings.some((f) => SEVERITIES.indexOf(f.severity) <= limit)) return EXIT.failed;
  }
  return EXIT.ok;
}

// ---- demo ------------------------------------------------------------------------------------

/**
 * `ddbec demo at-rest`: DynamoDB's own encryption at rest on an in-process local stack — a table
 * encrypted with a customer managed KMS key, the key disabled (the table becomes inaccessible),
 * re-enabled (the data is readable again), then an audit summary. A few seconds, no AWS account.
 */
export async function demoAtRest(_options: Record<string, never>, io: Io): Promise<number> {
  const out = (text = ''): void => {
    line(io.stdout, text);
  };
  const stack = await startLocalStack({});
  // Endpoints and region of the stack; no credential variables, so the local dummy credentials apply.
  const { AWS_ACCESS_KEY_ID: _id, AWS_SECRET_ACCESS_KEY: _secret, ...env } = stack.env;
  const clients = awsClients({}, env);
  const at = { dynamodb: clients.dynamodb, kms: clients.kms() };
  const kms = clients.kms();
  try {
    out('ddbec demo at-rest — DynamoDB encryption at rest with a customer managed KMS key (local DynamoDB + KMS, in memory)');
    out();
    const { KeyMetadata } = await kms.send(new CreateKeyCommand({ Description: 'orders table key' }));
    const keyId = KeyMetadata?.KeyId ?? '';
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/orders-table', TargetKeyId: keyId }));
    await kms.send(new EnableKeyRotationCommand({ KeyId: keyId }));
    await clients.dynamodb.send(
      new CreateTableCommand({
        TableName: 'orders',
        AttributeDefinitions: [{ AttributeName: 'orderId', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'orderId', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
        SSESpecification: { Enabled: true, SSEType: 'KMS', KMSMasterKeyId: 'alias/orders-table' },
      }),
    );
    await clients.dynamodb.send(
      new CreateTableCommand({
        TableName: 'sessions',
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    const show = async (label: string): Promise<void> => {
      const state = await describeTableEncryption(at, 'orders');
      out(`   ${label}: table ${state.tableStatus}, ${KEY_TYPE_LABEL[state.keyType]} key ${state.key?.arn ?? ''} (${state.key?.state ?? '?'})`);
      if (state.inaccessible) out(`   inaccessible since ${state.inaccessibleSince?.toISOString() ?? '?'} — DynamoDB would archive it on ${state.archiveAt?.toISOString() ?? '?'}`);
    };
    out('1. Table "orders" is created with SSESpecification { SSEType: KMS, KMSMasterKeyId: alias/orders-table }:');
    await show('DescribeTable');
    const orders = [
      { orderId: { S: 'o-1' }, item: { S: 'keyboard' }, total: { N: '89.90' } },
      { orderId: { S: 'o-2' }, item: { S: 'monitor' }, total: { N: '239.00' } },
    ];
    for (const order of orders) await clients.dynamodb.send(new PutItemCommand({ TableName: 'orders', Item: order }));
    out(`   wrote ${orders.length} orders`);
    out();

    out('2. Someone disables the key (kms DisableKey):');
    await kms.send(new DisableKeyCommand({ KeyId: keyId }));
    await show('DescribeTable');
    try {
      await clients.dynamodb.send(new GetItemCommand({ TableName: 'orders', Key: { orderId: { S: 'o-1' } } }));
      out('   !! GetItem succeeded on an inaccessible table — this is a bug');
      return EXIT.failed;
    } catch (error) {
      if (!isTableKeyInaccessibleError(error)) throw error;
      const message = (error as Error).message;
      out(`   GetItem fails: ${(error as Error).name}: ${message.length > 110 ? `${message.slice(0, 110)}…` : message}`);
    }
    out();

    out('3. The key is enabled again (kms EnableKey):');
    await kms.send(new EnableKeyCommand({ KeyId: keyId }));
    await show('DescribeTable');
    const { Item } = await clients.dynamodb.send(new GetItemCommand({ TableName: 'orders', Key: { orderId: { S: 'o-1' } }, ConsistentRead: true }));
    out(`   GetItem o-1 → item ${Item?.['item']?.S ?? '?'}, total ${Item?.['total']?.N ?? '?'}: the data is intact`);
    const { Table } = await clients.dynamodb.send(new DescribeTableCommand({ TableName: 'orders' }));
    out(`   SSEDescription: ${JSON.stringify(Table?.SSEDescription)}`);
    out();

    out('4. Audit (policy: customer managed keys required; "orders" has client-side encryption configured):');
    const report = await auditEncryption(at, { requireCustomerManagedKey: true, clientSideTables: ['orders'] });
    for (const text of formatAuditText(report, { color: colorFor(io, io.stdout) }).trimEnd().split('\n')) out(text === '' ? '' : `   ${text}`);
    out();
    out('Try it on your tables: ddbec at-rest status | ddbec at-rest set TABLE --key KEY | ddbec at-rest audit --html report.html');
    return EXIT.ok;
  } finally {
    clients.destroy();
    await stack.stop();
  }
}

// ---- command table ---------------------------------------------------------------------------

const FAIL_ON = new Set<string>(SEVERITIES);

const CONFIG_OPTION = {
  type: 'string',
  value: 'FILE',
  description: 'ddbec configuration, for its region and tables (default: $DDBEC_CONFIG, else ./ddbec.config.json if present)',
} as const;

export const atRestCommands: readonly CommandSpec[] = [
  {
    name: 'at-rest status',
    summary: "show how a table (or every table) is encrypted at rest: key type, KMS key, key state, rotation, inaccessibility",
    args: '[TABLE]',
    positionals: [0, 1],
    options: { config: CONFIG_OPTION },
    groups: ['aws', 'json'],
    details: [
      'DynamoDB encrypts every table at rest with one of three keys: the AWS owned key (default, free), the AWS managed key `alias/aws/dynamodb`, or a customer managed KMS key. For KMS keys the key state (Enabled, Disabled, PendingDeletion), rotation and — when the key is unusable — since when the table is inaccessible and when DynamoDB will archive it (7 days later) are shown.',
    ],
    examples: ['ddbec at-rest status', 'ddbec at-rest status orders --json'],
    run: ({ values, positionals }, io) => atRestStatus({ ...awsOptionsOf(values), table: positionals[0], config: str(values, 'config'), json: flag(values, 'json') }, io),
  },
  {
    name: 'at-rest set',
    summary: 'switch the key a table is encrypted at rest with (owned, aws-managed or a KMS key), safely, and wait until applied',
    args: 'TABLE',
    positionals: [1, 1],
    options: {
      key: { type: 'string', value: 'KEY', description: 'owned (AWS owned key), aws-managed (alias/aws/dynamodb), or a customer managed KMS key: id, ARN, alias/NAME' },
      'no-wait': { type: 'boolean', description: 'return right after UpdateTable instead of waiting until the change is applied' },
      timeout: { type: 'string', value: 'SECONDS', description: 'wait at most this long (default 600)' },
      'poll-interval': { type: 'string', value: 'SECONDS', description: 'time between DescribeTable polls (default 2)' },
    },
    groups: ['aws', 'json'],
    details: [
      'A customer managed key is checked first: it must exist, be enabled, be a symmetric ENCRYPT_DECRYPT key and be in the table’s region; otherwise nothing is changed (ERR_AT_REST_KEY_UNUSABLE). An inaccessible or archived table is refused. Nothing is sent when the table already uses the requested key.',
      'Costs: the AWS owned key is free; the AWS managed and customer managed keys incur KMS request charges, and a customer managed key a monthly key fee.',
    ],
    examples: ['ddbec at-rest set orders --key alias/orders-table', 'ddbec at-rest set orders --key aws-managed', 'ddbec at-rest set orders --key owned'],
    run: ({ values, positionals }, io) => {
      const key = str(values, 'key');
      if (key === undefined) throw new UsageError('--key is required (owned, aws-managed or a KMS key)');
      return atRestSet(
        {
          ...awsOptionsOf(values),
          table: positionals[0] ?? '',
          key,
          noWait: flag(values, 'no-wait'),
          timeoutSeconds: num(values, 'timeout', 0),
          pollSeconds: num(values, 'poll-interval', 0),
          json: flag(values, 'json'),
        },
        io,
      );
    },
  },
  {
    name: 'at-rest audit',
    summary: 'audit encryption at rest of every table: findings by severity, as text, JSON or a self-contained HTML report',
    options: {
      html: { type: 'string', value: 'FILE', description: 'write the report as a self-contained HTML page' },
      tables: { type: 'string', value: 'A,B,…', description: 'only these tables (default: every table)' },
      'require-customer-managed': { type: 'boolean', description: 'report tables that do not use a customer managed key' },
      'archive-warning-hours': { type: 'string', value: 'N', description: 'warn when an inaccessible table is archived within N hours (default 48)' },
      config: CONFIG_OPTION,
      'fail-on': { type: 'string', value: 'SEVERITY', description: 'exit 1 when a finding is this severe or worse (critical, high, medium, low, info)' },
    },
    groups: ['aws', 'json'],
    details: [
      'Findings: TABLE_ARCHIVED, TABLE_INACCESSIBLE, ARCHIVE_DEADLINE_NEAR, KEY_DISABLED, KEY_PENDING_DELETION, KEY_NOT_FOUND (critical); CUSTOMER_MANAGED_KEY_REQUIRED, TABLE_NOT_FOUND (high); KEY_ROTATION_DISABLED, KEY_STATE_UNKNOWN, CLIENT_SIDE_TABLE_MISSING (medium); CLIENT_SIDE_NOT_CONFIGURED (low); ENCRYPTION_UPDATING (info). With a configuration, its tables and the MetaStore tables of its most-recent providers count as encrypted client-side.',
    ],
    examples: ['ddbec at-rest audit', 'ddbec at-rest audit --html at-rest.html --require-customer-managed', 'ddbec at-rest audit --json --fail-on critical'],
    run: ({ values }, io) => {
      const failOn = str(values, 'fail-on');
      if (failOn !== undefined && !FAIL_ON.has(failOn)) throw new UsageError(`--fail-on must be one of ${SEVERITIES.join(', ')}`);
      const tables = str(values, 'tables')
        ?.split(',')
        .map((name) => name.trim())
        .filter((name) => name !== '');
      return atRestAudit(
        {
          ...awsOptionsOf(values),
          html: str(values, 'html'),
          json: flag(values, 'json'),
          tables,
          requireCustomerManaged: flag(values, 'require-customer-managed'),
          archiveWarningHours: num(values, 'archive-warning-hours', 0),
          config: str(values, 'config'),
          failOn: failOn as Severity | undefined,
        },
        io,
      );
    },
  },
  {
    name: 'demo at-rest',
    summary: 'a few-second tour of DynamoDB encryption at rest on an in-process local stack: customer managed key, disable, re-enable, audit',
    details: ['Needs no AWS account and no network: DynamoDB and KMS run in the process on 127.0.0.1, in memory, and stop at the end.'],
    examples: ['ddbec demo at-rest'],
    run: (_args, io) => demoAtRest({}, io),
  },
];
