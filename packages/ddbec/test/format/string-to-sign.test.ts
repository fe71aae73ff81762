import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isDdbecError, type DdbecErrorCode } from '../../src/errors.js';
import {
  CryptoAction,
  MATERIAL_DESCRIPTION_ATTRIBUTE,
  serializeAttribute,
  SIGNATURE_ATTRIBUTE,
  stringToSign,
  type Item,
} from '../../src/format/index.js';
import { ENCRYPTED_MARKER_SHA256_HEX, PLAINTEXT_MARKER_SHA256_HEX } from '../../src/format/string-to-sign.js';

const sha256 = (data: Uint8Array): Uint8Array => new Uint8Array(createHash('sha256').update(data).digest());
const sha256Hex = (data: Uint8Array | string): string => createHash('sha256').update(data).digest('hex');
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const blocks = (bytes: Uint8Array): string[] => (hex(bytes).match(/.{64}/g) ?? []);
const sign = (): CryptoAction => CryptoAction.SignOnly;

function expectError(code: DdbecErrorCode, fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    expect(isDdbecError(e, code), String(e)).toBe(true);
    return;
  }
  expect.unreachable(`expected ${code}`);
}

describe('stringToSign (legacy-format §4.2)', () => {
  it('hard-coded marker digests are SHA-256 of ENCRYPTED / PLAINTEXT', () => {
    expect(ENCRYPTED_MARKER_SHA256_HEX).toBe(sha256Hex('ENCRYPTED'));
    expect(PLAINTEXT_MARKER_SHA256_HEX).toBe(sha256Hex('PLAINTEXT'));
  });

  it('the table-name constants of the spec', () => {
    expect(hex(stringToSign({ tableName: 'ExampleTableName', item: {}, actionOf: sign, sha256 }))).toBe(
      'f6c81a0f6c85100988a65014c094be29eb0846fd57c3443f0d59f354d66aa7f5',
    );
    expect(hex(stringToSign({ tableName: 'TableName', item: {}, actionOf: sign, sha256 }))).toBe(
      '3862c738e4a32855e9fb05861b14994f5389036fdd7690d9b86b698edaca83ac',
    );
  });

  it('worked example: a_number = 55, SIGN_ONLY', () => {
    const result = stringToSign({ tableName: 'ExampleTableName', item: { a_number: { N: '55' } }, actionOf: sign, sha256 });
    expect(result).toHaveLength(32 + 96);
    expect(blocks(result)).toEqual([
      'f6c81a0f6c85100988a65014c094be29eb0846fd57c3443f0d59f354d66aa7f5',
      '38fb90b50c87cd83decfbb684aa6bbc54f59f324db8cbec757f73c1462a489aa',
      'cb40e7dadc86161b9798de48512f332d21c141fcc1e28a086fde4a3375aab1b5',
      '603d666a91f9df2fa58d3bebe5301c1814dbc9d3dee154c03593881ee1ef890f',
    ]);
    // The number is canonicalized inside the serialization only: 55.00 signs like 55.
    expect(stringToSign({ tableName: 'ExampleTableName', item: { a_number: { N: '55.00' } }, actionOf: sign, sha256 })).toEqual(result);
  });

  it('ENCRYPT_AND_SIGN uses the ENCRYPTED marker, DO_NOTHING is left out', () => {
    const item: Item = { e: { B: new Uint8Array([1, 2, 3]) }, s: { S: 'x' }, n: { N: '1' } };
    const actions: Record<string, CryptoAction> = { e: CryptoAction.EncryptAndSign, s: CryptoAction.SignOnly, n: CryptoAction.DoNothing };
    const result = stringToSign({ tableName: 'T', item, actionOf: (name) => actions[name] ?? CryptoAction.DoNothing, sha256 });
    expect(blocks(result)).toEqual([
      sha256Hex('TABLE>T<TABLE'),
      sha256Hex('e'),
      ENCRYPTED_MARKER_SHA256_HEX,
      sha256Hex(serializeAttribute({ B: new Uint8Array([1, 2, 3]) })),
      sha256Hex('s'),
      PLAINTEXT_MARKER_SHA256_HEX,
      sha256Hex(serializeAttribute({ S: 'x' })),
    ]);
  });

  it('sorts attribute names by the profile order', () => {
    const item: Item = { '\u{E000}': { S: 'a' }, '\u{10000}': { S: 'b' }, b: { S: 'c' }, a: { S: 'd' } };
    const names = (profile: 'java' | 'python'): string[] => {
      const out = blocks(stringToSign({ tableName: 'T', item, actionOf: sign, sha256, profile }));
      return [1, 4, 7, 10].map((i) => out[i] ?? '');
    };
    const digest = (name: string) => sha256Hex(name);
    expect(names('java')).toEqual(['a', 'b', '\u{10000}', '\u{E000}'].map(digest));
    expect(names('python')).toEqual(['a', 'b', '\u{E000}', '\u{10000}'].map(digest));
  });

  it('serializes values with the profile', () => {
    const item: Item = { z: { N: '-0' } };
    const java = stringToSign({ tableName: 'T', item, actionOf: sign, sha256, profile: 'java' });
    const python = stringToSign({ tableName: 'T', item, actionOf: sign, sha256, profile: 'python' });
    expect(blocks(java)[3]).toBe(sha256Hex(serializeAttribute({ N: '0' })));
    expect(blocks(python)[3]).toBe(sha256Hex(serializeAttribute({ N: '-0' }, 'python')));
  });

  it('uses the hashName hook for attribute names', () => {
    const calls: string[] = [];
    const hashName = (name: string): Uint8Array => {
      calls.push(name);
      return new Uint8Array(32).fill(7);
    };
    const result = stringToSign({ tableName: 'T', item: { b: { S: 'x' }, a: { S: 'y' } }, actionOf: sign, sha256, hashName });
    expect(calls.sort()).toEqual(['a', 'b']);
    expect(blocks(result)[1]).toBe('07'.repeat(32));
    expect(blocks(result)[4]).toBe('07'.repeat(32));
  });

  it('never signs the two reserved attributes', () => {
    const item: Item = { a: { S: 'x' }, [SIGNATURE_ATTRIBUTE]: { B: new Uint8Array(32) }, [MATERIAL_DESCRIPTION_ATTRIBUTE]: { B: new Uint8Array(4) } };
    expect(stringToSign({ tableName: 'T', item, actionOf: sign, sha256 })).toEqual(
      stringToSign({ tableName: 'T', item: { a: { S: 'x' } }, actionOf: sign, sha256 }),
    );
  });

  it('rejects a missing table name, unknown actions, bad digests and unserializable values', () => {
    expectError('ERR_MISSING_TABLE_NAME', () =>
      stringToSign({ tableName: undefined as unknown as string, item: {}, actionOf: sign, sha256 }),
    );
    expectError('ERR_INVALID_ARGUMENT', () =>
      stringToSign({ tableName: 'T', item: { a: { S: 'x' } }, actionOf: () => 'ENCRYPT' as CryptoAction, sha256 }),
    );
    expectError('ERR_INVALID_ARGUMENT', () => stringToSign({ tableName: 'T', item: {}, actionOf: sign, sha256: () => new Uint8Array(31) }));
    expectError('ERR_INVALID_ARGUMENT', () =>
      stringToSign({ tableName: 'T', item: { a: { S: 'x' } }, actionOf: sign, sha256, hashName: () => new Uint8Array(33) }),
    );
    expectError('ERR_SERIALIZATION', () =>
      stringToSign({ tableName: 'T', item: { a: { NULL: false } }, actionOf: sign, sha256 }),
    );
    expectError('ERR_SERIALIZATION', () =>
      stringToSign({ tableName: 'T', item: { a: undefined } as unknown as Item, actionOf: sign, sha256 }),
    );
    expectError('ERR_SERIALIZATION', () => stringToSign({ tableName: 'T', item: { '\uD800': { S: 'x' } }, actionOf: sign, sha256 }));
    expectError('ERR_INVALID_ARGUMENT', () => stringToSign({ tableName: 'T', item: {}, actionOf: sign, sha256, profile: 'go' as 'java' }));
    // An unserializable DO_NOTHING attribute is not looked at.
    expect(
      stringToSign({ tableName: 'T', item: { a: { NULL: false } }, actionOf: () => CryptoAction.DoNothing, sha256 }),
    ).toHaveLength(32);
  });
});
