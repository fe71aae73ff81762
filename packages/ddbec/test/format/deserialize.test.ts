import { describe, expect, it } from 'vitest';
import { isDdbecError } from '../../src/errors.js';
import { deserializeAttribute, serializeAttribute, type AttributeValue } from '../../src/format/index.js';

/** Bytes from a hex string with optional spaces and `"text"` runs (UTF-8). */
function b(spec: string): Uint8Array {
  const parts: number[] = [];
  for (const token of spec.match(/"[^"]*"|[0-9A-Fa-f]{2}/g) ?? []) {
    if (token.startsWith('"')) parts.push(...Buffer.from(token.slice(1, -1), 'utf8'));
    else parts.push(parseInt(token, 16));
  }
  return new Uint8Array(parts);
}

function expectMalformed(bytes: Uint8Array): string {
  try {
    deserializeAttribute(bytes);
  } catch (e) {
    expect(isDdbecError(e, 'ERR_DESERIALIZATION'), String(e)).toBe(true);
    return (e as Error).message;
  }
  return expect.unreachable('expected ERR_DESERIALIZATION');
}

const LIST: AttributeValue = { L: [{ S: 'é' }, { N: '-1.5' }, { B: new Uint8Array([1, 2]) }, { BOOL: true }, { NULL: true }, { L: [] }] };
const NESTED: AttributeValue = {
  M: {
    list: LIST,
    sets: { L: [{ SS: ['a', 'bc'] }, { NS: ['1', '20'] }, { BS: [new Uint8Array([0]), new Uint8Array([0xff, 0])] }] },
    '': { M: { k: { S: '' } } },
  },
};

