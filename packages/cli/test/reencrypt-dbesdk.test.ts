// The migration playbook end to end on the local stack: a legacy table (and a plaintext one)
// moved to the DB-ESDK format with the spec's steps — readers of both formats, writers switched,
// `ddbec reencrypt` for the rest (resumable, never clobbering a concurrent writer), legacy forbidden.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchWriteItemCommand, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretKey, type Item } from 'ddbec';
import { formatSecretKeyFile, loadConfig, type LoadedConfig } from 'ddbec/config';
import { EncryptedDynamoDBClient } from 'ddbec/sdk';
import type { FrontHandler } from '../../local/src/index.js';
import { ddbec, ddbecJson, startStack, type Stack, scanTable } from './support.js';

const ITEMS = 400;
const dir = mkdtempSync(join(tmpdir(), 'ddbec-migrate-'));
let stack: Stack;
const configs: Record<string, LoadedConfig> = {};

/** Items whose first conditional re-encryption write meets an application write in the new format. */
const raced = new Set(['a-00017', 'a-00233']);
const racedDone = new Set<string>();

const LEGACY_ACTIONS = { default: 'ENCRYPT_AND_SIGN', overrides: { note: 'SIGN_ONLY', updatedAt: 'DO_NOTHING' } };
const DBESDK_ACTIONS = { id: 'SIGN_ONLY', owner: 'ENCRYPT_AND_SIGN', balance: 'ENCRYPT_AND_SIGN', note: 'SIGN_ONLY', updatedAt: 'DO_NOTHING' };

function account(id: string, note: string): Item {
  return { id: { S: id }, owner: { S: `owner of ${id}` }, balance: { N: String(id.length * 7) }, note: { S: note }, updatedAt: { S: '2026-11-30' } };
}
const id = (n: number): string => `a-${String(n).padStart(5, '0')}`;

/** A DB-ESDK configuration of `ledger` at one step of the playbook. */
function step(policy: string): object {
  return {
    tables: {
      ledger: {
        partitionKey: 'id',
        attributeActionsOnEncrypt: DBESDK_ACTIONS,
        allowedUnsignedAttributes: ['updatedAt'],
        keyring: { type: 'raw-aes', keyNamespace: 'ledger', keyName: 'key-1', wrappingKey: { file: 'new.aes' } },
        legacyOverride: {
          policy,
          attributeActions: LEGACY_ACTIONS,
          provider: { type: 'wrapped', wrappingKey: { file: 'old.aes' }, signingKey: { file: 'old.hmac' } },
        },
      },
    },
  };
}

const writerOf = (name: string): EncryptedDynamoDBClient => EncryptedDynamoDBClient.from(stack.ddb, (configs[name] as LoadedConfig).encryptionConfig);

/** Before the run's first conditional PutItem of a raced item, the application (step 2) writes that item in the new format. */
const interfere: FrontHandler = async (request, context) => {
  const input = request.json() as { TableName?: string; ConditionExpression?: string; Item?: { id?: { S?: string } } } | undefined;
  const key = input?.Item?.id?.S;
  if (input?.TableName === 'ledger' && input.ConditionExpression !== undefined && key !== undefined && raced.has(key) && !racedDone.has(key)) {
    racedDone.add(key);
    await writerOf('step2').send(new PutItemCommand({ TableName: 'ledger', Item: account(key, 'concurrent app write') }));
  }
  return context.forward(request);
};

const formatOf = (item: Item): string => (item['aws_dbe_head'] !== undefined ? 'dbesdk' : item['*amzn-ddb-map-sig*'] !== undefined ? 'legacy' : 'plaintext');

async function seed(table: string, items: readonly Item[]): Promise<void> {
  for (let i = 0; i < items.length; i += 25) {
    let pending: Record<string, { PutRequest: { Item: Item } }[]> | undefined = { [table]: items.slice(i, i + 25).map((item) => ({ PutRequest: { Item: item } })) };
    while (pending !== undefined && Object.keys(pending).length > 0) pending = (await stack.ddb.send(new BatchWriteItemCommand({ RequestItems: pending }))).UnprocessedItems as typeof pending;
  }
}

