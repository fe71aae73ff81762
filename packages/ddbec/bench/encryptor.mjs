// Single-thread ItemEncryptor throughput against the floor (floor.mjs): one table for the static
// provider on the typical and the large item, one for every provider on the typical item, each
// provider against its own floor. ddbec and its floor are measured in alternating slices of one
// run, so the ratio holds on a noisy shared machine. Not a test: nothing is asserted.
import { CreateKeyCommand, DecryptCommand, GenerateDataKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { AttributeActions, CryptoAction, ItemEncryptor, RsaPrivateKey, RsaPublicKey, SecretKey, StaticMaterialsProvider, WrappedMaterialsProvider } from '../dist/esm/index.js';
import { serializeAttribute } from '../dist/esm/format/index.js';
import { MemoryMetaStore, MostRecentProvider } from '../dist/esm/metastore/index.js';
import { DirectKmsMaterialsProvider } from '../dist/esm/providers/direct-kms/index.js';
import { floorFor, itemShape } from './floor.mjs';
import { AES_KEY, HMAC_KEY, ITEMS, rsaKeyPair, SIGN_ONLY, TABLE, WRAPPING_KEY } from './items.mjs';
import { startKmsProcess } from './kms-process.mjs';
import { table } from './report.mjs';

export const config = {
  encryptionContext: TABLE,
  attributeActions: new AttributeActions({ defaultAction: CryptoAction.EncryptAndSign, attributeActions: Object.fromEntries(SIGN_ONLY.map((name) => [name, CryptoAction.SignOnly])) }),
};
const floorKeys = () => ({ aes: AES_KEY, hmac: HMAC_KEY, wrapping: WRAPPING_KEY, content: new Uint8Array(32).fill(7), rsa: rsaKeyPair() });
const kib = (item) => (Object.values(item).reduce((sum, value) => sum + serializeAttribute(value).length, 0) / 1024).toFixed(1);

export function staticProvider() {
  return new StaticMaterialsProvider({ encryptionKey: SecretKey.fromBytes(AES_KEY, 'AES'), signingKey: SecretKey.fromBytes(HMAC_KEY, 'HmacSHA256') });
}

/** Operations per second of `fn` (sync or async) over about `seconds`, after a short warm-up. */
export async function rate(fn, seconds) {
  for (let i = 0; i < 10; i += 1) await fn();
  let ops = 0;
  const start = process.hrtime.bigint();
  const end = start + BigInt(Math.round(seconds * 1e9));
  let now = start;
  while (now < end) {
    for (let i = 0; i < 5; i += 1) await fn();
    ops += 5;
    now = process.hrtime.bigint();
  }
  return ops / (Number(now - start) / 1e9);
}

/** Best rate of each of `runs` (`{ name: fn }`), measured in turn, `rounds` times over. */
export async function interleaved(runs, { seconds, rounds }) {
  const best = Object.fromEntries(Object.keys(runs).map((name) => [name, 0]));
  for (let round = 0; round < rounds; round += 1) {
    for (const [name, fn] of Object.entries(runs)) best[name] = Math.max(best[name], await rate(fn, seconds));
  }
  return best;
}

/** ddbec and its two floors on `item`, encrypt and decrypt: the row of the two tables below. */
async function measure(encryptor, item, provider, options) {
  const stored = await encryptor.encryptItem(item, config);
  const shape = itemShape(item, stored, SIGN_ONLY, serializeAttribute);
  const floor = floorFor(shape, provider, 'floor');
  const strict = floorFor(shape, provider, 'strict');
  const best = await interleaved(
    {
      floorEnc: () => floor.encrypt(),
      strictEnc: () => strict.encrypt(),
      enc: () => encryptor.encryptItem(item, config),
      floorDec: () => floor.decrypt(),
      strictDec: () => strict.decrypt(),
      dec: () => encryptor.decryptItem(stored, config),
    },
    options,
  );
  return {
    'encrypt items/s': best.enc,
    'floor enc/s': best.floorEnc,
    'enc ×floor': best.floorEnc / best.enc,
    'enc ×strict': best.strictEnc / best.enc,
    'decrypt items/s': best.dec,
    'floor dec/s': best.floorDec,
    'dec ×floor': best.floorDec / best.dec,
    'dec ×strict': best.strictDec / best.dec,
  };
}

const ratioColumns = [
  { name: 'encrypt items/s' },
  { name: 'floor enc/s' },
  { name: 'enc ×floor', decimals: 2 },
  { name: 'enc ×strict', decimals: 2 },
  { name: 'decrypt items/s' },
  { name: 'floor dec/s' },
  { name: 'dec ×floor', decimals: 2 },
  { name: 'dec ×strict', decimals: 2 },
];

/** Table: the static provider (AES-256 + HmacSHA256) on the typical and the large item. */
export async function benchStatic(options) {
  const rows = table(
    `Single thread, static provider (AES-256-CBC + HmacSHA256), best of ${options.rounds} × ${options.seconds}s; ×floor = ddbec's time per item ÷ the floor's (1.00 = no overhead); ×strict = the same against the strict floor (one AES context per key; see floor.mjs)`,
    [{ name: 'item', width: 32 }, ...ratioColumns],
  );
  const encryptor = new ItemEncryptor({ materialsProvider: staticProvider() });
  for (const [name, make] of Object.entries(ITEMS)) {
    const item = make();
    const values = await measure(encryptor, item, { content: 'static', signature: 'hmac', keys: floorKeys() }, options);
    rows.row({ item: `${name} (${Object.keys(item).length} attrs, ${kib(item)} KiB)`, ...values });
  }
}

/** Table: every provider on the typical item, each against its own floor. */
export async function benchProviders(options) {
  const rows = table(
    `Every provider, typical item, single thread, best of ${options.rounds} × ${options.seconds}s; each against its own floor (its key work included)`,
    [{ name: 'provider', width: 34 }, ...ratioColumns],
  );
  const keys = floorKeys();
  const { publicKey, privateKey } = keys.rsa;
  const rsaPublic = RsaPublicKey.fromPem(publicKey.export({ type: 'spki', format: 'pem' }));
  const rsaPrivate = RsaPrivateKey.fromPem(privateKey.export({ type: 'pkcs8', format: 'pem' }), 'SHA256withRSA');
  const hmac = SecretKey.fromBytes(HMAC_KEY, 'HmacSHA256');
  const item = ITEMS.typical();
  const run = async (name, materialsProvider, provider) => {
    rows.row({ provider: name, ...(await measure(new ItemEncryptor({ materialsProvider }), item, { ...provider, keys }, options)) });
  };
  await run('static (AES-256 + HmacSHA256)', staticProvider(), { content: 'static', signature: 'hmac' });
  await run('wrapped (AESWrap + HmacSHA256)', new WrappedMaterialsProvider({ wrappingKey: SecretKey.fromBytes(WRAPPING_KEY, 'AES'), signingKey: hmac }), {
    content: 'per-item',
    transport: 'aes-wrap',
    signature: 'hmac',
  });
  await run('wrapped (RSA-OAEP + SHA256withRSA)', new WrappedMaterialsProvider({ wrappingKey: rsaPublic, unwrappingKey: rsaPrivate, signingKey: rsaPrivate }), {
    content: 'per-item',
    transport: 'rsa-oaep',
    signature: 'rsa',
  });
  // A warm MostRecentProvider makes no store call per item: its cached version is a wrapped
  // provider (AESWrap + HmacSHA256), so that is its floor.
  const store = new MemoryMetaStore({ tableName: 'bench-meta', materialsProvider: staticProvider() });
  await run('most-recent, warm (AESWrap + Hmac)', new MostRecentProvider({ store, materialName: 'bench', ttlMs: 3_600_000 }), {
    content: 'per-item',
    transport: 'aes-wrap',
    signature: 'hmac',
  });
  // Direct KMS: one KMS request per item, to the local KMS in its own process (no injected
  // latency); the floor sends the same request through the same client and derives the keys.
  const kms = await startKmsProcess();
  const kmsClient = new KMSClient({ endpoint: kms.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 });
  try {
    const keyId = (await kmsClient.send(new CreateKeyCommand({}))).KeyMetadata.Arn;
    const provider = new DirectKmsMaterialsProvider({ kmsClient, keyId });
    const context = provider.kmsEncryptionContext({ ...TABLE, attributes: item, materialDescription: new Map() });
    const { CiphertextBlob } = await kmsClient.send(new GenerateDataKeyCommand({ KeyId: keyId, NumberOfBytes: 32, EncryptionContext: context }));
    const calls = {
      generateDataKey: async () => (await kmsClient.send(new GenerateDataKeyCommand({ KeyId: keyId, NumberOfBytes: 32, EncryptionContext: context }))).Plaintext,
      decrypt: async () => (await kmsClient.send(new DecryptCommand({ CiphertextBlob, KeyId: keyId, EncryptionContext: context }))).Plaintext,
    };
    await run('Direct KMS (local KMS, no latency)', provider, { content: 'per-item', transport: 'kms', signature: 'hmac', kms: calls });
  } finally {
    kmsClient.destroy();
    await kms.stop();
  }
}
