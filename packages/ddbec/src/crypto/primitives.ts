/**
 * Hash, random and HKDF primitives, plus small byte helpers shared by the crypto layer.
 * `src/crypto/` is the only part of the library that imports `node:crypto`.
 */
import * as nodeCrypto from 'node:crypto';
import { DdbecError } from '../errors.js';

const { createHash, createHmac } = nodeCrypto;

type OneShotHash = {
  (algorithm: string, data: Uint8Array, outputEncoding: 'buffer'): Buffer;
  (algorithm: string, data: Uint8Array, outputEncoding: 'binary'): string;
};
/** `crypto.hash` (Node ≥ 20.12 / 21.7): a one-shot digest without a Hash object. */
const oneShotHash: OneShotHash | undefined =
  typeof (nodeCrypto as { hash?: unknown }).hash === 'function' ? nodeCrypto.hash : undefined;

/** Throws ERR_INVALID_ARGUMENT unless `value` is a Uint8Array (a Buffer is one). */
export function assertBytes(value: unknown, what: string): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) {
    throw new DdbecError('ERR_INVALID_ARGUMENT', `${what} must be a Uint8Array`);
  }
}

/** A name for an algorithm argument in an error message (JavaScript callers may pass anything). */
export function nameOf(value: unknown): string {
  return typeof value === 'string' ? value : `<${typeof value}>`;
}

/**
 * A fresh, uninitialised Buffer with its own ArrayBuffer. Unlike `Buffer.allocUnsafe` it never
 * comes from Node's shared pool, so handing it out cannot expose other data through `.buffer`.
 * The caller must overwrite every byte.
 */
export function allocOwned(length: number): Buffer {
  return Buffer.allocUnsafeSlow(length);
}

/** A copy of `bytes` in its own ArrayBuffer. */
export function copyOwned(bytes: Uint8Array): Buffer {
  const out = allocOwned(bytes.length);
  out.set(bytes);
  return out;
}

