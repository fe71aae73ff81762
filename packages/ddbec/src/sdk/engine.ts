import { DdbecError } from '../errors.js';
import { CryptoAction, MATERIAL_DESCRIPTION_ATTRIBUTE, SIGNATURE_ATTRIBUTE, type AttributeValue, type Item } from '../format/index.js';
import { COMMANDS, CopyOnWrite, describePath, find, findAt, type CommandSpec, type InputRole, type Match, type OutputRule, type PathKey } from './commands.js';
import { mapBounded, settleBounded, type Settled } from './concurrency.js';
import type { ResolvedTable, TableRegistry } from './config.js';
import { encryptedAttributeInExpression, guardedWritesNote, signedAttributeUpdate } from './expression-errors.js';
import { attributeReferences, readPartiql } from './expressions.js';
import { checkItemSize, withoutUndefined } from './items.js';
import { analyzeUpdate } from './updates.js';
import { FOOTER_ATTRIBUTE } from '../dbesdk/config.js';
import { rewriteForBeacons } from '../searchable/query.js';
import type { BeaconQuery } from '../searchable/types.js';

/** An item of a multi-item read that did not verify or decrypt (`decryptionFailures: 'report'`). */
export interface DecryptionFailure {
  /** The table (as named in the request). */
  readonly tableName: string;
  /** The item's position in the page (`Items`, or its table's `Responses` list) as DynamoDB returned it. */
  readonly index: number;
  /** The item's primary key, as stored (keys are never encrypted), in AttributeValue form. */
  readonly key: Item;
  /** Why (a `DdbecError`, e.g. `ERR_SIGNATURE_INVALID`). */
  readonly error: unknown;
}

/** The output member that holds the failures in `decryptionFailures: 'report'` mode. */
export const DECRYPTION_FAILURES = 'DecryptionFailures';

/** What the encrypting half of a request leaves for the decrypting half. */
export interface Prepared {
  readonly operation: string;
  readonly spec: CommandSpec;
  /** The caller's input (before encryption). */
  readonly input: Readonly<Record<string, unknown>>;
  /** The request's configured tables, by the name used in the request. */
  readonly tables: ReadonlyMap<string, ResolvedTable>;
  /** BatchWriteItem: signature (base64) → the caller's plaintext item. */
  readonly plaintext: ReadonlyMap<string, Item>;
  /** A Query or Scan that compared encrypted beacons: which decrypted items match the caller's expressions. */
  readonly keep?: BeaconQuery['keep'];
}

const EXISTENCE_FUNCTIONS: ReadonlySet<string | undefined> = new Set(['attribute_exists', 'attribute_not_exists']);
const CONDITION_FAILURES: ReadonlySet<string> = new Set(['ConditionalCheckFailedException', 'TransactionCanceledException']);
const SIGNATURE_PLACEHOLDER = '#ddbecSignature';
const LEGACY_HINT: Readonly<Record<string, string>> = {
  Expected: 'ConditionExpression',
  ConditionalOperator: 'ConditionExpression / FilterExpression',
  AttributeUpdates: 'UpdateExpression',
  ScanFilter: 'FilterExpression',
  QueryFilter: 'FilterExpression',
  KeyConditions: 'KeyConditionExpression',
};

/** The work of the two middlewares, independent of the SDK's middleware plumbing. */
export class EncryptionEngine {
  readonly registry: TableRegistry;

  constructor(registry: TableRegistry) {
    this.registry = registry;
  }

