import { resolve } from 'node:path';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { CryptoAction } from 'ddbec';
import { loadConfig, type TableConfig } from 'ddbec/config';
import { awsClients, type AwsOptions } from '../aws.js';
import { regionHint } from '../context.js';
import { CommandFailed, EXIT, envOf, line, printJson, UsageError, type Io } from '../io.js';
import { toDynamoJson } from '../items.js';
import { clock, ProgressBar } from '../progress.js';
import { Checkpoint } from '../reencrypt/checkpoint.js';
import { reencryptTable, type Problem } from '../reencrypt/run.js';
import { awsOptionsOf, flag, int, requireStr, str, type CommandSpec } from '../spec.js';

export interface ReencryptOptions extends AwsOptions {
  /** The table entry (the same name in both configurations, with the same DynamoDB table). */
  readonly table: string;
  readonly fromConfig: string;
  readonly toConfig: string;
  /** Parallel scan segments (default 4; a resumed run keeps the checkpoint's). */
  readonly segments?: number | undefined;
  /** Default `.ddbec/reencrypt-<table>.checkpoint.json`. */
  readonly checkpoint?: string | undefined;
  /** Start over even when a checkpoint exists. */
  readonly restart?: boolean | undefined;
  /** Read and decrypt everything, write nothing: report what would change. */
  readonly dryRun?: boolean | undefined;
  /** Items per scan page (default 100). */
  readonly pageSize?: number | undefined;
  /** Items in flight per segment (default 8). */
  readonly concurrency?: number | undefined;
  readonly json?: boolean | undefined;
}

const DEFAULT_SEGMENTS = 4;

/**
 * `ddbec reencrypt`: every item of a table, from one configuration to another (rotate keys,
 * move from wrapped keys to KMS, encrypt a plaintext table, change actions). Parallel scan
 * segments, conditional writes that never overwrite a concurrent writer, a checkpoint file
 * to resume an interrupted run, a progress bar on a terminal, and `--dry-run`.
 */
export async function reencrypt(options: ReencryptOptions, io: Io): Promise<number> {
  const env = envOf(io);
  const clients = awsClients(options, env, regionHint(resolve(options.toConfig)));
  const stop = stopOnSignal();
  try {
    const load = (path: string) =>
      loadConfig(resolve(path), { dynamoDBClient: clients.dynamodb, kmsClient: (region) => clients.kms(region), env, tables: [options.table] });
    const [fromConfig, toConfig] = await Promise.all([load(options.fromConfig), load(options.toConfig)]);
    const from = fromConfig.table(options.table);
    const to = toConfig.table(options.table);
    if (from.tableName !== to.tableName) throw new UsageError(`--table ${options.table} is DynamoDB table "${from.tableName}" in --from-config but "${to.tableName}" in --to-config`);
    if (from.partitionKey !== to.partitionKey || from.sortKey !== to.sortKey) throw new UsageError('the two configurations disagree on the key attributes of the table');

    const checkpointPath = resolve(options.checkpoint ?? `.ddbec/reencrypt-${from.tableName}.checkpoint.json`);
    const loaded = options.dryRun || options.restart ? undefined : Checkpoint.load(checkpointPath, from.tableName, options.segments);
    if (loaded?.complete) {
      report(io, options, { table: from.tableName, checkpoint: loaded, seconds: 0, problems: [], note: 'already complete (pass --restart to run again)' });
      return EXIT.ok;
    }
    const checkpoint = loaded ?? Checkpoint.fresh(checkpointPath, from.tableName, options.segments ?? DEFAULT_SEGMENTS);
    if (!options.json) {
      line(io.stdout, `${options.dryRun ? 'dry run: ' : ''}re-encrypting ${from.tableName}: ${changes(from, to).join('; ') || 'same provider and actions (new content keys)'}`);
      if (checkpoint.resumed) line(io.stdout, `resuming from ${checkpoint.path} (${checkpoint.totals().reencrypted} items done)`);
    }
    if (!options.dryRun) checkpoint.save();

    const problems: Problem[] = [];
    const bar = io.stderr.isTTY === true && !options.json ? new ProgressBar(io.stderr, await itemCount(clients.dynamodb, from.tableName), doneSoFar(checkpoint)) : undefined;
    const started = Date.now();
    try {
      await reencryptTable({
        client: clients.dynamodb,
        from,
        to,
        checkpoint,
        dryRun: options.dryRun === true,
        pageSize: options.pageSize ?? 100,
        concurrency: options.concurrency ?? 8,
        retries: 5,
        stopping: stop.requested,
        onItem: bar === undefined ? undefined : () => {
          bar.tick();
        },
        onProblem: (problem) => problems.push(problem),
      });
    } finally {
      bar?.finish();
    }
    const seconds = (Date.now() - started) / 1000;
    const interrupted = stop.requested() && !checkpoint.complete;
    report(io, options, {
      table: from.tableName,
      checkpoint,
      seconds,
      problems,
      ...(interrupted ? { note: `interrupted; run the same command again to resume from ${checkpoint.path}` } : {}),
    });
    if (interrupted) throw new CommandFailed('interrupted');
    return problems.length === 0 ? EXIT.ok : EXIT.failed;
  } finally {
    stop.dispose();
    clients.destroy();
  }
}

