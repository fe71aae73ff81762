import { canonicalizeNumber, type AttributeValue, type Item } from 'ddbec/format';

/**
 * Equality of plaintext and decrypted items the way the vector harnesses compare them
 * (legacy-format §11.9): sets as sets, numbers canonically, `version` ignored (the Java
 * mapper stored another value than the plaintext file says). Returns the first difference.
 */
export function compareItems(expected: Item, actual: Item, ignore: ReadonlySet<string> = new Set(['version'])): string | undefined {
  const names = new Set([...Object.keys(expected), ...Object.keys(actual)]);
  for (const name of [...names].sort()) {
    if (ignore.has(name)) continue;
    const a = expected[name];
    const b = actual[name];
    if (a === undefined) return `unexpected attribute "${name}"`;
    if (b === undefined) return `missing attribute "${name}"`;
    if (!equalValues(a, b)) return `attribute "${name}" differs`;
  }
  return undefined;
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
