import { DescribeTableCommand, type DynamoDBClient, type TableDescription } from '@aws-sdk/client-dynamodb';
import { DescribeKeyCommand, GetKeyRotationStatusCommand, type KMSClient } from '@aws-sdk/client-kms';
import { DdbecError } from '../errors.js';

/**
 * The three kinds of key DynamoDB encrypts a table at rest with:
 * - `owned`: an AWS owned key (the default; not in your account, no KMS charges, nothing to manage);
 * - `aws-managed`: the AWS managed key `alias/aws/dynamodb` in your account (KMS request charges);
 * - `customer-managed`: a KMS key you create and control (monthly key fee plus request charges;
 *   disabling or deleting it makes the table inaccessible).
 */
export type TableKeyType = 'owned' | 'aws-managed' | 'customer-managed';

/** The SDK clients the at-rest functions work with: one region's DynamoDB and KMS. */
export interface AtRestClients {
  readonly dynamodb: DynamoDBClient;
  readonly kms: KMSClient;
}

/** DynamoDB archives a table whose KMS key stayed inaccessible this long after it noticed (7 days). */
export const ARCHIVE_AFTER_MS = 7 * 24 * 60 * 60 * 1000;

/** What KMS says about a table's key. */
export interface TableKeyInfo {
  readonly arn: string;
  readonly keyId?: string;
  /**
   * The KMS key state: `Enabled`, `Disabled`, `PendingDeletion`, … as KMS reports it;
   * `NotFound` when KMS does not know the key (deleted, or another account's); `Unknown` when
   * it could not be read (see `error`).
   */
  readonly state: string;
  /** `AWS` for the AWS managed key, `CUSTOMER` for a customer managed key; undefined when unreadable. */
  readonly manager?: 'AWS' | 'CUSTOMER';
  readonly keySpec?: string;
  readonly keyUsage?: string;
  /** When a key in `PendingDeletion` will be deleted. */
  readonly deletionDate?: Date;
  /**
   * Automatic rotation: as GetKeyRotationStatus says for a customer managed key; always true for
   * the AWS managed key (AWS rotates it every year); undefined when it could not be read.
   */
  readonly rotationEnabled?: boolean;
  /** Why DescribeKey or GetKeyRotationStatus failed (`AccessDeniedException: …`), when one did. */
  readonly error?: string;
}

/** A table's encryption at rest, as DynamoDB and KMS describe it. */
export interface TableEncryption {
  readonly table: string;
  readonly tableArn?: string;
  /** The table's region (from its ARN). */
  readonly region?: string;
  /** DynamoDB's TableStatus: ACTIVE, UPDATING, INACCESSIBLE_ENCRYPTION_CREDENTIALS, ARCHIVING, ARCHIVED, … */
  readonly tableStatus: string;
  readonly keyType: TableKeyType;
  /** The KMS key (absent for the AWS owned key). */
  readonly keyArn?: string;
  /** SSEDescription.Status (ENABLED, UPDATING, …); absent for the AWS owned key, which has no SSEDescription. */
  readonly sseStatus?: string;
  /** KMS's view of `keyArn`. */
  readonly key?: TableKeyInfo;
  /** True while DynamoDB cannot use the table's key (INACCESSIBLE_ENCRYPTION_CREDENTIALS) and once archived. */
  readonly inaccessible: boolean;
  /** When DynamoDB noticed that the key is inaccessible (SSEDescription.InaccessibleEncryptionDateTime). */
  readonly inaccessibleSince?: Date;
  /** When DynamoDB will archive the table if the key stays inaccessible: `inaccessibleSince` + 7 days. */
  readonly archiveAt?: Date;
  /** True once DynamoDB archived the table (ARCHIVING / ARCHIVED): restore it from `archival.backupArn`. */
  readonly archived: boolean;
  readonly archival?: { readonly at?: Date; readonly reason?: string; readonly backupArn?: string };
}

/** Key lookups shared by the tables of one audit (many tables share a key). */
export type KeyCache = Map<string, Promise<TableKeyInfo>>;

/**
 * How a table is encrypted at rest: the key type, key ARN and SSE status from DescribeTable, and
 * for KMS keys the key's state, deletion date and rotation from KMS, whether the table is
 * inaccessible (since when, archived when) or archived. Rejects with `ERR_TABLE_NOT_FOUND` when the
 * table does not exist, `ERR_AT_REST_REQUEST_FAILED` when DynamoDB fails; KMS failures are reported
 * in `key.error`, never thrown (the table's own state is still worth knowing).
 */
export async function describeTableEncryption(clients: AtRestClients, table: string): Promise<TableEncryption> {
  if (typeof table !== 'string' || table === '') throw new DdbecError('ERR_INVALID_ARGUMENT', 'describeTableEncryption needs a table name');
  return encryptionOf(clients, await describeTable(clients.dynamodb, table), new Map());
}

