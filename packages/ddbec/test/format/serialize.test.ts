import { describe, expect, it } from 'vitest';
import { isDdbecError } from '../../src/errors.js';
import {
  compareStrings,
  deserializeAttribute,
  MAX_NESTING_DEPTH,
  serializeAttribute,
  type AttributeValue,
  type SerializationProfile,
} from '../../src/format/index.js';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex').toUpperCase().replace(/(..)(?!$)/g, '$1 ');
const bytes = (...b: number[]): Uint8Array => new Uint8Array(b);
const PROFILES: SerializationProfile[] = ['java', 'python'];

function expectError(code: 'ERR_SERIALIZATION' | 'ERR_INVALID_ARGUMENT', fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(isDdbecError(e, code), String(e)).toBe(true);
    return (e as Error).message;
  }
  return expect.unreachable(`expected ${code}`);
}

function nestedList(levels: number): AttributeValue {
  let value: AttributeValue = { S: 'leaf' };
  for (let i = 0; i < levels; i++) value = { L: [value] };
  return value;
}

function nestedMap(levels: number): AttributeValue {
  let value: AttributeValue = { NULL: true };
  for (let i = 0; i < levels; i++) value = i % 2 === 0 ? { M: { k: value } } : { L: [value] };
  return value;
}

describe('serializeAttribute: legacy-format §2.4 worked examples', () => {
  const table: [string, AttributeValue, string][] = [
    ['S abc', { S: 'abc' }, '00 73 00 00 00 03 61 62 63'],
    ['N -0012.3400', { N: '-0012.3400' }, '00 6E 00 00 00 06 2D 31 32 2E 33 34'],
    ['N 55', { N: '55' }, '00 6E 00 00 00 02 35 35'],
    ['BOOL true', { BOOL: true }, '00 3F 01'],
    ['BOOL false', { BOOL: false }, '00 3F 00'],
    ['NULL', { NULL: true }, '00 00'],
    ['empty B', { B: new Uint8Array(0) }, '00 62 00 00 00 00'],
    ['empty SS', { SS: [] }, '00 53 00 00 00 00'],
    ['SS b,a', { SS: ['b', 'a'] }, '00 53 00 00 00 02 00 00 00 01 61 00 00 00 01 62'],
    ['NS 10,9.0,-1', { NS: ['10', '9.0', '-1'] }, '00 4E 00 00 00 03 00 00 00 02 2D 31 00 00 00 02 31 30 00 00 00 01 39'],
    ['BS 02, 01FF', { BS: [bytes(0x02), bytes(0x01, 0xff)] }, '00 42 00 00 00 02 00 00 00 02 01 FF 00 00 00 01 02'],
    ['L', { L: [{ S: 'a' }, { N: '1' }] }, '00 4C 00 00 00 02 00 73 00 00 00 01 61 00 6E 00 00 00 01 31'],
    [
      'M',
      { M: { b: { NULL: true }, a: { BOOL: false } } },
      '00 4D 00 00 00 02 00 73 00 00 00 01 61 00 3F 00 00 73 00 00 00 01 62 00 00',
    ],
    // §2.5: empty values serialize normally.
    ['empty S', { S: '' }, '00 73 00 00 00 00'],
    ['empty L', { L: [] }, '00 4C 00 00 00 00'],
    ['empty M', { M: {} }, '00 4D 00 00 00 00'],
    ['empty NS', { NS: [] }, '00 4E 00 00 00 00'],
    ['empty BS', { BS: [] }, '00 42 00 00 00 00'],
    ['S multibyte', { S: 'é\u{1F600}' }, '00 73 00 00 00 06 C3 A9 F0 9F 98 80'],
    ['S keeps a BOM', { S: '\uFEFF' }, '00 73 00 00 00 03 EF BB BF'],
  ];
  it.each(table)('%s', (_name, value, expected) => {
    for (const profile of PROFILES) expect(hex(serializeAttribute(value, profile))).toBe(expected);
  });
  it('returns a plain Uint8Array', () => {
    const out = serializeAttribute({ S: 'abc' });
    expect(Object.getPrototypeOf(out)).toBe(Uint8Array.prototype);
  });
  it('defaults to the java profile', () => {
    expect(serializeAttribute({ N: '-0' })).toEqual(serializeAttribute({ N: '-0' }, 'java'));
  });
  it('accepts Buffers and views into larger buffers', () => {
    const backing = new Uint8Array([9, 9, 1, 2, 3, 9]);
    const view = backing.subarray(2, 5);
    expect(hex(serializeAttribute({ B: view }))).toBe('00 62 00 00 00 03 01 02 03');
    expect(hex(serializeAttribute({ B: Buffer.from([1, 2, 3]) }))).toBe('00 62 00 00 00 03 01 02 03');
    expect(hex(serializeAttribute({ BS: [Buffer.from([2]), view] }))).toBe('00 42 00 00 00 02 00 00 00 03 01 02 03 00 00 00 01 02');
  });
});

