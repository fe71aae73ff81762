// Keys in a PKCS#11 token (SoftHSM2, started here in a directory of its own): round trips,
// tampering and cross-decryption with software keys of the same material, for every provider.
// All PKCS#11 tests live in this one file: the module is initialised once per process.
import { rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as pkcs11js from 'pkcs11js';
import {
  generateRsaKeyPair,
  isDdbecError,
  ItemEncryptor,
  MATERIAL_DESCRIPTION_ATTRIBUTE,
  SecretKey,
  SIGNATURE_ATTRIBUTE,
  StaticMaterialsProvider,
  WrappedMaterialsProvider,
  type CryptographicMaterialsProvider,
  type Item,
} from '../../src/index.js';
import { MemoryMetaStore, MostRecentProvider } from '../../src/metastore/index.js';
import { Pkcs11Token } from '../../src/pkcs11/index.js';
import { loadConfig } from '../../src/config/index.js';
import { decodeMaterialDescription } from '../../src/format/index.js';
import { findSoftHsmModule, initSoftHsmToken, type SoftHsmToken } from '../../../local/src/index.js';
import { CONFIG, ITEM } from '../encryptor/helpers.js';
import { DbesdkItemEncryptor } from '../../src/dbesdk/item-encryptor.js';
import { RawAesKeyring } from '../../src/keyrings/raw-aes.js';
import { RawRsaKeyring, type RsaPadding } from '../../src/keyrings/raw-rsa.js';
import type { Keyring } from '../../src/keyrings/types.js';
import { codeOf as keyringCodeOf, decryptionMaterials, encryptionMaterials, flipped } from '../keyrings/materials.js';

const softHsm = findSoftHsmModule();
if (softHsm === undefined) console.warn('PKCS#11 tests skipped: SoftHSM2 is not installed (apt-get install softhsm2)');

const codeOf = (promise: Promise<unknown>): Promise<string> =>
  promise.then(
    () => 'resolved',
    (error: unknown) => (isDdbecError(error) ? error.code : String(error)),
  );

// Known key material, imported into the token and used in software.
const aes = SecretKey.generate('AES', 256);
const kek = SecretKey.generate('AES', 256);
const hmac = SecretKey.generate('HmacSHA256', 256); // SoftHSM2 takes HMAC-SHA-256 keys of 32 bytes and more
const rsaWrap = generateRsaKeyPair(2048);
const rsaSign = generateRsaKeyPair(2048, 'SHA256withRSA');

describe.skipIf(softHsm === undefined)('PKCS#11 keys (SoftHSM2)', () => {
  let local: SoftHsmToken;
  let token: Pkcs11Token;
  /** Per provider: [software, HSM] over the same key material. */
  const pairs: Record<string, [CryptographicMaterialsProvider, CryptographicMaterialsProvider]> = {};

  beforeAll(async () => {
    const configPath = process.env.SOFTHSM2_CONF;
    if (configPath === undefined) throw new Error('vitest.config.ts sets SOFTHSM2_CONF');
    local = await initSoftHsmToken({ directory: dirname(configPath), label: 'ddbec-test' });
    expect(local.configPath).toBe(configPath);
    await initSoftHsmToken({ directory: dirname(configPath), label: 'ddbec-other', pin: '9999' });
    token = await Pkcs11Token.open({ module: local.module, tokenLabel: local.label, pin: local.pin, maxSessions: 4 });
    await token.importKey({ label: 'aes', key: aes });
    await token.importKey({ label: 'kek', key: kek });
    await token.importKey({ label: 'hmac', key: hmac });
    await token.importKey({ label: 'rsa-wrap', key: rsaWrap.privateKey });
    await token.importKey({ label: 'rsa-sign', key: rsaSign.privateKey });

    const hsm = {
      aes: await token.aesKey({ label: 'aes' }, { require: ['encrypt', 'decrypt'] }),
      kek: await token.aesKey({ label: 'kek' }, { require: ['wrap', 'unwrap'] }),
      hmac: await token.hmacKey({ label: 'hmac' }, { require: ['sign', 'verify'] }),
      rsaWrap: await token.rsaPrivateKey({ label: 'rsa-wrap' }, { require: ['decrypt'] }),
      rsaSign: await token.rsaPrivateKey({ label: 'rsa-sign' }, { algorithm: 'SHA256withRSA', require: ['sign'] }),
    };
    pairs['static: AES-CBC and HMAC in the token'] = [
      new StaticMaterialsProvider({ encryptionKey: aes, signingKey: hmac }),
      new StaticMaterialsProvider({ encryptionKey: hsm.aes, signingKey: hsm.hmac }),
    ];
    pairs['static: AES-CBC and RSA signature in the token'] = [
      new StaticMaterialsProvider({ encryptionKey: aes, signingKey: rsaSign.privateKey }),
      new StaticMaterialsProvider({ encryptionKey: hsm.aes, signingKey: hsm.rsaSign, verificationKey: hsm.rsaSign.publicKey() }),
    ];
    pairs['wrapped: AES key wrap and HMAC in the token'] = [
      new WrappedMaterialsProvider({ wrappingKey: kek, signingKey: hmac }),
      new WrappedMaterialsProvider({ wrappingKey: hsm.kek, signingKey: hsm.hmac }),
    ];
    pairs['wrapped: RSA-OAEP unwrap and RSA signature in the token'] = [
      new WrappedMaterialsProvider({ wrappingKey: rsaWrap.publicKey, unwrappingKey: rsaWrap.privateKey, signingKey: rsaSign.privateKey }),
      new WrappedMaterialsProvider({
        wrappingKey: await token.rsaPublicKey({ label: 'rsa-wrap' }),
        unwrappingKey: hsm.rsaWrap,
        signingKey: hsm.rsaSign,
        verificationKey: hsm.rsaSign.publicKey(),
      }),
    ];
    // MetaStore: its rows are protected by the inner provider (here the wrapped provider with
    // the AES key-encryption key and the HMAC key in the token). Version 0 of the material is
    // written in software and read through the token; version 1 (the newest, which both
    // MostRecentProviders use) is written through the token and read in software.
    const softwareInner = new WrappedMaterialsProvider({ wrappingKey: kek, signingKey: hmac });
    const hsmInner = new WrappedMaterialsProvider({ wrappingKey: hsm.kek, signingKey: hsm.hmac });
    const firstRows = new MemoryMetaStore({ tableName: 'meta', materialsProvider: softwareInner });
    await firstRows.newProvider('orders');
    const hsmStore = new MemoryMetaStore({ tableName: 'meta', materialsProvider: hsmInner, rows: firstRows.rows() });
    await hsmStore.getProvider('orders', 0); // a row written in software, read through the token
    await hsmStore.newProvider('orders');
    const softwareStore = new MemoryMetaStore({ tableName: 'meta', materialsProvider: softwareInner, rows: hsmStore.rows() });
    pairs['MetaStore over an inner provider in the token'] = [
      new MostRecentProvider({ store: softwareStore, materialName: 'orders', ttlMs: 60_000 }),
      new MostRecentProvider({ store: hsmStore, materialName: 'orders', ttlMs: 60_000 }),
    ];
  });

  afterAll(async () => {
    await token?.close();
    if (local !== undefined) await rm(dirname(local.configPath), { recursive: true, force: true });
  });

  it('keeps generated and imported keys in the token: sensitive, not extractable, their values unreadable', async () => {
    await token.generateAesKey({ label: 'generated-aes' });
    await token.generateHmacKey({ label: 'generated-hmac' });
    await token.generateRsaKeyPair({ label: 'generated-rsa', bits: 2048 });
    for (const label of ['generated-aes', 'generated-hmac', 'aes', 'hmac']) {
      const info = await token.describeKey({ label });
      expect(info, label).toMatchObject({ class: 'secret', extractable: false, sensitive: true });
    }
    for (const label of ['generated-rsa', 'rsa-wrap']) {
      expect(await token.describeKey({ label }, 'private'), label).toMatchObject({ class: 'private', extractable: false, sensitive: true });
    }
    // Both halves of an RSA pair carry its label: describeKey does not guess between them.
    expect(await codeOf(token.describeKey({ label: 'rsa-wrap' }))).toBe('ERR_PKCS11_KEY_NOT_FOUND');
    // At the PKCS#11 level, with a session of our own: the value cannot be read or wrapped out.
    const raw = new pkcs11js.PKCS11();
    raw.load(local.module);
    expect(() => {
      raw.C_Initialize();
    }).toThrow(/CKR_CRYPTOKI_ALREADY_INITIALIZED/); // the token above initialised it
    const slot = raw.C_GetSlotList(true).find((candidate) => raw.C_GetTokenInfo(candidate).label.trimEnd() === local.label);
    if (slot === undefined) throw new Error('token not found');
    const session = raw.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION);
    try {
      for (const [label, keyClass] of [['generated-aes', pkcs11js.CKO_SECRET_KEY], ['generated-rsa', pkcs11js.CKO_PRIVATE_KEY], ['aes', pkcs11js.CKO_SECRET_KEY]] as const) {
        raw.C_FindObjectsInit(session, [{ type: pkcs11js.CKA_LABEL, value: label }, { type: pkcs11js.CKA_CLASS, value: keyClass }]);
        const [handle] = raw.C_FindObjects(session, 1);
        raw.C_FindObjectsFinal(session);
        if (handle === undefined) throw new Error(`${label} not found`);
        const [extractable, sensitive, neverExtractable] = raw.C_GetAttributeValue(session, handle, [
          { type: pkcs11js.CKA_EXTRACTABLE },
          { type: pkcs11js.CKA_SENSITIVE },
          { type: pkcs11js.CKA_NEVER_EXTRACTABLE },
        ]);
        expect([extractable?.value, sensitive?.value], label).toEqual([Buffer.from([0]), Buffer.from([1])]);
        if (label.startsWith('generated')) expect(neverExtractable?.value, label).toEqual(Buffer.from([1]));
        const secret = keyClass === pkcs11js.CKO_SECRET_KEY ? pkcs11js.CKA_VALUE : pkcs11js.CKA_PRIVATE_EXPONENT;
        expect(() => raw.C_GetAttributeValue(session, handle, [{ type: secret }]), label).toThrow(/CKR_ATTRIBUTE_SENSITIVE/);
      }
    } finally {
      raw.C_CloseSession(session);
    }
  });

  describe.each(['static: AES-CBC and HMAC in the token', 'static: AES-CBC and RSA signature in the token', 'wrapped: AES key wrap and HMAC in the token', 'wrapped: RSA-OAEP unwrap and RSA signature in the token', 'MetaStore over an inner provider in the token'])('%s', (name) => {
    const encryptors = (): { software: ItemEncryptor; hsm: ItemEncryptor } => {
      const [software, hsm] = pairs[name] ?? [];
      if (software === undefined || hsm === undefined) throw new Error(`no provider pair ${name}`);
      return { software: new ItemEncryptor({ materialsProvider: software }), hsm: new ItemEncryptor({ materialsProvider: hsm }) };
    };

    it('round-trips, and cross-decrypts with software keys of the same material both ways', async () => {
      const { software, hsm } = encryptors();
      const bySoftware = await software.encryptItem(ITEM, CONFIG);
      const expected = await software.decryptItem(bySoftware, CONFIG);
      const byHsm = await hsm.encryptItem(ITEM, CONFIG);
      expect(await hsm.decryptItem(byHsm, CONFIG)).toEqual(expected);
      expect(await software.decryptItem(byHsm, CONFIG)).toEqual(expected);
      expect(await hsm.decryptItem(bySoftware, CONFIG)).toEqual(expected);
      // Same format: the same attributes and the same material description entries.
      expect(Object.keys(byHsm).sort()).toEqual(Object.keys(bySoftware).sort());
      const entries = (item: Item): string[] => [...decodeMaterialDescription((item[MATERIAL_DESCRIPTION_ATTRIBUTE] as { B: Uint8Array }).B).keys()].sort();
      expect(entries(byHsm)).toEqual(entries(bySoftware));
    });

    it('rejects tampered items', async () => {
      const { hsm } = encryptors();
      const stored = await hsm.encryptItem(ITEM, CONFIG);
      expect(await codeOf(hsm.decryptItem({ ...stored, plan: { S: 'enterprise' } }, CONFIG))).toBe('ERR_SIGNATURE_INVALID');
      const name = stored.name as { B: Uint8Array };
      const flipped = Uint8Array.from(name.B, (byte, i) => (i === name.B.length - 1 ? byte ^ 1 : byte));
      expect(await codeOf(hsm.decryptItem({ ...stored, name: { B: flipped } }, CONFIG))).toBe('ERR_SIGNATURE_INVALID');
      const signature = (stored[SIGNATURE_ATTRIBUTE] as { B: Uint8Array }).B;
      const badSignature = Uint8Array.from(signature, (byte, i) => (i === 0 ? byte ^ 0x80 : byte));
      expect(await codeOf(hsm.decryptItem({ ...stored, [SIGNATURE_ATTRIBUTE]: { B: badSignature } }, CONFIG))).toBe('ERR_SIGNATURE_INVALID');
      expect(await codeOf(hsm.decryptItem({ ...stored, [SIGNATURE_ATTRIBUTE]: { B: signature.subarray(1) } }, CONFIG))).toBe('ERR_SIGNATURE_INVALID');
    });

    it('runs many items at once over a few pooled sessions', async () => {
      const { hsm, software } = encryptors();
      const items = Array.from({ length: 40 }, (_, i): Item => ({ ...ITEM, sk: { N: String(i) } }));
      const stored = await Promise.all(items.map((item) => hsm.encryptItem(item, CONFIG)));
      const read = await Promise.all(stored.map((item) => software.decryptItem(item, CONFIG)));
      expect(read.map((item) => item.sk)).toEqual(items.map((item) => item.sk));
    });
  });

  describe('DB-ESDK raw keyrings with keys in the token', () => {
    const dbesdk = (keyring: Keyring): DbesdkItemEncryptor =>
      new DbesdkItemEncryptor({
        logicalTableName: 'Orders',
        partitionKeyName: 'pk',
        sortKeyName: 'sk',
        attributeActionsOnEncrypt: { pk: 'SIGN_ONLY', sk: 'SIGN_ONLY', secret: 'ENCRYPT_AND_SIGN', visible: 'SIGN_ONLY' },
        keyring,
      });
    const item: Item = { pk: { S: 'order#1' }, sk: { N: '7' }, secret: { S: 'card 4111' }, visible: { S: 'shipped' } };
    // PKCS1 and the OAEP schemes but SHA-1 take the raw RSA path in SoftHSM2; OAEP_SHA1_MGF1 runs as CKM_RSA_PKCS_OAEP.
    const paddings: RsaPadding[] = ['PKCS1', 'OAEP_SHA1_MGF1', 'OAEP_SHA256_MGF1', 'OAEP_SHA384_MGF1', 'OAEP_SHA512_MGF1'];
    const keyrings = async (paddingScheme: RsaPadding): Promise<{ software: RawRsaKeyring; hsm: RawRsaKeyring }> => {
      const privateKey = await token.rsaPrivateKey({ label: 'rsa-wrap' }, { require: ['decrypt'] });
      const options = { keyNamespace: 'hsm', keyName: 'rsa-wrap', paddingScheme };
      return {
        software: new RawRsaKeyring({ ...options, publicKey: rsaWrap.publicKey, privateKey: rsaWrap.privateKey }),
        hsm: new RawRsaKeyring({ ...options, publicKey: privateKey.publicKey(), privateKey }),
      };
    };

    it.each(paddings)('%s: items cross-decrypt with software keys of the same material both ways', async (padding) => {
      const { software, hsm } = await keyrings(padding);
      const bySoftware = await dbesdk(software).encryptItem(item);
      const byHsm = await dbesdk(hsm).encryptItem(item);
      expect(await dbesdk(hsm).decryptItem(bySoftware)).toEqual(item);
      expect(await dbesdk(software).decryptItem(byHsm)).toEqual(item);
      expect(await dbesdk(hsm).decryptItem(byHsm)).toEqual(item);
      expect(Object.keys(byHsm).sort()).toEqual(Object.keys(bySoftware).sort());
    });

    it.each(paddings)('%s: a changed encrypted data key is refused', async (padding) => {
      const { software, hsm } = await keyrings(padding);
      const [edk] = (await software.onEncrypt(encryptionMaterials())).encryptedDataKeys;
      if (edk === undefined) throw new Error('no EDK');
      expect((await hsm.onDecrypt(decryptionMaterials(), [edk])).plaintextDataKey).toHaveLength(32);
      for (const index of [0, 48, edk.ciphertext.length - 1]) {
        expect(await keyringCodeOf(hsm.onDecrypt(decryptionMaterials(), [flipped(edk, 'ciphertext', index)])), `byte ${index}`).toBe('ERR_UNWRAPPING_FAILED');
      }
      const truncated = { ...edk, ciphertext: edk.ciphertext.subarray(0, edk.ciphertext.length - 1) };
      expect(await keyringCodeOf(hsm.onDecrypt(decryptionMaterials(), [truncated]))).toBe('ERR_UNWRAPPING_FAILED');
    });

    const aesKeyrings = async (): Promise<{ software: RawAesKeyring; hsm: RawAesKeyring }> => {
      const options = { keyNamespace: 'hsm', keyName: 'aes' };
      return {
        software: new RawAesKeyring({ ...options, wrappingKey: aes.exportBytes() }),
        hsm: new RawAesKeyring({ ...options, wrappingKey: await token.aesKey({ label: 'aes' }, { require: ['encrypt', 'decrypt'] }) }),
      };
    };

    it('raw AES (AES-GCM in the token): items cross-decrypt with software keys of the same material both ways', async () => {
      const { software, hsm } = await aesKeyrings();
      const bySoftware = await dbesdk(software).encryptItem(item);
      const byHsm = await dbesdk(hsm).encryptItem(item);
      expect(await dbesdk(hsm).decryptItem(bySoftware)).toEqual(item);
      expect(await dbesdk(software).decryptItem(byHsm)).toEqual(item);
      expect(await dbesdk(hsm).decryptItem(byHsm)).toEqual(item);
      expect(Object.keys(byHsm).sort()).toEqual(Object.keys(bySoftware).sort());
    });

    it('raw AES (AES-GCM in the token): a changed encrypted data key or another encryption context is refused', async () => {
      const { software, hsm } = await aesKeyrings();
      const [edk] = (await software.onEncrypt(encryptionMaterials())).encryptedDataKeys;
      if (edk === undefined) throw new Error('no EDK');
      expect((await hsm.onDecrypt(decryptionMaterials(), [edk])).plaintextDataKey).toHaveLength(32);
      for (const index of [0, 48, edk.ciphertext.length - 1]) {
        expect(await keyringCodeOf(hsm.onDecrypt(decryptionMaterials(), [flipped(edk, 'ciphertext', index)])), `byte ${index}`).toBe('ERR_UNWRAPPING_FAILED');
      }
      expect(await keyringCodeOf(hsm.onDecrypt(decryptionMaterials(), [flipped(edk, 'keyProviderInfo', edk.keyProviderInfo.length - 1)]))).toBe('ERR_UNWRAPPING_FAILED');
      const otherContext = decryptionMaterials(undefined, { 'aws-crypto-table-name': 'Other' });
      expect(await keyringCodeOf(hsm.onDecrypt(otherContext, [edk]))).toBe('ERR_UNWRAPPING_FAILED');
    });
  });

  it('uses keys generated in the token', async () => {
    const provider = new WrappedMaterialsProvider({
      wrappingKey: await token.rsaPublicKey({ label: 'generated-rsa' }),
      unwrappingKey: await token.rsaPrivateKey({ label: 'generated-rsa' }),
      signingKey: await token.hmacKey({ label: 'generated-hmac' }),
    });
    const encryptor = new ItemEncryptor({ materialsProvider: provider });
    const staticEncryptor = new ItemEncryptor({
      materialsProvider: new StaticMaterialsProvider({ encryptionKey: await token.aesKey({ label: 'generated-aes' }), signingKey: await token.hmacKey({ label: 'generated-hmac' }) }),
    });
    for (const e of [encryptor, staticEncryptor]) {
      const stored = await e.encryptItem(ITEM, CONFIG);
      expect((await e.decryptItem(stored, CONFIG)).pk).toEqual(ITEM.pk);
    }
  });

  it('a content key wrapped under another key-encryption key does not unwrap', async () => {
    const other = new ItemEncryptor({ materialsProvider: new WrappedMaterialsProvider({ wrappingKey: SecretKey.generate('AES', 256), signingKey: hmac }) });
    const hsm = new ItemEncryptor({ materialsProvider: new WrappedMaterialsProvider({ wrappingKey: await token.aesKey({ label: 'kek' }), signingKey: hmac }) });
    expect(await codeOf(hsm.decryptItem(await other.encryptItem(ITEM, CONFIG), CONFIG))).toBe('ERR_UNWRAPPING_FAILED');
  });

  it('builds providers from ddbec.config.json keys in the token (PIN from the environment)', async () => {
    const document = (provider: object): object => ({
      pkcs11: { module: local.module, tokenLabel: local.label, pin: { env: 'TEST_PKCS11_PIN' } },
      tables: { customers: { partitionKey: 'pk', sortKey: 'sk', attributeActions: { overrides: { plan: 'SIGN_ONLY', note: 'DO_NOTHING' } }, provider } },
    });
    const env = { TEST_PKCS11_PIN: local.pin };
    const providers = [
      { type: 'static', encryptionKey: { pkcs11: { label: 'aes' } }, signingKey: { pkcs11: { label: 'rsa-sign' }, algorithm: 'SHA256withRSA' } },
      { type: 'wrapped', wrappingKey: { pkcs11: { label: 'rsa-wrap' }, algorithm: 'RSA' }, signingKey: { pkcs11: { label: 'hmac' } } },
      { type: 'wrapped', wrappingKey: { pkcs11: { label: 'kek' } }, signingKey: { pkcs11: { label: 'hmac' } } },
    ];
    const software = [pairs['static: AES-CBC and RSA signature in the token'], pairs['wrapped: RSA-OAEP unwrap and RSA signature in the token'], pairs['wrapped: AES key wrap and HMAC in the token']];
    for (const [i, provider] of providers.entries()) {
      const table = (await loadConfig(document(provider), { env })).table('customers');
      const stored = await table.encryptor.encryptItem(ITEM, table);
      expect((await table.encryptor.decryptItem(stored, table)).pk, JSON.stringify(provider)).toEqual(ITEM.pk);
      const reader = i === 1 ? new WrappedMaterialsProvider({ unwrappingKey: rsaWrap.privateKey, verificationKey: hmac }) : software[i]?.[0];
      if (reader === undefined) throw new Error('no software reader');
      expect((await new ItemEncryptor({ materialsProvider: reader }).decryptItem(stored, CONFIG)).pk).toEqual(ITEM.pk);
    }
    const wrong = document({ type: 'static', encryptionKey: { pkcs11: { label: 'no-such-key' } }, signingKey: { pkcs11: { label: 'hmac' } } });
    const error: unknown = await loadConfig(wrong, { env }).catch((e: unknown) => e);
    expect(isDdbecError(error, 'ERR_PKCS11_KEY_NOT_FOUND') && error.message).toMatch(/^tables\.customers\.provider\.encryptionKey: /);
    expect(await codeOf(loadConfig(document(providers[2] as object), { env: {} }))).toBe('ERR_INVALID_ARGUMENT');
    const usage = document({ type: 'wrapped', wrappingKey: { pkcs11: { label: 'aes-encrypt-only' } }, signingKey: { pkcs11: { label: 'hmac' } } });
    await token.generateAesKey({ label: 'aes-encrypt-only', usage: ['encrypt', 'decrypt'] });
    expect(await codeOf(loadConfig(usage, { env }))).toBe('ERR_PKCS11_KEY_USAGE');
  });

  it('says clearly what is wrong: token, PIN, key, key usage', async () => {
    const open = (options: Partial<Parameters<typeof Pkcs11Token.open>[0]>): Promise<string> =>
      codeOf(Pkcs11Token.open({ module: local.module, tokenLabel: local.label, pin: local.pin, ...options }));
    expect(await open({ tokenLabel: 'no-such-token' })).toBe('ERR_PKCS11_TOKEN_NOT_FOUND');
    expect(await open({ tokenLabel: undefined, slot: 424242 })).toBe('ERR_PKCS11_TOKEN_NOT_FOUND');
    expect(await open({ tokenLabel: 'ddbec-other', pin: 'wrong' })).toBe('ERR_PKCS11_LOGIN_FAILED');
    expect(await open({ module: '/nonexistent/libpkcs11.so' })).toBe('ERR_PKCS11_UNAVAILABLE');
    expect(await codeOf(token.aesKey({ label: 'no-such-key' }))).toBe('ERR_PKCS11_KEY_NOT_FOUND');
    expect(await codeOf(token.aesKey({ id: 'ffffffff' }))).toBe('ERR_PKCS11_KEY_NOT_FOUND');
    expect(await codeOf(token.rsaPrivateKey({ label: 'aes' }))).toBe('ERR_PKCS11_KEY_NOT_FOUND');
    await token.generateAesKey({ label: 'encrypt-only', usage: ['encrypt', 'decrypt'] });
    const error: unknown = await token.aesKey({ label: 'encrypt-only' }, { require: ['wrap'] }).catch((e: unknown) => e);
    expect(isDdbecError(error, 'ERR_PKCS11_KEY_USAGE') && error.message).toMatch(/CKA_WRAP/);
    // Found without asking for the usage: the operation itself says what is missing.
    const encryptOnly = await token.aesKey({ label: 'encrypt-only' });
    const wrapError: unknown = await encryptOnly.wrap('AESWrap', new Uint8Array(32)).catch((e: unknown) => e);
    expect(isDdbecError(wrapError, 'ERR_PKCS11_KEY_USAGE') && wrapError.message).toMatch(/CKA_WRAP/);
    expect(await codeOf(token.generateAesKey({ label: 'aes' }))).toBe('ERR_INVALID_ARGUMENT');
    // A closed token refuses further work (the other token: this one serves the other tests).
    const other = await Pkcs11Token.open({ module: local.module, tokenLabel: 'ddbec-other', pin: '9999' });
    await other.generateAesKey({ label: 'k' });
    const key = await other.aesKey({ label: 'k' });
    await other.close();
    expect(await codeOf(key.encrypt('AES/CBC/PKCS5Padding', new Uint8Array(5)))).toBe('ERR_PKCS11_FAILED');
    expect(await codeOf(other.describeKey({ label: 'k' }))).toBe('ERR_PKCS11_FAILED');
  });
});
