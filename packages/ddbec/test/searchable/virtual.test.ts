/**
 * Terminal locations, transforms and virtual fields. The transform expectations marked "Virtual.dfy"
 * are the DB-ESDK's own (aws/aws-database-encryption-sdk-dynamodb @ b69c6db,
 * DynamoDbEncryption/dafny/DynamoDbEncryption/test/Virtual.dfy), as data.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Item } from '../../src/format/attribute-value.js';
import type { VirtualTransform } from '../../src/searchable/config.js';
import { applyTransform, parseLocation, valueAt, VirtualFieldDef } from '../../src/searchable/virtual.js';

const t = (transform: VirtualTransform, s: string): string => applyTransform(transform, s);

describe('terminal locations', () => {
  it('parses attributes, map keys and list indexes into a canonical text', () => {
    expect(parseLocation('a', 'x')).toEqual({ text: 'a', attribute: 'a', path: [] });
    expect(parseLocation('foo.bar[3].baz', 'x')).toEqual({ text: 'foo.bar[3].baz', attribute: 'foo', path: [{ key: 'bar' }, { index: 3 }, { key: 'baz' }] });
    expect(parseLocation('a[01][2]', 'x').text).toBe('a[1][2]');
  });

  it.each(['', '.a', '[1]', 'a[x]', 'a[1', 'a[-1]', 'a[1]x'])('refuses %j', (text) => {
    expect(() => parseLocation(text, 'standard beacon s')).toThrow(expect.objectContaining({ code: 'ERR_BEACON_CONFIG', message: expect.stringContaining('standard beacon s') as string }) as Error);
  });

  it('finds values, and nothing where a step does not fit', () => {
    const item: Item = { a: { M: { b: { L: [{ S: 'x' }, { M: { c: { N: '1' } } }] } } }, s: { S: 'y' } };
    expect(valueAt(parseLocation('a.b[1].c', 'x'), item)).toEqual({ N: '1' });
    expect(valueAt(parseLocation('a.b[0]', 'x'), item)).toEqual({ S: 'x' });
    for (const miss of ['a.b[2]', 'a.c', 'a[0]', 'a.b.c', 's.x', 's[0]', 'z', 'a.b[0].c']) {
      expect(valueAt(parseLocation(miss, 'x'), item)).toBeUndefined();
    }
    expect(valueAt(parseLocation('toString', 'x'), item)).toBeUndefined();
  });
});

describe('transforms (Virtual.dfy)', () => {
  it('upper / lower change ASCII letters only', () => {
    expect(t({ upper: {} }, '')).toBe('');
    expect(t({ upper: {} }, 'aBcDñÑeF')).toBe('ABCDñÑEF');
    expect(t({ lower: {} }, 'aBcDñÑeF')).toBe('abcdñÑef');
  });

  it('insert appends', () => {
    expect(t({ insert: { literal: '_foo' } }, '')).toBe('_foo');
    expect(t({ insert: { literal: '_foo' } }, 'aBcDñÑeF')).toBe('aBcDñÑeF_foo');
  });

  it('prefix and suffix, positive and negative, clamped', () => {
    const cases: [number, string, string, string][] = [
      [0, '', '', ''],
      [3, '', '', ''],
      [-3, '', '', ''],
      [0, 'a', '', ''],
      [3, 'a', 'a', 'a'],
      [-3, 'a', '', ''],
      [0, 'abc', '', ''],
      [3, 'abc', 'abc', 'abc'],
      [-3, 'abc', '', ''],
      [0, 'aBcDñÑeF', '', ''],
      [3, 'aBcDñÑeF', 'aBc', 'ÑeF'],
      [-3, 'aBcDñÑeF', 'aBcDñ', 'DñÑeF'],
    ];
    for (const [length, input, prefix, suffix] of cases) {
      expect(t({ prefix: { length } }, input)).toBe(prefix);
      expect(t({ suffix: { length } }, input)).toBe(suffix);
    }
  });

  it('substring', () => {
    expect(t({ substring: { low: 2, high: 4 } }, 'abcdef')).toBe('cd');
    expect(t({ substring: { low: 4, high: 2 } }, 'abcdef')).toBe('');
    expect(t({ substring: { low: 2, high: -2 } }, 'abcdef')).toBe('cd');
    expect(t({ substring: { low: -4, high: 4 } }, 'abcdef')).toBe('cd');
    expect(t({ substring: { low: -4, high: -2 } }, 'abcdef')).toBe('cd');
  });

  it('segment', () => {
    const s = '1.23.456.7890';
    const expected: [number, string][] = [
      [0, '1'],
      [1, '23'],
      [2, '456'],
      [3, '7890'],
      [4, ''],
      [5, ''],
      [-1, '7890'],
      [-2, '456'],
      [-3, '23'],
      [-4, '1'],
      [-5, ''],
      [-6, ''],
    ];
    for (const [index, out] of expected) expect(t({ segment: { split: '.', index } }, s)).toBe(out);
  });

  it('segments', () => {
    const s = '1.23.456.7890';
    expect(t({ segments: { split: '.', low: 0, high: 0 } }, s)).toBe('');
    expect(t({ segments: { split: '.', low: 1, high: 2 } }, s)).toBe('23');
    expect(t({ segments: { split: '.', low: 1, high: 3 } }, s)).toBe('23.456');
    expect(t({ segments: { split: '.', low: -3, high: 2 } }, s)).toBe('23');
    expect(t({ segments: { split: '.', low: 0, high: -1 } }, s)).toBe('1.23.456');
  });
});

describe('transform edge cases (ddbec)', () => {
  it('clamps positions past the end to the last element, as the DB-ESDK (not "just after" as virtual.md says)', () => {
    expect(t({ substring: { low: 0, high: 999_999_999 } }, 'abc')).toBe('ab');
    expect(t({ substring: { low: -999_999_999, high: 2 } }, 'abc')).toBe('ab');
    expect(t({ segments: { split: '.', low: 1, high: 999 } }, 'a.b.c')).toBe('b');
    expect(t({ substring: { low: 0, high: 5 } }, '')).toBe('');
    expect(t({ segments: { split: '.', low: 0, high: 1 } }, '')).toBe('');
    expect(t({ segment: { split: '.', index: 0 } }, '')).toBe('');
    expect(t({ segment: { split: '.', index: 0 } }, 'abc')).toBe('abc');
  });

  it('counts UTF-16 code units, as the DB-ESDK', () => {
    // '😀' is two UTF-16 code units
    expect(t({ prefix: { length: 1 } }, '😀x')).toBe('\ud83d');
    expect(t({ suffix: { length: 2 } }, 'x😀')).toBe('😀');
    expect(t({ substring: { low: 1, high: 3 } }, 'a😀b')).toBe('😀');
  });

  it('prefix + suffix of complementary lengths rebuild the string', () => {
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: 1, max: 20 }), (s, n) => {
        expect(t({ prefix: { length: n } }, s) + t({ suffix: { length: -n } }, s)).toBe(s);
        expect(t({ prefix: { length: -n } }, s) + t({ suffix: { length: n } }, s)).toBe(s);
      }),
    );
  });

  it('segments(i, i+1) is segment(i) for every inner segment', () => {
    fc.assert(
      fc.property(fc.array(fc.string().filter((x) => !x.includes('/')), { minLength: 2, maxLength: 6 }), (parts) => {
        const s = parts.join('/');
        for (let i = 0; i < parts.length - 1; i++) {
          expect(t({ segments: { split: '/', low: i, high: i + 1 } }, s)).toBe(t({ segment: { split: '/', index: i } }, s));
        }
      }),
    );
  });

  it('refuses malformed transforms', () => {
    const bad: unknown[] = [{}, { upper: {}, lower: {} }, { nope: {} }, { prefix: { length: 1.5 } }, { segment: { split: '..', index: 0 } }, { insert: { literal: 3 } }, { upper: { x: 1 } }, { substring: { low: 1 } }];
    for (const trans of bad) {
      expect(() => new VirtualFieldDef({ name: 'v', parts: [{ loc: 'a', trans: [trans as VirtualTransform] }] })).toThrow(expect.objectContaining({ code: 'ERR_BEACON_CONFIG' }) as Error);
    }
  });
});

describe('virtual fields (Virtual.dfy TestVirtualField)', () => {
  it('concatenates its parts, reading numbers as written', () => {
    const field = new VirtualFieldDef({
      name: 'myField',
      parts: [{ loc: 'foo' }, { loc: 'bar', trans: [{ lower: {} }] }, { loc: 'baz[2].florn' }],
    });
    const item: Item = {
      foo: { N: '1.23' },
      bar: { N: 'BarString' },
      baz: { L: [{ N: '1.23' }, { N: 'BarString' }, { M: { florn: { S: 'FlornString' } } }] },
    };
    expect(field.evaluate(item, 'ERR_BEACON_WRITE')).toBe('1.23barstringFlornString');
    expect(field.evaluate({ foo: { N: '1' } }, 'ERR_BEACON_WRITE')).toBeUndefined();
    expect(field.evaluate({ ...item, foo: { BOOL: true }, bar: { NULL: true } }, 'ERR_BEACON_WRITE')).toBe('truenullFlornString');
    expect(() => field.evaluate({ ...item, foo: { L: [] } }, 'ERR_BEACON_WRITE')).toThrow(expect.objectContaining({ code: 'ERR_BEACON_WRITE' }) as Error);
  });
});
