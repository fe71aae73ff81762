import { describe, expect, it } from 'vitest';
import { isDdbecError } from '../../src/errors.js';
import { decodeMaterialDescription, encodeMaterialDescription, fromBase64, toBase64 } from '../../src/format/index.js';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const SYM_MODE_B64 = 'AAAAAAAAABVhbXpuLWRkYi1tYXAtc3ltLW1vZGUAAAARL0NCQy9QS0NTNVBhZGRpbmc=';

function expectDescriptionError(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(isDdbecError(e, 'ERR_MATERIAL_DESCRIPTION'), String(e)).toBe(true);
    return (e as Error).message;
  }
  return expect.unreachable('expected ERR_MATERIAL_DESCRIPTION');
}

describe('material description (legacy-format §3.2)', () => {
  it('empty description is 00000000 (AAAAAA==)', () => {
    expect(toBase64(encodeMaterialDescription({}))).toBe('AAAAAA==');
    expect(toBase64(encodeMaterialDescription(new Map()))).toBe('AAAAAA==');
    expect(decodeMaterialDescription(fromBase64('AAAAAA=='))).toEqual(new Map());
  });

  it('sym-mode example', () => {
    const description = { 'amzn-ddb-map-sym-mode': '/CBC/PKCS5Padding' };
    const encoded = encodeMaterialDescription(description);
    expect(hex(encoded)).toBe(`00000000 00000015 ${hex(Buffer.from('amzn-ddb-map-sym-mode'))} 00000011 ${hex(Buffer.from('/CBC/PKCS5Padding'))}`.replace(/ /g, ''));
    expect(toBase64(encoded)).toBe(SYM_MODE_B64);
    expect(decodeMaterialDescription(fromBase64(SYM_MODE_B64))).toEqual(new Map(Object.entries(description)));
  });

  it('writes pairs sorted by key in UTF-8 byte order, whatever the input order', () => {
    const a = encodeMaterialDescription(new Map([['b', '2'], ['\u{10000}', 'x'], ['\u{E000}', 'y'], ['a', '1'], ['', 'e']]));
    const b = encodeMaterialDescription({ a: '1', '': 'e', '\u{E000}': 'y', b: '2', '\u{10000}': 'x' });
    expect(a).toEqual(b);
    expect([...decodeMaterialDescription(a).keys()]).toEqual(['', 'a', 'b', '\u{E000}', '\u{10000}']);
  });

  it('returns a plain Uint8Array', () => {
    expect(Object.getPrototypeOf(encodeMaterialDescription({ a: 'b' }))).toBe(Uint8Array.prototype);
  });

  it('accepts pairs in any order and lets later duplicates overwrite', () => {
    const bytes = new Uint8Array([
      0, 0, 0, 0,
      0, 0, 0, 1, 0x62, 0, 0, 0, 1, 0x31, // b=1
      0, 0, 0, 1, 0x61, 0, 0, 0, 0, // a=
      0, 0, 0, 1, 0x62, 0, 0, 0, 1, 0x32, // b=2
    ]);
    const decoded = decodeMaterialDescription(bytes);
    expect(decoded).toEqual(new Map([['b', '2'], ['a', '']]));
  });

  it('decodes UTF-8 (multi-byte keys and values) and from a Buffer view', () => {
    const encoded = encodeMaterialDescription({ 'clé': '\u{1F600}' });
    expect(decodeMaterialDescription(Buffer.from(encoded))).toEqual(new Map([['clé', '\u{1F600}']]));
    const backing = new Uint8Array([7, ...encoded, 7]);
    expect(decodeMaterialDescription(backing.subarray(1, backing.length - 1))).toEqual(new Map([['clé', '\u{1F600}']]));
  });

  it.each([
    ['empty input', []],
    ['short version', [0, 0, 0]],
    ['version 1', [0, 0, 0, 1]],
    ['version FF000000', [0xff, 0, 0, 0]],
  ])('rejects a bad version: %s', (_name, bytes) => {
    expect(expectDescriptionError(() => decodeMaterialDescription(new Uint8Array(bytes)))).toMatch(/version/);
  });

  it.each([
    ['truncated key length', [0, 0, 0, 0, 0, 0]],
    ['truncated key', [0, 0, 0, 0, 0, 0, 0, 5, 0x61]],
    ['missing value', [0, 0, 0, 0, 0, 0, 0, 1, 0x61]],
    ['truncated value length', [0, 0, 0, 0, 0, 0, 0, 1, 0x61, 0, 0]],
    ['truncated value', [0, 0, 0, 0, 0, 0, 0, 1, 0x61, 0, 0, 0, 2, 0x62]],
    ['huge length', [0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0x61]],
    ['invalid UTF-8 key', [0, 0, 0, 0, 0, 0, 0, 1, 0xff, 0, 0, 0, 0]],
    ['invalid UTF-8 value', [0, 0, 0, 0, 0, 0, 0, 1, 0x61, 0, 0, 0, 2, 0xc0, 0xaf]],
  ])('rejects a malformed description: %s', (_name, bytes) => {
    expectDescriptionError(() => decodeMaterialDescription(new Uint8Array(bytes)));
  });

  it('rejects every strict prefix of a valid description after the version', () => {
    const full = fromBase64(SYM_MODE_B64);
    for (let length = 0; length < full.length; length++) {
      if (length === 4) continue; // just the version: the empty description
      expectDescriptionError(() => decodeMaterialDescription(full.subarray(0, length)));
    }
  });

  it('rejects non-string keys or values and unpaired surrogates when encoding', () => {
    expectDescriptionError(() => encodeMaterialDescription({ a: 1 } as unknown as Record<string, string>));
    expectDescriptionError(() => encodeMaterialDescription(new Map([[1, 'a']]) as unknown as Map<string, string>));
    expectDescriptionError(() => encodeMaterialDescription({ a: '\uD800' }));
    expectDescriptionError(() => encodeMaterialDescription(null as unknown as Record<string, string>));
    expectDescriptionError(() => decodeMaterialDescription('AAAAAA==' as unknown as Uint8Array));
  });
});
