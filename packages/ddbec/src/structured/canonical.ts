/**
 * Canonical paths and the canonical record (dbesdk-spec structured-encryption/header.md
 * "Canonical Path", footer.md "Canonical Hash"). Pure format: the caller hashes the parts.
 */
import { utf8Encode } from '../format/utf8.js';
import type { Terminal } from './attribute.js';

const MAP_TAG = 0x24; // '$'
const ENCRYPTED = utf8Encode('ENCRYPTED');
const PLAINTEXT = utf8Encode('PLAINTEXT');

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
 * The canonical record: the full header, the UInt64 length of the serialized encryption context,
 * that context, then each signed field in canonical-path order (`fields` must be sorted): path,
 * UInt64 data length, `ENCRYPTED` or `PLAINTEXT`, (for plaintext) the type id, the value. An
 * encrypted field's data length is its stored length minus the two type-id bytes.
 */
export function canonicalRecord(header: Uint8Array, serializedContext: Uint8Array, fields: readonly CanonicalField[]): Uint8Array {
  let length = header.length + 8 + serializedContext.length;
  for (const field of fields) length += field.path.length + 8 + 9 + (field.encrypted ? 0 : 2) + field.terminal.value.length;
  const out = new Uint8Array(length);
  const view = new DataView(out.buffer);
  out.set(header, 0);
  let pos = header.length;
  view.setBigUint64(pos, BigInt(serializedContext.length));
  out.set(serializedContext, pos + 8);
  pos += 8 + serializedContext.length;
  for (const field of fields) {
    const { value, typeId } = field.terminal;
    out.set(field.path, pos);
    pos += field.path.length;
    view.setBigUint64(pos, BigInt(field.encrypted ? value.length - 2 : value.length));
    pos += 8;
    out.set(field.encrypted ? ENCRYPTED : PLAINTEXT, pos);
    pos += 9;
    if (!field.encrypted) {
      view.setUint16(pos, typeId);
      pos += 2;
    }
    out.set(value, pos);
    pos += value.length;
  }
  return out;
}
