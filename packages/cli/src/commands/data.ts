import { CryptoAction, type Item } from 'ddbec';
import { usesPkcs11Keys, type LoadedConfig } from 'ddbec/config';
import type { AwsOptions } from '../aws.js';
import { openAnyTable, type ConfigOptions } from '../context.js';
import { CommandFailed, EXIT, envOf, line, UsageError, type Io } from '../io.js';
import { argumentText, itemLines, jsonText, parseJson, plainItem, toDynamoJson, toItem, type ItemFormat } from '../items.js';
import { describeKey, itemsText, ReadOutput, type ReadFormat } from '../read-output.js';
import { scanSegments } from '../segments.js';
import { awsOptionsOf, flag, int, requireStr, str, type CommandSpec, type Values } from '../spec.js';
import { EncryptedTable, type PageResult, type ReadFailure } from '../table.js';

export interface TableCommandOptions extends ConfigOptions, AwsOptions {
  readonly table: string;
  readonly json?: boolean | undefined;
  /** Print JSON with native values instead of DynamoDB JSON (implies `json`). */
  readonly plain?: boolean | undefined;
  /** How `--item` / `--key` JSON is read: `auto` (default), `dynamodb` or `plain`. */
  readonly format?: ItemFormat | undefined;
}

async function withTable<T>(
  options: TableCommandOptions,
  io: Io,
  work: (table: EncryptedTable, loaded: { readonly config: LoadedConfig; readonly entry: string }) => Promise<T>,
): Promise<T> {
  const { table, clients, config, entry } = await openAnyTable(options, envOf(io));
  try {
    return await work(new EncryptedTable(table, clients.dynamodb), { config, entry });
  } finally {
    clients.destroy();
  }
}

async function readItem(value: string, io: Io, what: string, format: ItemFormat | undefined): Promise<Item> {
  return toItem(parseJson(await argumentText(value, io, what), what), what, format);
}

/**
 * Prints a result in the AWS CLI's shapes (`Item`, `Items`, `Count`, …); `items` turns every
 * item in it into DynamoDB JSON, or into plain JSON with `--plain`.
 */
function printResult(io: Io, options: TableCommandOptions, result: (items: (item: Item) => unknown) => Record<string, unknown>): void {
  io.stdout.write(`${jsonText(result(options.plain === true ? plainItem : toDynamoJson))}\n`);
}

function wantsJson(options: TableCommandOptions): boolean {
  return options.json === true || options.plain === true;
}

// ---- put ---------------------------------------------------------------------------------------

export interface PutOptions extends TableCommandOptions {
  /** The plaintext item: JSON, `@file`, or `-` for standard input. */
  readonly item: string;
}

/** `ddbec put`: encrypts and signs an item as the configuration says, then writes it. */
export async function put(options: PutOptions, io: Io): Promise<number> {
  const item = await readItem(options.item, io, '--item', options.format);
  return withTable(options, io, async (table) => {
    await table.put(item);
    const counts = { encrypted: 0, signed: 0, untouched: 0 };
    for (const name of Object.keys(item)) {
      const action = table.actionOf(name);
      if (action === CryptoAction.EncryptAndSign) counts.encrypted += 1;
      else if (action === CryptoAction.SignOnly) counts.signed += 1;
      else counts.untouched += 1;
    }
    if (wantsJson(options)) {
      printResult(io, options, (json) => ({ TableName: table.name, Key: json(table.keyOf(item)), Encrypted: counts.encrypted, SignedOnly: counts.signed, Untouched: counts.untouched }));
    } else {
      line(io.stdout, `put ${describeKey(table.keyOf(item))} into ${table.name}: ${counts.encrypted} encrypted, ${counts.signed} signed only, ${counts.untouched} untouched`);
    }
    return EXIT.ok;
  });
}

// ---- get ---------------------------------------------------------------------------------------

export interface GetOptions extends TableCommandOptions {
  readonly key: string;
  /** Print the item as stored (encrypted and signed), without verifying or decrypting it. */
  readonly stored?: boolean | undefined;
}

/** `ddbec get`: reads an item, verifies its signature and decrypts it. Exit 1 when there is no such item. */
export async function get(options: GetOptions, io: Io): Promise<number> {
  const key = await readItem(options.key, io, '--key', options.format);
  return withTable(options, io, async (table) => {
    const item = options.stored === true ? await table.getRaw(key) : await table.get(key);
    if (item === undefined) throw new CommandFailed(`item not found: ${describeKey(key)} in ${table.name}`);
    if (wantsJson(options)) printResult(io, options, (json) => ({ Item: json(item) }));
    else io.stdout.write(`${itemLines(item).join('\n')}\n`);
    return EXIT.ok;
  });
}

