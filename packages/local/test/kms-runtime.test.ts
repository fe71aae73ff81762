import {
  CreateAliasCommand,
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  EnableKeyRotationCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  GetKeyRotationStatusCommand,
  KMSClient,
  ListAliasesCommand,
  ListKeyRotationsCommand,
  ListKeysCommand,
  ListResourceTagsCommand,
  ScheduleKeyDeletionCommand,
  TagResourceCommand,
  type KMSClientConfig,
} from '@aws-sdk/client-kms';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startLocalKms, type LocalKms, type LocalKmsOptions } from '../src/index.js';
import { expectKmsError } from './kms-support.js';

const DAY = 86_400_000;
const started: LocalKms[] = [];
const clients: KMSClient[] = [];
const dirs: string[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  for (const k of started.splice(0)) await k.stop();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function start(options: LocalKmsOptions = {}): Promise<LocalKms> {
  const kms = await startLocalKms(options);
  started.push(kms);
  return kms;
}

function clientOf(kms: LocalKms, config: Partial<KMSClientConfig> = {}): KMSClient {
  const c = new KMSClient({
    endpoint: kms.endpoint,
    region: kms.region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    ...config,
  });
  clients.push(c);
  return c;
}

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'ddbec-kms-'));
  dirs.push(d);
  return d;
}

async function newKeyId(client: KMSClient): Promise<string> {
  const id = (await client.send(new CreateKeyCommand({}))).KeyMetadata?.KeyId;
  if (id === undefined) throw new Error('no key id');
  return id;
}

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const text = (bytes: Uint8Array | undefined): string => new TextDecoder().decode(bytes);

describe('the AWS managed key alias/aws/dynamodb', () => {
  it('does not exist before first use; a request naming it creates it', async () => {
    const kms = await start();
    const client = clientOf(kms);
    expect((await client.send(new ListKeysCommand({}))).Keys).toEqual([]);
    expect((await client.send(new ListAliasesCommand({}))).Aliases).toEqual([]);
    expect(kms.keyState('alias/aws/dynamodb')).toBeUndefined();
    expect(kms.describeKey('alias/aws/dynamodb')).toBeUndefined();
    expect((await client.send(new ListAliasesCommand({}))).Aliases).toEqual([]);

    const out = await client.send(new EncryptCommand({ KeyId: 'alias/aws/dynamodb', Plaintext: utf8('table key') }));
    const { KeyMetadata } = await client.send(new DescribeKeyCommand({ KeyId: 'alias/aws/dynamodb' }));
    expect(out.KeyId).toBe(KeyMetadata?.Arn);
    expect(KeyMetadata).toMatchObject({
      KeyManager: 'AWS',
      Description: 'Default key that protects my DynamoDB tables when no other key is defined',
      KeySpec: 'SYMMETRIC_DEFAULT',
      KeyUsage: 'ENCRYPT_DECRYPT',
      KeyState: 'Enabled',
      Origin: 'AWS_KMS',
    });
    const keyId = KeyMetadata?.KeyId ?? '';
    expect(await client.send(new GetKeyRotationStatusCommand({ KeyId: keyId }))).toMatchObject({ KeyRotationEnabled: true, RotationPeriodInDays: 365 });
    expect((await client.send(new ListKeysCommand({}))).Keys?.map((k) => k.KeyId)).toEqual([keyId]);
    expect((await client.send(new ListAliasesCommand({}))).Aliases).toMatchObject([
      { AliasName: 'alias/aws/dynamodb', AliasArn: 'arn:aws:kms:us-east-1:111122223333:alias/aws/dynamodb', TargetKeyId: keyId },
    ]);
    expect(text((await client.send(new DecryptCommand({ CiphertextBlob: out.CiphertextBlob }))).Plaintext)).toBe('table key');
    // The same key from then on, in-process too.
    expect(kms.awsManagedKey('dynamodb')).toMatchObject({ keyId, keyManager: 'AWS', aliases: ['alias/aws/dynamodb'], rotationEnabled: true });
    expect((await client.send(new DescribeKeyCommand({ KeyId: 'arn:aws:kms:us-east-1:111122223333:alias/aws/dynamodb' }))).KeyMetadata?.KeyId).toBe(keyId);
    expect((await client.send(new ListKeysCommand({}))).Keys).toHaveLength(1);
  });

  it('is created by kms.awsManagedKey("dynamodb") and cannot be managed by the account', async () => {
    const kms = await start();
    const client = clientOf(kms, { maxAttempts: 1 });
    const key = kms.awsManagedKey('dynamodb');
    expect(key).toMatchObject({ keyManager: 'AWS', keyState: 'Enabled', enabled: true, keySpec: 'SYMMETRIC_DEFAULT' });
    expect(kms.awsManagedKey('dynamodb').keyId).toBe(key.keyId);
    expect(kms.keyState('alias/aws/dynamodb')).toBe('Enabled');
    expect((await client.send(new ListAliasesCommand({ KeyId: key.arn }))).Aliases?.map((a) => a.AliasName)).toEqual(['alias/aws/dynamodb']);
    await expectKmsError(client.send(new DisableKeyCommand({ KeyId: key.keyId })), 'AccessDeniedException');
    await expectKmsError(client.send(new ScheduleKeyDeletionCommand({ KeyId: key.arn })), 'AccessDeniedException');
    await expectKmsError(client.send(new TagResourceCommand({ KeyId: key.keyId, Tags: [{ TagKey: 'a', TagValue: 'b' }] })), 'AccessDeniedException');
    await expectKmsError(client.send(new EnableKeyRotationCommand({ KeyId: key.keyId })), 'AccessDeniedException');
    await expectKmsError(client.send(new CreateAliasCommand({ AliasName: 'alias/aws/dynamodb', TargetKeyId: key.keyId })), 'NotAuthorizedException');
    expect((await client.send(new ListResourceTagsCommand({ KeyId: key.keyId }))).Tags).toEqual([]);
    expect(() => kms.awsManagedKey('no-such-service')).toThrow(/no-such-service/);
    await expectKmsError(client.send(new DescribeKeyCommand({ KeyId: 'alias/aws/no-such-service' })), 'NotFoundException');
  });
});

