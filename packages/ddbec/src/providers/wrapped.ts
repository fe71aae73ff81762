import { DdbecError } from '../errors.js';
import { fromBase64, toBase64 } from '../format/index.js';
import {
  getWrappingAlgorithm,
  hkdfSha256,
  RsaPrivateKey,
  RsaPublicKey,
  SecretKey,
  type SigningKey,
  type UnwrappingKey,
  type VerificationKey,
  type WrappingKey,
} from '../crypto/index.js';
import {
  MaterialDescriptionKey as Desc,
  settle,
  toDescriptionMap,
  type CryptographicMaterialsProvider,
  type DecryptionMaterials,
  type EncryptionContext,
  type EncryptionMaterials,
} from '../materials/index.js';
import { requireSigningKey, requireVerificationKey, verificationKeyFor } from './keys.js';

export interface WrappedMaterialsProviderOptions {
  /** AES key-encryption key (AES Key Wrap) or RSA public key (RSA-OAEP). Omit for decrypt-only use. */
  readonly wrappingKey?: WrappingKey;
  /** The same AES key, or the RSA private key. Defaults to `wrappingKey` when that is an AES key. */
  readonly unwrappingKey?: UnwrappingKey;
  /** HMAC key or RSA private key. Omit for decrypt-only use. */
  readonly signingKey?: SigningKey;
  /** Defaults to `signingKey` (HMAC) or its public half (RSA). */
  readonly verificationKey?: VerificationKey;
  /**
   * Entries written into every item's material description. `amzn-ddb-env-alg` chooses the
   * content key (default `AES/256`), `amzn-ddb-wrap-alg` the wrapping algorithm (default
   * `AESWrap` for an AES key, `RSA/ECB/OAEPWithSHA-256AndMGF1Padding` for RSA).
   */
  readonly materialDescription?: ReadonlyMap<string, string> | Readonly<Record<string, string>>;
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

  constructor(options: WrappedMaterialsProviderOptions) {
    const { wrappingKey, signingKey } = options;
    if (wrappingKey !== undefined && !isAes(wrappingKey) && !(wrappingKey instanceof RsaPublicKey)) {
      throw new DdbecError('ERR_INVALID_KEY', 'wrappingKey must be an AES SecretKey or an RsaPublicKey');
    }
    const unwrappingKey = options.unwrappingKey ?? (wrappingKey && isAes(wrappingKey) ? wrappingKey : undefined);
    if (unwrappingKey !== undefined && !isAes(unwrappingKey) && !(unwrappingKey instanceof RsaPrivateKey)) {
      throw new DdbecError('ERR_INVALID_KEY', 'unwrappingKey must be an AES SecretKey or an RsaPrivateKey');
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
    this.#wrapAlgorithm = description.get(Desc.WrappingAlgorithm);
    if (this.#wrapAlgorithm !== undefined) getWrappingAlgorithm(this.#wrapAlgorithm); // fail early on a typo
    description.delete(Desc.ContentKeyAlgorithm);
    description.delete(Desc.WrappingAlgorithm);
    this.#description = description;
  }

  getEncryptionMaterials(): Promise<EncryptionMaterials> {
    return settle(() => {
      const wrappingKey = this.#wrappingKey;
      const signingKey = this.#signingKey;
      if (!wrappingKey || !signingKey) {
        throw new DdbecError('ERR_MATERIALS_UNAVAILABLE', 'this WrappedMaterialsProvider has no wrapping or signing key');
      }
      const wrapName = this.#wrapAlgorithm ?? (wrappingKey instanceof RsaPublicKey ? RSA_OAEP : 'AESWrap');
      const contentKey = SecretKey.generate(this.#contentKey.algorithm, this.#contentKey.bits);
      let wrapped: Uint8Array;
      try {
        wrapped = getWrappingAlgorithm(wrapName).wrap(wrappingKey, contentKey.exportBytes());
      } catch (error) {
        throw new DdbecError('ERR_WRAPPING_FAILED', 'the content key could not be wrapped', { cause: error });
      }
      const description = new Map(this.#description);
      description.set(Desc.EnvelopeKey, toBase64(wrapped));
      description.set(Desc.ContentKeyAlgorithm, this.#contentKey.algorithm);
      description.set(Desc.WrappingAlgorithm, wrapName);
      return { materialDescription: description, encryptionKey: contentKey, signingKey };
    });
  }

  getDecryptionMaterials(context: EncryptionContext): Promise<DecryptionMaterials> {
    return settle(() => {
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
      const { algorithm, bits } = parseKeyAlgorithm(stored.get(Desc.ContentKeyAlgorithm) ?? DEFAULT_CONTENT_KEY);
      // Old Java releases wrote no wrap algorithm: they used the unwrapping key's own algorithm
      // name, which for RSA means PKCS#1 v1.5 (legacy-format §8.3.4).
      const wrapName = stored.get(Desc.WrappingAlgorithm) ?? (unwrappingKey instanceof RsaPrivateKey ? 'RSA' : unwrappingKey.algorithm);
      const wrapping = getWrappingAlgorithm(wrapName);
      const wrapped = fromBase64(envelope);
      let decryptionKey: SecretKey;
      try {
        decryptionKey = SecretKey.fromBytes(wrapping.unwrap(unwrappingKey, wrapped), algorithm);
      } catch (error) {
        if (!PKCS1_V15.has(wrapName) || !(unwrappingKey instanceof RsaPrivateKey)) {
          throw new DdbecError('ERR_UNWRAPPING_FAILED', 'the content key could not be unwrapped', { cause: error });
        }
        // Implicit rejection: a PKCS#1 v1.5 failure must look exactly like a wrong key, or the
        // error would be a padding oracle (Bleichenbacher). Continue with a key derived from
        // the private key and the ciphertext; attribute decryption then fails as for any wrong key.
        decryptionKey = SecretKey.fromBytes(this.#rejectionKey(unwrappingKey, wrapped, (bits ?? 256) / 8), algorithm);
      }
      return { materialDescription: stored, decryptionKey, verificationKey };
    });
  }

  #rejectionSecret: Uint8Array | undefined;
  #rejectionKey(privateKey: RsaPrivateKey, wrapped: Uint8Array, length: number): Uint8Array {
    this.#rejectionSecret ??= hkdfSha256(privateKey.exportDer(), undefined, 'ddbec pkcs1 implicit rejection', 32);
    return hkdfSha256(wrapped, this.#rejectionSecret, 'ddbec pkcs1 implicit rejection key', length);
  }
}

/** The wrapping names that mean RSAES-PKCS1-v1_5. */
const PKCS1_V15: ReadonlySet<string> = new Set(['RSA', 'RSA/ECB/PKCS1Padding']);

function isAes(key: unknown): key is SecretKey {
  return key instanceof SecretKey && key.algorithm === 'AES';
}
