import { describe, expect, it } from 'vitest';
import { isDdbecError } from '../../src/errors.js';
import { validateItem, type AttributeValue, type Item, type KeyAttributeNames } from '../../src/format/index.js';

/** Expects `validateItem` to refuse with ERR_INVALID_ITEM; returns the message. */
function refused(item: Item, keys?: KeyAttributeNames): string {
  try {
    validateItem(item, keys);
  } catch (e) {
    expect(isDdbecError(e, 'ERR_INVALID_ITEM'), String(e)).toBe(true);
    return (e as Error).message;
  }
  return expect.unreachable(`expected ERR_INVALID_ITEM for ${JSON.stringify(item)}`);
}

const refusedValue = (value: unknown): string => refused({ v: value as AttributeValue });
const accepts = (value: unknown): void => {
  expect(() => {
    validateItem({ v: value as AttributeValue });
  }, JSON.stringify(value)).not.toThrow();
};

const nines38 = '9'.repeat(38);
/** `levels` nested `L`/`M` values (alternating) around a scalar. */
function nested(levels: number): AttributeValue {
  let value: AttributeValue = { S: 'leaf' };
  for (let i = 0; i < levels; i++) value = i % 2 === 0 ? { L: [value] } : { M: { k: value } };
  return value;
}

describe('validateItem: numbers', () => {
  it('accepts numbers DynamoDB stores', () => {
    for (const n of [
      '0', '-0', '+5', '42', '-7', '1.5', '.5', '5.', '1e2', '1E+2', '1.5e-3', '000123', '0.000',
      '0e-500', '0E+99999', // zero, whatever its written exponent
      nines38, `-${nines38}`, `0.${nines38}`, `${nines38}E+88`,
      `9.${'9'.repeat(37)}E+125`, `-9.${'9'.repeat(37)}E+125`, '1E-130', '-1E-130',
      `1${'0'.repeat(50)}`, // one significant digit: trailing zeros do not count
      `1${'0'.repeat(125)}`, // 1E+125
      `0.${'0'.repeat(129)}1`, // 1E-130
      `${nines38}${'0'.repeat(88)}`, // 38 digits, magnitude 9.99…E+125
      `12345678901234567890123456789012345678${'0'.repeat(20)}`,
      `0000${nines38}`, `${nines38}.000`,
    ]) {
      accepts({ N: n });
      accepts({ NS: [n] });
    }
  });

  it('refuses more than 38 significant digits', () => {
    for (const n of ['1'.repeat(39), `-${'1'.repeat(39)}`, `1.${'0'.repeat(37)}1`, `0.${'1'.repeat(39)}`, `1${'0'.repeat(37)}1e-200`]) {
      expect(refusedValue({ N: n })).toContain('more than 38 significant digits');
    }
  });

  it('refuses magnitudes outside 1E-130 … 9.99…E+125', () => {
    for (const n of ['1E+126', '-1E126', `1${'0'.repeat(126)}`, '10E+125', `${nines38}E+89`]) {
      expect(refusedValue({ N: n }), n).toContain('magnitude above 9.9999999999999999999999999999999999999E+125');
    }
    for (const n of ['1E-131', '-1E-131', `0.${'0'.repeat(130)}1`, '0.1E-130', '1e-999999999999']) {
      expect(refusedValue({ N: n })).toContain('magnitude below 1E-130');
    }
  });

  it('refuses text that is not a number', () => {
    for (const n of ['', ' 1', '1 ', 'NaN', 'Infinity', '-Infinity', '1e', 'e5', '.', '-', '0x10', '1_000', '--1', '1.2.3', '1e2.5', '١']) {
      expect(refusedValue({ N: n }), JSON.stringify(n)).toContain('not a number');
    }
    expect(refusedValue({ N: 5 })).toContain('N is not a string');
  });
});