// ---- delete ------------------------------------------------------------------------------------

/** `ddbec delete`: deletes an item by key. Exit 1 when there was no such item. */
export async function deleteItem(options: GetOptions, io: Io): Promise<number> {
  const key = await readItem(options.key, io, '--key', options.format);
  return withTable(options, io, async (table) => {
    const old = await table.delete(key);
    if (old === undefined) throw new CommandFailed(`item not found: ${describeKey(key)} in ${table.name}`);
    if (wantsJson(options)) printResult(io, options, (json) => ({ TableName: table.name, Key: json(key), Deleted: true }));
    else line(io.stdout, `deleted ${describeKey(key)} from ${table.name}`);
    return EXIT.ok;
  });
}

// ---- query and scan ----------------------------------------------------------------------------

export interface ReadManyOptions extends TableCommandOptions {
  /** Stop after this many items. */
  readonly limit?: number | undefined;
  /** A filter expression (only plaintext attributes can be filtered on: DynamoDB sees ciphertext). */
  readonly filter?: string | undefined;
  /** `ExpressionAttributeValues` (DynamoDB JSON or plain JSON, or `@file`). */
  readonly values?: string | undefined;
  /** `ExpressionAttributeNames` as JSON. */
  readonly names?: string | undefined;
}

export interface ScanOptions extends ReadManyOptions {
  /** Worker threads that each scan segments of the table (0, the default: none). */
  readonly threads?: number | undefined;
}

export interface QueryOptions extends ReadManyOptions {
  /** The partition key (and optionally the sort key) to match, as JSON: `{"pk": "c-1"}`. */
  readonly key?: string | undefined;
  /** A key condition expression, instead of `key`. */
  readonly keyCondition?: string | undefined;
  readonly index?: string | undefined;
  readonly descending?: boolean | undefined;
}

/**
 * `ddbec query`: items of one partition, verified and decrypted; on a table with beacon
 * partitions, every partition the query needs, unless `--values` names `:aws_dbe_partition`.
 */
export async function query(options: QueryOptions, io: Io): Promise<number> {
  if ((options.key === undefined) === (options.keyCondition === undefined)) throw new UsageError('query needs --key or --key-condition (one of them)');
  const expression = await expressionParts(options, io);
  let keyCondition = options.keyCondition;
  if (options.key !== undefined) {
    const key = await readItem(options.key, io, '--key', options.format);
    const parts: string[] = [];
    for (const [index, [name, value]] of Object.entries(key).entries()) {
      expression.names[`#k${index}`] = name;
      expression.values[`:k${index}`] = value;
      parts.push(`#k${index} = :k${index}`);
    }
    if (parts.length === 0) throw new UsageError('--key: must name the partition key');
    keyCondition = parts.join(' AND ');
  }
  return withTable(
    options,
    io,
    (table) =>
      readMany(
        options,
        io,
        table.query({
          KeyConditionExpression: keyCondition,
          ...(options.index === undefined ? { ConsistentRead: true } : { IndexName: options.index }),
          ...(options.descending ? { ScanIndexForward: false } : {}),
          ...expression.input(),
        }),
      ),
  );
}

/**
 * `ddbec scan`: every item of the table, verified and decrypted. With `--threads N`, N worker
 * threads scan segments of the table and do all the work of their items (see segments.ts).
 */
export async function scan(options: ScanOptions, io: Io): Promise<number> {
  const expression = await expressionParts(options, io);
  const threads = options.threads ?? 0;
  const oneThread = (table: EncryptedTable): Promise<number> => readMany(options, io, table.scan({ ConsistentRead: true, ...expression.input() }));
  if (threads === 0) return withTable(options, io, oneThread);
  // The configuration is loaded here too: its errors are reported as without workers.
  return withTable(options, io, async (encrypted, { config: loaded, entry }) => {
    if (usesPkcs11Keys(loaded, entry)) {
      line(io.stderr, `ddbec: --threads ignored: the keys of ${encrypted.name} are in a PKCS#11 token, whose sessions belong to this thread`);
      return oneThread(encrypted);
    }
    const format = readFormat(options);
    const output = new ReadOutput(io, format, options.limit);
    await output.begin();
    const { config, table, endpointUrl, kmsEndpointUrl, region, profile } = options;
    const { failures, scanned } = await scanSegments(threads, { options: { config, table, endpointUrl, kmsEndpointUrl, region, profile }, env: envOf(io), format, input: expression.input() }, output);
    return (await output.finish(failures, scanned)) ? EXIT.ok : EXIT.failed;
  });
}

