import { DisableKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalKms, type LocalKms } from '../../../local/src/index.js';
import {
  DBE_ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384_SYMSIG_HMAC_SHA384 as SUITE_SIG,
  DBE_ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY_SYMSIG_HMAC_SHA384 as SUITE_HMAC,
} from '../../src/keyrings/algorithm-suites.js';
import {
  AwsKmsDiscoveryKeyring,
  AwsKmsKeyring,
  AwsKmsMrkDiscoveryKeyring,
  AwsKmsMrkKeyring,
  isMultiRegionKey,
  mrkMatch,
  parseKmsArn,
} from '../../src/dbesdk/aws.js';
import { MultiKeyring } from '../../src/keyrings/multi.js';
import { RawAesKeyring } from '../../src/keyrings/raw-aes.js';
import type { EncryptedDataKey, Keyring } from '../../src/keyrings/types.js';
import { CONTEXT, codeOf, decryptionMaterials, encryptionMaterials, expectRoundTrip, flipped } from './materials.js';
import { kmsClientFor, newKmsKey } from './support.js';

let east: LocalKms;
let west: LocalKms;
let eastClient: KMSClient;
let westClient: KMSClient;
let keyArn: string;
let otherKeyArn: string;
let mrkArn: string;
let mrkWestArn: string;

beforeAll(async () => {
  [east, west] = await Promise.all([startLocalKms(), startLocalKms({ region: 'us-west-2' })]);
  eastClient = kmsClientFor(east.endpoint);
  westClient = kmsClientFor(west.endpoint, 'us-west-2');
  keyArn = await newKmsKey(eastClient);
  otherKeyArn = await newKmsKey(eastClient);
  mrkArn = await newKmsKey(eastClient, { multiRegion: true });
  mrkWestArn = east.replicateKey(mrkArn, west).arn;
});
afterAll(async () => {
  eastClient.destroy();
  westClient.destroy();
  await Promise.all([east.stop(), west.stop()]);
});

const strict = (kmsKeyId = keyArn, kmsClient = eastClient) => new AwsKmsKeyring({ kmsClient, kmsKeyId });
const text = (bytes: Uint8Array | undefined) => Buffer.from(bytes ?? []).toString();
const onlyEdk = async (keyring: Keyring = strict()): Promise<EncryptedDataKey> => {
  const [edk] = (await keyring.onEncrypt(encryptionMaterials())).encryptedDataKeys;
  if (edk === undefined) throw new Error('no EDK');
  return edk;
};

describe('KMS key identifiers (aws-kms-key-arn.md, MRK match for decrypt)', () => {
  it('parses ARNs, tells multi-Region keys apart and matches MRKs across regions only', () => {
    expect(parseKmsArn('arn:aws:kms:us-east-1:111122223333:key/a/b')).toEqual({
      partition: 'aws',
      region: 'us-east-1',
      accountId: '111122223333',
      resourceType: 'key',
      resourceId: 'a/b',
    });
    for (const bad of ['arn:aws:kms:us-east-1:111122223333:key', 'arn:aws:s3:us-east-1:1:key/x', 'arn:aws:kms::1:key/x', 'arn:aws:kms:r:1:grant/x', 'key/x', 'arn:aws:kms:r:1:key/']) {
      expect(parseKmsArn(bad)).toBeUndefined();
    }
    expect(isMultiRegionKey('mrk-1234')).toBe(true);
    expect(isMultiRegionKey('arn:aws:kms:us-east-1:1:key/mrk-1234')).toBe(true);
    expect(isMultiRegionKey('arn:aws:kms:us-east-1:1:alias/mrk-1234')).toBe(false);
    expect(isMultiRegionKey('alias/mrk-1234')).toBe(false);
    expect(isMultiRegionKey('1234abcd')).toBe(false);
    expect(mrkMatch('arn:aws:kms:us-east-1:1:key/mrk-a', 'arn:aws:kms:eu-west-1:1:key/mrk-a')).toBe(true);
    expect(mrkMatch('arn:aws:kms:us-east-1:1:key/mrk-a', 'arn:aws:kms:eu-west-1:2:key/mrk-a')).toBe(false);
    expect(mrkMatch('arn:aws:kms:us-east-1:1:key/mrk-a', 'arn:aws-cn:kms:eu-west-1:1:key/mrk-a')).toBe(false);
    expect(mrkMatch('arn:aws:kms:us-east-1:1:key/abc', 'arn:aws:kms:eu-west-1:1:key/abc')).toBe(false);
    expect(mrkMatch('mrk-a', 'mrk-a')).toBe(true);
  });
});