describe('serializeAttribute: Java / Python discrepancies (§2.9)', () => {
  it('negative zero: java 0, python -0 (N and NS)', () => {
    expect(hex(serializeAttribute({ N: '-0.0' }, 'java'))).toBe('00 6E 00 00 00 01 30');
    expect(hex(serializeAttribute({ N: '-0.0' }, 'python'))).toBe('00 6E 00 00 00 02 2D 30');
    expect(hex(serializeAttribute({ NS: ['-0'] }, 'java'))).toBe('00 4E 00 00 00 01 00 00 00 01 30');
    expect(hex(serializeAttribute({ NS: ['-0'] }, 'python'))).toBe('00 4E 00 00 00 01 00 00 00 02 2D 30');
  });
  it('BS order: java signed bytes (80 < 01), python unsigned (01 < 80)', () => {
    const value: AttributeValue = { BS: [bytes(0x01), bytes(0x80)] };
    expect(hex(serializeAttribute(value, 'java'))).toBe('00 42 00 00 00 02 00 00 00 01 80 00 00 00 01 01');
    expect(hex(serializeAttribute(value, 'python'))).toBe('00 42 00 00 00 02 00 00 00 01 01 00 00 00 01 80');
    // Shorter first on a common prefix, in both.
    const prefix: AttributeValue = { BS: [bytes(0x01, 0x00), bytes(0x01)] };
    for (const profile of PROFILES) {
      expect(hex(serializeAttribute(prefix, profile))).toBe('00 42 00 00 00 02 00 00 00 01 01 00 00 00 02 01 00');
    }
    // FF is -1 in Java: after 80 (-128), before 00.
    const signed: AttributeValue = { BS: [bytes(0x00), bytes(0xff), bytes(0x80), bytes(0x7f)] };
    expect(hex(serializeAttribute(signed, 'java'))).toBe('00 42 00 00 00 04 00 00 00 01 80 00 00 00 01 FF 00 00 00 01 00 00 00 00 01 7F');
    expect(hex(serializeAttribute(signed, 'python'))).toBe('00 42 00 00 00 04 00 00 00 01 00 00 00 00 01 7F 00 00 00 01 80 00 00 00 01 FF');
  });
  it('SS order: java sorts U+10000 before U+E000 (UTF-16), python after (code point)', () => {
    const value: AttributeValue = { SS: ['\u{E000}', '\u{10000}'] };
    const e000 = '00 00 00 03 EE 80 80';
    const u10000 = '00 00 00 04 F0 90 80 80';
    expect(hex(serializeAttribute(value, 'java'))).toBe(`00 53 00 00 00 02 ${u10000} ${e000}`);
    expect(hex(serializeAttribute(value, 'python'))).toBe(`00 53 00 00 00 02 ${e000} ${u10000}`);
  });
  it('map-key order follows the same rule', () => {
    const value: AttributeValue = { M: { '\u{E000}': { NULL: true }, '\u{10000}': { BOOL: true } } };
    const e000 = '00 73 00 00 00 03 EE 80 80 00 00';
    const u10000 = '00 73 00 00 00 04 F0 90 80 80 00 3F 01';
    expect(hex(serializeAttribute(value, 'java'))).toBe(`00 4D 00 00 00 02 ${u10000} ${e000}`);
    expect(hex(serializeAttribute(value, 'python'))).toBe(`00 4D 00 00 00 02 ${e000} ${u10000}`);
  });
  it('29–38 significant digits: python rounds to 28, java keeps them', () => {
    const value: AttributeValue = { N: '12345678901234567890123456789012345678' };
    const text = (profile: SerializationProfile) => Buffer.from(serializeAttribute(value, profile).subarray(6)).toString();
    expect(text('java')).toBe('12345678901234567890123456789012345678');
    expect(text('python')).toBe('12345678901234567890123456790000000000');
  });
  it('a number written with more than 38 digits: java accepts, python rejects', () => {
    const value: AttributeValue = { N: `1${'0'.repeat(38)}` };
    expect(hex(serializeAttribute(value, 'java')).length).toBeGreaterThan(0);
    expectError('ERR_SERIALIZATION', () => serializeAttribute(value, 'python'));
  });
  it('NS members are sorted as canonical strings, not numerically', () => {
    for (const profile of PROFILES) {
      expect(deserializeAttribute(serializeAttribute({ NS: ['10', '9.0', '-1', '1e1', '0.50'] }, profile))).toEqual({
        NS: ['-1', '0.5', '10', '10', '9'],
      });
    }
  });
});

