import type { Item } from '../format/index.js';

/**
 * What the item encryptor tells a materials provider about the item at hand (the Java and
 * Python clients' `EncryptionContext`). It is not stored; the table name and the key
 * attributes feed the signature and, for AWS KMS, the KMS encryption context.
 */
export interface EncryptionContext {
  /** The table name that is signed (after any override). */
  readonly tableName?: string | undefined;
  readonly partitionKeyName?: string | undefined;
  readonly sortKeyName?: string | undefined;
  /** Encrypt: the plaintext item. Decrypt: the stored item without the reserved attributes. */
  readonly attributes: Readonly<Item>;
  /** Decrypt: the stored material description. Encrypt: what the caller requests (usually empty). */
  readonly materialDescription: ReadonlyMap<string, string>;
}

/** The part of the encryption context a caller supplies; the encryptor fills in the rest. */
export interface EncryptionContextInit {
  readonly tableName?: string | undefined;
  readonly partitionKeyName?: string | undefined;
  readonly sortKeyName?: string | undefined;
  /** Entries a provider may copy into the stored material description (encrypt only). */
  readonly materialDescription?: ReadonlyMap<string, string> | Readonly<Record<string, string>> | undefined;
}
