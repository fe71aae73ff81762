import { CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand, ScanCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { CreateAliasCommand, CreateKeyCommand, DisableKeyCommand, EnableKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { isDdbecError, MATERIAL_DESCRIPTION_ATTRIBUTE, SecretKey, type Item } from 'ddbec';
import { formatSecretKeyFile, isDbesdkTableFile, loadConfig, providerOf, type ConfigFile, type DbesdkTableConfigFile, type LoadedConfig, type TableConfig } from 'ddbec/config';
import { EncryptedDynamoDBClient } from 'ddbec/sdk';
import { MetaStore } from 'ddbec/metastore';
import { CommandFailed, EXIT, line, type Io } from '../io.js';
import { demoAtRest } from './at-rest.js';
import { inspectItem } from '../inspect.js';
import { itemLines } from '../items.js';
import { startLocalStack } from '../local/stack.js';
import type { CommandSpec } from '../spec.js';
import { EncryptedTable } from '../table.js';
import { freshSegment, zeroCounts, type CheckpointStore } from '../reencrypt/checkpoint.js';
import { reencryptTable } from '../reencrypt/run.js';

const CUSTOMERS: readonly Item[] = [
  {
    customerId: { S: 'c-1001' },
    name: { S: 'Ada Lovelace' },
    email: { S: 'ada@example.com' },
    cardLast4: { S: '4242' },
    balance: { N: '1024.50' },
    plan: { S: 'pro' },
    tags: { SS: ['early-adopter', 'vip'] },
    lastSeen: { S: '2026-11-29T10:00:00Z' },
  },
  { customerId: { S: 'c-1002' }, name: { S: 'Grace Hopper' }, email: { S: 'grace@example.com' }, cardLast4: { S: '1881' }, plan: { S: 'team' }, lastSeen: { S: '2026-11-28T16:30:00Z' } },
  { customerId: { S: 'c-1003' }, name: { S: 'Alan Turing' }, email: { S: 'alan@example.com' }, cardLast4: { S: '0623' }, plan: { S: 'free' }, lastSeen: { S: '2026-11-27T09:12:00Z' } },
];

/**
 * `ddbec demo`: a short story on an in-process local stack (DynamoDB + KMS on 127.0.0.1, in
 * memory): encrypted writes with versioned keys protected by KMS, the stored item seen
 * without keys, tampering refused, key rotation, and a disabled KMS key. No AWS account.
 */
export async function demo(_options: Record<string, never>, io: Io): Promise<number> {
  const say = (text = ''): void => {
    line(io.stdout, text);
  };
  const started = Date.now();
  say('ddbec demo — client-side encryption for DynamoDB, against a local DynamoDB and KMS (nothing leaves 127.0.0.1)');
  say();
  const stack = await startLocalStack();
  const local = { region: stack.region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
  const dynamodb = new DynamoDBClient({ ...local, endpoint: stack.dynamodb.endpoint });
  const kms = new KMSClient({ ...local, endpoint: stack.kms.endpoint });
  try {
    say(`1. Local stack up: DynamoDB ${stack.dynamodb.endpoint}, KMS ${stack.kms.endpoint} (in memory).`);
    const { KeyMetadata } = await kms.send(new CreateKeyCommand({ Description: 'ddbec demo' }));
    const keyArn = KeyMetadata?.Arn;
    if (keyArn === undefined) throw new CommandFailed('the local KMS created no key');
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/ddbec-demo', TargetKeyId: keyArn }));
    await dynamodb.send(
      new CreateTableCommand({
        TableName: 'customers',
        AttributeDefinitions: [{ AttributeName: 'customerId', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'customerId', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    await MetaStore.createTable(dynamodb, 'ddbec-keys', { pollMs: 50 });
    const document: ConfigFile = {
      tables: {
        customers: {
          partitionKey: 'customerId',
          attributeActions: { default: 'ENCRYPT_AND_SIGN', overrides: { plan: 'SIGN_ONLY', lastSeen: 'DO_NOTHING' } },
          provider: {
            type: 'most-recent',
            materialName: 'customers',
            ttlMs: 60_000,
            metaStore: { tableName: 'ddbec-keys', provider: { type: 'direct-kms', keyId: 'alias/ddbec-demo' } },
          },
        },
      },
    };
    say('2. Created a KMS key (alias/ddbec-demo), the table "customers" and a MetaStore table "ddbec-keys"');
    say('   (versioned AES/HMAC keys, each version stored encrypted under the KMS key). The configuration —');
    say('   what a ddbec.config.json holds:');
    for (const text of JSON.stringify(document, null, 2).split('\n')) say(`     ${text}`);
    const open = async (): Promise<EncryptedTable<TableConfig>> => {
      const config = await loadConfig(document, { dynamoDBClient: dynamodb, kmsClient: kms });
      return new EncryptedTable(config.table('customers'), dynamodb);
    };
    const app = await open();

    say();
    say('3. Write three customers through the encrypting client:');
    for (const customer of CUSTOMERS) {
      await app.put(customer);
      say(`   put ${customer['customerId'] && 'S' in customer['customerId'] ? customer['customerId'].S : '?'}`);
    }

    const key: Item = { customerId: { S: 'c-1001' } };
    const raw = async (): Promise<Item> => {
      const { Item: stored } = await dynamodb.send(new GetItemCommand({ TableName: 'customers', Key: key, ConsistentRead: true }));
      if (stored === undefined) throw new CommandFailed('c-1001 is missing');
      return stored;
    };
    const stored = await raw();
    say();
    say('4. c-1001 as DynamoDB stores it (a plain client, no keys): encrypted attributes are IV || AES-CBC ciphertext,');
    say('   plus a signature and a material description that says how to get the keys back:');
    for (const text of itemLines(stored, '   ')) say(text);
    const described = inspectItem(stored, app.config.attributeActions);
    say(`   material description (${MATERIAL_DESCRIPTION_ATTRIBUTE}), decoded:`);
    for (const [name, value] of Object.entries(described.materialDescription ?? {})) say(`     ${name.padEnd(24)}${value.length > 60 ? `${value.slice(0, 56)}…` : value}`);
    say(`   → provider: ${described.provider.label}`);

    say();
    say('5. c-1001 read through the encrypting client (signature verified, attributes decrypted):');
    for (const text of itemLines((await app.get(key)) ?? {}, '   ')) say(text);

    say();
    say('6. Someone with table access but no keys changes the sign-only "plan" from "pro" to "enterprise":');
    await dynamodb.send(
      new UpdateItemCommand({ TableName: 'customers', Key: key, UpdateExpression: 'SET #p = :p', ExpressionAttributeNames: { '#p': 'plan' }, ExpressionAttributeValues: { ':p': { S: 'enterprise' } } }),
    );
    if (!(await refused(app, key, 'ERR_SIGNATURE_INVALID', say))) return EXIT.failed;
    await dynamodb.send(
      new UpdateItemCommand({ TableName: 'customers', Key: key, UpdateExpression: 'SET #p = :p, #l = :l', ExpressionAttributeNames: { '#p': 'plan', '#l': 'lastSeen' }, ExpressionAttributeValues: { ':p': { S: 'pro' }, ':l': { S: '2026-11-30T08:00:00Z' } } }),
    );
    const restored = await app.get(key);
    say(`   Putting "pro" back makes it readable again; the do-nothing "lastSeen" may change freely (now ${restored?.['lastSeen'] && 'S' in restored['lastSeen'] ? restored['lastSeen'].S : '?'}).`);

    say();
    say('7. Rotate: a new version of the "customers" keys. New items use it; old items keep naming theirs:');
    const mostRecent = app.config.mostRecent;
    if (mostRecent === undefined) throw new CommandFailed('the demo table has no MetaStore');
    const version = await mostRecent.provider.rotate();
    const newcomer: Item = { customerId: { S: 'c-1004' }, name: { S: 'Katherine Johnson' }, email: { S: 'katherine@example.com' }, cardLast4: { S: '1918' }, plan: { S: 'pro' }, lastSeen: { S: '2026-11-30T09:00:00Z' } };
    await app.put(newcomer);
    for (const id of ['c-1001', 'c-1004']) {
      const itemKey: Item = { customerId: { S: id } };
      const storedItem = (await app.getRaw(itemKey)) ?? {};
      const plain = await app.get(itemKey);
      say(`   ${id}: written with ${inspectItem(storedItem).provider.metaId ?? '?'}, reads back as ${plain?.['name'] && 'S' in plain['name'] ? plain['name'].S : '?'}`);
    }
    say(`   (the MetaStore now holds customers#0 … customers#${version})`);

    say();
    say('8. Disable the KMS key (DisableKey). A reader starting now — no cached keys — cannot unlock any version:');
    await kms.send(new DisableKeyCommand({ KeyId: keyArn }));
    const fresh = await open();
    await refused(fresh, key, undefined, say);
    say('   (A running reader keeps the version keys it already unwrapped until its cache TTL expires, 60 s here.)');
    await kms.send(new EnableKeyCommand({ KeyId: keyArn }));
    const again = await (await open()).get(key);
    say(`   EnableKey: readable again (${again?.['email'] && 'S' in again['email'] ? again['email'].S : '?'}).`);

    say();
    if (!(await migrationChapter(document, { dynamodb, kms }, say))) return EXIT.failed;

    say();
    say('10. DynamoDB also encrypts every table at rest, on its side, with a key you choose (also `ddbec demo at-rest`):');
    say();
    const atRest = await demoAtRest({}, io);
    if (atRest !== EXIT.ok) return atRest;

    say();
    say(`Done in ${((Date.now() - started) / 1000).toFixed(1)} s. Next: \`ddbec local up\` for a local stack that stays, \`ddbec keys generate\`,`);
    say('a ddbec.config.json like the one above, then `ddbec put|get|scan`, `ddbec inspect`, `ddbec metastore rotate`.');
    return EXIT.ok;
  } finally {
    dynamodb.destroy();
    kms.destroy();
    await stack.stop();
  }
}

/**
 * Chapter 9: the table moved, live, to the DB-ESDK format in the specification's steps — readers
 * of both formats, writers switched, the rest re-encrypted, legacy forbidden. False when
 * something that must be refused was accepted.
 */
async function migrationChapter(legacy: ConfigFile, clients: { dynamodb: DynamoDBClient; kms: KMSClient }, say: (text?: string) => void): Promise<boolean> {
  const legacyEntry = legacy.tables['customers'];
  const provider = legacyEntry === undefined ? undefined : providerOf(legacyEntry);
  if (legacyEntry === undefined || isDbesdkTableFile(legacyEntry) || provider === undefined) throw new CommandFailed('the demo table has no provider');
  const env = { DEMO_DBESDK_KEY: formatSecretKeyFile(SecretKey.generate('AES', 256)) };
  const step = (policy: NonNullable<DbesdkTableConfigFile['legacyOverride']>['policy']): ConfigFile => ({
    tables: {
      customers: {
        partitionKey: 'customerId',
        attributeActionsOnEncrypt: { customerId: 'SIGN_ONLY', name: 'ENCRYPT_AND_SIGN', email: 'ENCRYPT_AND_SIGN', cardLast4: 'ENCRYPT_AND_SIGN', balance: 'ENCRYPT_AND_SIGN', tags: 'ENCRYPT_AND_SIGN', plan: 'SIGN_ONLY', lastSeen: 'DO_NOTHING' },
        allowedUnsignedAttributes: ['lastSeen'],
        keyring: { type: 'raw-aes', keyNamespace: 'demo', keyName: 'customers-2026', wrappingKey: { env: 'DEMO_DBESDK_KEY' } },
        legacyOverride: { policy, ...(legacyEntry.attributeActions === undefined ? {} : { attributeActions: legacyEntry.attributeActions }), provider },
      },
    },
  });
  const load = (document: ConfigFile): Promise<LoadedConfig> => loadConfig(document, { dynamoDBClient: clients.dynamodb, kmsClient: clients.kms, env });
  const clientOf = async (document: ConfigFile): Promise<EncryptedDynamoDBClient> => EncryptedDynamoDBClient.from(clients.dynamodb, (await load(document)).encryptionConfig);
  const formats = async (): Promise<string> => {
    const { Items = [] } = await clients.dynamodb.send(new ScanCommand({ TableName: 'customers', ConsistentRead: true }));
    const count = (format: string): number => Items.filter((item) => (item['aws_dbe_head'] !== undefined ? 'DB-ESDK' : 'legacy') === format).length;
    return `${count('legacy')} legacy, ${count('DB-ESDK')} DB-ESDK`;
  };
  const nameOf = (item: Item | undefined): string => (item?.['name'] !== undefined && 'S' in item['name'] ? item['name'].S : '?');

  say('9. Move the table, live, to the AWS Database Encryption SDK format (DB-ESDK, "DynamoDB Encryption Client 3.x"):');
  say('   one ddbec.config.json entry with the new keyring and actions, and the legacy provider in legacyOverride.');
  const readers = await clientOf(step('FORCE_LEGACY_ENCRYPT_ALLOW_LEGACY_DECRYPT'));
  say(`   a. Readers of both formats (FORCE_LEGACY_ENCRYPT_ALLOW_LEGACY_DECRYPT) read c-1001: ${nameOf((await readers.send(new GetItemCommand({ TableName: 'customers', Key: { customerId: { S: 'c-1001' } } }))).Item)}; they still write legacy items.`);
  const writers = await clientOf(step('FORBID_LEGACY_ENCRYPT_ALLOW_LEGACY_DECRYPT'));
  const newcomer: Item = { customerId: { S: 'c-1005' }, name: { S: 'Mary Jackson' }, email: { S: 'mary@example.com' }, cardLast4: { S: '1921' }, plan: { S: 'team' }, lastSeen: { S: '2026-11-30T10:00:00Z' } };
  await writers.send(new PutItemCommand({ TableName: 'customers', Item: newcomer }));
  const { Item: stored } = await clients.dynamodb.send(new GetItemCommand({ TableName: 'customers', Key: { customerId: { S: 'c-1005' } }, ConsistentRead: true }));
  const header = inspectItem(stored ?? {}).dbesdk;
  say(`   b. Writers switch (FORBID_LEGACY_ENCRYPT_ALLOW_LEGACY_DECRYPT): c-1005 is stored in the new format — header version ${header?.formatVersion ?? '?'},`);
  say(`      suite ${header?.algorithmSuite.id ?? '?'}, data key for ${header?.encryptedDataKeys.map((edk) => `${edk.providerId}/${edk.providerInfo}`).join(', ') ?? '?'}. Table: ${await formats()}.`);

  const from = (await load(legacy)).table('customers');
  const toConfig = await load(step('FORBID_LEGACY_ENCRYPT_ALLOW_LEGACY_DECRYPT'));
  const to = toConfig.dbesdkTable('customers');
  // One scan segment, kept in memory (the `ddbec reencrypt` command keeps it in a file or a table to resume)
  const checkpoint: CheckpointStore = {
    where: 'memory',
    share: { workers: 1, index: 0, totalSegments: 1 },
    segments: new Map([[0, freshSegment()]]),
    resumed: false,
    save: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
  await reencryptTable({ client: clients.dynamodb, from, to, checkpoint, dryRun: false, pageSize: 100, concurrency: 4, retries: 5, transientRetries: 3, backoffMs: 50, stopping: () => false, onProblem: () => undefined });
  const counts = checkpoint.segments.get(0)?.counts ?? zeroCounts();
  say(`   c. Re-encrypt the rest (ddbec reencrypt, conditional writes): ${counts.reencrypted} re-encrypted, ${counts.alreadyNew} already new. Table: ${await formats()}.`);

  const strict = await clientOf(step('FORBID_LEGACY_ENCRYPT_FORBID_LEGACY_DECRYPT'));
  say(`   d. Forbid legacy (FORBID_LEGACY_ENCRYPT_FORBID_LEGACY_DECRYPT): c-1001 reads as ${nameOf((await strict.send(new GetItemCommand({ TableName: 'customers', Key: { customerId: { S: 'c-1001' } } }))).Item)}.`);
  await new EncryptedTable(from, clients.dynamodb).put({ ...newcomer, customerId: { S: 'c-1006' } });
  const late: Item = { customerId: { S: 'c-1006' } };
  say('      A forgotten legacy writer puts c-1006 in the old format:');
  try {
    await strict.send(new GetItemCommand({ TableName: 'customers', Key: late }));
    say('   !! the legacy item was accepted — this is a bug');
    return false;
  } catch (error) {
    if (!isDdbecError(error, 'ERR_ITEM_FORMAT_REFUSED')) throw error;
    say(`      refused: ${error.code} — ${error.message}`);
  }
  return true;
}

/** Reads an item that must be refused; prints the refusal. False when it was accepted. */
async function refused(table: EncryptedTable, key: Item, code: 'ERR_SIGNATURE_INVALID' | undefined, say: (text?: string) => void): Promise<boolean> {
  try {
    await table.get(key);
    say('   !! the item was accepted — this is a bug');
    return false;
  } catch (error) {
    if (!isDdbecError(error) || (code !== undefined && error.code !== code)) throw error;
    say(`   refused: ${error.code} — ${error.message}`);
    return true;
  }
}

export const demoCommands: readonly CommandSpec[] = [
  {
    name: 'demo',
    summary: 'a two-second tour on an in-process local DynamoDB and KMS: encrypt, inspect, tamper, rotate, disable the key, migrate to the DB-ESDK format',
    details: ['Needs no AWS account and no network: DynamoDB and KMS run in the process on 127.0.0.1, in memory, and stop at the end.'],
    examples: ['ddbec demo'],
    run: (_args, io) => demo({}, io),
  },
];
