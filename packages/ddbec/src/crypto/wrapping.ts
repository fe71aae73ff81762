/** Content-key wrapping algorithms (legacy-format §8.3.3, §8.3.4). */
import { constants, publicEncrypt } from 'node:crypto';
import { DdbecError } from '../errors.js';
import { aesKeyUnwrap, aesKeyWrap, isUnwrappableLength, isWrappableLength } from './aes-key-wrap.js';
import { privateKeyObject, publicKeyObject, RsaPrivateKey, RsaPublicKey, SecretKey, secretKeyBytes, type UnwrappingKey, type WrappingKey } from './keys.js';
import { assertBytes, nameOf } from './primitives.js';
import { modulusBytes, oaepDecode, oaepEncode, oaepMaxMessageLength, pkcs1v15Decode, rsaPrivateRaw, rsaPublicRaw } from './rsa-padding.js';

export interface WrappingAlgorithm {
  /** Name as written in `amzn-ddb-wrap-alg`, e.g. 'AESWrap'. */
  readonly name: string;
  readonly keyType: 'aes' | 'rsa';
  wrap(key: WrappingKey, contentKey: Uint8Array): Uint8Array;
  /** Any failure → ERR_UNWRAPPING_FAILED with a generic message. */
  unwrap(key: UnwrappingKey, wrapped: Uint8Array): Uint8Array;
}

const UNWRAP_FAILED = 'content key could not be unwrapped';
const unwrapFailed = (): DdbecError => new DdbecError('ERR_UNWRAPPING_FAILED', UNWRAP_FAILED);
/** For a key of the wrong kind: says so (not secret), still ERR_UNWRAPPING_FAILED. */
const unwrapWrongKey = (name: string, expected: string): DdbecError =>
  new DdbecError('ERR_UNWRAPPING_FAILED', `${UNWRAP_FAILED}: ${name} requires ${expected}`);
const wrapWrongKey = (name: string, expected: string): DdbecError => new DdbecError('ERR_INVALID_KEY', `${name} requires ${expected}`);

function checkContentKey(contentKey: unknown): asserts contentKey is Uint8Array {
  assertBytes(contentKey, 'content key');
}

class AesWrapAlgorithm implements WrappingAlgorithm {
  readonly name = 'AESWrap';
  readonly keyType = 'aes';

  wrap(key: WrappingKey, contentKey: Uint8Array): Uint8Array {
    if (!(key instanceof SecretKey) || key.algorithm !== 'AES') throw wrapWrongKey(this.name, 'an AES secret key');
    checkContentKey(contentKey);
    if (!isWrappableLength(contentKey.length)) {
      throw new DdbecError('ERR_WRAPPING_FAILED', `AESWrap wraps keys of at least 16 bytes in multiples of 8, got ${contentKey.length} bytes`);
    }
    try {
      return aesKeyWrap(secretKeyBytes(key), contentKey);
    } catch (cause) {
      throw new DdbecError('ERR_WRAPPING_FAILED', 'content key could not be wrapped', { cause });
    }
  }

  unwrap(key: UnwrappingKey, wrapped: Uint8Array): Uint8Array {
    if (!(key instanceof SecretKey) || key.algorithm !== 'AES') throw unwrapWrongKey(this.name, 'an AES secret key');
    if (!(wrapped instanceof Uint8Array) || !isUnwrappableLength(wrapped.length)) throw unwrapFailed();
    const contentKey = aesKeyUnwrap(secretKeyBytes(key), wrapped);
    if (contentKey === undefined) throw unwrapFailed();
    return contentKey;
  }
}

abstract class RsaWrapAlgorithm implements WrappingAlgorithm {
  readonly keyType = 'rsa';
  constructor(readonly name: string) {}

  protected abstract maxMessageLength(k: number): number;
  protected abstract encrypt(key: RsaPublicKey, k: number, contentKey: Uint8Array): Buffer;
  protected abstract decode(em: Buffer): Buffer | undefined;

