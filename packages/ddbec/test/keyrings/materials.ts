import { expect } from 'vitest';
import { DBE_ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY_SYMSIG_HMAC_SHA384, type AlgorithmSuite } from '../../src/keyrings/algorithm-suites.js';
import type { DecryptionMaterials, EncryptedDataKey, EncryptionMaterials, Keyring } from '../../src/keyrings/types.js';
import { isDdbecError } from '../../src/index.js';

export const CONTEXT = { 'aws-crypto-table-name': 'T', 'aws-crypto-partition-name': 'pk', 'aws-crypto-attr.pk': 'AAFh' };

export function encryptionMaterials(suite: AlgorithmSuite = DBE_ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY_SYMSIG_HMAC_SHA384, encryptionContext: Record<string, string> = CONTEXT): EncryptionMaterials {
  return { algorithmSuite: suite, encryptionContext, encryptedDataKeys: [], requiredEncryptionContextKeys: [] };
}

export function decryptionMaterials(suite: AlgorithmSuite = DBE_ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY_SYMSIG_HMAC_SHA384, encryptionContext: Record<string, string> = CONTEXT): DecryptionMaterials {
  return { algorithmSuite: suite, encryptionContext, requiredEncryptionContextKeys: [] };
}

/** Encrypts fresh materials with `encryptor`, decrypts each EDK alone with `decryptor`; checks data key and signing keys. */
export async function expectRoundTrip(encryptor: Keyring, decryptor: Keyring, suite?: AlgorithmSuite): Promise<EncryptedDataKey[]> {
  const encrypted = await encryptor.onEncrypt(encryptionMaterials(suite));
  expect(encrypted.plaintextDataKey).toHaveLength(32);
  expect(encrypted.symmetricSigningKeys).toHaveLength(encrypted.encryptedDataKeys.length);
  for (const [i, edk] of encrypted.encryptedDataKeys.entries()) {
    const decrypted = await decryptor.onDecrypt(decryptionMaterials(suite), [edk]);
    expect(decrypted.plaintextDataKey).toEqual(encrypted.plaintextDataKey);
    expect(decrypted.symmetricSigningKey).toEqual(encrypted.symmetricSigningKeys?.[i]);
  }
  return [...encrypted.encryptedDataKeys];
}

/** The ddbec error code a promise rejects with (or `resolved`). */
export async function codeOf(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => 'resolved',
    (error: unknown) => (isDdbecError(error) ? error.code : String(error)),
  );
}

/** A copy of the EDK with one bit flipped at `index` of `field`. */
export function flipped(edk: EncryptedDataKey, field: 'ciphertext' | 'keyProviderInfo', index: number): EncryptedDataKey {
  const bytes = edk[field].slice();
  bytes[index] = (bytes[index] ?? 0) ^ 1;
  return { ...edk, [field]: bytes };
}
