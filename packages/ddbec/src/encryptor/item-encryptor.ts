import { DdbecError, isDdbecError } from '../errors.js';
import {
  CryptoAction,
  decodeMaterialDescription,
  encodeMaterialDescription,
  MATERIAL_DESCRIPTION_ATTRIBUTE,
  serializeAttribute,
  hasPythonRoundedNumber,
  roundAsPythonSigns,
  serializationDifference,
  SIGNATURE_ATTRIBUTE,
  sortsDifferently,
  validateItem,
  type AttributeValue,
  type Item,
  type SerializationProfile,
} from '../format/index.js';
import {
  delegatedOperation,
  getContentCipher,
  type ContentCipher,
  type PlaintextWriter,
  type ContentKey,
  type DelegatedKey,
  getSignatureAlgorithm,
  isDelegatedKey,
  SecretKey,
  sha256,
  sha256Transient,
  type SignatureAlgorithm,
  type SigningKey,
  type VerificationKey,
} from '../crypto/index.js';
import {
  MaterialDescriptionKey as Desc,
  SYMMETRIC_MODE,
  toDescriptionMap,
  type CryptographicMaterialsProvider,
  type DecryptionMaterials,
  type EncryptionContext,
  type EncryptionContextInit,
  type EncryptionMaterials,
} from '../materials/index.js';
import { deserializeRange } from '../format/deserialize.js';
import { serializeInto } from '../format/serialize.js';
import { stringToSignTransient } from '../format/string-to-sign.js';
import { AttributeActions } from './attribute-actions.js';

/**
 * Which clients must be able to verify what this encryptor writes (see {@link ItemEncryptorOptions.signingProfile}).
 */
export type SigningProfile = SerializationProfile | 'portable';

export interface ItemEncryptorOptions {
  readonly materialsProvider: CryptographicMaterialsProvider;
  /**
   * Whose serialization to sign with where the Java and Python clients differ
   * (legacy-format §2.9: numbers with 29–38 significant digits, negative zero, binary-set
   * order, strings mixing characters above U+FFFF with U+E000–U+FFFF). Only signed values and
   * attribute names of those rare kinds are affected; no single signature satisfies both
   * clients for them.
   * - `java` (default): the Java form, every digit signed. Java and ddbec verify every item;
   *   Python fails on the rare kinds above.
   * - `portable`: the Java form, and an item for which the Python form would differ is refused
   *   before anything is written (`ERR_NOT_PORTABLE`, naming the attribute and the reason).
   *   For fleets where Java, Python and ddbec all read.
   * - `python`: the Python form, for fleets whose readers are Python clients. A signed number
   *   with more than 28 significant digits is refused (`ERR_UNPROTECTED_NUMBER_DIGITS`): the
   *   Python form signs it rounded, so its last digits would not be protected.
   * Reading accepts items signed in either form (see `acceptPythonRoundedNumbers`).
   */
  readonly signingProfile?: SigningProfile;
  /**
   * Reader option for items written by Python clients with signed (sign-only) numbers of more
   * than 28 significant digits. The Python client signs such numbers rounded to 28 digits, so
   * the digits past the 28th are not protected by the signature: anyone who can write to the
   * table could change them. By default such an item is refused (`ERR_UNPROTECTED_NUMBER_DIGITS`).
   * With `true` it is accepted and each such number is returned **rounded as it was signed**
   * (28 significant digits, half-even): the returned item holds only what the signature covers.
   * Items verified in the Java form are never affected. Default `false`.
   */
  readonly acceptPythonRoundedNumbers?: boolean;
  /**
   * Logical table names: when the context's table name is a key of this map, the value is
   * signed instead (and given to the provider). Lets items move between physical tables
   * without re-encryption (Java's `overrideEncryptionContextTableName…`).
   */
  readonly tableNameOverrides?: Readonly<Record<string, string>>;
}

/** What to encrypt with: where the item lives (the encryption context) and what to do with each attribute. */
export interface CryptoConfig {
  readonly encryptionContext: EncryptionContextInit;
  readonly attributeActions: AttributeActions;
}