  /**
   * Validates a request and encrypts its items. Returns `undefined` when the operation or all
   * of its tables pass through. Throws (before anything is sent) when the request is refused.
   */
  async prepare(operation: string, input: Readonly<Record<string, unknown>>): Promise<{ prepared: Prepared; input: Record<string, unknown> } | undefined> {
    const spec = COMMANDS[operation];
    if (!spec || typeof input !== 'object' || input === null) return undefined;

    // First what needs no key schema (so no DescribeTable either): PartiQL, unknown tables,
    // legacy parameters, projections.
    const names = this.#tablesOf(operation, spec, input);
    const configured = [...names].filter((name) => this.registry.isEncrypted(name) !== undefined);
    if (configured.length === 0) return undefined;
    const encryptedNames = new Set(configured.filter((name) => this.registry.isEncrypted(name)));
    for (const [path, role] of Object.entries(spec.input)) {
      if (role !== 'legacy' && role !== 'projection' && role !== 'select') continue;
      for (const match of find(input, path)) {
        const name = match.table ?? match.parent['TableName'];
        if (typeof name === 'string' && encryptedNames.has(name)) check(role, match, name, undefined, operation);
      }
    }

    const tables = new Map<string, ResolvedTable>();
    const resolved = await Promise.all(configured.map(async (name) => [name, await this.registry.resolve(name)] as const));
    for (const [name, table] of resolved) {
      if (!table) continue;
      // by the name used in the request and by the plain name (a response may key by either)
      tables.set(name, table);
      tables.set(table.name, table);
    }
    const encrypted = (name: unknown): ResolvedTable | undefined => {
      const table = typeof name === 'string' ? tables.get(name) : undefined;
      return table?.encrypted ? table : undefined;
    };

    // A Query or Scan that names beacons is checked and sent as rewritten to use them.
    const beacons = await beaconQuery(operation, input, encrypted(input['TableName']));
    const request = beacons?.input ?? input;

    // Then what depends on the key schema (index keys are sign-only): expressions, indexes.
    const jobs: { path: readonly PathKey[]; item: unknown; table: ResolvedTable }[] = [];
    for (const [path, role] of Object.entries(spec.input)) {
      if (role === 'partiql' || role === 'legacy' || role === 'projection' || role === 'select') continue;
      for (const match of find(request, path)) {
        const table = encrypted(match.table ?? match.parent['TableName']);
        if (!table) continue;
        if (role === 'item') jobs.push({ path: match.path, item: match.value, table });
        else check(role, match, table.name, table, operation);
      }
    }

    const rewrite = new CopyOnWrite<Record<string, unknown>>(request);
    for (const path of spec.existingItemsOnly ?? []) {
      for (const match of find(input, path)) {
        const request = match.value as Readonly<Record<string, unknown>>;
        const table = encrypted(request['TableName']);
        if (!table) continue;
        const names = { ...((request['ExpressionAttributeNames'] ?? {}) as Readonly<Record<string, string>>) };
        let prefix = SIGNATURE_PLACEHOLDER;
        while (Object.keys(names).some((name) => name.startsWith(prefix))) prefix += '_';
        const required = table.storedItemAttributes.map((attribute, i) => {
          const placeholder = i === 0 ? prefix : `${prefix}${i}`;
          names[placeholder] = attribute;
          return `attribute_exists(${placeholder})`;
        });
        const exists = required.length === 1 ? (required[0] as string) : `(${required.join(' OR ')})`;
        const { guards } = analyzeUpdate(request, (attribute) => actionFor(table, attribute), 'UpdateExpression');
        const all = [exists, ...guards.map((guard) => guard.condition)].join(' AND ');
        const condition = request['ConditionExpression'];
        rewrite.set([...match.path, 'ConditionExpression'], typeof condition === 'string' ? `(${condition}) AND ${all}` : all);
        rewrite.set([...match.path, 'ExpressionAttributeNames'], names);
      }
    }

    const plaintext = new Map<string, Item>();
    const sent = jobs.map(({ item, table }) => {
      if (typeof item !== 'object' || item === null || Array.isArray(item)) {
        throw new DdbecError('ERR_INVALID_ARGUMENT', `${operation}: an item for table "${table.name}" is not an object of attribute values`);
      }
      return withoutUndefined(item as Item);
    });
    const stored = new Array<Item>(jobs.length);
    const byTable = new Map<ResolvedTable, number[]>();
    jobs.forEach((job, i) => {
      const indexes = byTable.get(job.table) ?? [];
      indexes.push(i);
      byTable.set(job.table, indexes);
    });
    for (const [table, indexes] of byTable) {
      const settled = await this.#bulk('encryptItem', table, indexes.map((i) => sent[i] as Item), false);
      settled.forEach((result, k) => {
        const i = indexes[k] as number;
        const encrypted = (result as { value: Item }).value;
        checkItemSize(sent[i] as Item, encrypted, `${operation}: ${describePath((jobs[i] as (typeof jobs)[number]).path)} for encrypted table "${table.name}"`);
        stored[i] = encrypted;
      });
    }
    const remember = spec.output?.some((rule) => rule.role === 'unprocessed') ?? false;
    jobs.forEach((job, i) => {
      const item = stored[i] as Item;
      rewrite.set(job.path, item);
      const signature = signatureOf(item);
      if (remember && signature !== undefined) plaintext.set(signature, job.item as Item);
    });

    return { prepared: { operation, spec, input, tables, plaintext, keep: beacons?.keep }, input: rewrite.result };
  }