/** DescribeTable with the errors mapped. */
export async function describeTable(dynamodb: DynamoDBClient, table: string): Promise<TableDescription> {
  try {
    const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: table }));
    if (Table === undefined) throw new Error('DescribeTable answered without a Table');
    return Table;
  } catch (error) {
    if (errorName(error) === 'ResourceNotFoundException') {
      throw new DdbecError('ERR_TABLE_NOT_FOUND', `table "${table}" does not exist`, { cause: error });
    }
    throw requestFailed(`DescribeTable ${table}`, error);
  }
}

/** The encryption view of a table description. */
export async function encryptionOf(clients: AtRestClients, description: TableDescription, keys: KeyCache): Promise<TableEncryption> {
  const table = description.TableName ?? '';
  const sse = description.SSEDescription;
  const tableStatus = description.TableStatus ?? 'UNKNOWN';
  const sseStatus = sse?.Status;
  const keyArn = sse?.KMSMasterKeyArn;
  const owned = sse === undefined || keyArn === undefined || sseStatus === 'DISABLED';
  const key = owned ? undefined : await cachedKeyInfo(clients.kms, keyArn, keys);
  const archival = description.ArchivalSummary;
  const archived = tableStatus === 'ARCHIVED' || tableStatus === 'ARCHIVING' || archival !== undefined;
  const inaccessibleSince = sse?.InaccessibleEncryptionDateTime;
  const inaccessible = archived || tableStatus === 'INACCESSIBLE_ENCRYPTION_CREDENTIALS' || inaccessibleSince !== undefined;
  const region = description.TableArn?.split(':')[3];
  return {
    table,
    ...(description.TableArn === undefined ? {} : { tableArn: description.TableArn }),
    ...(region === undefined || region === '' ? {} : { region }),
    tableStatus,
    keyType: owned ? 'owned' : key?.manager === 'AWS' ? 'aws-managed' : 'customer-managed',
    ...(owned ? {} : { keyArn }),
    ...(sseStatus === undefined ? {} : { sseStatus }),
    ...(key === undefined ? {} : { key }),
    inaccessible,
    ...(inaccessibleSince === undefined ? {} : { inaccessibleSince }),
    ...(inaccessibleSince === undefined || archived ? {} : { archiveAt: new Date(inaccessibleSince.getTime() + ARCHIVE_AFTER_MS) }),
    archived,
    ...(archival === undefined
      ? {}
      : {
          archival: {
            ...(archival.ArchivalDateTime === undefined ? {} : { at: archival.ArchivalDateTime }),
            ...(archival.ArchivalReason === undefined ? {} : { reason: archival.ArchivalReason }),
            ...(archival.ArchivalBackupArn === undefined ? {} : { backupArn: archival.ArchivalBackupArn }),
          },
        }),
  };
}

function cachedKeyInfo(kms: KMSClient, arn: string, keys: KeyCache): Promise<TableKeyInfo> {
  let info = keys.get(arn);
  if (info === undefined) {
    info = keyInfo(kms, arn);
    keys.set(arn, info);
  }
  return info;
}

/** DescribeKey (+ GetKeyRotationStatus for customer keys); failures become `state`/`error`, never a rejection. */
export async function keyInfo(kms: KMSClient, arn: string): Promise<TableKeyInfo> {
  let metadata;
  try {
    ({ KeyMetadata: metadata } = await kms.send(new DescribeKeyCommand({ KeyId: arn })));
  } catch (error) {
    const name = errorName(error);
    return { arn, state: name === 'NotFoundException' ? 'NotFound' : 'Unknown', error: describeError(error) };
  }
  if (metadata === undefined) return { arn, state: 'Unknown', error: 'DescribeKey answered without KeyMetadata' };
  const manager = metadata.KeyManager === 'AWS' || metadata.KeyManager === 'CUSTOMER' ? metadata.KeyManager : undefined;
  const base = {
    arn: metadata.Arn ?? arn,
    ...(metadata.KeyId === undefined ? {} : { keyId: metadata.KeyId }),
    state: metadata.KeyState ?? (metadata.Enabled === true ? 'Enabled' : 'Unknown'),
    ...(manager === undefined ? {} : { manager }),
    ...(metadata.KeySpec === undefined ? {} : { keySpec: metadata.KeySpec }),
    ...(metadata.KeyUsage === undefined ? {} : { keyUsage: metadata.KeyUsage }),
    ...(metadata.DeletionDate === undefined ? {} : { deletionDate: metadata.DeletionDate }),
  };
  if (manager === 'AWS') return { ...base, rotationEnabled: true };
  try {
    const { KeyRotationEnabled } = await kms.send(new GetKeyRotationStatusCommand({ KeyId: base.arn }));
    return KeyRotationEnabled === undefined ? base : { ...base, rotationEnabled: KeyRotationEnabled };
  } catch (error) {
    return { ...base, error: describeError(error) };
  }
}

// ---- errors ----------------------------------------------------------------------------------

export function errorName(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}

export function describeError(error: unknown): string {
  if (error instanceof Error) return error.name === 'Error' || error.message.startsWith(error.name) ? error.message : `${error.name}: ${error.message}`;
  return String(error);
}

export function requestFailed(what: string, error: unknown): DdbecError {
  return new DdbecError('ERR_AT_REST_REQUEST_FAILED', `${what} failed: ${describeError(error)}`, { cause: error });
}
