// The README's Errors section lists every error code the library can raise.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));

it('README documents every DdbecErrorCode', () => {
  const source = readFileSync(resolve(here, '../src/errors.ts'), 'utf8');
  const union = source.slice(source.indexOf('export type DdbecErrorCode'), source.indexOf('const BRAND'));
  const codes = [...union.matchAll(/'(ERR_[A-Z_]+)'/g)].map((m) => m[1]);
  expect(codes.length).toBeGreaterThan(20);
  const readme = readFileSync(resolve(here, '../../../README.md'), 'utf8');
  const errors = readme.slice(readme.indexOf('## Errors'), readme.indexOf('\n## ', readme.indexOf('## Errors') + 1));
  expect(codes.filter((code) => !errors.includes(`\`${code}\``))).toEqual([]);
});

it('README’s ddbec.config.json example is valid', async () => {
  const { validateConfig } = await import('../src/config/index.js');
  const readme = readFileSync(resolve(here, '../../../README.md'), 'utf8');
  const start = readme.indexOf('```json', readme.indexOf('## The CLI')) + '```json'.length;
  const example: unknown = JSON.parse(readme.slice(start, readme.indexOf('```', start)));
  expect(() => validateConfig(example)).not.toThrow();
});

it('README’s contents list every section, and its #links name existing headings', () => {
  const readme = readFileSync(resolve(here, '../../../README.md'), 'utf8');
  const prose = readme.replace(/```[\s\S]*?```/g, '');
  // GitHub's anchors: lower case, punctuation dropped, spaces become hyphens.
  const anchor = (heading: string): string => heading.toLowerCase().replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '').replace(/ /g, '-');
  const headings = [...prose.matchAll(/^(#{2,4}) (.+)$/gm)].map(([, level, text]) => ({ level, anchor: anchor(text ?? '') }));
  const contents = readme.slice(readme.indexOf('**Contents**'), readme.indexOf('\n## '));
  const listed = [...contents.matchAll(/\]\(#([^)]+)\)/g)].map(([, target]) => target);
  expect(headings.filter((h) => h.level === '##' && !listed.includes(h.anchor)).map((h) => h.anchor)).toEqual([]);
  const targets = [...prose.matchAll(/\]\(#([^)]+)\)/g)].map(([, target]) => target);
  expect(targets.filter((target) => !headings.some((h) => h.anchor === target))).toEqual([]);
});
