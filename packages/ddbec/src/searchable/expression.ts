/**
 * DynamoDB condition expressions (ConditionExpression, FilterExpression, KeyConditionExpression):
 * a parser into a syntax tree, a printer back to text, and an evaluator against an item with
 * DynamoDB's semantics. Searchable encryption rewrites the caller's expressions to use beacons
 * and filters the decrypted items exactly as DynamoDB would have on the plaintext.
 *
 * Grammar (DynamoDB's, keywords case-insensitive; precedence from tightest: comparators, IN,
 * BETWEEN, functions, parentheses, NOT, AND, OR):
 * ```
 * condition := operand comparator operand | operand BETWEEN operand AND operand
 *            | operand IN ( operand, … ) | function( operand, … )
 *            | condition AND condition | condition OR condition | NOT condition | ( condition )
 * operand   := path | :value | size( path ) | ( operand )
 * path      := name-or-#placeholder ( .name-or-#placeholder | [index] )*
 * ```
 */
import { DdbecError } from '../errors.js';
import type { AttributeValue } from '../format/attribute-value.js';
import { compareBytesUnsigned, compareStrings } from '../format/compare.js';
import { tokenize, unreadable, type Token } from '../format/expression-tokens.js';
import { compareNumbers } from '../format/number.js';

/** A name in a document path: the attribute or map key it means, and the `#placeholder` it was written as (if any). */
export interface PathName {
  readonly name: string;
  readonly placeholder: string | undefined;
}

/** A document path: a top-level name, then map keys (names) and list indexes (numbers). */
export interface DocumentPath {
  readonly head: PathName;
  readonly rest: readonly (PathName | number)[];
}

export type Operand =
  | { readonly kind: 'path'; readonly path: DocumentPath }
  | { readonly kind: 'value'; readonly name: string }
  | { readonly kind: 'size'; readonly operand: Operand };

export type Comparator = '=' | '<>' | '<' | '<=' | '>' | '>=';

export type ConditionFunction = 'attribute_exists' | 'attribute_not_exists' | 'attribute_type' | 'begins_with' | 'contains';

export type Condition =
  | { readonly kind: 'compare'; readonly op: Comparator; readonly left: Operand; readonly right: Operand }
  | { readonly kind: 'between'; readonly operand: Operand; readonly low: Operand; readonly high: Operand }
  | { readonly kind: 'in'; readonly operand: Operand; readonly list: readonly Operand[] }
  | { readonly kind: 'function'; readonly name: ConditionFunction; readonly args: readonly Operand[] }
  | { readonly kind: 'not'; readonly condition: Condition }
  | { readonly kind: 'and' | 'or'; readonly left: Condition; readonly right: Condition };

export type ExpressionValues = Readonly<Record<string, AttributeValue>>;
export type ExpressionNames = Readonly<Record<string, string>>;

/** What {@link parseCondition} resolves placeholders with and checks values against. */
export interface ParseOptions {
  /** ExpressionAttributeNames: every `#placeholder` must be defined. */
  readonly names?: ExpressionNames | undefined;
  /**
   * ExpressionAttributeValues: when given, every `:value` must be defined and the checks
   * DynamoDB makes on values before evaluating are made (BETWEEN bounds of one type and in
   * order, `attribute_type` naming a type, `begins_with` on strings or binaries, `size` of a
   * value that has a size).
   */
  readonly values?: ExpressionValues | undefined;
}

const COMPARATORS: ReadonlySet<string> = new Set(['=', '<>', '<', '<=', '>', '>=']);
const KEYWORDS: ReadonlySet<string> = new Set(['and', 'or', 'not', 'between', 'in']);
/** Functions and their number of arguments. */
const FUNCTIONS: ReadonlyMap<string, number> = new Map([
  ['attribute_exists', 1],
  ['attribute_not_exists', 1],
  ['attribute_type', 2],
  ['begins_with', 2],
  ['contains', 2],
  ['size', 1],
]);
/** The type names `attribute_type` accepts. */
const ATTRIBUTE_TYPES: readonly string[] = ['S', 'SS', 'N', 'NS', 'B', 'BS', 'BOOL', 'NULL', 'L', 'M'];

/**
 * Parses a condition, filter or key-condition expression. `what` names it in errors
 * (`ERR_INVALID_ARGUMENT`, with the character where reading failed), e.g. `FilterExpression`.
 */