  wrap(key: WrappingKey, contentKey: Uint8Array): Uint8Array {
    if (!(key instanceof RsaPublicKey)) throw wrapWrongKey(this.name, 'an RSA public key');
    checkContentKey(contentKey);
    const k = modulusBytes(publicKeyObject(key));
    if (contentKey.length > this.maxMessageLength(k)) {
      throw new DdbecError('ERR_WRAPPING_FAILED', `a ${contentKey.length}-byte content key is too long for ${this.name} with a ${key.modulusBits}-bit RSA key`);
    }
    try {
      return this.encrypt(key, k, contentKey);
    } catch (cause) {
      throw new DdbecError('ERR_WRAPPING_FAILED', 'content key could not be wrapped', { cause });
    }
  }

  unwrap(key: UnwrappingKey, wrapped: Uint8Array): Uint8Array {
    if (!(key instanceof RsaPrivateKey)) throw unwrapWrongKey(this.name, 'an RSA private key');
    const keyObject = privateKeyObject(key);
    const k = modulusBytes(keyObject);
    if (!(wrapped instanceof Uint8Array) || wrapped.length !== k) throw unwrapFailed();
    let em: Buffer;
    try {
      em = rsaPrivateRaw(keyObject, wrapped); // fails only for inputs >= n (public information)
    } catch {
      throw unwrapFailed();
    }
    if (em.length !== k) throw unwrapFailed();
    const contentKey = this.decode(em);
    if (contentKey === undefined) throw unwrapFailed();
    return contentKey;
  }
}

/** RSAES-OAEP, empty label, `hash` for the label hash and MGF1 with SHA-1 (Java's defaults). */
class RsaOaepAlgorithm extends RsaWrapAlgorithm {
  constructor(
    name: string,
    private readonly hash: string,
  ) {
    super(name);
  }

  protected maxMessageLength(k: number): number {
    return oaepMaxMessageLength(k, this.hash);
  }

  protected encrypt(key: RsaPublicKey, k: number, contentKey: Uint8Array): Buffer {
    const em = oaepEncode(contentKey, k, this.hash, 'sha1');
    try {
      return rsaPublicRaw(publicKeyObject(key), em);
    } finally {
      em.fill(0);
    }
  }

  protected decode(em: Buffer): Buffer | undefined {
    return oaepDecode(em, this.hash, 'sha1');
  }
}

/** RSAES-PKCS1-v1_5: legacy items whose wrap algorithm is the key's name 'RSA' (§8.3.4). */
class RsaPkcs1Algorithm extends RsaWrapAlgorithm {
  protected maxMessageLength(k: number): number {
    return k - 11;
  }

  protected encrypt(key: RsaPublicKey, _k: number, contentKey: Uint8Array): Buffer {
    return publicEncrypt({ key: publicKeyObject(key), padding: constants.RSA_PKCS1_PADDING }, contentKey);
  }

  protected decode(em: Buffer): Buffer | undefined {
    return pkcs1v15Decode(em);
  }
}

const WRAPPING_ALGORITHMS: ReadonlyMap<string, WrappingAlgorithm> = new Map<string, WrappingAlgorithm>(
  [
    new AesWrapAlgorithm(),
    new RsaOaepAlgorithm('RSA/ECB/OAEPWithSHA-1AndMGF1Padding', 'sha1'),
    new RsaOaepAlgorithm('RSA/ECB/OAEPWithSHA-256AndMGF1Padding', 'sha256'),
    new RsaOaepAlgorithm('RSA/ECB/OAEPWithSHA-384AndMGF1Padding', 'sha384'),
    new RsaOaepAlgorithm('RSA/ECB/OAEPWithSHA-512AndMGF1Padding', 'sha512'),
    new RsaPkcs1Algorithm('RSA/ECB/PKCS1Padding'),
    new RsaPkcs1Algorithm('RSA'),
  ].map((algorithm) => [algorithm.name, Object.freeze(algorithm)]),
);

/** The wrapping algorithm with this exact name; unknown (and 'kms') → ERR_UNSUPPORTED_ALGORITHM. */
export function getWrappingAlgorithm(name: string): WrappingAlgorithm {
  const algorithm = typeof name === 'string' ? WRAPPING_ALGORITHMS.get(name) : undefined;
  if (algorithm === undefined) {
    const note = name === 'kms' ? ' (KMS wrapping is handled by the Direct KMS provider, not locally)' : '';
    throw new DdbecError('ERR_UNSUPPORTED_ALGORITHM', `unsupported wrapping algorithm: ${nameOf(name)}${note}`);
  }
  return algorithm;
}
