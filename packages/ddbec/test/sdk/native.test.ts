import { NumberValueImpl } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import { isDdbecError } from '../../src/index.js';
import { decryptObject, encryptObject, exactNumbers } from '../../src/sdk/native.js';
import { CONFIG, staticEncryptor } from '../encryptor/helpers.js';

describe('plain-object variants (ddbec/native)', () => {
  const encryptor = staticEncryptor();

  it('encrypts and decrypts plain JavaScript objects', async () => {
    const object = {
      pk: 'customer#1',
      sk: 42,
      name: 'Ada',
      tags: new Set(['a', 'b']),
      profile: { languages: ['en', 'fr'], verified: true, score: 9.5, nothing: null },
      photo: new Uint8Array([1, 2, 3]),
      plan: 'pro',
      note: 'hi',
    };
    const stored = await encryptObject(encryptor, object, CONFIG);
    expect(stored['name']).toBeInstanceOf(Uint8Array);
    expect(stored['pk']).toBe('customer#1');
    expect(stored['*amzn-ddb-map-sig*']).toBeInstanceOf(Uint8Array);
    expect(await decryptObject(encryptor, stored, CONFIG)).toEqual(object);
  });

  it('keeps numbers exact: number when exact, NumberValue otherwise', async () => {
    const big = NumberValueImpl.from('12345678901234567890123456789.123456789');
    const object = { pk: 'n', sk: 1, small: 0.1, safe: 2 ** 53 - 1, large: 2n ** 64n, huge: big, plan: NumberValueImpl.from('99999999999999999999') };
    const read = await decryptObject(encryptor, await encryptObject(encryptor, object, CONFIG), CONFIG);
    expect(read['small']).toBe(0.1);
    expect(read['safe']).toBe(2 ** 53 - 1);
    expect(String(read['large'])).toBe('18446744073709551616');
    expect(String(read['huge'])).toBe('12345678901234567890123456789.123456789');
    expect(read['huge']).toBeInstanceOf(NumberValueImpl);
    expect(String(read['plan'])).toBe('99999999999999999999');
    expect(exactNumbers('1e400')).toBeInstanceOf(NumberValueImpl);
    expect(exactNumbers('-0.50')).toBe(-0.5);
  });

  it('reports objects the SDK cannot marshal as ERR_INVALID_ARGUMENT', async () => {
    const error = await encryptObject(encryptor, { pk: 'x', sk: 1, when: new Date(0) }, CONFIG).catch((e: unknown) => e);
    expect(isDdbecError(error, 'ERR_INVALID_ARGUMENT')).toBe(true);
  });
});
