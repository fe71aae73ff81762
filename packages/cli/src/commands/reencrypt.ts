import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { CryptoAction } from 'ddbec';
import { usesPkcs11Keys, type DbesdkTableConfig, type TableConfig } from 'ddbec/config';
import { awsClients, type AwsOptions } from '../aws.js';
import { regionHint } from '../context.js';
import { CommandFailed, EXIT, envOf, line, printJson, UsageError, type Io } from '../io.js';
import { toDynamoJson } from '../items.js';
import { clock, Progress, type ProgressMode } from '../progress.js';
import {
  addCounts,
  FileCheckpoint,
  itemsOf,
  ownedSegments,
  readDocument,
  short,
  storeComplete,
  storeTotals,
  zeroCounts,
  type CheckpointStore,
  type FileDocument,
} from '../reencrypt/checkpoint.js';
import { TableCheckpoint, type JobView, type SegmentView } from '../reencrypt/checkpoint-table.js';
import { openRotation } from '../reencrypt/configs.js';
import { rotationOf, tableIdentity, type Rotation } from '../reencrypt/digest.js';
import { estimateItemCount } from '../reencrypt/estimate.js';
import { reencryptTable, type Problem, type ReencryptSettings } from '../reencrypt/run.js';
import { reencryptInThreads } from '../reencrypt/threads.js';
import { awsOptionsOf, flag, int, num, requireStr, str, type CommandSpec, type Values } from '../spec.js';

export interface ReencryptOptions extends AwsOptions {
  /** The table entry (the same name in both configurations, with the same DynamoDB table). */
  readonly table: string;
  readonly fromConfig: string;
  readonly toConfig: string;
  /** Total parallel scan segments, a multiple of `workers` (default 4 per worker; a resumed run keeps the checkpoint's). */
  readonly segments?: number | undefined;
  /** Copies of the command sharing the job (default `$DDBEC_WORKERS`, `$AWS_BATCH_JOB_ARRAY_SIZE`, else 1). */
  readonly workers?: number | undefined;
  /** This copy's index, 0 … workers − 1 (default `$JOB_COMPLETION_INDEX`, `$AWS_BATCH_JOB_ARRAY_INDEX`, else 0). */
  readonly workerIndex?: number | undefined;
  /** Default `.ddbec/reencrypt-<table>.checkpoint.json` (`.worker-<I>-of-<N>` for a worker of several). */
  readonly checkpoint?: string | undefined;
  /** Keep the checkpoints in this DynamoDB table, shared by every worker (created when missing). */
  readonly checkpointTable?: string | undefined;
  /** A checkpoint-table lease not renewed for this long is taken over (seconds, default 30). */
  readonly leaseSeconds?: number | undefined;
  /** Abandon an unfinished checkpoint of another re-encryption of the table (a file: start over in any case). */
  readonly restart?: boolean | undefined;
  /** Read and decrypt everything, write nothing: report what would change. */
  readonly dryRun?: boolean | undefined;
  /** Items per scan page (default 100). */
  readonly pageSize?: number | undefined;
  /** Items in flight per segment (default 8). */
  readonly concurrency?: number | undefined;
  /** Worker threads that each re-encrypt whole segments (default 0: all on the calling thread). */
  readonly threads?: number | undefined;
  /** `auto` (default: a bar on a terminal, else lines), `bar`, `lines` or `none`. */
  readonly progress?: 'auto' | ProgressMode | 'none' | undefined;
  readonly json?: boolean | undefined;
}

const SEGMENTS_PER_WORKER = 4;
const DEFAULT_LEASE_SECONDS = 30;

/**
 * `ddbec reencrypt`: every item of a table, from one configuration to another (rotate keys,
 * move from wrapped keys to KMS, encrypt a plaintext table, change actions). Parallel scan
 * segments, shared by `workers` copies of the command; conditional writes that never overwrite
 * a concurrent writer; a checkpoint (a file, or a DynamoDB table for many machines) of this
 * rotation only, to resume an interrupted run; progress with an estimated total; `--dry-run`.
 */