describe('AwsKmsKeyring (strict)', () => {
  it.each([SUITE_HMAC, SUITE_SIG])('round-trips under suite %o: GenerateDataKey as generator, Encrypt for an existing data key, Decrypt with the configured key', async (suite) => {
    east.resetRequests();
    const [edk] = await expectRoundTrip(strict(), strict(), suite);
    expect(edk?.keyProviderId).toBe('aws-kms');
    expect(text(edk?.keyProviderInfo)).toBe(keyArn);
    expect(east.requests.map((r) => [r.operation, r.keyId, r.encryptionContext])).toEqual([
      ['GenerateDataKey', keyArn, CONTEXT],
      ['Decrypt', keyArn, CONTEXT],
    ]);
    east.resetRequests();
    const both = await strict(otherKeyArn).onEncrypt(await strict().onEncrypt(encryptionMaterials(suite)));
    expect(east.requests.map((r) => r.operation)).toEqual(['GenerateDataKey', 'Encrypt']);
    expect(both.encryptedDataKeys.map((e) => text(e.keyProviderInfo))).toEqual([keyArn, otherKeyArn]);
    const decrypted = await strict(otherKeyArn).onDecrypt(decryptionMaterials(suite), both.encryptedDataKeys);
    expect(decrypted.plaintextDataKey).toEqual(both.plaintextDataKey);
    expect(decrypted.symmetricSigningKey).toEqual(both.symmetricSigningKeys?.[1]);
  });

  it('records the key ARN KMS reports, and sends the grant tokens', async () => {
    const keyId = (parseKmsArn(keyArn)?.resourceId ?? '');
    const sent: unknown[] = [];
    const client = kmsClientFor(east.endpoint);
    client.middlewareStack.add(
      (next) => (args) => {
        sent.push((args.input as { GrantTokens?: unknown }).GrantTokens);
        return next(args);
      },
      { step: 'initialize' },
    );
    const edk = await onlyEdk(new AwsKmsKeyring({ kmsClient: client, kmsKeyId: keyId, grantTokens: ['token-1'] }));
    expect(text(edk.keyProviderInfo)).toBe(keyArn);
    await new AwsKmsKeyring({ kmsClient: client, kmsKeyId: keyArn, grantTokens: ['token-2'] }).onDecrypt(decryptionMaterials(), [edk]);
    expect(sent).toEqual([['token-1'], ['token-2']]);
    // A key id is no key ARN: the strict keyring cannot match what it wrote (as the spec says).
    expect(await codeOf(new AwsKmsKeyring({ kmsClient: client, kmsKeyId: keyId }).onDecrypt(decryptionMaterials(), [edk]))).toBe('ERR_UNWRAPPING_FAILED');
    client.destroy();
  });

  it('skips data keys of other keys without calling KMS', async () => {
    const edk = await onlyEdk();
    east.resetRequests();
    expect(await codeOf(strict(otherKeyArn).onDecrypt(decryptionMaterials(), [edk]))).toBe('ERR_UNWRAPPING_FAILED');
    expect(await codeOf(strict().onDecrypt(decryptionMaterials(), [{ ...edk, keyProviderId: 'aws-kms-other' }]))).toBe('ERR_UNWRAPPING_FAILED');
    expect(east.requests).toEqual([]);
  });

  it('refuses a tampered provider info, encryption context or ciphertext', async () => {
    const edk = await onlyEdk();
    // Provider info pointing at another key: that key's keyring asks KMS, which refuses.
    const pointed = { ...edk, keyProviderInfo: Buffer.from(otherKeyArn) };
    expect(await codeOf(strict(otherKeyArn).onDecrypt(decryptionMaterials(), [pointed]))).toBe('ERR_UNWRAPPING_FAILED');
    // A provider info that is no key ARN fails the whole decryption.
    east.resetRequests();
    const notArn = { ...edk, keyProviderInfo: Buffer.from('alias/mine') };
    const error = await strict().onDecrypt(decryptionMaterials(), [notArn, edk]).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ERR_UNWRAPPING_FAILED', message: expect.stringMatching(/names no KMS key ARN/) as unknown });
    expect(east.requests).toEqual([]);
    expect(await codeOf(strict().onDecrypt(decryptionMaterials(SUITE_HMAC, { ...CONTEXT, 'aws-crypto-attr.pk': 'AAFi' }), [edk]))).toBe('ERR_UNWRAPPING_FAILED');
    for (const i of [0, 20, 47, 48, 60, edk.ciphertext.length - 1]) {
      expect(await codeOf(strict().onDecrypt(decryptionMaterials(), [flipped(edk, 'ciphertext', i)]))).toBe('ERR_UNWRAPPING_FAILED');
    }
  });

  it('tries every matching data key and reports each failure', async () => {
    const good = await onlyEdk();
    const bad = flipped(good, 'ciphertext', 60);
    expect((await strict().onDecrypt(decryptionMaterials(), [bad, good])).plaintextDataKey).toHaveLength(32);
    const error = await strict().onDecrypt(decryptionMaterials(), [bad, bad]).catch((e: unknown) => e);
    expect(((error as Error).cause as AggregateError).errors as unknown[]).toHaveLength(2);
  });

  it('maps KMS failures: throttling is retryable, a disabled key is not', async () => {
    const kms = await startLocalKms();
    const client = kmsClientFor(kms.endpoint);
    const key = await newKmsKey(client);
    const edk = await onlyEdk(strict(key, client));
    const noRetries = kmsClientFor(kms.endpoint);
    noRetries.config.maxAttempts = () => Promise.resolve(1);
    kms.setFaults({ throttleEvery: 1 });
    expect(await codeOf(strict(key, noRetries).onEncrypt(encryptionMaterials()))).toBe('ERR_KMS_THROTTLED');
    expect(await codeOf(strict(key, noRetries).onDecrypt(decryptionMaterials(), [edk]))).toBe('ERR_KMS_THROTTLED');
    kms.setFaults({ throttleEvery: 0 });
    await client.send(new DisableKeyCommand({ KeyId: key }));
    expect(await codeOf(strict(key, client).onEncrypt(encryptionMaterials()))).toBe('ERR_WRAPPING_FAILED');
    expect(await codeOf(strict(key, client).onDecrypt(decryptionMaterials(), [edk]))).toBe('ERR_UNWRAPPING_FAILED');
    client.destroy();
    noRetries.destroy();
    await kms.stop();
  });

  it('validates its options', () => {
    expect(() => new AwsKmsKeyring({ kmsClient: eastClient, kmsKeyId: '' })).toThrow(/kmsKeyId/);
    expect(() => new AwsKmsKeyring({ kmsClient: eastClient, kmsKeyId: 'arn:aws:kms:us-east-1:1:key' })).toThrow(/kmsKeyId/);
    expect(() => new AwsKmsKeyring({ kmsClient: undefined as unknown as KMSClient, kmsKeyId: keyArn })).toThrow(/kmsClient/);
    expect(() => new AwsKmsKeyring({ kmsClient: eastClient, kmsKeyId: keyArn, grantTokens: [''] })).toThrow(/grantTokens/);
    expect(() => new AwsKmsKeyring({ kmsClient: eastClient, kmsKeyId: 'alias/mine' })).not.toThrow();
  });
});

