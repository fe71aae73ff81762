/**
 * The seam between searchable encryption's parts:
 * - `searchable/` beacons (A): builds a {@link SearchableTable} from a table's `search` config
 *   (`createSearchableTable` in searchable/table.ts) — beacon values, beacon keys, write-side beacons;
 * - `searchable/query.ts` (B): rewrites Query/Scan requests to use the beacons and keeps exactly
 *   the decrypted items that match the caller's expressions ({@link RewriteForBeacons});
 * - `sdk/` (C): calls both for DB-ESDK tables that have a `search` config.
 */
import type { AttributeValue, Item } from '../format/attribute-value.js';
import type { BeaconKeyMaterials } from '../keyrings/types.js';

/** Prefix of the stored name of every beacon but signed beacons. */
export const BEACON_PREFIX = 'aws_dbe_b_';
/** The version tag every item written with beacons carries (`{ S: ' ' }`). */
export const VERSION_TAG = 'aws_dbe_v_1';
/** The ExpressionAttributeValues member a query names its partition with (removed before sending). */
export const PARTITION_VALUE = ':aws_dbe_partition';

/** The table facts a search config is checked against. */
export interface SearchTableFacts {
  readonly logicalTableName: string;
  readonly attributeActionsOnEncrypt: Readonly<Record<string, 'ENCRYPT_AND_SIGN' | 'SIGN_ONLY' | 'SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT' | 'DO_NOTHING'>>;
  readonly allowedUnsignedAttributes?: readonly string[] | undefined;
  readonly allowedUnsignedAttributePrefix?: string | undefined;
}

/**
 * How a query compares a beacon with a value: `equality` (`=`, `<>`, `IN`), `contains`, or
 * `other` (`begins_with`, `<`, `BETWEEN`, …). A compound value's bare trailing prefix stays as it
 * is except for equality; `contains` hashes a set value element by element.
 */
export type BeaconComparison = 'equality' | 'contains' | 'other';

/** A beacon a query may name (a standard beacon that is not part-only, or a compound beacon). */
export interface QueryBeacon {
  /** The configured name, which queries use. */
  readonly name: string;
  /** The attribute it is stored as: `aws_dbe_b_<name>`, or `<name>` for a signed beacon. */
  readonly storedName: string;
  readonly kind: 'standard' | 'compound';
  /** True when its value needs a beacon key (a standard beacon, or a compound one with an encrypted part). */
  readonly encrypted: boolean;
  /** A set beacon (`asSet` / `sharedSet`): stored as a string set. */
  readonly asSet: boolean;
  /**
   * The number of partitions a query on this beacon must cover (GetNumberOfQueries): a standard
   * beacon's own; for a compound one, the least common multiple over the standard beacons
   * `value` uses (all its encrypted parts when `value` is undefined).
   */
  partitionCount(value?: string): number;
  /**
   * What a query compares the stored beacon with, for the caller's value: a standard beacon
   * hashes the serialized value (getPart), a compound one turns each part of the string into its
   * part value. `materials` is needed when the value uses an encrypted part. Throws
   * `ERR_BEACON_QUERY` when the value cannot be a value of this beacon (e.g. a compound value
   * with a piece that matches no part's prefix, or containing the split character in a part),
   * and when `begins_with`, a range or `contains` could not compare it exactly: a piece of an
   * encrypted part that the plaintext may match in part (the hash matches whole values only).
   * `comparison` defaults to `equality`.
   */
  queryValue(value: AttributeValue, materials: BeaconKeyMaterials | undefined, partition: number, comparison?: BeaconComparison): AttributeValue;
  /**
   * Compound beacons: throws `ERR_BEACON_QUERY` unless `value` may be used with `op`, the
   * comparison as it acts (beacon on the left, NOT applied): LessThanComparable, and for <= and >
   * not ending with an encrypted part's bare prefix (an empty plaintext part equals it, its hash does not).
   */
  checkLessThanComparable(value: string, op: '<' | '<=' | '>' | '>='): void;
  /**
   * Compound beacons: throws `ERR_BEACON_QUERY` unless the two may be used with BETWEEN
   * (BetweenComparable), no bound ends with an encrypted piece both share, and the upper bound
   * does not end with an encrypted part's bare prefix.
   */
  checkBetweenComparable(low: string, high: string): void;
  /** Multi-tenant compound beacons: the beacon key id that `value` names through a signed part over the key field, if any. */
  beaconKeyIdIn(value: string): string | undefined;
  /**
   * Whether comparing this beacon with `value` by `comparison` compares hashes, so needs the
   * beacon key and lets false positives through: always for a standard beacon; for a compound
   * one, when a piece of an encrypted part is hashed (a bare trailing prefix is not, except for
   * equality). Throws `ERR_BEACON_QUERY` as `queryValue` would, before any key is fetched.
   */
  needsKey(value: string, comparison?: BeaconComparison): boolean;
}

