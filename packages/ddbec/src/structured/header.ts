/**
 * The DB-ESDK header (`aws_dbe_head`, dbesdk-spec structured-encryption/header.md):
 *
 *   version (1: 0x01 or 0x02) || flavor (1: the suite id's second byte) || message id (32)
 *   || legend (UInt16 length, one byte per signed attribute: `e`, `s` or `c`)
 *   || stored encryption context || EDK count (1, > 0) || EDKs (UInt16-length-prefixed
 *   provider id, provider info, ciphertext) || commitment (32).
 *
 * Pure format: the commitment is computed by the caller. {@link parseHeader} needs no keys.
 */
import { DdbecError } from '../errors.js';
import { utf8DecodeStrict, utf8Encode } from '../format/utf8.js';
import type { EncryptedDataKey, EncryptionContext } from '../keyrings/types.js';
import { parseEncryptionContext, serializeEncryptionContext } from './encryption-context.js';

/** The header commitment length. */
export const COMMITMENT_LENGTH = 32;
export const MESSAGE_ID_LENGTH = 32;

/** A legend byte: the action a signed attribute was written with. */
export type LegendAction = 'ENCRYPT_AND_SIGN' | 'SIGN_ONLY' | 'SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT';

const LEGEND_BYTE: Readonly<Record<LegendAction, number>> = {
  ENCRYPT_AND_SIGN: 0x65, // 'e'
  SIGN_ONLY: 0x73, // 's'
  SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT: 0x63, // 'c'
};

function legendAction(byte: number): LegendAction | undefined {
  if (byte === 0x65) return 'ENCRYPT_AND_SIGN';
  if (byte === 0x73) return 'SIGN_ONLY';
  if (byte === 0x63) return 'SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT';
  return undefined;
}

/** The fields of a header, without the commitment. */
export interface PartialHeader {
  /** 2 when some attribute is SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT, else 1. */
  readonly version: 1 | 2;
  /** 0x6700 or 0x6701. */
  readonly algorithmSuiteId: 0x6700 | 0x6701;
  readonly messageId: Uint8Array;
  /** One action per signed attribute, in canonical-path order. */
  readonly legend: readonly LegendAction[];
  /** The encryption context stored with the item (the part not reproduced from the item itself). */
  readonly storedEncryptionContext: EncryptionContext;
  readonly encryptedDataKeys: readonly EncryptedDataKey[];
}

/** A parsed header. */
export interface ParsedHeader extends PartialHeader {
  readonly commitment: Uint8Array;
  /** The bytes the commitment covers (everything before it). */
  readonly partialHeaderBytes: Uint8Array;
}

function malformed(reason: string): DdbecError {
  return new DdbecError('ERR_MALFORMED_ITEM', `the item's DB-ESDK header is malformed: ${reason}`);
}

/** Serializes the header fields (without the commitment, which the caller appends). */
export function serializePartialHeader(header: PartialHeader): Uint8Array {
  const { version, algorithmSuiteId, messageId, legend, storedEncryptionContext, encryptedDataKeys } = header;
  if (messageId.length !== MESSAGE_ID_LENGTH) throw new DdbecError('ERR_INVALID_ARGUMENT', 'the message id must be 32 bytes');
  if (legend.length > 0xffff) throw new DdbecError('ERR_INVALID_ARGUMENT', 'an item can have at most 65535 signed attributes');
  if (encryptedDataKeys.length === 0 || encryptedDataKeys.length > 0xff) {
    throw new DdbecError('ERR_INVALID_ARGUMENT', 'a header holds 1 to 255 encrypted data keys');
  }
  const context = serializeEncryptionContext(storedEncryptionContext);
  const edks = encryptedDataKeys.map((edk) => {
    const id = utf8Encode(edk.keyProviderId);
    if (id.length > 0xffff || edk.keyProviderInfo.length > 0xffff || edk.ciphertext.length > 0xffff) {
      throw new DdbecError('ERR_INVALID_ARGUMENT', 'an encrypted data key field is longer than 65535 bytes');
    }
    return [id, edk.keyProviderInfo, edk.ciphertext] as const;
  });
  let length = 2 + MESSAGE_ID_LENGTH + 2 + legend.length + context.length + 1;
  for (const fields of edks) for (const f of fields) length += 2 + f.length;
  const out = new Uint8Array(length);
  const view = new DataView(out.buffer);
  out[0] = version;
  out[1] = algorithmSuiteId & 0xff;
  out.set(messageId, 2);
  let pos = 2 + MESSAGE_ID_LENGTH;
  view.setUint16(pos, legend.length);
  pos += 2;
  for (const action of legend) out[pos++] = LEGEND_BYTE[action];
  out.set(context, pos);
  pos += context.length;
  out[pos++] = edks.length;
  for (const fields of edks) {
    for (const f of fields) {
      view.setUint16(pos, f.length);
      out.set(f, pos + 2);
      pos += 2 + f.length;
    }
  }
  return out;
}