describe('fault injection', () => {
  it('throttleEvery answers every N-th call with ThrottlingException (HTTP 400)', async () => {
    const kms = await start({ throttleEvery: 3 });
    const once = clientOf(kms, { maxAttempts: 1 });
    await once.send(new ListKeysCommand({}));
    await once.send(new ListKeysCommand({}));
    const error = await expectKmsError(once.send(new ListKeysCommand({})), 'ThrottlingException');
    expect(error.message).toMatch(/^Rate exceeded/);
    await once.send(new ListKeysCommand({}));
    await once.send(new ListKeysCommand({}));
    await expectKmsError(once.send(new ListKeysCommand({})), 'ThrottlingException');
    expect(kms.requests.map((r) => r.error)).toEqual([undefined, undefined, 'ThrottlingException', undefined, undefined, 'ThrottlingException']);
  });

  it('the SDK retries ThrottlingException by default, so calls eventually succeed', async () => {
    const kms = await start({ throttleEvery: 2 });
    const client = clientOf(kms);
    const keyId = await newKeyId(client); // call 1
    const out = await client.send(new EncryptCommand({ KeyId: keyId, Plaintext: utf8('x') })); // call 2 throttled, 3 succeeds
    expect(out.$metadata.attempts).toBe(2);
    expect(kms.requests.filter((r) => r.operation === 'Encrypt').map((r) => r.error)).toEqual(['ThrottlingException', undefined]);
  });

  it('setFaults changes throttling and latency at runtime; latency delays every response', async () => {
    const kms = await start({ latencyMs: 60 });
    expect(kms.faults).toEqual({ latencyMs: 60, throttleEvery: 0 });
    const once = clientOf(kms, { maxAttempts: 1 });
    let t0 = performance.now();
    await once.send(new ListKeysCommand({}));
    expect(performance.now() - t0).toBeGreaterThanOrEqual(60);

    kms.setFaults({ latencyMs: 150 });
    t0 = performance.now();
    await expectKmsError(once.send(new DescribeKeyCommand({ KeyId: 'alias/none' })), 'NotFoundException');
    expect(performance.now() - t0).toBeGreaterThanOrEqual(150);

    kms.setFaults({ latencyMs: 0, throttleEvery: 1 });
    expect(kms.faults).toEqual({ latencyMs: 0, throttleEvery: 1 });
    await expectKmsError(once.send(new ListKeysCommand({})), 'ThrottlingException');
    kms.setFaults({ throttleEvery: 0 });
    await once.send(new ListKeysCommand({}));
    expect(() => {
      kms.setFaults({ throttleEvery: -1 });
    }).toThrow(RangeError);
  });
});

