/** Beacon keys from the real DynamoDbBranchKeyStore, on the local DynamoDB and KMS. */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { KMSClient } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startLocalDynamoDB, startLocalKms, type LocalService } from '../../../local/src/index.js';
import { DynamoDbBranchKeyStore } from '../../src/keyrings/branch-key-store/index.js';
import { basicHash } from '../../src/searchable/beacons.js';
import { beaconHmacKey } from '../../src/searchable/keys.js';
import { createSearchableTable } from '../../src/searchable/table.js';
import { ddbClientFor, kmsClientFor, newKmsKey } from '../keyrings/support.js';

let db: LocalService;
let kms: LocalService;
let ddb: DynamoDBClient;
let kmsClient: KMSClient;

beforeAll(async () => {
  [db, kms] = await Promise.all([startLocalDynamoDB(), startLocalKms()]);
  ddb = ddbClientFor(db.endpoint);
  kmsClient = kmsClientFor(kms.endpoint);
});
afterAll(async () => {
  ddb.destroy();
  kmsClient.destroy();
  await Promise.all([db.stop(), kms.stop()]);
});

it('a multi-tenant table computes each tenant’s beacons with its beacon key from the store, loading each once', async () => {
  const keyArn = await newKmsKey(kmsClient);
  const store = new DynamoDbBranchKeyStore({ ddbClient: ddb, kmsClient, tableName: 'beacon-keys', logicalKeyStoreName: 'beacon-keys', kmsConfiguration: { kmsKeyArn: keyArn } });
  await store.createKeyStore();
  const [a, b] = await Promise.all([store.createKey(), store.createKey()]);
  let loads = 0;
  const counting = {
    getActiveBranchKey: store.getActiveBranchKey.bind(store),
    getBranchKeyVersion: store.getBranchKeyVersion.bind(store),
    getBeaconKey: (id: string) => {
      loads++;
      return store.getBeaconKey(id);
    },
  };
  const table = createSearchableTable(
    { writeVersion: 1, versions: [{ version: 1, keyStore: counting, keySource: { multi: { keyFieldName: 'tenant', cacheTTL: 600 } }, standardBeacons: [{ name: 'email', length: 20 }] }] },
    { logicalTableName: 'users', attributeActionsOnEncrypt: { pk: 'SIGN_ONLY', email: 'ENCRYPT_AND_SIGN' } },
  );
  for (const { branchKeyIdentifier: id } of [a, b, a, b]) {
    const beaconKey = (await store.getBeaconKey(id)).beaconKey as Uint8Array;
    const materials = await table.keyMaterials(id);
    expect(materials.beaconKeyIdentifier).toBe(id);
    const email = table.queryBeacon('email');
    expect(email?.queryValue({ S: 'a@example.com' }, materials, 0)).toEqual({ S: basicHash(beaconHmacKey(beaconKey, 'email'), new TextEncoder().encode('a@example.com'), 20) });
  }
  expect(loads).toBe(2);
  const [ma, mb] = await Promise.all([table.keyMaterials(a.branchKeyIdentifier), table.keyMaterials(b.branchKeyIdentifier)]);
  expect(ma.hmacKeys?.get('email')).not.toEqual(mb.hmacKeys?.get('email'));
});
