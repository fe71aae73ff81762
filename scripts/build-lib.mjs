// Builds the package in the current directory twice with tsc: ESM (dist/esm) and CommonJS
// (dist/cjs), each with its own declarations, so both halves of the exports map type-check.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
rmSync('dist', { recursive: true, force: true });
const run = (...args) => execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json', ...args], { stdio: 'inherit' });
run();
run('--module', 'commonjs', '--moduleResolution', 'node10', '--verbatimModuleSyntax', 'false', '--outDir', 'dist/cjs');
mkdirSync('dist/cjs', { recursive: true });
writeFileSync('dist/cjs/package.json', '{ "type": "commonjs" }\n');

// `import.meta.url` (used to find files next to a module, e.g. a worker's script) means, in the
// CommonJS build, the URL of the same module in the ESM build: workers always run the ESM build.
for (const file of readdirSync('dist/cjs', { recursive: true, encoding: 'utf8' }).filter((name) => name.endsWith('.js'))) {
  const path = `dist/cjs/${file}`;
  const code = readFileSync(path, 'utf8');
  if (!code.includes('import.meta.url')) continue;
  const twin = `require("node:url").pathToFileURL(require("node:path").join(__dirname, ${JSON.stringify(`${'../'.repeat(file.split('/').length)}esm/${file}`)})).href`;
  writeFileSync(path, code.replaceAll('import.meta.url', twin));
}
