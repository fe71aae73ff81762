// Encrypt and read back an item with a wrapped-key provider (a fresh AES-256 content key per
// item, wrapped with an AES key-encryption key; HMAC-SHA256 signature). Run by the test suite.
import { randomBytes } from 'node:crypto';
import { AttributeActions, CryptoAction, ItemEncryptor, SecretKey, WrappedMaterialsProvider, type Item } from 'ddbec';

export async function main(log: (line: string) => void = console.log): Promise<Item> {
  // In production these come from a secrets store or KMS, never from code.
  const provider = new WrappedMaterialsProvider({
    wrappingKey: SecretKey.fromBytes(randomBytes(32), 'AES'),
    signingKey: SecretKey.fromBytes(randomBytes(32), 'HmacSHA256'),
  });
  const encryptor = new ItemEncryptor({ materialsProvider: provider });
  const config = {
    encryptionContext: { tableName: 'customers', partitionKeyName: 'pk', sortKeyName: 'sk' },
    attributeActions: new AttributeActions({
      defaultAction: CryptoAction.EncryptAndSign,
      attributeActions: { pk: CryptoAction.SignOnly, sk: CryptoAction.SignOnly, updatedAt: CryptoAction.DoNothing },
    }),
  };

  const stored = await encryptor.encryptItem(
    { pk: { S: 'customer#1' }, sk: { N: '1' }, email: { S: 'ada@example.com' }, updatedAt: { S: '2026-11-29' } },
    config,
  );
  log(`stored attributes: ${Object.keys(stored).sort().join(', ')}`);
  // … PutItem(stored) with @aws-sdk/client-dynamodb; later GetItem returns it:
  const item = await encryptor.decryptItem(stored, config);
  log(`read back email: ${JSON.stringify(item['email'])}`);
  return item;
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) await main();
