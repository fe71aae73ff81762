import { UpdateTableCommand, type SSESpecification } from '@aws-sdk/client-dynamodb';
import { DescribeKeyCommand, type KeyMetadata } from '@aws-sdk/client-kms';
import { DdbecError } from '../errors.js';
import { describeError, describeTable, encryptionOf, errorName, requestFailed, type AtRestClients, type TableEncryption } from './describe.js';

/** The encryption a table should have. `keyId`: key id, key ARN, alias name (`alias/…`) or alias ARN. */
export type EncryptionTarget =
  | { readonly type: 'owned' }
  | { readonly type: 'aws-managed' }
  | { readonly type: 'customer-managed'; readonly keyId: string };

export interface SetTableEncryptionOptions {
  /** Wait until DynamoDB has applied the change (default true); false returns right after UpdateTable. */
  readonly wait?: boolean;
  /** How often DescribeTable is polled while waiting, in ms (default 2000). */
  readonly pollIntervalMs?: number;
  /** How long to wait at most, in ms (default 600000, 10 minutes); then `ERR_AT_REST_TIMEOUT`. */
  readonly timeoutMs?: number;
  /** Stops waiting (the change itself, once sent, goes on). */
  readonly signal?: AbortSignal;
}

export interface SetTableEncryptionResult {
  /** False when the table already had the requested encryption (no UpdateTable was sent). */
  readonly changed: boolean;
  readonly before: TableEncryption;
  /** The state once applied (or right after UpdateTable with `wait: false`). */
  readonly after: TableEncryption;
}

/**
 * Switches the key a table is encrypted at rest with — AWS owned, AWS managed (`alias/aws/dynamodb`)
 * or a customer managed key — and waits until DynamoDB has applied it.
 *
 * Before touching the table it checks that the switch is safe: a customer managed key must exist,
 * be enabled, be a symmetric ENCRYPT_DECRYPT key and be in the table's region (an ARN of another
 * region is refused without a KMS call); otherwise `ERR_AT_REST_KEY_UNUSABLE`. A table that is
 * inaccessible or archived is refused with `ERR_AT_REST_TABLE_INACCESSIBLE`. Idempotent: when the
 * table already has the requested encryption nothing is sent (`changed: false`). An encryption
 * change already in progress is waited for first.
 */
export async function setTableEncryption(
  clients: AtRestClients,
  table: string,
  target: EncryptionTarget,
  options: SetTableEncryptionOptions = {},
): Promise<SetTableEncryptionResult> {
  checkArguments(table, target, options);
  const intervalMs = options.pollIntervalMs ?? 2000;
  const deadline = Date.now() + (options.timeoutMs ?? 600_000);
  let before = await encryptionOf(clients, await describeTable(clients.dynamodb, table), new Map());
  if (before.sseStatus === 'UPDATING' && !before.inaccessible) {
    before = await waitFor(clients, table, (state) => state.sseStatus !== 'UPDATING', { intervalMs, deadline, signal: options.signal, what: 'the encryption change in progress' });
  }
  if (before.archived) {
    throw new DdbecError(
      'ERR_AT_REST_TABLE_INACCESSIBLE',
      `table "${table}" is archived (its KMS key was inaccessible for more than 7 days)${before.archival?.backupArn === undefined ? '' : `; restore it from the backup ${before.archival.backupArn}`}`,
    );
  }

  const region = before.region;
  let keyArn: string | undefined;
  if (target.type === 'customer-managed') keyArn = await usableKey(clients, target.keyId, region);
  if (sameEncryption(before, target, keyArn)) return { changed: false, before, after: before };
  if (before.inaccessible) {
    throw new DdbecError(
      'ERR_AT_REST_TABLE_INACCESSIBLE',
      `table "${table}" is inaccessible: its KMS key ${before.keyArn ?? ''} is ${before.key?.state ?? 'unusable'}; ` +
        'DynamoDB refuses encryption changes until the key is enabled again (EnableKey, or CancelKeyDeletion then EnableKey)',
    );
  }

  const specification: SSESpecification =
    target.type === 'owned' ? { Enabled: false } : target.type === 'aws-managed' ? { Enabled: true, SSEType: 'KMS' } : { Enabled: true, SSEType: 'KMS', KMSMasterKeyId: keyArn };
  try {
    await clients.dynamodb.send(new UpdateTableCommand({ TableName: table, SSESpecification: specification }));
  } catch (error) {
    if (errorName(error) === 'ResourceNotFoundException') throw new DdbecError('ERR_TABLE_NOT_FOUND', `table "${table}" does not exist`, { cause: error });
    if (errorName(error) === 'ValidationException' && /\bKMS\b/.test(describeError(error))) {
      throw new DdbecError('ERR_AT_REST_KEY_UNUSABLE', `DynamoDB refused the key for table "${table}": ${describeError(error)}`, { cause: error });
    }
    throw requestFailed(`UpdateTable ${table}`, error);
  }
  if (options.wait === false) {
    return { changed: true, before, after: await encryptionOf(clients, await describeTable(clients.dynamodb, table), new Map()) };
  }
  const after = await waitFor(clients, table, (state) => state.sseStatus !== 'UPDATING' && sameEncryption(state, target, keyArn), {
    intervalMs,
    deadline,
    signal: options.signal,
    what: `the switch of table "${table}" to ${describeTarget(target)}`,
  });
  return { changed: true, before, after };
}

