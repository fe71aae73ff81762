/**
 * Keys that live in a PKCS#11 token, as delegated keys: every operation with the key itself
 * runs in the token, through a pooled session, off the JavaScript thread.
 */
import type * as Pkcs11js from 'pkcs11js';
import { DdbecError, type DdbecErrorCode } from '../errors.js';
import { decodeRsaUnwrapped, rsaWrapScheme, type DelegatedKey } from '../crypto/delegated-key.js';
import { rsaPublicKeyFromComponents, type RsaPublicKey } from '../crypto/keys.js';
import { assertBytes, concatOwned, randomBytes } from '../crypto/primitives.js';
import { ckr, operationError, type Binding, type Handle } from './binding.js';
import type { SessionPool } from './sessions.js';

/** What a key may be used for: the `CKA_ENCRYPT`, `CKA_DECRYPT`, … attributes. */
export type Pkcs11Usage = 'encrypt' | 'decrypt' | 'wrap' | 'unwrap' | 'sign' | 'verify';

export const USAGE_ATTRIBUTES: Readonly<Record<Pkcs11Usage, string>> = {
  encrypt: 'CKA_ENCRYPT',
  decrypt: 'CKA_DECRYPT',
  wrap: 'CKA_WRAP',
  unwrap: 'CKA_UNWRAP',
  sign: 'CKA_SIGN',
  verify: 'CKA_VERIFY',
};

/** A found key object and what the token lets it do. */
export interface KeyContext {
  readonly p: Binding;
  readonly pkcs11: Pkcs11js.PKCS11;
  readonly pool: SessionPool;
  readonly handle: Handle;
  /** `PKCS#11 key "label"`, for messages. */
  readonly name: string;
  readonly usage: ReadonlySet<Pkcs11Usage>;
}

const CBC = 'AES/CBC/PKCS5Padding';
const BLOCK = 16;
const GCM_IV = 12;
const GCM_TAG = 16;
const none: ReadonlySet<string> = new Set();
const DECRYPT_DATA_ERRORS: ReadonlySet<string> = new Set(['CKR_ENCRYPTED_DATA_INVALID', 'CKR_ENCRYPTED_DATA_LEN_RANGE', 'CKR_DATA_LEN_RANGE']);
/**
 * A GCM tag that does not verify: PKCS#11 says CKR_ENCRYPTED_DATA_INVALID, SoftHSM2 answers
 * CKR_GENERAL_ERROR (so a token failing in the middle of a GCM decryption reads as a failed tag
 * too; it fails other operations with ERR_PKCS11_FAILED).
 */
const GCM_DECRYPT_DATA_ERRORS: ReadonlySet<string> = new Set([...DECRYPT_DATA_ERRORS, 'CKR_GENERAL_ERROR']);
const UNWRAP_DATA_ERRORS: ReadonlySet<string> = new Set([...DECRYPT_DATA_ERRORS, 'CKR_WRAPPED_KEY_INVALID', 'CKR_WRAPPED_KEY_LEN_RANGE']);
const BAD_SIGNATURE: ReadonlySet<string> = new Set(['CKR_SIGNATURE_INVALID', 'CKR_SIGNATURE_LEN_RANGE']);
/** Answers of a token that does not take these OAEP parameters (SoftHSM2: only SHA-1). */
const OAEP_UNSUPPORTED: ReadonlySet<string> = new Set(['CKR_ARGUMENTS_BAD', 'CKR_MECHANISM_PARAM_INVALID', 'CKR_MECHANISM_INVALID']);

/** The bytes as a Buffer over the same memory (pkcs11js takes Buffers only). */
function buffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function requireUsage(key: KeyContext, usage: Pkcs11Usage): void {
  if (!key.usage.has(usage)) {
    throw new DdbecError('ERR_PKCS11_KEY_USAGE', `${key.name} cannot ${usage}: its ${USAGE_ATTRIBUTES[usage]} attribute is not set`);
  }
}

function requireAlgorithm(algorithm: string, expected: string): void {
  if (algorithm !== expected) throw new DdbecError('ERR_UNSUPPORTED_ALGORITHM', `expected ${expected}, got ${algorithm}`);
}

