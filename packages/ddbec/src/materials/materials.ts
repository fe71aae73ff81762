import type { ContentKey, SigningKey, VerificationKey } from '../crypto/index.js';
import type { EncryptionContext } from './encryption-context.js';

/** Keys for encrypting and signing one item, and what to record in its material description. */
export interface EncryptionMaterials {
  readonly materialDescription: ReadonlyMap<string, string>;
  /** Absent for sign-only materials (then no attribute may be encrypted). May be a delegated key. */
  readonly encryptionKey?: ContentKey | undefined;
  readonly signingKey: SigningKey;
}

/** Keys for verifying and decrypting one item. */
export interface DecryptionMaterials {
  readonly materialDescription: ReadonlyMap<string, string>;
  readonly decryptionKey?: ContentKey | undefined;
  readonly verificationKey: VerificationKey;
}

/**
 * Supplies the keys for each item (the reference clients' "cryptographic materials
 * provider"). Implementations must not keep references to the context's attributes.
 */
export interface CryptographicMaterialsProvider {
  getEncryptionMaterials(context: EncryptionContext): Promise<EncryptionMaterials>;
  getDecryptionMaterials(context: EncryptionContext): Promise<DecryptionMaterials>;
  /** Drops any cached state (for providers that cache). */
  refresh?(): void;
}

/** The material description keys of the legacy format (legacy-format §3.3). */
export const MaterialDescriptionKey = {
  SymmetricMode: 'amzn-ddb-map-sym-mode',
  SigningAlgorithm: 'amzn-ddb-map-signingAlg',
  EnvelopeKey: 'amzn-ddb-env-key',
  ContentKeyAlgorithm: 'amzn-ddb-env-alg',
  WrappingAlgorithm: 'amzn-ddb-wrap-alg',
  KmsSigningAlgorithm: 'amzn-ddb-sig-alg',
  KmsContextAttributes: 'aws-kms-ec-attr',
  MetaStoreId: 'amzn-ddb-meta-id',
} as const;

/** The only attribute cipher mode of the format: AES-CBC with PKCS#7 padding. */
export const SYMMETRIC_MODE = '/CBC/PKCS5Padding';

/** Runs a synchronous provider step as a promise: a throw becomes a rejection. */
export function settle<T>(step: () => T): Promise<T> {
  try {
    return Promise.resolve(step());
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}

/** Turns a description given as a map or a plain object into a fresh Map. */
export function toDescriptionMap(
  description: ReadonlyMap<string, string> | Readonly<Record<string, string>> | undefined,
): Map<string, string> {
  if (description === undefined) return new Map();
  if (description instanceof Map) return new Map(description as ReadonlyMap<string, string>);
  return new Map(Object.entries(description as Readonly<Record<string, string>>));
}