function checkArguments(table: string, target: EncryptionTarget, options: SetTableEncryptionOptions): void {
  if (typeof table !== 'string' || table === '') throw new DdbecError('ERR_INVALID_ARGUMENT', 'setTableEncryption needs a table name');
  const type = (target as { type?: unknown } | undefined)?.type;
  if (type !== 'owned' && type !== 'aws-managed' && type !== 'customer-managed') {
    throw new DdbecError('ERR_INVALID_ARGUMENT', "the target must be { type: 'owned' }, { type: 'aws-managed' } or { type: 'customer-managed', keyId }");
  }
  if (type === 'customer-managed') {
    const keyId = (target as { keyId?: unknown }).keyId;
    if (typeof keyId !== 'string' || keyId.trim() === '') throw new DdbecError('ERR_INVALID_ARGUMENT', 'a customer-managed target needs a keyId (key id, key ARN, alias name or alias ARN)');
  }
  for (const name of ['pollIntervalMs', 'timeoutMs'] as const) {
    const value = options[name];
    if (value !== undefined && !(Number.isFinite(value) && value >= 0)) throw new DdbecError('ERR_INVALID_ARGUMENT', `${name} must be a number >= 0`);
  }
}

function describeTarget(target: EncryptionTarget): string {
  return target.type === 'customer-managed' ? `the customer managed key ${target.keyId}` : target.type === 'owned' ? 'the AWS owned key' : 'the AWS managed key';
}

function sameEncryption(state: TableEncryption, target: EncryptionTarget, keyArn: string | undefined): boolean {
  if (target.type === 'owned') return state.keyType === 'owned' && state.sseStatus === undefined;
  if (state.sseStatus !== 'ENABLED') return false;
  if (target.type === 'aws-managed') return state.keyType === 'aws-managed';
  return state.keyType === 'customer-managed' && state.keyArn === keyArn;
}

/** The ARN of a customer managed key fit for a table of `region`; else ERR_AT_REST_KEY_UNUSABLE. */
async function usableKey(clients: AtRestClients, keyId: string, region: string | undefined): Promise<string> {
  const unusable = (why: string, cause?: unknown): DdbecError =>
    new DdbecError('ERR_AT_REST_KEY_UNUSABLE', `the KMS key ${keyId} cannot encrypt the table: ${why}`, cause === undefined ? undefined : { cause });
  const given = arnRegion(keyId);
  if (given !== undefined && region !== undefined && given !== region) {
    throw unusable(`it is in region ${given} and the table in ${region}; DynamoDB only uses keys of the table's region`);
  }
  let metadata: KeyMetadata | undefined;
  try {
    ({ KeyMetadata: metadata } = await clients.kms.send(new DescribeKeyCommand({ KeyId: keyId })));
  } catch (error) {
    const name = errorName(error);
    if (name === 'NotFoundException') throw unusable('KMS does not know it (DescribeKey: NotFoundException)', error);
    if (name === 'AccessDeniedException' || name === 'InvalidArnException' || name === 'ValidationException') {
      throw unusable(`KMS refused DescribeKey (${describeError(error)})`, error);
    }
    throw requestFailed(`DescribeKey ${keyId}`, error);
  }
  if (metadata?.Arn === undefined) throw unusable('DescribeKey answered without the key ARN');
  const actual = arnRegion(metadata.Arn);
  if (actual !== undefined && region !== undefined && actual !== region) {
    throw unusable(`it is in region ${actual} and the table in ${region}; DynamoDB only uses keys of the table's region`);
  }
  if (metadata.KeyManager === 'AWS') {
    throw unusable("it is an AWS managed key; for alias/aws/dynamodb use { type: 'aws-managed' }, other services' AWS managed keys cannot be used");
  }
  if (metadata.KeyState !== 'Enabled') {
    const state = metadata.KeyState ?? 'not enabled';
    const when = metadata.KeyState === 'PendingDeletion' && metadata.DeletionDate !== undefined ? ` (deletion on ${metadata.DeletionDate.toISOString()})` : '';
    throw unusable(`it is ${state}${when}; a table encrypted with it would be inaccessible`);
  }
  if (metadata.KeySpec !== 'SYMMETRIC_DEFAULT' || metadata.KeyUsage !== 'ENCRYPT_DECRYPT') {
    throw unusable(
      `it is a ${metadata.KeySpec ?? '?'} key for ${metadata.KeyUsage ?? '?'}; DynamoDB needs a symmetric encryption key (SYMMETRIC_DEFAULT, ENCRYPT_DECRYPT)`,
    );
  }
  return metadata.Arn;
}

function arnRegion(ref: string): string | undefined {
  if (!ref.startsWith('arn:')) return undefined;
  const region = ref.split(':')[3];
  return region === undefined || region === '' ? undefined : region;
}

async function waitFor(
  clients: AtRestClients,
  table: string,
  done: (state: TableEncryption) => boolean,
  options: { intervalMs: number; deadline: number; signal: AbortSignal | undefined; what: string },
): Promise<TableEncryption> {
  for (;;) {
    const state = await encryptionOf(clients, await describeTable(clients.dynamodb, table), new Map());
    if (done(state)) return state;
    if (Date.now() + options.intervalMs > options.deadline) {
      throw new DdbecError('ERR_AT_REST_TIMEOUT', `${options.what} did not finish in time (SSE status ${state.sseStatus ?? 'none'}, table ${state.tableStatus}); it may still finish later`);
    }
    await sleep(options.intervalMs, options.signal);
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(signal.reason as Error);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
