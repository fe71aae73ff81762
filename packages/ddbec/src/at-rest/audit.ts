import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { DdbecError } from '../errors.js';
import { describeTable, encryptionOf, requestFailed, type AtRestClients, type KeyCache, type TableEncryption, type TableKeyType } from './describe.js';

export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'info';

/** Most severe first. */
export const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'info'];

/**
 * What an audit can find:
 * - `TABLE_ARCHIVED` (critical): DynamoDB archived the table; restore it from the archive backup.
 * - `TABLE_INACCESSIBLE` (critical): DynamoDB cannot use the table's key; reads and writes fail.
 * - `ARCHIVE_DEADLINE_NEAR` (critical): an inaccessible table will be archived within the warning window.
 * - `KEY_DISABLED`, `KEY_PENDING_DELETION`, `KEY_NOT_FOUND` (critical): the table's customer managed
 *   key is unusable, so the table is (or is about to become) inaccessible.
 * - `KEY_STATE_UNKNOWN` (medium): KMS would not describe the key; its state cannot be checked.
 * - `KEY_ROTATION_DISABLED` (medium): a customer managed key without automatic rotation.
 * - `CUSTOMER_MANAGED_KEY_REQUIRED` (high): the policy requires customer managed keys and the table
 *   uses the AWS owned or the AWS managed key.
 * - `ENCRYPTION_UPDATING` (info): a key change is in progress.
 * - `CLIENT_SIDE_NOT_CONFIGURED` (low): client-side tables were given and this table is not one of them.
 * - `CLIENT_SIDE_TABLE_MISSING` (medium): a table configured for client-side encryption does not exist.
 * - `TABLE_NOT_FOUND` (high): a table named in `tables` does not exist.
 */
export type FindingCode =
  | 'TABLE_ARCHIVED'
  | 'TABLE_INACCESSIBLE'
  | 'ARCHIVE_DEADLINE_NEAR'
  | 'KEY_DISABLED'
  | 'KEY_PENDING_DELETION'
  | 'KEY_NOT_FOUND'
  | 'KEY_STATE_UNKNOWN'
  | 'KEY_ROTATION_DISABLED'
  | 'CUSTOMER_MANAGED_KEY_REQUIRED'
  | 'ENCRYPTION_UPDATING'
  | 'CLIENT_SIDE_NOT_CONFIGURED'
  | 'CLIENT_SIDE_TABLE_MISSING'
  | 'TABLE_NOT_FOUND';

export interface Finding {
  readonly severity: Severity;
  readonly code: FindingCode;
  readonly table: string;
  readonly message: string;
  readonly keyArn?: string;
}

/** One audited table: its encryption at rest, and whether client-side encryption is configured for it. */
export interface AuditRow extends TableEncryption {
  /** Undefined when no client-side table configuration was given to the audit. */
  readonly clientSide?: boolean;
}

export interface AuditReport {
  /** When the audit ran (the `now` option). */
  readonly generatedAt: Date;
  /** The DynamoDB client's region. */
  readonly region?: string;
  readonly policy: { readonly requireCustomerManagedKey: boolean; readonly archiveWarningHours: number };
  readonly tables: readonly AuditRow[];
  /** Most severe first, then by table. */
  readonly findings: readonly Finding[];
  readonly summary: {
    readonly tables: number;
    readonly findings: Readonly<Record<Severity, number>>;
    readonly keyTypes: Readonly<Record<TableKeyType, number>>;
    readonly inaccessible: number;
    readonly archived: number;
  };
}

export interface AuditOptions {
  /** The tables to audit (default: every table ListTables returns, all pages). */
  readonly tables?: Iterable<string>;
  /** Report tables that do not use a customer managed key (default false). */
  readonly requireCustomerManagedKey?: boolean;
  /** An inaccessible table whose archive date is this close is `ARCHIVE_DEADLINE_NEAR` (default 48 hours). */
  readonly archiveWarningHours?: number;
  /**
   * The tables that have client-side encryption configured (ddbec/sdk or ddbec/config): table
   * names, or a map (e.g. the SDK integration's table map) whose keys are table names. When
   * given, every row says whether the table is one of them.
   */
  readonly clientSideTables?: Iterable<string> | ReadonlyMap<string, unknown>;
  /** The clock for deadlines (default: the system clock). */
  readonly now?: () => Date;
  /** Tables described at once (default 4). */
  readonly concurrency?: number;
}

