/**
 * Key classes. Key material lives in private fields; `toJSON`, `toString` and the Node
 * inspector show only a redacted summary (algorithm and size).
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomFillSync, type KeyObject } from 'node:crypto';
import { DdbecError } from '../errors.js';
import type { DelegatedKey } from './delegated-key.js';
import { allocOwned, assertBytes, copyOwned } from './primitives.js';

const INSPECT = Symbol.for('nodejs.util.inspect.custom');
/** Guards the private constructors against calls from plain JavaScript. */
const CONSTRUCT: unique symbol = Symbol('ddbec.key.construct');

/** Smallest RSA modulus accepted. */
export const MIN_RSA_MODULUS_BITS = 1024;
const MAX_RSA_MODULUS_BITS = 16384;

const HMAC_ALGORITHMS: ReadonlySet<string> = new Set(['HmacSHA224', 'HmacSHA256', 'HmacSHA384', 'HmacSHA512']);

function assertAlgorithmName(algorithm: unknown): asserts algorithm is string {
  if (typeof algorithm !== 'string' || algorithm.length === 0) {
    throw new DdbecError('ERR_INVALID_ARGUMENT', 'algorithm must be a non-empty string');
  }
}

function checkSecretKeyLength(algorithm: string, byteLength: number): void {
  if (algorithm === 'AES') {
    if (byteLength !== 16 && byteLength !== 24 && byteLength !== 32) {
      throw new DdbecError('ERR_INVALID_KEY', `an AES key must be 128, 192 or 256 bits long, got ${byteLength * 8} bits`);
    }
  } else if (HMAC_ALGORITHMS.has(algorithm)) {
    if (byteLength === 0) throw new DdbecError('ERR_INVALID_KEY', `an ${algorithm} key must not be empty`);
  } else {
    throw new DdbecError('ERR_UNSUPPORTED_ALGORITHM', `unsupported secret key algorithm: ${algorithm}`);
  }
}

let secretKeyMaterial: (key: SecretKey) => Buffer;

/** A symmetric key: an AES content or wrapping key, or an HMAC signing key. */
export class SecretKey {
  /** JCE algorithm name: 'AES', 'HmacSHA224', 'HmacSHA256', 'HmacSHA384' or 'HmacSHA512'. */
  readonly algorithm: string;
  readonly byteLength: number;
  readonly #material: Buffer;

  private constructor(token: typeof CONSTRUCT, material: Buffer, algorithm: string) {
    if (token !== CONSTRUCT) throw new DdbecError('ERR_INVALID_ARGUMENT', 'use SecretKey.fromBytes or SecretKey.generate');
    this.#material = material;
    this.algorithm = algorithm;
    this.byteLength = material.length;
    Object.freeze(this);
  }

  /** A key holding a copy of `material`. */
  static fromBytes(material: Uint8Array, algorithm: string): SecretKey {
    assertBytes(material, 'key material');
    assertAlgorithmName(algorithm);
    checkSecretKeyLength(algorithm, material.length);
    return new SecretKey(CONSTRUCT, copyOwned(material), algorithm);
  }

  /** A fresh random key of `bits` bits (a positive multiple of 8). */
  static generate(algorithm: string, bits: number): SecretKey {
    assertAlgorithmName(algorithm);
    if (!Number.isSafeInteger(bits) || bits <= 0 || bits % 8 !== 0) {
      throw new DdbecError('ERR_INVALID_ARGUMENT', 'key size in bits must be a positive multiple of 8');
    }
    checkSecretKeyLength(algorithm, bits / 8);
    const material = allocOwned(bits / 8);
    randomFillSync(material);
    return new SecretKey(CONSTRUCT, material, algorithm);
  }

