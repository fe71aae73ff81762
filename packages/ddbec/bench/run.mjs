// npm run bench: ddbec item encryption/decryption throughput against the "crypto floor" — the
// raw node:crypto operations the format itself needs for the same item — measured in one run,
// interleaved, so the ratio holds on a noisy shared machine. Not a test: nothing is asserted.
import { createCipheriv, createDecipheriv, createHmac, createHash, generateKeyPairSync, privateDecrypt, publicEncrypt, randomBytes, sign, verify, constants } from 'node:crypto';
import {
  AttributeActions,
  CryptoAction,
  ItemEncryptor,
  RsaPrivateKey,
  RsaPublicKey,
  SecretKey,
  StaticMaterialsProvider,
  WrappedMaterialsProvider,
} from '../dist/esm/index.js';
import { serializeAttribute } from '../dist/esm/format/index.js';
import { MemoryMetaStore, MostRecentProvider } from '../dist/esm/metastore/index.js';
import { table } from './report.mjs';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 1);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

// ---- items ------------------------------------------------------------------------------
const text = (n, seed = 'x') => seed.repeat(Math.ceil(n / seed.length)).slice(0, n);
function typicalItem() {
  return {
    pk: { S: 'customer#0001234' },
    sk: { S: 'profile#2026-11-29' },
    name: { S: 'Ada Lovelace' },
    email: { S: 'ada.lovelace@example.com' },
    phone: { S: '+44 20 7946 0958' },
    address: { S: text(160, '12 St James Square, London SW1Y 4JH, United Kingdom. ') },
    balance: { N: '102456.75' },
    creditLimit: { N: '250000' },
    active: { BOOL: true },
    tags: { SS: ['early-adopter', 'vip', 'newsletter', 'beta', 'emea'] },
    preferences: { M: { language: { S: 'en-GB' }, currency: { S: 'GBP' }, marketing: { BOOL: false }, theme: { S: 'dark' } } },
    avatar: { B: new Uint8Array(randomBytes(420)) },
  };
}
function largeItem() {
  const item = { pk: { S: 'tenant#42' }, sk: { S: 'document#7' } };
  for (let i = 0; i < 198; i += 1) {
    item[`field${String(i).padStart(3, '0')}`] = {
      M: {
        title: { S: text(120, `title ${i} `) },
        body: { S: text(300, `body of section ${i}. `) },
        score: { N: String(i * 37.5) },
        meta: { M: { owner: { S: `user-${i % 17}` }, flags: { SS: ['a', 'b', `c${i}`] }, rev: { N: String(i) } } },
      },
    };
  }
  return item;
}
const size = (item) => Object.values(item).reduce((sum, v) => sum + serializeAttribute(v).length, 0);

const actions = new AttributeActions({ defaultAction: CryptoAction.EncryptAndSign, attributeActions: { pk: 'SIGN_ONLY', sk: 'SIGN_ONLY' } });
const config = { encryptionContext: { tableName: 'bench', partitionKeyName: 'pk', sortKeyName: 'sk' }, attributeActions: actions };

// ---- keys and providers -------------------------------------------------------------------
const aesBytes = randomBytes(32);
const macBytes = randomBytes(32);
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const rsaPublic = RsaPublicKey.fromPem(rsa.publicKey.export({ type: 'spki', format: 'pem' }));
const rsaPrivate = RsaPrivateKey.fromPem(rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }), 'SHA256withRSA');
const providers = {
  static: new StaticMaterialsProvider({ encryptionKey: SecretKey.fromBytes(aesBytes, 'AES'), signingKey: SecretKey.fromBytes(macBytes, 'HmacSHA256') }),
  'wrapped-RSA': new WrappedMaterialsProvider({ wrappingKey: rsaPublic, unwrappingKey: rsaPrivate, signingKey: rsaPrivate }),
};