describe('validateItem: sets', () => {
  it('refuses empty sets', () => {
    expect(refusedValue({ SS: [] })).toContain('empty string set');
    expect(refusedValue({ NS: [] })).toContain('empty number set');
    expect(refusedValue({ BS: [] })).toContain('empty binary set');
  });

  it('refuses duplicate members: strings exactly, numbers by value, binaries by bytes', () => {
    expect(refusedValue({ SS: ['a', 'b', 'a'] })).toContain('duplicate members in a string set');
    for (const pair of [['1', '1.0'], ['0', '-0'], ['100', '1E+2'], ['0.5', '.50'], ['-1.5', '-15e-1'], ['0', '0e9']]) {
      expect(refusedValue({ NS: pair }), pair.join(' ')).toContain('duplicate members in a number set');
    }
    const backing = new Uint8Array([9, 1, 2, 9, 1, 2]);
    expect(refusedValue({ BS: [backing.subarray(1, 3), new Uint8Array([1, 2])] })).toContain('duplicate members in a binary set');
  });

  it('accepts distinct members, including the empty string and empty binary', () => {
    accepts({ SS: ['a', 'A', '', 'a '] });
    accepts({ NS: ['1', '-1', '10', '0.1', '1e-2', '0'] });
    accepts({ BS: [new Uint8Array([]), new Uint8Array([0]), new Uint8Array([0, 0])] });
  });

  it('refuses members of the wrong type and invalid numbers, naming the set', () => {
    expect(refusedValue({ SS: ['a', 1] })).toMatch(/\(member of a string set\): not a string/);
    expect(refusedValue({ NS: ['1', 'x'] })).toMatch(/\(member of a number set\): not a number/);
    expect(refusedValue({ NS: ['1', 1] })).toMatch(/\(member of a number set\): not a string/);
    expect(refusedValue({ NS: ['1', '1'.repeat(39)] })).toMatch(/\(member of a number set\): more than 38 significant digits/);
    expect(refusedValue({ BS: ['AQI='] })).toMatch(/\(member of a binary set\): not a Uint8Array/);
    expect(refusedValue({ SS: 'a' })).toContain('SS is not an array');
  });
});

describe('validateItem: structure', () => {
  it('refuses values that are not exactly one DynamoDB type', () => {
    expect(refusedValue({})).toContain('not exactly one type set');
    expect(refusedValue({ S: 'a', N: '1' })).toContain('not exactly one type set');
    expect(refusedValue({ $unknown: ['X', 1] })).toContain('unknown type');
    expect(refusedValue({ NULL: false })).toContain('NULL is not true');
    expect(refusedValue({ BOOL: 'true' })).toContain('BOOL is not a boolean');
    expect(refusedValue({ S: 1 })).toContain('S is not a string');
    expect(refusedValue({ B: 'AQI=' })).toContain('B is not a Uint8Array');
    expect(refusedValue({ L: {} })).toContain('L is not an array');
    expect(refusedValue({ M: [] })).toContain('M is not an object');
    expect(refusedValue({ L: [null] })).toMatch(/\(list element \[0\]\): not an attribute value/);
    expect(refusedValue(null)).toContain('not an attribute value');
    // Members set to undefined are ignored, as by the serializer and the AWS SDK.
    accepts({ S: 'a', N: undefined });
  });

  it('accepts every type, empty strings, lists and maps', () => {
    validateItem({
      s: { S: '' },
      b: { B: new Uint8Array() },
      bool: { BOOL: false },
      nul: { NULL: true },
      l: { L: [] },
      m: { M: {} },
      doc: { M: { '': { S: 'empty key' }, list: { L: [{ N: '1' }, { NS: ['1', '2'] }, { M: { x: { BOOL: true } } }] } } },
    });
  });

  it('accepts 31 nested lists and maps below the attribute and refuses 32 (DynamoDB counts the item)', () => {
    accepts(nested(31));
    expect(refusedValue(nested(32))).toContain('nested deeper than 32 levels');
    let maps: AttributeValue = { N: '1' };
    for (let i = 0; i < 32; i++) maps = { M: { n: maps } };
    expect(refusedValue(maps)).toContain('nested deeper than 32 levels');
  });

  it('refuses cyclic and very deep values without overflowing the stack', () => {
    const list: AttributeValue[] = [];
    list.push({ L: list });
    expect(refusedValue({ L: list })).toContain('nested deeper');
    expect(refusedValue(nested(100_000))).toContain('nested deeper');
  });

  it('refuses the item when it is not an object', () => {
    for (const item of [null, [], 'x']) {
      try {
        validateItem(item as unknown as Item);
        expect.unreachable();
      } catch (e) {
        expect(isDdbecError(e, 'ERR_INVALID_ARGUMENT'), String(e)).toBe(true);
      }
    }
  });
});

