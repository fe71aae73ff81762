import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { generateRsaKeyPair, RsaPrivateKey, RsaPublicKey, SecretKey } from '../../src/crypto/index.js';
import { describeVectors } from '../support/vectors.js';
import { expectDdbecError, range, rsaTestKeys, toHex, vectorKeys } from './helpers.js';

describe('SecretKey', () => {
  it('accepts AES-128/192/256 and any non-empty HMAC key', () => {
    for (const length of [16, 24, 32]) {
      const key = SecretKey.fromBytes(range(1, length), 'AES');
      expect(key.algorithm).toBe('AES');
      expect(key.byteLength).toBe(length);
    }
    for (const algorithm of ['HmacSHA224', 'HmacSHA256', 'HmacSHA384', 'HmacSHA512']) {
      expect(SecretKey.fromBytes(range(0, 7), algorithm).byteLength).toBe(8);
      expect(SecretKey.fromBytes(new Uint8Array(1), algorithm).byteLength).toBe(1);
      expect(SecretKey.fromBytes(new Uint8Array(200), algorithm).byteLength).toBe(200);
    }
  });

  it('rejects wrong AES sizes and empty HMAC keys with ERR_INVALID_KEY', () => {
    for (const length of [0, 8, 15, 17, 31, 33, 64]) {
      const error = expectDdbecError(() => SecretKey.fromBytes(new Uint8Array(length), 'AES'), 'ERR_INVALID_KEY');
      expect(error.message).toContain(`${length * 8} bits`);
    }
    expectDdbecError(() => SecretKey.fromBytes(new Uint8Array(0), 'HmacSHA256'), 'ERR_INVALID_KEY');
  });

  it('rejects unknown algorithms (AESWrap is not a key algorithm)', () => {
    for (const algorithm of ['AESWrap', 'DES', 'aes', 'HmacSHA1', 'RSA', 'HmacSHA256/256']) {
      expectDdbecError(() => SecretKey.fromBytes(new Uint8Array(16), algorithm), 'ERR_UNSUPPORTED_ALGORITHM');
    }
  });

  it('rejects non-byte material and non-string algorithms', () => {
    expectDdbecError(() => SecretKey.fromBytes([1, 2, 3] as unknown as Uint8Array, 'HmacSHA256'), 'ERR_INVALID_ARGUMENT');
    expectDdbecError(() => SecretKey.fromBytes(new Uint8Array(16), undefined as unknown as string), 'ERR_INVALID_ARGUMENT');
  });

  it('copies material in and out', () => {
    const material = range(0, 15);
    const key = SecretKey.fromBytes(material, 'AES');
    material.fill(0xee);
    const exported = key.exportBytes();
    expect(toHex(exported)).toBe('000102030405060708090a0b0c0d0e0f');
    exported.fill(0);
    expect(toHex(key.exportBytes())).toBe('000102030405060708090a0b0c0d0e0f');
    expect(key.exportBytes().buffer.byteLength).toBe(16);
  });

  it('generates random keys of the requested size', () => {
    const a = SecretKey.generate('AES', 256);
    const b = SecretKey.generate('AES', 256);
    expect(a.byteLength).toBe(32);
    expect(toHex(a.exportBytes())).not.toBe(toHex(b.exportBytes()));
    expect(SecretKey.generate('HmacSHA256', 256).algorithm).toBe('HmacSHA256');
    expect(SecretKey.generate('HmacSHA512', 8).byteLength).toBe(1);
    expectDdbecError(() => SecretKey.generate('AES', 64), 'ERR_INVALID_KEY');
    expectDdbecError(() => SecretKey.generate('AES', 129), 'ERR_INVALID_ARGUMENT');
    expectDdbecError(() => SecretKey.generate('AES', 0), 'ERR_INVALID_ARGUMENT');
    expectDdbecError(() => SecretKey.generate('AESWrap', 128), 'ERR_UNSUPPORTED_ALGORITHM');
  });

  it('never shows key material', () => {
    const key = SecretKey.fromBytes(new Uint8Array(16).fill(0xab), 'AES');
    const summary = "SecretKey { algorithm: 'AES', bits: 128 }";
    expect(inspect(key)).toBe(summary);
    expect(inspect({ nested: [key] })).toContain(summary);
    expect(String(key)).toBe(summary);
    expect(JSON.parse(JSON.stringify({ key })) as unknown).toEqual({ key: { type: 'SecretKey', algorithm: 'AES', bits: 128 } });
    for (const text of [inspect(key, { customInspect: false, showHidden: true }), JSON.stringify(key), inspect(key, { depth: 10 })]) {
      expect(text).not.toMatch(/ab|171|q6ur/i);
    }
    expect(Object.keys(key).sort()).toEqual(['algorithm', 'byteLength']);
  });

  it('is frozen and cannot be constructed directly', () => {
    const key = SecretKey.fromBytes(new Uint8Array(16), 'AES');
    expect(Object.isFrozen(key)).toBe(true);
    const Ctor = SecretKey as unknown as new (...args: unknown[]) => SecretKey;
    expectDdbecError(() => new Ctor(Symbol('x'), Buffer.alloc(16), 'AES'), 'ERR_INVALID_ARGUMENT');
  });
});

