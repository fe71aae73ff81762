import { DdbecError } from '../errors.js';
import type { AttributeValue } from './attribute-value.js';
import { isValidNumberText } from './number.js';
import { MAX_NESTING_DEPTH, TypeTag } from './serialize.js';
import { utf8DecodeStrict } from './utf8.js';

const EMPTY = new Uint8Array(0);

function malformed(reason: string): DdbecError {
  return new DdbecError('ERR_DESERIALIZATION', `malformed serialized attribute: ${reason}`);
}

class Reader {
  pos = 0;
  end = 0;
  bytes: Uint8Array = EMPTY;

  /** Starts reading `bytes[start, end)`. */
  reset(bytes: Uint8Array, start: number, end: number): void {
    this.bytes = bytes;
    this.pos = start;
    this.end = end;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  need(n: number): void {
    if (this.end - this.pos < n) throw malformed(`truncated at offset ${this.pos}`);
  }

  u8(): number {
    this.need(1);
    return this.bytes[this.pos++] as number;
  }

  u32(): number {
    this.need(4);
    const b = this.bytes;
    const p = this.pos;
    this.pos = p + 4;
    return (((b[p] as number) << 24) | ((b[p + 1] as number) << 16) | ((b[p + 2] as number) << 8) | (b[p + 3] as number)) >>> 0;
  }

  /** A u32 count, checked against the bytes left (each element needs at least `minSize`). */
  count(minSize: number): number {
    const n = this.u32();
    if (n > this.remaining / minSize) throw malformed(`element count exceeds the remaining bytes at offset ${this.pos - 4}`);
    return n;
  }

  /** Start offset of an `LV` body; advances past it. The end is `this.pos`. */
  lv(): number {
    const length = this.u32();
    this.need(length);
    const start = this.pos;
    this.pos += length;
    return start;
  }

  /** A fresh, plain `Uint8Array` copy (never a view of the input, never a Buffer). */
  lvBytes(): Uint8Array {
    const start = this.lv();
    const length = this.pos - start;
    const out = new Uint8Array(length);
    if (length <= 64) {
      for (let i = 0; i < length; i++) out[i] = this.bytes[start + i] as number;
    } else {
      out.set(this.bytes.subarray(start, this.pos));
    }
    return out;
  }

  lvString(): string {
    const start = this.lv();
    const text = utf8DecodeStrict(this.bytes, start, this.pos);
    if (text === undefined) throw malformed(`invalid UTF-8 at offset ${start}`);
    return text;
  }

  lvNumber(): string {
    const start = this.lv();
    // Valid number text is ASCII; any other (valid UTF-8) text fails the syntax check.
    const text = utf8DecodeStrict(this.bytes, start, this.pos);
    if (text === undefined || !isValidNumberText(text)) throw malformed(`invalid number at offset ${start}`);
    return text;
  }
}

/**
 * Parse one serialized attribute value (legacy-format §2.7), strictly (§2.8): the whole input
 * must be exactly one value. Numbers are returned as stored (not re-canonicalized), set members
 * in stored order, `B`/`BS` members as fresh `Uint8Array`s; for a duplicate map key the last
 * occurrence wins.
 *
 * Throws `ERR_DESERIALIZATION` for empty input, a tag byte other than 00 first, an unknown tag,
 * truncation, a boolean byte other than 00/01, a map key not tagged as a string, invalid UTF-8,
 * number text that is not a number, an element count the remaining bytes cannot hold, nesting
 * deeper than 32 `L`/`M` levels, or trailing bytes.
 */
export function deserializeAttribute(bytes: Uint8Array): AttributeValue {
  if (!(bytes instanceof Uint8Array)) throw malformed('input is not a Uint8Array');
  return deserializeRange(bytes, 0, bytes.length);
}

/** One reader for every call: deserialization never re-enters itself. */
const reader = new Reader();

/**
 * {@link deserializeAttribute} of `bytes[start, end)`, without a view of it (offsets in errors
 * count from the start of `bytes`).
 */
export function deserializeRange(bytes: Uint8Array, start: number, end: number): AttributeValue {
  if (end <= start) throw malformed('empty input');
  reader.reset(bytes, start, end);
  try {
    const value = readValue(reader, 0);
    if (reader.pos !== end) throw malformed(`trailing bytes after offset ${reader.pos}`);
    return value;
  } finally {
    reader.reset(EMPTY, 0, 0);
  }
}

function readValue(r: Reader, depth: number): AttributeValue {
  const start = r.pos;
  r.need(2);
  if (r.u8() !== 0) throw malformed(`unsupported type tag at offset ${start}`);
  const tag = r.u8();
  switch (tag) {
    case TypeTag.NULL:
      return { NULL: true };
    case TypeTag.BOOL: {
      const b = r.u8();
      if (b > 1) throw malformed(`invalid boolean at offset ${r.pos - 1}`);
      return { BOOL: b === 1 };
    }
    case TypeTag.B:
      return { B: r.lvBytes() };
    case TypeTag.S:
      return { S: r.lvString() };
    case TypeTag.N:
      return { N: r.lvNumber() };
    case TypeTag.BS: {
      const n = r.count(4);
      const members = new Array<Uint8Array>(n);
      for (let i = 0; i < n; i++) members[i] = r.lvBytes();
      return { BS: members };
    }
    case TypeTag.SS: {
      const n = r.count(4);
      const members = new Array<string>(n);
      for (let i = 0; i < n; i++) members[i] = r.lvString();
      return { SS: members };
    }
    case TypeTag.NS: {
      const n = r.count(4);
      const members = new Array<string>(n);
      for (let i = 0; i < n; i++) members[i] = r.lvNumber();
      return { NS: members };
    }
    case TypeTag.L: {
      if (depth + 1 > MAX_NESTING_DEPTH) throw malformed(`nested deeper than ${MAX_NESTING_DEPTH} levels at offset ${start}`);
      const n = r.count(2); // smallest element: NULL, 2 bytes
      const elements = new Array<AttributeValue>(n);
      for (let i = 0; i < n; i++) elements[i] = readValue(r, depth + 1);
      return { L: elements };
    }
    case TypeTag.M: {
      if (depth + 1 > MAX_NESTING_DEPTH) throw malformed(`nested deeper than ${MAX_NESTING_DEPTH} levels at offset ${start}`);
      const n = r.count(8); // smallest entry: empty string key (6 bytes) + NULL (2 bytes)
      const map: Record<string, AttributeValue> = {};
      for (let i = 0; i < n; i++) {
        const keyAt = r.pos;
        r.need(2);
        if (r.u8() !== 0 || r.u8() !== TypeTag.S) throw malformed(`map key is not a string at offset ${keyAt}`);
        const key = r.lvString();
        const member = readValue(r, depth + 1);
        if (key === '__proto__') {
          // A data key, not the prototype setter.
          Object.defineProperty(map, key, { value: member, enumerable: true, writable: true, configurable: true });
        } else {
          map[key] = member;
        }
      }
      return { M: map };
    }
    default:
      throw malformed(`unsupported type tag at offset ${start}`);
  }
}
