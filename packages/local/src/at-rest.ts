import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { errorResponse, jsonResponse, type FrontContext, type FrontHandler, type FrontRequest, type FrontResponse } from './dynamodb-front.js';
import { writeFileAtomic } from './files.js';
import type { LocalKms, LocalKmsKeyInfo } from './kms/index.js';

/**
 * Encryption at rest for the local DynamoDB (dynalite ignores `SSESpecification`), emulated in
 * the front as DynamoDB behaves, with the local KMS as the key store:
 *
 * - CreateTable / UpdateTable accept `SSESpecification` (AWS owned key: none or `Enabled: false`;
 *   AWS managed key: `Enabled: true` or `SSEType: KMS` without a key, `alias/aws/dynamodb` created
 *   in the local KMS on first use; customer managed key: `KMSMasterKeyId` as key id, key ARN, alias
 *   name or alias ARN). An unusable key is refused synchronously as DynamoDB does: disabled →
 *   ValidationException "KMS key disabled error: …DisabledException…"; pending deletion, unknown
 *   key or alias, ARN of another region → ValidationException "KMS validation error: …"; another
 *   service's AWS managed key → AccessDeniedException "KMS key access denied error: …"; an
 *   asymmetric or HMAC key → HTTP 500 InternalServerError "KMS internal error: …" (deterministic).
 * - DescribeTable (and the table descriptions in Create/Update/DeleteTable answers) carry
 *   `SSEDescription` {Status, SSEType: KMS, KMSMasterKeyArn}; none for the AWS owned key. A key
 *   change answers `SSEDescription.Status: UPDATING` with the old key and TableStatus ACTIVE; it
 *   stays UPDATING for `sseTransitionMs` (default 0: DescribeTable shows the new key at once).
 *   UpdateTable with SSESpecification must be the only change; a second change while UPDATING is
 *   ResourceInUseException; `Enabled: false` on an owned table and re-sending the table's exact key
 *   ARN are ValidationException.
 * - The table's KMS key is checked in the local KMS at every request the front receives (DynamoDB
 *   does it periodically, minutes late; here it is immediate). Disabled, pending deletion or deleted
 *   → TableStatus `INACCESSIBLE_ENCRYPTION_CREDENTIALS`, SSEDescription.Status stays `ENABLED` (as
 *   in AWS, whose SSEStatus has no inaccessible value) with `InaccessibleEncryptionDateTime` = when
 *   it was noticed. Reads and writes (GetItem, PutItem, UpdateItem, DeleteItem, Query, Scan, the
 *   batch and transaction operations), CreateBackup, UpdateTimeToLive and SSE changes then fail
 *   with HTTP 400 ValidationException carrying KMS's error text — DynamoDB has no dedicated
 *   exception for this. Metadata operations (DescribeTable, ListTables, tags, other UpdateTable
 *   changes, DeleteTable) still work. Re-enabled → ACTIVE again, data intact.
 * - Still inaccessible 7 days after it was noticed (clock: the local KMS's, so `kms.advanceTime`
 *   moves it) → the table is archived: TableStatus `ARCHIVED`, `ArchivalSummary` {ArchivalDateTime
 *   (the deadline), ArchivalReason INACCESSIBLE_ENCRYPTION_CREDENTIALS, ArchivalBackupArn}, the
 *   SSEDescription as it was (ENABLED + InaccessibleEncryptionDateTime), and a SYSTEM on-demand
 *   backup of every item (ListBackups with BackupType SYSTEM or ALL, DescribeBackup). Re-enabling
 *   the key no longer helps; data calls answer ValidationException "…is archived…" (AWS does not
 *   document this answer; this wording is ours).
 * - CreateBackup (USER backups), ListBackups, DescribeBackup and DeleteBackup are implemented here
 *   (dynalite has none). RestoreTableFromBackup is not.
 * - With `dataDir`, the metadata is kept in `at-rest.json` there (written atomically) and backup
 *   items in `at-rest-backups/<id>.json`.
 * - Without a local KMS, SSESpecification that asks for a KMS key is refused with a
 *   ValidationException that says so; the AWS owned key (the default) works.
 */

export interface AtRestOptions {
  /** The local KMS holding the tables' keys; without it only the AWS owned key is accepted. */
  readonly kms?: LocalKms | undefined;
  /** Where `at-rest.json` and the backups are kept; omit for memory only. */
  readonly dataDir?: string | undefined;
  /** How long an encryption change stays UPDATING, in ms (default 0). */
  readonly sseTransitionMs?: number | undefined;
  /** The clock (default: the local KMS's, else the system clock). */
  readonly now?: (() => Date) | undefined;
}