/** Runs a token operation on a pooled session; failures become ddbec errors. */
async function inToken<T>(
  key: KeyContext,
  usage: Pkcs11Usage,
  outcome: DdbecErrorCode,
  dataErrors: ReadonlySet<string>,
  operation: (session: Handle) => Promise<T>,
): Promise<T> {
  try {
    return await key.pool.use(operation);
  } catch (error) {
    if (error instanceof DdbecError) throw error;
    throw operationError(error, outcome, dataErrors, key.name, USAGE_ATTRIBUTES[usage]);
  }
}

abstract class Pkcs11Key {
  readonly #context: KeyContext;
  constructor(context: KeyContext) {
    this.#context = context;
  }
  protected get context(): KeyContext {
    return this.#context;
  }
  toString(): string {
    return this.#context.name;
  }
  toJSON(): { type: string; key: string } {
    return { type: this.constructor.name, key: this.#context.name };
  }
}

/**
 * An AES key in the token: the static provider's content key (AES/CBC/PKCS5Padding, as
 * `CKM_AES_CBC_PAD`), the wrapped provider's key-encryption key (AESWrap, as
 * `CKM_AES_KEY_WRAP`, RFC 3394) or the raw AES keyring's wrapping key (AES-GCM, as `CKM_AES_GCM`).
 */
export class Pkcs11AesKey extends Pkcs11Key implements DelegatedKey {
  readonly keyType = 'secret';
  readonly algorithm = 'AES';

  async encrypt(algorithm: string, plaintext: Uint8Array): Promise<Uint8Array> {
    requireAlgorithm(algorithm, CBC);
    assertBytes(plaintext, 'plaintext');
    const key = this.context;
    requireUsage(key, 'encrypt');
    const iv = buffer(randomBytes(BLOCK));
    const body = await inToken(key, 'encrypt', 'ERR_ENCRYPTION_FAILED', none, (session) => {
      key.pkcs11.C_EncryptInit(session, { mechanism: key.p.CKM_AES_CBC_PAD, parameter: iv }, key.handle);
      return key.pkcs11.C_EncryptAsync(session, buffer(plaintext), Buffer.alloc(plaintext.length + BLOCK));
    });
    return concatOwned(iv, body);
  }

  async decrypt(algorithm: string, ivAndCiphertext: Uint8Array): Promise<Uint8Array> {
    requireAlgorithm(algorithm, CBC);
    const key = this.context;
    requireUsage(key, 'decrypt');
    const data = ivAndCiphertext;
    if (!(data instanceof Uint8Array) || data.length < 2 * BLOCK || data.length % BLOCK !== 0) {
      throw new DdbecError('ERR_DECRYPTION_FAILED', 'ciphertext could not be decrypted');
    }
    return inToken(key, 'decrypt', 'ERR_DECRYPTION_FAILED', DECRYPT_DATA_ERRORS, (session) => {
      key.pkcs11.C_DecryptInit(session, { mechanism: key.p.CKM_AES_CBC_PAD, parameter: buffer(data.subarray(0, BLOCK)) }, key.handle);
      return key.pkcs11.C_DecryptAsync(session, buffer(data.subarray(BLOCK)), Buffer.alloc(data.length - BLOCK));
    });
  }

  /** `CKM_AES_GCM` under a fresh 12-byte IV (returned as the token left it: an HSM may write its own there). */
  async gcmEncrypt(plaintext: Uint8Array, aad: Uint8Array): Promise<{ iv: Uint8Array; ciphertext: Uint8Array }> {
    assertBytes(plaintext, 'plaintext');
    assertBytes(aad, 'aad');
    const key = this.context;
    requireUsage(key, 'encrypt');
    const iv = buffer(randomBytes(GCM_IV));
    const ciphertext = await inToken(key, 'encrypt', 'ERR_ENCRYPTION_FAILED', none, (session) => {
      key.pkcs11.C_EncryptInit(session, { mechanism: key.p.CKM_AES_GCM, parameter: gcmParameters(key.p, iv, aad) }, key.handle);
      return key.pkcs11.C_EncryptAsync(session, buffer(plaintext), Buffer.alloc(plaintext.length + GCM_TAG));
    });
    return { iv, ciphertext };
  }

