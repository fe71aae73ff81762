// ddbec/at-rest through the real SDK against the local stack (dynalite front + local KMS).
import { GetItemCommand, PutItemCommand, UpdateTableCommand } from '@aws-sdk/client-dynamodb';
import { DisableKeyCommand, EnableKeyCommand, EnableKeyRotationCommand, ScheduleKeyDeletionCommand } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isDdbecError } from '../../src/index.js';
import { describeTableEncryption, isTableKeyInaccessibleError, setTableEncryption, type EncryptionTarget } from '../../src/at-rest/index.js';
import { createKey, createTable, DAY, startStack, type Stack } from './helpers.js';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
});

afterAll(async () => {
  await stack.stop();
});

async function refusal(promise: Promise<unknown>): Promise<{ code: string; message: string; cause: unknown }> {
  try {
    await promise;
  } catch (error) {
    if (!isDdbecError(error)) throw error;
    return { code: error.code, message: error.message, cause: error.cause };
  }
  throw new Error('expected a DdbecError');
}

describe('describeTableEncryption', () => {
  it('describes the AWS owned, AWS managed and customer managed keys', async () => {
    const key = await createKey(stack);
    await stack.kmsClient.send(new EnableKeyRotationCommand({ KeyId: key.id }));
    await createTable(stack, 'd-owned');
    await createTable(stack, 'd-managed', { Enabled: true });
    await createTable(stack, 'd-customer', { Enabled: true, SSEType: 'KMS', KMSMasterKeyId: key.id });

    const owned = await describeTableEncryption(stack.clients, 'd-owned');
    expect(owned).toMatchObject({ table: 'd-owned', region: 'us-east-1', tableStatus: 'ACTIVE', keyType: 'owned', inaccessible: false, archived: false });
    expect(owned.keyArn).toBeUndefined();
    expect(owned.sseStatus).toBeUndefined();

    const managed = await describeTableEncryption(stack.clients, 'd-managed');
    expect(managed).toMatchObject({ keyType: 'aws-managed', sseStatus: 'ENABLED', keyArn: stack.kms.awsManagedKey('dynamodb').arn });
    expect(managed.key).toMatchObject({ state: 'Enabled', manager: 'AWS', rotationEnabled: true });

    const customer = await describeTableEncryption(stack.clients, 'd-customer');
    expect(customer).toMatchObject({ keyType: 'customer-managed', sseStatus: 'ENABLED', keyArn: key.arn, inaccessible: false });
    expect(customer.key).toMatchObject({ arn: key.arn, keyId: key.id, state: 'Enabled', manager: 'CUSTOMER', keySpec: 'SYMMETRIC_DEFAULT', keyUsage: 'ENCRYPT_DECRYPT', rotationEnabled: true });
  });

  it('reports an inaccessible table with the date it became so and the archive date, then the archive', async () => {
    const key = await createKey(stack);
    await createTable(stack, 'd-disabled', { Enabled: true, SSEType: 'KMS', KMSMasterKeyId: key.id });
    await stack.kmsClient.send(new DisableKeyCommand({ KeyId: key.id }));
    const state = await describeTableEncryption(stack.clients, 'd-disabled');
    expect(state).toMatchObject({ tableStatus: 'INACCESSIBLE_ENCRYPTION_CREDENTIALS', inaccessible: true, archived: false, key: { state: 'Disabled', rotationEnabled: false } });
    expect(state.archiveAt?.getTime()).toBe((state.inaccessibleSince?.getTime() ?? 0) + 7 * DAY);

    const pending = await createKey(stack);
    await createTable(stack, 'd-pending', { Enabled: true, SSEType: 'KMS', KMSMasterKeyId: pending.arn });
    await stack.kmsClient.send(new ScheduleKeyDeletionCommand({ KeyId: pending.id, PendingWindowInDays: 30 }));
    const pendingState = await describeTableEncryption(stack.clients, 'd-pending');
    expect(pendingState.key?.state).toBe('PendingDeletion');
    expect(pendingState.key?.deletionDate).toBeInstanceOf(Date);
    expect(pendingState.inaccessible).toBe(true);

    // A data call fails with DynamoDB's KMS error, which isTableKeyInaccessibleError recognises.
    try {
      await stack.dynamodb.send(new GetItemCommand({ TableName: 'd-disabled', Key: { pk: { S: 'a' } } }));
      expect.unreachable();
    } catch (error) {
      expect(isTableKeyInaccessibleError(error)).toBe(true);
    }
    expect(isTableKeyInaccessibleError(new Error('KMS key disabled error'))).toBe(false);
  });

  it('rejects with ERR_TABLE_NOT_FOUND for a missing table, the SDK error as cause', async () => {
    const error = await refusal(describeTableEncryption(stack.clients, 'no-such-table'));
    expect(error.code).toBe('ERR_TABLE_NOT_FOUND');
    expect((error.cause as Error).name).toBe('ResourceNotFoundException');
  });
});