export const AT_REST_FILE_NAME = 'at-rest.json';
const BACKUP_DIR_NAME = 'at-rest-backups';
const FORMAT = 'ddbec-local-dynamodb-at-rest';
const ARCHIVE_AFTER_MS = 7 * 86_400_000;
const AWS_MANAGED_ALIAS = 'alias/aws/dynamodb';

type Sse = { type: 'owned' } | { type: 'aws-managed'; keyArn: string } | { type: 'customer-managed'; keyArn: string };

interface TableMeta {
  sse: Sse;
  /** An encryption change in progress: the previous encryption, until (epoch ms). */
  pending?: { previous: Sse; until: number };
  /** Epoch ms when the key was noticed to be unusable. */
  inaccessibleSince?: number;
  archived?: { at: number; backupArn: string };
}

interface BackupRecord {
  arn: string;
  name: string;
  type: 'USER' | 'SYSTEM';
  createdAt: number;
  sizeBytes: number;
  itemCount: number;
  tableName: string;
  tableArn: string;
  tableId: string;
  /** The source table's description (KeySchema, indexes, billing, SSE) at backup time. */
  table: Record<string, unknown>;
}

interface Persisted {
  format: string;
  version: number;
  tables: Record<string, TableMeta>;
  backups: BackupRecord[];
}

type Json = Record<string, unknown>;

/** A request value in a message. */
function show(value: unknown): string {
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? 'null');
}

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const validation = (message: string): FrontResponse => errorResponse('ValidationException', message);
const invalidParameter = (message: string): FrontResponse => validation(`One or more parameter values were invalid: ${message}`);

/** KMS's error as DynamoDB embeds it. */
function kmsText(code: string, message: string): string {
  return `${message} (Service: AWSKMS; Status Code: 400; Error Code: ${code}; Request ID: ${randomUUID()}; Proxy: null)`;
}

/** Operations whose every named table must be accessible. */
const DATA_OPERATIONS = new Set([
  'GetItem',
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'Query',
  'Scan',
  'BatchGetItem',
  'BatchWriteItem',
  'TransactGetItems',
  'TransactWriteItems',
  'UpdateTimeToLive',
]);

/** Every operation the emulation looks at (the key check runs before each). */
const WATCHED = [
  ...DATA_OPERATIONS,
  'CreateTable',
  'DescribeTable',
  'UpdateTable',
  'DeleteTable',
  'ListTables',
  'DescribeTimeToLive',
  'TagResource',
  'UntagResource',
  'ListTagsOfResource',
  'CreateBackup',
  'ListBackups',
  'DescribeBackup',
  'DeleteBackup',
];

function tableNameOf(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const at = value.indexOf(':table/');
  if (value.startsWith('arn:') && at >= 0) return value.slice(at + ':table/'.length).split('/')[0];
  return value;
}

/** The tables a data operation names. */
function tablesOf(operation: string, input: unknown): string[] {
  if (!isRecord(input)) return [];
  if (operation === 'BatchGetItem' || operation === 'BatchWriteItem') {
    return isRecord(input['RequestItems']) ? Object.keys(input['RequestItems']).map((name) => tableNameOf(name) ?? name) : [];
  }
  if (operation === 'TransactGetItems' || operation === 'TransactWriteItems') {
    const items = Array.isArray(input['TransactItems']) ? (input['TransactItems'] as unknown[]) : [];
    const names: string[] = [];
    for (const item of items) {
      if (!isRecord(item)) continue;
      for (const action of Object.values(item)) {
        const name = isRecord(action) ? tableNameOf(action['TableName']) : undefined;
        if (name !== undefined) names.push(name);
      }
    }
    return names;
  }
  const name = tableNameOf(input['TableName']);
  return name === undefined ? [] : [name];
}

/** Encryption at rest for the front; install with {@link AtRestEmulation.wrap}. */
export class AtRestEmulation {
  readonly #kms: LocalKms | undefined;
  readonly #file: string | undefined;
  readonly #backupDir: string | undefined;
  readonly #transitionMs: number;
  readonly #now: () => number;
  readonly #tables = new Map<string, TableMeta>();
  readonly #backups: BackupRecord[] = [];
  /** Items of backups kept in memory (no dataDir). */
  readonly #backupItems = new Map<string, unknown[]>();
  #lock: Promise<unknown> = Promise.resolve();

  constructor(options: AtRestOptions = {}) {
    this.#kms = options.kms;
    const ms = options.sseTransitionMs ?? 0;
    if (!(Number.isFinite(ms) && ms >= 0)) throw new RangeError(`local DynamoDB: sseTransitionMs must be a number >= 0 (got ${String(ms)})`);
    this.#transitionMs = ms;
    const kms = options.kms;
    const clock = options.now ?? (kms === undefined ? (): Date => new Date() : (): Date => kms.now());
    this.#now = () => clock().getTime();
    if (options.dataDir !== undefined) {
      mkdirSync(options.dataDir, { recursive: true });
      this.#file = join(options.dataDir, AT_REST_FILE_NAME);
      this.#backupDir = join(options.dataDir, BACKUP_DIR_NAME);
      this.#load(this.#file);
    }
  }

