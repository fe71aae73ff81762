import { readFileSync } from 'node:fs';
import type { Item } from 'ddbec';
import { writeFileAtomic } from '@ddbec/local/files';
import { CommandFailed, UsageError } from '../io.js';
import { fromDynamoJson, toDynamoJson } from '../items.js';
import type { Rotation } from './digest.js';

/** What one scan segment has done so far. */
export interface SegmentCounts {
  /** Items written under the new configuration. */
  reencrypted: number;
  /** Items already readable under the new configuration (written by someone else, or by an earlier run). */
  alreadyNew: number;
  /** Items deleted between the scan and the write. */
  vanished: number;
  /** Items readable under neither configuration. */
  failed: number;
  /** Items still conflicting after every retry. */
  conflicts: number;
}

export interface SegmentState {
  /** Where the next page starts; undefined at the start of the segment. */
  lastEvaluatedKey: Item | undefined;
  done: boolean;
  counts: SegmentCounts;
}

export const COUNT_NAMES: readonly (keyof SegmentCounts)[] = ['reencrypted', 'alreadyNew', 'vanished', 'failed', 'conflicts'];

export const zeroCounts = (): SegmentCounts => ({ reencrypted: 0, alreadyNew: 0, vanished: 0, failed: 0, conflicts: 0 });

export const freshSegment = (): SegmentState => ({ lastEvaluatedKey: undefined, done: false, counts: zeroCounts() });

export function addCounts(total: SegmentCounts, more: SegmentCounts): void {
  for (const name of COUNT_NAMES) total[name] += more[name];
}

/** Every item a segment (or a job) has been through, whatever the outcome. */
export const itemsOf = (counts: SegmentCounts): number => COUNT_NAMES.reduce((sum, name) => sum + counts[name], 0);

/** How a job is shared: `workers` copies, each running the scan segments `index`, `index + workers`, … of `totalSegments`. */
export interface Share {
  readonly workers: number;
  readonly index: number;
  readonly totalSegments: number;
}

export const ownedSegments = (share: Share): number[] =>
  Array.from({ length: share.totalSegments / share.workers }, (_, n) => share.index + n * share.workers);

/**
 * Where a worker keeps the progress of its scan segments: a file on this machine
 * ({@link FileCheckpoint}) or rows of a DynamoDB table shared by every worker (`TableCheckpoint`).
 * Both belong to one rotation (table, from-configuration, to-configuration) and are never
 * reused by another.
 */
export interface CheckpointStore {
  /** For messages: the file, or the table and job. */
  readonly where: string;
  readonly share: Share;
  /** This worker's segments and where each stands (updated in place by the run). */
  readonly segments: ReadonlyMap<number, SegmentState>;
  /** Whether some state came from an earlier run. */
  readonly resumed: boolean;
  /** Records that a page of `segment` is done: its state (next key, counts) as it is now. */
  save(segment: number): Promise<void>;
  /** Ends the run: stops heartbeats and gives up the segments still held. */
  close(): Promise<void>;
}

export function storeTotals(store: CheckpointStore): SegmentCounts {
  const total = zeroCounts();
  for (const state of store.segments.values()) addCounts(total, state.counts);
  return total;
}

export const storeComplete = (store: CheckpointStore): boolean => [...store.segments.values()].every((state) => state.done);

const FORMAT = 'ddbec-reencrypt-checkpoint';
const VERSION = 2;

/** A checkpoint file as written (version 1 files have no rotation and no segment numbers). */
export interface FileDocument {
  format: typeof FORMAT;
  version: number;
  table: string;
  rotation?: Rotation;
  workers?: number;
  workerIndex?: number;
  totalSegments?: number;
  startedAt?: string;
  complete?: boolean;
  segments?: { segment?: number; lastEvaluatedKey?: Record<string, unknown>; done?: boolean; counts?: Partial<SegmentCounts> }[];
}

/**
 * The progress of one worker's segments in a file on this machine, rewritten atomically after
 * every page, so an interrupted run resumes where it stopped (the page in flight is done
 * again; items it had already written are recognised as done).
 */
export class FileCheckpoint implements CheckpointStore {
  readonly where: string;
  readonly share: Share;
  readonly segments: Map<number, SegmentState>;
  readonly resumed: boolean;
  readonly #rotation: Rotation;
  readonly #startedAt: string;

  private constructor(path: string, rotation: Rotation, share: Share, segments: Map<number, SegmentState>, startedAt: string, resumed: boolean) {
    this.where = path;
    this.#rotation = rotation;
    this.share = share;
    this.segments = segments;
    this.#startedAt = startedAt;
    this.resumed = resumed;
  }

