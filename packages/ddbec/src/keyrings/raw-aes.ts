/**
 * The raw AES keyring (mpl-spec framework/raw-aes-keyring.md): wraps with a local AES-GCM key
 * of 128, 192 or 256 bits, 12-byte random IV, 16-byte tag, the serialized encryption context as
 * AAD. Under the DB-ESDK suites it wraps the intermediate key (see edk-wrapping.ts).
 *
 * The wrapping key may be a delegated AES key (say one in a PKCS#11 token): its `gcmEncrypt`
 * and `gcmDecrypt` then wrap the intermediate key, and it chooses the IV.
 *
 * Key provider id: the key namespace. Key provider info: UTF-8 key name, UInt32 tag length in
 * bits (128), UInt32 IV length (12), the IV. Ciphertext (after the wrapped data key): the
 * encrypted intermediate key and the tag.
 */
import { aesGcmDecrypt, aesGcmEncrypt } from '../crypto/dbe.js';
import { delegatedOperation, isDelegatedKey, type DelegatedKey } from '../crypto/delegated-key.js';
import { assertBytes, copyOwned, randomBytes } from '../crypto/primitives.js';
import { DdbecError, isDdbecError } from '../errors.js';
import { isWellFormed, utf8Encode } from '../format/utf8.js';
import { encryptionContextAad } from '../structured/encryption-context.js';
import { providerWrappedMaterial, unwrapWithIntermediateKey, wrapWithIntermediateKey } from './edk-wrapping.js';
import type { DecryptionMaterials, EncryptedDataKey, EncryptionMaterials, Keyring } from './types.js';

const TAG_LENGTH_BITS = 128;
const IV_LENGTH = 12;
const TAG_LENGTH = TAG_LENGTH_BITS / 8;

export interface RawAesKeyringOptions {
  /** The key provider id written with each encrypted data key; not `aws-kms` (nor any `aws-kms…`). */
  readonly keyNamespace: string;
  /** Identifies the wrapping key inside the namespace. */
  readonly keyName: string;
  /** 16, 24 or 32 bytes (the keyring keeps its own copy), or a delegated AES key (`keyType: 'secret'`, `algorithm: 'AES'`). */
  readonly wrappingKey: Uint8Array | DelegatedKey;
}

/** A raw keyring's key namespace or key name: non-empty, well-formed, at most 65535 bytes of UTF-8. */
export function checkName(value: unknown, what: string): asserts value is string {
  if (typeof value !== 'string' || value.length === 0 || !isWellFormed(value)) {
    throw new DdbecError('ERR_INVALID_ARGUMENT', `${what} must be a non-empty string`);
  }
  if (utf8Encode(value).length > 0xffff) throw new DdbecError('ERR_INVALID_ARGUMENT', `${what} must be at most 65535 bytes of UTF-8`);
}

/** A keyring over a local AES key. */
export class RawAesKeyring implements Keyring {
  readonly keyNamespace: string;
  readonly keyName: string;
  readonly #wrappingKey: Uint8Array | DelegatedKey;
  readonly #keyNameBytes: Uint8Array;

  constructor(options: RawAesKeyringOptions) {
    if (typeof options !== 'object' || options === null) throw new DdbecError('ERR_INVALID_ARGUMENT', 'RawAesKeyring needs an options object');
    const { keyNamespace, keyName, wrappingKey } = options;
    checkName(keyNamespace, 'keyNamespace');
    checkName(keyName, 'keyName');
    if (keyNamespace.startsWith('aws-kms')) {
      throw new DdbecError('ERR_INVALID_ARGUMENT', 'keyNamespace must not start with "aws-kms" (reserved for the AWS KMS keyrings)');
    }
    const delegated = isDelegatedKey(wrappingKey);
    if (delegated) {
      if (wrappingKey.keyType !== 'secret' || wrappingKey.algorithm !== 'AES') throw new DdbecError('ERR_INVALID_KEY', 'a delegated wrappingKey must be an AES key');
    } else {
      assertBytes(wrappingKey, 'wrappingKey');
      if (wrappingKey.length !== 16 && wrappingKey.length !== 24 && wrappingKey.length !== 32) {
        throw new DdbecError('ERR_INVALID_KEY', `a raw AES wrapping key must be 128, 192 or 256 bits long, got ${wrappingKey.length * 8} bits`);
      }
    }
    this.keyNamespace = keyNamespace;
    this.keyName = keyName;
    this.#wrappingKey = delegated ? wrappingKey : copyOwned(wrappingKey);
    this.#keyNameBytes = utf8Encode(keyName);
    Object.freeze(this);
  }