// ---- the crypto floor ---------------------------------------------------------------------
// What any implementation of this format must do with node:crypto for one item: per encrypted
// attribute an IV and an AES-CBC pass over its serialized value; per signed attribute a SHA-256
// of its stored serialization (attribute-name digests are cacheable and left out); the MAC or
// RSA signature over the string to sign; for the wrapped RSA provider a content key and one
// RSA-OAEP operation.
function floorFor(item, providerName) {
  const names = Object.keys(item);
  const encrypted = names.filter((n) => actions.actionOf(n) === CryptoAction.EncryptAndSign).map((n) => serializeAttribute(item[n]));
  const signOnly = names.filter((n) => actions.actionOf(n) === CryptoAction.SignOnly).map((n) => serializeAttribute(item[n]));
  const stringToSignLength = 32 + 96 * names.length;
  const sha = (b) => createHash('sha256').update(b).digest();
  const isRsa = providerName === 'wrapped-RSA';
  const contentKey = isRsa ? randomBytes(32) : aesBytes;
  const ciphertexts = encrypted.map((p) => {
    const iv = randomBytes(16);
    const c = createCipheriv('aes-256-cbc', contentKey, iv);
    return Buffer.concat([iv, c.update(p), c.final()]);
  });
  const toSign = randomBytes(stringToSignLength);
  const rsaSig = sign('sha256', toSign, rsa.privateKey);
  const oaep = { key: rsa.publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' };
  const wrapped = publicEncrypt(oaep, randomBytes(32));
  const hashes = (list) => {
    for (const p of list) sha(p);
  };
  return {
    encrypt() {
      if (isRsa) publicEncrypt(oaep, randomBytes(32));
      const toHash = [];
      for (const p of encrypted) {
        const iv = randomBytes(16);
        const c = createCipheriv('aes-256-cbc', contentKey, iv);
        const out = Buffer.concat([iv, c.update(p), c.final()]);
        toHash.push(out);
      }
      for (const out of toHash) sha(out);
      hashes(signOnly);
      if (isRsa) sign('sha256', toSign, rsa.privateKey);
      else createHmac('sha256', macBytes).update(toSign).digest();
    },
    decrypt() {
      if (isRsa) privateDecrypt({ ...oaep, key: rsa.privateKey }, wrapped);
      for (const c of ciphertexts) sha(c);
      hashes(signOnly);
      if (isRsa) verify('sha256', toSign, rsa.publicKey, rsaSig);
      else createHmac('sha256', macBytes).update(toSign).digest();
      for (const c of ciphertexts) {
        const d = createDecipheriv('aes-256-cbc', contentKey, c.subarray(0, 16));
        Buffer.concat([d.update(c.subarray(16)), d.final()]);
      }
    },
  };
}

// ---- measurement ----------------------------------------------------------------------------
async function rate(fn) {
  // ops per second over ~SECONDS, after a short warm-up
  for (let i = 0; i < 20; i += 1) await fn();
  let ops = 0;
  const start = process.hrtime.bigint();
  const end = start + BigInt(Math.round(SECONDS * 1e9));
  let now = start;
  while (now < end) {
    for (let i = 0; i < 10; i += 1) await fn();
    ops += 10;
    now = process.hrtime.bigint();
  }
  return ops / (Number(now - start) / 1e9);
}

const floorTable = table(`ddbec bench — Node ${process.version}, best of ${ROUNDS} rounds × ${SECONDS}s; ×floor = ddbec time / raw node:crypto time for the same item (1.00 = no overhead)`, [
  { name: 'item', width: 30 },
  { name: 'provider', width: 11 },
  { name: 'encrypt items/s' },
  { name: 'floor enc/s' },
  { name: 'encrypt ×floor', decimals: 2 },
  { name: 'decrypt items/s' },
  { name: 'floor dec/s' },
  { name: 'decrypt ×floor', decimals: 2 },
]);
for (const [itemName, make] of [['typical', typicalItem], ['large', largeItem]]) {
  const item = make();
  for (const [providerName, provider] of Object.entries(providers)) {
    const encryptor = new ItemEncryptor({ materialsProvider: provider });
    const stored = await encryptor.encryptItem(item, config);
    const floor = floorFor(item, providerName);
    const best = { enc: 0, dec: 0, floorEnc: 0, floorDec: 0 };
    for (let round = 0; round < ROUNDS; round += 1) {
      best.floorEnc = Math.max(best.floorEnc, await rate(() => floor.encrypt()));
      best.enc = Math.max(best.enc, await rate(() => encryptor.encryptItem(item, config)));
      best.floorDec = Math.max(best.floorDec, await rate(() => floor.decrypt()));
      best.dec = Math.max(best.dec, await rate(() => encryptor.decryptItem(stored, config)));
    }
    floorTable.row({
      item: `${itemName} (${Object.keys(item).length} attrs, ${(size(item) / 1024).toFixed(1)} KiB)`,
      provider: providerName,
      'encrypt items/s': best.enc,
      'floor enc/s': best.floorEnc,
      'encrypt ×floor': best.floorEnc / best.enc,
      'decrypt items/s': best.dec,
      'floor dec/s': best.floorDec,
      'decrypt ×floor': best.floorDec / best.dec,
    });
  }
}

// ---- MostRecentProvider on a warm cache vs the static provider ------------------------------
// A warm MostRecentProvider makes no store (or KMS) call per item: each item gets a fresh
// content key wrapped with the cached version's AES key (one extra key wrap / unwrap).
{
  const store = new MemoryMetaStore({ tableName: 'bench-meta', materialsProvider: providers.static });
  const mostRecent = new MostRecentProvider({ store, materialName: 'bench', ttlMs: 3_600_000 });
  const item = typicalItem();
  const pair = { static: new ItemEncryptor({ materialsProvider: providers.static }), 'most-recent (warm)': new ItemEncryptor({ materialsProvider: mostRecent }) };
  const stored = {};
  for (const [name, encryptor] of Object.entries(pair)) stored[name] = await encryptor.encryptItem(item, config);
  const best = {};
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const [name, encryptor] of Object.entries(pair)) {
      const b = (best[name] ??= { enc: 0, dec: 0 });
      b.enc = Math.max(b.enc, await rate(() => encryptor.encryptItem(item, config)));
      b.dec = Math.max(b.dec, await rate(() => encryptor.decryptItem(stored[name], config)));
    }
  }
  const s = best.static;
  const m = best['most-recent (warm)'];
  const mostRecentTable = table('MostRecentProvider (warm cache, typical item) vs static — ×static = time per item relative to static', [
    { name: 'provider', width: 18 },
    { name: 'encrypt items/s' },
    { name: 'decrypt items/s' },
    { name: 'encrypt ×static', decimals: 2 },
    { name: 'decrypt ×static', decimals: 2 },
  ]);
  mostRecentTable.row({ provider: 'static', 'encrypt items/s': s.enc, 'decrypt items/s': s.dec });
  mostRecentTable.row({ provider: 'most-recent (warm)', 'encrypt items/s': m.enc, 'decrypt items/s': m.dec, 'encrypt ×static': s.enc / m.enc, 'decrypt ×static': s.dec / m.dec });
}

// ---- Direct KMS with injected latency ---------------------------------------------------------
const { benchDirectKms } = await import('./kms.mjs');
await benchDirectKms();

// ---- the AWS SDK integration: middleware overhead, and Direct KMS query concurrency -----------
await import('./sdk.mjs');

// ---- every core on bulk work: EncryptorPool scaling (workers.mjs) ------------------------------
const { benchWorkers } = await import('./workers.mjs');
await benchWorkers();