  async gcmDecrypt(iv: Uint8Array, ciphertextAndTag: Uint8Array, aad: Uint8Array): Promise<Uint8Array> {
    assertBytes(aad, 'aad');
    const key = this.context;
    requireUsage(key, 'decrypt');
    const data = ciphertextAndTag;
    if (!(iv instanceof Uint8Array) || iv.length !== GCM_IV || !(data instanceof Uint8Array) || data.length < GCM_TAG) {
      throw new DdbecError('ERR_DECRYPTION_FAILED', 'ciphertext could not be decrypted');
    }
    return inToken(key, 'decrypt', 'ERR_DECRYPTION_FAILED', GCM_DECRYPT_DATA_ERRORS, (session) => {
      key.pkcs11.C_DecryptInit(session, { mechanism: key.p.CKM_AES_GCM, parameter: gcmParameters(key.p, buffer(iv), aad) }, key.handle);
      return key.pkcs11.C_DecryptAsync(session, buffer(data), Buffer.alloc(data.length));
    });
  }

  /** The content key goes into the token as a temporary session object, is wrapped there, and is destroyed. */
  async wrap(algorithm: string, contentKey: Uint8Array): Promise<Uint8Array> {
    requireAlgorithm(algorithm, 'AESWrap');
    assertBytes(contentKey, 'content key');
    const key = this.context;
    requireUsage(key, 'wrap');
    if (contentKey.length < 16 || contentKey.length % 8 !== 0) {
      throw new DdbecError('ERR_WRAPPING_FAILED', `AESWrap wraps keys of at least 16 bytes in multiples of 8, got ${contentKey.length} bytes`);
    }
    const { p, pkcs11 } = key;
    return inToken(key, 'wrap', 'ERR_WRAPPING_FAILED', none, async (session) => {
      const temporary = pkcs11.C_CreateObject(session, [
        { type: p.CKA_CLASS, value: p.CKO_SECRET_KEY },
        { type: p.CKA_KEY_TYPE, value: p.CKK_GENERIC_SECRET },
        { type: p.CKA_TOKEN, value: false },
        { type: p.CKA_EXTRACTABLE, value: true },
        { type: p.CKA_VALUE, value: buffer(contentKey) },
      ]);
      try {
        return await pkcs11.C_WrapKeyAsync(session, { mechanism: p.CKM_AES_KEY_WRAP }, key.handle, temporary, Buffer.alloc(contentKey.length + 8));
      } finally {
        pkcs11.C_DestroyObject(session, temporary);
      }
    });
  }