/**
 * Audits encryption at rest: one row per table (every table of the account and region unless
 * `tables` is given) and findings, most severe first. Rejects only when DynamoDB cannot list or
 * describe tables (`ERR_AT_REST_REQUEST_FAILED`); a table named in `tables` that does not exist is
 * a `TABLE_NOT_FOUND` finding.
 */
export async function auditEncryption(clients: AtRestClients, options: AuditOptions = {}): Promise<AuditReport> {
  const archiveWarningHours = options.archiveWarningHours ?? 48;
  if (!(Number.isFinite(archiveWarningHours) && archiveWarningHours >= 0)) throw new DdbecError('ERR_INVALID_ARGUMENT', 'archiveWarningHours must be a number >= 0');
  const concurrency = options.concurrency ?? 4;
  if (!(Number.isInteger(concurrency) && concurrency >= 1)) throw new DdbecError('ERR_INVALID_ARGUMENT', 'concurrency must be an integer >= 1');
  const requireCustomerManagedKey = options.requireCustomerManagedKey ?? false;
  const now = (options.now ?? ((): Date => new Date()))();
  const clientSide = clientSideSet(options.clientSideTables);

  const listed = options.tables === undefined;
  const names = listed ? await listTables(clients) : [...new Set(options.tables)];
  const keys: KeyCache = new Map();
  const results = new Array<TableEncryption | 'missing'>(names.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < names.length) {
      const index = next++;
      const name = names[index] as string;
      try {
        results[index] = await encryptionOf(clients, await describeTable(clients.dynamodb, name), keys);
      } catch (error) {
        // A listed table deleted meanwhile is simply gone; a named one is a finding.
        if (error instanceof DdbecError && error.code === 'ERR_TABLE_NOT_FOUND') results[index] = 'missing';
        else throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, Math.max(names.length, 1)) }, worker));

  const rows: AuditRow[] = [];
  const findings: Finding[] = [];
  names.forEach((name, index) => {
    const result = results[index];
    if (result === 'missing' || result === undefined) {
      if (!listed) findings.push({ severity: 'high', code: 'TABLE_NOT_FOUND', table: name, message: `table "${name}" does not exist` });
      return;
    }
    const row: AuditRow = clientSide === undefined ? result : { ...result, clientSide: clientSide.has(name) };
    rows.push(row);
    findings.push(...findingsOf(row, { now, requireCustomerManagedKey, archiveWarningHours }));
  });
  if (clientSide !== undefined && listed) {
    const present = new Set(rows.map((row) => row.table));
    for (const name of clientSide) {
      if (!present.has(name)) {
        findings.push({ severity: 'medium', code: 'CLIENT_SIDE_TABLE_MISSING', table: name, message: `table "${name}" has client-side encryption configured but does not exist` });
      }
    }
  }
  findings.sort((a, b) => SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) || compare(a.table, b.table) || compare(a.code, b.code));
  rows.sort((a, b) => compare(a.table, b.table));

  let region: string | undefined;
  try {
    region = await clients.dynamodb.config.region();
  } catch {
    region = undefined;
  }
  const count = <K extends string>(keysOf: readonly K[], pick: (k: K) => number): Record<K, number> =>
    Object.fromEntries(keysOf.map((k) => [k, pick(k)])) as Record<K, number>;
  return {
    generatedAt: now,
    ...(region === undefined ? {} : { region }),
    policy: { requireCustomerManagedKey, archiveWarningHours },
    tables: rows,
    findings,
    summary: {
      tables: rows.length,
      findings: count(SEVERITIES, (severity) => findings.filter((f) => f.severity === severity).length),
      keyTypes: count(['owned', 'aws-managed', 'customer-managed'] as const, (type) => rows.filter((row) => row.keyType === type).length),
      inaccessible: rows.filter((row) => row.inaccessible && !row.archived).length,
      archived: rows.filter((row) => row.archived).length,
    },
  };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function clientSideSet(source: AuditOptions['clientSideTables']): Set<string> | undefined {
  if (source === undefined) return undefined;
  if (source instanceof Map) return new Set([...(source as ReadonlyMap<string, unknown>).keys()].map(String));
  return new Set([...(source as Iterable<string>)].map(String));
}

