// Updates on encrypted tables: sign-only attributes written with the value they have (as ORMs
// do in every update) go through under a guard; every other signed write is refused at once,
// naming all of them, both remedies and, for an ORM's request, its preset.
import { GetItemCommand, PutItemCommand, UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalDynamoDB } from '../../../local/src/index.js';
import { isDdbecError, type Item } from '../../src/index.js';
import { EncryptedDynamoDBClient } from '../../src/sdk/index.js';
import { customer, encryptionConfig, plainClient, startDatabase } from './helpers.js';

let db: LocalDynamoDB;
let plain: DynamoDBClient;
let client: EncryptedDynamoDBClient;
const key: Item = { pk: { S: 'u' }, sk: { N: '1' } };

beforeAll(async () => {
  db = await startDatabase();
  plain = plainClient(db.endpoint);
  client = EncryptedDynamoDBClient.from(plain, encryptionConfig());
  await client.send(new PutItemCommand({ TableName: 'customers', Item: customer('u', 1) }));
});
afterAll(async () => {
  plain.destroy();
  await db.stop();
});

const update = (UpdateExpression: string, values: Item, names?: Record<string, string>): UpdateItemCommand =>
  new UpdateItemCommand({ TableName: 'customers', Key: key, UpdateExpression, ExpressionAttributeValues: values, ...(names ? { ExpressionAttributeNames: names } : {}) });

describe('sign-only attributes written with their current value', () => {
  it('SET a = :v goes through when :v is the stored value, and the item still verifies', async () => {
    await client.send(update('SET note = :n, #p = :p', { ':n': { S: 'changed' }, ':p': { S: 'pro' } }, { '#p': 'plan' }));
    const { Item } = await client.send(new GetItemCommand({ TableName: 'customers', Key: key }));
    expect(Item?.['note']).toEqual({ S: 'changed' });
    expect(Item?.['plan']).toEqual({ S: 'pro' });
  });

  it('UPDATED_NEW returns the guarded attributes with the do-nothing ones', async () => {
    const { Attributes } = await client.send(
      new UpdateItemCommand({ ...update('SET note = :n, #p = :p', { ':n': { S: 'new' }, ':p': { S: 'pro' } }, { '#p': 'plan' }).input, ReturnValues: 'UPDATED_NEW' }),
    );
    expect(Attributes).toEqual({ note: { S: 'new' }, plan: { S: 'pro' } });
  });

  it('SET a = if_not_exists(a, :v) goes through and keeps the stored value', async () => {
    await client.send(update('SET #p = if_not_exists(#p, :p), note = :n', { ':p': { S: 'basic' }, ':n': { S: 'again' } }, { '#p': 'plan' }));
    const { Item } = await client.send(new GetItemCommand({ TableName: 'customers', Key: key }));
    expect(Item?.['plan']).toEqual({ S: 'pro' });
    expect(Item?.['note']).toEqual({ S: 'again' });
  });

  it('another value fails the guard: nothing changes, and the error says why', async () => {
    const error = await client.send(update('SET note = :n, #p = :p', { ':n': { S: 'lost' }, ':p': { S: 'basic' } }, { '#p': 'plan' })).catch((e: unknown) => e);
    expect((error as Error).name).toBe('ConditionalCheckFailedException');
    expect((error as Error).message).toContain('sign-only "plan"');
    expect((error as Error).message).toContain('readModifyWrite');
    const { Item } = await client.send(new GetItemCommand({ TableName: 'customers', Key: key }));
    expect(Item?.['plan']).toEqual({ S: 'pro' });
    expect(Item?.['note']).toEqual({ S: 'again' });
  });

  it('an encrypted attribute, a computed value or a list value is never guarded', async () => {
    const cases: [string, Item][] = [
      ['SET email = :e', { ':e': { S: 'u@example.com' } }],
      ['SET #p = #p', {}],
      ['SET #p = :l', { ':l': { L: [] } }],
    ];
    for (const [expression, values] of cases) {
      const error = await client.send(update(expression, values, expression.includes('#p') ? { '#p': 'plan' } : undefined)).catch((e: unknown) => e);
      expect(isDdbecError(error, 'ERR_SIGNED_ATTRIBUTE_UPDATE'), expression).toBe(true);
    }
  });
});

describe('refusals that lead to the fix', () => {
  it('names every signed attribute an update would change, and both remedies', async () => {
    const error = await client
      .send(update('SET email = :v, #p = #p, note = :v ADD tags :s', { ':v': { S: 'x' }, ':s': { SS: ['a'] } }, { '#p': 'plan' }))
      .catch((e: unknown) => e);
    expect(isDdbecError(error, 'ERR_SIGNED_ATTRIBUTE_UPDATE')).toBe(true);
    const message = (error as Error).message;
    for (const text of ['"email" (encrypted and signed)', '"plan" (signed)', '"tags" (encrypted and signed)', 'write the whole item', 'readModifyWrite()']) {
      expect(message).toContain(text);
    }
    expect(message).not.toContain('"note"');
    expect(message).not.toContain('looks like');
  });

  it('names every encrypted attribute a filter compares', async () => {
    const error = await client
      .send(
        new UpdateItemCommand({
          TableName: 'customers',
          Key: key,
          UpdateExpression: 'SET note = :v',
          ConditionExpression: 'email = :v AND begins_with(#n, :v)',
          ExpressionAttributeNames: { '#n': 'name' },
          ExpressionAttributeValues: { ':v': { S: 'x' } },
        }),
      )
      .catch((e: unknown) => e);
    expect(isDdbecError(error, 'ERR_ENCRYPTED_ATTRIBUTE_IN_EXPRESSION')).toBe(true);
    expect((error as Error).message).toContain('attributes "email", "name"');
  });

  it.each([
    ['ElectroDB', 'electrodb', { '#__edb_e__': '__edb_e__', '#email': 'email' }, 'SET #email = :v, #__edb_e__ = :v'],
    ['dynamodb-toolbox', 'dynamodb-toolbox', { '#s_1': '_et', '#s_2': 'email' }, 'SET #s_1 = if_not_exists(#s_1, :v), #s_2 = :v'],
    ['dynamoose', 'dynamoose', { '#a0': 'updatedAt', '#a1': 'email' }, 'SET #a0 = :v0, #a1 = :v0'],
  ])("says which preset applies to %s's requests", async (label, orm, names, expression) => {
    const values: Item = expression.includes(':v0') ? { ':v0': { S: 'x' } } : { ':v': { S: 'x' } };
    const error = await client.send(update(expression, values, names)).catch((e: unknown) => e);
    expect(isDdbecError(error, 'ERR_SIGNED_ATTRIBUTE_UPDATE')).toBe(true);
    expect((error as Error).message).toContain(`looks like ${label}'s`);
    expect((error as Error).message).toContain(`ormAttributeActions('${orm}'`);
  });
});