  async onEncrypt(materials: EncryptionMaterials): Promise<EncryptionMaterials> {
    const suite = materials.algorithmSuite;
    const dataKey = materials.plaintextDataKey ?? randomBytes(suite.keyLength);
    const aad = encryptionContextAad(materials.encryptionContext);
    const wrappingKey = this.#wrappingKey;
    let iv = randomBytes(IV_LENGTH);
    const { ciphertext, symmetricSigningKey } = await wrapWithIntermediateKey(suite, dataKey, aad, async (intermediateKey) => {
      if (wrappingKey instanceof Uint8Array) return aesGcmEncrypt(wrappingKey, iv, intermediateKey, aad);
      const sealed = await delegatedOperation(wrappingKey, 'gcmEncrypt', 'wrappingKey')(intermediateKey, aad);
      if (sealed.iv.length !== IV_LENGTH || sealed.ciphertext.length !== intermediateKey.length + TAG_LENGTH) {
        throw new DdbecError('ERR_WRAPPING_FAILED', `the delegated wrapping key of ${this.keyNamespace}/${this.keyName} returned a ${sealed.iv.length}-byte IV and ${sealed.ciphertext.length} bytes`);
      }
      iv = sealed.iv;
      return sealed.ciphertext;
    });
    const edk: EncryptedDataKey = { keyProviderId: this.keyNamespace, keyProviderInfo: this.#providerInfo(iv), ciphertext };
    return {
      ...materials,
      plaintextDataKey: dataKey,
      encryptedDataKeys: [...materials.encryptedDataKeys, edk],
      symmetricSigningKeys: [...(materials.symmetricSigningKeys ?? []), symmetricSigningKey],
    };
  }

  async onDecrypt(materials: DecryptionMaterials, encryptedDataKeys: readonly EncryptedDataKey[]): Promise<DecryptionMaterials> {
    if (materials.plaintextDataKey !== undefined) return materials;
    const suite = materials.algorithmSuite;
    const aad = encryptionContextAad(materials.encryptionContext);
    const wrappingKey = this.#wrappingKey;
    for (const edk of encryptedDataKeys) {
      if (edk.keyProviderId !== this.keyNamespace) continue;
      const iv = this.#ivFromProviderInfo(edk.keyProviderInfo);
      const wrapped = providerWrappedMaterial(suite, edk.ciphertext);
      if (iv === undefined || wrapped === undefined || wrapped.length !== suite.keyLength + TAG_LENGTH) continue;
      const intermediateKey = wrappingKey instanceof Uint8Array ? aesGcmDecrypt(wrappingKey, iv, wrapped, aad) : await delegatedGcmDecrypt(wrappingKey, iv, wrapped, aad);
      if (intermediateKey === undefined) continue;
      const unwrapped = unwrapWithIntermediateKey(suite, edk.ciphertext, aad, intermediateKey);
      intermediateKey.fill(0);
      if (unwrapped !== undefined) return { ...materials, ...unwrapped };
    }
    throw new DdbecError('ERR_UNWRAPPING_FAILED', `the raw AES keyring ${this.keyNamespace}/${this.keyName} cannot decrypt any of the data keys`);
  }

  #providerInfo(iv: Uint8Array): Uint8Array {
    const name = this.#keyNameBytes;
    const info = new Uint8Array(name.length + 8 + IV_LENGTH);
    const view = new DataView(info.buffer);
    info.set(name, 0);
    view.setUint32(name.length, TAG_LENGTH_BITS);
    view.setUint32(name.length + 4, IV_LENGTH);
    info.set(iv, name.length + 8);
    return info;
  }

  /** The IV of a provider info written by this key name with this algorithm, else `undefined`. */
  #ivFromProviderInfo(info: Uint8Array): Uint8Array | undefined {
    const name = this.#keyNameBytes;
    if (info.length !== name.length + 8 + IV_LENGTH) return undefined;
    for (let i = 0; i < name.length; i++) if (info[i] !== name[i]) return undefined;
    const view = new DataView(info.buffer, info.byteOffset, info.byteLength);
    if (view.getUint32(name.length) !== TAG_LENGTH_BITS || view.getUint32(name.length + 4) !== IV_LENGTH) return undefined;
    return info.subarray(name.length + 8);
  }

  toJSON(): { type: 'RawAesKeyring'; keyNamespace: string; keyName: string; bits?: number } {
    const key = this.#wrappingKey;
    return { type: 'RawAesKeyring', keyNamespace: this.keyNamespace, keyName: this.keyName, ...(key instanceof Uint8Array ? { bits: key.length * 8 } : {}) };
  }
}

/** The delegated key's `gcmDecrypt`; `undefined` (as in software) when the tag does not verify. */
async function delegatedGcmDecrypt(key: DelegatedKey, iv: Uint8Array, wrapped: Uint8Array, aad: Uint8Array): Promise<Uint8Array | undefined> {
  try {
    return await delegatedOperation(key, 'gcmDecrypt', 'wrappingKey')(iv, wrapped, aad);
  } catch (error) {
    if (isDdbecError(error, 'ERR_DECRYPTION_FAILED')) return undefined;
    throw error;
  }
}
