// Which failures an application may retry: every KMS exception and every DynamoDB failure of the
// MetaStore maps to a code and a `retryable` flag — tested through the real SDK clients against
// the local KMS and DynamoDB (fault injection), a closed port, a request timeout, and an endpoint
// that answers with the AWS error of each exception the local services cannot produce.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  DynamoDBClient,
  GetItemCommand,
  ProvisionedThroughputExceededException,
  PutItemCommand,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import {
  CreateKeyCommand,
  DependencyTimeoutException,
  DisabledException,
  IncorrectKeyException,
  InvalidCiphertextException,
  KeyUnavailableException,
  KMSClient,
  KMSInternalException,
  KMSInvalidStateException,
  KMSServiceException,
  LimitExceededException,
  NotFoundException,
  ScheduleKeyDeletionCommand,
  type KMSClientConfig,
} from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorResponse, startLocalDynamoDB, startLocalKms, type FrontHandler, type LocalDynamoDB, type LocalKms } from '../../../local/src/index.js';
import {
  AttributeActions,
  DdbecError,
  isDdbecError,
  isRetryable,
  ItemEncryptor,
  MATERIAL_DESCRIPTION_ATTRIBUTE,
  SecretKey,
  StaticMaterialsProvider,
  type CryptoConfig,
  type DdbecErrorCode,
  type Item,
} from '../../src/index.js';
import { decodeMaterialDescription, encodeMaterialDescription } from '../../src/format/index.js';
import { MetaStore, MostRecentProvider } from '../../src/metastore/index.js';
import { DirectKmsMaterialsProvider } from '../../src/providers/direct-kms/index.js';
import { decryptionFailures, EncryptedDynamoDBClient } from '../../src/sdk/index.js';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const config: CryptoConfig = {
  encryptionContext: { tableName: 'orders', partitionKeyName: 'id' },
  attributeActions: new AttributeActions().withKeyAttributes('id'),
};
const ITEM: Item = { id: { S: 'order-1' }, card: { S: '4242' } };

/** An endpoint that answers every request with one AWS JSON error (as AWS sends it), set per test. */
let fault = { status: 500, type: 'KMSInternalException' };
let faultServer: Server;
let faultEndpoint: string;
/** A port nothing listens on. */
let closedPort: number;

let kms: LocalKms;
let kmsClient: KMSClient;
let keyArn: string;
let stored: Item;

const newKmsClient = (endpoint: string, extra: Partial<KMSClientConfig> = {}): KMSClient =>
  new KMSClient({ endpoint, region: 'us-east-1', credentials, ...extra });
const providerFor = (client: KMSClient, keyId = keyArn): DirectKmsMaterialsProvider => new DirectKmsMaterialsProvider({ kmsClient: client, keyId });
const newKey = async (): Promise<string> => (await kmsClient.send(new CreateKeyCommand({}))).KeyMetadata?.Arn ?? '';

async function failure(promise: Promise<unknown>): Promise<DdbecError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isDdbecError(error)) throw new Error(`expected a DdbecError, got ${String(error)}`);
  return error;
}

/** Encrypting and decrypting ITEM with this client both fail with these codes; returns both errors. */
async function expectKmsFailure(client: KMSClient, codes: { encrypt: DdbecErrorCode; decrypt: DdbecErrorCode }, keyId = keyArn): Promise<DdbecError[]> {
  const encryptor = new ItemEncryptor({ materialsProvider: providerFor(client, keyId) });
  const encrypt = await failure(encryptor.encryptItem(ITEM, config));
  const decrypt = await failure(encryptor.decryptItem(stored, config));
  expect([encrypt.code, decrypt.code]).toEqual([codes.encrypt, codes.decrypt]);
  for (const error of [encrypt, decrypt]) {
    expect(error.retryable).toBe(codes.encrypt.startsWith('ERR_KMS_'));
    expect(isRetryable(error)).toBe(error.retryable);
  }
  return [encrypt, decrypt];
}

