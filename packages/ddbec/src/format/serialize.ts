import { DdbecError } from '../errors.js';
import type { AttributeValue, SerializationProfile } from './attribute-value.js';
import { compareBytesSigned, compareBytesUnsigned, sortInPlace, stringOrder } from './compare.js';
import { canonicalizeNumber } from './number.js';
import { isWellFormed, utf8Length, writeUtf8 } from './utf8.js';

/**
 * Deepest accepted nesting of `L`/`M` values (DynamoDB's limit): a top-level `L` or `M` is
 * level 1; a value with 32 containers on its deepest path is accepted, 33 is rejected (by the
 * serializer and the deserializer).
 */
export const MAX_NESTING_DEPTH = 32;

/** Type tags (the second tag byte; the first is always 00), legacy-format §2.1. */
export const TypeTag = {
  NULL: 0x00,
  BOOL: 0x3f, // '?'
  B: 0x62, // 'b'
  S: 0x73, // 's'
  N: 0x6e, // 'n'
  BS: 0x42, // 'B'
  SS: 0x53, // 'S'
  NS: 0x4e, // 'N'
  L: 0x4c, // 'L'
  M: 0x4d, // 'M'
} as const;

// The serializer works in two passes. `plan` walks the value once: it validates, canonicalizes
// numbers, sorts sets and map keys, and records a flat list of write operations together with
// the exact output size. `emit` then writes the operations into one Uint8Array of that size,
// without recursion and without looking at the caller's value again.
const OP_TAG = 0; // item: tag code → 00 <code>
const OP_COUNT = 1; // item: element count → u32be
const OP_TEXT = 2; // item: string → LV(UTF8)
const OP_ASCII = 3; // item: ASCII string (canonical number) → LV
const OP_BYTES = 4; // item: Uint8Array → LV
const OP_BYTE = 5; // item: one raw byte (boolean)

const MAX_U32 = 0xffff_ffff;

/**
 * The write operations of one value. One plan is reused by every call (serialization never
 * re-enters itself), so a value costs no arrays; `reset` starts a plan, `release` drops its
 * references to the caller's strings and bytes once they are written.
 */
class Plan {
  readonly kinds: number[] = [];
  readonly items: (number | string | Uint8Array)[] = [];
  length = 0;
  size = 0;
  profile: SerializationProfile = 'java';

  reset(profile: SerializationProfile): void {
    this.release();
    this.profile = profile;
    this.size = 0;
  }
  release(): void {
    for (let i = 0; i < this.length; i++) this.items[i] = 0;
    this.length = 0;
  }
  #op(kind: number, item: number | string | Uint8Array): void {
    this.kinds[this.length] = kind;
    this.items[this.length] = item;
    this.length++;
  }
  tag(code: number): void {
    this.#op(OP_TAG, code);
    this.size += 2;
  }
  count(n: number): void {
    this.#op(OP_COUNT, n);
    this.size += 4;
  }
  text(s: string): void {
    this.#op(OP_TEXT, s);
    this.size += 4 + utf8Length(s);
  }
  ascii(s: string): void {
    this.#op(OP_ASCII, s);
    this.size += 4 + s.length;
  }
  bytes(b: Uint8Array): void {
    if (b.length > MAX_U32) throw serializationError('B value is too large');
    this.#op(OP_BYTES, b);
    this.size += 4 + b.length;
  }
  byte(v: number): void {
    this.#op(OP_BYTE, v);
    this.size += 1;
  }
}

const plan = new Plan();

function serializationError(reason: string): DdbecError {
  return new DdbecError('ERR_SERIALIZATION', `cannot serialize attribute value: ${reason}`);
}

export function checkProfile(profile: unknown): asserts profile is SerializationProfile {
  if (profile !== 'java' && profile !== 'python') {
    throw new DdbecError('ERR_INVALID_ARGUMENT', "serialization profile must be 'java' or 'python'");
  }
}

/**
 * Serialize one attribute value (legacy-format §2.1, §2.2, §2.9): the bytes that are
 * encrypted for an ENCRYPT_AND_SIGN attribute and hashed into the string to sign.
 *
 * Numbers are canonicalized; set members, and map entries by key, are written in the order of
 * `profile` (see {@link SerializationProfile}). The caller's value is never modified.
 *
 * Throws `ERR_SERIALIZATION` for a value that is not exactly one known DynamoDB type (keys whose
 * value is `undefined` are ignored, as the AWS SDK's union types allow), `NULL` other than `true`, a member of
 * the wrong JavaScript type, a `null`/`undefined` list element or map value, an invalid number,
 * a string with an unpaired surrogate, or nesting deeper than {@link MAX_NESTING_DEPTH}.
 */
