/**
 * DynamoDB attribute values as DB-ESDK terminals (dbesdk-spec dynamodb-encryption-client/
 * ddb-attribute-serialization.md, ddb-item-conversion.md): a two-byte type id and a value.
 *
 * | type | id     | value                                                              |
 * |------|--------|--------------------------------------------------------------------|
 * | NULL | 0x0000 | empty                                                              |
 * | S    | 0x0001 | UTF-8                                                              |
 * | N    | 0x0002 | the normalized number, UTF-8                                       |
 * | B    | 0xFFFF | the bytes                                                          |
 * | BOOL | 0x0004 | 0x00 or 0x01                                                       |
 * | SS/NS/BS | 0x0101/0x0102/0x01FF | UInt32 count, then UInt32 length + member, sorted, no duplicates |
 * | M    | 0x0200 | UInt32 count, then per key (UTF-16 order): 0x0001, UInt32 length, key, type, UInt32 length, value |
 * | L    | 0x0300 | UInt32 count, then per entry: type, UInt32 length, value           |
 *
 * Strings and map keys sort by UTF-16 code unit, binary-set members by unsigned bytes, numbers
 * after normalization. Pure functions, no crypto.
 */
import { DdbecError } from '../errors.js';
import type { AttributeValue } from '../format/attribute-value.js';
import { canonicalizeNumber } from '../format/number.js';
import { MAX_NESTING_DEPTH } from '../format/serialize.js';
import { isWellFormed, utf8DecodeStrict, writeUtf8 } from '../format/utf8.js';

export const TypeId = {
  NULL: 0x0000,
  S: 0x0001,
  N: 0x0002,
  B: 0xffff,
  BOOL: 0x0004,
  SS: 0x0101,
  NS: 0x0102,
  BS: 0x01ff,
  M: 0x0200,
  L: 0x0300,
} as const;

/** A serialized attribute value. */
export interface Terminal {
  readonly typeId: number;
  readonly value: Uint8Array;
}

function serializationError(reason: string): DdbecError {
  return new DdbecError('ERR_SERIALIZATION', `cannot serialize attribute value: ${reason}`);
}

function deserializationError(reason: string): DdbecError {
  return new DdbecError('ERR_DESERIALIZATION', `malformed serialized attribute value: ${reason}`);
}

/**
 * A byte writer over one module-wide scratch buffer (serialization is synchronous and never
 * re-entered), so that a value costs one allocation: its result.
 */
let scratch = new Uint8Array(64 * 1024);
let scratchView = new DataView(scratch.buffer);

class Writer {
  bytes = scratch;
  view = scratchView;
  pos = 0;

  ensure(extra: number): void {
    if (this.pos + extra <= this.bytes.length) return;
    let size = this.bytes.length * 2;
    while (size < this.pos + extra) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.bytes.subarray(0, this.pos));
    scratch = this.bytes = grown;
    scratchView = this.view = new DataView(grown.buffer);
  }

  u16(value: number): void {
    this.ensure(2);
    this.view.setUint16(this.pos, value);
    this.pos += 2;
  }

  u32(value: number): void {
    this.ensure(4);
    this.view.setUint32(this.pos, value);
    this.pos += 4;
  }

  raw(bytes: Uint8Array): void {
    this.ensure(bytes.length);
    this.bytes.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  /** UTF-8 of a well-formed string, preceded by its UInt32 byte length. */
  lengthPrefixedString(text: string): void {
    this.ensure(4 + text.length * 3);
    const end = writeUtf8(text, this.bytes, this.pos + 4);
    this.view.setUint32(this.pos, end - this.pos - 4);
    this.pos = end;
  }

  string(text: string): void {
    this.ensure(text.length * 3);
    this.pos = writeUtf8(text, this.bytes, this.pos);
  }

  /** Reserves a UInt32 length slot; returns its position. */
  slot(): number {
    this.u32(0);
    return this.pos - 4;
  }

  fill(slot: number): void {
    this.view.setUint32(slot, this.pos - slot - 4);
  }

  /** A copy of what was written; the scratch is wiped (it held plaintext). */
  result(): Uint8Array {
    const out = this.bytes.slice(0, this.pos);
    this.bytes.fill(0, 0, this.pos);
    return out;
  }
}

function checkString(text: unknown): asserts text is string {
  if (typeof text !== 'string') throw serializationError('a string is not a string');
  if (!isWellFormed(text)) throw serializationError('a string has an unpaired surrogate');
}

function normalizedNumber(text: unknown): string {
  if (typeof text !== 'string') throw serializationError('a number is not a string');
  return canonicalizeNumber(text, 'java');
}

