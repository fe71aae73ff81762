import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { isDdbecError, type Item } from 'ddbec';
import type { TableConfig } from 'ddbec/config';
import { awsClients, type AwsClients, type AwsOptions } from '../aws.js';
import { configPath, configuredEntry, openTable, regionHint, type ConfigOptions } from '../context.js';
import { CommandFailed, EXIT, envOf, line, printJson, UsageError, type Io } from '../io.js';
import { argumentText, itemLines, parseJson, toDynamoJson, toItem } from '../items.js';
import { describeClassification, inspectItem, type Inspection } from '../inspect.js';
import { awsOptionsOf, flag, str, type CommandSpec } from '../spec.js';

export interface InspectOptions extends ConfigOptions, AwsOptions {
  /** Files (or `-` for standard input) holding an item, `{"Item": …}`, `{"Items": […]}` or `{"<table>": […]}`. */
  readonly files?: readonly string[] | undefined;
  /** An item as JSON (or `@file`). */
  readonly item?: string | undefined;
  /** Read the item from this table (with `key`): a configured table with `config`, else a DynamoDB table name. */
  readonly table?: string | undefined;
  readonly key?: string | undefined;
  readonly json?: boolean | undefined;
}

interface Source {
  readonly name: string;
  readonly item: Item;
}

interface Result extends Inspection {
  readonly source: string;
  readonly verified?: boolean;
  readonly item?: Record<string, unknown>;
  readonly error?: { readonly code: string; readonly message: string };
}

/**
 * `ddbec inspect`: shows what an item is made of — its material description, the provider that
 * wrote it and how each attribute is protected — without any key. With `--config` (and the
 * table), also verifies the signature and decrypts: exit 1 when that fails.
 */
export async function inspect(options: InspectOptions, io: Io): Promise<number> {
  const env = envOf(io);
  const sources = [options.files !== undefined && options.files.length > 0, options.item !== undefined, options.key !== undefined].filter(Boolean).length;
  if (sources !== 1) throw new UsageError('inspect needs exactly one source: FILE… (or - for standard input), --item JSON, or --table T --key JSON');
  const tableOption = options.table;
  // A configuration named on the command line or in DDBEC_CONFIG must configure the table; the
  // default ./ddbec.config.json is used when it does (else the table is read without keys).
  const path = configPath(options.config, env);
  const named = options.config !== undefined || (env['DDBEC_CONFIG'] ?? '') !== '';
  const keyed = tableOption !== undefined && path !== undefined && (named || configuredEntry(path, tableOption) !== undefined);
  if (tableOption !== undefined && !keyed && options.key === undefined) throw new UsageError('--table without a configuration only names where --key is read from');

  let table: TableConfig | undefined;
  let clients: AwsClients | undefined;
  try {
    let items: Source[];
    if (keyed) ({ table, clients } = await openTable({ ...options, table: tableOption }, env));
    if (options.key !== undefined) {
      if (tableOption === undefined) throw new UsageError('--key needs --table');
      const key = toItem(parseJson(await argumentText(options.key, io, '--key'), '--key'), '--key');
      const tableName = table?.tableName ?? tableOption;
      clients ??= awsClients(options, env, path === undefined ? undefined : regionHint(path));
      const { Item: stored } = await clients.dynamodb.send(new GetItemCommand({ TableName: tableName, Key: key, ConsistentRead: true }));
      if (stored === undefined) throw new CommandFailed(`item not found in ${tableName}`);
      items = [{ name: tableName, item: stored }];
    } else if (options.item !== undefined) {
      items = sourcesOf(parseJson(await argumentText(options.item, io, '--item'), '--item'), '--item');
    } else {
      items = [];
      for (const file of options.files ?? []) {
        const text = await argumentText(file === '-' ? '-' : `@${file}`, io, file);
        items.push(...sourcesOf(parseJson(text, file), file === '-' ? 'stdin' : file));
      }
    }
    if (items.length === 0) throw new UsageError('no item to inspect');

    const results: Result[] = [];
    for (const source of items) results.push(await examine(source, table));
    if (options.json) printJson(io, results.length === 1 && (options.files?.length ?? 0) === 0 ? results[0] : { items: results });
    else results.forEach((result, index) => {
      if (index > 0) line(io.stdout);
      show(result, io, items.length > 1);
    });
    return results.some((result) => result.verified === false) ? EXIT.failed : EXIT.ok;
  } finally {
    clients?.destroy();
  }
}

async function examine(source: Source, table: TableConfig | undefined): Promise<Result> {
  const inspection = inspectItem(source.item, table?.attributeActions);
  if (table === undefined) return { source: source.name, ...inspection };
  try {
    const item = await table.encryptor.decryptItem(source.item, table);
    return { source: source.name, ...inspection, verified: true, item: toDynamoJson(item) };
  } catch (error) {
    if (!isDdbecError(error)) throw error;
    return { source: source.name, ...inspection, verified: false, error: { code: error.code, message: error.message } };
  }
}

/** The items of parsed JSON: one item, `{"Item": …}` (get-item), `{"Items": […]}` (scan), an array, or `{"<table>": […]}` (a dump). */
function sourcesOf(value: unknown, name: string): Source[] {
  if (Array.isArray(value)) return value.map((item, index) => ({ name: `${name}[${index}]`, item: toItem(item, `${name}[${index}]`, 'dynamodb') }));
  if (typeof value !== 'object' || value === null) throw new UsageError(`${name}: must hold an item (a JSON object)`);
  const record = value as Record<string, unknown>;
  const listed = record['Items'];
  if (Array.isArray(listed)) return sourcesOf(listed, name);
  if (typeof record['Item'] === 'object' && record['Item'] !== null && !Array.isArray(record['Item'])) return [{ name, item: toItem(record['Item'], name, 'dynamodb') }];
  const entries = Object.entries(record);
  if (entries.length > 0 && entries.every(([, list]) => Array.isArray(list))) {
    return entries.flatMap(([tableName, list]) =>
      (list as unknown[]).map((item, index) => ({ name: `${name}: ${tableName}[${index}]`, item: toItem(item, `${name}: ${tableName}[${index}]`, 'dynamodb') })),
    );
  }
  return [{ name, item: toItem(record, name, 'dynamodb') }];
}

