/**
 * The DB-ESDK item encryptor's configuration (dbesdk-spec dynamodb-encryption-client/
 * ddb-table-encryption-config.md, ddb-item-encryptor.md) and its checks.
 */
import { DdbecError } from '../errors.js';
import { algorithmSuiteById, DEFAULT_ALGORITHM_SUITE, type AlgorithmSuite } from '../keyrings/algorithm-suites.js';
import type { Keyring } from '../keyrings/types.js';

/** What happens to an attribute when an item is encrypted. */
export type DbesdkCryptoAction = 'ENCRYPT_AND_SIGN' | 'SIGN_ONLY' | 'SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT' | 'DO_NOTHING';

const ACTIONS: ReadonlySet<string> = new Set(['ENCRYPT_AND_SIGN', 'SIGN_ONLY', 'SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT', 'DO_NOTHING']);

/** Attribute names starting with this are the format's own (`aws_dbe_head`, `aws_dbe_foot`). */
export const RESERVED_PREFIX = 'aws_dbe_';
export const HEADER_ATTRIBUTE = 'aws_dbe_head';
export const FOOTER_ATTRIBUTE = 'aws_dbe_foot';

/**
 * True when the item has the DB-ESDK attributes `aws_dbe_head` and `aws_dbe_foot` (an item
 * without them is a plaintext item, dbesdk-spec decrypt-item.md "Determining Plaintext Items").
 */
export function isDbesdkItem(item: Readonly<Record<string, unknown>>): boolean {
  return Object.hasOwn(item, HEADER_ATTRIBUTE) && Object.hasOwn(item, FOOTER_ATTRIBUTE);
}

export interface DbesdkItemEncryptorConfig {
  /** The table name bound into every item's encryption context (it may differ from the physical name). */
  readonly logicalTableName: string;
  readonly partitionKeyName: string;
  readonly sortKeyName?: string | undefined;
  /**
   * An action for every attribute an item may have, except attributes allowed unsigned (which
   * are DO_NOTHING). Key attributes are SIGN_ONLY, or SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT when
   * any attribute is (which makes version 2 items).
   */
  readonly attributeActionsOnEncrypt: Readonly<Record<string, DbesdkCryptoAction>>;
  /** Attributes that are neither signed nor encrypted (DO_NOTHING, and unknown ones allowed). */
  readonly allowedUnsignedAttributes?: readonly string[] | undefined;
  /** Attributes whose name starts with this are neither signed nor encrypted. */
  readonly allowedUnsignedAttributePrefix?: string | undefined;
  /** 0x6701 (ECDSA P-384 signature, the default) or 0x6700 (HMAC only). */
  readonly algorithmSuiteId?: 0x6700 | 0x6701 | undefined;
  readonly keyring: Keyring;
}

/** A checked configuration. */
export interface ResolvedConfig {
  readonly logicalTableName: string;
  readonly partitionKeyName: string;
  readonly sortKeyName: string | undefined;
  readonly actions: ReadonlyMap<string, DbesdkCryptoAction>;
  readonly allowedUnsigned: ReadonlySet<string>;
  readonly allowedUnsignedPrefix: string | undefined;
  readonly suite: AlgorithmSuite;
  readonly keyring: Keyring;
  /** 2 when some attribute is SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT. */
  readonly version: 1 | 2;
}

function invalid(message: string): DdbecError {
  return new DdbecError('ERR_INVALID_ARGUMENT', message);
}

function nonEmptyString(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.length === 0) throw invalid(`${what} must be a non-empty string`);
  return value;
}

/** True when the attribute is outside the signature scope (ddb-table-encryption-config.md "Unauthenticated Attributes"). */
export function isAllowedUnsigned(config: Pick<ResolvedConfig, 'allowedUnsigned' | 'allowedUnsignedPrefix'>, name: string): boolean {
  return (
    config.allowedUnsigned.has(name) ||
    (config.allowedUnsignedPrefix !== undefined && name.startsWith(config.allowedUnsignedPrefix)) ||
    name.startsWith(RESERVED_PREFIX)
  );
}

