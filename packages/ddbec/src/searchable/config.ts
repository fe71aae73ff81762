/**
 * Searchable encryption's configuration (dbesdk-spec searchable-encryption/search-config.md,
 * beacons.md, virtual.md, and the beacon-partition change). The names follow the DB-ESDK's
 * (`SearchConfig`, `BeaconVersion`, `StandardBeacon`, `CompoundBeacon`, …) so that its users
 * recognise them; a table's `search` member holds one {@link SearchConfig}.
 */
import type { Item } from '../format/attribute-value.js';
import type { BranchKeyStore } from '../keyrings/types.js';

/** The beacon versions of a table, and the one writes use. Exactly one version (1) is supported, as in the DB-ESDK. */
export interface SearchConfig {
  readonly versions: readonly BeaconVersion[];
  /** Must be 1. */
  readonly writeVersion: number;
}

/** One version of a table's beacons: their keys and definitions. */
export interface BeaconVersion {
  /** Must be 1. */
  readonly version: number;
  /** Where the beacon keys are (`getBeaconKey`); usually the hierarchical keyring's branch key store. */
  readonly keyStore: BranchKeyStore;
  /** Which beacon key an item or a query uses: one for the table, or one per tenant. */
  readonly keySource: BeaconKeySource;
  /** At least one. */
  readonly standardBeacons: readonly StandardBeacon[];
  readonly compoundBeacons?: readonly CompoundBeacon[] | undefined;
  readonly virtualFields?: readonly VirtualField[] | undefined;
  /** Parts any compound beacon's constructors may use (the global parts list). */
  readonly encryptedParts?: readonly EncryptedPart[] | undefined;
  readonly signedParts?: readonly SignedPart[] | undefined;
  /** 1..255; default 1 (no partitions). */
  readonly maximumNumberOfPartitions?: number | undefined;
  /** The partitions of a standard beacon that sets none; less than the maximum; default the maximum. */
  readonly defaultNumberOfPartitions?: number | undefined;
  /** Picks the partition of an item written; default a random one. */
  readonly partitionSelector?: PartitionSelector | undefined;
}

/** Returns the partition (0 ≤ n < numberOfPartitions) an item is written in. */
export type PartitionSelector = (item: Readonly<Item>, numberOfPartitions: number, logicalTableName: string) => number;

/** Exactly one of `single` (one beacon key for the table) or `multi` (a key per tenant). */
export type BeaconKeySource = { readonly single: SingleKeyStore; readonly multi?: never } | { readonly multi: MultiKeyStore; readonly single?: never };

export interface SingleKeyStore {
  /** The branch key id whose beacon key every item and query uses. */
  readonly keyId: string;
  /** Seconds a beacon key is used before it is read from the key store again. */
  readonly cacheTTL: number;
}

export interface MultiKeyStore {
  /**
   * The attribute that names an item's beacon key (branch key id). Written items may carry it
   * (it is stored only when configured SIGN_ONLY); queries name it through a signed part of a
   * compound beacon with this name.
   */
  readonly keyFieldName: string;
  /** Seconds a beacon key is used before it is read from the key store again. */
  readonly cacheTTL: number;
  /** How many tenants' beacon keys are cached; default 1000. */
  readonly maxCacheSize?: number | undefined;
}

/** A truncated HMAC of an encrypted value, stored as `aws_dbe_b_<name>`; compared for equality only. */
export interface StandardBeacon {
  readonly name: string;
  /** Bits kept, 1..63. */
  readonly length: number;
  /** The terminal location (document path like `a.b[2].c`, or a virtual field's name); default `name`. */
  readonly loc?: string | undefined;
  readonly style?: BeaconStyle | undefined;
  /** Partitions of this beacon (less than the version's maximum); default the version's default. */
  readonly numberOfPartitions?: number | undefined;
}

/** Exactly one member. */
export type BeaconStyle =
  /** Only a part of compound beacons; not stored on its own, not queryable. */
  | { readonly partOnly: Record<string, never> }
  /** Computed as if it were beacon `other` (same key, same length), so values of two attributes can be compared. */
  | { readonly shared: { readonly other: string } }
  /** The attribute is a set; the beacon is the string set of its elements' beacons. */
  | { readonly asSet: Record<string, never> }
  /** Both `shared` and `asSet`. */
  | { readonly sharedSet: { readonly other: string } };

/** A string of parts (plaintext signed values and standard beacons, each after a prefix), stored as `aws_dbe_b_<name>` — or as `<name>` when it has signed parts only. */
export interface CompoundBeacon {
  readonly name: string;
  /** One character separating the parts. */
  readonly split: string;
  readonly encrypted?: readonly EncryptedPart[] | undefined;
  readonly signed?: readonly SignedPart[] | undefined;
  /** Tried in order; the first whose required parts the item has builds the beacon. Default: all signed parts then all encrypted parts, all required. */
  readonly constructors?: readonly Constructor[] | undefined;
}

export interface EncryptedPart {
  /** A standard beacon's name. */
  readonly name: string;
  readonly prefix: string;
}

export interface SignedPart {
  readonly name: string;
  readonly prefix: string;
  /** The terminal location of a signed (not encrypted) value; default `name`. */
  readonly loc?: string | undefined;
}

export interface Constructor {
  readonly parts: readonly ConstructorPart[];
}

export interface ConstructorPart {
  /** An encrypted or signed part's name. */
  readonly name: string;
  readonly required: boolean;
}

/** A string computed from parts of an item (never stored), which a standard beacon can use as its location. */
export interface VirtualField {
  readonly name: string;
  readonly parts: readonly VirtualPart[];
}

export interface VirtualPart {
  /** A terminal location holding a string. */
  readonly loc: string;
  /** Applied in order. */
  readonly trans?: readonly VirtualTransform[] | undefined;
}

/** Exactly one member (virtual.md). */
export type VirtualTransform =
  | { readonly upper: Record<string, never> }
  | { readonly lower: Record<string, never> }
  | { readonly insert: { readonly literal: string } }
  | { readonly prefix: { readonly length: number } }
  | { readonly suffix: { readonly length: number } }
  | { readonly substring: { readonly low: number; readonly high: number } }
  | { readonly segment: { readonly split: string; readonly index: number } }
  | { readonly segments: { readonly split: string; readonly low: number; readonly high: number } };
