// The three packages as users get them: `npm pack` each (after `npm run build`, which `npm test`
// runs first), install the tarballs into an empty project, and run there what the package
// READMEs show, `ddbec --version` and `ddbec demo`.
//
// Offline: the tarballs' dependencies (the AWS SDK, dynalite) come from the npm cache that
// `npm ci` filled, and the project starts from a copy of the repository's package-lock.json so
// npm picks the versions that are in the cache; without the lockfile `npm install --offline`
// resolves ranges against cached registry metadata and asks for versions never downloaded.
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { CreateAliasCommand } from '@aws-sdk/client-kms';
import { publint } from 'publint';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseEnv, repo, startStack, type Stack } from './support.js';

const PACKAGES = ['packages/ddbec', 'packages/local', 'packages/cli'] as const;

interface Manifest {
  readonly name: string;
  readonly version: string;
  readonly main?: string;
  readonly types?: string;
  readonly exports?: unknown;
  readonly bin?: Readonly<Record<string, string>>;
}
interface Packed {
  readonly name: string;
  readonly filename: string;
  readonly files: readonly { readonly path: string }[];
}

const manifest = (dir: string): Manifest => JSON.parse(readFileSync(join(repo, dir, 'package.json'), 'utf8')) as Manifest;
const rootDevDependencies = (JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> }).devDependencies;

/** npm with the machine's npm cache and nothing of the `npm test` that runs this file. */
const npmEnv = (): Record<string, string> => baseEnv({ npm_config_cache: process.env['npm_config_cache'] });