describe('setTableEncryption', () => {
  it('switches owned → customer managed → AWS managed → owned, idempotently', async () => {
    const table = await createTable(stack, 's-switch');
    await stack.dynamodb.send(new PutItemCommand({ TableName: table, Item: { pk: { S: 'a' }, v: { S: 'kept' } } }));
    const key = await createKey(stack);
    const steps: [EncryptionTarget, string, string | undefined][] = [
      [{ type: 'customer-managed', keyId: key.id }, 'customer-managed', key.arn],
      [{ type: 'aws-managed' }, 'aws-managed', stack.kms.awsManagedKey('dynamodb').arn],
      [{ type: 'owned' }, 'owned', undefined],
    ];
    for (const [target, keyType, keyArn] of steps) {
      stack.db.resetRequests();
      const result = await setTableEncryption(stack.clients, table, target, { pollIntervalMs: 10 });
      expect(result.changed).toBe(true);
      expect(result.after.keyType).toBe(keyType);
      expect(result.after.keyArn).toBe(keyArn);
      expect(stack.db.requests['UpdateTable']).toBe(1);
      // Again: nothing to do, nothing sent.
      stack.db.resetRequests();
      const again = await setTableEncryption(stack.clients, table, target, { pollIntervalMs: 10 });
      expect(again.changed).toBe(false);
      expect(stack.db.requests['UpdateTable']).toBeUndefined();
    }
    const { Item } = await stack.dynamodb.send(new GetItemCommand({ TableName: table, Key: { pk: { S: 'a' } } }));
    expect(Item?.['v']).toEqual({ S: 'kept' });
  });

  it('accepts an alias or ARN for the same key as already applied', async () => {
    const key = await createKey(stack);
    const table = await createTable(stack, 's-same', { Enabled: true, SSEType: 'KMS', KMSMasterKeyId: key.arn });
    stack.db.resetRequests();
    expect((await setTableEncryption(stack.clients, table, { type: 'customer-managed', keyId: key.id })).changed).toBe(false);
    expect(stack.db.requests['UpdateTable']).toBeUndefined();
  });

  it('refuses unusable keys before touching the table (no UpdateTable sent)', async () => {
    const table = await createTable(stack, 's-refuse');
    const disabled = await createKey(stack);
    await stack.kmsClient.send(new DisableKeyCommand({ KeyId: disabled.id }));
    const pending = await createKey(stack);
    await stack.kmsClient.send(new ScheduleKeyDeletionCommand({ KeyId: pending.id, PendingWindowInDays: 7 }));
    const rsa = await createKey(stack, { KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' });
    const hmac = await createKey(stack, { KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' });
    const s3 = stack.kms.awsManagedKey('s3');
    const cases: [string, RegExp][] = [
      [disabled.id, /is Disabled; a table encrypted with it would be inaccessible/],
      [pending.arn, /is PendingDeletion \(deletion on .*\)/],
      [rsa.id, /RSA_2048 key .*symmetric encryption key/],
      [hmac.id, /HMAC_256 key for GENERATE_VERIFY_MAC/],
      ['0b1d4d1e-0000-4000-8000-000000000000', /KMS does not know it/],
      ['alias/no-such-alias', /KMS does not know it/],
      [disabled.arn.replace('us-east-1', 'eu-west-1'), /in region eu-west-1 and the table in us-east-1/],
      [s3.arn, /AWS managed key/],
    ];
    stack.db.resetRequests();
    stack.kms.resetRequests();
    for (const [keyId, message] of cases) {
      const error = await refusal(setTableEncryption(stack.clients, table, { type: 'customer-managed', keyId }));
      expect({ keyId, code: error.code }).toEqual({ keyId, code: 'ERR_AT_REST_KEY_UNUSABLE' });
      expect(error.message).toMatch(message);
    }
    expect(stack.db.requests['UpdateTable']).toBeUndefined();
    // The other-region ARN is refused without asking KMS.
    expect(stack.kms.requests.filter((r) => r.operation === 'DescribeKey')).toHaveLength(cases.length - 1);
    expect((await describeTableEncryption(stack.clients, table)).keyType).toBe('owned');
  });

  it('refuses to change an inaccessible or archived table', async () => {
    const key = await createKey(stack);
    const other = await createKey(stack);
    const table = await createTable(stack, 's-inaccessible', { Enabled: true, SSEType: 'KMS', KMSMasterKeyId: key.id });
    await stack.kmsClient.send(new DisableKeyCommand({ KeyId: key.id }));
    stack.db.resetRequests();
    for (const target of [{ type: 'owned' }, { type: 'aws-managed' }, { type: 'customer-managed', keyId: other.id }] as const) {
      const error = await refusal(setTableEncryption(stack.clients, table, target));
      expect(error.code).toBe('ERR_AT_REST_TABLE_INACCESSIBLE');
      expect(error.message).toMatch(/EnableKey/);
    }
    expect(stack.db.requests['UpdateTable']).toBeUndefined();
    await stack.kmsClient.send(new EnableKeyCommand({ KeyId: key.id }));
    expect((await setTableEncryption(stack.clients, table, { type: 'customer-managed', keyId: other.arn })).after.keyArn).toBe(other.arn);
  });

  it('waits while DynamoDB applies the change, with a timeout', async () => {
    const slow = await startStack({ sseTransitionMs: 250 });
    try {
      const table = await createTable(slow, 'slow');
      const key = await createKey(slow);
      slow.db.resetRequests();
      const started = Date.now();
      const result = await setTableEncryption(slow.clients, table, { type: 'customer-managed', keyId: key.id }, { pollIntervalMs: 50 });
      expect(Date.now() - started).toBeGreaterThanOrEqual(200);
      expect(result.after).toMatchObject({ keyType: 'customer-managed', sseStatus: 'ENABLED', keyArn: key.arn });
      expect(slow.db.requests['DescribeTable']).toBeGreaterThan(2);

      const timeout = await refusal(setTableEncryption(slow.clients, table, { type: 'owned' }, { pollIntervalMs: 20, timeoutMs: 60 }));
      expect(timeout.code).toBe('ERR_AT_REST_TIMEOUT');
      // A call made while a change is in progress waits for it first.
      const next = await setTableEncryption(slow.clients, table, { type: 'aws-managed' }, { pollIntervalMs: 50 });
      expect(next.before.keyType).toBe('owned');
      expect(next.after.keyType).toBe('aws-managed');

      const noWait = await setTableEncryption(slow.clients, table, { type: 'owned' }, { wait: false });
      expect(noWait.after.sseStatus).toBe('UPDATING');
    } finally {
      await slow.stop();
    }
  });

  it('validates its arguments and maps DynamoDB refusals', async () => {
    expect((await refusal(setTableEncryption(stack.clients, '', { type: 'owned' }))).code).toBe('ERR_INVALID_ARGUMENT');
    expect((await refusal(setTableEncryption(stack.clients, 'x', { type: 'nope' } as unknown as EncryptionTarget))).code).toBe('ERR_INVALID_ARGUMENT');
    expect((await refusal(setTableEncryption(stack.clients, 'x', { type: 'customer-managed', keyId: ' ' }))).code).toBe('ERR_INVALID_ARGUMENT');
    expect((await refusal(setTableEncryption(stack.clients, 'no-such-table', { type: 'owned' }))).code).toBe('ERR_TABLE_NOT_FOUND');
    // Something else touching the table at the same time: the SDK error is the cause.
    const slow = await startStack({ sseTransitionMs: 10_000 });
    try {
      const table = await createTable(slow, 'busy');
      await slow.dynamodb.send(new UpdateTableCommand({ TableName: table, SSESpecification: { Enabled: true } }));
      const error = await refusal(setTableEncryption(slow.clients, table, { type: 'owned' }, { pollIntervalMs: 20, timeoutMs: 50 }));
      expect(error.code).toBe('ERR_AT_REST_TIMEOUT');
    } finally {
      await slow.stop();
    }
  });
});
