import { randomUUID } from 'node:crypto';
import {
  CreateTableCommand,
  DescribeTableCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  UpdateItemCommand,
  type AttributeValue,
  type ConsumedCapacity,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { CommandFailed, UsageError } from '../io.js';
import {
  COUNT_NAMES,
  freshSegment,
  ownedSegments,
  short,
  zeroCounts,
  type CheckpointStore,
  type SegmentCounts,
  type SegmentState,
  type Share,
} from './checkpoint.js';
import type { Rotation } from './digest.js';

type Row = Record<string, AttributeValue>;

/** Requests a worker sent to the checkpoint table and the capacity they consumed. */
export interface Traffic {
  requests: number;
  readCapacityUnits: number;
  writeCapacityUnits: number;
}

/** One segment of a job as the checkpoint table holds it (absent: not started yet). */
export interface SegmentView {
  readonly segment: number;
  readonly done: boolean;
  readonly counts: SegmentCounts;
  /** Host, process and worker index of the last worker that held it. */
  readonly worker: string | undefined;
  /** Whether a worker holds its lease now (not released, not finished). */
  readonly held: boolean;
  readonly heartbeat: string | undefined;
}

/** A job: one rotation of one table, shared by `workers` workers. */
export interface JobView {
  readonly table: string;
  readonly rotation: Rotation;
  readonly generation: number;
  readonly workers: number;
  readonly totalSegments: number;
  readonly startedAt: string;
  readonly estimate: { readonly items: number; readonly method: string } | undefined;
  /** The segments started so far, by number. */
  readonly segments: ReadonlyMap<number, SegmentView>;
}

export const jobComplete = (job: JobView): boolean => job.segments.size === job.totalSegments && [...job.segments.values()].every((segment) => segment.done);

const HEAD = 'job';
const segmentKey = (generation: number, segment: number): string => `g${String(generation).padStart(6, '0')}#s${String(segment).padStart(7, '0')}`;
const generationPrefix = (generation: number): string => `g${String(generation).padStart(6, '0')}#`;

const s = (value: string): AttributeValue => ({ S: value });
const n = (value: number): AttributeValue => ({ N: String(value) });
const str = (row: Row, name: string): string | undefined => row[name]?.S;
const num = (row: Row, name: string): number | undefined => (row[name]?.N === undefined ? undefined : Number(row[name].N));

function isConditionFailure(error: unknown): boolean {
  return (error as { name?: unknown }).name === 'ConditionalCheckFailedException';
}

/** The worker that advances a segment lost it to another (or never got it): it must stop. */
export class LeaseConflict extends CommandFailed {}

export interface TableCheckpointOptions {
  readonly client: DynamoDBClient;
  /** The checkpoint table (created when missing). */
  readonly checkpointTable: string;
  readonly rotation: Rotation;
  readonly workers: number;
  readonly index: number;
  /** Total scan segments asked for (undefined: the job's, else `defaultSegments`). */
  readonly totalSegments: number | undefined;
  readonly defaultSegments: number;
  /** Abandon an unfinished job of another rotation of the table. */
  readonly restart: boolean;
  /** A lease not renewed for this long may be taken over (ms). */
  readonly leaseMs: number;
  /** Who this worker is, for people (host, process, index). */
  readonly worker: string;
  readonly notice: (text: string) => void;
}

/**
 * The progress of a re-encryption job in a DynamoDB table shared by its workers: a head row per
 * data table (`pk` = table name, `sk` = `job`: the rotation's digest, the generation, the worker
 * count and total segments, the estimated item count) and a row per scan segment (`sk` =
 * `g<generation>#s<segment>`: the next start key, the counts, `done`, the lease).
 *
 * A worker holds the lease of each of its segments: the row's `owner` is a token of its own
 * and every write is conditional on that owner and on the row's sequence number `seq`, which
 * each write increments. So a segment is only ever advanced by one worker: a second copy given
 * the same index finds the lease renewed by a live holder and stops, and a copy that lost its
 * lease fails its next conditional write and stops. A lease is renewed by each page and a
 * heartbeat; one left unrenewed for `leaseMs` (its holder was killed) is taken over, observed
 * on the taker's own clock, so clocks of different machines need not agree.
 */
export class TableCheckpoint implements CheckpointStore {
  readonly where: string;
  readonly share: Share;
  readonly segments = new Map<number, SegmentState>();
  readonly traffic: Traffic;
  readonly job: { readonly generation: number; readonly estimate: JobView['estimate'] };
  readonly #options: TableCheckpointOptions;
  readonly #owner = randomUUID();
  /** Per held segment: its sequence number and when it was last written. */
  readonly #held = new Map<number, { seq: number; writtenAt: number }>();
  #heartbeat: NodeJS.Timeout | undefined;
  #lost: LeaseConflict | undefined;
  #resumed = false;

  private constructor(options: TableCheckpointOptions, share: Share, generation: number, estimate: JobView['estimate'], traffic: Traffic) {
    this.#options = options;
    this.share = share;
    this.job = { generation, estimate };
    this.traffic = traffic;
    this.where = `table ${options.checkpointTable} (job ${options.rotation.table}, generation ${generation})`;
  }

  /** Joins (or starts) the job of this rotation and takes the leases of this worker's segments. */
  static async open(options: TableCheckpointOptions): Promise<TableCheckpoint> {
    const traffic: Traffic = { requests: 0, readCapacityUnits: 0, writeCapacityUnits: 0 };
    const send = sender(options.client, traffic);
    await ensureTable(options.client, options.checkpointTable, traffic);
    const head = await joinJob(options, send);
    const share: Share = { workers: options.workers, index: options.index, totalSegments: head.totalSegments };
    const store = new TableCheckpoint(options, share, head.generation, head.estimate, traffic);
    store.#resumed = await store.#claimAll(send);
    store.#startHeartbeat();
    return store;
  }

  get resumed(): boolean {
    return this.#resumed;
  }

  /** The job of `table` in the checkpoint table, or undefined when there is none. */
  static async read(client: DynamoDBClient, checkpointTable: string, table: string): Promise<JobView | undefined> {
    const send = sender(client, { requests: 0, readCapacityUnits: 0, writeCapacityUnits: 0 });
    const head = await readHead(send, checkpointTable, table);
    return head === undefined ? undefined : readJob(send, checkpointTable, head);
  }

  /** The data tables that have a job in the checkpoint table. */
  static async tables(client: DynamoDBClient, checkpointTable: string): Promise<string[]> {
    const tables: string[] = [];
    let start: Row | undefined;
    do {
      const page = await client.send(
        new ScanCommand({ TableName: checkpointTable, FilterExpression: 'sk = :job', ExpressionAttributeValues: { ':job': s(HEAD) }, ProjectionExpression: 'pk', ExclusiveStartKey: start }),
      );
      for (const row of page.Items ?? []) tables.push(str(row, 'pk') ?? '');
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
    return tables.sort();
  }

  /** Records the job's estimated item count once (the first worker to estimate it). */
  async recordEstimate(estimate: { items: number; method: string }): Promise<void> {
    const send = sender(this.#options.client, this.traffic);
    try {
      await send(
        new UpdateItemCommand({
          TableName: this.#options.checkpointTable,
          Key: { pk: s(this.#options.rotation.table), sk: s(HEAD) },
          UpdateExpression: 'SET estimatedItems = :items, estimateMethod = :method',
          ConditionExpression: 'generation = :generation AND attribute_not_exists(estimatedItems)',
          ExpressionAttributeValues: { ':items': n(estimate.items), ':method': s(estimate.method), ':generation': n(this.job.generation) },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  async save(segment: number): Promise<void> {
    if (this.#lost !== undefined) throw this.#lost;
    const held = this.#held.get(segment);
    const state = this.segments.get(segment);
    if (held === undefined || state === undefined) throw new Error(`segment ${segment} is not held`);
    const values: Row = { ':me': s(this.#owner), ':seq': n(held.seq), ':next': n(held.seq + 1), ':now': s(new Date().toISOString()), ':done': { BOOL: state.done } };
    const sets = ['seq = :next', 'heartbeat = :now', 'updatedAt = :now', 'done = :done'];
    const removes: string[] = [];
    for (const name of COUNT_NAMES) {
      values[`:${name}`] = n(state.counts[name]);
      sets.push(`${name} = :${name}`);
    }
    if (state.lastEvaluatedKey === undefined) removes.push('startKey');
    else {
      values[':start'] = { M: state.lastEvaluatedKey };
      sets.push('startKey = :start');
    }
    if (state.done) removes.push('#owner');
    const send = sender(this.#options.client, this.traffic);
    try {
      await send(
        new UpdateItemCommand({
          TableName: this.#options.checkpointTable,
          Key: { pk: s(this.#options.rotation.table), sk: s(segmentKey(this.job.generation, segment)) },
          UpdateExpression: `SET ${sets.join(', ')}${removes.length === 0 ? '' : ` REMOVE ${removes.join(', ')}`}`,
          ConditionExpression: '#owner = :me AND seq = :seq',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: values,
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      this.#lost = await this.#takenOver(send, segment);
      throw this.#lost;
    }
    if (state.done) this.#held.delete(segment);
    else this.#held.set(segment, { seq: held.seq + 1, writtenAt: Date.now() });
  }

  async close(): Promise<void> {
    clearInterval(this.#heartbeat);
    const send = sender(this.#options.client, this.traffic);
    await Promise.all(
      [...this.#held].map(async ([segment, held]) => {
        try {
          await send(
            new UpdateItemCommand({
              TableName: this.#options.checkpointTable,
              Key: { pk: s(this.#options.rotation.table), sk: s(segmentKey(this.job.generation, segment)) },
              UpdateExpression: 'SET seq = :next REMOVE #owner',
              ConditionExpression: '#owner = :me AND seq = :seq',
              ExpressionAttributeNames: { '#owner': 'owner' },
              ExpressionAttributeValues: { ':me': s(this.#owner), ':seq': n(held.seq), ':next': n(held.seq + 1) },
            }),
          );
        } catch {
          // Not ours any more, or unreachable: the lease then expires on its own.
        }
      }),
    );
    this.#held.clear();
  }

  /** Takes the lease of every segment of this worker (waiting for leases of killed workers to expire); true when one had progress. */
  async #claimAll(send: Send): Promise<boolean> {
    const results = await Promise.allSettled(ownedSegments(this.share).map((segment) => this.#claim(send, segment)));
    const failure = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failure !== undefined) {
      await this.close();
      throw failure.reason;
    }
    return results.some((result) => result.status === 'fulfilled' && result.value);
  }

  async #claim(send: Send, segment: number): Promise<boolean> {
    const key = { pk: s(this.#options.rotation.table), sk: s(segmentKey(this.job.generation, segment)) };
    const table = this.#options.checkpointTable;
    const now = (): AttributeValue => s(new Date().toISOString());
    const taken = (row: Row): boolean => {
      const state = stateOf(row);
      this.segments.set(segment, state);
      if (!state.done) this.#held.set(segment, { seq: (num(row, 'seq') ?? 0) + 1, writtenAt: Date.now() });
      return state.done || state.lastEvaluatedKey !== undefined;
    };
    const lost = (holder: string | undefined): LeaseConflict =>
      new LeaseConflict(
        `segment ${segment} of the job is held by another live worker (${holder ?? 'unknown'}): are two copies running with --worker-index ${this.share.index}? This one stops; nothing was written.`,
      );
    let row = await getRow(send, table, key);
    if (row === undefined) {
      const fresh: Row = {
        ...key,
        generation: n(this.job.generation),
        segment: n(segment),
        digest: s(this.#options.rotation.digest),
        seq: n(1),
        owner: s(this.#owner),
        worker: s(this.#options.worker),
        heartbeat: now(),
        done: { BOOL: false },
      };
      for (const name of COUNT_NAMES) fresh[name] = n(0);
      try {
        await send(new PutItemCommand({ TableName: table, Item: fresh, ConditionExpression: 'attribute_not_exists(sk)' }));
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
        throw lost(str((await getRow(send, table, key)) ?? {}, 'worker'));
      }
      this.segments.set(segment, freshSegment());
      this.#held.set(segment, { seq: 1, writtenAt: Date.now() });
      return false;
    }
    if (row['done']?.BOOL === true) return taken(row);
    if (row['owner'] !== undefined) {
      // Held: by a worker that was killed (nothing changes for a lease) or by a live copy (it renews
      // the lease). Watched on this machine's clock only: the holder's clock does not matter.
      const seen = row;
      const firstSeen = Date.now();
      this.#options.notice(`segment ${segment} is held by ${str(row, 'worker') ?? 'another worker'}; waiting up to ${Math.round(this.#options.leaseMs / 1000)} s for its lease to expire`);
      while (Date.now() - firstSeen < this.#options.leaseMs) {
        await new Promise((resolve) => setTimeout(resolve, Math.max(50, this.#options.leaseMs / 8)));
        row = await getRow(send, table, key);
        if (row === undefined) throw lost(str(seen, 'worker'));
        if (row['done']?.BOOL === true) return taken(row);
        if (row['owner'] === undefined) break;
        if (str(row, 'owner') !== str(seen, 'owner') || num(row, 'seq') !== num(seen, 'seq') || str(row, 'heartbeat') !== str(seen, 'heartbeat')) throw lost(str(row, 'worker'));
      }
    }
    // Taken only as it was last seen: a heartbeat or a page of the holder since makes this fail.
    const condition = row['owner'] === undefined ? 'seq = :seq AND attribute_not_exists(#owner)' : 'seq = :seq AND #owner = :previous AND heartbeat = :beat';
    try {
      await send(
        new UpdateItemCommand({
          TableName: table,
          Key: key,
          UpdateExpression: 'SET #owner = :me, seq = :next, worker = :worker, heartbeat = :now',
          ConditionExpression: condition,
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: {
            ':me': s(this.#owner),
            ':seq': n(num(row, 'seq') ?? 0),
            ':next': n((num(row, 'seq') ?? 0) + 1),
            ':worker': s(this.#options.worker),
            ':now': now(),
            ...(row['owner'] === undefined ? {} : { ':previous': row['owner'], ':beat': row['heartbeat'] ?? s('') }),
          },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      throw lost(str((await getRow(send, table, key)) ?? {}, 'worker'));
    }
    return taken(row);
  }

  /** Renews the leases of held segments not written for a quarter of the lease (so at least every half lease). */
  #startHeartbeat(): void {
    const every = this.#options.leaseMs / 4;
    this.#heartbeat = setInterval(() => {
      const send = sender(this.#options.client, this.traffic);
      for (const [segment, held] of this.#held) {
        if (Date.now() - held.writtenAt < every) continue;
        held.writtenAt = Date.now();
        void send(
          new UpdateItemCommand({
            TableName: this.#options.checkpointTable,
            Key: { pk: s(this.#options.rotation.table), sk: s(segmentKey(this.job.generation, segment)) },
            UpdateExpression: 'SET heartbeat = :now',
            ConditionExpression: '#owner = :me',
            ExpressionAttributeNames: { '#owner': 'owner' },
            ExpressionAttributeValues: { ':me': s(this.#owner), ':now': s(new Date().toISOString()) },
          }),
        ).catch(async (error: unknown) => {
          // A failed heartbeat is retried at the next tick. A condition failure is a lost lease,
          // unless the segment was finished (or released) by this worker meanwhile.
          if (!isConditionFailure(error)) return;
          const row = await getRow(send, this.#options.checkpointTable, { pk: s(this.#options.rotation.table), sk: s(segmentKey(this.job.generation, segment)) }).catch(() => undefined);
          if (row === undefined || row['done']?.BOOL === true || row['owner'] === undefined || str(row, 'owner') === this.#owner) return;
          this.#lost ??= this.#conflict(segment, row);
        });
      }
    }, every);
    this.#heartbeat.unref();
  }

  /** The lost lease that stops the run, if one was lost. */
  get lost(): LeaseConflict | undefined {
    return this.#lost;
  }

  async #takenOver(send: Send, segment: number): Promise<LeaseConflict> {
    return this.#conflict(segment, await getRow(send, this.#options.checkpointTable, { pk: s(this.#options.rotation.table), sk: s(segmentKey(this.job.generation, segment)) }));
  }

  #conflict(segment: number, row: Row | undefined): LeaseConflict {
    const holder = row === undefined ? 'a job that replaced this one' : (str(row, 'worker') ?? 'another worker');
    return new LeaseConflict(
      `segment ${segment} was taken over by ${holder} (its conditional write found another lease): are two copies running with --worker-index ${this.share.index}, or was this one paused longer than the lease? This one stops.`,
    );
  }
}

type CheckpointCommand = GetItemCommand | PutItemCommand | UpdateItemCommand | QueryCommand;
type Send = <T>(command: CheckpointCommand) => Promise<T>;

/** `client.send` that asks for and adds up the consumed capacity. */
function sender(client: DynamoDBClient, traffic: Traffic): Send {
  return async <T>(command: CheckpointCommand): Promise<T> => {
    traffic.requests += 1;
    Object.assign(command.input, { ReturnConsumedCapacity: 'TOTAL' });
    let output: { ConsumedCapacity?: ConsumedCapacity };
    if (command instanceof GetItemCommand) output = await client.send(command);
    else if (command instanceof QueryCommand) output = await client.send(command);
    else if (command instanceof PutItemCommand) output = await client.send(command);
    else output = await client.send(command);
    const units = output.ConsumedCapacity?.CapacityUnits ?? 0;
    if (command instanceof GetItemCommand || command instanceof QueryCommand) traffic.readCapacityUnits += units;
    else traffic.writeCapacityUnits += units;
    return output as T;
  };
}

async function getRow(send: Send, table: string, key: Row): Promise<Row | undefined> {
  const { Item } = await send<{ Item?: Row }>(new GetItemCommand({ TableName: table, Key: key, ConsistentRead: true }));
  return Item;
}

interface Head {
  readonly row: Row;
  readonly table: string;
  readonly rotation: Rotation;
  readonly generation: number;
  readonly workers: number;
  readonly totalSegments: number;
  readonly estimate: JobView['estimate'];
}

async function readHead(send: Send, checkpointTable: string, table: string): Promise<Head | undefined> {
  const row = await getRow(send, checkpointTable, { pk: s(table), sk: s(HEAD) });
  if (row === undefined) return undefined;
  const items = num(row, 'estimatedItems');
  return {
    row,
    table,
    rotation: { table, digest: str(row, 'digest') ?? '', from: str(row, 'fromDigest') ?? '', to: str(row, 'toDigest') ?? '' },
    generation: num(row, 'generation') ?? 0,
    workers: num(row, 'workers') ?? 1,
    totalSegments: num(row, 'totalSegments') ?? 0,
    estimate: items === undefined ? undefined : { items, method: str(row, 'estimateMethod') ?? 'unknown' },
  };
}

async function readJob(send: Send, checkpointTable: string, head: Head): Promise<JobView> {
  const segments = new Map<number, SegmentView>();
  let start: Row | undefined;
  do {
    const page = await send<{ Items?: Row[]; LastEvaluatedKey?: Row }>(
      new QueryCommand({
        TableName: checkpointTable,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': s(head.table), ':prefix': s(generationPrefix(head.generation)) },
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }),
    );
    for (const row of page.Items ?? []) {
      const segment = num(row, 'segment') ?? -1;
      const state = stateOf(row);
      segments.set(segment, { segment, done: state.done, counts: state.counts, worker: str(row, 'worker'), held: row['owner'] !== undefined, heartbeat: str(row, 'heartbeat') });
    }
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
  return {
    table: head.table,
    rotation: head.rotation,
    generation: head.generation,
    workers: head.workers,
    totalSegments: head.totalSegments,
    startedAt: str(head.row, 'startedAt') ?? '',
    estimate: head.estimate,
    segments,
  };
}

function stateOf(row: Row): SegmentState {
  const counts = zeroCounts();
  for (const name of COUNT_NAMES) counts[name] = num(row, name) ?? 0;
  return { lastEvaluatedKey: row['startKey']?.M, done: row['done']?.BOOL === true, counts };
}

/** Joins the job of this rotation: starts it, or replaces a finished (or, with --restart, an unfinished) job of another rotation. */
async function joinJob(options: TableCheckpointOptions, send: Send): Promise<Head> {
  const { checkpointTable, rotation } = options;
  for (;;) {
    const head = await readHead(send, checkpointTable, rotation.table);
    if (head?.rotation.digest === rotation.digest) {
      if (head.workers !== options.workers) {
        throw new UsageError(`the job of ${rotation.table} in ${checkpointTable} runs with --workers ${head.workers}; every worker must be given the same number`);
      }
      if (options.totalSegments !== undefined && options.totalSegments !== head.totalSegments) {
        throw new UsageError(`the job of ${rotation.table} in ${checkpointTable} runs with --segments ${head.totalSegments}; every worker must be given the same number`);
      }
      return head;
    }
    if (head !== undefined) {
      const finished = jobComplete(await readJob(send, checkpointTable, head));
      if (!finished && !options.restart) {
        throw new UsageError(
          `${checkpointTable} holds an unfinished re-encryption of ${rotation.table} with other configurations (digest ${short(head.rotation.digest)}, started ${str(head.row, 'startedAt') ?? '?'}); finish it first, or pass --restart to abandon it`,
        );
      }
      options.notice(`${finished ? 'the finished' : 'abandoning the unfinished'} job of ${rotation.table} (digest ${short(head.rotation.digest)}) is replaced by this one (digest ${short(rotation.digest)})`);
    }
    const totalSegments = options.totalSegments ?? options.defaultSegments;
    const generation = (head?.generation ?? 0) + 1;
    const row: Row = {
      pk: s(rotation.table),
      sk: s(HEAD),
      digest: s(rotation.digest),
      fromDigest: s(rotation.from),
      toDigest: s(rotation.to),
      generation: n(generation),
      workers: n(options.workers),
      totalSegments: n(totalSegments),
      startedAt: s(new Date().toISOString()),
    };
    try {
      await send(
        new PutItemCommand({
          TableName: checkpointTable,
          Item: row,
          ...(head === undefined
            ? { ConditionExpression: 'attribute_not_exists(sk)' }
            : { ConditionExpression: 'generation = :generation AND digest = :digest', ExpressionAttributeValues: { ':generation': n(head.generation), ':digest': s(head.rotation.digest) } }),
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      continue; // another worker started or replaced the job meanwhile: read it again
    }
    return { row, table: rotation.table, rotation, generation, workers: options.workers, totalSegments, estimate: undefined };
  }
}

/** Creates the checkpoint table (on demand) when it does not exist, and waits until it is ACTIVE. */
async function ensureTable(client: DynamoDBClient, table: string, traffic: Traffic): Promise<void> {
  const status = async (): Promise<string | undefined> => {
    traffic.requests += 1;
    try {
      return (await client.send(new DescribeTableCommand({ TableName: table }))).Table?.TableStatus;
    } catch (error) {
      if ((error as { name?: unknown }).name === 'ResourceNotFoundException') return undefined;
      throw error;
    }
  };
  let current = await status();
  if (current === undefined) {
    traffic.requests += 1;
    try {
      await client.send(
        new CreateTableCommand({
          TableName: table,
          AttributeDefinitions: [
            { AttributeName: 'pk', AttributeType: 'S' },
            { AttributeName: 'sk', AttributeType: 'S' },
          ],
          KeySchema: [
            { AttributeName: 'pk', KeyType: 'HASH' },
            { AttributeName: 'sk', KeyType: 'RANGE' },
          ],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
    } catch (error) {
      // Another worker is creating it.
      if ((error as { name?: unknown }).name !== 'ResourceInUseException') throw error;
    }
    current = await status();
  }
  const deadline = Date.now() + 300_000;
  while (current !== 'ACTIVE') {
    if (Date.now() > deadline) throw new CommandFailed(`the checkpoint table ${table} did not become ACTIVE in 5 minutes`);
    await new Promise((resolve) => setTimeout(resolve, 500));
    current = await status();
  }
}
