import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isDbesdkTableFile, tableActions } from 'ddbec/config';
import { checkOrmConfiguration, ORM_NAMES, type OrmCheckReport, type OrmName } from 'ddbec/orm';
import { configuredEntry, readConfigDocument, requireConfig } from '../context.js';
import { EXIT, envOf, line, printJson, UsageError, type Io } from '../io.js';
import { argumentText, parseJson } from '../items.js';
import { flag, requireStr, str, type CommandSpec } from '../spec.js';

export interface ConfigCheckOptions {
  /** A configured table (entry or DynamoDB name). */
  readonly table: string;
  readonly config?: string | undefined;
  /** The ORM, when the entry has no `orm` (or to check for another). */
  readonly orm?: string | undefined;
  /** Index key attributes of the table, comma-separated (the configuration names only the primary key). */
  readonly indexKeys?: string | undefined;
  /** Sample items: a JSON array of items (plain JSON or DynamoDB JSON), `@file` or `-`. */
  readonly items?: string | undefined;
  /** A JavaScript module whose exports include the ORM's entities (ElectroDB or dynamodb-toolbox). */
  readonly entities?: string | undefined;
  readonly json?: boolean | undefined;
}

/**
 * `ddbec config check`: checks a table's attribute actions against how an ORM uses it, before
 * any data is written; reads no key and sends no request. Exit 1 when a finding is an error.
 */
export async function configCheck(options: ConfigCheckOptions, io: Io): Promise<number> {
  const path = requireConfig(options.config, envOf(io));
  const document = readConfigDocument(path);
  const entryName = configuredEntry(path, options.table);
  const entry = entryName === undefined ? undefined : document.tables[entryName];
  if (entry === undefined) throw new UsageError(`"${options.table}" is not a table of ${path} (configured: ${Object.keys(document.tables).join(', ')})`);
  if (isDbesdkTableFile(entry)) {
    throw new UsageError(`"${options.table}" is a DB-ESDK table; config check knows the ORM presets of legacy-format tables only`);
  }
  const configured = typeof entry.orm === 'string' ? { name: entry.orm } : entry.orm;
  const orm = options.orm ?? configured?.name;
  if (orm !== undefined && !(ORM_NAMES as readonly string[]).includes(orm)) throw new UsageError(`--orm must be one of ${ORM_NAMES.join(', ')}`);
  const presetOptions = configured !== undefined && configured.name === orm ? configured : {};
  const items = options.items === undefined ? undefined : sampleItems(parseJson(await argumentText(options.items, io, '--items'), '--items'));
  const entities = options.entities === undefined ? undefined : await entitiesOf(options.entities, orm as OrmName | undefined);
  const report = checkOrmConfiguration({
    ...presetOptions,
    ...(orm === undefined ? {} : { orm: orm as OrmName }),
    keySchema: {
      partitionKey: entry.partitionKey,
      sortKey: entry.sortKey,
      indexes: (options.indexKeys ?? '')
        .split(',')
        .map((name) => name.trim())
        .filter((name) => name !== '')
        .map((name) => ({ indexName: name, partitionKey: name })),
    },
    attributeActions: tableActions(entry),
    ...(items === undefined ? {} : { items }),
    ...(entities === undefined ? {} : { entities }),
  });
  const failed = report.findings.some((finding) => finding.severity === 'error');
  if (options.json) printJson(io, { table: entryName, ...report });
  else printReport(io, entryName as string, report);
  return failed ? EXIT.failed : EXIT.ok;
}

function printReport(io: Io, table: string, report: OrmCheckReport): void {
  line(io.stdout, `table ${table}${report.orm === undefined ? ' (no ORM given or recognised)' : ` used through ${report.orm}`}`);
  const width = Math.min(28, Math.max(8, ...report.attributes.map((name) => name.length)));
  for (const name of [...report.attributes].sort()) line(io.stdout, `  ${name.padEnd(width)}  ${report.actions[name] ?? ''}`);
  if (report.findings.length === 0) {
    line(io.stdout, 'no findings');
    return;
  }
  for (const finding of report.findings) line(io.stdout, `${finding.severity}: ${finding.message}`);
}

