import { canonicalizeNumber, roundAsPythonSigns, type AttributeValue, type Item } from 'ddbec/format';

/** An attribute on which a decrypted item differs from its plaintext; `undefined`: the attribute is absent on that side. */
export interface Difference {
  readonly attribute: string;
  /** The value the writer stored (the plaintext value, or its Python-rounded form where {@link CompareOptions.pythonStored} says so). */
  readonly expected: AttributeValue | undefined;
  readonly actual: AttributeValue | undefined;
  /** True when `expected` is the Python-rounded form of a plaintext value that has more digits. */
  readonly rounded: boolean;
}

export interface CompareOptions {
  /** Attributes not compared; default `version` (the Java mapper stored another value than the plaintext file says). */
  readonly ignore?: ReadonlySet<string>;
  /**
   * Attributes whose numbers the writer stored as the Python client does (legacy-format §2.3:
   * 29–38 significant digits rounded half-even to 28): their expected numbers are rounded
   * before the comparison.
   */
  readonly pythonStored?: (attribute: string) => boolean;
}

/**
 * Every attribute, in name order, on which `actual` differs from the plaintext `expected`, the
 * way the vector harnesses compare (legacy-format §11.9): sets as sets, numbers by value.
 */
export function compareItems(expected: Item, actual: Item, options: CompareOptions = {}): Difference[] {
  const ignore = options.ignore ?? new Set(['version']);
  const names = new Set([...Object.keys(expected), ...Object.keys(actual)]);
  const differences: Difference[] = [];
  for (const name of [...names].sort()) {
    if (ignore.has(name)) continue;
    const plain = expected[name];
    const stored = plain !== undefined && options.pythonStored?.(name) === true ? roundAsPythonSigns(plain) : plain;
    const got = actual[name];
    if (stored !== undefined && got !== undefined && equalValues(stored, got)) continue;
    const rounded = plain !== undefined && stored !== undefined && !equalValues(plain, stored);
    differences.push({ attribute: name, expected: stored, actual: got, rounded });
  }
  return differences;
}

export function equalValues(a: AttributeValue, b: AttributeValue): boolean {
  return JSON.stringify(normalized(a)) === JSON.stringify(normalized(b));
}

function normalized(value: AttributeValue): unknown {
  if ('N' in value) return { N: canonicalizeNumber(value.N) };
  if ('NS' in value) return { NS: value.NS.map((n) => canonicalizeNumber(n)).sort() };
  if ('SS' in value) return { SS: [...value.SS].sort() };
  if ('B' in value) return { B: Buffer.from(value.B).toString('hex') };
  if ('BS' in value) return { BS: value.BS.map((b) => Buffer.from(b).toString('hex')).sort() };
  if ('L' in value) return { L: value.L.map(normalized) };
  if ('M' in value) {
    return { M: Object.fromEntries(Object.keys(value.M).sort().map((k) => [k, normalized(value.M[k] as AttributeValue)])) };
  }
  return value;
}
