/**
 * The raw RSA keyring (mpl-spec framework/raw-rsa-keyring.md): encrypts with a local RSA public
 * key, decrypts with the private key. Under the DB-ESDK suites RSA encrypts the intermediate key
 * (see edk-wrapping.ts).
 *
 * The private key may be a delegated key (say an RSA key in a PKCS#11 token): its `unwrap`,
 * given the padding scheme as algorithm name, decrypts the intermediate key.
 *
 * Key provider id: the key namespace. Key provider info: the UTF-8 key name. Ciphertext (after
 * the wrapped data key): the RSA ciphertext of the intermediate key.
 */
import { delegatedOperation, isDelegatedKey, type DelegatedKey } from '../crypto/delegated-key.js';
import { RsaPrivateKey, RsaPublicKey } from '../crypto/keys.js';
import { randomBytes } from '../crypto/primitives.js';
import { RSA_PADDINGS, rsaDecrypt, rsaEncrypt, rsaMaxPlaintextLength, type RsaPadding } from '../crypto/rsa-encryption.js';
import { DdbecError, isDdbecError } from '../errors.js';
import { utf8Encode } from '../format/utf8.js';
import { encryptionContextAad } from '../structured/encryption-context.js';
import { providerWrappedMaterial, unwrapWithIntermediateKey, wrapWithIntermediateKey } from './edk-wrapping.js';
import { checkName } from './raw-aes.js';
import type { DecryptionMaterials, EncryptedDataKey, EncryptionMaterials, Keyring } from './types.js';

export type { RsaPadding } from '../crypto/rsa-encryption.js';

export interface RawRsaKeyringOptions {
  /** The key provider id written with each encrypted data key; not `aws-kms…`. */
  readonly keyNamespace: string;
  /** Identifies the key pair inside the namespace. */
  readonly keyName: string;
  /** `OAEP_SHA256_MGF1` and up are recommended; `PKCS1` only for keys that need it. */
  readonly paddingScheme: RsaPadding;
  /** Needed to encrypt. Never derived from the private key. */
  readonly publicKey?: RsaPublicKey;
  /** Needed to decrypt: a software key, or a delegated private key (`keyType: 'private'`) such as a PKCS#11 token key. */
  readonly privateKey?: RsaPrivateKey | DelegatedKey;
}

/** A keyring over a local RSA key pair (either half is enough for its direction). */
export class RawRsaKeyring implements Keyring {
  readonly keyNamespace: string;
  readonly keyName: string;
  readonly paddingScheme: RsaPadding;
  readonly #publicKey: RsaPublicKey | undefined;
  readonly #privateKey: RsaPrivateKey | DelegatedKey | undefined;
  readonly #keyNameBytes: Uint8Array;

  constructor(options: RawRsaKeyringOptions) {
    if (typeof options !== 'object' || options === null) throw new DdbecError('ERR_INVALID_ARGUMENT', 'RawRsaKeyring needs an options object');
    const { keyNamespace, keyName, paddingScheme, publicKey, privateKey } = options;
    checkName(keyNamespace, 'keyNamespace');
    checkName(keyName, 'keyName');
    if (keyNamespace.startsWith('aws-kms')) {
      throw new DdbecError('ERR_INVALID_ARGUMENT', 'keyNamespace must not start with "aws-kms" (reserved for the AWS KMS keyrings)');
    }
    if (!RSA_PADDINGS.includes(paddingScheme)) {
      throw new DdbecError('ERR_INVALID_ARGUMENT', `paddingScheme must be one of ${RSA_PADDINGS.join(', ')}`);
    }
    if (publicKey === undefined && privateKey === undefined) {
      throw new DdbecError('ERR_INVALID_ARGUMENT', 'RawRsaKeyring needs a publicKey, a privateKey or both');
    }
    if (publicKey !== undefined && !(publicKey instanceof RsaPublicKey)) throw new DdbecError('ERR_INVALID_KEY', 'publicKey must be an RsaPublicKey');
    if (privateKey !== undefined && !(privateKey instanceof RsaPrivateKey || (isDelegatedKey(privateKey) && privateKey.keyType === 'private'))) {
      throw new DdbecError('ERR_INVALID_KEY', 'privateKey must be an RsaPrivateKey or a delegated private key');
    }
    // Every DB-ESDK suite wraps a 32-byte intermediate key.
    if (publicKey !== undefined && rsaMaxPlaintextLength(publicKey, paddingScheme) < 32) {
      throw new DdbecError('ERR_INVALID_KEY', `a ${publicKey.modulusBits}-bit RSA key is too short for ${paddingScheme}`);
    }
    this.keyNamespace = keyNamespace;
    this.keyName = keyName;
    this.paddingScheme = paddingScheme;
    this.#publicKey = publicKey;
    this.#privateKey = privateKey;
    this.#keyNameBytes = utf8Encode(keyName);
    Object.freeze(this);
  }

