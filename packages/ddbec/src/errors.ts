/**
 * The one error class of ddbec. Every failure the library raises on purpose is a
 * `DdbecError` with a stable `code`; match on the code (with {@link isDdbecError}), never on
 * the message. Messages of decryption and signature failures name the item (table and key)
 * but never contain plaintext, key bytes, or which byte or check failed.
 */

export type DdbecErrorCode =
  /** A public input is invalid (wrong type, missing field, out of range). */
  | 'ERR_INVALID_ARGUMENT'
  /** An attribute value cannot be serialized (no type, unknown type, bad number, too deep). */
  | 'ERR_SERIALIZATION'
  /** Serialized attribute bytes are malformed. */
  | 'ERR_DESERIALIZATION'
  /** The material description attribute is malformed or has an unknown version. */
  | 'ERR_MATERIAL_DESCRIPTION'
  /** An algorithm named in a configuration or material description is not supported. */
  | 'ERR_UNSUPPORTED_ALGORITHM'
  /** Key material is unusable: wrong type, size or encoding. */
  | 'ERR_INVALID_KEY'
  /** A plaintext item or an action override uses a reserved attribute name. */
  | 'ERR_RESERVED_ATTRIBUTE'
  /** The configuration would encrypt a primary-key (or index-key) attribute. */
  | 'ERR_KEY_ATTRIBUTE_ENCRYPTED'
  /** An item cannot be encrypted or signed without a table name in its encryption context. */
  | 'ERR_MISSING_TABLE_NAME'
  /** A stored item is not a well-formed encrypted item (missing signature, wrong types). */
  | 'ERR_MALFORMED_ITEM'
  /** The item signature does not verify. */
  | 'ERR_SIGNATURE_INVALID'
  /** An encrypted attribute cannot be decrypted. */
  | 'ERR_DECRYPTION_FAILED'
  /** Encrypting an attribute failed. */
  | 'ERR_ENCRYPTION_FAILED'
  /** A content key cannot be wrapped. */
  | 'ERR_WRAPPING_FAILED'
  /** A content key cannot be unwrapped (wrong key, integrity check failed, missing envelope). */
  | 'ERR_UNWRAPPING_FAILED'
  /** The materials provider has no materials for this item. */
  | 'ERR_MATERIALS_UNAVAILABLE'
  /**
   * The AWS SDK integration (`ddbec/sdk`) refuses an operation or parameter on an encrypted
   * table because it cannot be done safely: PartiQL, the legacy parameters (`Expected`,
   * `AttributeUpdates`, `ScanFilter`, `QueryFilter`, `KeyConditions`, `ConditionalOperator`),
   * a query on an index that does not project every attribute. Nothing was sent.
   */
  | 'ERR_UNSUPPORTED_OPERATION'
  /**
   * A condition, filter or key-condition expression compares an encrypted attribute
   * (DynamoDB only sees its ciphertext). Sign-only and do-nothing attributes are fine. Nothing was sent.
   */
  | 'ERR_ENCRYPTED_ATTRIBUTE_IN_EXPRESSION'
  /**
   * An update expression changes a signed or encrypted attribute, which would break the
   * item's signature; use `readModifyWrite` (ddbec/sdk) instead. Nothing was sent.
   */
  | 'ERR_SIGNED_ATTRIBUTE_UPDATE'
  /**
   * A read asks for a subset of an encrypted item's attributes (`ProjectionExpression`,
   * `AttributesToGet`, `Select: SPECIFIC_ATTRIBUTES | ALL_PROJECTED_ATTRIBUTES`): the signature
   * covers the whole item, so a partial item cannot be verified. Nothing was sent.
   */
  | 'ERR_PROJECTION'
  /** A request names a table that is not in the SDK integration's table map, and unknown tables are configured as errors. */
  | 'ERR_UNKNOWN_TABLE'
  /** `ddbec/at-rest`: the DynamoDB table does not exist (DescribeTable answered ResourceNotFoundException, the `cause`). */
  | 'ERR_TABLE_NOT_FOUND'
  /**
   * `ddbec/at-rest`: the KMS key cannot protect the table — unknown, disabled, pending deletion,
   * not a symmetric ENCRYPT_DECRYPT key, in another region than the table, or an AWS managed key.
   * The table was not changed.
   */
  | 'ERR_AT_REST_KEY_UNUSABLE'
  /**
   * `ddbec/at-rest`: the table is inaccessible (its KMS key is disabled, pending deletion or gone)
   * or archived, so its encryption cannot be changed; make the key usable again first (or restore
   * the archive backup). The table was not changed.
   */
  | 'ERR_AT_REST_TABLE_INACCESSIBLE'
  /** `ddbec/at-rest`: an encryption change did not finish within the timeout (it may still finish later). */
  | 'ERR_AT_REST_TIMEOUT'
  /** `ddbec/at-rest`: a DynamoDB or KMS request failed for another reason; the SDK error is the `cause`. */
  | 'ERR_AT_REST_REQUEST_FAILED'
  /**
   * `ddbec/sdk`: an item would exceed DynamoDB's 400 KB item size limit once encrypted; the
   * message gives its size in plaintext and encrypted (as DynamoDB counts them). Nothing was sent.
   */
  | 'ERR_ITEM_TOO_LARGE';

const BRAND = Symbol.for('ddbec.error');

export class DdbecError extends Error {
  override readonly name = 'DdbecError';
  readonly code: DdbecErrorCode;

  constructor(code: DdbecErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    Object.defineProperty(this, BRAND, { value: true });
  }
}

/**
 * True for a ddbec error, optionally of one code. Works across the ESM and CommonJS builds
 * of the package (where `instanceof` would not).
 */
export function isDdbecError(error: unknown, code?: DdbecErrorCode): error is DdbecError {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as Record<symbol, unknown>)[BRAND] === true &&
    (code === undefined || (error as DdbecError).code === code)
  );
}
