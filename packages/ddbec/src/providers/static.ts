import { DdbecError } from '../errors.js';
import type { ContentKey, SigningKey, VerificationKey } from '../crypto/index.js';
import {
  settle,
  toDescriptionMap,
  type CryptographicMaterialsProvider,
  type DecryptionMaterials,
  type EncryptionContext,
  type EncryptionMaterials,
} from '../materials/index.js';
import { requireAesKey, requireSigningKey, requireVerificationKey, verificationKeyFor } from './keys.js';

export interface StaticMaterialsProviderOptions {
  /**
   * AES key that encrypts every attribute of every item: a `SecretKey`, or a delegated key
   * (e.g. in an HSM) that does AES/CBC/PKCS5Padding itself. Omit for sign-only use.
   */
  readonly encryptionKey?: ContentKey;
  /** AES key that decrypts; defaults to `encryptionKey`. */
  readonly decryptionKey?: ContentKey;
  /**
   * HMAC key (`HmacSHA256`, …) or RSA private key (the asymmetric static form), in software or
   * delegated. Omit for decrypt-only use.
   */
  readonly signingKey?: SigningKey;
  /** Defaults to `signingKey` (HMAC) or its public half (software RSA; required for a delegated RSA key). */
  readonly verificationKey?: VerificationKey;
  /**
   * Entries written into every item's material description. On decrypt the stored
   * description must contain all of them (as the Java client checks), so one table can hold
   * items of several static key sets told apart by these entries.
   */
  readonly materialDescription?: ReadonlyMap<string, string> | Readonly<Record<string, string>>;
}

/**
 * The same raw keys for every item (the Java `SymmetricStaticProvider`, the Python
 * `StaticCryptographicMaterialsProvider` with raw materials). Simple and fast; every item
 * shares one content key, so prefer {@link WrappedMaterialsProvider} or KMS for new tables.
 */
export class StaticMaterialsProvider implements CryptographicMaterialsProvider {
  readonly #encryption: EncryptionMaterials | undefined;
  readonly #decryption: DecryptionMaterials | undefined;
  readonly #description: ReadonlyMap<string, string>;

  constructor(options: StaticMaterialsProviderOptions) {
    const description = toDescriptionMap(options.materialDescription);
    this.#description = description;
    const encryptionKey = options.encryptionKey && requireAesKey(options.encryptionKey, 'encryptionKey');
    const decryptionKey = options.decryptionKey ? requireAesKey(options.decryptionKey, 'decryptionKey') : encryptionKey;
    const signingKey = options.signingKey && requireSigningKey(options.signingKey, 'signingKey');
    const verificationKey = options.verificationKey
      ? requireVerificationKey(options.verificationKey, 'verificationKey')
      : signingKey && verificationKeyFor(signingKey);
    if (!signingKey && !verificationKey) {
      throw new DdbecError('ERR_INVALID_ARGUMENT', 'StaticMaterialsProvider needs a signingKey or a verificationKey');
    }
    this.#encryption = signingKey && Object.freeze({ materialDescription: description, encryptionKey, signingKey });
    this.#decryption = verificationKey && Object.freeze({ materialDescription: description, decryptionKey, verificationKey });
  }

  getEncryptionMaterials(): Promise<EncryptionMaterials> {
    return settle(() => {
      if (!this.#encryption) throw new DdbecError('ERR_MATERIALS_UNAVAILABLE', 'this StaticMaterialsProvider has no signing key');
      return this.#encryption;
    });
  }

  getDecryptionMaterials(context: EncryptionContext): Promise<DecryptionMaterials> {
    return settle(() => {
      if (!this.#decryption) throw new DdbecError('ERR_MATERIALS_UNAVAILABLE', 'this StaticMaterialsProvider has no verification key');
      for (const [key, value] of this.#description) {
        if (context.materialDescription.get(key) !== value) {
          throw new DdbecError('ERR_MATERIALS_UNAVAILABLE', `the item's material description does not match this provider's (entry "${key}")`);
        }
      }
      return this.#decryption;
    });
  }
}
