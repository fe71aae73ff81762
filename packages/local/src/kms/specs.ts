/** Key specs, key usages and the algorithms AWS KMS reports for each combination. */

export const KEY_SPECS = [
  'SYMMETRIC_DEFAULT',
  'RSA_2048',
  'RSA_3072',
  'RSA_4096',
  'ECC_NIST_P256',
  'ECC_NIST_P384',
  'ECC_NIST_P521',
  'ECC_SECG_P256K1',
  'ECC_NIST_EDWARDS25519',
  'HMAC_224',
  'HMAC_256',
  'HMAC_384',
  'HMAC_512',
  'SM2',
  'ML_DSA_44',
  'ML_DSA_65',
  'ML_DSA_87',
  'ML_KEM_512',
  'ML_KEM_768',
  'ML_KEM_1024',
] as const;
export type KeySpec = (typeof KEY_SPECS)[number];

/** The deprecated CustomerMasterKeySpec enum: a subset of KEY_SPECS, reported alongside KeySpec. */
export const CUSTOMER_MASTER_KEY_SPECS: readonly KeySpec[] = [
  'SYMMETRIC_DEFAULT',
  'RSA_2048',
  'RSA_3072',
  'RSA_4096',
  'ECC_NIST_P256',
  'ECC_NIST_P384',
  'ECC_NIST_P521',
  'ECC_SECG_P256K1',
  'HMAC_224',
  'HMAC_256',
  'HMAC_384',
  'HMAC_512',
  'SM2',
];

export const KEY_USAGES = ['ENCRYPT_DECRYPT', 'SIGN_VERIFY', 'GENERATE_VERIFY_MAC', 'KEY_AGREEMENT', 'ENCAPSULATE_DECAPSULATE'] as const;
export type KeyUsage = (typeof KEY_USAGES)[number];

export const ENCRYPTION_ALGORITHMS = ['SYMMETRIC_DEFAULT', 'RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256', 'SM2PKE'] as const;
export type EncryptionAlgorithm = (typeof ENCRYPTION_ALGORITHMS)[number];

const RSA_SIGNING = [
  'RSASSA_PSS_SHA_256',
  'RSASSA_PSS_SHA_384',
  'RSASSA_PSS_SHA_512',
  'RSASSA_PKCS1_V1_5_SHA_256',
  'RSASSA_PKCS1_V1_5_SHA_384',
  'RSASSA_PKCS1_V1_5_SHA_512',
];

interface SpecInfo {
  readonly usages: readonly KeyUsage[];
  readonly algorithms: Partial<Record<KeyUsage, readonly string[]>>;
}

