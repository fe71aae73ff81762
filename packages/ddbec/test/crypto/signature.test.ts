import { constants, verify as nodeVerify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateRsaKeyPair, getSignatureAlgorithm, RsaPrivateKey, RsaPublicKey, SecretKey } from '../../src/crypto/index.js';
import { expectDdbecError, hex, rsaTestKeys, toHex, utf8 } from './helpers.js';

// RFC 4231 §4.2, §4.3, §4.7
const RFC4231 = [
  {
    name: 'case 1',
    key: new Uint8Array(20).fill(0x0b),
    data: utf8('Hi There'),
    mac: {
      HmacSHA224: '896fb1128abbdf196832107cd49df33f47b4b1169912ba4f53684b22',
      HmacSHA256: 'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7',
      HmacSHA384: 'afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59cfaea9ea9076ede7f4af152e8b2fa9cb6',
      HmacSHA512: '87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854',
    },
  },
  {
    name: 'case 2',
    key: utf8('Jefe'),
    data: utf8('what do ya want for nothing?'),
    mac: {
      HmacSHA224: 'a30e01098bc6dbbf45690f3a7e9e6d0f8bbea2a39e6148008fd05e44',
      HmacSHA256: '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
      HmacSHA384: 'af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab21649',
      HmacSHA512: '164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737',
    },
  },
  {
    name: 'case 6',
    key: new Uint8Array(131).fill(0xaa),
    data: utf8('Test Using Larger Than Block-Size Key - Hash Key First'),
    mac: {
      HmacSHA224: '95e9a0db962095adaebe9b2d6f0dbce2d499f112f2d2b7273fa6870e',
      HmacSHA256: '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54',
      HmacSHA384: '4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c60c2ef6ab4030fe8296248df163f44952',
      HmacSHA512: '80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f3526b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598',
    },
  },
] as const;

describe('HMAC signature algorithms', () => {
  for (const testCase of RFC4231) {
    for (const [name, expected] of Object.entries(testCase.mac)) {
      it(`${name} RFC 4231 ${testCase.name}`, () => {
        const algorithm = getSignatureAlgorithm(name);
        expect(algorithm.name).toBe(name);
        expect(algorithm.keyType).toBe('hmac');
        const key = SecretKey.fromBytes(testCase.key, name);
        const mac = algorithm.sign(key, testCase.data);
        expect(toHex(mac)).toBe(expected);
        expect(algorithm.verify(key, testCase.data, hex(expected))).toBe(true);
      });
    }
  }

  it('verify returns false (never throws) on any mismatch', () => {
    const algorithm = getSignatureAlgorithm('HmacSHA256');
    const key = SecretKey.fromBytes(hex('0001020304050607'), 'HmacSHA256');
    const data = utf8('string to sign');
    const mac = algorithm.sign(key, data);
    expect(algorithm.verify(key, data, mac)).toBe(true);
    const flipped = Uint8Array.from(mac);
    flipped[31] = (flipped[31] ?? 0) ^ 1;
    expect(algorithm.verify(key, data, flipped)).toBe(false);
    expect(algorithm.verify(key, data, mac.subarray(0, 31))).toBe(false);
    expect(algorithm.verify(key, data, new Uint8Array([...mac, 0]))).toBe(false);
    expect(algorithm.verify(key, data, new Uint8Array(0))).toBe(false);
    expect(algorithm.verify(key, utf8('string to sign!'), mac)).toBe(false);
    expect(algorithm.verify(SecretKey.fromBytes(hex('0001020304050608'), 'HmacSHA256'), data, mac)).toBe(false);
    expect(algorithm.verify(key, data, 'not bytes' as unknown as Uint8Array)).toBe(false);
  });

  it('uses the raw key bytes whatever the secret key algorithm is', () => {
    const bytes = new Uint8Array(16).fill(7);
    const data = utf8('x');
    const algorithm = getSignatureAlgorithm('HmacSHA256');
    expect(toHex(algorithm.sign(SecretKey.fromBytes(bytes, 'HmacSHA512'), data))).toBe(toHex(algorithm.sign(SecretKey.fromBytes(bytes, 'AES'), data)));
  });

  it('refuses RSA keys with ERR_INVALID_KEY', () => {
    const algorithm = getSignatureAlgorithm('HmacSHA256');
    const priv = RsaPrivateKey.fromDer(rsaTestKeys().privateDer);
    expectDdbecError(() => algorithm.sign(priv, utf8('x')), 'ERR_INVALID_KEY');
    expectDdbecError(() => algorithm.verify(priv.publicKey(), utf8('x'), new Uint8Array(32)), 'ERR_INVALID_KEY');
  });
});