  /** Unwrapped in the token into a temporary session object, whose value is read and which is destroyed. */
  async unwrap(algorithm: string, wrapped: Uint8Array): Promise<Uint8Array> {
    requireAlgorithm(algorithm, 'AESWrap');
    const key = this.context;
    requireUsage(key, 'unwrap');
    if (!(wrapped instanceof Uint8Array) || wrapped.length < 24 || wrapped.length % 8 !== 0) {
      throw new DdbecError('ERR_UNWRAPPING_FAILED', 'content key could not be unwrapped');
    }
    const { p, pkcs11 } = key;
    return inToken(key, 'unwrap', 'ERR_UNWRAPPING_FAILED', UNWRAP_DATA_ERRORS, async (session) => {
      const temporary = await pkcs11.C_UnwrapKeyAsync(session, { mechanism: p.CKM_AES_KEY_WRAP }, key.handle, buffer(wrapped), [
        { type: p.CKA_CLASS, value: p.CKO_SECRET_KEY },
        { type: p.CKA_KEY_TYPE, value: p.CKK_GENERIC_SECRET },
        { type: p.CKA_TOKEN, value: false },
        { type: p.CKA_SENSITIVE, value: false },
        { type: p.CKA_EXTRACTABLE, value: true },
      ]);
      try {
        const [value] = pkcs11.C_GetAttributeValue(session, temporary, [{ type: p.CKA_VALUE }]);
        if (!(value?.value instanceof Buffer)) throw new DdbecError('ERR_UNWRAPPING_FAILED', 'content key could not be unwrapped');
        return value.value;
      } finally {
        pkcs11.C_DestroyObject(session, temporary);
      }
    });
  }
}

/** `CK_GCM_PARAMS` (PKCS#11 v2.40: with `ulIvBits`) for a 12-byte IV and a 16-byte tag. */
function gcmParameters(p: Binding, iv: Buffer, aad: Uint8Array): Pkcs11js.AesGCM {
  return { type: p.CK_PARAMS_GCM, iv, ivBits: GCM_IV * 8, aad: buffer(aad), tagBits: GCM_TAG * 8 };
}

const HMAC_MECHANISMS: Readonly<Record<string, string>> = {
  HmacSHA224: 'CKM_SHA224_HMAC',
  HmacSHA256: 'CKM_SHA256_HMAC',
  HmacSHA384: 'CKM_SHA384_HMAC',
  HmacSHA512: 'CKM_SHA512_HMAC',
};
const RSA_SIGN_MECHANISMS: Readonly<Record<string, string>> = {
  SHA224withRSA: 'CKM_SHA224_RSA_PKCS',
  SHA256withRSA: 'CKM_SHA256_RSA_PKCS',
  SHA384withRSA: 'CKM_SHA384_RSA_PKCS',
  SHA512withRSA: 'CKM_SHA512_RSA_PKCS',
};

function mechanism(p: Binding, table: Readonly<Record<string, string>>, algorithm: string): number {
  const name = Object.hasOwn(table, algorithm) ? table[algorithm] : undefined;
  const value = name === undefined ? undefined : (p as unknown as Record<string, unknown>)[name];
  if (typeof value !== 'number') throw new DdbecError('ERR_UNSUPPORTED_ALGORITHM', `unsupported signature algorithm: ${algorithm}`);
  return value;
}

/** Signs in the token (`C_Sign`). */
function signIn(key: KeyContext, mech: number, data: Uint8Array, length: number): Promise<Uint8Array> {
  assertBytes(data, 'data');
  requireUsage(key, 'sign');
  return inToken(key, 'sign', 'ERR_PKCS11_FAILED', none, (session) => {
    key.pkcs11.C_SignInit(session, { mechanism: mech }, key.handle);
    return key.pkcs11.C_SignAsync(session, buffer(data), Buffer.alloc(length));
  });
}

/** An HMAC key in the token (`CKM_SHA256_HMAC`, …): signs and verifies items. */
export class Pkcs11HmacKey extends Pkcs11Key implements DelegatedKey {
  readonly keyType = 'secret';
  readonly algorithm: string;

  constructor(context: KeyContext, algorithm: string) {
    super(context);
    mechanism(context.p, HMAC_MECHANISMS, algorithm);
    this.algorithm = algorithm;
  }

  sign(algorithm: string, data: Uint8Array): Promise<Uint8Array> {
    requireAlgorithm(algorithm, this.algorithm);
    return signIn(this.context, mechanism(this.context.p, HMAC_MECHANISMS, algorithm), data, 64);
  }

  async verify(algorithm: string, data: Uint8Array, signature: Uint8Array): Promise<boolean> {
    requireAlgorithm(algorithm, this.algorithm);
    assertBytes(data, 'data');
    const key = this.context;
    requireUsage(key, 'verify');
    if (!(signature instanceof Uint8Array) || signature.length === 0) return false;
    const mech = mechanism(key.p, HMAC_MECHANISMS, algorithm);
    try {
      return await key.pool.use((session) => {
        key.pkcs11.C_VerifyInit(session, { mechanism: mech }, key.handle);
        return key.pkcs11.C_VerifyAsync(session, buffer(data), buffer(signature));
      });
    } catch (error) {
      if (BAD_SIGNATURE.has(ckr(error) ?? '')) return false;
      throw operationError(error, 'ERR_PKCS11_FAILED', none, key.name, USAGE_ATTRIBUTES.verify);
    }
  }
}

/**
 * The private half of an RSA key pair in the token: signs (`CKM_SHA256_RSA_PKCS`, …) and
 * unwraps content keys and the raw RSA keyring's intermediate keys (`C_Decrypt`, so it needs
 * `CKA_DECRYPT`). OAEP runs as `CKM_RSA_PKCS_OAEP` when the token takes the algorithm's
 * parameters (say label hash SHA-256 with MGF1-SHA-1 for the legacy format, MGF1-SHA-256 for
 * the keyring's `OAEP_SHA256_MGF1`); a token that does not (SoftHSM2 takes only SHA-1) decrypts with raw RSA
 * (`CKM_RSA_X_509`) and the padding is removed here, as the software path does. PKCS#1 v1.5
 * (legacy items only) always takes the raw path.
 */
export class Pkcs11RsaPrivateKey extends Pkcs11Key implements DelegatedKey {
  readonly keyType = 'private';
  readonly algorithm: string;
  readonly modulusBits: number;
  readonly #modulus: Buffer;
  readonly #publicExponent: Buffer;
  /** Per OAEP algorithm name: false once the token refused its parameters. */
  readonly #nativeOaep = new Map<string, boolean>();

