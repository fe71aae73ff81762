import { DdbecError } from '../errors.js';
import { MATERIAL_DESCRIPTION_ATTRIBUTE, SIGNATURE_ATTRIBUTE, type Item } from '../format/index.js';
import { FOOTER_ATTRIBUTE, HEADER_ATTRIBUTE, RESERVED_PREFIX } from '../dbesdk/config.js';

/**
 * The migration policies of a DB-ESDK table (ddb-table-encryption-config.md, "Legacy Policy"
 * and "Plaintext Policy"), and how they route each item to a format: pure functions, no keys.
 */

/** Whether items are written in, and read from, the legacy format of the Java and Python clients. */
export const LegacyPolicy = {
  /** Write legacy items; read legacy items with the legacy encryptor and the others as DB-ESDK items. */
  ForceLegacyEncryptAllowLegacyDecrypt: 'FORCE_LEGACY_ENCRYPT_ALLOW_LEGACY_DECRYPT',
  /** Write DB-ESDK items; read legacy items with the legacy encryptor and the others as DB-ESDK items. */
  ForbidLegacyEncryptAllowLegacyDecrypt: 'FORBID_LEGACY_ENCRYPT_ALLOW_LEGACY_DECRYPT',
  /** Write DB-ESDK items; refuse legacy items. */
  ForbidLegacyEncryptForbidLegacyDecrypt: 'FORBID_LEGACY_ENCRYPT_FORBID_LEGACY_DECRYPT',
} as const;
export type LegacyPolicy = (typeof LegacyPolicy)[keyof typeof LegacyPolicy];

/** Whether plaintext items are written and read. Default (no override): `FORBID_PLAINTEXT_WRITE_FORBID_PLAINTEXT_READ`. */
export const PlaintextPolicy = {
  /** Write items as plaintext; pass plaintext items through and decrypt the others. */
  ForcePlaintextWriteAllowPlaintextRead: 'FORCE_PLAINTEXT_WRITE_ALLOW_PLAINTEXT_READ',
  /** Encrypt on write; pass plaintext items through and decrypt the others. */
  ForbidPlaintextWriteAllowPlaintextRead: 'FORBID_PLAINTEXT_WRITE_ALLOW_PLAINTEXT_READ',
  /** Encrypt on write; decrypt every item (a plaintext item is refused). */
  ForbidPlaintextWriteForbidPlaintextRead: 'FORBID_PLAINTEXT_WRITE_FORBID_PLAINTEXT_READ',
} as const;
export type PlaintextPolicy = (typeof PlaintextPolicy)[keyof typeof PlaintextPolicy];

/** The three ways an item of a DB-ESDK table can be stored. */
export type ItemFormat = 'dbesdk' | 'legacy' | 'plaintext';

/** The policies of one table (either may be absent; both present is refused by {@link checkPolicies}). */
export interface MigrationPolicies {
  readonly legacy?: LegacyPolicy | undefined;
  readonly plaintext?: PlaintextPolicy | undefined;
}

const LEGACY_POLICIES: ReadonlySet<unknown> = new Set(Object.values(LegacyPolicy));
const PLAINTEXT_POLICIES: ReadonlySet<unknown> = new Set(Object.values(PlaintextPolicy));

/**
 * Validates the policies of a table configuration (`where` names it in messages): each a known
 * value, and not both — the specification forbids a legacy and a plaintext policy on one table.
 */
export function checkPolicies(policies: MigrationPolicies, where: string): void {
  if (policies.legacy !== undefined && !LEGACY_POLICIES.has(policies.legacy)) {
    throw new DdbecError('ERR_INVALID_ARGUMENT', `${where}.legacyOverride.policy must be one of ${[...LEGACY_POLICIES].join(', ')}`);
  }
  if (policies.plaintext !== undefined && !PLAINTEXT_POLICIES.has(policies.plaintext)) {
    throw new DdbecError('ERR_INVALID_ARGUMENT', `${where}.plaintextOverride must be one of ${[...PLAINTEXT_POLICIES].join(', ')}`);
  }
  if (policies.legacy !== undefined && policies.plaintext !== undefined) {
    throw new DdbecError(
      'ERR_INVALID_ARGUMENT',
      `${where} has both legacyOverride and plaintextOverride, which the DB-ESDK table configuration forbids: migrate a legacy table with legacyOverride, a plaintext table with plaintextOverride`,
    );
  }
}