describe('compareStrings', () => {
  it.each([
    ['a', 'b', -1, -1],
    ['b', 'a', 1, 1],
    ['a', 'a', 0, 0],
    ['', 'a', -1, -1],
    ['ab', 'a', 1, 1],
    ['\u{10000}', '\u{E000}', -1, 1],
    ['\u{E000}', '\u{10000}', 1, -1],
    ['\u{FFFF}', '\u{10FFFF}', 1, -1],
    ['\u{D7FF}', '\u{10000}', -1, -1],
    ['x\u{1F600}', 'x\u{1F601}', -1, -1],
    ['\u{1F600}a', '\u{1F600}', 1, 1],
  ])('%j vs %j: java %i, python %i', (a, b, java, python) => {
    expect(Math.sign(compareStrings(a, b, 'java'))).toBe(java);
    expect(Math.sign(compareStrings(a, b, 'python'))).toBe(python);
    // python = UTF-8 byte order
    expect(Math.sign(Buffer.compare(Buffer.from(a), Buffer.from(b)))).toBe(python);
  });
});

describe('serializeAttribute: inputs it must reject (§2.6 and stricter)', () => {
  const rejected: [string, unknown][] = [
    ['no type', {}],
    ['only undefined members', { S: undefined }],
    ['two types', { S: 'a', N: '1' }],
    ['unknown type', { X: 'a' }],
    ['lower-case type', { s: 'a' }],
    ['SDK $unknown member', { $unknown: ['X', 1] }],
    ['NULL false (Java rejects)', { NULL: false }],
    ['NULL not a boolean', { NULL: 'true' }],
    ['S not a string', { S: 5 }],
    ['S lone high surrogate', { S: 'a\uD800' }],
    ['S lone low surrogate', { S: '\uDC00b' }],
    ['N not a string', { N: 5 }],
    ['N invalid', { N: 'abc' }],
    ['N empty', { N: '' }],
    ['N NaN', { N: 'NaN' }],
    ['N huge exponent', { N: '1e999999999' }],
    ['B not bytes', { B: 'AAEC' }],
    ['B an ArrayBuffer', { B: new ArrayBuffer(2) }],
    ['B a number array', { B: [1, 2] }],
    ['B a Uint16Array', { B: new Uint16Array(2) }],
    ['BOOL not a boolean', { BOOL: 1 }],
    ['SS not an array', { SS: 'a' }],
    ['SS member not a string', { SS: ['a', 1] }],
    ['SS member lone surrogate', { SS: ['\uD83D'] }],
    ['NS member invalid', { NS: ['1', 'x'] }],
    ['NS member not a string', { NS: [1] }],
    ['BS member not bytes', { BS: [bytes(1), 'AQ=='] }],
    ['L not an array', { L: { 0: { S: 'a' } } }],
    ['L null element', { L: [{ S: 'a' }, null] }],
    ['L undefined element', { L: [undefined] }],
    ['L hole', { L: [, { S: 'a' }] }], // eslint-disable-line no-sparse-arrays
    ['L element not an object', { L: ['a'] }],
    ['L element invalid', { L: [{ NULL: false }] }],
    ['M not an object', { M: 'a' }],
    ['M an array', { M: [] }],
    ['M a Map', { M: new Map([['a', { S: 'a' }]]) }],
    ['M null value', { M: { a: null } }],
    ['M undefined value', { M: { a: undefined } }],
    ['M key lone surrogate', { M: { '\uDFFF': { NULL: true } } }],
    ['M nested invalid', { M: { a: { M: { b: { X: 1 } } } } }],
    ['null', null],
    ['undefined', undefined],
    ['a string', 'abc'],
    ['an array', [{ S: 'a' }]],
  ];
  it.each(rejected)('%s', (_name, value) => {
    for (const profile of PROFILES) {
      const message = expectError('ERR_SERIALIZATION', () => serializeAttribute(value as AttributeValue, profile));
      expect(message).not.toMatch(/abc|AAEC|\bx\b/); // values are never echoed
    }
  });
  it('never echoes secret values in messages', () => {
    const secret = 'hunter2-secret';
    for (const value of [{ N: secret }, { NS: [secret] }, { M: { [secret]: { X: 1 } } }, { M: { a: { [secret]: 'x' } } }, { [secret]: 1 }]) {
      const message = expectError('ERR_SERIALIZATION', () => serializeAttribute(value as unknown as AttributeValue));
      expect(message).not.toContain(secret);
    }
  });
  it('rejects an unknown profile', () => {
    expectError('ERR_INVALID_ARGUMENT', () => serializeAttribute({ S: 'a' }, 'Java' as SerializationProfile));
  });
  it('ignores members that are undefined (as the AWS SDK types allow)', () => {
    expect(serializeAttribute({ S: 'a', N: undefined })).toEqual(serializeAttribute({ S: 'a' }));
  });
  it('accepts null-prototype objects and a __proto__ map key', () => {
    const value = Object.create(null) as Record<string, unknown>;
    value.S = 'a';
    expect(serializeAttribute(value as AttributeValue)).toEqual(serializeAttribute({ S: 'a' }));
    const map = JSON.parse('{"M":{"__proto__":{"S":"x"},"a":{"NULL":true}}}') as AttributeValue;
    expect(hex(serializeAttribute(map))).toBe(
      `00 4D 00 00 00 02 00 73 00 00 00 09 ${hex(Buffer.from('__proto__'))} 00 73 00 00 00 01 78 00 73 00 00 00 01 61 00 00`,
    );
    expect(deserializeAttribute(serializeAttribute(map))).toEqual(map);
  });
  it('does not modify its input (sets and map keys are sorted on copies)', () => {
    const value = { SS: ['b', 'a'], NS: undefined } as unknown as AttributeValue;
    const members = ['b', 'a'];
    serializeAttribute({ SS: members });
    serializeAttribute({ NS: ['2', '1.0'] });
    serializeAttribute(value);
    expect(members).toEqual(['b', 'a']);
    const ns = ['2', '1.0'];
    serializeAttribute({ NS: ns });
    expect(ns).toEqual(['2', '1.0']);
    const bs = [bytes(2), bytes(1)];
    serializeAttribute({ BS: bs });
    expect(bs).toEqual([bytes(2), bytes(1)]);
  });
  it('does not remove duplicate set members (DynamoDB never has them)', () => {
    expect(hex(serializeAttribute({ SS: ['a', 'a'] }))).toBe('00 53 00 00 00 02 00 00 00 01 61 00 00 00 01 61');
  });
});

describe('serializeAttribute: nesting depth', () => {
  it(`accepts ${MAX_NESTING_DEPTH} levels of L and M and rejects ${MAX_NESTING_DEPTH + 1}`, () => {
    expect(MAX_NESTING_DEPTH).toBe(32);
    for (const build of [nestedList, nestedMap]) {
      for (const profile of PROFILES) {
        const ok = serializeAttribute(build(32), profile);
        expect(ok.length).toBeGreaterThan(0);
        expect(deserializeAttribute(ok)).toEqual(build(32));
        expectError('ERR_SERIALIZATION', () => serializeAttribute(build(33), profile));
      }
    }
  });
  it('rejects a cyclic value instead of overflowing the stack', () => {
    const list: AttributeValue[] = [];
    const cyclic: AttributeValue = { L: list };
    list.push(cyclic);
    expectError('ERR_SERIALIZATION', () => serializeAttribute(cyclic));
    const map: Record<string, AttributeValue> = {};
    map.self = { M: map };
    expectError('ERR_SERIALIZATION', () => serializeAttribute({ M: map }));
  });
  it('rejects very deep values quickly', () => {
    expectError('ERR_SERIALIZATION', () => serializeAttribute(nestedList(100_000)));
  });
});
