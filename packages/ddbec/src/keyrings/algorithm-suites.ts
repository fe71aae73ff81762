/**
 * The two algorithm suites of the Database Encryption SDK format (mpl-spec
 * framework/algorithm-suites.md, "DBE"). Both: AES-256-GCM (12-byte IV, 16-byte tag), key
 * derivation HKDF-SHA512 with key commitment, intermediate key wrapping, and an HMAC-SHA384
 * symmetric signature per encrypted data key; 0x6701 adds an ECDSA P-384 signature.
 */
export interface AlgorithmSuite {
  /** The two-byte id as a number: 0x6700 or 0x6701. */
  readonly id: 0x6700 | 0x6701;
  readonly name: string;
  /** Data key and encryption key length in bytes. */
  readonly keyLength: 32;
  readonly ivLength: 12;
  readonly tagLength: 16;
  /** Commitment key length in bytes. */
  readonly commitmentLength: 32;
  /** The asymmetric signature, if any. */
  readonly signature: 'ecdsa-p384-sha384' | undefined;
}

export const DBE_ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY_SYMSIG_HMAC_SHA384: AlgorithmSuite = Object.freeze({
  id: 0x6700,
  name: 'DBE.ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY_SYMSIG_HMAC_SHA384',
  keyLength: 32,
  ivLength: 12,
  tagLength: 16,
  commitmentLength: 32,
  signature: undefined,
});

export const DBE_ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384_SYMSIG_HMAC_SHA384: AlgorithmSuite = Object.freeze({
  id: 0x6701,
  name: 'DBE.ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384_SYMSIG_HMAC_SHA384',
  keyLength: 32,
  ivLength: 12,
  tagLength: 16,
  commitmentLength: 32,
  signature: 'ecdsa-p384-sha384',
});

/** The default suite of the DB-ESDK: with the ECDSA P-384 signature. */
export const DEFAULT_ALGORITHM_SUITE = DBE_ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384_SYMSIG_HMAC_SHA384;

/** The suite with this id; `undefined` for any other id. */
export function algorithmSuiteById(id: number): AlgorithmSuite | undefined {
  if (id === 0x6700) return DBE_ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY_SYMSIG_HMAC_SHA384;
  if (id === 0x6701) return DBE_ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384_SYMSIG_HMAC_SHA384;
  return undefined;
}