async function listTables(clients: AtRestClients): Promise<string[]> {
  const names: string[] = [];
  let start: string | undefined;
  do {
    let page;
    try {
      page = await clients.dynamodb.send(new ListTablesCommand(start === undefined ? {} : { ExclusiveStartTableName: start }));
    } catch (error) {
      throw requestFailed('ListTables', error);
    }
    names.push(...(page.TableNames ?? []));
    start = page.LastEvaluatedTableName;
  } while (start !== undefined);
  return names;
}

const HOUR = 60 * 60 * 1000;

function when(date: Date | undefined): string {
  return date === undefined ? 'an unknown date' : date.toISOString();
}

function inHours(ms: number): string {
  if (ms <= 0) return 'now';
  const hours = ms / HOUR;
  return hours >= 48 ? `in ${(hours / 24).toFixed(1)} days` : `in ${hours.toFixed(1)} hours`;
}

/** The findings of one table. */
export function findingsOf(
  row: AuditRow,
  policy: { readonly now: Date; readonly requireCustomerManagedKey: boolean; readonly archiveWarningHours: number },
): Finding[] {
  const out: Finding[] = [];
  const table = row.table;
  const keyArn = row.keyArn;
  const add = (severity: Severity, code: FindingCode, message: string): void => {
    out.push({ severity, code, table, message, ...(keyArn === undefined ? {} : { keyArn }) });
  };
  if (row.archived) {
    const backup = row.archival?.backupArn;
    add('critical', 'TABLE_ARCHIVED', `archived on ${when(row.archival?.at)} because its KMS key was inaccessible for 7 days${backup === undefined ? '' : `; restore it from ${backup}`}`);
  } else if (row.inaccessible) {
    add('critical', 'TABLE_INACCESSIBLE', `inaccessible since ${when(row.inaccessibleSince)}: reads and writes fail; DynamoDB archives it on ${when(row.archiveAt)} unless the key is usable again`);
    if (row.archiveAt !== undefined) {
      const left = row.archiveAt.getTime() - policy.now.getTime();
      if (left <= policy.archiveWarningHours * HOUR) add('critical', 'ARCHIVE_DEADLINE_NEAR', `will be archived ${inHours(left)} (${when(row.archiveAt)}): re-enable the key now`);
    }
  }
  const key = row.key;
  if (key !== undefined && !row.archived) {
    const consequence = row.inaccessible ? 'the table is inaccessible' : 'the table becomes inaccessible within minutes';
    if (key.state === 'Disabled') add('critical', 'KEY_DISABLED', `KMS key is disabled: ${consequence}; enable it (EnableKey)`);
    else if (key.state === 'PendingDeletion') {
      add('critical', 'KEY_PENDING_DELETION', `KMS key is pending deletion on ${when(key.deletionDate)}: ${consequence}; CancelKeyDeletion, then EnableKey`);
    } else if (key.state === 'NotFound') add('critical', 'KEY_NOT_FOUND', `KMS key does not exist (deleted?): ${consequence}; the data cannot be recovered without it`);
    else if (key.state === 'Unknown') add('medium', 'KEY_STATE_UNKNOWN', `KMS key could not be described (${key.error ?? 'no details'}); check kms:DescribeKey permissions`);
    else if (key.state !== 'Enabled') add('critical', 'KEY_DISABLED', `KMS key is ${key.state}: ${consequence}`);
  }
  if (row.keyType === 'customer-managed' && key?.rotationEnabled === false && key.state !== 'NotFound' && !row.archived) {
    add('medium', 'KEY_ROTATION_DISABLED', 'customer managed KMS key without automatic rotation; enable it (EnableKeyRotation)');
  }
  if (policy.requireCustomerManagedKey && row.keyType !== 'customer-managed') {
    add('high', 'CUSTOMER_MANAGED_KEY_REQUIRED', `encrypted with the ${row.keyType === 'owned' ? 'AWS owned' : 'AWS managed'} key; the policy requires a customer managed key`);
  }
  if (row.sseStatus === 'UPDATING' && !row.inaccessible) add('info', 'ENCRYPTION_UPDATING', 'an encryption key change is in progress');
  if (row.clientSide === false) add('low', 'CLIENT_SIDE_NOT_CONFIGURED', 'no client-side encryption configured for this table');
  return out;
}