export function resolveConfig(config: DbesdkItemEncryptorConfig): ResolvedConfig {
  if (typeof config !== 'object' || config === null) throw invalid('DbesdkItemEncryptor needs a configuration object');
  const logicalTableName = nonEmptyString(config.logicalTableName, 'logicalTableName');
  const partitionKeyName = nonEmptyString(config.partitionKeyName, 'partitionKeyName');
  const sortKeyName = config.sortKeyName === undefined ? undefined : nonEmptyString(config.sortKeyName, 'sortKeyName');
  if (sortKeyName === partitionKeyName) throw invalid('sortKeyName must differ from partitionKeyName');
  const keyring = config.keyring as Keyring | undefined;
  if (typeof keyring !== 'object' || keyring === null || typeof keyring.onEncrypt !== 'function' || typeof keyring.onDecrypt !== 'function') {
    throw invalid('keyring must be a keyring (onEncrypt and onDecrypt)');
  }
  const suite = algorithmSuiteById(config.algorithmSuiteId ?? DEFAULT_ALGORITHM_SUITE.id);
  if (suite === undefined) throw new DdbecError('ERR_UNSUPPORTED_ALGORITHM', 'algorithmSuiteId must be 0x6700 or 0x6701');

  const unsignedList: unknown = config.allowedUnsignedAttributes ?? [];
  if (!Array.isArray(unsignedList) || unsignedList.some((n) => typeof n !== 'string')) {
    throw invalid('allowedUnsignedAttributes must be an array of attribute names');
  }
  const allowedUnsigned = new Set(unsignedList as string[]);
  const prefix: unknown = config.allowedUnsignedAttributePrefix;
  if (prefix !== undefined && (typeof prefix !== 'string' || prefix.length === 0)) {
    throw invalid('allowedUnsignedAttributePrefix must be a non-empty string');
  }
  const allowedUnsignedPrefix = prefix;

  const given: unknown = config.attributeActionsOnEncrypt;
  if (typeof given !== 'object' || given === null || Array.isArray(given)) throw invalid('attributeActionsOnEncrypt must be an object');
  const actions = new Map<string, DbesdkCryptoAction>();
  for (const [name, action] of Object.entries(given as Record<string, unknown>)) {
    if (name.startsWith(RESERVED_PREFIX)) {
      throw new DdbecError('ERR_RESERVED_ATTRIBUTE', `"${name}" starts with the reserved prefix ${RESERVED_PREFIX} and cannot have an action`);
    }
    if (typeof action !== 'string' || !ACTIONS.has(action)) throw invalid(`the action of "${name}" must be one of ${[...ACTIONS].join(', ')}`);
    const unsigned = allowedUnsigned.has(name) || (allowedUnsignedPrefix !== undefined && name.startsWith(allowedUnsignedPrefix));
    if (action === 'DO_NOTHING' && !unsigned) {
      throw invalid(`"${name}" is DO_NOTHING, so it must also be in allowedUnsignedAttributes or start with allowedUnsignedAttributePrefix`);
    }
    if (action !== 'DO_NOTHING' && unsigned) {
      throw invalid(`"${name}" is ${action} but allowed unsigned (allowedUnsignedAttributes or allowedUnsignedAttributePrefix)`);
    }
    actions.set(name, action as DbesdkCryptoAction);
  }
  const version = [...actions.values()].includes('SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT') ? 2 : 1;
  const keyAction: DbesdkCryptoAction = version === 2 ? 'SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT' : 'SIGN_ONLY';
  for (const name of [partitionKeyName, sortKeyName]) {
    if (name === undefined) continue;
    const action = actions.get(name);
    if (action === 'ENCRYPT_AND_SIGN') {
      throw new DdbecError('ERR_KEY_ATTRIBUTE_ENCRYPTED', `key attribute "${name}" cannot be encrypted (DynamoDB must read it); use ${keyAction}`);
    }
    if (action !== keyAction) {
      throw invalid(
        `key attribute "${name}" must be ${keyAction}` +
          (version === 2 ? ' (some attribute is SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT)' : ''),
      );
    }
  }
  return {
    logicalTableName,
    partitionKeyName,
    sortKeyName,
    actions,
    allowedUnsigned,
    allowedUnsignedPrefix,
    suite,
    keyring,
    version,
  };
}
