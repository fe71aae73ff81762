// Encryption at rest on the local stack, through the real SDK: SSESpecification on
// CreateTable/UpdateTable, SSEDescription on DescribeTable, inaccessible tables when the local
// KMS key is disabled or pending deletion, archival after 7 days with a SYSTEM backup.
import {
  BatchGetItemCommand,
  CreateBackupCommand,
  CreateTableCommand,
  DeleteBackupCommand,
  DeleteTableCommand,
  DescribeBackupCommand,
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  ListBackupsCommand,
  ListTablesCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  TransactGetItemsCommand,
  UpdateTableCommand,
  waitUntilTableExists,
  type SSESpecification,
} from '@aws-sdk/client-dynamodb';
import {
  CreateAliasCommand,
  CreateKeyCommand,
  DisableKeyCommand,
  EnableKeyCommand,
  KMSClient,
  ListAliasesCommand,
  ScheduleKeyDeletionCommand,
  CancelKeyDeletionCommand,
} from '@aws-sdk/client-kms';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalDynamoDB, startLocalKms, type LocalDynamoDB, type LocalKms } from '../src/index.js';

const DAY = 86_400_000;
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

let kms: LocalKms;
let db: LocalDynamoDB;
let ddb: DynamoDBClient;
let kmsClient: KMSClient;

beforeAll(async () => {
  kms = await startLocalKms();
  db = await startLocalDynamoDB({ kms });
  ddb = new DynamoDBClient({ endpoint: db.endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });
  kmsClient = new KMSClient({ endpoint: kms.endpoint, region: kms.region, credentials });
});

afterAll(async () => {
  ddb.destroy();
  kmsClient.destroy();
  await db.stop();
  await kms.stop();
});

let counter = 0;
async function createTable(sse?: SSESpecification, client = ddb): Promise<string> {
  const name = `t${++counter}-${Math.random().toString(36).slice(2, 8)}`;
  await client.send(
    new CreateTableCommand({
      TableName: name,
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
      ...(sse === undefined ? {} : { SSESpecification: sse }),
    }),
  );
  // Like DynamoDB, the table takes writes once ACTIVE (on disk that can take a moment).
  await waitUntilTableExists({ client: client, maxWaitTime: 30, minDelay: 0.02, maxDelay: 0.2 }, { TableName: name });
  return name;
}

async function newKey(options: { KeySpec?: 'RSA_2048'; KeyUsage?: 'ENCRYPT_DECRYPT' } = {}): Promise<{ id: string; arn: string }> {
  const { KeyMetadata } = await kmsClient.send(new CreateKeyCommand({ Description: 'table key', ...options }));
  return { id: KeyMetadata?.KeyId ?? '', arn: KeyMetadata?.Arn ?? '' };
}

async function describe_(table: string) {
  const { Table } = await ddb.send(new DescribeTableCommand({ TableName: table }));
  if (Table === undefined) throw new Error('no table');
  return Table;
}

async function rejection(promise: Promise<unknown>): Promise<{ name: string; message: string; status: number | undefined }> {
  try {
    await promise;
  } catch (error) {
    const e = error as Error & { $metadata?: { httpStatusCode?: number } };
    return { name: e.name, message: e.message, status: e.$metadata?.httpStatusCode };
  }
  throw new Error('expected a rejection');
}