beforeAll(async () => {
  stack = await startStack({ PutItem: interfere });
  await stack.createTable('ledger', 'id');
  await stack.createTable('open', 'id');
  writeFileSync(join(dir, 'old.aes'), formatSecretKeyFile(SecretKey.generate('AES', 256)));
  writeFileSync(join(dir, 'old.hmac'), formatSecretKeyFile(SecretKey.generate('HmacSHA256', 256)));
  writeFileSync(join(dir, 'new.aes'), formatSecretKeyFile(SecretKey.generate('AES', 256)));
  const files: Record<string, object> = {
    legacy: { tables: { ledger: { partitionKey: 'id', attributeActions: LEGACY_ACTIONS, provider: { type: 'wrapped', wrappingKey: { file: 'old.aes' }, signingKey: { file: 'old.hmac' } } } } },
    step1: step('FORCE_LEGACY_ENCRYPT_ALLOW_LEGACY_DECRYPT'),
    step2: step('FORBID_LEGACY_ENCRYPT_ALLOW_LEGACY_DECRYPT'),
    step4: step('FORBID_LEGACY_ENCRYPT_FORBID_LEGACY_DECRYPT'),
    plain: { tables: { open: { partitionKey: 'id', attributeActions: { default: 'DO_NOTHING' } } } },
    opened: {
      tables: {
        open: {
          partitionKey: 'id',
          attributeActionsOnEncrypt: DBESDK_ACTIONS,
          allowedUnsignedAttributes: ['updatedAt'],
          keyring: { type: 'raw-aes', keyNamespace: 'open', keyName: 'key-1', wrappingKey: { file: 'new.aes' } },
          plaintextOverride: 'FORBID_PLAINTEXT_WRITE_ALLOW_PLAINTEXT_READ',
        },
      },
    },
  };
  for (const [name, document] of Object.entries(files)) {
    writeFileSync(join(dir, `${name}.json`), JSON.stringify(document));
    configs[name] = await loadConfig(join(dir, `${name}.json`), { dynamoDBClient: stack.ddb, kmsClient: stack.kmsClient });
  }
  const legacy = writerOf('legacy');
  const all = Array.from({ length: ITEMS }, (_, n) => account(id(n), 'seeded'));
  // the legacy application wrote the table (through its encrypting client, as the SDK stores them)
  const legacyTable = (configs['legacy'] as LoadedConfig).table('ledger');
  await seed('ledger', await Promise.all(all.map((item) => legacyTable.encryptor.encryptItem(item, legacyTable))));
  await legacy.send(new PutItemCommand({ TableName: 'ledger', Item: account('a-legacy-app', 'written by the legacy app') }));
  await seed('open', all);
}, 60_000);

afterAll(async () => {
  await stack.stop();
  rmSync(dir, { recursive: true, force: true });
});

const reencrypt = (from: string, to: string, table = 'ledger', extra: string[] = []): ReturnType<typeof ddbecJson> =>
  ddbecJson(['reencrypt', '--table', table, '--from-config', join(dir, `${from}.json`), '--to-config', join(dir, `${to}.json`), '--segments', '4', '--page-size', '50', '--checkpoint', join(dir, `${table}-${to}.cp.json`), ...extra], {
    env: stack.env,
  });