const PROFILES: readonly SerializationProfile[] = ['java', 'python'];
const PYTHON_FIRST: readonly SerializationProfile[] = ['python', 'java'];
/** What Java and Python sign in place of a missing table name. */
const UNNAMED_TABLES: readonly string[] = ['null', 'None'];
const SIGNING_PROFILES: readonly SigningProfile[] = [...PROFILES, 'portable'];

/**
 * Encrypts and signs items, and verifies and decrypts them, in the format of the Java and
 * Python DynamoDB Encryption Clients. Never modifies the caller's item; a returned item may
 * share unchanged attribute values with the input, and the encrypted values of one item are
 * views of one buffer that holds only that item's ciphertexts.
 */
export class ItemEncryptor {
  readonly materialsProvider: CryptographicMaterialsProvider;
  readonly #profile: SigningProfile;
  readonly #acceptRounded: boolean;
  readonly #overrides: ReadonlyMap<string, string>;
  #lastDescription: EncodedDescription | undefined;
  #lastDecoded: DecodedDescription | undefined;

  constructor(options: ItemEncryptorOptions) {
    if (typeof options?.materialsProvider?.getEncryptionMaterials !== 'function') {
      throw new DdbecError('ERR_INVALID_ARGUMENT', 'ItemEncryptor needs a materialsProvider');
    }
    const profile = options.signingProfile ?? 'java';
    if (!SIGNING_PROFILES.includes(profile)) {
      throw new DdbecError('ERR_INVALID_ARGUMENT', `signingProfile must be "java", "python" or "portable"`);
    }
    const acceptRounded = options.acceptPythonRoundedNumbers ?? false;
    if (typeof acceptRounded !== 'boolean') {
      throw new DdbecError('ERR_INVALID_ARGUMENT', 'acceptPythonRoundedNumbers must be a boolean');
    }
    this.materialsProvider = options.materialsProvider;
    this.#profile = profile;
    this.#acceptRounded = acceptRounded;
    this.#overrides = new Map(Object.entries(options.tableNameOverrides ?? {}));
  }

