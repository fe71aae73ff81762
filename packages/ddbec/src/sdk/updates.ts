import { CryptoAction } from '../format/index.js';
import { attributeReferences, tokenize, type Token } from './expressions.js';

/**
 * What an update expression does to the signed attributes of an item.
 *
 * Changing a signed attribute in place breaks the item's signature — unless the new value is
 * the one already stored. ORMs write some attributes in every update with the value they
 * already have (ElectroDB its markers and the key's composite attributes, dynamodb-toolbox its
 * entity name and creation date through `if_not_exists`). Such a write of a sign-only attribute
 * is let through with a guard added to the request's condition, so that DynamoDB applies the
 * update only if the value is indeed unchanged:
 *
 * - `SET a = :v` (`:v` a string, number, binary or boolean) gets `a = :v`;
 * - `SET a = if_not_exists(a, :v)` gets `attribute_exists(a)` (the stored value is kept).
 *
 * Every other write of a signed or encrypted attribute is refused.
 */
export interface UpdateAnalysis {
  /** The signed attributes the expression would change, in order, each once. */
  readonly refused: readonly { readonly attribute: string; readonly action: CryptoAction }[];
  /** The guarded sign-only writes, each with the condition that keeps it from changing anything. */
  readonly guards: readonly { readonly attribute: string; readonly condition: string }[];
}

/** Value types whose DynamoDB equality is the equality of what ddbec signs. */
const GUARDABLE_TYPES: ReadonlySet<string> = new Set(['S', 'N', 'B', 'BOOL']);

/**
 * Reads the update expression of an UpdateItem request (or a transaction's `Update`):
 * `actionOf` gives each attribute's action. Throws `ERR_INVALID_ARGUMENT` for an expression
 * that cannot be read.
 */
export function analyzeUpdate(
  request: Readonly<Record<string, unknown>>,
  actionOf: (attribute: string) => CryptoAction,
  what: string,
): UpdateAnalysis {
  const expression = request['UpdateExpression'] as string;
  const names = request['ExpressionAttributeNames'] as Readonly<Record<string, string>> | undefined;
  const values = request['ExpressionAttributeValues'] as Readonly<Record<string, unknown>> | undefined;
  const targets = attributeReferences(expression, names, 'update', what).filter((reference) => reference.target);
  const writes = new Map<string, number>();
  for (const { attribute } of targets) writes.set(attribute, (writes.get(attribute) ?? 0) + 1);

  const guards = new Map<string, string>();
  for (const action of setActions(tokenize(expression, what))) {
    const guard = guardOf(action, names, values);
    if (guard !== undefined && writes.get(guard.attribute) === 1 && actionOf(guard.attribute) === CryptoAction.SignOnly) {
      guards.set(guard.attribute, guard.condition);
    }
  }
  const refused: { attribute: string; action: CryptoAction }[] = [];
  for (const { attribute, whole } of targets) {
    const action = actionOf(attribute);
    if (action === CryptoAction.DoNothing || (whole && guards.has(attribute)) || refused.some((seen) => seen.attribute === attribute)) continue;
    refused.push({ attribute, action });
  }
  return { refused, guards: [...guards].map(([attribute, condition]) => ({ attribute, condition })) };
}

/** The token lists of the actions of the SET clauses (`a = :v`, `b = if_not_exists(b, :w)`, …). */
function setActions(tokens: readonly Token[]): Token[][] {
  const actions: Token[][] = [];
  let current: Token[] | undefined;
  let depth = 0;
  tokens.forEach((token, i) => {
    const clause = depth === 0 && token.kind === 'name' && tokens[i + 1]?.text !== '(' && ['set', 'remove', 'add', 'delete'].includes(token.text.toLowerCase());
    if (clause) {
      current = token.text.toLowerCase() === 'set' ? [] : undefined;
      if (current) actions.push(current);
      return;
    }
    if (token.text === '(') depth += 1;
    if (token.text === ')') depth -= 1;
    if (current === undefined) return;
    if (depth === 0 && token.text === ',') {
      current = [];
      actions.push(current);
    } else current.push(token);
  });
  return actions;
}

/** The guard of one SET action, when it has one of the two shapes that can be guarded. */
function guardOf(
  action: readonly Token[],
  names: Readonly<Record<string, string>> | undefined,
  values: Readonly<Record<string, unknown>> | undefined,
): { attribute: string; condition: string } | undefined {
  const [path, equals, ...rest] = action;
  if (path === undefined || equals?.text !== '=' || (path.kind !== 'name' && path.kind !== 'hash')) return undefined;
  const attribute = path.kind === 'name' ? path.text : names?.[path.text];
  if (attribute === undefined) return undefined;
  const [first, open, same, comma, value, close] = rest;
  if (rest.length === 1 && first?.kind === 'value') {
    const stored = values?.[first.text];
    const type = typeof stored === 'object' && stored !== null ? Object.keys(stored) : [];
    if (type.length !== 1 || !GUARDABLE_TYPES.has(type[0] as string)) return undefined;
    return { attribute, condition: `${path.text} = ${first.text}` };
  }
  const sameAttribute = same !== undefined && (same.kind === 'name' ? same.text : names?.[same.text]) === attribute;
  if (
    rest.length === 6 &&
    first?.kind === 'name' &&
    first.text.toLowerCase() === 'if_not_exists' &&
    open?.text === '(' &&
    sameAttribute &&
    comma?.text === ',' &&
    value?.kind === 'value' &&
    close?.text === ')'
  ) {
    return { attribute, condition: `attribute_exists(${path.text})` };
  }
  return undefined;
}
