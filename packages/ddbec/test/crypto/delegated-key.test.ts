import { describe, expect, it } from 'vitest';
import {
  asDelegatedKey,
  generateRsaKeyPair,
  isDdbecError,
  isDelegatedKey,
  ItemEncryptor,
  SecretKey,
  SIGNATURE_ATTRIBUTE,
  StaticMaterialsProvider,
  WrappedMaterialsProvider,
  type CryptographicMaterialsProvider,
  type DelegatedKey,
  type Item,
} from '../../src/index.js';
import { CONFIG, ITEM } from '../encryptor/helpers.js';

const aes = SecretKey.generate('AES', 256);
const kek = SecretKey.generate('AES', 256);
const hmac = SecretKey.generate('HmacSHA256', 256);
const rsaWrap = generateRsaKeyPair(2048);
const rsaSign = generateRsaKeyPair(2048, 'SHA256withRSA');

const codeOf = (promise: Promise<unknown>): Promise<string> =>
  promise.then(
    () => 'resolved',
    (error: unknown) => (isDdbecError(error) ? error.code : String(error)),
  );

/** Pairs of providers over the same key material: software keys, and the same keys behind the delegated seam. */
const PAIRS: Record<string, [CryptographicMaterialsProvider, CryptographicMaterialsProvider]> = {
  'static AES + HMAC': [
    new StaticMaterialsProvider({ encryptionKey: aes, signingKey: hmac }),
    new StaticMaterialsProvider({ encryptionKey: asDelegatedKey(aes), signingKey: asDelegatedKey(hmac) }),
  ],
  'static AES + RSA signature': [
    new StaticMaterialsProvider({ encryptionKey: aes, signingKey: rsaSign.privateKey }),
    new StaticMaterialsProvider({
      encryptionKey: asDelegatedKey(aes),
      signingKey: asDelegatedKey(rsaSign.privateKey),
      verificationKey: asDelegatedKey(rsaSign.publicKey),
    }),
  ],
  'wrapped AESWrap + HMAC': [
    new WrappedMaterialsProvider({ wrappingKey: kek, signingKey: hmac }),
    new WrappedMaterialsProvider({ wrappingKey: asDelegatedKey(kek), signingKey: asDelegatedKey(hmac) }),
  ],
  'wrapped RSA-OAEP + RSA signature': [
    new WrappedMaterialsProvider({ wrappingKey: rsaWrap.publicKey, unwrappingKey: rsaWrap.privateKey, signingKey: rsaSign.privateKey }),
    new WrappedMaterialsProvider({
      wrappingKey: rsaWrap.publicKey,
      unwrappingKey: asDelegatedKey(rsaWrap.privateKey),
      signingKey: asDelegatedKey(rsaSign.privateKey),
      verificationKey: rsaSign.publicKey,
    }),
  ],
};

describe('the delegated-key seam', () => {
  for (const [name, [software, delegated]] of Object.entries(PAIRS)) {
    it(`${name}: items written through delegated keys and software keys read each other`, async () => {
      const plain = new ItemEncryptor({ materialsProvider: software });
      const seam = new ItemEncryptor({ materialsProvider: delegated });
      const byPlain = await plain.encryptItem(ITEM, CONFIG);
      const expected = await plain.decryptItem(byPlain, CONFIG); // numbers canonical, sets sorted
      expect(await seam.decryptItem(byPlain, CONFIG)).toEqual(expected);
      const written = await seam.encryptItem(ITEM, CONFIG);
      expect(await plain.decryptItem(written, CONFIG)).toEqual(expected);
      expect(Object.keys(written).sort()).toEqual(Object.keys(byPlain).sort());
      const signature = (written[SIGNATURE_ATTRIBUTE] as { B: Uint8Array }).B;
      const tampered: Item = { ...written, plan: { S: 'enterprise' } };
      expect(await codeOf(seam.decryptItem(tampered, CONFIG))).toBe('ERR_SIGNATURE_INVALID');
      const flipped = Uint8Array.from(signature, (byte, i) => (i === 0 ? byte ^ 1 : byte));
      expect(await codeOf(seam.decryptItem({ ...written, [SIGNATURE_ATTRIBUTE]: { B: flipped } }, CONFIG))).toBe('ERR_SIGNATURE_INVALID');
    });
  }

  it('tells delegated keys from software keys', () => {
    expect(isDelegatedKey(asDelegatedKey(aes))).toBe(true);
    expect(isDelegatedKey(aes)).toBe(false);
    expect(isDelegatedKey({ keyType: 'other', algorithm: 'AES' })).toBe(false);
  });

  it('names the operation a delegated key lacks', async () => {
    const signOnly: DelegatedKey = { keyType: 'secret', algorithm: 'AES' };
    const encryptor = new ItemEncryptor({ materialsProvider: new StaticMaterialsProvider({ encryptionKey: signOnly, signingKey: hmac }) });
    const error: unknown = await encryptor.encryptItem(ITEM, CONFIG).catch((e: unknown) => e);
    expect(isDdbecError(error, 'ERR_INVALID_KEY') && error.message).toMatch(/cannot encrypt/);
  });

  it('needs the public half of a delegated RSA signing key', () => {
    expect(() => new StaticMaterialsProvider({ signingKey: asDelegatedKey(rsaSign.privateKey) })).toThrow(/explicit verificationKey/);
  });

  it('refuses delegated keys of the wrong kind', () => {
    expect(() => new WrappedMaterialsProvider({ wrappingKey: asDelegatedKey(hmac), signingKey: hmac })).toThrow(/wrappingKey must be/);
    expect(() => new StaticMaterialsProvider({ encryptionKey: asDelegatedKey(hmac), signingKey: hmac })).toThrow(/encryptionKey must be/);
  });

  it('reports a failing delegated unwrap as an unwrapping failure', async () => {
    const broken: DelegatedKey = { keyType: 'secret', algorithm: 'AES', unwrap: () => Promise.reject(new Error('token gone')) };
    const writer = new ItemEncryptor({ materialsProvider: new WrappedMaterialsProvider({ wrappingKey: kek, signingKey: hmac }) });
    const reader = new ItemEncryptor({ materialsProvider: new WrappedMaterialsProvider({ unwrappingKey: broken, verificationKey: hmac }) });
    expect(await codeOf(reader.decryptItem(await writer.encryptItem(ITEM, CONFIG), CONFIG))).toBe('ERR_UNWRAPPING_FAILED');
  });
});