  /** Encrypts and signs a plaintext item, first refusing (`ERR_INVALID_ITEM`) one DynamoDB would not store. */
  async encryptItem(item: Item, config: CryptoConfig): Promise<Item> {
    const actions = checkConfig(config);
    checkItem(item);
    validateItem(item, config.encryptionContext);
    if (actions.takesNoActions) return { ...item };
    refuseReserved(item, SIGNATURE_ATTRIBUTE);
    refuseReserved(item, MATERIAL_DESCRIPTION_ATTRIBUTE);
    const given = config.encryptionContext.materialDescription;
    const context = this.#context(config.encryptionContext, item, given === undefined ? NO_DESCRIPTION : toDescriptionMap(given));
    checkKeyAttributes(context, actions);
    if (context.tableName === undefined) {
      throw new DdbecError('ERR_MISSING_TABLE_NAME', 'the encryption context needs a tableName to sign the item');
    }
    // Refusals of the signing profile come before the provider is asked (it may call AWS KMS).
    const actionOf = actionFunction(actions);
    if (this.#profile === 'python') refuseUnprotectedDigits(item, actionOf);
    else if (this.#profile === 'portable') refuseUnportable(item, actionOf);
    const materials = checkEncryptionMaterials(await this.materialsProvider.getEncryptionMaterials(context));

    const names = Object.keys(item);
    const cipher = materials.encryptionKey ? getContentCipher(materials.encryptionKey.algorithm, SYMMETRIC_MODE) : undefined;
    let ciphertexts: Uint8Array[] = [];
    try {
      for (const name of names) if (actionOf(name) === CryptoAction.EncryptAndSign) toEncrypt.push(item[name] as AttributeValue);
      if (toEncrypt.length > 0) {
        const key = materials.encryptionKey;
        if (!cipher || !key) {
          const first = names.find((name) => actionOf(name) === CryptoAction.EncryptAndSign);
          throw new DdbecError('ERR_ENCRYPTION_FAILED', `attribute "${first}" must be encrypted but the materials have no encryption key`);
        }
        if (key instanceof SecretKey) {
          // Encrypted values are always serialized exactly (never the Python 28-digit rounding),
          // straight into the cipher's input. The ciphertexts are views of one buffer that holds
          // only them.
          ciphertexts = cipher.encryptAll(key, toEncrypt, SERIALIZED);
        } else {
          for (const value of toEncrypt.splice(0)) ciphertexts.push(await encryptDelegated(key, cipher.name, serializeAttribute(value, 'java')));
        }
      }
    } finally {
      toEncrypt.length = 0;
    }
    // Unchanged attributes are shared with the input. (A copy made by spreading the item would
    // turn slow when the two reserved attributes are added.)
    const encrypted: Item = {};
    let next = 0;
    for (const name of names) {
      put(encrypted, name, actionOf(name) === CryptoAction.EncryptAndSign ? { B: ciphertexts[next++] as Uint8Array } : (item[name] as AttributeValue));
    }

    const signature = signatureAlgorithmForSigning(materials.signingKey, materials.materialDescription);
    const toSign = stringToSignTransient({
      tableName: context.tableName,
      item: encrypted,
      actionOf,
      sha256: sha256Transient,
      hashName,
      hashTable,
      profile: this.#profile === 'python' ? 'python' : 'java',
    });
    const signingKey = materials.signingKey;
    // A delegated key may answer later: it gets its own copy of the string to sign.
    encrypted[SIGNATURE_ATTRIBUTE] = {
      B: isDelegatedKey(signingKey)
        ? await delegatedOperation(signingKey, 'sign', 'the signing key')(signature.name, toSign.slice())
        : signature.sign(signingKey, toSign),
    };
    encrypted[MATERIAL_DESCRIPTION_ATTRIBUTE] = { B: this.#encodedDescription(materials, signature.name) };
    return encrypted;
  }

  /**
   * The material description to store: the materials' own, the attribute cipher mode (with an
   * encryption key) and the signature algorithm. The encoding of the last materials is kept
   * while they, their entries and the algorithm stay the same (each item gets a copy).
   */
  #encodedDescription(materials: EncryptionMaterials, signatureName: string): Uint8Array {
    const source = materials.materialDescription;
    const symmetric = materials.encryptionKey !== undefined;
    const last = this.#lastDescription;
    if (last?.source === source && last.symmetric === symmetric && last.signatureName === signatureName && sameEntries(source, last.entries)) {
      return last.bytes.slice();
    }
    const description = new Map(source);
    if (symmetric) description.set(Desc.SymmetricMode, SYMMETRIC_MODE);
    description.set(Desc.SigningAlgorithm, signatureName);
    const bytes = encodeMaterialDescription(description);
    const entries: string[] = [];
    for (const [name, value] of source) entries.push(name, value);
    this.#lastDescription = { source, entries, symmetric, signatureName, bytes };
    return bytes.slice();
  }

  /** Verifies and decrypts a stored item. Nothing is returned unless the signature verifies. */
  async decryptItem(item: Item, config: CryptoConfig): Promise<Item> {
    const actions = checkConfig(config);
    checkItem(item);
    if (actions.takesNoActions) return { ...item };

    const stored: Item = {};
    for (const name of Object.keys(item)) {
      if (name !== SIGNATURE_ATTRIBUTE && name !== MATERIAL_DESCRIPTION_ATTRIBUTE) put(stored, name, item[name] as AttributeValue);
    }
    const preliminary = this.#context(config.encryptionContext, stored, NO_DESCRIPTION);
    // Only failures need the item's description; build it then, not on every read.
    const where = (): string => describeItem(preliminary);
    const signatureValue = item[SIGNATURE_ATTRIBUTE];
    if (signatureValue === undefined) {
      throw new DdbecError('ERR_MALFORMED_ITEM', `${where()} has no signature attribute`);
    }
    if (!('B' in signatureValue) || !(signatureValue.B instanceof Uint8Array)) {
      throw new DdbecError('ERR_MALFORMED_ITEM', `${where()} has a signature attribute that is not binary`);
    }
    const descriptionValue = item[MATERIAL_DESCRIPTION_ATTRIBUTE];
    let storedDescription: ReadonlyMap<string, string> = NO_DESCRIPTION;
    if (descriptionValue !== undefined) {
      if (!('B' in descriptionValue) || !(descriptionValue.B instanceof Uint8Array)) {
        throw new DdbecError('ERR_MATERIAL_DESCRIPTION', `${where()} has a material description attribute that is not binary`);
      }
      try {
        storedDescription = this.#decodedDescription(descriptionValue.B);
      } catch (error) {
        throw rethrowWith(error, where());
      }
    }
    const context: EncryptionContext = { ...preliminary, materialDescription: storedDescription };
    checkKeyAttributes(context, actions);
    let materials: DecryptionMaterials;
    try {
      materials = checkDecryptionMaterials(await this.materialsProvider.getDecryptionMaterials(context));
    } catch (error) {
      throw rethrowWith(error, where());
    }

    let signature: SignatureAlgorithm;
    let cipher: ContentCipher | undefined;
    try {
      signature = signatureAlgorithmForVerifying(materials.verificationKey, storedDescription);
      cipher = contentCipherFor(materials, storedDescription);
    } catch (error) {
      throw rethrowWith(error, where());
    }
    const key = materials.verificationKey;
    const verifiedForm = isDelegatedKey(key)
      ? await this.#verifyDelegated(signature, key, signatureValue.B, stored, actions, context.tableName)
      : this.#verify(stored, actions, context.tableName, (toSign) => signature.verify(key, toSign, signatureValue.B));
    if (verifiedForm === undefined) {
      throw new DdbecError('ERR_SIGNATURE_INVALID', `signature not valid for ${where()}`);
    }
    if (verifiedForm === 'python') this.#coverRoundedNumbers(stored, actions, where);

    const toDecrypt: string[] = [];
    const ciphertexts: Uint8Array[] = [];
    for (const name in stored) {
      if (!Object.hasOwn(stored, name) || actions.actionOf(name) !== CryptoAction.EncryptAndSign) continue;
      const value = stored[name] as AttributeValue;
      if (!materials.decryptionKey || !cipher) {
        throw new DdbecError('ERR_DECRYPTION_FAILED', `${where()}: attribute "${name}" is encrypted but the materials have no decryption key`);
      }
      if (!('B' in value) || !(value.B instanceof Uint8Array)) {
        throw new DdbecError('ERR_DECRYPTION_FAILED', `${where()}: attribute "${name}" could not be decrypted`);
      }
      toDecrypt.push(name);
      ciphertexts.push(value.B);
    }
    // Software keys: all encrypted attributes in one AES-CBC pass, each deserialized from where
    // its plaintext lies in the pass's output; a failure names the first attribute that failed.
    // Delegated keys: one call per attribute. The decrypted values replace the ciphertexts in
    // place, which keeps the order of the attributes.
    const decryptionKey = materials.decryptionKey;
    if (!decryptionKey || !cipher || toDecrypt.length === 0) return stored;
    if (decryptionKey instanceof SecretKey) {
      const { data, bounds } = cipher.decryptAll(decryptionKey, ciphertexts);
      for (let i = 0; i < toDecrypt.length; i++) {
        const name = toDecrypt[i] as string;
        const start = bounds[2 * i] as number;
        put(stored, name, deserializeOrFail(start < 0 ? undefined : data, start, bounds[2 * i + 1] as number, name, where));
      }
    } else {
      for (let i = 0; i < toDecrypt.length; i++) {
        const name = toDecrypt[i] as string;
        const plaintext = await decryptDelegated(decryptionKey, cipher.name, ciphertexts[i] as Uint8Array).catch(() => undefined);
        put(stored, name, deserializeOrFail(plaintext, 0, plaintext?.length ?? 0, name, where));
      }
    }
    return stored;
  }

  /**
   * The decoded material description of an item, shared (read-only) with the previous item
   * when it stored the same bytes.
   */
  #decodedDescription(bytes: Uint8Array): ReadonlyMap<string, string> {
    const last = this.#lastDecoded;
    if (last !== undefined && bytesEqual(last.bytes, bytes)) return last.description;
    const description = new ReadonlyDescription(decodeMaterialDescription(bytes));
    this.#lastDecoded = { bytes: bytes.slice(), description };
    return description;
  }

  #context(init: EncryptionContextInit, attributes: Item, materialDescription: ReadonlyMap<string, string>): EncryptionContext {
    const tableName = init.tableName === undefined ? undefined : (this.#overrides.get(init.tableName) ?? init.tableName);
    return {
      tableName,
      partitionKeyName: init.partitionKeyName,
      sortKeyName: init.sortKeyName,
      attributes,
      materialDescription,
    };
  }

  /**
   * A signature in the Python form covers numbers rounded to 28 significant digits. A signed
   * number with more digits was therefore not protected in full: refuse the item, or (reader
   * option) keep only what was signed, the rounded value. Encrypted values are unaffected: the
   * ciphertext is signed whole.
   */
  #coverRoundedNumbers(stored: Item, actions: AttributeActions, where: () => string): void {
    for (const name of Object.keys(stored)) {
      const value = stored[name] as AttributeValue;
      if (actions.actionOf(name) !== CryptoAction.SignOnly || !hasPythonRoundedNumber(value)) continue;
      if (!this.#acceptRounded) {
        throw new DdbecError(
          'ERR_UNPROTECTED_NUMBER_DIGITS',
          `${where()}: attribute "${name}" holds a number with more than 28 significant digits in an item signed in the Python form, ` +
            'whose signature does not protect the digits beyond the 28th (set acceptPythonRoundedNumbers to read it rounded)',
        );
      }
      put(stored, name, roundAsPythonSigns(value));
    }
  }

