import { describe, expect, it } from 'vitest';
import {
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

  it('reads legacy RSA PKCS#1 v1.5 items (no wrap algorithm) and gives no padding oracle', async () => {
    const legacy = new ItemEncryptor({
      materialsProvider: new WrappedMaterialsProvider({ wrappingKey: rsa.publicKey, unwrappingKey: rsa.privateKey, signingKey: hmac, materialDescription: { 'amzn-ddb-wrap-alg': 'RSA' } }),
    });
    const stored = withDescription(await legacy.encryptItem(ITEM, CONFIG), (d) => d.delete('amzn-ddb-wrap-alg'));
    await expect(legacy.decryptItem(stored, CONFIG)).resolves.toHaveProperty('name', { S: 'Ada Lovelace' });
    // A broken PKCS#1 envelope fails exactly like a well-formed envelope of another key.
    const garbage = withDescription(stored, (d) => d.set('amzn-ddb-env-key', Buffer.alloc(256, 7).toString('base64')));
    expect(await codeOf(legacy.decryptItem(garbage, CONFIG))).toBe('ERR_DECRYPTION_FAILED');
    const otherKey = generateRsaKeyPair(2048).publicKey;
    const foreign = new ItemEncryptor({ materialsProvider: new WrappedMaterialsProvider({ wrappingKey: otherKey, signingKey: hmac, unwrappingKey: rsa.privateKey, materialDescription: { 'amzn-ddb-wrap-alg': 'RSA' } }) });
    const wellFormedButForeign = withDescription(await foreign.encryptItem(ITEM, CONFIG), (d) => d.delete('amzn-ddb-wrap-alg'));
    expect(await codeOf(legacy.decryptItem(wellFormedButForeign, CONFIG))).toBe('ERR_DECRYPTION_FAILED');
  });
});