describe('validateItem: names and keys', () => {
  it('refuses empty names and names over 65535 bytes of UTF-8', () => {
    expect(refused({ '': { S: 'x' } })).toContain('the name is empty');
    validateItem({ ['n'.repeat(65_535)]: { S: 'x' } });
    validateItem({ ['é'.repeat(32_767)]: { S: 'x' } }); // 65534 bytes
    const message = refused({ ['é'.repeat(32_768)]: { S: 'x' } }); // 65536 bytes
    expect(message).toContain('longer than 65535 bytes');
    expect(message.length).toBeLessThan(300); // the name is shortened
  });

  it('refuses a key attribute that is empty, too long, or not a string, number or binary', () => {
    const keys = { partitionKeyName: 'pk', sortKeyName: 'sk' };
    validateItem({ pk: { S: 'p' }, sk: { N: '0' } }, keys);
    validateItem({ pk: { B: new Uint8Array(2048) }, sk: { S: 'é'.repeat(512) } }, keys);
    validateItem({ pk: { S: '€'.repeat(682) } }, keys); // 2046 bytes; a missing key is not this check's business
    expect(refused({ pk: { S: '' } }, keys)).toContain('the partition key is empty');
    expect(refused({ pk: { S: 'p' }, sk: { B: new Uint8Array() } }, keys)).toContain('the sort key is empty');
    expect(refused({ pk: { S: '€'.repeat(683) } }, keys)).toContain('the partition key is longer than 2048 bytes');
    expect(refused({ pk: { B: new Uint8Array(2049) } }, keys)).toContain('longer than 2048 bytes');
    expect(refused({ pk: { S: 'p' }, sk: { S: 'é'.repeat(512) + 'x' } }, keys)).toContain('the sort key is longer than 1024 bytes');
    expect(refused({ pk: { SS: ['a'] } }, keys)).toContain('the partition key must be a string, number or binary');
    expect(refused({ pk: { S: 'p' }, sk: { NULL: true } }, keys)).toContain('the sort key must be a string, number or binary');
    // Without key names, an empty string is just an empty string.
    validateItem({ pk: { S: '' } });
  });
});

describe('validateItem: messages', () => {
  it('name the attribute and where in it, never the value or a map key', () => {
    const digits = '98765432109876543210987654321098765432101';
    const message = refused({
      ok: { S: 'fine' },
      prices: { M: { 'secret-map-key': { L: [{ N: '1' }, { NS: ['1', digits] }] } } },
    });
    expect(message).toBe(
      'attribute "prices" (member of a number set, in list element [1], in a map value): more than 38 significant digits — DynamoDB would refuse the item',
    );
    expect(message).not.toContain('9876543210');
    expect(message).not.toContain('secret-map-key');
    expect(refused({ prices: { NS: ['1', digits] } })).toMatch(/^attribute "prices" \(member of a number set\): more than 38 significant digits/);
    expect(refused({ tags: { SS: ['secret', 'secret'] } })).not.toContain('secret');
    expect(refused({ price: { N: 'secret' } })).toBe('attribute "price": not a number — DynamoDB would refuse the item');
  });
});