  /**
   * Verifies with this encryptor's profile first; only when that fails, with the other
   * client's serialization (if it gives different bytes), and — for items written without a
   * table name — with Java's `null` and Python's `None` in its place. Returns the form that
   * verified (`check` returned true for its string to sign), or `undefined`.
   */
  #verify(
    stored: Item,
    actions: AttributeActions,
    tableName: string | undefined,
    check: (toSign: Uint8Array, profile: SerializationProfile) => boolean,
  ): SerializationProfile | undefined {
    const actionOf = actionFunction(actions);
    const tableNames = tableName === undefined ? UNNAMED_TABLES : [tableName];
    const profiles = this.#profile === 'python' ? PYTHON_FIRST : PROFILES;
    for (const table of tableNames) {
      let first: Uint8Array | undefined;
      for (const profile of profiles) {
        let toSign: Uint8Array;
        try {
          toSign = stringToSignTransient({ tableName: table, item: stored, actionOf, sha256: sha256Transient, hashName, hashTable, profile });
        } catch (error) {
          if (isDdbecError(error, 'ERR_SERIALIZATION')) continue;
          throw error;
        }
        if (first !== undefined && bytesEqual(first, toSign)) continue;
        if (check(toSign, profile)) return profile;
        // the next string to sign may reuse the buffer of this one
        first ??= toSign.slice();
      }
    }
    return undefined;
  }

  /** {@link #verify} for a delegated key, which answers asynchronously: the same strings to sign, in the same order. */
  async #verifyDelegated(
    signature: SignatureAlgorithm,
    key: DelegatedKey,
    signatureBytes: Uint8Array,
    stored: Item,
    actions: AttributeActions,
    tableName: string | undefined,
  ): Promise<SerializationProfile | undefined> {
    const verify = delegatedOperation(key, 'verify', 'the verification key');
    const candidates: [Uint8Array, SerializationProfile][] = [];
    this.#verify(stored, actions, tableName, (toSign, profile) => {
      candidates.push([toSign.slice(), profile]);
      return false;
    });
    for (const [toSign, profile] of candidates) if (await verify(signature.name, toSign, signatureBytes)) return profile;
    return undefined;
  }
}

