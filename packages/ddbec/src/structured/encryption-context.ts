/**
 * Encryption context serialization (mpl-spec framework/structures.md "Serialization";
 * dbesdk-spec structured-encryption/header.md "Encryption Context"): a big-endian UInt16 count,
 * then each pair as UInt16 key length, UTF-8 key, UInt16 value length, UTF-8 value, sorted by
 * the keys' UTF-8 bytes. Pure functions, no crypto.
 */
import { DdbecError } from '../errors.js';
import { utf8DecodeStrict, utf8Encode } from '../format/utf8.js';
import type { EncryptionContext } from '../keyrings/types.js';

const MAX_UINT16 = 0xffff;

interface EncodedPair {
  readonly key: Uint8Array;
  readonly value: Uint8Array;
}

function encodePairs(context: EncryptionContext): EncodedPair[] {
  const pairs: EncodedPair[] = [];
  for (const [key, value] of Object.entries(context)) {
    const k = utf8Encode(key);
    const v = utf8Encode(value);
    if (k.length > MAX_UINT16 || v.length > MAX_UINT16) {
      throw new DdbecError('ERR_INVALID_ARGUMENT', 'an encryption context key or value is longer than 65535 bytes');
    }
    pairs.push({ key: k, value: v });
  }
  if (pairs.length > MAX_UINT16) throw new DdbecError('ERR_INVALID_ARGUMENT', 'the encryption context has more than 65535 entries');
  pairs.sort((a, b) => Buffer.compare(a.key, b.key));
  return pairs;
}

/**
 * The header form: always the count, so an empty context is `00 00`
 * (structured-encryption/header.md; also the AAD of the canonical record).
 */
export function serializeEncryptionContext(context: EncryptionContext): Uint8Array {
  const pairs = encodePairs(context);
  let length = 2;
  for (const p of pairs) length += 4 + p.key.length + p.value.length;
  const out = new Uint8Array(length);
  const view = new DataView(out.buffer);
  view.setUint16(0, pairs.length);
  let pos = 2;
  for (const p of pairs) {
    view.setUint16(pos, p.key.length);
    out.set(p.key, pos + 2);
    pos += 2 + p.key.length;
    view.setUint16(pos, p.value.length);
    out.set(p.value, pos + 2);
    pos += 2 + p.value.length;
  }
  return out;
}

/**
 * The keyrings' AAD form (mpl-spec structures.md): like {@link serializeEncryptionContext},
 * except that an empty context is the empty byte string.
 */
export function encryptionContextAad(context: EncryptionContext): Uint8Array {
  for (const _ in context) return serializeEncryptionContext(context);
  return new Uint8Array(0);
}

/**
 * Parses a serialized encryption context at `offset` of `bytes`: the context and the offset
 * after it. Returns `undefined` when the bytes are truncated, a key or value is not UTF-8, a key
 * repeats, or keys are not in ascending order.
 */
export function parseEncryptionContext(bytes: Uint8Array, offset: number): { context: Record<string, string>; end: number } | undefined {
  if (offset + 2 > bytes.length) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = view.getUint16(offset);
  let pos = offset + 2;
  const context: Record<string, string> = Object.create(null) as Record<string, string>;
  let previous: Uint8Array | undefined;
  for (let i = 0; i < count; i++) {
    if (pos + 2 > bytes.length) return undefined;
    const keyLength = view.getUint16(pos);
    const keyEnd = pos + 2 + keyLength;
    if (keyEnd + 2 > bytes.length) return undefined;
    const keyBytes = bytes.subarray(pos + 2, keyEnd);
    const valueLength = view.getUint16(keyEnd);
    const valueEnd = keyEnd + 2 + valueLength;
    if (valueEnd > bytes.length) return undefined;
    if (previous !== undefined && Buffer.compare(previous, keyBytes) >= 0) return undefined;
    const key = utf8DecodeStrict(bytes, pos + 2, keyEnd);
    const value = utf8DecodeStrict(bytes, keyEnd + 2, valueEnd);
    if (key === undefined || value === undefined) return undefined;
    context[key] = value;
    previous = keyBytes;
    pos = valueEnd;
  }
  return { context: { ...context }, end: pos };
}
