/**
 * UTF-8 helpers shared by the format layer. Internal: not re-exported from `format/index.ts`.
 *
 * Short strings are encoded and decoded with plain loops: for the small values that dominate
 * DynamoDB items this is faster than a native call plus the ArrayBuffer view it needs (taking
 * `.buffer` of a small, freshly allocated Uint8Array makes V8 move it off the heap).
 */

const fatalDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const encoder = new TextEncoder();

/** Strings up to this many UTF-16 code units / bytes take the loop paths. */
const SHORT = 64;

/** Encode a string as UTF-8 (the caller has already checked it is well formed). */
export function utf8Encode(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Length of the UTF-8 encoding of a well-formed string. */
export function utf8Length(text: string): number {
  if (text.length > SHORT) return Buffer.byteLength(text, 'utf8');
  let length = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // a surrogate pair is 2 code units and 4 bytes: +1 for each half
    if (c >= 0x80) length += c < 0x800 ? 1 : c >= 0xd800 && c < 0xe000 ? 1 : 2;
  }
  return length;
}

/**
 * Write the UTF-8 encoding of a well-formed string into `out` at `pos` (which must have room
 * for it); returns the position after it.
 */
export function writeUtf8(text: string, out: Uint8Array, pos: number): number {
  if (text.length > SHORT) return pos + encoder.encodeInto(text, out.subarray(pos)).written;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) {
      out[pos++] = c;
    } else if (c < 0x800) {
      out[pos++] = 0xc0 | (c >> 6);
      out[pos++] = 0x80 | (c & 0x3f);
    } else if (c >= 0xd800 && c < 0xdc00) {
      // High surrogate; well-formedness guarantees the low surrogate follows.
      const cp = ((c - 0xd800) << 10) + (text.charCodeAt(++i) - 0xdc00) + 0x10000;
      out[pos++] = 0xf0 | (cp >> 18);
      out[pos++] = 0x80 | ((cp >> 12) & 0x3f);
      out[pos++] = 0x80 | ((cp >> 6) & 0x3f);
      out[pos++] = 0x80 | (cp & 0x3f);
    } else {
      out[pos++] = 0xe0 | (c >> 12);
      out[pos++] = 0x80 | ((c >> 6) & 0x3f);
      out[pos++] = 0x80 | (c & 0x3f);
    }
  }
  return pos;
}

/**
 * Decode `bytes[start, end)` as UTF-8, strictly: invalid sequences (overlongs, surrogates,
 * truncated sequences, beyond U+10FFFF) make this return `undefined` instead of substituting
 * U+FFFD. A leading byte-order mark is kept as U+FEFF (inside a serialized value it is data).
 */
export function utf8DecodeStrict(bytes: Uint8Array, start = 0, end = bytes.length): string | undefined {
  const length = end - start;
  if (length === 0) return '';
  const buffer = Buffer.isBuffer(bytes);
  if (length <= SHORT) {
    let ascii = true;
    for (let i = start; i < end; i++) {
      if ((bytes[i] as number) >= 0x80) {
        ascii = false;
        break;
      }
    }
    // ASCII: a Buffer makes the string directly; a Uint8Array, from its codes.
    if (ascii) return buffer ? bytes.toString('latin1', start, end) : asciiText(bytes, start, length);
  } else if (buffer) {
    // Without a view: V8 replaces each invalid sequence with U+FFFD, so a result without one
    // comes from valid UTF-8 (one with one is decided by the strict decoder).
    const text = bytes.toString('utf8', start, end);
    if (!text.includes('\uFFFD')) return text;
  }
  try {
    return fatalDecoder.decode(start === 0 && end === bytes.length ? bytes : bytes.subarray(start, end));
  } catch {
    return undefined;
  }
}

function asciiText(bytes: Uint8Array, start: number, length: number): string {
  const codes = new Array<number>(length);
  for (let i = 0; i < length; i++) codes[i] = bytes[start + i] as number;
  return String.fromCharCode(...codes);
}

type WellFormedString = string & { isWellFormed?: () => boolean };
// Fallback for engines without String.prototype.isWellFormed: in `u` mode a valid surrogate pair
// is one code point, so this only matches lone surrogates.
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * True when the string has no unpaired surrogate, i.e. it has an exact UTF-8 encoding. (A lone
 * surrogate would be written as U+FFFD by Node/TextEncoder, as `?` by Java and rejected by
 * Python, so ddbec refuses to serialize it.)
 */
export function isWellFormed(text: string): boolean {
  const s = text as WellFormedString;
  return s.isWellFormed !== undefined ? s.isWellFormed() : !LONE_SURROGATE.test(text);
}
