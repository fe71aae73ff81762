// Item helpers of the SDK integration: DynamoDB's item size (checked against dynalite's, which
// reproduces DynamoDB's accounting) and the removal of undefined members.
import fc from 'fast-check';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import type { AttributeValue, Item } from '../../src/index.js';
import { itemSize, MAX_ITEM_SIZE, withoutUndefined } from '../../src/sdk/items.js';
import { itemArb } from '../support/arbitraries.js';

const dynalite = createRequire(import.meta.url)('dynalite/db/index.js') as { itemSize: (item: unknown) => number };

/**
 * An item in the JSON form dynalite sizes: binary as base64, numbers without `+`. dynalite
 * counts string lengths in UTF-16 units, DynamoDB in UTF-8 bytes: every string is given as
 * its UTF-8 bytes read as Latin-1, so that both count the same.
 */
function dynaliteForm(item: Item): Record<string, unknown> {
  const text = (s: string): string => Buffer.from(s, 'utf8').toString('latin1');
  const number = (n: string): string => n.replace(/^\+/, '');
  const bytes = (b: Uint8Array): string => Buffer.from(b).toString('base64');
  const value = (v: AttributeValue): unknown => {
    if ('S' in v) return { S: text(v.S) };
    if ('N' in v) return { N: number(v.N) };
    if ('B' in v) return { B: bytes(v.B) };
    if ('SS' in v) return { SS: v.SS.map(text) };
    if ('NS' in v) return { NS: v.NS.map(number) };
    if ('BS' in v) return { BS: v.BS.map(bytes) };
    if ('L' in v) return { L: v.L.map(value) };
    if ('M' in v) return { M: dynaliteForm(v.M) };
    return v;
  };
  return Object.fromEntries(Object.entries(item).map(([name, v]) => [text(name), value(v)]));
}

describe('itemSize', () => {
  it('counts like DynamoDB (as dynalite reproduces it) for every kind of value', () => {
    fc.assert(
      fc.property(itemArb, (item) => {
        expect(itemSize(item)).toBe(dynalite.itemSize(dynaliteForm(item)));
      }),
      { numRuns: 500 },
    );
  });

  it('numbers take one byte per pair of digits (aligned on even powers of ten), plus one, plus one when negative', () => {
    const size = (N: string): number => itemSize({ n: { N } }) - 1;
    expect([size('0'), size('-0.000'), size('1'), size('12'), size('1.2'), size('100'), size('123.4'), size('-12')]).toEqual([1, 1, 2, 2, 3, 2, 4, 3]);
    expect(size('1E+125')).toBe(2);
    expect(size('12345678901234567890123456789012345678')).toBe(20);
  });

  it('counts names and strings in UTF-8 bytes', () => {
    expect(itemSize({ é: { S: '€' } })).toBe(2 + 3);
    for (const text of ['a\u{1F600}b', '\uD800x', 'x\uDC00', '\uD800', 'é'.repeat(70), '\u{1F600}'.repeat(40)]) {
      expect(itemSize({ [text]: { S: text } }), JSON.stringify(text)).toBe(2 * Buffer.byteLength(text, 'utf8'));
    }
    expect(MAX_ITEM_SIZE).toBe(409_600);
  });
});

describe('withoutUndefined', () => {
  it('leaves out undefined attributes, map entries and value members, as the SDK serializer does', () => {
    const item = {
      a: undefined,
      b: { S: 'x' },
      m: { M: { gone: undefined, kept: { N: '1' }, deep: { M: { gone: undefined } } } },
      l: { L: [{ M: { gone: undefined } }, undefined] },
      v: { S: undefined, N: '2' },
    } as unknown as Item;
    expect(withoutUndefined(item)).toEqual({ b: { S: 'x' }, m: { M: { kept: { N: '1' }, deep: { M: {} } } }, l: { L: [{ M: {} }, undefined] }, v: { N: '2' } });
    expect(Object.keys(withoutUndefined(item))).toEqual(['b', 'm', 'l', 'v']);
  });

  it('returns the item itself when there is nothing to leave out, and keeps __proto__ as an attribute', () => {
    const item: Item = { b: { S: 'x' }, m: { M: { k: { L: [{ N: '1' }] } } } };
    expect(withoutUndefined(item)).toBe(item);
    const proto = JSON.parse('{"__proto__": {"S": "p"}, "x": null}') as Record<string, unknown>;
    proto['x'] = undefined;
    const cleaned = withoutUndefined(proto as Item);
    expect(Object.keys(cleaned)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(cleaned)).toBe(Object.prototype);
  });
});
