import { GetItemCommand, PutItemCommand, ScanCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CryptoAction, isDdbecError, isRetryable, MATERIAL_DESCRIPTION_ATTRIBUTE, SIGNATURE_ATTRIBUTE, type AttributeValue, type Item } from 'ddbec';
import type { DbesdkTableConfig, TableConfig } from 'ddbec/config';
import { isDbesdkItem } from 'ddbec/dbesdk';
import { keyOf } from '../table.js';
import { addCounts, zeroCounts, type CheckpointStore, type SegmentCounts, type SegmentState } from './checkpoint.js';

/** An item that was not re-encrypted, by key. */
export interface Problem {
  readonly key: Item;
  readonly reason: 'failed' | 'conflict';
  readonly code: string;
  readonly message: string;
}

/** How items are re-encrypted: the same on the calling thread and in a worker thread (which is given them). */
export interface ReencryptSettings {
  readonly dryRun: boolean;
  /** Scan page size. */
  readonly pageSize: number;
  /** Items in flight per segment. */
  readonly concurrency: number;
  /** How often a conflicting item is read again and retried. */
  readonly retries: number;
  /** A transient failure (throttling, a service unreachable: `isRetryable`) is retried this often, with exponential backoff from `backoffMs`. */
  readonly transientRetries: number;
  readonly backoffMs: number;
}

/** What re-encrypting the pages of a segment needs, wherever it runs. */
export interface PageRun extends ReencryptSettings {
  readonly client: DynamoDBClient;
  readonly from: TableConfig;
  /** A legacy (or plaintext) configuration, or a DB-ESDK one (that writes the DB-ESDK format): the migration to the new format. */
  readonly to: TableConfig | DbesdkTableConfig;
  /** True once the run should stop after the pages in flight. */
  readonly stopping: () => boolean;
  /** Called after each item. */
  readonly onItem?: (() => void) | undefined;
  /** Problems are reported here as they happen. */
  readonly onProblem: (problem: Problem) => void;
}

export interface ReencryptRun extends PageRun {
  /** The segments to run: resumed from it, and saved into it after every page (not for a dry run). */
  readonly checkpoint: CheckpointStore;
}

/** Where a segment's next page starts, and whether there is one. */
export type SegmentPosition = Pick<SegmentState, 'lastEvaluatedKey' | 'done'>;

/** A page done: what its items came to and where the segment stands after it. */
export interface PageDone extends SegmentPosition {
  readonly counts: SegmentCounts;
}

type Outcome = keyof SegmentCounts;

/**
 * Re-encrypts every item of a table from one configuration to another with a parallel scan.
 * Each write is conditional on the item being unchanged since it was read (its old signature,
 * or for a plaintext item its attributes, and its do-nothing attributes), so a concurrent
 * writer is never overwritten: a conflicting item is read again and retried. Items already
 * readable under the new configuration are left alone, which makes resuming safe.
 */
export async function reencryptTable(run: ReencryptRun): Promise<void> {
  // The first failure stops every segment after its page in flight (no page is left half-recorded).
  let failure: { error: unknown } | undefined;
  const stopping = (): boolean => failure !== undefined || run.stopping();
  await Promise.all(
    [...run.checkpoint.segments].map(async ([segment, state]) => {
      try {
        await runSegment({ ...run, stopping }, segment, state);
      } catch (error) {
        failure ??= { error };
      }
    }),
  );
  if (failure !== undefined) throw failure.error;
}

function runSegment(run: ReencryptRun, segment: number, state: SegmentState): Promise<void> {
  return runSegmentPages(run, segment, run.checkpoint.share.totalSegments, state, async (page) => {
    addCounts(state.counts, page.counts);
    state.lastEvaluatedKey = page.lastEvaluatedKey;
    state.done = page.done;
    if (!run.dryRun) await run.checkpoint.save(segment);
  });
}

/**
 * Re-encrypts the pages of a scan segment from `start` until it is done or the run stops: scans
 * a page, re-encrypts its items (`concurrency` at a time), then awaits `pageDone` — which records
 * the page — before it scans the next one.
 */