const encoder = new TextEncoder();

/** `sha256(utf8(text))` of recurring strings, cached (at most 10,000, then started afresh). */
function cachedSha256(): (text: string) => Uint8Array {
  const digests = new Map<string, Uint8Array>();
  return (text) => {
    let digest = digests.get(text);
    if (digest === undefined) {
      digest = sha256(encoder.encode(text));
      if (digests.size >= 10_000) digests.clear();
      digests.set(text, digest);
    }
    return digest;
  };
}
/** SHA-256 of attribute names: the same few names recur in every item. */
const hashName = cachedSha256();
/** The table marker `SHA256("TABLE>" + name + "<TABLE")`: the same table recurs in every item. */
const tableMarker = cachedSha256();
const hashTable = (tableName: string): Uint8Array => tableMarker(`TABLE>${tableName}<TABLE`);

/** The `python` signing profile: a signed number must not lose digits to the Python form's rounding. */
function refuseUnprotectedDigits(item: Item, actionOf: (name: string) => CryptoAction): void {
  for (const name of Object.keys(item)) {
    if (actionOf(name) === CryptoAction.SignOnly && hasPythonRoundedNumber(item[name] as AttributeValue)) {
      throw new DdbecError(
        'ERR_UNPROTECTED_NUMBER_DIGITS',
        `attribute "${name}" holds a number with more than 28 significant digits: the Python form signs it rounded, ` +
          'so its last digits would not be protected (sign with the "java" profile, or encrypt the attribute)',
      );
    }
  }
}