export function parseCondition(expression: string, what: string, options: ParseOptions = {}): Condition {
  if (typeof expression !== 'string') throw new DdbecError('ERR_INVALID_ARGUMENT', `${what} must be a string`);
  const parser = new Parser(tokenize(expression, what), expression.length, what, options.names);
  const condition = parser.parseAll();
  if (options.values !== undefined) checkValues(condition, options.values, what);
  return condition;
}

class Parser {
  private pos = 0;
  /** Conditions and operands that were written in parentheses (DynamoDB refuses two pairs around one). */
  private readonly parenthesized = new WeakSet<object>();

  constructor(
    private readonly tokens: readonly Token[],
    private readonly length: number,
    private readonly what: string,
    private readonly names: ExpressionNames | undefined,
  ) {}

  parseAll(): Condition {
    if (this.tokens.length === 0) throw new DdbecError('ERR_INVALID_ARGUMENT', `${this.what} is empty`);
    const condition = this.parseOr();
    if (this.pos < this.tokens.length) throw this.unexpected();
    return condition;
  }

  private peek(offset = 0): Token | undefined {
    return this.tokens[this.pos + offset];
  }

  private isKeyword(word: string, offset = 0): boolean {
    const token = this.peek(offset);
    return token?.kind === 'name' && token.text.toLowerCase() === word;
  }

  private isPunct(text: string, offset = 0): boolean {
    const token = this.peek(offset);
    return token?.kind === 'punct' && token.text === text;
  }

  private expectPunct(text: string): void {
    if (!this.isPunct(text)) throw this.unexpected(`'${text}'`);
    this.pos += 1;
  }

  private unexpected(expected?: string): DdbecError {
    const token = this.peek();
    const found = token === undefined ? 'the end' : `'${token.text}' at character ${token.at + 1}`;
    return new DdbecError('ERR_INVALID_ARGUMENT', `cannot read ${this.what}: ${expected === undefined ? 'unexpected' : `expected ${expected}, found`} ${found}`);
  }

  private fail(message: string): DdbecError {
    return new DdbecError('ERR_INVALID_ARGUMENT', `invalid ${this.what}: ${message}`);
  }

  private parseOr(): Condition {
    let left = this.parseAnd();
    while (this.isKeyword('or')) {
      this.pos += 1;
      left = { kind: 'or', left, right: this.parseAnd() };
    }
    return left;
  }

  private parseAnd(): Condition {
    let left = this.parseNot();
    while (this.isKeyword('and')) {
      this.pos += 1;
      left = { kind: 'and', left, right: this.parseNot() };
    }
    return left;
  }

  private parseNot(): Condition {
    if (this.isKeyword('not')) {
      this.pos += 1;
      return { kind: 'not', condition: this.parseNot() };
    }
    return this.parsePrimary();
  }

  private parsePrimary(): Condition {
    if (this.isPunct('(')) {
      // Either a parenthesized operand that starts a comparison, or a parenthesized condition.
      const start = this.pos;
      try {
        return this.parseComparison(this.parseOperand());
      } catch (error) {
        if (!(error instanceof DdbecError)) throw error;
        this.pos = start;
      }
      this.pos += 1;
      const inner = this.parseOr();
      this.expectPunct(')');
      if (this.parenthesized.has(inner)) throw this.fail('the expression has redundant parentheses');
      // A fresh node, so that `(x)` and `x` are told apart by identity.
      const node = { ...inner };
      this.parenthesized.add(node);
      return node;
    }
    const token = this.peek();
    if (token?.kind === 'name' && this.isPunct('(', 1)) {
      const name = token.text;
      const arity = FUNCTIONS.get(name);
      if (arity === undefined) throw this.fail(`unknown function ${name} (functions are case-sensitive)`);
      if (name !== 'size') return this.parseConditionFunction(name as ConditionFunction, arity);
    }
    return this.parseComparison(this.parseOperand());
  }

  private parseComparison(left: Operand): Condition {
    const token = this.peek();
    if (token?.kind === 'punct' && COMPARATORS.has(token.text)) {
      this.pos += 1;
      const right = this.parseOperand();
      this.checkDistinct(token.text, left, right);
      return { kind: 'compare', op: token.text as Comparator, left, right };
    }
    if (this.isKeyword('between')) {
      this.pos += 1;
      const low = this.parseOperand();
      if (!this.isKeyword('and')) throw this.unexpected('AND');
      this.pos += 1;
      return { kind: 'between', operand: left, low, high: this.parseOperand() };
    }
    if (this.isKeyword('in')) {
      this.pos += 1;
      this.expectPunct('(');
      return { kind: 'in', operand: left, list: this.parseArguments() };
    }
    if (left.kind === 'size') throw this.fail('size cannot be used as a condition');
    throw this.unexpected('a comparator, BETWEEN or IN');
  }

