/**
 * AES Key Wrap, RFC 3394 (default IV A6A6A6A6A6A6A6A6, no padding; not RFC 5649). Uses
 * OpenSSL's `id-aesN-wrap` ciphers when Node exposes them, otherwise a portable
 * implementation over AES-ECB. Both return undefined from unwrap on any failure.
 */
import { createCipheriv, createDecipheriv, getCiphers, timingSafeEqual } from 'node:crypto';
import { allocOwned, concatOwned } from './primitives.js';

const DEFAULT_IV = Buffer.from('a6a6a6a6a6a6a6a6', 'hex');

function kekBits(kek: Uint8Array): 128 | 192 | 256 {
  switch (kek.length) {
    case 16:
      return 128;
    case 24:
      return 192;
    case 32:
      return 256;
    default:
      throw new RangeError('AES key-encryption key must be 16, 24 or 32 bytes');
  }
}

/** A key to wrap: a multiple of 8 bytes, at least 16. */
export function isWrappableLength(length: number): boolean {
  return length >= 16 && length % 8 === 0;
}

/** A wrapped key: a multiple of 8 bytes, at least 24. */
export function isUnwrappableLength(length: number): boolean {
  return length >= 24 && length % 8 === 0;
}

let nativeAvailable: boolean | undefined;
function hasNativeWrap(): boolean {
  if (nativeAvailable === undefined) {
    const ciphers = new Set(getCiphers());
    nativeAvailable = ciphers.has('id-aes128-wrap') && ciphers.has('id-aes192-wrap') && ciphers.has('id-aes256-wrap');
  }
  return nativeAvailable;
}

// ---- native (OpenSSL) ----------------------------------------------------------------------

function nativeWrap(kek: Uint8Array, key: Uint8Array): Buffer {
  const cipher = createCipheriv(`id-aes${kekBits(kek)}-wrap`, kek, DEFAULT_IV);
  const head = cipher.update(key);
  const tail = cipher.final();
  return tail.length === 0 ? head : concatOwned(head, tail);
}

function nativeUnwrap(kek: Uint8Array, wrapped: Uint8Array): Buffer | undefined {
  try {
    const decipher = createDecipheriv(`id-aes${kekBits(kek)}-wrap`, kek, DEFAULT_IV);
    const head = decipher.update(wrapped);
    const tail = decipher.final();
    const out = tail.length === 0 ? head : concatOwned(head, tail);
    return out.length === wrapped.length - 8 ? out : undefined;
  } catch {
    return undefined;
  }
}

// ---- portable (RFC 3394 §2.2.1 / §2.2.2, index-based) --------------------------------------

function ecb(kek: Uint8Array, decrypt: boolean): (block: Buffer) => Buffer {
  const name = `aes-${kekBits(kek)}-ecb`;
  const cipher = decrypt ? createDecipheriv(name, kek, null) : createCipheriv(name, kek, null);
  cipher.setAutoPadding(false);
  return (block) => cipher.update(block);
}

/** RFC 3394 wrap without OpenSSL's wrap cipher (exported for tests). */
export function aesKeyWrapPortable(kek: Uint8Array, key: Uint8Array): Buffer {
  const n = key.length / 8;
  const encrypt = ecb(kek, false);
  const out = allocOwned(key.length + 8);
  DEFAULT_IV.copy(out, 0);
  out.set(key, 8);
  const block = Buffer.alloc(16);
  for (let j = 0; j <= 5; j++) {
    for (let i = 1; i <= n; i++) {
      // B = AES(K, A | R[i]); A = MSB(64, B) ^ t; R[i] = LSB(64, B)
      out.copy(block, 0, 0, 8);
      out.copy(block, 8, 8 * i, 8 * i + 8);
      const b = encrypt(block);
      b.copy(out, 0, 0, 8);
      xorCounter(out, n * j + i);
      b.copy(out, 8 * i, 8, 16);
    }
  }
  block.fill(0);
  return out;
}

/** RFC 3394 unwrap without OpenSSL's wrap cipher (exported for tests); undefined on failure. */
export function aesKeyUnwrapPortable(kek: Uint8Array, wrapped: Uint8Array): Buffer | undefined {
  const n = wrapped.length / 8 - 1;
  const decrypt = ecb(kek, true);
  const a = Buffer.from(wrapped.subarray(0, 8));
  const r = allocOwned(n * 8);
  r.set(wrapped.subarray(8));
  const block = Buffer.alloc(16);
  for (let j = 5; j >= 0; j--) {
    for (let i = n; i >= 1; i--) {
      // B = AES-1(K, (A ^ t) | R[i]); A = MSB(64, B); R[i] = LSB(64, B)
      xorCounter(a, n * j + i);
      a.copy(block, 0);
      r.copy(block, 8, 8 * (i - 1), 8 * i);
      const b = decrypt(block);
      b.copy(a, 0, 0, 8);
      b.copy(r, 8 * (i - 1), 8, 16);
      b.fill(0);
    }
  }
  block.fill(0);
  if (!timingSafeEqual(a, DEFAULT_IV)) {
    r.fill(0);
    return undefined;
  }
  return r;
}

/** Big-endian XOR of the 64-bit counter t into bytes 0..7 of `target`. */
function xorCounter(target: Buffer, t: number): void {
  // t < 2^53 in practice (n ≤ 2^48 is far beyond any key size); split into hi/lo 32 bits.
  const hi = Math.floor(t / 0x100000000);
  const lo = t >>> 0;
  target.writeUInt32BE((target.readUInt32BE(0) ^ hi) >>> 0, 0);
  target.writeUInt32BE((target.readUInt32BE(4) ^ lo) >>> 0, 4);
}

// ---- entry points --------------------------------------------------------------------------

/** Wraps `key` (length already checked with isWrappableLength) under `kek`. */
export function aesKeyWrap(kek: Uint8Array, key: Uint8Array): Buffer {
  return hasNativeWrap() ? nativeWrap(kek, key) : aesKeyWrapPortable(kek, key);
}

/** Unwraps (length already checked with isUnwrappableLength); undefined on any failure. */
export function aesKeyUnwrap(kek: Uint8Array, wrapped: Uint8Array): Buffer | undefined {
  return hasNativeWrap() ? nativeUnwrap(kek, wrapped) : aesKeyUnwrapPortable(kek, wrapped);
}