export async function runSegmentPages(
  run: PageRun,
  segment: number,
  totalSegments: number,
  start: SegmentPosition,
  pageDone: (page: PageDone) => Promise<void>,
): Promise<void> {
  let position: SegmentPosition = { lastEvaluatedKey: start.lastEvaluatedKey, done: start.done };
  while (!position.done && !run.stopping()) {
    const page = await withRetries(run, () =>
      run.client.send(
        new ScanCommand({
          TableName: run.from.tableName,
          Segment: segment,
          TotalSegments: totalSegments,
          Limit: run.pageSize,
          ConsistentRead: true,
          ExclusiveStartKey: position.lastEvaluatedKey,
        }),
      ),
    );
    const items = (page.Items ?? []) as Item[];
    // Counted into the segment only with the page's next key, so a page done again after a crash is counted once.
    const counts = zeroCounts();
    await forEachBounded(items, run.concurrency, async (item) => {
      const outcome = await withRetries(run, () => processItem(run, item));
      counts[outcome] += 1;
      run.onItem?.();
    });
    position = { lastEvaluatedKey: page.LastEvaluatedKey, done: page.LastEvaluatedKey === undefined };
    await pageDone({ counts, ...position });
  }
}

/** Runs `work` again after a transient failure, waiting 1, 2, 4, … × `backoffMs` (with jitter). */
async function withRetries<T>(run: PageRun, work: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await work();
    } catch (error) {
      if (!isRetryable(error) || attempt >= run.transientRetries) throw error;
      await new Promise((resolve) => setTimeout(resolve, run.backoffMs * 2 ** attempt * (0.5 + Math.random() / 2)));
    }
  }
}

async function processItem(run: PageRun, first: Item): Promise<Outcome> {
  let item = first;
  for (let attempt = 0; ; attempt += 1) {
    const plaintext = await readUnderOld(run, item);
    if (plaintext === 'new') return 'alreadyNew';
    if ('failure' in plaintext) {
      run.onProblem({ key: keyOf(run.from, item), reason: 'failed', code: plaintext.failure.code, message: plaintext.failure.message });
      return 'failed';
    }
    if (run.dryRun) return 'reencrypted';
    let stored: Item;
    try {
      stored = await encryptNew(run.to, plaintext.item);
    } catch (error) {
      // An item the new configuration cannot take (e.g. an attribute the DB-ESDK actions do not name)
      if (!isDdbecError(error) || error.retryable) throw error;
      run.onProblem({ key: keyOf(run.from, item), reason: 'failed', code: error.code, message: error.message });
      return 'failed';
    }
    if (await putIfUnchanged(run, stored, item)) return 'reencrypted';
    // Someone wrote the item since it was read: read it again and start over with theirs.
    const again = await run.client.send(new GetItemCommand({ TableName: run.from.tableName, Key: keyOf(run.from, item), ConsistentRead: true }));
    if (again.Item === undefined) return 'vanished';
    item = again.Item;
    if (attempt >= run.retries) {
      run.onProblem({
        key: keyOf(run.from, item),
        reason: 'conflict',
        code: 'CONFLICT',
        message: `still changing after ${run.retries + 1} attempts; left as it is (run again to retry)`,
      });
      return 'conflicts';
    }
  }
}

/**
 * The plaintext under the old configuration; `new` when the item is already under the new one.
 *
 * When both configurations verify an item (the same signing key, e.g. only the actions change),
 * they may still read it differently: an attribute one encrypts and the other does not. Then
 * the one that decrypted those attributes is right — random bytes do not decrypt and
 * deserialize — so an item done before an interruption is never encrypted twice.
 */