  /**
   * The checkpoint of this rotation at `path`, or a fresh one. A checkpoint of another rotation
   * (another table, or other configurations) is replaced when it is complete; an unfinished one
   * is refused unless `restart`. `notice` hears about a replaced checkpoint.
   */
  static open(
    path: string,
    rotation: Rotation,
    share: { workers: number; index: number; totalSegments: number | undefined },
    options: { restart: boolean; defaultSegments: number; notice: (text: string) => void },
  ): FileCheckpoint {
    const fresh = (): FileCheckpoint => {
      const totalSegments = share.totalSegments ?? options.defaultSegments;
      const full = { ...share, totalSegments };
      return new FileCheckpoint(path, rotation, full, new Map(ownedSegments(full).map((segment) => [segment, freshSegment()])), new Date().toISOString(), false);
    };
    const data = options.restart ? undefined : readDocument(path);
    if (data === undefined) return fresh();
    if (data.rotation?.digest !== rotation.digest) {
      const what = data.rotation === undefined ? `a re-encryption of table "${data.table}" by an older ddbec` : `another re-encryption of table "${data.table}" (digest ${short(data.rotation.digest)})`;
      if (data.complete !== true) {
        throw new UsageError(`the checkpoint ${path} belongs to ${what}, which is not finished; finish it first, or pass --restart to abandon it (or --checkpoint to use another file)`);
      }
      options.notice(`the checkpoint ${path} of ${what} is complete; starting this re-encryption (digest ${short(rotation.digest)}) afresh`);
      return fresh();
    }
    const saved = { workers: data.workers ?? 1, index: data.workerIndex ?? 0, totalSegments: data.totalSegments ?? data.segments?.length ?? 0 };
    if (saved.workers !== share.workers || saved.index !== share.index) {
      throw new UsageError(`the checkpoint ${path} is worker ${saved.index} of ${saved.workers}; resume with the same --workers and --worker-index, or pass --restart`);
    }
    if (share.totalSegments !== undefined && share.totalSegments !== saved.totalSegments) {
      throw new UsageError(`the checkpoint ${path} was made with --segments ${saved.totalSegments}; resume with the same number or pass --restart`);
    }
    const states = new Map<number, SegmentState>();
    for (const segment of data.segments ?? []) {
      if (typeof segment.segment !== 'number') throw new CommandFailed(`${path} is not a ddbec re-encryption checkpoint`);
      states.set(segment.segment, {
        lastEvaluatedKey: segment.lastEvaluatedKey === undefined ? undefined : keyFromJson(segment.lastEvaluatedKey, `segment ${segment.segment} key`),
        done: segment.done === true,
        counts: { ...zeroCounts(), ...segment.counts },
      });
    }
    return new FileCheckpoint(path, rotation, saved, states, data.startedAt ?? new Date().toISOString(), true);
  }

  /** Writes the whole state atomically (temp file, fsync, rename). */
  save(): Promise<void> {
    const document = {
      format: FORMAT,
      version: VERSION,
      table: this.#rotation.table,
      rotation: this.#rotation,
      workers: this.share.workers,
      workerIndex: this.share.index,
      totalSegments: this.share.totalSegments,
      startedAt: this.#startedAt,
      updatedAt: new Date().toISOString(),
      complete: storeComplete(this),
      totals: storeTotals(this),
      segments: [...this.segments].map(([segment, state]) => ({
        segment,
        ...(state.lastEvaluatedKey === undefined ? {} : { lastEvaluatedKey: toDynamoJson(state.lastEvaluatedKey) }),
        done: state.done,
        counts: state.counts,
      })),
    };
    writeFileAtomic(this.where, `${JSON.stringify(document, null, 2)}\n`, 0o600);
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** The first 12 hex digits of a digest, for people. */
export const short = (digest: string): string => digest.slice(0, 12);

function keyFromJson(json: Record<string, unknown>, what: string): Item {
  return Object.fromEntries(Object.entries(json).map(([name, value]) => [name, fromDynamoJson(value, what)]));
}

/** The checkpoint document at `path`, or undefined when there is none. */
export function readDocument(path: string): FileDocument | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CommandFailed(`cannot read the checkpoint ${path} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  let data: FileDocument;
  try {
    data = JSON.parse(text) as FileDocument;
  } catch {
    throw new CommandFailed(`the checkpoint ${path} is not valid JSON; delete it or pass --restart`);
  }
  if (data.format !== FORMAT || !Array.isArray(data.segments) || typeof data.table !== 'string') throw new CommandFailed(`${path} is not a ddbec re-encryption checkpoint`);
  return data;
}
