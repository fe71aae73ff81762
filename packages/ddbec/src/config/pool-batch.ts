// The items of an EncryptorPool's batch, and the results that come back, as one buffer that is
// transferred to the other thread (moved, not copied), instead of a structured clone of every
// item: writing and reading it costs the calling thread about a third of a clone.
//
// Values are written exactly as given — numbers as their text, sets and map entries in their
// order, nothing canonicalized — so an item read back is equal to the one written. An item that
// cannot be written (not made of well-formed DynamoDB attribute values) is left out, and the
// caller runs it on its own thread, where the encryptor reports what is wrong with it.
import type { AttributeValue, Item } from '../format/index.js';
import { isWellFormed, utf8Length, writeUtf8 } from '../format/utf8.js';
import type { DdbecErrorCode } from '../errors.js';

/** An error as it crosses back from a worker (code, name and message: no stack, no cause). */
export interface ErrorDescription {
  readonly code: DdbecErrorCode | undefined;
  readonly name: string;
  readonly message: string;
}

/** A batch as it is posted: `length` bytes of `buffer`, which the message transfers. */
export interface Batch {
  readonly buffer: ArrayBuffer;
  readonly length: number;
}

/** A result as it is read back. */
export type BatchEntry = { readonly ok: true; readonly value: Item } | { readonly ok: false; readonly error: ErrorDescription };

// One tag byte per value (and per result), then its payload; lengths and counts are u32.
const S = 1;
const N = 2;
const B = 3;
const FALSE = 4;
const TRUE = 5;
const NULL = 6;
const SS = 7;
const NS = 8;
const BS = 9;
const L = 10;
const M = 11;
// entries: an item (then the bytes of its binaries, then the item as a map), or an error
const ITEM = 0;
const ERROR = 12;

/** Not writable: the item is left out. */
class Unwritable extends Error {}
const unwritable = new Unwritable();

/** Writes items (and errors) into one growing buffer; `finish` hands it over. */
export class BatchWriter {
  #bytes: Buffer;
  #pos = 0;
  /** Bytes of the binaries of the item being written. */
  #binaryBytes = 0;

  constructor(expectedBytes = 64 * 1024) {
    this.#bytes = Buffer.from(new ArrayBuffer(expectedBytes));
  }

  /** Appends an item; false (and nothing written) when it cannot be written. */
  item(item: Item): boolean {
    const start = this.#pos;
    this.#byte(ITEM);
    const header = this.#reserve(4);
    this.#pos += 4;
    this.#binaryBytes = 0;
    try {
      this.#map(item);
      this.#bytes.writeUInt32BE(this.#binaryBytes, header);
      return true;
    } catch (error) {
      if (!(error instanceof Unwritable)) throw error;
      this.#pos = start;
      return false;
    }
  }

  /** Appends an error in place of an item. */
  error(error: ErrorDescription): void {
    this.#byte(ERROR);
    this.#text(error.code ?? '');
    this.#text(error.name);
    this.#text(error.message);
  }

  /** The batch; the writer is not used again. */
  finish(): Batch {
    return { buffer: this.#bytes.buffer as ArrayBuffer, length: this.#pos };
  }

  #map(record: Readonly<Record<string, AttributeValue>>): void {
    if (typeof record !== 'object' || record === null || Array.isArray(record)) throw unwritable;
    const countAt = this.#reserve(4);
    this.#pos += 4;
    let count = 0;
    for (const name in record) {
      if (!Object.hasOwn(record, name)) continue;
      this.#text(name);
      this.#value(record[name]);
      count++;
    }
    this.#bytes.writeUInt32BE(count, countAt);
  }