/** A DB-ESDK table's searchable encryption, resolved and checked. */
export interface SearchableTable {
  readonly logicalTableName: string;
  /** Actions the search config adds to the table's own: every signed beacon is SIGN_ONLY. */
  readonly signedBeaconActions: Readonly<Record<string, 'SIGN_ONLY'>>;
  /** 1 when partitions are not used. */
  readonly maxPartitions: number;
  readonly keySource: { readonly kind: 'single'; readonly keyId: string } | { readonly kind: 'multi'; readonly keyFieldName: string };
  /** Every beacon a query may name. */
  readonly beacons: readonly QueryBeacon[];
  /**
   * The beacon a query may name `name` by, `undefined` when `name` is no beacon. Throws
   * `ERR_BEACON_QUERY` for a part-only beacon (it is not stored on its own).
   */
  queryBeacon(name: string): QueryBeacon | undefined;
  /**
   * The plaintext a query term on beacon `name` means in a decrypted item, for filtering what
   * the beacons let through: the value at a standard beacon's location (a real attribute, or a
   * virtual field's string), a compound beacon's virtual database field (prefixes and plaintext
   * values joined); `undefined` when the item has none.
   */
  plaintextOf(name: string, item: Item): AttributeValue | undefined;
  /**
   * Before encryption: refuses (`ERR_BEACON_WRITE`) an item the beacons cannot be consistent
   * with (a supplied signed beacon that differs from the one its parts build, an `asSet` source
   * that is not a set, a plaintext value containing a compound beacon's split character), adds
   * the signed beacons, and for a multi-tenant table takes the beacon key field (removed unless
   * it is SIGN_ONLY). Returns the item to encrypt and the beacon key id the item names.
   */
  beforeEncrypt(item: Item): { readonly item: Item; readonly beaconKeyId: string | undefined };
  /**
   * After encryption: the stored item plus the encrypted beacons (`aws_dbe_b_…`, from the
   * plaintext item, in the partition the selector picks) and the version tag. Multi-tenant: the
   * key is the one the stored item's header names (which must equal `beaconKeyId` when given).
   */
  afterEncrypt(plaintext: Item, stored: Item, beaconKeyId: string | undefined): Promise<Item>;
  /** The beacon key materials (an HMAC key per standard beacon), cached for the key source's TTL. Single-tenant: `beaconKeyId` is ignored. */
  keyMaterials(beaconKeyId: string | undefined): Promise<BeaconKeyMaterials>;
  /** Multi-tenant: the beacon key id a stored item was written under (its one hierarchical EDK), `undefined` when it has none. */
  beaconKeyIdOf(stored: Item): string | undefined;
}

/** The request to send for a Query or Scan on a table with beacons, and how to filter what comes back. */
export interface BeaconQuery {
  /** The request with beacon names and values in place of the caller's (`:aws_dbe_partition` removed). */
  readonly input: Record<string, unknown>;
  /**
   * Keeps an item (decrypted, with its stored form) when it matches the caller's original key
   * condition and filter exactly (beacons let false positives through on purpose) and, on a
   * multi-tenant table, was written under the query's beacon key. `undefined` when the request
   * compared no encrypted beacon (nothing to filter).
   */
  readonly keep: ((decrypted: Item, stored: Item) => boolean) | undefined;
}

/** `rewriteForBeacons` of searchable/query.ts. Returns `undefined` when the request names no beacon. */
export type RewriteForBeacons = (operation: 'Query' | 'Scan', input: Readonly<Record<string, unknown>>, table: SearchableTable) => Promise<BeaconQuery | undefined>;
