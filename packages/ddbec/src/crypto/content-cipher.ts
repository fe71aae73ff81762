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
   * `encrypt` of several plaintexts with one key, in one pass (one call into OpenSSL, one
   * output buffer): the results are views of one buffer, which holds only these ciphertexts.
   * The plaintext of each input is written by `plaintext` straight into the cipher's input
   * (inputs in order: `size`, then `write`, for each).
   */
  encryptAll<T>(key: SecretKey, inputs: readonly T[], plaintext: PlaintextWriter<T>): Uint8Array[];
  /** Any failure (short input, not a block multiple, bad padding) → ERR_DECRYPTION_FAILED. */
  decrypt(key: SecretKey, ivAndCiphertext: Uint8Array): Uint8Array;
  /**
   * `decrypt` of several ciphertexts with one key, in one pass. The plaintexts lie in one
   * buffer, `data`: the i-th from `bounds[2i]` to `bounds[2i+1]`, or `bounds[2i]` is -1 where
   * `decrypt` would fail. A key that is not an AES key → ERR_DECRYPTION_FAILED.
   */
  decryptAll(key: SecretKey, ciphertexts: readonly Uint8Array[]): DecryptedAll;
}

/** Writes the plaintext of an input of {@link ContentCipher.encryptAll}. */
export interface PlaintextWriter<T> {
  /** The plaintext size of `input`; `write` of the same input follows at once. */
  size(input: T): number;
  /** Writes the plaintext of the input sized last (`size` bytes) into `out` at `offset`. */
  write(out: Uint8Array, offset: number): void;
}

/** What {@link ContentCipher.decryptAll} returns. */
export interface DecryptedAll {
  readonly data: Uint8Array;
  readonly bounds: readonly number[];
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

/** Where each message of one encryption ends, reused. */
const ends: number[] = [];
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
    assertBytes(plaintext, 'plaintext');
    return this.encryptAll(key, [plaintext], BYTES)[0] as Uint8Array;
  }

  encryptAll<T>(key: SecretKey, inputs: readonly T[], plaintext: PlaintextWriter<T>): Uint8Array[] {
    if (!(key instanceof SecretKey) || key.algorithm !== 'AES') throw new DdbecError('ERR_INVALID_KEY', `${this.name} requires an AES secret key`);
    const raw = secretKeyBytes(key);
    const count = inputs.length;
    let total = 0;
    try {
      for (let i = 0; i < count; i++) {
        const length = plaintext.size(inputs[i] as T);
        const padLength = BLOCK - (length % BLOCK);
        const end = total + BLOCK + length + padLength;
        const input = reserve(total, end);
        fillPublicRandom(input, total, BLOCK);
        plaintext.write(input, total + BLOCK);
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
      // Views made with the Uint8Array constructor: Buffer#subarray costs a species lookup more.
      const results = new Array<Uint8Array>(count);
      for (let i = 0, start = 0; i < count; i++) {
        const end = ends[i] as number;
        results[i] = new Uint8Array(out.buffer, out.byteOffset + start, end - start);
        start = end;
      }
      return results;
    } finally {
      scratch.fill(0, 0, total);
    }
  }

  decrypt(key: SecretKey, ivAndCiphertext: Uint8Array): Uint8Array {
    const { data, bounds } = this.decryptAll(key, [ivAndCiphertext]);
    const start = bounds[0] as number;
    if (start < 0) throw decryptFailed();
    return data.subarray(start, bounds[1]);
  }

  decryptAll(key: SecretKey, ciphertexts: readonly Uint8Array[]): DecryptedAll {
    if (!(key instanceof SecretKey) || key.algorithm !== 'AES') {
      throw new DdbecError('ERR_DECRYPTION_FAILED', `${DECRYPT_FAILED}: ${this.name} requires an AES secret key`);
    }
    const raw = secretKeyBytes(key);
    // IV || ciphertext of each well-formed input, one after the other (public bytes); bounds
    // first holds where each ends (-1: not well-formed), then where its plaintext lies.
    const bounds = new Array<number>(2 * ciphertexts.length).fill(-1);
    let total = 0;
    for (let i = 0; i < ciphertexts.length; i++) {
      const data = ciphertexts[i];
      if (!(data instanceof Uint8Array) || data.length < 2 * BLOCK || data.length % BLOCK !== 0) continue;
      reserve(total, total + data.length).set(data, total);
      bounds[2 * i + 1] = total += data.length;
    }
    if (total === 0) return { data: EMPTY, bounds };
    let padded: Buffer;
    try {
      padded = decryptContext(key, raw).update(scratch.subarray(0, total));
    } catch {
      decryptContexts.delete(key);
      return { data: EMPTY, bounds: bounds.fill(-1) };
    }
    if (padded.length !== total) return { data: EMPTY, bounds: bounds.fill(-1) };
    for (let i = 0, start = 0; i < ciphertexts.length; i++) {
      const end = bounds[2 * i + 1] as number;
      if (end < 0) continue;
      const plaintextEnd = unpad(padded, start, end);
      bounds[2 * i] = plaintextEnd < 0 ? -1 : start + BLOCK;
      bounds[2 * i + 1] = plaintextEnd;
      start = end;
    }
    return { data: padded, bounds };
  }
}

const EMPTY = new Uint8Array(0);

/** The plaintext of {@link ContentCipher.encrypt}: the bytes themselves. */
const BYTES: PlaintextWriter<Uint8Array> = (() => {
  let pending: Uint8Array = EMPTY;
  return {
    size(input: Uint8Array): number {
      pending = input;
      return input.length;
    },
    write(out: Uint8Array, offset: number): void {
      out.set(pending, offset);
      pending = EMPTY;
    },
  };
})();

/**
 * The end of the message in `padded[start, end)` (its first block is the IV's, not part of
 * it), or -1 when its PKCS#7 padding is not valid, in which case its bytes are zeroed. The
 * check does not branch on the padding bytes: pad in 1..16 and the last `pad` bytes all equal
 * to pad.
 */
function unpad(padded: Buffer, start: number, end: number): number {
  for (let i = start; i < start + BLOCK; i++) padded[i] = 0;
  const pad = padded[end - 1] ?? 0;
  let bad = ((pad - 1) >>> 31) | ((BLOCK - pad) >>> 31);
  for (let i = 1; i <= BLOCK; i++) {
    const inPadding = (i - pad - 1) >>> 31; // 1 when i <= pad
    bad |= inPadding & (((padded[end - i] ?? 0) ^ pad) + 0xff) >>> 8;
  }
  if (bad !== 0) {
    padded.fill(0, start, end);
    return -1;
  }
  return end - pad;
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
