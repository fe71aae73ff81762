// Direct KMS against the local KMS with injected latency: every item costs one KMS round trip,
// so throughput is set by how many items are in flight. 1,000 items, sequential vs bounded
// concurrency, in one run. Imported by run.mjs; also runnable alone.
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { countCommands, startKmsProcess } from './kms-process.mjs';
import { AttributeActions, ItemEncryptor } from '../dist/esm/index.js';
import { DirectKmsMaterialsProvider } from '../dist/esm/providers/direct-kms/index.js';
import { mapBounded } from '../dist/esm/sdk/concurrency.js';
import { table } from './report.mjs';

const ITEMS = Number(process.env.BENCH_KMS_ITEMS ?? 1000);
const LATENCY_MS = Number(process.env.BENCH_KMS_LATENCY_MS ?? 10);
const CONCURRENCY = Number(process.env.BENCH_KMS_CONCURRENCY ?? 32);

export async function benchDirectKms() {
  const kms = await startKmsProcess({ latencyMs: LATENCY_MS });
  const kmsClient = new KMSClient({ endpoint: kms.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 });
  const calls = countCommands(kmsClient);
  try {
    const keyId = (await kmsClient.send(new CreateKeyCommand({}))).KeyMetadata.Arn;
    const encryptor = new ItemEncryptor({ materialsProvider: new DirectKmsMaterialsProvider({ kmsClient, keyId }) });
    const config = { encryptionContext: { tableName: 'bench', partitionKeyName: 'pk' }, attributeActions: new AttributeActions().withKeyAttributes('pk') };
    const items = Array.from({ length: ITEMS }, (_, i) => ({ pk: { S: `item-${i}` }, name: { S: 'Ada Lovelace' }, balance: { N: String(i * 3.5) } }));
    const rows = table(`Direct KMS, local KMS (own process) with ${LATENCY_MS} ms injected latency per call (one data key per item)`, [
      { name: 'mode', width: 12 },
      { name: 'items' },
      { name: 'KMS calls' },
      { name: 'encrypt items/s' },
      { name: 'decrypt items/s' },
      { name: 'speed-up ×', decimals: 1 },
    ]);
    let sequential;
    for (const [mode, limit] of [['sequential', 1], [`${CONCURRENCY} in flight`, CONCURRENCY]]) {
      calls.total = 0;
      let start = performance.now();
      const stored = await mapBounded(items, limit, (item) => encryptor.encryptItem(item, config));
      const encryptMs = performance.now() - start;
      start = performance.now();
      await mapBounded(stored, limit, (item) => encryptor.decryptItem(item, config));
      const decryptMs = performance.now() - start;
      const encryptRate = ITEMS / (encryptMs / 1000);
      rows.row({
        mode,
        items: ITEMS,
        'KMS calls': calls.total,
        'encrypt items/s': encryptRate,
        'decrypt items/s': ITEMS / (decryptMs / 1000),
        'speed-up ×': sequential === undefined ? undefined : encryptRate / sequential,
      });
      sequential ??= encryptRate;
    }
  } finally {
    kmsClient.destroy();
    await kms.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchDirectKms();
