import { expect } from 'vitest';
import { DbesdkItemEncryptor } from '../../src/dbesdk/item-encryptor.js';
import type { DbesdkItemEncryptorConfig } from '../../src/dbesdk/config.js';
import { isDdbecError, type DdbecErrorCode } from '../../src/errors.js';
import { HierarchicalKeyring } from '../../src/keyrings/hierarchical/hierarchical-keyring.js';
import { StaticBranchKeyStore } from '../../src/keyrings/hierarchical/static-branch-key-store.js';
import { RawAesKeyring } from '../../src/keyrings/raw-aes.js';
import type { Keyring } from '../../src/keyrings/types.js';

export const bytes = (n: number, start = 0): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (start + i) & 0xff);

export const rawAesKeyring = (): Keyring => new RawAesKeyring({ keyNamespace: 'test', keyName: 'aes-256', wrappingKey: bytes(32) });

export const hierarchicalKeyring = (): Keyring =>
  new HierarchicalKeyring({
    keyStore: new StaticBranchKeyStore([
      { branchKeyIdentifier: 'tenant-1', branchKeyVersion: 'e9ce18a3-edb5-4272-9f86-1cacb7997ff6', branchKey: bytes(32, 7) },
    ]),
    branchKeyId: 'tenant-1',
  });

export const KEYRINGS: readonly (readonly [string, () => Keyring])[] = [
  ['raw AES', rawAesKeyring],
  ['hierarchical', hierarchicalKeyring],
];

export function encryptor(overrides: Partial<DbesdkItemEncryptorConfig> = {}): DbesdkItemEncryptor {
  return new DbesdkItemEncryptor({
    logicalTableName: 'Orders',
    partitionKeyName: 'pk',
    sortKeyName: 'sk',
    attributeActionsOnEncrypt: { pk: 'SIGN_ONLY', sk: 'SIGN_ONLY', secret: 'ENCRYPT_AND_SIGN', visible: 'SIGN_ONLY' },
    allowedUnsignedAttributes: ['free'],
    keyring: rawAesKeyring(),
    ...overrides,
  });
}

/** Awaits `promise`, expects a DdbecError with `code`, returns its message. */
export async function rejection(promise: Promise<unknown>, code: DdbecErrorCode): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isDdbecError(error) ? error.code : error, String(error)).toBe(code);
  return (error as Error).message;
}
