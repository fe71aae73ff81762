import { DdbecError } from '../errors.js';
import { fromBase64, toBase64 } from '../format/index.js';
import {
  delegatedOperation,
  getWrappingAlgorithm,
  isDelegatedKey,
  RsaPrivateKey,
  RsaPublicKey,
  SecretKey,
  type DelegatedKey,
  type SigningKey,
  type UnwrappingKey,
  type VerificationKey,
  type WrappingAlgorithm,
  type WrappingKey,
} from '../crypto/index.js';
import {
  MaterialDescriptionKey as Desc,
  toDescriptionMap,
  type CryptographicMaterialsProvider,
  type DecryptionMaterials,
  type EncryptionContext,
  type EncryptionMaterials,
} from '../materials/index.js';
import { isDelegatedAesKey, requireSigningKey, requireVerificationKey, verificationKeyFor } from './keys.js';

export interface WrappedMaterialsProviderOptions {
  /**
   * AES key-encryption key (AES Key Wrap) or RSA public key (RSA-OAEP), in software or
   * delegated (an AES key in an HSM wraps there). Omit for decrypt-only use.
   */
  readonly wrappingKey?: WrappingKey;
  /**
   * The same AES key, or the RSA private key (in software or delegated: a key in an HSM
   * unwraps there). Defaults to `wrappingKey` when that is an AES key.
   */
  readonly unwrappingKey?: UnwrappingKey;
  /** HMAC key or RSA private key, in software or delegated. Omit for decrypt-only use. */
  readonly signingKey?: SigningKey;
  /** Defaults to `signingKey` (HMAC) or its public half (RSA). */
  readonly verificationKey?: VerificationKey;
  /**
   * Entries written into every item's material description. `amzn-ddb-env-alg` chooses the
   * content key (default `AES/256`), `amzn-ddb-wrap-alg` the wrapping algorithm (default
   * `AESWrap` for an AES key, `RSA/ECB/OAEPWithSHA-256AndMGF1Padding` for RSA).
   */
  readonly materialDescription?: ReadonlyMap<string, string> | Readonly<Record<string, string>>;
  /**
   * Also unwrap (and wrap) content keys with RSA PKCS#1 v1.5: the items of early Java releases,
   * which recorded no `amzn-ddb-wrap-alg`, or name `RSA` / `RSA/ECB/PKCS1Padding`. Off by
   * default, and such items are refused (`ERR_UNSUPPORTED_ALGORITHM`): the material description
   * is not signed, so anyone who can write to the table could relabel any envelope as PKCS#1
   * v1.5 and learn from which reads fail whether it is well padded — Bleichenbacher's padding
   * oracle, which can reveal other items' content keys. The Java and Python clients always
   * accept PKCS#1 v1.5 and so expose that oracle. Turn this on only to read or re-encrypt such
   * items, then off again.
   */
  readonly allowLegacyPkcs1?: boolean;
}

const DEFAULT_CONTENT_KEY = 'AES/256';
const RSA_OAEP = 'RSA/ECB/OAEPWithSHA-256AndMGF1Padding';

/** Splits `AES/256` into the algorithm name and the bit length (if any). */
export function parseKeyAlgorithm(text: string): { algorithm: string; bits: number | undefined } {
  const slash = text.indexOf('/');
  if (slash < 0) return { algorithm: text, bits: undefined };
  const bits = Number(text.slice(slash + 1));
  if (!Number.isInteger(bits) || bits <= 0 || bits % 8 !== 0) {
    throw new DdbecError('ERR_UNSUPPORTED_ALGORITHM', `unsupported content key algorithm: ${text}`);
  }
  return { algorithm: text.slice(0, slash), bits };
}

/**
 * Envelope encryption: a fresh AES-256 content key per item, wrapped with a key-encryption
 * key and stored in the material description (the Java `WrappedMaterialsProvider` /
 * `AsymmetricStaticProvider`, the Python `WrappedCryptographicMaterialsProvider`).
 *
 * Writes `amzn-ddb-env-alg` as `AES`, the form every Java and Python release reads. Reads
 * items of either client, including old Java RSA items without `amzn-ddb-wrap-alg`
 * (RSA PKCS#1 v1.5).
 */