describe('deserializeAttribute: values (§2.7)', () => {
  it.each([
    ['00 00', { NULL: true }],
    ['00 3F 01', { BOOL: true }],
    ['00 3F 00', { BOOL: false }],
    ['00 73 00 00 00 03 "abc"', { S: 'abc' }],
    ['00 73 00 00 00 00', { S: '' }],
    ['00 73 00 00 00 03 EF BB BF', { S: '\uFEFF' }], // a BOM is data
    ['00 73 00 00 00 04 F0 9F 98 80', { S: '\u{1F600}' }],
    ['00 6E 00 00 00 04 "1.50"', { N: '1.50' }], // as stored, not re-canonicalized
    ['00 6E 00 00 00 04 "1E+2"', { N: '1E+2' }],
    ['00 62 00 00 00 02 01 FF', { B: new Uint8Array([1, 0xff]) }],
    ['00 53 00 00 00 02 00 00 00 01 "b" 00 00 00 01 "a"', { SS: ['b', 'a'] }], // stored order
    ['00 4E 00 00 00 02 00 00 00 01 "9" 00 00 00 02 "10"', { NS: ['9', '10'] }],
    ['00 42 00 00 00 02 00 00 00 01 80 00 00 00 00', { BS: [new Uint8Array([0x80]), new Uint8Array(0)] }],
    ['00 53 00 00 00 00', { SS: [] }],
    ['00 4C 00 00 00 02 00 00 00 3F 00', { L: [{ NULL: true }, { BOOL: false }] }],
    ['00 4D 00 00 00 00', { M: {} }],
    [
      '00 4D 00 00 00 02 00 73 00 00 00 01 "a" 00 3F 00 00 73 00 00 00 01 "b" 00 00',
      { M: { a: { BOOL: false }, b: { NULL: true } } },
    ],
  ] as [string, AttributeValue][])('%s', (spec, expected) => {
    expect(deserializeAttribute(b(spec))).toEqual(expected);
  });

  it('last occurrence of a duplicate map key wins', () => {
    const value = deserializeAttribute(b('00 4D 00 00 00 02 00 73 00 00 00 01 "a" 00 3F 00 00 73 00 00 00 01 "a" 00 3F 01'));
    expect(value).toEqual({ M: { a: { BOOL: true } } });
  });

  it('keeps a __proto__ map key as data', () => {
    const value = deserializeAttribute(b('00 4D 00 00 00 01 00 73 00 00 00 09 "__proto__" 00 73 00 00 00 01 "x"'));
    expect('M' in value && Object.keys(value.M)).toEqual(['__proto__']);
    expect('M' in value && Object.getPrototypeOf(value.M)).toBe(Object.prototype);
    expect('M' in value && Object.getOwnPropertyDescriptor(value.M, '__proto__')?.value).toEqual({ S: 'x' });
  });

  it('returns B and BS members as fresh plain Uint8Arrays, also from a Buffer input', () => {
    for (const input of [b('00 62 00 00 00 02 01 02'), Buffer.from(b('00 62 00 00 00 02 01 02'))]) {
      const value = deserializeAttribute(input);
      if (!('B' in value)) throw new Error('expected B');
      expect(Object.getPrototypeOf(value.B)).toBe(Uint8Array.prototype);
      expect(value.B.buffer).not.toBe(input.buffer);
      input[6] = 9;
      expect(value.B).toEqual(new Uint8Array([1, 2]));
    }
    const long = new Uint8Array([0x00, 0x62, 0, 0, 0, 100, ...new Uint8Array(100).fill(5)]);
    const longValue = deserializeAttribute(long);
    long.fill(0);
    expect(longValue).toEqual({ B: new Uint8Array(100).fill(5) });
    expect('B' in longValue && Object.getPrototypeOf(longValue.B)).toBe(Uint8Array.prototype);
    const input = Buffer.from(b('00 42 00 00 00 01 00 00 00 01 07'));
    const set = deserializeAttribute(input);
    if (!('BS' in set)) throw new Error('expected BS');
    expect(Object.getPrototypeOf(set.BS[0])).toBe(Uint8Array.prototype);
    input[10] = 0;
    expect(set.BS).toEqual([new Uint8Array([7])]);
  });

  it('reads from a view into a larger buffer', () => {
    const backing = new Uint8Array([0xaa, ...b('00 73 00 00 00 01 "z"'), 0xbb]);
    expect(deserializeAttribute(backing.subarray(1, backing.length - 1))).toEqual({ S: 'z' });
  });

  it('round-trips a nested value', () => {
    expect(deserializeAttribute(serializeAttribute(NESTED))).toEqual({
      M: {
        list: LIST,
        sets: { L: [{ SS: ['a', 'bc'] }, { NS: ['1', '20'] }, { BS: [new Uint8Array([0xff, 0]), new Uint8Array([0])] }] }, // java: FF (-1) < 00
        '': { M: { k: { S: '' } } },
      },
    });
  });
});

