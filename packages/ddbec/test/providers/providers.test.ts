import { describe, expect, it } from 'vitest';
import {
  AttributeActions,
  CryptoAction,
  generateRsaKeyPair,
  isDdbecError,
  ItemEncryptor,
  MATERIAL_DESCRIPTION_ATTRIBUTE,
  SecretKey,
  StaticMaterialsProvider,
  WrappedMaterialsProvider,
  type DdbecErrorCode,
  type Item,
} from '../../src/index.js';
import { decodeMaterialDescription, encodeMaterialDescription } from '../../src/format/index.js';
import { CONFIG, ITEM } from '../encryptor/helpers.js';

const expectCode = (fn: () => unknown, code: DdbecErrorCode): void => {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  expect(isDdbecError(thrown, code), String(thrown)).toBe(true);
};
const codeOf = (promise: Promise<unknown>): Promise<string> =>
  promise.then(
    () => 'resolved',
    (error: unknown) => (isDdbecError(error) ? error.code : String(error)),
  );

function withDescription(item: Item, change: (description: Map<string, string>) => void): Item {
  const description = decodeMaterialDescription((item[MATERIAL_DESCRIPTION_ATTRIBUTE] as { B: Uint8Array }).B);
  change(description);
  return { ...item, [MATERIAL_DESCRIPTION_ATTRIBUTE]: { B: encodeMaterialDescription(description) } };
}

const rsa = generateRsaKeyPair(2048);
const hmac = SecretKey.generate('HmacSHA256', 256);

describe('StaticMaterialsProvider', () => {
  it('validates its keys', () => {
    expectCode(() => new StaticMaterialsProvider({ encryptionKey: hmac, signingKey: hmac }), 'ERR_INVALID_KEY');
    expectCode(() => new StaticMaterialsProvider({ encryptionKey: SecretKey.generate('AES', 128), signingKey: SecretKey.generate('AES', 128) }), 'ERR_INVALID_KEY');
    expectCode(() => new StaticMaterialsProvider({ encryptionKey: SecretKey.generate('AES', 128) }), 'ERR_INVALID_ARGUMENT');
  });

  it('reads with a verification key alone (decrypt-only deployments)', async () => {
    const aes = SecretKey.generate('AES', 256);
    const writer = new ItemEncryptor({ materialsProvider: new StaticMaterialsProvider({ encryptionKey: aes, signingKey: rsa.privateKey }) });
    const reader = new ItemEncryptor({ materialsProvider: new StaticMaterialsProvider({ decryptionKey: aes, verificationKey: rsa.publicKey }) });
    const stored = await writer.encryptItem(ITEM, CONFIG);
    await expect(reader.decryptItem(stored, CONFIG)).resolves.toHaveProperty('name', { S: 'Ada Lovelace' });
    expect(await codeOf(reader.encryptItem(ITEM, CONFIG))).toBe('ERR_MATERIALS_UNAVAILABLE');
  });
});

