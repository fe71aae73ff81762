import { describe, expect, it } from 'vitest';
import { aesKeyUnwrapPortable, aesKeyWrapPortable } from '../../src/crypto/aes-key-wrap.js';
import { getWrappingAlgorithm, RsaPrivateKey, SecretKey } from '../../src/crypto/index.js';
import { expectDdbecError, hex, range, rsaTestKeys, toHex } from './helpers.js';

const KEK128 = hex('000102030405060708090A0B0C0D0E0F');
const KEK192 = range(0x00, 0x17);
const KEK256 = range(0x00, 0x1f);
const KEY128 = hex('00112233445566778899AABBCCDDEEFF');
const KEY192 = hex('00112233445566778899AABBCCDDEEFF0001020304050607');
const KEY256 = hex('00112233445566778899AABBCCDDEEFF000102030405060708090A0B0C0D0E0F');

// RFC 3394 §4.1–§4.6
const RFC3394 = [
  { section: '4.1', kek: KEK128, key: KEY128, wrapped: '1FA68B0A8112B447 AEF34BD8FB5A7B82 9D3E862371D2CFE5' },
  { section: '4.2', kek: KEK192, key: KEY128, wrapped: '96778B25AE6CA435 F92B5B97C050AED2 468AB8A17AD84E5D' },
  { section: '4.3', kek: KEK256, key: KEY128, wrapped: '64E8C3F9CE0F5BA2 63E9777905818A2A 93C8191E7D6E8AE7' },
  { section: '4.4', kek: KEK192, key: KEY192, wrapped: '031D33264E15D332 68F24EC260743EDC E1C6C7DDEE725A93 6BA814915C6762D2' },
  { section: '4.5', kek: KEK256, key: KEY192, wrapped: 'A8F9BC1612C68B3F F6E6F4FBE30E71E4 769C8B80A32CB895 8CD5D17D6B254DA1' },
  { section: '4.6', kek: KEK256, key: KEY256, wrapped: '28C9F404C4B810F4 CBCCB35CFB87F826 3F5786E2D80ED326 CBC7F0E71A99F43B FB988B9B7A02DD21' },
];

const aesWrap = getWrappingAlgorithm('AESWrap');

describe('AESWrap (RFC 3394)', () => {
  it('is registered under its material-description name', () => {
    expect(aesWrap.name).toBe('AESWrap');
    expect(aesWrap.keyType).toBe('aes');
  });

  for (const vector of RFC3394) {
    it(`§${vector.section}: ${vector.kek.length * 8}-bit KEK, ${vector.key.length * 8}-bit key`, () => {
      const kek = SecretKey.fromBytes(vector.kek, 'AES');
      const expected = toHex(hex(vector.wrapped));
      expect(toHex(aesWrap.wrap(kek, vector.key))).toBe(expected);
      expect(toHex(aesWrap.unwrap(kek, hex(vector.wrapped)))).toBe(toHex(vector.key));
      // the portable implementation gives the same answers
      expect(toHex(aesKeyWrapPortable(vector.kek, vector.key))).toBe(expected);
      expect(toHex(aesKeyUnwrapPortable(vector.kek, hex(vector.wrapped)) ?? new Uint8Array(0))).toBe(toHex(vector.key));
    });
  }

  it('wraps a 256-bit content key to 40 bytes and agrees with the portable code on longer keys', () => {
    const kek = SecretKey.fromBytes(KEK128, 'AES');
    expect(aesWrap.wrap(kek, KEY256).length).toBe(40);
    const long = range(1, 64);
    expect(toHex(aesWrap.wrap(kek, long))).toBe(toHex(aesKeyWrapPortable(KEK128, long)));
  });

  it('rejects a tampered byte anywhere, a wrong KEK, and bad lengths with ERR_UNWRAPPING_FAILED', () => {
    const vector = RFC3394[5];
    if (vector === undefined) throw new Error('missing vector');
    const kek = SecretKey.fromBytes(vector.kek, 'AES');
    const wrapped = hex(vector.wrapped);
    for (let i = 0; i < wrapped.length; i++) {
      const tampered = Uint8Array.from(wrapped);
      tampered[i] = (tampered[i] ?? 0) ^ 0x01;
      const error = expectDdbecError(() => aesWrap.unwrap(kek, tampered), 'ERR_UNWRAPPING_FAILED');
      expect(error.message).toBe('content key could not be unwrapped');
      expect(aesKeyUnwrapPortable(vector.kek, tampered)).toBeUndefined();
    }
    expectDdbecError(() => aesWrap.unwrap(SecretKey.fromBytes(range(1, 32), 'AES'), wrapped), 'ERR_UNWRAPPING_FAILED');
    expectDdbecError(() => aesWrap.unwrap(SecretKey.fromBytes(KEK128, 'AES'), wrapped), 'ERR_UNWRAPPING_FAILED');
    for (const length of [0, 8, 16, 23, 25, 39, 41]) {
      const input = new Uint8Array(length);
      input.set(wrapped.subarray(0, Math.min(length, wrapped.length)));
      expectDdbecError(() => aesWrap.unwrap(kek, input), 'ERR_UNWRAPPING_FAILED');
    }
    // truncated / extended by whole blocks: right shape, wrong integrity value
    expectDdbecError(() => aesWrap.unwrap(kek, wrapped.subarray(0, 32)), 'ERR_UNWRAPPING_FAILED');
    expectDdbecError(() => aesWrap.unwrap(kek, new Uint8Array([...wrapped, 0, 0, 0, 0, 0, 0, 0, 0])), 'ERR_UNWRAPPING_FAILED');
    expectDdbecError(() => aesWrap.unwrap(kek, new Uint8Array(40)), 'ERR_UNWRAPPING_FAILED');
    expectDdbecError(() => aesWrap.unwrap(kek, 'x' as unknown as Uint8Array), 'ERR_UNWRAPPING_FAILED');
  });

  it('refuses content keys it cannot wrap with ERR_WRAPPING_FAILED', () => {
    const kek = SecretKey.fromBytes(KEK128, 'AES');
    for (const length of [0, 8, 12, 15, 17, 20, 33]) {
      expectDdbecError(() => aesWrap.wrap(kek, new Uint8Array(length)), 'ERR_WRAPPING_FAILED');
    }
  });

  it('needs an AES key', () => {
    const hmac = SecretKey.fromBytes(KEK128, 'HmacSHA256');
    expectDdbecError(() => aesWrap.wrap(hmac, KEY128), 'ERR_INVALID_KEY');
    expectDdbecError(() => aesWrap.unwrap(hmac, hex(RFC3394[0]?.wrapped ?? '')), 'ERR_UNWRAPPING_FAILED');
    const rsa = RsaPrivateKey.fromDer(rsaTestKeys().privateDer);
    expectDdbecError(() => aesWrap.wrap(rsa.publicKey(), KEY128), 'ERR_INVALID_KEY');
    expectDdbecError(() => aesWrap.unwrap(rsa, hex(RFC3394[0]?.wrapped ?? '')), 'ERR_UNWRAPPING_FAILED');
  });

  it('returns a fresh buffer that does not alias the input', () => {
    const kek = SecretKey.fromBytes(KEK128, 'AES');
    const wrapped = hex(RFC3394[0]?.wrapped ?? '');
    const out = aesWrap.unwrap(kek, wrapped);
    wrapped.fill(0);
    expect(toHex(out)).toBe(toHex(KEY128));
  });
});