/**
 * The `portable` signing profile: the Java form is signed, so refuse an item whose Python form
 * would differ (a Python reader could not verify it). Encrypted attributes are signed as their
 * ciphertext, the same bytes in both forms, so only sign-only values and the signed names count.
 */
function refuseUnportable(item: Item, actionOf: (name: string) => CryptoAction): void {
  const signed = Object.keys(item).filter((name) => actionOf(name) !== CryptoAction.DoNothing);
  for (const name of signed) {
    if (actionOf(name) !== CryptoAction.SignOnly) continue;
    const reason = serializationDifference(item[name] as AttributeValue);
    if (reason !== undefined) {
      throw new DdbecError('ERR_NOT_PORTABLE', `attribute "${name}" cannot be signed for both Java and Python readers: ${reason}`);
    }
  }
  if (sortsDifferently(signed)) {
    throw new DdbecError(
      'ERR_NOT_PORTABLE',
      'the signed attribute names mix characters above U+FFFF with U+E000..U+FFFF, which Java and Python sort differently',
    );
  }
}

function checkConfig(config: CryptoConfig): AttributeActions {
  if (!(config?.attributeActions instanceof AttributeActions)) {
    throw new DdbecError('ERR_INVALID_ARGUMENT', 'config.attributeActions must be an AttributeActions');
  }
  if (typeof config.encryptionContext !== 'object' || config.encryptionContext === null) {
    throw new DdbecError('ERR_INVALID_ARGUMENT', 'config.encryptionContext must be an object');
  }
  return config.attributeActions;
}

function checkItem(item: Item): void {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) {
    throw new DdbecError('ERR_INVALID_ARGUMENT', 'the item must be an object of attribute values');
  }
  for (const name in item) {
    const value = item[name];
    if (Object.hasOwn(item, name) && (typeof value !== 'object' || value === null)) {
      throw new DdbecError('ERR_INVALID_ARGUMENT', `attribute "${name}" is not an attribute value`);
    }
  }
}

function checkKeyAttributes(context: EncryptionContext, actions: AttributeActions): void {
  checkKeyAttribute('partition', context.partitionKeyName, actions);
  checkKeyAttribute('sort', context.sortKeyName, actions);
}

function checkKeyAttribute(role: string, name: string | undefined, actions: AttributeActions): void {
  if (name !== undefined && actions.actionOf(name) === CryptoAction.EncryptAndSign) {
    throw new DdbecError('ERR_KEY_ATTRIBUTE_ENCRYPTED', `the ${role} key "${name}" cannot be encrypted (DynamoDB must read it); make it SignOnly`);
  }
}

function refuseReserved(item: Item, name: string): void {
  if (Object.hasOwn(item, name)) throw new DdbecError('ERR_RESERVED_ATTRIBUTE', `the item must not contain the reserved attribute "${name}"`);
}

function checkEncryptionMaterials(materials: EncryptionMaterials | undefined): EncryptionMaterials {
  if (
    !materials ||
    !(materials.materialDescription instanceof Map) ||
    (materials.encryptionKey !== undefined && !isSecret(materials.encryptionKey)) ||
    typeof materials.signingKey !== 'object'
  ) {
    throw new DdbecError('ERR_MATERIALS_UNAVAILABLE', 'the materials provider returned no usable encryption materials');
  }
  return materials;
}

function checkDecryptionMaterials(materials: DecryptionMaterials | undefined): DecryptionMaterials {
  if (
    !materials ||
    (materials.decryptionKey !== undefined && !isSecret(materials.decryptionKey)) ||
    typeof materials.verificationKey !== 'object'
  ) {
    throw new DdbecError('ERR_MATERIALS_UNAVAILABLE', 'the materials provider returned no usable decryption materials');
  }
  return materials;
}

