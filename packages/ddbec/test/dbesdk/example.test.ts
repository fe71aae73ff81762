import { expect, it } from 'vitest';
import { main } from '../../examples/dbesdk.js';

it('examples/dbesdk.ts runs and reads its item back', async () => {
  const lines: string[] = [];
  const item = await main((line) => lines.push(line));
  expect(item['email']).toEqual({ S: 'ada@example.com' });
  expect(lines[0]).toBe('stored attributes: aws_dbe_foot, aws_dbe_head, email, pk, plan, sk, updatedAt');
});