describe('RSA keys', () => {
  it('parse SubjectPublicKeyInfo / PKCS#8 DER and export them unchanged', () => {
    const { publicDer, privateDer } = rsaTestKeys();
    const pub = RsaPublicKey.fromDer(publicDer);
    const priv = RsaPrivateKey.fromDer(privateDer, 'SHA256withRSA');
    expect(pub.algorithm).toBe('RSA');
    expect(pub.modulusBits).toBe(2048);
    expect(priv.algorithm).toBe('SHA256withRSA');
    expect(priv.modulusBits).toBe(2048);
    expect(toHex(pub.exportDer())).toBe(toHex(publicDer));
    expect(toHex(priv.publicKey().exportDer())).toBe(toHex(publicDer));
    expect(priv.publicKey().algorithm).toBe('SHA256withRSA');
    expect(priv.publicKey('RSA').algorithm).toBe('RSA');
    // PKCS#8 re-export parses back to the same key
    expect(toHex(RsaPrivateKey.fromDer(priv.exportDer()).publicKey().exportDer())).toBe(toHex(publicDer));
  });

  it('round-trip through PEM, and accept PKCS#1 PEM and DER', () => {
    const { publicKeyObject, privateKeyObject, publicDer } = rsaTestKeys();
    const pub = RsaPublicKey.fromDer(publicDer);
    const pem = pub.exportPem();
    expect(pem).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
    expect(toHex(RsaPublicKey.fromPem(pem).exportDer())).toBe(toHex(publicDer));

    const priv = RsaPrivateKey.fromDer(rsaTestKeys().privateDer);
    expect(priv.exportPem()).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(toHex(RsaPrivateKey.fromPem(priv.exportPem()).publicKey().exportDer())).toBe(toHex(publicDer));

    const pkcs1PublicPem = publicKeyObject.export({ format: 'pem', type: 'pkcs1' }).toString();
    const pkcs1PrivatePem = privateKeyObject.export({ format: 'pem', type: 'pkcs1' }).toString();
    expect(pkcs1PublicPem).toContain('BEGIN RSA PUBLIC KEY');
    expect(pkcs1PrivatePem).toContain('BEGIN RSA PRIVATE KEY');
    expect(toHex(RsaPublicKey.fromPem(pkcs1PublicPem).exportDer())).toBe(toHex(publicDer));
    expect(toHex(RsaPrivateKey.fromPem(pkcs1PrivatePem).publicKey().exportDer())).toBe(toHex(publicDer));
    // CRLF line breaks and surrounding text are fine
    expect(RsaPublicKey.fromPem(`comment\r\n${pem.replace(/\n/g, '\r\n')}trailer`).modulusBits).toBe(2048);

    const pkcs1PublicDer = publicKeyObject.export({ format: 'der', type: 'pkcs1' });
    const pkcs1PrivateDer = privateKeyObject.export({ format: 'der', type: 'pkcs1' });
    expect(toHex(RsaPublicKey.fromDer(pkcs1PublicDer).exportDer())).toBe(toHex(publicDer));
    expect(toHex(RsaPrivateKey.fromDer(pkcs1PrivateDer).publicKey().exportDer())).toBe(toHex(publicDer));
  });

  it('refuse a private key where a public key is expected and vice versa', () => {
    const { publicDer, privateDer, privateKeyObject } = rsaTestKeys();
    expectDdbecError(() => RsaPublicKey.fromDer(privateDer), 'ERR_INVALID_KEY');
    expectDdbecError(() => RsaPublicKey.fromDer(privateKeyObject.export({ format: 'der', type: 'pkcs1' })), 'ERR_INVALID_KEY');
    expectDdbecError(() => RsaPrivateKey.fromDer(publicDer), 'ERR_INVALID_KEY');
    expectDdbecError(() => RsaPublicKey.fromPem(RsaPrivateKey.fromDer(privateDer).exportPem()), 'ERR_INVALID_KEY');
    expectDdbecError(() => RsaPrivateKey.fromPem(RsaPublicKey.fromDer(publicDer).exportPem()), 'ERR_INVALID_KEY');
  });

  it('refuse non-RSA keys (EC, Ed25519, RSA-PSS) with ERR_INVALID_KEY', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const ecPkcs8Pem = ec.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const ecSec1Pem = ec.privateKey.export({ format: 'pem', type: 'sec1' }).toString();
    expect(expectDdbecError(() => RsaPrivateKey.fromPem(ecPkcs8Pem), 'ERR_INVALID_KEY').message).toMatch(/not an RSA key/);
    expect(expectDdbecError(() => RsaPrivateKey.fromPem(ecSec1Pem), 'ERR_INVALID_KEY').message).toMatch(/not an RSA key/);
    expectDdbecError(() => RsaPrivateKey.fromDer(ec.privateKey.export({ format: 'der', type: 'pkcs8' })), 'ERR_INVALID_KEY');
    expectDdbecError(() => RsaPublicKey.fromPem(ec.publicKey.export({ format: 'pem', type: 'spki' }).toString()), 'ERR_INVALID_KEY');
    expectDdbecError(() => RsaPublicKey.fromDer(ec.publicKey.export({ format: 'der', type: 'spki' })), 'ERR_INVALID_KEY');

    const ed = generateKeyPairSync('ed25519');
    expectDdbecError(() => RsaPrivateKey.fromDer(ed.privateKey.export({ format: 'der', type: 'pkcs8' })), 'ERR_INVALID_KEY');

    const pss = generateKeyPairSync('rsa-pss', { modulusLength: 1024 });
    expectDdbecError(() => RsaPublicKey.fromDer(pss.publicKey.export({ format: 'der', type: 'spki' })), 'ERR_INVALID_KEY');
  });

  it('refuse RSA keys under 1024 bits, accept 1024', () => {
    const small = generateKeyPairSync('rsa', { modulusLength: 768 });
    const error = expectDdbecError(() => RsaPrivateKey.fromDer(small.privateKey.export({ format: 'der', type: 'pkcs8' })), 'ERR_INVALID_KEY');
    expect(error.message).toContain('768');
    expectDdbecError(() => RsaPublicKey.fromDer(small.publicKey.export({ format: 'der', type: 'spki' })), 'ERR_INVALID_KEY');
    const ok = generateKeyPairSync('rsa', { modulusLength: 1024 });
    expect(RsaPublicKey.fromDer(ok.publicKey.export({ format: 'der', type: 'spki' })).modulusBits).toBe(1024);
  });

  it('refuse malformed, encrypted and foreign PEM without echoing key bytes', () => {
    const { privateKeyObject, privateDer } = rsaTestKeys();
    const garbage = Uint8Array.from(privateDer.subarray(0, 100));
    garbage[0] = 0x31;
    const error = expectDdbecError(() => RsaPrivateKey.fromDer(garbage), 'ERR_INVALID_KEY');
    const b64 = Buffer.from(privateDer.subarray(20, 60)).toString('base64').slice(0, 16);
    expect(error.message).not.toContain(b64);
    expectDdbecError(() => RsaPrivateKey.fromDer(new Uint8Array(0)), 'ERR_INVALID_KEY');
    expectDdbecError(() => RsaPublicKey.fromDer(new Uint8Array(10)), 'ERR_INVALID_KEY');
    expectDdbecError(() => RsaPrivateKey.fromPem('not a pem'), 'ERR_INVALID_KEY');
    expectDdbecError(() => RsaPrivateKey.fromPem('-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----\n'), 'ERR_INVALID_KEY');
    expectDdbecError(() => RsaPrivateKey.fromPem('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n'), 'ERR_INVALID_KEY');
    const encrypted = privateKeyObject.export({ format: 'pem', type: 'pkcs8', cipher: 'aes-128-cbc', passphrase: 'pw' }).toString();
    expect(encrypted).toContain('ENCRYPTED PRIVATE KEY');
    expectDdbecError(() => RsaPrivateKey.fromPem(encrypted), 'ERR_INVALID_KEY');
    const traditional = privateKeyObject.export({ format: 'pem', type: 'pkcs1', cipher: 'aes-128-cbc', passphrase: 'pw' }).toString();
    expect(expectDdbecError(() => RsaPrivateKey.fromPem(traditional), 'ERR_INVALID_KEY').message).toMatch(/encrypted/);
    expectDdbecError(() => RsaPrivateKey.fromPem(42 as unknown as string), 'ERR_INVALID_ARGUMENT');
  });

  it('never show key material', () => {
    const priv = RsaPrivateKey.fromDer(rsaTestKeys().privateDer);
    const pub = priv.publicKey();
    expect(inspect(priv)).toBe("RsaPrivateKey { algorithm: 'RSA', modulusBits: 2048 }");
    expect(inspect(pub)).toBe("RsaPublicKey { algorithm: 'RSA', modulusBits: 2048 }");
    expect(JSON.parse(JSON.stringify([priv, pub])) as unknown).toEqual([
      { type: 'RsaPrivateKey', algorithm: 'RSA', modulusBits: 2048 },
      { type: 'RsaPublicKey', algorithm: 'RSA', modulusBits: 2048 },
    ]);
    expect(inspect(priv, { customInspect: false, showHidden: true })).not.toMatch(/KeyObject|BEGIN|MII/);
    expect(Object.isFrozen(priv)).toBe(true);
  });

  it('generateRsaKeyPair makes a matching pair', () => {
    const { publicKey, privateKey } = generateRsaKeyPair(1024, 'SHA256withRSA');
    expect(publicKey.modulusBits).toBe(1024);
    expect(privateKey.algorithm).toBe('SHA256withRSA');
    expect(toHex(privateKey.publicKey().exportDer())).toBe(toHex(publicKey.exportDer()));
    expect(createPublicKey(publicKey.exportPem()).asymmetricKeyDetails?.publicExponent).toBe(65537n);
    expectDdbecError(() => generateRsaKeyPair(512), 'ERR_INVALID_ARGUMENT');
  });
});

describeVectors('keys.json', () => {
  it('loads every local key of the shared vectors', () => {
    const keys = vectorKeys();
    for (const [name, entry] of Object.entries(keys)) {
      if (entry.material === undefined || entry.algorithm === undefined) continue;
      const material = Buffer.from(entry.material, 'base64');
      if (entry.type === 'symmetric') expect(SecretKey.fromBytes(material, entry.algorithm).algorithm, name).toBe(entry.algorithm);
      else if (entry.type === 'public') expect(RsaPublicKey.fromDer(material, entry.algorithm).modulusBits, name).toBe(2048);
      else expect(RsaPrivateKey.fromDer(material, entry.algorithm).modulusBits, name).toBe(2048);
    }
    expect(SecretKey.fromBytes(Buffer.from(keys.hmacKey?.material ?? '', 'base64'), 'HmacSHA256').byteLength).toBe(8);
  });
});
