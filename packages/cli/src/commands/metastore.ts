import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { MetaStore } from 'ddbec/metastore';
import { providerOf, type ConfigFile } from 'ddbec/config';
import type { AwsOptions } from '../aws.js';
import { openConfig, readConfigDocument, requireConfig, type ConfigOptions } from '../context.js';
import { CommandFailed, EXIT, envOf, line, printJson, UsageError, type Io } from '../io.js';
import { awsOptionsOf, flag, requireStr, str, type CommandSpec, type Values } from '../spec.js';

export interface MetaStoreCommandOptions extends ConfigOptions, AwsOptions {
  /** A configured table with a most-recent provider, or the MetaStore table name one of them uses. */
  readonly table: string;
  /** The material name; default the configured one. */
  readonly material?: string | undefined;
  readonly json?: boolean | undefined;
}

interface Setup {
  readonly store: MetaStore;
  readonly dynamodb: DynamoDBClient;
  readonly tableName: string;
  readonly materialName: string;
  readonly destroy: () => void;
}

/** The MetaStore named by `--table` (a data table's, or the MetaStore table itself) with its inner provider from the configuration. */
async function open(options: MetaStoreCommandOptions, io: Io): Promise<Setup> {
  const env = envOf(io);
  const path = requireConfig(options.config, env);
  const document = readConfigDocument(path);
  const entry = findEntry(document, options.table, options.material);
  const { config, clients } = await openConfig(options, env, path, [entry]);
  const mostRecent = config.table(entry).mostRecent;
  if (mostRecent === undefined) throw new UsageError(`table "${entry}" does not use a most-recent provider`);
  return {
    store: mostRecent.store,
    dynamodb: clients.dynamodb,
    tableName: mostRecent.tableName,
    materialName: options.material ?? mostRecent.materialName,
    destroy: () => {
      clients.destroy();
    },
  };
}

function findEntry(document: ConfigFile, table: string, material: string | undefined): string {
  const entries = Object.entries(document.tables).map(([name, entry]) => [name, entry, providerOf(entry)] as const);
  const direct = entries.find(([name, entry, provider]) => (name === table || entry.tableName === table) && provider?.type === 'most-recent');
  if (direct !== undefined) return direct[0];
  const users = entries.filter(([, , provider]) => provider?.type === 'most-recent' && provider.metaStore.tableName === table);
  const preferred = users.find(([, , provider]) => provider?.type === 'most-recent' && provider.materialName === material) ?? users[0];
  if (preferred === undefined) throw new UsageError(`no table of the configuration uses a most-recent provider with MetaStore "${table}"`);
  if (material === undefined && new Set(users.map(([, , provider]) => (provider?.type === 'most-recent' ? provider.materialName : ''))).size > 1) {
    throw new UsageError(`MetaStore "${table}" holds several materials (${users.map(([name]) => name).join(', ')}); pass --material`);
  }
  return preferred[0];
}

async function run(options: MetaStoreCommandOptions, io: Io, work: (setup: Setup) => Promise<number>): Promise<number> {
  const setup = await open(options, io);
  try {
    return await work(setup);
  } finally {
    setup.destroy();
  }
}

/** `ddbec metastore create`: creates the MetaStore table (`N` hash key, `V` range key, on-demand) and waits until it is active. */
export function metastoreCreate(options: MetaStoreCommandOptions, io: Io): Promise<number> {
  return run(options, io, async ({ tableName, dynamodb }) => {
    try {
      await MetaStore.createTable(dynamodb, tableName, { pollMs: 250 });
    } catch (error) {
      const cause = (error as { cause?: { name?: unknown } }).cause;
      if (cause?.name === 'ResourceInUseException') throw new CommandFailed(`MetaStore table "${tableName}" already exists`);
      throw error;
    }
    if (options.json) printJson(io, { created: tableName });
    else line(io.stdout, `created MetaStore table ${tableName}`);
    return EXIT.ok;
  });
}

/** `ddbec metastore versions`: the versions of a material, oldest first. */
export function metastoreVersions(options: MetaStoreCommandOptions, io: Io): Promise<number> {
  return run(options, io, async ({ store, tableName, materialName }) => {
    const versions = await store.versions(materialName);
    if (options.json) printJson(io, { table: tableName, material: materialName, versions });
    else if (versions.length === 0) line(io.stdout, `${tableName}: material "${materialName}" has no version yet (the first write creates version 0; or run \`ddbec metastore rotate\`)`);
    else line(io.stdout, `${tableName}: material "${materialName}" versions ${versions.join(', ')} (newest: ${materialName}#${versions.at(-1) ?? ''})`);
    return EXIT.ok;
  });
}

/** `ddbec metastore rotate`: creates the next version of a material; writers pick it up when their cache TTL runs out. */
export function metastoreRotate(options: MetaStoreCommandOptions, io: Io): Promise<number> {
  return run(options, io, async ({ store, tableName, materialName }) => {
    const { version } = await store.newProvider(materialName);
    if (options.json) printJson(io, { table: tableName, material: materialName, version, metaId: `${materialName}#${version}` });
    else line(io.stdout, `created version ${version} of "${materialName}" in ${tableName} (${materialName}#${version}); writers use it once their TTL expires`);
    return EXIT.ok;
  });
}

const OPTIONS = {
  table: { type: 'string', value: 'NAME', description: 'a configured table with a most-recent provider, or its MetaStore table name' },
  material: { type: 'string', value: 'NAME', description: 'material name (default: the configured one)' },
  config: { type: 'string', value: 'FILE', description: 'configuration file (default: $DDBEC_CONFIG, else ./ddbec.config.json)' },
} as const;

function options(values: Values): MetaStoreCommandOptions {
  return { ...awsOptionsOf(values), config: str(values, 'config'), table: requireStr(values, 'table'), material: str(values, 'material'), json: flag(values, 'json') };
}

const DETAILS = [
  'The MetaStore table, the material name and the provider that protects the MetaStore rows come from a `most-recent` provider in the configuration.',
];

export const metastoreCommands: readonly CommandSpec[] = [
  {
    name: 'metastore create',
    summary: 'create the MetaStore table of a most-recent provider',
    options: OPTIONS,
    groups: ['aws', 'json'],
    details: DETAILS,
    examples: ['ddbec metastore create --table customers'],
    run: ({ values }, io) => metastoreCreate(options(values), io),
  },
  {
    name: 'metastore versions',
    summary: 'list the versions of a material in the MetaStore',
    options: OPTIONS,
    groups: ['aws', 'json'],
    details: DETAILS,
    examples: ['ddbec metastore versions --table customers --json'],
    run: ({ values }, io) => metastoreVersions(options(values), io),
  },
  {
    name: 'metastore rotate',
    summary: 'create the next version of a material (new items use it once writers’ TTL expires; old items stay readable)',
    options: OPTIONS,
    groups: ['aws', 'json'],
    details: DETAILS,
    examples: ['ddbec metastore rotate --table customers'],
    run: ({ values }, io) => metastoreRotate(options(values), io),
  },
];
