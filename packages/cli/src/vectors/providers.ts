import { DescribeKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import {
  RsaPrivateKey,
  RsaPublicKey,
  SecretKey,
  StaticMaterialsProvider,
  WrappedMaterialsProvider,
  type CryptographicMaterialsProvider,
} from 'ddbec';
import { DirectKmsMaterialsProvider, regionOf } from 'ddbec/kms';
import { MemoryMetaStore, MostRecentProvider } from 'ddbec/metastore';
import { loadKey, type LoadedKey } from './keys.js';
import { fromVectorItem, readJson, resolveUri, type KeyEntry, type Scenario, type ScenarioKeys } from './manifest.js';

export interface ProviderSetup {
  readonly provider: CryptographicMaterialsProvider;
  /** For `most_recent` scenarios: the MetaStore the provider reads, to dump its rows. */
  readonly metaStore?: { readonly tableName: string; readonly store: MemoryMetaStore };
}

export interface BuildOptions {
  readonly scenariosPath: string;
  readonly kmsEndpoint?: string | undefined;
  /** `decrypt` loads the scenario's MetaStore rows; `encrypt` starts an empty MetaStore. */
  readonly mode: 'decrypt' | 'encrypt';
}

/**
 * The scenario's provider (legacy-format §11.9, §11.10), or why it cannot run here. MetaStore
 * scenarios run offline over the rows of the vector's MetaStore dump.
 */
export async function buildProvider(scenario: Scenario, keys: Record<string, KeyEntry>, options: BuildOptions): Promise<ProviderSetup | { skip: string }> {
  if (scenario.provider !== 'most_recent') {
    const provider = await basicProvider(scenario.provider, scenario.keys, keys, options);
    return 'skip' in provider ? provider : { provider };
  }
  const metastore = scenario.metastore;
  if (!metastore || scenario.material_name === undefined) throw new Error('most_recent scenario without metastore or material_name');
  const inner = await basicProvider(metastore.provider, metastore.keys, keys, options);
  if ('skip' in inner) return inner;
  let rows: ReturnType<typeof fromVectorItem>[] = [];
  if (options.mode === 'decrypt') {
    const dump = await readJson<Record<string, Record<string, unknown>[]>>(resolveUri(options.scenariosPath, metastore.ciphertext));
    rows = (dump[metastore.table_name] ?? []).map(fromVectorItem);
    if (rows.length === 0) throw new Error(`MetaStore dump has no rows for table "${metastore.table_name}"`);
  }
  const store = new MemoryMetaStore({ tableName: metastore.table_name, materialsProvider: inner, rows });
  return {
    provider: new MostRecentProvider({ store, materialName: scenario.material_name, ttlMs: 60_000 }),
    metaStore: { tableName: metastore.table_name, store },
  };
}

async function basicProvider(
  type: string,
  names: ScenarioKeys | undefined,
  keys: Record<string, KeyEntry>,
  options: BuildOptions,
): Promise<CryptographicMaterialsProvider | { skip: string }> {
  if (!names) throw new Error('scenario names no keys');
  if (type === 'awskms') return kmsProvider(keys[names.decrypt]?.keyId, options.kmsEndpoint);
  const key = (name: string): LoadedKey => loadKey(name, keys[name]);
  const decrypt = key(names.decrypt);
  const verify = key(names.verify);
  const encrypt = names.encrypt === undefined ? decrypt : key(names.encrypt);
  const sign = names.sign === undefined ? verify : key(names.sign);
  if (verify instanceof RsaPrivateKey || sign instanceof RsaPublicKey) throw new Error(`${type} scenario has mismatched signing keys`);
  if (type === 'static') {
    if (!(decrypt instanceof SecretKey) || !(encrypt instanceof SecretKey)) throw new Error('static scenario needs symmetric keys');
    return new StaticMaterialsProvider({ encryptionKey: encrypt, decryptionKey: decrypt, signingKey: sign, verificationKey: verify });
  }
  if (type === 'wrapped') {
    if (decrypt instanceof RsaPublicKey || encrypt instanceof RsaPrivateKey) throw new Error('wrapped scenario has mismatched wrapping keys');
    // The vectors include items of early Java releases, wrapped with RSA PKCS#1 v1.5.
    return new WrappedMaterialsProvider({ wrappingKey: encrypt, unwrappingKey: decrypt, signingKey: sign, verificationKey: verify, allowLegacyPkcs1: true });
  }
  return { skip: `unknown provider "${type}"` };
}

/** A Direct KMS provider against the given endpoint, if the scenario's key exists there. */
async function kmsProvider(keyId: string | undefined, endpoint: string | undefined): Promise<CryptographicMaterialsProvider | { skip: string }> {
  if (endpoint === undefined) return { skip: 'needs AWS KMS (pass --kms-endpoint)' };
  if (keyId === undefined) throw new Error('awskms scenario names no keyId');
  const client = new KMSClient({
    endpoint,
    region: regionOf(keyId) ?? process.env['AWS_REGION'] ?? 'us-east-1',
    ...(process.env['AWS_ACCESS_KEY_ID'] ? {} : { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
  });
  try {
    await client.send(new DescribeKeyCommand({ KeyId: keyId }));
  } catch (error) {
    const name = (error as { name?: string }).name;
    if (name === 'NotFoundException') return { skip: `key ${keyId} does not exist at ${endpoint}` };
    throw error;
  }
  return new DirectKmsMaterialsProvider({ kmsClient: client, keyId });
}
