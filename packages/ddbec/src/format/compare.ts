import type { SerializationProfile } from './attribute-value.js';

/**
 * The order of `SS` members, map keys and attribute names in the string to sign
 * (legacy-format §2.2, §2.9). Negative when `a` sorts first, positive when `b` does, 0 when
 * equal.
 *
 * - `java`: UTF-16 code-unit order (Java `String.compareTo`, JavaScript `<`).
 * - `python`: Unicode code-point order, which equals the order of the UTF-8 bytes.
 *
 * The two differ only when, at the first differing position, one string has a surrogate
 * (a character at or above U+10000) and the other a code unit in U+E000..U+FFFF.
 */
export function compareStrings(a: string, b: string, profile: SerializationProfile): number {
  if (profile === 'java') return a < b ? -1 : a > b ? 1 : 0;
  return compareCodePoints(a, b);
}

/** {@link compareStrings} of a profile, as a comparator. */
export function stringOrder(profile: SerializationProfile): (a: string, b: string) => number {
  return profile === 'java' ? compareCodeUnits : compareCodePoints;
}

function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      // Move surrogates (D800..DFFF) above E000..FFFF; the order within each group is kept.
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x - y;
  }
  return a.length - b.length;
}

/** Unsigned lexicographic byte order, shorter first on a common prefix (Python `bytes`). */
export function compareBytesUnsigned(a: Uint8Array, b: Uint8Array): number {
  return Buffer.compare(a, b);
}

/**
 * Signed lexicographic byte order, shorter first on a common prefix (Java
 * `ByteBuffer.compareTo`, which compares elements with `Byte.compare`): `80` sorts before `01`.
 */
export function compareBytesSigned(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i] as number;
    const y = b[i] as number;
    if (x !== y) return (x ^ 0x80) - (y ^ 0x80);
  }
  return a.length - b.length;
}

/** The `BS` member order of a profile. */
export function compareBinary(a: Uint8Array, b: Uint8Array, profile: SerializationProfile): number {
  return profile === 'java' ? compareBytesSigned(a, b) : compareBytesUnsigned(a, b);
}

/**
 * Sorts `items` in place, stably. Short arrays (the signed names of an item, the members of a
 * set, the keys of a map) take an insertion sort, which allocates nothing: `Array.prototype.sort`
 * allocates a work area on every call.
 */
export function sortInPlace<T>(items: T[], compare: (a: T, b: T) => number): T[] {
  if (items.length > 16) return items.sort(compare);
  for (let i = 1; i < items.length; i++) {
    const item = items[i] as T;
    let j = i - 1;
    for (; j >= 0 && compare(items[j] as T, item) > 0; j--) items[j + 1] = items[j] as T;
    items[j + 1] = item;
  }
  return items;
}
