/**
 * Support for the tamper suite (tamper.test.ts): the items it writes, where a value sits inside
 * a stored item and how to change it there, numbers that round alike at 28 significant digits,
 * and the layout of the material description attribute.
 */
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { AttributeActions, CryptoAction, type AttributeValue, type CryptoConfig, type Item } from '../../src/index.js';
import { anyNumberArb, attributeNameArb, attributeValueArb, itemArb, normalize, stringArb } from '../support/arbitraries.js';

const { EncryptAndSign, SignOnly, DoNothing } = CryptoAction;

/** An attribute that a tampering class needs in the item, and its action. */
export interface Needed {
  readonly value: AttributeValue;
  readonly action: CryptoAction;
}

/**
 * A plaintext item and how it is written: random attributes with random actions, a partition
 * key, sometimes a sort key, the attribute a tampering class needs, an encrypted attribute
 * unless every attribute is sign-only or do-nothing, and a do-nothing name that is not in the
 * item. Plain data, so that fast-check prints it in full.
 */
export interface Written {
  readonly tableName: string;
  readonly partitionKeyName: string;
  readonly sortKeyName: string | undefined;
  readonly item: Item;
  readonly defaultAction: CryptoAction;
  readonly actions: Readonly<Record<string, CryptoAction>>;
  /** False: no attribute is encrypted (every action is sign-only or do-nothing). */
  readonly encrypts: boolean;
  /** Declared do-nothing, absent from the item. */
  readonly absentDoNothing: string;
}

export const configOf = (written: Written): CryptoConfig => ({
  encryptionContext: { tableName: written.tableName, partitionKeyName: written.partitionKeyName, sortKeyName: written.sortKeyName },
  attributeActions: new AttributeActions({ defaultAction: written.defaultAction, attributeActions: written.actions }),
});

/** Key values DynamoDB accepts: a non-empty string, a number, non-empty bytes. */
export const keyValueArb: fc.Arbitrary<AttributeValue> = fc.oneof(
  stringArb.filter((s) => s.length > 0).map((S) => ({ S })),
  anyNumberArb.map((N) => ({ N })),
  fc.uint8Array({ minLength: 1, maxLength: 16 }).map((B) => ({ B })),
);

export const tableNameArb: fc.Arbitrary<string> = fc.stringMatching(/^[\w.-]{3,20}$/);

export function writtenArb(need?: (encrypts: boolean) => fc.Arbitrary<Needed>): fc.Arbitrary<Written> {
  return fc
    .record({
      tableName: tableNameArb,
      names: fc.uniqueArray(attributeNameArb, { minLength: 5, maxLength: 5 }),
      partitionKey: keyValueArb,
      sortKey: fc.option(keyValueArb, { nil: undefined }),
      others: itemArb,
      encrypts: fc.boolean(),
      secret: attributeValueArb,
    })
    .chain((base) => {
      const actionArb = fc.constantFrom(...(base.encrypts ? [EncryptAndSign, SignOnly, DoNothing] : [SignOnly, DoNothing]));
      const otherNames = Object.keys(base.others).filter((name) => !base.names.includes(name));
      return fc
        .record({
          defaultAction: actionArb,
          otherActions: fc.array(actionArb, { minLength: otherNames.length, maxLength: otherNames.length }),
          needed: need ? need(base.encrypts) : fc.constant(undefined),
        })
        .map(({ defaultAction, otherActions, needed }): Written => {
          const [partitionKeyName, sortKeyName, neededName, secretName, absentDoNothing] = base.names as [string, string, string, string, string];
          let item: Item = {};
          let actions: Record<string, CryptoAction> = {};
          const add = (name: string, value: AttributeValue | undefined, action: CryptoAction): void => {
            if (value !== undefined) item = withEntry(item, name, value);
            actions = withEntry(actions, name, action);
          };
          otherNames.forEach((name, i) => {
            add(name, base.others[name], otherActions[i] ?? defaultAction);
          });
          add(partitionKeyName, base.partitionKey, SignOnly);
          if (base.sortKey !== undefined) add(sortKeyName, base.sortKey, SignOnly);
          if (needed !== undefined) add(neededName, needed.value, needed.action);
          if (base.encrypts) add(secretName, base.secret, EncryptAndSign);
          add(absentDoNothing, undefined, DoNothing);
          return {
            tableName: base.tableName,
            partitionKeyName,
            sortKeyName: base.sortKey === undefined ? undefined : sortKeyName,
            item,
            defaultAction,
            actions,
            encrypts: base.encrypts,
            absentDoNothing,
          };
        });
    });
}

