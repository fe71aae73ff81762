// dynamoose over ddbec's encrypting aggregated client. Run by test/orm/dynamoose.test.ts.
import { randomBytes } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynamoose from 'dynamoose';
import { CryptoAction, isDdbecError, SecretKey, StaticMaterialsProvider } from 'ddbec';
import { ormAttributeActions } from 'ddbec/orm';
import { EncryptedDynamoDB } from 'ddbec/sdk';

// Table "customers": partition key id; global index byOrg on org + joined (projecting ALL).
const schema = new dynamoose.Schema(
  {
    id: { type: String, hashKey: true },
    org: { type: String, index: { name: 'byOrg', type: 'global', rangeKey: 'joined' } },
    joined: String,
    name: String,
    email: String,
    visits: Number,
  },
  { timestamps: true },
);
export const Customer = dynamoose.model('Customer', schema, { tableName: 'customers', create: false, waitForActive: false });

export async function main(dynamodb: DynamoDBClient, log: (line: string) => void = console.log): Promise<void> {
  // In production: a KMS or wrapped-key provider, keys never in code.
  const materialsProvider = new StaticMaterialsProvider({
    encryptionKey: SecretKey.fromBytes(randomBytes(32), 'AES'),
    signingKey: SecretKey.fromBytes(randomBytes(32), 'HmacSHA256'),
  });
  // createdAt sign-only, updatedAt (new in every update) and `visits` do-nothing
  // (unauthenticated); keys sign-only; everything else encrypted and signed.
  const attributeActions = ormAttributeActions('dynamoose', { attributeActions: { visits: CryptoAction.DoNothing } });
  dynamoose.aws.ddb.set(EncryptedDynamoDB.from(dynamodb, { tables: { customers: { materialsProvider, attributeActions } } }));

  await Customer.create({ id: 'c1', org: 'acme', joined: '2026-01-05', name: 'Ada', email: 'ada@example.com', visits: 1 });
  const ada = await Customer.get('c1');
  log(`get: ${String(ada?.['name'])} <${String(ada?.['email'])}>`);

  await Customer.update({ id: 'c1' }, { $ADD: { visits: 1 } }); // a do-nothing attribute: in place
  try {
    await Customer.update({ id: 'c1' }, { email: 'ada@example.org' });
  } catch (error) {
    if (!isDdbecError(error, 'ERR_SIGNED_ATTRIBUTE_UPDATE')) throw error;
    log('update of an encrypted attribute: refused (ERR_SIGNED_ATTRIBUTE_UPDATE)');
    const current = await Customer.get('c1');
    current['email'] = 'ada@example.org';
    await current.save(); // writes the whole item
  }

  await Customer.batchPut([
    { id: 'c2', org: 'acme', joined: '2026-02-01', name: 'Grace', email: 'grace@example.com', visits: 0 },
    { id: 'c3', org: 'initech', joined: '2026-03-01', name: 'Linus', email: 'linus@example.com', visits: 0 },
  ]);
  const batch = await Customer.batchGet(['c2', 'c3']);
  log(`batch get: ${batch.map((customer) => String(customer['name'])).sort().join(', ')}`);

  const acme = await Customer.query('org').eq('acme').using('byOrg').exec();
  log(`query acme: ${acme.map((customer) => `${String(customer['name'])} <${String(customer['email'])}> visits=${String(customer['visits'])}`).join(', ')}`);
  const all = await Customer.scan().exec();
  log(`scan: ${all.length} customers`);
  await Customer.delete('c3');
  log(`after delete: ${(await Customer.scan().exec()).length} customers`);
}