export async function reencrypt(options: ReencryptOptions, io: Io): Promise<number> {
  const env = envOf(io);
  const share = workerShare(options, env);
  const threads = options.threads ?? 0;
  const clients = awsClients(options, env, regionHint(resolve(options.toConfig)));
  const stop = stopOnSignal();
  let store: CheckpointStore | undefined;
  try {
    const { fromConfig, toConfig, from, to } = await openRotation(options, clients, env);
    const rotation = rotationOf(from.tableName, tableIdentity(fromConfig, from, env), tableIdentity(toConfig, to, env));
    const notice = (text: string): void => {
      line(io.stderr, `ddbec reencrypt: ${text}`);
    };

    const defaultSegments = SEGMENTS_PER_WORKER * share.workers;
    if (options.dryRun) {
      store = FileCheckpoint.open('(dry run)', rotation, share, { restart: true, defaultSegments, notice });
    } else if (options.checkpointTable !== undefined) {
      store = await TableCheckpoint.open({
        client: clients.dynamodb,
        checkpointTable: options.checkpointTable,
        rotation,
        ...share,
        defaultSegments,
        restart: options.restart === true,
        leaseMs: (options.leaseSeconds ?? DEFAULT_LEASE_SECONDS) * 1000,
        worker: `${hostname()} pid ${process.pid}, worker ${share.index} of ${share.workers}`,
        notice,
      });
    } else {
      const name = share.workers === 1 ? from.tableName : `${from.tableName}.worker-${share.index}-of-${share.workers}`;
      store = FileCheckpoint.open(resolve(options.checkpoint ?? `.ddbec/reencrypt-${name}.checkpoint.json`), rotation, share, {
        restart: options.restart === true,
        defaultSegments,
        notice,
      });
    }
    const checkpoint = store;
    if (checkpoint.resumed && storeComplete(checkpoint)) {
      const note = checkpoint instanceof TableCheckpoint ? 'already complete (the segments of this worker are done)' : 'already complete (pass --restart to run again)';
      report(io, options, { rotation, checkpoint, seconds: 0, problems: [], note });
      return EXIT.ok;
    }
    if (!options.json) {
      line(io.stdout, `${options.dryRun ? 'dry run: ' : ''}re-encrypting ${from.tableName}: ${changes(from, to).join('; ') || 'same provider and actions (new content keys)'}`);
      if (share.workers > 1) line(io.stdout, `worker ${share.index} of ${share.workers}: scan segments ${ownedSegments(checkpoint.share).join(', ')} of ${checkpoint.share.totalSegments}`);
      if (checkpoint.resumed) line(io.stdout, `resuming from ${checkpoint.where} (${itemsOf(storeTotals(checkpoint))} items done)`);
    }
    if (!options.dryRun && checkpoint instanceof FileCheckpoint) await checkpoint.save();

    const mode = progressMode(options, io);
    const progress = mode === undefined ? undefined : new Progress(io.stderr, { mode, done: itemsOf(storeTotals(checkpoint)) });
    const estimating = mode === undefined && !(checkpoint instanceof TableCheckpoint) ? undefined : totalOf(clients.dynamodb, from.tableName, checkpoint, progress);
    const problems: Problem[] = [];
    const started = Date.now();
    try {
      const settings: ReencryptSettings = {
        dryRun: options.dryRun === true,
        pageSize: options.pageSize ?? 100,
        concurrency: options.concurrency ?? 8,
        retries: 5,
        transientRetries: 6,
        backoffMs: 200,
      };
      const stopping = (): boolean => stop.requested() || (checkpoint instanceof TableCheckpoint && checkpoint.lost !== undefined);
      const onProblem = (problem: Problem): void => {
        problems.push(problem);
      };
      const pkcs11 = usesPkcs11Keys(fromConfig, options.table) || usesPkcs11Keys(toConfig, options.table);
      if (threads > 0 && pkcs11) notice('--threads ignored: keys of the table are in a PKCS#11 token, whose sessions belong to this thread');
      if (threads > 0 && !pkcs11) {
        const { table, fromConfig: fromPath, toConfig: toPath, endpointUrl, kmsEndpointUrl, region, profile } = options;
        await reencryptInThreads({
          threads,
          job: { options: { table, fromConfig: resolve(fromPath), toConfig: resolve(toPath), endpointUrl, kmsEndpointUrl, region, profile }, env, settings },
          checkpoint,
          stopping,
          onItems: progress === undefined ? undefined : (count) => {
            progress.tick(count);
          },
          onProblem,
        });
      } else {
        await reencryptTable({
          ...settings,
          client: clients.dynamodb,
          from,
          to,
          checkpoint,
          stopping,
          onItem: progress === undefined ? undefined : () => {
            progress.tick();
          },
          onProblem,
        });
      }
    } finally {
      await estimating;
      progress?.finish();
    }
    if (checkpoint instanceof TableCheckpoint && checkpoint.lost !== undefined) throw checkpoint.lost;
    const seconds = (Date.now() - started) / 1000;
    const interrupted = stop.requested() && !storeComplete(checkpoint);
    report(io, options, {
      rotation,
      checkpoint,
      seconds,
      problems,
      ...(interrupted ? { note: `interrupted; run the same command again to resume from ${checkpoint.where}` } : {}),
    });
    if (interrupted) throw new CommandFailed('interrupted');
    return problems.length === 0 ? EXIT.ok : EXIT.failed;
  } finally {
    await store?.close();
    stop.dispose();
    clients.destroy();
  }
}

