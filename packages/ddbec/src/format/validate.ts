import { DdbecError } from '../errors.js';
import type { Item } from './attribute-value.js';
import { isShortCanonical, parseNumber, type NumberParts } from './number.js';
import { isBytes, isRecord, MAX_NESTING_DEPTH } from './serialize.js';

/** The table's key attribute names, when known (an encryption context has this shape). */
export interface KeyAttributeNames {
  readonly partitionKeyName?: string | undefined;
  readonly sortKeyName?: string | undefined;
}

/** DynamoDB numbers: at most 38 significant digits, magnitude 1E-130 … 9.99…E+125 (or zero). */
const MAX_SIGNIFICANT_DIGITS = 38;
const MAX_EXPONENT = 125;
const MIN_EXPONENT = -130;
/**
 * DynamoDB counts the item itself as the first of its 32 nesting levels, so an attribute value
 * holds at most 31 nested `L`/`M` values (measured on DynamoDB: 31 maps deep is stored, 32 is
 * refused).
 */
const MAX_CONTAINER_DEPTH = MAX_NESTING_DEPTH - 1;
/** Attribute names: at least one character, less than 64 KiB of UTF-8. */
const MAX_NAME_BYTES = 65_535;
/** Key values: a string or binary partition key holds 1 to 2048 bytes, a sort key 1 to 1024. */
const MAX_PARTITION_KEY_BYTES = 2048;
const MAX_SORT_KEY_BYTES = 1024;

/**
 * Checks a plaintext item the way DynamoDB checks an item it is asked to store, so that a value
 * DynamoDB would refuse is refused before it is encrypted (once encrypted, DynamoDB only sees
 * ciphertext and would store it):
 * - every value is exactly one DynamoDB type with a payload of the right JavaScript type, and
 *   `NULL` is `true`;
 * - numbers (`N`, `NS` members) have DynamoDB's syntax (an optional sign, digits with an
 *   optional point, an optional exponent), at most 38 significant digits (leading and trailing
 *   zeros do not count) and a magnitude from 1E-130 to 9.9999999999999999999999999999999999999E+125,
 *   or are zero;
 * - sets (`SS`, `NS`, `BS`) are not empty and have no duplicate members — number-set members
 *   compare by value (`1` and `1.0` are duplicates), binary-set members by bytes;
 * - `L`/`M` values nest at most 31 deep (DynamoDB's 32 levels count the item);
 * - attribute names are 1 to 65535 bytes of UTF-8;
 * - the partition and sort key in `keys`, when present, are a string, number or binary, and a
 *   string or binary key value is not empty and at most 2048 (partition) or 1024 (sort) bytes.
 *
 * Not checked: the item size (400 KB), which only the stored (encrypted) item determines; names
 * inside maps; unpaired surrogates in strings (the serializer refuses them in signed and
 * encrypted values).
 *
 * Throws `ERR_INVALID_ITEM` naming the attribute and where in its value the problem is (list
 * positions, not map keys, which may be confidential); never a value. Throws
 * `ERR_INVALID_ARGUMENT` when `item` is not an object.
 */
export function validateItem(item: Item, keys: KeyAttributeNames = {}): void {
  if (!isRecord(item)) throw new DdbecError('ERR_INVALID_ARGUMENT', 'the item must be an object of attribute values');
  const path: string[] = [];
  // for-in over a plain object allocates nothing (Object.keys would allocate an array)
  for (const name in item) {
    if (!Object.hasOwn(item, name)) continue;
    const problem = nameProblem(name) ?? valueProblem(item[name], 0, path);
    if (problem !== undefined) throw invalidItem(name, path, problem);
  }
  checkKey(item, keys.partitionKeyName, 'partition', MAX_PARTITION_KEY_BYTES);
  checkKey(item, keys.sortKeyName, 'sort', MAX_SORT_KEY_BYTES);
}