/**
 * The attribute cipher, checked against the stored description whether or not the item has an
 * encrypted attribute: materials with a decryption key need the description to name the mode it
 * is used with (both reference clients read it unconditionally).
 */
function contentCipherFor(materials: DecryptionMaterials, description: ReadonlyMap<string, string>): ContentCipher | undefined {
  const key = materials.decryptionKey;
  if (key === undefined) return undefined;
  const mode = description.get(Desc.SymmetricMode);
  if (mode === undefined) throw new DdbecError('ERR_MATERIAL_DESCRIPTION', 'the material description names no attribute cipher mode');
  return getContentCipher(key.algorithm, mode);
}

/** A secret (AES or HMAC) key, in software or delegated (a delegated key checks its algorithm when used). */
function isSecret(key: unknown): key is ContentKey {
  return key instanceof SecretKey || (isDelegatedKey(key) && key.keyType === 'secret');
}

/** Encrypts one attribute with a delegated content key (say, in an HSM). */
function encryptDelegated(key: DelegatedKey, cipher: string, plaintext: Uint8Array): Promise<Uint8Array> {
  return delegatedOperation(key, 'encrypt', 'the encryption key')(cipher, plaintext);
}

function decryptDelegated(key: DelegatedKey, cipher: string, ciphertext: Uint8Array): Promise<Uint8Array> {
  return delegatedOperation(key, 'decrypt', 'the decryption key')(cipher, ciphertext);
}

/** Encrypt: HMAC keys sign with their own algorithm; RSA with the description's choice, else SHA256withRSA. */
function signatureAlgorithmForSigning(key: SigningKey, description: ReadonlyMap<string, string>): SignatureAlgorithm {
  if (isSecret(key)) return getSignatureAlgorithm(key.algorithm);
  const named = description.get(Desc.SigningAlgorithm) ?? (key.algorithm.endsWith('withRSA') ? key.algorithm : 'SHA256withRSA');
  const algorithm = getSignatureAlgorithm(named);
  if (algorithm.keyType !== 'rsa') {
    throw new DdbecError('ERR_INVALID_KEY', `signing algorithm ${named} does not take an RSA key`);
  }
  return algorithm;
}

/** Decrypt: HMAC keys verify with their own algorithm (both clients ignore the stored name); RSA honours the stored name. */
function signatureAlgorithmForVerifying(key: VerificationKey, stored: ReadonlyMap<string, string>): SignatureAlgorithm {
  if (isSecret(key)) {
    // Conforming writers record nothing (Java) or the key's own algorithm (Python); anything
    // else means the description was altered or the key is not the one that signed.
    const named = stored.get(Desc.SigningAlgorithm);
    if (named !== undefined && getSignatureAlgorithm(named).name !== key.algorithm) {
      throw new DdbecError('ERR_SIGNATURE_INVALID', 'the item was not signed with the algorithm of the verification key');
    }
    return getSignatureAlgorithm(key.algorithm);
  }
  // Both clients record the RSA signature algorithm; an item without it was altered.
  const named = stored.get(Desc.SigningAlgorithm);
  if (named === undefined) throw new DdbecError('ERR_MATERIAL_DESCRIPTION', 'the material description names no signing algorithm');
  const algorithm = getSignatureAlgorithm(named);
  if (algorithm.keyType !== 'rsa') {
    throw new DdbecError('ERR_UNSUPPORTED_ALGORITHM', `the item names a signing algorithm that does not match the RSA verification key`);
  }
  return algorithm;
}

/** `item (table "T", hashKey=N:5, rangeKey=N:7)` — key values are never encrypted, so they are safe to show. */
function describeItem(context: EncryptionContext): string {
  const keys: string[] = [];
  for (const name of [context.partitionKeyName, context.sortKeyName]) {
    if (name === undefined) continue;
    const value = context.attributes[name];
    if (value === undefined) continue;
    if ('S' in value) keys.push(`${name}=S:${JSON.stringify(value.S)}`);
    else if ('N' in value) keys.push(`${name}=N:${value.N}`);
    else if ('B' in value) keys.push(`${name}=B:${Buffer.from(value.B).toString('base64')}`);
  }
  const table = context.tableName === undefined ? [] : [`table "${context.tableName}"`];
  const parts = [...table, ...keys];
  return parts.length > 0 ? `item (${parts.join(', ')})` : 'item';
}

