import { DdbecError } from '../errors.js';
import { compareStrings, sortInPlace } from './compare.js';
import { isWellFormed, utf8DecodeStrict, writeUtf8 } from './utf8.js';

/** The decoded `*amzn-ddb-map-desc*` attribute: description key → value. */
export type MaterialDescription = ReadonlyMap<string, string>;

function writeU32(out: Uint8Array, pos: number, n: number): number {
  out[pos] = n >>> 24;
  out[pos + 1] = (n >>> 16) & 0xff;
  out[pos + 2] = (n >>> 8) & 0xff;
  out[pos + 3] = n & 0xff;
  return pos + 4;
}

function descriptionError(reason: string): DdbecError {
  return new DdbecError('ERR_MATERIAL_DESCRIPTION', reason);
}

function checkText(text: unknown, what: string): string {
  if (typeof text !== 'string') throw descriptionError(`material description ${what} is not a string`);
  if (!isWellFormed(text)) throw descriptionError(`material description ${what} contains an unpaired surrogate`);
  return text;
}

/**
 * Encode a material description (legacy-format §3.2): version `00000000`, then `LV(key)
 * LV(value)` for each entry, sorted by key in UTF-8 byte order (as Python writes it and the
 * vectors expect). An empty description is `00000000`.
 *
 * Throws `ERR_MATERIAL_DESCRIPTION` for a key or value that is not a well-formed string.
 */
export function encodeMaterialDescription(
  description: ReadonlyMap<string, string> | Readonly<Record<string, string>>,
): Uint8Array {
  const entries: [string, string][] = [];
  if (description instanceof Map) {
    for (const [key, value] of description as ReadonlyMap<unknown, unknown>) {
      entries.push([checkText(key, 'key'), checkText(value, 'value')]);
    }
  } else if (typeof description === 'object' && description !== null && !Array.isArray(description)) {
    const record = description as Readonly<Record<string, unknown>>;
    for (const key of Object.keys(record)) entries.push([checkText(key, 'key'), checkText(record[key], 'value')]);
  } else {
    throw descriptionError('material description must be a Map or a record of strings');
  }
  sortInPlace(entries, (a, b) => compareStrings(a[0], b[0], 'python'));

  let size = 4;
  const lengths = new Array<number>(entries.length * 2);
  for (let i = 0; i < entries.length; i++) {
    const [key, value] = entries[i] as [string, string];
    const keyLength = Buffer.byteLength(key, 'utf8');
    const valueLength = Buffer.byteLength(value, 'utf8');
    lengths[2 * i] = keyLength;
    lengths[2 * i + 1] = valueLength;
    size += 8 + keyLength + valueLength;
  }
  const out = new Uint8Array(size); // version 0 = the first four zero bytes
  let pos = 4;
  for (let i = 0; i < entries.length; i++) {
    const [key, value] = entries[i] as [string, string];
    pos = writeUtf8(key, out, writeU32(out, pos, lengths[2 * i] as number));
    pos = writeUtf8(value, out, writeU32(out, pos, lengths[2 * i + 1] as number));
  }
  return out;
}

/**
 * Decode a material description (legacy-format §3.2). Any pair order is accepted; a later
 * duplicate key overwrites an earlier one.
 *
 * Throws `ERR_MATERIAL_DESCRIPTION` when the version is not four zero bytes, a key or value is
 * truncated, or the text is not valid UTF-8.
 */
export function decodeMaterialDescription(bytes: Uint8Array): Map<string, string> {
  if (!(bytes instanceof Uint8Array)) throw descriptionError('material description is not a Uint8Array');
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0 || bytes[2] !== 0 || bytes[3] !== 0) {
    throw descriptionError('unsupported material description version');
  }
  const result = new Map<string, string>();
  let pos = 4;
  const readText = (): string => {
    if (bytes.length - pos < 4) throw descriptionError(`malformed material description: truncated at offset ${pos}`);
    const length =
      (((bytes[pos] as number) << 24) | ((bytes[pos + 1] as number) << 16) | ((bytes[pos + 2] as number) << 8) | (bytes[pos + 3] as number)) >>> 0;
    pos += 4;
    if (bytes.length - pos < length) throw descriptionError(`malformed material description: truncated at offset ${pos}`);
    const text = utf8DecodeStrict(bytes, pos, pos + length);
    if (text === undefined) throw descriptionError(`malformed material description: invalid UTF-8 at offset ${pos}`);
    pos += length;
    return text;
  };
  while (pos < bytes.length) {
    const key = readText();
    const value = readText();
    result.set(key, value);
  }
  return result;
}
