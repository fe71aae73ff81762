import { DdbecError } from '../../errors.js';
import type {
  CryptographicMaterialsProvider,
  DecryptionMaterials,
  EncryptionContext,
  EncryptionMaterials,
} from '../../materials/index.js';
import { checkMaterialName, versionFromDescription, type ProviderStore, type VersionedProvider } from './provider-store.js';

export interface MostRecentProviderOptions {
  /** Where the versions live (usually a `MetaStore`). */
  readonly store: ProviderStore;
  readonly materialName: string;
  /** How long the newest version number is trusted before the store is asked again, in ms. */
  readonly ttlMs: number;
  /** How many versions' providers are kept (least recently used are dropped). Default 1000. */
  readonly cacheSize?: number;
  /**
   * Time-based rotation: when the newest version is older than this (ms), the next refresh
   * creates the following version. A version whose age the store does not record (rows
   * written by the Java or Python clients) counts as due. Concurrent rotators agree: each
   * creates exactly "newest + 1", and whoever loses the race uses the winner's row.
   */
  readonly rotateAfterMs?: number;
  /** The clock, in epoch ms (tests move it). Default `Date.now`. */
  readonly clock?: () => number;
}

/** After the TTL, one caller refreshes while the others keep the cached version this long (both references: 500 ms). */
export const GRACE_PERIOD_MS = 500;

interface Current extends VersionedProvider {
  readonly loadedAt: number;
}

/**
 * Encrypts with the newest version of a material and decrypts with whichever version an item
 * names (the Java `CachingMostRecentProvider`, the Python `CachingMostRecentProvider`).
 *
 * Caching: the newest version is trusted for `ttlMs`; for the following 500 ms one caller
 * refreshes it while the others keep using the cached one; later callers wait for the
 * refresh. Providers of versions are kept in an LRU cache. Every load is single-flight: any
 * number of concurrent callers that miss the cache cause exactly one store request (and at
 * most one creation). The first encryption of a new material creates version 0.
 */
export class MostRecentProvider implements CryptographicMaterialsProvider {
  readonly materialName: string;
  readonly #store: ProviderStore;
  readonly #ttl: number;
  readonly #cacheSize: number;
  readonly #clock: () => number;
  readonly #rotateAfter: number | undefined;
  #current: Current | undefined;
  #currentLoad: Promise<Current> | undefined;
  readonly #providers = new Map<number, CryptographicMaterialsProvider>();
  readonly #providerLoads = new Map<number, Promise<CryptographicMaterialsProvider>>();

  constructor(options: MostRecentProviderOptions) {
    checkMaterialName(options.materialName);
    if (typeof options.store?.getMostRecent !== 'function') throw new DdbecError('ERR_INVALID_ARGUMENT', 'MostRecentProvider needs a store');
    if (!(Number.isFinite(options.ttlMs) && options.ttlMs >= 0)) throw new DdbecError('ERR_INVALID_ARGUMENT', 'ttlMs must be a number ≥ 0');
    const cacheSize = options.cacheSize ?? 1000;
    if (!(Number.isInteger(cacheSize) && cacheSize >= 1)) throw new DdbecError('ERR_INVALID_ARGUMENT', 'cacheSize must be an integer ≥ 1');
    this.materialName = options.materialName;
    this.#store = options.store;
    this.#ttl = options.ttlMs;
    this.#cacheSize = cacheSize;
    this.#clock = options.clock ?? Date.now;
    if (options.rotateAfterMs !== undefined && !(Number.isFinite(options.rotateAfterMs) && options.rotateAfterMs > 0)) {
      throw new DdbecError('ERR_INVALID_ARGUMENT', 'rotateAfterMs must be a number > 0');
    }
    this.#rotateAfter = options.rotateAfterMs;
  }

