// Packaging checks on the built package (npm test builds first): the exports map, the dual
// ESM/CommonJS build, isolation of the core entry from the AWS SDK, and publint.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { publint } from 'publint';
import { describe, expect, it } from 'vitest';

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as {
  exports: Record<string, string | { import: { types: string; default: string }; require: { types: string; default: string } }>;
};
const subpaths = Object.keys(manifest.exports).filter((key) => key !== './package.json');

const node = (code: string): string => execFileSync(process.execPath, ['--input-type=module', '-e', code], { cwd: packageDir, encoding: 'utf8' });

describe('package', () => {
  it('is built (run `npm run build` first)', () => {
    expect(existsSync(join(packageDir, 'dist/esm/index.js'))).toBe(true);
  });

  it.each(subpaths)('exports %s as ESM and CommonJS with the same names and types', (subpath) => {
    const entry = manifest.exports[subpath];
    if (typeof entry !== 'object') throw new Error(`export ${subpath} has no conditions`);
    for (const file of [entry.import.types, entry.import.default, entry.require.types, entry.require.default]) {
      expect(existsSync(join(packageDir, file)), file).toBe(true);
    }
    const specifier = subpath === '.' ? 'ddbec' : `ddbec/${subpath.slice(2)}`;
    const names = JSON.parse(
      node(`
        import { createRequire } from 'node:module';
        const esm = Object.keys(await import('${specifier}')).sort();
        const cjs = Object.keys(createRequire(import.meta.url)('${specifier}')).filter((k) => k !== '__esModule').sort();
        console.log(JSON.stringify({ esm, cjs }));
      `),
    ) as { esm: string[]; cjs: string[] };
    expect(names.esm.length).toBeGreaterThan(0);
    expect(names.cjs).toEqual(names.esm);
  });

  it('recognises errors across the ESM and CommonJS builds', () => {
    const out = node(`
      import { createRequire } from 'node:module';
      const esm = await import('ddbec');
      const cjs = createRequire(import.meta.url)('ddbec');
      const error = new cjs.DdbecError('ERR_SIGNATURE_INVALID', 'x');
      console.log(esm.isDdbecError(error, 'ERR_SIGNATURE_INVALID'), error instanceof esm.DdbecError);
    `);
    expect(out.trim()).toBe('true false');
  });

  it.each([
    ['the AWS SDK out of the core entry', 'index.js'],
    ['the AWS SDK out of ddbec/dbesdk', 'dbesdk/index.js'],
    ['the ORMs and the AWS SDK out of ddbec/orm', 'orm/index.js'],
    ['the AWS SDK out of ddbec/searchable', 'searchable/index.js'],
  ])('keeps %s', (_what, entry) => {
    const seen = new Set<string>();
    const visit = (file: string): void => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const [, spec] of readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*['"]([^'"]+)['"]/g)) {
        if (spec === undefined) continue;
        expect(spec, `${file} imports ${spec}`).not.toMatch(/^(@aws-sdk\/|electrodb|dynamodb-toolbox|dynamoose)/);
        if (spec.startsWith('.')) visit(resolve(dirname(file), spec));
      }
    };
    visit(join(packageDir, 'dist/esm', entry));
    expect(seen.size).toBeGreaterThan(3);
  });

  it('passes publint', async () => {
    const { messages } = await publint({ pkgDir: packageDir, level: 'warning' });
    expect(messages.map((m) => `${m.type} ${m.code} ${JSON.stringify(m.args)}`)).toEqual([]);
  });
});
