import { DdbecError } from '../errors.js';
import { RsaPrivateKey, RsaPublicKey, SecretKey } from '../crypto/index.js';
import type { SigningKey, VerificationKey } from '../crypto/index.js';

/** The public half that verifies what a signing key signs. */
export function verificationKeyFor(signingKey: SigningKey): VerificationKey {
  return signingKey instanceof RsaPrivateKey ? signingKey.publicKey(signingKey.algorithm) : signingKey;
}

/** Requires an AES secret key (content or key-encryption key). */
export function requireAesKey(key: unknown, what: string): SecretKey {
  if (!(key instanceof SecretKey) || key.algorithm !== 'AES') {
    throw new DdbecError('ERR_INVALID_KEY', `${what} must be an AES SecretKey`);
  }
  return key;
}

/** Requires an HMAC secret key or an RSA key of the right half. */
export function requireSigningKey(key: unknown, what: string): SigningKey {
  if ((key instanceof SecretKey && key.algorithm.startsWith('Hmac')) || key instanceof RsaPrivateKey) return key;
  throw new DdbecError('ERR_INVALID_KEY', `${what} must be an HMAC SecretKey or an RsaPrivateKey`);
}

export function requireVerificationKey(key: unknown, what: string): VerificationKey {
  if ((key instanceof SecretKey && key.algorithm.startsWith('Hmac')) || key instanceof RsaPublicKey) return key;
  throw new DdbecError('ERR_INVALID_KEY', `${what} must be an HMAC SecretKey or an RsaPublicKey`);
}
