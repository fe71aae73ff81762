import type { AttributeValue } from './attribute-value.js';
import { compareBytesSigned, compareBytesUnsigned, compareStrings } from './compare.js';
import { canonicalizeNumber, PYTHON_PRECISION, significantDigits } from './number.js';
import { serializeAttribute } from './serialize.js';

// Where the Java and Python serializations of one value differ (legacy-format §2.9), and what
// follows for the value's signature. Only the signing and verifying paths that involve the
// Python form call these: the Java path never pays for them.

/** True when `text` is a number the Python client signs rounded (more than 28 significant digits). */
function roundedByPython(text: string): boolean {
  return significantDigits(text) > PYTHON_PRECISION;
}

/**
 * True when the value holds a number (`N`, an `NS` member, or nested in `L`/`M`) that the Python
 * form rounds: a signature in that form does not cover the digits past the 28th.
 */
export function hasPythonRoundedNumber(value: AttributeValue): boolean {
  if ('N' in value && value.N !== undefined) return roundedByPython(value.N);
  if ('NS' in value && value.NS !== undefined) return value.NS.some(roundedByPython);
  if ('L' in value && value.L !== undefined) return value.L.some(hasPythonRoundedNumber);
  if ('M' in value && value.M !== undefined) return Object.values(value.M).some(hasPythonRoundedNumber);
  return false;
}

/**
 * The value with every number rounded as the Python form signs it (28 significant digits,
 * half-even): exactly what a Python-form signature covers. Number-set members that become equal
 * are kept once. Numbers that are not rounded keep their stored text.
 */
export function roundAsPythonSigns(value: AttributeValue): AttributeValue {
  const round = (text: string): string => (roundedByPython(text) ? canonicalizeNumber(text, 'python') : text);
  if ('N' in value && value.N !== undefined) return { N: round(value.N) };
  if ('NS' in value && value.NS !== undefined) {
    const members: string[] = [];
    const seen = new Set<string>();
    for (const member of value.NS) {
      const rounded = round(member);
      const key = canonicalizeNumber(rounded);
      if (!seen.has(key)) members.push(rounded);
      seen.add(key);
    }
    return { NS: members };
  }
  if ('L' in value && value.L !== undefined) return { L: value.L.map(roundAsPythonSigns) };
  if ('M' in value && value.M !== undefined) {
    const map: Record<string, AttributeValue> = {};
    for (const [key, member] of Object.entries(value.M)) {
      Object.defineProperty(map, key, { value: roundAsPythonSigns(member), enumerable: true, writable: true, configurable: true });
    }
    return { M: map };
  }
  return value;
}

/**
 * Why the Java and Python forms of a value differ, or `undefined` when they are the same bytes.
 * Throws what the Java serializer throws for a value that cannot be serialized at all.
 */
export function serializationDifference(value: AttributeValue): string | undefined {
  const java = serializeAttribute(value, 'java');
  let python: Uint8Array;
  try {
    python = serializeAttribute(value, 'python');
  } catch {
    return 'it holds a number written with more than 38 digits, which the Python client cannot serialize';
  }
  if (Buffer.compare(java, python) === 0) return undefined;
  return explain(value) ?? 'its Java and Python serializations differ';
}

/** The first reason found inside a value whose two serializations differ. */
function explain(value: AttributeValue): string | undefined {
  if ('N' in value && value.N !== undefined) return explainNumber(value.N);
  if ('NS' in value && value.NS !== undefined) {
    for (const member of value.NS) {
      const reason = explainNumber(member);
      if (reason !== undefined) return reason;
    }
    return undefined;
  }
  if ('BS' in value && value.BS !== undefined) {
    const signed = [...value.BS].sort(compareBytesSigned);
    const unsigned = [...value.BS].sort(compareBytesUnsigned);
    return signed.some((member, i) => member !== unsigned[i])
      ? 'it is a binary set whose members sort differently as signed (Java) and unsigned (Python) bytes'
      : undefined;
  }
  if ('SS' in value && value.SS !== undefined) {
    return sortsDifferently(value.SS) ? `it is a string set whose members ${MIXED_PLANES}` : undefined;
  }
  if ('L' in value && value.L !== undefined) {
    for (const element of value.L) {
      const reason = explain(element);
      if (reason !== undefined) return reason;
    }
    return undefined;
  }
  if ('M' in value && value.M !== undefined) {
    if (sortsDifferently(Object.keys(value.M))) return `it is a map whose keys ${MIXED_PLANES}`;
    for (const member of Object.values(value.M)) {
      const reason = explain(member);
      if (reason !== undefined) return reason;
    }
  }
  return undefined;
}

function explainNumber(text: string): string | undefined {
  if (roundedByPython(text)) {
    return 'it holds a number with more than 28 significant digits, which the Python client signs rounded';
  }
  return canonicalizeNumber(text, 'java') !== canonicalizeNumber(text, 'python')
    ? 'it holds a negative zero, which the Java client signs as 0 and the Python client as -0'
    : undefined;
}

const MIXED_PLANES = 'mix characters above U+FFFF with U+E000..U+FFFF, which Java and Python sort differently';

/**
 * Whether strings sort differently by UTF-16 code unit (Java) and by code point (Python): only
 * when characters above U+FFFF meet characters in U+E000..U+FFFF.
 */
export function sortsDifferently(strings: readonly string[]): boolean {
  const java = [...strings].sort((a, b) => compareStrings(a, b, 'java'));
  const python = [...strings].sort((a, b) => compareStrings(a, b, 'python'));
  return java.some((s, i) => s !== python[i]);
}
