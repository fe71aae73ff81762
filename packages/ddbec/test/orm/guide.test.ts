// The "Using an ORM" guide (docs/orms.md) shows the examples the ORM tests run, as they are.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { validateConfig } from '../../src/config/index.js';
import { EXAMPLE_OUTPUT } from './helpers.js';

const here = dirname(fileURLToPath(import.meta.url));
const guide = readFileSync(resolve(here, '../../docs/orms.md'), 'utf8');

it.each(['orm-electrodb.ts', 'orm-dynamodb-toolbox.ts', 'orm-dynamoose.ts'])('shows examples/%s in full', (file) => {
  const code = readFileSync(resolve(here, '../../examples', file), 'utf8');
  expect(guide).toContain('```ts\n' + code + '```');
});

it('prints what the examples print, and a valid ddbec.config.json', () => {
  expect(guide).toContain('```\n' + EXAMPLE_OUTPUT.join('\n') + '\n```');
  const start = guide.indexOf('```json') + '```json'.length;
  expect(() => validateConfig(JSON.parse(guide.slice(start, guide.indexOf('```', start))))).not.toThrow();
});

it('is linked from the READMEs', () => {
  expect(readFileSync(resolve(here, '../../../../README.md'), 'utf8')).toContain('(packages/ddbec/docs/orms.md)');
  expect(readFileSync(resolve(here, '../../README.md'), 'utf8')).toContain('/packages/ddbec/docs/orms.md)');
});