/** A copy of a record with one entry set (also for the key `__proto__`). */
export function withEntry<T>(record: Readonly<Record<string, T>>, key: string, value: NoInfer<T>): Record<string, T> {
  const copy = { ...record };
  Object.defineProperty(copy, key, { value, enumerable: true, writable: true, configurable: true });
  return copy;
}

/** A copy of a record without one entry. */
export function withoutEntry<T>(record: Readonly<Record<string, T>>, key: string): Record<string, T> {
  const { [key]: _removed, ...rest } = record;
  return rest;
}

/** True when two attribute values are the same DynamoDB value (numbers compared exactly, sets unordered). */
export const sameValue = (a: AttributeValue, b: AttributeValue): boolean => isDeepStrictEqual(normalize(a), normalize(b));

/** A value inside an item: a top-level attribute, or an element or entry nested in it. */
export interface Location {
  readonly attribute: string;
  readonly path: readonly (string | number)[];
  readonly value: AttributeValue;
}

/**
 * The locations inside the named attributes: each attribute, and, when `descend` says so for it,
 * every list element and map entry nested in it.
 */
export function locations(item: Item, names: readonly string[], descend: (name: string) => boolean): Location[] {
  const found: Location[] = [];
  const visit = (attribute: string, path: (string | number)[], value: AttributeValue): void => {
    found.push({ attribute, path, value });
    if (!descend(attribute)) return;
    if ('L' in value) {
      value.L.forEach((element, i) => {
        visit(attribute, [...path, i], element);
      });
    }
    if ('M' in value) for (const key of Object.keys(value.M)) visit(attribute, [...path, key], value.M[key] as AttributeValue);
  };
  for (const name of names) {
    const value = item[name];
    if (value !== undefined) visit(name, [], value);
  }
  return found;
}

/** A copy of the item with the value at a location replaced. */
export function replaceAt(item: Item, at: Pick<Location, 'attribute' | 'path'>, value: AttributeValue): Item {
  const rebuild = (current: AttributeValue, depth: number): AttributeValue => {
    const step = at.path[depth];
    if (step === undefined) return value;
    if ('L' in current && typeof step === 'number') {
      const L = [...current.L];
      L[step] = rebuild(current.L[step] as AttributeValue, depth + 1);
      return { L };
    }
    if ('M' in current && typeof step === 'string') return { M: withEntry(current.M, step, rebuild(current.M[step] as AttributeValue, depth + 1)) };
    throw new Error('replaceAt: the path does not match the item');
  };
  return withEntry(item, at.attribute, rebuild(item[at.attribute] as AttributeValue, 0));
}

/** A copy of the bytes with one bit flipped. */
export function withBitFlipped(bytes: Uint8Array, bitIndex: number): Uint8Array {
  const copy = new Uint8Array(bytes);
  const byte = Math.floor(bitIndex / 8) % copy.length;
  copy[byte] = (copy[byte] as number) ^ (1 << bitIndex % 8);
  return copy;
}

/** A nonzero decimal: ±coefficient × 10^exponent, the coefficient without trailing zeros. */
interface Decimal {
  readonly negative: boolean;
  readonly coefficient: bigint;
  readonly exponent: number;
}

