/**
 * The multi-keyring (mpl-spec framework/multi-keyring.md): a generator keyring makes the data
 * key, then every child keyring adds its encrypted data key; on decrypt the generator and then
 * each child is tried in order and the first that decrypts wins.
 */
import { DdbecError } from '../errors.js';
import { noDataKeyDecrypted } from './failures.js';
import type { DecryptionMaterials, EncryptedDataKey, EncryptionMaterials, Keyring } from './types.js';

export interface MultiKeyringOptions {
  /** Makes the data key. Without one, the materials must already hold a data key on encrypt. */
  readonly generator?: Keyring;
  /** Each adds one encrypted data key (in order). */
  readonly childKeyrings?: readonly Keyring[];
}

function isKeyring(value: unknown): value is Keyring {
  const keyring = value as Keyring | null | undefined;
  return typeof keyring?.onEncrypt === 'function' && typeof keyring.onDecrypt === 'function';
}

export class MultiKeyring implements Keyring {
  readonly generator: Keyring | undefined;
  readonly childKeyrings: readonly Keyring[];

  constructor(options: MultiKeyringOptions) {
    const { generator, childKeyrings = [] } = options ?? {};
    if (generator !== undefined && !isKeyring(generator)) throw new DdbecError('ERR_INVALID_ARGUMENT', 'MultiKeyring: generator is not a keyring');
    if (!Array.isArray(childKeyrings) || !childKeyrings.every(isKeyring)) {
      throw new DdbecError('ERR_INVALID_ARGUMENT', 'MultiKeyring: childKeyrings must be an array of keyrings');
    }
    if (generator === undefined && childKeyrings.length === 0) {
      throw new DdbecError('ERR_INVALID_ARGUMENT', 'MultiKeyring needs a generator or at least one child keyring');
    }
    this.generator = generator;
    this.childKeyrings = Object.freeze([...childKeyrings]);
    Object.freeze(this);
  }

  async onEncrypt(materials: EncryptionMaterials): Promise<EncryptionMaterials> {
    let current = materials;
    if (this.generator !== undefined) {
      if (materials.plaintextDataKey !== undefined) {
        throw new DdbecError('ERR_WRAPPING_FAILED', 'MultiKeyring: the materials already hold a data key, but this keyring has a generator');
      }
      current = await this.generator.onEncrypt(materials);
      if (current.plaintextDataKey === undefined) throw new DdbecError('ERR_WRAPPING_FAILED', 'MultiKeyring: the generator keyring made no data key');
    } else if (materials.plaintextDataKey === undefined) {
      throw new DdbecError('ERR_WRAPPING_FAILED', 'MultiKeyring: no generator keyring and no data key in the materials');
    }
    for (const child of this.childKeyrings) current = await child.onEncrypt(current);
    return current;
  }

  /** The first keyring that decrypts wins; when none does, the error lists every keyring's failure. */
  async onDecrypt(materials: DecryptionMaterials, encryptedDataKeys: readonly EncryptedDataKey[]): Promise<DecryptionMaterials> {
    if (materials.plaintextDataKey !== undefined) return materials;
    const errors: unknown[] = [];
    for (const keyring of this.generator === undefined ? this.childKeyrings : [this.generator, ...this.childKeyrings]) {
      try {
        const result = await keyring.onDecrypt(materials, encryptedDataKeys);
        if (result.plaintextDataKey !== undefined) return result;
      } catch (error) {
        errors.push(error);
      }
    }
    throw noDataKeyDecrypted('MultiKeyring', errors);
  }
}
