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
  /**
   * `decrypt` of several ciphertexts with one key, in one pass: each result is a view of one
   * buffer of these plaintexts, or `undefined` where `decrypt` would fail. A key that is not
   * an AES key → ERR_DECRYPTION_FAILED.
   */
  decryptAll(key: SecretKey, ciphertexts: readonly Uint8Array[]): (Uint8Array | undefined)[];
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
    const [plaintext] = this.decryptAll(key, [ivAndCiphertext]);
    if (plaintext === undefined) throw decryptFailed();
    return plaintext;
  }

  decryptAll(key: SecretKey, ciphertexts: readonly Uint8Array[]): (Uint8Array | undefined)[] {
    if (!(key instanceof SecretKey) || key.algorithm !== 'AES') {
      throw new DdbecError('ERR_DECRYPTION_FAILED', `${DECRYPT_FAILED}: ${this.name} requires an AES secret key`);
    }
    const raw = secretKeyBytes(key);
    // IV || ciphertext of each well-formed input, one after the other (public bytes)
    const ends = new Array<number>(ciphertexts.length).fill(-1);
    let total = 0;
    for (let i = 0; i < ciphertexts.length; i++) {
      const data = ciphertexts[i];
      if (!(data instanceof Uint8Array) || data.length < 2 * BLOCK || data.length % BLOCK !== 0) continue;
      reserve(total, total + data.length).set(data, total);
      ends[i] = total += data.length;
    }
    const results = new Array<Uint8Array | undefined>(ciphertexts.length).fill(undefined);
    if (total === 0) return results;
    let padded: Buffer;
    try {
      padded = decryptContext(key, raw).update(scratch.subarray(0, total));
    } catch {
      decryptContexts.delete(key);
      return results;
    }
    if (padded.length !== total) return results;
    for (let i = 0, start = 0; i < ciphertexts.length; i++) {
      const end = ends[i] as number;
      if (end < 0) continue;
      results[i] = unpad(padded, start, end);
      start = end;
    }
    return results;
  }
}

/**
 * The message in `padded[start, end)` (its first block is the IV's, not part of it), or
 * `undefined` when its PKCS#7 padding is not valid, in which case its bytes are zeroed. The
 * check does not branch on the padding bytes: pad in 1..16 and the last `pad` bytes all equal
 * to pad.
 */
function unpad(padded: Buffer, start: number, end: number): Uint8Array | undefined {
  for (let i = start; i < start + BLOCK; i++) padded[i] = 0;
  const pad = padded[end - 1] ?? 0;
  let bad = ((pad - 1) >>> 31) | ((BLOCK - pad) >>> 31);
  for (let i = 1; i <= BLOCK; i++) {
    const inPadding = (i - pad - 1) >>> 31; // 1 when i <= pad
    bad |= inPadding & (((padded[end - i] ?? 0) ^ pad) + 0xff) >>> 8;
  }
  if (bad !== 0) {
    padded.fill(0, start, end);
    return undefined;
  }
  return padded.subarray(start + BLOCK, end - pad);
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
