/**
 * The structures of the AWS Cryptographic Material Providers Library that the Database
 * Encryption SDK format uses: encrypted data keys, encryption and decryption materials,
 * keyrings, and the branch key store's key materials (mpl-spec framework/structures.md).
 */
import type { AlgorithmSuite } from './algorithm-suites.js';

/** A data key encrypted by one keyring: who can decrypt it, and the ciphertext. */
export interface EncryptedDataKey {
  /** UTF-8 in the header; `aws-kms`, `aws-kms-hierarchy`, or a raw keyring's namespace. */
  readonly keyProviderId: string;
  /** The keyring's own information (a key ARN, a branch key id, a raw keyring's key name and IV length). */
  readonly keyProviderInfo: Uint8Array;
  readonly ciphertext: Uint8Array;
}

/** Encryption context: UTF-8 key → UTF-8 value. */
export type EncryptionContext = Readonly<Record<string, string>>;

/** What a keyring receives and returns on encrypt. Keyrings return new objects; they never mutate their input. */
export interface EncryptionMaterials {
  readonly algorithmSuite: AlgorithmSuite;
  readonly encryptionContext: EncryptionContext;
  readonly encryptedDataKeys: readonly EncryptedDataKey[];
  /** Keys of the encryption context that are authenticated but not stored with the item. */
  readonly requiredEncryptionContextKeys: readonly string[];
  /** Absent until the first (generator) keyring has made or obtained one. */
  readonly plaintextDataKey?: Uint8Array | undefined;
  /** The ECDSA P-384 private key (PKCS#8 DER or a KeyObject held by crypto/) for suites with an asymmetric signature. */
  readonly signingKey?: unknown;
  /** One per encrypted data key, same order (intermediate key wrapping). */
  readonly symmetricSigningKeys?: readonly Uint8Array[] | undefined;
}

/** What a keyring receives and returns on decrypt. */
export interface DecryptionMaterials {
  readonly algorithmSuite: AlgorithmSuite;
  readonly encryptionContext: EncryptionContext;
  readonly requiredEncryptionContextKeys: readonly string[];
  /** Absent until a keyring has decrypted one of the encrypted data keys. */
  readonly plaintextDataKey?: Uint8Array | undefined;
  /** The ECDSA P-384 public key for suites with an asymmetric signature. */
  readonly verificationKey?: unknown;
  readonly symmetricSigningKey?: Uint8Array | undefined;
}

/**
 * A keyring (mpl-spec framework/keyring-interface.md). `onEncrypt` generates the data key when
 * the materials have none and it can (a generator), and adds one encrypted data key;
 * `onDecrypt` returns the materials unchanged when they already hold a data key, and otherwise
 * tries the encrypted data keys it recognises, in order.
 */
export interface Keyring {
  onEncrypt(materials: EncryptionMaterials): Promise<EncryptionMaterials>;
  onDecrypt(materials: DecryptionMaterials, encryptedDataKeys: readonly EncryptedDataKey[]): Promise<DecryptionMaterials>;
}

/** A branch key as the branch key store returns it (mpl-spec framework/structures.md "Branch Key Materials"). */
export interface BranchKeyMaterials {
  readonly branchKeyIdentifier: string;
  /** The version: a UUID string. */
  readonly branchKeyVersion: string;
  /** The custom encryption context the branch key was created with (the `aws-crypto-ec:` keys, prefix removed). */
  readonly encryptionContext: EncryptionContext;
  /** 32 bytes. */
  readonly branchKey: Uint8Array;
}

/** A beacon key (mpl-spec framework/structures.md "Beacon Key Materials"). */
export interface BeaconKeyMaterials {
  readonly beaconKeyIdentifier: string;
  readonly encryptionContext: EncryptionContext;
  /** 32 bytes. */
  readonly beaconKey?: Uint8Array | undefined;
  readonly hmacKeys?: ReadonlyMap<string, Uint8Array> | undefined;
}

/**
 * Where the hierarchical keyring gets branch keys (mpl-spec framework/branch-key-store.md): the
 * DynamoDB + KMS store, or a static in-memory one for tests and vectors.
 */
export interface BranchKeyStore {
  getActiveBranchKey(branchKeyIdentifier: string): Promise<BranchKeyMaterials>;
  getBranchKeyVersion(branchKeyIdentifier: string, branchKeyVersion: string): Promise<BranchKeyMaterials>;
  getBeaconKey(branchKeyIdentifier: string): Promise<BeaconKeyMaterials>;
}
