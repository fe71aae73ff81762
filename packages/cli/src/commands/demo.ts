import {
  AttributeActions,
  CryptoAction,
  isDdbecError,
  ItemEncryptor,
  SecretKey,
  StaticMaterialsProvider,
  type AttributeValue,
  type Item,
} from 'ddbec';
import { EXIT, type Io } from '../io.js';

/**
 * `ddbec demo`: encrypts a customer record with a static AES-256 + HMAC-SHA256 provider,
 * shows it as it would be stored and as it is read back, then shows a tampered copy being
 * refused. Runs in memory; no AWS account, no network.
 */
export async function demo(_options: Record<string, never>, io: Io): Promise<number> {
  const out = (text = ''): unknown => io.stdout.write(`${text}\n`);
  const provider = new StaticMaterialsProvider({
    encryptionKey: SecretKey.generate('AES', 256),
    signingKey: SecretKey.generate('HmacSHA256', 256),
  });
  const encryptor = new ItemEncryptor({ materialsProvider: provider });
  const config = {
    encryptionContext: { tableName: 'customers', partitionKeyName: 'customerId' },
    attributeActions: new AttributeActions({
      defaultAction: CryptoAction.EncryptAndSign,
      attributeActions: { customerId: CryptoAction.SignOnly, plan: CryptoAction.SignOnly, lastSeen: CryptoAction.DoNothing },
    }),
  };
  const customer: Item = {
    customerId: { S: 'c-1001' },
    name: { S: 'Ada Lovelace' },
    email: { S: 'ada@example.com' },
    cardLast4: { S: '4242' },
    balance: { N: '1024.50' },
    plan: { S: 'pro' },
    tags: { SS: ['early-adopter', 'vip'] },
    lastSeen: { S: '2026-11-29T10:00:00Z' },
  };

  out('ddbec demo — client-side encryption of a DynamoDB item (static AES-256 + HMAC-SHA256 keys)');
  out();
  out('Actions: customerId, plan = sign only; lastSeen = do nothing; everything else = encrypt and sign.');
  out();
  out('1. The plaintext item:');
  printItem(customer, out);

  const stored = await encryptor.encryptItem(customer, config);
  out();
  out('2. As it is stored in DynamoDB (encrypted attributes are binary IV || AES-CBC ciphertext):');
  printItem(stored, out);

  const read = await encryptor.decryptItem(stored, config);
  out();
  out('3. Read back: signature verified, attributes decrypted:');
  printItem(read, out);

  out();
  out('4. Someone changes the sign-only "plan" attribute in the table from "pro" to "enterprise":');
  try {
    await encryptor.decryptItem({ ...stored, plan: { S: 'enterprise' } }, config);
    out('   !! the tampered item was accepted — this is a bug');
    return EXIT.failed;
  } catch (error) {
    if (!isDdbecError(error, 'ERR_SIGNATURE_INVALID')) throw error;
    out(`   refused: ${error.code} — ${error.message}`);
  }
  out();
  out('5. Changing the do-nothing "lastSeen" attribute is allowed:');
  const touched = await encryptor.decryptItem({ ...stored, lastSeen: { S: '2026-11-30T08:00:00Z' } }, config);
  out(`   read back with lastSeen = ${show(touched['lastSeen'] as AttributeValue)}`);
  return EXIT.ok;
}

function printItem(item: Item, out: (text?: string) => unknown): void {
  for (const name of Object.keys(item).sort()) out(`   ${name.padEnd(20)} ${show(item[name] as AttributeValue)}`);
}

function show(value: AttributeValue): string {
  if ('B' in value) {
    const base64 = Buffer.from(value.B).toString('base64');
    return `B  ${base64.length > 44 ? `${base64.slice(0, 44)}… (${value.B.length} bytes)` : base64}`;
  }
  const [type, body] = Object.entries(value as Record<string, unknown>)[0] ?? ['?', undefined];
  return `${type.padEnd(2)} ${JSON.stringify(body)}`;
}
