import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isDdbecError } from '../../src/errors.js';
import { fromBase64, toBase64 } from '../../src/format/index.js';

describe('toBase64 / fromBase64 (amzn-ddb-env-key, legacy-format §3.3)', () => {
  it.each([
    ['', []],
    ['AA==', [0]],
    ['AAE=', [0, 1]],
    ['AAEC', [0, 1, 2]],
    ['/+8=', [0xff, 0xef]],
  ])('%j', (text, bytes) => {
    expect(toBase64(new Uint8Array(bytes))).toBe(text);
    const decoded = fromBase64(text);
    expect(Object.getPrototypeOf(decoded)).toBe(Uint8Array.prototype);
    expect(decoded).toEqual(new Uint8Array(bytes));
  });

  it('encodes a view of a larger buffer', () => {
    expect(toBase64(new Uint8Array([9, 0, 1, 2, 9]).subarray(1, 4))).toBe('AAEC');
  });

  it('tolerates MIME line breaks (\\r\\n and \\n), as old Java wrote them', () => {
    const bytes = new Uint8Array(120).map((_, i) => (i * 37) & 0xff);
    const plain = toBase64(bytes);
    const crlf = plain.replace(/(.{76})/g, '$1\r\n');
    expect(crlf).toContain('\r\n');
    expect(fromBase64(crlf)).toEqual(bytes);
    expect(fromBase64(plain.replace(/(.{76})/g, '$1\n'))).toEqual(bytes);
    expect(fromBase64(`${plain}\r\n`)).toEqual(bytes);
  });

  it.each([
    ['no padding', 'AA'],
    ['no padding (3 chars)', 'AAE'],
    ['too much padding', 'A==='],
    ['padding in the middle', 'AA==AAAA'],
    ['URL-safe alphabet', '_-8='],
    ['space', 'AA AA'],
    ['tab', 'AAAA\t'],
    ['lone carriage return', 'AAAA\rAAAA'],
    ['non-ASCII', 'AAAé'],
    ['non-zero padding bits (1 byte)', 'AB=='],
    ['non-zero padding bits (2 bytes)', 'AAF='],
    ['single character', 'A'],
    ['dot', 'AA.='],
  ])('rejects %s', (_name, text) => {
    try {
      fromBase64(text);
    } catch (e) {
      expect(isDdbecError(e, 'ERR_MATERIAL_DESCRIPTION')).toBe(true);
      return;
    }
    expect.unreachable('expected ERR_MATERIAL_DESCRIPTION');
  });

  it('round-trips any bytes and is one-to-one', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const text = toBase64(bytes);
        expect(text).toBe(Buffer.from(bytes).toString('base64'));
        expect(fromBase64(text)).toEqual(bytes);
      }),
    );
  });

  it('only ever throws ERR_MATERIAL_DESCRIPTION on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('A', 'Q', 'g', 'w', '+', '/', '=', '\r', '\n', ' ', '-', '_', 'é', '9'), maxLength: 40 }), (text) => {
        try {
          const bytes = fromBase64(text);
          expect(toBase64(bytes)).toBe(text.replace(/\r?\n/g, ''));
        } catch (e) {
          expect(isDdbecError(e, 'ERR_MATERIAL_DESCRIPTION')).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });
});