describe('RSA signature algorithms (RSASSA-PKCS1-v1_5)', () => {
  const priv = (): RsaPrivateKey => RsaPrivateKey.fromDer(rsaTestKeys().privateDer, 'SHA256withRSA');
  const pub = (): RsaPublicKey => RsaPublicKey.fromDer(rsaTestKeys().publicDer, 'SHA256withRSA');

  for (const [name, hash] of [
    ['SHA224withRSA', 'sha224'],
    ['SHA256withRSA', 'sha256'],
    ['SHA384withRSA', 'sha384'],
    ['SHA512withRSA', 'sha512'],
  ] as const) {
    it(`${name} signs deterministically and matches OpenSSL's verify`, () => {
      const algorithm = getSignatureAlgorithm(name);
      expect(algorithm.keyType).toBe('rsa');
      const data = utf8(`data for ${name}`);
      const signature = algorithm.sign(priv(), data);
      expect(signature.length).toBe(256);
      expect(toHex(algorithm.sign(priv(), data))).toBe(toHex(signature));
      expect(algorithm.verify(pub(), data, signature)).toBe(true);
      expect(nodeVerify(hash, data, { key: rsaTestKeys().publicKeyObject, padding: constants.RSA_PKCS1_PADDING }, signature)).toBe(true);
    });
  }

  it('verify returns false for a wrong key, tampered data or signature, wrong length, other hash', () => {
    const algorithm = getSignatureAlgorithm('SHA256withRSA');
    const data = utf8('string to sign');
    const signature = algorithm.sign(priv(), data);
    const other = generateRsaKeyPair(1024);
    expect(algorithm.verify(other.publicKey, data, signature)).toBe(false);
    expect(algorithm.verify(pub(), utf8('string to sign.'), signature)).toBe(false);
    const flipped = Uint8Array.from(signature);
    flipped[100] = (flipped[100] ?? 0) ^ 0x10;
    expect(algorithm.verify(pub(), data, flipped)).toBe(false);
    expect(algorithm.verify(pub(), data, signature.subarray(1))).toBe(false);
    expect(algorithm.verify(pub(), data, new Uint8Array(0))).toBe(false);
    expect(algorithm.verify(pub(), data, new Uint8Array(256).fill(0xff))).toBe(false);
    expect(getSignatureAlgorithm('SHA512withRSA').verify(pub(), data, signature)).toBe(false);
    expect(algorithm.verify(pub(), data, undefined as unknown as Uint8Array)).toBe(false);
  });

  it('refuses the wrong kind of key with ERR_INVALID_KEY', () => {
    const algorithm = getSignatureAlgorithm('SHA256withRSA');
    const hmac = SecretKey.fromBytes(new Uint8Array(8), 'HmacSHA256');
    expectDdbecError(() => algorithm.sign(hmac, utf8('x')), 'ERR_INVALID_KEY');
    expectDdbecError(() => algorithm.verify(hmac, utf8('x'), new Uint8Array(256)), 'ERR_INVALID_KEY');
    expectDdbecError(() => algorithm.sign(pub() as unknown as RsaPrivateKey, utf8('x')), 'ERR_INVALID_KEY');
    expectDdbecError(() => algorithm.verify(priv() as unknown as RsaPublicKey, utf8('x'), new Uint8Array(256)), 'ERR_INVALID_KEY');
  });
});

describe('getSignatureAlgorithm', () => {
  it('refuses unknown names with ERR_UNSUPPORTED_ALGORITHM', () => {
    for (const name of ['HmacSHA1', 'hmacsha256', 'HMACSHA256', 'SHA256withECDSA', 'SHA1withRSA', 'RSA', '', 'constructor', '__proto__', 'toString']) {
      const error = expectDdbecError(() => getSignatureAlgorithm(name), 'ERR_UNSUPPORTED_ALGORITHM');
      expect(error.message).toBe(`unsupported signature algorithm: ${name}`);
    }
    expectDdbecError(() => getSignatureAlgorithm(undefined as unknown as string), 'ERR_UNSUPPORTED_ALGORITHM');
  });

  it('returns the same frozen instance each time', () => {
    const a = getSignatureAlgorithm('HmacSHA256');
    expect(getSignatureAlgorithm('HmacSHA256')).toBe(a);
    expect(Object.isFrozen(a)).toBe(true);
  });
});