export function serializeAttribute(value: AttributeValue, profile: SerializationProfile = 'java'): Uint8Array {
  checkProfile(profile);
  planOf(value, profile);
  const out = new Uint8Array(plan.size);
  emit(out, 0);
  return out;
}

/** Output of {@link serializeTransient}, reused by the next call. */
let transient = new Uint8Array(4096);
/** Views of `transient` from its start, by length (at most 64): sizes recur from item to item. */
const transientViews = new Map<number, Uint8Array>();

/**
 * Like {@link serializeAttribute}, but the result is a view of a buffer that the next call
 * overwrites: for hashing at once, without allocating the bytes. A caller that serializes
 * plaintext this way calls {@link wipeTransient} when done.
 */
export function serializeTransient(value: AttributeValue, profile: SerializationProfile): Uint8Array {
  checkProfile(profile);
  planOf(value, profile);
  if (transient.length < plan.size) {
    transient = new Uint8Array(Math.max(plan.size, 2 * transient.length));
    transientViews.clear();
  }
  let out = transientViews.get(plan.size);
  if (out === undefined) {
    if (transientViews.size >= 64) transientViews.clear();
    out = transient.subarray(0, plan.size);
    transientViews.set(plan.size, out);
  }
  emit(out, 0);
  return out;
}

/** Overwrites what {@link serializeTransient} wrote with zeros. */
export function wipeTransient(): void {
  transient.fill(0);
}

/**
 * Serialization into the caller's buffer, in two steps and without allocating: `size` plans a
 * value and returns its serialized size, `write` writes that value (the one planned last) at
 * an offset. Nothing else may be serialized in between.
 */
export const serializeInto = Object.freeze({
  size(value: AttributeValue, profile: SerializationProfile): number {
    checkProfile(profile);
    planOf(value, profile);
    return plan.size;
  },
  write(out: Uint8Array, offset: number): void {
    emit(out, offset);
  },
});

function planOf(value: AttributeValue, profile: SerializationProfile): void {
  plan.reset(profile);
  try {
    planValue(value, 0);
  } catch (error) {
    plan.release();
    throw error;
  }
  if (plan.size > MAX_U32) {
    plan.release();
    throw serializationError('value is too large');
  }
}

export function isBytes(x: unknown): x is Uint8Array {
  return x instanceof Uint8Array || (ArrayBuffer.isView(x) && (x as { [Symbol.toStringTag]?: unknown })[Symbol.toStringTag] === 'Uint8Array');
}

export function isRecord(x: unknown): x is Record<string, unknown> {
  return (
    typeof x === 'object' &&
    x !== null &&
    !Array.isArray(x) &&
    !ArrayBuffer.isView(x) &&
    !(x instanceof Map) &&
    !(x instanceof Set)
  );
}

function checkString(s: unknown, what: string): string {
  if (typeof s !== 'string') throw serializationError(`${what} is not a string`);
  if (!isWellFormed(s)) throw serializationError(`${what} contains an unpaired surrogate`);
  return s;
}

function planValue(value: unknown, depth: number): void {
  if (!isRecord(value)) throw serializationError('not an attribute value object');
  let type: string | undefined;
  let payload: unknown;
  // for-in over an attribute value allocates nothing (Object.keys would allocate an array)
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    const member = value[key];
    if (member === undefined) continue;
    if (type !== undefined) throw serializationError('more than one type set');
    type = key;
    payload = member;
  }
  switch (type) {
    case undefined:
      throw serializationError('no type set');
    case 'S':
      plan.tag(TypeTag.S);
      plan.text(checkString(payload, 'S'));
      return;
    case 'N':
      if (typeof payload !== 'string') throw serializationError('N is not a string');
      plan.tag(TypeTag.N);
      plan.ascii(canonicalizeNumber(payload, plan.profile));
      return;
    case 'B':
      if (!isBytes(payload)) throw serializationError('B is not a Uint8Array');
      plan.tag(TypeTag.B);
      plan.bytes(payload);
      return;
    case 'BOOL':
      if (typeof payload !== 'boolean') throw serializationError('BOOL is not a boolean');
      plan.tag(TypeTag.BOOL);
      plan.byte(payload ? 1 : 0);
      return;
    case 'NULL':
      if (payload !== true) throw serializationError('NULL is not true');
      plan.tag(TypeTag.NULL);
      return;
    case 'SS':
      planStringSet(payload);
      return;
    case 'NS':
      planNumberSet(payload);
      return;
    case 'BS':
      planBinarySet(payload);
      return;
    case 'L':
      planList(payload, depth + 1);
      return;
    case 'M':
      planMap(payload, depth + 1);
      return;
    default:
      // Includes the SDK's `$unknown`. The key is not echoed (it is caller data).
      throw serializationError('unknown type');
  }
}

