import { describe, expect, it } from 'vitest';
import type { Item } from '../../src/format/attribute-value.js';
import { parseHeader } from '../../src/structured/header.js';
import { bytes, encryptor, KEYRINGS, rejection } from './helpers.js';

const item: Item = {
  pk: { S: 'customer#1' },
  sk: { N: '42' },
  secret: { M: { card: { S: '4111' }, pins: { NS: ['1', '2'] }, raw: { B: bytes(5) } } },
  visible: { L: [{ BOOL: true }, { NULL: true }, { SS: ['b', 'a'] }, { BS: [bytes(2), bytes(1)] }] },
  free: { S: 'not signed' },
};

describe.each(KEYRINGS)('DbesdkItemEncryptor with the %s keyring', (_name, keyring) => {
  it.each([0x6700, 0x6701] as const)('round-trips an item under suite %s', async (algorithmSuiteId) => {
    const e = encryptor({ keyring: keyring(), algorithmSuiteId });
    const encrypted = await e.encryptItem(item);
    expect(Object.keys(encrypted).sort()).toEqual(['aws_dbe_foot', 'aws_dbe_head', 'free', 'pk', 'secret', 'sk', 'visible']);
    expect(encrypted.pk).toBe(item.pk);
    expect(encrypted.visible).toBe(item.visible);
    expect('B' in (encrypted.secret ?? {})).toBe(true);
    const header = parseHeader((encrypted.aws_dbe_head as { B: Uint8Array }).B);
    expect(header.version).toBe(1);
    expect(header.algorithmSuiteId).toBe(algorithmSuiteId);
    expect(header.legend).toEqual(['SIGN_ONLY', 'SIGN_ONLY', 'ENCRYPT_AND_SIGN', 'SIGN_ONLY']);
    expect(Object.keys(header.storedEncryptionContext)).toEqual(algorithmSuiteId === 0x6701 ? ['aws-crypto-public-key'] : []);
    const footer = (encrypted.aws_dbe_foot as { B: Uint8Array }).B;
    expect(footer).toHaveLength(48 + (algorithmSuiteId === 0x6701 ? 103 : 0));
    expect(await e.decryptItem(encrypted)).toEqual(item);
  });

  it('writes version 2 headers when an attribute is SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT', async () => {
    const e = encryptor({
      keyring: keyring(),
      attributeActionsOnEncrypt: {
        pk: 'SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT',
        sk: 'SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT',
        secret: 'ENCRYPT_AND_SIGN',
        visible: 'SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT',
      },
    });
    const encrypted = await e.encryptItem(item);
    const header = parseHeader((encrypted.aws_dbe_head as { B: Uint8Array }).B);
    expect(header.version).toBe(2);
    expect(header.legend).toEqual(['SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT', 'SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT', 'ENCRYPT_AND_SIGN', 'SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT']);
    expect(await e.decryptItem(encrypted)).toEqual(item);
    // The value is in the encryption context the data key is bound to: no keyring can unwrap it.
    await rejection(e.decryptItem({ ...encrypted, visible: { L: [] } }), 'ERR_UNWRAPPING_FAILED');
  });
});
