/**
 * The one declarative map of the SDK integration: for every DynamoDB data-plane operation,
 * where tables, items and expressions live in its input, and where items live in its output
 * and in its errors. Operations not listed (the control plane) pass through untouched.
 *
 * Paths are dot-separated member names with three wildcards: `{table}` is every key of a map
 * *and* names the table of everything below it; `*` is every key of a map; `[]` after a
 * member is every element of a list. Without a `{table}`, the table of an input match is the
 * `TableName` beside it; the table of an output match is read from the input at `table`
 * (default `TableName`), whose `[]`s take the output's list positions in order.
 */

/** What a member of the input is. */
export type InputRole =
  /** A plaintext item: encrypted and signed. */
  | 'item'
  /** A condition, filter or key-condition expression: must not compare an encrypted attribute. */
  | 'condition'
  /** An update expression: may only change do-nothing attributes. */
  | 'update'
  /** A projection (`ProjectionExpression`, `AttributesToGet`): refused on encrypted tables. */
  | 'projection'
  /** `Select`: `SPECIFIC_ATTRIBUTES` and `ALL_PROJECTED_ATTRIBUTES` are refused on encrypted tables. */
  | 'select'
  /** `IndexName`: refused when the index is known not to project every attribute. */
  | 'index'
  /** A legacy parameter: refused on encrypted tables. */
  | 'legacy'
  /** A PartiQL statement: refused when it names an encrypted table. */
  | 'partiql';

/** What a member of the output (or of an error) is. */
export type OutputRole =
  /** One stored item: verified and decrypted. */
  | 'item'
  /** A list of stored items: verified and decrypted with bounded concurrency, in order. */
  | 'items'
  /** UpdateItem's `Attributes`: a whole item for ALL_OLD/ALL_NEW (decrypted); do-nothing attributes only for UPDATED_* (checked, returned as they are). */
  | 'returnValues'
  /** BatchWriteItem's unprocessed puts: given back as the caller's plaintext items. */
  | 'unprocessed';

export interface OutputRule {
  readonly path: string;
  readonly role: OutputRole;
  /** Where in the input the table name is, for paths without `{table}`. Default `TableName`. */
  readonly table?: string;
  /** `items`: the output member that counts them (kept equal to the items returned when failures are reported). */
  readonly count?: string;
}

export interface CommandSpec {
  /** Where the tables a request touches are named (a `{table}` at the end means the keys of that map). */
  readonly tables: readonly string[];
  readonly input: Readonly<Record<string, InputRole>>;
  readonly output?: readonly OutputRule[];
  /** Items carried by the operation's errors (ConditionalCheckFailedException, TransactionCanceledException). */
  readonly errors?: readonly OutputRule[];
  /** Update actions on encrypted tables get `attribute_exists(<signature>)` added to their condition (at these request objects). */
  readonly existingItemsOnly?: readonly string[];
}

const LEGACY_WRITE = { Expected: 'legacy', ConditionalOperator: 'legacy' } as const;
const TRANSACT_ACTIONS = ['Put', 'Update', 'Delete', 'ConditionCheck'] as const;

export const COMMANDS: Readonly<Record<string, CommandSpec>> = {
  PutItem: {
    tables: ['TableName'],
    input: { Item: 'item', ConditionExpression: 'condition', ...LEGACY_WRITE },
    output: [{ path: 'Attributes', role: 'item' }],
    errors: [{ path: 'Item', role: 'item' }],
  },
  GetItem: {
    tables: ['TableName'],
    input: { ProjectionExpression: 'projection', AttributesToGet: 'projection' },
    output: [{ path: 'Item', role: 'item' }],
  },
  DeleteItem: {
    tables: ['TableName'],
    input: { ConditionExpression: 'condition', ...LEGACY_WRITE },
    output: [{ path: 'Attributes', role: 'item' }],
    errors: [{ path: 'Item', role: 'item' }],
  },
  UpdateItem: {
    tables: ['TableName'],
    input: { UpdateExpression: 'update', ConditionExpression: 'condition', AttributeUpdates: 'legacy', ...LEGACY_WRITE },
    output: [{ path: 'Attributes', role: 'returnValues' }],
    errors: [{ path: 'Item', role: 'item' }],
    existingItemsOnly: [''],
  },
  Query: {
    tables: ['TableName'],
    input: {
      KeyConditionExpression: 'condition',
      FilterExpression: 'condition',
      ProjectionExpression: 'projection',
      AttributesToGet: 'projection',
      Select: 'select',
      IndexName: 'index',
      KeyConditions: 'legacy',
      QueryFilter: 'legacy',
      ConditionalOperator: 'legacy',
    },
    output: [{ path: 'Items', role: 'items', count: 'Count' }],
  },
  Scan: {
    tables: ['TableName'],
    input: {
      FilterExpression: 'condition',
      ProjectionExpression: 'projection',
      AttributesToGet: 'projection',
      Select: 'select',
      IndexName: 'index',
      ScanFilter: 'legacy',
      ConditionalOperator: 'legacy',
    },
    output: [{ path: 'Items', role: 'items', count: 'Count' }],
  },
  BatchGetItem: {
    tables: ['RequestItems.{table}'],
    input: { 'RequestItems.{table}.ProjectionExpression': 'projection', 'RequestItems.{table}.AttributesToGet': 'projection' },
    output: [{ path: 'Responses.{table}', role: 'items' }],
  },
  BatchWriteItem: {
    tables: ['RequestItems.{table}'],
    input: { 'RequestItems.{table}[].PutRequest.Item': 'item' },
    output: [{ path: 'UnprocessedItems.{table}[].PutRequest.Item', role: 'unprocessed' }],
  },
  TransactGetItems: {
    tables: ['TransactItems[].Get.TableName'],
    input: { 'TransactItems[].Get.ProjectionExpression': 'projection' },
    output: [{ path: 'Responses[].Item', role: 'item', table: 'TransactItems[].Get.TableName' }],
  },
  TransactWriteItems: {
    tables: TRANSACT_ACTIONS.map((action) => `TransactItems[].${action}.TableName`),
    input: {
      'TransactItems[].Put.Item': 'item',
      'TransactItems[].Put.ConditionExpression': 'condition',
      'TransactItems[].Update.UpdateExpression': 'update',
      'TransactItems[].Update.ConditionExpression': 'condition',
      'TransactItems[].Delete.ConditionExpression': 'condition',
      'TransactItems[].ConditionCheck.ConditionExpression': 'condition',
    },
    errors: [{ path: 'CancellationReasons[].Item', role: 'item', table: 'TransactItems[].*.TableName' }],
    existingItemsOnly: ['TransactItems[].Update'],
  },
  ExecuteStatement: { tables: [], input: { Statement: 'partiql' } },
  BatchExecuteStatement: { tables: [], input: { 'Statements[].Statement': 'partiql' } },
  ExecuteTransaction: { tables: [], input: { 'TransactStatements[].Statement': 'partiql' } },
};