/** What differs between the two configurations of the table, for people. */
function changes(from: TableConfig, to: TableConfig): string[] {
  const out: string[] = [];
  if (from.providerType !== to.providerType) out.push(`provider ${from.providerType} → ${to.providerType}`);
  const before = from.attributeActions;
  const after = to.attributeActions;
  if (before.defaultAction !== after.defaultAction) out.push(`default ${before.defaultAction} → ${after.defaultAction}`);
  for (const name of new Set([...before.overrides.keys(), ...after.overrides.keys()])) {
    const was = before.actionOf(name);
    const now = after.actionOf(name);
    if (was !== now) out.push(`${name} ${was} → ${now}`);
  }
  if (before.takesNoActions) out.push('the table was plaintext');
  if (after.takesNoActions && !before.takesNoActions) out.push(`every attribute becomes ${CryptoAction.DoNothing}`);
  return out;
}

function doneSoFar(checkpoint: Checkpoint): number {
  const totals = checkpoint.totals();
  return totals.reencrypted + totals.alreadyNew + totals.vanished + totals.failed + totals.conflicts;
}

async function itemCount(client: ReturnType<typeof awsClients>['dynamodb'], tableName: string): Promise<number | undefined> {
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    return Table?.ItemCount;
  } catch {
    return undefined;
  }
}

function report(
  io: Io,
  options: ReencryptOptions,
  result: { table: string; checkpoint: Checkpoint; seconds: number; problems: readonly Problem[]; note?: string },
): void {
  const totals = result.checkpoint.totals();
  const items = totals.reencrypted + totals.alreadyNew + totals.vanished + totals.failed + totals.conflicts;
  if (options.json) {
    printJson(io, {
      table: result.table,
      dryRun: options.dryRun === true,
      complete: result.checkpoint.complete,
      segments: result.checkpoint.segments.length,
      ...totals,
      items,
      seconds: Math.round(result.seconds * 1000) / 1000,
      checkpoint: options.dryRun ? undefined : result.checkpoint.path,
      problems: result.problems.map((problem) => ({ ...problem, key: toDynamoJson(problem.key) })),
      ...(result.note === undefined ? {} : { note: result.note }),
    });
    return;
  }
  const verb = options.dryRun ? 'would re-encrypt' : 're-encrypted';
  const rate = result.seconds > 0 ? ` in ${clock(result.seconds)} (${Math.round(items / result.seconds)} items/s)` : '';
  line(io.stdout, `${verb} ${totals.reencrypted} of ${items} items of ${result.table}${rate}`);
  line(io.stdout, `  already under the new configuration: ${totals.alreadyNew}; deleted meanwhile: ${totals.vanished}; unreadable: ${totals.failed}; conflicts left: ${totals.conflicts}`);
  for (const problem of result.problems.slice(0, 20)) {
    line(io.stdout, `  ${problem.reason}: ${JSON.stringify(toDynamoJson(problem.key))}: ${problem.code}: ${problem.message}`);
  }
  if (result.problems.length > 20) line(io.stdout, `  … and ${result.problems.length - 20} more (see --json)`);
  if (!options.dryRun) line(io.stdout, `checkpoint: ${result.checkpoint.path}${result.checkpoint.complete ? ' (complete)' : ''}`);
  if (result.note !== undefined) line(io.stdout, result.note);
}