async function expressionParts(options: ReadManyOptions, io: Io) {
  const values: Item = options.values === undefined ? {} : await readItem(options.values, io, '--values', options.format);
  const names: Record<string, string> = {};
  if (options.names !== undefined) {
    const parsed = parseJson(await argumentText(options.names, io, '--names'), '--names');
    if (typeof parsed !== 'object' || parsed === null || Object.values(parsed).some((v) => typeof v !== 'string')) {
      throw new UsageError('--names: must be a JSON object of "#placeholder": "attribute name"');
    }
    Object.assign(names, parsed);
  }
  return {
    names,
    values,
    input: () => ({
      ...(options.filter === undefined ? {} : { FilterExpression: options.filter }),
      ...(Object.keys(names).length === 0 ? {} : { ExpressionAttributeNames: names }),
      ...(Object.keys(values).length === 0 ? {} : { ExpressionAttributeValues: values }),
    }),
  };
}

/**
 * Prints the items page by page as they are read — a page is written (waiting for a slow
 * reader) before the next is requested, so memory holds one page, not the table.
 */
async function readMany(
  options: ReadManyOptions,
  io: Io,
  pages: AsyncIterable<PageResult>,
): Promise<number> {
  const format = readFormat(options);
  const output = new ReadOutput(io, format, options.limit);
  const failures: ReadFailure[] = [];
  let scanned = 0;
  await output.begin();
  for await (const result of pages) {
    failures.push(...result.failures);
    scanned += result.scannedCount;
    await output.items(itemsText(result.items.slice(0, output.remaining), format));
    if (output.remaining <= 0) break;
  }
  return (await output.finish(failures, scanned)) ? EXIT.ok : EXIT.failed;
}

function readFormat(options: ReadManyOptions): ReadFormat {
  return { json: wantsJson(options), plain: options.plain === true };
}

// ---- command definitions -----------------------------------------------------------------------

const FORMAT = {
  format: { type: 'string', value: 'FORMAT', description: 'how --item/--key/--values JSON is read: auto (default), dynamodb or plain' },
  plain: { type: 'boolean', description: 'print JSON with native values (plain JSON) instead of DynamoDB JSON; implies --json' },
} as const;

function format(values: Values): ItemFormat | undefined {
  const value = str(values, 'format');
  if (value === undefined || value === 'auto' || value === 'dynamodb' || value === 'plain') return value;
  throw new UsageError('--format must be auto, dynamodb or plain');
}

function tableOptions(values: Values): TableCommandOptions {
  return {
    ...awsOptionsOf(values),
    config: str(values, 'config'),
    table: requireStr(values, 'table'),
    json: flag(values, 'json'),
    plain: flag(values, 'plain'),
    format: format(values),
  };
}

const ITEMS_NOTE =
  'Items and keys are JSON: DynamoDB JSON (`{"pk": {"S": "c-1"}}`, binary as base64 — what the AWS CLI prints) or plain JSON (`{"pk": "c-1"}`); give the text, `@file`, or `-` for standard input. `--json` prints what the AWS CLI prints (`{"Item": …}`, `{"Items": […], "Count": …, "ScannedCount": …}`, items as DynamoDB JSON), which `ddbec inspect -` reads; `--plain` prints the same with native values (`{"Item": {"pk": "c-1", "n": 1.5}}`; binary as base64, sets as arrays), which `--format plain` reads back.';

const READ_OPTIONS = {
  limit: { type: 'string', value: 'N', description: 'stop after N items' },
  filter: { type: 'string', value: 'EXPR', description: 'filter expression (on plaintext attributes and beacons only: DynamoDB sees ciphertext)' },
  values: { type: 'string', value: 'JSON', description: 'expression attribute values' },
  names: { type: 'string', value: 'JSON', description: 'expression attribute names' },
} as const;

const SCAN_THREADS = {
  threads: { type: 'string', value: 'N', description: 'worker threads that each scan segments of the table (a parallel Scan) and verify, decrypt and format their items (default 0: none; a table whose keys are in a PKCS#11 token is scanned on this thread)' },
} as const;

function readOptions(values: Values): ReadManyOptions {
  return {
    ...tableOptions(values),
    limit: int(values, 'limit', 1),
    filter: str(values, 'filter'),
    values: str(values, 'values'),
    names: str(values, 'names'),
  };
}

