/**
 * The hierarchical keyring (mpl-spec framework/aws-kms/aws-kms-hierarchical-keyring.md): data
 * keys are wrapped under a key derived from a branch key that a {@link BranchKeyStore} supplies.
 *
 * Wrapping (of the intermediate key, under the DB-ESDK suites): a random 16-byte salt and
 * 12-byte IV; the wrapping key is the SP 800-108 counter-mode HMAC-SHA256 KDF of the branch key
 * with label `aws-kms-hierarchy` and the salt as context; AES-256-GCM with AAD
 * `"aws-kms-hierarchy" || branch key id (UTF-8) || version (16 UUID bytes) || serialized
 * encryption context`. The keyring's part of the EDK ciphertext is
 * `salt (16) || IV (12) || version (16) || encrypted key (32) || tag (16)`; key provider id
 * `aws-kms-hierarchy`, key provider info the UTF-8 branch key id.
 */
import { aesGcmDecrypt, aesGcmEncrypt, kdfCounterHmacSha256 } from '../../crypto/dbe.js';
import { randomBytes } from '../../crypto/primitives.js';
import { DdbecError, isRetryable } from '../../errors.js';
import { utf8DecodeStrict, utf8Encode } from '../../format/utf8.js';
import { encryptionContextAad } from '../../structured/encryption-context.js';
import { providerWrappedMaterial, unwrapWithIntermediateKey, wrapWithIntermediateKey } from '../edk-wrapping.js';
import type { BranchKeyMaterials, BranchKeyStore, DecryptionMaterials, EncryptedDataKey, EncryptionMaterials, Keyring } from '../types.js';
import { uuidFromBytes, uuidToBytes } from './uuid.js';

/** The key provider id of the hierarchical keyring's encrypted data keys. */
export const HIERARCHY_PROVIDER_ID = 'aws-kms-hierarchy';
const LABEL = utf8Encode(HIERARCHY_PROVIDER_ID);
const SALT_LENGTH = 16;
const IV_LENGTH = 12;
const VERSION_LENGTH = 16;
const TAG_LENGTH = 16;
const HEADER_LENGTH = SALT_LENGTH + IV_LENGTH + VERSION_LENGTH;

export interface HierarchicalKeyringOptions {
  /** Where the branch keys come from: the DynamoDB + KMS store, or a static one for tests. */
  readonly keyStore: BranchKeyStore;
  /** The branch key this keyring encrypts under and decrypts with. */
  readonly branchKeyId: string;
}

/** A keyring over the branch keys of a branch key store. */
export class HierarchicalKeyring implements Keyring {
  readonly branchKeyId: string;
  readonly #keyStore: BranchKeyStore;

  constructor(options: HierarchicalKeyringOptions) {
    if (typeof options !== 'object' || options === null) {
      throw new DdbecError('ERR_INVALID_ARGUMENT', 'HierarchicalKeyring needs an options object');
    }
    const { keyStore, branchKeyId } = options;
    if (typeof keyStore !== 'object' || keyStore === null || typeof keyStore.getActiveBranchKey !== 'function') {
      throw new DdbecError('ERR_INVALID_ARGUMENT', 'keyStore must be a branch key store');
    }
    if (typeof branchKeyId !== 'string' || branchKeyId.length === 0) {
      throw new DdbecError('ERR_INVALID_ARGUMENT', 'branchKeyId must be a non-empty string');
    }
    this.#keyStore = keyStore;
    this.branchKeyId = branchKeyId;
  }

