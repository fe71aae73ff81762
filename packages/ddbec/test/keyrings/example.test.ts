import { afterAll, beforeAll, expect, it } from 'vitest';
import { startLocalDynamoDB, startLocalKms, type LocalService } from '../../../local/src/index.js';
import { main } from '../../examples/branch-keys.js';
import { ddbClientFor, kmsClientFor, newKmsKey } from './support.js';

let db: LocalService;
let kms: LocalService;
beforeAll(async () => {
  [db, kms] = await Promise.all([startLocalDynamoDB(), startLocalKms()]);
});
afterAll(async () => {
  await Promise.all([db.stop(), kms.stop()]);
});

it('examples/branch-keys.ts runs against the local stack and reads its items back', async () => {
  const dynamodb = ddbClientFor(db.endpoint);
  const kmsClient = kmsClientFor(kms.endpoint);
  const lines: string[] = [];
  const items = await main({ dynamodb, kms: kmsClient, kmsKeyArn: await newKmsKey(kmsClient) }, (line) => lines.push(line));
  expect(items.map((item) => item['card'])).toEqual([{ S: '4111 1111 1111 1111' }, { S: '5500 0000 0000 0004' }]);
  expect(lines).toEqual(['{"S":"acme"} card: {"S":"4111 1111 1111 1111"}', '{"S":"globex"} card: {"S":"5500 0000 0000 0004"}']);
  dynamodb.destroy();
  kmsClient.destroy();
});