  /**
   * The tables a request names (table names, and the tables of PartiQL statements). Refuses a
   * PartiQL statement that cannot be read or that names an encrypted table in any case.
   */
  #tablesOf(operation: string, spec: CommandSpec, input: Readonly<Record<string, unknown>>): Set<string> {
    const names = new Set<string>();
    for (const path of spec.tables) {
      for (const match of find(input, path)) {
        const name = path.endsWith('{table}') ? match.table : match.value;
        if (typeof name === 'string') names.add(name);
      }
    }
    for (const [path, role] of Object.entries(spec.input)) {
      if (role !== 'partiql') continue;
      for (const match of find(input, path)) {
        const statement = readPartiql(match.value);
        if (!statement) {
          throw new DdbecError(
            'ERR_UNSUPPORTED_OPERATION',
            `${operation}: cannot tell which table ${describePath(match.path)} uses, so ddbec cannot tell whether it is encrypted; nothing was sent`,
          );
        }
        for (const identifier of statement.identifiers) {
          const table = this.registry.encryptedTableLike(identifier);
          if (table === undefined) continue;
          throw new DdbecError(
            'ERR_UNSUPPORTED_OPERATION',
            `${operation}: ${describePath(match.path)} ${identifier === table ? `uses encrypted table "${table}"` : `names "${identifier}", which is encrypted table "${table}" ignoring case`}; PartiQL cannot encrypt, verify or decrypt items, so no statement that could reach an encrypted table is sent — use the item operations (PutItem, GetItem, Query, …); nothing was sent`,
          );
        }
        for (const table of statement.tables) names.add(table);
      }
    }
    return names;
  }

  /** Verifies and decrypts the items of a response; returns a new output object. */
  async decryptOutput<T>(prepared: Prepared, output: T): Promise<T> {
    const rules = prepared.spec.output ?? [];
    if (rules.length === 0) return output;
    const rewrite = new CopyOnWrite(output);
    const singles: { path: readonly PathKey[]; item: Item; table: ResolvedTable }[] = [];
    const lists: { path: readonly PathKey[]; items: readonly unknown[]; table: ResolvedTable; tableName: string; count: string | undefined }[] = [];
    for (const rule of rules) {
      for (const match of find(output, rule.path)) {
        const tableName = tableOf(prepared, rule, match);
        const table = tableName === undefined ? undefined : prepared.tables.get(tableName);
        if (!table?.encrypted) continue;
        switch (rule.role) {
          case 'item':
            singles.push({ path: match.path, item: match.value as Item, table });
            break;
          case 'items':
            if (Array.isArray(match.value)) lists.push({ path: match.path, items: match.value, table, tableName: tableName as string, count: rule.count });
            break;
          case 'returnValues': {
            const returnValues = prepared.input['ReturnValues'];
            if (returnValues === 'ALL_OLD' || returnValues === 'ALL_NEW') singles.push({ path: match.path, item: match.value as Item, table });
            else checkDoNothing(match.value as Item, table, prepared.operation, this.#guardedAttributes(prepared));
            break;
          }
          case 'unprocessed': {
            const signature = signatureOf(match.value as Item);
            const original = signature === undefined ? undefined : prepared.plaintext.get(signature);
            if (original) rewrite.set(match.path, original);
            break;
          }
        }
      }
    }
    const concurrency = this.registry.concurrency;
    const decryptedSingles = await mapBounded(singles, concurrency, ({ item, table }) => table.encryptor.decryptItem(item));
    singles.forEach((single, i) => {
      rewrite.set(single.path, decryptedSingles[i]);
    });

    const failures: DecryptionFailure[] = [];
    for (const list of lists) {
      const settled = await this.#bulk('decryptItem', list.table, list.items as Item[], this.registry.reportFailures);
      const keep = prepared.keep;
      const kept: Item[] = [];
      settled.forEach((result, index) => {
        // an item the beacons let through that does not match the caller's expressions is dropped
        if (result.ok) {
          if (keep === undefined || keep(result.value, list.items[index] as Item)) kept.push(result.value);
        } else failures.push({ tableName: list.tableName, index, key: keyOf(list.items[index] as Item, list.table), error: result.error });
      });
      rewrite.set(list.path, kept);
      // Count says how many items the page holds; ScannedCount stays DynamoDB's
      if (list.count !== undefined && kept.length < list.items.length) rewrite.set([list.count], kept.length);
    }
    if (failures.length > 0) rewrite.set([DECRYPTION_FAILURES], failures);
    return rewrite.result;
  }

  /**
   * Encrypts or decrypts items of one table, `concurrency` at once. In `settle` mode a result
   * per item, in order; otherwise the first failure is thrown.
   */
  async #bulk(operation: 'encryptItem' | 'decryptItem', table: ResolvedTable, items: readonly Item[], settle: boolean): Promise<Settled<Item>[]> {
    const work = (item: Item): Promise<Item> => table.encryptor[operation](item);
    if (settle) return settleBounded(items, this.registry.concurrency, work);
    return (await mapBounded(items, this.registry.concurrency, work)).map((value) => ({ ok: true, value }));
  }

  /**
   * How to name what makes a request's values sensitive: the first of its tables that is
   * encrypted or not known to hold plaintext (not configured, maybe a misspelling of an
   * encrypted one), or a PartiQL statement ddbec refuses; `undefined` when every table of the
   * request holds plaintext (or the operation has no items).
   */
  sensitiveTable(operation: string, input: unknown): string | undefined {
    const spec = COMMANDS[operation];
    if (!spec || typeof input !== 'object' || input === null) return undefined;
    let names: Set<string>;
    try {
      names = this.#tablesOf(operation, spec, input as Readonly<Record<string, unknown>>);
    } catch {
      return 'a PartiQL statement ddbec refuses';
    }
    for (const name of names) {
      let encrypted: boolean | undefined = true;
      try {
        encrypted = this.registry.isEncrypted(name);
      } catch {
        // not configured: treated as encrypted
      }
      if (encrypted) return `table "${name}"`;
    }
    return undefined;
  }

  /**
   * Adds ddbec's part to DynamoDB's "Type mismatch for Index Key" error when ddbec encrypted
   * that key — the table's key schema lacks the index: a declared `keySchema` without it, or an
   * index created after the schema was read — and forgets the table's key schema, so that the
   * next request reads (or checks) it again. A failed condition of an update whose sign-only
   * writes ddbec guarded (see `analyzeUpdate`) gets a note saying what ddbec added.
   */
  explainError(prepared: Prepared, error: unknown): void {
    const message = error instanceof Error ? error.message : undefined;
    if (message !== undefined && CONDITION_FAILURES.has((error as Error).name)) {
      const guarded = this.#guardedAttributes(prepared);
      if (guarded.length > 0) (error as Error).message = `${message} [ddbec: ${guardedWritesNote(guarded)}]`;
      return;
    }
    const match = message !== undefined ? /Type mismatch for Index Key (\S+)(?:.*?IndexName: (\S+))?/s.exec(message) : null;
    if (!match) return;
    const attribute = match[1] as string;
    const table = [...prepared.tables.values()].find((candidate) => candidate.encrypted && candidate.actions.actionOf(attribute) === CryptoAction.EncryptAndSign);
    if (!table) return;
    this.registry.invalidate(table.name);
    (error as { message: string }).message =
      `${message} [ddbec: table "${table.name}" encrypted "${attribute}", a key of ${match[2] === undefined ? 'an index' : `index "${match[2]}"`} that ddbec's key schema of the table does not have (a keySchema without that index, or an index created after DescribeTable was read); add the index to keySchema.indexes, or leave keySchema out so that ddbec reads the indexes with DescribeTable]`;
  }

  /** The sign-only attributes the update actions of a request write under a guard (see `analyzeUpdate`). */
  #guardedAttributes(prepared: Prepared): string[] {
    const attributes: string[] = [];
    for (const path of prepared.spec.existingItemsOnly ?? []) {
      for (const match of find(prepared.input, path)) {
        const request = match.value as Readonly<Record<string, unknown>>;
        const table = typeof request['TableName'] === 'string' ? prepared.tables.get(request['TableName']) : undefined;
        if (!table?.encrypted || typeof request['UpdateExpression'] !== 'string') continue;
        const { guards } = analyzeUpdate(request, (attribute) => actionFor(table, attribute), 'UpdateExpression');
        attributes.push(...guards.map((guard) => guard.attribute));
      }
    }
    return attributes;
  }

  /**
   * Decrypts the items an error carries (ConditionalCheckFailedException's `Item`,
   * TransactionCanceledException's `CancellationReasons[].Item`), in place on the error the
   * SDK just created. An item that does not decrypt is left as it was.
   */
  async decryptError(prepared: Prepared, error: unknown): Promise<void> {
    for (const rule of prepared.spec.errors ?? []) {
      for (const match of find(error, rule.path)) {
        const tableName = tableOf(prepared, rule, match);
        const table = tableName === undefined ? undefined : prepared.tables.get(tableName);
        if (!table?.encrypted) continue;
        try {
          const decrypted = await table.encryptor.decryptItem(match.value as Item);
          (match.parent as Record<PathKey, unknown>)[match.path[match.path.length - 1] as PathKey] = decrypted;
        } catch {
          // keep the stored form: it is ciphertext, not a leak
        }
      }
    }
  }
}

