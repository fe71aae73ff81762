import { beaconIndex, beaconLength, type BeaconIndexOptions } from 'ddbec/searchable';
import type { AwsOptions } from '../aws.js';
import { openAnyTable, type ConfigOptions } from '../context.js';
import { EXIT, envOf, line, printJson, UsageError, type Io } from '../io.js';
import { awsOptionsOf, flag, int, str, type CommandSpec } from '../spec.js';

// ---- beacon-length ---------------------------------------------------------------------------

export interface BeaconLengthOptions {
  /** The number of distinct values the beacon will hash. */
  readonly distinct: number;
  readonly json?: boolean | undefined;
}

/** `ddbec beacon-length`: the advised range of beacon lengths, what each costs, and what beacons reveal. */
export function beaconLengthCommand(options: BeaconLengthOptions, io: Io): Promise<number> {
  const advice = beaconLength(options.distinct);
  if (options.json === true) {
    printJson(io, advice);
    return Promise.resolve(EXIT.ok);
  }
  const { distinctValues, shortest, longest } = advice;
  line(
    io.stdout,
    longest === undefined || longest < shortest
      ? `${distinctValues} distinct values: no beacon length is both safe and selective (see below).`
      : `${distinctValues} distinct values: use a beacon length from ${shortest} to ${longest} bits (2^N > √${distinctValues} so that queries stay selective, 2^N < ${distinctValues}/2 so that every beacon value is shared by several values).`,
  );
  line(io.stdout);
  line(io.stdout, 'bits  values per beacon  items read per item returned  equal beacons mean equal values');
  for (const figures of advice.lengths) {
    line(
      io.stdout,
      `${String(figures.length).padStart(4)}  ${figures.valuesPerBeacon.toPrecision(3).padStart(17)}  ${figures.itemsReadPerMatch.toPrecision(3).padStart(28)}  ${`${(100 * figures.sameValueChance).toFixed(1)} %`.padStart(31)}`,
    );
  }
  line(io.stdout);
  line(io.stdout, 'What beacons reveal:');
  for (const leak of advice.leaks) line(io.stdout, `- ${leak}`);
  line(io.stdout, 'Fewer bits: more false positives per query (removed after decryption) and less told per beacon; more bits: the reverse.');
  return Promise.resolve(EXIT.ok);
}

// ---- beacon-index ----------------------------------------------------------------------------

export interface BeaconIndexCommandOptions extends ConfigOptions, AwsOptions {
  readonly table: string;
  readonly beacon: string;
  readonly sortKey?: string | undefined;
  readonly indexName?: string | undefined;
  readonly json?: boolean | undefined;
}

/** `ddbec beacon-index`: the GSI a beacon of a configured DB-ESDK table needs. */
export async function beaconIndexCommand(options: BeaconIndexCommandOptions, io: Io): Promise<number> {
  const { table, clients } = await openAnyTable(options, envOf(io));
  try {
    if (table.format !== 'dbesdk' || table.config.search === undefined) throw new UsageError(`table "${table.name}" has no beacons (a DB-ESDK table with "search" in the configuration)`);
    const indexOptions: BeaconIndexOptions = { indexName: options.indexName, sortKey: options.sortKey };
    const definition = beaconIndex({ ...table.config, search: table.config.search }, options.beacon, indexOptions);
    const update = { TableName: table.tableName, AttributeDefinitions: definition.AttributeDefinitions, GlobalSecondaryIndexUpdates: [{ Create: definition.GlobalSecondaryIndex }] };
    if (options.json === true) {
      printJson(io, { ...definition, UpdateTable: update });
      return EXIT.ok;
    }
    const keys = definition.GlobalSecondaryIndex.KeySchema.map((key) => `${key.AttributeName} (${key.KeyType})`).join(', ');
    line(io.stdout, `index "${definition.GlobalSecondaryIndex.IndexName}" on ${keys}, projecting ALL (ddbec reads whole items to verify them)`);
    line(io.stdout, `add it to an existing table (add ProvisionedThroughput to the Create for a provisioned table):`);
    line(io.stdout, `  aws dynamodb update-table --cli-input-json '${JSON.stringify(update)}'`);
    line(io.stdout, `then query it: ddbec query --table ${options.table} --index ${definition.GlobalSecondaryIndex.IndexName} --key '{"${options.beacon}": "…"}'`);
    return EXIT.ok;
  } finally {
    clients.destroy();
  }
}

export const beaconCommands: readonly CommandSpec[] = [
  {
    name: 'beacon-length',
    summary: 'advise a beacon length from the number of distinct values, and say what beacons reveal',
    options: { distinct: { type: 'string', value: 'N', description: 'how many distinct values the attribute has (or will have)' } },
    groups: ['json'],
    details: [
      'Follows the AWS Database Encryption SDK’s guidance for a field of X distinct values: a length N with 2^N < X/2, so that every beacon value stands for several plaintext values, and 2^N > √X, so that a query does not read too many false positives. The figures assume values of even frequency. See the library’s docs/searchable-encryption.md.',
    ],
    examples: ['ddbec beacon-length --distinct 100000', 'ddbec beacon-length --distinct 2000 --json'],
    run: ({ values }, io) => {
      const distinct = int(values, 'distinct', 2);
      if (distinct === undefined) throw new UsageError('--distinct N is required (the number of distinct values, at least 2)');
      return beaconLengthCommand({ distinct, json: flag(values, 'json') }, io);
    },
  },
  {
    name: 'beacon-index',
    summary: 'print the global secondary index a beacon of a configured table needs (CreateTable / UpdateTable shapes)',
    args: 'TABLE BEACON',
    positionals: [2, 2],
    options: {
      config: { type: 'string', value: 'FILE', description: 'configuration file (default: $DDBEC_CONFIG, else ./ddbec.config.json)' },
      'sort-key': { type: 'string', value: 'NAME', description: 'the index’s sort key: another beacon, or a string attribute that is not encrypted' },
      'index-name': { type: 'string', value: 'NAME', description: 'the index name (default BEACON-index)' },
    },
    groups: ['aws', 'json'],
    details: [
      'The index is keyed on the attribute the beacon is stored as (aws_dbe_b_BEACON, or the name of a compound beacon of signed parts only) and projects every attribute. `--json` prints the AttributeDefinitions, the GlobalSecondaryIndex entry (for CreateTable), the index for keySchema.indexes, and the UpdateTable input that adds it.',
    ],
    examples: ['ddbec beacon-index people email', 'ddbec beacon-index people tenant --sort-key TenantDate --index-name tenant-date --json'],
    run: ({ values, positionals }, io) =>
      beaconIndexCommand(
        {
          ...awsOptionsOf(values),
          config: str(values, 'config'),
          table: positionals[0] ?? '',
          beacon: positionals[1] ?? '',
          sortKey: str(values, 'sort-key'),
          indexName: str(values, 'index-name'),
          json: flag(values, 'json'),
        },
        io,
      ),
  },
];
