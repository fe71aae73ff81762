/**
 * A branch key store held in memory: branch keys given as plaintext, for tests, test vectors
 * and local development (the DB-ESDK vectors use one holding `static-branch-key-1`). A real
 * deployment uses the DynamoDB + KMS store, where branch keys are only ever stored encrypted.
 */
import { assertBytes, copyOwned } from '../../crypto/primitives.js';
import { DdbecError } from '../../errors.js';
import type { BeaconKeyMaterials, BranchKeyMaterials, BranchKeyStore, EncryptionContext } from '../types.js';
import { uuidToBytes } from './uuid.js';

/** One branch key version of a {@link StaticBranchKeyStore}. */
export interface StaticBranchKey {
  readonly branchKeyIdentifier: string;
  /** A UUID string. */
  readonly branchKeyVersion: string;
  /** 32 bytes. */
  readonly branchKey: Uint8Array;
  /** 32 bytes, for searchable encryption. */
  readonly beaconKey?: Uint8Array | undefined;
  readonly encryptionContext?: EncryptionContext | undefined;
}

/** An in-memory {@link BranchKeyStore}; the last version listed for an id is its active one. */
export class StaticBranchKeyStore implements BranchKeyStore {
  readonly #versions = new Map<string, BranchKeyMaterials>();
  readonly #active = new Map<string, BranchKeyMaterials>();
  readonly #beacons = new Map<string, BeaconKeyMaterials>();

  constructor(keys: readonly StaticBranchKey[]) {
    if (!Array.isArray(keys) || keys.length === 0) throw new DdbecError('ERR_INVALID_ARGUMENT', 'StaticBranchKeyStore needs at least one branch key');
    const list: readonly StaticBranchKey[] = keys;
    for (const key of list) {
      const { branchKeyIdentifier: id, branchKeyVersion: version, branchKey, beaconKey } = key;
      if (typeof id !== 'string' || id.length === 0) throw new DdbecError('ERR_INVALID_ARGUMENT', 'branchKeyIdentifier must be a non-empty string');
      if (uuidToBytes(version) === undefined) throw new DdbecError('ERR_INVALID_ARGUMENT', 'branchKeyVersion must be a UUID');
      assertBytes(branchKey, 'branchKey');
      if (branchKey.length !== 32) throw new DdbecError('ERR_INVALID_KEY', 'a branch key must be 32 bytes');
      const encryptionContext = Object.freeze({ ...(key.encryptionContext ?? {}) });
      const materials: BranchKeyMaterials = Object.freeze({
        branchKeyIdentifier: id,
        branchKeyVersion: version.toLowerCase(),
        encryptionContext,
        branchKey: copyOwned(branchKey),
      });
      this.#versions.set(`${id}\u0000${materials.branchKeyVersion}`, materials);
      this.#active.set(id, materials);
      if (beaconKey !== undefined) {
        assertBytes(beaconKey, 'beaconKey');
        if (beaconKey.length !== 32) throw new DdbecError('ERR_INVALID_KEY', 'a beacon key must be 32 bytes');
        this.#beacons.set(id, Object.freeze({ beaconKeyIdentifier: id, encryptionContext, beaconKey: copyOwned(beaconKey) }));
      }
    }
  }

  getActiveBranchKey(branchKeyIdentifier: string): Promise<BranchKeyMaterials> {
    return found(this.#active.get(branchKeyIdentifier), branchKeyIdentifier);
  }

  getBranchKeyVersion(branchKeyIdentifier: string, branchKeyVersion: string): Promise<BranchKeyMaterials> {
    const version = typeof branchKeyVersion === 'string' ? branchKeyVersion.toLowerCase() : '';
    return found(this.#versions.get(`${branchKeyIdentifier}\u0000${version}`), branchKeyIdentifier);
  }

  getBeaconKey(branchKeyIdentifier: string): Promise<BeaconKeyMaterials> {
    return found(this.#beacons.get(branchKeyIdentifier), branchKeyIdentifier);
  }
}

function found<T>(value: T | undefined, id: string): Promise<T> {
  if (value === undefined) {
    return Promise.reject(new DdbecError('ERR_MATERIALS_UNAVAILABLE', `the static branch key store has no such key for ${id}`));
  }
  return Promise.resolve(value);
}
