import { DdbecError } from '../errors.js';
import { SecretKey } from '../crypto/index.js';
import type { AttributeValue, Item } from '../format/index.js';
import { MaterialDescriptionKey, type CryptographicMaterialsProvider } from '../materials/index.js';
import { metaId, WrappedMaterialsProvider } from '../providers/index.js';
import { AttributeActions, ItemEncryptor, type CryptoConfig } from '../encryptor/index.js';

/** Attribute names of a MetaStore row (legacy-format §8.5.2). */
export const Row = {
  MaterialName: 'N',
  Version: 'V',
  MaterialType: 't',
  EncryptionKey: 'enc',
  EncryptionAlgorithm: 'encAlg',
  IntegrityKey: 'int',
  IntegrityAlgorithm: 'intAlg',
  /**
   * ddbec's one extra attribute: when the version was created (epoch ms, as a number), for
   * time-based rotation. Encrypted and signed like the key fields, so the Java and Python
   * MetaStores — which decrypt every attribute but N and V — read these rows unchanged.
   */
  CreatedAt: 'createdAt',
} as const;

const ROW_ACTIONS = new AttributeActions({ attributeActions: { [Row.MaterialName]: 'SIGN_ONLY', [Row.Version]: 'SIGN_ONLY' } });

/** How MetaStore rows of one table are encrypted: N and V signed, everything else encrypted, by the inner provider. */
export function rowConfig(tableName: string): CryptoConfig {
  return {
    encryptionContext: { tableName, partitionKeyName: Row.MaterialName, sortKeyName: Row.Version },
    attributeActions: ROW_ACTIONS,
  };
}

/**
 * Makes a new version: fresh 32-byte AES wrapping and HMAC-SHA256 keys, the plaintext row,
 * and the wrapped provider they form.
 */
export function newVersion(materialName: string, version: number, createdAt: number): { row: Item; provider: CryptographicMaterialsProvider } {
  const encryptionKey = SecretKey.generate('AES', 256);
  const integrityKey = SecretKey.generate('HmacSHA256', 256);
  const row: Item = {
    [Row.MaterialName]: { S: materialName },
    [Row.Version]: { N: String(version) },
    [Row.MaterialType]: { S: '0' },
    [Row.EncryptionKey]: { B: encryptionKey.exportBytes() },
    [Row.EncryptionAlgorithm]: { S: encryptionKey.algorithm },
    [Row.IntegrityKey]: { B: integrityKey.exportBytes() },
    [Row.IntegrityAlgorithm]: { S: integrityKey.algorithm },
    [Row.CreatedAt]: { N: String(createdAt) },
  };
  return { row, provider: providerFromKeys(materialName, version, encryptionKey, integrityKey) };
}

/** The provider a decrypted row describes (legacy-format §8.5.3). */
export function providerFromRow(row: Item): {
  materialName: string;
  version: number;
  provider: CryptographicMaterialsProvider;
  createdAt: number | undefined;
} {
  const materialName = text(row, Row.MaterialName, 'S');
  const version = Number(text(row, Row.Version, 'N'));
  if (!Number.isSafeInteger(version) || version < 0) throw malformed('version');
  if (text(row, Row.MaterialType, 'S') !== '0') {
    throw new DdbecError('ERR_MATERIALS_UNAVAILABLE', `MetaStore row ${metaId(materialName, version)} has an unsupported material type`);
  }
  const encryptionKey = SecretKey.fromBytes(bytes(row, Row.EncryptionKey), text(row, Row.EncryptionAlgorithm, 'S'));
  const integrityKey = SecretKey.fromBytes(bytes(row, Row.IntegrityKey), text(row, Row.IntegrityAlgorithm, 'S'));
  const created = row[Row.CreatedAt];
  const createdAt = created && 'N' in created ? Number(created.N) : undefined;
  return {
    materialName,
    version,
    provider: providerFromKeys(materialName, version, encryptionKey, integrityKey),
    createdAt: createdAt !== undefined && Number.isFinite(createdAt) ? createdAt : undefined,
  };
}

function providerFromKeys(materialName: string, version: number, encryptionKey: SecretKey, integrityKey: SecretKey): CryptographicMaterialsProvider {
  return new WrappedMaterialsProvider({
    wrappingKey: encryptionKey,
    signingKey: integrityKey,
    materialDescription: { [MaterialDescriptionKey.MetaStoreId]: metaId(materialName, version) },
  });
}

/** Encrypts a new row with the store's inner provider. */
export function encryptRow(encryptor: ItemEncryptor, tableName: string, row: Item): Promise<Item> {
  return encryptor.encryptItem(row, rowConfig(tableName));
}

/** Verifies and decrypts a stored row, and builds its provider. */
export async function readRow(encryptor: ItemEncryptor, tableName: string, stored: Item): Promise<VersionedRow> {
  return providerFromRow(await encryptor.decryptItem(stored, rowConfig(tableName)));
}

export type VersionedRow = ReturnType<typeof providerFromRow>;

function text(row: Item, name: string, type: 'S' | 'N'): string {
  const value: AttributeValue | undefined = row[name];
  if (value === undefined || !(type in value)) throw malformed(name);
  return (value as Record<typeof type, string>)[type];
}

function bytes(row: Item, name: string): Uint8Array {
  const value = row[name];
  if (value === undefined || !('B' in value)) throw malformed(name);
  return value.B;
}

function malformed(what: string): DdbecError {
  return new DdbecError('ERR_MALFORMED_ITEM', `MetaStore row has no valid "${what}" attribute`);
}
