// Encrypt and read back an item in the AWS Database Encryption SDK format (what the Java, .NET
// and Rust DB-ESDK read and write), with a raw AES keyring. Run by the test suite.
import { randomBytes } from 'node:crypto';
import { DbesdkItemEncryptor, RawAesKeyring, type Item } from 'ddbec/dbesdk';

export async function main(log: (line: string) => void = console.log): Promise<Item> {
  // In production the wrapping key comes from a secrets store, or use the hierarchical or KMS keyring.
  const keyring = new RawAesKeyring({ keyNamespace: 'my-app', keyName: 'customers-key-1', wrappingKey: randomBytes(32) });
  const encryptor = new DbesdkItemEncryptor({
    logicalTableName: 'customers',
    partitionKeyName: 'pk',
    sortKeyName: 'sk',
    attributeActionsOnEncrypt: { pk: 'SIGN_ONLY', sk: 'SIGN_ONLY', email: 'ENCRYPT_AND_SIGN', plan: 'SIGN_ONLY' },
    allowedUnsignedAttributes: ['updatedAt'],
    keyring,
  });

  const stored = await encryptor.encryptItem({
    pk: { S: 'customer#1' },
    sk: { N: '1' },
    email: { S: 'ada@example.com' },
    plan: { S: 'pro' },
    updatedAt: { S: '2026-11-30' },
  });
  log(`stored attributes: ${Object.keys(stored).sort().join(', ')}`);
  // … PutItem(stored) with @aws-sdk/client-dynamodb; later GetItem returns it:
  const item = await encryptor.decryptItem(stored);
  log(`read back email: ${JSON.stringify(item['email'])}`);
  return item;
}