  async onEncrypt(materials: EncryptionMaterials): Promise<EncryptionMaterials> {
    const suite = materials.algorithmSuite;
    const branchKeyId = this.branchKeyId;
    const branch = await this.#branchKey(branchKeyId);
    const version = uuidToBytes(branch.branchKeyVersion);
    if (version === undefined || branch.branchKey.length !== 32) {
      throw new DdbecError('ERR_MATERIALS_UNAVAILABLE', `the branch key store returned an unusable branch key for ${branchKeyId}`);
    }
    const dataKey = materials.plaintextDataKey ?? randomBytes(suite.keyLength);
    const ecAad = encryptionContextAad(materials.encryptionContext);
    const branchKeyIdBytes = utf8Encode(branchKeyId);
    const { ciphertext, symmetricSigningKey } = await wrapWithIntermediateKey(suite, dataKey, ecAad, (intermediateKey) => {
      const salt = randomBytes(SALT_LENGTH);
      const iv = randomBytes(IV_LENGTH);
      const wrappingKey = kdfCounterHmacSha256(branch.branchKey, LABEL, salt);
      const sealed = aesGcmEncrypt(wrappingKey, iv, intermediateKey, wrappingAad(branchKeyIdBytes, version, ecAad));
      wrappingKey.fill(0);
      const out = new Uint8Array(HEADER_LENGTH + sealed.length);
      out.set(salt, 0);
      out.set(iv, SALT_LENGTH);
      out.set(version, SALT_LENGTH + IV_LENGTH);
      out.set(sealed, HEADER_LENGTH);
      return out;
    });
    const edk: EncryptedDataKey = { keyProviderId: HIERARCHY_PROVIDER_ID, keyProviderInfo: branchKeyIdBytes, ciphertext };
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
    const branchKeyId = this.branchKeyId;
    const ecAad = encryptionContextAad(materials.encryptionContext);
    const errors: unknown[] = [];
    for (const edk of encryptedDataKeys) {
      if (edk.keyProviderId !== HIERARCHY_PROVIDER_ID || utf8DecodeStrict(edk.keyProviderInfo) !== branchKeyId) continue;
      const wrapped = providerWrappedMaterial(suite, edk.ciphertext);
      if (wrapped === undefined || wrapped.length !== HEADER_LENGTH + suite.keyLength + TAG_LENGTH) continue;
      const versionBytes = wrapped.subarray(SALT_LENGTH + IV_LENGTH, HEADER_LENGTH);
      let branch: BranchKeyMaterials;
      try {
        branch = await this.#branchKey(branchKeyId, uuidFromBytes(versionBytes));
      } catch (error) {
        errors.push(error);
        continue;
      }
      const wrappingKey = kdfCounterHmacSha256(branch.branchKey, LABEL, wrapped.subarray(0, SALT_LENGTH));
      const intermediateKey = aesGcmDecrypt(
        wrappingKey,
        wrapped.subarray(SALT_LENGTH, SALT_LENGTH + IV_LENGTH),
        wrapped.subarray(HEADER_LENGTH),
        wrappingAad(edk.keyProviderInfo, versionBytes, ecAad),
      );
      wrappingKey.fill(0);
      if (intermediateKey === undefined) continue;
      const unwrapped = unwrapWithIntermediateKey(suite, edk.ciphertext, ecAad, intermediateKey);
      intermediateKey.fill(0);
      if (unwrapped !== undefined) return { ...materials, ...unwrapped };
    }
    // Throttling or an outage of the store is worth retrying: report that rather than "cannot decrypt".
    const retryable = errors.find((e): e is DdbecError => isRetryable(e));
    if (retryable !== undefined) throw retryable;
    throw new DdbecError('ERR_UNWRAPPING_FAILED', `the hierarchical keyring for branch key ${branchKeyId} cannot decrypt any of the data keys`, {
      cause: errors[0],
    });
  }

  /** The branch key materials: the active version, or the given one. */
  async #branchKey(branchKeyId: string, version?: string): Promise<BranchKeyMaterials> {
    const materials =
      version === undefined
        ? await this.#keyStore.getActiveBranchKey(branchKeyId)
        : await this.#keyStore.getBranchKeyVersion(branchKeyId, version);
    if (materials.branchKeyIdentifier !== branchKeyId || (version !== undefined && materials.branchKeyVersion !== version)) {
      throw new DdbecError('ERR_MATERIALS_UNAVAILABLE', `the branch key store returned another branch key than ${branchKeyId}`);
    }
    return materials;
  }

  toJSON(): { type: 'HierarchicalKeyring'; branchKeyId: string } {
    return { type: 'HierarchicalKeyring', branchKeyId: this.branchKeyId };
  }
}

function wrappingAad(branchKeyId: Uint8Array, version: Uint8Array, ecAad: Uint8Array): Uint8Array {
  const out = new Uint8Array(LABEL.length + branchKeyId.length + version.length + ecAad.length);
  out.set(LABEL, 0);
  out.set(branchKeyId, LABEL.length);
  out.set(version, LABEL.length + branchKeyId.length);
  out.set(ecAad, LABEL.length + branchKeyId.length + version.length);
  return out;
}
