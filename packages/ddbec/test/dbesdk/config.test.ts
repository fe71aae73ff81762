import { describe, expect, it } from 'vitest';
import type { DbesdkItemEncryptorConfig } from '../../src/dbesdk/config.js';
import { isDbesdkItem } from '../../src/dbesdk/config.js';
import { DbesdkItemEncryptor } from '../../src/dbesdk/item-encryptor.js';
import { isDdbecError, type DdbecErrorCode } from '../../src/errors.js';
import { RawAesKeyring } from '../../src/keyrings/raw-aes.js';
import { encryptor, rejection } from './helpers.js';

function refused(config: Partial<DbesdkItemEncryptorConfig>, code: DdbecErrorCode, message: RegExp): void {
  let error: unknown;
  try {
    encryptor(config);
  } catch (e) {
    error = e;
  }
  expect(isDdbecError(error, code), String(error)).toBe(true);
  expect((error as Error).message).toMatch(message);
}

describe('DbesdkItemEncryptor configuration', () => {
  it('refuses encrypted or unsigned key attributes, and key actions that do not match the version', () => {
    refused({ attributeActionsOnEncrypt: { pk: 'ENCRYPT_AND_SIGN', sk: 'SIGN_ONLY' } }, 'ERR_KEY_ATTRIBUTE_ENCRYPTED', /"pk" cannot be encrypted/);
    refused({ attributeActionsOnEncrypt: { pk: 'SIGN_ONLY', sk: 'ENCRYPT_AND_SIGN' } }, 'ERR_KEY_ATTRIBUTE_ENCRYPTED', /"sk"/);
    refused({ attributeActionsOnEncrypt: { pk: 'SIGN_ONLY' } }, 'ERR_INVALID_ARGUMENT', /"sk" must be SIGN_ONLY/);
    refused(
      { attributeActionsOnEncrypt: { pk: 'SIGN_ONLY', sk: 'SIGN_ONLY', x: 'SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT' } },
      'ERR_INVALID_ARGUMENT',
      /"pk" must be SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT/,
    );
    refused({ attributeActionsOnEncrypt: { pk: 'DO_NOTHING', sk: 'SIGN_ONLY' }, allowedUnsignedAttributes: ['pk'] }, 'ERR_INVALID_ARGUMENT', /"pk" must be SIGN_ONLY/);
  });

  it('refuses DO_NOTHING outside the unsigned attributes, signed attributes inside them, and the reserved prefix', () => {
    refused({ attributeActionsOnEncrypt: { pk: 'SIGN_ONLY', sk: 'SIGN_ONLY', x: 'DO_NOTHING' } }, 'ERR_INVALID_ARGUMENT', /"x" is DO_NOTHING/);
    refused({ attributeActionsOnEncrypt: { pk: 'SIGN_ONLY', sk: 'SIGN_ONLY', free: 'SIGN_ONLY' } }, 'ERR_INVALID_ARGUMENT', /"free" is SIGN_ONLY but allowed unsigned/);
    refused(
      { attributeActionsOnEncrypt: { pk: 'SIGN_ONLY', sk: 'SIGN_ONLY', tmp_x: 'ENCRYPT_AND_SIGN' }, allowedUnsignedAttributePrefix: 'tmp_' },
      'ERR_INVALID_ARGUMENT',
      /"tmp_x"/,
    );
    refused({ attributeActionsOnEncrypt: { pk: 'SIGN_ONLY', sk: 'SIGN_ONLY', aws_dbe_x: 'SIGN_ONLY' } }, 'ERR_RESERVED_ATTRIBUTE', /aws_dbe_x/);
    refused({ attributeActionsOnEncrypt: { pk: 'SIGN_ONLY', sk: 'SIGN_ONLY', x: 'ENCRYPT' as never } }, 'ERR_INVALID_ARGUMENT', /action of "x"/);
  });

  it('tells the SDK integration its key names and the action of each attribute', () => {
    const e = encryptor({ allowedUnsignedAttributePrefix: 'x_' });
    expect([e.logicalTableName, e.partitionKeyName, e.sortKeyName]).toEqual(['Orders', 'pk', 'sk']);
    expect(['pk', 'secret', 'free', 'x_y', 'aws_dbe_head', 'other'].map((n) => e.actionOf(n))).toEqual([
      'SIGN_ONLY',
      'ENCRYPT_AND_SIGN',
      'DO_NOTHING',
      'DO_NOTHING',
      'DO_NOTHING',
      undefined,
    ]);
  });

  it('refuses missing names, keyrings and unknown suites', () => {
    refused({ logicalTableName: '' }, 'ERR_INVALID_ARGUMENT', /logicalTableName/);
    refused({ partitionKeyName: undefined }, 'ERR_INVALID_ARGUMENT', /partitionKeyName/);
    refused({ sortKeyName: 'pk' }, 'ERR_INVALID_ARGUMENT', /differ/);
    refused({ keyring: {} as never }, 'ERR_INVALID_ARGUMENT', /keyring/);
    refused({ algorithmSuiteId: 0x0578 as never }, 'ERR_UNSUPPORTED_ALGORITHM', /0x6700 or 0x6701/);
    refused({ allowedUnsignedAttributes: 'free' as never }, 'ERR_INVALID_ARGUMENT', /allowedUnsignedAttributes/);
    refused({ allowedUnsignedAttributePrefix: '' }, 'ERR_INVALID_ARGUMENT', /allowedUnsignedAttributePrefix/);
  });
});