  async onEncrypt(materials: EncryptionMaterials): Promise<EncryptionMaterials> {
    const publicKey = this.#publicKey;
    if (publicKey === undefined) throw new DdbecError('ERR_WRAPPING_FAILED', `the raw RSA keyring ${this.#label()} has no public key to encrypt with`);
    const suite = materials.algorithmSuite;
    const dataKey = materials.plaintextDataKey ?? randomBytes(suite.keyLength);
    const aad = encryptionContextAad(materials.encryptionContext);
    const { ciphertext, symmetricSigningKey } = await wrapWithIntermediateKey(suite, dataKey, aad, (intermediateKey) =>
      rsaEncrypt(publicKey, this.paddingScheme, intermediateKey),
    );
    const edk: EncryptedDataKey = { keyProviderId: this.keyNamespace, keyProviderInfo: this.#keyNameBytes, ciphertext };
    return {
      ...materials,
      plaintextDataKey: dataKey,
      encryptedDataKeys: [...materials.encryptedDataKeys, edk],
      symmetricSigningKeys: [...(materials.symmetricSigningKeys ?? []), symmetricSigningKey],
    };
  }

  async onDecrypt(materials: DecryptionMaterials, encryptedDataKeys: readonly EncryptedDataKey[]): Promise<DecryptionMaterials> {
    if (materials.plaintextDataKey !== undefined) return materials;
    const privateKey = this.#privateKey;
    if (privateKey === undefined) throw new DdbecError('ERR_UNWRAPPING_FAILED', `the raw RSA keyring ${this.#label()} has no private key to decrypt with`);
    const suite = materials.algorithmSuite;
    const aad = encryptionContextAad(materials.encryptionContext);
    for (const edk of encryptedDataKeys) {
      if (edk.keyProviderId !== this.keyNamespace || !sameBytes(edk.keyProviderInfo, this.#keyNameBytes)) continue;
      const wrapped = providerWrappedMaterial(suite, edk.ciphertext);
      if (wrapped === undefined) continue;
      const intermediateKey = privateKey instanceof RsaPrivateKey ? rsaDecrypt(privateKey, this.paddingScheme, wrapped) : await this.#delegatedDecrypt(privateKey, wrapped);
      if (intermediateKey === undefined || intermediateKey.length !== suite.keyLength) continue;
      const unwrapped = unwrapWithIntermediateKey(suite, edk.ciphertext, aad, intermediateKey);
      intermediateKey.fill(0);
      if (unwrapped !== undefined) return { ...materials, ...unwrapped };
    }
    throw new DdbecError('ERR_UNWRAPPING_FAILED', `the raw RSA keyring ${this.#label()} cannot decrypt any of the data keys`);
  }

  /** The delegated key's unwrap; `undefined` (as in software) when the ciphertext does not decrypt. */
  async #delegatedDecrypt(privateKey: DelegatedKey, wrapped: Uint8Array): Promise<Uint8Array | undefined> {
    try {
      return await delegatedOperation(privateKey, 'unwrap', 'privateKey')(this.paddingScheme, wrapped);
    } catch (error) {
      if (isDdbecError(error, 'ERR_UNWRAPPING_FAILED')) return undefined;
      throw error;
    }
  }

  #label(): string {
    return `${this.keyNamespace}/${this.keyName}`;
  }

  toJSON(): { type: 'RawRsaKeyring'; keyNamespace: string; keyName: string; paddingScheme: RsaPadding; encrypt: boolean; decrypt: boolean } {
    return {
      type: 'RawRsaKeyring',
      keyNamespace: this.keyNamespace,
      keyName: this.keyName,
      paddingScheme: this.paddingScheme,
      encrypt: this.#publicKey !== undefined,
      decrypt: this.#privateKey !== undefined,
    };
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}
