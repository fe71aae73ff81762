/**
 * Beacon key materials (search-config.md "Beacon Keys"): the beacon key of a branch key id, read
 * from the key store, turned into one HMAC key per standard beacon, cached for the key source's TTL
 * (single-tenant: one entry; multi-tenant: `maxCacheSize`, least recently used dropped), with one
 * load per id however many callers wait for it. The beacon key itself is not kept.
 */
import { hkdfSha512 } from '../crypto/dbe.js';
import { DdbecError } from '../errors.js';
import { utf8Encode } from '../format/utf8.js';
import { BranchKeyCache } from '../keyrings/hierarchical/branch-key-cache.js';
import type { BeaconKeyMaterials, BranchKeyStore } from '../keyrings/types.js';

const INFO_PREFIX = 'AWS_DBE_SCAN_BEACON';
/** Bytes of each beacon's HMAC key. */
export const HMAC_KEY_LENGTH = 64;

/** The HMAC key of the standard beacon `name` under `beaconKey` (HKDF-SHA512, no salt, info `AWS_DBE_SCAN_BEACON` + name). */
export function beaconHmacKey(beaconKey: Uint8Array, name: string): Uint8Array {
  return hkdfSha512(beaconKey, utf8Encode(INFO_PREFIX + name), HMAC_KEY_LENGTH);
}

export interface BeaconKeySourceOptions {
  readonly keyStore: BranchKeyStore;
  /** Every standard beacon's name: each gets an HMAC key. */
  readonly beaconNames: readonly string[];
  readonly cacheTTL: number;
  readonly maxCacheSize: number;
  /** The clock, in epoch ms (tests). */
  readonly clock?: (() => number) | undefined;
}

/** Loads and caches beacon key materials by branch key id. */
export class BeaconKeySource {
  readonly #keyStore: BranchKeyStore;
  readonly #names: readonly string[];
  readonly #cache: BranchKeyCache<BeaconKeyMaterials>;

  constructor(options: BeaconKeySourceOptions) {
    this.#keyStore = options.keyStore;
    this.#names = options.beaconNames;
    this.#cache = new BranchKeyCache<BeaconKeyMaterials>({ ttlSeconds: options.cacheTTL, maxEntries: options.maxCacheSize, clock: options.clock });
  }

  materials(beaconKeyId: string): Promise<BeaconKeyMaterials> {
    return this.#cache.get(beaconKeyId, () => this.#load(beaconKeyId));
  }

  async #load(beaconKeyId: string): Promise<BeaconKeyMaterials> {
    const loaded = await this.#keyStore.getBeaconKey(beaconKeyId);
    const beaconKey = loaded.beaconKey;
    if (!(beaconKey instanceof Uint8Array) || beaconKey.length === 0) {
      throw new DdbecError('ERR_BRANCH_KEY_STORE', `the key store returned no beacon key for branch key id ${beaconKeyId}`);
    }
    const hmacKeys = new Map<string, Uint8Array>();
    for (const name of this.#names) hmacKeys.set(name, beaconHmacKey(beaconKey, name));
    return Object.freeze({ beaconKeyIdentifier: beaconKeyId, encryptionContext: loaded.encryptionContext, hmacKeys });
  }
}