  private parseConditionFunction(name: ConditionFunction, arity: number): Condition {
    this.pos += 2;
    const args = this.parseArguments();
    if (args.length !== arity) throw this.fail(`${name} takes ${arity} operand${arity === 1 ? '' : 's'}, not ${args.length}`);
    if ((name === 'attribute_exists' || name === 'attribute_not_exists' || name === 'attribute_type') && args[0]?.kind !== 'path') {
      throw this.fail(`the first operand of ${name} must be a document path`);
    }
    if (name === 'attribute_type' && args[1]?.kind !== 'value') throw this.fail('the second operand of attribute_type must be a :value');
    if (args.length === 2) this.checkDistinct(name, args[0] as Operand, args[1] as Operand);
    const token = this.peek();
    if (token?.kind === 'punct' && COMPARATORS.has(token.text)) throw this.fail(`${name} cannot be used as an operand`);
    return { kind: 'function', name, args };
  }

  /** Operands up to the closing parenthesis (the opening one is consumed). */
  private parseArguments(): Operand[] {
    const args = [this.parseOperand()];
    while (this.isPunct(',')) {
      this.pos += 1;
      args.push(this.parseOperand());
    }
    this.expectPunct(')');
    return args;
  }

  private parseOperand(): Operand {
    const token = this.peek();
    if (token === undefined) throw this.unexpected('an operand');
    if (this.isPunct('(')) {
      this.pos += 1;
      const inner = this.parseOperand();
      this.expectPunct(')');
      if (this.parenthesized.has(inner)) throw this.fail('the expression has redundant parentheses');
      const node = { ...inner };
      this.parenthesized.add(node);
      return node;
    }
    if (token.kind === 'value') {
      this.pos += 1;
      return { kind: 'value', name: token.text };
    }
    if (token.kind === 'name' && this.isPunct('(', 1)) {
      if (token.text !== 'size') {
        if (FUNCTIONS.has(token.text)) throw this.fail(`${token.text} cannot be used as an operand`);
        throw this.fail(`unknown function ${token.text} (functions are case-sensitive)`);
      }
      this.pos += 2;
      const args = this.parseArguments();
      if (args.length !== 1) throw this.fail(`size takes 1 operand, not ${args.length}`);
      return { kind: 'size', operand: args[0] as Operand };
    }
    if (token.kind === 'name' || token.kind === 'hash') return { kind: 'path', path: this.parsePath() };
    throw this.unexpected('an operand');
  }

  private parseName(): PathName {
    const token = this.peek() as Token;
    this.pos += 1;
    if (token.kind === 'name') {
      if (KEYWORDS.has(token.text.toLowerCase())) throw this.fail(`${token.text} is a keyword, not an attribute name (use a #placeholder)`);
      return { name: token.text, placeholder: undefined };
    }
    const name = this.names?.[token.text];
    if (typeof name !== 'string') throw this.fail(`${token.text} is not defined in ExpressionAttributeNames`);
    return { name, placeholder: token.text };
  }

  private parsePath(): DocumentPath {
    const head = this.parseName();
    const rest: (PathName | number)[] = [];
    for (;;) {
      if (this.isPunct('.')) {
        const next = this.peek(1);
        if (next?.kind !== 'name' && next?.kind !== 'hash') throw unreadable(this.what, next?.at ?? this.length);
        this.pos += 1;
        rest.push(this.parseName());
      } else if (this.isPunct('[')) {
        const index = this.peek(1);
        if (index?.kind !== 'number' || !this.isPunct(']', 2)) throw unreadable(this.what, index?.at ?? this.length);
        this.pos += 3;
        rest.push(Number(index.text));
      } else {
        return { head, rest };
      }
    }
  }

  /** DynamoDB refuses an operator or function whose two operands are the same path. */
  private checkDistinct(operator: string, a: Operand, b: Operand): void {
    if (a.kind === 'path' && b.kind === 'path' && samePath(a.path, b.path)) {
      throw this.fail(`the operands of ${operator} must be distinct (both are ${printPath(a.path)})`);
    }
  }
}

function samePath(a: DocumentPath, b: DocumentPath): boolean {
  if (a.head.name !== b.head.name || a.rest.length !== b.rest.length) return false;
  return a.rest.every((element, i) => {
    const other = b.rest[i];
    return typeof element === 'number' ? element === other : typeof other !== 'number' && element.name === (other as PathName).name;
  });
}