describe('request recording', () => {
  it('records operation, key, encryption context and errors; resetRequests clears', async () => {
    let clock = Date.parse('2030-01-01T00:00:00Z');
    const kms = await start({ now: () => new Date(clock) });
    const client = clientOf(kms, { maxAttempts: 1 });
    const keyId = await newKeyId(client);
    await client.send(new CreateAliasCommand({ AliasName: 'alias/rec', TargetKeyId: keyId }));
    kms.resetRequests();
    expect(kms.requests).toEqual([]);

    clock += 1000;
    const context = { 'aws-crypto-ec:table': 'orders', purpose: 'wrap' };
    const { CiphertextBlob } = await client.send(new GenerateDataKeyCommand({ KeyId: 'alias/rec', KeySpec: 'AES_256', EncryptionContext: context }));
    await client.send(new DecryptCommand({ CiphertextBlob, EncryptionContext: context }));
    await expectKmsError(client.send(new DecryptCommand({ CiphertextBlob, EncryptionContext: { purpose: 'other' } })), 'InvalidCiphertextException');

    const arn = `arn:aws:kms:us-east-1:111122223333:key/${keyId}`;
    expect(kms.requests).toEqual([
      { operation: 'GenerateDataKey', keyId: 'alias/rec', keyArn: arn, encryptionContext: context, at: new Date(clock) },
      { operation: 'Decrypt', keyArn: arn, encryptionContext: context, at: new Date(clock) },
      { operation: 'Decrypt', keyArn: arn, encryptionContext: { purpose: 'other' }, error: 'InvalidCiphertextException', at: new Date(clock) },
    ]);
    kms.resetRequests();
    expect(kms.requests).toHaveLength(0);
  });
});

describe('the clock', () => {
  it('DeletionDate = now + window; once it passes the key, its aliases and its data are gone', async () => {
    const t0 = Date.parse('2031-03-01T12:00:00Z');
    const kms = await start({ now: () => new Date(t0) });
    const client = clientOf(kms, { maxAttempts: 1 });
    const keyId = await newKeyId(client);
    await client.send(new CreateAliasCommand({ AliasName: 'alias/doomed', TargetKeyId: keyId }));
    const { CiphertextBlob } = await client.send(new EncryptCommand({ KeyId: keyId, Plaintext: utf8('bye') }));
    const out = await client.send(new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: 7 }));
    expect(out.DeletionDate).toEqual(new Date(t0 + 7 * DAY));
    expect(kms.describeKey(keyId)?.deletionDate).toEqual(new Date(t0 + 7 * DAY));

    kms.advanceTime(7 * DAY - 1);
    expect(kms.keyState(keyId)).toBe('PendingDeletion');
    expect(kms.now()).toEqual(new Date(t0 + 7 * DAY - 1));
    kms.advanceTime(1);
    expect(kms.keyState(keyId)).toBe('Deleted');
    expect(kms.keyState(`arn:aws:kms:us-east-1:111122223333:key/${keyId}`)).toBe('Deleted');
    expect(kms.describeKey(keyId)).toBeUndefined();
    await expectKmsError(client.send(new DescribeKeyCommand({ KeyId: keyId })), 'NotFoundException');
    await expectKmsError(client.send(new DescribeKeyCommand({ KeyId: 'alias/doomed' })), 'NotFoundException');
    await expectKmsError(client.send(new DecryptCommand({ CiphertextBlob })), 'NotFoundException');
    expect((await client.send(new ListKeysCommand({}))).Keys).toEqual([]);
    expect((await client.send(new ListAliasesCommand({}))).Aliases).toEqual([]);
  });

  it('automatic rotation happens when its date passes; old ciphertexts still decrypt', async () => {
    const kms = await start();
    const client = clientOf(kms);
    const keyId = await newKeyId(client);
    const { CiphertextBlob } = await client.send(new EncryptCommand({ KeyId: keyId, Plaintext: utf8('v1'), EncryptionContext: { k: 'v' } }));
    await client.send(new EnableKeyRotationCommand({ KeyId: keyId, RotationPeriodInDays: 90 }));
    const before = await client.send(new GetKeyRotationStatusCommand({ KeyId: keyId }));
    kms.advanceTime(91 * DAY);
    const rotations = await client.send(new ListKeyRotationsCommand({ KeyId: keyId }));
    expect(rotations.Rotations).toHaveLength(1);
    expect(rotations.Rotations?.[0]).toMatchObject({ RotationType: 'AUTOMATIC', RotationDate: before.NextRotationDate });
    const after = await client.send(new GetKeyRotationStatusCommand({ KeyId: keyId }));
    expect(after.NextRotationDate?.getTime()).toBe((before.NextRotationDate?.getTime() ?? 0) + 90 * DAY);
    const plain = await client.send(new DecryptCommand({ CiphertextBlob, EncryptionContext: { k: 'v' } }));
    expect(text(plain.Plaintext)).toBe('v1');
    const fresh = await client.send(new EncryptCommand({ KeyId: keyId, Plaintext: utf8('v2') }));
    const freshPlain = await client.send(new DecryptCommand({ CiphertextBlob: fresh.CiphertextBlob }));
    expect(freshPlain.KeyMaterialId).toBe(rotations.Rotations?.[0]?.KeyMaterialId);
    expect(freshPlain.KeyMaterialId).not.toBe(plain.KeyMaterialId);
  });
});

