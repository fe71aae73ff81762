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
  /** A searchable-encryption (beacon) configuration is invalid; the message says which rule it breaks. */
  | 'ERR_BEACON_CONFIG'
  /** An item cannot be written with the table's beacons (e.g. a supplied signed beacon that differs from the one its parts build). Nothing was written. */
  | 'ERR_BEACON_WRITE'
  /** A query or scan uses a beacon in a way searchable encryption cannot answer (e.g. `<` on a standard beacon). Nothing was sent. */
  | 'ERR_BEACON_QUERY'
  /** The configuration would encrypt a primary-key (or index-key) attribute. */
  | 'ERR_KEY_ATTRIBUTE_ENCRYPTED'
  /** An item cannot be encrypted or signed without a table name in its encryption context. */
  | 'ERR_MISSING_TABLE_NAME'
  /** A stored item is not a well-formed encrypted item (missing signature, wrong types). */
  | 'ERR_MALFORMED_ITEM'
  /** The item signature does not verify. */
  | 'ERR_SIGNATURE_INVALID'
  /**
   * A signed number has more than 28 significant digits where the signature covers only 28:
   * reading, an item signed in the Python form (the Python client signs numbers rounded), unless
   * `acceptPythonRoundedNumbers` is set; writing, with `signingProfile: 'python'`. Nothing was returned or written.
   */
  | 'ERR_UNPROTECTED_NUMBER_DIGITS'
  /** `signingProfile: 'portable'`: the item would be signed differently by the Java and Python clients. Nothing was written. */
  | 'ERR_NOT_PORTABLE'
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
   * item's signature; the message names every such attribute. Write the whole item or use
   * `readModifyWrite` (ddbec/sdk) instead. (A sign-only attribute written with a plain value or
   * `if_not_exists` of itself is let through, guarded by a condition that it keeps its value.)
   * Nothing was sent.
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
   * Retryable. AWS KMS throttled the request (`ThrottlingException`, `LimitExceededException`,
   * HTTP 429) and the AWS SDK's own retries did not get through. The key and the item are fine:
   * back off and try again. The SDK error is the `cause`.
   */
  | 'ERR_KMS_THROTTLED'
  /**
   * Retryable. AWS KMS could not be reached or failed on its side: a network error, a timeout,
   * `KMSInternalException`, `DependencyTimeoutException`, `KeyUnavailableException`, HTTP 5xx.
   * The key and the item are fine: try again later. The SDK error is the `cause`.
   */
  | 'ERR_KMS_UNAVAILABLE'
  /**
   * Retryable. DynamoDB throttled a request to the MetaStore table
   * (`ProvisionedThroughputExceededException`, `RequestLimitExceeded`, `ThrottlingException`,
   * HTTP 429) after the AWS SDK's retries. Back off and try again. The SDK error is the `cause`.
   */
  | 'ERR_METASTORE_THROTTLED'
  /**
   * Retryable. The MetaStore table could not be reached or DynamoDB failed on its side: a network
   * error, a timeout, `InternalServerError`, `ServiceUnavailable`, HTTP 5xx. Try again later.
   * The SDK error is the `cause`.
   */
  | 'ERR_METASTORE_UNAVAILABLE'
  /**
   * A plaintext item holds a value DynamoDB would refuse to store — a number with more than 38
   * significant digits or outside 1E-130 … 9.99…E+125, an empty set, a set with duplicate
   * members, nesting deeper than DynamoDB allows, an empty name, an empty or oversized key value.
   * Checked before anything is encrypted or sent (an encrypted value would hide it from
   * DynamoDB); the message names the attribute and where in it, never the value.
   */
  | 'ERR_INVALID_ITEM'
  /**
   * `ddbec/sdk`: an item would exceed DynamoDB's 400 KB item size limit once encrypted; the
   * message gives its size in plaintext and encrypted (as DynamoDB counts them). Nothing was sent.
   */
  | 'ERR_ITEM_TOO_LARGE'
  /**
   * A stored item is in a format its table's DB-ESDK configuration does not read: a legacy
   * item (`*amzn-ddb-map-desc*` and `*amzn-ddb-map-sig*`) without a `legacyOverride` that
   * allows legacy decryption, or a plaintext item (neither `aws_dbe_head` nor `aws_dbe_foot`)
   * without a `plaintextOverride` that allows plaintext reads.
   */
  | 'ERR_ITEM_FORMAT_REFUSED'
  /**
   * Retryable. DynamoDB throttled a request to the branch key store table after the AWS SDK's
   * retries (the same errors as `ERR_METASTORE_THROTTLED`). Back off and try again. The SDK error is the `cause`.
   */
  | 'ERR_BRANCH_KEY_STORE_THROTTLED'
  /**
   * Retryable. The branch key store table could not be reached or DynamoDB failed on its side
   * (the same errors as `ERR_METASTORE_UNAVAILABLE`). Try again later. The SDK error is the `cause`.
   */
  | 'ERR_BRANCH_KEY_STORE_UNAVAILABLE'
  /**
   * The branch key store has no such branch key, version or beacon key, or its table does not
   * exist. Nothing was changed.
   */
  | 'ERR_BRANCH_KEY_NOT_FOUND'
  /**
   * `createKey` with a branch key id that already exists, or `versionKey` raced another writer
   * that changed the active version first (DynamoDB refused the conditional transaction).
   * Nothing was written; read the key again before retrying.
   */
  | 'ERR_BRANCH_KEY_CONFLICT'
  /**
   * The branch key store refused: its table has another key schema, a record lacks a field
   * or has a wrong type, a record's KMS key is not the configured one, or DynamoDB failed for
   * another reason (the `cause`). Nothing was changed.
   */
  | 'ERR_BRANCH_KEY_STORE'
  /**
   * `ddbec/pkcs11`: the optional peer dependency `pkcs11js` is not installed, or the PKCS#11
   * module (the HSM's library) could not be loaded or initialised.
   */
  | 'ERR_PKCS11_UNAVAILABLE'
  /** `ddbec/pkcs11`: no token with that label, or in that slot; the message lists those present. */
  | 'ERR_PKCS11_TOKEN_NOT_FOUND'
  /** `ddbec/pkcs11`: the token refused the PIN (wrong, expired, locked or not set). */
  | 'ERR_PKCS11_LOGIN_FAILED'
  /** `ddbec/pkcs11`: no key (or more than one) of the expected class with that label or ID. */
  | 'ERR_PKCS11_KEY_NOT_FOUND'
  /** `ddbec/pkcs11`: the key may not do what was asked: the attribute named (`CKA_WRAP`, `CKA_SIGN`, …) is not set. */
  | 'ERR_PKCS11_KEY_USAGE'
  /** `ddbec/pkcs11`: the token failed an operation or was closed; the message gives the `CKR_…` return value. */
  | 'ERR_PKCS11_FAILED';