function typeIdOf(value: AttributeValue): number {
  if (typeof value !== 'object' || value === null) throw serializationError('not an attribute value');
  const keys = Object.keys(value);
  if (keys.length !== 1) throw serializationError('an attribute value must have exactly one type');
  const id = (TypeId as Record<string, number>)[keys[0] as string];
  if (id === undefined || !Object.hasOwn(TypeId, keys[0] as string)) throw serializationError(`unknown type ${keys[0] ?? ''}`);
  return id;
}

function compareUtf16(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function writeStringMembers(w: Writer, members: readonly string[]): void {
  const sorted = [...members].sort(compareUtf16);
  w.u32(sorted.length);
  for (let i = 0; i < sorted.length; i++) {
    if (i > 0 && sorted[i] === sorted[i - 1]) throw serializationError('a set has duplicate members');
    w.lengthPrefixedString(sorted[i] as string);
  }
}

function writeValue(w: Writer, value: AttributeValue, typeId: number, depth: number): void {
  const v = value as Record<string, unknown>;
  switch (typeId) {
    case TypeId.NULL:
      if (v.NULL !== true) throw serializationError('NULL must be true');
      return;
    case TypeId.S:
      checkString(v.S);
      w.string(v.S);
      return;
    case TypeId.N:
      w.string(normalizedNumber(v.N));
      return;
    case TypeId.B:
      if (!(v.B instanceof Uint8Array)) throw serializationError('B must be a Uint8Array');
      w.raw(v.B);
      return;
    case TypeId.BOOL:
      if (typeof v.BOOL !== 'boolean') throw serializationError('BOOL must be a boolean');
      w.ensure(1);
      w.bytes[w.pos++] = v.BOOL ? 1 : 0;
      return;
    case TypeId.SS: {
      if (!Array.isArray(v.SS)) throw serializationError('SS must be an array');
      const members: unknown[] = v.SS;
      for (const m of members) checkString(m);
      writeStringMembers(w, members as string[]);
      return;
    }
    case TypeId.NS: {
      if (!Array.isArray(v.NS)) throw serializationError('NS must be an array');
      writeStringMembers(w, (v.NS as unknown[]).map(normalizedNumber));
      return;
    }
    case TypeId.BS: {
      if (!Array.isArray(v.BS)) throw serializationError('BS must be an array');
      const members: unknown[] = v.BS;
      for (const m of members) if (!(m instanceof Uint8Array)) throw serializationError('BS members must be Uint8Arrays');
      const sorted = [...(members as Uint8Array[])].sort((a, b) => Buffer.compare(a, b));
      w.u32(sorted.length);
      for (let i = 0; i < sorted.length; i++) {
        const member = sorted[i] as Uint8Array;
        if (i > 0 && Buffer.compare(member, sorted[i - 1] as Uint8Array) === 0) throw serializationError('a set has duplicate members');
        w.u32(member.length);
        w.raw(member);
      }
      return;
    }
    case TypeId.M: {
      if (depth >= MAX_NESTING_DEPTH) throw serializationError(`nested deeper than ${MAX_NESTING_DEPTH} levels`);
      const map = v.M;
      if (typeof map !== 'object' || map === null || Array.isArray(map)) throw serializationError('M must be an object');
      const keys = Object.keys(map).sort(compareUtf16);
      w.u32(keys.length);
      for (const key of keys) {
        checkString(key);
        w.u16(TypeId.S);
        w.lengthPrefixedString(key);
        writeEntry(w, (map as Record<string, AttributeValue>)[key] as AttributeValue, depth + 1);
      }
      return;
    }
    case TypeId.L: {
      if (depth >= MAX_NESTING_DEPTH) throw serializationError(`nested deeper than ${MAX_NESTING_DEPTH} levels`);
      if (!Array.isArray(v.L)) throw serializationError('L must be an array');
      const list = v.L as AttributeValue[];
      w.u32(list.length);
      for (const entry of list) writeEntry(w, entry, depth + 1);
      return;
    }
    default:
      throw serializationError('unknown type');
  }
}

/** A nested value: type, UInt32 length, value. */
function writeEntry(w: Writer, value: AttributeValue, depth: number): void {
  const typeId = typeIdOf(value);
  w.u16(typeId);
  const slot = w.slot();
  writeValue(w, value, typeId, depth);
  w.fill(slot);
}

/** The terminal of a top-level attribute value. Throws `ERR_SERIALIZATION` for a value that has none. */
export function serializeTerminal(value: AttributeValue): Terminal {
  const typeId = typeIdOf(value);
  // A binary value is its own serialization (shared, not copied: callers do not modify it).
  if (typeId === TypeId.B) {
    const bytes = (value as { B: unknown }).B;
    if (!(bytes instanceof Uint8Array)) throw serializationError('B must be a Uint8Array');
    return { typeId, value: bytes };
  }
  const w = new Writer();
  try {
    writeValue(w, value, typeId, 1);
  } catch (error) {
    w.bytes.fill(0, 0, w.pos);
    throw error;
  }
  return { typeId, value: w.result() };
}

// ---- deserialization --------------------------------------------------------------------------

class Reader {
  readonly view: DataView;
  pos: number;

  constructor(
    readonly bytes: Uint8Array,
    start: number,
    readonly end: number,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.pos = start;
  }

  need(n: number): void {
    if (this.pos + n > this.end) throw deserializationError('truncated');
  }

  u16(): number {
    this.need(2);
    const value = this.view.getUint16(this.pos);
    this.pos += 2;
    return value;
  }

  u32(): number {
    this.need(4);
    const value = this.view.getUint32(this.pos);
    this.pos += 4;
    return value;
  }

  take(n: number): { start: number; end: number } {
    this.need(n);
    const start = this.pos;
    this.pos += n;
    return { start, end: this.pos };
  }

  string(n: number): string {
    const { start, end } = this.take(n);
    const text = utf8DecodeStrict(this.bytes, start, end);
    if (text === undefined) throw deserializationError('invalid UTF-8');
    return text;
  }

  lengthPrefixedString(): string {
    return this.string(this.u32());
  }
}

function readValue(r: Reader, typeId: number, end: number, depth: number): AttributeValue {
  switch (typeId) {
    case TypeId.NULL:
      if (end !== r.pos) throw deserializationError('NULL has a value');
      return { NULL: true };
    case TypeId.S:
      return { S: r.string(end - r.pos) };
    case TypeId.N: {
      const text = r.string(end - r.pos);
      try {
        canonicalizeNumber(text, 'java');
      } catch {
        throw deserializationError('invalid number');
      }
      return { N: text };
    }
    case TypeId.B: {
      const { start } = r.take(end - r.pos);
      return { B: new Uint8Array(r.bytes.subarray(start, end)) };
    }
    case TypeId.BOOL: {
      if (end - r.pos !== 1) throw deserializationError('BOOL is not one byte');
      const byte = r.bytes[r.pos++];
      if (byte !== 0 && byte !== 1) throw deserializationError('BOOL is not 0 or 1');
      return { BOOL: byte === 1 };
    }
    case TypeId.SS:
    case TypeId.NS: {
      const count = r.u32();
      const members: string[] = [];
      for (let i = 0; i < count; i++) members.push(r.lengthPrefixedString());
      if (r.pos !== end) throw deserializationError('trailing bytes');
      if (new Set(members).size !== members.length) throw deserializationError('a set has duplicate members');
      return typeId === TypeId.SS ? { SS: members } : { NS: members };
    }
    case TypeId.BS: {
      const count = r.u32();
      const members: Uint8Array[] = [];
      for (let i = 0; i < count; i++) {
        const { start, end: memberEnd } = r.take(r.u32());
        members.push(new Uint8Array(r.bytes.subarray(start, memberEnd)));
      }
      if (r.pos !== end) throw deserializationError('trailing bytes');
      if (new Set(members.map((m) => Buffer.from(m).toString('latin1'))).size !== members.length) {
        throw deserializationError('a set has duplicate members');
      }
      return { BS: members };
    }
    case TypeId.M: {
      if (depth >= MAX_NESTING_DEPTH) throw deserializationError('nested too deep');
      const count = r.u32();
      const map: Record<string, AttributeValue> = {};
      for (let i = 0; i < count; i++) {
        if (r.u16() !== TypeId.S) throw deserializationError('a map key is not a string');
        const key = r.lengthPrefixedString();
        if (Object.hasOwn(map, key)) throw deserializationError('a map has duplicate keys');
        Object.defineProperty(map, key, { value: readEntry(r, depth + 1), enumerable: true, writable: true, configurable: true });
      }
      if (r.pos !== end) throw deserializationError('trailing bytes');
      return { M: map };
    }
    case TypeId.L: {
      if (depth >= MAX_NESTING_DEPTH) throw deserializationError('nested too deep');
      const count = r.u32();
      const list: AttributeValue[] = [];
      for (let i = 0; i < count; i++) list.push(readEntry(r, depth + 1));
      if (r.pos !== end) throw deserializationError('trailing bytes');
      return { L: list };
    }
    default:
      throw deserializationError('unknown type');
  }
}

function readEntry(r: Reader, depth: number): AttributeValue {
  const typeId = r.u16();
  const length = r.u32();
  r.need(length);
  const end = r.pos + length;
  const value = readValue(r, typeId, end, depth);
  r.pos = end;
  return value;
}

/** The attribute value of a terminal. Throws `ERR_DESERIALIZATION` for malformed bytes. */
export function deserializeTerminal(typeId: number, bytes: Uint8Array, start = 0): AttributeValue {
  const r = new Reader(bytes, start, bytes.length);
  const value = readValue(r, typeId, bytes.length, 1);
  if (r.pos !== bytes.length) throw deserializationError('trailing bytes');
  return value;
}