/** The items of `--items`: an array of objects (only their attribute names are read). */
function sampleItems(value: unknown): object[] {
  const list = Array.isArray(value) ? value : (value as { Items?: unknown } | null)?.Items;
  if (!Array.isArray(list) || list.some((item) => typeof item !== 'object' || item === null || Array.isArray(item))) {
    throw new UsageError('--items: must be a JSON array of items (or {"Items": [...]})');
  }
  return list as object[];
}

/** The exports of a module that are entities of the ORM (ElectroDB: `model.indexes`; dynamodb-toolbox: `type: "entity"`). */
async function entitiesOf(file: string, orm: OrmName | undefined): Promise<object[]> {
  if (orm === undefined || orm === 'dynamoose') throw new UsageError('--entities needs --orm electrodb or dynamodb-toolbox (or an "orm" in the configuration)');
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(resolve(file)).href)) as Record<string, unknown>;
  } catch (error) {
    throw new UsageError(`--entities: cannot import ${file} (${error instanceof Error ? error.message : String(error)})`);
  }
  const entities = Object.values(module).filter(
    (value): value is object =>
      typeof value === 'object' &&
      value !== null &&
      (orm === 'electrodb' ? typeof (value as { model?: { indexes?: unknown } }).model?.indexes === 'object' : (value as { type?: unknown }).type === 'entity'),
  );
  if (entities.length === 0) throw new UsageError(`--entities: ${file} exports no ${orm} entity`);
  return entities;
}

export const configCommands: readonly CommandSpec[] = [
  {
    name: 'config check',
    summary: 'check a table’s attribute actions against how an ORM uses it, before any data is written',
    options: {
      table: { type: 'string', value: 'NAME', description: 'a configured table (entry or DynamoDB name)' },
      config: { type: 'string', value: 'FILE', description: 'configuration file (default: $DDBEC_CONFIG, else ./ddbec.config.json)' },
      orm: { type: 'string', value: 'NAME', description: 'electrodb, dynamodb-toolbox or dynamoose (default: the entry’s "orm", else found from --items)' },
      'index-keys': { type: 'string', value: 'A,B', description: 'the key attributes of the table’s secondary indexes' },
      items: { type: 'string', value: 'JSON', description: 'sample items as the ORM writes them: a JSON array, @file or - (only attribute names are read)' },
      entities: { type: 'string', value: 'FILE', description: 'a JavaScript module exporting the ORM’s entities (ElectroDB or dynamodb-toolbox)' },
    },
    groups: ['json'],
    details: [
      'Reports, as errors, attributes the ORM rewrites in every update that the actions sign or encrypt (every such update would be refused) and attributes the ORM filters on that are encrypted; as warnings, encrypted attributes the ORM copies in plaintext into keys, index keys that updates would rewrite, and every unauthenticated (DO_NOTHING) attribute. Reads no key and sends no request. Exit 1 when there is an error.',
      'A configuration chosen wrongly is expensive: items written under one set of actions cannot be read after an attribute’s action changes. The "Using an ORM" guide (packages/ddbec/docs/orms.md) explains each preset.',
    ],
    examples: [
      'ddbec config check --table customers',
      'ddbec config check --table customers --orm electrodb --entities ./dist/entities.js --index-keys gsi1pk,gsi1sk',
      'ddbec config check --table customers --items @sample.json --json',
    ],
    run: ({ values }, io) =>
      configCheck(
        {
          table: requireStr(values, 'table'),
          config: str(values, 'config'),
          orm: str(values, 'orm'),
          indexKeys: str(values, 'index-keys'),
          items: str(values, 'items'),
          entities: str(values, 'entities'),
          json: flag(values, 'json'),
        },
        io,
      ),
  },
];