beforeAll(async () => {
  faultServer = createServer((_request, response) => {
    response.writeHead(fault.status, { 'content-type': 'application/x-amz-json-1.1' });
    response.end(JSON.stringify({ __type: fault.type, message: `injected ${fault.type}` }));
  });
  await new Promise<void>((resolve) => faultServer.listen(0, '127.0.0.1', resolve));
  faultEndpoint = `http://127.0.0.1:${(faultServer.address() as AddressInfo).port}`;
  const unused = createServer();
  await new Promise<void>((resolve) => unused.listen(0, '127.0.0.1', resolve));
  closedPort = (unused.address() as AddressInfo).port;
  await new Promise((resolve) => unused.close(resolve));

  kms = await startLocalKms();
  kmsClient = newKmsClient(kms.endpoint);
  keyArn = await newKey();
  stored = await new ItemEncryptor({ materialsProvider: providerFor(kmsClient) }).encryptItem(ITEM, config);
});
afterAll(async () => {
  kmsClient.destroy();
  await Promise.all([kms.stop(), new Promise((resolve) => faultServer.close(resolve))]);
});

describe('DdbecError.retryable and isRetryable', () => {
  it('is true exactly for the transient codes, and kept when an error is re-raised with its code', () => {
    expect(new DdbecError('ERR_KMS_THROTTLED', 'x').retryable).toBe(true);
    expect(new DdbecError('ERR_KMS_UNAVAILABLE', 'x').retryable).toBe(true);
    expect(new DdbecError('ERR_METASTORE_THROTTLED', 'x').retryable).toBe(true);
    expect(new DdbecError('ERR_METASTORE_UNAVAILABLE', 'x').retryable).toBe(true);
    for (const code of ['ERR_UNWRAPPING_FAILED', 'ERR_WRAPPING_FAILED', 'ERR_SIGNATURE_INVALID', 'ERR_MATERIALS_UNAVAILABLE'] as const) {
      expect(new DdbecError(code, 'x').retryable).toBe(false);
    }
  });

  it('classifies the AWS SDK errors that ddbec/sdk passes on unchanged, and nothing else', () => {
    const $metadata = { httpStatusCode: 400 };
    expect(isRetryable(new ProvisionedThroughputExceededException({ message: 'x', $metadata }))).toBe(true);
    expect(isRetryable(new ConditionalCheckFailedException({ message: 'x', $metadata }))).toBe(false);
    expect(isRetryable(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toBe(true);
    for (const value of [undefined, null, 'ThrottlingException', new Error('ThrottlingException'), { name: 42 }]) {
      expect(isRetryable(value)).toBe(false);
    }
  });
});

describe('DirectKmsMaterialsProvider: permanent KMS failures (local KMS; disabled and wrong keys: direct-kms.test.ts)', () => {
  it('a key pending deletion: KMSInvalidStateException', async () => {
    const key = await newKey();
    const item = await new ItemEncryptor({ materialsProvider: providerFor(kmsClient, key) }).encryptItem(ITEM, config);
    await kmsClient.send(new ScheduleKeyDeletionCommand({ KeyId: key, PendingWindowInDays: 7 }));
    const encryptor = new ItemEncryptor({ materialsProvider: providerFor(kmsClient, key) });
    const decrypt = await failure(encryptor.decryptItem(item, config));
    expect([decrypt.code, decrypt.retryable]).toEqual(['ERR_UNWRAPPING_FAILED', false]);
    expect(decrypt.cause).toHaveProperty('name', 'KMSInvalidStateException');
    expect(await failure(encryptor.encryptItem(ITEM, config))).toMatchObject({ code: 'ERR_WRAPPING_FAILED', retryable: false });
  });

  it('an unknown key: NotFoundException', async () => {
    const unknown = 'arn:aws:kms:us-east-1:111122223333:key/00000000-0000-4000-8000-000000000000';
    const [encrypt] = await expectKmsFailure(kmsClient, { encrypt: 'ERR_WRAPPING_FAILED', decrypt: 'ERR_UNWRAPPING_FAILED' }, unknown);
    expect(encrypt?.cause).toHaveProperty('name', 'NotFoundException');
  });

  it('a tampered data-key envelope: InvalidCiphertextException', async () => {
    const description = decodeMaterialDescription((stored[MATERIAL_DESCRIPTION_ATTRIBUTE] as { B: Uint8Array }).B);
    const envelope = Buffer.from(description.get('amzn-ddb-env-key') ?? '', 'base64');
    envelope.writeUInt8(envelope.readUInt8(envelope.length - 1) ^ 1, envelope.length - 1);
    description.set('amzn-ddb-env-key', envelope.toString('base64'));
    const tampered = { ...stored, [MATERIAL_DESCRIPTION_ATTRIBUTE]: { B: encodeMaterialDescription(description) } };
    const error = await failure(new ItemEncryptor({ materialsProvider: providerFor(kmsClient) }).decryptItem(tampered, config));
    expect([error.code, error.retryable, (error.cause as Error).name]).toEqual(['ERR_UNWRAPPING_FAILED', false, 'InvalidCiphertextException']);
  });
});

describe('DirectKmsMaterialsProvider: transient KMS failures', () => {
  it('ThrottlingException that outlives the SDK retries (local KMS throttleEvery): ERR_KMS_THROTTLED; the item reads once KMS recovers', async () => {
    const client = newKmsClient(kms.endpoint, { maxAttempts: 2 });
    kms.setFaults({ throttleEvery: 1 });
    kms.resetRequests();
    try {
      const [encrypt] = await expectKmsFailure(client, { encrypt: 'ERR_KMS_THROTTLED', decrypt: 'ERR_KMS_THROTTLED' });
      expect(encrypt?.cause).toHaveProperty('name', 'ThrottlingException');
      expect(encrypt?.message).toContain('after 2 attempts');
      expect(kms.requests.map((r) => [r.operation, r.error])).toEqual([
        ['GenerateDataKey', 'ThrottlingException'],
        ['GenerateDataKey', 'ThrottlingException'],
        ['Decrypt', 'ThrottlingException'],
        ['Decrypt', 'ThrottlingException'],
      ]);
    } finally {
      kms.setFaults({ throttleEvery: 0 });
    }
    expect(await new ItemEncryptor({ materialsProvider: providerFor(client) }).decryptItem(stored, config)).toEqual(ITEM);
    client.destroy();
  });

  it('a request timeout (local KMS latency, requestHandler requestTimeout): ERR_KMS_UNAVAILABLE', async () => {
    const client = newKmsClient(kms.endpoint, { maxAttempts: 1, requestHandler: { requestTimeout: 20, throwOnRequestTimeout: true } });
    kms.setFaults({ latencyMs: 2_000 });
    try {
      const [encrypt] = await expectKmsFailure(client, { encrypt: 'ERR_KMS_UNAVAILABLE', decrypt: 'ERR_KMS_UNAVAILABLE' });
      expect(encrypt?.cause).toHaveProperty('name', 'TimeoutError');
    } finally {
      kms.setFaults({ latencyMs: 0 });
      client.destroy();
    }
  });

  it('a network error (connection refused): ERR_KMS_UNAVAILABLE', async () => {
    const client = newKmsClient(`http://127.0.0.1:${closedPort}`, { maxAttempts: 1 });
    const [encrypt] = await expectKmsFailure(client, { encrypt: 'ERR_KMS_UNAVAILABLE', decrypt: 'ERR_KMS_UNAVAILABLE' });
    expect(encrypt?.cause).toHaveProperty('code', 'ECONNREFUSED');
    client.destroy();
  });
});

describe('DirectKmsMaterialsProvider: every KMS exception, as the SDK builds it from the AWS answer', () => {
  it.each([
    ['ThrottlingException', 400, 'ERR_KMS_THROTTLED', 'ERR_KMS_THROTTLED', KMSServiceException],
    ['LimitExceededException', 400, 'ERR_KMS_THROTTLED', 'ERR_KMS_THROTTLED', LimitExceededException],
    ['KMSInternalException', 500, 'ERR_KMS_UNAVAILABLE', 'ERR_KMS_UNAVAILABLE', KMSInternalException],
    ['DependencyTimeoutException', 503, 'ERR_KMS_UNAVAILABLE', 'ERR_KMS_UNAVAILABLE', DependencyTimeoutException],
    ['KeyUnavailableException', 500, 'ERR_KMS_UNAVAILABLE', 'ERR_KMS_UNAVAILABLE', KeyUnavailableException],
    ['ServiceUnavailable', 503, 'ERR_KMS_UNAVAILABLE', 'ERR_KMS_UNAVAILABLE', KMSServiceException],
    ['AccessDeniedException', 400, 'ERR_WRAPPING_FAILED', 'ERR_UNWRAPPING_FAILED', KMSServiceException],
    ['DisabledException', 400, 'ERR_WRAPPING_FAILED', 'ERR_UNWRAPPING_FAILED', DisabledException],
    ['NotFoundException', 400, 'ERR_WRAPPING_FAILED', 'ERR_UNWRAPPING_FAILED', NotFoundException],
    ['KMSInvalidStateException', 400, 'ERR_WRAPPING_FAILED', 'ERR_UNWRAPPING_FAILED', KMSInvalidStateException],
    ['IncorrectKeyException', 400, 'ERR_WRAPPING_FAILED', 'ERR_UNWRAPPING_FAILED', IncorrectKeyException],
    ['InvalidCiphertextException', 400, 'ERR_WRAPPING_FAILED', 'ERR_UNWRAPPING_FAILED', InvalidCiphertextException],
  ] as const)('%s (HTTP %i) → %s / %s', async (type, status, encrypt, decrypt, errorClass) => {
    fault = { status, type };
    const client = newKmsClient(faultEndpoint, { maxAttempts: 1 });
    const errors = await expectKmsFailure(client, { encrypt, decrypt });
    for (const error of errors) {
      expect(error.cause).toBeInstanceOf(errorClass);
      expect(error.cause).toHaveProperty('name', type);
      expect(error.message).toContain(type);
    }
    client.destroy();
  });
});

describe('MetaStore: DynamoDB failures of the key table', () => {
  const tableName = 'ddbec-keys';
  /** Set to make the local DynamoDB answer every read with this error. */
  let readFault: { type: string; status: number } | undefined;
  const faulty: FrontHandler = (request, context) => (readFault ? Promise.resolve(errorResponse(readFault.type, 'injected', readFault.status)) : context.forward(request));
  let db: LocalDynamoDB;
  let ddb: DynamoDBClient;
  const inner = new StaticMaterialsProvider({ encryptionKey: SecretKey.generate('AES', 256), signingKey: SecretKey.generate('HmacSHA256', 256) });
  let item: Item;

  beforeAll(async () => {
    db = await startLocalDynamoDB({ handlers: { GetItem: faulty, Query: faulty } });
    ddb = new DynamoDBClient({ endpoint: db.endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });
    await MetaStore.createTable(ddb, tableName, { pollMs: 10 });
    const store = new MetaStore({ client: ddb, tableName, materialsProvider: inner });
    item = await new ItemEncryptor({ materialsProvider: new MostRecentProvider({ store, materialName: 'orders', ttlMs: 60_000 }) }).encryptItem(ITEM, config);
  });
  afterAll(async () => {
    ddb.destroy();
    await db.stop();
  });

  /** A fresh reader (cold cache) decrypting the item through a MetaStore on `client`. */
  const read = (client: DynamoDBClient): Promise<DdbecError> => {
    const store = new MetaStore({ client, tableName, materialsProvider: inner });
    return failure(new ItemEncryptor({ materialsProvider: new MostRecentProvider({ store, materialName: 'orders', ttlMs: 60_000 }) }).decryptItem(item, config));
  };

  it.each([
    ['ProvisionedThroughputExceededException', 400, 'ERR_METASTORE_THROTTLED'],
    ['RequestLimitExceeded', 400, 'ERR_METASTORE_THROTTLED'],
    ['ThrottlingException', 400, 'ERR_METASTORE_THROTTLED'],
    ['InternalServerError', 500, 'ERR_METASTORE_UNAVAILABLE'],
    ['ServiceUnavailable', 503, 'ERR_METASTORE_UNAVAILABLE'],
    ['ResourceNotFoundException', 400, 'ERR_MATERIALS_UNAVAILABLE'],
    ['AccessDeniedException', 400, 'ERR_MATERIALS_UNAVAILABLE'],
  ] as const)('%s (HTTP %i) → %s', async (type, status, code) => {
    readFault = { type, status };
    try {
      const error = await read(ddb);
      expect([error.code, error.retryable]).toEqual([code, code !== 'ERR_MATERIALS_UNAVAILABLE']);
      expect(error.cause).toHaveProperty('name', type);
      expect(error.message).toContain(`MetaStore table "${tableName}"`);
    } finally {
      readFault = undefined;
    }
  });

  it('a network error (connection refused): ERR_METASTORE_UNAVAILABLE', async () => {
    const unreachable = new DynamoDBClient({ endpoint: `http://127.0.0.1:${closedPort}`, region: 'us-east-1', credentials, maxAttempts: 1 });
    const error = await read(unreachable);
    expect([error.code, error.retryable]).toEqual(['ERR_METASTORE_UNAVAILABLE', true]);
    expect(error.cause).toHaveProperty('code', 'ECONNREFUSED');
    unreachable.destroy();
  });
});

describe('EncryptedDynamoDBClient passes the flag on unchanged', () => {
  let db: LocalDynamoDB;
  let plain: DynamoDBClient;

  beforeAll(async () => {
    db = await startLocalDynamoDB();
    plain = new DynamoDBClient({ endpoint: db.endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });
    await plain.send(
      new CreateTableCommand({
        TableName: 'orders',
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  });
  afterAll(async () => {
    plain.destroy();
    await db.stop();
  });

  it('on a write, a read, and in the failures of a report-mode scan', async () => {
    const once = newKmsClient(kms.endpoint, { maxAttempts: 1 });
    const table = { materialsProvider: providerFor(once), attributeActions: config.attributeActions, keySchema: { partitionKey: 'id' } };
    const client = EncryptedDynamoDBClient.from(plain, { tables: { orders: table } });
    const reporting = EncryptedDynamoDBClient.from(plain, { tables: { orders: table }, decryptionFailures: 'report' });
    const key = { id: { S: 'order-1' } };
    await client.send(new PutItemCommand({ TableName: 'orders', Item: ITEM }));
    kms.setFaults({ throttleEvery: 1 });
    try {
      const put = await failure(client.send(new PutItemCommand({ TableName: 'orders', Item: { ...ITEM, id: { S: 'order-2' } } })));
      const get = await failure(client.send(new GetItemCommand({ TableName: 'orders', Key: key })));
      for (const error of [put, get]) expect([error.code, error.retryable, isRetryable(error)]).toEqual(['ERR_KMS_THROTTLED', true, true]);
      const [reported] = decryptionFailures(await reporting.send(new ScanCommand({ TableName: 'orders' })));
      expect(reported?.error).toMatchObject({ code: 'ERR_KMS_THROTTLED', retryable: true });
    } finally {
      kms.setFaults({ throttleEvery: 0 });
    }
    expect((await client.send(new GetItemCommand({ TableName: 'orders', Key: key }))).Item).toEqual(ITEM);
    once.destroy();
  });
});