/** Which workers share the job and which one this is, from the options and the job engine's environment. */
function workerShare(options: ReencryptOptions, env: Readonly<Record<string, string | undefined>>): { workers: number; index: number; totalSegments: number | undefined } {
  const fromEnv = (names: readonly string[]): { name: string; value: number } | undefined => {
    for (const name of names) {
      const text = env[name];
      if (text === undefined || text === '') continue;
      if (!/^\d+$/.test(text)) throw new UsageError(`$${name} must be a non-negative integer, not "${text}"`);
      return { name, value: Number(text) };
    }
    return undefined;
  };
  const indexEnv = options.workerIndex === undefined ? fromEnv(['JOB_COMPLETION_INDEX', 'AWS_BATCH_JOB_ARRAY_INDEX']) : undefined;
  const workersEnv = options.workers === undefined ? fromEnv(['DDBEC_WORKERS', 'AWS_BATCH_JOB_ARRAY_SIZE']) : undefined;
  const workers = options.workers ?? workersEnv?.value;
  const index = options.workerIndex ?? indexEnv?.value;
  if (workers === undefined) {
    if (index === undefined) return { workers: 1, index: 0, totalSegments: options.segments };
    throw new UsageError(`${indexEnv === undefined ? '--worker-index' : `$${indexEnv.name}`} is set: pass --workers N (or set $DDBEC_WORKERS), the number of copies of the job`);
  }
  if (workers < 1) throw new UsageError(`${workersEnv === undefined ? '--workers' : `$${workersEnv.name}`} must be at least 1`);
  if (index === undefined) {
    if (workers === 1) return { workers, index: 0, totalSegments: options.segments };
    throw new UsageError('--workers is set: pass --worker-index I (or run under a job engine that sets $JOB_COMPLETION_INDEX or $AWS_BATCH_JOB_ARRAY_INDEX)');
  }
  if (index >= workers) throw new UsageError(`the worker index ${index} must be less than the number of workers ${workers}`);
  if (options.segments !== undefined && options.segments % workers !== 0) {
    throw new UsageError(`--segments ${options.segments} must be a multiple of --workers ${workers} (each worker runs the same number of segments)`);
  }
  return { workers, index, totalSegments: options.segments };
}

function progressMode(options: ReencryptOptions, io: Io): ProgressMode | undefined {
  const chosen = options.progress ?? 'auto';
  if (chosen === 'none') return undefined;
  if (chosen !== 'auto') return chosen;
  if (io.stderr.isTTY === true) return options.json ? undefined : 'bar';
  return 'lines';
}

