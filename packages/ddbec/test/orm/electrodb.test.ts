// ElectroDB 3 on the local DynamoDB through ddbec's encrypting client: the guide's example
// (docs/orms.md) end to end, what is stored, tampering, and the refusal without the preset.
import { UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { LocalDynamoDB } from '../../../local/src/index.js';
import { AttributeActions, isDdbecError } from '../../src/index.js';
import { EncryptedDynamoDBClient } from '../../src/sdk/index.js';
import { Customer, main } from '../../examples/orm-electrodb.js';
import { staticProvider } from '../sdk/helpers.js';
import { EXAMPLE_OUTPUT, expectAtRest, startCustomersTable } from './helpers.js';

let db: LocalDynamoDB;
let plain: DynamoDBClient;

beforeAll(async () => {
  ({ db, plain } = await startCustomersTable('pk', 'gsi1', ['gsi1pk', 'gsi1sk']));
});
afterAll(async () => {
  plain.destroy();
  await db.stop();
});

it('runs the guide example: create, get, update in place and refused, batch, query, scan, delete', async () => {
  const lines: string[] = [];
  await main(plain, (line) => lines.push(line));
  expect(lines).toEqual(EXAMPLE_OUTPUT);
});

it('stores ciphertext for encrypted attributes, plaintext for keys, markers and do-nothing ones', async () => {
  await expectAtRest(plain, { pk: { S: 'c1' } }, ['name', 'email'], {
    pk: { S: 'c1' },
    gsi1pk: { S: 'acme' },
    gsi1sk: { S: '2026-01-05' },
    __edb_e__: { S: 'customer' },
    __edb_v__: { S: '1' },
    visits: { N: '2' },
  });
});

it('upsert: refused with encrypted attributes; on an existing item, with unchanged keys and do-nothing attributes only; never creates', async () => {
  const refused = await Customer.upsert({ id: 'c1', org: 'acme', joined: '2026-01-05', email: 'other@example.com' }).go().catch((e: unknown) => e);
  expect(isDdbecError((refused as Error).cause, 'ERR_SIGNED_ATTRIBUTE_UPDATE'), String(refused)).toBe(true);
  expect((refused as Error).message).toContain('"email" (encrypted and signed)');
  await Customer.upsert({ id: 'c1', org: 'acme', joined: '2026-01-05', visits: 7 }).go();
  expect((await Customer.get({ id: 'c1' }).go()).data?.visits).toBe(7);
  const moved = await Customer.upsert({ id: 'c1', org: 'initech', joined: '2026-01-05', visits: 8 }).go().catch((e: unknown) => e);
  expect(String(moved)).toContain('sign-only "__edb_e__", "__edb_v__", "gsi1pk", "gsi1sk", which ddbec lets through only with the value already stored');
  const created = await Customer.upsert({ id: 'c9', org: 'acme', joined: '2026-01-05', visits: 1 }).go().catch((e: unknown) => e);
  expect(String(created)).toContain('The conditional request failed');
  expect((await Customer.get({ id: 'c9' }).go()).data).toBeNull();
});

it('projections (the attributes option) are refused: a partial item cannot be verified', async () => {
  const error = await Customer.get({ id: 'c1' }).go({ attributes: ['name'] }).catch((e: unknown) => e);
  expect(isDdbecError((error as Error).cause, 'ERR_PROJECTION'), String(error)).toBe(true);
});

it('refuses an item whose signed attribute a plain client changed; a do-nothing one goes unnoticed', async () => {
  await plain.send(new UpdateItemCommand({ TableName: 'customers', Key: { pk: { S: 'c2' } }, UpdateExpression: 'SET visits = :n', ExpressionAttributeValues: { ':n': { N: '999' } } }));
  expect((await Customer.get({ id: 'c2' }).go()).data?.visits).toBe(999);
  await plain.send(new UpdateItemCommand({ TableName: 'customers', Key: { pk: { S: 'c2' } }, UpdateExpression: 'SET gsi1pk = :o', ExpressionAttributeValues: { ':o': { S: 'EVIL' } } }));
  const error = await Customer.get({ id: 'c2' }).go().catch((e: unknown) => e);
  expect(isDdbecError((error as Error).cause, 'ERR_SIGNATURE_INVALID'), String(error)).toBe(true);
});

it('without the preset, the first update is refused naming every attribute and the preset', async () => {
  const defaults = EncryptedDynamoDBClient.from(plain, { tables: { customers: { materialsProvider: staticProvider, attributeActions: new AttributeActions() } } });
  Customer.setClient(DynamoDBDocumentClient.from(defaults));
  const error = await Customer.update({ id: 'c1' }).add({ visits: 1 }).go().catch((e: unknown) => e);
  expect(isDdbecError((error as Error).cause, 'ERR_SIGNED_ATTRIBUTE_UPDATE'), String(error)).toBe(true);
  for (const text of ['"__edb_e__" (encrypted and signed), "__edb_v__" (encrypted and signed), "visits" (encrypted and signed)', "ElectroDB's", "ormAttributeActions('electrodb'"]) {
    expect((error as Error).message).toContain(text);
  }
  const scan = await Customer.scan.go().catch((e: unknown) => e);
  expect(isDdbecError((scan as Error).cause, 'ERR_ENCRYPTED_ATTRIBUTE_IN_EXPRESSION'), String(scan)).toBe(true);
  expect((scan as Error).message).toContain('"__edb_e__", "__edb_v__"');
});
