// The DB-ESDK format in `npm run bench`: items/s for the legacy benchmark's typical and large
// items, with a static raw AES keyring and with the hierarchical keyring (branch key held in
// memory: what a warm cache gives), against the node:crypto floor of the format — the raw
// operations any implementation of it must do for the same item. Interleaved rounds, best kept.
import { createCipheriv, createDecipheriv, createHash, createHmac, createPublicKey, generateKeyPairSync, hkdfSync, randomBytes, sign, verify } from 'node:crypto';
import { DbesdkItemEncryptor, HierarchicalKeyring, RawAesKeyring, StaticBranchKeyStore } from '../dist/esm/dbesdk/index.js';
import { serializeAttribute } from '../dist/esm/format/index.js';
import { table } from './report.mjs';

const ACTIONS = (item) => Object.fromEntries(Object.keys(item).map((name) => [name, name === 'pk' || name === 'sk' ? 'SIGN_ONLY' : 'ENCRYPT_AND_SIGN']));

function keyrings() {
  const branchKeyId = 'bench-tenant';
  const keyStore = new StaticBranchKeyStore([{ branchKeyIdentifier: branchKeyId, branchKeyVersion: 'e9ce18a3-edb5-4272-9f86-1cacb7997ff6', branchKey: new Uint8Array(randomBytes(32)) }]);
  return {
    'raw AES': new RawAesKeyring({ keyNamespace: 'bench', keyName: 'aes-256', wrappingKey: new Uint8Array(randomBytes(32)) }),
    'hierarchical (warm)': new HierarchicalKeyring({ keyStore, branchKeyId }),
  };
}

// ---- the floor ----------------------------------------------------------------------------
// Per item, suite 0x6701 with one encrypted data key: a data key and message id; the keyring's
// envelope (AES-256-GCM of the data key and of the symmetric signing key, one HKDF-SHA512 for
// the wrapping keys); HKDF-SHA512 for the field root key and the commitment key; per encrypted
// attribute one HMAC-SHA384 block of field key and nonce and an AES-256-GCM pass over its
// serialized value; HMAC-SHA384 of the header (commitment); SHA-384 over the canonical record
// (header, context, every signed attribute's path and stored value); the footer's HMAC-SHA384
// and ECDSA P-384 signature with a key pair made for the item (its public key goes into the
// encryption context). Decryption does the same in reverse (import the public key, verify).
function floorFor(item) {
  const names = Object.keys(item);
  const actions = ACTIONS(item);
  const encrypted = names.filter((n) => actions[n] === 'ENCRYPT_AND_SIGN').map((n) => serializeAttribute(item[n]));
  const signOnly = names.filter((n) => actions[n] === 'SIGN_ONLY').map((n) => serializeAttribute(item[n]));
  const wrappingKey = randomBytes(32);
  const ecdsa = generateKeyPairSync('ec', { namedCurve: 'P-384' });
  const header = randomBytes(300);
  const gcm = (key, data) => {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', key, iv);
    const out = Buffer.concat([c.update(data), c.final()]);
    return { iv, out, tag: c.getAuthTag() };
  };
  const ungcm = (key, { iv, out, tag }) => {
    const d = createDecipheriv('aes-256-gcm', key, iv);
    d.setAuthTag(tag);
    return Buffer.concat([d.update(out), d.final()]);
  };
  const hkdf = (key, info) => Buffer.from(hkdfSync('sha512', key, Buffer.alloc(0), info, 32));
  const fieldKey = (root, i) => createHmac('sha384', root).update(Buffer.from([0, 0, 0, i & 255])).update('AwsDbeField').digest();
  const canonical = (stored) => {
    const hash = createHash('sha384').update(header);
    for (const value of stored) hash.update(value);
    for (const value of signOnly) hash.update(value);
    return hash.digest();
  };
  // what decrypt reads
  const dataKey = randomBytes(32);
  const wrapped = gcm(wrappingKey, dataKey);
  const signingKeyWrapped = gcm(wrappingKey, randomBytes(32));
  const root = hkdf(dataKey, 'AWS_DBE_DERIVE_KEY');
  const stored = encrypted.map((value, i) => gcm(fieldKey(root, i).subarray(0, 32), value));
  const digest = canonical(stored.map((s) => s.out));
  const signature = sign('sha384', digest, ecdsa.privateKey);
  const publicDer = ecdsa.publicKey.export({ format: 'der', type: 'spki' });
  return {
    encrypt() {
      const key = randomBytes(32);
      randomBytes(32); // message id
      hkdf(wrappingKey, 'wrap');
      gcm(wrappingKey, key);
      gcm(wrappingKey, randomBytes(32));
      const fieldRoot = hkdf(key, 'AWS_DBE_DERIVE_KEY');
      const commitKey = hkdf(key, 'AWS_DBE_COMMIT_KEY');
      const out = encrypted.map((value, i) => gcm(fieldKey(fieldRoot, i).subarray(0, 32), value).out);
      createHmac('sha384', commitKey).update(header).digest();
      const hash = canonical(out);
      createHmac('sha384', key).update(hash).digest();
      const pair = generateKeyPairSync('ec', { namedCurve: 'P-384' });
      pair.publicKey.export({ format: 'der', type: 'spki' });
      sign('sha384', hash, pair.privateKey);
    },
    decrypt() {
      hkdf(wrappingKey, 'wrap');
      const key = ungcm(wrappingKey, wrapped);
      ungcm(wrappingKey, signingKeyWrapped);
      const fieldRoot = hkdf(key, 'AWS_DBE_DERIVE_KEY');
      const commitKey = hkdf(key, 'AWS_DBE_COMMIT_KEY');
      createHmac('sha384', commitKey).update(header).digest();
      const hash = canonical(stored.map((s) => s.out));
      createHmac('sha384', key).update(hash).digest();
      verify('sha384', hash, createPublicKey({ key: publicDer, format: 'der', type: 'spki' }), signature);
      stored.forEach((s, i) => ungcm(fieldKey(fieldRoot, i).subarray(0, 32), s));
    },
  };
}