/**
 * Parses a header value (the bytes of `aws_dbe_head`) without keys: version, suite, message
 * id, legend, stored encryption context, encrypted data keys, commitment. Throws
 * `ERR_MALFORMED_ITEM` for anything that is not a well-formed version 1 or 2 header.
 */
export function parseHeader(bytes: Uint8Array): ParsedHeader {
  if (!(bytes instanceof Uint8Array)) throw malformed('not binary');
  if (bytes.length < 2 + MESSAGE_ID_LENGTH + COMMITMENT_LENGTH) throw malformed('too short');
  const version = bytes[0];
  if (version !== 1 && version !== 2) throw malformed('unknown version');
  const flavor = bytes[1];
  if (flavor !== 0 && flavor !== 1) throw malformed('unknown algorithm suite');
  const algorithmSuiteId = flavor === 0 ? 0x6700 : 0x6701;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 2 + MESSAGE_ID_LENGTH;
  const messageId = bytes.slice(2, pos);
  const legendLength = view.getUint16(pos);
  pos += 2;
  if (pos + legendLength > bytes.length) throw malformed('truncated legend');
  const legend: LegendAction[] = [];
  for (let i = 0; i < legendLength; i++) {
    const action = legendAction(bytes[pos + i] as number);
    if (action === undefined) throw malformed('invalid legend');
    legend.push(action);
  }
  pos += legendLength;
  const parsedContext = parseEncryptionContext(bytes, pos);
  if (parsedContext === undefined) throw malformed('invalid encryption context');
  pos = parsedContext.end;
  if (pos + 1 > bytes.length) throw malformed('truncated encrypted data keys');
  const edkCount = bytes[pos++] as number;
  if (edkCount === 0) throw malformed('no encrypted data key');
  const encryptedDataKeys: EncryptedDataKey[] = [];
  const field = (): Uint8Array => {
    if (pos + 2 > bytes.length) throw malformed('truncated encrypted data keys');
    const end = pos + 2 + view.getUint16(pos);
    if (end > bytes.length) throw malformed('truncated encrypted data keys');
    const value = bytes.slice(pos + 2, end);
    pos = end;
    return value;
  };
  for (let i = 0; i < edkCount; i++) {
    const idBytes = field();
    const keyProviderId = utf8DecodeStrict(idBytes);
    if (keyProviderId === undefined) throw malformed('invalid key provider id');
    const keyProviderInfo = field();
    const ciphertext = field();
    encryptedDataKeys.push({ keyProviderId, keyProviderInfo, ciphertext });
  }
  if (bytes.length - pos !== COMMITMENT_LENGTH) throw malformed(bytes.length - pos < COMMITMENT_LENGTH ? 'truncated' : 'unexpected bytes');
  return {
    version,
    algorithmSuiteId,
    messageId,
    legend,
    storedEncryptionContext: parsedContext.context,
    encryptedDataKeys,
    commitment: bytes.slice(pos),
    partialHeaderBytes: bytes.subarray(0, pos),
  };
}
