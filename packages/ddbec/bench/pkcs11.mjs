// Keys in a PKCS#11 token (SoftHSM2, in a temporary directory of its own) against the same key
// material in software: typical item, sequential and 16 in flight, in one run. Imported by
// run.mjs; also runnable alone. Skipped, with one line, when SoftHSM2 or pkcs11js is missing.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AttributeActions, CryptoAction, generateRsaKeyPair, ItemEncryptor, SecretKey, StaticMaterialsProvider, WrappedMaterialsProvider } from '../dist/esm/index.js';
import { findSoftHsmModule, initSoftHsmToken } from '../../local/dist/index.js';
import { typicalItem } from './items.mjs';
import { mapBounded } from '../dist/esm/sdk/concurrency.js';
import { table } from './report.mjs';

const ITEMS = Number(process.env.BENCH_PKCS11_ITEMS ?? 1000);
const IN_FLIGHT = 16;

export async function benchPkcs11() {
  const module = findSoftHsmModule();
  let pkcs11;
  try {
    pkcs11 = await import('../dist/esm/pkcs11/index.js');
    await import('pkcs11js');
  } catch {
    pkcs11 = undefined;
  }
  if (module === undefined || pkcs11 === undefined) {
    console.log('\nPKCS#11 bench skipped: needs SoftHSM2 (apt-get install softhsm2) and pkcs11js');
    return;
  }
  const directory = mkdtempSync(join(tmpdir(), 'ddbec-bench-softhsm-'));
  // SoftHSM2 reads this when the module is initialised (below, in Pkcs11Token.open).
  process.env.SOFTHSM2_CONF = join(directory, 'softhsm2.conf');
  const local = await initSoftHsmToken({ directory, label: 'bench' });
  const token = await pkcs11.Pkcs11Token.open({ module: local.module, tokenLabel: local.label, pin: local.pin, maxSessions: IN_FLIGHT });
  try {
    const aes = SecretKey.generate('AES', 256);
    const kek = SecretKey.generate('AES', 256);
    const hmac = SecretKey.generate('HmacSHA256', 256);
    const rsaWrap = generateRsaKeyPair(2048);
    const rsaSign = generateRsaKeyPair(2048, 'SHA256withRSA');
    for (const [label, key] of Object.entries({ aes, kek, hmac, 'rsa-wrap': rsaWrap.privateKey, 'rsa-sign': rsaSign.privateKey })) await token.importKey({ label, key });
    const hsm = {
      aes: await token.aesKey({ label: 'aes' }),
      kek: await token.aesKey({ label: 'kek' }),
      hmac: await token.hmacKey({ label: 'hmac' }),
      rsaWrap: await token.rsaPrivateKey({ label: 'rsa-wrap' }),
      rsaSign: await token.rsaPrivateKey({ label: 'rsa-sign' }, { algorithm: 'SHA256withRSA' }),
    };
    const providers = [
      ['static AES-CBC + HMAC', new StaticMaterialsProvider({ encryptionKey: aes, signingKey: hmac }), new StaticMaterialsProvider({ encryptionKey: hsm.aes, signingKey: hsm.hmac })],
      ['wrapped AESWrap + HMAC', new WrappedMaterialsProvider({ wrappingKey: kek, signingKey: hmac }), new WrappedMaterialsProvider({ wrappingKey: hsm.kek, signingKey: hsm.hmac })],
      [
        'wrapped RSA-OAEP + RSA sig',
        new WrappedMaterialsProvider({ wrappingKey: rsaWrap.publicKey, unwrappingKey: rsaWrap.privateKey, signingKey: rsaSign.privateKey }),
        new WrappedMaterialsProvider({ wrappingKey: rsaWrap.publicKey, unwrappingKey: hsm.rsaWrap, signingKey: hsm.rsaSign, verificationKey: rsaSign.publicKey }),
      ],
    ];
    const actions = new AttributeActions({ defaultAction: CryptoAction.EncryptAndSign, attributeActions: { pk: 'SIGN_ONLY', sk: 'SIGN_ONLY' } });
    const config = { encryptionContext: { tableName: 'bench', partitionKeyName: 'pk', sortKeyName: 'sk' }, attributeActions: actions };
    const items = Array.from({ length: ITEMS }, (_, i) => typicalItem(i));
    const rows = table(`PKCS#11 keys in SoftHSM2 ${IN_FLIGHT} sessions vs the same keys in software — typical item (12 attrs), ${ITEMS} items per measurement`, [
      { name: 'provider', width: 26 },
      { name: 'keys', width: 8 },
      { name: 'mode', width: 12 },
      { name: 'encrypt items/s' },
      { name: 'decrypt items/s' },
    ]);
    for (const [name, software, inToken] of providers) {
      for (const [mode, limit] of [['sequential', 1], [`${IN_FLIGHT} in flight`, IN_FLIGHT]]) {
        for (const [keys, provider] of [['software', software], ['SoftHSM', inToken]]) {
          const encryptor = new ItemEncryptor({ materialsProvider: provider });
          const warm = await mapBounded(items.slice(0, 200), limit, (item) => encryptor.encryptItem(item, config)); // warm-up
          await mapBounded(warm, limit, (item) => encryptor.decryptItem(item, config));
          let start = performance.now();
          const stored = await mapBounded(items, limit, (item) => encryptor.encryptItem(item, config));
          const encryptMs = performance.now() - start;
          start = performance.now();
          await mapBounded(stored, limit, (item) => encryptor.decryptItem(item, config));
          const decryptMs = performance.now() - start;
          rows.row({ provider: name, keys, mode, 'encrypt items/s': ITEMS / (encryptMs / 1000), 'decrypt items/s': ITEMS / (decryptMs / 1000) });
        }
      }
    }
  } finally {
    await token.close();
    rmSync(directory, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchPkcs11();
