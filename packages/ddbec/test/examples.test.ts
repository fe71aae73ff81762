import { expect, it } from 'vitest';
import { main as wrappedKeys } from '../examples/wrapped-keys.js';

it('examples/wrapped-keys.ts runs and reads its item back', async () => {
  const lines: string[] = [];
  const item = await wrappedKeys((line) => lines.push(line));
  expect(item['email']).toEqual({ S: 'ada@example.com' });
  expect(lines[0]).toContain('*amzn-ddb-map-sig*');
});