function invalidItem(name: string, path: readonly string[], problem: string): DdbecError {
  const shown = name.length > 64 ? `${name.slice(0, 64)}…` : name;
  const where = path.length > 0 ? ` (${path.join(', in ')})` : '';
  return new DdbecError('ERR_INVALID_ITEM', `attribute "${shown}"${where}: ${problem} — DynamoDB would refuse the item`);
}

function nameProblem(name: string): string | undefined {
  if (name.length === 0) return 'the name is empty';
  // A UTF-16 code unit is at most 3 bytes of UTF-8: only long names need counting.
  if (name.length * 3 > MAX_NAME_BYTES && Buffer.byteLength(name, 'utf8') > MAX_NAME_BYTES) {
    return `the name is longer than ${MAX_NAME_BYTES} bytes`;
  }
  return undefined;
}

/** The one key of an attribute value whose member is set; `undefined` when there is not exactly one. */
function typeOf(value: Readonly<Record<string, unknown>>): string | undefined {
  let type: string | undefined;
  // for-in over an attribute value allocates nothing (Object.keys would allocate an array)
  for (const key in value) {
    if (!Object.hasOwn(value, key) || value[key] === undefined) continue;
    if (type !== undefined) return undefined;
    type = key;
  }
  return type;
}

/**
 * What DynamoDB would object to in `value` (`depth` = `L`/`M` values around it), or
 * `undefined`. On a problem, `path` ends with where it is, innermost first.
 */
function valueProblem(value: unknown, depth: number, path: string[]): string | undefined {
  if (!isRecord(value)) return 'not an attribute value';
  const type = typeOf(value);
  if (type === undefined) return 'not exactly one type set';
  const payload = value[type];
  switch (type) {
    case 'S':
      return typeof payload === 'string' ? undefined : 'S is not a string';
    case 'N': {
      if (typeof payload !== 'string') return 'N is not a string';
      if (isShortCanonical(payload)) return undefined;
      const parts = parseNumber(payload);
      return parts === undefined ? 'not a number' : numberProblem(parts);
    }
    case 'B':
      return isBytes(payload) ? undefined : 'B is not a Uint8Array';
    case 'BOOL':
      return typeof payload === 'boolean' ? undefined : 'BOOL is not a boolean';
    case 'NULL':
      return payload === true ? undefined : 'NULL is not true';
    case 'SS':
      return stringSetProblem(payload, path);
    case 'NS':
      return numberSetProblem(payload, path);
    case 'BS':
      return binarySetProblem(payload, path);
    case 'L':
      return listProblem(payload, depth + 1, path);
    case 'M':
      return mapProblem(payload, depth + 1, path);
    default:
      return 'unknown type'; // the key is not echoed (caller data)
  }
}

function numberProblem(parts: NumberParts): string | undefined {
  const digits = parts.significand.length;
  if (digits === 0) return undefined; // zero, whatever its written exponent
  if (digits > MAX_SIGNIFICANT_DIGITS) return `more than ${MAX_SIGNIFICANT_DIGITS} significant digits`;
  const exponent = parts.scale + digits - 1;
  if (exponent > MAX_EXPONENT) return 'magnitude above 9.9999999999999999999999999999999999999E+125';
  if (exponent < MIN_EXPONENT) return 'magnitude below 1E-130';
  return undefined;
}

/** `path.push(where)`, returning `problem`. */
function at(path: string[], where: string, problem: string): string {
  path.push(where);
  return problem;
}

function stringSetProblem(payload: unknown, path: string[]): string | undefined {
  if (!Array.isArray(payload)) return 'SS is not an array';
  if (payload.length === 0) return 'empty string set';
  for (let i = 0; i < payload.length; i++) {
    if (typeof payload[i] !== 'string') return at(path, 'member of a string set', 'not a string');
  }
  return hasDuplicates(payload as string[]) ? 'duplicate members in a string set' : undefined;
}

