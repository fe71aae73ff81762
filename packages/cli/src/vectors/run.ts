import { mkdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';
import {
  AttributeActions,
  CryptoAction,
  ItemEncryptor,
  MATERIAL_DESCRIPTION_ATTRIBUTE,
  SIGNATURE_ATTRIBUTE,
  type Item,
  type SigningProfile,
} from 'ddbec';
import { compareItems, equalValues, type Difference } from './compare.js';
import { buildProvider } from './providers.js';
import {
  expandPlaintext,
  fromVectorItem,
  readJson,
  resolveUri,
  toVectorItem,
  type ExpandedTable,
  type KeyEntry,
  type PlaintextFile,
  type Scenario,
  type ScenariosFile,
} from './manifest.js';

export interface ScenarioResult {
  /** The ciphertext file relative to `ciphertext/`, without `.json` (e.g. `python/static-aes-hmac-1`). */
  readonly name: string;
  readonly status: 'ok' | 'fail' | 'skip';
  /** The reason for `fail`/`skip`, a short summary for `ok`. */
  readonly detail: string;
  /** For `fail`: every stored item that was refused or differs from its plaintext. */
  readonly items?: readonly ItemFailure[];
  /** The scenario was read with `acceptPythonRoundedNumbers` (the Python client wrote it). */
  readonly acceptPythonRoundedNumbers?: boolean;
}

export interface ItemFailure {
  /** The table and key of the stored item, e.g. `TableName hashKey={"N":"5"} rangeKey={"N":"7"}`. */
  readonly item: string;
  /** Why ddbec refused the item (error code and message). */
  readonly error?: string;
  /** Every attribute on which the decrypted item differs from its plaintext. */
  readonly differences?: readonly Difference[];
}

export interface DecryptOptions {
  /** A KMS endpoint for the network scenarios; without it they are skipped. */
  readonly kmsEndpoint?: string | undefined;
  readonly onResult?: (result: ScenarioResult) => void;
}

/**
 * Decrypts every scenario of a `scenarios.json` and compares with the plaintext (legacy-format
 * §11.9), every item of every scenario.
 *
 * Scenarios under `ciphertext/python/` are compared with what the Python writer stores: numbers
 * of encrypted and signed attributes rounded to 28 significant digits (§2.3). They are read with
 * `acceptPythonRoundedNumbers`, because the Python client signs such numbers rounded; the
 * sign-only numbers it returns then are the rounded values the signature covers.
 */
export async function decryptScenarios(scenariosPath: string, options: DecryptOptions = {}): Promise<ScenarioResult[]> {
  const manifest = await readJson<ScenariosFile>(scenariosPath);
  const keys = await readJson<Record<string, KeyEntry>>(resolveUri(scenariosPath, manifest.keys));
  const results: ScenarioResult[] = [];
  for (const scenario of manifest.scenarios) {
    const result = await decryptScenario(scenariosPath, scenario, keys, options);
    results.push(result);
    options.onResult?.(result);
  }
  return results;
}

async function decryptScenario(
  scenariosPath: string,
  scenario: Scenario,
  keys: Record<string, KeyEntry>,
  options: DecryptOptions,
): Promise<ScenarioResult> {
  const ciphertextPath = resolveUri(scenariosPath, scenario.ciphertext);
  const name = scenarioName(scenariosPath, ciphertextPath);
  if (scenario.network === true && options.kmsEndpoint === undefined) {
    return { name, status: 'skip', detail: 'needs AWS KMS (pass --kms-endpoint)' };
  }
  const python = name.startsWith('python/');
  let outcome: Omit<ScenarioResult, 'name'>;
  try {
    outcome = await checkScenario(scenariosPath, scenario, keys, options, python);
  } catch (error) {
    outcome = { status: 'fail', detail: errorText(error) };
  }
  return python && outcome.status !== 'skip' ? { name, ...outcome, acceptPythonRoundedNumbers: true } : { name, ...outcome };
}

async function checkScenario(
  scenariosPath: string,
  scenario: Scenario,
  keys: Record<string, KeyEntry>,
  options: DecryptOptions,
  python: boolean,
): Promise<Omit<ScenarioResult, 'name'>> {
  const setup = await buildProvider(scenario, keys, { scenariosPath, kmsEndpoint: options.kmsEndpoint, mode: 'decrypt' });
  if ('skip' in setup) return { status: 'skip', detail: setup.skip };
  const plaintext = expandPlaintext(await readJson<PlaintextFile>(resolveUri(scenariosPath, scenario.plaintext)), scenario.version);
  const ciphertext = await readJson<Record<string, Record<string, unknown>[]>>(resolveUri(scenariosPath, scenario.ciphertext));
  const encryptor = new ItemEncryptor({ materialsProvider: setup.provider, ...(python ? { acceptPythonRoundedNumbers: true } : {}) });
  let matched = 0;
  let unmatched = 0;
  const failures: ItemFailure[] = [];
  for (const [tableName, storedItems] of Object.entries(ciphertext)) {
    const table = plaintext.get(tableName);
    if (!table) return { status: 'fail', detail: `no plaintext table "${tableName}"` };
    for (const stored of storedItems.map(fromVectorItem)) {
      const expected = findPlaintext(table, stored);
      if (expected === 'ambiguous') return { status: 'fail', detail: `several plaintext items match a stored item of "${tableName}"` };
      if (expected === undefined) {
        unmatched += 1;
        continue;
      }
      matched += 1;
      const failure = await checkItem(encryptor, tableName, table, expected, stored, python);
      if (failure !== undefined) failures.push({ item: `${tableName} ${keyText(table, stored)}`, ...failure });
    }
  }
  if (matched === 0) return { status: 'fail', detail: 'no stored item matched a plaintext item' };
  if (failures.length > 0) return { status: 'fail', detail: `${failures.length} of ${matched} items failed`, items: failures };
  return { status: 'ok', detail: `${matched} items${unmatched > 0 ? `, ${unmatched} without plaintext ignored` : ''}` };
}

/** Decrypts one stored item and compares it with its plaintext (as the Python writer stores it when `python`). */
async function checkItem(
  encryptor: ItemEncryptor,
  tableName: string,
  table: ExpandedTable,
  expected: ExpandedTable['items'][number],
  stored: Item,
  python: boolean,
): Promise<Omit<ItemFailure, 'item'> | undefined> {
  const actions = new AttributeActions(expected.actions);
  if (actions.takesNoActions && (SIGNATURE_ATTRIBUTE in stored || MATERIAL_DESCRIPTION_ATTRIBUTE in stored)) {
    return { error: 'an item without actions carries reserved attributes' };
  }
  let decrypted: Item;
  try {
    decrypted = await encryptor.decryptItem(stored, {
      encryptionContext: { tableName, partitionKeyName: table.partitionKey, sortKeyName: table.sortKey },
      attributeActions: actions,
    });
  } catch (error) {
    return { error: errorText(error) };
  }
  const differences = compareItems(expected.attributes, decrypted, {
    pythonStored: python ? (attribute) => actions.actionOf(attribute) !== CryptoAction.DoNothing : undefined,
  });
  return differences.length > 0 ? { differences } : undefined;
}

function findPlaintext(table: ExpandedTable, stored: Item): ExpandedTable['items'][number] | undefined | 'ambiguous' {
  const keys = [table.partitionKey, table.sortKey].filter((key): key is string => key !== undefined);
  const matches = table.items.filter((candidate) =>
    keys.every((key) => {
      const a = candidate.attributes[key];
      const b = stored[key];
      return a !== undefined && b !== undefined && equalValues(a, b);
    }),
  );
  if (matches.length > 1) return 'ambiguous';
  return matches[0];
}

export interface EncryptOptions {
  readonly outDir: string;
  /** A KMS endpoint for the KMS scenarios whose keys exist there; without it they are skipped. */
  readonly kmsEndpoint?: string | undefined;
  /** The ItemEncryptor's `signingProfile` (default: the library's, `java`). */
  readonly signingProfile?: SigningProfile | undefined;
  readonly onResult?: (result: ScenarioResult) => void;
}

/**
 * Encrypts the plaintext items of every scenario that can run here with the scenario's
 * provider type, keys and actions, and writes a complete vector set into `outDir`
 * (`scenarios.json`, `keys.json`, `plaintext.json`, `ciphertext/ddbec/<name>.json`).
 */
export async function encryptScenarios(scenariosPath: string, options: EncryptOptions): Promise<ScenarioResult[]> {
  const manifest = await readJson<ScenariosFile>(scenariosPath);
  const keysFile = await readJson<Record<string, KeyEntry>>(resolveUri(scenariosPath, manifest.keys));
  const plaintextFile = await readJson<PlaintextFile>(resolveUri(scenariosPath, manifest.plaintext));
  const outDir = options.outDir;
  await mkdir(join(outDir, 'ciphertext', 'ddbec'), { recursive: true });

  const results: ScenarioResult[] = [];
  const written: Scenario[] = [];
  const report = (result: ScenarioResult): void => {
    results.push(result);
    options.onResult?.(result);
  };
  for (const scenario of manifest.scenarios) {
    const source = scenarioName(scenariosPath, resolveUri(scenariosPath, scenario.ciphertext));
    const name = source.replaceAll('/', '-');
    try {
      const setup = await buildProvider(scenario, keysFile, { scenariosPath, kmsEndpoint: options.kmsEndpoint, mode: 'encrypt' });
      if ('skip' in setup) {
        report({ name, status: 'skip', detail: setup.skip });
        continue;
      }
      const encryptor = new ItemEncryptor({ materialsProvider: setup.provider, signingProfile: options.signingProfile });
      const items = await encryptAll(encryptor, expandPlaintext(plaintextFile, scenario.version));
      const file = `ciphertext/ddbec/${name}.json`;
      await writeFile(join(outDir, file), `${JSON.stringify(items, null, 2)}\n`);
      const keys = scenario.keys;
      let metastore = scenario.metastore;
      if (metastore && setup.metaStore) {
        const dump = `ciphertext/ddbec/${name}-metastore.json`;
        const rows = { [setup.metaStore.tableName]: setup.metaStore.store.rows().map(toVectorItem) };
        await writeFile(join(outDir, dump), `${JSON.stringify(rows, null, 2)}\n`);
        metastore = { ...metastore, ciphertext: `file://${dump}` };
      }
      written.push({
        version: scenario.version,
        provider: scenario.provider,
        ...(keys ? { keys: { ...keys, encrypt: keys.encrypt ?? keys.decrypt, sign: keys.sign ?? keys.verify } } : {}),
        ...(scenario.material_name === undefined ? {} : { material_name: scenario.material_name }),
        ...(metastore ? { metastore } : {}),
        plaintext: 'file://plaintext.json',
        ciphertext: `file://${file}`,
        network: scenario.network ?? false,
      });
      const count = Object.values(items).reduce((sum, list) => sum + list.length, 0);
      report({ name, status: 'ok', detail: `${count} items from ${source}` });
    } catch (error) {
      report({ name, status: 'fail', detail: errorText(error) });
    }
  }
  const out: ScenariosFile = { plaintext: 'file://plaintext.json', keys: 'file://keys.json', scenarios: written };
  await writeFile(join(outDir, 'scenarios.json'), `${JSON.stringify(out, null, 2)}\n`);
  await writeFile(join(outDir, 'keys.json'), `${JSON.stringify(keysFile, null, 2)}\n`);
  await writeFile(join(outDir, 'plaintext.json'), `${JSON.stringify(plaintextFile, null, 2)}\n`);
  return results;
}

async function encryptAll(encryptor: ItemEncryptor, tables: Map<string, ExpandedTable>): Promise<Record<string, Record<string, unknown>[]>> {
  const out: Record<string, Record<string, unknown>[]> = {};
  for (const [tableName, table] of tables) {
    const list: Record<string, unknown>[] = [];
    for (const item of table.items) {
      const encrypted = await encryptor.encryptItem(item.attributes, {
        encryptionContext: { tableName, partitionKeyName: table.partitionKey, sortKeyName: table.sortKey },
        attributeActions: new AttributeActions(item.actions),
      });
      list.push(toVectorItem(encrypted));
    }
    out[tableName] = list;
  }
  return out;
}

function scenarioName(scenariosPath: string, ciphertextPath: string): string {
  const rel = relative(join(dirname(scenariosPath), 'ciphertext'), ciphertextPath).split('\\').join('/');
  const name = rel.startsWith('..') ? basename(ciphertextPath) : rel;
  return name.endsWith('.json') ? name.slice(0, -'.json'.length) : name;
}

function keyText(table: ExpandedTable, item: Item): string {
  return [table.partitionKey, table.sortKey]
    .filter((key): key is string => key !== undefined)
    .map((key) => `${key}=${JSON.stringify(item[key] ?? null)}`)
    .join(' ');
}

function errorText(error: unknown): string {
  if (error instanceof Error) return 'code' in error ? `${String(error.code)}: ${error.message}` : error.message;
  return String(error);
}
