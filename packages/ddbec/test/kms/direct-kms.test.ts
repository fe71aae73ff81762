import { CreateAliasCommand, CreateKeyCommand, DisableKeyCommand, EnableKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalKms, type LocalKms } from '../../../local/src/index.js';
import { AttributeActions, isDdbecError, ItemEncryptor, MATERIAL_DESCRIPTION_ATTRIBUTE, type CryptoConfig, type Item } from '../../src/index.js';
import { decodeMaterialDescription, encodeMaterialDescription } from '../../src/format/index.js';
import { DirectKmsMaterialsProvider } from '../../src/providers/direct-kms/index.js';

let kms: LocalKms;
let client: KMSClient;
let keyArn: string;
let otherKeyArn: string;

const kmsClient = (endpoint: string, region = 'us-east-1'): KMSClient =>
  new KMSClient({ endpoint, region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
const newKey = async (): Promise<string> => (await client.send(new CreateKeyCommand({}))).KeyMetadata?.Arn ?? '';

beforeAll(async () => {
  kms = await startLocalKms();
  client = kmsClient(kms.endpoint);
  keyArn = await newKey();
  otherKeyArn = await newKey();
});
afterAll(async () => {
  client.destroy();
  await kms.stop();
});

const rangeConfig: CryptoConfig = {
  encryptionContext: { tableName: 'TableName', partitionKeyName: 'hashKey', sortKeyName: 'rangeKey' },
  attributeActions: new AttributeActions().withKeyAttributes('hashKey', 'rangeKey'),
};
const hashConfig: CryptoConfig = {
  encryptionContext: { tableName: 'HashKeyOnly', partitionKeyName: 'hashKey' },
  attributeActions: new AttributeActions().withKeyAttributes('hashKey'),
};
const encryptorFor = (provider: DirectKmsMaterialsProvider) => new ItemEncryptor({ materialsProvider: provider });

async function codeOf(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => 'resolved',
    (error: unknown) => (isDdbecError(error) ? error.code : String(error)),
  );
}

describe('DirectKmsMaterialsProvider through @aws-sdk/client-kms and the local KMS', () => {
  it('sends the KMS encryption context of legacy-format §8.4.2, once per item', async () => {
    const encryptor = encryptorFor(new DirectKmsMaterialsProvider({ kmsClient: client, keyId: keyArn }));
    kms.resetRequests();
    const stored = await encryptor.encryptItem({ hashKey: { N: '5' }, rangeKey: { N: '7' }, secret: { S: 'x' } }, rangeConfig);
    await encryptor.decryptItem(stored, rangeConfig);
    const expected = { '*amzn-ddb-env-alg*': 'AES/256', '*amzn-ddb-sig-alg*': 'HmacSHA256/256', hashKey: '5', rangeKey: '7', '*aws-kms-table*': 'TableName' };
    expect(kms.requests.map((r) => [r.operation, r.encryptionContext])).toEqual([
      ['GenerateDataKey', expected],
      ['Decrypt', expected],
    ]);
    const description = Object.fromEntries(decodeMaterialDescription((stored[MATERIAL_DESCRIPTION_ATTRIBUTE] as { B: Uint8Array }).B));
    expect(description).toMatchObject({
      'amzn-ddb-env-alg': 'AES/256',
      'amzn-ddb-sig-alg': 'HmacSHA256/256',
      'amzn-ddb-wrap-alg': 'kms',
      'aws-kms-ec-attr': '*keys*',
      'amzn-ddb-map-sym-mode': '/CBC/PKCS5Padding',
      'amzn-ddb-map-signingAlg': 'HmacSHA256',
    });
  });

  it.each([
    ['S', { S: 'tenant#1' }, 'tenant#1'],
    ['N', { N: '0042.50' }, '42.5'], // as DynamoDB will return it
    ['B', { B: new Uint8Array([0, 255, 16]) }, 'AP8Q'],
  ] as const)('round-trips with a %s partition key on a hash-only table', async (_type, key, text) => {
    const encryptor = encryptorFor(new DirectKmsMaterialsProvider({ kmsClient: client, keyId: keyArn }));
    const item: Item = { hashKey: key, payload: { M: { a: { L: [{ N: '1' }, { BOOL: true }] } } } };
    kms.resetRequests();
    const stored = await encryptor.encryptItem(item, hashConfig);
    expect(stored['hashKey']).toBe(key);
    expect(kms.requests[0]?.encryptionContext?.['hashKey']).toBe(text);
    expect(await encryptor.decryptItem(stored, hashConfig)).toEqual(item);
  });

  it('accepts key ids, aliases and alias ARNs', async () => {
    const keyId = keyArn.split('/').at(-1) ?? '';
    await client.send(new CreateAliasCommand({ AliasName: 'alias/ddbec-test', TargetKeyId: keyId }));
    for (const reference of [keyId, 'alias/ddbec-test', `arn:aws:kms:us-east-1:111122223333:alias/ddbec-test`]) {
      const encryptor = encryptorFor(new DirectKmsMaterialsProvider({ kmsClient: client, keyId: reference }));
      const stored = await encryptor.encryptItem({ hashKey: { S: 'a' }, v: { S: reference } }, hashConfig);
      expect(await encryptor.decryptItem(stored, hashConfig)).toHaveProperty('v', { S: reference });
    }
  });

  it('fails clearly for a disabled key, a wrong key (strict) and a changed partition key', async () => {
    const key = await newKey();
    const encryptor = encryptorFor(new DirectKmsMaterialsProvider({ kmsClient: client, keyId: key }));
    const stored = await encryptor.encryptItem({ hashKey: { S: 'k1' }, secret: { S: 'x' } }, hashConfig);

    const wrongKey = encryptorFor(new DirectKmsMaterialsProvider({ kmsClient: client, keyId: otherKeyArn }));
    const wrong = await wrongKey.decryptItem(stored, hashConfig).catch((e: unknown) => e);
    expect(isDdbecError(wrong, 'ERR_UNWRAPPING_FAILED')).toBe(true);
    expect(wrong).toHaveProperty('retryable', false);
    expect(String(wrong)).toContain('IncorrectKeyException');
    expect(String(wrong)).toContain('HashKeyOnly');

    const moved = await encryptor.decryptItem({ ...stored, hashKey: { S: 'k2' } }, hashConfig).catch((e: unknown) => e);
    expect(isDdbecError(moved, 'ERR_UNWRAPPING_FAILED')).toBe(true);
    expect(moved).toHaveProperty('retryable', false);
    expect(String(moved)).toContain('InvalidCiphertextException');

    await client.send(new DisableKeyCommand({ KeyId: key }));
    const disabled = await encryptor.decryptItem(stored, hashConfig).catch((e: unknown) => e);
    expect(isDdbecError(disabled, 'ERR_UNWRAPPING_FAILED')).toBe(true);
    expect(disabled).toHaveProperty('retryable', false);
    expect(String(disabled)).toContain('DisabledException');
    expect((disabled as Error).cause).toHaveProperty('name', 'DisabledException');
    expect(await codeOf(encryptor.encryptItem({ hashKey: { S: 'k3' } }, hashConfig))).toBe('ERR_WRAPPING_FAILED');
    await client.send(new EnableKeyCommand({ KeyId: key }));
    expect(await encryptor.decryptItem(stored, hashConfig)).toHaveProperty('secret', { S: 'x' });
  });

  it('refuses a description without the entries Java and Python always write, even when nothing is encrypted', async () => {
    const encryptor = encryptorFor(new DirectKmsMaterialsProvider({ kmsClient: client, keyId: keyArn }));
    const signOnly = { ...rangeConfig, attributeActions: new AttributeActions({ defaultAction: 'SIGN_ONLY' }) };
    const stored = await encryptor.encryptItem({ hashKey: { N: '5' }, rangeKey: { N: '7' }, note: { S: 'x' } }, signOnly);
    await expect(encryptor.decryptItem(stored, signOnly)).resolves.toHaveProperty('note', { S: 'x' });
    for (const entry of ['amzn-ddb-wrap-alg', 'amzn-ddb-env-alg', 'amzn-ddb-sig-alg', 'amzn-ddb-map-sym-mode']) {
      const description = decodeMaterialDescription((stored[MATERIAL_DESCRIPTION_ATTRIBUTE] as { B: Uint8Array }).B);
      description.delete(entry);
      const changed = { ...stored, [MATERIAL_DESCRIPTION_ATTRIBUTE]: { B: encodeMaterialDescription(description) } };
      expect(await codeOf(encryptor.decryptItem(changed, signOnly)), entry).toBe('ERR_MATERIAL_DESCRIPTION');
    }
  });

  it('discovery mode decrypts without naming the key', async () => {
    const stored = await encryptorFor(new DirectKmsMaterialsProvider({ kmsClient: client, keyId: keyArn })).encryptItem({ hashKey: { S: 'd' }, s: { S: 'x' } }, hashConfig);
    const discovery = encryptorFor(new DirectKmsMaterialsProvider({ kmsClient: client, keyId: otherKeyArn, discovery: true }));
    kms.resetRequests();
    expect(await discovery.decryptItem(stored, hashConfig)).toHaveProperty('s', { S: 'x' });
    expect(kms.requests[0]?.keyId).toBeUndefined();
  });

  it('chooses a key per item (per-tenant keys) and routes key ARNs to their region', async () => {
    const west = await startLocalKms({ region: 'us-west-2' });
    try {
      const westClient = kmsClient(west.endpoint, 'us-west-2');
      const westKey = (await westClient.send(new CreateKeyCommand({}))).KeyMetadata?.Arn ?? '';
      const clients = new Map<string | undefined, KMSClient>([
        ['us-east-1', client],
        ['us-west-2', westClient],
      ]);
      const provider = new DirectKmsMaterialsProvider({
        kmsClient: (region) => clients.get(region) ?? client,
        keyId: (context) => ((context.attributes['hashKey'] as { S: string }).S.startsWith('eu-') ? westKey : keyArn),
      });
      const encryptor = encryptorFor(provider);
      kms.resetRequests();
      west.resetRequests();
      const a = await encryptor.encryptItem({ hashKey: { S: 'eu-tenant' }, s: { S: '1' } }, hashConfig);
      const b = await encryptor.encryptItem({ hashKey: { S: 'us-tenant' }, s: { S: '2' } }, hashConfig);
      expect(await encryptor.decryptItem(a, hashConfig)).toHaveProperty('s', { S: '1' });
      expect(await encryptor.decryptItem(b, hashConfig)).toHaveProperty('s', { S: '2' });
      expect(west.requests.map((r) => r.operation)).toEqual(['GenerateDataKey', 'Decrypt']);
      expect(kms.requests.map((r) => r.operation)).toEqual(['GenerateDataKey', 'Decrypt']);
      westClient.destroy();
    } finally {
      await west.stop();
    }
  });

  it('adds caller entries to the KMS encryption context, which must match on read', async () => {
    const tenantContext = (tenant: string) =>
      new DirectKmsMaterialsProvider({ kmsClient: client, keyId: keyArn, encryptionContext: () => ({ tenant, '*aws-kms-table*': 'ignored' }) });
    kms.resetRequests();
    const stored = await encryptorFor(tenantContext('acme')).encryptItem({ hashKey: { S: 'e' }, s: { S: 'x' } }, hashConfig);
    expect(kms.requests[0]?.encryptionContext).toMatchObject({ tenant: 'acme', '*aws-kms-table*': 'HashKeyOnly' });
    expect(await encryptorFor(tenantContext('acme')).decryptItem(stored, hashConfig)).toHaveProperty('s', { S: 'x' });
    expect(await codeOf(encryptorFor(tenantContext('other')).decryptItem(stored, hashConfig))).toBe('ERR_UNWRAPPING_FAILED');
  });

  it('validates its options', () => {
    expect(() => new DirectKmsMaterialsProvider({ kmsClient: client, keyId: '' })).toThrow(/keyId/);
    expect(() => new DirectKmsMaterialsProvider({ kmsClient: undefined as never, keyId: keyArn })).toThrow(/kmsClient/);
    expect(() => new DirectKmsMaterialsProvider({ kmsClient: client, keyId: keyArn, materialDescription: { 'amzn-ddb-env-alg': 'DES/64' } })).toThrow(/DES/);
  });
});
