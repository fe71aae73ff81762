/**
 * The branch key store's DynamoDB records and the KMS encryption contexts built from them
 * (mpl-spec framework/branch-key-store.md, "Record Format" and "Encryption Context").
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { randomBytes } from '../../crypto/index.js';
import { DdbecError } from '../../errors.js';
import type { EncryptionContext } from '../types.js';

export const Field = {
  BranchKeyId: 'branch-key-id',
  Type: 'type',
  Version: 'version',
  Enc: 'enc',
  KmsArn: 'kms-arn',
  CreateTime: 'create-time',
  HierarchyVersion: 'hierarchy-version',
  /** Only in the KMS encryption context: the logical key store name. */
  TableName: 'tablename',
} as const;

export const ACTIVE_TYPE = 'branch:ACTIVE';
export const BEACON_TYPE = 'beacon:ACTIVE';
export const VERSION_PREFIX = 'branch:version:';
/** Custom encryption context keys are stored (and sent to KMS) with this prefix. */
export const CUSTOM_CONTEXT_PREFIX = 'aws-crypto-ec:';
const HIERARCHY_VERSION = '1';

export type StoreItem = Record<string, AttributeValue>;

/** What every record of one branch key version shares. */
export interface RecordBase {
  readonly branchKeyId: string;
  readonly createTime: string;
  readonly kmsArn: string;
  readonly logicalKeyStoreName: string;
  /** Custom encryption context, without the prefix. */
  readonly customContext: EncryptionContext;
}

/** The KMS encryption context of a record of `type` (ACTIVE records add `version`). */
export function recordContext(base: RecordBase, type: string, activeVersion?: string): Record<string, string> {
  const context: Record<string, string> = {
    [Field.BranchKeyId]: base.branchKeyId,
    [Field.Type]: type,
    [Field.CreateTime]: base.createTime,
    [Field.TableName]: base.logicalKeyStoreName,
    [Field.KmsArn]: base.kmsArn,
    [Field.HierarchyVersion]: HIERARCHY_VERSION,
  };
  if (activeVersion !== undefined) context[Field.Version] = VERSION_PREFIX + activeVersion;
  for (const [key, value] of Object.entries(base.customContext)) context[CUSTOM_CONTEXT_PREFIX + key] = value;
  return context;
}

/** The DynamoDB item for a KMS encryption context and the wrapped key. */
export function toItem(context: Readonly<Record<string, string>>, enc: Uint8Array): StoreItem {
  const item: StoreItem = { [Field.Enc]: { B: enc } };
  for (const [key, value] of Object.entries(context)) {
    if (key === Field.TableName) continue;
    item[key] = key === Field.HierarchyVersion ? { N: value } : { S: value };
  }
  return item;
}

/** A record read back: its KMS encryption context (every attribute but `enc`, plus `tablename`) and `enc`. */
export interface ReadRecord {
  readonly context: Readonly<Record<string, string>>;
  readonly enc: Uint8Array;
  readonly branchKeyId: string;
  readonly type: string;
  readonly kmsArn: string;
}

/**
 * Checks a record against the record format and builds its encryption context. Every
 * attribute is authenticated by KMS, so each must be a string (`hierarchy-version` a number).
 */
export function readRecord(item: StoreItem, logicalKeyStoreName: string, where: string): ReadRecord {
  const malformed = (why: string) => new DdbecError('ERR_BRANCH_KEY_STORE', `branch key store record ${where} is malformed: ${why}`);
  const context: Record<string, string> = {};
  let enc: Uint8Array | undefined;
  for (const [name, value] of Object.entries(item)) {
    if (name === Field.Enc) {
      if (!('B' in value) || value.B === undefined) throw malformed('`enc` is not binary');
      enc = value.B;
    } else if (name === Field.TableName) {
      throw malformed('it has a `tablename` attribute');
    } else if (name === Field.HierarchyVersion) {
      if (!('N' in value) || value.N === undefined) throw malformed('`hierarchy-version` is not a number');
      context[name] = value.N;
    } else {
      if (!('S' in value) || value.S === undefined) throw malformed(`attribute "${name}" is not a string`);
      context[name] = value.S;
    }
  }
  if (enc === undefined) throw malformed('it has no `enc`');
  for (const name of [Field.BranchKeyId, Field.Type, Field.CreateTime, Field.KmsArn, Field.HierarchyVersion]) {
    if (context[name] === undefined || context[name] === '') throw malformed(`it has no \`${name}\``);
  }
  if (context[Field.HierarchyVersion] !== HIERARCHY_VERSION) throw malformed(`unknown hierarchy-version ${context[Field.HierarchyVersion]}`);
  const type = context[Field.Type] as string;
  if (type === ACTIVE_TYPE) {
    if (!context[Field.Version]?.startsWith(VERSION_PREFIX)) throw malformed('the ACTIVE record has no `version`');
  } else if (context[Field.Version] !== undefined) {
    throw malformed('only the ACTIVE record has a `version`');
  }
  context[Field.TableName] = logicalKeyStoreName;
  return { context, enc, branchKeyId: context[Field.BranchKeyId] as string, type, kmsArn: context[Field.KmsArn] as string };
}

/** The branch key version a branch record holds (from `version` for ACTIVE, else from `type`). */
export function branchKeyVersionOf(record: ReadRecord): string {
  const text = record.type === ACTIVE_TYPE ? record.context[Field.Version] : record.type;
  if (text === undefined || !text.startsWith(VERSION_PREFIX) || text.length === VERSION_PREFIX.length) {
    throw new DdbecError('ERR_BRANCH_KEY_STORE', `branch key store record of "${record.branchKeyId}" is not a branch key record`);
  }
  return text.slice(VERSION_PREFIX.length);
}

/** The custom encryption context: the prefixed keys, prefix removed. */
export function customContextOf(context: Readonly<Record<string, string>>): EncryptionContext {
  const custom: Record<string, string> = {};
  for (const [key, value] of Object.entries(context)) {
    if (key.startsWith(CUSTOM_CONTEXT_PREFIX)) custom[key.slice(CUSTOM_CONTEXT_PREFIX.length)] = value;
  }
  return custom;
}

/** ISO 8601 in UTC to the microsecond, as the record format asks (JavaScript clocks tick in ms). */
export function createTime(now: Date): string {
  return `${now.toISOString().slice(0, -1)}000Z`;
}

/** A random (version 4) UUID: branch key ids, versions and key store ids. */
export function uuidV4(): string {
  const bytes = randomBytes(16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = Buffer.from(bytes).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