  /**
   * The front's handlers with encryption at rest added: `base` (e.g. the transaction emulations)
   * still answers its operations once the checks pass; everything else is forwarded.
   */
  wrap(base: Readonly<Record<string, FrontHandler>> = {}): Record<string, FrontHandler> {
    const handlers: Record<string, FrontHandler> = { ...base };
    const own: Record<string, FrontHandler> = {
      CreateTable: (request, context) => this.#createTable(request, context),
      DescribeTable: (request, context) => this.#describeTable(request, context),
      UpdateTable: (request, context) => this.#updateTable(request, context, base['UpdateTable']),
      DeleteTable: (request, context) => this.#deleteTable(request, context, base['DeleteTable']),
      CreateBackup: (request, context) => this.#createBackup(request, context),
      ListBackups: (request) => Promise.resolve(this.#listBackups(request)),
      DescribeBackup: (request) => Promise.resolve(this.#describeBackup(request)),
      DeleteBackup: (request) => Promise.resolve(this.#deleteBackup(request)),
    };
    for (const operation of WATCHED) {
      const inner: FrontHandler = own[operation] ?? base[operation] ?? ((request, context) => context.forward(request));
      handlers[operation] = async (request, context) => {
        await this.#exclusive(() => this.#refresh(context));
        if (DATA_OPERATIONS.has(operation)) {
          for (const table of tablesOf(operation, request.json())) {
            const refused = this.#refusal(table);
            if (refused) return refused;
          }
        }
        return inner(request, context);
      };
    }
    return handlers;
  }

  /** The emulation's view of a table's encryption (for tests and tools); undefined for an owned table it never saw. */
  tableEncryption(table: string): { type: Sse['type']; keyArn?: string; inaccessibleSince?: Date; archived?: { at: Date; backupArn: string } } | undefined {
    const meta = this.#tables.get(table);
    if (meta === undefined) return undefined;
    return {
      type: meta.sse.type,
      ...('keyArn' in meta.sse ? { keyArn: meta.sse.keyArn } : {}),
      ...(meta.inaccessibleSince === undefined ? {} : { inaccessibleSince: new Date(meta.inaccessibleSince) }),
      ...(meta.archived === undefined ? {} : { archived: { at: new Date(meta.archived.at), backupArn: meta.archived.backupArn } }),
    };
  }

  // ---- state ---------------------------------------------------------------------------------

  #exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#lock.then(work, work);
    this.#lock = run.catch(() => undefined);
    return run;
  }

  /** Checks every KMS-encrypted table's key: notices inaccessibility, recovery, and archives after 7 days. */
  async #refresh(context: FrontContext): Promise<void> {
    const kms = this.#kms;
    if (kms === undefined) return;
    const now = this.#now();
    let changed = false;
    for (const [table, meta] of this.#tables) {
      if (meta.pending !== undefined && now >= meta.pending.until) {
        delete meta.pending;
        changed = true;
      }
      if (meta.archived !== undefined || meta.sse.type === 'owned') continue;
      const usable = kms.keyState(meta.sse.keyArn) === 'Enabled';
      if (usable) {
        if (meta.inaccessibleSince !== undefined) {
          delete meta.inaccessibleSince;
          changed = true;
        }
        continue;
      }
      if (meta.inaccessibleSince === undefined) {
        meta.inaccessibleSince = now;
        changed = true;
      }
      if (now - meta.inaccessibleSince >= ARCHIVE_AFTER_MS) {
        const at = meta.inaccessibleSince + ARCHIVE_AFTER_MS;
        const backup = await this.#backup(context, table, `${table}-archive-${new Date(at).toISOString().replace(/[-:T]/g, '').slice(0, 14)}`, 'SYSTEM', at);
        meta.archived = { at, backupArn: backup?.arn ?? '' };
        changed = true;
      }
    }
    if (changed) this.#save();
  }

  /** The answer for a data operation on an unusable table, or undefined when it may proceed. */
  #refusal(table: string): FrontResponse | undefined {
    const meta = this.#tables.get(table);
    if (meta === undefined) return undefined;
    if (meta.archived !== undefined) {
      return validation(
        `Table: ${table} is archived: its KMS key was inaccessible for more than 7 days (ArchivalReason INACCESSIBLE_ENCRYPTION_CREDENTIALS); restore it from the backup ${meta.archived.backupArn}`,
      );
    }
    if (meta.inaccessibleSince !== undefined && meta.sse.type !== 'owned') return this.#keyError(meta.sse.keyArn);
    return undefined;
  }

