// dynamoose 4 on the local DynamoDB through ddbec's encrypting aggregated client: the guide's
// example (docs/orms.md) end to end, what is stored, tampering, and the refusal without the preset.
import { UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynamoose from 'dynamoose';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { LocalDynamoDB } from '../../../local/src/index.js';
import { AttributeActions, isDdbecError } from '../../src/index.js';
import { EncryptedDynamoDB, EncryptedDynamoDBClient, readModifyWrite } from '../../src/sdk/index.js';
import { Customer, main } from '../../examples/orm-dynamoose.js';
import { staticProvider } from '../sdk/helpers.js';
import { EXAMPLE_OUTPUT, expectAtRest, startCustomersTable } from './helpers.js';

let db: LocalDynamoDB;
let plain: DynamoDBClient;

beforeAll(async () => {
  ({ db, plain } = await startCustomersTable('id', 'byOrg', ['org', 'joined']));
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

it('stores ciphertext for encrypted attributes, plaintext for keys, timestamps and do-nothing ones', async () => {
  const timestamp = { N: expect.stringMatching(/^\d+$/) as unknown };
  await expectAtRest(plain, { id: { S: 'c1' } }, ['name', 'email'], {
    id: { S: 'c1' },
    org: { S: 'acme' },
    joined: { S: '2026-01-05' },
    visits: { N: '2' },
    createdAt: timestamp,
    updatedAt: timestamp,
  });
});

it('refuses an item whose signed attribute a plain client changed; a do-nothing one goes unnoticed', async () => {
  const tamper = (expression: string, value: { S: string } | { N: string }): Promise<unknown> =>
    plain.send(new UpdateItemCommand({ TableName: 'customers', Key: { id: { S: 'c2' } }, UpdateExpression: expression, ExpressionAttributeValues: { ':v': value } }));
  await tamper('SET visits = :v', { N: '999' });
  expect((await Customer.get('c2'))['visits']).toBe(999);
  await tamper('SET createdAt = :v', { N: '1' });
  const error = await Customer.get('c2').catch((e: unknown) => e);
  expect(isDdbecError(error, 'ERR_SIGNATURE_INVALID'), String(error)).toBe(true);
});

it('without the preset, the first update is refused naming every attribute and the preset', async () => {
  dynamoose.aws.ddb.set(EncryptedDynamoDB.from(plain, { tables: { customers: { materialsProvider: staticProvider, attributeActions: new AttributeActions() } } }));
  const error = await Customer.update({ id: 'c1' }, { $ADD: { visits: 1 } }).catch((e: unknown) => e);
  expect(isDdbecError(error, 'ERR_SIGNED_ATTRIBUTE_UPDATE'), String(error)).toBe(true);
  for (const text of ['"visits" (encrypted and signed), "updatedAt" (encrypted and signed)', "dynamoose's"]) expect((error as Error).message).toContain(text);
});

it('EncryptedDynamoDB is an aggregated DynamoDB client that readModifyWrite accepts, and refuses a client that already encrypts', async () => {
  const config = { tables: { customers: { materialsProvider: staticProvider, attributeActions: new AttributeActions() } } };
  const ddb = EncryptedDynamoDB.from(plain, config);
  await ddb.putItem({ TableName: 'customers', Item: { id: { S: 'r1' }, org: { S: 'o' }, joined: { S: 'j' }, email: { S: 'a' } } });
  const { Item } = await readModifyWrite(ddb, { TableName: 'customers', Key: { id: { S: 'r1' } }, update: (current) => ({ ...current, email: { S: 'b' } }) });
  expect(Item?.['email']).toEqual({ S: 'b' });
  expect((await ddb.getItem({ TableName: 'customers', Key: { id: { S: 'r1' } } })).Item?.['email']).toEqual({ S: 'b' });
  expect(() => EncryptedDynamoDB.from(ddb, config)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
  expect(() => EncryptedDynamoDB.from(EncryptedDynamoDBClient.from(plain, config), config)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
});
