/** UUID text ↔ its 16 bytes, as the hierarchical keyring stores a branch key version. */

const UUID_TEXT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The 16 bytes of a UUID in its 36-character text form; `undefined` for any other text. */
export function uuidToBytes(text: string): Uint8Array | undefined {
  if (typeof text !== 'string' || !UUID_TEXT.test(text)) return undefined;
  return new Uint8Array(Buffer.from(text.replaceAll('-', ''), 'hex'));
}

/** The lower-case text form of 16 UUID bytes. */
export function uuidFromBytes(bytes: Uint8Array): string {
  const hex = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