/** The checks DynamoDB makes on ExpressionAttributeValues before it evaluates an expression. */
function checkValues(condition: Condition, values: ExpressionValues, what: string): void {
  const fail = (message: string): DdbecError => new DdbecError('ERR_INVALID_ARGUMENT', `invalid ${what}: ${message}`);
  const valueOf = (operand: Operand): AttributeValue | undefined => {
    if (operand.kind === 'size') valueOf(operand.operand);
    if (operand.kind !== 'value') return undefined;
    const value = values[operand.name];
    if (value === undefined) throw fail(`${operand.name} is not defined in ExpressionAttributeValues`);
    if (typeOf(value) === undefined) throw fail(`${operand.name} is not an attribute value`);
    return value;
  };
  const sizeCheck = (operand: Operand): void => {
    if (operand.kind !== 'size') return;
    const inner = valueOf(operand.operand);
    const type = inner === undefined ? undefined : typeOf(inner);
    if (type === 'N' || type === 'BOOL' || type === 'NULL') throw fail(`size cannot take a value of type ${type}`);
  };
  const operands = (...list: Operand[]): void => {
    for (const operand of list) {
      valueOf(operand);
      sizeCheck(operand);
    }
  };
  walk(condition, (node) => {
    switch (node.kind) {
      case 'compare':
        operands(node.left, node.right);
        break;
      case 'in':
        operands(node.operand, ...node.list);
        break;
      case 'between': {
        operands(node.operand, node.low, node.high);
        const low = valueOf(node.low);
        const high = valueOf(node.high);
        if (low !== undefined && high !== undefined) {
          if (typeOf(low) !== typeOf(high)) throw fail(`the bounds of BETWEEN must have the same type (${typeOf(low)} and ${typeOf(high)})`);
          if ((order(low, high) ?? 0) > 0) throw fail('the upper bound of BETWEEN must be greater than or equal to the lower bound');
        }
        break;
      }
      case 'function': {
        operands(...node.args);
        if (node.name === 'attribute_type') {
          const type = valueOf(node.args[1] as Operand);
          if (type === undefined || !('S' in type) || !ATTRIBUTE_TYPES.includes(type.S)) {
            throw fail(`attribute_type needs a string value naming a type (one of ${ATTRIBUTE_TYPES.join(', ')})`);
          }
        }
        if (node.name === 'begins_with') {
          for (const arg of node.args) {
            const value = valueOf(arg);
            const type = value === undefined ? undefined : typeOf(value);
            if (type !== undefined && type !== 'S' && type !== 'B') throw fail(`begins_with cannot take a value of type ${type}`);
          }
        }
        break;
      }
      default:
        break;
    }
  });
}

/** Calls `visit` on every node of `condition`, parents first. */
function walk(condition: Condition, visit: (node: Condition) => void): void {
  visit(condition);
  if (condition.kind === 'not') walk(condition.condition, visit);
  else if (condition.kind === 'and' || condition.kind === 'or') {
    walk(condition.left, visit);
    walk(condition.right, visit);
  }
}

// ---------------------------------------------------------------------------------------------
// Printing

function printName(name: PathName): string {
  return name.placeholder ?? name.name;
}

/** A document path as an expression writes it (placeholders kept). */
function printPath(path: DocumentPath): string {
  return printName(path.head) + path.rest.map((element) => (typeof element === 'number' ? `[${element}]` : `.${printName(element)}`)).join('');
}

function printOperand(operand: Operand): string {
  switch (operand.kind) {
    case 'path':
      return printPath(operand.path);
    case 'value':
      return operand.name;
    case 'size':
      return `size(${printOperand(operand.operand)})`;
  }
}

/** The expression text of a condition (parentheses only where precedence needs them). */
export function printCondition(condition: Condition): string {
  switch (condition.kind) {
    case 'compare':
      return `${printOperand(condition.left)} ${condition.op} ${printOperand(condition.right)}`;
    case 'between':
      return `${printOperand(condition.operand)} BETWEEN ${printOperand(condition.low)} AND ${printOperand(condition.high)}`;
    case 'in':
      return `${printOperand(condition.operand)} IN (${condition.list.map(printOperand).join(', ')})`;
    case 'function':
      return `${condition.name}(${condition.args.map(printOperand).join(', ')})`;
    case 'not': {
      const inner = condition.condition;
      const text = printCondition(inner);
      return inner.kind === 'and' || inner.kind === 'or' || inner.kind === 'not' ? `NOT (${text})` : `NOT ${text}`;
    }
    case 'and': {
      const side = (c: Condition): string => (c.kind === 'or' ? `(${printCondition(c)})` : printCondition(c));
      return `${side(condition.left)} AND ${side(condition.right)}`;
    }
    case 'or':
      return `${printCondition(condition.left)} OR ${printCondition(condition.right)}`;
  }
}

