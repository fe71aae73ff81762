// dynamodb-toolbox v2 on the local DynamoDB through ddbec's encrypting client: the guide's
// example (docs/orms.md) end to end, what is stored, tampering, and the refusal without the preset.
import { UpdateItemCommand as PlainUpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetItemCommand } from 'dynamodb-toolbox/entity/actions/get';
import { $add, UpdateItemCommand } from 'dynamodb-toolbox/entity/actions/update';
import { ScanCommand } from 'dynamodb-toolbox/table/actions/scan';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { LocalDynamoDB } from '../../../local/src/index.js';
import { AttributeActions, isDdbecError } from '../../src/index.js';
import { EncryptedDynamoDBClient } from '../../src/sdk/index.js';
import { Customer, main, table } from '../../examples/orm-dynamodb-toolbox.js';
import { anyString, staticProvider } from '../sdk/helpers.js';
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

it('stores ciphertext for encrypted attributes, plaintext for keys, markers and do-nothing ones', async () => {
  await expectAtRest(plain, { id: { S: 'c1' } }, ['name', 'email'], {
    id: { S: 'c1' },
    org: { S: 'acme' },
    joined: { S: '2026-01-05' },
    _et: { S: 'Customer' },
    _ct: { S: anyString },
    _md: { S: anyString },
    visits: { N: '2' },
  });
});

it('refuses an item whose signed attribute a plain client changed; a do-nothing one goes unnoticed', async () => {
  const tamper = (expression: string, value: { S: string } | { N: string }): Promise<unknown> =>
    plain.send(new PlainUpdateItemCommand({ TableName: 'customers', Key: { id: { S: 'c2' } }, UpdateExpression: expression, ExpressionAttributeValues: { ':v': value } }));
  await tamper('SET visits = :v', { N: '999' });
  expect((await Customer.build(GetItemCommand).key({ id: 'c2' }).send()).Item?.visits).toBe(999);
  await tamper('SET org = :v', { S: 'EVIL' });
  const error = await Customer.build(GetItemCommand).key({ id: 'c2' }).send().catch((e: unknown) => e);
  expect(isDdbecError(error, 'ERR_SIGNATURE_INVALID'), String(error)).toBe(true);
});

it('without the preset, the first update is refused naming every attribute and the preset', async () => {
  const defaults = EncryptedDynamoDBClient.from(plain, { tables: { customers: { materialsProvider: staticProvider, attributeActions: new AttributeActions() } } });
  table.documentClient = DynamoDBDocumentClient.from(defaults);
  const error = await Customer.build(UpdateItemCommand).item({ id: 'c1', visits: $add(1) }).send().catch((e: unknown) => e);
  expect(isDdbecError(error, 'ERR_SIGNED_ATTRIBUTE_UPDATE'), String(error)).toBe(true);
  for (const text of ['"_et" (encrypted and signed), "_ct" (encrypted and signed), "_md" (encrypted and signed), "visits" (encrypted and signed)', "dynamodb-toolbox's"]) {
    expect((error as Error).message).toContain(text);
  }
  const scan = await table.build(ScanCommand).entities(Customer).send().catch((e: unknown) => e);
  expect(isDdbecError(scan, 'ERR_ENCRYPTED_ATTRIBUTE_IN_EXPRESSION'), String(scan)).toBe(true);
});