const BRAND = Symbol.for('ddbec.error');

/** The codes of transient failures: the same call may succeed later. */
const RETRYABLE_CODES: ReadonlySet<DdbecErrorCode> = new Set<DdbecErrorCode>([
  'ERR_KMS_THROTTLED',
  'ERR_KMS_UNAVAILABLE',
  'ERR_METASTORE_THROTTLED',
  'ERR_METASTORE_UNAVAILABLE',
  'ERR_BRANCH_KEY_STORE_THROTTLED',
  'ERR_BRANCH_KEY_STORE_UNAVAILABLE',
]);

export class DdbecError extends Error {
  override readonly name = 'DdbecError';
  readonly code: DdbecErrorCode;
  /**
   * True when the failure is transient — throttling, a network error, a timeout, a failure on
   * the service's side — so the same call may succeed later; false for permanent failures
   * (a disabled or wrong key, tampering, a bad configuration). Follows from the `code`, so an
   * error re-raised with the same code keeps it.
   */
  readonly retryable: boolean;

  constructor(code: DdbecErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.retryable = RETRYABLE_CODES.has(code);
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

/**
 * True when retrying the failed call may succeed: for a ddbec error, its `retryable` flag; for
 * an error of the AWS SDK (which `ddbec/sdk` passes on unchanged, e.g. DynamoDB's own
 * `ProvisionedThroughputExceededException`), whether it is throttling, a network error, a
 * timeout or a failure on the service's side — the same rules ddbec applies to KMS and the
 * MetaStore. Anything else: false.
 */
export function isRetryable(error: unknown): boolean {
  return isDdbecError(error) ? error.retryable : transientFailure(error) !== undefined;
}

/** Names of AWS errors that mean "too many requests" (KMS, DynamoDB). */
const THROTTLING_NAMES = new Set([
  'ThrottlingException',
  'LimitExceededException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
]);
/** Names of AWS errors that mean "the service failed on its side or did not answer in time". */
const UNAVAILABLE_NAMES = new Set([
  'KMSInternalException',
  'DependencyTimeoutException',
  'KeyUnavailableException',
  'InternalServerError',
  'ServiceUnavailable',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
]);
/** Node.js socket and DNS error codes of a service that cannot be reached (for now). */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
const UNAVAILABLE_STATUS = new Set([500, 502, 503, 504]);

/**
 * Classifies an error thrown by an AWS SDK client (after its own retries): `throttled`,
 * `unavailable` (network error, timeout, server-side failure), or undefined for anything
 * else, which is permanent.
 */
export function transientFailure(error: unknown): 'throttled' | 'unavailable' | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { name, code, $metadata } = error as { name?: unknown; code?: unknown; $metadata?: { httpStatusCode?: unknown } };
  const status = $metadata?.httpStatusCode;
  if ((typeof name === 'string' && THROTTLING_NAMES.has(name)) || status === 429) return 'throttled';
  if (
    (typeof name === 'string' && UNAVAILABLE_NAMES.has(name)) ||
    (typeof code === 'string' && NETWORK_CODES.has(code)) ||
    (typeof status === 'number' && UNAVAILABLE_STATUS.has(status))
  ) {
    return 'unavailable';
  }
  return undefined;
}
