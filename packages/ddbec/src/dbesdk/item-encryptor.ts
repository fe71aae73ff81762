/**
 * The DB-ESDK item encryptor (dbesdk-spec dynamodb-encryption-client/encrypt-item.md,
 * decrypt-item.md; structured-encryption/encrypt-path-structure.md, decrypt-path-structure.md).
 *
 * Encrypting an item:
 * 1. every attribute gets its configured action (attributes allowed unsigned: DO_NOTHING); the
 *    signed ones are serialized as terminals and ordered by canonical path;
 * 2. the encryption context: table name, key names and (version 1) key values, or (version 2)
 *    the SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT values and their legend — all reproduced from the
 *    item on decrypt, so none of it is stored — plus, for suite 0x6701, a fresh ECDSA public key
 *    (stored in the header);
 * 3. the keyring makes the data key and the encrypted data keys (one symmetric signing key each);
 * 4. HKDF-SHA512 of the data key with the message id gives the field root key and the commit
 *    key; each ENCRYPT_AND_SIGN value is AES-256-GCM encrypted under a key and nonce taken from
 *    an AES-256-CTR stream of the root key at its position, with its canonical path as AAD, and
 *    stored as B: type id (2) || ciphertext || tag;
 * 5. `aws_dbe_head` = header + commitment (HMAC-SHA512 of the commit key, first 32 bytes);
 *    `aws_dbe_foot` = HMAC-SHA384 of the canonical hash per EDK (+ the ECDSA signature).
 */
import {
  aes256CtrKeyStream,
  aesGcmDecrypt,
  aesGcmEncrypt,
  EcdsaP384PrivateKey,
  ecdsaP384Verify,
  hkdfSha512,
  hmacSha384,
  hmacSha512,
  sha384,
} from '../crypto/dbe.js';
import { randomBytes, timingSafeEqual } from '../crypto/primitives.js';
import { DdbecError, isDdbecError } from '../errors.js';
import type { AttributeValue, Item } from '../format/attribute-value.js';
import { isWellFormed, utf8Encode } from '../format/utf8.js';
import { validateItem } from '../format/validate.js';
import type { AlgorithmSuite } from '../keyrings/algorithm-suites.js';
import { algorithmSuiteById } from '../keyrings/algorithm-suites.js';
import type { DecryptionMaterials, EncryptionMaterials } from '../keyrings/types.js';
import { deserializeTerminal, serializeTerminal, TypeId, type Terminal } from '../structured/attribute.js';
import { canonicalPath, canonicalRecord, comparePaths, type CanonicalField } from '../structured/canonical.js';
import { serializeEncryptionContext } from '../structured/encryption-context.js';
import { parseFooter, serializeFooter } from '../structured/footer.js';
import { COMMITMENT_LENGTH, MESSAGE_ID_LENGTH, parseHeader, serializePartialHeader, type LegendAction, type ParsedHeader } from '../structured/header.js';
import {
  FOOTER_ATTRIBUTE,
  HEADER_ATTRIBUTE,
  isAllowedUnsigned,
  RESERVED_PREFIX,
  resolveConfig,
  type DbesdkCryptoAction,
  type DbesdkItemEncryptorConfig,
  type ResolvedConfig,
} from './config.js';

const PUBLIC_KEY_CONTEXT_KEY = 'aws-crypto-public-key';
const TABLE_NAME_KEY = 'aws-crypto-table-name';
const PARTITION_NAME_KEY = 'aws-crypto-partition-name';
const SORT_NAME_KEY = 'aws-crypto-sort-name';
const ATTRIBUTE_KEY_PREFIX = 'aws-crypto-attr.';
const LEGEND_KEY = 'aws-crypto-legend';
const DERIVE_KEY_LABEL = utf8Encode('AWS_DBE_DERIVE_KEY');
const COMMIT_KEY_LABEL = utf8Encode('AWS_DBE_COMMIT_KEY');
const FIELD_NONCE_PREFIX = utf8Encode('AwsDbeField');
const FIELD_KEY_LENGTH = 44;
/** The three AES blocks of key stream each field's key is taken from. */
const FIELD_BLOCKS_LENGTH = 48;
const CIPHER_KEY_LENGTH = 32;
/** Attribute names whose canonical path an encryptor keeps (cleared when full). */
const PATH_CACHE_SIZE = 1024;

