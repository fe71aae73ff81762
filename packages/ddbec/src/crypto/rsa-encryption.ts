/**
 * RSA encryption of a short secret for the raw RSA keyring (mpl-spec framework/raw-rsa-keyring.md):
 * PKCS#1 v1.5, or OAEP whose MGF1 uses the same hash as the label (unlike the legacy format's
 * Java-style OAEP, whose MGF1 is always SHA-1).
 */
import { constants, publicEncrypt } from 'node:crypto';
import { privateKeyObject, publicKeyObject, type RsaPrivateKey, type RsaPublicKey } from './keys.js';
import { modulusBytes, oaepDecode, oaepEncode, oaepMaxMessageLength, pkcs1v15Decode, rsaPrivateRaw, rsaPublicRaw } from './rsa-padding.js';

export type RsaPadding = 'PKCS1' | 'OAEP_SHA1_MGF1' | 'OAEP_SHA256_MGF1' | 'OAEP_SHA384_MGF1' | 'OAEP_SHA512_MGF1';

export const RSA_PADDINGS: readonly RsaPadding[] = ['PKCS1', 'OAEP_SHA1_MGF1', 'OAEP_SHA256_MGF1', 'OAEP_SHA384_MGF1', 'OAEP_SHA512_MGF1'];

const OAEP_HASH: Readonly<Record<Exclude<RsaPadding, 'PKCS1'>, string>> = {
  OAEP_SHA1_MGF1: 'sha1',
  OAEP_SHA256_MGF1: 'sha256',
  OAEP_SHA384_MGF1: 'sha384',
  OAEP_SHA512_MGF1: 'sha512',
};

/** The longest secret the padding can carry under the key. */
export function rsaMaxPlaintextLength(key: RsaPublicKey, padding: RsaPadding): number {
  const k = modulusBytes(publicKeyObject(key));
  return padding === 'PKCS1' ? k - 11 : oaepMaxMessageLength(k, OAEP_HASH[padding]);
}

/** Encrypts `plaintext` (at most {@link rsaMaxPlaintextLength} bytes). */
export function rsaEncrypt(key: RsaPublicKey, padding: RsaPadding, plaintext: Uint8Array): Uint8Array {
  const keyObject = publicKeyObject(key);
  if (padding === 'PKCS1') return new Uint8Array(publicEncrypt({ key: keyObject, padding: constants.RSA_PKCS1_PADDING }, plaintext));
  const hash = OAEP_HASH[padding];
  const em = oaepEncode(plaintext, modulusBytes(keyObject), hash, hash);
  try {
    return new Uint8Array(rsaPublicRaw(keyObject, em));
  } finally {
    em.fill(0);
  }
}

/** Decrypts; `undefined` for any ciphertext that does not decrypt (one answer for every failure). */
export function rsaDecrypt(key: RsaPrivateKey, padding: RsaPadding, ciphertext: Uint8Array): Uint8Array | undefined {
  const keyObject = privateKeyObject(key);
  const k = modulusBytes(keyObject);
  if (ciphertext.length !== k) return undefined;
  let em: Buffer;
  try {
    em = rsaPrivateRaw(keyObject, ciphertext);
  } catch {
    return undefined; // the ciphertext is not below n: public information
  }
  if (em.length !== k) return undefined;
  const hash = padding === 'PKCS1' ? undefined : OAEP_HASH[padding];
  const plaintext = hash === undefined ? pkcs1v15Decode(em) : oaepDecode(em, hash, hash);
  em.fill(0);
  return plaintext === undefined ? undefined : new Uint8Array(plaintext);
}