  #value(value: unknown): void {
    if (typeof value !== 'object' || value === null) throw unwritable;
    let type: string | undefined;
    let payload: unknown;
    for (const key in value) {
      const member = (value as Record<string, unknown>)[key];
      if (!Object.hasOwn(value, key) || member === undefined) continue;
      if (type !== undefined) throw unwritable;
      type = key;
      payload = member;
    }
    switch (type) {
      case 'S':
      case 'N':
        this.#byte(type === 'S' ? S : N);
        this.#text(payload);
        return;
      case 'B':
        this.#byte(B);
        this.#binary(payload);
        return;
      case 'BOOL':
        if (typeof payload !== 'boolean') throw unwritable;
        this.#byte(payload ? TRUE : FALSE);
        return;
      case 'NULL':
        if (payload !== true) throw unwritable;
        this.#byte(NULL);
        return;
      case 'SS':
      case 'NS':
      case 'BS':
      case 'L': {
        if (!Array.isArray(payload)) throw unwritable;
        this.#byte(type === 'SS' ? SS : type === 'NS' ? NS : type === 'BS' ? BS : L);
        this.#u32(payload.length);
        for (const member of payload as unknown[]) {
          if (type === 'BS') this.#binary(member);
          else if (type === 'L') this.#value(member);
          else this.#text(member);
        }
        return;
      }
      case 'M':
        this.#byte(M);
        this.#map(payload as Record<string, AttributeValue>);
        return;
      default:
        throw unwritable;
    }
  }

  #text(text: unknown): void {
    if (typeof text !== 'string' || !isWellFormed(text)) throw unwritable;
    const length = utf8Length(text);
    this.#reserve(4 + length);
    this.#bytes.writeUInt32BE(length, this.#pos);
    this.#pos = writeUtf8(text, this.#bytes, this.#pos + 4);
  }

  #binary(bytes: unknown): void {
    if (!(bytes instanceof Uint8Array)) throw unwritable;
    this.#reserve(4 + bytes.length);
    this.#bytes.writeUInt32BE(bytes.length, this.#pos);
    this.#bytes.set(bytes, this.#pos + 4);
    this.#pos += 4 + bytes.length;
    this.#binaryBytes += bytes.length;
  }

  #byte(byte: number): void {
    this.#reserve(1);
    this.#bytes[this.#pos++] = byte;
  }

  #u32(n: number): void {
    this.#reserve(4);
    this.#bytes.writeUInt32BE(n, this.#pos);
    this.#pos += 4;
  }

  /** Room for `n` more bytes; returns the position. */
  #reserve(n: number): number {
    if (this.#pos + n > this.#bytes.length) {
      const bigger = Buffer.from(new ArrayBuffer(Math.max(this.#pos + n, 2 * this.#bytes.length)));
      this.#bytes.copy(bigger, 0, 0, this.#pos);
      this.#bytes = bigger;
    }
    return this.#pos;
  }
}

/**
 * Reads the entries of a batch, in order. The binaries of an item are `views` of the batch's
 * buffer (for a worker, which only reads them), or `copies`: views of one buffer per item
 * holding only that item's binaries, as the encryptor returns them.
 */
export function readBatch(batch: Batch, binaries: 'views' | 'copies'): BatchEntry[] {
  const reader = new BatchReader(Buffer.from(batch.buffer, 0, batch.length), binaries === 'copies');
  const entries: BatchEntry[] = [];
  while (reader.pos < batch.length) entries.push(reader.entry());
  return entries;
}

class BatchReader {
  pos = 0;
  /** The binaries of the item being read, and how much of it is used. */
  #own: Uint8Array = new Uint8Array(0);
  #used = 0;

  constructor(
    readonly bytes: Buffer,
    readonly copies: boolean,
  ) {}

  entry(): BatchEntry {
    const tag = this.bytes[this.pos++];
    if (tag === ITEM) {
      const binaryBytes = this.u32();
      if (this.copies && binaryBytes > 0) {
        this.#own = new Uint8Array(binaryBytes);
        this.#used = 0;
      }
      return { ok: true, value: this.map() };
    }
    if (tag !== ERROR) throw new Error(`malformed pool batch (entry tag ${String(tag)} at ${this.pos - 1})`);
    const code = this.text();
    return { ok: false, error: { code: code === '' ? undefined : (code as DdbecErrorCode), name: this.text(), message: this.text() } };
  }

  map(): Item {
    const count = this.u32();
    const map: Item = {};
    for (let i = 0; i < count; i++) {
      const name = this.text();
      const value = this.value();
      if (name === '__proto__') Object.defineProperty(map, name, { value, enumerable: true, writable: true, configurable: true });
      else map[name] = value;
    }
    return map;
  }

  value(): AttributeValue {
    const tag = this.bytes[this.pos++];
    switch (tag) {
      case S:
        return { S: this.text() };
      case N:
        return { N: this.text() };
      case B:
        return { B: this.binary() };
      case FALSE:
      case TRUE:
        return { BOOL: tag === TRUE };
      case NULL:
        return { NULL: true };
      case SS:
      case NS: {
        const members = new Array<string>(this.u32());
        for (let i = 0; i < members.length; i++) members[i] = this.text();
        return tag === SS ? { SS: members } : { NS: members };
      }
      case BS: {
        const members = new Array<Uint8Array>(this.u32());
        for (let i = 0; i < members.length; i++) members[i] = this.binary();
        return { BS: members };
      }
      case L: {
        const elements = new Array<AttributeValue>(this.u32());
        for (let i = 0; i < elements.length; i++) elements[i] = this.value();
        return { L: elements };
      }
      case M:
        return { M: this.map() };
      default:
        throw new Error(`malformed pool batch (tag ${String(tag)} at ${this.pos - 1})`);
    }
  }

  u32(): number {
    const n = this.bytes.readUInt32BE(this.pos);
    this.pos += 4;
    return n;
  }

  text(): string {
    const length = this.u32();
    const start = this.pos;
    this.pos += length;
    return this.bytes.toString('utf8', start, this.pos);
  }

  binary(): Uint8Array {
    const length = this.u32();
    const start = this.pos;
    this.pos += length;
    if (!this.copies) return new Uint8Array(this.bytes.buffer, this.bytes.byteOffset + start, length);
    const out = this.#own.subarray(this.#used, this.#used + length);
    this.bytes.copy(out, 0, start, this.pos);
    this.#used += length;
    return out;
  }
}