describe('AwsKmsDiscoveryKeyring', () => {
  it('decrypts with the key each data key names, within the discovery filter', async () => {
    const edks = (await strict(otherKeyArn).onEncrypt(await strict().onEncrypt(encryptionMaterials()))).encryptedDataKeys;
    east.resetRequests();
    const any = new AwsKmsDiscoveryKeyring({ kmsClient: eastClient });
    expect((await any.onDecrypt(decryptionMaterials(), edks.slice(1))).plaintextDataKey).toHaveLength(32);
    expect(east.requests.map((r) => [r.operation, r.keyId])).toEqual([['Decrypt', otherKeyArn]]);
    const mine = new AwsKmsDiscoveryKeyring({ kmsClient: eastClient, discoveryFilter: { partition: 'aws', accountIds: ['999999999999', '111122223333'] } });
    expect((await mine.onDecrypt(decryptionMaterials(), edks)).plaintextDataKey).toHaveLength(32);
    east.resetRequests();
    for (const discoveryFilter of [
      { partition: 'aws', accountIds: ['999999999999'] },
      { partition: 'aws-cn', accountIds: ['111122223333'] },
    ]) {
      expect(await codeOf(new AwsKmsDiscoveryKeyring({ kmsClient: eastClient, discoveryFilter }).onDecrypt(decryptionMaterials(), edks))).toBe('ERR_UNWRAPPING_FAILED');
    }
    expect(east.requests).toEqual([]);
    expect(await codeOf(any.onEncrypt())).toBe('ERR_WRAPPING_FAILED');
    expect(() => new AwsKmsDiscoveryKeyring({ kmsClient: eastClient, discoveryFilter: { partition: 'aws', accountIds: [] } })).toThrow(/discoveryFilter/);
  });

  it('refuses a provider info changed to another key of the account', async () => {
    const edk = await onlyEdk();
    const pointed = { ...edk, keyProviderInfo: Buffer.from(otherKeyArn) };
    expect(await codeOf(new AwsKmsDiscoveryKeyring({ kmsClient: eastClient }).onDecrypt(decryptionMaterials(), [pointed]))).toBe('ERR_UNWRAPPING_FAILED');
  });
});