describe('persistence', () => {
  it('a restart with the same dataDir keeps every key, alias, state, tag and rotation', async () => {
    const dataDir = join(tempDir(), 'nested', 'kms');
    let kms = await start({ dataDir, region: 'eu-west-1', accountId: '123456789012' });
    expect(kms.stateFile).toBe(join(dataDir, 'kms.json'));
    let client = clientOf(kms);
    const keyId = await newKeyId(client);
    expect((await client.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata?.Arn).toBe(`arn:aws:kms:eu-west-1:123456789012:key/${keyId}`);
    await client.send(new CreateAliasCommand({ AliasName: 'alias/kept', TargetKeyId: keyId }));
    await client.send(new TagResourceCommand({ KeyId: keyId, Tags: [{ TagKey: 'team', TagValue: 'data' }] }));
    await client.send(new EnableKeyRotationCommand({ KeyId: keyId, RotationPeriodInDays: 180 }));
    const { CiphertextBlob } = await client.send(new EncryptCommand({ KeyId: 'alias/kept', Plaintext: utf8('durable'), EncryptionContext: { a: 'b' } }));
    const disabledId = await newKeyId(client);
    await client.send(new DisableKeyCommand({ KeyId: disabledId }));
    const pendingId = await newKeyId(client);
    const { DeletionDate } = await client.send(new ScheduleKeyDeletionCommand({ KeyId: pendingId, PendingWindowInDays: 10 }));
    const managed = kms.awsManagedKey('dynamodb');
    const before = await client.send(new DescribeKeyCommand({ KeyId: keyId }));
    await kms.stop();

    const file = readFileSync(join(dataDir, 'kms.json'), 'utf8');
    expect(JSON.parse(file)).toMatchObject({ format: 'ddbec-local-kms', version: 1, region: 'eu-west-1', accountId: '123456789012' });
    expect(readdirSync(dataDir)).toEqual(['kms.json']); // no temp files left behind

    kms = await start({ dataDir }); // region and account come from the state file
    expect(kms.region).toBe('eu-west-1');
    client = clientOf(kms);
    expect((await client.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata).toEqual(before.KeyMetadata);
    expect(text((await client.send(new DecryptCommand({ CiphertextBlob, EncryptionContext: { a: 'b' } }))).Plaintext)).toBe('durable');
    expect((await client.send(new ListAliasesCommand({ KeyId: keyId }))).Aliases?.map((a) => a.AliasName)).toEqual(['alias/kept']);
    expect((await client.send(new ListResourceTagsCommand({ KeyId: keyId }))).Tags).toEqual([{ TagKey: 'team', TagValue: 'data' }]);
    expect(await client.send(new GetKeyRotationStatusCommand({ KeyId: keyId }))).toMatchObject({ KeyRotationEnabled: true, RotationPeriodInDays: 180 });
    expect(kms.keyState(disabledId)).toBe('Disabled');
    expect(kms.keyState(pendingId)).toBe('PendingDeletion');
    expect((await client.send(new DescribeKeyCommand({ KeyId: pendingId }))).KeyMetadata?.DeletionDate).toEqual(DeletionDate);
    expect(kms.awsManagedKey('dynamodb').keyId).toBe(managed.keyId);
    expect((await client.send(new ListKeysCommand({}))).Keys).toHaveLength(4);
  });

  it('refuses a dataDir that belongs to another region or account', async () => {
    const dataDir = tempDir();
    const kms = await start({ dataDir });
    await newKeyId(clientOf(kms));
    await kms.stop();
    await expect(startLocalKms({ dataDir, region: 'eu-west-1' })).rejects.toThrow(/us-east-1/);
    await expect(startLocalKms({ dataDir, accountId: '999999999999' })).rejects.toThrow(/111122223333/);
  });

  it('reports a corrupt or unreadable state file clearly and leaves it untouched', async () => {
    const dataDir = tempDir();
    const file = join(dataDir, 'kms.json');
    for (const content of ['{"format": "ddbec-local-kms", "version": 1, "keys": [', '{"format": "ddbec-local-kms", "version": 1, "keys": [{}]}', '[]', '']) {
      writeFileSync(file, content);
      const attempt = startLocalKms({ dataDir });
      await expect(attempt).rejects.toThrow(/kms\.json is unusable/);
      await expect(attempt).rejects.toThrow(/left untouched/);
      expect(readFileSync(file, 'utf8')).toBe(content);
    }
    rmSync(file);
    mkdirSync(file); // a directory where the file should be: cannot be read
    await expect(startLocalKms({ dataDir })).rejects.toThrow(/cannot be read/);
  });
});

describe('protocol', () => {
  async function post(kms: LocalKms, target: string | undefined, body: string): Promise<{ status: number; json: Record<string, unknown>; type: string | null }> {
    const headers: Record<string, string> = { 'content-type': 'application/x-amz-json-1.1' };
    if (target !== undefined) headers['x-amz-target'] = target;
    const res = await fetch(kms.endpoint, { method: 'POST', headers, body });
    return { status: res.status, json: (await res.json()) as Record<string, unknown>, type: res.headers.get('content-type') };
  }

  it('speaks AWS JSON 1.1 and requires X-Amz-Target', async () => {
    const kms = await start();
    const ok = await post(kms, 'TrentService.CreateKey', '{}');
    expect(ok.status).toBe(200);
    expect(ok.type).toBe('application/x-amz-json-1.1');
    expect(typeof (ok.json.KeyMetadata as Record<string, unknown>).CreationDate).toBe('number'); // epoch seconds
    expect(await post(kms, undefined, '{}')).toMatchObject({ status: 400, json: { __type: 'UnknownOperationException' } });
    expect(await post(kms, 'DynamoDB_20120810.ListTables', '{}')).toMatchObject({ status: 400, json: { __type: 'UnknownOperationException' } });
    expect(await post(kms, 'TrentService.Sign', '{}')).toMatchObject({ status: 400, json: { __type: 'UnknownOperationException' } });
    expect(await post(kms, 'TrentService.ListKeys', '{not json')).toMatchObject({ status: 400, json: { __type: 'SerializationException' } });
    expect(await post(kms, 'TrentService.Encrypt', '{"Plaintext": "AA=="}')).toMatchObject({
      status: 400,
      json: { __type: 'ValidationException', message: expect.stringContaining("'keyId'") as unknown },
    });
    expect(await post(kms, 'TrentService.Encrypt', '{"KeyId": "x", "Plaintext": "%%%"}')).toMatchObject({ status: 400, json: { __type: 'SerializationException' } });
  });
});