/**
 * The beacon rewrite of a Query or Scan on a table with beacons (`undefined` when there is
 * none): the request to check and send, and the filter of what comes back. A COUNT cannot be
 * filtered, so it is refused when the beacons let false positives through.
 */
async function beaconQuery(operation: string, input: Readonly<Record<string, unknown>>, table: ResolvedTable | undefined): Promise<BeaconQuery | undefined> {
  if ((operation !== 'Query' && operation !== 'Scan') || table?.searchable === undefined) return undefined;
  const beacons = await rewriteForBeacons(operation, input, table.searchable);
  if (beacons?.keep !== undefined && input['Select'] === 'COUNT') {
    throw new DdbecError(
      'ERR_BEACON_QUERY',
      `${operation} on encrypted table "${table.name}": Select COUNT with a beacon is refused — beacons match some items that do not match the query (on purpose), which only decrypting them can remove; read the items and count them; nothing was sent`,
    );
  }
  return beacons;
}

/** The failures of a multi-item read made with `decryptionFailures: 'report'` (empty when every item decrypted). */
export function decryptionFailures(output: object): readonly DecryptionFailure[] {
  const failures = (output as Record<string, unknown>)[DECRYPTION_FAILURES];
  return Array.isArray(failures) ? (failures as DecryptionFailure[]) : [];
}

