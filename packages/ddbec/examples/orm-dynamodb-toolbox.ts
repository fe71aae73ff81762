// dynamodb-toolbox v2 over ddbec's encrypting client. Run by test/orm/dynamodb-toolbox.test.ts.
import { randomBytes } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Entity } from 'dynamodb-toolbox/entity';
import { DeleteItemCommand } from 'dynamodb-toolbox/entity/actions/delete';
import { GetItemCommand } from 'dynamodb-toolbox/entity/actions/get';
import { PutItemCommand } from 'dynamodb-toolbox/entity/actions/put';
import { $add, UpdateItemCommand } from 'dynamodb-toolbox/entity/actions/update';
import { BatchGetRequest } from 'dynamodb-toolbox/entity/actions/batchGet';
import { BatchPutRequest } from 'dynamodb-toolbox/entity/actions/batchPut';
import { item } from 'dynamodb-toolbox/schema/item';
import { number } from 'dynamodb-toolbox/schema/number';
import { string } from 'dynamodb-toolbox/schema/string';
import { Table } from 'dynamodb-toolbox/table';
import { BatchGetCommand, execute as executeBatchGet } from 'dynamodb-toolbox/table/actions/batchGet';
import { BatchWriteCommand, execute as executeBatchWrite } from 'dynamodb-toolbox/table/actions/batchWrite';
import { QueryCommand } from 'dynamodb-toolbox/table/actions/query';
import { ScanCommand } from 'dynamodb-toolbox/table/actions/scan';
import { CryptoAction, isDdbecError, SecretKey, StaticMaterialsProvider } from 'ddbec';
import { ormAttributeActions } from 'ddbec/orm';
import { EncryptedDynamoDBClient } from 'ddbec/sdk';

// Table "customers": partition key id; global index byOrg on org + joined (projecting ALL).
export const table = new Table({
  name: 'customers',
  partitionKey: { name: 'id', type: 'string' },
  indexes: { byOrg: { type: 'global', partitionKey: { name: 'org', type: 'string' }, sortKey: { name: 'joined', type: 'string' } } },
});
export const Customer = new Entity({
  name: 'Customer',
  table,
  schema: item({ id: string().key(), org: string(), joined: string(), name: string(), email: string(), visits: number() }),
});

export async function main(dynamodb: DynamoDBClient, log: (line: string) => void = console.log): Promise<void> {
  // In production: a KMS or wrapped-key provider, keys never in code.
  const materialsProvider = new StaticMaterialsProvider({
    encryptionKey: SecretKey.fromBytes(randomBytes(32), 'AES'),
    signingKey: SecretKey.fromBytes(randomBytes(32), 'HmacSHA256'),
  });
  // _et and _ct sign-only, _md (new in every update) and `visits` do-nothing (unauthenticated);
  // keys sign-only; everything else encrypted and signed.
  const attributeActions = ormAttributeActions('dynamodb-toolbox', { entities: [Customer], attributeActions: { visits: CryptoAction.DoNothing } });
  const encrypted = EncryptedDynamoDBClient.from(dynamodb, { tables: { customers: { materialsProvider, attributeActions } } });
  table.documentClient = DynamoDBDocumentClient.from(encrypted);

  await Customer.build(PutItemCommand).item({ id: 'c1', org: 'acme', joined: '2026-01-05', name: 'Ada', email: 'ada@example.com', visits: 1 }).send();
  const { Item: ada } = await Customer.build(GetItemCommand).key({ id: 'c1' }).send();
  log(`get: ${ada?.name ?? ''} <${ada?.email ?? ''}>`);

  await Customer.build(UpdateItemCommand).item({ id: 'c1', visits: $add(1) }).send(); // a do-nothing attribute: in place
  try {
    await Customer.build(UpdateItemCommand).item({ id: 'c1', email: 'ada@example.org' }).send();
  } catch (error) {
    if (!isDdbecError(error, 'ERR_SIGNED_ATTRIBUTE_UPDATE')) throw error;
    log('update of an encrypted attribute: refused (ERR_SIGNED_ATTRIBUTE_UPDATE)');
    const { Item: current } = await Customer.build(GetItemCommand).key({ id: 'c1' }).send();
    if (current) await Customer.build(PutItemCommand).item({ ...current, email: 'ada@example.org' }).send(); // write the whole item
  }

  await executeBatchWrite(
    table.build(BatchWriteCommand).requests(
      Customer.build(BatchPutRequest).item({ id: 'c2', org: 'acme', joined: '2026-02-01', name: 'Grace', email: 'grace@example.com', visits: 0 }),
      Customer.build(BatchPutRequest).item({ id: 'c3', org: 'initech', joined: '2026-03-01', name: 'Linus', email: 'linus@example.com', visits: 0 }),
    ),
  );
  const {
    Responses: [batch],
  } = await executeBatchGet(
    table.build(BatchGetCommand).requests(Customer.build(BatchGetRequest).key({ id: 'c2' }), Customer.build(BatchGetRequest).key({ id: 'c3' })),
  );
  log(`batch get: ${batch.map((customer) => customer?.name ?? '').sort().join(', ')}`);

  const { Items: acme = [] } = await table.build(QueryCommand).entities(Customer).query({ index: 'byOrg', partition: 'acme' }).send();
  log(`query acme: ${acme.map((customer) => `${customer.name} <${customer.email}> visits=${customer.visits}`).join(', ')}`);
  const { Items: all = [] } = await table.build(ScanCommand).entities(Customer).send();
  log(`scan: ${all.length} customers`);
  await Customer.build(DeleteItemCommand).key({ id: 'c3' }).send();
  log(`after delete: ${(await table.build(ScanCommand).entities(Customer).send()).Items?.length ?? 0} customers`);
}
