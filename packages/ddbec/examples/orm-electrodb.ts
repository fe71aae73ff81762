// ElectroDB over ddbec's encrypting client. The schema uses attributes as keys (every key
// attribute is an attribute of the entity, stored as it is): key components are then signed
// key attributes, not copies that ElectroDB rewrites. Run by test/orm/electrodb.test.ts.
import { randomBytes } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Entity } from 'electrodb';
import { CryptoAction, isDdbecError, SecretKey, StaticMaterialsProvider } from 'ddbec';
import { ormAttributeActions } from 'ddbec/orm';
import { EncryptedDynamoDBClient } from 'ddbec/sdk';

// Table "customers": partition key pk; global index gsi1 on gsi1pk + gsi1sk (projecting ALL).
export const Customer = new Entity(
  {
    model: { entity: 'customer', version: '1', service: 'shop' },
    attributes: {
      id: { type: 'string', required: true, field: 'pk' },
      org: { type: 'string', required: true, field: 'gsi1pk' },
      joined: { type: 'string', required: true, field: 'gsi1sk' },
      name: { type: 'string' },
      email: { type: 'string' },
      visits: { type: 'number' },
    },
    indexes: {
      primary: { pk: { field: 'pk', composite: ['id'], template: '${id}', casing: 'none' } },
      byOrg: {
        index: 'gsi1',
        pk: { field: 'gsi1pk', composite: ['org'], template: '${org}', casing: 'none' },
        sk: { field: 'gsi1sk', composite: ['joined'], template: '${joined}', casing: 'none' },
      },
    },
  },
  { table: 'customers' },
);

export async function main(dynamodb: DynamoDBClient, log: (line: string) => void = console.log): Promise<void> {
  // In production: a KMS or wrapped-key provider, keys never in code.
  const materialsProvider = new StaticMaterialsProvider({
    encryptionKey: SecretKey.fromBytes(randomBytes(32), 'AES'),
    signingKey: SecretKey.fromBytes(randomBytes(32), 'HmacSHA256'),
  });
  // ElectroDB's markers sign-only; `visits`, a counter updated in place, do-nothing
  // (unauthenticated); keys sign-only; everything else encrypted and signed.
  const attributeActions = ormAttributeActions('electrodb', { entities: [Customer], attributeActions: { visits: CryptoAction.DoNothing } });
  const encrypted = EncryptedDynamoDBClient.from(dynamodb, { tables: { customers: { materialsProvider, attributeActions } } });
  Customer.setClient(DynamoDBDocumentClient.from(encrypted));

  await Customer.create({ id: 'c1', org: 'acme', joined: '2026-01-05', name: 'Ada', email: 'ada@example.com', visits: 1 }).go();
  const { data: ada } = await Customer.get({ id: 'c1' }).go();
  log(`get: ${ada?.name ?? ''} <${ada?.email ?? ''}>`);

  await Customer.update({ id: 'c1' }).add({ visits: 1 }).go(); // a do-nothing attribute: in place
  try {
    await Customer.update({ id: 'c1' }).set({ email: 'ada@example.org' }).go();
  } catch (error) {
    // ElectroDB wraps the client's errors: ddbec's is the `cause`.
    if (!isDdbecError((error as Error).cause, 'ERR_SIGNED_ATTRIBUTE_UPDATE')) throw error;
    log('update of an encrypted attribute: refused (ERR_SIGNED_ATTRIBUTE_UPDATE)');
    const { data } = await Customer.get({ id: 'c1' }).go();
    if (data) await Customer.put({ ...data, email: 'ada@example.org' }).go(); // write the whole item
  }

  await Customer.put([
    { id: 'c2', org: 'acme', joined: '2026-02-01', name: 'Grace', email: 'grace@example.com', visits: 0 },
    { id: 'c3', org: 'initech', joined: '2026-03-01', name: 'Linus', email: 'linus@example.com', visits: 0 },
  ]).go();
  const { data: batch } = await Customer.get([{ id: 'c2' }, { id: 'c3' }]).go();
  log(`batch get: ${batch.map((customer) => customer.name ?? '').sort().join(', ')}`);

  const { data: acme } = await Customer.query.byOrg({ org: 'acme' }).go();
  log(`query acme: ${acme.map((customer) => `${customer.name ?? ''} <${customer.email ?? ''}> visits=${customer.visits ?? 0}`).join(', ')}`);
  const { data: all } = await Customer.scan.go();
  log(`scan: ${all.length} customers`);
  await Customer.delete({ id: 'c3' }).go();
  log(`after delete: ${(await Customer.scan.go()).data.length} customers`);
}
