// DB-ESDK tables in ddbec.config.json: validation (errors name the JSON path), loading (raw AES
// keyring, legacy override with a legacy provider), and the table in the SDK integration.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutItemCommand, GetItemCommand, CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { startLocalDynamoDB, startLocalKms } from '../../../local/src/index.js';
import { SecretKey } from '../../src/index.js';
import { DynamoDbBranchKeyStore } from '../../src/keyrings/branch-key-store/index.js';
import { EncryptedDynamoDBClient } from '../../src/sdk/index.js';
import { ddbClientFor, kmsClientFor, newKmsKey } from '../keyrings/support.js';
import { formatSecretKeyFile, isConfigError, loadConfig, type LoadConfigOptions } from '../../src/config/index.js';
import { DynamoDbItemEncryptor } from '../../src/sdk/index.js';

const dir = mkdtempSync(join(tmpdir(), 'ddbec-dbesdk-config-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});
writeFileSync(join(dir, 'new.aes'), formatSecretKeyFile(SecretKey.generate('AES', 256)));
writeFileSync(join(dir, 'old.aes'), formatSecretKeyFile(SecretKey.generate('AES', 256)));
writeFileSync(join(dir, 'old.hmac'), formatSecretKeyFile(SecretKey.generate('HmacSHA256', 256)));
const options: LoadConfigOptions = { baseDir: dir };

function table(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    partitionKey: 'id',
    attributeActionsOnEncrypt: { id: 'SIGN_ONLY', secret: 'ENCRYPT_AND_SIGN', seen: 'DO_NOTHING' },
    allowedUnsignedAttributes: ['seen'],
    keyring: { type: 'raw-aes', keyNamespace: 'acme', keyName: 'k1', wrappingKey: { file: 'new.aes' } },
    ...overrides,
  };
}
const legacyOverride = { policy: 'FORBID_LEGACY_ENCRYPT_ALLOW_LEGACY_DECRYPT', provider: { type: 'wrapped', wrappingKey: { file: 'old.aes' }, signingKey: { file: 'old.hmac' } } };

async function issuesOf(document: unknown): Promise<{ path: string; message: string }[]> {
  try {
    await loadConfig(document as object, options);
  } catch (error) {
    if (!isConfigError(error)) throw error;
    return [...error.issues];
  }
  throw new Error('the configuration was accepted');
}

describe('DB-ESDK tables in the configuration file', () => {
  it('loads a table with a raw AES keyring and a legacy override, beside a legacy table', async () => {
    const config = await loadConfig(
      { tables: { orders: table({ tableName: 'orders-prod', legacyOverride, algorithmSuiteId: '0x6700' }), plain: { partitionKey: 'id', attributeActions: { default: 'DO_NOTHING' } } } },
      options,
    );
    const orders = config.dbesdkTable('orders');
    expect(orders).toMatchObject({ format: 'dbesdk', tableName: 'orders-prod', partitionKey: 'id', keyringType: 'raw-aes' });
    expect(orders.config).toMatchObject({ logicalTableName: 'orders-prod', partitionKeyName: 'id', algorithmSuiteId: 0x6700 });
    expect(orders.encryptor).toBeInstanceOf(DynamoDbItemEncryptor);
    expect(orders.encryptor.writeFormat).toBe('dbesdk');
    expect(config.encryptionConfig.tables['orders-prod']).toBe(orders.config);
    // a round trip through the loaded encryptor
    const item = { id: { S: 'o-1' }, secret: { S: 's' }, seen: { N: '1' } };
    expect(await orders.encryptor.decryptItem(await orders.encryptor.encryptItem(item))).toEqual(item);
    expect(() => config.table('orders')).toThrow(/is a table in the DB-ESDK format/);
    expect(() => config.dbesdkTable('plain')).toThrow(/is a table in the legacy format/);
  });

  it.each([
    ['a key attribute not SIGN_ONLY', table({ attributeActionsOnEncrypt: { id: 'ENCRYPT_AND_SIGN' } }), 'tables.orders.attributeActionsOnEncrypt.id', 'must be SIGN_ONLY or SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT'],
    ['both overrides', table({ legacyOverride, plaintextOverride: 'FORBID_PLAINTEXT_WRITE_ALLOW_PLAINTEXT_READ' }), 'tables.orders.plaintextOverride', 'cannot be given together with legacyOverride'],
    ['an unknown policy', table({ plaintextOverride: 'ALLOW' }), 'tables.orders.plaintextOverride', 'must be one of'],
    ['a keyring without its key', table({ keyring: { type: 'raw-aes', keyNamespace: 'a', keyName: 'b' } }), 'tables.orders.keyring.wrappingKey', 'is required'],
    ['an unknown keyring', table({ keyring: { type: 'rot13' } }), 'tables.orders.keyring.type', 'must be one of'],
    ['a reserved attribute name', table({ attributeActionsOnEncrypt: { id: 'SIGN_ONLY', aws_dbe_x: 'SIGN_ONLY' } }), 'tables.orders.attributeActionsOnEncrypt.aws_dbe_x', 'reserved'],
    ['a legacy override whose provider lacks a key', table({ legacyOverride: { ...legacyOverride, provider: { type: 'wrapped', wrappingKey: { file: 'old.aes' } } } }), 'tables.orders.legacyOverride.provider.signingKey', 'is required'],
    ['a DO_NOTHING attribute not allowed unsigned', table({ allowedUnsignedAttributes: [] }), 'tables.orders', 'allowedUnsignedAttributes'],
    ['beacons without a hierarchical keyring', table({ search: { keySource: { single: { keyId: 'k' } }, standardBeacons: [{ name: 'secret', length: 8 }] } }), 'tables.orders.search', 'needs a hierarchical keyring'],
    ['a beacon without its length', table({ search: { keySource: { single: { keyId: 'k' } }, standardBeacons: [{ name: 'secret' }] } }), 'tables.orders.search.standardBeacons[0].length', 'is required'],
    ['a key source of both kinds', table({ search: { keySource: { single: { keyId: 'k' }, multi: { keyFieldName: 'tenant' } }, standardBeacons: [] } }), 'tables.orders.search.keySource', ''],
    ['an unknown virtual transform', table({ search: { keySource: { single: { keyId: 'k' } }, standardBeacons: [], virtualFields: [{ name: 'v', parts: [{ loc: 'secret', trans: [{ reverse: {} }] }] }] } }), 'tables.orders.search.virtualFields[0].parts[0].trans[0]', ''],
  ])('%s is reported at its JSON path', async (_name, entry, path, message) => {
    const issues = await issuesOf({ tables: { orders: entry } });
    expect(issues.find((issue) => issue.path === path)?.message, JSON.stringify(issues)).toContain(message);
  });

  it('loads beacons over the hierarchical keyring’s key store, and reports an invalid beacon at tables.<name>.search', async () => {
    const clients = { dynamoDBClient: ddbClientFor('http://127.0.0.1:1'), kmsClient: kmsClientFor('http://127.0.0.1:1') };
    const people = (search: Record<string, unknown>): Record<string, unknown> => ({
      partitionKey: 'id',
      attributeActionsOnEncrypt: { id: 'SIGN_ONLY', email: 'ENCRYPT_AND_SIGN', tenant: 'SIGN_ONLY', city: 'SIGN_ONLY' },
      keyring: { type: 'hierarchical', branchKeyId: 'bk', keyStore: { tableName: 'branch-keys', kmsKeyArn: 'arn:aws:kms:us-east-1:111122223333:key/k' }, cacheTtlSeconds: 60 },
      search,
    });
    const search = {
      keySource: { multi: { keyFieldName: 'tenant', maxCacheSize: 10 } },
      standardBeacons: [{ name: 'email', length: 10, style: { asSet: {} } }],
      compoundBeacons: [{ name: 'Where', split: '.', signed: [{ name: 'city', prefix: 'C-' }] }],
      maximumNumberOfPartitions: 4,
    };
    const config = await loadConfig({ tables: { people: people(search) } }, { ...options, ...clients });
    const loaded = config.dbesdkTable('people').config.search?.versions[0];
    expect(loaded).toMatchObject({ version: 1, keySource: { multi: { keyFieldName: 'tenant', maxCacheSize: 10, cacheTTL: 60 } }, maximumNumberOfPartitions: 4, standardBeacons: search.standardBeacons });
    expect(loaded?.keyStore).toBeInstanceOf(DynamoDbBranchKeyStore);
    // the loaded encryptor knows the signed beacon
    expect(config.dbesdkTable('people').encryptor.actionOf('Where')).toBe('SIGN_ONLY');
    let reported: { path: string; message: string }[] = [];
    try {
      await loadConfig({ tables: { people: people({ keySource: { single: { keyId: 'bk' } }, standardBeacons: [{ name: 'email', length: 64 }] }) } }, { ...options, ...clients });
    } catch (error) {
      if (!isConfigError(error)) throw error;
      reported = [...error.issues];
    }
    expect(reported.map((issue) => issue.path)).toEqual(['tables.people.search']);
  });

  it('a legacy table missing its partition key is still reported as a legacy table', async () => {
    const issues = await issuesOf({ tables: { orders: { attributeActions: { default: 'SIGN_ONLY' }, provider: legacyOverride.provider } } });
    expect(issues).toContainEqual({ path: 'tables.orders.partitionKey', message: expect.stringContaining('required') as unknown });
  });
});

describe('hierarchical and AWS KMS keyrings from the configuration file, on the local stack', () => {
  it('reads its branch key from the store table (protected by the local KMS) and round-trips items through the SDK client', { timeout: 60_000 }, async () => {
    const [dynamodb, kms] = await Promise.all([startLocalDynamoDB(), startLocalKms()]);
    const ddb = ddbClientFor(dynamodb.endpoint);
    const kmsClient = kmsClientFor(kms.endpoint);
    try {
      const kmsKeyArn = await newKmsKey(kmsClient);
      const store = new DynamoDbBranchKeyStore({ ddbClient: ddb, kmsClient, tableName: 'branch-keys', logicalKeyStoreName: 'branch-keys', kmsConfiguration: { kmsKeyArn } });
      await store.createKeyStore();
      const { branchKeyIdentifier } = await store.createKey();
      for (const name of ['orders', 'payments']) {
        await ddb.send(new CreateTableCommand({ TableName: name, AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }], BillingMode: 'PAY_PER_REQUEST' }));
      }
      const config = await loadConfig(
        {
          tables: {
            orders: table({ keyring: { type: 'hierarchical', branchKeyId: branchKeyIdentifier, keyStore: { tableName: 'branch-keys', kmsKeyArn } } }),
            payments: table({ keyring: { type: 'aws-kms', keyId: kmsKeyArn } }),
          },
        },
        { ...options, dynamoDBClient: ddb, kmsClient },
      );
      expect(config.dbesdkTable('orders').keyringType).toBe('hierarchical');
      expect(config.dbesdkTable('payments').keyringType).toBe('aws-kms');
      let decrypts = 0;
      kmsClient.middlewareStack.add(
        (next, context) => (args) => {
          if (context.commandName === 'DecryptCommand') decrypts += 1;
          return next(args);
        },
        { step: 'initialize' },
      );
      const client = EncryptedDynamoDBClient.from(ddb, config.encryptionConfig);
      for (const i of [1, 2, 3]) {
        const item = { id: { S: `o-${i}` }, secret: { S: 'hidden' }, seen: { N: '1' } };
        await client.send(new PutItemCommand({ TableName: 'orders', Item: item }));
        const stored = (await ddb.send(new GetItemCommand({ TableName: 'orders', Key: { id: item.id } }))).Item;
        expect(stored?.['aws_dbe_head']).toBeDefined();
        expect(stored?.['secret']).not.toEqual(item.secret);
        expect((await client.send(new GetItemCommand({ TableName: 'orders', Key: { id: item.id } }))).Item).toEqual(item);
      }
      // the branch key is read (one KMS Decrypt) once for encrypting (its active version) and once
      // for decrypting (that version), then served from the keyring's cache: 2, not one per item
      expect(decrypts).toBe(2);
      const payment = { id: { S: 'p-1' }, secret: { S: 'card' }, seen: { N: '2' } };
      await client.send(new PutItemCommand({ TableName: 'payments', Item: payment }));
      const storedPayment = (await ddb.send(new GetItemCommand({ TableName: 'payments', Key: { id: payment.id } }))).Item;
      expect(storedPayment?.['secret']).not.toEqual(payment.secret);
      expect((await client.send(new GetItemCommand({ TableName: 'payments', Key: { id: payment.id } }))).Item).toEqual(payment);
      expect(decrypts).toBe(3);
    } finally {
      ddb.destroy();
      kmsClient.destroy();
      await Promise.all([dynamodb.stop(), kms.stop()]);
    }
  });
});