/** Control-plane operations after which a discovered key schema is forgotten. */
export const SCHEMA_CHANGES: ReadonlySet<string> = new Set(['CreateTable', 'UpdateTable', 'DeleteTable']);

// ---- paths --------------------------------------------------------------------------------

type Segment = { readonly kind: 'key'; readonly key: string } | { readonly kind: 'table' | 'any' | 'each' };
export type PathKey = string | number;

export interface Match {
  /** Concrete path from the root. */
  readonly path: readonly PathKey[];
  readonly value: unknown;
  /** The object (or list) that holds the value. */
  readonly parent: Readonly<Record<string, unknown>>;
  /** The table named by a `{table}` on the way, if any. */
  readonly table: string | undefined;
  /** The list positions matched by each `[]`, in order. */
  readonly positions: readonly number[];
}

const parsed = new Map<string, readonly Segment[]>();

function parse(path: string): readonly Segment[] {
  let segments = parsed.get(path);
  if (segments) return segments;
  const list: Segment[] = [];
  for (const part of path === '' ? [] : path.split('.')) {
    const each = part.endsWith('[]');
    const name = each ? part.slice(0, -2) : part;
    if (name === '{table}') list.push({ kind: 'table' });
    else if (name === '*') list.push({ kind: 'any' });
    else if (name !== '') list.push({ kind: 'key', key: name });
    if (each) list.push({ kind: 'each' });
  }
  segments = list;
  parsed.set(path, segments);
  return segments;
}

function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Every value at `path` in `root` (undefined members are skipped). */
export function find(root: unknown, path: string): Match[] {
  const segments = parse(path);
  const out: Match[] = [];
  const walk = (node: unknown, i: number, at: PathKey[], parent: unknown, table: string | undefined, positions: number[]): void => {
    if (node === undefined) return;
    if (i === segments.length) {
      out.push({ path: at, value: node, parent: parent as Readonly<Record<string, unknown>>, table, positions });
      return;
    }
    const segment = segments[i] as Segment;
    if (segment.kind === 'each') {
      if (!Array.isArray(node)) return;
      node.forEach((element, n) => {
        walk(element, i + 1, [...at, n], node, table, [...positions, n]);
      });
      return;
    }
    if (!isRecord(node)) return;
    if (segment.kind === 'key') {
      if (Object.hasOwn(node, segment.key)) walk(node[segment.key], i + 1, [...at, segment.key], node, table, positions);
      return;
    }
    for (const key of Object.keys(node)) {
      walk(node[key], i + 1, [...at, key], node, segment.kind === 'table' ? key : table, positions);
    }
  };
  walk(root, 0, [], undefined, undefined, []);
  return out;
}

/** A concrete path as text: `RequestItems.customers[0].PutRequest.Item`. */
export function describePath(path: readonly PathKey[]): string {
  let out = '';
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : out === '' ? key : `.${key}`;
  return out;
}

/** The first string at `path` whose `[]`s take the given positions in order. */
export function findAt(root: unknown, path: string, positions: readonly number[]): string | undefined {
  for (const match of find(root, path)) {
    if (match.positions.length <= positions.length && match.positions.every((p, i) => p === positions[i])) {
      if (typeof match.value === 'string') return match.value;
    }
  }
  return undefined;
}

/**
 * Builds a changed copy of a tree without touching the original: every container on the way
 * to a changed member is copied once; everything else is shared.
 */
export class CopyOnWrite<T> {
  readonly #copies = new Set<object>();
  #root: T;

  constructor(root: T) {
    this.#root = root;
  }

  set(path: readonly PathKey[], value: unknown): void {
    if (path.length === 0) {
      this.#root = value as T;
      return;
    }
    let node = this.#own(this.#root as object) as Record<PathKey, unknown>;
    this.#root = node as T;
    for (let i = 0; i < path.length - 1; i += 1) {
      const key = path[i] as PathKey;
      const child = this.#own(node[key] as object) as Record<PathKey, unknown>;
      assign(node, key, child);
      node = child;
    }
    assign(node, path[path.length - 1] as PathKey, value);
  }

  get result(): T {
    return this.#root;
  }

  #own(node: object): object {
    if (this.#copies.has(node)) return node;
    const copy = Array.isArray(node) ? [...(node as unknown[])] : { ...node };
    this.#copies.add(copy);
    return copy;
  }
}

function assign(target: Record<PathKey, unknown>, key: PathKey, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}