/** A signed attribute of an item, in canonical-path order. */
interface SignedField {
  readonly name: string;
  readonly path: Uint8Array;
  readonly action: LegendAction;
  /** The plaintext terminal (encrypt), or the stored one (decrypt). */
  readonly terminal: Terminal;
}

/**
 * Encrypts and decrypts DynamoDB items in the AWS Database Encryption SDK format, for one table
 * configuration. Items are the low-level attribute-value maps of the AWS SDK v3.
 */
export class DbesdkItemEncryptor {
  readonly #config: ResolvedConfig;
  readonly #tableName: Uint8Array;
  readonly #paths = new Map<string, Uint8Array>();

  constructor(config: DbesdkItemEncryptorConfig) {
    this.#config = resolveConfig(config);
    this.#tableName = utf8Encode(this.#config.logicalTableName);
  }

  /** The logical table name this encryptor binds items to. */
  get logicalTableName(): string {
    return this.#config.logicalTableName;
  }

  get partitionKeyName(): string {
    return this.#config.partitionKeyName;
  }

  get sortKeyName(): string | undefined {
    return this.#config.sortKeyName;
  }

  /** The action an attribute of a plaintext item gets, or `undefined` when the configuration has none for it. */
  actionOf(name: string): DbesdkCryptoAction | undefined {
    return this.#config.actions.get(name) ?? (isAllowedUnsigned(this.#config, name) ? 'DO_NOTHING' : undefined);
  }