describe('creating tables with each key type', () => {
  it('AWS owned key: no SSEDescription (default or Enabled: false)', async () => {
    for (const sse of [undefined, { Enabled: false }, {}]) {
      const table = await createTable(sse);
      const description = await describe_(table);
      expect(description.SSEDescription).toBeUndefined();
      expect(description.TableStatus).toBe('ACTIVE');
    }
  });

  it('AWS managed key: alias/aws/dynamodb is created on first use only, then reused', async () => {
    const aliases = async (): Promise<string[]> => ((await kmsClient.send(new ListAliasesCommand({}))).Aliases ?? []).map((a) => a.AliasName ?? '');
    // Owned and customer managed tables, DescribeTable and the key check never create it.
    await createTable();
    const key = await newKey();
    await describe_(await createTable({ Enabled: true, SSEType: 'KMS', KMSMasterKeyId: key.id }));
    expect(kms.describeKey('alias/aws/dynamodb')).toBeUndefined();
    expect(await aliases()).not.toContain('alias/aws/dynamodb');

    const first = await createTable({ Enabled: true });
    const managed = kms.describeKey('alias/aws/dynamodb');
    expect(managed?.keyManager).toBe('AWS');
    expect((await describe_(first)).SSEDescription).toEqual({ Status: 'ENABLED', SSEType: 'KMS', KMSMasterKeyArn: managed?.arn });
    const second = await createTable({ SSEType: 'KMS' });
    expect((await describe_(second)).SSEDescription?.KMSMasterKeyArn).toBe(managed?.arn);
    expect((await aliases()).filter((a) => a === 'alias/aws/dynamodb')).toHaveLength(1);
  });

  it('customer managed key by key id, key ARN, alias name and alias ARN', async () => {
    const key = await newKey();
    await kmsClient.send(new CreateAliasCommand({ AliasName: 'alias/tables', TargetKeyId: key.id }));
    for (const ref of [key.id, key.arn, 'alias/tables', `arn:aws:kms:${kms.region}:${kms.accountId}:alias/tables`]) {
      const table = await createTable({ Enabled: true, SSEType: 'KMS', KMSMasterKeyId: ref });
      expect((await describe_(table)).SSEDescription).toEqual({ Status: 'ENABLED', SSEType: 'KMS', KMSMasterKeyArn: key.arn });
    }
  });

  it('refuses unusable keys synchronously, as DynamoDB does, and creates nothing', async () => {
    const disabled = await newKey();
    await kmsClient.send(new DisableKeyCommand({ KeyId: disabled.id }));
    const pending = await newKey();
    await kmsClient.send(new ScheduleKeyDeletionCommand({ KeyId: pending.id, PendingWindowInDays: 7 }));
    const rsa = await newKey({ KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' });
    const s3 = kms.awsManagedKey('s3');
    const cases: [string, string, number, RegExp][] = [
      [disabled.arn, 'ValidationException', 400, /^KMS key disabled error: .*DisabledException: .* is disabled\./],
      [pending.id, 'ValidationException', 400, /^KMS validation error: .*KMSInvalidStateException: .* is pending deletion\./],
      ['1234abcd-12ab-34cd-56ef-1234567890ab', 'ValidationException', 400, /NotFoundException: Key 'arn:aws:kms:.*' does not exist/],
      ['alias/nope', 'ValidationException', 400, /NotFoundException: Alias arn:aws:kms:.*:alias\/nope is not found/],
      [disabled.arn.replace(kms.region, 'eu-west-1'), 'ValidationException', 400, /NotFoundException: Invalid arn eu-west-1/],
      [s3.arn, 'AccessDeniedException', 400, /^KMS key access denied error: .*kms:CreateGrant/],
      [rsa.id, 'InternalServerError', 500, /^KMS internal error: .*symmetric encryption KMS key/],
    ];
    for (const [ref, name, status, message] of cases) {
      const tablesBefore = (await ddb.send(new ListTablesCommand({}))).TableNames?.length;
      const error = await rejection(createTable({ Enabled: true, SSEType: 'KMS', KMSMasterKeyId: ref }));
      expect({ ref, name: error.name, status: error.status }).toEqual({ ref, name, status });
      expect(error.message).toMatch(message);
      expect((await ddb.send(new ListTablesCommand({}))).TableNames?.length).toBe(tablesBefore);
    }
  });

  it('validates the SSESpecification shape', async () => {
    const key = await newKey();
    expect((await rejection(createTable({ Enabled: true, KMSMasterKeyId: key.id }))).message).toMatch(/KMSMasterKeyId can only be specified when SSEType is KMS/);
    expect((await rejection(createTable({ Enabled: false, SSEType: 'KMS' }))).message).toMatch(/only be specified when server-side encryption is enabled/);
    expect((await rejection(createTable({ Enabled: true, SSEType: 'AES256' }))).name).toBe('ValidationException');
  });
});

describe('switching key types', () => {
  it('owned → customer managed → AWS managed → owned, reflected in DescribeTable and every answer', async () => {
    const table = await createTable();
    await ddb.send(new PutItemCommand({ TableName: table, Item: { pk: { S: 'a' }, v: { S: 'kept' } } }));
    const key = await newKey();
    const managed = kms.awsManagedKey('dynamodb').arn;

    const toCustomer = await ddb.send(new UpdateTableCommand({ TableName: table, SSESpecification: { Enabled: true, SSEType: 'KMS', KMSMasterKeyId: key.id } }));
    expect(toCustomer.TableDescription?.TableStatus).toBe('ACTIVE');
    expect(toCustomer.TableDescription?.SSEDescription).toEqual({ Status: 'UPDATING' });
    expect((await describe_(table)).SSEDescription).toEqual({ Status: 'ENABLED', SSEType: 'KMS', KMSMasterKeyArn: key.arn });

    const toManaged = await ddb.send(new UpdateTableCommand({ TableName: table, SSESpecification: { Enabled: true } }));
    expect(toManaged.TableDescription?.SSEDescription).toEqual({ Status: 'UPDATING', SSEType: 'KMS', KMSMasterKeyArn: key.arn });
    expect((await describe_(table)).SSEDescription).toEqual({ Status: 'ENABLED', SSEType: 'KMS', KMSMasterKeyArn: managed });

    const toOwned = await ddb.send(new UpdateTableCommand({ TableName: table, SSESpecification: { Enabled: false } }));
    expect(toOwned.TableDescription?.SSEDescription).toEqual({ Status: 'UPDATING', SSEType: 'KMS', KMSMasterKeyArn: managed });
    expect((await describe_(table)).SSEDescription).toBeUndefined();

    const again = await rejection(ddb.send(new UpdateTableCommand({ TableName: table, SSESpecification: { Enabled: false } })));
    expect(again).toMatchObject({ name: 'ValidationException', message: expect.stringMatching(/already encrypted by default/) as unknown });
    const { Item } = await ddb.send(new GetItemCommand({ TableName: table, Key: { pk: { S: 'a' } } }));
    expect(Item?.['v']).toEqual({ S: 'kept' });
  });

  it('stays UPDATING for sseTransitionMs; a second change meanwhile is ResourceInUseException; the same ARN is refused', async () => {
    const slow = await startLocalDynamoDB({ kms, sseTransitionMs: 300 });
    const client = new DynamoDBClient({ endpoint: slow.endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });
    try {
      const table = await createTable(undefined, client);
      const key = await newKey();
      await client.send(new UpdateTableCommand({ TableName: table, SSESpecification: { Enabled: true, SSEType: 'KMS', KMSMasterKeyId: key.arn } }));
      const during = (await client.send(new DescribeTableCommand({ TableName: table }))).Table;
      expect(during?.SSEDescription).toEqual({ Status: 'UPDATING' });
      expect(during?.TableStatus).toBe('ACTIVE');
      const busy = await rejection(client.send(new UpdateTableCommand({ TableName: table, SSESpecification: { Enabled: false } })));
      expect(busy.name).toBe('ResourceInUseException');
      expect((await rejection(client.send(new DeleteTableCommand({ TableName: table })))).name).toBe('ResourceInUseException');
      await new Promise((resolve) => setTimeout(resolve, 350));
      expect((await client.send(new DescribeTableCommand({ TableName: table }))).Table?.SSEDescription).toEqual({ Status: 'ENABLED', SSEType: 'KMS', KMSMasterKeyArn: key.arn });
      const same = await rejection(client.send(new UpdateTableCommand({ TableName: table, SSESpecification: { Enabled: true, SSEType: 'KMS', KMSMasterKeyId: key.arn } })));
      expect(same.message).toMatch(/already encrypted with given KMSMasterKey/);
      const withOther = await rejection(
        client.send(new UpdateTableCommand({ TableName: table, SSESpecification: { Enabled: false }, BillingMode: 'PAY_PER_REQUEST' })),
      );
      expect(withOther.message).toMatch(/must be the only operation/);
    } finally {
      client.destroy();
      await slow.stop();
    }
  });
});

describe('a disabled customer managed key', () => {
  it('makes the table inaccessible (data calls fail), and re-enabling it makes the data readable again', async () => {
    const key = await newKey();
    const table = await createTable({ Enabled: true, SSEType: 'KMS', KMSMasterKeyId: key.id });
    const other = await createTable();
    await ddb.send(new PutItemCommand({ TableName: table, Item: { pk: { S: 'a' }, v: { S: 'secret' } } }));
    await kmsClient.send(new DisableKeyCommand({ KeyId: key.id }));

    const inaccessible = await describe_(table);
    expect(inaccessible.TableStatus).toBe('INACCESSIBLE_ENCRYPTION_CREDENTIALS');
    expect(inaccessible.SSEDescription?.Status).toBe('ENABLED');
    expect(inaccessible.SSEDescription?.KMSMasterKeyArn).toBe(key.arn);
    expect(inaccessible.SSEDescription?.InaccessibleEncryptionDateTime).toBeInstanceOf(Date);
    expect((await ddb.send(new ListTablesCommand({}))).TableNames).toContain(table);

    const calls: Promise<unknown>[] = [
      ddb.send(new GetItemCommand({ TableName: table, Key: { pk: { S: 'a' } } })),
      ddb.send(new PutItemCommand({ TableName: table, Item: { pk: { S: 'b' } } })),
      ddb.send(new QueryCommand({ TableName: table, KeyConditionExpression: 'pk = :a', ExpressionAttributeValues: { ':a': { S: 'a' } } })),
      ddb.send(new ScanCommand({ TableName: table })),
      ddb.send(new BatchGetItemCommand({ RequestItems: { [other]: { Keys: [{ pk: { S: 'x' } }] }, [table]: { Keys: [{ pk: { S: 'a' } }] } } })),
      ddb.send(new TransactGetItemsCommand({ TransactItems: [{ Get: { TableName: table, Key: { pk: { S: 'a' } } } }] })),
      ddb.send(new CreateBackupCommand({ TableName: table, BackupName: 'nope' })),
      ddb.send(new UpdateTableCommand({ TableName: table, SSESpecification: { Enabled: false } })),
    ];
    for (const call of calls) {
      const error = await rejection(call);
      expect(error.name).toBe('ValidationException');
      expect(error.status).toBe(400);
      expect(error.message).toMatch(new RegExp(`^KMS key disabled error: com\\.amazonaws\\.services\\.kms\\.model\\.DisabledException: ${key.arn} is disabled\\.`));
    }
    // Other tables are unaffected.
    await ddb.send(new PutItemCommand({ TableName: other, Item: { pk: { S: 'x' } } }));

    await kmsClient.send(new EnableKeyCommand({ KeyId: key.id }));
    const back = await describe_(table);
    expect(back.TableStatus).toBe('ACTIVE');
    expect(back.SSEDescription).toEqual({ Status: 'ENABLED', SSEType: 'KMS', KMSMasterKeyArn: key.arn });
    const { Item } = await ddb.send(new GetItemCommand({ TableName: table, Key: { pk: { S: 'a' } } }));
    expect(Item).toEqual({ pk: { S: 'a' }, v: { S: 'secret' } });
  });

  it('archives the table with a SYSTEM backup when the key stays disabled for 7 days', async () => {
    const key = await newKey();
    const table = await createTable({ Enabled: true, SSEType: 'KMS', KMSMasterKeyId: key.arn });
    for (const pk of ['a', 'b', 'c']) await ddb.send(new PutItemCommand({ TableName: table, Item: { pk: { S: pk } } }));
    await kmsClient.send(new DisableKeyCommand({ KeyId: key.id }));
    const since = (await describe_(table)).SSEDescription?.InaccessibleEncryptionDateTime;
    expect(since).toBeInstanceOf(Date);

    kms.advanceTime(6 * DAY);
    expect((await describe_(table)).TableStatus).toBe('INACCESSIBLE_ENCRYPTION_CREDENTIALS');
    kms.advanceTime(DAY);
    const archived = await describe_(table);
    expect(archived.TableStatus).toBe('ARCHIVED');
    expect(archived.ArchivalSummary?.ArchivalReason).toBe('INACCESSIBLE_ENCRYPTION_CREDENTIALS');
    expect(archived.ArchivalSummary?.ArchivalDateTime?.getTime()).toBe((since?.getTime() ?? 0) + 7 * DAY);
    const backupArn = archived.ArchivalSummary?.ArchivalBackupArn ?? '';
    expect(backupArn).toMatch(new RegExp(`^${archived.TableArn ?? ''}/backup/\\d{14}-[0-9a-f]{8}$`));
    expect(archived.SSEDescription).toMatchObject({ Status: 'ENABLED', KMSMasterKeyArn: key.arn });

    const system = (await ddb.send(new ListBackupsCommand({ TableName: table, BackupType: 'SYSTEM' }))).BackupSummaries ?? [];
    expect(system.map((b) => [b.BackupArn, b.BackupType, b.BackupStatus])).toEqual([[backupArn, 'SYSTEM', 'AVAILABLE']]);
    expect((await ddb.send(new ListBackupsCommand({ TableName: table }))).BackupSummaries).toEqual([]);
    const { BackupDescription } = await ddb.send(new DescribeBackupCommand({ BackupArn: backupArn }));
    expect(BackupDescription?.SourceTableDetails?.ItemCount).toBe(3);
    expect(BackupDescription?.SourceTableFeatureDetails?.SSEDescription?.KMSMasterKeyArn).toBe(key.arn);
    expect(db.atRest.backupItems(backupArn)).toHaveLength(3);

    // Re-enabling the key does not bring an archived table back.
    await kmsClient.send(new EnableKeyCommand({ KeyId: key.id }));
    expect((await describe_(table)).TableStatus).toBe('ARCHIVED');
    expect((await rejection(ddb.send(new GetItemCommand({ TableName: table, Key: { pk: { S: 'a' } } })))).message).toMatch(/is archived/);
    await ddb.send(new DeleteTableCommand({ TableName: table }));
    expect((await ddb.send(new ListBackupsCommand({ BackupType: 'ALL' }))).BackupSummaries?.map((b) => b.BackupArn)).toContain(backupArn);
  });

  it('a key scheduled for deletion takes the same path: inaccessible, then archived and the key deleted', async () => {
    const key = await newKey();
    const table = await createTable({ Enabled: true, SSEType: 'KMS', KMSMasterKeyId: key.id });
    await ddb.send(new PutItemCommand({ TableName: table, Item: { pk: { S: 'a' } } }));
    await kmsClient.send(new ScheduleKeyDeletionCommand({ KeyId: key.id, PendingWindowInDays: 7 }));
    expect((await describe_(table)).TableStatus).toBe('INACCESSIBLE_ENCRYPTION_CREDENTIALS');
    const error = await rejection(ddb.send(new GetItemCommand({ TableName: table, Key: { pk: { S: 'a' } } })));
    expect(error.message).toMatch(/^KMS validation error: com\.amazonaws\.services\.kms\.model\.KMSInvalidStateException: .* is pending deletion\./);
    kms.advanceTime(7 * DAY + 1000);
    expect(kms.keyState(key.arn)).toBe('Deleted');
    const archived = await describe_(table);
    expect(archived.TableStatus).toBe('ARCHIVED');
    const backups = (await ddb.send(new ListBackupsCommand({ TableName: table, BackupType: 'ALL' }))).BackupSummaries ?? [];
    expect(backups.map((b) => b.BackupArn)).toEqual([archived.ArchivalSummary?.ArchivalBackupArn]);
  });

  it('CancelKeyDeletion alone leaves the table inaccessible (the key is Disabled); EnableKey recovers it', async () => {
    const key = await newKey();
    const table = await createTable({ Enabled: true, SSEType: 'KMS', KMSMasterKeyId: key.id });
    await kmsClient.send(new ScheduleKeyDeletionCommand({ KeyId: key.id, PendingWindowInDays: 7 }));
    expect((await describe_(table)).TableStatus).toBe('INACCESSIBLE_ENCRYPTION_CREDENTIALS');
    await kmsClient.send(new CancelKeyDeletionCommand({ KeyId: key.id }));
    expect((await describe_(table)).TableStatus).toBe('INACCESSIBLE_ENCRYPTION_CREDENTIALS');
    await kmsClient.send(new EnableKeyCommand({ KeyId: key.id }));
    expect((await describe_(table)).TableStatus).toBe('ACTIVE');
  });
});

describe('backups', () => {
  it('CreateBackup, ListBackups (USER by default, paged), DescribeBackup, DeleteBackup', async () => {
    const table = await createTable();
    await ddb.send(new PutItemCommand({ TableName: table, Item: { pk: { S: 'a' } } }));
    const first = (await ddb.send(new CreateBackupCommand({ TableName: table, BackupName: 'first' }))).BackupDetails;
    const second = (await ddb.send(new CreateBackupCommand({ TableName: table, BackupName: 'second' }))).BackupDetails;
    expect(first).toMatchObject({ BackupName: 'first', BackupType: 'USER', BackupStatus: 'AVAILABLE' });
    const page1 = await ddb.send(new ListBackupsCommand({ TableName: table, Limit: 1 }));
    expect(page1.BackupSummaries?.map((b) => b.BackupName)).toEqual(['first']);
    const page2 = await ddb.send(new ListBackupsCommand({ TableName: table, Limit: 1, ExclusiveStartBackupArn: page1.LastEvaluatedBackupArn }));
    expect(page2.BackupSummaries?.map((b) => b.BackupName)).toEqual(['second']);
    const described = await ddb.send(new DescribeBackupCommand({ BackupArn: second?.BackupArn }));
    expect(described.BackupDescription?.SourceTableDetails).toMatchObject({ TableName: table, ItemCount: 1, BillingMode: 'PAY_PER_REQUEST' });
    await ddb.send(new DeleteBackupCommand({ BackupArn: first?.BackupArn }));
    expect((await rejection(ddb.send(new DescribeBackupCommand({ BackupArn: first?.BackupArn })))).name).toBe('BackupNotFoundException');
    expect((await rejection(ddb.send(new CreateBackupCommand({ TableName: 'missing-table', BackupName: 'x-1' })))).name).toBe('TableNotFoundException');
  });
});

describe('without a local KMS', () => {
  it('refuses KMS encryption with a clear error and keeps the AWS owned key working', async () => {
    const plain = await startLocalDynamoDB();
    const client = new DynamoDBClient({ endpoint: plain.endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });
    try {
      const error = await rejection(createTable({ Enabled: true }, client));
      expect(error.name).toBe('ValidationException');
      expect(error.message).toMatch(/no KMS attached.*startLocalDynamoDB\(\{ kms \}\)/);
      const table = await createTable({ Enabled: false }, client);
      expect((await client.send(new DescribeTableCommand({ TableName: table }))).Table?.SSEDescription).toBeUndefined();
    } finally {
      client.destroy();
      await plain.stop();
    }
  });
});

describe('persistence', () => {
  it('keeps SSE metadata, inaccessibility, archives and backups in at-rest.json across a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ddbec-at-rest-'));
    try {
      const start = async (): Promise<{ k: LocalKms; d: LocalDynamoDB; c: DynamoDBClient; kc: KMSClient }> => {
        const k = await startLocalKms({ dataDir: join(dir, 'kms') });
        const d = await startLocalDynamoDB({ kms: k, dataDir: join(dir, 'dynamodb') });
        return {
          k,
          d,
          c: new DynamoDBClient({ endpoint: d.endpoint, region: 'us-east-1', credentials, maxAttempts: 1 }),
          kc: new KMSClient({ endpoint: k.endpoint, region: k.region, credentials }),
        };
      };
      const stop = async (s: { k: LocalKms; d: LocalDynamoDB; c: DynamoDBClient; kc: KMSClient }): Promise<void> => {
        s.c.destroy();
        s.kc.destroy();
        await s.d.stop();
        await s.k.stop();
      };
      let s = await start();
      const key = (await s.kc.send(new CreateKeyCommand({}))).KeyMetadata;
      const managed = await createTable({ Enabled: true }, s.c);
      const customer = await createTable({ Enabled: true, SSEType: 'KMS', KMSMasterKeyId: key?.KeyId }, s.c);
      await s.c.send(new PutItemCommand({ TableName: customer, Item: { pk: { S: 'a' } } }));
      await s.kc.send(new DisableKeyCommand({ KeyId: key?.KeyId }));
      const since = (await s.c.send(new DescribeTableCommand({ TableName: customer }))).Table?.SSEDescription?.InaccessibleEncryptionDateTime;
      await s.c.send(new CreateBackupCommand({ TableName: managed, BackupName: 'kept' }));
      await stop(s);

      const file = join(dir, 'dynamodb', 'at-rest.json');
      expect(existsSync(file)).toBe(true);
      expect((JSON.parse(readFileSync(file, 'utf8')) as { format: string }).format).toBe('ddbec-local-dynamodb-at-rest');

      s = await start();
      const managedAfter = (await s.c.send(new DescribeTableCommand({ TableName: managed }))).Table;
      expect(managedAfter?.SSEDescription?.KMSMasterKeyArn).toBe(s.k.describeKey('alias/aws/dynamodb')?.arn);
      const customerAfter = (await s.c.send(new DescribeTableCommand({ TableName: customer }))).Table;
      expect(customerAfter?.TableStatus).toBe('INACCESSIBLE_ENCRYPTION_CREDENTIALS');
      expect(customerAfter?.SSEDescription?.InaccessibleEncryptionDateTime).toEqual(since);
      expect((await s.c.send(new ListBackupsCommand({}))).BackupSummaries?.map((b) => b.BackupName)).toEqual(['kept']);
      await s.kc.send(new EnableKeyCommand({ KeyId: key?.KeyId }));
      expect((await s.c.send(new GetItemCommand({ TableName: customer, Key: { pk: { S: 'a' } } }))).Item).toEqual({ pk: { S: 'a' } });
      await stop(s);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
