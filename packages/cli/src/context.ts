import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError, loadConfig, validateConfig, type ConfigFile, type DbesdkTableConfig, type LoadedConfig, type TableConfig } from 'ddbec/config';
import { awsClients, type AwsClients, type AwsOptions } from './aws.js';
import { UsageError } from './io.js';

export interface ConfigOptions extends AwsOptions {
  /** The configuration file; default `$DDBEC_CONFIG`, else `./ddbec.config.json`. */
  readonly config?: string | undefined;
}

type Env = Readonly<Record<string, string | undefined>>;

/** The configuration file to use, or undefined when none is given and there is no default one. */
export function configPath(option: string | undefined, env: Env): string | undefined {
  const given = option ?? env['DDBEC_CONFIG'];
  if (given !== undefined && given !== '') return resolve(given);
  const fallback = resolve('ddbec.config.json');
  return existsSync(fallback) ? fallback : undefined;
}

/** The configuration and SDK clients made for it (clients first: the loader needs them). */
export async function openConfig(
  options: ConfigOptions,
  env: Env,
  path: string,
  tables?: readonly string[],
): Promise<{ config: LoadedConfig; clients: AwsClients }> {
  const clients = awsClients(options, env, regionHint(path));
  try {
    const config = await loadConfig(path, {
      dynamoDBClient: clients.dynamodb,
      kmsClient: (region) => clients.kms(region),
      env,
      ...(tables === undefined ? {} : { tables }),
    });
    return { config, clients };
  } catch (error) {
    clients.destroy();
    throw error;
  }
}

/** One configured legacy table (by entry name, or by its DynamoDB table name) and the clients. */
export async function openTable(
  options: ConfigOptions & { readonly table: string },
  env: Env,
): Promise<{ table: TableConfig; clients: AwsClients; config: LoadedConfig }> {
  const { entry, clients, config } = await openEntry(options, env);
  return { table: config.table(entry), clients, config };
}

/** One configured table of either format (by entry name, or by its DynamoDB table name) and the clients. */
export async function openAnyTable(
  options: ConfigOptions & { readonly table: string },
  env: Env,
): Promise<{ table: TableConfig | DbesdkTableConfig; clients: AwsClients; config: LoadedConfig; entry: string }> {
  const { entry, clients, config } = await openEntry(options, env);
  return { table: Object.hasOwn(config.dbesdkTables, entry) ? config.dbesdkTable(entry) : config.table(entry), clients, config, entry };
}

async function openEntry(options: ConfigOptions & { readonly table: string }, env: Env): Promise<{ entry: string; clients: AwsClients; config: LoadedConfig }> {
  const path = requireConfig(options.config, env);
  const entry = entryName(path, options.table);
  return { entry, ...(await openConfig(options, env, path, [entry])) };
}

export function requireConfig(option: string | undefined, env: Env): string {
  const path = configPath(option, env);
  if (path === undefined) throw new UsageError('no configuration: pass --config FILE, set DDBEC_CONFIG, or create ./ddbec.config.json');
  return path;
}

/** The entry name for `--table`: an entry's name, else the entry whose `tableName` it is. */
function entryName(path: string, table: string): string {
  return configuredEntry(path, table) ?? table;
}

/** The entry of a configuration file that `table` names (entry name or DynamoDB table name), if any. */
export function configuredEntry(path: string, table: string): string | undefined {
  const tables = peek(path)?.tables ?? {};
  if (Object.hasOwn(tables, table)) return table;
  return Object.entries(tables).find(([, entry]) => entry.tableName === table)?.[0];
}

/** The parsed file without validation (errors are the loader's to report), for hints only. */
function peek(path: string): { region?: unknown; tables?: Record<string, { tableName?: unknown }> } | undefined {
  try {
    const document = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    return typeof document === 'object' && document !== null ? (document) : undefined;
  } catch {
    return undefined;
  }
}

/** The `region` a configuration file names, if any (a hint for the SDK clients; not validated). */
export function regionHint(path: string): string | undefined {
  const region = peek(path)?.region;
  return typeof region === 'string' && region !== '' ? region : undefined;
}

/** The validated document of a configuration file (without reading keys). */
export function readConfigDocument(path: string): ConfigFile {
  let document: unknown;
  try {
    document = JSON.parse(readFileSync(path, 'utf8')) as unknown;
  } catch (error) {
    const problem = (error as NodeJS.ErrnoException).code ?? (error instanceof Error ? `not valid JSON (${error.message})` : String(error));
    throw new ConfigError([{ path: '', message: problem }], path);
  }
  return validateConfig(document, path);
}