describe('WrappedMaterialsProvider', () => {
  it('validates its keys and algorithms', () => {
    expectCode(() => new WrappedMaterialsProvider({ wrappingKey: hmac, signingKey: hmac }), 'ERR_INVALID_KEY');
    expectCode(() => new WrappedMaterialsProvider({ wrappingKey: rsa.publicKey, unwrappingKey: rsa.publicKey as never, signingKey: hmac }), 'ERR_INVALID_KEY');
    expectCode(() => new WrappedMaterialsProvider({ signingKey: hmac }), 'ERR_INVALID_ARGUMENT');
    expectCode(
      () => new WrappedMaterialsProvider({ wrappingKey: SecretKey.generate('AES', 256), signingKey: hmac, materialDescription: { 'amzn-ddb-wrap-alg': 'AESWrapp' } }),
      'ERR_UNSUPPORTED_ALGORITHM',
    );
    expectCode(
      () => new WrappedMaterialsProvider({ wrappingKey: SecretKey.generate('AES', 256), signingKey: hmac, materialDescription: { 'amzn-ddb-env-alg': 'DES/56' } }),
      'ERR_UNSUPPORTED_ALGORITHM',
    );
  });

  it('writes what every Java and Python release reads', async () => {
    const encryptor = new ItemEncryptor({ materialsProvider: new WrappedMaterialsProvider({ wrappingKey: SecretKey.generate('AES', 256), signingKey: hmac }) });
    const stored = await encryptor.encryptItem(ITEM, CONFIG);
    const description = decodeMaterialDescription((stored[MATERIAL_DESCRIPTION_ATTRIBUTE] as { B: Uint8Array }).B);
    expect(Object.fromEntries([...description].filter(([key]) => key !== 'amzn-ddb-env-key'))).toEqual({
      'amzn-ddb-env-alg': 'AES',
      'amzn-ddb-wrap-alg': 'AESWrap',
      'amzn-ddb-map-signingAlg': 'HmacSHA256',
      'amzn-ddb-map-sym-mode': '/CBC/PKCS5Padding',
    });
    expect(Buffer.from(description.get('amzn-ddb-env-key') ?? '', 'base64')).toHaveLength(40);
  });

  it('uses a fresh content key per item', async () => {
    const encryptor = new ItemEncryptor({ materialsProvider: new WrappedMaterialsProvider({ wrappingKey: SecretKey.generate('AES', 256), signingKey: hmac }) });
    const envelope = async () => decodeMaterialDescription(((await encryptor.encryptItem(ITEM, CONFIG))[MATERIAL_DESCRIPTION_ATTRIBUTE] as { B: Uint8Array }).B).get('amzn-ddb-env-key');
    expect(await envelope()).not.toBe(await envelope());
  });

  it('rejects a missing or damaged envelope and the wrong unwrapping key', async () => {
    const kek = SecretKey.generate('AES', 256);
    const encryptor = new ItemEncryptor({ materialsProvider: new WrappedMaterialsProvider({ wrappingKey: kek, signingKey: hmac }) });
    const stored = await encryptor.encryptItem(ITEM, CONFIG);
    expect(await codeOf(encryptor.decryptItem(withDescription(stored, (d) => d.delete('amzn-ddb-env-key')), CONFIG))).toBe('ERR_UNWRAPPING_FAILED');
    expect(await codeOf(encryptor.decryptItem(withDescription(stored, (d) => d.set('amzn-ddb-env-key', Buffer.alloc(40).toString('base64'))), CONFIG))).toBe('ERR_UNWRAPPING_FAILED');
    expect(await codeOf(encryptor.decryptItem(withDescription(stored, (d) => d.set('amzn-ddb-wrap-alg', 'Rot13')), CONFIG))).toBe('ERR_UNSUPPORTED_ALGORITHM');
    const otherKek = new ItemEncryptor({ materialsProvider: new WrappedMaterialsProvider({ wrappingKey: SecretKey.generate('AES', 256), signingKey: hmac }) });
    expect(await codeOf(otherKek.decryptItem(stored, CONFIG))).toBe('ERR_UNWRAPPING_FAILED');
  });

  it('reads legacy RSA PKCS#1 v1.5 items (no wrap algorithm) only with allowLegacyPkcs1', async () => {
    const options = { wrappingKey: rsa.publicKey, unwrappingKey: rsa.privateKey, signingKey: hmac, materialDescription: { 'amzn-ddb-wrap-alg': 'RSA' } };
    expectCode(() => new WrappedMaterialsProvider(options), 'ERR_UNSUPPORTED_ALGORITHM');
    const legacy = new ItemEncryptor({ materialsProvider: new WrappedMaterialsProvider({ ...options, allowLegacyPkcs1: true }) });
    const current = new ItemEncryptor({ materialsProvider: new WrappedMaterialsProvider({ ...options, materialDescription: {} }) });
    const signOnly = { ...CONFIG, attributeActions: new AttributeActions({ defaultAction: CryptoAction.SignOnly }) };
    for (const config of [CONFIG, signOnly]) {
      const stored = withDescription(await legacy.encryptItem(ITEM, config), (d) => d.delete('amzn-ddb-wrap-alg'));
      await expect(legacy.decryptItem(stored, config)).resolves.toHaveProperty('name');
      // Refused by default, before any RSA operation, whatever the envelope holds.
      expect(await codeOf(current.decryptItem(stored, config))).toBe('ERR_UNSUPPORTED_ALGORITHM');
      const garbage = withDescription(stored, (d) => d.set('amzn-ddb-env-key', Buffer.alloc(256, 7).toString('base64')));
      expect(await codeOf(current.decryptItem(garbage, config))).toBe('ERR_UNSUPPORTED_ALGORITHM');
      // With the option, a bad envelope is refused even when nothing is encrypted.
      expect(await codeOf(legacy.decryptItem(garbage, config))).toBe('ERR_UNWRAPPING_FAILED');
    }
  });
});