  // Not `async`: on a warm cache these hand over the version's provider without extra awaits.
  getEncryptionMaterials(context: EncryptionContext): Promise<EncryptionMaterials> {
    const current = this.#currentProvider();
    return current instanceof Promise
      ? current.then(({ provider }) => provider.getEncryptionMaterials(context))
      : current.provider.getEncryptionMaterials(context);
  }

  getDecryptionMaterials(context: EncryptionContext): Promise<DecryptionMaterials> {
    let provider: Promise<CryptographicMaterialsProvider> | CryptographicMaterialsProvider;
    try {
      provider = this.#providerFor(versionFromDescription(context.materialDescription));
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    return provider instanceof Promise
      ? provider.then((loaded) => loaded.getDecryptionMaterials(context))
      : provider.getDecryptionMaterials(context);
  }

  /** The version new items are encrypted with (loading it if needed). */
  async currentVersion(): Promise<number> {
    return (await this.#currentProvider()).version;
  }

  /**
   * Creates the next version and encrypts with it from now on. Other processes pick it up
   * when their TTL runs out. Returns the new version.
   */
  async rotate(): Promise<number> {
    const created = await this.#store.newProvider(this.materialName);
    this.#remember(created.version, created.provider);
    if (this.#current === undefined || created.version >= this.#current.version) {
      this.#current = { ...created, loadedAt: this.#clock() };
    }
    return created.version;
  }

  /** Forgets every cached version and provider. */
  refresh(): void {
    this.#current = undefined;
    this.#providers.clear();
  }

  #currentProvider(): Promise<Current> | Current {
    const current = this.#current;
    if (current !== undefined) {
      const age = this.#clock() - current.loadedAt;
      if (age < this.#ttl) return current;
      if (age < this.#ttl + GRACE_PERIOD_MS) {
        // One caller refreshes in the background; everyone keeps the cached version meanwhile.
        if (this.#currentLoad === undefined) this.#loadCurrent().catch(() => undefined);
        return current;
      }
    }
    return this.#loadCurrent();
  }

  #loadCurrent(): Promise<Current> {
    this.#currentLoad ??= (async () => {
      try {
        let latest = (await this.#store.getMostRecent(this.materialName)) ?? {
          version: 0,
          provider: await this.#store.getOrCreateProvider(this.materialName, 0),
          createdAt: this.#clock(),
        };
        if (this.#rotateAfter !== undefined && (latest.createdAt === undefined || this.#clock() - latest.createdAt >= this.#rotateAfter)) {
          const next = latest.version + 1;
          latest = { version: next, provider: await this.#store.getOrCreateProvider(this.materialName, next), createdAt: this.#clock() };
        }
        this.#remember(latest.version, latest.provider);
        const current = { ...latest, loadedAt: this.#clock() };
        if (this.#current === undefined || current.version >= this.#current.version) this.#current = current;
        return this.#current;
      } finally {
        this.#currentLoad = undefined;
      }
    })();
    return this.#currentLoad;
  }

  /** The provider of a version, from the cache or loaded once (single-flight). */
  #providerFor(version: number): Promise<CryptographicMaterialsProvider> | CryptographicMaterialsProvider {
    const cached = this.#providers.get(version);
    if (cached !== undefined) {
      this.#providers.delete(version);
      this.#providers.set(version, cached);
      return cached;
    }
    let load = this.#providerLoads.get(version);
    if (load === undefined) {
      load = this.#store
        .getProvider(this.materialName, version)
        .then((provider) => {
          this.#remember(version, provider);
          return provider;
        })
        .finally(() => this.#providerLoads.delete(version));
      this.#providerLoads.set(version, load);
    }
    return load;
  }

  #remember(version: number, provider: CryptographicMaterialsProvider): void {
    this.#providers.delete(version);
    this.#providers.set(version, provider);
    while (this.#providers.size > this.#cacheSize) {
      const oldest = this.#providers.keys().next().value;
      if (oldest === undefined) break;
      this.#providers.delete(oldest);
    }
  }
}
