import { DdbecError } from '../errors.js';
import type { AttributeValue, Item } from '../format/index.js';

/** DynamoDB's item size limit: 400 KB, attribute names included. */
export const MAX_ITEM_SIZE = 400 * 1024;

/**
 * The item as the SDK would send it: members whose value is `undefined` — attributes, map
 * entries, members of an attribute value — are left out, as `@aws-sdk/client-dynamodb`'s
 * serializer does (and lib-dynamodb with `removeUndefinedValues`). Returns the same object when
 * there is none. `undefined` list elements and set members stay (and are refused later), as
 * DynamoDB refuses them.
 */
export function withoutUndefined(item: Item): Item {
  return hasUndefinedMember(item) ? withoutUndefinedMembers(item, (_, value) => withoutUndefinedInValue(value)) : item;
}

/** Whether an item (or attribute value) has an undefined member anywhere `withoutUndefined` looks (the common case, no, allocates nothing). */
function hasUndefinedMember(record: Readonly<Record<string, unknown>>): boolean {
  for (const name in record) {
    if (!Object.hasOwn(record, name)) continue;
    const value = record[name];
    if (value === undefined) return true;
    if (typeof value !== 'object' || value === null || value instanceof Uint8Array) continue;
    if (Array.isArray(value)) {
      for (const element of value as readonly unknown[]) {
        if (typeof element === 'object' && element !== null && !(element instanceof Uint8Array) && hasUndefinedMember(element as Record<string, unknown>)) return true;
      }
    } else if (hasUndefinedMember(value as Record<string, unknown>)) return true;
  }
  return false;
}

function withoutUndefinedInValue<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Uint8Array) return value;
  return withoutUndefinedMembers(value as Record<string, unknown>, (member, inner) => {
    if (member === 'M' && typeof inner === 'object' && inner !== null && !Array.isArray(inner)) {
      return withoutUndefinedMembers(inner as Record<string, unknown>, (_, entry) => withoutUndefinedInValue(entry));
    }
    if (member === 'L' && Array.isArray(inner)) {
      const elements = inner as readonly unknown[];
      const list = elements.map(withoutUndefinedInValue);
      return list.some((element, i) => element !== elements[i]) ? list : elements;
    }
    return inner;
  }) as T;
}

/** `record` without its undefined members and with `clean` applied to the others (the same object when nothing changes). */
function withoutUndefinedMembers<R extends Record<string, unknown>>(record: R, clean: (name: string, value: unknown) => unknown): R {
  let changed = false;
  const entries: [string, unknown][] = [];
  for (const [name, value] of Object.entries(record)) {
    const cleaned = value === undefined ? undefined : clean(name, value);
    changed ||= cleaned !== value || value === undefined;
    if (cleaned !== undefined) entries.push([name, cleaned]);
  }
  return changed ? (Object.fromEntries(entries) as R) : record;
}

/**
 * An item's size as DynamoDB counts it against {@link MAX_ITEM_SIZE}: the UTF-8 length of
 * every attribute name plus the size of its value — strings in UTF-8 bytes, binaries in bytes,
 * numbers one byte per pair of significant digits plus one (and one more when negative),
 * booleans and nulls one byte, lists and maps 3 bytes plus one per element (plus the names of
 * a map's entries), sets the sum of their members.
 */
export function itemSize(item: Item): number {
  let size = 0;
  for (const name in item) {
    if (Object.hasOwn(item, name)) size += utf8Length(name) + valueSize(item[name] as AttributeValue);
  }
  return size;
}

function valueSize(value: AttributeValue): number {
  if ('S' in value) return utf8Length(value.S);
  if ('N' in value) return numberSize(value.N);
  if ('B' in value) return value.B.length;
  if ('SS' in value) return value.SS.reduce((sum, member) => sum + utf8Length(member), 0);
  if ('NS' in value) return value.NS.reduce((sum, member) => sum + numberSize(member), 0);
  if ('BS' in value) return value.BS.reduce((sum, member) => sum + member.length, 0);
  if ('M' in value) return 3 + Object.keys(value.M).length + itemSize(value.M);
  if ('L' in value) return 3 + value.L.reduce((sum, element) => sum + 1 + valueSize(element), 0);
  return 1;
}

/** `Buffer.byteLength(text, 'utf8')`, without a native call for the short names and strings that dominate items. */
function utf8Length(text: string): number {
  if (text.length > 64) return Buffer.byteLength(text, 'utf8');
  let length = 0;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (c < 0x80) length += 1;
    else if (c < 0x800) length += 2;
    else if (c >= 0xd800 && c < 0xdc00 && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      length += 4;
      i += 1;
    } else length += 3; // the rest of the BMP, and a lone surrogate (encoded as U+FFFD)
  }
  return length;
}

const NUMBER = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/**
 * DynamoDB stores a number as base-100 digits (each holding two decimal digits, aligned on even
 * powers of ten) after an exponent byte, with a trailing byte for negative numbers; zero takes
 * one byte.
 */
function numberSize(text: string): number {
  const match = NUMBER.exec(text);
  if (match === null) return text.length; // not a number (DynamoDB refuses it anyway)
  const integer = match[2] ?? '';
  const digits = integer + (match[3] ?? '');
  const first = digits.search(/[1-9]/);
  if (first < 0) return 1;
  let last = digits.length - 1;
  while (digits[last] === '0') last -= 1;
  const highest = Number(match[4] ?? 0) + integer.length - 1 - first; // power of ten of the first significant digit
  const lowest = highest - (last - first);
  return 1 + Math.floor(highest / 2) - Math.floor(lowest / 2) + 1 + (match[1] === '-' ? 1 : 0);
}

/**
 * Refuses, before sending, an item that DynamoDB would refuse as too large once encrypted,
 * saying how much encryption added (`ERR_ITEM_TOO_LARGE`).
 */
export function checkItemSize(plaintext: Item, stored: Item, where: string): void {
  let size: number;
  try {
    size = itemSize(stored);
  } catch {
    return; // a malformed do-nothing value: the SDK or DynamoDB refuses it with its own error
  }
  if (size <= MAX_ITEM_SIZE) return;
  const before = itemSize(plaintext);
  const bytes = (n: number): string => `${n.toLocaleString('en-US')} bytes`;
  throw new DdbecError(
    'ERR_ITEM_TOO_LARGE',
    before > MAX_ITEM_SIZE
      ? `${where} is ${bytes(before)} before encryption (${bytes(size)} once encrypted), over DynamoDB's item size limit of ${bytes(MAX_ITEM_SIZE)} (400 KB); nothing was sent`
      : `${where} is ${bytes(before)} in plaintext, within DynamoDB's item size limit of ${bytes(MAX_ITEM_SIZE)} (400 KB), but ${bytes(size)} once encrypted: encryption adds ${bytes(size - before)} (ciphertext, signature and material description), ${bytes(size - MAX_ITEM_SIZE)} too many; nothing was sent`,
  );
}
