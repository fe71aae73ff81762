import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isDdbecError } from '../../src/errors.js';
import { canonicalizeNumber, type SerializationProfile } from '../../src/format/index.js';
import { numberTextArb } from '../support/arbitraries.js';

function expectSerializationError(fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    expect(isDdbecError(e, 'ERR_SERIALIZATION')).toBe(true);
    return;
  }
  expect.unreachable('expected ERR_SERIALIZATION');
}

describe('canonicalizeNumber: legacy-format §2.3 examples (both profiles)', () => {
  const table: [string, string][] = [
    ['55.00', '55'],
    ['55.34000', '55.34'],
    ['1.230', '1.23'],
    ['35.0', '35'],
    ['-0012.3400', '-12.34'],
    ['007', '7'],
    ['+5', '5'],
    ['1E+2', '100'],
    ['1.50e3', '1500'],
    ['0.00012300', '0.000123'],
    ['0.000', '0'],
    ['0', '0'],
    ['1e-130', `0.${'0'.repeat(129)}1`],
    // More shapes of the same syntax.
    ['.5', '0.5'],
    ['5.', '5'],
    ['-.5', '-0.5'],
    ['+0.10', '0.1'],
    ['1e0', '1'],
    ['1E-0', '1'],
    ['123e-2', '1.23'],
    ['123e-5', '0.00123'],
    ['0.0123e2', '1.23'],
    ['1e+007', '10000000'],
    ['100', '100'],
    ['-100.0e-2', '-1'],
    ['9.99E+125', `999${'0'.repeat(123)}`],
    ['+0', '0'],
    ['0e5', '0'],
  ];
  it.each(table)('%s → %s', (input, expected) => {
    expect(canonicalizeNumber(input)).toBe(expected);
    expect(canonicalizeNumber(input, 'java')).toBe(expected);
    expect(canonicalizeNumber(input, 'python')).toBe(expected);
  });
});

describe('canonicalizeNumber: profile differences (§2.9)', () => {
  it.each(['-0', '-0.0', '-0e5', '-.000', '-00'])('negative zero %s: java 0, python -0', (input) => {
    expect(canonicalizeNumber(input, 'java')).toBe('0');
    expect(canonicalizeNumber(input, 'python')).toBe('-0');
  });

  // Expected Python values computed with CPython's `decimal` module (38-digit trapping context,
  // then normalize() in the default 28-digit half-even context).
  const python: [string, string][] = [
    ['12345678901234567890123456789012345678', '12345678901234567890123456790000000000'],
    ['1.2345678901234567890123456789', '1.234567890123456789012345679'],
    ['11111111111111111111111111115', '11111111111111111111111111120'], // half, odd → up
    ['11111111111111111111111111125', '11111111111111111111111111120'], // half, even → down
    ['11111111111111111111111111135', '11111111111111111111111111140'],
    ['99999999999999999999999999999', '100000000000000000000000000000'], // carry everywhere
    ['-99999999999999999999999999999', '-100000000000000000000000000000'],
    ['99999999999999999999999999994', '99999999999999999999999999990'],
    ['0.11111111111111111111111111111', '0.1111111111111111111111111111'],
    ['111111111111111111111111111150000000', '111111111111111111111111111200000000'],
    ['1111111111111111111111111112500000001', '1111111111111111111111111113000000000'], // more than half
    ['123456789012345678901234567.85', '123456789012345678901234567.8'],
    ['-2.5000000000000000000000000005', '-2.5'],
    ['99999999999999999999999999995e-40', '0.00000000001'],
    ['1.0000000000000000000000000000000000000', '1'], // 38 digits written: accepted
    [`0.${'0'.repeat(40)}1${'0'.repeat(37)}`, `0.${'0'.repeat(40)}1`], // leading zeros do not count
    [`${'0'.repeat(60)}1.5`, '1.5'],
    ['1E+38', `1${'0'.repeat(38)}`], // written with 1 digit
  ];
  it('python rejects its own rendering of 1E+38 (39 digits written), as Python does', () => {
    expectSerializationError(() => canonicalizeNumber(canonicalizeNumber('1E+38', 'python'), 'python'));
  });
  it.each(python)('python %s → %s', (input, expected) => {
    expect(canonicalizeNumber(input, 'python')).toBe(expected);
  });
  it('java keeps 29–38 significant digits exactly', () => {
    expect(canonicalizeNumber('12345678901234567890123456789012345678', 'java')).toBe('12345678901234567890123456789012345678');
    expect(canonicalizeNumber('1.2345678901234567890123456789', 'java')).toBe('1.2345678901234567890123456789');
    expect(canonicalizeNumber('-2.5000000000000000000000000005', 'java')).toBe('-2.5000000000000000000000000005');
  });

  it.each([
    `1${'0'.repeat(38)}`, // 1E+38 written out: 39 digits
    '10000000000000000000000000000000000000.0', // trailing zeros count
    `1.${'0'.repeat(37)}1`,
    '1'.repeat(39),
    `5.${'0'.repeat(40)}`,
  ])('python rejects a number written with more than 38 digits (%s); java accepts it', (input) => {
    expectSerializationError(() => canonicalizeNumber(input, 'python'));
    expect(() => canonicalizeNumber(input, 'java')).not.toThrow();
  });
  it('python accepts an all-zero significand of any length', () => {
    expect(canonicalizeNumber(`0.${'0'.repeat(50)}`, 'python')).toBe('0');
    expect(canonicalizeNumber(`-${'0'.repeat(50)}`, 'python')).toBe('-0');
  });
});