export class WrappedMaterialsProvider implements CryptographicMaterialsProvider {
  readonly #wrappingKey: WrappingKey | undefined;
  readonly #unwrappingKey: UnwrappingKey | undefined;
  readonly #signingKey: SigningKey | undefined;
  readonly #verificationKey: VerificationKey | undefined;
  readonly #description: ReadonlyMap<string, string>;
  readonly #contentKey: { algorithm: string; bits: number };
  readonly #wrapAlgorithm: string | undefined;
  readonly #allowPkcs1: boolean;

  constructor(options: WrappedMaterialsProviderOptions) {
    const { wrappingKey, signingKey } = options;
    if (wrappingKey !== undefined && !isAes(wrappingKey) && !isRsaHalf(wrappingKey, 'public')) {
      throw new DdbecError('ERR_INVALID_KEY', 'wrappingKey must be an AES SecretKey or an RsaPublicKey (or such a delegated key)');
    }
    const unwrappingKey = options.unwrappingKey ?? (wrappingKey && isAes(wrappingKey) ? wrappingKey : undefined);
    if (unwrappingKey !== undefined && !isAes(unwrappingKey) && !isRsaHalf(unwrappingKey, 'private')) {
      throw new DdbecError('ERR_INVALID_KEY', 'unwrappingKey must be an AES SecretKey or an RsaPrivateKey (or such a delegated key)');
    }
    this.#wrappingKey = wrappingKey;
    this.#unwrappingKey = unwrappingKey;
    this.#signingKey = signingKey && requireSigningKey(signingKey, 'signingKey');
    this.#verificationKey = options.verificationKey
      ? requireVerificationKey(options.verificationKey, 'verificationKey')
      : this.#signingKey && verificationKeyFor(this.#signingKey);
    if (!this.#signingKey && !this.#verificationKey) {
      throw new DdbecError('ERR_INVALID_ARGUMENT', 'WrappedMaterialsProvider needs a signingKey or a verificationKey');
    }
    if (!this.#wrappingKey && !this.#unwrappingKey) {
      throw new DdbecError('ERR_INVALID_ARGUMENT', 'WrappedMaterialsProvider needs a wrappingKey or an unwrappingKey');
    }

    const description = toDescriptionMap(options.materialDescription);
    const contentKey = parseKeyAlgorithm(description.get(Desc.ContentKeyAlgorithm) ?? DEFAULT_CONTENT_KEY);
    if (contentKey.algorithm !== 'AES') {
      throw new DdbecError('ERR_UNSUPPORTED_ALGORITHM', `unsupported content key algorithm: ${contentKey.algorithm}`);
    }
    this.#contentKey = { algorithm: 'AES', bits: contentKey.bits ?? 256 };
    this.#allowPkcs1 = options.allowLegacyPkcs1 ?? false;
    if (typeof this.#allowPkcs1 !== 'boolean') throw new DdbecError('ERR_INVALID_ARGUMENT', 'allowLegacyPkcs1 must be a boolean');
    this.#wrapAlgorithm = description.get(Desc.WrappingAlgorithm);
    if (this.#wrapAlgorithm !== undefined) this.#wrapping(this.#wrapAlgorithm); // fail early on a typo
    description.delete(Desc.ContentKeyAlgorithm);
    description.delete(Desc.WrappingAlgorithm);
    this.#description = description;
  }

  async getEncryptionMaterials(): Promise<EncryptionMaterials> {
    const wrappingKey = this.#wrappingKey;
    const signingKey = this.#signingKey;
    if (!wrappingKey || !signingKey) {
      throw new DdbecError('ERR_MATERIALS_UNAVAILABLE', 'this WrappedMaterialsProvider has no wrapping or signing key');
    }
    const wrapName = this.#wrapAlgorithm ?? (isRsaHalf(wrappingKey, 'public') ? RSA_OAEP : 'AESWrap');
    const contentKey = SecretKey.generate(this.#contentKey.algorithm, this.#contentKey.bits);
    let wrapped: Uint8Array;
    try {
      const wrapping = this.#wrapping(wrapName);
      wrapped = isDelegatedKey(wrappingKey)
        ? await delegatedOperation(wrappingKey, 'wrap', 'wrappingKey')(wrapName, contentKey.exportBytes())
        : wrapping.wrap(wrappingKey, contentKey.exportBytes());
    } catch (error) {
      throw new DdbecError('ERR_WRAPPING_FAILED', 'the content key could not be wrapped', { cause: error });
    }
    const description = new Map(this.#description);
    description.set(Desc.EnvelopeKey, toBase64(wrapped));
    description.set(Desc.ContentKeyAlgorithm, this.#contentKey.algorithm);
    description.set(Desc.WrappingAlgorithm, wrapName);
    return { materialDescription: description, encryptionKey: contentKey, signingKey };
  }

  async getDecryptionMaterials(context: EncryptionContext): Promise<DecryptionMaterials> {
    const unwrappingKey = this.#unwrappingKey;
    const verificationKey = this.#verificationKey;
    if (!unwrappingKey || !verificationKey) {
      throw new DdbecError('ERR_MATERIALS_UNAVAILABLE', 'this WrappedMaterialsProvider has no unwrapping or verification key');
    }
    const stored = context.materialDescription;
    const envelope = stored.get(Desc.EnvelopeKey);
    if (envelope === undefined) {
      throw new DdbecError('ERR_UNWRAPPING_FAILED', 'the item has no wrapped content key');
    }
    const contentKeyAlgorithm = stored.get(Desc.ContentKeyAlgorithm);
    // Java requires it, and both clients always write it.
    if (contentKeyAlgorithm === undefined) {
      throw new DdbecError('ERR_MATERIAL_DESCRIPTION', 'the material description names no content key algorithm');
    }
    const { algorithm, bits } = parseKeyAlgorithm(contentKeyAlgorithm);
    // Old Java releases wrote no wrap algorithm: they used the unwrapping key's own algorithm
    // name, which for RSA means PKCS#1 v1.5 (legacy-format §8.3.4).
    const wrapName = stored.get(Desc.WrappingAlgorithm) ?? (isRsaHalf(unwrappingKey, 'private') ? 'RSA' : unwrappingKey.algorithm);
    const wrapping = this.#wrapping(wrapName);
    let decryptionKey: SecretKey;
    try {
      const wrapped = fromBase64(envelope);
      const unwrapped = isDelegatedKey(unwrappingKey)
        ? await delegatedOperation(unwrappingKey, 'unwrap', 'unwrappingKey')(wrapName, wrapped)
        : wrapping.unwrap(unwrappingKey, wrapped);
      decryptionKey = SecretKey.fromBytes(unwrapped, algorithm);
      if (bits !== undefined && decryptionKey.byteLength * 8 !== bits) {
        throw new DdbecError('ERR_MATERIAL_DESCRIPTION', `the unwrapped content key does not have the ${bits} bits its algorithm names`);
      }
    } catch (error) {
      throw new DdbecError('ERR_UNWRAPPING_FAILED', 'the content key could not be unwrapped', { cause: error });
    }
    return { materialDescription: stored, decryptionKey, verificationKey };
  }

  /** The wrapping algorithm of a name; PKCS#1 v1.5 only when allowed. */
  #wrapping(name: string): WrappingAlgorithm {
    if (PKCS1_V15.has(name) && !this.#allowPkcs1) {
      throw new DdbecError(
        'ERR_UNSUPPORTED_ALGORITHM',
        `RSA PKCS#1 v1.5 key wrapping ("${name}"; also used when an item records no amzn-ddb-wrap-alg) needs allowLegacyPkcs1: true`,
      );
    }
    return getWrappingAlgorithm(name);
  }
}

/** The wrapping names that mean RSAES-PKCS1-v1_5. */
const PKCS1_V15: ReadonlySet<string> = new Set(['RSA', 'RSA/ECB/PKCS1Padding']);

function isAes(key: unknown): key is SecretKey | DelegatedKey {
  return (key instanceof SecretKey && key.algorithm === 'AES') || isDelegatedAesKey(key);
}

/** An RSA key of this half, in software or delegated. */
function isRsaHalf(key: unknown, half: 'public' | 'private'): boolean {
  return (half === 'public' ? key instanceof RsaPublicKey : key instanceof RsaPrivateKey) || (isDelegatedKey(key) && key.keyType === half);
}
