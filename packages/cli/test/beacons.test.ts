// Beacons from the command line: `beacon-length` advises, `beacon-index` prints the GSI of a
// beacon of a configured table (created here from its output), and `put` / `query` use the
// table's beacons on the local stack.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, GetItemCommand, type CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { DynamoDbBranchKeyStore } from 'ddbec/dbesdk/aws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ddbec, ddbecJson, startStack, type Stack } from './support.js';

let stack: Stack;
let dir: string;
let env: Record<string, string>;

const PEOPLE = [
  { id: 'p1', email: 'ada@example.com', name: 'Ada' },
  { id: 'p2', email: 'alan@example.com', name: 'Alan' },
  { id: 'p3', email: 'ada@example.com', name: 'Ada again' },
  { id: 'p4', email: 'grace@example.com', name: 'Grace' },
];

beforeAll(async () => {
  stack = await startStack();
  dir = mkdtempSync(join(tmpdir(), 'ddbec-cli-beacons-'));
  env = { ...stack.env, DDBEC_CONFIG: join(dir, 'ddbec.config.json') };
  const kmsKeyArn = await stack.createKey();
  const store = new DynamoDbBranchKeyStore({ ddbClient: stack.ddb, kmsClient: stack.kmsClient, tableName: 'branch-keys', logicalKeyStoreName: 'branch-keys', kmsConfiguration: { kmsKeyArn } });
  await store.createKeyStore();
  const { branchKeyIdentifier } = await store.createKey();
  writeFileSync(
    env['DDBEC_CONFIG'] as string,
    JSON.stringify({
      tables: {
        people: {
          partitionKey: 'id',
          attributeActionsOnEncrypt: { id: 'SIGN_ONLY', email: 'ENCRYPT_AND_SIGN', name: 'ENCRYPT_AND_SIGN' },
          keyring: { type: 'hierarchical', branchKeyId: branchKeyIdentifier, keyStore: { tableName: 'branch-keys', kmsKeyArn } },
          // 1 bit: half of all emails share each beacon value, so the query must filter
          search: { keySource: { single: { keyId: branchKeyIdentifier } }, standardBeacons: [{ name: 'email', length: 1 }] },
        },
        // items written in a random one of 3 beacon partitions
        crowd: {
          partitionKey: 'id',
          attributeActionsOnEncrypt: { id: 'SIGN_ONLY', email: 'ENCRYPT_AND_SIGN' },
          keyring: { type: 'hierarchical', branchKeyId: branchKeyIdentifier, keyStore: { tableName: 'branch-keys', kmsKeyArn } },
          search: { keySource: { single: { keyId: branchKeyIdentifier } }, maximumNumberOfPartitions: 3, standardBeacons: [{ name: 'email', length: 4 }] },
        },
      },
    }),
  );
}, 60_000);

