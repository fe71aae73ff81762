import { CreateTableCommand, DeleteItemCommand, GetItemCommand, PutItemCommand, QueryCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { KMSClient } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalDynamoDB, startLocalKms, type LocalKms, type LocalService } from '../../../local/src/index.js';
import { DynamoDbBranchKeyStore, type KmsConfiguration } from '../../src/keyrings/branch-key-store/index.js';
import { hookCommand } from '../metastore/support.js';
import { codeOf, ddbClientFor, kmsClientFor, newKmsKey } from './support.js';

let db: LocalService;
let kms: LocalKms;
let ddb: DynamoDBClient;
let kmsClient: KMSClient;
let keyArn: string;
let otherKeyArn: string;
let tables = 0;

beforeAll(async () => {
  [db, kms] = await Promise.all([startLocalDynamoDB(), startLocalKms()]);
  ddb = ddbClientFor(db.endpoint);
  kmsClient = kmsClientFor(kms.endpoint);
  keyArn = await newKmsKey(kmsClient);
  otherKeyArn = await newKmsKey(kmsClient);
});
afterAll(async () => {
  ddb.destroy();
  kmsClient.destroy();
  await Promise.all([db.stop(), kms.stop()]);
});

function storeOn(tableName: string, kmsConfiguration: KmsConfiguration = { kmsKeyArn: keyArn }, logicalKeyStoreName = tableName, client = ddb) {
  return new DynamoDbBranchKeyStore({ ddbClient: client, kmsClient, tableName, logicalKeyStoreName, kmsConfiguration });
}

async function freshStore(kmsConfiguration?: KmsConfiguration): Promise<DynamoDbBranchKeyStore> {
  const store = storeOn(`keystore-${++tables}`, kmsConfiguration);
  await store.createKeyStore();
  return store;
}

async function records(tableName: string, branchKeyId: string) {
  const { Items } = await ddb.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: '#id = :id',
      ExpressionAttributeNames: { '#id': 'branch-key-id' },
      ExpressionAttributeValues: { ':id': { S: branchKeyId } },
    }),
  );
  return Items ?? [];
}

