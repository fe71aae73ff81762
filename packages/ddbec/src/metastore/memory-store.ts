import { DdbecError } from '../errors.js';
import type { Item } from '../format/index.js';
import type { CryptographicMaterialsProvider } from '../materials/index.js';
import { Row } from './rows.js';
import { RowProviderStore } from './store-base.js';

export interface MemoryMetaStoreOptions {
  /** The table name the rows are signed with (as if they lived in that MetaStore table). */
  readonly tableName: string;
  /** Protects the rows. */
  readonly materialsProvider: CryptographicMaterialsProvider;
  /** Stored (encrypted) rows to start with, e.g. a dump of a MetaStore table. */
  readonly rows?: readonly Item[];
}

/**
 * A provider store that keeps encrypted MetaStore rows in memory: for tests, offline tools and
 * replaying a dump of a MetaStore table. Rows are exactly what `MetaStore` writes to DynamoDB.
 */
export class MemoryMetaStore extends RowProviderStore {
  readonly #rows = new Map<string, Map<number, Item>>();

  constructor(options: MemoryMetaStoreOptions) {
    super(options.tableName, options.materialsProvider);
    for (const row of options.rows ?? []) this.#insert(row);
  }

  /** Every stored row, ordered by material name and version. */
  rows(): Item[] {
    return [...this.#rows.keys()].sort().flatMap((name) => [...(this.#rows.get(name)?.entries() ?? [])].sort(([a], [b]) => a - b).map(([, row]) => row));
  }

  protected readRow(materialName: string, version: number): Promise<Item | undefined> {
    return Promise.resolve(this.#rows.get(materialName)?.get(version));
  }

  protected async readNewestRow(materialName: string): Promise<Item | undefined> {
    const max = await this.maxVersion(materialName);
    return max === undefined ? undefined : this.#rows.get(materialName)?.get(max);
  }

  maxVersion(materialName: string): Promise<number | undefined> {
    const versions = this.#rows.get(materialName);
    return Promise.resolve(versions && versions.size > 0 ? Math.max(...versions.keys()) : undefined);
  }

  protected putRowIfAbsent(row: Item): Promise<boolean> {
    const { name, version } = key(row);
    if (this.#rows.get(name)?.has(version)) return Promise.resolve(false);
    this.#insert(row);
    return Promise.resolve(true);
  }

  #insert(row: Item): void {
    const { name, version } = key(row);
    let versions = this.#rows.get(name);
    if (versions === undefined) {
      versions = new Map<number, Item>();
      this.#rows.set(name, versions);
    }
    versions.set(version, row);
  }
}

function key(row: Item): { name: string; version: number } {
  const name = row[Row.MaterialName];
  const version = row[Row.Version];
  if (!name || !('S' in name) || !version || !('N' in version)) throw new DdbecError('ERR_MALFORMED_ITEM', 'a MetaStore row needs N (S) and V (N)');
  return { name: name.S, version: Number(version.N) };
}