const NUMBER = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/** The exact value of DynamoDB number text; undefined for zero. */
function parseDecimal(text: string): Decimal | undefined {
  const match = NUMBER.exec(text);
  if (match === null) throw new Error(`not a number: ${text}`);
  const fraction = match[3] ?? '';
  const coefficient = BigInt(`${match[2] ?? ''}${fraction}` || '0');
  if (coefficient === 0n) return undefined;
  return trimmed({ negative: match[1] === '-', coefficient, exponent: Number(match[4] ?? '0') - fraction.length });
}

function trimmed(d: Decimal): Decimal {
  let { coefficient, exponent } = d;
  while (coefficient % 10n === 0n) {
    coefficient /= 10n;
    exponent += 1;
  }
  return { negative: d.negative, coefficient, exponent };
}

const digitCount = (n: bigint): number => n.toString().length;
const sameDecimal = (a: Decimal | undefined, b: Decimal | undefined): boolean =>
  a === undefined || b === undefined ? a === b : a.negative === b.negative && a.coefficient === b.coefficient && a.exponent === b.exponent;

/** Rounded to 28 significant digits, half-even: the form in which the Python client signs numbers (legacy-format §2.3). */
function roundTo28(d: Decimal | undefined): Decimal | undefined {
  if (d === undefined) return undefined;
  const drop = digitCount(d.coefficient) - 28;
  if (drop <= 0) return d;
  const unit = 10n ** BigInt(drop);
  let kept = d.coefficient / unit;
  const rest = d.coefficient % unit;
  if (2n * rest > unit || (2n * rest === unit && kept % 2n === 1n)) kept += 1n;
  return trimmed({ negative: d.negative, coefficient: kept, exponent: d.exponent + drop });
}

/** Plain notation for fractions (`4.9999999999999999999999999999`), exponent notation for large integers. */
function render(d: Decimal): string {
  const sign = d.negative ? '-' : '';
  const digits = d.coefficient.toString();
  if (d.exponent > 0) return `${sign}${digits}E+${d.exponent}`;
  const point = digits.length + d.exponent;
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  return d.exponent === 0 ? `${sign}${digits}` : `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/** True when two numbers are equal once both are rounded to 28 significant digits. */
export const roundAlike = (a: string, b: string): boolean => sameDecimal(roundTo28(parseDecimal(a)), roundTo28(parseDecimal(b)));

/**
 * A number that differs from `text` but rounds to the same 28 significant digits: the rounded
 * value plus or minus `offset` units of the 38th digit (`offset` from 1 to 4 999 999 998, so
 * less than half a unit of the 28th). `5`, offset 1 000 000 000, down → `4.9999999999999999999999999999`.
 * Undefined for zero, which no other number rounds to.
 */
export function roundingTwin(text: string, offset: bigint, down: boolean): string | undefined {
  const value = parseDecimal(text);
  const rounded = roundTo28(value);
  if (value === undefined || rounded === undefined) return undefined;
  const pad = 28 - digitCount(rounded.coefficient) + 10;
  const base = rounded.coefficient * 10n ** BigInt(pad);
  // Down from 1000…0 lands among numbers of one digit less, where the offset may be too large: then go up.
  for (const coefficient of [down ? base - offset : base + offset, base + offset, base + offset + 1n]) {
    const twin = trimmed({ negative: value.negative, coefficient, exponent: rounded.exponent - pad });
    if (sameDecimal(roundTo28(twin), rounded) && !sameDecimal(twin, value)) return render(twin);
  }
  throw new Error(`roundingTwin: no twin for ${text}`);
}

/** Offsets of the length fields of a material description (legacy-format §3.2), and where each entry ends. */
export function descriptionLayout(bytes: Uint8Array): { lengthFields: number[]; entryEnds: number[] } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lengthFields: number[] = [];
  const entryEnds: number[] = [];
  let pos = 4;
  while (pos < bytes.length) {
    for (let part = 0; part < 2; part++) {
      lengthFields.push(pos);
      pos += 4 + view.getUint32(pos);
    }
    entryEnds.push(pos);
  }
  return { lengthFields, entryEnds };
}