afterAll(async () => {
  await stack.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('ddbec beacon-length', () => {
  it('advises 9 to 15 bits for 100,000 values and says what beacons reveal', async () => {
    const run = await ddbec(['beacon-length', '--distinct', '100000']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('use a beacon length from 9 to 15 bits');
    expect(run.stdout).toMatch(/Equality: .*\n- Frequency: /);
    const { json } = await ddbecJson<{ shortest: number; longest: number; lengths: unknown[] }>(['beacon-length', '--distinct', '100000']);
    expect([json.shortest, json.longest, json.lengths.length]).toEqual([9, 15, 7]);
  });

  it('needs --distinct', async () => {
    expect((await ddbec(['beacon-length'])).code).toBe(2);
  });
});

describe('ddbec beacon-index, put and query', () => {
  it('creates the index from beacon-index, writes items with beacons and queries them by email', async () => {
    const { result, json } = await ddbecJson<{ AttributeDefinitions: CreateTableCommandInput['AttributeDefinitions']; GlobalSecondaryIndex: NonNullable<CreateTableCommandInput['GlobalSecondaryIndexes']>[number] }>(
      ['beacon-index', 'people', 'email'],
      { env },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(json.GlobalSecondaryIndex.KeySchema).toEqual([{ AttributeName: 'aws_dbe_b_email', KeyType: 'HASH' }]);
    await stack.ddb.send(
      new CreateTableCommand({
        TableName: 'people',
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }, ...(json.AttributeDefinitions ?? [])],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        GlobalSecondaryIndexes: [json.GlobalSecondaryIndex],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    const text = await ddbec(['beacon-index', 'people', 'email'], { env });
    expect(text.stdout).toContain('aws dynamodb update-table');

    for (const person of PEOPLE) {
      const put = await ddbec(['put', '--table', 'people', '--item', JSON.stringify(person)], { env });
      expect(put.code, put.stderr).toBe(0);
      expect(put.stdout).toContain('2 encrypted, 1 signed only');
    }
    const { Item: stored } = await stack.ddb.send(new GetItemCommand({ TableName: 'people', Key: { id: { S: 'p1' } } }));
    expect(stored?.['aws_dbe_b_email']).toEqual({ S: expect.stringMatching(/^[01]$/) as unknown });

    const query = await ddbecJson<{ Items: { id: string }[]; Count: number }>(['query', '--table', 'people', '--index', 'email-index', '--key', '{"email": "ada@example.com"}', '--plain'], { env });
    expect(query.result.code, query.result.stderr).toBe(0);
    expect(query.json.Items.map((item) => item.id).sort()).toEqual(['p1', 'p3']);
    const byCondition = await ddbecJson<{ Items: { id: string }[] }>(
      ['query', '--table', 'people', '--index', 'email-index', '--key-condition', 'email = :e', '--values', '{":e": "grace@example.com"}', '--plain'],
      { env },
    );
    expect(byCondition.json.Items.map((item) => item.id)).toEqual(['p4']);
  }, 60_000);
});

describe('ddbec query on a table with beacon partitions', () => {
  const CROWD = Array.from({ length: 9 }, (_, i) => ({ id: `c${i}`, email: i < 7 ? 'ada@example.com' : 'alan@example.com' }));
  const ADA = CROWD.filter((person) => person.email === 'ada@example.com').map((person) => person.id);

  beforeAll(async () => {
    const { json } = await ddbecJson<{ AttributeDefinitions: CreateTableCommandInput['AttributeDefinitions']; GlobalSecondaryIndex: NonNullable<CreateTableCommandInput['GlobalSecondaryIndexes']>[number] }>(
      ['beacon-index', 'crowd', 'email'],
      { env },
    );
    await stack.ddb.send(
      new CreateTableCommand({
        TableName: 'crowd',
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }, ...(json.AttributeDefinitions ?? [])],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        GlobalSecondaryIndexes: [json.GlobalSecondaryIndex],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    for (const person of CROWD) {
      const put = await ddbec(['put', '--table', 'crowd', '--item', JSON.stringify(person)], { env });
      expect(put.code, put.stderr).toBe(0);
    }
  }, 60_000);

  it('reads every partition the query needs when --values names no :aws_dbe_partition', async () => {
    const query = await ddbecJson<{ Items: { id: string }[]; Count: number }>(['query', '--table', 'crowd', '--index', 'email-index', '--key', '{"email": "ada@example.com"}', '--plain'], { env });
    expect(query.result.code, query.result.stderr).toBe(0);
    expect(query.json.Items.map((item) => item.id).sort()).toEqual(ADA);
    const limited = await ddbecJson<{ Count: number }>(['query', '--table', 'crowd', '--index', 'email-index', '--key', '{"email": "ada@example.com"}', '--limit', '5', '--plain'], { env });
    expect(limited.json.Count).toBe(5);
  }, 60_000);

  it('reads the one partition --values names, and the partitions together hold every item once', async () => {
    const found: string[] = [];
    for (const partition of [0, 1, 2]) {
      const query = await ddbecJson<{ Items: { id: string }[] }>(
        ['query', '--table', 'crowd', '--index', 'email-index', '--key-condition', 'email = :e', '--values', JSON.stringify({ ':e': 'ada@example.com', ':aws_dbe_partition': partition }), '--plain'],
        { env },
      );
      expect(query.result.code, query.result.stderr).toBe(0);
      found.push(...query.json.Items.map((item) => item.id));
    }
    expect(found.sort()).toEqual(ADA);
    const outside = await ddbec(['query', '--table', 'crowd', '--index', 'email-index', '--key-condition', 'email = :e', '--values', JSON.stringify({ ':e': 'ada@example.com', ':aws_dbe_partition': 3 })], { env });
    expect(outside.code).not.toBe(0);
    expect(outside.stderr).toContain('ERR_BEACON_QUERY');
  }, 60_000);
});
