import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CryptoAction, type Item } from 'ddbec';
import { expandPlaintext, fromVectorItem, resolveUri, type PlaintextFile, type ScenariosFile } from '../src/vectors/manifest.js';
import { ddbec, ddbecJson, repo } from './support.js';

const vectors = resolve(repo, '../shared/vectors/legacy/encrypted_item');
const scenariosPath = join(vectors, 'scenarios.json');
const present = existsSync(scenariosPath);
if (!present) console.log(`ddbec inspect vector test skipped: ${vectors} not found beside the repository`);

interface Inspected {
  source: string;
  provider: { type: string; metaId?: string; materialName?: string };
  attributes: Record<string, { classification: string }>;
}

/** What wrote the items of each ciphertext file, from the scenarios (the MetaStore dumps' rows: the MetaStore's provider). */
function expectations(): Map<string, { kind: string; keys: string; version: string; material?: string; rows?: true }> {
  const manifest = JSON.parse(readFileSync(scenariosPath, 'utf8')) as ScenariosFile;
  const files = new Map<string, { kind: string; keys: string; version: string; material?: string; rows?: true }>();
  for (const scenario of manifest.scenarios) {
    files.set(resolveUri(scenariosPath, scenario.ciphertext), {
      kind: scenario.provider,
      keys: scenario.keys?.decrypt ?? '',
      version: scenario.version,
      ...(scenario.material_name === undefined ? {} : { material: scenario.material_name }),
    });
    const meta = scenario.metastore;
    if (meta !== undefined) files.set(resolveUri(scenariosPath, meta.ciphertext), { kind: meta.provider, keys: meta.keys.decrypt, version: scenario.version, rows: true });
  }
  return files;
}

const KINDS = ['none', 'static', 'wrapped-aes', 'wrapped-rsa', 'legacy-rsa-pkcs1', 'direct-kms', 'metastore'];

function expectedProvider(kind: string, keys: string, item: Item): string {
  if (item['*amzn-ddb-map-desc*'] === undefined) return 'none';
  switch (kind) {
    case 'static':
      return 'static';
    case 'awskms':
      return 'direct-kms';
    case 'most_recent':
      return 'metastore';
    case 'wrapped':
      if (keys === 'aesKey') return 'wrapped-aes';
      // RSA items of old Java releases record no wrapping algorithm: RSA PKCS#1 v1.5 (legacy-format §8.3.4).
      return Buffer.from((item['*amzn-ddb-map-desc*'] as { B: Uint8Array }).B).includes('amzn-ddb-wrap-alg') ? 'wrapped-rsa' : 'legacy-rsa-pkcs1';
    default:
      throw new Error(`unknown provider ${kind}`);
  }
}

(present ? describe : describe.skip)('ddbec inspect on the Java and Python vectors, without keys', () => {
  it('names the provider of every item and finds exactly the encrypted attributes', async () => {
    const files = expectations();
    const plaintext = JSON.parse(readFileSync(join(vectors, 'plaintext.json'), 'utf8')) as PlaintextFile;
    const paths = [...files.keys()].sort();
    expect(paths.length).toBeGreaterThanOrEqual(28);
    const { result, json } = await ddbecJson<{ items: Inspected[] }>(['inspect', ...paths]);
    expect(result.code, result.stderr).toBe(0);

    const seen = new Set<string>();
    let classified = 0;
    let index = 0;
    for (const path of paths) {
      const expected = files.get(path);
      if (expected === undefined) throw new Error(path);
      const dump = JSON.parse(readFileSync(path, 'utf8')) as Record<string, Record<string, unknown>[]>;
      const tables = expandPlaintext(plaintext, expected.version);
      for (const [tableName, items] of Object.entries(dump)) {
        items.forEach((raw, position) => {
          const inspected = json.items[index];
          index += 1;
          const item = fromVectorItem(raw);
          expect(inspected?.source).toBe(`${path}: ${tableName}[${position}]`);
          const where = `${path} ${tableName}[${position}]`;

          // The actions the writer used: MetaStore rows sign N and V and encrypt the rest; data items per plaintext.json.
          let actionOf: ((name: string) => CryptoAction) | undefined;
          if (expected.rows) actionOf = (name) => (name === 'N' || name === 'V' ? CryptoAction.SignOnly : CryptoAction.EncryptAndSign);
          else {
            const table = tables.get(tableName);
            const match = table?.items.find((candidate) =>
              [table.partitionKey, table.sortKey].every((key) => key === undefined || JSON.stringify(candidate.attributes[key]) === JSON.stringify(item[key])),
            );
            if (match === undefined) {
              // Leftover items of other test runs (the vector runners ignore them): any provider, but a known one.
              expect(KINDS, where).toContain(inspected?.provider.type);
              return;
            }
            const actions = match.actions;
            actionOf = (name) => actions.attributeActions[name] ?? actions.defaultAction;
          }
          const provider = expectedProvider(expected.kind, expected.keys, item);
          seen.add(provider);
          expect(inspected?.provider.type, where).toBe(provider);
          if (provider === 'metastore') {
            expect(inspected?.provider.metaId, where).toMatch(/#\d+$/);
            expect(inspected?.provider.materialName, where).toBe(expected.material);
          }
          for (const [name, report] of Object.entries(inspected?.attributes ?? {})) {
            const encrypted = actionOf(name) === CryptoAction.EncryptAndSign;
            expect(report.classification, `${where} ${name}`).toBe(encrypted ? 'probably-encrypted' : provider === 'none' ? 'untouched' : 'signed-or-untouched');
            classified += 1;
          }
        });
      }
    }
    expect(index).toBe(json.items.length);
    expect(seen).toEqual(new Set(KINDS));
    expect(classified).toBeGreaterThan(1000);
  });

  it('prints the provider for people', async () => {
    const dump = JSON.parse(readFileSync(join(vectors, 'ciphertext/java/wrapped-rsa-rsa-1.json'), 'utf8')) as { TableName: unknown[] };
    const legacy = await ddbec(['inspect', '-'], { input: JSON.stringify({ Item: dump.TableName[0] }) });
    expect(legacy.code).toBe(0);
    expect(legacy.stdout).toContain('provider              legacy RSA PKCS#1 (content key wrapped with RSA PKCS#1 v1.5, as old Java releases wrote)');
    expect(legacy.stdout).toMatch(/signature +256 bytes \(SHA256withRSA\)/);
    const metastore = await ddbec(['inspect', join(vectors, 'ciphertext/python/metastore-data-tables-2.json')]);
    expect(metastore.stdout).toContain('provider              MetaStore version materialName#0');
    expect(metastore.stdout).toMatch(/\n {2}stringValue +B {4}probably encrypted \(48 bytes: IV \+ 2 AES blocks\)\n/);
  });
});
