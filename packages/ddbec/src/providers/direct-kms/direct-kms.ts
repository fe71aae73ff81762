import { DecryptCommand, GenerateDataKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import { DdbecError } from '../../errors.js';
import { callKms } from '../../kms-call.js';
import { canonicalizeNumber, fromBase64, toBase64, type AttributeValue } from '../../format/index.js';
import { hkdfSha256, SecretKey } from '../../crypto/index.js';
import {
  MaterialDescriptionKey as Desc,
  toDescriptionMap,
  type CryptographicMaterialsProvider,
  type DecryptionMaterials,
  type EncryptionContext,
  type EncryptionMaterials,
} from '../../materials/index.js';
import { parseKeyAlgorithm } from '../wrapped.js';

/** The KMS encryption context keys of the format (legacy-format §8.4.2). */
export const KmsContextKey = {
  ContentKeyAlgorithm: '*amzn-ddb-env-alg*',
  SigningAlgorithm: '*amzn-ddb-sig-alg*',
  TableName: '*aws-kms-table*',
} as const;

const DEFAULT_CONTENT_KEY = 'AES/256';
const DEFAULT_SIGNING_KEY = 'HmacSHA256/256';

export interface DirectKmsMaterialsProviderOptions {
  /**
   * The caller's `KMSClient`, or a function that returns the client for a region (a key ARN's
   * region is passed; `undefined` for key ids and aliases).
   */
  readonly kmsClient: KMSClient | ((region: string | undefined) => KMSClient);
  /**
   * The KMS key: key id, key ARN, alias name or alias ARN — or a function of the item's
   * encryption context (per-tenant keys). Prefer key ARNs: strict decryption can then check
   * exactly which key KMS used.
   */
  readonly keyId: string | ((context: EncryptionContext) => string);
  readonly grantTokens?: readonly string[];
  /**
   * `false` (default, strict): Decrypt names the configured key, so KMS refuses ciphertext of
   * any other key, and the key KMS reports is checked. `true` (discovery): Decrypt names no key
   * and any key the caller may use is accepted — only for migrations and tools.
   */
  readonly discovery?: boolean;
  /**
   * Entries to add to the KMS encryption context of every item (both directions). The
   * format's own entries cannot be overridden. Items written with extra entries are only
   * readable by a reader that adds the same entries.
   */
  readonly encryptionContext?: (context: EncryptionContext) => Readonly<Record<string, string>>;
  /**
   * `amzn-ddb-env-alg` (default `AES/256`) and `amzn-ddb-sig-alg` (default `HmacSHA256/256`),
   * plus entries copied into every item's material description.
   */
  readonly materialDescription?: ReadonlyMap<string, string> | Readonly<Record<string, string>>;
}

/**
 * One AWS KMS data key per item (the Java `DirectKmsMaterialProvider`, the Python
 * `AwsKmsCryptographicMaterialsProvider`): `GenerateDataKey` with 32 bytes, bound by the KMS
 * encryption context to the table and the item's key values; HKDF-SHA256 derives the AES key
 * (info `Encryption`) and the HMAC key (info `Signing`); the data key's ciphertext is stored in
 * `amzn-ddb-env-key`. Every encrypt and decrypt is one KMS call.
 */
export class DirectKmsMaterialsProvider implements CryptographicMaterialsProvider {
  readonly #client: (region: string | undefined) => KMSClient;
  readonly #keyId: (context: EncryptionContext) => string;
  readonly #grantTokens: string[] | undefined;
  readonly #discovery: boolean;
  readonly #extraContext: ((context: EncryptionContext) => Readonly<Record<string, string>>) | undefined;
  readonly #description: ReadonlyMap<string, string>;
  readonly #contentKey: string;
  readonly #signingKey: string;

  constructor(options: DirectKmsMaterialsProviderOptions) {
    const { kmsClient, keyId } = options;
    if (typeof kmsClient === 'function') this.#client = kmsClient;
    else if (typeof kmsClient?.send === 'function') this.#client = () => kmsClient;
    else throw new DdbecError('ERR_INVALID_ARGUMENT', 'DirectKmsMaterialsProvider needs a kmsClient');
    if (typeof keyId === 'function') this.#keyId = keyId;
    else if (typeof keyId === 'string' && keyId.length > 0) this.#keyId = () => keyId;
    else throw new DdbecError('ERR_INVALID_ARGUMENT', 'DirectKmsMaterialsProvider needs a keyId');
    this.#grantTokens = options.grantTokens ? [...options.grantTokens] : undefined;
    this.#discovery = options.discovery ?? false;
    this.#extraContext = options.encryptionContext;
    const description = toDescriptionMap(options.materialDescription);
    this.#contentKey = description.get(Desc.ContentKeyAlgorithm) ?? DEFAULT_CONTENT_KEY;
    this.#signingKey = description.get(Desc.KmsSigningAlgorithm) ?? DEFAULT_SIGNING_KEY;
    derivedKeySpec(this.#contentKey, 'AES');
    derivedKeySpec(this.#signingKey, 'Hmac');
    description.delete(Desc.ContentKeyAlgorithm);
    description.delete(Desc.KmsSigningAlgorithm);
    this.#description = description;
  }

  async getEncryptionMaterials(context: EncryptionContext): Promise<EncryptionMaterials> {
    const keyId = this.#resolveKeyId(context);
    const kmsContext = this.#kmsContext(context, this.#contentKey, this.#signingKey);
    const response = await callKms('GenerateDataKey', keyId, 'ERR_WRAPPING_FAILED', () =>
      this.#client(regionOf(keyId)).send(
        new GenerateDataKeyCommand({ KeyId: keyId, NumberOfBytes: 32, EncryptionContext: kmsContext, GrantTokens: this.#grantTokens }),
      ),
    );
    if (!response.Plaintext || !response.CiphertextBlob) {
      throw new DdbecError('ERR_WRAPPING_FAILED', 'AWS KMS GenerateDataKey returned no data key');
    }
    const description = new Map(this.#description);
    description.set(Desc.EnvelopeKey, toBase64(response.CiphertextBlob));
    description.set(Desc.ContentKeyAlgorithm, this.#contentKey);
    description.set(Desc.KmsSigningAlgorithm, this.#signingKey);
    description.set(Desc.WrappingAlgorithm, 'kms');
    description.set(Desc.KmsContextAttributes, '*keys*');
    const { encryptionKey, signingKey } = deriveKeys(response.Plaintext, this.#contentKey, this.#signingKey);
    return { materialDescription: description, encryptionKey, signingKey };
  }

  async getDecryptionMaterials(context: EncryptionContext): Promise<DecryptionMaterials> {
    const stored = context.materialDescription;
    const envelope = stored.get(Desc.EnvelopeKey);
    if (envelope === undefined) throw new DdbecError('ERR_UNWRAPPING_FAILED', 'the item has no KMS-encrypted data key');
    // Java and Python write all three; an item without one of them was altered.
    const wrapping = stored.get(Desc.WrappingAlgorithm);
    const contentKey = stored.get(Desc.ContentKeyAlgorithm);
    const signingKey = stored.get(Desc.KmsSigningAlgorithm);
    if (wrapping === undefined || contentKey === undefined || signingKey === undefined) {
      throw new DdbecError('ERR_MATERIAL_DESCRIPTION', 'the material description lacks the wrap, content-key or signing-key algorithm of a KMS item');
    }
    if (wrapping !== 'kms') {
      throw new DdbecError('ERR_UNWRAPPING_FAILED', `the item's data key was not encrypted by AWS KMS (wrap algorithm ${wrapping})`);
    }
    derivedKeySpec(contentKey, 'AES');
    derivedKeySpec(signingKey, 'Hmac');
    const keyId = this.#discovery ? undefined : this.#resolveKeyId(context);
    const kmsContext = this.#kmsContext(context, contentKey, signingKey);
    const response = await callKms('Decrypt', keyId, 'ERR_UNWRAPPING_FAILED', () =>
      this.#client(keyId === undefined ? undefined : regionOf(keyId)).send(
        new DecryptCommand({ CiphertextBlob: fromBase64(envelope), KeyId: keyId, EncryptionContext: kmsContext, GrantTokens: this.#grantTokens }),
      ),
    );
    if (!response.Plaintext) throw new DdbecError('ERR_UNWRAPPING_FAILED', 'AWS KMS Decrypt returned no data key');
    if (keyId !== undefined && !sameKey(keyId, response.KeyId)) {
      throw new DdbecError('ERR_UNWRAPPING_FAILED', `AWS KMS decrypted the data key with another key than ${keyId}`);
    }
    const keys = deriveKeys(response.Plaintext, contentKey, signingKey);
    return { materialDescription: stored, decryptionKey: keys.encryptionKey, verificationKey: keys.signingKey };
  }

  /** The KMS encryption context for an item (legacy-format §8.4.2). */
  kmsEncryptionContext(context: EncryptionContext): Record<string, string> {
    return this.#kmsContext(context, this.#contentKey, this.#signingKey);
  }

  #kmsContext(context: EncryptionContext, contentKey: string, signingKey: string): Record<string, string> {
    const extra = this.#extraContext?.(context) ?? {};
    const kmsContext: Record<string, string> = { ...extra };
    kmsContext[KmsContextKey.ContentKeyAlgorithm] = contentKey;
    kmsContext[KmsContextKey.SigningAlgorithm] = signingKey;
    for (const name of [context.partitionKeyName, context.sortKeyName]) {
      if (name === undefined) continue;
      const value = context.attributes[name];
      if (value === undefined) throw new DdbecError('ERR_INVALID_ARGUMENT', `the item has no value for its key attribute "${name}"`);
      kmsContext[name] = keyText(name, value);
    }
    if (context.tableName !== undefined) kmsContext[KmsContextKey.TableName] = context.tableName;
    return kmsContext;
  }

  #resolveKeyId(context: EncryptionContext): string {
    const keyId = this.#keyId(context);
    if (typeof keyId !== 'string' || keyId.length === 0) throw new DdbecError('ERR_INVALID_ARGUMENT', 'the keyId function returned no key id');
    return keyId;
  }
}

/**
 * `S` → the string, `N` → the number in the form DynamoDB stores and returns it (leading and
 * trailing zeros trimmed, no exponent: `1.50` → `1.5`, `1E+2` → `100`), `B` → base64. The
 * reference clients put the number text as they got it (legacy-format §8.4.2), which after a
 * DynamoDB round trip is this form; an item written with any other text could never be
 * decrypted once read back from DynamoDB.
 */
function keyText(name: string, value: AttributeValue): string {
  if ('S' in value) return value.S;
  if ('N' in value) {
    try {
      return canonicalizeNumber(value.N);
    } catch {
      throw new DdbecError('ERR_SERIALIZATION', `key attribute "${name}" is not a valid number`);
    }
  }
  if ('B' in value) return toBase64(value.B);
  throw new DdbecError('ERR_INVALID_ARGUMENT', `key attribute "${name}" must be of type S, N or B for AWS KMS`);
}

function derivedKeySpec(text: string, prefix: 'AES' | 'Hmac'): { algorithm: string; bytes: number } {
  const { algorithm, bits } = parseKeyAlgorithm(text);
  if (!algorithm.startsWith(prefix)) throw new DdbecError('ERR_UNSUPPORTED_ALGORITHM', `unsupported derived key algorithm: ${text}`);
  return { algorithm, bytes: (bits ?? 256) / 8 };
}

/** HKDF-SHA256 without salt over the data key; info `Encryption` / `Signing` (legacy-format §8.4.4). */
function deriveKeys(dataKey: Uint8Array, contentKey: string, signingKey: string): { encryptionKey: SecretKey; signingKey: SecretKey } {
  try {
    const content = derivedKeySpec(contentKey, 'AES');
    const signing = derivedKeySpec(signingKey, 'Hmac');
    return {
      encryptionKey: SecretKey.fromBytes(hkdfSha256(dataKey, undefined, 'Encryption', content.bytes), content.algorithm),
      signingKey: SecretKey.fromBytes(hkdfSha256(dataKey, undefined, 'Signing', signing.bytes), signing.algorithm),
    };
  } finally {
    dataKey.fill(0);
  }
}

/** The region of a key or alias ARN (`arn:aws:kms:<region>:…`), else undefined. */
export function regionOf(keyId: string): string | undefined {
  const parts = keyId.split(':');
  return parts[0] === 'arn' && parts.length >= 6 && parts[3] ? parts[3] : undefined;
}

/** Whether KMS's reported key ARN is the configured key (aliases were already checked by KMS). */
function sameKey(configured: string, reported: string | undefined): boolean {
  if (reported === undefined) return false;
  if (configured.includes(':alias/') || configured.startsWith('alias/')) return true;
  if (configured.startsWith('arn:')) return configured === reported;
  return reported.endsWith(`:key/${configured}`) || reported === configured;
}
