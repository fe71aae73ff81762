/**
 * ddbec — the DynamoDB Encryption Client for TypeScript.
 *
 * Client-side encryption and signing of DynamoDB items in the format of the Java and Python
 * DynamoDB Encryption Clients. Serialization primitives are in `ddbec/format`; plain
 * JavaScript objects are handled by `ddbec/native`.
 */
export { DdbecError, isDdbecError, isRetryable, type DdbecErrorCode } from './errors.js';
export {
  CryptoAction,
  MATERIAL_DESCRIPTION_ATTRIBUTE,
  SIGNATURE_ATTRIBUTE,
  type AttributeValue,
  type Item,
  type SerializationProfile,
} from './format/index.js';
export {
  asDelegatedKey,
  isDelegatedKey,
  generateRsaKeyPair,
  RsaPrivateKey,
  RsaPublicKey,
  SecretKey,
  type SigningKey,
  type UnwrappingKey,
  type VerificationKey,
  type WrappingKey,
  type ContentKey,
  type DelegatedKey,
} from './crypto/index.js';
export {
  MaterialDescriptionKey,
  type CryptographicMaterialsProvider,
  type DecryptionMaterials,
  type EncryptionContext,
  type EncryptionContextInit,
  type EncryptionMaterials,
} from './materials/index.js';
export * from './providers/index.js';
export * from './encryptor/index.js';