  /** A copy of the raw key bytes. */
  exportBytes(): Uint8Array {
    return new Uint8Array(this.#material);
  }

  toJSON(): { type: 'SecretKey'; algorithm: string; bits: number } {
    return { type: 'SecretKey', algorithm: this.algorithm, bits: this.byteLength * 8 };
  }

  toString(): string {
    return `SecretKey { algorithm: '${this.algorithm}', bits: ${this.byteLength * 8} }`;
  }

  [INSPECT](): string {
    return this.toString();
  }

  static {
    secretKeyMaterial = (key) => key.#material;
  }
}

// ---- RSA -----------------------------------------------------------------------------------

type RsaKeyEncoding = 'spki' | 'pkcs8' | 'pkcs1';

function checkRsaKeyObject(key: KeyObject, what: string): number {
  if (key.asymmetricKeyType !== 'rsa') {
    throw new DdbecError('ERR_INVALID_KEY', `${what} is not an RSA key (found ${key.asymmetricKeyType ?? 'unknown'})`);
  }
  const bits = key.asymmetricKeyDetails?.modulusLength;
  if (bits === undefined) throw new DdbecError('ERR_INVALID_KEY', `${what}: cannot read the RSA modulus size`);
  if (bits < MIN_RSA_MODULUS_BITS) {
    throw new DdbecError('ERR_INVALID_KEY', `${what} is too small: ${bits}-bit RSA modulus, at least ${MIN_RSA_MODULUS_BITS} required`);
  }
  return bits;
}

function tryParsePrivate(der: Buffer, type: 'pkcs8' | 'pkcs1'): KeyObject | undefined {
  try {
    return createPrivateKey({ key: der, format: 'der', type });
  } catch {
    return undefined;
  }
}

function parsePublicDer(der: Buffer, encodings: readonly ('spki' | 'pkcs1')[]): KeyObject {
  let cause: unknown;
  for (const type of encodings) {
    try {
      const key = createPublicKey({ key: der, format: 'der', type });
      // Node derives a public key from private-key input on the PKCS#1 path; refuse that
      // so a private key is never silently treated as a public one.
      if (type === 'pkcs1' && (tryParsePrivate(der, 'pkcs1') !== undefined || tryParsePrivate(der, 'pkcs8') !== undefined)) {
        throw new DdbecError('ERR_INVALID_KEY', 'expected an RSA public key, got a private key');
      }
      return key;
    } catch (error) {
      if (error instanceof DdbecError) throw error;
      cause ??= error;
    }
  }
  throw new DdbecError('ERR_INVALID_KEY', 'malformed or unsupported public key (expected X.509 SubjectPublicKeyInfo or PKCS#1 RSAPublicKey DER)', { cause });
}

function parsePrivateDer(der: Buffer, encodings: readonly ('pkcs8' | 'pkcs1')[]): KeyObject {
  let cause: unknown;
  for (const type of encodings) {
    try {
      return createPrivateKey({ key: der, format: 'der', type });
    } catch (error) {
      cause ??= error;
    }
  }
  throw new DdbecError('ERR_INVALID_KEY', 'malformed or unsupported private key (expected unencrypted PKCS#8 or PKCS#1 RSAPrivateKey DER)', { cause });
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/;
const BASE64_BODY = /^[A-Za-z0-9+/=\s]*$/;

function decodePem(pem: unknown, labels: Readonly<Record<string, RsaKeyEncoding>>, what: string): { der: Buffer; type: RsaKeyEncoding } {
  if (typeof pem !== 'string') throw new DdbecError('ERR_INVALID_ARGUMENT', `${what} PEM must be a string`);
  const match = PEM_BLOCK.exec(pem);
  const expected = Object.keys(labels).map((label) => `"${label}"`).join(' or ');
  if (match === null) throw new DdbecError('ERR_INVALID_KEY', `no PEM block found (expected ${expected})`);
  const label = match[1] ?? '';
  const type = Object.hasOwn(labels, label) ? labels[label] : undefined;
  if (type === undefined) {
    const hint = /^(EC|DSA|OPENSSH) /.test(label) ? ' (not an RSA key)' : '';
    throw new DdbecError('ERR_INVALID_KEY', `unsupported PEM block "${label}"${hint}; expected ${expected}`);
  }
  const body = match[2] ?? '';
  if (!BASE64_BODY.test(body)) {
    // e.g. "Proc-Type: 4,ENCRYPTED" headers of an encrypted traditional key
    throw new DdbecError('ERR_INVALID_KEY', `PEM block "${label}" is encrypted or malformed`);
  }
  const der = Buffer.from(body.replace(/\s+/g, ''), 'base64');
  if (der.length === 0) throw new DdbecError('ERR_INVALID_KEY', `PEM block "${label}" is empty`);
  return { der, type };
}

function derInput(der: unknown, what: string): Buffer {
  assertBytes(der, `${what} DER`);
  return copyOwned(der);
}

let rsaPublicKeyObject: (key: RsaPublicKey) => KeyObject;
let rsaPrivateKeyObject: (key: RsaPrivateKey) => KeyObject;
let makeRsaPublicKey: (key: KeyObject, algorithm: string) => RsaPublicKey;
let makeRsaPrivateKey: (key: KeyObject, algorithm: string) => RsaPrivateKey;

/** An RSA public key (wraps content keys, verifies signatures). */
export class RsaPublicKey {
  /** Carried JCE algorithm name ('RSA', 'SHA256withRSA', ...); not interpreted. */
  readonly algorithm: string;
  readonly modulusBits: number;
  readonly #key: KeyObject;

  private constructor(token: typeof CONSTRUCT, key: KeyObject, algorithm: string) {
    if (token !== CONSTRUCT) throw new DdbecError('ERR_INVALID_ARGUMENT', 'use RsaPublicKey.fromDer or RsaPublicKey.fromPem');
    this.modulusBits = checkRsaKeyObject(key, 'public key');
    this.#key = key;
    this.algorithm = algorithm;
    Object.freeze(this);
  }

  /** From X.509 SubjectPublicKeyInfo DER (or PKCS#1 RSAPublicKey DER). */
  static fromDer(der: Uint8Array, algorithm = 'RSA'): RsaPublicKey {
    assertAlgorithmName(algorithm);
    return new RsaPublicKey(CONSTRUCT, parsePublicDer(derInput(der, 'public key'), ['spki', 'pkcs1']), algorithm);
  }

  /** From a PEM "PUBLIC KEY" (SubjectPublicKeyInfo) or "RSA PUBLIC KEY" (PKCS#1) block. */
  static fromPem(pem: string, algorithm = 'RSA'): RsaPublicKey {
    assertAlgorithmName(algorithm);
    const { der, type } = decodePem(pem, { 'PUBLIC KEY': 'spki', 'RSA PUBLIC KEY': 'pkcs1' }, 'public key');
    return new RsaPublicKey(CONSTRUCT, parsePublicDer(der, [type as 'spki' | 'pkcs1']), algorithm);
  }

  /** X.509 SubjectPublicKeyInfo DER. */
  exportDer(): Uint8Array {
    return new Uint8Array(this.#key.export({ format: 'der', type: 'spki' }));
  }

  /** PEM "PUBLIC KEY" (SubjectPublicKeyInfo). */
  exportPem(): string {
    return this.#key.export({ format: 'pem', type: 'spki' }).toString();
  }

  toJSON(): { type: 'RsaPublicKey'; algorithm: string; modulusBits: number } {
    return { type: 'RsaPublicKey', algorithm: this.algorithm, modulusBits: this.modulusBits };
  }

  toString(): string {
    return `RsaPublicKey { algorithm: '${this.algorithm}', modulusBits: ${this.modulusBits} }`;
  }

  [INSPECT](): string {
    return this.toString();
  }

  static {
    rsaPublicKeyObject = (key) => key.#key;
    makeRsaPublicKey = (key, algorithm) => new RsaPublicKey(CONSTRUCT, key, algorithm);
  }
}

/** An RSA private key (unwraps content keys, signs). */
export class RsaPrivateKey {
  /** Carried JCE algorithm name ('RSA', 'SHA256withRSA', ...); not interpreted. */
  readonly algorithm: string;
  readonly modulusBits: number;
  readonly #key: KeyObject;

  private constructor(token: typeof CONSTRUCT, key: KeyObject, algorithm: string) {
    if (token !== CONSTRUCT) throw new DdbecError('ERR_INVALID_ARGUMENT', 'use RsaPrivateKey.fromDer or RsaPrivateKey.fromPem');
    this.modulusBits = checkRsaKeyObject(key, 'private key');
    this.#key = key;
    this.algorithm = algorithm;
    Object.freeze(this);
  }

  /** From unencrypted PKCS#8 PrivateKeyInfo DER (or PKCS#1 RSAPrivateKey DER). */
  static fromDer(der: Uint8Array, algorithm = 'RSA'): RsaPrivateKey {
    assertAlgorithmName(algorithm);
    return new RsaPrivateKey(CONSTRUCT, parsePrivateDer(derInput(der, 'private key'), ['pkcs8', 'pkcs1']), algorithm);
  }

  /** From a PEM "PRIVATE KEY" (PKCS#8) or "RSA PRIVATE KEY" (PKCS#1) block; not encrypted. */
  static fromPem(pem: string, algorithm = 'RSA'): RsaPrivateKey {
    assertAlgorithmName(algorithm);
    const { der, type } = decodePem(pem, { 'PRIVATE KEY': 'pkcs8', 'RSA PRIVATE KEY': 'pkcs1' }, 'private key');
    return new RsaPrivateKey(CONSTRUCT, parsePrivateDer(der, [type as 'pkcs8' | 'pkcs1']), algorithm);
  }

  /** The matching public key; `algorithm` defaults to this key's algorithm. */
  publicKey(algorithm: string = this.algorithm): RsaPublicKey {
    assertAlgorithmName(algorithm);
    return makeRsaPublicKey(createPublicKey(this.#key), algorithm);
  }

  /** PKCS#8 PrivateKeyInfo DER. */
  exportDer(): Uint8Array {
    return new Uint8Array(this.#key.export({ format: 'der', type: 'pkcs8' }));
  }

  /** PEM "PRIVATE KEY" (PKCS#8, unencrypted). */
  exportPem(): string {
    return this.#key.export({ format: 'pem', type: 'pkcs8' }).toString();
  }

  toJSON(): { type: 'RsaPrivateKey'; algorithm: string; modulusBits: number } {
    return { type: 'RsaPrivateKey', algorithm: this.algorithm, modulusBits: this.modulusBits };
  }

  toString(): string {
    return `RsaPrivateKey { algorithm: '${this.algorithm}', modulusBits: ${this.modulusBits} }`;
  }

  [INSPECT](): string {
    return this.toString();
  }

  static {
    rsaPrivateKeyObject = (key) => key.#key;
    makeRsaPrivateKey = (key, algorithm) => new RsaPrivateKey(CONSTRUCT, key, algorithm);
  }
}

/** A fresh RSA key pair (public exponent 65537). */
export function generateRsaKeyPair(modulusBits = 2048, algorithm = 'RSA'): { publicKey: RsaPublicKey; privateKey: RsaPrivateKey } {
  assertAlgorithmName(algorithm);
  if (!Number.isSafeInteger(modulusBits) || modulusBits < MIN_RSA_MODULUS_BITS || modulusBits > MAX_RSA_MODULUS_BITS) {
    throw new DdbecError('ERR_INVALID_ARGUMENT', `RSA modulus size must be an integer from ${MIN_RSA_MODULUS_BITS} to ${MAX_RSA_MODULUS_BITS} bits`);
  }
  const pair = generateKeyPairSync('rsa', { modulusLength: modulusBits, publicExponent: 0x10001 });
  return {
    publicKey: makeRsaPublicKey(pair.publicKey, algorithm),
    privateKey: makeRsaPrivateKey(pair.privateKey, algorithm),
  };
}

/** A key that signs items: HMAC or RSA private, in software or delegated (e.g. in an HSM). */
export type SigningKey = SecretKey | RsaPrivateKey | DelegatedKey;
export type VerificationKey = SecretKey | RsaPublicKey | DelegatedKey;
export type WrappingKey = SecretKey | RsaPublicKey | DelegatedKey;
export type UnwrappingKey = SecretKey | RsaPrivateKey | DelegatedKey;
/** An AES content key: in software, or delegated (the static provider's key in an HSM). */
export type ContentKey = SecretKey | DelegatedKey;

// ---- package-internal accessors (not re-exported from index.ts) ------------------------------

/** @internal The raw bytes of a secret key (not a copy: never hand them out or mutate them). */
export function secretKeyBytes(key: SecretKey): Buffer {
  return secretKeyMaterial(key);
}

/** @internal */
export function publicKeyObject(key: RsaPublicKey): KeyObject {
  return rsaPublicKeyObject(key);
}

/** @internal */
export function privateKeyObject(key: RsaPrivateKey): KeyObject {
  return rsaPrivateKeyObject(key);
}

/** The components of an RSA private key, big-endian unsigned (CKA_MODULUS, …), for importing into a token. */
export interface RsaPrivateComponents {
  readonly modulus: Buffer;
  readonly publicExponent: Buffer;
  readonly privateExponent: Buffer;
  readonly prime1: Buffer;
  readonly prime2: Buffer;
  readonly exponent1: Buffer;
  readonly exponent2: Buffer;
  readonly coefficient: Buffer;
}

/** @internal The components of an RSA private key (secret: never hand them out beyond an import). */
export function rsaPrivateComponents(key: RsaPrivateKey): RsaPrivateComponents {
  const jwk = rsaPrivateKeyObject(key).export({ format: 'jwk' });
  const part = (value: string | undefined): Buffer => Buffer.from(value ?? '', 'base64url');
  return {
    modulus: part(jwk.n),
    publicExponent: part(jwk.e),
    privateExponent: part(jwk.d),
    prime1: part(jwk.p),
    prime2: part(jwk.q),
    exponent1: part(jwk.dp),
    exponent2: part(jwk.dq),
    coefficient: part(jwk.qi),
  };
}

/** An RSA public key from its modulus and public exponent (big-endian unsigned), e.g. read from a token. */
export function rsaPublicKeyFromComponents(modulus: Uint8Array, publicExponent: Uint8Array, algorithm = 'RSA'): RsaPublicKey {
  assertBytes(modulus, 'modulus');
  assertBytes(publicExponent, 'public exponent');
  const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64url');
  let key: KeyObject;
  try {
    key = createPublicKey({ key: { kty: 'RSA', n: b64(modulus), e: b64(publicExponent) }, format: 'jwk' });
  } catch (cause) {
    throw new DdbecError('ERR_INVALID_KEY', 'malformed RSA public key components', { cause });
  }
  return makeRsaPublicKey(key, algorithm);
}