describe('DbesdkItemEncryptor items', () => {
  it('refuses unknown attributes, missing keys and context attributes, reserved names and invalid items on encrypt', async () => {
    const e = encryptor();
    const base = { pk: { S: 'a' }, sk: { N: '1' } };
    expect(await rejection(e.encryptItem({ ...base, other: { S: 'x' } }), 'ERR_INVALID_ARGUMENT')).toMatch(/"other" has no action/);
    expect(await rejection(e.encryptItem({ pk: { S: 'a' } }), 'ERR_INVALID_ARGUMENT')).toMatch(/key attribute "sk"/);
    expect(await rejection(e.encryptItem({ ...base, aws_dbe_head: { B: new Uint8Array(1) } }), 'ERR_RESERVED_ATTRIBUTE')).toMatch(/aws_dbe_head/);
    await rejection(e.encryptItem({ ...base, secret: { NS: ['1', '1.0'] } }), 'ERR_INVALID_ITEM');
    await rejection(encryptor({ allowedUnsignedAttributePrefix: 'x' }).encryptItem({ ...base, secret: { S: '\uD800' } }), 'ERR_SERIALIZATION');
    const lone = encryptor({ attributeActionsOnEncrypt: { pk: 'SIGN_ONLY', sk: 'SIGN_ONLY', 'a\uD800': 'SIGN_ONLY' } });
    await rejection(lone.encryptItem({ ...base, 'a\uD800': { S: 'x' } }), 'ERR_SERIALIZATION');
    const v2 = encryptor({
      attributeActionsOnEncrypt: { pk: 'SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT', sk: 'SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT', tenant: 'SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT' },
    });
    expect(await rejection(v2.encryptItem(base), 'ERR_INVALID_ARGUMENT')).toMatch(/"tenant" is SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT but missing/);
    // unknown attributes allowed unsigned pass through untouched
    const stored = await encryptor({ allowedUnsignedAttributePrefix: 'x_' }).encryptItem({ ...base, x_note: { S: 'n' } });
    expect(stored.x_note).toEqual({ S: 'n' });
    expect(isDbesdkItem(stored)).toBe(true);
    expect(isDbesdkItem(base)).toBe(false);
  });

  it('refuses items that are not DB-ESDK items, with the item but no value in the message', async () => {
    const e = encryptor();
    const message = await rejection(e.decryptItem({ pk: { S: 'a' }, sk: { N: '1' }, secret: { S: 'plain' } }), 'ERR_MALFORMED_ITEM');
    expect(message).toBe('item (table "Orders", pk=S:"a", sk=N:1) is not a DB-ESDK item (no binary aws_dbe_head and aws_dbe_foot)');
    expect(await rejection(e.decryptItem({ sk: { N: '1' } }), 'ERR_INVALID_ARGUMENT')).toMatch(/key attribute "pk"/);
  });

  it('refuses an item written under another keyring without naming a check', async () => {
    const stored = await encryptor().encryptItem({ pk: { S: 'a' }, sk: { N: '1' }, secret: { S: 'top secret' } });
    const other = new DbesdkItemEncryptor({
      logicalTableName: 'Orders',
      partitionKeyName: 'pk',
      sortKeyName: 'sk',
      attributeActionsOnEncrypt: { pk: 'SIGN_ONLY', sk: 'SIGN_ONLY', secret: 'ENCRYPT_AND_SIGN' },
      keyring: new RawAesKeyring({ keyNamespace: 'test', keyName: 'aes-256', wrappingKey: new Uint8Array(32) }),
    });
    const message = await rejection(other.decryptItem(stored), 'ERR_UNWRAPPING_FAILED');
    expect(message).not.toContain('top secret');
  });
});