describe('deserializeAttribute: inputs it must reject (§2.8, strict)', () => {
  it.each([
    ['empty input', ''],
    ['one byte', '00'],
    ['first tag byte not 00', '01 73 00 00 00 00'],
    ['first tag byte FF', 'FF 00'],
    ['unknown tag', '00 78'],
    ['unknown tag (upper-case of a scalar)', '00 44 00 00 00 00'],
    ['tag is a set member without count', '00 53'],
    ['boolean byte 02', '00 3F 02'],
    ['boolean byte FF', '00 3F FF'],
    ['boolean missing', '00 3F'],
    ['truncated length', '00 73 00 00 00'],
    ['truncated body', '00 73 00 00 00 05 "abc"'],
    ['length beyond the input', '00 62 FF FF FF FF 00'],
    ['map key tagged n', '00 4D 00 00 00 01 00 6E 00 00 00 01 "1" 00 00'],
    ['map key tagged b', '00 4D 00 00 00 01 00 62 00 00 00 01 "a" 00 00'],
    ['map key with first byte 01', '00 4D 00 00 00 01 01 73 00 00 00 01 "a" 00 00'],
    ['map value missing', '00 4D 00 00 00 01 00 73 00 00 00 01 "a"'],
    ['invalid UTF-8 in S (lone continuation)', '00 73 00 00 00 01 80'],
    ['invalid UTF-8 in S (overlong)', '00 73 00 00 00 02 C0 AF'],
    ['invalid UTF-8 in S (encoded surrogate)', '00 73 00 00 00 03 ED A0 80'],
    ['invalid UTF-8 in S (truncated sequence)', '00 73 00 00 00 02 E2 82'],
    ['invalid UTF-8 in S (beyond U+10FFFF)', '00 73 00 00 00 04 F4 90 80 80'],
    ['invalid UTF-8 in SS', '00 53 00 00 00 01 00 00 00 01 FF'],
    ['invalid UTF-8 in a map key', '00 4D 00 00 00 01 00 73 00 00 00 01 FE 00 00'],
    ['N not a number', '00 6E 00 00 00 03 "abc"'],
    ['N empty', '00 6E 00 00 00 00'],
    ['N with a space', '00 6E 00 00 00 02 " 1"'],
    ['N non-ASCII digits', '00 6E 00 00 00 02 "١"'],
    ['N invalid UTF-8', '00 6E 00 00 00 01 B9'],
    ['NS member not a number', '00 4E 00 00 00 01 00 00 00 01 "x"'],
    ['trailing byte after NULL', '00 00 00'],
    ['trailing bytes after a string', '00 73 00 00 00 01 "a" 00 00'],
    ['trailing bytes after a map', '00 4D 00 00 00 00 00'],
    ['set count larger than the data', '00 53 00 00 00 02 00 00 00 01 "a"'],
    ['list count larger than the data', '00 4C 00 00 00 03 00 00 00 00'],
    ['map count larger than the data', '00 4D 00 00 00 02 00 73 00 00 00 01 "a" 00 00'],
    ['list count 0xFFFFFFFF with a tiny body', '00 4C FF FF FF FF 00 00 00 00'],
  ])('%s', (_name, spec) => {
    expectMalformed(b(spec));
  });

  it('rejects a non-Uint8Array input with ERR_DESERIALIZATION', () => {
    expectMalformed('00 00' as unknown as Uint8Array);
    expectMalformed([0, 0] as unknown as Uint8Array);
    expectMalformed(undefined as unknown as Uint8Array);
  });

  it('rejects every strict prefix of a valid nested value (truncation anywhere)', () => {
    const full = serializeAttribute(NESTED);
    expect(deserializeAttribute(full)).toBeDefined();
    for (let length = 0; length < full.length; length++) expectMalformed(full.subarray(0, length));
  });

  it('rejects trailing bytes after a valid nested value', () => {
    const full = serializeAttribute(NESTED);
    for (const extra of [[0], [0, 0], [0xff]]) expectMalformed(new Uint8Array([...full, ...extra]));
  });

  it('rejects a huge u32 count fast, for every counted type', () => {
    const start = performance.now();
    for (const tag of [0x42, 0x53, 0x4e, 0x4c, 0x4d]) {
      const message = expectMalformed(new Uint8Array([0x00, tag, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]));
      expect(message).toMatch(/count/);
    }
    expect(performance.now() - start).toBeLessThan(50);
  });

  it(`accepts 32 levels of L/M nesting and rejects 33`, () => {
    const nested = (levels: number, tag: number): Uint8Array => {
      const parts: number[] = [];
      for (let i = 0; i < levels; i++) {
        parts.push(0x00, tag, 0, 0, 0, 1);
        if (tag === 0x4d) parts.push(0x00, 0x73, 0, 0, 0, 1, 0x6b);
      }
      parts.push(0x00, 0x00);
      return new Uint8Array(parts);
    };
    for (const tag of [0x4c, 0x4d]) {
      expect(deserializeAttribute(nested(32, tag))).toBeDefined();
      expect(expectMalformed(nested(33, tag))).toMatch(/deeper/);
    }
    // Deep input far beyond the limit fails fast, without a stack overflow.
    expect(expectMalformed(nested(200_000, 0x4c))).toMatch(/deeper/);
  });

  it('never echoes attribute values in messages', () => {
    const secret = 'hunter2-secret';
    const message = expectMalformed(b(`00 73 00 00 00 0E "${secret}" 00`));
    expect(message).not.toContain(secret);
    expect(expectMalformed(b(`00 6E 00 00 00 0E "${secret}"`))).not.toContain(secret);
  });
});
