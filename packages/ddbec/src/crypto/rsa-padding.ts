/**
 * RSA encryption paddings done by hand over raw RSA (RSA_NO_PADDING):
 *
 * - EME-OAEP (RFC 8017 §7.1) with a free choice of the label hash and the MGF1 hash. Java's
 *   `RSA/ECB/OAEPWithSHA-256AndMGF1Padding` means hash SHA-256 but MGF1 with SHA-1, which
 *   Node's `oaepHash` option cannot express (it sets both).
 * - RSAES-PKCS1-v1_5 decoding (RFC 8017 §7.2.2), because Node 20 refuses PKCS#1 v1.5
 *   private decryption (CVE-2023-46809 mitigation). Only for legacy items.
 *
 * Decoders do not branch on secret data before the final accept/reject decision and report
 * every failure the same way (they return undefined).
 */
import { constants, privateDecrypt, publicEncrypt, randomFillSync, type KeyObject } from 'node:crypto';
import { allocOwned, copyOwned, digest } from './primitives.js';

const HASH_LENGTHS: Readonly<Record<string, number>> = { sha1: 20, sha224: 28, sha256: 32, sha384: 48, sha512: 64 };

export function hashLength(hash: string): number {
  const length = HASH_LENGTHS[hash];
  if (length === undefined) throw new Error(`unknown hash ${hash}`);
  return length;
}

/** The modulus size in bytes. */
export function modulusBytes(key: KeyObject): number {
  return Math.ceil((key.asymmetricKeyDetails?.modulusLength ?? 0) / 8);
}

/** Raw RSA public operation on a k-byte block (which must be numerically below n). */
export function rsaPublicRaw(key: KeyObject, block: Uint8Array): Buffer {
  return publicEncrypt({ key, padding: constants.RSA_NO_PADDING }, block);
}

/** Raw RSA private operation; throws when the input is not below n or has the wrong length. */
export function rsaPrivateRaw(key: KeyObject, block: Uint8Array): Buffer {
  return privateDecrypt({ key, padding: constants.RSA_NO_PADDING }, block);
}

/** `target[offset..offset+length) ^= MGF1(seed, length)` (RFC 8017 B.2.1). */
function xorMgf1(mgfHash: string, seed: Uint8Array, target: Uint8Array, offset: number, length: number): void {
  const input = new Uint8Array(seed.length + 4);
  input.set(seed, 0);
  let done = 0;
  for (let counter = 0; done < length; counter++) {
    input[seed.length] = counter >>> 24;
    input[seed.length + 1] = (counter >>> 16) & 0xff;
    input[seed.length + 2] = (counter >>> 8) & 0xff;
    input[seed.length + 3] = counter & 0xff;
    const block = digest(mgfHash, input);
    const take = Math.min(block.length, length - done);
    for (let i = 0; i < take; i++) {
      target[offset + done + i] = (target[offset + done + i] ?? 0) ^ (block[i] ?? 0);
    }
    done += take;
  }
}

const EMPTY = new Uint8Array(0);
const labelHashes = new Map<string, Buffer>();
function emptyLabelHash(hash: string): Buffer {
  let value = labelHashes.get(hash);
  if (value === undefined) {
    value = digest(hash, EMPTY);
    labelHashes.set(hash, value);
  }
  return value;
}

/** Largest message EME-OAEP can carry in a k-byte block. */
export function oaepMaxMessageLength(k: number, hash: string): number {
  return k - 2 * hashLength(hash) - 2;
}

/**
 * EME-OAEP encoding (empty label) to a k-byte block, RFC 8017 §7.1.1 step 2. The caller has
 * checked `message.length <= oaepMaxMessageLength(k, hash)`.
 */
export function oaepEncode(message: Uint8Array, k: number, hash: string, mgfHash: string): Buffer {
  const hLen = hashLength(hash);
  const em = allocOwned(k);
  em.fill(0);
  // EM = 0x00 || maskedSeed (hLen) || maskedDB (k - hLen - 1)
  // DB = lHash || PS (zeros) || 0x01 || M
  const dbOffset = 1 + hLen;
  const dbLength = k - hLen - 1;
  em.set(emptyLabelHash(hash), dbOffset);
  em[k - message.length - 1] = 0x01;
  em.set(message, k - message.length);
  const seed = allocOwned(hLen);
  randomFillSync(seed);
  em.set(seed, 1);
  xorMgf1(mgfHash, seed, em, dbOffset, dbLength);
  xorMgf1(mgfHash, em.subarray(dbOffset, k), em, 1, hLen);
  seed.fill(0);
  return em;
}

/** Branch-free helpers over byte values 0..255 (results are 0 or 1). */
const isZero = (x: number): number => (x - 1) >>> 31;
const eqByte = (a: number, b: number): number => isZero(a ^ b);

/**
 * EME-OAEP decoding (empty label), RFC 8017 §7.1.2 step 3. Consumes (masks in place) `em`,
 * a k-byte block. Returns the message, or undefined for any failure.
 */
export function oaepDecode(em: Buffer, hash: string, mgfHash: string): Buffer | undefined {
  const k = em.length;
  const hLen = hashLength(hash);
  if (k < 2 * hLen + 2) return undefined;
  const dbOffset = 1 + hLen;
  const dbLength = k - hLen - 1;
  // seed = maskedSeed ^ MGF(maskedDB); DB = maskedDB ^ MGF(seed)
  xorMgf1(mgfHash, em.subarray(dbOffset, k), em, 1, hLen);
  xorMgf1(mgfHash, em.subarray(1, dbOffset), em, dbOffset, dbLength);

  let good = isZero(em[0] ?? 1);
  const lHash = emptyLabelHash(hash);
  let diff = 0;
  for (let i = 0; i < hLen; i++) diff |= (em[dbOffset + i] ?? 0) ^ (lHash[i] ?? 0);
  good &= isZero(diff);

  // After lHash: zero or more 0x00, then 0x01, then the message. Find the 0x01 without
  // branching on the byte values.
  let found = 0;
  let separator = 0;
  let invalid = 0;
  for (let i = dbOffset + hLen; i < k; i++) {
    const byte = em[i] ?? 0;
    const one = eqByte(byte, 0x01);
    const zero = isZero(byte);
    const firstOne = one & (found ^ 1);
    separator |= -firstOne & i;
    invalid |= (found ^ 1) & (one ^ 1) & (zero ^ 1);
    found |= one;
  }
  good &= found & (invalid ^ 1);
  const result = good === 1 ? copyOwned(em.subarray(separator + 1)) : undefined;
  em.fill(0);
  return result;
}

/**
 * RSAES-PKCS1-v1_5 decoding of a k-byte block: 00 02 PS(≥ 8 nonzero) 00 M. Returns the
 * message, or undefined for any failure.
 */
export function pkcs1v15Decode(em: Buffer): Buffer | undefined {
  const k = em.length;
  if (k < 11) return undefined;
  let good = isZero(em[0] ?? 1) & eqByte(em[1] ?? 0, 0x02);
  let found = 0;
  let separator = 0;
  for (let i = 2; i < k; i++) {
    const zero = isZero(em[i] ?? 0);
    const firstZero = zero & (found ^ 1);
    separator |= -firstZero & i;
    found |= zero;
  }
  // PS is em[2..separator), at least 8 bytes: separator >= 10
  good &= found & (((separator - 10) >>> 31) ^ 1);
  const result = good === 1 ? copyOwned(em.subarray(separator + 1)) : undefined;
  em.fill(0);
  return result;
}

