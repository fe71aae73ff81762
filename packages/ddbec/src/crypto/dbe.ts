/**
 * The primitives of the Database Encryption SDK format and its keyrings (mpl-spec
 * framework/algorithm-suites.md, aws-kms-hierarchical-keyring.md; dbesdk-spec
 * structured-encryption): AES-GCM with AAD, AES-256-CTR key streams, HKDF-SHA512,
 * HMAC-SHA384 and -SHA512, SHA-384, the SP 800-108 counter-mode KDF over HMAC-SHA256, and ECDSA P-384
 * with the compressed public keys and the fixed-length signatures the AWS writers use.
 */
import * as nodeCrypto from 'node:crypto';
import { DdbecError } from '../errors.js';
import { allocOwned, assertBytes, digest, hkdf } from './primitives.js';

const { createCipheriv, createDecipheriv, createHmac, createPublicKey, generateKeyPairSync, sign, verify } = nodeCrypto;

const GCM_TAG_LENGTH = 16;
const GCM_IV_LENGTH = 12;

function gcmName(key: Uint8Array): 'aes-128-gcm' | 'aes-192-gcm' | 'aes-256-gcm' {
  assertBytes(key, 'key');
  if (key.length === 32) return 'aes-256-gcm';
  if (key.length === 16) return 'aes-128-gcm';
  if (key.length === 24) return 'aes-192-gcm';
  throw new DdbecError('ERR_INVALID_KEY', `an AES key must be 128, 192 or 256 bits long, got ${key.length * 8} bits`);
}

function checkIv(iv: Uint8Array): void {
  assertBytes(iv, 'iv');
  if (iv.length !== GCM_IV_LENGTH) throw new DdbecError('ERR_INVALID_ARGUMENT', `an AES-GCM IV must be ${GCM_IV_LENGTH} bytes`);
}

/**
 * AES-GCM (key of 16, 24 or 32 bytes, 12-byte IV, 16-byte tag): returns `ciphertext || tag`,
 * after `reserve` leading bytes the caller fills in (so a prefixed value needs no second copy).
 */
export function aesGcmEncrypt(key: Uint8Array, iv: Uint8Array, plaintext: Uint8Array, aad: Uint8Array, reserve = 0): Uint8Array {
  const name = gcmName(key);
  checkIv(iv);
  assertBytes(plaintext, 'plaintext');
  assertBytes(aad, 'aad');
  const cipher = createCipheriv(name, key, iv, { authTagLength: GCM_TAG_LENGTH });
  cipher.setAAD(aad);
  const out = allocOwned(reserve + plaintext.length + GCM_TAG_LENGTH);
  let pos = reserve + cipher.update(plaintext).copy(out, reserve);
  pos += cipher.final().copy(out, pos);
  cipher.getAuthTag().copy(out, pos);
  return out;
}

/**
 * Decrypts and authenticates `ciphertext || tag`. Returns `undefined` when the input is too
 * short or does not authenticate (wrong key, IV, AAD or altered bytes) — never throws for that.
 */
export function aesGcmDecrypt(key: Uint8Array, iv: Uint8Array, ciphertextAndTag: Uint8Array, aad: Uint8Array): Uint8Array | undefined {
  const name = gcmName(key);
  checkIv(iv);
  assertBytes(ciphertextAndTag, 'ciphertext');
  assertBytes(aad, 'aad');
  if (ciphertextAndTag.length < GCM_TAG_LENGTH) return undefined;
  const split = ciphertextAndTag.length - GCM_TAG_LENGTH;
  const decipher = createDecipheriv(name, key, iv, { authTagLength: GCM_TAG_LENGTH });
  decipher.setAAD(aad);
  decipher.setAuthTag(ciphertextAndTag.subarray(split));
  const out = allocOwned(split);
  const pos = decipher.update(ciphertextAndTag.subarray(0, split)).copy(out, 0);
  try {
    decipher.final().copy(out, pos);
  } catch {
    out.fill(0);
    return undefined;
  }
  return out;
}

