/**
 * The hierarchical keyring's cache of branch key materials (mpl-spec aws-kms-hierarchical-keyring.md,
 * "Cache Limit TTL"; local-cryptographic-materials-cache.md): entries live `ttlSeconds` from when
 * they were loaded, the least recently used are dropped beyond `maxEntries`, and concurrent
 * misses of one entry cause exactly one load (single-flight, as in the MostRecentProvider).
 * Searchable encryption caches its beacon key materials in one too.
 */
import { DdbecError } from '../../errors.js';
import type { BranchKeyMaterials } from '../types.js';

export interface BranchKeyCacheOptions {
  /** How long a loaded branch key may be used, in seconds (> 0). */
  readonly ttlSeconds: number;
  /** Default 1000. */
  readonly maxEntries?: number;
  /** The clock, in epoch ms. Default `Date.now`. */
  readonly clock?: () => number;
}

interface Entry<T> {
  readonly materials: T;
  readonly loadedAt: number;
}

export class BranchKeyCache<T = BranchKeyMaterials> {
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  readonly #clock: () => number;
  readonly #entries = new Map<string, Entry<T>>();
  readonly #loads = new Map<string, Promise<T>>();

  constructor(options: BranchKeyCacheOptions) {
    const { ttlSeconds, maxEntries = 1000, clock = Date.now } = options;
    if (!(typeof ttlSeconds === 'number' && Number.isFinite(ttlSeconds) && ttlSeconds > 0)) {
      throw new DdbecError('ERR_INVALID_ARGUMENT', 'ttlSeconds must be a number of seconds > 0');
    }
    if (!(Number.isInteger(maxEntries) && maxEntries >= 1)) throw new DdbecError('ERR_INVALID_ARGUMENT', 'maxCacheEntries must be an integer ≥ 1');
    this.#ttlMs = ttlSeconds * 1000;
    this.#maxEntries = maxEntries;
    this.#clock = clock;
  }

  /** The cached materials under `id`, or what `load` returns (shared by every concurrent caller). */
  get(id: string, load: () => Promise<T>): Promise<T> {
    const entry = this.#entries.get(id);
    if (entry !== undefined) {
      this.#entries.delete(id);
      if (this.#clock() - entry.loadedAt <= this.#ttlMs) {
        this.#entries.set(id, entry); // most recently used last
        return Promise.resolve(entry.materials);
      }
    }
    let pending = this.#loads.get(id);
    if (pending === undefined) {
      pending = load().then(
        (materials) => {
          this.#loads.delete(id);
          this.#entries.set(id, { materials, loadedAt: this.#clock() });
          for (const oldest of this.#entries.keys()) {
            if (this.#entries.size <= this.#maxEntries) break;
            this.#entries.delete(oldest);
          }
          return materials;
        },
        (error: unknown) => {
          this.#loads.delete(id);
          throw error;
        },
      );
      this.#loads.set(id, pending);
    }
    return pending;
  }
}