/** The concatenation of two byte strings in a fresh, unpooled buffer. */
export function concatOwned(a: Uint8Array, b: Uint8Array): Buffer {
  const out = allocOwned(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/** SHA-256 of `data` (32 bytes). */
export function sha256(data: Uint8Array): Uint8Array {
  return sha256Into(data, new Uint8Array(32));
}

const transientDigest = new Uint8Array(32);
/**
 * SHA-256 of `data` in a buffer that the next call overwrites: for a digest that is copied at
 * once (the string to sign copies each into place), without allocating.
 */
export function sha256Transient(data: Uint8Array): Uint8Array {
  return sha256Into(data, transientDigest);
}

function sha256Into(data: Uint8Array, out: Uint8Array): Uint8Array {
  assertBytes(data, 'data');
  // The digest as a 32-character latin1 ('binary') string, copied into a small (on-heap) array,
  // costs a third of a Buffer result, whose memory Node allocates outside the heap.
  const text = oneShotHash !== undefined ? oneShotHash('sha256', data, 'binary') : createHash('sha256').update(data).digest('binary');
  for (let i = 0; i < 32; i++) out[i] = text.charCodeAt(i);
  return out;
}

/** One-shot digest with a Node hash name ('sha1', 'sha256', ...). */
export function digest(hash: string, data: Uint8Array): Buffer {
  return oneShotHash !== undefined ? oneShotHash(hash, data, 'buffer') : createHash(hash).update(data).digest();
}

/** `length` cryptographically secure random bytes (not from a pool). */
export function randomBytes(length: number): Uint8Array {
  if (!Number.isSafeInteger(length) || length < 0) {
    throw new DdbecError('ERR_INVALID_ARGUMENT', 'length must be a non-negative integer');
  }
  const out = allocOwned(length);
  if (length > 0) nodeCrypto.randomFillSync(out);
  return out;
}

/**
 * True when `a` and `b` have the same length and content. The comparison of equal-length
 * inputs takes time independent of their content; different lengths return false at once.
 */
export function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  assertBytes(a, 'a');
  assertBytes(b, 'b');
  if (a.length !== b.length) return false;
  return nodeCrypto.timingSafeEqual(a, b);
}

const textEncoder = new TextEncoder();
const ZERO_SALTS: Readonly<Record<'sha256' | 'sha512', Uint8Array>> = { sha256: new Uint8Array(32), sha512: new Uint8Array(64) };

/**
 * HKDF (RFC 5869), Extract then Expand, with HMAC-SHA-256 or HMAC-SHA-512. `salt` undefined
 * (or empty) means "not provided", i.e. HashLen zero bytes; a string `info` is UTF-8 encoded.
 * (Plain HMAC calls: for the short outputs used here this is faster than `crypto.hkdfSync`,
 * which builds key objects.)
 */
export function hkdf(
  hash: 'sha256' | 'sha512',
  ikm: Uint8Array,
  salt: Uint8Array | undefined,
  info: Uint8Array | string,
  length: number,
): Uint8Array {
  assertBytes(ikm, 'ikm');
  if (salt !== undefined) assertBytes(salt, 'salt');
  const infoBytes = typeof info === 'string' ? textEncoder.encode(info) : info;
  assertBytes(infoBytes, 'info');
  const hashLength = ZERO_SALTS[hash].length;
  if (!Number.isSafeInteger(length) || length < 0 || length > 255 * hashLength) {
    throw new DdbecError('ERR_INVALID_ARGUMENT', `HKDF length must be an integer from 0 to ${255 * hashLength}`);
  }
  // An HMAC key shorter than the block size is zero-padded, so "no salt" (HashLen zero bytes)
  // and an empty salt give the same PRK.
  const prk = createHmac(hash, salt ?? ZERO_SALTS[hash]).update(ikm).digest();
  const out = allocOwned(length);
  const counter = new Uint8Array(1);
  let previous: Uint8Array = new Uint8Array(0);
  for (let offset = 0, i = 1; offset < length; i++) {
    counter[0] = i;
    previous = createHmac(hash, prk).update(previous).update(infoBytes).update(counter).digest();
    const take = Math.min(previous.length, length - offset);
    out.set(take === previous.length ? previous : previous.subarray(0, take), offset);
    offset += take;
  }
  prk.fill(0);
  return out;
}

/** HKDF with HMAC-SHA-256 (see {@link hkdf}). */
export function hkdfSha256(ikm: Uint8Array, salt: Uint8Array | undefined, info: Uint8Array | string, length: number): Uint8Array {
  return hkdf('sha256', ikm, salt, info, length);
}

// ---- IV pool -------------------------------------------------------------------------------

const IV_POOL_SIZE = 4096;
let ivPool: Buffer = Buffer.alloc(0);
let ivPoolOffset = 0;
/** Process that filled the pool: a process started from a V8 startup snapshot must not reuse it. */
let ivPoolPid = -1;

/**
 * Copies `length` (≤ 4096) fresh random bytes into `target` at `offset`. Meant for public
 * values such as IVs: bytes are drawn from a pooled block of CSPRNG output (each byte is used
 * once), which avoids one system call per attribute. Do not use for keys.
 */
export function fillPublicRandom(target: Uint8Array, offset: number, length: number): void {
  if (ivPoolOffset + length > ivPool.length || ivPoolPid !== process.pid) {
    if (ivPool.length !== IV_POOL_SIZE) ivPool = allocOwned(IV_POOL_SIZE);
    nodeCrypto.randomFillSync(ivPool);
    ivPoolOffset = 0;
    ivPoolPid = process.pid;
  }
  // a byte loop: a view of the pool for set() would cost more than these few bytes
  for (let i = 0; i < length; i++) target[offset + i] = ivPool[ivPoolOffset + i] as number;
  ivPoolOffset += length;
}
