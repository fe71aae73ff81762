/**
 * The DB-ESDK footer (`aws_dbe_foot`, dbesdk-spec structured-encryption/footer.md): one 48-byte
 * HMAC-SHA384 recipient tag per encrypted data key, then, for suite 0x6701, the ECDSA P-384
 * signature as a fixed 103-byte DER field (what the Java and .NET writers store; the spec text
 * says 96).
 */
import { DdbecError } from '../errors.js';

export const RECIPIENT_TAG_LENGTH = 48;
export const FOOTER_SIGNATURE_LENGTH = 103;

export interface Footer {
  readonly recipientTags: readonly Uint8Array[];
  readonly signature?: Uint8Array | undefined;
}

export function serializeFooter(footer: Footer): Uint8Array {
  const signatureLength = footer.signature?.length ?? 0;
  const out = new Uint8Array(footer.recipientTags.length * RECIPIENT_TAG_LENGTH + signatureLength);
  footer.recipientTags.forEach((tag, i) => {
    if (tag.length !== RECIPIENT_TAG_LENGTH) throw new DdbecError('ERR_INVALID_ARGUMENT', 'a recipient tag is 48 bytes');
    out.set(tag, i * RECIPIENT_TAG_LENGTH);
  });
  if (footer.signature !== undefined) {
    if (signatureLength !== FOOTER_SIGNATURE_LENGTH) throw new DdbecError('ERR_INVALID_ARGUMENT', 'the footer signature is 103 bytes');
    out.set(footer.signature, out.length - signatureLength);
  }
  return out;
}

/**
 * Splits a footer written for `edkCount` encrypted data keys, with or without a signature.
 * Returns `undefined` when its length does not fit.
 */
export function parseFooter(bytes: Uint8Array, edkCount: number, signed: boolean): Footer | undefined {
  const tagsLength = edkCount * RECIPIENT_TAG_LENGTH;
  if (bytes.length !== tagsLength + (signed ? FOOTER_SIGNATURE_LENGTH : 0)) return undefined;
  const recipientTags: Uint8Array[] = [];
  for (let i = 0; i < edkCount; i++) recipientTags.push(bytes.subarray(i * RECIPIENT_TAG_LENGTH, (i + 1) * RECIPIENT_TAG_LENGTH));
  return { recipientTags, signature: signed ? bytes.subarray(tagsLength) : undefined };
}
