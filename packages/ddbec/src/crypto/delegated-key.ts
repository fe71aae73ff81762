/**
 * Delegated keys: keys whose operations happen elsewhere — in an HSM through PKCS#11, in a
 * remote signer — and may be asynchronous (the Java and Python clients' `DelegatedKey`). The
 * item encryptor and the providers ask the key to encrypt, wrap or sign; its bytes never
 * have to be in this process. Software keys ({@link SecretKey}, {@link RsaPrivateKey},
 * {@link RsaPublicKey}) stay the direct, synchronous path; {@link asDelegatedKey} shows them
 * through the same seam.
 *
 * Every `algorithm` argument is the name the legacy format writes in material descriptions:
 * `AES/CBC/PKCS5Padding` (content cipher), `AESWrap` or `RSA/ECB/OAEPWith…AndMGF1Padding`
 * (wrapping), `HmacSHA256` or `SHA256withRSA` (signatures) — or, for the raw RSA keyring's
 * intermediate key, the keyring's padding scheme (`PKCS1`, `OAEP_SHA256_MGF1`, …: OAEP whose
 * MGF1 uses the label's hash, where the legacy names always mean MGF1 with SHA-1).
 */
import { DdbecError } from '../errors.js';
import { getContentCipher } from './content-cipher.js';
import { aesGcmDecrypt, aesGcmEncrypt } from './dbe.js';
import { RsaPrivateKey, RsaPublicKey, SecretKey, secretKeyBytes } from './keys.js';
import { randomBytes } from './primitives.js';
import { RSA_PADDINGS, rsaDecrypt, rsaEncrypt, type RsaPadding } from './rsa-encryption.js';
import { oaepDecode, pkcs1v15Decode } from './rsa-padding.js';
import { getSignatureAlgorithm } from './signature.js';
import { getWrappingAlgorithm } from './wrapping.js';

export interface DelegatedKey {
  /** `secret` (AES, HMAC), or the `private` / `public` half of an RSA key pair. */
  readonly keyType: 'secret' | 'private' | 'public';
  /** JCE key algorithm: `AES`, `HmacSHA256`, …, or `RSA` (or a `SHA256withRSA`-style name) for RSA halves. */
  readonly algorithm: string;
  /** `AES/CBC/PKCS5Padding`: a fresh random IV (16 bytes) followed by the ciphertext. */
  encrypt?(algorithm: string, plaintext: Uint8Array): Promise<Uint8Array>;
  /** The inverse of `encrypt`; any failure → `ERR_DECRYPTION_FAILED`. */
  decrypt?(algorithm: string, ivAndCiphertext: Uint8Array): Promise<Uint8Array>;
  /** Wraps a content key (`AESWrap`: RFC 3394; RSA: with the public half). */
  wrap?(algorithm: string, contentKey: Uint8Array): Promise<Uint8Array>;
  /** Unwraps a content key; any failure → `ERR_UNWRAPPING_FAILED`. */
  unwrap?(algorithm: string, wrapped: Uint8Array): Promise<Uint8Array>;
  /**
   * AES-GCM with a 16-byte tag, for the raw AES keyring: encrypts under a 12-byte IV that the key
   * chooses (an HSM may insist on choosing it), authenticating `aad`. Returns the IV and the
   * ciphertext followed by the tag.
   */
  gcmEncrypt?(plaintext: Uint8Array, aad: Uint8Array): Promise<{ iv: Uint8Array; ciphertext: Uint8Array }>;
  /** The inverse of `gcmEncrypt`; a tag that does not verify (any failure) → `ERR_DECRYPTION_FAILED`. */
  gcmDecrypt?(iv: Uint8Array, ciphertextAndTag: Uint8Array, aad: Uint8Array): Promise<Uint8Array>;
  sign?(algorithm: string, data: Uint8Array): Promise<Uint8Array>;
  /** False (never a rejection) when the signature does not match. */
  verify?(algorithm: string, data: Uint8Array, signature: Uint8Array): Promise<boolean>;
}