describe('DynamoDbBranchKeyStore on the local DynamoDB and KMS', () => {
  it('creates the table with the key schema of the spec, once, and refuses a table of another schema', async () => {
    const store = storeOn(`keystore-${++tables}`);
    const arn = await store.createKeyStore();
    expect(arn).toMatch(/^arn:aws:dynamodb:.*:table\/keystore-\d+$/);
    expect(await store.createKeyStore()).toBe(arn);
    await ddb.send(
      new CreateTableCommand({
        TableName: 'not-a-keystore',
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    expect(await codeOf(storeOn('not-a-keystore').createKeyStore())).toBe('ERR_BRANCH_KEY_STORE');
  });

  it('writes the three records of the spec with the KMS encryption contexts of the spec', async () => {
    const store = await freshStore();
    const tableName = store.getKeyStoreInfo().tableName;
    kms.resetRequests();
    const { branchKeyIdentifier: id } = await store.createKey({ branchKeyIdentifier: 'tenant-1', encryptionContext: { department: 'admin' } });
    expect(id).toBe('tenant-1');
    const byType = new Map((await records(tableName, id)).map((r) => [r['type']?.S, r]));
    expect([...byType.keys()].sort()).toEqual(['beacon:ACTIVE', 'branch:ACTIVE', expect.stringMatching(/^branch:version:[0-9a-f-]{36}$/)]);
    const active = byType.get('branch:ACTIVE') ?? {};
    const version = active['version']?.S ?? '';
    const decryptOnly = byType.get(version) ?? {};
    const createTime = active['create-time']?.S ?? '';
    expect(createTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    for (const record of byType.values()) {
      expect(Object.keys(record).sort()).toEqual(
        ['branch-key-id', 'type', 'enc', 'kms-arn', 'create-time', 'hierarchy-version', 'aws-crypto-ec:department', ...(record === active ? ['version'] : [])].sort(),
      );
      expect(record['kms-arn']).toEqual({ S: keyArn });
      expect(record['hierarchy-version']).toEqual({ N: '1' });
      expect(record['aws-crypto-ec:department']).toEqual({ S: 'admin' });
      expect(record['create-time']).toEqual({ S: createTime });
    }
    const shared = { 'branch-key-id': id, 'create-time': createTime, tablename: tableName, 'kms-arn': keyArn, 'hierarchy-version': '1', 'aws-crypto-ec:department': 'admin' };
    expect(kms.requests.map((r) => [r.operation, r.keyId, r.sourceEncryptionContext, r.encryptionContext])).toEqual([
      ['GenerateDataKeyWithoutPlaintext', keyArn, undefined, { ...shared, type: version }],
      ['ReEncrypt', keyArn, { ...shared, type: version }, { ...shared, type: 'branch:ACTIVE', version }],
      ['GenerateDataKeyWithoutPlaintext', keyArn, undefined, { ...shared, type: 'beacon:ACTIVE' }],
    ]);
    expect(decryptOnly['enc']).not.toEqual(active['enc']);
  });

  it('reads the active key, each version and the beacon key; versionKey makes a new active version', async () => {
    const store = await freshStore();
    const { branchKeyIdentifier: id } = await store.createKey();
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const first = await store.getActiveBranchKey(id);
    expect(first).toMatchObject({ branchKeyIdentifier: id, encryptionContext: {} });
    expect(first.branchKey).toHaveLength(32);
    expect(await store.getBranchKeyVersion(id, first.branchKeyVersion)).toEqual(first);

    await store.versionKey(id);
    const second = await store.getActiveBranchKey(id);
    expect(second.branchKeyVersion).not.toBe(first.branchKeyVersion);
    expect(Buffer.from(second.branchKey).equals(Buffer.from(first.branchKey))).toBe(false);
    expect(await store.getBranchKeyVersion(id, first.branchKeyVersion)).toEqual(first);
    expect(await store.getBranchKeyVersion(id, second.branchKeyVersion)).toEqual(second);

    const beacon = await store.getBeaconKey(id);
    expect(beacon).toMatchObject({ beaconKeyIdentifier: id, encryptionContext: {} });
    expect(beacon.beaconKey).toHaveLength(32);
    expect(await codeOf(store.getBranchKeyVersion(id, 'no-such-version'))).toBe('ERR_BRANCH_KEY_NOT_FOUND');
    expect(await codeOf(store.getActiveBranchKey('no-such-key'))).toBe('ERR_BRANCH_KEY_NOT_FOUND');
    expect(await codeOf(storeOn('no-such-table').getActiveBranchKey(id))).toBe('ERR_BRANCH_KEY_NOT_FOUND');
  });

  it('keeps the custom encryption context across versions', async () => {
    const store = await freshStore();
    const { branchKeyIdentifier: id } = await store.createKey({ encryptionContext: { tenant: 'acme', tier: 'gold' } });
    await store.versionKey(id);
    expect((await store.getActiveBranchKey(id)).encryptionContext).toEqual({ tenant: 'acme', tier: 'gold' });
    expect((await store.getBeaconKey(id)).encryptionContext).toEqual({ tenant: 'acme', tier: 'gold' });
  });

  it('refuses a custom id without encryption context, and an id that exists', async () => {
    const store = await freshStore();
    expect(await codeOf(store.createKey({ branchKeyIdentifier: 'x' }))).toBe('ERR_INVALID_ARGUMENT');
    await store.createKey({ branchKeyIdentifier: 'x', encryptionContext: { a: 'b' } });
    expect(await codeOf(store.createKey({ branchKeyIdentifier: 'x', encryptionContext: { a: 'b' } }))).toBe('ERR_BRANCH_KEY_CONFLICT');
  });

  it('refuses to replace an active version another writer replaced meanwhile', async () => {
    const store = await freshStore();
    const tableName = store.getKeyStoreInfo().tableName;
    const { branchKeyIdentifier: id } = await store.createKey();
    const racing = ddbClientFor(db.endpoint);
    const other = storeOn(tableName, { kmsKeyArn: keyArn }, tableName, racing);
    let raced = false;
    hookCommand(racing, 'TransactWriteItemsCommand', {
      before: async () => {
        if (raced) return;
        raced = true;
        await store.versionKey(id);
      },
    });
    const before = await store.getActiveBranchKey(id);
    expect(await codeOf(other.versionKey(id))).toBe('ERR_BRANCH_KEY_CONFLICT');
    const after = await store.getActiveBranchKey(id);
    expect(after.branchKeyVersion).not.toBe(before.branchKeyVersion);
    // The loser's DECRYPT_ONLY record was not written either: two versions in all, plus ACTIVE and beacon.
    expect(await records(tableName, id)).toHaveLength(4);
    racing.destroy();
  });

  it('authenticates every attribute: a changed record, another logical name or another key is refused', async () => {
    const store = await freshStore();
    const tableName = store.getKeyStoreInfo().tableName;
    const { branchKeyIdentifier: id } = await store.createKey({ encryptionContext: { tenant: 'acme' } });
    const key = { 'branch-key-id': { S: id }, type: { S: 'branch:ACTIVE' } };
    const original = (await ddb.send(new GetItemCommand({ TableName: tableName, Key: key }))).Item ?? {};
    const tamper = async (change: Record<string, unknown>): Promise<string> => {
      await ddb.send(new PutItemCommand({ TableName: tableName, Item: { ...original, ...change } as never }));
      try {
        return await codeOf(store.getActiveBranchKey(id));
      } finally {
        await ddb.send(new PutItemCommand({ TableName: tableName, Item: original }));
      }
    };
    expect(await tamper({ 'aws-crypto-ec:tenant': { S: 'evil' } })).toBe('ERR_UNWRAPPING_FAILED');
    expect(await tamper({ 'create-time': { S: '2000-01-01T00:00:00.000000Z' } })).toBe('ERR_UNWRAPPING_FAILED');
    expect(await tamper({ extra: { S: 'added' } })).toBe('ERR_UNWRAPPING_FAILED');
    expect(await tamper({ 'kms-arn': { S: otherKeyArn } })).toBe('ERR_BRANCH_KEY_STORE');
    expect(await tamper({ 'hierarchy-version': { S: '1' } })).toBe('ERR_BRANCH_KEY_STORE');
    expect(await tamper({ extra: { N: '1' } })).toBe('ERR_BRANCH_KEY_STORE');
    expect(await tamper({ version: { S: 'something' } })).toBe('ERR_BRANCH_KEY_STORE');
    expect(await codeOf(store.getActiveBranchKey(id))).toBe('resolved');

    expect(await codeOf(storeOn(tableName, { kmsKeyArn: keyArn }, 'another-name').getActiveBranchKey(id))).toBe('ERR_UNWRAPPING_FAILED');
    expect(await codeOf(storeOn(tableName, { kmsKeyArn: otherKeyArn }).getActiveBranchKey(id))).toBe('ERR_BRANCH_KEY_STORE');
    expect(await codeOf(storeOn(tableName, { kmsKeyArn: otherKeyArn }).versionKey(id))).toBe('ERR_BRANCH_KEY_STORE');
    await ddb.send(new DeleteItemCommand({ TableName: tableName, Key: key }));
    expect(await codeOf(store.versionKey(id))).toBe('ERR_BRANCH_KEY_NOT_FOUND');
  });

  it('discovery and MR discovery stores read with the key of each record and refuse to write', async () => {
    const store = await freshStore();
    const tableName = store.getKeyStoreInfo().tableName;
    const { branchKeyIdentifier: id } = await store.createKey();
    const expected = await store.getActiveBranchKey(id);
    for (const config of [{ discovery: true }, { mrDiscovery: { region: 'us-east-1' } }] as const) {
      const reader = storeOn(tableName, config);
      kms.resetRequests();
      expect(await reader.getActiveBranchKey(id)).toEqual(expected);
      expect(kms.requests.map((r) => [r.operation, r.keyId])).toEqual([['Decrypt', keyArn]]);
      expect(await codeOf(reader.createKey())).toBe('ERR_INVALID_ARGUMENT');
      expect(await codeOf(reader.versionKey(id))).toBe('ERR_INVALID_ARGUMENT');
    }
  });

  it('validates its options', () => {
    const make = (kmsConfiguration: unknown) => () =>
      new DynamoDbBranchKeyStore({ ddbClient: ddb, kmsClient, tableName: 't', logicalKeyStoreName: 't', kmsConfiguration: kmsConfiguration as KmsConfiguration });
    expect(make({ kmsKeyArn: 'alias/mine' })).toThrow(/kmsConfiguration/);
    expect(make({ kmsKeyArn: 'arn:aws:kms:us-east-1:111122223333:alias/mine' })).toThrow(/kmsConfiguration/);
    expect(make({ mrDiscovery: { region: '' } })).toThrow(/region/);
    expect(make({ discovery: true })).not.toThrow();
    expect(make({ kmsMrKeyArn: keyArn })).not.toThrow();
    const info = storeOn('t').getKeyStoreInfo();
    expect(info).toMatchObject({ tableName: 't', logicalKeyStoreName: 't', grantTokens: [], kmsConfiguration: { kmsKeyArn: keyArn } });
    expect(info.keyStoreId).toMatch(/^[0-9a-f-]{36}$/);
  });
});
