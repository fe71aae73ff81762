import { expect, it } from 'vitest';
import { startLocalDynamoDB, startLocalKms } from '../../local/src/index.js';
import { main as searchable } from '../examples/searchable.js';
import { main as wrappedKeys } from '../examples/wrapped-keys.js';
import { ddbClientFor, kmsClientFor, newKmsKey } from './keyrings/support.js';

it('examples/wrapped-keys.ts runs and reads its item back', async () => {
  const lines: string[] = [];
  const item = await wrappedKeys((line) => lines.push(line));
  expect(item['email']).toEqual({ S: 'ada@example.com' });
  expect(lines[0]).toContain('*amzn-ddb-map-sig*');
});

it('examples/searchable.ts finds customers by encrypted email and by tenant and date range on the local stack', async () => {
  const [db, kms] = await Promise.all([startLocalDynamoDB(), startLocalKms()]);
  const dynamodb = ddbClientFor(db.endpoint);
  const kmsClient = kmsClientFor(kms.endpoint);
  try {
    const lines: string[] = [];
    const [byEmail, byTenantDate] = await searchable({ dynamodb, kms: kmsClient, kmsKeyArn: await newKmsKey(kmsClient) }, (line) => lines.push(line));
    expect(byEmail?.map((item) => item['id']).sort()).toEqual(['c1', 'c4']);
    expect(byTenantDate?.map((item) => item['id'])).toEqual(['c1']);
    expect(lines).toEqual([
      'email beacon: 8 to 14 bits advised; using 12',
      'email = :email: Ada, Ada (globex)',
      'tenant = :tenant AND TenantDate BETWEEN :from AND :to: Ada',
    ]);
  } finally {
    dynamodb.destroy();
    kmsClient.destroy();
    await Promise.all([db.stop(), kms.stop()]);
  }
});
