export type { EncryptionContext, EncryptionContextInit } from './encryption-context.js';
export type { CryptographicMaterialsProvider, DecryptionMaterials, EncryptionMaterials } from './materials.js';
export { MaterialDescriptionKey, settle, SYMMETRIC_MODE, toDescriptionMap } from './materials.js';
