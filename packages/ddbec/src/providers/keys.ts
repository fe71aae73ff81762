import { DdbecError } from '../errors.js';
import { isDelegatedKey, RsaPrivateKey, RsaPublicKey, SecretKey } from '../crypto/index.js';
import type { ContentKey, DelegatedKey, SigningKey, VerificationKey } from '../crypto/index.js';

/** The public half that verifies what a signing key signs. */
export function verificationKeyFor(signingKey: SigningKey): VerificationKey {
  if (signingKey instanceof RsaPrivateKey) return signingKey.publicKey(signingKey.algorithm);
  if (isDelegatedKey(signingKey) && signingKey.keyType === 'private') {
    throw new DdbecError('ERR_INVALID_ARGUMENT', 'a delegated RSA signing key needs an explicit verificationKey (its public half)');
  }
  return signingKey;
}

/** A delegated AES key (`keyType` secret, algorithm AES). */
export function isDelegatedAesKey(key: unknown): key is DelegatedKey {
  return isDelegatedKey(key) && key.keyType === 'secret' && key.algorithm === 'AES';
}

/** Requires an AES secret key (content or key-encryption key), in software or delegated. */
export function requireAesKey(key: unknown, what: string): ContentKey {
  if ((key instanceof SecretKey && key.algorithm === 'AES') || isDelegatedAesKey(key)) return key;
  throw new DdbecError('ERR_INVALID_KEY', `${what} must be an AES SecretKey or a delegated AES key`);
}

const isHmac = (key: unknown): boolean =>
  (key instanceof SecretKey || (isDelegatedKey(key) && key.keyType === 'secret')) && key.algorithm.startsWith('Hmac');

/** Requires an HMAC secret key or an RSA key of the right half (software or delegated). */
export function requireSigningKey(key: unknown, what: string): SigningKey {
  if (isHmac(key) || key instanceof RsaPrivateKey || (isDelegatedKey(key) && key.keyType === 'private')) return key as SigningKey;
  throw new DdbecError('ERR_INVALID_KEY', `${what} must be an HMAC SecretKey or an RsaPrivateKey (or such a delegated key)`);
}

export function requireVerificationKey(key: unknown, what: string): VerificationKey {
  if (isHmac(key) || key instanceof RsaPublicKey || (isDelegatedKey(key) && key.keyType === 'public')) return key as VerificationKey;
  throw new DdbecError('ERR_INVALID_KEY', `${what} must be an HMAC SecretKey or an RsaPublicKey (or such a delegated key)`);
}
