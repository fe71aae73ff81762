// Per-tenant keys with the hierarchical keyring: branch keys in a DynamoDB table protected by
// AWS KMS, one per tenant, cached for ten minutes. Run by the test suite against the local stack.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { KMSClient } from '@aws-sdk/client-kms';
import { createDynamoDbEncryptionBranchKeyIdSupplier, DbesdkItemEncryptor, HierarchicalKeyring, type Item } from 'ddbec/dbesdk';
import { DynamoDbBranchKeyStore } from 'ddbec/dbesdk/aws';

export interface Clients {
  readonly dynamodb: DynamoDBClient;
  readonly kms: KMSClient;
  /** The KMS key that protects the branch keys. */
  readonly kmsKeyArn: string;
}

export async function main({ dynamodb, kms, kmsKeyArn }: Clients, log: (line: string) => void = console.log): Promise<Item[]> {
  const keyStore = new DynamoDbBranchKeyStore({
    ddbClient: dynamodb,
    kmsClient: kms,
    tableName: 'branch-keys',
    logicalKeyStoreName: 'branch-keys',
    kmsConfiguration: { kmsKeyArn },
  });
  await keyStore.createKeyStore();

  // Once per tenant, when it signs up.
  for (const tenant of ['acme', 'globex']) {
    await keyStore.createKey({ branchKeyIdentifier: `tenant-${tenant}`, encryptionContext: { tenant } });
  }

  const keyring = new HierarchicalKeyring({
    keyStore,
    ttlSeconds: 600,
    branchKeyIdSupplier: createDynamoDbEncryptionBranchKeyIdSupplier({
      getBranchKeyIdFromDdbKey: (key) => {
        const tenant = key['tenant'];
        if (tenant === undefined || !('S' in tenant)) throw new Error('an order without a tenant');
        return `tenant-${tenant.S}`;
      },
    }),
  });
  const encryptor = new DbesdkItemEncryptor({
    logicalTableName: 'orders',
    partitionKeyName: 'tenant',
    sortKeyName: 'orderId',
    attributeActionsOnEncrypt: { tenant: 'SIGN_ONLY', orderId: 'SIGN_ONLY', card: 'ENCRYPT_AND_SIGN' },
    keyring,
  });

  const orders: Item[] = [
    { tenant: { S: 'acme' }, orderId: { N: '1' }, card: { S: '4111 1111 1111 1111' } },
    { tenant: { S: 'globex' }, orderId: { N: '1' }, card: { S: '5500 0000 0000 0004' } },
  ];
  const stored = await Promise.all(orders.map((order) => encryptor.encryptItem(order)));

  // Rotation: new items use the new version (here once the cache's ten minutes are over); items
  // written under the old version keep decrypting.
  await keyStore.versionKey('tenant-acme');
  const read = await Promise.all(stored.map((item) => encryptor.decryptItem(item)));
  for (const item of read) log(`${JSON.stringify(item['tenant'])} card: ${JSON.stringify(item['card'])}`);
  return read;
}
