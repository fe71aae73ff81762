/**
 * fast-check arbitraries for DynamoDB attribute values and items, and a `normalize` helper that
 * makes two values comparable with `toEqual` (numbers canonical, sets sorted).
 */
import fc from 'fast-check';
import {
  canonicalizeNumber,
  MATERIAL_DESCRIPTION_ATTRIBUTE,
  SIGNATURE_ATTRIBUTE,
  type AttributeValue,
  type Item,
} from '../../src/format/index.js';

const digitArb = fc.constantFrom('0', '1', '2', '3', '4', '5', '6', '7', '8', '9');
const digitsArb = (maxLength: number) => fc.string({ unit: digitArb, maxLength });

/**
 * Valid DynamoDB number text with at most 38 digits in its significand (so also within the
 * Python client's limit): optional sign, leading and trailing zeros, an optional fraction
 * (`1.`, `.5`, `1.50`), an optional exponent (`e`/`E`, optional sign, leading zeros).
 */
export const numberTextArb: fc.Arbitrary<string> = fc
  .record({
    sign: fc.constantFrom('', '', '-', '+'),
    int: digitsArb(19),
    point: fc.boolean(),
    frac: digitsArb(19),
    exponent: fc.option(
      fc.record({
        e: fc.constantFrom('e', 'E'),
        sign: fc.constantFrom('', '+', '-'),
        zeros: fc.constantFrom('', '0', '00'),
        value: fc.integer({ min: 0, max: 60 }),
      }),
      { nil: undefined },
    ),
  })
  .map(({ sign, int, point, frac, exponent }) => {
    let body: string;
    if (!point) body = int === '' ? frac || '0' : int;
    else if (int === '' && frac === '') body = '0.';
    else body = `${int}.${frac}`;
    const exp = exponent === undefined ? '' : `${exponent.e}${exponent.sign}${exponent.zeros}${exponent.value}`;
    return `${sign}${body}${exp}`;
  });

/** Small, canonical-looking numbers, so that equal values and near-duplicates are frequent. */
const plainNumberArb: fc.Arbitrary<string> = fc.oneof(
  fc.integer({ min: -1000, max: 1000 }).map(String),
  fc.constantFrom('0', '-0', '0.0', '1', '1.0', '10', '1e1', '0.1', '-0.1', '.5', '5.'),
);

export const anyNumberArb: fc.Arbitrary<string> = fc.oneof(numberTextArb, plainNumberArb);

/** Strings of every kind: BMP, astral-plane code points (no lone surrogates), graphemes, empty. */
export const stringArb: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.string({ unit: 'grapheme', maxLength: 6 }),
  fc.constantFrom('', '\u{10000}', '\u{E000}', '\u{FFFF}', '\u{1F600}', 'é', '\u0000', '\uFEFF'),
);

const bytesArb = fc.uint8Array({ maxLength: 24 });
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

const scalarArb: fc.Arbitrary<AttributeValue> = fc.oneof(
  stringArb.map((S) => ({ S })),
  anyNumberArb.map((N) => ({ N })),
  bytesArb.map((B) => ({ B })),
  fc.boolean().map((BOOL) => ({ BOOL })),
  fc.constant({ NULL: true }),
  // Sets: never empty, never duplicate members (DynamoDB forbids both).
  fc.uniqueArray(stringArb, { minLength: 1, maxLength: 5 }).map((SS) => ({ SS })),
  fc.uniqueArray(anyNumberArb, { minLength: 1, maxLength: 5, selector: (n) => canonicalizeNumber(n) }).map((NS) => ({ NS })),
  fc.uniqueArray(bytesArb, { minLength: 1, maxLength: 5, selector: hex }).map((BS) => ({ BS })),
);

/** Map keys: any string, including `__proto__` and the empty string. */
const mapKeyArb: fc.Arbitrary<string> = fc.oneof({ weight: 6, arbitrary: stringArb }, { weight: 1, arbitrary: fc.constantFrom('__proto__', 'constructor', '') });

/** Any attribute value: every type, nested `L`/`M` up to depth 3, empty lists and maps included. */
export const attributeValueArb: fc.Arbitrary<AttributeValue> = fc.letrec<{ value: AttributeValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', maxDepth: 3, withCrossShrink: true },
    scalarArb,
    fc.array(tie('value'), { maxLength: 4 }).map((L) => ({ L })),
    fc.dictionary(mapKeyArb, tie('value'), { maxKeys: 4, noNullPrototype: true }).map((M) => ({ M })),
  ),
})).value;

/** Attribute names: non-empty and never one of the two reserved names. */
export const attributeNameArb: fc.Arbitrary<string> = fc
  .oneof(fc.string({ minLength: 1, maxLength: 12 }), fc.string({ unit: 'binary', minLength: 1, maxLength: 8 }))
  .filter((name) => name !== SIGNATURE_ATTRIBUTE && name !== MATERIAL_DESCRIPTION_ATTRIBUTE);

/** A plaintext item of 1..15 attributes. */
export const itemArb: fc.Arbitrary<Item> = fc.dictionary(attributeNameArb, attributeValueArb, {
  minKeys: 1,
  maxKeys: 15,
  noNullPrototype: true,
});

const byJavaOrder = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * A comparable form of a value: numbers canonical (java profile), set members sorted, binaries
 * as plain `Uint8Array` copies. `normalize(a)` toEqual `normalize(b)` means a and b are the same
 * DynamoDB value.
 */
export function normalize(value: AttributeValue): AttributeValue {
  if ('S' in value) return { S: value.S };
  if ('N' in value) return { N: canonicalizeNumber(value.N) };
  if ('B' in value) return { B: new Uint8Array(value.B) };
  if ('BOOL' in value) return { BOOL: value.BOOL };
  if ('NULL' in value) return { NULL: value.NULL };
  if ('SS' in value) return { SS: [...value.SS].sort(byJavaOrder) };
  if ('NS' in value) return { NS: value.NS.map((n) => canonicalizeNumber(n)).sort(byJavaOrder) };
  if ('BS' in value) {
    return { BS: value.BS.map((b) => new Uint8Array(b)).sort((a, b) => byJavaOrder(hex(a), hex(b))) };
  }
  if ('L' in value) return { L: value.L.map(normalize) };
  if ('M' in value) return { M: Object.fromEntries(Object.entries(value.M).map(([k, v]) => [k, normalize(v)])) };
  throw new Error('normalize: unsupported attribute value');
}

/** `normalize` applied to every attribute of an item. */
export function normalizeItem(item: Item): Item {
  return Object.fromEntries(Object.entries(item).map(([k, v]) => [k, normalize(v)]));
}
