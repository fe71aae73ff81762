import { readFileSync } from 'node:fs';
import type { Item } from 'ddbec';
import { writeFileAtomic } from '@ddbec/local/files';
import { CommandFailed, UsageError } from '../io.js';
import { fromDynamoJson, toDynamoJson } from '../items.js';

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

export const zeroCounts = (): SegmentCounts => ({ reencrypted: 0, alreadyNew: 0, vanished: 0, failed: 0, conflicts: 0 });

const FORMAT = 'ddbec-reencrypt-checkpoint';

/**
 * The progress of a re-encryption: per scan segment, the key the next page starts after.
 * Written atomically after every page, so an interrupted run resumes where it stopped (the
 * page in flight is done again; items it had already written are recognised as done).
 */
export class Checkpoint {
  readonly path: string;
  readonly table: string;
  readonly segments: SegmentState[];
  readonly startedAt: string;
  /** Whether the state came from an earlier run. */
  readonly resumed: boolean;

  private constructor(path: string, table: string, segments: SegmentState[], startedAt: string, resumed: boolean) {
    this.path = path;
    this.table = table;
    this.segments = segments;
    this.startedAt = startedAt;
    this.resumed = resumed;
  }

  static fresh(path: string, table: string, segments: number): Checkpoint {
    const states = Array.from({ length: segments }, (): SegmentState => ({ lastEvaluatedKey: undefined, done: false, counts: zeroCounts() }));
    return new Checkpoint(path, table, states, new Date().toISOString(), false);
  }

  /** The checkpoint at `path`, or undefined when there is none. Refuses one of another table or segment count. */
  static load(path: string, table: string, segments: number | undefined): Checkpoint | undefined {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new CommandFailed(`cannot read the checkpoint ${path} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    }
    let data: { format?: unknown; table?: unknown; startedAt?: unknown; segments?: unknown };
    try {
      data = JSON.parse(text) as typeof data;
    } catch {
      throw new CommandFailed(`the checkpoint ${path} is not valid JSON; delete it or pass --restart`);
    }
    if (data.format !== FORMAT || !Array.isArray(data.segments)) throw new CommandFailed(`${path} is not a ddbec re-encryption checkpoint`);
    if (data.table !== table) throw new UsageError(`the checkpoint ${path} belongs to table "${String(data.table)}"; pass --checkpoint or --restart`);
    if (segments !== undefined && segments !== data.segments.length) {
      throw new UsageError(`the checkpoint ${path} was made with --segments ${data.segments.length}; resume with the same number or pass --restart`);
    }
    const states = (data.segments as { lastEvaluatedKey?: Record<string, unknown>; done?: boolean; counts?: Partial<SegmentCounts> }[]).map(
      (segment, index): SegmentState => ({
        lastEvaluatedKey:
          segment.lastEvaluatedKey === undefined
            ? undefined
            : Object.fromEntries(Object.entries(segment.lastEvaluatedKey).map(([name, value]) => [name, fromDynamoJson(value, `segment ${index} key`)])),
        done: segment.done === true,
        counts: { ...zeroCounts(), ...segment.counts },
      }),
    );
    return new Checkpoint(path, table, states, typeof data.startedAt === 'string' ? data.startedAt : new Date().toISOString(), true);
  }

  get complete(): boolean {
    return this.segments.every((segment) => segment.done);
  }

  totals(): SegmentCounts {
    const total = zeroCounts();
    for (const { counts } of this.segments) for (const name of Object.keys(total) as (keyof SegmentCounts)[]) total[name] += counts[name];
    return total;
  }

  /** Writes the whole state atomically (temp file, fsync, rename). */
  save(): void {
    const document = {
      format: FORMAT,
      version: 1,
      table: this.table,
      startedAt: this.startedAt,
      updatedAt: new Date().toISOString(),
      complete: this.complete,
      totals: this.totals(),
      segments: this.segments.map((segment) => ({
        ...(segment.lastEvaluatedKey === undefined ? {} : { lastEvaluatedKey: toDynamoJson(segment.lastEvaluatedKey) }),
        done: segment.done,
        counts: segment.counts,
      })),
    };
    writeFileAtomic(this.path, `${JSON.stringify(document, null, 2)}\n`, 0o600);
  }
}
