/** Attribute encryption: AES/CBC/PKCS5Padding with a random IV stored in front (legacy-format §5). */
import { createCipheriv, createDecipheriv, type Decipher } from 'node:crypto';
import { DdbecError } from '../errors.js';
import { SecretKey, secretKeyBytes } from './keys.js';
import { allocOwned, assertBytes, fillPublicRandom, nameOf } from './primitives.js';

export interface ContentCipher {
  /** JCE transformation, 'AES/CBC/PKCS5Padding'. */
  readonly name: string;
  /** IV (16 random bytes) || AES-CBC-PKCS#7 ciphertext. */
  encrypt(key: SecretKey, plaintext: Uint8Array): Uint8Array;
  /** Any failure (short input, not a block multiple, bad padding) → ERR_DECRYPTION_FAILED. */
  decrypt(key: SecretKey, ivAndCiphertext: Uint8Array): Uint8Array;
}

const BLOCK = 16;
const DECRYPT_FAILED = 'ciphertext could not be decrypted';
const decryptFailed = (): DdbecError => new DdbecError('ERR_DECRYPTION_FAILED', DECRYPT_FAILED);

function cbcName(keyLength: number): string {
  return keyLength === 16 ? 'aes-128-cbc' : keyLength === 24 ? 'aes-192-cbc' : 'aes-256-cbc';
}

/**
 * Up to this many ciphertext bytes, decrypt with a cached per-key AES-ECB context and XOR in
 * JavaScript; above it, a fresh AES-CBC context is faster.
 */
const ECB_PATH_MAX_BYTES = 1024;
const ecbDeciphers = new WeakMap<SecretKey, Decipher>();

/**
 * A reusable AES-ECB decipher without padding. ECB keeps no state between update() calls
 * that are whole blocks (all ours are), so one context serves every decryption with the key.
 */
function ecbDecipher(key: SecretKey, raw: Buffer): Decipher {
  let decipher = ecbDeciphers.get(key);
  if (decipher === undefined) {
    decipher = createDecipheriv(`aes-${raw.length * 8}-ecb`, raw, null);
    decipher.setAutoPadding(false);
    ecbDeciphers.set(key, decipher);
  }
  return decipher;
}

class AesCbcPkcs5Cipher implements ContentCipher {
  readonly name = 'AES/CBC/PKCS5Padding';

  encrypt(key: SecretKey, plaintext: Uint8Array): Uint8Array {
    if (!(key instanceof SecretKey) || key.algorithm !== 'AES') throw new DdbecError('ERR_INVALID_KEY', `${this.name} requires an AES secret key`);
    assertBytes(plaintext, 'plaintext');
    const raw = secretKeyBytes(key);
    const length = plaintext.length;
    const padLength = BLOCK - (length % BLOCK);
    // Pad by hand (PKCS#7) so one update() yields the whole ciphertext and final() is not needed.
    const padded = allocOwned(length + padLength);
    padded.set(plaintext, 0);
    padded.fill(padLength, length);
    const out = allocOwned(BLOCK + padded.length);
    fillPublicRandom(out, 0, BLOCK);
    try {
      const cipher = createCipheriv(cbcName(raw.length), raw, out.subarray(0, BLOCK));
      cipher.setAutoPadding(false);
      const ciphertext = cipher.update(padded);
      if (ciphertext.length !== padded.length) throw new Error('unexpected AES-CBC output length');
      out.set(ciphertext, BLOCK);
    } catch (cause) {
      throw new DdbecError('ERR_ENCRYPTION_FAILED', 'attribute could not be encrypted', { cause });
    } finally {
      padded.fill(0);
    }
    return out;
  }

  decrypt(key: SecretKey, ivAndCiphertext: Uint8Array): Uint8Array {
    if (!(key instanceof SecretKey) || key.algorithm !== 'AES') {
      throw new DdbecError('ERR_DECRYPTION_FAILED', `${DECRYPT_FAILED}: ${this.name} requires an AES secret key`);
    }
    const data = ivAndCiphertext;
    if (!(data instanceof Uint8Array) || data.length < 2 * BLOCK || data.length % BLOCK !== 0) throw decryptFailed();
    const raw = secretKeyBytes(key);
    const body = data.subarray(BLOCK);
    let padded: Buffer;
    try {
      if (body.length <= ECB_PATH_MAX_BYTES) {
        // CBC decryption is ECB decryption XOR the previous ciphertext block (the IV first).
        // A cached ECB context per key skips creating a cipher per attribute.
        padded = ecbDecipher(key, raw).update(body);
        for (let i = 0; i < padded.length; i++) padded[i] = (padded[i] ?? 0) ^ (data[i] ?? 0);
      } else {
        const decipher = createDecipheriv(cbcName(raw.length), raw, data.subarray(0, BLOCK));
        decipher.setAutoPadding(false);
        padded = decipher.update(body);
      }
    } catch {
      ecbDeciphers.delete(key);
      throw decryptFailed();
    }
    const length = padded.length;
    if (length !== data.length - BLOCK) throw decryptFailed();
    // PKCS#7 check without branching on the padding bytes: pad in 1..16 and the last `pad`
    // bytes all equal to pad.
    const pad = padded[length - 1] ?? 0;
    let bad = ((pad - 1) >>> 31) | ((BLOCK - pad) >>> 31);
    for (let i = 1; i <= BLOCK; i++) {
      const inPadding = (i - pad - 1) >>> 31; // 1 when i <= pad
      bad |= inPadding & (((padded[length - i] ?? 0) ^ pad) + 0xff) >>> 8;
    }
    if (bad !== 0) {
      padded.fill(0);
      throw decryptFailed();
    }
    return padded.subarray(0, length - pad);
  }
}

const AES_CBC_PKCS5 = Object.freeze(new AesCbcPkcs5Cipher());

/**
 * The attribute cipher for `<keyAlgorithm><symMode>`; only 'AES' + '/CBC/PKCS5Padding' is
 * supported, anything else → ERR_UNSUPPORTED_ALGORITHM.
 */
export function getContentCipher(keyAlgorithm: string, symMode: string): ContentCipher {
  if (keyAlgorithm === 'AES' && symMode === '/CBC/PKCS5Padding') return AES_CBC_PKCS5;
  throw new DdbecError('ERR_UNSUPPORTED_ALGORITHM', `unsupported content cipher: ${nameOf(keyAlgorithm)}${nameOf(symMode)}`);
}
