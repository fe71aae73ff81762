// ddbec against the Python DynamoDB Encryption Client (the reference), side by side: same items,
// same keys, same attribute actions, single thread each, both pinned to one CPU (`taskset -c 1`
// when it exists), alternating half-second slices (BENCH_PYTHON_SLICE) over BENCH_PYTHON_ROUNDS
// rounds; the best slice of each counts. The reference is not part of this repository and
// nothing is fetched: point DDBEC_PYTHON_REFERENCE at the `src/` folder of a checkout of
// aws/aws-dynamodb-encryption-python (its dependencies — cryptography, attrs, boto3 — installed
// for `python3`); without it, the table is skipped with a note.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { ItemEncryptor, RsaPrivateKey, RsaPublicKey, WrappedMaterialsProvider } from '../dist/esm/index.js';
import { config, rate, staticProvider } from './encryptor.mjs';
import { AES_KEY, HMAC_KEY, ITEMS, rsaKeyPair, SIGN_ONLY, TABLE, toWireJson } from './items.mjs';
import { table } from './report.mjs';

const CPU = process.env.BENCH_PYTHON_CPU ?? '1';

/** Whether `taskset` (util-linux) is there to pin both sides to one CPU. */
function hasTaskset() {
  try {
    execFileSync('taskset', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export async function benchPython({ slice = Number(process.env.BENCH_PYTHON_SLICE ?? 0.5), rounds = Number(process.env.BENCH_PYTHON_ROUNDS ?? 8) } = {}) {
  const reference = process.env.DDBEC_PYTHON_REFERENCE;
  if (reference === undefined || !existsSync(`${reference}/dynamodb_encryption_sdk/__init__.py`)) {
    console.error('python side-by-side skipped: set DDBEC_PYTHON_REFERENCE to the src/ folder of aws-dynamodb-encryption-python (see bench/python.mjs)');
    return;
  }
  const pinned = hasTaskset();
  // the affinity this thread had, restored at the end: the tables after this one use every core
  const affinity = pinned ? execFileSync('taskset', ['-p', '-c', String(process.pid)], { encoding: 'utf8' }).split(':').pop().trim() : undefined;
  if (pinned) execFileSync('taskset', ['-p', '-c', CPU, String(process.pid)], { stdio: 'ignore' });
  const script = fileURLToPath(new URL('./python-reference.py', import.meta.url));
  const command = pinned ? ['taskset', ['-c', CPU, 'python3', script]] : ['python3', [script]];
  const python = spawn(command[0], command[1], { env: { ...process.env, PYTHONPATH: reference, PYTHONWARNINGS: 'ignore' }, stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: python.stdout })[Symbol.asyncIterator]();
  const ask = async (message) => {
    python.stdin.write(`${JSON.stringify(message)}\n`);
    const { value, done } = await lines.next();
    if (done) throw new Error('the Python reference client stopped');
    return JSON.parse(value);
  };
  const { publicKey, privateKey } = rsaKeyPair();
  const rsaPem = { rsaPublic: publicKey.export({ type: 'spki', format: 'pem' }), rsaPrivate: privateKey.export({ type: 'pkcs8', format: 'pem' }) };
  const items = Object.fromEntries(Object.entries(ITEMS).map(([name, make]) => [name, make()]));
  const wire = Object.fromEntries(Object.entries(items).map(([name, item]) => [name, JSON.parse(toWireJson(item))]));
  const hex = (bytes) => Buffer.from(bytes).toString('hex');
  const rsaPrivate = RsaPrivateKey.fromPem(rsaPem.rsaPrivate, 'SHA256withRSA');
  const encryptors = {
    static: new ItemEncryptor({ materialsProvider: staticProvider() }),
    'wrapped-rsa': new ItemEncryptor({
      materialsProvider: new WrappedMaterialsProvider({ wrappingKey: RsaPublicKey.fromPem(rsaPem.rsaPublic), unwrappingKey: rsaPrivate, signingKey: rsaPrivate }),
    }),
  };
  try {
    await ask({ items: wire, keys: { aes: hex(AES_KEY), hmac: hex(HMAC_KEY), ...rsaPem }, signOnly: SIGN_ONLY, table: TABLE });
    const rows = table(
      `ddbec vs the Python DynamoDB Encryption Client, single thread each${pinned ? `, both pinned to CPU ${CPU}` : ' (not pinned: no taskset)'}, alternating ${slice}s slices, best of ${rounds} rounds`,
      [{ name: 'case', width: 34 }, { name: 'ddbec items/s' }, { name: 'Python items/s' }, { name: 'ddbec ÷ Python', decimals: 1 }],
    );
    const cases = [
      ['typical', 'static'],
      ['large', 'static'],
      ['typical', 'wrapped-rsa'],
    ];
    for (const [itemName, provider] of cases) {
      const encryptor = encryptors[provider];
      const item = items[itemName];
      const stored = await encryptor.encryptItem(item, config);
      for (const operation of ['encrypt', 'decrypt']) {
        const run = operation === 'encrypt' ? () => encryptor.encryptItem(item, config) : () => encryptor.decryptItem(stored, config);
        const name = `${itemName} ${provider} ${operation}`;
        let node = 0;
        let reference = 0;
        for (let round = 0; round < rounds; round += 1) {
          const answer = await ask({ case: name, seconds: slice });
          reference = Math.max(reference, answer.ops / answer.seconds);
          node = Math.max(node, await rate(run, slice));
        }
        rows.row({ case: name, 'ddbec items/s': node, 'Python items/s': reference, 'ddbec ÷ Python': node / reference });
      }
    }
  } finally {
    python.stdin.end();
    if (affinity !== undefined) execFileSync('taskset', ['-p', '-c', affinity, String(process.pid)], { stdio: 'ignore' });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchPython();
