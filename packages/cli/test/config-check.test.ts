// `ddbec config check`: the configuration against how an ORM uses the table, before any data.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ddbec, ddbecJson } from './support.js';

let dir: string;
const provider = { type: 'static', signingKey: { env: 'SIGN' }, encryptionKey: { env: 'ENC' } };

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ddbec-config-check-'));
  writeFileSync(
    join(dir, 'ddbec.config.json'),
    JSON.stringify({
      tables: {
        plain: { tableName: 'customers', partitionKey: 'pk', sortKey: 'sk', provider },
        preset: { tableName: 'customers-2', partitionKey: 'pk', sortKey: 'sk', orm: { name: 'electrodb', compositeAttributes: ['id', 'org'] }, attributeActions: { overrides: { visits: 'DO_NOTHING' } }, provider },
      },
    }),
  );
  const electrodb = pathToFileURL(createRequire(import.meta.url).resolve('electrodb')).href;
  writeFileSync(
    join(dir, 'entities.mjs'),
    `import { Entity } from ${JSON.stringify(electrodb)};
export const User = new Entity({
  model: { entity: 'user', version: '1', service: 'app' },
  attributes: { id: { type: 'string', required: true }, org: { type: 'string' }, email: { type: 'string' } },
  indexes: { primary: { pk: { field: 'pk', composite: ['id'] }, sk: { field: 'sk', composite: [] } }, byOrg: { index: 'gsi1', pk: { field: 'gsi1pk', composite: ['org'] }, sk: { field: 'gsi1sk', composite: ['id'] } } },
}, { table: 'customers' });
export const notAnEntity = 42;
`,
  );
  writeFileSync(join(dir, 'items.json'), JSON.stringify([{ pk: { S: 'u1' }, sk: { S: 'x' }, _et: { S: 'User' }, _ct: { S: 'now' }, _md: { S: 'now' }, email: { S: 'e' } }]));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const run = (args: readonly string[]): ReturnType<typeof ddbec> => ddbec(['config', 'check', ...args], { cwd: dir });

it('reports what ElectroDB will fail on with default actions, reading its entities (exit 1)', async () => {
  const result = await run(['--table', 'plain', '--orm', 'electrodb', '--entities', 'entities.mjs', '--index-keys', 'gsi1pk,gsi1sk']);
  expect(result.code, result.stderr).toBe(1);
  expect(result.stdout).toContain('table plain used through electrodb');
  expect(result.stdout).toMatch(/__edb_e__\s+ENCRYPT_AND_SIGN/);
  expect(result.stdout).toContain('error: ElectroDB writes "__edb_e__" in every update');
  expect(result.stdout).toContain('error: ElectroDB filters on "__edb_v__", which is encrypted');
  expect(result.stdout).toContain('warning: ElectroDB copies "org" in plaintext into key attribute "gsi1pk"');
});

it('passes the entry with the preset, listing the unauthenticated attributes (exit 0)', async () => {
  const result = await run(['--table', 'customers-2']);
  expect(result.code, result.stdout).toBe(0);
  expect(result.stdout).toMatch(/__edb_e__\s+SIGN_ONLY/);
  expect(result.stdout).toMatch(/id\s+SIGN_ONLY/);
  expect(result.stdout).toContain('warning: "visits" is DO_NOTHING');
  expect(result.stdout).not.toContain('error:');
});

it('finds the ORM from sample items and prints JSON', async () => {
  const { result, json } = await ddbecJson<{ orm: string; findings: { severity: string; kind: string; attributes: string[] }[] }>(['config', 'check', '--table', 'plain', '--items', '@items.json'], { cwd: dir });
  expect(result.code).toBe(1);
  expect(json.orm).toBe('dynamodb-toolbox');
  expect(json.findings.map((finding) => `${finding.kind} ${finding.attributes.join(',')}`)).toEqual([
    'signed-update _et',
    'signed-update _ct',
    'signed-update _md',
    'encrypted-filter _et',
  ]);
});

it('says what is wrong with its arguments (exit 2)', async () => {
  for (const [args, text] of [
    [['--table', 'nope'], '"nope" is not a table'],
    [['--table', 'plain', '--orm', 'prisma'], '--orm must be one of'],
    [['--table', 'plain', '--entities', 'entities.mjs'], '--entities needs --orm'],
    [['--table', 'plain', '--items', '{"a":1}'], '--items: must be a JSON array'],
  ] as const) {
    const result = await run(args);
    expect(result.code, args.join(' ')).toBe(2);
    expect(result.stderr).toContain(text);
  }
});
