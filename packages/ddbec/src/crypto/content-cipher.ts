/** Attribute encryption: AES/CBC/PKCS5Padding with a random IV stored in front (legacy-format §5). */
import { createCipheriv, createDecipheriv, type Cipher, type Decipher } from 'node:crypto';
import { DdbecError } from '../errors.js';
import { SecretKey, secretKeyBytes } from './keys.js';
import { assertBytes, fillPublicRandom, nameOf } from './primitives.js';

export interface ContentCipher {
  /** JCE transformation, 'AES/CBC/PKCS5Padding'. */
  readonly name: string;
  /** IV (16 random bytes) || AES-CBC-PKCS#7 ciphertext. */
  encrypt(key: SecretKey, plaintext: Uint8Array): Uint8Array;
  /**
   * `encrypt` of `count` plaintexts with one key, in one pass (one call into OpenSSL, one
   * output buffer): the results are views of one buffer, which holds only these ciphertexts.
   * `plaintextAt(i)` is called in order, and its bytes are copied before the next call.
   */
  encryptAll(key: SecretKey, count: number, plaintextAt: (index: number) => Uint8Array): Uint8Array[];
  /** Any failure (short input, not a block multiple, bad padding) → ERR_DECRYPTION_FAILED. */
  decrypt(key: SecretKey, ivAndCiphertext: Uint8Array): Uint8Array;
}

const BLOCK = 16;
const ZERO_BLOCK = new Uint8Array(BLOCK);
const DECRYPT_FAILED = 'ciphertext could not be decrypted';
const decryptFailed = (): DdbecError => new DdbecError('ERR_DECRYPTION_FAILED', DECRYPT_FAILED);

function cbcName(keyLength: number): string {
  return keyLength === 16 ? 'aes-128-cbc' : keyLength === 24 ? 'aes-192-cbc' : 'aes-256-cbc';
}

// One long-lived AES-CBC context per key and direction, instead of one per attribute (creating
// a cipher context costs more than encrypting a small value). A CBC context only carries its
// chaining block from one update() to the next, and every message starts with one extra block
// that sets it:
// - encrypt feeds a fresh random block R first; its output E(K, R XOR chain) is uniformly random
//   and unpredictable, and becomes the IV — the next block is chained to it as CBC requires
//   (SP 800-38A, appendix C: an IV may be the forward cipher of a nonce). One update() returns
//   IV || ciphertext.
// - decrypt feeds the stored IV || ciphertext: the IV's own "plaintext" is discarded, and the
//   IV becomes the chaining block of the first ciphertext block.
// Padding is done by hand and every update() is a whole number of blocks, so a context never
// holds back input, and what an earlier message (or a failed one) left in it cannot matter.
const encryptContexts = new WeakMap<SecretKey, Cipher>();
const decryptContexts = new WeakMap<SecretKey, Decipher>();

function encryptContext(key: SecretKey, raw: Buffer): Cipher {
  let cipher = encryptContexts.get(key);
  if (cipher === undefined) {
    cipher = createCipheriv(cbcName(raw.length), raw, ZERO_BLOCK);
    cipher.setAutoPadding(false);
    encryptContexts.set(key, cipher);
  }
  return cipher;
}

function decryptContext(key: SecretKey, raw: Buffer): Decipher {
  let decipher = decryptContexts.get(key);
  if (decipher === undefined) {
    decipher = createDecipheriv(cbcName(raw.length), raw, ZERO_BLOCK);
    decipher.setAutoPadding(false);
    decryptContexts.set(key, decipher);
  }
  return decipher;
}

/** Input of one encryption: (R || plaintext || padding) per message, reused and zeroed after each use. */
let scratch = new Uint8Array(4096);

/** `scratch` with room for `size` bytes, keeping (and moving) its first `used` bytes. */
function reserve(used: number, size: number): Uint8Array {
  if (scratch.length < size) {
    const bigger = new Uint8Array(Math.max(size, 2 * scratch.length));
    bigger.set(scratch.subarray(0, used));
    scratch.fill(0, 0, used);
    scratch = bigger;
  }
  return scratch;
}

class AesCbcPkcs5Cipher implements ContentCipher {
  readonly name = 'AES/CBC/PKCS5Padding';

  encrypt(key: SecretKey, plaintext: Uint8Array): Uint8Array {
    return this.encryptAll(key, 1, () => plaintext)[0] as Uint8Array;
  }

  encryptAll(key: SecretKey, count: number, plaintextAt: (index: number) => Uint8Array): Uint8Array[] {
    if (!(key instanceof SecretKey) || key.algorithm !== 'AES') throw new DdbecError('ERR_INVALID_KEY', `${this.name} requires an AES secret key`);
    const raw = secretKeyBytes(key);
    const ends = new Array<number>(count);
    let total = 0;
    try {
      for (let i = 0; i < count; i++) {
        const plaintext = plaintextAt(i);
        assertBytes(plaintext, 'plaintext');
        const length = plaintext.length;
        const padLength = BLOCK - (length % BLOCK);
        const end = total + BLOCK + length + padLength;
        const input = reserve(total, end);
        fillPublicRandom(input, total, BLOCK);
        input.set(plaintext, total + BLOCK);
        input.fill(padLength, end - padLength, end);
        ends[i] = total = end;
      }
      let out: Buffer;
      try {
        out = encryptContext(key, raw).update(scratch.subarray(0, total));
        if (out.length !== total) throw new Error('unexpected AES-CBC output length');
      } catch (cause) {
        encryptContexts.delete(key);
        throw new DdbecError('ERR_ENCRYPTION_FAILED', 'attribute could not be encrypted', { cause });
      }
      const results = new Array<Uint8Array>(count);
      for (let i = 0, start = 0; i < count; i++) {
        const end = ends[i] as number;
        results[i] = out.subarray(start, end);
        start = end;
      }
      return results;
    } finally {
      scratch.fill(0, 0, total);
    }
  }

  decrypt(key: SecretKey, ivAndCiphertext: Uint8Array): Uint8Array {
    if (!(key instanceof SecretKey) || key.algorithm !== 'AES') {
      throw new DdbecError('ERR_DECRYPTION_FAILED', `${DECRYPT_FAILED}: ${this.name} requires an AES secret key`);
    }
    const data = ivAndCiphertext;
    if (!(data instanceof Uint8Array) || data.length < 2 * BLOCK || data.length % BLOCK !== 0) throw decryptFailed();
    const raw = secretKeyBytes(key);
    let padded: Buffer;
    try {
      padded = decryptContext(key, raw).update(data);
    } catch {
      decryptContexts.delete(key);
      throw decryptFailed();
    }
    const length = padded.length;
    if (length !== data.length) throw decryptFailed();
    for (let i = 0; i < BLOCK; i++) padded[i] = 0; // the IV's block: not part of the message
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
    return padded.subarray(BLOCK, length - pad);
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
