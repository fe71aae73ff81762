/**
 * Intermediate key wrapping (mpl-spec framework/algorithm-suites.md "Intermediate Key
 * Wrapping"), which both DB-ESDK suites require of every keyring.
 *
 * For each encrypted data key a fresh 32-byte intermediate key is drawn; HKDF-SHA512 (no salt)
 * derives from it the symmetric signing key (info `AWS_MPL_INTERMEDIATE_KEYWRAP_MAC`) and a key
 * encryption key (info `AWS_MPL_INTERMEDIATE_KEYWRAP_ENC`). The EDK ciphertext is
 *
 *   AES-256-GCM(key encryption key, IV = 12 zero bytes, AAD = serialized encryption context)(data key)
 *   (32 + 16 bytes)  ||  the intermediate key wrapped by the keyring (its own layout).
 *
 * A keyring supplies only how it wraps and unwraps the intermediate key.
 */
import { aesGcmDecrypt, aesGcmEncrypt, hkdfSha512 } from '../crypto/dbe.js';
import { randomBytes } from '../crypto/primitives.js';
import type { AlgorithmSuite } from './algorithm-suites.js';

const MAC_INFO = new TextEncoder().encode('AWS_MPL_INTERMEDIATE_KEYWRAP_MAC');
const ENC_INFO = new TextEncoder().encode('AWS_MPL_INTERMEDIATE_KEYWRAP_ENC');
const ZERO_IV = new Uint8Array(12);

/** Length of the wrapped data key at the start of every EDK ciphertext. */
export function wrappedDataKeyLength(suite: AlgorithmSuite): number {
  return suite.keyLength + suite.tagLength;
}

function deriveKeys(intermediateKey: Uint8Array, suite: AlgorithmSuite): { signingKey: Uint8Array; keyEncryptionKey: Uint8Array } {
  return {
    signingKey: hkdfSha512(intermediateKey, MAC_INFO, suite.commitmentLength),
    keyEncryptionKey: hkdfSha512(intermediateKey, ENC_INFO, suite.keyLength),
  };
}

/**
 * Wraps `dataKey` for one keyring. `wrapIntermediateKey` encrypts the fresh intermediate key
 * (the keyring's own envelope, bound to the same encryption context). Returns the EDK
 * ciphertext and the symmetric signing key that goes with this EDK.
 */
export async function wrapWithIntermediateKey(
  suite: AlgorithmSuite,
  dataKey: Uint8Array,
  encryptionContextAad: Uint8Array,
  wrapIntermediateKey: (intermediateKey: Uint8Array) => Uint8Array | Promise<Uint8Array>,
): Promise<{ ciphertext: Uint8Array; symmetricSigningKey: Uint8Array }> {
  const intermediateKey = randomBytes(suite.keyLength);
  try {
    const { signingKey, keyEncryptionKey } = deriveKeys(intermediateKey, suite);
    const wrappedDataKey = aesGcmEncrypt(keyEncryptionKey, ZERO_IV, dataKey, encryptionContextAad);
    keyEncryptionKey.fill(0);
    const wrappedIntermediateKey = await wrapIntermediateKey(intermediateKey);
    const ciphertext = new Uint8Array(wrappedDataKey.length + wrappedIntermediateKey.length);
    ciphertext.set(wrappedDataKey, 0);
    ciphertext.set(wrappedIntermediateKey, wrappedDataKey.length);
    return { ciphertext, symmetricSigningKey: signingKey };
  } finally {
    intermediateKey.fill(0);
  }
}

/**
 * The keyring's part of an EDK ciphertext (after the wrapped data key), or `undefined` when the
 * ciphertext is too short to hold both.
 */
export function providerWrappedMaterial(suite: AlgorithmSuite, ciphertext: Uint8Array): Uint8Array | undefined {
  const split = wrappedDataKeyLength(suite);
  return ciphertext.length > split ? ciphertext.subarray(split) : undefined;
}

/**
 * Unwraps an EDK ciphertext given the intermediate key the keyring recovered from
 * {@link providerWrappedMaterial}. Returns `undefined` when the data key does not authenticate
 * (wrong intermediate key or encryption context, altered bytes).
 */
export function unwrapWithIntermediateKey(
  suite: AlgorithmSuite,
  ciphertext: Uint8Array,
  encryptionContextAad: Uint8Array,
  intermediateKey: Uint8Array,
): { plaintextDataKey: Uint8Array; symmetricSigningKey: Uint8Array } | undefined {
  const { signingKey, keyEncryptionKey } = deriveKeys(intermediateKey, suite);
  const dataKey = aesGcmDecrypt(keyEncryptionKey, ZERO_IV, ciphertext.subarray(0, wrappedDataKeyLength(suite)), encryptionContextAad);
  keyEncryptionKey.fill(0);
  if (dataKey === undefined || dataKey.length !== suite.keyLength) {
    signingKey.fill(0);
    return undefined;
  }
  return { plaintextDataKey: dataKey, symmetricSigningKey: signingKey };
}