const RSA: SpecInfo = {
  usages: ['ENCRYPT_DECRYPT', 'SIGN_VERIFY'],
  algorithms: { ENCRYPT_DECRYPT: ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'], SIGN_VERIFY: RSA_SIGNING },
};

const SPECS: Record<KeySpec, SpecInfo> = {
  SYMMETRIC_DEFAULT: { usages: ['ENCRYPT_DECRYPT'], algorithms: { ENCRYPT_DECRYPT: ['SYMMETRIC_DEFAULT'] } },
  RSA_2048: RSA,
  RSA_3072: RSA,
  RSA_4096: RSA,
  ECC_NIST_P256: { usages: ['SIGN_VERIFY', 'KEY_AGREEMENT'], algorithms: { SIGN_VERIFY: ['ECDSA_SHA_256'], KEY_AGREEMENT: ['ECDH'] } },
  ECC_NIST_P384: { usages: ['SIGN_VERIFY', 'KEY_AGREEMENT'], algorithms: { SIGN_VERIFY: ['ECDSA_SHA_384'], KEY_AGREEMENT: ['ECDH'] } },
  ECC_NIST_P521: { usages: ['SIGN_VERIFY', 'KEY_AGREEMENT'], algorithms: { SIGN_VERIFY: ['ECDSA_SHA_512'], KEY_AGREEMENT: ['ECDH'] } },
  ECC_SECG_P256K1: { usages: ['SIGN_VERIFY'], algorithms: { SIGN_VERIFY: ['ECDSA_SHA_256'] } },
  ECC_NIST_EDWARDS25519: { usages: ['SIGN_VERIFY'], algorithms: { SIGN_VERIFY: ['ED25519_SHA_512', 'ED25519_PH_SHA_512'] } },
  HMAC_224: { usages: ['GENERATE_VERIFY_MAC'], algorithms: { GENERATE_VERIFY_MAC: ['HMAC_SHA_224'] } },
  HMAC_256: { usages: ['GENERATE_VERIFY_MAC'], algorithms: { GENERATE_VERIFY_MAC: ['HMAC_SHA_256'] } },
  HMAC_384: { usages: ['GENERATE_VERIFY_MAC'], algorithms: { GENERATE_VERIFY_MAC: ['HMAC_SHA_384'] } },
  HMAC_512: { usages: ['GENERATE_VERIFY_MAC'], algorithms: { GENERATE_VERIFY_MAC: ['HMAC_SHA_512'] } },
  SM2: {
    usages: ['ENCRYPT_DECRYPT', 'SIGN_VERIFY', 'KEY_AGREEMENT'],
    algorithms: { ENCRYPT_DECRYPT: ['SM2PKE'], SIGN_VERIFY: ['SM2DSA'], KEY_AGREEMENT: ['ECDH'] },
  },
  ML_DSA_44: { usages: ['SIGN_VERIFY'], algorithms: { SIGN_VERIFY: ['ML_DSA_SHAKE_256'] } },
  ML_DSA_65: { usages: ['SIGN_VERIFY'], algorithms: { SIGN_VERIFY: ['ML_DSA_SHAKE_256'] } },
  ML_DSA_87: { usages: ['SIGN_VERIFY'], algorithms: { SIGN_VERIFY: ['ML_DSA_SHAKE_256'] } },
  ML_KEM_512: { usages: ['ENCAPSULATE_DECAPSULATE'], algorithms: { ENCAPSULATE_DECAPSULATE: ['ML_KEM'] } },
  ML_KEM_768: { usages: ['ENCAPSULATE_DECAPSULATE'], algorithms: { ENCAPSULATE_DECAPSULATE: ['ML_KEM'] } },
  ML_KEM_1024: { usages: ['ENCAPSULATE_DECAPSULATE'], algorithms: { ENCAPSULATE_DECAPSULATE: ['ML_KEM'] } },
};

export function usageAllowed(spec: KeySpec, usage: KeyUsage): boolean {
  return SPECS[spec].usages.includes(usage);
}

const METADATA_FIELD: Record<KeyUsage, string> = {
  ENCRYPT_DECRYPT: 'EncryptionAlgorithms',
  SIGN_VERIFY: 'SigningAlgorithms',
  GENERATE_VERIFY_MAC: 'MacAlgorithms',
  KEY_AGREEMENT: 'KeyAgreementAlgorithms',
  ENCAPSULATE_DECAPSULATE: 'EncapsulationAlgorithms',
};

/** The `…Algorithms` member of KeyMetadata for a key spec and usage, e.g. `{ EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'] }`. */
export function algorithmsMetadata(spec: string, usage: string): Record<string, string[]> {
  const info = SPECS[spec as KeySpec] as SpecInfo | undefined;
  const algorithms = info?.algorithms[usage as KeyUsage];
  if (algorithms === undefined) return {};
  return { [METADATA_FIELD[usage as KeyUsage]]: [...algorithms] };
}

/** The kind of key, as UpdateAlias compares them (an alias may only move between keys of one kind). */
export function keyKind(spec: string): 'symmetric' | 'hmac' | 'asymmetric' {
  if (spec === 'SYMMETRIC_DEFAULT') return 'symmetric';
  return spec.startsWith('HMAC_') ? 'hmac' : 'asymmetric';
}
