/**
 * How long a standard beacon should be, from the number of distinct values of what it hashes
 * (dbesdk-spec searchable-encryption/beacons.md "Beacon Length"): for `X` distinct values, a
 * length `N` with `2^N < X/2` guarantees collisions (a beacon value never tells one plaintext
 * value), and `2^N > sqrt(X)` keeps the false positives a query reads acceptable.
 */
import { DdbecError } from '../errors.js';

/** What one beacon length costs and hides, for values of even frequency. */
export interface BeaconLengthFigures {
  readonly length: number;
  /** Distinct values per beacon value, on average: `X / 2^N`. */
  readonly valuesPerBeacon: number;
  /**
   * Items a query on one value reads per item it returns, on average: the values sharing the
   * query's beacon, `1 + (X − 1) / 2^N`. What is read beyond 1 is removed after decryption.
   */
  readonly itemsReadPerMatch: number;
  /** How likely two items with the same beacon are to have the same value: `1 / itemsReadPerMatch`. */
  readonly sameValueChance: number;
}

export interface BeaconLengthAdvice {
  readonly distinctValues: number;
  /** The shortest sensible length: the least `N` with `2^N > sqrt(X)` (shorter ones read too many false positives). */
  readonly shortest: number;
  /** The longest length that still guarantees collisions: the greatest `N` with `2^N < X/2`; `undefined` when none does (too few distinct values). */
  readonly longest: number | undefined;
  /** The figures of every length from `shortest` to `longest` (of `shortest` alone when there is no `longest`). */
  readonly lengths: readonly BeaconLengthFigures[];
  /** What beacons of any length reveal, and what this number of values means for them. */
  readonly leaks: readonly string[];
}

const MAX_LENGTH = 63;

/** The figures of one beacon length over `distinctValues` evenly frequent values. */
export function beaconLengthFigures(distinctValues: number, length: number): BeaconLengthFigures {
  checkDistinct(distinctValues);
  if (!Number.isInteger(length) || length < 1 || length > MAX_LENGTH) throw new DdbecError('ERR_INVALID_ARGUMENT', 'a beacon length is an integer from 1 to 63');
  const buckets = 2 ** length;
  const itemsReadPerMatch = 1 + (distinctValues - 1) / buckets;
  return { length, valuesPerBeacon: distinctValues / buckets, itemsReadPerMatch, sameValueChance: 1 / itemsReadPerMatch };
}

/**
 * The range of beacon lengths the DB-ESDK's guidance recommends for a field with
 * `distinctValues` distinct values, with what each costs and reveals. Within the range the
 * threat model chooses: each bit less halves what a beacon tells and doubles the false
 * positives a query reads.
 */
export function beaconLength(distinctValues: number): BeaconLengthAdvice {
  checkDistinct(distinctValues);
  let shortest = 1;
  while (shortest < MAX_LENGTH && 2 ** shortest <= Math.sqrt(distinctValues)) shortest += 1;
  let longest: number | undefined;
  for (let length = 1; length <= MAX_LENGTH && 2 ** length < distinctValues / 2; length += 1) longest = length;
  const last = longest === undefined || longest < shortest ? shortest : longest;
  const lengths: BeaconLengthFigures[] = [];
  for (let length = shortest; length <= last; length += 1) lengths.push(beaconLengthFigures(distinctValues, length));
  const leaks = [
    'Equality: items with the same value always have the same beacon, so whoever reads the table or its index sees which items may share a value (and which surely do not).',
    'Frequency: how many items carry each beacon value is visible; a value much more frequent than the others stands out whatever the length.',
  ];
  if (longest === undefined || longest < shortest) {
    leaks.push(
      `With ${distinctValues} distinct values no length both guarantees collisions (2^N < X/2) and keeps queries selective (2^N > √X): a beacon on its own would tell the values apart; combine the field with another one in a virtual field or a compound beacon.`,
    );
  } else {
    leaks.push(
      `With ${distinctValues} distinct values and ${longest} bits, about ${formatNumber(distinctValues / 2 ** longest)} values share each beacon value; with ${shortest} bits about ${formatNumber(distinctValues / 2 ** shortest)} do, and a query reads about ${formatNumber(1 + (distinctValues - 1) / 2 ** shortest)} items per item it returns.`,
    );
  }
  return { distinctValues, shortest, longest, lengths, leaks };
}

function checkDistinct(distinctValues: number): void {
  if (!Number.isSafeInteger(distinctValues) || distinctValues < 2) throw new DdbecError('ERR_INVALID_ARGUMENT', 'the number of distinct values must be an integer ≥ 2');
}

function formatNumber(value: number): string {
  return value >= 100 ? String(Math.round(value)) : String(Number(value.toPrecision(3)));
}