/** Whether two members are equal; small sets are compared pairwise, without allocating a Set. */
function hasDuplicates(members: readonly string[]): boolean {
  if (members.length > 16) return new Set(members).size !== members.length;
  for (let i = 1; i < members.length; i++) {
    for (let j = 0; j < i; j++) if (members[i] === members[j]) return true;
  }
  return false;
}

function numberSetProblem(payload: unknown, path: string[]): string | undefined {
  if (!Array.isArray(payload)) return 'NS is not an array';
  if (payload.length === 0) return 'empty number set';
  const values = new Set<string>();
  for (let i = 0; i < payload.length; i++) {
    const member: unknown = payload[i];
    if (typeof member !== 'string') return at(path, 'member of a number set', 'not a string');
    const parts = parseNumber(member);
    if (parts === undefined) return at(path, 'member of a number set', 'not a number');
    const problem = numberProblem(parts);
    if (problem !== undefined) return at(path, 'member of a number set', problem);
    const { negative, significand, scale } = parts;
    values.add(significand === '' ? '0' : `${negative ? '-' : ''}${significand}e${scale}`);
  }
  return values.size === payload.length ? undefined : 'duplicate members in a number set (equal values)';
}

function binarySetProblem(payload: unknown, path: string[]): string | undefined {
  if (!Array.isArray(payload)) return 'BS is not an array';
  if (payload.length === 0) return 'empty binary set';
  const values = new Set<string>();
  for (let i = 0; i < payload.length; i++) {
    const member: unknown = payload[i];
    if (!isBytes(member)) return at(path, 'member of a binary set', 'not a Uint8Array');
    values.add(Buffer.from(member.buffer, member.byteOffset, member.byteLength).toString('latin1'));
  }
  return values.size === payload.length ? undefined : 'duplicate members in a binary set';
}

function listProblem(payload: unknown, depth: number, path: string[]): string | undefined {
  if (!Array.isArray(payload)) return 'L is not an array';
  if (depth > MAX_CONTAINER_DEPTH) return `nested deeper than ${MAX_NESTING_DEPTH} levels (the item is the first)`;
  for (let i = 0; i < payload.length; i++) {
    const problem = valueProblem(payload[i], depth, path);
    if (problem !== undefined) return at(path, `list element [${i}]`, problem);
  }
  return undefined;
}

function mapProblem(payload: unknown, depth: number, path: string[]): string | undefined {
  if (!isRecord(payload)) return 'M is not an object';
  if (depth > MAX_CONTAINER_DEPTH) return `nested deeper than ${MAX_NESTING_DEPTH} levels (the item is the first)`;
  for (const key in payload) {
    if (!Object.hasOwn(payload, key)) continue;
    const problem = valueProblem(payload[key], depth, path);
    if (problem !== undefined) return at(path, 'a map value', problem);
  }
  return undefined;
}

/** Throws when the key attribute `name` is present with a value DynamoDB refuses for a key. */
function checkKey(item: Item, name: string | undefined, role: string, maxBytes: number): void {
  if (name === undefined || !Object.hasOwn(item, name)) return;
  // validateItem has checked the value: exactly one type, with a payload of the right type.
  const value = item[name] as Record<string, unknown>;
  const type = typeOf(value);
  if (type === 'N') return;
  if (type !== 'S' && type !== 'B') throw invalidItem(name, [], `the ${role} key must be a string, number or binary`);
  const payload = value[type] as string | Uint8Array;
  if (payload.length === 0) throw invalidItem(name, [], `the ${role} key is empty`);
  // A UTF-16 code unit is at most 3 bytes of UTF-8: only long strings need counting.
  const tooLong = typeof payload === 'string' ? payload.length * 3 > maxBytes && Buffer.byteLength(payload, 'utf8') > maxBytes : payload.length > maxBytes;
  if (tooLong) throw invalidItem(name, [], `the ${role} key is longer than ${maxBytes} bytes`);
}
