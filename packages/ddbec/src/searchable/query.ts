/**
 * Query and Scan on a table with beacons (ddb-support.md QueryInputForBeacons,
 * QueryOutputForBeacons, ScanInputForBeacons, ScanOutputForBeacons; ddb-get-number-of-queries.md;
 * the beacon-partition change): the caller's expressions name beacons and compare them with
 * plaintext values; the request sent names the stored beacons and compares them with beacon
 * values, and what comes back is filtered with the caller's own expressions on the decrypted items.
 */
import { DdbecError } from '../errors.js';
import type { AttributeValue, Item } from '../format/attribute-value.js';
import { canonicalizeNumber } from '../format/number.js';
import type { BeaconKeyMaterials } from '../keyrings/types.js';
import {
  evaluateCondition,
  parseCondition,
  printCondition,
  type Condition,
  type DocumentPath,
  type ExpressionNames,
  type ExpressionValues,
  type Operand,
  type PathName,
  valuesEqual,
} from './expression.js';
import { PARTITION_VALUE, type BeaconComparison, type QueryBeacon, type RewriteForBeacons, type SearchableTable } from './types.js';

function refuse(message: string): never {
  throw new DdbecError('ERR_BEACON_QUERY', message);
}

function invalid(message: string): never {
  throw new DdbecError('ERR_INVALID_ARGUMENT', message);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The caller's request, read and parsed. */
interface Request {
  readonly names: ExpressionNames | undefined;
  /** ExpressionAttributeValues without `:aws_dbe_partition`. */
  readonly values: ExpressionValues;
  readonly partitionValue: AttributeValue | undefined;
  readonly key: Condition | undefined;
  readonly filter: Condition | undefined;
}

function readRequest(operation: 'Query' | 'Scan', input: Readonly<Record<string, unknown>>): Request {
  if (input['KeyConditions'] !== undefined) refuse('KeyConditions (the legacy parameter) cannot be used on a table with beacons; use KeyConditionExpression');
  const names = input['ExpressionAttributeNames'];
  if (names !== undefined && (!isRecord(names) || Object.values(names).some((n) => typeof n !== 'string'))) invalid('ExpressionAttributeNames must map placeholders to strings');
  const allValues = input['ExpressionAttributeValues'];
  if (allValues !== undefined && !isRecord(allValues)) invalid('ExpressionAttributeValues must be a map of attribute values');
  const { [PARTITION_VALUE]: partitionValue, ...values } = (allValues ?? {}) as Record<string, AttributeValue>;
  const parse = (member: string): Condition | undefined => {
    const text = input[member];
    if (text === undefined) return undefined;
    return parseCondition(text as string, member, { names: names as ExpressionNames | undefined, values });
  };
  return {
    names: names as ExpressionNames | undefined,
    values,
    partitionValue,
    key: operation === 'Query' ? parse('KeyConditionExpression') : undefined,
    filter: parse('FilterExpression'),
  };
}

/** A `:value` compared with a beacon, and how. */
interface BeaconValue {
  readonly beacon: QueryBeacon;
  readonly comparison: BeaconComparison;
  /** Compares hashes (needs the beacon key, lets false positives through). */
  readonly hashed: boolean;
}

/** What a request does with beacons. */
interface Analysis {
  /** The whole-attribute paths that name a beacon, to name its stored attribute instead. */
  readonly beaconPaths: Map<DocumentPath, QueryBeacon>;
  /** How each `:value` compared with a beacon is compared (the others are absent). */
  readonly beaconValues: Map<string, BeaconValue>;
  /** True when some value compared with a beacon is hashed (needs the beacon key, lets false positives through). */
  readonly hashed: boolean;
  /** Multi-tenant tables: the beacon key ids the request names. */
  readonly keyIds: ReadonlySet<string>;
}

const FLIPPED = { '=': '=', '<>': '<>', '<': '>', '<=': '>=', '>': '<', '>=': '<=' } as const;
const NEGATED = { '<': '>=', '<=': '>', '>': '<=', '>=': '<' } as const;

/**
 * Finds the beacons a request compares and how, and refuses what the spec forbids: a value
 * used with two beacons or with a beacon and elsewhere, a comparison a beacon cannot make, a
 * part-only beacon. Beyond the spec, a hashed comparison that is negated (under NOT, or `<>`)
 * is refused too: the beacon's false positives would become false negatives, which no filter
 * after decryption can bring back.
 */
function analyze(request: Request, table: SearchableTable): Analysis {
  const beaconPaths = new Map<DocumentPath, QueryBeacon>();
  const beaconValues = new Map<string, BeaconValue>();
  const plainValues = new Set<string>();
  const keyIds = new Set<string>();
  let hashed = false;

  /** The beacon a whole-attribute path names (throws for a part-only beacon); remembers the path. */
  const beaconOf = (operand: Operand | undefined): QueryBeacon | undefined => {
    if (operand?.kind !== 'path' || operand.path.rest.length > 0) return undefined;
    const beacon = table.queryBeacon(operand.path.head.name);
    if (beacon !== undefined) beaconPaths.set(operand.path, beacon);
    return beacon;
  };
  const plain = (operand: Operand): void => {
    if (operand.kind === 'size') {
      const beacon = beaconOf(operand.operand);
      if (beacon !== undefined) refuse(`size cannot be used on beacon ${beacon.name}`);
      return;
    }
    if (operand.kind !== 'value') return;
    const use = beaconValues.get(operand.name);
    if (use !== undefined) refuse(`${operand.name} is compared with beacon ${use.beacon.name} and used elsewhere in the request; use a separate value for each`);
    plainValues.add(operand.name);
  };
  const stringOf = (operand: Operand, beacon: QueryBeacon): string => {
    const value = operand.kind === 'value' ? request.values[operand.name] : undefined;
    if (value !== undefined && 'S' in value) return value.S;
    if (beacon.kind === 'compound') refuse(`compound beacon ${beacon.name} can only be compared with a string (S) :value`);
    return '';
  };
  /** `operand` compared with `beacon` by `what` (negated when under an odd number of NOT, or by <>). */
  const compared = (beacon: QueryBeacon, operand: Operand, comparison: BeaconComparison, negated: boolean, what: string): void => {
    if (operand.kind !== 'value') {
      // A beacon compared with another attribute is only renamed, as the DB-ESDK does.
      plain(operand);
      return;
    }
    const text = stringOf(operand, beacon);
    const isHashed = beacon.needsKey(text, comparison);
    if (isHashed && negated) {
      refuse(`${what} on beacon ${beacon.name} is negated (by NOT or <>): a beacon lets false positives through, so the negation would lose matching items`);
    }
    hashed ||= isHashed;
    const previous = beaconValues.get(operand.name);
    if (plainValues.has(operand.name)) refuse(`${operand.name} is compared with beacon ${beacon.name} and used elsewhere in the request; use a separate value for each`);
    if (previous !== undefined && (previous.beacon !== beacon || previous.comparison !== comparison)) {
      refuse(`${operand.name} is compared with beacon ${previous.beacon.name} and with beacon ${beacon.name} (or in two ways); use a separate value for each`);
    }
    beaconValues.set(operand.name, { beacon, comparison, hashed: isHashed });
    const keyId = beacon.beaconKeyIdIn(text);
    if (keyId !== undefined) keyIds.add(keyId);
  };
  /** Multi-tenant tables: the beacon key field compared with a string names a beacon key id. */
  const keyField = (path: Operand | undefined, value: Operand | undefined): void => {
    if (table.keySource.kind !== 'multi' || path?.kind !== 'path' || value?.kind !== 'value') return;
    if (path.path.rest.length > 0 || path.path.head.name !== table.keySource.keyFieldName) return;
    const v = request.values[value.name];
    if (v !== undefined && 'S' in v) keyIds.add(v.S);
  };
  const equalityOnly = (beacon: QueryBeacon, what: string): void => {
    if (beacon.kind === 'standard') refuse(`standard beacon ${beacon.name} can only be compared with =, IN and (set beacons) contains, not ${what}`);
  };

  const visit = (condition: Condition, negated: boolean): void => {
    switch (condition.kind) {
      case 'and':
      case 'or':
        visit(condition.left, negated);
        visit(condition.right, negated);
        return;
      case 'not':
        visit(condition.condition, !negated);
        return;
      case 'compare': {
        keyField(condition.left, condition.right);
        keyField(condition.right, condition.left);
        const leftBeacon = beaconOf(condition.left);
        const rightBeacon = beaconOf(condition.right);
        // Put the beacon on the left.
        const [beacon, other, op] = leftBeacon !== undefined ? [leftBeacon, condition.right, condition.op] : [rightBeacon, condition.left, FLIPPED[condition.op]];
        if (beacon === undefined) {
          plain(condition.left);
          plain(condition.right);
          return;
        }
        if (op === '=' || op === '<>') {
          if (op === '<>') equalityOnly(beacon, '<>');
          compared(beacon, other, 'equality', negated !== (op === '<>'), op);
          return;
        }
        equalityOnly(beacon, op);
        if (other.kind === 'value') beacon.checkLessThanComparable(stringOf(other, beacon), negated ? NEGATED[op] : op);
        compared(beacon, other, 'other', negated, op);
        return;
      }
      case 'between': {
        if (beaconOf(condition.low) || beaconOf(condition.high)) refuse('a beacon cannot be a bound of BETWEEN');
        const beacon = beaconOf(condition.operand);
        if (beacon === undefined) {
          for (const operand of [condition.operand, condition.low, condition.high]) plain(operand);
          return;
        }
        equalityOnly(beacon, 'BETWEEN');
        if (condition.low.kind === 'value' && condition.high.kind === 'value') beacon.checkBetweenComparable(stringOf(condition.low, beacon), stringOf(condition.high, beacon));
        compared(beacon, condition.low, 'other', negated, 'BETWEEN');
        compared(beacon, condition.high, 'other', negated, 'BETWEEN');
        return;
      }
      case 'in': {
        if (condition.list.some((member) => beaconOf(member))) refuse('a beacon can only be the first operand of IN');
        const beacon = beaconOf(condition.operand);
        for (const member of condition.list) {
          keyField(condition.operand, member);
          if (beacon === undefined) plain(member);
          else compared(beacon, member, 'equality', negated, 'IN');
        }
        if (beacon === undefined) plain(condition.operand);
        return;
      }
      case 'function': {
        const [first, second] = condition.args as [Operand, Operand | undefined];
        // attribute_exists / attribute_not_exists look at the name as written, as the DB-ESDK does.
        if (condition.name === 'attribute_exists' || condition.name === 'attribute_not_exists') return;
        if (second !== undefined && beaconOf(second)) refuse(`a beacon can only be the first operand of ${condition.name}`);
        const beacon = beaconOf(first);
        if (beacon === undefined) {
          for (const arg of condition.args) plain(arg);
          return;
        }
        if (condition.name === 'attribute_type') refuse(`attribute_type cannot be used on beacon ${beacon.name}`);
        if (condition.name === 'begins_with') equalityOnly(beacon, 'begins_with');
        if (condition.name === 'contains' && beacon.kind === 'standard' && !beacon.asSet) {
          refuse(`contains on standard beacon ${beacon.name} needs a set beacon (asSet or sharedSet); use = for a single value`);
        }
        keyField(first, second);
        compared(beacon, second as Operand, condition.name === 'contains' ? 'contains' : 'other', negated, condition.name);
        return;
      }
    }
  };
  if (request.key !== undefined) visit(request.key, false);
  if (request.filter !== undefined) visit(request.filter, false);
  return { beaconPaths, beaconValues, hashed, keyIds };
}

/** `condition` with each operand replaced by `f(operand)`. */
function mapOperands(condition: Condition, f: (operand: Operand) => Operand): Condition {
  switch (condition.kind) {
    case 'and':
    case 'or':
      return { kind: condition.kind, left: mapOperands(condition.left, f), right: mapOperands(condition.right, f) };
    case 'not':
      return { kind: 'not', condition: mapOperands(condition.condition, f) };
    case 'compare':
      return { ...condition, left: f(condition.left), right: f(condition.right) };
    case 'between':
      return { ...condition, operand: f(condition.operand), low: f(condition.low), high: f(condition.high) };
    case 'in':
      return { ...condition, operand: f(condition.operand), list: condition.list.map(f) };
    case 'function':
      return { ...condition, args: condition.args.map(f) };
  }
}

/** Every operand of `condition` (size's operand too). */
function operands(condition: Condition): Operand[] {
  const out: Operand[] = [];
  mapOperands(condition, (operand) => {
    out.push(operand);
    if (operand.kind === 'size') out.push(operand.operand);
    return operand;
  });
  return out;
}

/** A name for `base` + suffix that `taken` does not hold (and now holds). */
function freshName(base: string, suffix: string, taken: Set<string>): string {
  let name = `${base}_${suffix}`;
  while (taken.has(name)) name += '_';
  taken.add(name);
  return name;
}

/**
 * Renames the beacon paths to their stored attribute: in the expression when written directly;
 * in ExpressionAttributeNames when written as a #placeholder — or, when that placeholder also
 * stands for something that is not compared as a beacon, through a new placeholder.
 */
function renameBeacons(conditions: readonly (Condition | undefined)[], analysis: Analysis, names: ExpressionNames | undefined): { conditions: (Condition | undefined)[]; names: Record<string, string> | undefined } {
  const beaconUses = new Set<string>();
  const otherUses = new Set<string>();
  for (const condition of conditions) {
    if (condition === undefined) continue;
    for (const operand of operands(condition)) {
      if (operand.kind !== 'path') continue;
      const { head, rest } = operand.path;
      if (head.placeholder !== undefined) (analysis.beaconPaths.has(operand.path) ? beaconUses : otherUses).add(head.placeholder);
      for (const element of rest) if (typeof element !== 'number' && element.placeholder !== undefined) otherUses.add(element.placeholder);
    }
  }
  const newNames: Record<string, string> | undefined = names === undefined ? undefined : { ...names };
  const taken = new Set(Object.keys(names ?? {}));
  const placeholderFor = new Map<string, string>();
  for (const placeholder of beaconUses) {
    const beacon = [...analysis.beaconPaths].find(([path]) => path.head.placeholder === placeholder)?.[1] as QueryBeacon;
    const target = otherUses.has(placeholder) ? freshName(placeholder, 'beacon', taken) : placeholder;
    placeholderFor.set(placeholder, target);
    (newNames as Record<string, string>)[target] = beacon.storedName;
  }
  const rename = (operand: Operand): Operand => {
    const beacon = operand.kind === 'path' ? analysis.beaconPaths.get(operand.path) : undefined;
    if (operand.kind !== 'path' || beacon === undefined) return operand;
    const { placeholder } = operand.path.head;
    const head: PathName = placeholder === undefined ? { name: beacon.storedName, placeholder } : { name: beacon.storedName, placeholder: placeholderFor.get(placeholder) };
    return { kind: 'path', path: { head, rest: [] } };
  };
  return { conditions: conditions.map((c) => (c === undefined ? undefined : mapOperands(c, rename))), names: newNames };
}

/** The partition a request names with `:aws_dbe_partition` (0 when absent). */
function partitionOf(value: AttributeValue | undefined, limit: number, why: string): number {
  if (value === undefined) return 0;
  let canonical: string | undefined;
  try {
    canonical = isRecord(value) && typeof (value as { N?: unknown }).N === 'string' ? canonicalizeNumber((value as { N: string }).N) : undefined;
  } catch {
    canonical = undefined;
  }
  const partition = canonical !== undefined && /^\d{1,3}$/.test(canonical) ? Number(canonical) : undefined;
  if (partition === undefined || partition >= limit) refuse(`${PARTITION_VALUE} must be an integer number (N) from 0 to ${limit - 1} (${why})`);
  return partition;
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** How many queries (one per partition number) find every item a Query matches (GetNumberOfQueries). */
export function numberOfQueries(input: Readonly<Record<string, unknown>>, table: SearchableTable): number {
  const request = readRequest('Query', input);
  return queriesFor(request, analyze({ ...request, filter: undefined }, table), table);
}

/** GetNumberOfQueries, from the analysis of the key condition alone: the partitions of the hashed beacon values it compares. */
function queriesFor(request: Request, { beaconValues }: Analysis, table: SearchableTable): number {
  let count = 1;
  for (const [name, { beacon, hashed }] of beaconValues) {
    // A value compared without hashing (signed parts, a bare trailing prefix) is the same in every partition.
    if (!hashed) continue;
    const value = request.values[name];
    const partitions = beacon.partitionCount(value !== undefined && 'S' in value ? value.S : undefined);
    count = Math.min((count * partitions) / gcd(count, partitions), table.maxPartitions);
  }
  return count;
}

/** The beacon key a request's hashed values use: the table's, or on a multi-tenant table the one the request names. */
function beaconKeyId(analysis: Analysis, table: SearchableTable): string | undefined {
  if (table.keySource.kind === 'single') return table.keySource.keyId;
  const { keyFieldName } = table.keySource;
  if (analysis.keyIds.size === 0) {
    refuse(
      `table ${table.logicalTableName} is multi-tenant and the request compares encrypted beacons, so it must name its beacon key: compare ${keyFieldName} with a string, or use a compound beacon with a signed part over ${keyFieldName}`,
    );
  }
  if (analysis.keyIds.size > 1) refuse(`the request names ${analysis.keyIds.size} different beacon keys (through ${keyFieldName}); a request can use only one`);
  return [...analysis.keyIds][0];
}

/**
 * QueryInputForBeacons / ScanInputForBeacons, with QueryOutputForBeacons' filter as `keep`.
 * The input is a low-level request (attribute values in `{ S: … }` form).
 */
export const rewriteForBeacons: RewriteForBeacons = async (operation, input, table) => {
  const request = readRequest(operation, input);
  const analysis = analyze(request, table);
  if (analysis.beaconPaths.size === 0 && request.partitionValue === undefined) return undefined;

  const keyAnalysis = analyze({ ...request, filter: undefined }, table);
  const queries = operation === 'Query' ? queriesFor(request, keyAnalysis, table) : 1;
  // The spec reads an absent partition as 0, which would silently leave out the items of every other partition.
  if (queries > 1 && request.partitionValue === undefined) {
    refuse(
      `this query needs ${queries} queries, one per beacon partition: set ${PARTITION_VALUE} to 0, 1, … ${queries - 1} in its ExpressionAttributeValues, one query each (numberOfQueries says how many), or use queryAllPartitions (queryAllPartitionsDocument for a DocumentClient), which pages through them all`,
    );
  }
  const partition =
    operation === 'Query'
      ? partitionOf(request.partitionValue, queries, `this query needs ${queries} quer${queries === 1 ? 'y' : 'ies'}, one per partition number`)
      : partitionOf(request.partitionValue, table.maxPartitions, `the table has ${table.maxPartitions} partition${table.maxPartitions === 1 ? '' : 's'}`);

  let materials: BeaconKeyMaterials | undefined;
  let keyId: string | undefined;
  if (analysis.hashed) {
    keyId = beaconKeyId(analysis, table);
    materials = await table.keyMaterials(keyId);
  }
  const beaconValue = (name: string, at: number): AttributeValue => {
    const { beacon, comparison } = analysis.beaconValues.get(name) as BeaconValue;
    return beacon.queryValue(request.values[name] as AttributeValue, materials, at, comparison);
  };

  const renamed = renameBeacons([request.key, request.filter], analysis, request.names);
  const [key, filter] = renamed.conditions;
  /** What the query with partition number `at` sends: the key condition, the filter's copies (one per partition it stands for), the values. */
  const sent = (at: number): { filters: Condition[]; values: Record<string, AttributeValue> } => {
    const values: Record<string, AttributeValue> = { ...request.values };
    for (const name of analysis.beaconValues.keys()) values[name] = beaconValue(name, at);
    if (filter === undefined) return { filters: [], values };
    // Filter Expressions for Query: each partition this query's key stands for, with its own beacon values.
    const taken = new Set([...Object.keys(values), PARTITION_VALUE]);
    const filters = [filter];
    const texts = [printCondition(filter)];
    for (let other = at + queries; other < table.maxPartitions; other += queries) {
      const renames = new Map<string, string>();
      for (const operand of operands(filter)) {
        if (operand.kind !== 'value' || !analysis.beaconValues.has(operand.name) || renames.has(operand.name)) continue;
        const value = beaconValue(operand.name, other);
        if (valuesEqual(value, values[operand.name] as AttributeValue)) continue;
        const name = freshName(operand.name, `p${other}`, taken);
        values[name] = value;
        renames.set(operand.name, name);
      }
      const copy = mapOperands(filter, (o) => (o.kind === 'value' && renames.has(o.name) ? { kind: 'value', name: renames.get(o.name) as string } : o));
      const text = printCondition(copy);
      if (!texts.includes(text)) {
        texts.push(text);
        filters.push(copy);
      }
    }
    return { filters, values };
  };
  const { filters, values } = sent(partition);

  const output: Record<string, unknown> = { ...input };
  if (key !== undefined) output['KeyConditionExpression'] = printCondition(key);
  if (filter !== undefined) output['FilterExpression'] = filters.length === 1 ? printCondition(filter) : filters.map((f) => `(${printCondition(f)})`).join(' OR ');
  if (renamed.names !== undefined) output['ExpressionAttributeNames'] = renamed.names;
  if (Object.keys(values).length > 0) output['ExpressionAttributeValues'] = values;
  else delete output['ExpressionAttributeValues'];

  if (!analysis.hashed) return { input: output, keep: undefined };
  const beaconNames = new Set(table.beacons.map((b) => b.name));
  const { key: originalKey, filter: originalFilter } = request;
  const multi = table.keySource.kind === 'multi';
  /** Whether the query with partition number `at` finds the stored item (DynamoDB's evaluation, on the stored beacons). */
  const others = new Map<number, ReturnType<typeof sent>>();
  const finds = (at: number, stored: Item): boolean => {
    let other = others.get(at);
    if (other === undefined) others.set(at, (other = sent(at)));
    const { filters: copies, values: sentValues } = other;
    const lookup = (name: string): AttributeValue | undefined => (Object.hasOwn(stored, name) ? stored[name] : undefined);
    return (key === undefined || evaluateCondition(key, lookup, sentValues)) && (copies.length === 0 || copies.some((c) => evaluateCondition(c, lookup, sentValues)));
  };
  const keep = (decrypted: Item, stored: Item): boolean => {
    if (multi && table.beaconKeyIdOf(stored) !== keyId) return false;
    const lookup = (name: string): AttributeValue | undefined => (beaconNames.has(name) ? table.plaintextOf(name, decrypted) : Object.hasOwn(decrypted, name) ? decrypted[name] : undefined);
    if (originalKey !== undefined && !evaluateCondition(originalKey, lookup, request.values)) return false;
    if (originalFilter !== undefined && !evaluateCondition(originalFilter, lookup, request.values)) return false;
    // An item whose beacons collide across partitions comes back from several of the queries
    // numberOfQueries asks for: only the first of them that finds it keeps it.
    if (operation === 'Query') for (let at = 0; at < partition; at++) if (finds(at, stored)) return false;
    return true;
  };
  return { input: output, keep };
};
