import { CreateTableCommand, waitUntilTableExists, type ScalarAttributeType } from '@aws-sdk/client-dynamodb';
import { awsClients, type AwsOptions } from '../aws.js';
import { configPath, configuredEntry, readConfigDocument, regionHint } from '../context.js';
import { CommandFailed, EXIT, envOf, line, printJson, UsageError, type Io } from '../io.js';
import { awsOptionsOf, flag, requireStr, str, type CommandSpec } from '../spec.js';

/** A key attribute: its name and DynamoDB type. */
export interface KeyAttribute {
  readonly name: string;
  readonly type: ScalarAttributeType;
}

export interface TableCreateOptions extends AwsOptions {
  /** A configured table (entry or DynamoDB name) or, with `partitionKey`, any table name. */
  readonly table: string;
  readonly config?: string | undefined;
  /** `NAME[:S|N|B]`; default the configuration's partition key, as a string. */
  readonly partitionKey?: string | undefined;
  /** `NAME[:S|N|B]`; default the configuration's sort key, as a string. */
  readonly sortKey?: string | undefined;
  readonly json?: boolean | undefined;
}

/**
 * `ddbec table create`: creates a data table (on-demand) with the key schema of its entry in the
 * configuration, or the one given, and waits until it is active.
 */
export async function tableCreate(options: TableCreateOptions, io: Io): Promise<number> {
  const env = envOf(io);
  const path = configPath(options.config, env);
  const entryName = path === undefined ? undefined : configuredEntry(path, options.table);
  const entry = path === undefined || entryName === undefined ? undefined : readConfigDocument(path).tables[entryName];
  if (entry === undefined && options.partitionKey === undefined) {
    throw new UsageError(`"${options.table}" is not a table of the configuration${path === undefined ? ' (there is none)' : ` ${path}`}: pass --partition-key`);
  }
  const tableName = entry === undefined ? options.table : (entry.tableName ?? entryName ?? options.table);
  const partitionKey = keyAttribute('--partition-key', options.partitionKey, entry?.partitionKey);
  const sortKey = options.sortKey === undefined && entry?.sortKey === undefined ? undefined : keyAttribute('--sort-key', options.sortKey, entry?.sortKey);
  const keys = sortKey === undefined ? [partitionKey] : [partitionKey, sortKey];
  const clients = awsClients(options, env, path === undefined ? undefined : regionHint(path));
  try {
    try {
      await clients.dynamodb.send(
        new CreateTableCommand({
          TableName: tableName,
          AttributeDefinitions: keys.map((key) => ({ AttributeName: key.name, AttributeType: key.type })),
          KeySchema: keys.map((key, index) => ({ AttributeName: key.name, KeyType: index === 0 ? 'HASH' : 'RANGE' })),
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
    } catch (error) {
      if ((error as { name?: unknown }).name === 'ResourceInUseException') throw new CommandFailed(`table "${tableName}" already exists`);
      throw error;
    }
    await waitUntilTableExists({ client: clients.dynamodb, maxWaitTime: 600, minDelay: 1, maxDelay: 5 }, { TableName: tableName });
  } finally {
    clients.destroy();
  }
  const schema = keys.map((key) => `${key.name} (${key.type})`).join(', ');
  if (options.json) printJson(io, { TableName: tableName, KeySchema: keys.map((key, index) => ({ AttributeName: key.name, AttributeType: key.type, KeyType: index === 0 ? 'HASH' : 'RANGE' })) });
  else line(io.stdout, `created table ${tableName}: key ${schema}, on-demand capacity`);
  return EXIT.ok;
}

/** `NAME[:TYPE]` from the command line, checked against the configured name when there is one. */
function keyAttribute(option: string, given: string | undefined, configured: string | undefined): KeyAttribute {
  const [name = '', type = 'S', ...extra] = (given ?? configured ?? '').split(':');
  if (name === '' || extra.length > 0 || !['S', 'N', 'B'].includes(type)) throw new UsageError(`${option} must be NAME or NAME:S, NAME:N, NAME:B`);
  if (configured !== undefined && name !== configured) throw new UsageError(`${option} ${name}: the configuration's key attribute is ${configured}`);
  return { name, type: type as ScalarAttributeType };
}

export const tableCommands: readonly CommandSpec[] = [
  {
    name: 'table create',
    summary: 'create a data table (on-demand) with the key schema of its configuration entry, and wait until it is active',
    options: {
      table: { type: 'string', value: 'NAME', description: 'a configured table (entry or DynamoDB name), or any name with --partition-key' },
      'partition-key': { type: 'string', value: 'NAME[:S|N|B]', description: 'partition key and type (default: the configuration’s, type S)' },
      'sort-key': { type: 'string', value: 'NAME[:S|N|B]', description: 'sort key and type (default: the configuration’s, type S)' },
      config: { type: 'string', value: 'FILE', description: 'configuration file (default: $DDBEC_CONFIG, else ./ddbec.config.json if present)' },
    },
    groups: ['aws', 'json'],
    details: [
      'The configuration names key attributes but not their types: give a number or binary key as `NAME:N` or `NAME:B`. The MetaStore table of a most-recent provider is created with `ddbec metastore create`; encryption at rest is set with `ddbec at-rest set`.',
    ],
    examples: ['ddbec table create --table customers', 'ddbec table create --table orders --sort-key orderNo:N', 'ddbec table create --table page-views --partition-key id'],
    run: ({ values }, io) =>
      tableCreate(
        {
          ...awsOptionsOf(values),
          table: requireStr(values, 'table'),
          config: str(values, 'config'),
          partitionKey: str(values, 'partition-key'),
          sortKey: str(values, 'sort-key'),
          json: flag(values, 'json'),
        },
        io,
      ),
  },
];
