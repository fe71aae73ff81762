/**
 * Canonical paths and the canonical record (dbesdk-spec structured-encryption/header.md
 * "Canonical Path", footer.md "Canonical Hash"). Pure format: the caller hashes the parts.
 */
import { utf8Encode } from '../format/utf8.js';
import type { Terminal } from './attribute.js';

const MAP_TAG = 0x24; // '$'
const ENCRYPTED = utf8Encode('ENCRYPTED');
const PLAINTEXT = utf8Encode('PLAINTEXT');

function u64(value: number): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(value));
  return out;
}

/**
 * The canonical path of a top-level attribute: UTF-8 table name, depth 1 (UInt64), `$`, the
 * name's length (UInt64), the UTF-8 name. The length is the name's number of UTF-16 code units,
 * as the Java and .NET writers count it (equal to its UTF-8 length for ASCII names).
 */
export function canonicalPath(tableName: Uint8Array, attributeName: string): Uint8Array {
  const name = utf8Encode(attributeName);
  const out = new Uint8Array(tableName.length + 17 + name.length);
  const view = new DataView(out.buffer);
  out.set(tableName, 0);
  let pos = tableName.length;
  view.setBigUint64(pos, 1n);
  pos += 8;
  out[pos++] = MAP_TAG;
  view.setBigUint64(pos, BigInt(attributeName.length));
  pos += 8;
  out.set(name, pos);
  return out;
}

/** Unsigned byte order of canonical paths (the order of the legend, field keys and the hash). */
export function comparePaths(a: Uint8Array, b: Uint8Array): number {
  return Buffer.compare(a, b);
}

/** A signed field as stored: its path, whether it was encrypted, and its stored terminal. */
export interface CanonicalField {
  readonly path: Uint8Array;
  readonly encrypted: boolean;
  /** For an encrypted field, `value` starts with the two-byte type id of the plaintext. */
  readonly terminal: Terminal;
}

/**
 * The byte strings whose concatenation is the canonical record: the full header, the UInt64
 * length of the serialized encryption context, that context, then each signed field in
 * canonical-path order (`fields` must be sorted): path, UInt64 data length, `ENCRYPTED` or
 * `PLAINTEXT`, (for plaintext) the type id, the value. An encrypted field's data length is its
 * stored length minus the two type-id bytes.
 */
export function canonicalRecordParts(header: Uint8Array, serializedContext: Uint8Array, fields: readonly CanonicalField[]): Uint8Array[] {
  const parts: Uint8Array[] = [header, u64(serializedContext.length), serializedContext];
  for (const field of fields) {
    const { value, typeId } = field.terminal;
    parts.push(field.path);
    if (field.encrypted) {
      parts.push(u64(value.length - 2), ENCRYPTED, value);
    } else {
      parts.push(u64(value.length), PLAINTEXT, new Uint8Array([typeId >> 8, typeId & 0xff]), value);
    }
  }
  return parts;
}
