import { DdbecError } from '../errors.js';
import type { SerializationProfile } from './attribute-value.js';

/**
 * DynamoDB number syntax (what Java's `BigDecimal(String)` and DynamoDB accept, without
 * whitespace, `NaN` or `Infinity`). Groups: 1 sign, 2 integer digits, 3 fraction digits after
 * an integer part, 4 fraction digits of a number that starts with `.`, 5 exponent.
 */
const NUMBER_SYNTAX = /^([+-]?)(?:(\d+)(?:\.(\d*))?|\.(\d+))(?:[eE]([+-]?\d+))?$/;

/** Already canonical (plain, no superfluous zeros, no `+`); see the fast path below. */
const CANONICAL_SHAPE = /^-?(?:0|[1-9]\d*)(?:\.\d*[1-9])?$/;

/**
 * Largest accepted magnitude of a number's adjusted exponent (the power of ten of its most
 * significant digit). DynamoDB only stores 1E-130 .. 9.99E+125; the bound is far wider and
 * only exists so that text like `1e999999999` cannot make the plain rendering allocate
 * gigabytes.
 */
export const MAX_NUMBER_EXPONENT = 10_000;

/** Python: a number is first built in a 38-digit context that traps on rounding. */
const PYTHON_MAX_WRITTEN_DIGITS = 38;
/** Python: then normalized in the default decimal context (28 digits, half-even). */
export const PYTHON_PRECISION = 28;

/**
 * The number of significant digits of a valid number's text (leading and trailing zeros of the
 * significand do not count; zero has none). Throws `ERR_SERIALIZATION` for text that is not a number.
 */
export function significantDigits(text: string): number {
  const match = typeof text === 'string' ? NUMBER_SYNTAX.exec(text) : null;
  if (match === null) throw invalidNumber('invalid number');
  const digits = (match[2] ?? '') + (match[3] ?? match[4] ?? '');
  let first = 0;
  while (first < digits.length && digits.charCodeAt(first) === 0x30) first++;
  let last = digits.length - 1;
  while (last >= first && digits.charCodeAt(last) === 0x30) last--;
  return last - first + 1;
}

/** True when `text` is a syntactically valid DynamoDB number. */
export function isValidNumberText(text: string): boolean {
  return NUMBER_SYNTAX.test(text);
}

function invalidNumber(reason: string): DdbecError {
  return new DdbecError('ERR_SERIALIZATION', `cannot serialize attribute value: ${reason}`);
}

/**
 * The canonical text of a DynamoDB number inside the serialization (legacy-format §2.3):
 * exact decimal, trailing zeros removed, plain notation, `-` only for negative values, zero
 * written `0`.
 *
 * The `python` profile reproduces the Python client (§2.3 "Precision", §2.9):
 * - negative zero (`-0`, `-0.0`, `-0e5`) is written `-0`;
 * - a number *written* with more than 38 digits is rejected. "Written digits" is the length of
 *   the significand's digit string (integer and fraction digits together, exponent ignored)
 *   after dropping its leading zeros, trailing zeros included — exactly the number of digits of
 *   the coefficient Python's `Decimal` builds from the text, which is what its 38-digit
 *   context checks. So `1` followed by 38 zeros (39 digits) is rejected, while `0.000…0001`
 *   or `000…0001` with any number of leading zeros is accepted. An all-zero significand has
 *   one digit (Python's coefficient `0`) and is never rejected;
 * - the value is then rounded to 28 significant digits, half-even, and trailing zeros are
 *   stripped.
 * Python additionally rejects values outside its DynamoDB context range (beyond 1E+126, or
 * below 1E-165); ddbec does not copy that (DynamoDB refuses such numbers anyway) and applies
 * the same ±{@link MAX_NUMBER_EXPONENT} bound in both profiles.
 *
 * Throws `ERR_SERIALIZATION` for text that is not a number, or whose magnitude is outside
 * 1E±10000 (a zero is checked by its written exponent).
 */
export function canonicalizeNumber(text: string, profile: SerializationProfile = 'java'): string {
  if (typeof text !== 'string') throw invalidNumber('invalid number (not a string)');
  if (isShortCanonical(text)) return text === '-0' && profile === 'java' ? '0' : text;
  const parts = parseNumber(text);
  if (parts === undefined) throw invalidNumber('invalid number');
  const { negative, writtenDigits } = parts;
  let { significand, scale } = parts;
  if (significand === '') {
    // Zero: no significant digit, so the written exponent is the only thing to bound.
    if (Math.abs(scale) > MAX_NUMBER_EXPONENT) throw invalidNumber('number out of range');
    return negative && profile === 'python' ? '-0' : '0';
  }
  if (profile === 'python' && writtenDigits > PYTHON_MAX_WRITTEN_DIGITS) {
    throw invalidNumber('number has more than 38 digits');
  }

  if (profile === 'python' && significand.length > PYTHON_PRECISION) {
    [significand, scale] = roundHalfEven(significand, scale, PYTHON_PRECISION);
  }
  const adjusted = scale + significand.length - 1;
  if (Math.abs(adjusted) > MAX_NUMBER_EXPONENT) throw invalidNumber('number out of range');
  return (negative ? '-' : '') + renderPlain(significand, scale);
}

/**
 * Fast path: the text is already canonical (except that `-0` may stand for zero) and short — at
 * most 28 characters, so no Python rounding and no range question (DynamoDB's or ddbec's).
 */