/** The first `length` bytes of the AES-256-CTR key stream for `key` and the 16-byte initial counter block. */
export function aes256CtrKeyStream(key: Uint8Array, counterBlock: Uint8Array, length: number): Uint8Array {
  assertBytes(key, 'key');
  assertBytes(counterBlock, 'counter block');
  if (key.length !== 32) throw new DdbecError('ERR_INVALID_KEY', 'AES-256-CTR needs a 256-bit key');
  if (counterBlock.length !== 16) throw new DdbecError('ERR_INVALID_ARGUMENT', 'the AES-CTR counter block must be 16 bytes');
  const cipher = createCipheriv('aes-256-ctr', key, counterBlock);
  const out = allocOwned(length);
  cipher.update(new Uint8Array(length)).copy(out, 0);
  return out;
}

/** HKDF with HMAC-SHA-512 (RFC 5869) without salt (64 zero bytes). */
export function hkdfSha512(ikm: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  return hkdf('sha512', ikm, undefined, info, length);
}

/** HMAC-SHA-384 (48 bytes). */
export function hmacSha384(key: Uint8Array, data: Uint8Array): Uint8Array {
  assertBytes(key, 'key');
  assertBytes(data, 'data');
  return createHmac('sha384', key).update(data).digest();
}

/** HMAC-SHA-512 (64 bytes). */
export function hmacSha512(key: Uint8Array, data: Uint8Array): Uint8Array {
  assertBytes(key, 'key');
  assertBytes(data, 'data');
  return createHmac('sha512', key).update(data).digest();
}

/** SHA-384 (48 bytes). */
export function sha384(data: Uint8Array): Uint8Array {
  assertBytes(data, 'data');
  return digest('sha384', data);
}

const COUNTER_ONE = new Uint8Array([0, 0, 0, 1]);
const SEPARATOR = new Uint8Array([0]);
const LENGTH_256_BITS = new Uint8Array([0, 0, 1, 0]);

/**
 * NIST SP 800-108 key derivation in counter mode with HMAC-SHA-256, 32 bytes out:
 * `HMAC(key, [1]₃₂ || label || 0x00 || context || [256]₃₂)`. The hierarchical keyring derives
 * its wrapping key with it (label `aws-kms-hierarchy`, context the salt).
 */
export function kdfCounterHmacSha256(key: Uint8Array, label: Uint8Array, context: Uint8Array): Uint8Array {
  assertBytes(key, 'key');
  assertBytes(label, 'label');
  assertBytes(context, 'context');
  return createHmac('sha256', key).update(COUNTER_ONE).update(label).update(SEPARATOR).update(context).update(LENGTH_256_BITS).digest();
}

// ---- ECDSA P-384 --------------------------------------------------------------------------

/** The group order n of P-384. */
const P384_ORDER = BigInt(
  '0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973',
);
/** The DER length of the signatures the AWS writers store: 103 bytes (a fixed-size footer field). */
export const ECDSA_P384_SIGNATURE_LENGTH = 103;
const P384_FIELD_BYTES = 48;
const COMPRESSED_POINT_LENGTH = 49;
/** SubjectPublicKeyInfo prefix for a compressed P-384 point (id-ecPublicKey, secp384r1, BIT STRING of 50 bytes). */
const SPKI_COMPRESSED_PREFIX = Buffer.from('3046301006072a8648ce3d020106052b81040022033200', 'hex');

/** An ECDSA P-384 private key, held opaquely (its bytes never leave `crypto/`). */
export class EcdsaP384PrivateKey {
  readonly #key: nodeCrypto.KeyObject;

  private constructor(key: nodeCrypto.KeyObject) {
    this.#key = key;
    Object.freeze(this);
  }

  /** A fresh key pair: the private key and the SEC 1 compressed public key (49 bytes). */
  static generate(): { privateKey: EcdsaP384PrivateKey; publicKey: Uint8Array } {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    return { privateKey: new EcdsaP384PrivateKey(privateKey), publicKey: compressPublicKey(publicKey) };
  }