function checkArray(payload: unknown, type: string): unknown[] {
  if (!Array.isArray(payload)) throw serializationError(`${type} is not an array`);
  if (payload.length > MAX_U32) throw serializationError(`${type} has too many elements`);
  return payload as unknown[];
}

function planStringSet(payload: unknown): void {
  const input = checkArray(payload, 'SS');
  const members = new Array<string>(input.length);
  for (let i = 0; i < input.length; i++) members[i] = checkString(input[i], 'SS member');
  sortInPlace(members, stringOrder(plan.profile));
  plan.tag(TypeTag.SS);
  plan.count(members.length);
  for (const m of members) plan.text(m);
}

function planNumberSet(payload: unknown): void {
  const input = checkArray(payload, 'NS');
  const members = new Array<string>(input.length);
  for (let i = 0; i < input.length; i++) {
    const m = input[i];
    if (typeof m !== 'string') throw serializationError('NS member is not a string');
    members[i] = canonicalizeNumber(m, plan.profile);
  }
  // Canonical numbers are ASCII: code-unit order is byte order, in both profiles.
  sortInPlace(members, stringOrder('java'));
  plan.tag(TypeTag.NS);
  plan.count(members.length);
  for (const m of members) plan.ascii(m);
}

function planBinarySet(payload: unknown): void {
  const input = checkArray(payload, 'BS');
  const members = new Array<Uint8Array>(input.length);
  for (let i = 0; i < input.length; i++) {
    const m = input[i];
    if (!isBytes(m)) throw serializationError('BS member is not a Uint8Array');
    members[i] = m;
  }
  sortInPlace(members, plan.profile === 'java' ? compareBytesSigned : compareBytesUnsigned);
  plan.tag(TypeTag.BS);
  plan.count(members.length);
  for (const m of members) plan.bytes(m);
}

function planList(payload: unknown, level: number): void {
  if (level > MAX_NESTING_DEPTH) throw serializationError(`nested deeper than ${MAX_NESTING_DEPTH} levels`);
  const elements = checkArray(payload, 'L');
  plan.tag(TypeTag.L);
  plan.count(elements.length);
  for (let i = 0; i < elements.length; i++) {
    const element = elements[i];
    if (element === null || element === undefined) throw serializationError(`L element ${i} is missing`);
    planValue(element, level);
  }
}

function planMap(payload: unknown, level: number): void {
  if (level > MAX_NESTING_DEPTH) throw serializationError(`nested deeper than ${MAX_NESTING_DEPTH} levels`);
  if (!isRecord(payload)) throw serializationError('M is not an object');
  const keys = Object.keys(payload);
  for (const key of keys) checkString(key, 'M key');
  sortInPlace(keys, stringOrder(plan.profile));
  plan.tag(TypeTag.M);
  plan.count(keys.length);
  for (const key of keys) {
    const member = payload[key];
    // Map keys may be confidential (they are encrypted with the value): not echoed.
    if (member === null || member === undefined) throw serializationError('M value is missing');
    plan.tag(TypeTag.S);
    plan.text(key);
    planValue(member, level);
  }
}

function writeU32(out: Uint8Array, pos: number, n: number): void {
  out[pos] = n >>> 24;
  out[pos + 1] = (n >>> 16) & 0xff;
  out[pos + 2] = (n >>> 8) & 0xff;
  out[pos + 3] = n & 0xff;
}

/** Writes the plan into `out` at `start` (`plan.size` bytes, which must fit) and releases it. */
function emit(out: Uint8Array, start: number): void {
  const { kinds, items } = plan;
  const size = plan.size;
  let pos = start;
  for (let i = 0; i < plan.length; i++) {
    const item = items[i] as number | string | Uint8Array;
    switch (kinds[i]) {
      case OP_TAG:
        out[pos] = 0;
        out[pos + 1] = item as number;
        pos += 2;
        break;
      case OP_COUNT:
        writeU32(out, pos, item as number);
        pos += 4;
        break;
      case OP_TEXT:
      case OP_ASCII: {
        const end = writeUtf8(item as string, out, pos + 4);
        writeU32(out, pos, end - pos - 4);
        pos = end;
        break;
      }
      case OP_BYTES: {
        const b = item as Uint8Array;
        writeU32(out, pos, b.length);
        out.set(b, pos + 4);
        pos += 4 + b.length;
        break;
      }
      default:
        out[pos++] = item as number;
        break;
    }
  }
  plan.release();
  if (pos - start !== size) throw serializationError('internal size mismatch'); // cannot happen
}
