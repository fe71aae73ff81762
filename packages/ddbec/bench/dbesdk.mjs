// The DB-ESDK format (ddbec/dbesdk) against its node:crypto floor, for the same typical and
// large items as the legacy table: raw AES keyring and hierarchical keyring (static branch key
// store, i.e. a warm cache), both suites. Run by run.mjs.
import { createCipheriv, createDecipheriv, createHash, createHmac, createPublicKey, generateKeyPairSync, randomBytes, sign, verify } from 'node:crypto';
import { DbesdkItemEncryptor, HierarchicalKeyring, RawAesKeyring, StaticBranchKeyStore } from '../dist/esm/dbesdk/index.js';
import { table } from './report.mjs';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 1);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

async function rate(fn) {
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

const gcm = (key, iv, data, aad) => {
  const c = createCipheriv('aes-256-gcm', key, iv);
  c.setAAD(aad);
  return Buffer.concat([c.update(data), c.final(), c.getAuthTag()]);
};
const ungcm = (key, iv, sealed, aad) => {
  const d = createDecipheriv('aes-256-gcm', key, iv);
  d.setAAD(aad);
  d.setAuthTag(sealed.subarray(sealed.length - 16));
  return Buffer.concat([d.update(sealed.subarray(0, sealed.length - 16)), d.final()]);
};
const ZERO_SALT = Buffer.alloc(64);
const ONE = Buffer.from([1]);
/** HKDF-SHA512 to 32 bytes: extract and one expand block, the fastest node:crypto form. */
const hkdf = (ikm, info) => createHmac('sha512', createHmac('sha512', ZERO_SALT).update(ikm).digest()).update(info).update(ONE).digest().subarray(0, 32);
const ctr = (key, iv, length) => createCipheriv('aes-256-ctr', key, iv).update(Buffer.alloc(length));

/**
 * What any implementation of the format must do with node:crypto for one item, given the
 * serialized values: for the data key, one intermediate key (two HKDFs, two AES-GCM wraps, plus
 * the hierarchical keyring's HMAC-SHA256 KDF); the root and commit keys (two HKDFs) and the
 * header commitment (HMAC-SHA512); one AES-CTR stream for all field keys and per encrypted
 * attribute an AES-GCM pass; SHA-384 over the canonical record; one HMAC-SHA384; for 0x6701 an ECDSA P-384 key pair
 * and signature (encrypt) or a public-key import and verification (decrypt).
 */
function floorFor(serialized, hierarchical, signed) {
  const key = randomBytes(32);
  const header = randomBytes(300);
  const record = randomBytes(header.length + serialized.reduce((n, v) => n + v.length + 60, 0));
  const zeroIv = Buffer.alloc(12);
  const fieldIv = randomBytes(12);
  const sealed = serialized.map((v) => gcm(key, fieldIv, v, header.subarray(0, 40)));
  const pair = generateKeyPairSync('ec', { namedCurve: 'P-384' });
  const signature = sign('sha384', record.subarray(0, 48), pair.privateKey);
  const publicDer = pair.publicKey.export({ format: 'der', type: 'spki' });
  const wrappingKey = () => (hierarchical ? createHmac('sha256', key).update(header.subarray(0, 60)).digest() : key);
  const wrap = () => {
    const intermediate = randomBytes(32);
    hkdf(intermediate, 'mac');
    const pdkSealed = gcm(hkdf(intermediate, 'enc'), zeroIv, key, header);
    const iv = randomBytes(12);
    return { intermediate, pdkSealed, iv, ikSealed: gcm(wrappingKey(), iv, intermediate, header) };
  };
  const wrapped = wrap();
  const unwrap = () => {
    const intermediate = ungcm(wrappingKey(), wrapped.iv, wrapped.ikSealed, header);
    hkdf(intermediate, 'mac');
    ungcm(hkdf(intermediate, 'enc'), zeroIv, wrapped.pdkSealed, header);
  };
  const keysAndCommitment = () => {
    hkdf(key, 'root');
    createHmac('sha512', hkdf(key, 'commit')).update(header).digest();
  };
  const hashAndTag = () => {
    const hash = createHash('sha384').update(record).digest();
    createHmac('sha384', key).update(hash).digest();
    return hash;
  };
  return {
    encrypt() {
      const keyPair = signed ? generateKeyPairSync('ec', { namedCurve: 'P-384' }) : undefined;
      randomBytes(32);
      wrap();
      keysAndCommitment();
      const stream = ctr(key, randomBytes(16), 48 * serialized.length);
      serialized.forEach((v, i) => gcm(stream.subarray(48 * i, 48 * i + 32), stream.subarray(48 * i + 32, 48 * i + 44), v, header.subarray(0, 40)));
      const hash = hashAndTag();
      if (keyPair) sign('sha384', hash, keyPair.privateKey);
    },
    decrypt() {
      unwrap();
      keysAndCommitment();
      hashAndTag();
      // the public key comes from the item's header: it has to be imported every time
      if (signed) verify('sha384', record.subarray(0, 48), createPublicKey({ key: publicDer, format: 'der', type: 'spki' }), signature);
      ctr(key, randomBytes(16), 48 * sealed.length);
      for (const s of sealed) ungcm(key, fieldIv, s, header.subarray(0, 40));
    },
  };
}

export async function benchDbesdk(items) {
  const keyrings = {
    'raw AES': new RawAesKeyring({ keyNamespace: 'bench', keyName: 'k', wrappingKey: randomBytes(32) }),
    hierarchical: new HierarchicalKeyring({
      keyStore: new StaticBranchKeyStore([{ branchKeyIdentifier: 'bench', branchKeyVersion: '00000000-0000-4000-8000-000000000000', branchKey: randomBytes(32) }]),
      branchKeyId: 'bench',
    }),
  };
  const report = table(`DB-ESDK format (ddbec/dbesdk) — best of ${ROUNDS} rounds × ${SECONDS}s; ×floor = ddbec time / raw node:crypto time for the same item`, [
    { name: 'item', width: 30 },
    { name: 'keyring', width: 12 },
    { name: 'suite', width: 6 },
    { name: 'encrypt items/s' },
    { name: 'encrypt ×floor', decimals: 2 },
    { name: 'decrypt items/s' },
    { name: 'decrypt ×floor', decimals: 2 },
    { name: 'round trips/s' },
  ]);
  for (const [itemName, item, size] of items) {
    const names = Object.keys(item);
    const attributeActionsOnEncrypt = Object.fromEntries(names.map((n) => [n, n === 'pk' || n === 'sk' ? 'SIGN_ONLY' : 'ENCRYPT_AND_SIGN']));
    for (const [keyringName, keyring] of Object.entries(keyrings)) {
      // --quick: the default suite only
      for (const suite of process.env.BENCH_QUICK === '1' ? [0x6701] : [0x6701, 0x6700]) {
        const encryptor = new DbesdkItemEncryptor({
          logicalTableName: 'bench',
          partitionKeyName: 'pk',
          sortKeyName: 'sk',
          attributeActionsOnEncrypt,
          algorithmSuiteId: suite,
          keyring,
        });
        const stored = await encryptor.encryptItem(item);
        const serialized = names.filter((n) => n !== 'pk' && n !== 'sk').map((n) => stored[n].B);
        const floor = floorFor(serialized, keyringName === 'hierarchical', suite === 0x6701);
        const best = { enc: 0, dec: 0, floorEnc: 0, floorDec: 0, trip: 0 };
        for (let round = 0; round < ROUNDS; round += 1) {
          best.floorEnc = Math.max(best.floorEnc, await rate(() => floor.encrypt()));
          best.enc = Math.max(best.enc, await rate(() => encryptor.encryptItem(item)));
          best.floorDec = Math.max(best.floorDec, await rate(() => floor.decrypt()));
          best.dec = Math.max(best.dec, await rate(() => encryptor.decryptItem(stored)));
          best.trip = Math.max(best.trip, await rate(async () => encryptor.decryptItem(await encryptor.encryptItem(item))));
        }
        report.row({
          item: `${itemName} (${names.length} attrs, ${(size / 1024).toFixed(1)} KiB)`,
          keyring: keyringName,
          suite: `0x${suite.toString(16)}`,
          'encrypt items/s': best.enc,
          'encrypt ×floor': best.floorEnc / best.enc,
          'decrypt items/s': best.dec,
          'decrypt ×floor': best.floorDec / best.dec,
          'round trips/s': best.trip,
        });
      }
    }
  }
}
