/** What happens to one attribute (the names of the Java and Python clients). */
export const CryptoAction = {
  /** Stored unchanged and not covered by the signature. */
  DoNothing: 'DO_NOTHING',
  /** Stored unchanged, covered by the signature. */
  SignOnly: 'SIGN_ONLY',
  /** Replaced by its ciphertext, covered by the signature. */
  EncryptAndSign: 'ENCRYPT_AND_SIGN',
} as const;
export type CryptoAction = (typeof CryptoAction)[keyof typeof CryptoAction];

/** The names of the two attributes an encrypted item carries. */
export const SIGNATURE_ATTRIBUTE = '*amzn-ddb-map-sig*';
export const MATERIAL_DESCRIPTION_ATTRIBUTE = '*amzn-ddb-map-desc*';
