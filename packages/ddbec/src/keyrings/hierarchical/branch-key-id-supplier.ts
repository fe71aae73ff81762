/**
 * Choosing the branch key per item (mpl-spec aws-kms-hierarchical-keyring.md "Branch Key
 * Supplier", dbesdk-spec ddb-encryption-branch-key-id-supplier.md): a supplier maps the
 * encryption context to a branch key id; `createDynamoDbEncryptionBranchKeyIdSupplier` builds
 * one from a function of the item's DynamoDB key (per-tenant keys).
 */
import { DdbecError } from '../../errors.js';
import type { AttributeValue, Item } from '../../format/index.js';
import { utf8Encode } from '../../format/utf8.js';
import { deserializeTerminal } from '../../structured/attribute.js';
import type { EncryptionContext } from '../types.js';

/** Picks the branch key of an item from its encryption context. */
export interface BranchKeyIdSupplier {
  getBranchKeyId(encryptionContext: EncryptionContext): string | Promise<string>;
}

/**
 * Picks the branch key of an item from its key: the partition and sort key attributes, plus the
 * attributes configured as SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT.
 */
export interface DynamoDbKeyBranchKeyIdSupplier {
  getBranchKeyIdFromDdbKey(key: Item): string | Promise<string>;
}

const PARTITION_NAME = 'aws-crypto-partition-name';
const SORT_NAME = 'aws-crypto-sort-name';
const ATTRIBUTE_PREFIX = 'aws-crypto-attr.';
const LEGEND = 'aws-crypto-legend';

/** A {@link BranchKeyIdSupplier} for DB-ESDK items, over a function of the item's DynamoDB key. */
export function createDynamoDbEncryptionBranchKeyIdSupplier(supplier: DynamoDbKeyBranchKeyIdSupplier): BranchKeyIdSupplier {
  if (typeof supplier?.getBranchKeyIdFromDdbKey !== 'function') {
    throw new DdbecError('ERR_INVALID_ARGUMENT', 'createDynamoDbEncryptionBranchKeyIdSupplier needs an object with getBranchKeyIdFromDdbKey');
  }
  return { getBranchKeyId: (encryptionContext) => supplier.getBranchKeyIdFromDdbKey(keyFromContext(encryptionContext)) };
}

/** The DynamoDB key an encryption context of the DB-ESDK format describes. */
function keyFromContext(context: EncryptionContext): Item {
  const partitionName = context[PARTITION_NAME];
  if (partitionName === undefined) throw invalid(`it has no ${PARTITION_NAME}`);
  const sortName = context[SORT_NAME];
  for (const name of sortName === undefined ? [partitionName] : [partitionName, sortName]) {
    if (context[ATTRIBUTE_PREFIX + name] === undefined) throw invalid(`it has no value for the key attribute "${name}"`);
  }
  const legend = context[LEGEND];
  const key: Item = {};
  if (legend === undefined) {
    // Version 1 contexts: the key values, each base64 of type id || serialized value.
    for (const name of sortName === undefined ? [partitionName] : [partitionName, sortName]) {
      key[name] = fromTerminal(context[ATTRIBUTE_PREFIX + name] as string, name);
    }
    return key;
  }
  // Version 2: every SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT value, the legend giving each one's
  // type in the order of the keys' UTF-8 bytes.
  const names = Object.keys(context)
    .filter((k) => k.startsWith(ATTRIBUTE_PREFIX))
    .map((k) => [utf8Encode(k), k] as const)
    .sort((a, b) => Buffer.compare(a[0], b[0]))
    .map(([, k]) => k);
  if (names.length !== legend.length) throw invalid('its legend does not describe its attributes');
  names.forEach((k, i) => {
    const name = k.slice(ATTRIBUTE_PREFIX.length);
    key[name] = fromLegend(legend[i] as string, context[k] as string, name);
  });
  return key;
}

function fromLegend(type: string, text: string, name: string): AttributeValue {
  switch (type) {
    case 'S':
      return { S: text };
    case 'N':
      return { N: text };
    case 'L':
      if (text === 'null') return { NULL: true };
      if (text === 'true' || text === 'false') return { BOOL: text === 'true' };
      throw invalid(`attribute "${name}" is no literal`);
    case 'B':
      return fromTerminal(text, name);
    default:
      throw invalid(`its legend has the unknown type ${JSON.stringify(type)}`);
  }
}

function fromTerminal(base64: string, name: string): AttributeValue {
  const bytes = Buffer.from(base64, 'base64');
  if (bytes.length < 2) throw invalid(`attribute "${name}" is not a serialized value`);
  try {
    return deserializeTerminal(bytes.readUInt16BE(0), new Uint8Array(bytes.subarray(2)));
  } catch (cause) {
    throw new DdbecError('ERR_INVALID_ARGUMENT', `the branch key id supplier cannot read attribute "${name}" of the encryption context`, { cause });
  }
}

function invalid(why: string): DdbecError {
  return new DdbecError('ERR_INVALID_ARGUMENT', `the branch key id supplier cannot read the encryption context: ${why}`);
}