describe('incomplete or inconsistent material descriptions fail closed, whether or not anything is encrypted', () => {
  const signOnly = { ...CONFIG, attributeActions: new AttributeActions({ defaultAction: CryptoAction.SignOnly }) };
  const aes = SecretKey.generate('AES', 256);
  const rsaSigning = generateRsaKeyPair(2048, 'SHA256withRSA');
  const encryptors = {
    static: new ItemEncryptor({ materialsProvider: new StaticMaterialsProvider({ encryptionKey: aes, signingKey: hmac }) }),
    'static, RSA signature': new ItemEncryptor({ materialsProvider: new StaticMaterialsProvider({ encryptionKey: aes, signingKey: rsaSigning.privateKey }) }),
    'wrapped AES': new ItemEncryptor({ materialsProvider: new WrappedMaterialsProvider({ wrappingKey: aes, signingKey: hmac }) }),
    'wrapped RSA': new ItemEncryptor({ materialsProvider: new WrappedMaterialsProvider({ wrappingKey: rsa.publicKey, unwrappingKey: rsa.privateKey, signingKey: hmac }) }),
    'wrapped RSA, legacy PKCS#1 allowed': new ItemEncryptor({
      materialsProvider: new WrappedMaterialsProvider({ wrappingKey: rsa.publicKey, unwrappingKey: rsa.privateKey, signingKey: hmac, allowLegacyPkcs1: true }),
    }),
  };
  type Case = readonly [keyof typeof encryptors, string, (d: Map<string, string>) => void, DdbecErrorCode];
  const cases: readonly Case[] = [
    ['static', 'no cipher mode', (d) => d.delete('amzn-ddb-map-sym-mode'), 'ERR_MATERIAL_DESCRIPTION'],
    ['static', 'another cipher mode', (d) => d.set('amzn-ddb-map-sym-mode', '/CTR/NoPadding'), 'ERR_UNSUPPORTED_ALGORITHM'],
    ['static, RSA signature', 'no RSA signature algorithm', (d) => d.delete('amzn-ddb-map-signingAlg'), 'ERR_MATERIAL_DESCRIPTION'],
    ['wrapped AES', 'no content key algorithm', (d) => d.delete('amzn-ddb-env-alg'), 'ERR_MATERIAL_DESCRIPTION'],
    ['wrapped AES', 'a content key size the key does not have', (d) => d.set('amzn-ddb-env-alg', 'AES/128'), 'ERR_UNWRAPPING_FAILED'],
    ['wrapped AES', 'no wrap algorithm (AES)', (d) => d.delete('amzn-ddb-wrap-alg'), 'ERR_UNSUPPORTED_ALGORITHM'],
    ['wrapped RSA', 'no wrap algorithm (legacy PKCS#1 path)', (d) => d.delete('amzn-ddb-wrap-alg'), 'ERR_UNSUPPORTED_ALGORITHM'],
    ['wrapped RSA', 'PKCS#1 named for an OAEP envelope', (d) => d.set('amzn-ddb-wrap-alg', 'RSA/ECB/PKCS1Padding'), 'ERR_UNSUPPORTED_ALGORITHM'],
    ['wrapped RSA, legacy PKCS#1 allowed', 'no wrap algorithm (legacy PKCS#1 path)', (d) => d.delete('amzn-ddb-wrap-alg'), 'ERR_UNWRAPPING_FAILED'],
    ['wrapped RSA, legacy PKCS#1 allowed', 'PKCS#1 named for an OAEP envelope', (d) => d.set('amzn-ddb-wrap-alg', 'RSA'), 'ERR_UNWRAPPING_FAILED'],
    ['wrapped RSA', 'no cipher mode', (d) => d.delete('amzn-ddb-map-sym-mode'), 'ERR_MATERIAL_DESCRIPTION'],
  ];

  it.each(cases)('%s: %s is refused for an item with no encrypted attribute', async (provider, _what, change, code) => {
    const encryptor = encryptors[provider];
    const stored = await encryptor.encryptItem(ITEM, signOnly);
    await expect(encryptor.decryptItem(stored, signOnly)).resolves.toEqual(ITEM);
    expect(await codeOf(encryptor.decryptItem(withDescription(stored, change), signOnly))).toBe(code);
  });

  it.each(cases)('%s: %s is refused for an item with encrypted attributes', async (provider, _what, change) => {
    const encryptor = encryptors[provider];
    const stored = await encryptor.encryptItem(ITEM, CONFIG);
    expect(await codeOf(encryptor.decryptItem(withDescription(stored, change), CONFIG))).toMatch(/^ERR_/);
  });
});