// ---------------------------------------------------------------------------------------------
// Evaluation

/** Reads a top-level attribute of the item being evaluated (`undefined` when absent). */
export type AttributeLookup = (name: string) => AttributeValue | undefined;

type TypeName = 'S' | 'N' | 'B' | 'SS' | 'NS' | 'BS' | 'M' | 'L' | 'NULL' | 'BOOL';

/** The DynamoDB type of a value (`undefined` for an unknown member). */
function typeOf(value: AttributeValue): TypeName | undefined {
  for (const key of Object.keys(value)) {
    if ((ATTRIBUTE_TYPES).includes(key) && (value as Record<string, unknown>)[key] !== undefined) return key as TypeName;
  }
  return undefined;
}

/**
 * Evaluates `condition` as DynamoDB does on an item whose top-level attributes `lookup` reads:
 * a missing attribute, or operands of different types, make comparisons false (`<>` true);
 * numbers compare by value, strings by their UTF-8 bytes, binaries by bytes. Throws
 * `ERR_INVALID_ARGUMENT` for a `:value` not in `values`.
 */
export function evaluateCondition(condition: Condition, lookup: AttributeLookup, values: ExpressionValues): boolean {
  const operand = (o: Operand): AttributeValue | undefined => resolveOperand(o, lookup, values);
  switch (condition.kind) {
    case 'and':
      return evaluateCondition(condition.left, lookup, values) && evaluateCondition(condition.right, lookup, values);
    case 'or':
      return evaluateCondition(condition.left, lookup, values) || evaluateCondition(condition.right, lookup, values);
    case 'not':
      return !evaluateCondition(condition.condition, lookup, values);
    case 'compare':
      return compare(condition.op, operand(condition.left), operand(condition.right));
    case 'between': {
      const value = operand(condition.operand);
      return compare('>=', value, operand(condition.low)) && compare('<=', value, operand(condition.high));
    }
    case 'in': {
      const value = operand(condition.operand);
      return condition.list.some((member) => compare('=', value, operand(member)));
    }
    case 'function': {
      const [first, second] = condition.args.map(operand);
      switch (condition.name) {
        case 'attribute_exists':
          return first !== undefined;
        case 'attribute_not_exists':
          return first === undefined;
        case 'attribute_type':
          return first !== undefined && second !== undefined && 'S' in second && typeOf(first) === second.S;
        case 'begins_with':
          return beginsWith(first, second);
        case 'contains':
          return contains(first, second);
      }
    }
  }
}

function resolveOperand(operand: Operand, lookup: AttributeLookup, values: ExpressionValues): AttributeValue | undefined {
  switch (operand.kind) {
    case 'value': {
      const value = values[operand.name];
      if (value === undefined) throw new DdbecError('ERR_INVALID_ARGUMENT', `${operand.name} is not defined in ExpressionAttributeValues`);
      return value;
    }
    case 'size': {
      const value = resolveOperand(operand.operand, lookup, values);
      const size = value === undefined ? undefined : sizeOf(value);
      return size === undefined ? undefined : { N: String(size) };
    }
    case 'path':
      return resolvePath(operand.path, lookup);
  }
}

/** The value at a document path, `undefined` when any step is missing or of the wrong type. */
function resolvePath(path: DocumentPath, lookup: AttributeLookup): AttributeValue | undefined {
  let value = lookup(path.head.name);
  for (const element of path.rest) {
    if (value === undefined) return undefined;
    if (typeof element === 'number') value = 'L' in value ? value.L[element] : undefined;
    else value = 'M' in value && Object.hasOwn(value.M, element.name) ? value.M[element.name] : undefined;
  }
  return value;
}

/**
 * `size()`: a string's length in UTF-16 code units (what DynamoDB counts), a binary's bytes,
 * a set's, list's or map's members; none for numbers, booleans and nulls.
 */
function sizeOf(value: AttributeValue): number | undefined {
  if ('S' in value) return value.S.length;
  if ('B' in value) return value.B.length;
  if ('SS' in value) return value.SS.length;
  if ('NS' in value) return value.NS.length;
  if ('BS' in value) return value.BS.length;
  if ('L' in value) return value.L.length;
  if ('M' in value) return Object.keys(value.M).length;
  return undefined;
}