async function readUnderOld(run: PageRun, item: Item): Promise<{ item: Item } | { failure: { code: string; message: string } } | 'new'> {
  // Moving to the DB-ESDK format: an item of that format is done (or not ours)
  if (run.to.format === 'dbesdk' && isDbesdkItem(item)) {
    if ((await readUnderNew(run, item)) !== undefined) return 'new';
    return { failure: { code: 'ERR_SIGNATURE_INVALID', message: 'the item is in the DB-ESDK format but does not verify under the new configuration' } };
  }
  const signed = item[SIGNATURE_ATTRIBUTE] !== undefined;
  // A plaintext configuration reads anything "successfully"; only unsigned items are really its.
  if (run.from.attributeActions.takesNoActions && signed) {
    if ((await readUnderNew(run, item)) !== undefined) return 'new';
    return { failure: { code: 'ERR_SIGNATURE_INVALID', message: 'the item is signed but the old configuration is plaintext, and it does not verify under the new one' } };
  }
  let old: Item;
  try {
    old = await run.from.encryptor.decryptItem(item, run.from);
  } catch (error) {
    if (!isDdbecError(error) || error.retryable) throw error;
    if ((await readUnderNew(run, item)) !== undefined) return 'new';
    return { failure: { code: error.code, message: error.message } };
  }
  // Same format on both sides only: an item of the old format never verifies under the DB-ESDK one
  if (run.to.format === 'dbesdk') return { item: old };
  const to = run.to;
  const encrypts = (table: TableConfig, name: string): boolean => table.attributeActions.actionOf(name) === CryptoAction.EncryptAndSign;
  const differing = Object.keys(old).filter((name) => encrypts(run.from, name) !== encrypts(to, name));
  if (differing.length === 0 || (await readUnderNew(run, item)) === undefined) return { item: old };
  if (differing.every((name) => encrypts(to, name))) return 'new';
  if (differing.every((name) => encrypts(run.from, name))) return { item: old };
  return { failure: { code: 'AMBIGUOUS', message: `both configurations verify the item but disagree on encrypting ${differing.join(', ')}; left as it is` } };
}

/** The item as the new configuration reads it, or undefined when it does not verify (or decrypt) under it. */
async function readUnderNew(run: PageRun, item: Item): Promise<Item | undefined> {
  const to = run.to;
  if (to.format === 'dbesdk' ? !isDbesdkItem(item) : to.attributeActions.takesNoActions && item[SIGNATURE_ATTRIBUTE] !== undefined) return undefined;
  try {
    return await (to.format === 'dbesdk' ? to.encryptor.decryptItem(item) : to.encryptor.decryptItem(item, to));
  } catch (error) {
    if (isDdbecError(error) && !error.retryable) return undefined;
    throw error;
  }
}

/** The item as the new configuration writes it. */
function encryptNew(to: TableConfig | DbesdkTableConfig, item: Item): Promise<Item> {
  return to.format === 'dbesdk' ? to.encryptor.encryptItem(item) : to.encryptor.encryptItem(item, to);
}

const MAX_COMPARED = 200;

/** PutItem conditional on the stored item being the one read: same signature (or none) and same do-nothing attributes. */
async function putIfUnchanged(run: PageRun, stored: Item, read: Item): Promise<boolean> {
  const names: Record<string, string> = { '#sig': SIGNATURE_ATTRIBUTE };
  const values: Record<string, AttributeValue> = {};
  const conditions: string[] = [];
  const signature = read[SIGNATURE_ATTRIBUTE];
  if (signature === undefined) conditions.push('attribute_not_exists(#sig)');
  else {
    values[':sig'] = signature;
    conditions.push('#sig = :sig');
  }
  const keys = new Set([run.from.partitionKey, run.from.sortKey]);
  let compared = 0;
  for (const [name, value] of Object.entries(read)) {
    if (keys.has(name) || name === SIGNATURE_ATTRIBUTE || name === MATERIAL_DESCRIPTION_ATTRIBUTE) continue;
    const unsigned = signature === undefined || run.from.attributeActions.actionOf(name) === CryptoAction.DoNothing;
    if (!unsigned || compared >= MAX_COMPARED) continue;
    names[`#a${compared}`] = name;
    values[`:a${compared}`] = value;
    conditions.push(`#a${compared} = :a${compared}`);
    compared += 1;
  }
  try {
    await run.client.send(
      new PutItemCommand({
        TableName: run.from.tableName,
        Item: stored,
        ConditionExpression: conditions.join(' AND '),
        ExpressionAttributeNames: names,
        ...(Object.keys(values).length === 0 ? {} : { ExpressionAttributeValues: values }),
      }),
    );
    return true;
  } catch (error) {
    if ((error as { name?: unknown }).name === 'ConditionalCheckFailedException') return false;
    throw error;
  }
}

/** Runs `work` over `items` with at most `limit` at a time. */
async function forEachBounded<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next] as T;
      next += 1;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