export const dataCommands: readonly CommandSpec[] = [
  {
    name: 'put',
    summary: 'encrypt, sign and write an item to a configured table',
    options: { item: { type: 'string', value: 'JSON', description: 'the plaintext item (JSON, @file or -)' }, ...FORMAT },
    groups: ['config', 'aws', 'json'],
    details: [ITEMS_NOTE],
    examples: [`ddbec put --table customers --item '{"customerId": "c-1", "email": "ada@example.com"}'`],
    run: ({ values }, io) => put({ ...tableOptions(values), item: requireStr(values, 'item') }, io),
  },
  {
    name: 'get',
    summary: 'read an item, verify its signature and decrypt it (exit 1 when not found or refused)',
    options: {
      key: { type: 'string', value: 'JSON', description: 'the item key (JSON, @file or -)' },
      stored: { type: 'boolean', description: 'print the item as stored (encrypted), without verifying or decrypting it' },
      ...FORMAT,
    },
    groups: ['config', 'aws', 'json'],
    details: [ITEMS_NOTE],
    examples: [`ddbec get --table customers --key '{"customerId": "c-1"}'`, `ddbec get --table customers --key '{"customerId": "c-1"}' --stored --json | ddbec inspect -`],
    run: ({ values }, io) => get({ ...tableOptions(values), key: requireStr(values, 'key'), stored: flag(values, 'stored') }, io),
  },
  {
    name: 'query',
    summary: 'query a partition of a configured table; every item is verified and decrypted',
    options: {
      key: { type: 'string', value: 'JSON', description: 'partition key (and sort key) values to match' },
      'key-condition': { type: 'string', value: 'EXPR', description: 'key condition expression, instead of --key' },
      index: { type: 'string', value: 'NAME', description: 'query a secondary index' },
      descending: { type: 'boolean', description: 'sort key descending' },
      ...READ_OPTIONS,
      ...FORMAT,
    },
    groups: ['config', 'aws', 'json'],
    details: [
      ITEMS_NOTE,
      'Items that fail verification are reported (key and error code; `Failures` in JSON) and the exit code is 1; the others are printed.',
      'On a DB-ESDK table with beacons (`search` in the configuration), --key, --key-condition and --filter may name beacons, with --index naming the beacon’s GSI (`ddbec beacon-index` prints it): the request is rewritten to the stored beacons, and the items a beacon lets through that do not match are removed after decryption.',
      'With beacon partitions (`maximumNumberOfPartitions`), a query on a partitioned beacon is sent once per partition it needs and the results are printed together; --values with `:aws_dbe_partition` (a number) reads that partition only.',
    ],
    examples: [`ddbec query --table orders --key '{"customerId": "c-1"}' --json`, `ddbec query --table people --index email-index --key '{"email": "ada@example.com"}'`],
    run: ({ values }, io) =>
      query(
        {
          ...readOptions(values),
          key: str(values, 'key'),
          keyCondition: str(values, 'key-condition'),
          index: str(values, 'index'),
          descending: flag(values, 'descending'),
        },
        io,
      ),
  },
  {
    name: 'scan',
    summary: 'scan a configured table; every item is verified and decrypted',
    options: { ...READ_OPTIONS, ...SCAN_THREADS, ...FORMAT },
    groups: ['config', 'aws', 'json'],
    details: [
      ITEMS_NOTE,
      'Items that fail verification are reported (key and error code; `Failures` in JSON) and the exit code is 1; the others are printed.',
      'With `--threads N`, N worker threads scan 4 segments each (DynamoDB’s parallel Scan; a thread that is done takes another segment), each with its own clients, and this thread only writes what they format: the same items and failures as without threads, in another order (a Scan’s order is DynamoDB’s anyway), and `ScannedCount` counts the pages read before `--limit` stopped the threads. Measured on 2 cores, see the README’s Performance section.',
    ],
    examples: ['ddbec scan --table customers --limit 10', 'ddbec scan --table customers --plain | jq -r \'.Items[].email\''],
    run: ({ values }, io) => scan({ ...readOptions(values), threads: int(values, 'threads', 0) }, io),
  },
  {
    name: 'delete',
    summary: 'delete an item by key (exit 1 when there was none)',
    options: { key: { type: 'string', value: 'JSON', description: 'the item key (JSON, @file or -)' }, ...FORMAT },
    groups: ['config', 'aws', 'json'],
    details: [ITEMS_NOTE],
    examples: [`ddbec delete --table customers --key '{"customerId": "c-1"}'`],
    run: ({ values }, io) => deleteItem({ ...tableOptions(values), key: requireStr(values, 'key') }, io),
  },
];
