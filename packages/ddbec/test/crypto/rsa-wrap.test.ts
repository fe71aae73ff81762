import { constants, createHash, generateKeyPairSync, privateDecrypt, publicEncrypt, randomBytes as nodeRandomBytes, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateRsaKeyPair, getWrappingAlgorithm, RsaPrivateKey, RsaPublicKey, SecretKey } from '../../src/crypto/index.js';
import { expectDdbecError, range, rsaTestKeys, toHex } from './helpers.js';

const OAEP_SHA1 = 'RSA/ECB/OAEPWithSHA-1AndMGF1Padding';
const OAEP_SHA256 = 'RSA/ECB/OAEPWithSHA-256AndMGF1Padding';
const OAEP_SHA384 = 'RSA/ECB/OAEPWithSHA-384AndMGF1Padding';
const OAEP_SHA512 = 'RSA/ECB/OAEPWithSHA-512AndMGF1Padding';

const keys = () => ({
  pub: RsaPublicKey.fromDer(rsaTestKeys().publicDer),
  priv: RsaPrivateKey.fromDer(rsaTestKeys().privateDer),
});
const K = 256;

// ---- an independent, fault-injecting EME-OAEP encoder for negative tests ---------------------

function mgf1(hash: string, seed: Uint8Array, length: number): Buffer {
  const parts: Buffer[] = [];
  for (let counter = 0; parts.length * createHash(hash).digest().length < length; counter++) {
    const c = Buffer.alloc(4);
    c.writeUInt32BE(counter);
    parts.push(createHash(hash).update(seed).update(c).digest());
  }
  return Buffer.concat(parts).subarray(0, length);
}

function xor(a: Uint8Array, b: Uint8Array): Buffer {
  return Buffer.from(a.map((x, i) => x ^ (b[i] ?? 0)));
}

/** EM = 0x00 || maskedSeed || maskedDB for an arbitrary DB (k - hLen - 1 bytes). */
function oaepBlock(db: Uint8Array, hash: string, mgfHash: string, leading = 0): Buffer {
  const hLen = createHash(hash).digest().length;
  const seed = nodeRandomBytes(hLen);
  const maskedDb = xor(db, mgf1(mgfHash, seed, db.length));
  const maskedSeed = xor(seed, mgf1(mgfHash, maskedDb, hLen));
  return Buffer.concat([Buffer.from([leading]), maskedSeed, maskedDb]);
}

function oaepDb(message: Uint8Array, hash: string, k = K): Buffer {
  const hLen = createHash(hash).digest().length;
  const lHash = createHash(hash).digest();
  const ps = Buffer.alloc(k - message.length - 2 * hLen - 2);
  return Buffer.concat([lHash, ps, Buffer.from([1]), message]);
}

function rawEncrypt(key: KeyObject, block: Uint8Array): Uint8Array {
  return publicEncrypt({ key, padding: constants.RSA_NO_PADDING }, block);
}

