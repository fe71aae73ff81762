/**
 * The crypto layer: keys, primitives and the algorithm registry. The only part of ddbec that
 * imports `node:crypto`.
 */
export {
  SecretKey,
  RsaPublicKey,
  RsaPrivateKey,
  generateRsaKeyPair,
  type SigningKey,
  type VerificationKey,
  type WrappingKey,
  type UnwrappingKey,
  type ContentKey,
} from './keys.js';
export { asDelegatedKey, delegatedOperation, isDelegatedKey, type DelegatedKey } from './delegated-key.js';
export { sha256, sha256Transient, randomBytes, timingSafeEqual, hkdfSha256 } from './primitives.js';
export { getSignatureAlgorithm, type SignatureAlgorithm } from './signature.js';
export { getWrappingAlgorithm, type WrappingAlgorithm } from './wrapping.js';
export { getContentCipher, type ContentCipher, type PlaintextWriter } from './content-cipher.js';