describe('the migration playbook: legacy → DB-ESDK', () => {
  it('step 1: readers of both formats still write the legacy format, so old readers keep working', async () => {
    const step1 = writerOf('step1');
    expect((await step1.send(new GetItemCommand({ TableName: 'ledger', Key: { id: { S: id(1) } } }))).Item).toEqual(account(id(1), 'seeded'));
    await step1.send(new PutItemCommand({ TableName: 'ledger', Item: account('a-step1', 'written in step 1') }));
    const stored = (await stack.ddb.send(new GetItemCommand({ TableName: 'ledger', Key: { id: { S: 'a-step1' } } }))).Item as Item;
    expect(formatOf(stored)).toBe('legacy');
    expect((await writerOf('legacy').send(new GetItemCommand({ TableName: 'ledger', Key: { id: { S: 'a-step1' } } }))).Item).toEqual(account('a-step1', 'written in step 1'));
  });

  it('step 2: writers switch to the DB-ESDK format and read both', async () => {
    const step2 = writerOf('step2');
    await step2.send(new PutItemCommand({ TableName: 'ledger', Item: account('a-step2', 'written in step 2') }));
    expect(formatOf((await stack.ddb.send(new GetItemCommand({ TableName: 'ledger', Key: { id: { S: 'a-step2' } } }))).Item as Item)).toBe('dbesdk');
    expect((await step2.send(new GetItemCommand({ TableName: 'ledger', Key: { id: { S: id(2) } } }))).Item).toEqual(account(id(2), 'seeded'));
  });

  it('a configuration that still writes legacy items is not a re-encryption target', async () => {
    const result = await ddbec(['reencrypt', '--table', 'ledger', '--from-config', join(dir, 'legacy.json'), '--to-config', join(dir, 'step1.json'), '--checkpoint', join(dir, 'refused.cp.json')], { env: stack.env });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('writes legacy items (FORCE_LEGACY_ENCRYPT_ALLOW_LEGACY_DECRYPT)');
  });

  it('step 3: ddbec reencrypt moves the rest, keeps the concurrent writes, and a second run has nothing left to do', { timeout: 60_000 }, async () => {
    const dry = await reencrypt('legacy', 'step2', 'ledger', ['--dry-run']);
    expect(dry.result.code, dry.result.stderr).toBe(0);
    expect(dry.json).toMatchObject({ dryRun: true, complete: true, reencrypted: ITEMS + 2, alreadyNew: 1, failed: 0 });

    const { result, json } = await reencrypt('legacy', 'step2');
    expect(result.code, result.stderr).toBe(0);
    // the two raced items were found already in the new format when read again
    expect(json).toMatchObject({ complete: true, reencrypted: ITEMS, alreadyNew: 3, failed: 0, conflicts: 0, problems: [] });
    expect([...racedDone].sort()).toEqual([...raced].sort());
    const items = await scanTable(stack.ddb, 'ledger');
    expect(items.map(formatOf).filter((format) => format !== 'dbesdk')).toEqual([]);

    const again = await reencrypt('legacy', 'step2', 'ledger', ['--restart']);
    expect(again.json).toMatchObject({ complete: true, reencrypted: 0, alreadyNew: ITEMS + 3, failed: 0 });
  });

  it('step 4: legacy decryption is forbidden, and every item reads back as written', async () => {
    const step4 = writerOf('step4');
    const read = async (key: string): Promise<Item | undefined> => (await step4.send(new GetItemCommand({ TableName: 'ledger', Key: { id: { S: key } } }))).Item;
    for (const n of [0, 17, 233, ITEMS - 1]) expect(await read(id(n))).toEqual(account(id(n), raced.has(id(n)) ? 'concurrent app write' : 'seeded'));
    expect(await read('a-legacy-app')).toEqual(account('a-legacy-app', 'written by the legacy app'));
    expect(await read('a-step1')).toEqual(account('a-step1', 'written in step 1'));
    // a legacy item that appears now (an old writer still running) is refused
    const legacyTable = (configs['legacy'] as LoadedConfig).table('ledger');
    await stack.ddb.send(new PutItemCommand({ TableName: 'ledger', Item: await legacyTable.encryptor.encryptItem(account('a-late', 'late legacy write'), legacyTable) }));
    await expect(read('a-late')).rejects.toMatchObject({ code: 'ERR_ITEM_FORMAT_REFUSED' });
  });
});

describe('plaintext → DB-ESDK', () => {
  it('a plaintext table is encrypted item by item; plaintext reads stay allowed until then', { timeout: 60_000 }, async () => {
    const { result, json } = await reencrypt('plain', 'opened', 'open');
    expect(result.code, result.stderr).toBe(0);
    expect(json).toMatchObject({ complete: true, reencrypted: ITEMS, failed: 0 });
    expect((await scanTable(stack.ddb, 'open')).map(formatOf).filter((format) => format !== 'dbesdk')).toEqual([]);
    const reader = writerOf('opened');
    expect((await reader.send(new GetItemCommand({ TableName: 'open', Key: { id: { S: id(5) } } }))).Item).toEqual(account(id(5), 'seeded'));
  });
});
