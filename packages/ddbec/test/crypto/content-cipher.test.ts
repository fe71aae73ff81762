import { createCipheriv, createDecipheriv } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { getContentCipher, RsaPrivateKey, SecretKey, type PlaintextWriter } from '../../src/crypto/index.js';
import { expectDdbecError, range, rsaTestKeys, toHex, utf8 } from './helpers.js';

const cipher = getContentCipher('AES', '/CBC/PKCS5Padding');
const key128 = SecretKey.fromBytes(range(0, 15), 'AES');

/** IV || AES-CBC(no padding) of an already padded block sequence, made with OpenSSL. */
function rawCbc(key: Uint8Array, iv: Uint8Array, blocks: Uint8Array): Uint8Array {
  const c = createCipheriv(`aes-${key.length * 8}-cbc`, key, iv);
  c.setAutoPadding(false);
  return new Uint8Array(Buffer.concat([iv, c.update(blocks), c.final()]));
}

describe('AES/CBC/PKCS5Padding', () => {
  it('is the only content cipher', () => {
    expect(cipher.name).toBe('AES/CBC/PKCS5Padding');
    expect(getContentCipher('AES', '/CBC/PKCS5Padding')).toBe(cipher);
    for (const [algorithm, mode] of [
      ['AES', '/GCM/NoPadding'],
      ['AES', '/CBC/NoPadding'],
      ['AES', '/ECB/PKCS5Padding'],
      ['AES', 'CBC/PKCS5Padding'],
      ['AES', ''],
      ['DESede', '/CBC/PKCS5Padding'],
      ['aes', '/CBC/PKCS5Padding'],
      ['AES/256', '/CBC/PKCS5Padding'],
    ] as const) {
      const error = expectDdbecError(() => getContentCipher(algorithm, mode), 'ERR_UNSUPPORTED_ALGORITHM');
      expect(error.message).toContain(`${algorithm}${mode}`);
    }
  });

  for (const bytes of [16, 24, 32]) {
    it(`AES-${bytes * 8}: IV || ciphertext that OpenSSL decrypts, and decrypts what OpenSSL encrypts`, () => {
      const raw = range(100, 99 + bytes);
      const key = SecretKey.fromBytes(raw, 'AES');
      for (const length of [0, 1, 9, 15, 16, 17, 31, 32, 33, 100, 1007, 1008, 1024, 1500, 5000]) {
        const plaintext = range(1, length).map((x) => (x * 7) & 0xff);
        const out = cipher.encrypt(key, plaintext);
        expect(out.length).toBe(16 + 16 * (Math.floor(length / 16) + 1));
        const d = createDecipheriv(`aes-${bytes * 8}-cbc`, raw, out.subarray(0, 16));
        expect(toHex(Buffer.concat([d.update(out.subarray(16)), d.final()]))).toBe(toHex(plaintext));

        const iv = range(200, 215);
        const c = createCipheriv(`aes-${bytes * 8}-cbc`, raw, iv);
        const fromOpenSsl = Buffer.concat([iv, c.update(plaintext), c.final()]);
        expect(toHex(cipher.decrypt(key, fromOpenSsl))).toBe(toHex(plaintext));
      }
    });
  }

  it('interleaves keys, directions, lengths and failures without one message affecting another', () => {
    const raws = [range(0, 31), range(32, 63), range(64, 79)];
    const keys = raws.map((raw) => SecretKey.fromBytes(raw, 'AES'));
    const sameBytes = SecretKey.fromBytes(range(0, 31), 'AES'); // another key object with the first key's bytes
    for (let i = 0; i < 60; i++) {
      const which = (i * 7) % 3;
      const raw = raws[which] as Uint8Array;
      const key = i % 5 === 0 && which === 0 ? sameBytes : (keys[which] as SecretKey);
      const plaintext = range(1, (i * 13) % 70).map((x) => (x * i) & 0xff);
      const out = cipher.encrypt(key, plaintext);
      const d = createDecipheriv(`aes-${raw.length * 8}-cbc`, raw, out.subarray(0, 16));
      expect(toHex(Buffer.concat([d.update(out.subarray(16)), d.final()]))).toBe(toHex(plaintext));
      // a failed decryption (padding byte 0) in between
      if (i % 4 === 0) expectDdbecError(() => cipher.decrypt(key, rawCbc(raw, range(7, 22), new Uint8Array(32))), 'ERR_DECRYPTION_FAILED');
      const iv = range(i, i + 15);
      const c = createCipheriv(`aes-${raw.length * 8}-cbc`, raw, iv);
      const fromOpenSsl = Buffer.concat([iv, c.update(plaintext), c.final()]);
      expect(toHex(cipher.decrypt(key, fromOpenSsl))).toBe(toHex(plaintext));
      expect(toHex(cipher.decrypt(key, out))).toBe(toHex(plaintext));
    }
  });

  /** The plaintext writer of plain bytes, recording which inputs it was asked for. */
  function bytesWriter(asked: Uint8Array[] = []): PlaintextWriter<Uint8Array> {
    let pending: Uint8Array = new Uint8Array(0);
    return {
      size(input) {
        asked.push(input);
        pending = input;
        return input.length;
      },
      write(out, offset) {
        out.set(pending, offset);
      },
    };
  }

  it('encryptAll: what encrypt gives for each plaintext, as views of one buffer of these ciphertexts only', () => {
    const raw = range(0, 31);
    const key = SecretKey.fromBytes(raw, 'AES');
    expect(cipher.encryptAll(key, [], bytesWriter())).toEqual([]);
    const plaintexts = [0, 1, 15, 16, 17, 100, 5000, 3].map((length) => range(1, length).map((x) => (x * 31) & 0xff));
    const asked: Uint8Array[] = [];
    const outs = cipher.encryptAll(key, plaintexts, bytesWriter(asked));
    expect(asked).toEqual(plaintexts);
    expect(new Set(outs.map((out) => out.buffer)).size).toBe(1);
    expect(outs[0]?.buffer.byteLength).toBe(outs.reduce((sum, out) => sum + out.length, 0));
    outs.forEach((out, i) => {
      const plaintext = plaintexts[i] as Uint8Array;
      expect(out.length).toBe(16 + 16 * (Math.floor(plaintext.length / 16) + 1));
      const d = createDecipheriv('aes-256-cbc', raw, out.subarray(0, 16));
      expect(toHex(Buffer.concat([d.update(out.subarray(16)), d.final()]))).toBe(toHex(plaintext));
      expect(toHex(cipher.decrypt(key, out))).toBe(toHex(plaintext));
    });
    // a plaintext that cannot be had stops the batch; the next one is unaffected
    const failing: PlaintextWriter<number> = {
      size(i) {
        if (i === 2) throw new Error('no plaintext');
        return 4000;
      },
      write(out, offset) {
        out.fill(0x55, offset, offset + 4000);
      },
    };
    expect(() => cipher.encryptAll(key, [0, 1, 2], failing)).toThrow('no plaintext');
    expectDdbecError(() => cipher.encrypt(key, 'x' as unknown as Uint8Array), 'ERR_INVALID_ARGUMENT');
    const [again] = cipher.encryptAll(key, [utf8('after')], bytesWriter());
    expect(toHex(cipher.decrypt(key, again as Uint8Array))).toBe(toHex(utf8('after')));
  });

  it('decryptAll: each good ciphertext decrypts, each bad one is undefined, whatever its neighbours', () => {
    const raw = range(0, 31);
    const key = SecretKey.fromBytes(raw, 'AES');
    const plaintexts = [0, 5, 16, 40, 2000].map((length) => range(2, length + 1));
    const good = plaintexts.map((p) => cipher.encrypt(key, p));
    const badPadding = rawCbc(raw, range(50, 65), new Uint8Array(32)); // padding byte 0
    const inputs = [good[0], new Uint8Array(16), good[1], badPadding, good[2], new Uint8Array(33), good[3], 'x', good[4]] as Uint8Array[];
    /** The plaintexts of decryptAll, `undefined` where it failed. */
    const decryptAll = (k: SecretKey, all: Uint8Array[]): (string | undefined)[] => {
      const { data, bounds } = cipher.decryptAll(k, all);
      expect(bounds).toHaveLength(2 * all.length);
      return all.map((_, i) => ((bounds[2 * i] as number) < 0 ? undefined : toHex(data.subarray(bounds[2 * i], bounds[2 * i + 1]))));
    };
    expect(decryptAll(key, inputs)).toEqual([
      toHex(plaintexts[0] as Uint8Array),
      undefined,
      toHex(plaintexts[1] as Uint8Array),
      undefined,
      toHex(plaintexts[2] as Uint8Array),
      undefined,
      toHex(plaintexts[3] as Uint8Array),
      undefined,
      toHex(plaintexts[4] as Uint8Array),
    ]);
    expect(decryptAll(key, [])).toEqual([]);
    expect(decryptAll(key, [new Uint8Array(3)])).toEqual([undefined]);
    expectDdbecError(() => cipher.decryptAll(SecretKey.fromBytes(raw, 'HmacSHA256'), good), 'ERR_DECRYPTION_FAILED');
  });

  it('uses a fresh IV each time (including across pool refills)', () => {
    const ivs = new Set<string>();
    for (let i = 0; i < 700; i++) ivs.add(toHex(cipher.encrypt(key128, utf8('x')).subarray(0, 16)));
    expect(ivs.size).toBe(700);
  });

  it('does not alias or modify its inputs', () => {
    const plaintext = utf8('attribute value');
    const out = cipher.encrypt(key128, plaintext);
    expect(toHex(plaintext)).toBe(toHex(utf8('attribute value')));
    const copy = Uint8Array.from(out);
    const decrypted = cipher.decrypt(key128, out);
    expect(toHex(out)).toBe(toHex(copy));
    out.fill(0);
    expect(toHex(decrypted)).toBe(toHex(plaintext));
    expect(out.buffer.byteLength).toBe(out.length);
  });

  it('accepts every valid PKCS#7 padding length and rejects every invalid one', () => {
    const raw = range(0, 15);
    const iv = range(16, 31);
    for (let pad = 0; pad <= 20; pad++) {
      // last block: (16 - pad) bytes of 0x41, then `pad` bytes of value pad (pad > 16 or 0: all 0x41 but last byte = pad)
      const block = new Uint8Array(16).fill(0x41);
      for (let i = 16 - Math.min(pad, 16); i < 16; i++) block[i] = pad;
      block[15] = pad;
      const data = rawCbc(raw, iv, block);
      if (pad >= 1 && pad <= 16) {
        expect(toHex(cipher.decrypt(key128, data)), `pad ${pad}`).toBe(toHex(block.subarray(0, 16 - pad)));
      } else {
        expectDdbecError(() => cipher.decrypt(key128, data), 'ERR_DECRYPTION_FAILED');
      }
    }
    // inconsistent padding bytes
    for (const tail of [
      [0x01, 0x02],
      [0x03, 0x02, 0x03],
      [0x02, 0x03, 0x03],
    ]) {
      const block = new Uint8Array(16).fill(0x41);
      block.set(tail, 16 - tail.length);
      expectDdbecError(() => cipher.decrypt(key128, rawCbc(raw, iv, block)), 'ERR_DECRYPTION_FAILED');
    }
    // the same on the long-ciphertext path (> 1024 bytes)
    for (const pad of [0, 1, 16, 17]) {
      const blocks = new Uint8Array(2048).fill(0x41);
      if (pad > 0) blocks.fill(pad, 2048 - Math.min(pad, 16));
      blocks[2047] = pad;
      const data = rawCbc(raw, iv, blocks);
      if (pad >= 1 && pad <= 16) expect(cipher.decrypt(key128, data).length).toBe(2048 - pad);
      else expectDdbecError(() => cipher.decrypt(key128, data), 'ERR_DECRYPTION_FAILED');
    }
    const fullBad = new Uint8Array(16).fill(16);
    fullBad[0] = 15;
    expectDdbecError(() => cipher.decrypt(key128, rawCbc(raw, iv, fullBad)), 'ERR_DECRYPTION_FAILED');
  });

  it('fails with one generic ERR_DECRYPTION_FAILED for malformed input', () => {
    const good = cipher.encrypt(key128, new Uint8Array(32).fill(0x41)); // 16 + 48 bytes
    const fail = (input: Uint8Array, key: SecretKey = key128): void => {
      const error = expectDdbecError(() => cipher.decrypt(key, input), 'ERR_DECRYPTION_FAILED');
      expect(error.message).toBe('ciphertext could not be decrypted');
    };
    fail(new Uint8Array(0)); // empty
    fail(good.subarray(0, 16)); // only the IV
    fail(good.subarray(0, 17));
    fail(good.subarray(0, good.length - 1)); // truncated, not a block multiple
    fail(good.subarray(0, good.length - 16)); // last block dropped: final block is 'AAAA…'
    fail(new Uint8Array([...good, 1])); // one byte too many
    // a wrong key (fixed inputs, so deterministic)
    fail(rawCbc(range(0, 15), range(16, 31), new Uint8Array(16).fill(0x10)), SecretKey.fromBytes(range(1, 16), 'AES'));
    fail('not bytes' as unknown as Uint8Array);
  });

  it('needs an AES key', () => {
    const hmac = SecretKey.fromBytes(range(0, 15), 'HmacSHA256');
    expectDdbecError(() => cipher.encrypt(hmac, utf8('x')), 'ERR_INVALID_KEY');
    expectDdbecError(() => cipher.decrypt(hmac, new Uint8Array(32)), 'ERR_DECRYPTION_FAILED');
    const rsa = RsaPrivateKey.fromDer(rsaTestKeys().privateDer);
    expectDdbecError(() => cipher.encrypt(rsa as unknown as SecretKey, utf8('x')), 'ERR_INVALID_KEY');
    expectDdbecError(() => cipher.encrypt(key128, 'x' as unknown as Uint8Array), 'ERR_INVALID_ARGUMENT');
  });
});