type Operation = 'encrypt' | 'decrypt' | 'gcmEncrypt' | 'gcmDecrypt' | 'wrap' | 'unwrap' | 'sign' | 'verify';
const KEY_TYPES: ReadonlySet<string> = new Set(['secret', 'private', 'public']);

/** True for an object that is a delegated key (and not one of the software key classes). */
export function isDelegatedKey(key: unknown): key is DelegatedKey {
  return (
    typeof key === 'object' &&
    key !== null &&
    !(key instanceof SecretKey || key instanceof RsaPrivateKey || key instanceof RsaPublicKey) &&
    KEY_TYPES.has((key as { keyType?: unknown }).keyType as string) &&
    typeof (key as { algorithm?: unknown }).algorithm === 'string'
  );
}

/** The key's `operation` method, or ERR_INVALID_KEY naming what is missing. */
export function delegatedOperation<K extends Operation>(key: DelegatedKey, operation: K, what: string): NonNullable<DelegatedKey[K]> {
  const method = key[operation];
  if (typeof method !== 'function') {
    throw new DdbecError('ERR_INVALID_KEY', `${what} (a delegated ${key.algorithm} key) cannot ${operation}`);
  }
  return method.bind(key) as NonNullable<DelegatedKey[K]>;
}

/**
 * A software key seen through the delegated-key seam: the same algorithms, answered by
 * promises. Items written through it are identical in format to those written with the key
 * directly; useful to test a delegated-key implementation against software, and for code that
 * wants one path for every key.
 */
export function asDelegatedKey(key: SecretKey | RsaPrivateKey | RsaPublicKey): DelegatedKey {
  const keyType = key instanceof SecretKey ? 'secret' : key instanceof RsaPrivateKey ? 'private' : 'public';
  const run = <T>(step: () => T): Promise<T> =>
    new Promise((resolve) => {
      resolve(step());
    });
  const delegated: DelegatedKey = {
    keyType,
    algorithm: key.algorithm,
  };
  if (!(key instanceof RsaPublicKey)) {
    delegated.sign = (algorithm, data) => run(() => getSignatureAlgorithm(algorithm).sign(key, data));
  }
  if (!(key instanceof RsaPrivateKey)) {
    delegated.verify = (algorithm, data, signature) => run(() => getSignatureAlgorithm(algorithm).verify(key, data, signature));
  }
  if (key instanceof SecretKey && key.algorithm === 'AES') {
    const cipher = (algorithm: string): ReturnType<typeof getContentCipher> => {
      const [keyAlgorithm, ...mode] = algorithm.split('/');
      return getContentCipher(keyAlgorithm ?? '', `/${mode.join('/')}`);
    };
    delegated.encrypt = (algorithm, plaintext) => run(() => cipher(algorithm).encrypt(key, plaintext));
    delegated.decrypt = (algorithm, data) => run(() => cipher(algorithm).decrypt(key, data));
    delegated.gcmEncrypt = (plaintext, aad) =>
      run(() => {
        const iv = randomBytes(12);
        return { iv, ciphertext: aesGcmEncrypt(secretKeyBytes(key), iv, plaintext, aad) };
      });
    delegated.gcmDecrypt = (iv, ciphertextAndTag, aad) =>
      run(() => {
        const plaintext = aesGcmDecrypt(secretKeyBytes(key), iv, ciphertextAndTag, aad);
        if (plaintext === undefined) throw new DdbecError('ERR_DECRYPTION_FAILED', 'ciphertext could not be decrypted');
        return plaintext;
      });
  }
  if (key instanceof RsaPublicKey) {
    delegated.wrap = (algorithm, contentKey) =>
      run(() => (isRsaPadding(algorithm) ? rsaEncrypt(key, algorithm, contentKey) : getWrappingAlgorithm(algorithm).wrap(key, contentKey)));
  } else if (key instanceof SecretKey) {
    delegated.wrap = (algorithm, contentKey) => run(() => getWrappingAlgorithm(algorithm).wrap(key, contentKey));
  }
  if (key instanceof RsaPrivateKey) {
    delegated.unwrap = (algorithm, wrapped) => run(() => (isRsaPadding(algorithm) ? keyringUnwrap(key, algorithm, wrapped) : getWrappingAlgorithm(algorithm).unwrap(key, wrapped)));
  } else if (key instanceof SecretKey) {
    delegated.unwrap = (algorithm, wrapped) => run(() => getWrappingAlgorithm(algorithm).unwrap(key, wrapped));
  }
  return Object.freeze(delegated);
}

