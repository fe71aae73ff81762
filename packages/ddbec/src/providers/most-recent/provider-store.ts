import { DdbecError } from '../../errors.js';
import { MaterialDescriptionKey, type CryptographicMaterialsProvider } from '../../materials/index.js';

/** One version of a material: the provider built from it. */
export interface VersionedProvider {
  readonly version: number;
  readonly provider: CryptographicMaterialsProvider;
  /** When the version was created (epoch ms), if the store knows. */
  readonly createdAt?: number | undefined;
}

/**
 * Where versioned materials live (the reference clients' "provider store"; `MetaStore` is the
 * DynamoDB one). Versions are immutable once written.
 */
export interface ProviderStore {
  /** The provider of an existing version; `ERR_MATERIALS_UNAVAILABLE` when there is none. */
  getProvider(materialName: string, version: number): Promise<CryptographicMaterialsProvider>;
  /** The provider of a version, creating the version if it does not exist yet (someone else's creation wins). */
  getOrCreateProvider(materialName: string, version: number): Promise<CryptographicMaterialsProvider>;
  /** The newest version and its provider, in one read; undefined when the material has no version. */
  getMostRecent(materialName: string): Promise<VersionedProvider | undefined>;
  /** Creates the version after the newest one (0 for a new material) and returns it. */
  newProvider(materialName: string): Promise<VersionedProvider>;
}

const META_ID = /^([^#]+)#(\d+)$/;

/** `materialName#version` as written into `amzn-ddb-meta-id`. */
export function metaId(materialName: string, version: number): string {
  checkMaterialName(materialName);
  return `${materialName}#${version}`;
}

/** The version named by a stored material description (`amzn-ddb-meta-id`). */
export function versionFromDescription(description: ReadonlyMap<string, string>): number {
  const id = description.get(MaterialDescriptionKey.MetaStoreId);
  if (id === undefined) throw new DdbecError('ERR_MATERIALS_UNAVAILABLE', 'the item names no material version (no amzn-ddb-meta-id)');
  const match = META_ID.exec(id);
  const version = match ? Number(match[2]) : NaN;
  if (!Number.isSafeInteger(version)) throw new DdbecError('ERR_MATERIAL_DESCRIPTION', 'the item has a malformed amzn-ddb-meta-id');
  return version;
}

/** Material names are the MetaStore partition key and part of `name#version`: non-empty, no `#`. */
export function checkMaterialName(materialName: string): void {
  if (typeof materialName !== 'string' || materialName.length === 0 || materialName.includes('#')) {
    throw new DdbecError('ERR_INVALID_ARGUMENT', 'a material name must be a non-empty string without "#"');
  }
}
