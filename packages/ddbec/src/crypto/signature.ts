/** Item signature algorithms (legacy-format §4.4): HMAC and RSASSA-PKCS1-v1_5. */
import { constants, createHmac, sign as nodeSign, timingSafeEqual as nodeTimingSafeEqual, verify as nodeVerify } from 'node:crypto';
import { DdbecError } from '../errors.js';
import { privateKeyObject, publicKeyObject, RsaPrivateKey, RsaPublicKey, SecretKey, secretKeyBytes, type SigningKey, type VerificationKey } from './keys.js';
import { assertBytes, nameOf } from './primitives.js';

export interface SignatureAlgorithm {
  /** Name as written in material descriptions, e.g. 'HmacSHA256', 'SHA256withRSA'. */
  readonly name: string;
  readonly keyType: 'hmac' | 'rsa';
  sign(key: SigningKey, data: Uint8Array): Uint8Array;
  /** Constant-time for HMAC; false (never throws) on any mismatch or wrong length. */
  verify(key: VerificationKey, data: Uint8Array, signature: Uint8Array): boolean;
}

function wrongKey(name: string, expected: string): DdbecError {
  return new DdbecError('ERR_INVALID_KEY', `${name} requires ${expected}`);
}

class HmacAlgorithm implements SignatureAlgorithm {
  readonly keyType = 'hmac';
  constructor(
    readonly name: string,
    private readonly hash: string,
  ) {
    Object.freeze(this);
  }

  #mac(key: SigningKey | VerificationKey, data: Uint8Array): Buffer {
    if (!(key instanceof SecretKey)) throw wrongKey(this.name, 'a secret (HMAC) key');
    assertBytes(data, 'data');
    return createHmac(this.hash, secretKeyBytes(key)).update(data).digest();
  }

  sign(key: SigningKey, data: Uint8Array): Uint8Array {
    return this.#mac(key, data);
  }

  verify(key: VerificationKey, data: Uint8Array, signature: Uint8Array): boolean {
    const expected = this.#mac(key, data);
    if (!(signature instanceof Uint8Array) || signature.length !== expected.length) return false;
    return nodeTimingSafeEqual(expected, signature);
  }
}

class RsaPkcs1Algorithm implements SignatureAlgorithm {
  readonly keyType = 'rsa';
  constructor(
    readonly name: string,
    private readonly hash: string,
  ) {
    Object.freeze(this);
  }

  sign(key: SigningKey, data: Uint8Array): Uint8Array {
    if (!(key instanceof RsaPrivateKey)) throw wrongKey(this.name, 'an RSA private key');
    assertBytes(data, 'data');
    return nodeSign(this.hash, data, { key: privateKeyObject(key), padding: constants.RSA_PKCS1_PADDING });
  }

  verify(key: VerificationKey, data: Uint8Array, signature: Uint8Array): boolean {
    if (!(key instanceof RsaPublicKey)) throw wrongKey(this.name, 'an RSA public key');
    assertBytes(data, 'data');
    if (!(signature instanceof Uint8Array)) return false;
    try {
      return nodeVerify(this.hash, data, { key: publicKeyObject(key), padding: constants.RSA_PKCS1_PADDING }, signature);
    } catch {
      return false;
    }
  }
}

const SIGNATURE_ALGORITHMS: ReadonlyMap<string, SignatureAlgorithm> = new Map<string, SignatureAlgorithm>(
  [
    new HmacAlgorithm('HmacSHA224', 'sha224'),
    new HmacAlgorithm('HmacSHA256', 'sha256'),
    new HmacAlgorithm('HmacSHA384', 'sha384'),
    new HmacAlgorithm('HmacSHA512', 'sha512'),
    new RsaPkcs1Algorithm('SHA224withRSA', 'sha224'),
    new RsaPkcs1Algorithm('SHA256withRSA', 'sha256'),
    new RsaPkcs1Algorithm('SHA384withRSA', 'sha384'),
    new RsaPkcs1Algorithm('SHA512withRSA', 'sha512'),
  ].map((algorithm) => [algorithm.name, algorithm]),
);

/** The signature algorithm with this exact JCE name; unknown → ERR_UNSUPPORTED_ALGORITHM. */
export function getSignatureAlgorithm(name: string): SignatureAlgorithm {
  const algorithm = typeof name === 'string' ? SIGNATURE_ALGORITHMS.get(name) : undefined;
  if (algorithm === undefined) throw new DdbecError('ERR_UNSUPPORTED_ALGORITHM', `unsupported signature algorithm: ${nameOf(name)}`);
  return algorithm;
}