export function isShortCanonical(text: string): boolean {
  return text.length <= 28 && CANONICAL_SHAPE.test(text);
}

/** A DynamoDB number taken apart: ±significand × 10^scale. */
export interface NumberParts {
  readonly negative: boolean;
  /** The significant digits: no leading or trailing zeros; empty for zero. */
  readonly significand: string;
  /** Power of ten of the significand's last digit; for zero, the written exponent. */
  readonly scale: number;
  /**
   * The digits as written (integer and fraction digits together), leading zeros dropped and
   * trailing zeros kept: the length of the coefficient Python's `Decimal` builds from the text.
   */
  readonly writtenDigits: number;
}

/** The parts of a syntactically valid DynamoDB number, or `undefined` for any other text. */
export function parseNumber(text: string): NumberParts | undefined {
  const match = NUMBER_SYNTAX.exec(text);
  if (match === null) return undefined;
  const negative = match[1] === '-';
  const fraction = match[3] ?? match[4] ?? '';
  const digits = (match[2] ?? '') + fraction;
  const exponent = parseExponent(match[5]);

  let first = 0;
  while (first < digits.length && digits.charCodeAt(first) === 0x30) first++;
  if (first === digits.length) return { negative, significand: '', scale: exponent, writtenDigits: 1 };
  let last = digits.length - 1;
  while (digits.charCodeAt(last) === 0x30) last--;
  return {
    negative,
    significand: digits.slice(first, last + 1),
    scale: exponent - fraction.length + (digits.length - 1 - last),
    writtenDigits: digits.length - first,
  };
}

/**
 * The exponent part as an integer. Exponents of more than 9 digits are returned as ±1e9, which
 * is out of range for any number a JavaScript string can hold (fewer than 2^29 digits).
 */
function parseExponent(text: string | undefined): number {
  if (text === undefined) return 0;
  let start = 0;
  const negative = text.charCodeAt(0) === 0x2d;
  if (negative || text.charCodeAt(0) === 0x2b) start = 1;
  while (start < text.length - 1 && text.charCodeAt(start) === 0x30) start++;
  const magnitude = text.length - start > 9 ? 1e9 : Number(text.slice(start));
  return negative ? -magnitude : magnitude;
}

/**
 * Round a significand (no leading or trailing zeros, more than `precision` digits) to
 * `precision` digits, half-even. Returns the new significand (trailing zeros stripped) and the
 * power of ten of its last digit.
 */
function roundHalfEven(significand: string, scale: number, precision: number): [string, number] {
  let kept = significand.slice(0, precision);
  let keptScale = scale + (significand.length - precision);
  const next = significand.charCodeAt(precision) - 0x30;
  // The significand has no trailing zeros, so any digit after `next` means "more than half".
  const lastKeptOdd = (kept.charCodeAt(precision - 1) - 0x30) % 2 === 1;
  const roundUp = next > 5 || (next === 5 && (significand.length > precision + 1 || lastKeptOdd));
  if (roundUp) {
    let i = precision - 1;
    while (i >= 0 && kept.charCodeAt(i) === 0x39) i--;
    if (i < 0) {
      // 999…9 + 1 = 1000…0
      return ['1', keptScale + precision];
    }
    keptScale += precision - 1 - i;
    kept = kept.slice(0, i) + String.fromCharCode(kept.charCodeAt(i) + 1);
    return [kept, keptScale];
  }
  let end = kept.length;
  while (kept.charCodeAt(end - 1) === 0x30) end--;
  keptScale += kept.length - end;
  return [kept.slice(0, end), keptScale];
}

/** Plain notation of significand × 10^scale (significand without leading/trailing zeros). */
function renderPlain(significand: string, scale: number): string {
  if (scale >= 0) return scale === 0 ? significand : significand + '0'.repeat(scale);
  const point = significand.length + scale;
  if (point > 0) return `${significand.slice(0, point)}.${significand.slice(point)}`;
  return `0.${'0'.repeat(-point)}${significand}`;
}

/**
 * The numeric order of two DynamoDB numbers (DynamoDB compares numbers by value: `1` = `1.0` =
 * `10E-1`): negative when `a` is smaller, positive when larger, 0 when equal. `undefined` when
 * either is not a number.
 */
export function compareNumbers(a: string, b: string): number | undefined {
  const x = parseNumber(a);
  const y = parseNumber(b);
  if (x === undefined || y === undefined) return undefined;
  const signX = x.significand === '' ? 0 : x.negative ? -1 : 1;
  const signY = y.significand === '' ? 0 : y.negative ? -1 : 1;
  if (signX !== signY) return signX - signY;
  if (signX === 0) return 0;
  // Same sign: compare magnitudes, first by the power of ten of the leading digit.
  const magnitude = (): number => {
    const adjustedX = x.scale + x.significand.length;
    const adjustedY = y.scale + y.significand.length;
    if (adjustedX !== adjustedY) return adjustedX - adjustedY;
    const n = Math.max(x.significand.length, y.significand.length);
    const digitsX = x.significand.padEnd(n, '0');
    const digitsY = y.significand.padEnd(n, '0');
    return digitsX < digitsY ? -1 : digitsX > digitsY ? 1 : 0;
  };
  return signX * Math.sign(magnitude());
}