describe('RSA-OAEP wrapping (hand-made EME-OAEP over raw RSA)', () => {
  for (const name of [OAEP_SHA1, OAEP_SHA256, OAEP_SHA384, OAEP_SHA512]) {
    it(`${name} round-trips 16/24/32-byte keys and the largest message`, () => {
      const algorithm = getWrappingAlgorithm(name);
      expect(algorithm.name).toBe(name);
      expect(algorithm.keyType).toBe('rsa');
      const { pub, priv } = keys();
      const hLen = { [OAEP_SHA1]: 20, [OAEP_SHA256]: 32, [OAEP_SHA384]: 48, [OAEP_SHA512]: 64 }[name] ?? 0;
      for (const length of [0, 16, 24, 32, K - 2 * hLen - 2]) {
        const contentKey = range(1, length).map((x) => x & 0xff);
        const wrapped = algorithm.wrap(pub, contentKey);
        expect(wrapped.length).toBe(K);
        expect(toHex(algorithm.unwrap(priv, wrapped))).toBe(toHex(contentKey));
      }
      expectDdbecError(() => algorithm.wrap(pub, new Uint8Array(K - 2 * hLen - 1)), 'ERR_WRAPPING_FAILED');
    });
  }

  it('is randomized', () => {
    const algorithm = getWrappingAlgorithm(OAEP_SHA256);
    const contentKey = range(0, 31);
    expect(toHex(algorithm.wrap(keys().pub, contentKey))).not.toBe(toHex(algorithm.wrap(keys().pub, contentKey)));
  });

  it('SHA-1/MGF1-SHA-1 interoperates with OpenSSL OAEP in both directions', () => {
    const algorithm = getWrappingAlgorithm(OAEP_SHA1);
    const { publicKeyObject, privateKeyObject } = rsaTestKeys();
    const contentKey = nodeRandomBytes(32);
    const byOpenSsl = publicEncrypt({ key: publicKeyObject, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, contentKey);
    expect(toHex(algorithm.unwrap(keys().priv, byOpenSsl))).toBe(toHex(contentKey));
    const byUs = algorithm.wrap(keys().pub, contentKey);
    const decrypted = privateDecrypt({ key: privateKeyObject, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, byUs);
    expect(toHex(decrypted)).toBe(toHex(contentKey));
  });

  it('SHA-256 uses MGF1-SHA-1: OpenSSL with oaepHash sha256 (MGF1-SHA-256) cannot read it, and vice versa', () => {
    const algorithm = getWrappingAlgorithm(OAEP_SHA256);
    const { publicKeyObject, privateKeyObject } = rsaTestKeys();
    const contentKey = nodeRandomBytes(32);
    const byUs = algorithm.wrap(keys().pub, contentKey);
    expect(() => privateDecrypt({ key: privateKeyObject, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, byUs)).toThrow();
    const byOpenSsl = publicEncrypt({ key: publicKeyObject, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, contentKey);
    expectDdbecError(() => algorithm.unwrap(keys().priv, byOpenSsl), 'ERR_UNWRAPPING_FAILED');
    // our independent test encoder with MGF1-SHA-1 is accepted
    const em = oaepBlock(oaepDb(contentKey, 'sha256'), 'sha256', 'sha1');
    expect(toHex(algorithm.unwrap(keys().priv, rawEncrypt(publicKeyObject, em)))).toBe(toHex(contentKey));
  });

  it('fails with one generic ERR_UNWRAPPING_FAILED for every malformed input', () => {
    const algorithm = getWrappingAlgorithm(OAEP_SHA256);
    const { pub, priv } = keys();
    const { publicKeyObject } = rsaTestKeys();
    const contentKey = range(0, 31);
    const wrapped = algorithm.wrap(pub, contentKey);
    const fail = (input: Uint8Array, key: RsaPrivateKey = priv): void => {
      const error = expectDdbecError(() => algorithm.unwrap(key, input), 'ERR_UNWRAPPING_FAILED');
      expect(error.message).toBe('content key could not be unwrapped');
    };
    for (const index of [0, 1, 100, 255]) {
      const flipped = Uint8Array.from(wrapped);
      flipped[index] = (flipped[index] ?? 0) ^ 0x01;
      fail(flipped);
    }
    fail(wrapped, generateRsaKeyPair(2048).privateKey); // wrong key
    fail(wrapped.subarray(1)); // 255 bytes
    fail(new Uint8Array([0, ...wrapped])); // 257 bytes
    fail(new Uint8Array(0));
    fail(new Uint8Array(K)); // zero ciphertext
    fail(new Uint8Array(K).fill(0xff)); // not below the modulus
    fail(Uint8Array.from({ length: K }, (_, i) => (i === K - 1 ? 1 : 0))); // ciphertext 1 -> EM 1
    // specific decoding faults, each encrypted correctly
    const db = oaepDb(contentKey, 'sha256');
    fail(rawEncrypt(publicKeyObject, oaepBlock(db, 'sha256', 'sha1', 0x01))); // leading byte not zero
    fail(rawEncrypt(publicKeyObject, oaepBlock(db, 'sha256', 'sha256'))); // wrong MGF hash
    const badLHash = Buffer.from(db);
    badLHash[5] = (badLHash[5] ?? 0) ^ 0x80;
    fail(rawEncrypt(publicKeyObject, oaepBlock(badLHash, 'sha256', 'sha1')));
    const noSeparator = Buffer.from(db);
    noSeparator.fill(0, 32);
    fail(rawEncrypt(publicKeyObject, oaepBlock(noSeparator, 'sha256', 'sha1')));
    const nonZeroPs = Buffer.from(db);
    nonZeroPs[40] = 0x02;
    fail(rawEncrypt(publicKeyObject, oaepBlock(nonZeroPs, 'sha256', 'sha1')));
    const separatorTwo = Buffer.from(db);
    separatorTwo[db.length - contentKey.length - 1] = 0x02;
    fail(rawEncrypt(publicKeyObject, oaepBlock(separatorTwo, 'sha256', 'sha1')));
    // right encoding under SHA-1 label hash is not accepted by the SHA-256 variant
    fail(rawEncrypt(publicKeyObject, oaepBlock(oaepDb(contentKey, 'sha1'), 'sha1', 'sha1')));
  });

  it('accepts an empty message and a message that starts with 0x00/0x01 bytes', () => {
    const algorithm = getWrappingAlgorithm(OAEP_SHA256);
    const { publicKeyObject } = rsaTestKeys();
    for (const message of [new Uint8Array(0), Uint8Array.from([0, 0, 1, 1, 0]), Uint8Array.from([1])]) {
      const em = oaepBlock(oaepDb(message, 'sha256'), 'sha256', 'sha1');
      expect(toHex(algorithm.unwrap(keys().priv, rawEncrypt(publicKeyObject, em)))).toBe(toHex(message));
    }
  });

  it('SHA-512 does not fit a 1024-bit key', () => {
    const pair = generateRsaKeyPair(1024);
    expectDdbecError(() => getWrappingAlgorithm(OAEP_SHA512).wrap(pair.publicKey, new Uint8Array(0)), 'ERR_WRAPPING_FAILED');
    expectDdbecError(() => getWrappingAlgorithm(OAEP_SHA512).unwrap(pair.privateKey, new Uint8Array(128)), 'ERR_UNWRAPPING_FAILED');
    const wrapped = getWrappingAlgorithm(OAEP_SHA256).wrap(pair.publicKey, range(0, 31));
    expect(wrapped.length).toBe(128);
    expect(toHex(getWrappingAlgorithm(OAEP_SHA256).unwrap(pair.privateKey, wrapped))).toBe(toHex(range(0, 31)));
  });

  it('works with a modulus that is not a whole number of bytes', () => {
    const pair = generateKeyPairSync('rsa', { modulusLength: 1028 });
    const pub = RsaPublicKey.fromDer(pair.publicKey.export({ format: 'der', type: 'spki' }));
    const priv = RsaPrivateKey.fromDer(pair.privateKey.export({ format: 'der', type: 'pkcs8' }));
    expect(pub.modulusBits).toBe(1028);
    const algorithm = getWrappingAlgorithm(OAEP_SHA256);
    for (let i = 0; i < 5; i++) {
      const wrapped = algorithm.wrap(pub, range(0, 31));
      expect(wrapped.length).toBe(129);
      expect(toHex(algorithm.unwrap(priv, wrapped))).toBe(toHex(range(0, 31)));
    }
  });

  it('needs RSA keys of the right kind', () => {
    const algorithm = getWrappingAlgorithm(OAEP_SHA256);
    const aes = SecretKey.fromBytes(range(0, 15), 'AES');
    expectDdbecError(() => algorithm.wrap(aes, range(0, 31)), 'ERR_INVALID_KEY');
    expectDdbecError(() => algorithm.wrap(keys().priv as unknown as RsaPublicKey, range(0, 31)), 'ERR_INVALID_KEY');
    expectDdbecError(() => algorithm.unwrap(aes, new Uint8Array(K)), 'ERR_UNWRAPPING_FAILED');
    expectDdbecError(() => algorithm.unwrap(keys().pub as unknown as RsaPrivateKey, new Uint8Array(K)), 'ERR_UNWRAPPING_FAILED');
  });
});

// ---- PKCS#1 v1.5 ------------------------------------------------------------------------

function pkcs1Block(message: Uint8Array, options: { psLength?: number; type?: number; leading?: number; separator?: number } = {}): Buffer {
  const psLength = options.psLength ?? K - message.length - 3;
  const ps = Buffer.alloc(psLength, 0x5a);
  const block = Buffer.concat([Buffer.from([options.leading ?? 0, options.type ?? 2]), ps, Buffer.from([options.separator ?? 0]), message]);
  return block;
}

describe('RSAES-PKCS1-v1_5 wrapping (legacy)', () => {
  for (const name of ['RSA', 'RSA/ECB/PKCS1Padding']) {
    it(`${name}: wrap with OpenSSL, unwrap by hand`, () => {
      const algorithm = getWrappingAlgorithm(name);
      expect(algorithm.keyType).toBe('rsa');
      const { pub, priv } = keys();
      for (const length of [0, 16, 32, K - 11]) {
        const contentKey = nodeRandomBytes(length);
        const wrapped = algorithm.wrap(pub, contentKey);
        expect(wrapped.length).toBe(K);
        expect(toHex(algorithm.unwrap(priv, wrapped))).toBe(toHex(contentKey));
      }
      expectDdbecError(() => algorithm.wrap(pub, new Uint8Array(K - 10)), 'ERR_WRAPPING_FAILED');
      // OpenSSL's own PKCS#1 v1.5 encryption, independent of our wrap()
      const contentKey = nodeRandomBytes(32);
      const byOpenSsl = publicEncrypt({ key: rsaTestKeys().publicKeyObject, padding: constants.RSA_PKCS1_PADDING }, contentKey);
      expect(toHex(algorithm.unwrap(priv, byOpenSsl))).toBe(toHex(contentKey));
    });
  }

  it('accepts exactly 8 padding bytes', () => {
    const { publicKeyObject } = rsaTestKeys();
    const message = nodeRandomBytes(K - 11);
    expect(toHex(getWrappingAlgorithm('RSA').unwrap(keys().priv, rawEncrypt(publicKeyObject, pkcs1Block(message, { psLength: 8 }))))).toBe(
      toHex(message),
    );
  });

  it('rejects bad padding with one generic ERR_UNWRAPPING_FAILED', () => {
    const algorithm = getWrappingAlgorithm('RSA/ECB/PKCS1Padding');
    const { publicKeyObject } = rsaTestKeys();
    const { priv } = keys();
    const message = range(0, 31);
    const fail = (block: Uint8Array): void => {
      const error = expectDdbecError(() => algorithm.unwrap(priv, rawEncrypt(publicKeyObject, block)), 'ERR_UNWRAPPING_FAILED');
      expect(error.message).toBe('content key could not be unwrapped');
    };
    fail(pkcs1Block(message, { type: 1 })); // signature block type
    fail(pkcs1Block(message, { type: 0 }));
    fail(pkcs1Block(message, { leading: 1 }));
    const shortPs = pkcs1Block(message);
    shortPs[2 + 7] = 0; // separator after only 7 PS bytes
    fail(shortPs);
    const zeroFirst = pkcs1Block(message);
    zeroFirst[2] = 0; // empty PS
    fail(zeroFirst);
    fail(Buffer.concat([Buffer.from([0, 2]), Buffer.alloc(K - 2, 0x33)])); // no separator
    fail(new Uint8Array(K)); // all zero
    expectDdbecError(() => algorithm.unwrap(priv, new Uint8Array(K)), 'ERR_UNWRAPPING_FAILED');
    expectDdbecError(() => algorithm.unwrap(priv, new Uint8Array(K - 1)), 'ERR_UNWRAPPING_FAILED');
    expectDdbecError(() => algorithm.unwrap(priv, new Uint8Array(K).fill(0xff)), 'ERR_UNWRAPPING_FAILED');
    // an OAEP ciphertext is not a PKCS#1 one
    expectDdbecError(() => algorithm.unwrap(priv, getWrappingAlgorithm(OAEP_SHA256).wrap(keys().pub, message)), 'ERR_UNWRAPPING_FAILED');
  });
});

describe('getWrappingAlgorithm', () => {
  it('refuses unknown names and kms with ERR_UNSUPPORTED_ALGORITHM', () => {
    for (const name of ['kms', 'AESWrapPad', 'aeswrap', 'AES', 'RSA/ECB/OAEPPadding', 'RSA/ECB/OAEPWithSHA-224AndMGF1Padding', 'RSA/ECB/NoPadding', '', '__proto__']) {
      const error = expectDdbecError(() => getWrappingAlgorithm(name), 'ERR_UNSUPPORTED_ALGORITHM');
      expect(error.message).toContain(`unsupported wrapping algorithm: ${name}`);
    }
  });
});