/**
 * Prints the DB-ESDK table. `helpers`: the legacy benchmark's items (`typical`, `large`),
 * `rate(fn)` (ops/s), `size(item)`, `rounds`.
 */
export async function benchDbesdk({ items, rate, size, rounds }) {
  const rows = table('DB-ESDK format (suite 0x6701, ECDSA P-384) — items/s; ×floor = ddbec time / raw node:crypto time for the same item', [
    { name: 'item', width: 28 },
    { name: 'keyring', width: 19 },
    { name: 'encrypt/s' },
    { name: 'decrypt/s' },
    { name: 'round trips/s' },
    { name: 'floor enc/s' },
    { name: 'encrypt ×floor', decimals: 2 },
    { name: 'floor dec/s' },
    { name: 'decrypt ×floor', decimals: 2 },
  ]);
  for (const [itemName, make] of Object.entries(items)) {
    const item = make();
    const floor = floorFor(item);
    for (const [keyringName, keyring] of Object.entries(keyrings())) {
      const encryptor = new DbesdkItemEncryptor({ logicalTableName: 'bench', partitionKeyName: 'pk', sortKeyName: 'sk', attributeActionsOnEncrypt: ACTIONS(item), keyring });
      const stored = await encryptor.encryptItem(item);
      const best = { enc: 0, dec: 0, floorEnc: 0, floorDec: 0 };
      for (let round = 0; round < rounds; round += 1) {
        best.enc = Math.max(best.enc, await rate(() => encryptor.encryptItem(item)));
        best.floorEnc = Math.max(best.floorEnc, await rate(() => floor.encrypt()));
        best.dec = Math.max(best.dec, await rate(() => encryptor.decryptItem(stored)));
        best.floorDec = Math.max(best.floorDec, await rate(() => floor.decrypt()));
      }
      rows.row({
        item: `${itemName} (${Object.keys(item).length} attrs, ${(size(item) / 1024).toFixed(1)} KiB)`,
        keyring: keyringName,
        'encrypt/s': best.enc,
        'decrypt/s': best.dec,
        'round trips/s': 1 / (1 / best.enc + 1 / best.dec),
        'floor enc/s': best.floorEnc,
        'encrypt ×floor': best.floorEnc / best.enc,
        'floor dec/s': best.floorDec,
        'decrypt ×floor': best.floorDec / best.dec,
      });
    }
  }
}
