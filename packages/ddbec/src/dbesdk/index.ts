/**
 * `ddbec/dbesdk` — the AWS Database Encryption SDK item format (the successor of the legacy
 * format, "DynamoDB Encryption Client 3.x"): the item encryptor, its keyrings, the two algorithm
 * suites, and keyless header parsing for inspection.
 */
export { DbesdkItemEncryptor } from './item-encryptor.js';
export { FOOTER_ATTRIBUTE, HEADER_ATTRIBUTE, isDbesdkItem, type DbesdkCryptoAction, type DbesdkItemEncryptorConfig } from './config.js';
export { RawAesKeyring, type RawAesKeyringOptions } from '../keyrings/raw-aes.js';
export { HIERARCHY_PROVIDER_ID, HierarchicalKeyring, type HierarchicalKeyringOptions } from '../keyrings/hierarchical/hierarchical-keyring.js';
export { StaticBranchKeyStore, type StaticBranchKey } from '../keyrings/hierarchical/static-branch-key-store.js';
export {
  algorithmSuiteById,
  DBE_ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384_SYMSIG_HMAC_SHA384,
  DBE_ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY_SYMSIG_HMAC_SHA384,
  DEFAULT_ALGORITHM_SUITE,
  type AlgorithmSuite,
} from '../keyrings/algorithm-suites.js';
export type {
  BeaconKeyMaterials,
  BranchKeyMaterials,
  BranchKeyStore,
  DecryptionMaterials,
  EncryptedDataKey,
  EncryptionContext,
  EncryptionMaterials,
  Keyring,
} from '../keyrings/types.js';
export { parseHeader, type LegendAction, type ParsedHeader } from '../structured/header.js';
export type { AttributeValue, Item } from '../format/attribute-value.js';