  constructor(context: KeyContext, algorithm: string, modulus: Buffer, publicExponent: Buffer) {
    super(context);
    this.algorithm = algorithm;
    this.#modulus = modulus;
    this.#publicExponent = publicExponent;
    this.modulusBits = publicKeyBits(modulus);
  }

  /** The public half, as a software key (public keys need no protection). */
  publicKey(algorithm: string = this.algorithm): RsaPublicKey {
    return rsaPublicKeyFromComponents(this.#modulus, this.#publicExponent, algorithm);
  }

  sign(algorithm: string, data: Uint8Array): Promise<Uint8Array> {
    return signIn(this.context, mechanism(this.context.p, RSA_SIGN_MECHANISMS, algorithm), data, this.#modulus.length);
  }

  async unwrap(algorithm: string, wrapped: Uint8Array): Promise<Uint8Array> {
    const scheme = rsaWrapScheme(algorithm);
    const key = this.context;
    requireUsage(key, 'decrypt');
    const k = this.#modulus.length;
    if (!(wrapped instanceof Uint8Array) || wrapped.length !== k) throw new DdbecError('ERR_UNWRAPPING_FAILED', 'content key could not be unwrapped');
    const { p, pkcs11 } = key;
    if (scheme.padding === 'oaep' && this.#nativeOaep.get(algorithm) !== false) {
      const hashAlg = { sha1: p.CKM_SHA_1, sha256: p.CKM_SHA256, sha384: p.CKM_SHA384, sha512: p.CKM_SHA512 }[scheme.hash];
      const mgf = { sha1: p.CKG_MGF1_SHA1, sha256: p.CKG_MGF1_SHA256, sha384: p.CKG_MGF1_SHA384, sha512: p.CKG_MGF1_SHA512 }[scheme.mgfHash];
      const oaep = { type: p.CK_PARAMS_RSA_OAEP, hashAlg, mgf, source: 1 /* CKZ_DATA_SPECIFIED */ };
      try {
        const contentKey = await key.pool.use((session) => {
          pkcs11.C_DecryptInit(session, { mechanism: p.CKM_RSA_PKCS_OAEP, parameter: oaep }, key.handle);
          return pkcs11.C_DecryptAsync(session, buffer(wrapped), Buffer.alloc(k));
        });
        this.#nativeOaep.set(algorithm, true);
        return contentKey;
      } catch (error) {
        const name = ckr(error) ?? '';
        if (this.#nativeOaep.get(algorithm) !== true && OAEP_UNSUPPORTED.has(name)) {
          this.#nativeOaep.set(algorithm, false);
        } else if (name !== 'CKR_GENERAL_ERROR') {
          throw operationError(error, 'ERR_UNWRAPPING_FAILED', UNWRAP_DATA_ERRORS, key.name, USAGE_ATTRIBUTES.decrypt);
        }
        // CKR_GENERAL_ERROR is also SoftHSM2's answer to a ciphertext whose padding does not
        // check: the raw path below decides (a failing token fails there too).
      }
    }
    const em = await inToken(key, 'decrypt', 'ERR_UNWRAPPING_FAILED', UNWRAP_DATA_ERRORS, (session) => {
      pkcs11.C_DecryptInit(session, { mechanism: p.CKM_RSA_X_509 }, key.handle);
      return pkcs11.C_DecryptAsync(session, buffer(wrapped), Buffer.alloc(k));
    });
    // A token may drop leading zero bytes of the raw result.
    const block = em.length === k ? em : concatOwned(new Uint8Array(k - em.length), em);
    try {
      return decodeRsaUnwrapped(algorithm, block);
    } finally {
      block.fill(0);
    }
  }
}

function publicKeyBits(modulus: Buffer): number {
  const first = modulus.findIndex((byte) => byte !== 0);
  if (first < 0) return 0;
  return (modulus.length - first) * 8 - Math.clz32(modulus[first] ?? 0) + 24;
}
