import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hkdfSha256, randomBytes, sha256, sha256Transient, timingSafeEqual } from '../../src/crypto/index.js';
import { expectDdbecError, hex, range, toHex, utf8 } from './helpers.js';

describe('sha256', () => {
  it('matches FIPS 180-2 examples', () => {
    expect(toHex(sha256(utf8('abc')))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(toHex(sha256(new Uint8Array(0)))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('agrees with createHash for views into larger buffers', () => {
    const backing = range(0, 255);
    const view = backing.subarray(17, 200);
    expect(toHex(sha256(view))).toBe(createHash('sha256').update(view).digest('hex'));
  });

  it('rejects non-bytes', () => {
    expectDdbecError(() => sha256('abc' as unknown as Uint8Array), 'ERR_INVALID_ARGUMENT');
    expectDdbecError(() => sha256Transient('abc' as unknown as Uint8Array), 'ERR_INVALID_ARGUMENT');
  });

  it('gives each digest its own array; the transient variant reuses one for the next digest', () => {
    for (let length = 0; length < 300; length += 7) {
      const data = range(0, length - 1);
      const expected = createHash('sha256').update(data).digest('hex');
      expect(toHex(sha256Transient(data))).toBe(expected);
      expect(toHex(sha256(data))).toBe(expected);
    }
    const first = sha256(utf8('a'));
    expect(sha256(utf8('b'))).not.toBe(first);
    const transient = sha256Transient(utf8('a'));
    expect(sha256Transient(utf8('b'))).toBe(transient);
    expect(toHex(first)).toBe(createHash('sha256').update('a').digest('hex'));
  });
});

describe('randomBytes', () => {
  it('returns the requested length in an unshared buffer', () => {
    const a = randomBytes(32);
    const b = randomBytes(32);
    expect(a.length).toBe(32);
    expect(a.buffer.byteLength).toBe(32);
    expect(toHex(a)).not.toBe(toHex(b));
    expect(randomBytes(0).length).toBe(0);
  });

  it('rejects bad lengths', () => {
    expectDdbecError(() => randomBytes(-1), 'ERR_INVALID_ARGUMENT');
    expectDdbecError(() => randomBytes(1.5), 'ERR_INVALID_ARGUMENT');
  });
});

describe('timingSafeEqual', () => {
  it('compares content and length without throwing', () => {
    expect(timingSafeEqual(hex('0102'), hex('0102'))).toBe(true);
    expect(timingSafeEqual(hex('0102'), hex('0103'))).toBe(false);
    expect(timingSafeEqual(hex('0102'), hex('010203'))).toBe(false);
    expect(timingSafeEqual(new Uint8Array(0), new Uint8Array(0))).toBe(true);
  });
});

describe('hkdfSha256 (RFC 5869 Appendix A)', () => {
  it('test case 1', () => {
    const okm = hkdfSha256(new Uint8Array(22).fill(0x0b), range(0x00, 0x0c), range(0xf0, 0xf9), 42);
    expect(toHex(okm)).toBe('3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865');
  });

  it('test case 2 (long inputs)', () => {
    const okm = hkdfSha256(range(0x00, 0x4f), range(0x60, 0xaf), range(0xb0, 0xff), 82);
    expect(toHex(okm)).toBe(
      'b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71cc30c58179ec3e87c14c01d5c1f3434f1d87',
    );
  });

  it('test case 3 (empty salt and info; undefined salt is the same)', () => {
    const expected = '8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8';
    const ikm = new Uint8Array(22).fill(0x0b);
    expect(toHex(hkdfSha256(ikm, new Uint8Array(0), new Uint8Array(0), 42))).toBe(expected);
    expect(toHex(hkdfSha256(ikm, undefined, '', 42))).toBe(expected);
    expect(toHex(hkdfSha256(ikm, new Uint8Array(32), '', 42))).toBe(expected);
  });

  it('spec §8.4.4 check values (Direct KMS derivation)', () => {
    const ikm = Uint8Array.from({ length: 32 }, (_, i) => (7 * i + 3) % 256);
    expect(toHex(hkdfSha256(ikm, undefined, 'Encryption', 32))).toBe('516dc8144510b481d018d86a3cc7dcc69325c6cc71f22f66462ba1a40ab75620');
    expect(toHex(hkdfSha256(ikm, undefined, 'Signing', 32))).toBe('c61bca681a2ad7d14ef17f7c42e9644845c906e839d489e195575f597c044cbb');
    expect(toHex(hkdfSha256(ikm, undefined, utf8('Signing'), 32))).toBe('c61bca681a2ad7d14ef17f7c42e9644845c906e839d489e195575f597c044cbb');
  });

  it('shorter outputs are prefixes; limits are enforced', () => {
    const ikm = range(1, 32);
    const long = hkdfSha256(ikm, undefined, 'x', 100);
    expect(toHex(hkdfSha256(ikm, undefined, 'x', 16))).toBe(toHex(long.subarray(0, 16)));
    expect(hkdfSha256(ikm, undefined, 'x', 0).length).toBe(0);
    expect(hkdfSha256(ikm, undefined, 'x', 255 * 32).length).toBe(255 * 32);
    expectDdbecError(() => hkdfSha256(ikm, undefined, 'x', 255 * 32 + 1), 'ERR_INVALID_ARGUMENT');
    expectDdbecError(() => hkdfSha256(ikm, undefined, 'x', -1), 'ERR_INVALID_ARGUMENT');
  });
});