function isRsaPadding(algorithm: string): algorithm is RsaPadding {
  return (RSA_PADDINGS as readonly string[]).includes(algorithm);
}

function keyringUnwrap(key: RsaPrivateKey, padding: RsaPadding, wrapped: Uint8Array): Uint8Array {
  const intermediateKey = rsaDecrypt(key, padding, wrapped);
  if (intermediateKey === undefined) throw new DdbecError('ERR_UNWRAPPING_FAILED', 'content key could not be unwrapped');
  return intermediateKey;
}

type Hash = 'sha1' | 'sha256' | 'sha384' | 'sha512';

/**
 * How an RSA wrapping algorithm pads: OAEP with a label hash and an MGF1 hash (SHA-1 for the
 * legacy names, Java's defaults; the label's hash for the keyring's), or PKCS#1 v1.5.
 */
export type RsaWrapScheme = { readonly padding: 'oaep'; readonly hash: Hash; readonly mgfHash: Hash } | { readonly padding: 'pkcs1' };

const RSA_WRAP_SCHEMES: ReadonlyMap<string, RsaWrapScheme> = new Map<string, RsaWrapScheme>([
  ['RSA/ECB/OAEPWithSHA-1AndMGF1Padding', { padding: 'oaep', hash: 'sha1', mgfHash: 'sha1' }],
  ['RSA/ECB/OAEPWithSHA-256AndMGF1Padding', { padding: 'oaep', hash: 'sha256', mgfHash: 'sha1' }],
  ['RSA/ECB/OAEPWithSHA-384AndMGF1Padding', { padding: 'oaep', hash: 'sha384', mgfHash: 'sha1' }],
  ['RSA/ECB/OAEPWithSHA-512AndMGF1Padding', { padding: 'oaep', hash: 'sha512', mgfHash: 'sha1' }],
  ['RSA/ECB/PKCS1Padding', { padding: 'pkcs1' }],
  ['RSA', { padding: 'pkcs1' }],
  ['OAEP_SHA1_MGF1', { padding: 'oaep', hash: 'sha1', mgfHash: 'sha1' }],
  ['OAEP_SHA256_MGF1', { padding: 'oaep', hash: 'sha256', mgfHash: 'sha256' }],
  ['OAEP_SHA384_MGF1', { padding: 'oaep', hash: 'sha384', mgfHash: 'sha384' }],
  ['OAEP_SHA512_MGF1', { padding: 'oaep', hash: 'sha512', mgfHash: 'sha512' }],
  ['PKCS1', { padding: 'pkcs1' }],
]);

/** The padding of an RSA wrapping algorithm name; anything else → ERR_UNSUPPORTED_ALGORITHM. */
export function rsaWrapScheme(algorithm: string): RsaWrapScheme {
  const scheme = RSA_WRAP_SCHEMES.get(algorithm);
  if (scheme === undefined) throw new DdbecError('ERR_UNSUPPORTED_ALGORITHM', `unsupported RSA wrapping algorithm: ${algorithm}`);
  return scheme;
}

/**
 * For a delegated RSA key whose token returns the raw RSA decryption (`CKM_RSA_X_509`) of a
 * wrapped content key: removes the padding in software, with the same checks as the software
 * path. `em` must be as long as the modulus. Failure → ERR_UNWRAPPING_FAILED (no detail).
 */
export function decodeRsaUnwrapped(algorithm: string, em: Uint8Array): Uint8Array {
  const scheme = rsaWrapScheme(algorithm);
  const block = Buffer.from(em.buffer, em.byteOffset, em.length);
  const contentKey = scheme.padding === 'oaep' ? oaepDecode(block, scheme.hash, scheme.mgfHash) : pkcs1v15Decode(block);
  if (contentKey === undefined) throw new DdbecError('ERR_UNWRAPPING_FAILED', 'content key could not be unwrapped');
  return contentKey;
}
