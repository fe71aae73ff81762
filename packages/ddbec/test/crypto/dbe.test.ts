import { createHmac, ECDH, generateKeyPairSync, hkdfSync, sign } from 'node:crypto';
import { hkdf } from '../../src/crypto/primitives.js';
import { describe, expect, it } from 'vitest';
import {
  aes256CtrKeyStream,
  aesGcmDecrypt,
  aesGcmEncrypt,
  ECDSA_P384_SIGNATURE_LENGTH,
  EcdsaP384PrivateKey,
  ecdsaP384Verify,
  hkdfSha512,
  hmacSha384,
  kdfCounterHmacSha256,
  sha384,
} from '../../src/crypto/dbe.js';
import { expectDdbecError, hex, toHex, utf8 } from './helpers.js';

describe('AES-GCM', () => {
  // NIST GCM test case 16 (AES-256, 60-byte plaintext, 20-byte AAD, 96-bit IV).
  const key = hex('feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308');
  const iv = hex('cafebabefacedbaddecaf888');
  const plaintext = hex(
    'd9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39',
  );
  const aad = hex('feedfacedeadbeeffeedfacedeadbeefabaddad2');
  const expected =
    '522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662' +
    '76fc6ece0f4e1768cddf8853bb2d551b';

  it('matches the NIST known answer and decrypts it', () => {
    const sealed = aesGcmEncrypt(key, iv, plaintext, aad);
    expect(toHex(sealed)).toBe(expected);
    expect(toHex(aesGcmDecrypt(key, iv, sealed, aad) ?? new Uint8Array())).toBe(toHex(plaintext));
    const reserved = aesGcmEncrypt(key, iv, plaintext, aad, 3);
    expect(toHex(reserved.subarray(3))).toBe(expected);
    expect(reserved).toHaveLength(3 + sealed.length);
  });

  it('returns undefined for any altered byte, AAD or a short input, and refuses bad keys and IVs', () => {
    const sealed = aesGcmEncrypt(key, iv, plaintext, aad);
    for (let i = 0; i < sealed.length; i++) {
      const altered = sealed.slice();
      altered[i] = (altered[i] as number) ^ 0x80;
      expect(aesGcmDecrypt(key, iv, altered, aad)).toBeUndefined();
    }
    expect(aesGcmDecrypt(key, iv, sealed, new Uint8Array(0))).toBeUndefined();
    expect(aesGcmDecrypt(key, iv, sealed.subarray(0, 15), aad)).toBeUndefined();
    expectDdbecError(() => aesGcmEncrypt(key.subarray(0, 20), iv, plaintext, aad), 'ERR_INVALID_KEY');
    expectDdbecError(() => aesGcmEncrypt(key, iv.subarray(0, 8), plaintext, aad), 'ERR_INVALID_ARGUMENT');
  });

  it('works with 128- and 192-bit keys', () => {
    for (const length of [16, 24]) {
      const k = key.subarray(0, length);
      expect(toHex(aesGcmDecrypt(k, iv, aesGcmEncrypt(k, iv, plaintext, aad), aad) ?? new Uint8Array())).toBe(toHex(plaintext));
    }
  });
});

describe('AES-256-CTR key stream', () => {
  it('is the encryption of zeros (NIST SP 800-38A F.5.5, first block)', () => {
    const key = hex('603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4');
    const counter = hex('f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff');
    // keystream = plaintext XOR ciphertext of the first block
    const p = hex('6bc1bee22e409f96e93d7e117393172a');
    const c = hex('601ec313775789a5b7a7f504bbf3d228');
    expect(toHex(aes256CtrKeyStream(key, counter, 16))).toBe(toHex(p.map((b, i) => b ^ (c[i] as number))));
    expect(aes256CtrKeyStream(key, counter, 44)).toHaveLength(44);
  });
});

describe('hashes, HMAC, HKDF and the counter-mode KDF', () => {
  it('SHA-384 and HMAC-SHA384 match FIPS 180 and RFC 4231', () => {
    expect(toHex(sha384(utf8('abc')))).toBe(
      'cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7',
    );
    expect(toHex(hmacSha384(hex('0b'.repeat(20)), utf8('Hi There')))).toBe(
      'afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59cfaea9ea9076ede7f4af152e8b2fa9cb6',
    );
  });

  it('HKDF-SHA512 without salt is extract with 64 zero bytes, then expand', () => {
    const ikm = utf8('input key material');
    const info = utf8('AWS_DBE_DERIVE_KEY');
    const prk = createHmac('sha512', new Uint8Array(64)).update(ikm).digest();
    const t1 = createHmac('sha512', prk).update(info).update(new Uint8Array([1])).digest();
    expect(toHex(hkdfSha512(ikm, info, 32))).toBe(toHex(t1.subarray(0, 32)));
    for (const length of [0, 64, 100, 200]) {
      expect(toHex(hkdf('sha512', ikm, undefined, info, length))).toBe(toHex(new Uint8Array(hkdfSync('sha512', ikm, new Uint8Array(0), info, length))));
    }
  });

  it('the counter-mode KDF is one HMAC-SHA256 over counter, label, separator, context and length', () => {
    const key = utf8('k'.repeat(32));
    const expected = createHmac('sha256', key).update(hex('00000001')).update(utf8('aws-kms-hierarchy')).update(hex('00')).update(utf8('salt')).update(hex('00000100')).digest();
    expect(toHex(kdfCounterHmacSha256(key, utf8('aws-kms-hierarchy'), utf8('salt')))).toBe(toHex(expected));
  });
});

describe('ECDSA P-384', () => {
  it('signs with a fixed 103-byte DER signature that verifies with the compressed public key', () => {
    const { privateKey, publicKey } = EcdsaP384PrivateKey.generate();
    expect(publicKey).toHaveLength(49);
    expect([2, 3]).toContain(publicKey[0]);
    const message = utf8('canonical hash');
    for (let i = 0; i < 20; i++) {
      const signature = privateKey.sign(message);
      expect(signature).toHaveLength(ECDSA_P384_SIGNATURE_LENGTH);
      expect(ecdsaP384Verify(publicKey, message, signature)).toBe(true);
      expect(ecdsaP384Verify(publicKey, utf8('other'), signature)).toBe(false);
    }
    expect(JSON.stringify(privateKey)).toBe('{"type":"EcdsaP384PrivateKey"}');
  });

  it('verifies signatures made by node:crypto, and refuses malformed keys and signatures', () => {
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    const spki = pair.publicKey.export({ format: 'der', type: 'spki' });
    const compressed = ECDH.convertKey(spki.subarray(spki.length - 97), 'secp384r1', undefined, undefined, 'compressed') as Buffer;
    const message = utf8('m');
    const signature = sign('sha384', message, { key: pair.privateKey, dsaEncoding: 'der' });
    expect(ecdsaP384Verify(compressed, message, signature)).toBe(true);
    expect(ecdsaP384Verify(compressed.subarray(1), message, signature)).toBe(false);
    expect(ecdsaP384Verify(new Uint8Array(49), message, signature)).toBe(false);
    expect(ecdsaP384Verify(compressed, message, signature.subarray(1))).toBe(false);
  });
});