/** The signature of a stored item (legacy signature or DB-ESDK footer) in base64, which tells the items of a request apart; `undefined` for a plaintext item. */
function signatureOf(item: Item): string | undefined {
  const signature = item[SIGNATURE_ATTRIBUTE] ?? item[FOOTER_ATTRIBUTE];
  return signature !== undefined && 'B' in signature ? Buffer.from(signature.B).toString('base64') : undefined;
}

function tableOf(prepared: Prepared, rule: OutputRule, match: Match): string | undefined {
  return match.table ?? findAt(prepared.input, rule.table ?? 'TableName', match.positions);
}

function actionFor(table: ResolvedTable, attribute: string): CryptoAction {
  if (attribute === SIGNATURE_ATTRIBUTE || attribute === MATERIAL_DESCRIPTION_ATTRIBUTE) return CryptoAction.SignOnly;
  return table.actions.actionOf(attribute);
}

/** Refuses what can't work on an encrypted table; `table` (the resolved table) is needed for expressions and indexes only. */
function check(role: Exclude<InputRole, 'item' | 'partiql'>, match: Match, tableName: string, table: ResolvedTable | undefined, operation: string): void {
  const member = describePath(match.path);
  const where = `${operation} on encrypted table "${tableName}"`;
  switch (role) {
    case 'legacy':
      throw new DdbecError(
        'ERR_UNSUPPORTED_OPERATION',
        `${where}: the legacy parameter ${member} is not supported (ddbec cannot check what it touches); use ${LEGACY_HINT[String(match.path[match.path.length - 1])] ?? 'an expression'} instead; nothing was sent`,
      );
    case 'projection':
      throw new DdbecError(
        'ERR_PROJECTION',
        `${where}: ${member} is refused — the signature covers the whole item, so a partial item cannot be verified; read whole items and pick attributes after decryption; nothing was sent`,
      );
    case 'select':
      if (match.value === 'SPECIFIC_ATTRIBUTES' || match.value === 'ALL_PROJECTED_ATTRIBUTES') {
        throw new DdbecError(
          'ERR_PROJECTION',
          `${where}: Select ${match.value} is refused — the signature covers the whole item, so a partial item cannot be verified; use ALL_ATTRIBUTES or COUNT; nothing was sent`,
        );
      }
      return;
    case 'index': {
      const index = table?.keySchema.indexes?.find((candidate) => candidate.indexName === match.value);
      const select = match.parent['Select'];
      if (!index?.projection || index.projection === 'ALL' || select === 'COUNT') return;
      if (index.type === 'local' && select === 'ALL_ATTRIBUTES') return;
      throw new DdbecError(
        'ERR_PROJECTION',
        `${where}: index "${index.indexName}" projects ${index.projection}, not every attribute, so its items cannot be verified; ${
          index.type === 'local' ? "use Select: 'ALL_ATTRIBUTES' (DynamoDB then reads whole items from the table)" : 'query the table or an index that projects ALL'
        }; nothing was sent`,
      );
    }
    case 'condition':
    case 'update': {
      const names = match.parent['ExpressionAttributeNames'] as Readonly<Record<string, string>> | undefined;
      const actionOf = (attribute: string): CryptoAction => (table === undefined ? CryptoAction.EncryptAndSign : actionFor(table, attribute));
      const what = `${member} (${where})`;
      if (role === 'update') {
        const { refused } = analyzeUpdate(match.parent, actionOf, what);
        if (refused.length > 0) throw signedAttributeUpdate(where, member, refused, match.parent);
      }
      const encrypted = attributeReferences(match.value as string, names, role, what).filter(
        (reference) =>
          !reference.target &&
          actionOf(reference.attribute) === CryptoAction.EncryptAndSign &&
          !(reference.whole && reference.firstArgument && EXISTENCE_FUNCTIONS.has(reference.inFunction)),
      );
      if (encrypted.length > 0) throw encryptedAttributeInExpression(where, member, encrypted.map((reference) => reference.attribute), match.parent);
      return;
    }
  }
}

/** Checks that a partial item holds only do-nothing attributes, or sign-only ones the update wrote under a guard (so with their stored value). */
function checkDoNothing(attributes: Item, table: ResolvedTable, operation: string, guarded: readonly string[]): void {
  for (const name of Object.keys(attributes)) {
    if (actionFor(table, name) !== CryptoAction.DoNothing && !guarded.includes(name)) {
      throw new DdbecError('ERR_MALFORMED_ITEM', `${operation} on table "${table.name}" returned a partial item with signed attribute "${name}", which cannot be verified`);
    }
  }
}

/** The primary key of a stored item (key attributes are never encrypted). */
function keyOf(item: Item, table: ResolvedTable): Item {
  const key: Item = {};
  for (const name of [table.keySchema.partitionKey, table.keySchema.sortKey]) {
    const value = typeof item === 'object' && item !== null && name !== undefined ? item[name] : undefined;
    if (name !== undefined && value !== undefined) key[name] = value satisfies AttributeValue;
  }
  return key;
}
