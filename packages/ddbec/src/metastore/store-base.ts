import { DdbecError } from '../errors.js';
import type { Item } from '../format/index.js';
import type { CryptographicMaterialsProvider } from '../materials/index.js';
import { checkMaterialName, metaId, type ProviderStore, type VersionedProvider } from '../providers/index.js';
import { ItemEncryptor } from '../encryptor/index.js';
import { encryptRow, newVersion, readRow } from './rows.js';

/**
 * The rules every provider store shares (legacy-format §8.5.4), over four storage
 * primitives: rows are encrypted with the inner provider, created with a put that fails when
 * the row exists, and on such a conflict the row someone else wrote is used.
 */
export abstract class RowProviderStore implements ProviderStore {
  readonly tableName: string;
  protected readonly encryptor: ItemEncryptor;

  constructor(tableName: string, materialsProvider: CryptographicMaterialsProvider) {
    if (typeof tableName !== 'string' || tableName.length === 0) throw new DdbecError('ERR_INVALID_ARGUMENT', 'a MetaStore needs a tableName');
    this.tableName = tableName;
    this.encryptor = new ItemEncryptor({ materialsProvider });
  }

  /** The stored (encrypted) row of a version, or undefined. Must be a consistent read. */
  protected abstract readRow(materialName: string, version: number): Promise<Item | undefined>;
  /** The stored row of the newest version, or undefined. */
  protected abstract readNewestRow(materialName: string): Promise<Item | undefined>;
  /** The newest version number, or undefined, without decrypting anything. */
  abstract maxVersion(materialName: string): Promise<number | undefined>;
  /** Writes a row unless one exists with the same key; false when one existed. */
  protected abstract putRowIfAbsent(row: Item): Promise<boolean>;

  async getProvider(materialName: string, version: number): Promise<CryptographicMaterialsProvider> {
    checkVersion(materialName, version);
    const stored = await this.readRow(materialName, version);
    if (stored === undefined) {
      throw new DdbecError('ERR_MATERIALS_UNAVAILABLE', `MetaStore table "${this.tableName}" has no version ${metaId(materialName, version)}`);
    }
    return (await this.#decode(stored, materialName, version)).provider;
  }

  /** Like the Java MetaStore: a conditional create first; when the version exists, that row is read. */
  async getOrCreateProvider(materialName: string, version: number): Promise<CryptographicMaterialsProvider> {
    checkVersion(materialName, version);
    return (await this.#create(materialName, version)).provider;
  }

  async getMostRecent(materialName: string): Promise<VersionedProvider | undefined> {
    checkMaterialName(materialName);
    const stored = await this.readNewestRow(materialName);
    if (stored === undefined) return undefined;
    const { version, provider, createdAt } = await this.#decode(stored, materialName);
    return { version, provider, createdAt };
  }

  async newProvider(materialName: string): Promise<VersionedProvider> {
    checkMaterialName(materialName);
    const max = await this.maxVersion(materialName);
    return this.#create(materialName, max === undefined ? 0 : max + 1);
  }

  async #create(materialName: string, version: number): Promise<VersionedProvider> {
    const createdAt = Date.now();
    const { row, provider } = newVersion(materialName, version, createdAt);
    if (await this.putRowIfAbsent(await encryptRow(this.encryptor, this.tableName, row))) return { version, provider, createdAt };
    // Someone else created this version first: theirs is the one items will name.
    return { version, provider: await this.getProvider(materialName, version) };
  }

  async #decode(stored: Item, materialName: string, version?: number): Promise<VersionedProvider & { createdAt: number | undefined }> {
    const row = await readRow(this.encryptor, this.tableName, stored);
    if (row.materialName !== materialName || (version !== undefined && row.version !== version)) {
      throw new DdbecError('ERR_MALFORMED_ITEM', `MetaStore table "${this.tableName}" returned another row than ${metaId(materialName, version ?? row.version)}`);
    }
    return row;
  }
}

function checkVersion(materialName: string, version: number): void {
  checkMaterialName(materialName);
  if (!Number.isSafeInteger(version) || version < 0) throw new DdbecError('ERR_INVALID_ARGUMENT', 'a material version is an integer ≥ 0');
}