/** Adds the item to the message of a ddbec error raised by a provider or parser. */
function rethrowWith(error: unknown, where: string): unknown {
  if (isDdbecError(error)) return new DdbecError(error.code, `${where}: ${error.message}`, { cause: error.cause });
  return error;
}

/** Keeps only the code of a decryption failure: its details could help an attacker. */
function stripped(error: unknown): unknown {
  return isDdbecError(error) ? new DdbecError(error.code, 'decryption failed') : undefined;
}

/** `actions.actionOf` as a function, made once per AttributeActions. */
const actionFunctions = new WeakMap<AttributeActions, (name: string) => CryptoAction>();
function actionFunction(actions: AttributeActions): (name: string) => CryptoAction {
  let actionOf = actionFunctions.get(actions);
  if (actionOf === undefined) {
    actionOf = (name) => actions.actionOf(name);
    actionFunctions.set(actions, actionOf);
  }
  return actionOf;
}

/**
 * The values to encrypt of the item being encrypted, reused (emptied before any await: only
 * delegated keys await, and they take a copy).
 */
const toEncrypt: AttributeValue[] = [];

/** Attribute values serialized (exactly: the Java form) straight into the cipher's input. */
const SERIALIZED: PlaintextWriter<AttributeValue> = {
  size: (value) => serializeInto.size(value, 'java'),
  write: serializeInto.write,
};

/** The value of a decrypted attribute from its plaintext in `data[start, end)` (`undefined`: decryption failed). */
function deserializeOrFail(data: Uint8Array | undefined, start: number, end: number, name: string, where: () => string): AttributeValue {
  try {
    if (data === undefined) throw new DdbecError('ERR_DECRYPTION_FAILED', 'decryption failed');
    return deserializeRange(data, start, end);
  } catch (error) {
    throw new DdbecError('ERR_DECRYPTION_FAILED', `${where()}: attribute "${name}" could not be decrypted`, { cause: stripped(error) });
  }
}

/** An encoded material description and what it was made of (see `#encodedDescription`). */
interface EncodedDescription {
  readonly source: ReadonlyMap<string, string>;
  /** The entries of `source` then, as name, value, name, value… */
  readonly entries: readonly string[];
  readonly symmetric: boolean;
  readonly signatureName: string;
  readonly bytes: Uint8Array;
}

function sameEntries(map: ReadonlyMap<string, string>, entries: readonly string[]): boolean {
  if (map.size * 2 !== entries.length) return false;
  let i = 0;
  for (const [name, value] of map) {
    if (entries[i] !== name || entries[i + 1] !== value) return false;
    i += 2;
  }
  return true;
}

/** The bytes of the last stored material description read, and its decoding. */
interface DecodedDescription {
  readonly bytes: Uint8Array;
  readonly description: ReadonlyMap<string, string>;
}

/** A decoded material description shared by the items that store the same bytes: it cannot be changed. */
class ReadonlyDescription extends Map<string, string> {
  constructor(entries: ReadonlyMap<string, string>) {
    super();
    for (const [name, value] of entries) super.set(name, value);
  }
  override set(): this {
    throw new DdbecError('ERR_INVALID_ARGUMENT', 'the material description of an item is read-only');
  }
  override delete(): boolean {
    throw new DdbecError('ERR_INVALID_ARGUMENT', 'the material description of an item is read-only');
  }
  override clear(): void {
    throw new DdbecError('ERR_INVALID_ARGUMENT', 'the material description of an item is read-only');
  }
}

const NO_DESCRIPTION: ReadonlyMap<string, string> = new ReadonlyDescription(new Map());

/** `target[name] = value`, also for the attribute name `__proto__`. */
function put(target: Item, name: string, value: AttributeValue): void {
  if (name === '__proto__') Object.defineProperty(target, name, { value, enumerable: true, writable: true, configurable: true });
  else target[name] = value;
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}