/**
 * This worker's expected item count: the job's estimate (recorded in the checkpoint table by the
 * first worker that made it) or a new one, times the share of segments it runs. Best effort: a
 * failed estimate leaves the progress without a total.
 */
async function totalOf(client: ReturnType<typeof awsClients>['dynamodb'], table: string, store: CheckpointStore, progress: Progress | undefined): Promise<void> {
  try {
    let estimate = store instanceof TableCheckpoint ? store.job.estimate : undefined;
    if (estimate === undefined) {
      estimate = await estimateItemCount(client, table);
      if (store instanceof TableCheckpoint) await store.recordEstimate(estimate);
    }
    const share = store.segments.size / store.share.totalSegments;
    progress?.setTotal({ items: Math.round(estimate.items * share), estimated: estimate.method !== 'counted' });
  } catch {
    // No total: the progress shows items and items/s only.
  }
}

/** What differs between the two configurations of the table, for people. */
function changes(from: TableConfig, to: TableConfig | DbesdkTableConfig): string[] {
  if (to.format === 'dbesdk') {
    return [`format ${from.attributeActions.takesNoActions ? 'plaintext' : `legacy (provider ${from.providerType})`} → DB-ESDK (keyring ${to.keyringType}, suite ${to.config.algorithmSuiteId === 0x6700 ? '0x6700' : '0x6701'})`];
  }
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

function report(
  io: Io,
  options: ReencryptOptions,
  result: { rotation: Rotation; checkpoint: CheckpointStore; seconds: number; problems: readonly Problem[]; note?: string },
): void {
  const { checkpoint, rotation } = result;
  const totals = storeTotals(checkpoint);
  const items = itemsOf(totals);
  const complete = storeComplete(checkpoint);
  const traffic = checkpoint instanceof TableCheckpoint ? checkpoint.traffic : undefined;
  if (options.json) {
    printJson(io, {
      table: rotation.table,
      dryRun: options.dryRun === true,
      complete,
      rotation: { digest: rotation.digest, from: rotation.from, to: rotation.to },
      workers: checkpoint.share.workers,
      workerIndex: checkpoint.share.index,
      segments: checkpoint.share.totalSegments,
      segmentsRun: checkpoint.segments.size,
      ...totals,
      items,
      seconds: Math.round(result.seconds * 1000) / 1000,
      checkpoint: options.dryRun ? undefined : checkpoint.where,
      ...(traffic === undefined ? {} : { checkpointTraffic: traffic }),
      problems: result.problems.map((problem) => ({ ...problem, key: toDynamoJson(problem.key) })),
      ...(result.note === undefined ? {} : { note: result.note }),
    });
    return;
  }
  const verb = options.dryRun ? 'would re-encrypt' : 're-encrypted';
  const rate = result.seconds > 0 ? ` in ${clock(result.seconds)} (${Math.round(items / result.seconds)} items/s)` : '';
  const whose = checkpoint.share.workers > 1 ? ` (worker ${checkpoint.share.index} of ${checkpoint.share.workers})` : '';
  line(io.stdout, `${verb} ${totals.reencrypted} of ${items} items of ${rotation.table}${whose}${rate}`);
  line(io.stdout, `  already under the new configuration: ${totals.alreadyNew}; deleted meanwhile: ${totals.vanished}; unreadable: ${totals.failed}; conflicts left: ${totals.conflicts}`);
  for (const problem of result.problems.slice(0, 20)) {
    line(io.stdout, `  ${problem.reason}: ${JSON.stringify(toDynamoJson(problem.key))}: ${problem.code}: ${problem.message}`);
  }
  if (result.problems.length > 20) line(io.stdout, `  … and ${result.problems.length - 20} more (see --json)`);
  if (!options.dryRun) line(io.stdout, `checkpoint: ${checkpoint.where}${complete ? ' (complete)' : ''}, re-encryption ${short(rotation.digest)}`);
  if (traffic !== undefined) {
    line(io.stdout, `checkpoint table traffic: ${traffic.requests} requests, ${traffic.writeCapacityUnits} write and ${traffic.readCapacityUnits} read capacity units`);
  }
  if (result.note !== undefined) line(io.stdout, result.note);
}

export interface ReencryptStatusOptions extends AwsOptions {
  readonly checkpointTable?: string | undefined;
  readonly checkpoint?: string | undefined;
  /** The DynamoDB table re-encrypted (optional when the checkpoint table has one job). */
  readonly table?: string | undefined;
  readonly json?: boolean | undefined;
}

/** `ddbec reencrypt status`: a job as a whole, from its checkpoint table (or a checkpoint file). */
export async function reencryptStatus(options: ReencryptStatusOptions, io: Io): Promise<number> {
  if ((options.checkpointTable === undefined) === (options.checkpoint === undefined)) throw new UsageError('pass --checkpoint-table NAME (or --checkpoint FILE)');
  let job: JobView;
  if (options.checkpoint !== undefined) {
    const path = resolve(options.checkpoint);
    const data = readDocument(path);
    if (data === undefined) throw new CommandFailed(`no checkpoint at ${path}`);
    job = jobOfFile(data);
  } else {
    const checkpointTable = options.checkpointTable ?? '';
    const clients = awsClients(options, envOf(io));
    try {
      let table = options.table;
      if (table === undefined) {
        const tables = await TableCheckpoint.tables(clients.dynamodb, checkpointTable);
        const [first, ...others] = tables;
        if (first === undefined) throw new CommandFailed(`${checkpointTable} holds no re-encryption job`);
        if (others.length > 0) throw new UsageError(`${checkpointTable} holds jobs for several tables (${tables.join(', ')}): pass --table`);
        table = first;
      }
      const found = await TableCheckpoint.read(clients.dynamodb, checkpointTable, table);
      if (found === undefined) throw new CommandFailed(`${checkpointTable} holds no re-encryption job of ${table}`);
      job = found;
    } finally {
      clients.destroy();
    }
  }
  const view = summarize(job, Date.now());
  if (options.json) printJson(io, view);
  else for (const text of statusLines(view)) line(io.stdout, text);
  return EXIT.ok;
}

function jobOfFile(data: FileDocument): JobView {
  const workers = data.workers ?? 1;
  const segments = new Map<number, SegmentView>();
  for (const [position, segment] of (data.segments ?? []).entries()) {
    const number = segment.segment ?? position;
    segments.set(number, { segment: number, done: segment.done === true, counts: { ...zeroCounts(), ...segment.counts }, worker: undefined, held: false, heartbeat: undefined });
  }
  return {
    table: data.table,
    rotation: data.rotation ?? { table: data.table, digest: '', from: '', to: '' },
    generation: 1,
    workers,
    totalSegments: data.totalSegments ?? segments.size,
    startedAt: data.startedAt ?? '',
    estimate: undefined,
    segments,
  };
}

type SegmentStatus = 'done' | 'running' | 'stopped' | 'not started';

/** A job as `status` shows it: totals, per worker and per segment. */
function summarize(job: JobView, now: number) {
  const totals = zeroCounts();
  for (const segment of job.segments.values()) addCounts(totals, segment.counts);
  const items = itemsOf(totals);
  const ago = (time: string | undefined): number | undefined => (time === undefined ? undefined : Math.max(0, Math.round((now - Date.parse(time)) / 1000)));
  const segments = Array.from({ length: job.totalSegments }, (_, number) => {
    const segment = job.segments.get(number);
    const status: SegmentStatus = segment === undefined ? 'not started' : segment.done ? 'done' : segment.held ? 'running' : 'stopped';
    return { segment: number, status, items: segment === undefined ? 0 : itemsOf(segment.counts), ...(segment?.counts ?? zeroCounts()), worker: segment?.worker, heartbeat: segment?.heartbeat, heartbeatAgeSeconds: ago(segment?.heartbeat) };
  });
  const workers = Array.from({ length: job.workers }, (_, index) => {
    const mine = segments.filter((segment) => segment.segment % job.workers === index);
    const last = mine.filter((segment) => segment.heartbeat !== undefined).sort((a, b) => ((a.heartbeat ?? '') < (b.heartbeat ?? '') ? 1 : -1))[0];
    return {
      index,
      segments: mine.map((segment) => segment.segment),
      segmentsDone: mine.filter((segment) => segment.status === 'done').length,
      items: mine.reduce((sum, segment) => sum + segment.items, 0),
      lastHeartbeat: last?.heartbeat,
      lastHeartbeatAgeSeconds: ago(last?.heartbeat),
      worker: last?.worker,
    };
  });
  const count = (status: SegmentStatus): number => segments.filter((segment) => segment.status === status).length;
  return {
    table: job.table,
    rotation: job.rotation,
    generation: job.generation,
    startedAt: job.startedAt,
    complete: count('done') === job.totalSegments,
    workers: job.workers,
    totalSegments: job.totalSegments,
    segmentsDone: count('done'),
    segmentsRunning: count('running'),
    segmentsStopped: count('stopped'),
    segmentsNotStarted: count('not started'),
    ...totals,
    items,
    estimatedItems: job.estimate?.items,
    estimateMethod: job.estimate?.method,
    perWorker: workers,
    perSegment: segments,
  };
}

function statusLines(view: ReturnType<typeof summarize>): string[] {
  const count = (value: number): string => value.toLocaleString('en-US');
  const rotation = view.rotation.digest === '' ? 'written by an older ddbec' : `re-encryption ${short(view.rotation.digest)}: from ${short(view.rotation.from)} to ${short(view.rotation.to)}`;
  const out = [`job: ${view.table}, ${rotation}, started ${view.startedAt || '?'}${view.complete ? ' — complete' : ''}`];
  out.push(
    `segments: ${view.segmentsDone} of ${view.totalSegments} done, ${view.segmentsRunning} running, ${view.segmentsStopped} stopped, ${view.segmentsNotStarted} not started (${view.workers} worker${view.workers === 1 ? '' : 's'})`,
  );
  const of = view.estimatedItems === undefined || view.complete ? '' : ` of ≈${count(view.estimatedItems)} (${Math.floor((view.items / Math.max(1, view.estimatedItems)) * 100)}%)`;
  out.push(`items: ${count(view.items)}${of}: re-encrypted ${count(view.reencrypted)}; already new ${count(view.alreadyNew)}; deleted meanwhile ${count(view.vanished)}; unreadable ${count(view.failed)}; conflicts left ${count(view.conflicts)}`);
  const heartbeat = (age: number | undefined, worker: string | undefined): string => (age === undefined ? '-' : `${clock(age)} ago${worker === undefined ? '' : ` (${worker})`}`);
  out.push('', 'worker  done  items  last heartbeat');
  for (const worker of view.perWorker) {
    out.push(`${String(worker.index).padEnd(6)}  ${`${worker.segmentsDone}/${worker.segments.length}`.padEnd(4)}  ${count(worker.items).padEnd(5)}  ${heartbeat(worker.lastHeartbeatAgeSeconds, worker.worker)}`);
  }
  out.push('', 'segment  status       items  heartbeat');
  for (const segment of view.perSegment) {
    out.push(`${String(segment.segment).padEnd(7)}  ${segment.status.padEnd(11)}  ${count(segment.items).padEnd(5)}  ${heartbeat(segment.heartbeatAgeSeconds, undefined)}`);
  }
  return out;
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
    summary: 're-encrypt every item of a table under a new configuration (resumable, shared by many workers, safe with concurrent writers)',
    options: {
      table: { type: 'string', value: 'NAME', description: 'the table entry, present in both configurations' },
      'from-config': { type: 'string', value: 'FILE', description: 'the configuration the items are written with now' },
      'to-config': { type: 'string', value: 'FILE', description: 'the configuration to write them with' },
      segments: { type: 'string', value: 'N', description: `parallel scan segments in all, a multiple of --workers (default ${SEGMENTS_PER_WORKER} per worker)` },
      workers: { type: 'string', value: 'N', description: 'copies of this command sharing the job (default $DDBEC_WORKERS, $AWS_BATCH_JOB_ARRAY_SIZE, else 1)' },
      'worker-index': { type: 'string', value: 'I', description: 'this copy, 0 … N-1 (default $JOB_COMPLETION_INDEX, $AWS_BATCH_JOB_ARRAY_INDEX)' },
      checkpoint: { type: 'string', value: 'FILE', description: 'checkpoint file (default .ddbec/reencrypt-<table>.checkpoint.json)' },
      'checkpoint-table': { type: 'string', value: 'NAME', description: 'keep the checkpoints in this DynamoDB table, shared by the workers (created when missing)' },
      lease: { type: 'string', value: 'SECONDS', description: `with --checkpoint-table: a segment whose worker stopped renewing it for this long is taken over (default ${DEFAULT_LEASE_SECONDS})` },
      restart: { type: 'boolean', description: 'abandon an unfinished checkpoint of another re-encryption of the table (a file: start over in any case)' },
      'dry-run': { type: 'boolean', description: 'read and decrypt every item, write nothing; report what would change' },
      'page-size': { type: 'string', value: 'N', description: 'items per scan page (default 100)' },
      concurrency: { type: 'string', value: 'N', description: 'items in flight per segment (default 8)' },
      threads: {
        type: 'string',
        value: 'N',
        description: 'worker threads that each re-encrypt whole scan segments, their share of them at once (default 0: all on this thread; at most one per unfinished segment of this copy; a table whose keys are in a PKCS#11 token runs on this thread)',
      },
      progress: { type: 'string', value: 'MODE', description: 'auto (a bar on a terminal, else a line per tenth done), bar, lines or none' },
    },
    groups: ['aws', 'json'],
    details: [
      'For key rotation (a new key or provider), moving from wrapped keys to KMS, encrypting a table that was plaintext (a configuration whose actions are all DO_NOTHING needs no provider), or changing attribute actions. Every item is read and decrypted under --from-config and written under --to-config.',
      'Each write is conditional: the stored signature must still be the one read (for a plaintext item: no signature), and attributes the old configuration does not sign must be unchanged. A conflicting item is read again and retried (up to 6 times), then reported — never overwritten. Items that already read under --to-config are counted and left alone, so running again is safe. A transient failure (throttling, KMS or DynamoDB unreachable) is retried with exponential backoff before the run gives up.',
      'A checkpoint belongs to one re-encryption: the table, --from-config and --to-config, identified by a digest of both configurations (table and key attributes, attribute actions, signing profile, provider type, key fingerprints — never key bytes —, KMS key ids and regions, MetaStore table and material). After every scan page it records, per segment, the key the next page starts after; an interrupted run (Ctrl-C, crash, kill) resumes where it stopped when started again with the same arguments. A finished checkpoint of another re-encryption is replaced, so A → B, B → C and B → A each run in full; an unfinished one is refused unless --restart.',
      'Many machines: run N copies with --workers N and --worker-index 0 … N-1 (a Kubernetes Indexed Job or an AWS Batch array job sets the index; see docs/reencrypt.md for manifests). The scan has a multiple of N segments and worker I runs segments I, I+N, I+2N, …, so a restarted copy, on any machine, finds its share again. With --checkpoint-table the segments’ checkpoints, the job’s digest and totals live in a DynamoDB table: each segment is leased to one worker, whose writes are conditional on its lease and the segment’s sequence number, so two copies given the same index cannot both advance a segment (the second one stops with an error). A killed worker’s lease is taken over by its restarted copy once it has not been renewed for --lease seconds. `ddbec reencrypt status` shows the whole job.',
      'Threads: with --threads N, N worker threads share the scan segments of this copy and each runs its part of them at once, so as many requests are in flight as on one thread (each loads both configurations and makes its own clients; no key crosses threads), while this thread keeps the checkpoint, the progress and the report: a worker’s page is saved before it scans the next one, so resuming works as without threads. There are no more threads than unfinished segments (raise --segments for more). Worth it when decrypting and encrypting, not DynamoDB, is the bottleneck; keys in a PKCS#11 token keep the run on this thread.',
      'Progress: done/total items, items/s and the time left, as a bar on a terminal or a line per tenth (and at least every minute) in logs. DescribeTable’s ItemCount is 0 on the local stack and hours stale on AWS, so the total is estimated: Select COUNT scans of 8 random segments out of 524,288, then 32,768, 2,048 and 128, until 100 items are counted in a sample no one segment dominates, scaled up (a table of up to 1,000 items is counted exactly). With --checkpoint-table the first worker records the estimate for the others and for `status`. Exit 1 when items were unreadable or left conflicting.',
    ],
    examples: [
      'ddbec reencrypt --table customers --from-config old.config.json --to-config ddbec.config.json --dry-run',
      'ddbec reencrypt --table customers --from-config old.config.json --to-config ddbec.config.json --segments 8',
      'ddbec reencrypt --table customers --from-config old.config.json --to-config ddbec.config.json --workers 16 --worker-index 3 --checkpoint-table ddbec-reencrypt',
    ],
    run: ({ values }, io) =>
      reencrypt(
        {
          ...awsOptionsOf(values),
          table: requireStr(values, 'table'),
          fromConfig: requireStr(values, 'from-config'),
          toConfig: requireStr(values, 'to-config'),
          segments: int(values, 'segments', 1, 1_000_000),
          workers: int(values, 'workers', 1, 1_000_000),
          workerIndex: int(values, 'worker-index', 0, 999_999),
          checkpoint: str(values, 'checkpoint'),
          checkpointTable: str(values, 'checkpoint-table'),
          leaseSeconds: num(values, 'lease', 0.1),
          restart: flag(values, 'restart'),
          dryRun: flag(values, 'dry-run'),
          pageSize: int(values, 'page-size', 1, 1_000),
          concurrency: int(values, 'concurrency', 1, 256),
          threads: int(values, 'threads', 0, 256),
          progress: choice(values, 'progress', ['auto', 'bar', 'lines', 'none'] as const),
          json: flag(values, 'json'),
        },
        io,
      ),
  },
  {
    name: 'reencrypt status',
    summary: 'show a re-encryption job as a whole: segments done, items per segment and worker, totals, heartbeats',
    options: {
      'checkpoint-table': { type: 'string', value: 'NAME', description: 'the checkpoint table the workers share' },
      table: { type: 'string', value: 'NAME', description: 'the DynamoDB table re-encrypted (needed when the checkpoint table has several jobs)' },
      checkpoint: { type: 'string', value: 'FILE', description: 'instead: a checkpoint file of one machine' },
    },
    groups: ['aws', 'json'],
    details: [
      'Reads the job of the table from the checkpoint table (consistent reads; nothing is written): its re-encryption digest, segments done, running (leased), stopped and not started, items per worker and per segment with their outcomes, the estimated total, and each worker’s last heartbeat (by this machine’s clock). Exit 0 whether or not the job is complete; --json has `complete`.',
    ],
    examples: ['ddbec reencrypt status --checkpoint-table ddbec-reencrypt', 'ddbec reencrypt status --checkpoint-table ddbec-reencrypt --table customers --json'],
    run: ({ values }, io) =>
      reencryptStatus(
        { ...awsOptionsOf(values), checkpointTable: str(values, 'checkpoint-table'), checkpoint: str(values, 'checkpoint'), table: str(values, 'table'), json: flag(values, 'json') },
        io,
      ),
  },
];

function choice<T extends string>(values: Values, name: string, allowed: readonly T[]): T | undefined {
  const value = str(values, name);
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`--${name} must be one of ${allowed.join(', ')}`);
  return value as T;
}