/** The order of two scalars of one type (S, N or B); `undefined` when they cannot be ordered. */
function order(a: AttributeValue, b: AttributeValue): number | undefined {
  if ('S' in a && 'S' in b) return compareStrings(a.S, b.S, 'python'); // code point order = UTF-8 byte order
  if ('N' in a && 'N' in b) return compareNumbers(a.N, b.N);
  if ('B' in a && 'B' in b) return compareBytesUnsigned(a.B, b.B);
  return undefined;
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return compareBytesUnsigned(a, b) === 0;
}

/** DynamoDB equality: same type and same value (numbers by value, sets as sets, lists in order, maps by key). */
export function valuesEqual(a: AttributeValue, b: AttributeValue): boolean {
  if ('S' in a) return 'S' in b && a.S === b.S;
  if ('N' in a) return 'N' in b && compareNumbers(a.N, b.N) === 0;
  if ('B' in a) return 'B' in b && bytesEqual(a.B, b.B);
  if ('BOOL' in a) return 'BOOL' in b && a.BOOL === b.BOOL;
  if ('NULL' in a) return 'NULL' in b;
  if ('SS' in a) return 'SS' in b && sameSet(a.SS, b.SS, (x, y) => x === y);
  if ('NS' in a) return 'NS' in b && sameSet(a.NS, b.NS, (x, y) => compareNumbers(x, y) === 0);
  if ('BS' in a) return 'BS' in b && sameSet(a.BS, b.BS, bytesEqual);
  if ('L' in a) return 'L' in b && a.L.length === b.L.length && a.L.every((x, i) => valuesEqual(x, b.L[i] as AttributeValue));
  if ('M' in a) {
    if (!('M' in b)) return false;
    const keys = Object.keys(a.M);
    return keys.length === Object.keys(b.M).length && keys.every((k) => Object.hasOwn(b.M, k) && valuesEqual(a.M[k] as AttributeValue, b.M[k] as AttributeValue));
  }
  return false;
}

/** Sets have distinct members, so equal sizes and inclusion one way make equality. */
function sameSet<T>(a: readonly T[], b: readonly T[], equal: (x: T, y: T) => boolean): boolean {
  return a.length === b.length && a.every((x) => b.some((y) => equal(x, y)));
}

function compare(op: Comparator, a: AttributeValue | undefined, b: AttributeValue | undefined): boolean {
  if (op === '<>') return a === undefined || b === undefined || !valuesEqual(a, b);
  if (a === undefined || b === undefined) return false;
  if (op === '=') return valuesEqual(a, b);
  const c = order(a, b);
  if (c === undefined) return false;
  switch (op) {
    case '<':
      return c < 0;
    case '<=':
      return c <= 0;
    case '>':
      return c > 0;
    case '>=':
      return c >= 0;
  }
}

function startsWithBytes(haystack: Uint8Array, needle: Uint8Array): boolean {
  return needle.length <= haystack.length && bytesEqual(haystack.subarray(0, needle.length), needle);
}

function beginsWith(a: AttributeValue | undefined, b: AttributeValue | undefined): boolean {
  if (a === undefined || b === undefined) return false;
  if ('S' in a && 'S' in b) return a.S.startsWith(b.S);
  if ('B' in a && 'B' in b) return startsWithBytes(a.B, b.B);
  return false;
}

function containsBytes(haystack: Uint8Array, needle: Uint8Array): boolean {
  for (let i = 0; i + needle.length <= haystack.length; i++) {
    if (startsWithBytes(haystack.subarray(i), needle)) return true;
  }
  return false;
}

/** `contains`: a substring of a string, a subsequence of a binary, a member of a set, an element of a list. */
function contains(a: AttributeValue | undefined, b: AttributeValue | undefined): boolean {
  if (a === undefined || b === undefined) return false;
  if ('S' in a) return 'S' in b && a.S.includes(b.S);
  if ('B' in a) return 'B' in b && containsBytes(a.B, b.B);
  if ('SS' in a) return 'S' in b && a.SS.includes(b.S);
  if ('NS' in a) return 'N' in b && a.NS.some((n) => compareNumbers(n, b.N) === 0);
  if ('BS' in a) return 'B' in b && a.BS.some((x) => bytesEqual(x, b.B));
  if ('L' in a) return a.L.some((element) => valuesEqual(element, b));
  return false;
}