function show(result: Result, io: Io, heading: boolean): void {
  const say = (text = ''): void => {
    line(io.stdout, text);
  };
  if (heading) say(`== ${result.source}`);
  say(`provider              ${result.provider.label}`);
  say(`${result.dbesdk === undefined ? 'signature ' : 'footer    '}            ${result.signature.present ? `${result.signature.bytes ?? 0} bytes (${result.signature.algorithm ?? 'unknown'})` : 'none'}`);
  const dbesdk = result.dbesdk;
  if (dbesdk !== undefined) {
    const short = (value: string): string => (value.length > 60 ? `${value.slice(0, 56)}… (${value.length} chars)` : value);
    say(`format version        ${dbesdk.formatVersion}`);
    say(`algorithm suite       ${dbesdk.algorithmSuite.id} ${dbesdk.algorithmSuite.name}`);
    say(`legend                ${dbesdk.legend.map((entry) => `${entry.attribute ?? '?'}=${entry.action}`).join(', ')}`);
    say('encryption context');
    for (const [key, value] of Object.entries(dbesdk.encryptionContext)) say(`  ${key.padEnd(28)}${short(value)}`);
    say('encrypted data keys');
    for (const edk of dbesdk.encryptedDataKeys) say(`  ${edk.providerId.padEnd(20)}${short(edk.providerInfo)}  [${edk.keyring}; ${edk.ciphertextBytes} bytes]`);
  }
  if (result.problem !== undefined) say(`problem               ${result.problem}`);
  const description = result.materialDescription;
  if (description !== undefined) {
    say('material description');
    for (const [key, value] of Object.entries(description)) say(`  ${key.padEnd(24)}${value.length > 48 ? `${value.slice(0, 44)}… (${value.length} chars)` : value}`);
  }
  say(result.verified === undefined ? 'attributes (without keys; name a configured table with --table to verify and decrypt)' : 'attributes (actions from the configuration)');
  const names = Object.keys(result.attributes);
  const width = Math.max(8, ...names.map((n) => n.length)) + 2;
  for (const [name, report] of Object.entries(result.attributes)) say(`  ${name.padEnd(width)}${report.type.padEnd(5)}${describeClassification(report)}`);
  if (result.verified === true && result.item !== undefined) {
    say('signature verified; decrypted item:');
    for (const text of itemLines(toItem(result.item, 'item', 'dynamodb'), '  ')) say(text);
  } else if (result.verified === false) {
    say(`refused: ${result.error?.code ?? ''} — ${result.error?.message ?? ''}`);
  }
}

export const inspectCommands: readonly CommandSpec[] = [
  {
    name: 'inspect',
    summary: 'show how a stored item is protected (provider, material description or DB-ESDK header, attributes); for a configured table, verify and decrypt it',
    args: '[FILE…|-]',
    positionals: [0, 1000],
    options: {
      item: { type: 'string', value: 'JSON', description: 'the stored item as DynamoDB JSON (or @file)' },
      key: { type: 'string', value: 'JSON', description: 'read the item with this key from --table' },
      config: { type: 'string', value: 'FILE', description: 'configuration (default: $DDBEC_CONFIG, else ./ddbec.config.json): with --table, the item is verified and decrypted' },
      table: { type: 'string', value: 'NAME', description: 'a configured table (its actions are known, the item is verified and decrypted), or any DynamoDB table (with --key)' },
    },
    groups: ['aws', 'json'],
    details: [
      'A DB-ESDK item (it has `aws_dbe_head`) is decoded without keys: its format version, algorithm suite, legend (the action of each signed attribute, named when every attribute of the item is signed), the encryption context stored in the header, and each encrypted data key’s provider id and info (the branch key id of the hierarchical keyring, the key ARN of a KMS keyring, the key name of a raw AES keyring).',
      'Without keys, the material description tells the provider: static, wrapped AES, wrapped RSA, legacy RSA PKCS#1 (old Java items without a wrapping algorithm), Direct KMS, or a MetaStore version `name#version` (most-recent provider). Without the configuration the attribute actions are not known: binary values made of an IV and whole AES blocks are reported as probably encrypted, the rest as plaintext (signed or untouched).',
      'Files may hold one item in DynamoDB JSON, `{"Item": …}` (the `--json` output of `aws dynamodb get-item` or `ddbec get`), `{"Items": […]}` (of `scan` and `query`), an array of items, or `{"<table>": [items]}` (a dump, as the Java/Python vectors are); `-` reads standard input. With --table and a configuration that configures it, the items are verified and decrypted: exit 1 when one fails.',
    ],
    examples: [
      "ddbec inspect --table customers --key '{\"customerId\": \"c-1\"}'",
      "ddbec get --table customers --key '{\"customerId\": \"c-1\"}' --stored --json | ddbec inspect -",
      'aws dynamodb get-item --table-name customers --key \'{"customerId":{"S":"c-1"}}\' | ddbec inspect -',
    ],
    run: ({ values, positionals }, io) =>
      inspect(
        {
          ...awsOptionsOf(values),
          files: positionals,
          item: str(values, 'item'),
          key: str(values, 'key'),
          config: str(values, 'config'),
          table: str(values, 'table'),
          json: flag(values, 'json'),
        },
        io,
      ),
  },
];
