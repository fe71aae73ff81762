import { resolve } from 'node:path';
import { loadConfig, type DbesdkTableConfig, type LoadedConfig, type TableConfig } from 'ddbec/config';
import type { AwsClients } from '../aws.js';
import { UsageError } from '../io.js';

/** The table entry and the two configuration files of a re-encryption. */
export interface RotationFiles {
  readonly table: string;
  readonly fromConfig: string;
  readonly toConfig: string;
}

/**
 * Loads both configurations of a re-encryption with `clients` (the command does, and so does each
 * of its worker threads) and checks that they name the same DynamoDB table and key attributes.
 */
export async function openRotation(
  files: RotationFiles,
  clients: AwsClients,
  env: Readonly<Record<string, string | undefined>>,
): Promise<{ fromConfig: LoadedConfig; toConfig: LoadedConfig; from: TableConfig; to: TableConfig | DbesdkTableConfig }> {
  const load = (path: string) =>
    loadConfig(resolve(path), { dynamoDBClient: clients.dynamodb, kmsClient: (region) => clients.kms(region), env, tables: [files.table] });
  const [fromConfig, toConfig] = await Promise.all([load(files.fromConfig), load(files.toConfig)]);
  const from = fromConfig.table(files.table);
  const to = target(toConfig, files.table);
  if (from.tableName !== to.tableName) throw new UsageError(`--table ${files.table} is DynamoDB table "${from.tableName}" in --from-config but "${to.tableName}" in --to-config`);
  if (from.partitionKey !== to.partitionKey || from.sortKey !== to.sortKey) throw new UsageError('the two configurations disagree on the key attributes of the table');
  return { fromConfig, toConfig, from, to };
}

/**
 * The table of --to-config: a legacy one, or a DB-ESDK one that writes the DB-ESDK format (a
 * migration from the legacy format or from plaintext).
 */
function target(config: LoadedConfig, name: string): TableConfig | DbesdkTableConfig {
  if (!Object.hasOwn(config.dbesdkTables, name)) return config.table(name);
  const table = config.dbesdkTable(name);
  const writes = table.encryptor.writeFormat;
  if (writes !== 'dbesdk') {
    const policy = writes === 'legacy' ? table.encryptor.policies.legacy : table.encryptor.policies.plaintext;
    throw new UsageError(`--to-config's table ${name} writes ${writes} items (${policy ?? ''}); re-encrypting to the DB-ESDK format needs a configuration that writes it (e.g. FORBID_LEGACY_ENCRYPT_ALLOW_LEGACY_DECRYPT)`);
  }
  return table;
}