  /** DynamoDB's answer when a table's key is not usable, by the key's state. */
  #keyError(keyArn: string): FrontResponse {
    const state = this.#kms?.keyState(keyArn);
    if (state === 'Disabled') {
      return validation(`KMS key disabled error: com.amazonaws.services.kms.model.DisabledException: ${kmsText('DisabledException', `${keyArn} is disabled.`)}`);
    }
    if (state === 'PendingDeletion') {
      return validation(
        `KMS validation error: com.amazonaws.services.kms.model.KMSInvalidStateException: ${kmsText('KMSInvalidStateException', `${keyArn} is pending deletion.`)}`,
      );
    }
    return validation(`KMS validation error: com.amazonaws.services.kms.model.NotFoundException: ${kmsText('NotFoundException', `Key '${keyArn}' does not exist`)}`);
  }

  /** The SSESpecification of a request as an encryption, or DynamoDB's refusal. */
  #requested(specification: unknown, current: Sse | undefined): Sse | FrontResponse {
    if (specification === undefined || specification === null) return { type: 'owned' };
    if (!isRecord(specification)) return invalidParameter('SSESpecification must be a structure');
    const { Enabled: enabled, SSEType: type, KMSMasterKeyId: keyId } = specification;
    if (enabled !== undefined && typeof enabled !== 'boolean') return invalidParameter('SSESpecification.Enabled must be a boolean');
    if (type !== undefined && type !== 'KMS' && type !== 'AES256') {
      return validation(`1 validation error detected: Value '${show(type)}' at 'sSESpecification.sSEType' failed to satisfy constraint: Member must satisfy enum value set: [AES256, KMS]`);
    }
    if (type === 'AES256') return invalidParameter('Server-Side Encryption of type AES256 is not supported; use KMS');
    if (keyId !== undefined && typeof keyId !== 'string') return invalidParameter('SSESpecification.KMSMasterKeyId must be a string');
    if (enabled === false && (type !== undefined || keyId !== undefined)) {
      return invalidParameter('SSEType and KMSMasterKeyId can only be specified when server-side encryption is enabled');
    }
    if (keyId !== undefined && type !== 'KMS') return invalidParameter('KMSMasterKeyId can only be specified when SSEType is KMS');
    if (!(enabled === true || type === 'KMS')) return { type: 'owned' };
    const kms = this.#kms;
    if (kms === undefined) {
      return validation(
        'This local DynamoDB has no KMS attached, so it cannot encrypt tables with KMS keys: start it with startLocalDynamoDB({ kms }) (the ddbec local stack does), or leave SSESpecification out for the AWS owned key',
      );
    }
    if (keyId === undefined || keyId === AWS_MANAGED_ALIAS || keyId === `${this.#aliasArnPrefix(kms)}${AWS_MANAGED_ALIAS}`) {
      return { type: 'aws-managed', keyArn: kms.awsManagedKey('dynamodb').arn };
    }
    if (current !== undefined && 'keyArn' in current && keyId === current.keyArn) {
      return invalidParameter('Table is already encrypted with given KMSMasterKey');
    }
    return this.#customerKey(kms, keyId);
  }

  #aliasArnPrefix(kms: LocalKms): string {
    return `arn:aws:kms:${kms.region}:${kms.accountId}:`;
  }

  #customerKey(kms: LocalKms, keyId: string): Sse | FrontResponse {
    const kmsValidation = (code: string, message: string): FrontResponse =>
      validation(`KMS validation error: com.amazonaws.services.kms.model.${code}: ${kmsText(code, message)}`);
    if (keyId.startsWith('arn:')) {
      const [, , service, region, account] = keyId.split(':');
      if (service !== 'kms' || region === undefined || region === '') return kmsValidation('NotFoundException', `Invalid arn ${keyId}`);
      if (region !== kms.region) return kmsValidation('NotFoundException', `Invalid arn ${region}`);
      if (account !== kms.accountId) {
        return errorResponse(
          'AccessDeniedException',
          `KMS key access denied error: com.amazonaws.services.kms.model.AWSKMSException: ${kmsText(
            'AccessDeniedException',
            `User: arn:aws:sts::${kms.accountId}:assumed-role/local is not authorized to perform: kms:DescribeKey on this resource because the resource does not exist in this Region, no resource-based policies allow access, or a role that you assumed does not allow it`,
          )}`,
        );
      }
    }
    const info: LocalKmsKeyInfo | undefined = kms.describeKey(keyId);
    if (info === undefined) {
      const alias = keyId.startsWith('alias/') ? keyId : keyId.includes(':alias/') ? keyId.slice(keyId.indexOf('alias/')) : undefined;
      if (alias !== undefined) return kmsValidation('NotFoundException', `Alias ${this.#aliasArnPrefix(kms)}${alias} is not found.`);
      const arn = keyId.startsWith('arn:') ? keyId : `${this.#aliasArnPrefix(kms)}key/${keyId}`;
      return kmsValidation('NotFoundException', `Key '${arn}' does not exist`);
    }
    if (info.keyManager === 'AWS') {
      if (info.aliases.includes(AWS_MANAGED_ALIAS)) return { type: 'aws-managed', keyArn: info.arn };
      return errorResponse(
        'AccessDeniedException',
        `KMS key access denied error: com.amazonaws.services.kms.model.AWSKMSException: ${kmsText(
          'AccessDeniedException',
          `User: arn:aws:sts::${kms.accountId}:assumed-role/local is not authorized to perform: kms:CreateGrant on resource: ${info.arn} because no resource-based policy allows the kms:CreateGrant action`,
        )}`,
      );
    }
    if (info.keyState === 'Disabled') {
      return validation(`KMS key disabled error: com.amazonaws.services.kms.model.DisabledException: ${kmsText('DisabledException', `${info.arn} is disabled.`)}`);
    }
    if (info.keyState === 'PendingDeletion') return kmsValidation('KMSInvalidStateException', `${info.arn} is pending deletion.`);
    if (info.keySpec !== 'SYMMETRIC_DEFAULT' || info.keyUsage !== 'ENCRYPT_DECRYPT') {
      return errorResponse(
        'InternalServerError',
        `KMS internal error: com.amazonaws.services.kms.model.AWSKMSException: EncryptionContext is supported only when creating a grant for a symmetric encryption KMS key. (Service: AWSKMS; Status Code: 400; Error Code: ValidationException; Request ID: ${randomUUID()}; Proxy: null)`,
        500,
      );
    }
    return { type: 'customer-managed', keyArn: info.arn };
  }

  /** The table description as DynamoDB would give it: SSEDescription, inaccessible / archived status. */
  #patch(description: unknown, view: 'current' | 'updating' = 'current'): unknown {
    if (!isRecord(description) || typeof description['TableName'] !== 'string') return description;
    const meta = this.#tables.get(description['TableName']);
    const out: Json = { ...description };
    delete out['SSEDescription'];
    if (meta === undefined) return out;
    const now = this.#now();
    const pending = meta.pending !== undefined && now < meta.pending.until ? meta.pending : undefined;
    const kmsView = (sse: Sse, status: string): Json => (sse.type === 'owned' ? { Status: status } : { Status: status, SSEType: 'KMS', KMSMasterKeyArn: sse.keyArn });
    if (view === 'updating') out['SSEDescription'] = kmsView(meta.pending?.previous ?? meta.sse, 'UPDATING');
    else if (pending !== undefined) out['SSEDescription'] = kmsView(pending.previous, 'UPDATING');
    else if (meta.sse.type !== 'owned') {
      out['SSEDescription'] = {
        ...kmsView(meta.sse, 'ENABLED'),
        ...(meta.inaccessibleSince === undefined ? {} : { InaccessibleEncryptionDateTime: meta.inaccessibleSince / 1000 }),
      };
    }
    if (meta.archived !== undefined) {
      out['TableStatus'] = 'ARCHIVED';
      out['ArchivalSummary'] = {
        ArchivalDateTime: meta.archived.at / 1000,
        ArchivalReason: 'INACCESSIBLE_ENCRYPTION_CREDENTIALS',
        ...(meta.archived.backupArn === '' ? {} : { ArchivalBackupArn: meta.archived.backupArn }),
      };
    } else if (meta.inaccessibleSince !== undefined && out['TableStatus'] === 'ACTIVE') {
      out['TableStatus'] = 'INACCESSIBLE_ENCRYPTION_CREDENTIALS';
    }
    return out;
  }

  // ---- table operations ----------------------------------------------------------------------

  async #createTable(request: FrontRequest, context: FrontContext): Promise<FrontResponse> {
    const input = request.json();
    if (!isRecord(input)) return context.forward(request);
    const requested = this.#requested(input['SSESpecification'], undefined);
    if (!('type' in requested)) return requested;
    const { SSESpecification: _ignored, ...rest } = input;
    const reply = await context.call('CreateTable', rest);
    if (reply.errorType !== undefined) return jsonResponse(reply.status, reply.body);
    const name = typeof input['TableName'] === 'string' ? input['TableName'] : '';
    this.#tables.set(name, { sse: requested });
    this.#save();
    return jsonResponse(reply.status, { ...reply.body, TableDescription: this.#patch(reply.body['TableDescription']) });
  }

  async #describeTable(request: FrontRequest, context: FrontContext): Promise<FrontResponse> {
    const reply = await context.call('DescribeTable', request.json() ?? {});
    if (reply.errorType !== undefined) return jsonResponse(reply.status, reply.body);
    return jsonResponse(reply.status, { ...reply.body, Table: this.#patch(reply.body['Table']) });
  }

  async #updateTable(request: FrontRequest, context: FrontContext, base: FrontHandler | undefined): Promise<FrontResponse> {
    const input = request.json();
    const passOn = async (): Promise<FrontResponse> => {
      const response = base ? await base(request, context) : await context.forward(request);
      return this.#patchResponse(response, 'TableDescription');
    };
    if (!isRecord(input) || input['SSESpecification'] === undefined) return passOn();
    const others = Object.keys(input).filter((key) => key !== 'TableName' && key !== 'SSESpecification' && input[key] !== undefined);
    if (others.length > 0) return invalidParameter(`Server-Side Encryption modification must be the only operation in the request (also given: ${others.join(', ')})`);
    const described = await context.call('DescribeTable', { TableName: input['TableName'] });
    if (described.errorType !== undefined) return jsonResponse(described.status, described.body);
    const table = described.body['Table'] as Json;
    const name = String(table['TableName']);
    const meta = this.#tables.get(name) ?? { sse: { type: 'owned' } };
    const now = this.#now();
    if (meta.pending !== undefined && now < meta.pending.until) {
      return errorResponse('ResourceInUseException', `Attempt to change a resource which is still in use: Table: ${name} is in the process of being updated.`);
    }
    const refused = this.#refusal(name);
    if (refused) return refused;
    const requested = this.#requested(input['SSESpecification'], meta.sse);
    if (!('type' in requested)) return requested;
    if (requested.type === 'owned' && meta.sse.type === 'owned') return invalidParameter('Table is already encrypted by default');
    const previous = meta.sse;
    const next: TableMeta = { sse: requested, pending: { previous, until: now + this.#transitionMs } };
    this.#tables.set(name, next);
    this.#save();
    return jsonResponse(200, { TableDescription: this.#patch(table, 'updating') });
  }

  async #deleteTable(request: FrontRequest, context: FrontContext, base: FrontHandler | undefined): Promise<FrontResponse> {
    const input = request.json();
    const name = isRecord(input) ? tableNameOf(input['TableName']) : undefined;
    const meta = name === undefined ? undefined : this.#tables.get(name);
    if (name !== undefined && meta?.pending !== undefined && this.#now() < meta.pending.until) {
      return errorResponse('ResourceInUseException', `Attempt to change a resource which is still in use: Table: ${name} is in the process of being updated.`);
    }
    const response = this.#patchResponse(base ? await base(request, context) : await context.forward(request), 'TableDescription');
    if (name !== undefined && response.status === 200 && this.#tables.delete(name)) this.#save();
    return response;
  }

  /** Adds the SSE view to a table description inside a JSON answer. */
  #patchResponse(response: FrontResponse, member: string): FrontResponse {
    if (response.status !== 200) return response;
    let body: unknown;
    try {
      body = JSON.parse(response.body.toString());
    } catch {
      return response;
    }
    if (!isRecord(body) || body[member] === undefined) return response;
    return { ...response, body: JSON.stringify({ ...body, [member]: this.#patch(body[member]) }) };
  }

  // ---- backups -------------------------------------------------------------------------------

  /** Copies every item of a table into a new backup; undefined when the table cannot be read. */
  async #backup(context: FrontContext, table: string, name: string, type: 'USER' | 'SYSTEM', at: number): Promise<BackupRecord | undefined> {
    const described = await context.call('DescribeTable', { TableName: table });
    if (described.errorType !== undefined) return undefined;
    const description = this.#patch(described.body['Table']) as Json;
    const items: unknown[] = [];
    let start: unknown;
    do {
      const page = await context.call('Scan', { TableName: table, ...(start === undefined ? {} : { ExclusiveStartKey: start }) });
      if (page.errorType !== undefined) return undefined;
      items.push(...((page.body['Items'] as unknown[] | undefined) ?? []));
      start = page.body['LastEvaluatedKey'];
    } while (start !== undefined);
    const tableArn = typeof description['TableArn'] === 'string' ? description['TableArn'] : `arn:aws:dynamodb:us-east-1:000000000000:table/${table}`;
    const record: BackupRecord = {
      arn: `${tableArn}/backup/${String(at).padStart(14, '0')}-${randomBytes(4).toString('hex')}`,
      name,
      type,
      createdAt: at,
      sizeBytes: Buffer.byteLength(JSON.stringify(items)),
      itemCount: items.length,
      tableName: table,
      tableArn,
      tableId: typeof description['TableId'] === 'string' ? description['TableId'] : '',
      table: description,
    };
    this.#backups.push(record);
    this.#storeItems(record.arn, items);
    this.#save();
    return record;
  }

  async #createBackup(request: FrontRequest, context: FrontContext): Promise<FrontResponse> {
    const input = request.json();
    const table = isRecord(input) ? tableNameOf(input['TableName']) : undefined;
    const name = isRecord(input) ? input['BackupName'] : undefined;
    if (table === undefined || table === '') return validation("1 validation error detected: Value null at 'tableName' failed to satisfy constraint: Member must not be null");
    if (typeof name !== 'string' || !/^[a-zA-Z0-9_.-]{3,255}$/.test(name)) {
      return validation(
        `1 validation error detected: Value '${show(name)}' at 'backupName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+ and have length between 3 and 255`,
      );
    }
    const described = await context.call('DescribeTable', { TableName: table });
    if (described.errorType === 'ResourceNotFoundException') return errorResponse('TableNotFoundException', `Table not found: ${table}`);
    if (described.errorType !== undefined) return jsonResponse(described.status, described.body);
    const refused = this.#refusal(table);
    if (refused) return refused;
    const record = await this.#exclusive(() => this.#backup(context, table, name, 'USER', this.#now()));
    if (record === undefined) return errorResponse('InternalServerError', `The backup of ${table} could not be made`, 500);
    return jsonResponse(200, { BackupDetails: backupDetails(record) });
  }

  #listBackups(request: FrontRequest): FrontResponse {
    const input = request.json();
    const query = isRecord(input) ? input : {};
    const type = query['BackupType'] ?? 'USER';
    if (typeof type !== 'string' || !['USER', 'SYSTEM', 'AWS_BACKUP', 'ALL'].includes(type)) {
      return validation(`1 validation error detected: Value '${show(type)}' at 'backupType' failed to satisfy constraint: Member must satisfy enum value set: [USER, SYSTEM, AWS_BACKUP, ALL]`);
    }
    const limit = query['Limit'];
    if (limit !== undefined && !(typeof limit === 'number' && Number.isInteger(limit) && limit >= 1 && limit <= 100)) {
      return validation(`1 validation error detected: Value '${show(limit)}' at 'limit' failed to satisfy constraint: Member must have value between 1 and 100`);
    }
    const table = tableNameOf(query['TableName']);
    const lower = typeof query['TimeRangeLowerBound'] === 'number' ? query['TimeRangeLowerBound'] * 1000 : -Infinity;
    const upper = typeof query['TimeRangeUpperBound'] === 'number' ? query['TimeRangeUpperBound'] * 1000 : Infinity;
    let matching = this.#backups
      .filter((b) => (type === 'ALL' || b.type === type) && (table === undefined || b.tableName === table) && b.createdAt >= lower && b.createdAt < upper)
      .sort((a, b) => a.createdAt - b.createdAt || (a.arn < b.arn ? -1 : 1));
    const start = query['ExclusiveStartBackupArn'];
    if (typeof start === 'string') {
      const at = matching.findIndex((b) => b.arn === start);
      matching = at < 0 ? [] : matching.slice(at + 1);
    }
    const page = typeof limit === 'number' ? matching.slice(0, limit) : matching;
    const more = page.length < matching.length;
    return jsonResponse(200, {
      BackupSummaries: page.map((b) => ({
        TableName: b.tableName,
        TableId: b.tableId,
        TableArn: b.tableArn,
        BackupArn: b.arn,
        BackupName: b.name,
        BackupCreationDateTime: b.createdAt / 1000,
        BackupStatus: 'AVAILABLE',
        BackupType: b.type,
        BackupSizeBytes: b.sizeBytes,
      })),
      ...(more ? { LastEvaluatedBackupArn: page[page.length - 1]?.arn } : {}),
    });
  }

  #describeBackup(request: FrontRequest): FrontResponse {
    const record = this.#findBackup(request);
    if ('status' in record) return record;
    return jsonResponse(200, { BackupDescription: backupDescription(record, 'AVAILABLE') });
  }

  #deleteBackup(request: FrontRequest): FrontResponse {
    const record = this.#findBackup(request);
    if ('status' in record) return record;
    this.#backups.splice(this.#backups.indexOf(record), 1);
    this.#backupItems.delete(record.arn);
    if (this.#backupDir !== undefined) rmSync(this.#itemsFile(record.arn), { force: true });
    this.#save();
    return jsonResponse(200, { BackupDescription: backupDescription(record, 'DELETED') });
  }

  #findBackup(request: FrontRequest): BackupRecord | FrontResponse {
    const input = request.json();
    const arn = isRecord(input) ? input['BackupArn'] : undefined;
    if (typeof arn !== 'string' || arn.length < 37) {
      return validation(`1 validation error detected: Value '${show(arn)}' at 'backupArn' failed to satisfy constraint: Member must have length greater than or equal to 37`);
    }
    return this.#backups.find((b) => b.arn === arn) ?? errorResponse('BackupNotFoundException', `Backup not found: ${arn}`);
  }

  /** The items of a backup (for tests and tools). */
  backupItems(backupArn: string): unknown[] | undefined {
    const inMemory = this.#backupItems.get(backupArn);
    if (inMemory !== undefined || this.#backupDir === undefined) return inMemory;
    try {
      return JSON.parse(readFileSync(this.#itemsFile(backupArn), 'utf8')) as unknown[];
    } catch {
      return undefined;
    }
  }

  #itemsFile(arn: string): string {
    return join(this.#backupDir ?? '', `${arn.slice(arn.lastIndexOf('/') + 1)}.json`);
  }

  #storeItems(arn: string, items: unknown[]): void {
    if (this.#backupDir === undefined) {
      this.#backupItems.set(arn, items);
      return;
    }
    mkdirSync(this.#backupDir, { recursive: true });
    writeFileAtomic(this.#itemsFile(arn), JSON.stringify(items));
  }

  // ---- persistence ---------------------------------------------------------------------------

  #save(): void {
    if (this.#file === undefined) return;
    const doc: Persisted = { format: FORMAT, version: 1, tables: Object.fromEntries(this.#tables), backups: this.#backups };
    writeFileAtomic(this.#file, `${JSON.stringify(doc, null, 2)}\n`);
  }

  #load(file: string): void {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw unusable(file, `it cannot be read (${(error as Error).message})`);
    }
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (error) {
      throw unusable(file, `it is not valid JSON (${(error as Error).message})`);
    }
    if (!isRecord(doc) || doc['format'] !== FORMAT || doc['version'] !== 1 || !isRecord(doc['tables']) || !Array.isArray(doc['backups'])) {
      throw unusable(file, `it is not a ${FORMAT} version 1 document`);
    }
    for (const [name, meta] of Object.entries(doc['tables'])) {
      const sse = isRecord(meta) ? meta['sse'] : undefined;
      const type = isRecord(sse) ? sse['type'] : undefined;
      if (type !== 'owned' && !((type === 'aws-managed' || type === 'customer-managed') && isRecord(sse) && typeof sse['keyArn'] === 'string')) {
        throw unusable(file, `tables.${name}.sse is not a valid encryption`);
      }
      this.#tables.set(name, meta as TableMeta);
    }
    for (const backup of doc['backups'] as unknown[]) {
      if (!isRecord(backup) || typeof backup['arn'] !== 'string' || typeof backup['createdAt'] !== 'number') throw unusable(file, 'a backup entry is malformed');
      this.#backups.push(backup as unknown as BackupRecord);
    }
  }
}

function unusable(file: string, reason: string): Error {
  return new Error(`local DynamoDB: the encryption-at-rest state file ${file} is unusable: ${reason}. It was left untouched; repair or remove it, or use another dataDir.`);
}

function backupDetails(record: BackupRecord, status = 'AVAILABLE'): Json {
  return {
    BackupArn: record.arn,
    BackupName: record.name,
    BackupSizeBytes: record.sizeBytes,
    BackupStatus: status,
    BackupType: record.type,
    BackupCreationDateTime: record.createdAt / 1000,
  };
}

function backupDescription(record: BackupRecord, status: string): Json {
  const t = record.table;
  const billing = isRecord(t['BillingModeSummary']) ? t['BillingModeSummary']['BillingMode'] : undefined;
  const throughput = isRecord(t['ProvisionedThroughput'])
    ? { ReadCapacityUnits: t['ProvisionedThroughput']['ReadCapacityUnits'], WriteCapacityUnits: t['ProvisionedThroughput']['WriteCapacityUnits'] }
    : { ReadCapacityUnits: 0, WriteCapacityUnits: 0 };
  return {
    BackupDetails: backupDetails(record, status),
    SourceTableDetails: {
      TableName: record.tableName,
      TableId: record.tableId,
      TableArn: record.tableArn,
      TableSizeBytes: record.sizeBytes,
      KeySchema: t['KeySchema'],
      TableCreationDateTime: t['CreationDateTime'],
      ProvisionedThroughput: throughput,
      ItemCount: record.itemCount,
      BillingMode: billing ?? 'PROVISIONED',
    },
    SourceTableFeatureDetails: {
      ...(t['LocalSecondaryIndexes'] === undefined ? {} : { LocalSecondaryIndexes: t['LocalSecondaryIndexes'] }),
      ...(t['GlobalSecondaryIndexes'] === undefined ? {} : { GlobalSecondaryIndexes: t['GlobalSecondaryIndexes'] }),
      ...(t['StreamSpecification'] === undefined ? {} : { StreamDescription: t['StreamSpecification'] }),
      ...(t['SSEDescription'] === undefined ? {} : { SSEDescription: t['SSEDescription'] }),
    },
  };
}

