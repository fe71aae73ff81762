// Searchable encryption: find customers by their encrypted email address, and a tenant's orders
// by date range, with beacons and a GSI over them. Run by the test suite against the local stack
// (docs/searchable-encryption.md walks through it).
import { CreateTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { KMSClient } from '@aws-sdk/client-kms';
import { DynamoDBDocumentClient, paginateQuery, PutCommand } from '@aws-sdk/lib-dynamodb';
import { HierarchicalKeyring } from 'ddbec/dbesdk';
import { DynamoDbBranchKeyStore } from 'ddbec/dbesdk/aws';
import { beaconIndex, beaconLength, type SearchConfig } from 'ddbec/searchable';
import { EncryptedDynamoDBClient, type DbesdkTableEncryptionConfig } from 'ddbec/sdk';

export interface Clients {
  readonly dynamodb: DynamoDBClient;
  readonly kms: KMSClient;
  /** The KMS key that protects the branch keys. */
  readonly kmsKeyArn: string;
}

export async function main({ dynamodb, kms, kmsKeyArn }: Clients, log: (line: string) => void = console.log): Promise<Record<string, unknown>[][]> {
  // One branch key for the table: its beacon key (in the same store) keys the beacons.
  const keyStore = new DynamoDbBranchKeyStore({ ddbClient: dynamodb, kmsClient: kms, tableName: 'branch-keys', logicalKeyStoreName: 'branch-keys', kmsConfiguration: { kmsKeyArn } });
  await keyStore.createKeyStore();
  const { branchKeyIdentifier } = await keyStore.createKey();

  // About 50,000 customers, one email each: the advised lengths are 8 to 14 bits.
  const advice = beaconLength(50_000);
  log(`email beacon: ${advice.shortest} to ${advice.longest} bits advised; using 12`);

  const search: SearchConfig = {
    writeVersion: 1,
    versions: [
      {
        version: 1,
        keyStore,
        keySource: { single: { keyId: branchKeyIdentifier, cacheTTL: 600 } },
        standardBeacons: [
          { name: 'email', length: 12 },
          { name: 'tenant', length: 8 },
        ],
        compoundBeacons: [
          {
            // "T-<tenant beacon>.D-<date>": a tenant's items sorted by date
            name: 'TenantDate',
            split: '.',
            encrypted: [{ name: 'tenant', prefix: 'T-' }],
            signed: [{ name: 'date', prefix: 'D-' }],
            constructors: [{ parts: [{ name: 'tenant', required: true }, { name: 'date', required: true }] }],
          },
        ],
      },
    ],
  };
  const table = {
    logicalTableName: 'customers',
    partitionKeyName: 'id',
    attributeActionsOnEncrypt: { id: 'SIGN_ONLY', email: 'ENCRYPT_AND_SIGN', tenant: 'ENCRYPT_AND_SIGN', date: 'SIGN_ONLY', name: 'ENCRYPT_AND_SIGN' },
    keyring: new HierarchicalKeyring({ keyStore, branchKeyId: branchKeyIdentifier, ttlSeconds: 600 }),
    search,
  } satisfies DbesdkTableEncryptionConfig;

  // The GSIs the queries use, keyed on the stored beacons (aws_dbe_b_email, …).
  const byEmail = beaconIndex(table, 'email');
  const byTenantDate = beaconIndex(table, 'tenant', { indexName: 'tenant-date', sortKey: 'TenantDate' });
  await dynamodb.send(
    new CreateTableCommand({
      TableName: 'customers',
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }, ...byEmail.AttributeDefinitions, ...byTenantDate.AttributeDefinitions],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      GlobalSecondaryIndexes: [byEmail.GlobalSecondaryIndex, byTenantDate.GlobalSecondaryIndex],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );

  const client = EncryptedDynamoDBClient.from(dynamodb, { tables: { customers: table } });
  const documents = DynamoDBDocumentClient.from(client);
  const customers = [
    { id: 'c1', email: 'ada@example.com', tenant: 'acme', date: '2026-01-15', name: 'Ada' },
    { id: 'c2', email: 'alan@example.com', tenant: 'acme', date: '2026-03-02', name: 'Alan' },
    { id: 'c3', email: 'grace@example.com', tenant: 'globex', date: '2026-02-20', name: 'Grace' },
    { id: 'c4', email: 'ada@example.com', tenant: 'globex', date: '2026-02-21', name: 'Ada (globex)' },
  ];
  // each item is written with its beacons: aws_dbe_b_email, aws_dbe_b_tenant, aws_dbe_b_TenantDate
  for (const customer of customers) await documents.send(new PutCommand({ TableName: 'customers', Item: customer }));

  // Query by the plaintext value: the client hashes it, queries the GSI, and drops false positives.
  const queries = [
    { IndexName: 'email-index', KeyConditionExpression: 'email = :email', ExpressionAttributeValues: { ':email': 'ada@example.com' } },
    {
      IndexName: 'tenant-date',
      KeyConditionExpression: 'tenant = :tenant AND TenantDate BETWEEN :from AND :to',
      ExpressionAttributeValues: { ':tenant': 'acme', ':from': 'T-acme.D-2026-01-01', ':to': 'T-acme.D-2026-02-28' },
    },
  ];
  const results: Record<string, unknown>[][] = [];
  for (const query of queries) {
    const found: Record<string, unknown>[] = [];
    for await (const page of paginateQuery({ client: documents }, { TableName: 'customers', ...query })) found.push(...(page.Items ?? []));
    log(`${query.KeyConditionExpression}: ${found.map((item) => String(item['name'])).sort().join(', ')}`);
    results.push(found);
  }
  return results;
}
