/**
 * The DB-ESDK's test-vector files: decrypt manifests (`{"manifest": {"type": "aws-dbesdk-decrypt"}}`,
 * written by the Java and .NET DB-ESDK), and the round-trip inputs (`configs.json` with
 * `tableEncryptionConfigs`, `records.json`) from which ddbec writes such a manifest itself.
 *
 * Their items are written as the DB-ESDK runner writes them: a JSON string is `S`, a JSON number
 * `N`, anything else an object with one DynamoDB type (binary in base64). The writers' defaults
 * (the vectors' README): table `GazelleVectorTable`, partition key `RecNum`, the hierarchical
 * keyring over the static branch key `static-branch-key-1` of the manifest's keys file.
 */
import { readFileSync, writeFileSync, mkdirSync, copyFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { isDdbecError, type AttributeValue, type Item } from 'ddbec';
import { DbesdkItemEncryptor, HierarchicalKeyring, StaticBranchKeyStore, type DbesdkCryptoAction, type DbesdkItemEncryptorConfig } from 'ddbec/dbesdk';
import { compareItems } from './compare.js';
import type { ScenarioResult } from './run.js';

export const DBESDK_DECRYPT_MANIFEST = 'aws-dbesdk-decrypt';
const TABLE = 'GazelleVectorTable';
const PARTITION_KEY = 'RecNum';
const BRANCH_KEY = 'static-branch-key-1';

interface VectorConfig {
  readonly attributeActionsOnEncrypt?: Readonly<Record<string, DbesdkCryptoAction>>;
  readonly allowedUnsignedAttributes?: readonly string[];
  readonly allowedUnsignedAttributePrefix?: string;
  readonly algorithmSuiteId?: string;
}

interface DecryptTest {
  readonly type: 'positive-decrypt' | 'negative-decrypt';
  readonly description?: string;
  readonly config: VectorConfig;
  readonly plaintext: Readonly<Record<string, unknown>>;
  readonly encrypted: Readonly<Record<string, unknown>>;
}

interface DecryptManifest {
  readonly manifest: { readonly type: string; readonly version: string };
  readonly client?: { readonly name: string; readonly version: string };
  readonly keys: string;
  readonly tests: Readonly<Record<string, DecryptTest>>;
}

/** True when the file is a DB-ESDK decrypt manifest (else it is a legacy vector set). */
export function isDbesdkManifest(path: string): boolean {
  try {
    const document = JSON.parse(readFileSync(path, 'utf8')) as { manifest?: { type?: unknown } };
    return document.manifest?.type === DBESDK_DECRYPT_MANIFEST;
  } catch {
    return false;
  }
}

/** True when the file holds the DB-ESDK round-trip configurations (`tableEncryptionConfigs`). */
export function isDbesdkConfigs(path: string): boolean {
  try {
    return typeof (JSON.parse(readFileSync(path, 'utf8')) as { tableEncryptionConfigs?: unknown }).tableEncryptionConfigs === 'object';
  } catch {
    return false;
  }
}

/** The hierarchical keyring over the static branch key of a keys file (`file://keys.json`, relative to the manifest). */
function vectorKeyring(manifestDir: string, keys: string): HierarchicalKeyring {
  const file = resolve(manifestDir, keys.replace(/^file:\/\//, ''));
  const entries = (JSON.parse(readFileSync(file, 'utf8')) as { keys: Record<string, { 'key-id': string; branchKeyVersion: string; branchKey: string; beaconKey?: string }> }).keys;
  const key = entries[BRANCH_KEY];
  if (key === undefined) throw new Error(`${file} has no ${BRANCH_KEY}`);
  const bytes = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'base64'));
  const keyStore = new StaticBranchKeyStore([
    { branchKeyIdentifier: key['key-id'], branchKeyVersion: key.branchKeyVersion, branchKey: bytes(key.branchKey), ...(key.beaconKey === undefined ? {} : { beaconKey: bytes(key.beaconKey) }) },
  ]);
  return new HierarchicalKeyring({ keyStore, branchKeyId: key['key-id'] });
}

function encryptorFor(config: VectorConfig, keyring: HierarchicalKeyring): DbesdkItemEncryptor {
  const suite = config.algorithmSuiteId;
  const options: DbesdkItemEncryptorConfig = {
    logicalTableName: TABLE,
    partitionKeyName: PARTITION_KEY,
    attributeActionsOnEncrypt: config.attributeActionsOnEncrypt ?? {},
    allowedUnsignedAttributes: config.allowedUnsignedAttributes,
    allowedUnsignedAttributePrefix: config.allowedUnsignedAttributePrefix,
    algorithmSuiteId: suite === undefined ? undefined : suite.includes('ECDSA') ? 0x6701 : 0x6700,
    keyring,
  };
  return new DbesdkItemEncryptor(options);
}

/** Runs every test of a DB-ESDK decrypt manifest: a positive test passes when the item decrypts to its plaintext, a negative one when decryption is refused. */
export async function decryptDbesdkManifest(path: string, onResult?: (result: ScenarioResult) => void): Promise<ScenarioResult[]> {
  const manifest = JSON.parse(readFileSync(path, 'utf8')) as DecryptManifest;
  const keyring = vectorKeyring(dirname(path), manifest.keys);
  const results: ScenarioResult[] = [];
  for (const [id, test] of Object.entries(manifest.tests)) {
    const result = await runTest(`#${id} ${test.description ?? ''}`.trim(), test, keyring);
    results.push(result);
    onResult?.(result);
  }
  return results;
}

async function runTest(name: string, test: DecryptTest, keyring: HierarchicalKeyring): Promise<ScenarioResult> {
  let decrypted: Item;
  try {
    decrypted = await encryptorFor(test.config, keyring).decryptItem(fromVectorItem(test.encrypted));
  } catch (error) {
    if (!isDdbecError(error)) throw error;
    if (test.type === 'negative-decrypt') return { name, status: 'ok', detail: `negative: refused with ${error.code}` };
    return { name, status: 'fail', detail: `refused with ${error.code}: ${error.message}`, items: [{ item: name, error: `${error.code}: ${error.message}` }] };
  }
  if (test.type === 'negative-decrypt') return { name, status: 'fail', detail: 'negative test, but the item decrypted' };
  const differences = compareItems(fromVectorItem(test.plaintext), decrypted, { ignore: new Set() });
  if (differences.length > 0) return { name, status: 'fail', detail: `${differences.length} attribute(s) differ`, items: [{ item: name, differences }] };
  return { name, status: 'ok', detail: `positive: ${Object.keys(decrypted).length} attributes` };
}

export interface EncryptDbesdkOptions {
  /** `records.json` (default: beside the configurations). */
  readonly records?: string | undefined;
  /** The keys file holding `static-branch-key-1` (default: `keys.json` beside the configurations). */
  readonly keys?: string | undefined;
  readonly outDir: string;
  readonly clientVersion: string;
  readonly onResult?: ((result: ScenarioResult) => void) | undefined;
}

/**
 * Encrypts every record under every configuration of `configs.json` (those with attribute
 * actions; beacons of a `search` section are not written) and writes the positive decrypt
 * manifest `decrypt_ddbec.json` (with a copy of the keys file) into `outDir`.
 */
export async function encryptDbesdkManifest(configsPath: string, options: EncryptDbesdkOptions): Promise<ScenarioResult[]> {
  const dir = dirname(configsPath);
  const configs = (JSON.parse(readFileSync(configsPath, 'utf8')) as { tableEncryptionConfigs: Record<string, VectorConfig & { search?: unknown }> }).tableEncryptionConfigs;
  const records = (JSON.parse(readFileSync(options.records ?? join(dir, 'records.json'), 'utf8')) as { Records: Record<string, unknown>[] }).Records;
  const keysFile = options.keys ?? join(dir, 'keys.json');
  const keyring = vectorKeyring(dir, keysFile);
  const tests: Record<string, DecryptTest> = {};
  const results: ScenarioResult[] = [];
  let n = 0;
  for (const [configId, config] of Object.entries(configs)) {
    const name = `config ${configId}`;
    let result: ScenarioResult;
    if (config.attributeActionsOnEncrypt === undefined) result = { name, status: 'skip', detail: 'no attributeActionsOnEncrypt' };
    else {
      const vectorConfig: VectorConfig = {
        attributeActionsOnEncrypt: config.attributeActionsOnEncrypt,
        ...(config.allowedUnsignedAttributes === undefined ? {} : { allowedUnsignedAttributes: config.allowedUnsignedAttributes }),
        ...(config.allowedUnsignedAttributePrefix === undefined ? {} : { allowedUnsignedAttributePrefix: config.allowedUnsignedAttributePrefix }),
      };
      try {
        const encryptor = encryptorFor(vectorConfig, keyring);
        for (const [index, record] of records.entries()) {
          n += 1;
          const encrypted = await encryptor.encryptItem(fromVectorItem(record));
          tests[String(n)] = { type: 'positive-decrypt', description: `configs.json #${configId}, records.json #${index}`, config: vectorConfig, plaintext: record, encrypted: toVectorItem(encrypted) };
        }
        result = { name, status: 'ok', detail: `${records.length} records${config.search === undefined ? '' : ' (without beacons)'}` };
      } catch (error) {
        if (!isDdbecError(error)) throw error;
        result = { name, status: 'fail', detail: `${error.code}: ${error.message}` };
      }
    }
    results.push(result);
    options.onResult?.(result);
  }
  mkdirSync(options.outDir, { recursive: true });
  copyFileSync(keysFile, join(options.outDir, 'keys.json'));
  const manifest: DecryptManifest = {
    manifest: { type: DBESDK_DECRYPT_MANIFEST, version: '1' },
    client: { name: 'ddbec', version: options.clientVersion },
    keys: 'file://keys.json',
    tests,
  };
  writeFileSync(join(options.outDir, 'decrypt_ddbec.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return results;
}

function fromVectorValue(value: unknown): AttributeValue {
  if (typeof value === 'string') return { S: value };
  if (typeof value === 'number') return { N: String(value) };
  const entry: [string, unknown] | undefined = typeof value === 'object' && value !== null ? Object.entries(value as Record<string, unknown>)[0] : undefined;
  if (entry === undefined) throw new Error(`not a vector attribute value: ${JSON.stringify(value)}`);
  const [type, data] = entry;
  const bytes = (text: unknown): Uint8Array => new Uint8Array(Buffer.from(String(text), 'base64'));
  switch (type) {
    case 'S':
      return { S: String(data) };
    case 'N':
      return { N: String(data) };
    case 'B':
      return { B: bytes(data) };
    case 'SS':
      return { SS: (data as unknown[]).map(String) };
    case 'NS':
      return { NS: (data as unknown[]).map(String) };
    case 'BS':
      return { BS: (data as unknown[]).map(bytes) };
    case 'L':
      return { L: (data as unknown[]).map(fromVectorValue) };
    case 'M':
      return { M: fromVectorItem(data as Record<string, unknown>) };
    case 'BOOL':
      return { BOOL: data === true };
    case 'NULL':
      return { NULL: true };
    default:
      throw new Error(`unknown vector attribute type ${type}`);
  }
}

function fromVectorItem(item: Readonly<Record<string, unknown>>): Item {
  return Object.fromEntries(Object.entries(item).map(([name, value]) => [name, fromVectorValue(value)]));
}

/** The typed form (every value an object with one DynamoDB type, binary in base64), which the readers accept. */
function toVectorItem(item: Item): Record<string, unknown> {
  const value = (v: AttributeValue): unknown => {
    if ('B' in v) return { B: Buffer.from(v.B).toString('base64') };
    if ('BS' in v) return { BS: v.BS.map((b) => Buffer.from(b).toString('base64')) };
    if ('L' in v) return { L: v.L.map(value) };
    if ('M' in v) return { M: toVectorItem(v.M) };
    return v;
  };
  return Object.fromEntries(Object.entries(item).map(([name, v]) => [name, value(v)]));
}