/** Ctrl-C / SIGTERM ask the run to stop after the pages in flight (a second Ctrl-C exits at once). */
function stopOnSignal(): { requested: () => boolean; dispose: () => void } {
  let requested = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (requested) process.exit(130);
    requested = true;
    process.stderr.write(`\n${signal}: finishing the pages in flight and saving the checkpoint…\n`);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    requested: () => requested,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

export const reencryptCommands: readonly CommandSpec[] = [
  {
    name: 'reencrypt',
    summary: 're-encrypt every item of a table under a new configuration (resumable, safe with concurrent writers)',
    options: {
      table: { type: 'string', value: 'NAME', description: 'the table entry, present in both configurations' },
      'from-config': { type: 'string', value: 'FILE', description: 'the configuration the items are written with now' },
      'to-config': { type: 'string', value: 'FILE', description: 'the configuration to write them with' },
      segments: { type: 'string', value: 'N', description: `parallel scan segments (default ${DEFAULT_SEGMENTS})` },
      checkpoint: { type: 'string', value: 'FILE', description: 'checkpoint file (default .ddbec/reencrypt-<table>.checkpoint.json)' },
      restart: { type: 'boolean', description: 'ignore an existing checkpoint and start over' },
      'dry-run': { type: 'boolean', description: 'read and decrypt every item, write nothing; report what would change' },
      'page-size': { type: 'string', value: 'N', description: 'items per scan page (default 100)' },
      concurrency: { type: 'string', value: 'N', description: 'items in flight per segment (default 8)' },
    },
    groups: ['aws', 'json'],
    details: [
      'For key rotation (a new key or provider), moving from wrapped keys to KMS, encrypting a table that was plaintext (a configuration whose actions are all DO_NOTHING needs no provider), or changing attribute actions. Every item is read and decrypted under --from-config and written under --to-config.',
      'Each write is conditional: the stored signature must still be the one read (for a plaintext item: no signature), and attributes the old configuration does not sign must be unchanged. A conflicting item is read again and retried (up to 6 times), then reported — never overwritten. Items that already read under --to-config are counted and left alone, so running again is safe.',
      'After every scan page the checkpoint (per segment, the key the next page starts after) is written atomically; an interrupted run (Ctrl-C, crash, kill) resumes where it stopped when started again with the same arguments. On a terminal a progress bar shows items, items/s and the time left. Exit 1 when items were unreadable or left conflicting.',
    ],
    examples: [
      'ddbec reencrypt --table customers --from-config old.config.json --to-config ddbec.config.json --dry-run',
      'ddbec reencrypt --table customers --from-config old.config.json --to-config ddbec.config.json --segments 8',
    ],
    run: ({ values }, io) =>
      reencrypt(
        {
          ...awsOptionsOf(values),
          table: requireStr(values, 'table'),
          fromConfig: requireStr(values, 'from-config'),
          toConfig: requireStr(values, 'to-config'),
          segments: int(values, 'segments', 1, 1_000_000),
          checkpoint: str(values, 'checkpoint'),
          restart: flag(values, 'restart'),
          dryRun: flag(values, 'dry-run'),
          pageSize: int(values, 'page-size', 1, 1_000),
          concurrency: int(values, 'concurrency', 1, 256),
          json: flag(values, 'json'),
        },
        io,
      ),
  },
];