describe('multi-Region keys: AwsKmsMrkKeyring and AwsKmsMrkDiscoveryKeyring', () => {
  it('decrypts in another region through the replica; the strict keyring does not', async () => {
    const edk = await onlyEdk(new AwsKmsMrkKeyring({ kmsClient: eastClient, kmsKeyId: mrkArn }));
    expect(text(edk.keyProviderInfo)).toBe(mrkArn);
    west.resetRequests();
    const replica = new AwsKmsMrkKeyring({ kmsClient: westClient, kmsKeyId: mrkWestArn });
    expect((await replica.onDecrypt(decryptionMaterials(), [edk])).plaintextDataKey).toHaveLength(32);
    expect(west.requests.map((r) => [r.operation, r.keyId])).toEqual([['Decrypt', mrkWestArn]]);
    expect(await codeOf(strict(mrkWestArn, westClient).onDecrypt(decryptionMaterials(), [edk]))).toBe('ERR_UNWRAPPING_FAILED');
    await expectRoundTrip(new AwsKmsMrkKeyring({ kmsClient: westClient, kmsKeyId: mrkWestArn }), new AwsKmsMrkKeyring({ kmsClient: eastClient, kmsKeyId: mrkArn }));
    // A single-Region key never matches across regions.
    const single = await onlyEdk();
    const moved = keyArn.replace('us-east-1', 'us-west-2');
    expect(await codeOf(new AwsKmsMrkKeyring({ kmsClient: westClient, kmsKeyId: moved }).onDecrypt(decryptionMaterials(), [single]))).toBe('ERR_UNWRAPPING_FAILED');
  });

  it('MRK discovery uses the replica in its region and skips single-Region keys of other regions', async () => {
    const edks = (await strict().onEncrypt(await new AwsKmsMrkKeyring({ kmsClient: eastClient, kmsKeyId: mrkArn }).onEncrypt(encryptionMaterials()))).encryptedDataKeys;
    west.resetRequests();
    const discovery = new AwsKmsMrkDiscoveryKeyring({ kmsClient: westClient, region: 'us-west-2', discoveryFilter: { partition: 'aws', accountIds: ['111122223333'] } });
    expect((await discovery.onDecrypt(decryptionMaterials(), [...edks].reverse())).plaintextDataKey).toHaveLength(32);
    expect(west.requests.map((r) => [r.operation, r.keyId])).toEqual([['Decrypt', mrkWestArn]]);
    west.resetRequests();
    expect(await codeOf(discovery.onDecrypt(decryptionMaterials(), edks.slice(1)))).toBe('ERR_UNWRAPPING_FAILED');
    expect(west.requests).toEqual([]);
    const inEast = new AwsKmsMrkDiscoveryKeyring({ kmsClient: eastClient, region: 'us-east-1' });
    expect((await inEast.onDecrypt(decryptionMaterials(), edks.slice(1))).plaintextDataKey).toHaveLength(32);
    expect(() => new AwsKmsMrkDiscoveryKeyring({ kmsClient: westClient, region: '' })).toThrow(/region/);
  });

  it('works as a multi-keyring child next to a raw keyring', async () => {
    const aes = new RawAesKeyring({ keyNamespace: 'ns', keyName: 'k', wrappingKey: new Uint8Array(32).fill(3) });
    const multi = new MultiKeyring({ generator: strict(), childKeyrings: [new AwsKmsMrkKeyring({ kmsClient: eastClient, kmsKeyId: mrkArn }), aes] });
    const edks = await expectRoundTrip(multi, multi, SUITE_SIG);
    expect(edks.map((e) => e.keyProviderId)).toEqual(['aws-kms', 'aws-kms', 'ns']);
    const replica = new AwsKmsMrkKeyring({ kmsClient: westClient, kmsKeyId: mrkWestArn });
    expect((await replica.onDecrypt(decryptionMaterials(SUITE_SIG), edks)).plaintextDataKey).toHaveLength(32);
  });
});
