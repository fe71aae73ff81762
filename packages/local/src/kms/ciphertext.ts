import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/*
 * Symmetric ciphertext blob of the local KMS (its own format; AWS's is private too):
 *
 *   offset  size  field
 *   0       2     magic "LK"
 *   2       1     format version: 1 for a key id that is a UUID, 2 for a multi-Region `mrk-` id
 *   3       16    key id (the UUID's or the mrk id's 16 bytes) — lets Decrypt find the key without KeyId
 *   19      4     key material version (uint32 BE)   — old material keeps decrypting after rotation
 *   23      12    AES-GCM IV (random)
 *   35      n     AES-256-GCM ciphertext
 *   35+n    16    AES-GCM tag
 *
 * AAD = the 23 header bytes || canonical(encryption context), so the key id, the
 * material version and the exact context are all authenticated.
 */

const MAGIC = Buffer.from('LK', 'latin1');
/** The format version byte says how the 16 key id bytes are written as text. */
const UUID_VERSION = 1;
const MRK_VERSION = 2;
export const HEADER_LENGTH = 23;
const IV_LENGTH = 12;
const TAG_LENGTH = 16;
/** Bytes a blob adds to its plaintext. */
export const BLOB_OVERHEAD = HEADER_LENGTH + IV_LENGTH + TAG_LENGTH;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MRK = /^mrk-[0-9a-f]{32}$/;

/** A key id of the local KMS: a lowercase UUID, or `mrk-` and 32 hex digits for multi-Region keys. */
export function isKeyId(keyId: string): boolean {
  return UUID.test(keyId) || MRK.test(keyId);
}

export interface BlobHeader {
  readonly keyId: string;
  readonly materialVersion: number;
}

function keyIdBytes(keyId: string): Buffer {
  if (MRK.test(keyId)) return Buffer.from(keyId.slice('mrk-'.length), 'hex');
  if (!UUID.test(keyId)) throw new Error(`not a lowercase UUID or mrk id: ${keyId}`);
  return Buffer.from(keyId.replaceAll('-', ''), 'hex');
}

function bytesKeyId(bytes: Buffer, version: number): string {
  const hex = bytes.toString('hex');
  if (version === MRK_VERSION) return `mrk-${hex}`;
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * Canonical, unambiguous serialization of an encryption context: pairs sorted by the
 * UTF-8 bytes of their keys, each key and value length-prefixed (uint32 BE).
 */
export function canonicalContext(context: Readonly<Record<string, string>>): Buffer {
  const pairs = Object.entries(context).map(([k, v]) => [Buffer.from(k, 'utf8'), Buffer.from(v, 'utf8')] as const);
  pairs.sort((a, b) => Buffer.compare(a[0], b[0]));
  const parts: Buffer[] = [u32(pairs.length)];
  for (const [k, v] of pairs) parts.push(u32(k.length), k, u32(v.length), v);
  return Buffer.concat(parts);
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

function header(keyId: string, materialVersion: number): Buffer {
  const h = Buffer.alloc(HEADER_LENGTH);
  MAGIC.copy(h, 0);
  h.writeUInt8(MRK.test(keyId) ? MRK_VERSION : UUID_VERSION, 2);
  keyIdBytes(keyId).copy(h, 3);
  h.writeUInt32BE(materialVersion, 19);
  return h;
}

/** Encrypts `plaintext` under one version of a key's 32-byte backing material. */
export function seal(
  keyId: string,
  materialVersion: number,
  material: Buffer,
  plaintext: Buffer,
  context: Readonly<Record<string, string>>,
): Buffer {
  const head = header(keyId, materialVersion);
  const iv = randomBytes(IV_LENGTH);
  const cipher = createCipheriv('aes-256-gcm', material, iv, { authTagLength: TAG_LENGTH });
  cipher.setAAD(Buffer.concat([head, canonicalContext(context)]));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([head, iv, body, cipher.getAuthTag()]);
}

/** Reads the (not yet authenticated) header; undefined when the blob is not one of ours. */
export function readHeader(blob: Buffer): BlobHeader | undefined {
  if (blob.length < BLOB_OVERHEAD) return undefined;
  const version = blob.readUInt8(2);
  if (!blob.subarray(0, 2).equals(MAGIC) || (version !== UUID_VERSION && version !== MRK_VERSION)) return undefined;
  return { keyId: bytesKeyId(blob.subarray(3, 19), version), materialVersion: blob.readUInt32BE(19) };
}

/** Decrypts and authenticates; undefined on any mismatch (bit flip, other material, other context). */
export function open(blob: Buffer, material: Buffer, context: Readonly<Record<string, string>>): Buffer | undefined {
  if (readHeader(blob) === undefined) return undefined;
  const head = blob.subarray(0, HEADER_LENGTH);
  const iv = blob.subarray(HEADER_LENGTH, HEADER_LENGTH + IV_LENGTH);
  const body = blob.subarray(HEADER_LENGTH + IV_LENGTH, blob.length - TAG_LENGTH);
  const tag = blob.subarray(blob.length - TAG_LENGTH);
  try {
    const decipher = createDecipheriv('aes-256-gcm', material, iv, { authTagLength: TAG_LENGTH });
    decipher.setAAD(Buffer.concat([head, canonicalContext(context)]));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(body), decipher.final()]);
  } catch {
    return undefined;
  }
}
