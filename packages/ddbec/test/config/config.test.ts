import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { afterAll, describe, expect, it } from 'vitest';
import { startLocalDynamoDB } from '../../../local/src/index.js';
import { CryptoAction, generateRsaKeyPair, isDdbecError, ItemEncryptor, SecretKey, StaticMaterialsProvider, WrappedMaterialsProvider, type Item } from '../../src/index.js';
import { EncryptedDynamoDBClient } from '../../src/sdk/index.js';
import { DirectKmsMaterialsProvider } from '../../src/providers/direct-kms/index.js';
import { MostRecentProvider } from '../../src/metastore/index.js';
import {
  CONFIG_SCHEMA,
  ConfigError,
  formatSecretKeyFile,
  isConfigError,
  loadConfig,
  parseKeyText,
  validateConfig,
  type ConfigFile,
  type LoadConfigOptions,
} from '../../src/config/index.js';

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const dir = mkdtempSync(join(tmpdir(), 'ddbec-config-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const aes = SecretKey.generate('AES', 256);
const hmac = SecretKey.generate('HmacSHA256', 256);
const rsa = generateRsaKeyPair(2048);
writeFileSync(join(dir, 'aes.key'), formatSecretKeyFile(aes));
writeFileSync(join(dir, 'hmac.key'), formatSecretKeyFile(hmac));
writeFileSync(join(dir, 'rsa.pem'), rsa.privateKey.exportPem());
writeFileSync(join(dir, 'rsa.pem.pub'), rsa.publicKey.exportPem());
writeFileSync(join(dir, 'junk.key'), 'not a key at all!');

const clients: LoadConfigOptions = {
  dynamoDBClient: new DynamoDBClient({ region: 'us-east-1', endpoint: 'http://127.0.0.1:1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }),
  kmsClient: new KMSClient({ region: 'us-east-1', endpoint: 'http://127.0.0.1:1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }),
  baseDir: dir,
  env: { DDBEC_HMAC: Buffer.from(hmac.exportBytes()).toString('base64'), DDBEC_AES_FILE_TEXT: formatSecretKeyFile(aes) },
};

/** A valid configuration with one table of every provider type. */
function base(): Record<string, unknown> {
  return {
    $schema: './node_modules/ddbec/ddbec.config.schema.json',
    version: 1,
    region: 'eu-west-1',
    tables: {
      customers: {
        tableName: 'customers-prod',
        partitionKey: 'pk',
        sortKey: 'sk',
        attributeActions: { default: 'ENCRYPT_AND_SIGN', overrides: { plan: 'SIGN_ONLY', lastSeen: 'DO_NOTHING' } },
        provider: { type: 'static', encryptionKey: { file: 'aes.key' }, signingKey: { env: 'DDBEC_HMAC' } },
      },
      orders: {
        partitionKey: 'orderId',
        provider: { type: 'wrapped', wrappingKey: { file: 'rsa.pem' }, signingKey: { file: 'rsa.pem', algorithm: 'SHA256withRSA' } },
      },
      payments: { partitionKey: 'id', provider: { type: 'direct-kms', keyId: 'alias/payments', grantTokens: ['t1'] } },
      events: {
        partitionKey: 'id',
        signingProfile: 'python',
        provider: {
          type: 'most-recent',
          materialName: 'events',
          ttlMs: 30000,
          metaStore: { tableName: 'ddbec-keys', provider: { type: 'direct-kms', keyId: 'alias/meta' } },
        },
      },
      audit: { partitionKey: 'id', attributeActions: { default: 'DO_NOTHING' } },
    },
  };
}

/** The configuration with `value` set at a dotted path (undefined deletes). */
function withValue(path: string, value: unknown): Record<string, unknown> {
  const document = base();
  const parts = path.split('.');
  let node = document;
  for (const part of parts.slice(0, -1)) node = node[part] as Record<string, unknown>;
  const last = parts.at(-1) as string;
  if (value === undefined) Reflect.deleteProperty(node, last);
  else node[last] = value;
  return document;
}

async function issuesOf(document: unknown, options: LoadConfigOptions = clients): Promise<{ path: string; message: string }[]> {
  try {
    await loadConfig(document as object, options);
  } catch (error) {
    if (!isConfigError(error)) throw error;
    return [...error.issues];
  }
  throw new Error('the configuration was accepted');
}

describe('ddbec/config: loading', () => {
  it('builds every provider type, key attributes protected, and the tables encrypt and decrypt', async () => {
    const config = await loadConfig(base(), clients);
    expect(Object.keys(config.tables)).toEqual(['customers', 'orders', 'payments', 'events', 'audit']);
    expect(config.region).toBe('eu-west-1');

    const customers = config.table('customers');
    expect(customers.tableName).toBe('customers-prod');
    expect(customers.providerType).toBe('static');
    expect(customers.materialsProvider).toBeInstanceOf(StaticMaterialsProvider);
    expect(customers.encryptionContext).toEqual({ tableName: 'customers-prod', partitionKeyName: 'pk', sortKeyName: 'sk' });
    expect(customers.attributeActions.actionOf('pk')).toBe(CryptoAction.SignOnly);
    expect(customers.attributeActions.actionOf('sk')).toBe(CryptoAction.SignOnly);
    expect(customers.attributeActions.actionOf('plan')).toBe(CryptoAction.SignOnly);
    expect(customers.attributeActions.actionOf('lastSeen')).toBe(CryptoAction.DoNothing);
    expect(customers.attributeActions.actionOf('email')).toBe(CryptoAction.EncryptAndSign);

    const item = { pk: { S: 'c#1' }, sk: { N: '1' }, email: { S: 'ada@example.com' }, plan: { S: 'pro' } };
    for (const name of ['customers', 'orders']) {
      const table = config.table(name);
      const stored = await table.encryptor.encryptItem({ ...item, orderId: { S: 'o-1' } }, table);
      expect(stored['email']).toHaveProperty('B');
      expect(await table.encryptor.decryptItem(stored, table)).toEqual({ ...item, orderId: { S: 'o-1' } });
    }
    expect(config.table('orders').materialsProvider).toBeInstanceOf(WrappedMaterialsProvider);
    expect(config.table('payments').materialsProvider).toBeInstanceOf(DirectKmsMaterialsProvider);
    const events = config.table('events');
    expect(events.materialsProvider).toBeInstanceOf(MostRecentProvider);
    expect(events.signingProfile).toBe('python');
    expect(events.mostRecent).toMatchObject({ tableName: 'ddbec-keys', materialName: 'events' });
    const audit = config.table('audit');
    expect(audit.providerType).toBe('none');
    expect(audit.attributeActions.takesNoActions).toBe(true);
    expect(await audit.encryptor.encryptItem({ id: { S: '1' }, x: { N: '2' } }, audit)).toEqual({ id: { S: '1' }, x: { N: '2' } });
  });

  it('reads the file from a path, key files relative to it; resolves only the tables asked for', async () => {
    const path = join(dir, 'ddbec.config.json');
    const document = withValue('tables.orders.provider.signingKey', { file: 'missing.key' });
    writeFileSync(path, JSON.stringify(document));
    const config = await loadConfig(path, { ...clients, baseDir: undefined, tables: ['customers'] });
    expect(config.path).toBe(path);
    expect(Object.keys(config.tables)).toEqual(['customers']);
    await expect(loadConfig(path, { ...clients, baseDir: undefined })).rejects.toThrow(/tables\.orders\.provider\.signingKey\.file: cannot read key file/);
  });

  it('takes keys from environment variables: a key file’s text or raw bytes in base64', async () => {
    const config = await loadConfig(withValue('tables.customers.provider.encryptionKey', { env: 'DDBEC_AES_FILE_TEXT' }), { ...clients, tables: ['customers'] });
    const table = config.table('customers');
    const item = { pk: { S: 'a' }, sk: { N: '1' }, secret: { S: 'x' } };
    const stored = await table.encryptor.encryptItem(item, table);
    const reference = new ItemEncryptor({ materialsProvider: new StaticMaterialsProvider({ encryptionKey: aes, signingKey: hmac }) });
    expect(await reference.decryptItem(stored, table)).toEqual(item);
  });

  it('reads the key files `ddbec keys generate` writes, PEM RSA keys and base64', () => {
    expect(parseKeyText(formatSecretKeyFile(aes), undefined, 'HmacSHA256')).toMatchObject({ algorithm: 'AES', byteLength: 32 });
    expect(parseKeyText(formatSecretKeyFile(hmac), undefined, 'AES')).toMatchObject({ algorithm: 'HmacSHA256' });
    expect(parseKeyText(Buffer.from(aes.exportBytes()).toString('base64'), undefined, 'AES')).toMatchObject({ algorithm: 'AES' });
    expect(parseKeyText(rsa.privateKey.exportPem(), undefined, 'AES').toString()).toContain('RsaPrivateKey');
    expect(parseKeyText(rsa.publicKey.exportPem(), undefined, 'AES').toString()).toContain('RsaPublicKey');
    expect(() => parseKeyText(formatSecretKeyFile(aes), 'HmacSHA256', 'AES')).toThrow(/holds an AES key, not HmacSHA256/);
  });

  it('gives the SDK integration its configuration: EncryptedDynamoDBClient.from(client, config.encryptionConfig)', async () => {
    const local = await startLocalDynamoDB();
    const client = new DynamoDBClient({ region: 'us-east-1', endpoint: local.endpoint, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    try {
      const config = await loadConfig(base(), { ...clients, tables: ['customers', 'audit'] });
      expect(Object.keys(config.encryptionConfig.tables)).toEqual(['customers-prod', 'audit']);
      expect(config.encryptionConfig.tables['customers-prod']).toMatchObject({ keySchema: { partitionKey: 'pk', sortKey: 'sk' } });
      await client.send(
        new CreateTableCommand({
          TableName: 'customers-prod',
          AttributeDefinitions: [
            { AttributeName: 'pk', AttributeType: 'S' },
            { AttributeName: 'sk', AttributeType: 'N' },
          ],
          KeySchema: [
            { AttributeName: 'pk', KeyType: 'HASH' },
            { AttributeName: 'sk', KeyType: 'RANGE' },
          ],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
      const encrypted = EncryptedDynamoDBClient.from(client, config.encryptionConfig);
      const item = { pk: { S: 'c#1' }, sk: { N: '1' }, email: { S: 'ada@example.com' }, plan: { S: 'pro' } };
      await encrypted.send(new PutItemCommand({ TableName: 'customers-prod', Item: item }));
      const key = { pk: { S: 'c#1' }, sk: { N: '1' } };
      const stored = await client.send(new GetItemCommand({ TableName: 'customers-prod', Key: key }));
      expect(stored.Item?.['email']).toHaveProperty('B');
      const table = config.table('customers');
      expect(await table.encryptor.decryptItem(stored.Item as Item, table)).toEqual(item);
      expect((await encrypted.send(new GetItemCommand({ TableName: 'customers-prod', Key: key }))).Item).toEqual(item);
    } finally {
      client.destroy();
      await local.stop();
    }
  });

  it('gives the SDK integration its plaintext tables and its rule for other tables (refused by default)', async () => {
    const strict = await loadConfig(base(), { ...clients, tables: ['customers'] });
    expect(strict.encryptionConfig).toMatchObject({ plaintextTables: [], unknownTables: 'error' });
    const open = await loadConfig({ ...base(), plaintextTables: ['page-views'], unknownTables: 'passthrough' }, { ...clients, tables: ['customers'] });
    expect(open.encryptionConfig).toMatchObject({ plaintextTables: ['page-views'], unknownTables: 'passthrough' });
    const client = new DynamoDBClient({ region: 'us-east-1', endpoint: 'http://127.0.0.1:1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 });
    try {
      const encrypted = EncryptedDynamoDBClient.from(client, strict.encryptionConfig);
      const refused = await encrypted.send(new PutItemCommand({ TableName: 'page-views', Item: { id: { S: 'x' } } })).catch((e: unknown) => e);
      expect(isDdbecError(refused, 'ERR_UNKNOWN_TABLE')).toBe(true);
      const typo = await encrypted.send(new GetItemCommand({ TableName: 'Customers-Prod', Key: { pk: { S: 'x' }, sk: { N: '1' } } })).catch((e: unknown) => e);
      expect((typo as Error).message).toContain('did you mean "customers-prod"?');
    } finally {
      client.destroy();
    }
  });

  it('ships the schema the validator uses as ddbec.config.schema.json', () => {
    const shipped = JSON.parse(readFileSync(join(packageDir, 'ddbec.config.schema.json'), 'utf8')) as unknown;
    expect(shipped, 'regenerate ddbec.config.schema.json from CONFIG_SCHEMA').toEqual(JSON.parse(JSON.stringify(CONFIG_SCHEMA)));
    const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { files: string[] };
    expect(manifest.files).toContain('ddbec.config.schema.json');
  });

  it('gives a ConfigError (ERR_INVALID_ARGUMENT) with every issue, and names a missing table', async () => {
    const document = withValue('tables.customers.partitionKey', 5);
    (document['tables'] as Record<string, Record<string, unknown>>)['orders'] = { partitionKey: '' };
    let error: unknown;
    try {
      validateConfig(document, 'x.json');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(isDdbecError(error, 'ERR_INVALID_ARGUMENT')).toBe(true);
    expect((error as ConfigError).file).toBe('x.json');
    expect((error as ConfigError).issues).toEqual([
      { path: 'tables.customers.partitionKey', message: 'must be a string' },
      { path: 'tables.orders.partitionKey', message: 'must not be empty' },
    ]);
    expect((error as Error).message).toBe('invalid configuration x.json: tables.customers.partitionKey: must be a string; tables.orders.partitionKey: must not be empty');
    const config = await loadConfig(base(), { ...clients, tables: ['audit'] });
    expect(() => config.table('customers')).toThrow(/tables\.customers: no such table/);
    await expect(loadConfig(base(), { ...clients, tables: ['nope'] })).rejects.toThrow('tables.nope: no such table (configured: customers, orders, payments, events, audit)');
  });
});

describe('ddbec/config: every error names its JSON path', () => {
  const cases: [string, () => unknown, string, string][] = [
    ['the document is not an object', () => [], '', 'must be an object'],
    ['tables missing', () => withValue('tables', undefined), 'tables', 'is required'],
    ['unknown top-level key', () => ({ ...base(), regoin: 'x' }), 'regoin', 'is not allowed here (allowed: $schema, version, region, tables, plaintextTables, unknownTables, pkcs11)'],
    ['tables empty', () => withValue('tables', {}), 'tables', 'must not be empty'],
    ['plaintextTables not a list', () => withValue('plaintextTables', 'audit'), 'plaintextTables', 'must be an array'],
    ['a plaintext table without a name', () => withValue('plaintextTables', ['']), 'plaintextTables[0]', 'must not be empty'],
    ['a plaintext table that is configured', () => withValue('plaintextTables', ['page-views', 'customers-prod']), 'plaintextTables[1]', 'DynamoDB table "customers-prod" is configured by tables.customers'],
    ['a plaintext table that differs from a configured one only by case', () => withValue('plaintextTables', ['Customers-Prod']), 'plaintextTables[0]', '"Customers-Prod" differs from DynamoDB table "customers-prod" (tables.customers) only by case'],
    ['bad unknownTables', () => withValue('unknownTables', 'ignore'), 'unknownTables', 'must be one of "error", "passthrough"'],
    ['unknown version', () => withValue('version', 2), 'version', 'must be one of 1'],
    ['region not a string', () => withValue('region', 1), 'region', 'must be a string'],
    ['a table is not an object', () => withValue('tables.customers', 'x'), 'tables.customers', 'must be an object'],
    ['partition key missing', () => withValue('tables.customers.partitionKey', undefined), 'tables.customers.partitionKey', 'is required'],
    ['partition key empty', () => withValue('tables.customers.partitionKey', ''), 'tables.customers.partitionKey', 'must not be empty'],
    ['a table name that needs quoting', () => withValue('tables', { 'my.table': { partitionKey: 1 } }), 'tables["my.table"].partitionKey', 'must be a string'],
    ['unknown table key', () => withValue('tables.customers.sortkey', 'sk'), 'tables.customers.sortkey', 'is not allowed here'],
    ['two entries for one DynamoDB table', () => withValue('tables.orders.tableName', 'customers-prod'), 'tables.orders.tableName', 'DynamoDB table "customers-prod" is already configured by tables.customers'],
    ['bad default action', () => withValue('tables.customers.attributeActions.default', 'ENCRYPT'), 'tables.customers.attributeActions.default', 'must be one of "ENCRYPT_AND_SIGN", "SIGN_ONLY", "DO_NOTHING"'],
    ['bad override action', () => withValue('tables.customers.attributeActions.overrides.email', 'encrypt'), 'tables.customers.attributeActions.overrides.email', 'must be one of'],
    ['an encrypted key attribute', () => withValue('tables.customers.attributeActions.overrides.sk', 'ENCRYPT_AND_SIGN'), 'tables.customers.attributeActions.overrides.sk', 'a key attribute cannot be ENCRYPT_AND_SIGN'],
    ['a reserved attribute', () => withValue('tables.customers.attributeActions.overrides', { '*amzn-ddb-map-sig*': 'SIGN_ONLY' }), 'tables.customers.attributeActions.overrides["*amzn-ddb-map-sig*"]', 'is reserved'],
    ['bad signing profile', () => withValue('tables.customers.signingProfile', 'go'), 'tables.customers.signingProfile', 'must be one of "java", "python"'],
    ['no provider for a table that encrypts', () => withValue('tables.customers.provider', undefined), 'tables.customers.provider', 'is required (the table signs or encrypts attributes)'],
    ['provider without type', () => withValue('tables.customers.provider', { keyId: 'k' }), 'tables.customers.provider.type', 'is required'],
    ['unknown provider type', () => withValue('tables.customers.provider.type', 'kms'), 'tables.customers.provider.type', 'must be one of "static", "wrapped", "direct-kms", "most-recent"'],
    ['provider not an object', () => withValue('tables.customers.provider', 'static'), 'tables.customers.provider', 'must be an object'],
    ['KMS key id not a string', () => withValue('tables.payments.provider.keyId', 42), 'tables.payments.provider.keyId', 'must be a string'],
    ['KMS key id missing', () => withValue('tables.payments.provider.keyId', undefined), 'tables.payments.provider.keyId', 'is required'],
    ['KMS key id misspelled', () => withValue('tables.payments.provider', { type: 'direct-kms', keyID: 'k', keyId: 'k' }), 'tables.payments.provider.keyID', 'is not allowed here (allowed: type, keyId, region, discovery, grantTokens, materialDescription)'],
    ['grant token not a string', () => withValue('tables.payments.provider.grantTokens', ['a', 2]), 'tables.payments.provider.grantTokens[1]', 'must be a string'],
    ['discovery not a boolean', () => withValue('tables.payments.provider.discovery', 'yes'), 'tables.payments.provider.discovery', 'must be true or false'],
    ['material description value not a string', () => withValue('tables.payments.provider.materialDescription', { a: 1 }), 'tables.payments.provider.materialDescription.a', 'must be a string'],
    ['key source with file and env', () => withValue('tables.customers.provider.signingKey', { file: 'a', env: 'B' }), 'tables.customers.provider.signingKey', 'must have only one of "file", "env"'],
    ['key source with neither', () => withValue('tables.customers.provider.signingKey', { algorithm: 'AES' }), 'tables.customers.provider.signingKey', 'must have one of "file", "env"'],
    ['key source not an object', () => withValue('tables.customers.provider.signingKey', 'hmac.key'), 'tables.customers.provider.signingKey', 'must be an object'],
    ['key file empty name', () => withValue('tables.customers.provider.signingKey', { file: '' }), 'tables.customers.provider.signingKey.file', 'must not be empty'],
    ['static without keys to sign', () => withValue('tables.customers.provider', { type: 'static', encryptionKey: { file: 'aes.key' } }), 'tables.customers.provider.signingKey', 'is required (or verificationKey, to only read)'],
    ['static without an encryption key but encrypting', () => withValue('tables.customers.provider', { type: 'static', signingKey: { file: 'hmac.key' } }), 'tables.customers.provider.encryptionKey', 'is required: the table has ENCRYPT_AND_SIGN attributes'],
    ['wrapped without a wrapping key', () => withValue('tables.orders.provider', { type: 'wrapped', signingKey: { file: 'hmac.key' } }), 'tables.orders.provider.wrappingKey', 'is required (or unwrappingKey, to only read)'],
    ['most-recent without material', () => withValue('tables.events.provider.materialName', undefined), 'tables.events.provider.materialName', 'is required'],
    ['material name with #', () => withValue('tables.events.provider.materialName', 'a#1'), 'tables.events.provider.materialName', 'must not contain "#"'],
    ['negative TTL', () => withValue('tables.events.provider.ttlMs', -1), 'tables.events.provider.ttlMs', 'must be ≥ 0'],
    ['fractional TTL', () => withValue('tables.events.provider.ttlMs', 1.5), 'tables.events.provider.ttlMs', 'must be an integer'],
    ['MetaStore without provider', () => withValue('tables.events.provider.metaStore', { tableName: 'k' }), 'tables.events.provider.metaStore.provider', 'is required'],
    ['nested most-recent', () => withValue('tables.events.provider.metaStore.provider', { type: 'most-recent' }), 'tables.events.provider.metaStore.provider.type', 'must be one of "static", "wrapped", "direct-kms"'],
    ['error inside the inner provider', () => withValue('tables.events.provider.metaStore.provider', { type: 'direct-kms', keyId: 7 }), 'tables.events.provider.metaStore.provider.keyId', 'must be a string'],
  ];

  it.each(cases)('%s', async (_name, make, path, message) => {
    const issues = await issuesOf(make());
    expect(issues.map((issue) => issue.path), JSON.stringify(issues)).toContain(path);
    expect(issues.find((issue) => issue.path === path)?.message).toContain(message);
  });

  const resolution: [string, () => unknown, LoadConfigOptions, string, string][] = [
    ['a key file that does not exist', () => withValue('tables.customers.provider.encryptionKey', { file: 'nope.key' }), clients, 'tables.customers.provider.encryptionKey.file', `cannot read key file ${join(dir, 'nope.key')} (ENOENT)`],
    ['an unset environment variable', () => withValue('tables.customers.provider.signingKey', { env: 'DDBEC_UNSET' }), clients, 'tables.customers.provider.signingKey.env', 'environment variable DDBEC_UNSET is not set'],
    ['a key file that holds no key', () => withValue('tables.customers.provider.encryptionKey', { file: 'junk.key' }), clients, 'tables.customers.provider.encryptionKey.file', 'the key is neither a key file, a PEM key nor base64 key bytes'],
    ['an HMAC key as the encryption key', () => withValue('tables.customers.provider.encryptionKey', { file: 'hmac.key' }), clients, 'tables.customers.provider.encryptionKey.file', 'expected an AES key, found an HmacSHA256 key'],
    ['an AES key to sign', () => withValue('tables.customers.provider.signingKey', { file: 'aes.key' }), clients, 'tables.customers.provider.signingKey.file', 'expected an HMAC key or an RSA private key, found an AES key'],
    ['a public key to sign', () => withValue('tables.orders.provider.signingKey', { file: 'rsa.pem.pub' }), clients, 'tables.orders.provider.signingKey.file', 'expected an HMAC key or an RSA private key, found an RSA public key'],
    ['a public key to unwrap', () => withValue('tables.orders.provider.unwrappingKey', { file: 'rsa.pem.pub' }), clients, 'tables.orders.provider.unwrappingKey.file', 'expected an AES key or an RSA private key, found an RSA public key'],
    ['the algorithm of a key file contradicted', () => withValue('tables.customers.provider.encryptionKey', { file: 'aes.key', algorithm: 'HmacSHA256' }), clients, 'tables.customers.provider.encryptionKey.file', 'the key holds an AES key, not HmacSHA256'],
    ['no KMS client', () => base(), { ...clients, kmsClient: undefined }, 'tables.payments.provider', 'needs a KMS client (options.kmsClient)'],
    ['no DynamoDB client for a MetaStore', () => base(), { ...clients, dynamoDBClient: undefined }, 'tables.events.provider.metaStore', 'needs a DynamoDB client (options.dynamoDBClient)'],
    ['a provider that refuses its options', () => withValue('tables.orders.provider.materialDescription', { 'amzn-ddb-wrap-alg': 'ROT13' }), clients, 'tables.orders.provider', 'ROT13'],
  ];

  it.each(resolution)('%s', async (_name, make, options, path, message) => {
    const issues = await issuesOf(make(), options);
    expect(issues.map((issue) => issue.path), JSON.stringify(issues)).toContain(path);
    expect(issues.find((issue) => issue.path === path)?.message).toContain(message);
  });

  it('reports a file that is not JSON, or missing, at the document', async () => {
    const path = join(dir, 'broken.json');
    writeFileSync(path, '{ "tables": ');
    await expect(loadConfig(path, clients)).rejects.toMatchObject({ file: path, issues: [{ path: '', message: expect.stringContaining('not valid JSON') as unknown }] });
    await expect(loadConfig(join(dir, 'absent.json'), clients)).rejects.toMatchObject({ issues: [{ path: '', message: 'cannot read the file (ENOENT)' }] });
  });

  it('accepts the configuration typed as ConfigFile', () => {
    const typed: ConfigFile = { tables: { t: { partitionKey: 'pk', provider: { type: 'direct-kms', keyId: 'k' } } } };
    expect(validateConfig(typed)).toBe(typed);
  });
});
