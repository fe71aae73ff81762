import { DdbecError } from '../errors.js';

/** Standard-alphabet base64 with `=` padding, no line breaks (how `amzn-ddb-env-key` is written). */
export function toBase64(bytes: Uint8Array): string {
  if (!(bytes instanceof Uint8Array)) throw new DdbecError('ERR_INVALID_ARGUMENT', 'toBase64 expects a Uint8Array');
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/][AQgw]==|[A-Za-z0-9+/]{2}[AEIMQUYcgkosw048]=)?$/;

/**
 * Strict base64 decoding for `amzn-ddb-env-key` (legacy-format §3.3): standard alphabet,
 * `=` padding required, and the unused bits of the last character must be zero (so every
 * accepted text is exactly what {@link toBase64} writes). Line breaks (`\r\n` or `\n`, as old
 * Java versions wrote MIME-style) are ignored; anything else is rejected with
 * `ERR_MATERIAL_DESCRIPTION`. Returns a fresh, plain `Uint8Array`.
 */
export function fromBase64(text: string): Uint8Array {
  if (typeof text !== 'string') throw new DdbecError('ERR_MATERIAL_DESCRIPTION', 'base64 text is not a string');
  const compact = text.includes('\n') ? text.replace(/\r?\n/g, '') : text;
  if (compact.length % 4 !== 0 || !BASE64.test(compact)) {
    throw new DdbecError('ERR_MATERIAL_DESCRIPTION', 'invalid base64 text');
  }
  return new Uint8Array(Buffer.from(compact, 'base64'));
}