  /** The encrypted form of `item` (a new object; `item` is not modified). */
  async encryptItem(item: Item): Promise<Item> {
    const config = this.#config;
    validateItem(item, { partitionKeyName: config.partitionKeyName, sortKeyName: config.sortKeyName });
    this.#checkKeysPresent(item, 'encrypt');
    const fields: SignedField[] = [];
    for (const name of Object.keys(item)) {
      if (name.startsWith(RESERVED_PREFIX)) {
        throw new DdbecError('ERR_RESERVED_ATTRIBUTE', `the item must not contain "${name}" (the prefix ${RESERVED_PREFIX} is reserved)`);
      }
      const action = this.actionOf(name);
      if (action === undefined) {
        throw new DdbecError(
          'ERR_INVALID_ARGUMENT',
          `attribute "${name}" has no action in attributeActionsOnEncrypt and is not allowed unsigned`,
        );
      }
      if (action === 'DO_NOTHING') continue;
      if (!isWellFormed(name)) throw new DdbecError('ERR_SERIALIZATION', 'a signed attribute name has an unpaired surrogate');
      fields.push({ name, path: this.#path(name), action, terminal: serializeTerminal(item[name] as AttributeValue) });
    }
    for (const [name, action] of config.actions) {
      if (action === 'SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT' && !Object.hasOwn(item, name)) {
        throw new DdbecError('ERR_INVALID_ARGUMENT', `attribute "${name}" is SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT but missing from the item`);
      }
    }
    fields.sort((a, b) => comparePaths(a.path, b.path));

    const requiredContext = this.#reproducedContext(config.version, item, fields);
    const suite = config.suite;
    let signingKey: EcdsaP384PrivateKey | undefined;
    const encryptionContext: Record<string, string> = { ...requiredContext };
    if (suite.signature !== undefined) {
      const pair = EcdsaP384PrivateKey.generate();
      signingKey = pair.privateKey;
      encryptionContext[PUBLIC_KEY_CONTEXT_KEY] = Buffer.from(pair.publicKey).toString('base64');
    }
    const materials = checkEncryptionMaterials(
      await config.keyring.onEncrypt({
        algorithmSuite: suite,
        encryptionContext,
        encryptedDataKeys: [],
        requiredEncryptionContextKeys: Object.keys(requiredContext),
        signingKey,
      }),
      suite,
    );
    const dataKey = materials.plaintextDataKey;
    const messageId = randomBytes(MESSAGE_ID_LENGTH);
    const storedContext: Record<string, string> = {};
    for (const [key, value] of Object.entries(materials.encryptionContext)) {
      if (!materials.requiredEncryptionContextKeys.includes(key)) storedContext[key] = value;
    }
    const partialHeader = serializePartialHeader({
      version: config.version,
      algorithmSuiteId: suite.id,
      messageId,
      legend: fields.map((f) => f.action),
      storedEncryptionContext: storedContext,
      encryptedDataKeys: materials.encryptedDataKeys,
    });
    const header = concat(partialHeader, commitment(dataKey, messageId, partialHeader));

    const rootKey = hkdfSha512(dataKey, concat(DERIVE_KEY_LABEL, messageId), suite.keyLength);
    const keyOf = fieldKeys(rootKey, fields.filter((f) => f.action === 'ENCRYPT_AND_SIGN').length);
    rootKey.fill(0);
    const stored: CanonicalField[] = [];
    const out: Item = {};
    for (const name of Object.keys(item)) put(out, name, item[name] as AttributeValue);
    let position = 0;
    for (const field of fields) {
      if (field.action !== 'ENCRYPT_AND_SIGN') {
        stored.push({ path: field.path, encrypted: false, terminal: field.terminal });
        continue;
      }
      const { key, nonce } = keyOf(position++);
      const sealed = aesGcmEncrypt(key, nonce, field.terminal.value, field.path, 2);
      const value = new Uint8Array(sealed.buffer, sealed.byteOffset, sealed.byteLength);
      key.fill(0);
      value[0] = field.terminal.typeId >> 8;
      value[1] = field.terminal.typeId & 0xff;
      stored.push({ path: field.path, encrypted: true, terminal: { typeId: TypeId.B, value } });
      put(out, field.name, { B: value });
    }

    const hash = sha384(canonicalRecord(header, serializeEncryptionContext(materials.encryptionContext), stored));
    const footer = serializeFooter({
      recipientTags: (materials.symmetricSigningKeys as readonly Uint8Array[]).map((key) => hmacSha384(key, hash)),
      signature: signingKey?.sign(hash),
    });
    put(out, HEADER_ATTRIBUTE, { B: header });
    put(out, FOOTER_ATTRIBUTE, { B: footer });
    return out;
  }

  /**
   * The plaintext form of an encrypted item (a new object without `aws_dbe_head` and
   * `aws_dbe_foot`). Refuses an item whose header, footer, signed attributes or encrypted values
   * were altered, added or removed, with `ERR_SIGNATURE_INVALID` (or `ERR_MALFORMED_ITEM` for
   * an item that is not in the format).
   */
  async decryptItem(item: Item): Promise<Item> {
    const config = this.#config;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      throw new DdbecError('ERR_INVALID_ARGUMENT', 'the item must be an object of attribute values');
    }
    this.#checkKeysPresent(item, 'decrypt');
    const where = (): string => this.#describe(item);
    const headerBytes = binary(item[HEADER_ATTRIBUTE]);
    const footerBytes = binary(item[FOOTER_ATTRIBUTE]);
    if (headerBytes === undefined || footerBytes === undefined) {
      throw new DdbecError('ERR_MALFORMED_ITEM', `${where()} is not a DB-ESDK item (no binary ${HEADER_ATTRIBUTE} and ${FOOTER_ATTRIBUTE})`);
    }
    let header: ParsedHeader;
    try {
      header = parseHeader(headerBytes);
    } catch (error) {
      throw rethrowWith(error, where());
    }
    const suite = algorithmSuiteById(header.algorithmSuiteId) as AlgorithmSuite;
    const hasContextLegend = header.legend.includes('SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT');
    if (hasContextLegend !== (header.version === 2)) {
      throw new DdbecError('ERR_MALFORMED_ITEM', `${where()}: its DB-ESDK header version does not match its legend`);
    }

    const signed = Object.keys(item)
      .filter((name) => !isAllowedUnsigned(config, name))
      .map((name) => ({ name, path: this.#path(name) }))
      .sort((a, b) => comparePaths(a.path, b.path));
    if (signed.length !== header.legend.length) throw signatureInvalid(where());
    const fields: SignedField[] = [];
    for (const [i, { name, path }] of signed.entries()) {
      let terminal: Terminal;
      try {
        terminal = serializeTerminal(item[name] as AttributeValue);
      } catch {
        // A value without a serialization cannot have been signed.
        throw signatureInvalid(where());
      }
      fields.push({ name, path, action: header.legend[i] as LegendAction, terminal });
    }

    let requiredContext: Record<string, string>;
    try {
      requiredContext = this.#reproducedContext(header.version, item, fields);
    } catch (error) {
      throw rethrowWith(error, where());
    }
    const encryptionContext: Record<string, string> = { ...header.storedEncryptionContext };
    for (const [key, value] of Object.entries(requiredContext)) {
      if (Object.hasOwn(encryptionContext, key) && encryptionContext[key] !== value) throw signatureInvalid(where());
      encryptionContext[key] = value;
    }
    const publicKey = encryptionContext[PUBLIC_KEY_CONTEXT_KEY];
    if ((publicKey !== undefined) !== (suite.signature !== undefined)) throw signatureInvalid(where());

    let materials: DecryptionMaterials;
    try {
      materials = checkDecryptionMaterials(
        await config.keyring.onDecrypt(
          {
            algorithmSuite: suite,
            encryptionContext,
            requiredEncryptionContextKeys: Object.keys(requiredContext),
            verificationKey: publicKey === undefined ? undefined : Buffer.from(publicKey, 'base64'),
          },
          header.encryptedDataKeys,
        ),
        suite,
      );
    } catch (error) {
      throw rethrowWith(error, where());
    }
    const dataKey = materials.plaintextDataKey as Uint8Array;
    const expectedCommitment = commitment(dataKey, header.messageId, header.partialHeaderBytes);
    if (!timingSafeEqual(expectedCommitment, header.commitment)) throw signatureInvalid(where());

    const footer = parseFooter(footerBytes, header.encryptedDataKeys.length, suite.signature !== undefined);
    if (footer === undefined) throw signatureInvalid(where());
    const canonical: CanonicalField[] = [];
    for (const field of fields) {
      const encrypted = field.action === 'ENCRYPT_AND_SIGN';
      if (encrypted && (field.terminal.typeId !== TypeId.B || field.terminal.value.length < 2)) throw signatureInvalid(where());
      canonical.push({ path: field.path, encrypted, terminal: field.terminal });
    }
    const hash = sha384(canonicalRecord(headerBytes, serializeEncryptionContext(encryptionContext), canonical));
    const tag = hmacSha384(materials.symmetricSigningKey as Uint8Array, hash);
    let tagFound = false;
    for (const candidate of footer.recipientTags) if (timingSafeEqual(tag, candidate)) tagFound = true;
    if (!tagFound) throw signatureInvalid(where());
    if (publicKey !== undefined && !ecdsaP384Verify(Buffer.from(publicKey, 'base64'), hash, footer.signature as Uint8Array)) {
      throw signatureInvalid(where());
    }

    const rootKey = hkdfSha512(dataKey, concat(DERIVE_KEY_LABEL, header.messageId), suite.keyLength);
    const keyOf = fieldKeys(rootKey, header.legend.filter((action) => action === 'ENCRYPT_AND_SIGN').length);
    rootKey.fill(0);
    const out: Item = {};
    for (const name of Object.keys(item)) {
      if (!name.startsWith(RESERVED_PREFIX)) put(out, name, item[name] as AttributeValue);
    }
    let position = 0;
    for (const field of fields) {
      if (field.action !== 'ENCRYPT_AND_SIGN') continue;
      const { key, nonce } = keyOf(position++);
      const stored = field.terminal.value;
      const plaintext = aesGcmDecrypt(key, nonce, stored.subarray(2), field.path);
      key.fill(0);
      if (plaintext === undefined) throw decryptionFailed(where(), field.name);
      try {
        put(out, field.name, deserializeTerminal(((stored[0] as number) << 8) | (stored[1] as number), plaintext));
      } catch {
        throw decryptionFailed(where(), field.name);
      }
    }
    return out;
  }

  /** The canonical path of an attribute; the paths of the names seen most are kept. */
  #path(name: string): Uint8Array {
    let path = this.#paths.get(name);
    if (path === undefined) {
      path = canonicalPath(this.#tableName, name);
      if (this.#paths.size >= PATH_CACHE_SIZE) this.#paths.clear();
      this.#paths.set(name, path);
    }
    return path;
  }

  #checkKeysPresent(item: Item, operation: string): void {
    const { partitionKeyName, sortKeyName } = this.#config;
    for (const name of [partitionKeyName, sortKeyName]) {
      if (name !== undefined && !Object.hasOwn(item, name)) {
        throw new DdbecError('ERR_INVALID_ARGUMENT', `cannot ${operation} an item without its key attribute "${name}"`);
      }
    }
  }

  /**
   * The encryption context reproduced from the item (never stored): version 1, the table name,
   * key names and key values (base64 of type id || serialized value); version 2, the table name,
   * key names, and each SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT value (readable for strings,
   * numbers, booleans and null) with `aws-crypto-legend` giving their types.
   */
  #reproducedContext(version: 1 | 2, item: Item, fields: readonly SignedField[]): Record<string, string> {
    const { logicalTableName, partitionKeyName, sortKeyName } = this.#config;
    const context: Record<string, string> = { [TABLE_NAME_KEY]: logicalTableName, [PARTITION_NAME_KEY]: partitionKeyName };
    if (sortKeyName !== undefined) context[SORT_NAME_KEY] = sortKeyName;
    if (version === 1) {
      for (const name of sortKeyName === undefined ? [partitionKeyName] : [partitionKeyName, sortKeyName]) {
        context[ATTRIBUTE_KEY_PREFIX + name] = base64Terminal(serializeTerminal(item[name] as AttributeValue));
      }
      return context;
    }
    const entries: [Uint8Array, string, string, string][] = [];
    for (const field of fields) {
      if (field.action !== 'SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT') continue;
      const key = ATTRIBUTE_KEY_PREFIX + field.name;
      const [value, legend] = contextValue(field.terminal);
      entries.push([utf8Encode(key), key, value, legend]);
    }
    entries.sort((a, b) => Buffer.compare(a[0], b[0]));
    let legend = '';
    for (const [, key, value, type] of entries) {
      if (Object.hasOwn(context, key)) throw new DdbecError('ERR_INVALID_ARGUMENT', `the encryption context key ${key} is produced twice`);
      context[key] = value;
      legend += type;
    }
    context[LEGEND_KEY] = legend;
    return context;
  }

  #describe(item: Item): string {
    const parts = [`table "${this.#config.logicalTableName}"`];
    for (const name of [this.#config.partitionKeyName, this.#config.sortKeyName]) {
      const value = name === undefined ? undefined : item[name];
      if (value === undefined) continue;
      if ('S' in value) parts.push(`${name}=S:${JSON.stringify(value.S)}`);
      else if ('N' in value) parts.push(`${name}=N:${value.N}`);
      else if ('B' in value && value.B instanceof Uint8Array) parts.push(`${name}=B:${Buffer.from(value.B).toString('base64')}`);
    }
    return `item (${parts.join(', ')})`;
  }
}

// ---- helpers ----------------------------------------------------------------------------------

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/** The header commitment: HMAC-SHA512 of the partial header under the commit key, first 32 bytes. */
function commitment(dataKey: Uint8Array, messageId: Uint8Array, partialHeader: Uint8Array): Uint8Array {
  const commitKey = hkdfSha512(dataKey, concat(COMMIT_KEY_LABEL, messageId), 32);
  const mac = hmacSha512(commitKey, partialHeader).subarray(0, COMMITMENT_LENGTH);
  commitKey.fill(0);
  return mac;
}

/**
 * The AES-GCM keys and nonces of `count` encrypted fields, in canonical-path order. Field `p`
 * takes the first 44 bytes of the AES-256-CTR stream of the root key from the counter block
 * `"AwsDbeField" || 44 || UInt32(3p)`; as each field uses exactly three blocks, that is bytes
 * `48p .. 48p + 44` of one stream started at position 0.
 */
function fieldKeys(rootKey: Uint8Array, count: number): (position: number) => { key: Uint8Array; nonce: Uint8Array } {
  const counter = new Uint8Array(16);
  counter.set(FIELD_NONCE_PREFIX, 0);
  counter[11] = FIELD_KEY_LENGTH;
  const stream = count === 0 ? new Uint8Array(0) : aes256CtrKeyStream(rootKey, counter, count * FIELD_BLOCKS_LENGTH);
  return (position) => {
    const start = position * FIELD_BLOCKS_LENGTH;
    return { key: stream.subarray(start, start + CIPHER_KEY_LENGTH), nonce: stream.subarray(start + CIPHER_KEY_LENGTH, start + FIELD_KEY_LENGTH) };
  };
}

function base64Terminal(terminal: Terminal): string {
  const bytes = new Uint8Array(2 + terminal.value.length);
  bytes[0] = terminal.typeId >> 8;
  bytes[1] = terminal.typeId & 0xff;
  bytes.set(terminal.value, 2);
  return Buffer.from(bytes).toString('base64');
}

/** A version 2 encryption context value and its legend character. */
function contextValue(terminal: Terminal): [string, string] {
  const text = (): string => Buffer.from(terminal.value).toString('utf8');
  switch (terminal.typeId) {
    case TypeId.S:
      return [text(), 'S'];
    case TypeId.N:
      return [text(), 'N'];
    case TypeId.NULL:
      return ['null', 'L'];
    case TypeId.BOOL:
      return [terminal.value[0] === 0 ? 'false' : 'true', 'L'];
    default:
      return [base64Terminal(terminal), 'B'];
  }
}

function binary(value: AttributeValue | undefined): Uint8Array | undefined {
  return value !== undefined && 'B' in value && value.B instanceof Uint8Array ? value.B : undefined;
}

function checkEncryptionMaterials(materials: EncryptionMaterials, suite: AlgorithmSuite): EncryptionMaterials & { plaintextDataKey: Uint8Array } {
  const { plaintextDataKey, encryptedDataKeys, symmetricSigningKeys } = materials;
  if (
    materials.algorithmSuite !== suite ||
    !(plaintextDataKey instanceof Uint8Array) ||
    plaintextDataKey.length !== suite.keyLength ||
    encryptedDataKeys.length === 0 ||
    symmetricSigningKeys?.length !== encryptedDataKeys.length
  ) {
    throw new DdbecError('ERR_MATERIALS_UNAVAILABLE', 'the keyring returned no usable encryption materials');
  }
  return materials as EncryptionMaterials & { plaintextDataKey: Uint8Array };
}

function checkDecryptionMaterials(materials: DecryptionMaterials, suite: AlgorithmSuite): DecryptionMaterials {
  const { plaintextDataKey, symmetricSigningKey } = materials;
  if (
    materials.algorithmSuite !== suite ||
    !(plaintextDataKey instanceof Uint8Array) ||
    plaintextDataKey.length !== suite.keyLength ||
    !(symmetricSigningKey instanceof Uint8Array)
  ) {
    throw new DdbecError('ERR_MATERIALS_UNAVAILABLE', 'the keyring returned no usable decryption materials');
  }
  return materials;
}

function signatureInvalid(where: string): DdbecError {
  return new DdbecError('ERR_SIGNATURE_INVALID', `signature not valid for ${where}`);
}

function decryptionFailed(where: string, name: string): DdbecError {
  return new DdbecError('ERR_DECRYPTION_FAILED', `${where}: attribute "${name}" could not be decrypted`);
}

/** Adds the item to the message of a ddbec error raised by a keyring or parser. */
function rethrowWith(error: unknown, where: string): unknown {
  if (isDdbecError(error)) return new DdbecError(error.code, `${where}: ${error.message}`, { cause: error.cause });
  return error;
}

/** `target[name] = value`, also for the attribute name `__proto__`. */
function put(target: Item, name: string, value: AttributeValue): void {
  if (name === '__proto__') Object.defineProperty(target, name, { value, enumerable: true, writable: true, configurable: true });
  else target[name] = value;
}