interface Result {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}
function run(file: string, args: readonly string[], cwd: string, env: Record<string, string>): Promise<Result> {
  return new Promise((resolvePromise) => {
    execFile(file, args, { cwd, env, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
      resolvePromise({ code, stdout, stderr });
    });
  });
}
async function ok(file: string, args: readonly string[], cwd: string, env: Record<string, string>): Promise<string> {
  const result = await run(file, args, cwd, env);
  if (result.code !== 0) throw new Error(`${file} ${args.join(' ')} exited ${result.code}\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

/** The first ```js block under the `## heading` of a README. */
function readmeCode(readme: string, heading: string): string {
  const text = readFileSync(join(repo, readme), 'utf8');
  const section = text.indexOf(`\n## ${heading}\n`);
  const start = text.indexOf('```js\n', section);
  if (section < 0 || start < 0) throw new Error(`${readme} has no js block under "## ${heading}"`);
  return text.slice(start + '```js\n'.length, text.indexOf('\n```', start));
}

/** Every path a manifest points at (main, types, the exports map's targets, bins), without "./". */
function entryPoints(pkg: Manifest): string[] {
  const targets: string[] = [];
  const visit = (value: unknown): void => {
    if (typeof value === 'string') targets.push(value);
    else if (value !== null && typeof value === 'object') Object.values(value).forEach(visit);
  };
  visit([pkg.main, pkg.types, pkg.exports, pkg.bin]);
  return targets.map((target) => target.replace(/^\.\//, ''));
}

/** A package's own files ending in `suffix` (not those of packages npm nested inside it). */
function filesUnder(dir: string, suffix: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith(suffix) && !name.split('/').includes('node_modules'))
    .map((name) => join(dir, name));
}

describe('npm pack, then install into an empty project', { timeout: 90_000 }, () => {
  let work: string;
  let app: string;
  let packed: readonly Packed[];

  beforeAll(async () => {
    for (const dir of PACKAGES) {
      const main = manifest(dir).main ?? 'bin/ddbec.js';
      if (!existsSync(join(repo, dir, main)) || !existsSync(join(repo, dir, 'dist'))) throw new Error(`${dir} is not built: run \`npm run build\` first`);
    }
    work = mkdtempSync(join(tmpdir(), 'ddbec-pack-'));
    // --ignore-scripts: the prepack scripts would rebuild dist/ under the other test files' feet.
    const workspaces = PACKAGES.flatMap((dir) => ['-w', dir]);
    packed = JSON.parse(await ok('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work, ...workspaces], repo, npmEnv())) as Packed[];

    app = join(work, 'app');
    mkdirSync(app);
    const dependencies: Record<string, string> = {
      '@aws-sdk/client-dynamodb': rootDevDependencies['@aws-sdk/client-dynamodb'] ?? '',
      '@aws-sdk/client-kms': rootDevDependencies['@aws-sdk/client-kms'] ?? '',
    };
    for (const tarball of packed) dependencies[tarball.name] = `file:../${tarball.filename}`;
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module', dependencies }, null, 2));
    copyFileSync(join(repo, 'package-lock.json'), join(app, 'package-lock.json'));
    await ok('npm', ['install', '--offline', '--no-audit', '--no-fund'], app, npmEnv());
  }, 75_000);

  afterAll(() => {
    if (work !== undefined) rmSync(work, { recursive: true, force: true });
  });

  it('packs every package with its README, LICENSE and entry points, and without sources or tests', () => {
    expect(packed.map((p) => p.name).sort()).toEqual(PACKAGES.map((dir) => manifest(dir).name).sort());
    for (const dir of PACKAGES) {
      const pkg = manifest(dir);
      const files = new Set(packed.find((p) => p.name === pkg.name)?.files.map((f) => f.path));
      for (const required of ['package.json', 'README.md', 'LICENSE', ...entryPoints(pkg)]) expect(files.has(required), `${pkg.name}: ${required}`).toBe(true);
      expect([...files].filter((path) => /^(src|test|examples|bench)\//.test(path)), pkg.name).toEqual([]);
      expect(readFileSync(join(app, 'node_modules', pkg.name, 'LICENSE'), 'utf8')).toBe(readFileSync(join(repo, 'LICENSE'), 'utf8'));
    }
  });

  // (packages/ddbec: its own package.test.ts)
  it.each(['packages/local', 'packages/cli'])('%s passes publint', async (dir) => {
    const { messages } = await publint({ pkgDir: join(repo, dir), level: 'suggestion' });
    expect(messages.map((m) => `${m.type} ${m.code} ${JSON.stringify(m.args)}`)).toEqual([]);
  });

  it('ships source maps that carry their sources', () => {
    let maps = 0;
    for (const dir of PACKAGES) {
      const installed = join(app, 'node_modules', manifest(dir).name);
      for (const file of filesUnder(installed, '.js')) {
        const url = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(readFileSync(file, 'utf8'))?.[1];
        if (url !== undefined) expect(existsSync(resolve(dirname(file), url)), `${file} → ${url}`).toBe(true);
      }
      for (const file of filesUnder(installed, '.map')) {
        maps++;
        const map = JSON.parse(readFileSync(file, 'utf8')) as { sources: string[]; sourcesContent?: (string | null)[] };
        map.sources.forEach((source, i) => {
          const carried = typeof map.sourcesContent?.[i] === 'string' || existsSync(resolve(dirname(file), source));
          expect(carried, `${file}: ${source}`).toBe(true);
        });
      }
    }
    expect(maps).toBeGreaterThan(50);
  });

  it('runs the library README’s quick start, as ESM, and loads the library as CommonJS', async () => {
    writeFileSync(join(app, 'quick-start.mjs'), readmeCode('packages/ddbec/README.md', 'Quick start'));
    const out = await ok(process.execPath, ['quick-start.mjs'], app, baseEnv());
    expect(out).toContain("'*amzn-ddb-map-sig*'");
    expect(out).toContain("{ S: 'ada@example.com' }");
    const cjs = await ok(process.execPath, ['-e', "const d = require('ddbec'); console.log(typeof d.ItemEncryptor, typeof require('ddbec/sdk').EncryptedDynamoDBClient)"], app, baseEnv());
    expect(cjs.trim()).toBe('function function');
  });

  it('runs the library README’s AWS SDK example against a local DynamoDB and KMS', async () => {
    const stack: Stack = await startStack();
    try {
      await stack.kmsClient.send(new CreateAliasCommand({ AliasName: 'alias/customers', TargetKeyId: await stack.createKey() }));
      await stack.createTable('customers', 'pk');
      writeFileSync(join(app, 'sdk.mjs'), readmeCode('packages/ddbec/README.md', 'With the AWS SDK and AWS KMS'));
      const env = baseEnv({ ...stack.env, AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local' });
      expect(await ok(process.execPath, ['sdk.mjs'], app, env)).toContain('ada@example.com');
      const { Item } = await stack.ddb.send(new GetItemCommand({ TableName: 'customers', Key: { pk: { S: 'c#1' } } }));
      expect(Item?.['email']?.B).toBeInstanceOf(Uint8Array);
      expect(Item?.['plan']).toEqual({ S: 'pro' });
    } finally {
      await stack.stop();
    }
  });

  it('runs @ddbec/local’s README example', async () => {
    writeFileSync(join(app, 'local.mjs'), readmeCode('packages/local/README.md', 'Use'));
    expect(await ok(process.execPath, ['local.mjs'], app, baseEnv())).toContain("[ 'customers' ]");
  });

  it('runs `ddbec --version` and `npx @ddbec/cli --version`', async () => {
    const { version } = manifest('packages/cli');
    expect((await ok('npx', ['--offline', 'ddbec', '--version'], app, npmEnv())).trim()).toBe(version);
    expect((await ok('npx', ['--offline', '@ddbec/cli', '--version'], app, npmEnv())).trim()).toBe(version);
  });

  it('runs `ddbec demo`', async () => {
    const out = await ok('npx', ['--offline', 'ddbec', 'demo'], app, npmEnv());
    expect(out).toContain('*amzn-ddb-map-sig*');
  });
});
