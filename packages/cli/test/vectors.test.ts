import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { PYTHON_READER_NOTE } from '../src/commands/vectors.js';
import { decryptScenarios, encryptScenarios } from '../src/vectors/run.js';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../../..');
const vectors = resolve(repo, '../shared/vectors/legacy');
const scenarios = join(vectors, 'encrypted_item/scenarios.json');
const haveVectors = existsSync(scenarios);
const describeVectors = haveVectors ? describe : describe.skip;
const bin = join(repo, 'packages/cli/bin/ddbec.js');

const NETWORK = ['python/aws-kms-direct-1', 'python/metastore-data-tables-3', 'java/aws-kms-direct-1', 'java/metastore-data-tables-3'];

if (!haveVectors) console.log(`vector suites skipped: ${vectors} not found beside the repository`);

describeVectors('encrypted_item vectors of the Java and Python clients', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'ddbec-vectors-'));
  afterAll(() => {
    rmSync(tmp, { recursive: true, force: true });
  });

  it('decrypts every offline scenario, MetaStore ones included, item by item', async () => {
    const results = await decryptScenarios(scenarios);
    const byName = Object.fromEntries(results.map((r) => [r.name, r]));
    expect(results).toHaveLength(22);
    for (const result of results) {
      if (NETWORK.includes(result.name)) expect(result, result.name).toMatchObject({ status: 'skip', detail: 'needs AWS KMS (pass --kms-endpoint)' });
      else expect(result, result.name).toMatchObject({ status: 'ok' });
    }
    // 18 scenarios × 16 matched items; the two Java files with leftover test items say so.
    expect(results.filter((r) => r.status === 'ok').map((r) => r.detail.split(' ')[0])).toEqual(Array(18).fill('16'));
    expect(byName['java/static-aes-hmac-3']?.detail).toContain('2 without plaintext ignored');
  });

  it('writes a vector set that decrypts again, for every provider and action set', async () => {
    const written = await encryptScenarios(scenarios, { outDir: tmp });
    expect(written.filter((r) => r.status === 'fail')).toEqual([]);
    expect(written.filter((r) => r.status === 'ok')).toHaveLength(18);
    const manifest = JSON.parse(readFileSync(join(tmp, 'scenarios.json'), 'utf8')) as { scenarios: { provider: string }[] };
    expect(new Set(manifest.scenarios.map((s) => s.provider))).toEqual(new Set(['static', 'wrapped', 'most_recent']));
    const again = await decryptScenarios(join(tmp, 'scenarios.json'));
    expect(again.map((r) => `${r.name}: ${r.status}`)).toEqual(written.filter((r) => r.status === 'ok').map((r) => `ddbec/${r.name}: ok`));
  });

  it('runs as `ddbec vectors decrypt` with per-scenario lines and a summary', () => {
    const run = spawnSync(process.execPath, [bin, 'vectors', 'decrypt', scenarios], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    const lines = run.stdout.trim().split('\n');
    expect(lines).toHaveLength(24);
    expect(lines[0]).toBe(PYTHON_READER_NOTE);
    expect(lines).toContain('python/static-aes-hmac-1: ok (16 items)');
    expect(lines).toContain('java/aws-kms-direct-1: skip: needs AWS KMS (pass --kms-endpoint)');
    expect(lines).toContain('java/metastore-data-tables-1: ok (16 items)');
    expect(lines.at(-1)).toBe('18 passed, 0 failed, 4 skipped');
    expect(run.status).toBe(0);
  });

  it('exits 1 and says FAIL when a stored item was tampered with', () => {
    const copy = mkdtempSync(join(tmpdir(), 'ddbec-tampered-'));
    try {
      execFileSync(process.execPath, [bin, 'vectors', 'encrypt', scenarios, '--out', copy]);
      const file = join(copy, 'ciphertext/ddbec/python-static-aes-hmac-1.json');
      const data = JSON.parse(readFileSync(file, 'utf8')) as Record<string, Record<string, { N?: string; B?: string }>[]>;
      const item = data['TableName']?.find((candidate) => candidate['hashKey']?.N === '5');
      if (!item?.['*amzn-ddb-map-sig*']) throw new Error('vector layout changed');
      item['*amzn-ddb-map-sig*'] = { B: Buffer.alloc(32).toString('base64') };
      execFileSync(process.execPath, ['-e', `require('fs').writeFileSync(${JSON.stringify(file)}, ${JSON.stringify(JSON.stringify(data))})`]);
      const run = spawnSync(process.execPath, [bin, 'vectors', 'decrypt', join(copy, 'scenarios.json')], { encoding: 'utf8' });
      expect(run.stdout).toMatch(/ddbec\/python-static-aes-hmac-1: FAIL: /);
      expect(run.status).toBe(1);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });
});

describe('ddbec CLI', () => {
  it('prints usage and exits 2 on a bad command line', () => {
    const run = spawnSync(process.execPath, [bin, 'vectors', 'frobnicate', 'x.json'], { encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('unknown vectors command');
    expect(run.stderr).toContain('Usage: ddbec');
  });

  it('runs the demo', () => {
    const run = spawnSync(process.execPath, [bin, 'demo'], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain('refused: ERR_SIGNATURE_INVALID');
    expect(run.status).toBe(0);
  });
});