/** A legacy item: it has the legacy material description and signature attributes. */
export function isLegacyItem(item: Item): boolean {
  return Object.hasOwn(item, MATERIAL_DESCRIPTION_ATTRIBUTE) && Object.hasOwn(item, SIGNATURE_ATTRIBUTE);
}

/** A plaintext item: it has neither the DB-ESDK header nor the footer attribute (one without the other is a broken DB-ESDK item). */
export function isPlaintextItem(item: Item): boolean {
  return !Object.hasOwn(item, HEADER_ATTRIBUTE) && !Object.hasOwn(item, FOOTER_ATTRIBUTE);
}

/** The format new items are written in (encrypt-item.md). */
export function writeFormat(policies: MigrationPolicies): ItemFormat {
  if (policies.legacy === LegacyPolicy.ForceLegacyEncryptAllowLegacyDecrypt) return 'legacy';
  if (policies.plaintext === PlaintextPolicy.ForcePlaintextWriteAllowPlaintextRead) return 'plaintext';
  return 'dbesdk';
}

/** Whether the policies let legacy items be read. */
export function readsLegacy(policies: MigrationPolicies): boolean {
  return policies.legacy !== undefined && policies.legacy !== LegacyPolicy.ForbidLegacyEncryptForbidLegacyDecrypt;
}

/** Whether the policies let plaintext items be read. */
export function readsPlaintext(policies: MigrationPolicies): boolean {
  return policies.plaintext !== undefined && policies.plaintext !== PlaintextPolicy.ForbidPlaintextWriteForbidPlaintextRead;
}

/**
 * How a stored item is read, in the order of decrypt-item.md: a legacy item with the legacy
 * encryptor when the legacy policy allows it; a plaintext item passed through when the
 * plaintext policy allows it; anything else as a DB-ESDK item. Refused with
 * `ERR_ITEM_FORMAT_REFUSED` (before any key is used) where the specification's path would fail
 * only later: a legacy item the policies do not read, a plaintext item the policies do not read.
 *
 * As the specification says, a legacy item is also a plaintext item (it has no DB-ESDK header):
 * on a table whose plaintext policy allows plaintext reads, which cannot have a legacy policy,
 * a legacy item passes through as it is stored (ciphertext, unverified).
 */
export function readFormat(item: Item, policies: MigrationPolicies, table: string): ItemFormat {
  const legacy = isLegacyItem(item);
  if (legacy && readsLegacy(policies)) return 'legacy';
  const plaintext = isPlaintextItem(item);
  if (plaintext && readsPlaintext(policies)) return 'plaintext';
  if (legacy) {
    throw new DdbecError(
      'ERR_ITEM_FORMAT_REFUSED',
      `table "${table}": the item is in the legacy format, which ${policies.legacy === undefined ? 'the table does not read (it has no legacyOverride)' : `legacy policy ${policies.legacy} forbids`}`,
    );
  }
  if (plaintext) {
    throw new DdbecError(
      'ERR_ITEM_FORMAT_REFUSED',
      `table "${table}": the item is plaintext (it has neither ${HEADER_ATTRIBUTE} nor ${FOOTER_ATTRIBUTE}), which ${policies.plaintext === undefined ? 'the table does not read (it has no plaintextOverride)' : `plaintext policy ${policies.plaintext} forbids`}`,
    );
  }
  return 'dbesdk';
}

/** Refuses an item to write that has an attribute reserved for the DB-ESDK (ddb-support.md "Writable"), whatever format it is written in. */
export function checkWritable(item: Item, table: string): void {
  for (const name of Object.keys(item)) {
    if (name.startsWith(RESERVED_PREFIX)) {
      throw new DdbecError('ERR_RESERVED_ATTRIBUTE', `table "${table}": the item must not contain attribute "${name}" (names starting with "${RESERVED_PREFIX}" are reserved for the DB-ESDK format)`);
    }
  }
}
