import { BranchKeyStoreNode } from '@aws-crypto/branch-keystore-node';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { KMSClient } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalDynamoDB, startLocalKms, type LocalService } from '../../../local/src/index.js';
import { DynamoDbBranchKeyStore } from '../../src/keyrings/branch-key-store/index.js';
import type { BranchKeyMaterials } from '../../src/keyrings/types.js';
import { ddbClientFor, kmsClientFor, newKmsKey } from './support.js';

/*
 * The same table read and written by ddbec and by the AWS Encryption SDK for JavaScript's
 * branch key store (`@aws-crypto/branch-keystore-node`, which has no CreateKeyStore and no
 * GetBeaconKey: ddbec creates the table, and only ddbec reads beacon keys).
 */

let db: LocalService;
let kms: LocalService;
let ddb: DynamoDBClient;
let kmsClient: KMSClient;
let keyArn: string;
const tableName = 'interop-keystore';
const logicalKeyStoreName = 'interop-logical';

beforeAll(async () => {
  [db, kms] = await Promise.all([startLocalDynamoDB(), startLocalKms()]);
  ddb = ddbClientFor(db.endpoint);
  kmsClient = kmsClientFor(kms.endpoint);
  keyArn = await newKmsKey(kmsClient);
  await ddbecStore().createKeyStore();
});
afterAll(async () => {
  ddb.destroy();
  kmsClient.destroy();
  await Promise.all([db.stop(), kms.stop()]);
});

const ddbecStore = () => new DynamoDbBranchKeyStore({ ddbClient: ddb, kmsClient, tableName, logicalKeyStoreName, kmsConfiguration: { kmsKeyArn: keyArn } });
const awsStore = () =>
  new BranchKeyStoreNode({
    logicalKeyStoreName,
    storage: { ddbTableName: tableName, ddbClient: ddb },
    keyManagement: { kmsClient },
    kmsConfiguration: { identifier: keyArn },
  });

/** The AWS store's branch key materials in ddbec's shape. */
async function fromAws(read: Promise<{ branchKey(): Buffer; branchKeyIdentifier: string; branchKeyVersion: Buffer; encryptionContext: object }>) {
  const m = await read;
  return {
    branchKeyIdentifier: m.branchKeyIdentifier,
    branchKeyVersion: m.branchKeyVersion.toString('utf8'),
    encryptionContext: { ...m.encryptionContext },
    branchKey: new Uint8Array(m.branchKey()),
  } satisfies BranchKeyMaterials;
}

const plain = (m: BranchKeyMaterials) => ({ ...m, branchKey: Buffer.from(m.branchKey).toString('hex') });

describe('branch key store interop with @aws-crypto/branch-keystore-node on the local stack', () => {
  it('reads a key that ddbec created and versioned', async () => {
    const store = ddbecStore();
    const { branchKeyIdentifier: id } = await store.createKey({ branchKeyIdentifier: 'made-by-ddbec', encryptionContext: { tenant: 'acme' } });
    const first = await store.getActiveBranchKey(id);
    await store.versionKey(id);
    const second = await store.getActiveBranchKey(id);
    const aws = awsStore();
    expect(plain(await fromAws(aws.getActiveBranchKey(id)))).toEqual(plain(second));
    expect(plain(await fromAws(aws.getBranchKeyVersion(id, first.branchKeyVersion)))).toEqual(plain(first));
    expect(plain(await fromAws(aws.getBranchKeyVersion(id, second.branchKeyVersion)))).toEqual(plain(second));
    expect(second.encryptionContext).toEqual({ tenant: 'acme' });
  });

  it('reads a key that the AWS store created and versioned, and versions it further', async () => {
    const aws = awsStore();
    const { branchKeyIdentifier: id } = await aws.createKey({ encryptionContext: { tenant: 'globex' } });
    const first = await fromAws(aws.getActiveBranchKey(id));
    await aws.versionKey({ branchKeyIdentifier: id });
    const second = await fromAws(aws.getActiveBranchKey(id));
    const store = ddbecStore();
    expect(plain(await store.getActiveBranchKey(id))).toEqual(plain(second));
    expect(plain(await store.getBranchKeyVersion(id, first.branchKeyVersion))).toEqual(plain(first));
    expect((await store.getBeaconKey(id)).beaconKey).toHaveLength(32);
    await store.versionKey(id);
    const third = await store.getActiveBranchKey(id);
    expect(plain(await fromAws(aws.getActiveBranchKey(id)))).toEqual(plain(third));
    expect(third.encryptionContext).toEqual({ tenant: 'globex' });
  });
});