describe('canonicalizeNumber: invalid input', () => {
  it.each([
    '',
    ' ',
    ' 1',
    '1 ',
    '-',
    '+',
    '.',
    '-.',
    'e5',
    '1e',
    '1e+',
    '1.2.3',
    '1,5',
    '0x10',
    'NaN',
    'Infinity',
    '-Infinity',
    '١٢', // non-ASCII digits
    '1_000',
    '--1',
    '+-1',
    '1e5.5',
    '１',
  ])('rejects %j', (input) => {
    for (const profile of ['java', 'python'] as SerializationProfile[]) {
      expectSerializationError(() => canonicalizeNumber(input, profile));
    }
  });
  it('rejects non-strings', () => {
    expectSerializationError(() => canonicalizeNumber(5 as unknown as string));
    expectSerializationError(() => canonicalizeNumber(undefined as unknown as string));
  });
  it('bounds the exponent so huge exponents cannot allocate', () => {
    const start = Date.now();
    for (const input of ['1e999999999', '1e-999999999', '1e10001', '1e-10001', `1e${'9'.repeat(400)}`, '0e99999', '-0e-99999']) {
      expectSerializationError(() => canonicalizeNumber(input));
      expectSerializationError(() => canonicalizeNumber(input, 'python'));
    }
    expect(Date.now() - start).toBeLessThan(1000);
    expect(canonicalizeNumber('1e10000')).toBe(`1${'0'.repeat(10000)}`);
    expect(canonicalizeNumber('1e-10000')).toBe(`0.${'0'.repeat(9999)}1`);
    expect(canonicalizeNumber(`1e${'0'.repeat(50)}3`)).toBe('1000');
  });
});

describe('canonicalizeNumber: properties', () => {
  const canonicalShape = /^-?(?:0|[1-9]\d*)(?:\.\d*[1-9])?$/;
  it('is idempotent and yields plain canonical text', () => {
    fc.assert(
      fc.property(numberTextArb, fc.constantFrom<SerializationProfile>('java', 'python'), (text, profile) => {
        const canonical = canonicalizeNumber(text, profile);
        expect(canonical).toMatch(canonicalShape);
        if (profile === 'java') {
          expect(canonicalizeNumber(canonical, 'java')).toBe(canonical);
          expect(canonical).not.toBe('-0');
        } else if (canonical.replace(/^-/, '').length <= 38) {
          // Like Python's, the python profile's own output is not always accepted again: an
          // integer ≥ 1E+38 is rendered with more than 38 digits (e.g. 9e38).
          expect(canonicalizeNumber(canonical, 'python')).toBe(canonical);
        }
      }),
      { numRuns: 500 },
    );
  });
  it('does not depend on how the value is written (point position, exponent, zeros)', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('0', '1', '5', '9'), minLength: 1, maxLength: 30 }),
        fc.integer({ min: -50, max: 50 }),
        fc.integer({ min: 0, max: 5 }),
        (digits, exponent, zeros) => {
          const a = canonicalizeNumber(`${digits}e${exponent}`);
          const b = canonicalizeNumber(`${'0'.repeat(zeros)}${digits}${'0'.repeat(zeros)}e${exponent - zeros}`);
          const c = canonicalizeNumber(`0.${digits}e${exponent + digits.length}`);
          expect(b).toBe(a);
          expect(c).toBe(a);
        },
      ),
      { numRuns: 300 },
    );
  });
  it('python equals java when there are at most 28 significant digits (apart from negative zero)', () => {
    fc.assert(
      fc.property(numberTextArb, (text) => {
        const java = canonicalizeNumber(text, 'java');
        const significant = java.replace(/^-/, '').replace('.', '').replace(/^0+/, '');
        if (significant.length <= 28 && java !== '0') expect(canonicalizeNumber(text, 'python')).toBe(java);
      }),
      { numRuns: 500 },
    );
  });
});