  /**
   * ECDSA with SHA-384 over `message`, DER-encoded, always {@link ECDSA_P384_SIGNATURE_LENGTH}
   * bytes: a signature of another length is replaced by its (equally valid) negated-s twin when
   * that has the length, and otherwise signed again.
   */
  sign(message: Uint8Array): Uint8Array {
    assertBytes(message, 'message');
    for (;;) {
      const raw = sign('sha384', message, { key: this.#key, dsaEncoding: 'ieee-p1363' });
      const r = raw.subarray(0, P384_FIELD_BYTES);
      const s = raw.subarray(P384_FIELD_BYTES);
      if (derIntegerLength(r) + derIntegerLength(s) === ECDSA_P384_SIGNATURE_LENGTH - 2) return derSignature(r, s);
      const negated = toFixedBytes(P384_ORDER - BigInt(`0x${s.toString('hex')}`));
      if (derIntegerLength(r) + derIntegerLength(negated) === ECDSA_P384_SIGNATURE_LENGTH - 2) return derSignature(r, negated);
    }
  }

  toJSON(): { type: 'EcdsaP384PrivateKey' } {
    return { type: 'EcdsaP384PrivateKey' };
  }
}

/**
 * Verifies a DER ECDSA P-384 / SHA-384 signature over `message` with a SEC 1 compressed public
 * key. False (never throws) for a malformed key or signature.
 */
export function ecdsaP384Verify(compressedPublicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  assertBytes(compressedPublicKey, 'public key');
  assertBytes(message, 'message');
  assertBytes(signature, 'signature');
  if (compressedPublicKey.length !== COMPRESSED_POINT_LENGTH) return false;
  try {
    const key = createPublicKey({ key: Buffer.concat([SPKI_COMPRESSED_PREFIX, compressedPublicKey]), format: 'der', type: 'spki' });
    return verify('sha384', message, { key, dsaEncoding: 'der' }, signature);
  } catch {
    return false;
  }
}

function compressPublicKey(key: nodeCrypto.KeyObject): Uint8Array {
  const jwk = key.export({ format: 'jwk' });
  const x = Buffer.from(jwk.x ?? '', 'base64url');
  const y = Buffer.from(jwk.y ?? '', 'base64url');
  const out = allocOwned(COMPRESSED_POINT_LENGTH);
  out[0] = ((y[y.length - 1] ?? 0) & 1) === 1 ? 0x03 : 0x02;
  out.set(x, 1 + P384_FIELD_BYTES - x.length);
  out.fill(0, 1, 1 + P384_FIELD_BYTES - x.length);
  return out;
}

function toFixedBytes(value: bigint): Buffer {
  return Buffer.from(value.toString(16).padStart(P384_FIELD_BYTES * 2, '0'), 'hex');
}

/** Index of the first byte a minimal DER INTEGER keeps of the unsigned big-endian `bytes`. */
function firstSignificant(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  return i;
}

/** Encoded size (tag, length, content) of `bytes` as a positive DER INTEGER. */
function derIntegerLength(bytes: Uint8Array): number {
  const start = firstSignificant(bytes);
  return 2 + bytes.length - start + (((bytes[start] ?? 0) & 0x80) !== 0 ? 1 : 0);
}

function derSignature(r: Uint8Array, s: Uint8Array): Uint8Array {
  const out = allocOwned(ECDSA_P384_SIGNATURE_LENGTH);
  out[0] = 0x30;
  out[1] = ECDSA_P384_SIGNATURE_LENGTH - 2;
  let pos = 2;
  for (const value of [r, s]) {
    const start = firstSignificant(value);
    const pad = ((value[start] ?? 0) & 0x80) !== 0 ? 1 : 0;
    out[pos++] = 0x02;
    out[pos++] = value.length - start + pad;
    if (pad === 1) out[pos++] = 0;
    out.set(value.subarray(start), pos);
    pos += value.length - start;
  }
  return out;
}
