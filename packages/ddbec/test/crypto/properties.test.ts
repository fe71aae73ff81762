import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { aesKeyUnwrapPortable, aesKeyWrapPortable } from '../../src/crypto/aes-key-wrap.js';
import { getContentCipher, getWrappingAlgorithm, RsaPrivateKey, RsaPublicKey, SecretKey } from '../../src/crypto/index.js';
import { rsaTestKeys, toHex } from './helpers.js';

const aesKeyBytes = fc.constantFrom(16, 24, 32).chain((length) => fc.uint8Array({ minLength: length, maxLength: length }));

describe('properties', () => {
  it('AES-CBC: decrypt(encrypt(x)) = x', () => {
    const cipher = getContentCipher('AES', '/CBC/PKCS5Padding');
    fc.assert(
      fc.property(aesKeyBytes, fc.uint8Array({ minLength: 0, maxLength: 300 }), (raw, plaintext) => {
        const key = SecretKey.fromBytes(raw, 'AES');
        const out = cipher.encrypt(key, plaintext);
        expect(out.length).toBe(16 + 16 * (Math.floor(plaintext.length / 16) + 1));
        expect(toHex(cipher.decrypt(key, out))).toBe(toHex(plaintext));
      }),
      { numRuns: 200 },
    );
  });

  it('AESWrap: unwrap(wrap(k)) = k, and native agrees with portable', () => {
    const algorithm = getWrappingAlgorithm('AESWrap');
    fc.assert(
      fc.property(aesKeyBytes, aesKeyBytes, (kekBytes, contentKey) => {
        const kek = SecretKey.fromBytes(kekBytes, 'AES');
        const wrapped = algorithm.wrap(kek, contentKey);
        expect(wrapped.length).toBe(contentKey.length + 8);
        expect(toHex(wrapped)).toBe(toHex(aesKeyWrapPortable(kekBytes, contentKey)));
        expect(toHex(algorithm.unwrap(kek, wrapped))).toBe(toHex(contentKey));
        expect(toHex(aesKeyUnwrapPortable(kekBytes, wrapped) ?? new Uint8Array(0))).toBe(toHex(contentKey));
      }),
      { numRuns: 200 },
    );
  });

  it('RSA-OAEP (SHA-256, MGF1-SHA-1): round trip for 0..190-byte messages', () => {
    const algorithm = getWrappingAlgorithm('RSA/ECB/OAEPWithSHA-256AndMGF1Padding');
    const pub = RsaPublicKey.fromDer(rsaTestKeys().publicDer);
    const priv = RsaPrivateKey.fromDer(rsaTestKeys().privateDer);
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 190 }), (message) => {
        expect(toHex(algorithm.unwrap(priv, algorithm.wrap(pub, message)))).toBe(toHex(message));
      }),
      { numRuns: 25 },
    );
  });

  it('AES-CBC: a flipped ciphertext bit never yields the original plaintext silently', () => {
    const cipher = getContentCipher('AES', '/CBC/PKCS5Padding');
    const key = SecretKey.fromBytes(new Uint8Array(32).fill(9), 'AES');
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 64 }), fc.nat(), fc.integer({ min: 0, max: 7 }), (plaintext, position, bit) => {
        const out = Uint8Array.from(cipher.encrypt(key, plaintext));
        const index = position % out.length;
        out[index] = (out[index] ?? 0) ^ (1 << bit);
        let result: Uint8Array | undefined;
        try {
          result = cipher.decrypt(key, out);
        } catch {
          return; // rejected (bad padding)
        }
        expect(toHex(result)).not.toBe(toHex(plaintext));
      }),
      { numRuns: 100 },
    );
  });
});
