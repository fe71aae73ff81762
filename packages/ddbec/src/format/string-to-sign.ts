import { DdbecError } from '../errors.js';
import { CryptoAction, MATERIAL_DESCRIPTION_ATTRIBUTE, SIGNATURE_ATTRIBUTE } from './actions.js';
import type { Item, SerializationProfile } from './attribute-value.js';
import { sortInPlace, stringOrder } from './compare.js';
import { checkProfile, serializeTransient } from './serialize.js';
import { isWellFormed, utf8Encode } from './utf8.js';

function fromHex(hex: string): Uint8Array {
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

/** SHA256(ASCII("ENCRYPTED")), the marker of an ENCRYPT_AND_SIGN attribute (legacy-format §4.2). */
export const ENCRYPTED_MARKER_SHA256_HEX = '394115ac4eb09aa49429348816b2038127b0f9e3a520372ae100ca19fb08fd50';
/** SHA256(ASCII("PLAINTEXT")), the marker of a SIGN_ONLY attribute (legacy-format §4.2). */
export const PLAINTEXT_MARKER_SHA256_HEX = 'cb40e7dadc86161b9798de48512f332d21c141fcc1e28a086fde4a3375aab1b5';
// Private copies: the bytes are only ever copied into the output, never handed out.
const ENCRYPTED_MARKER_DIGEST = fromHex(ENCRYPTED_MARKER_SHA256_HEX);
const PLAINTEXT_MARKER_DIGEST = fromHex(PLAINTEXT_MARKER_SHA256_HEX);

const DIGEST_LENGTH = 32;

export interface StringToSignInput {
  /** The table name of the encryption context. */
  tableName: string;
  /** The stored item (ciphertext for encrypted attributes), without the two reserved attributes. */
  item: Item;
  /** The action of each attribute; DO_NOTHING attributes are left out. */
  actionOf: (attributeName: string) => CryptoAction;
  /**
   * SHA-256, injected (the format layer has no crypto). Each digest is copied at once, so it may
   * be returned in a reused buffer; `data` may be reused after the call: do not keep it.
   */
  sha256: (data: Uint8Array) => Uint8Array;
  /** SHA-256 of an attribute name's UTF-8; a cache hook, default `sha256(utf8(name))`. */
  hashName?: (attributeName: string) => Uint8Array;
  /** SHA-256 of `UTF8("TABLE>" + tableName + "<TABLE")`; a cache hook, by default computed with `sha256`. */
  hashTable?: (tableName: string) => Uint8Array;
  /** Value serialization and attribute-name order; default `'java'`. */
  profile?: SerializationProfile;
}

/**
 * The string to sign (legacy-format §4.2): `SHA256(UTF8("TABLE>" + tableName + "<TABLE"))`,
 * then for each attribute whose action is not DO_NOTHING, in attribute-name order of the
 * profile: `SHA256(name) || SHA256("ENCRYPTED" | "PLAINTEXT") || SHA256(serialize(value))`.
 * The result (32 + 96·n bytes) is signed as is, not hashed again.
 *
 * `*amzn-ddb-map-sig*` and `*amzn-ddb-map-desc*` are never signed (§4.3); they are skipped if
 * the item still contains them.
 *
 * Throws `ERR_MISSING_TABLE_NAME` without a table name, `ERR_SERIALIZATION` for an attribute
 * value that cannot be serialized or a name with an unpaired surrogate, and
 * `ERR_INVALID_ARGUMENT` for an unknown action or a digest that is not 32 bytes.
 */
export function stringToSign(input: StringToSignInput): Uint8Array {
  return build(input, fresh);
}

const fresh = (size: number): Uint8Array => new Uint8Array(size);
let reused = new Uint8Array(0);
const reusable = (size: number): Uint8Array => (reused.length === size ? reused : (reused = new Uint8Array(size)));

/**
 * {@link stringToSign} in a buffer that a later call may overwrite (it is reused while the
 * number of signed attributes stays the same): for signing or verifying at once.
 */
export function stringToSignTransient(input: StringToSignInput): Uint8Array {
  return build(input, reusable);
}

/** The names to sign, reused by every call (the string to sign never re-enters itself). */
const signed: string[] = [];

function build(input: StringToSignInput, allocate: (size: number) => Uint8Array): Uint8Array {
  const { tableName, item, actionOf, sha256, hashName, hashTable } = input;
  const profile = input.profile ?? 'java';
  checkProfile(profile);
  if (typeof tableName !== 'string') {
    throw new DdbecError('ERR_MISSING_TABLE_NAME', 'a table name is required to compute the string to sign');
  }
  if (!isWellFormed(tableName)) throw new DdbecError('ERR_SERIALIZATION', 'table name contains an unpaired surrogate');
  if (typeof item !== 'object' || item === null) throw new DdbecError('ERR_INVALID_ARGUMENT', 'item must be an object');

  signed.length = 0;
  try {
    // for-in over a plain object allocates nothing (Object.keys would allocate an array)
    for (const name in item) {
      if (!Object.hasOwn(item, name) || name === SIGNATURE_ATTRIBUTE || name === MATERIAL_DESCRIPTION_ATTRIBUTE) continue;
      const action = actionOf(name);
      if (action === CryptoAction.DoNothing) continue;
      if (action !== CryptoAction.EncryptAndSign && action !== CryptoAction.SignOnly) {
        throw new DdbecError('ERR_INVALID_ARGUMENT', 'actionOf returned an unknown action');
      }
      if (!isWellFormed(name)) throw new DdbecError('ERR_SERIALIZATION', 'attribute name contains an unpaired surrogate');
      signed.push(name);
    }
    sortInPlace(signed, stringOrder(profile));

    const out = allocate(DIGEST_LENGTH * (1 + 3 * signed.length));
    put(out, hashTable !== undefined ? hashTable(tableName) : sha256(utf8Encode(`TABLE>${tableName}<TABLE`)), 0);
    let offset = DIGEST_LENGTH;
    for (const name of signed) {
      const value = item[name];
      if (value === undefined) throw new DdbecError('ERR_SERIALIZATION', 'cannot serialize attribute value: value is missing');
      put(out, hashName !== undefined ? hashName(name) : sha256(utf8Encode(name)), offset);
      put(out, actionOf(name) === CryptoAction.EncryptAndSign ? ENCRYPTED_MARKER_DIGEST : PLAINTEXT_MARKER_DIGEST, offset + DIGEST_LENGTH);
      put(out, sha256(serializeTransient(value, profile)), offset + 2 * DIGEST_LENGTH);
      offset += 3 * DIGEST_LENGTH;
    }
    return out;
  } finally {
    signed.length = 0;
  }
}

function put(out: Uint8Array, digest: Uint8Array, offset: number): void {
  if (!(digest instanceof Uint8Array) || digest.length !== DIGEST_LENGTH) {
    throw new DdbecError('ERR_INVALID_ARGUMENT', 'sha256/hashName/hashTable must return 32 bytes');
  }
  out.set(digest, offset);
}
