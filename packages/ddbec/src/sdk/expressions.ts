import { DdbecError } from '../errors.js';
import { tokenize, unreadable, type Token } from '../format/expression-tokens.js';

export { tokenize, type Token } from '../format/expression-tokens.js';

/**
 * A small reader for DynamoDB expressions (condition, filter, key-condition and update
 * expressions) and for PartiQL statements. It does not evaluate anything: it finds which
 * top-level attributes an expression touches and how, which is all the SDK integration needs
 * to decide whether the expression can work on an encrypted table.
 */

/** One attribute path found in an expression, e.g. `#a.b[1]` → attribute `"a"` (placeholders resolved). */
export interface AttributeReference {
  /** The top-level attribute (the first element of the document path). */
  readonly attribute: string;
  /** True when the path is the attribute itself (no `.member` or `[index]`). */
  readonly whole: boolean;
  /** The function (lower-case) whose argument list the path is directly in, if any. */
  readonly inFunction: string | undefined;
  /** True when the path is that function's first argument. */
  readonly firstArgument: boolean;
  /** Update expressions: true when the path is what an action writes (the target of SET, REMOVE, ADD or DELETE). */
  readonly target: boolean;
}

type ExpressionNames = Readonly<Record<string, string>> | undefined;

const CONDITION_KEYWORDS: ReadonlySet<string> = new Set(['and', 'or', 'not', 'between', 'in']);
const UPDATE_CLAUSES: ReadonlySet<string> = new Set(['set', 'remove', 'add', 'delete']);

interface Frame {
  readonly fn: string | undefined;
  argument: number;
}

/**
 * Every attribute path of a condition, filter or key-condition expression (`kind: 'condition'`)
 * or of an update expression (`kind: 'update'`, where the first path of each action is its
 * target). `#placeholders` are resolved through `names`; an undefined one is an error.
 */
export function attributeReferences(
  expression: string,
  names: ExpressionNames,
  kind: 'condition' | 'update',
  what: string,
): AttributeReference[] {
  if (typeof expression !== 'string') throw new DdbecError('ERR_INVALID_ARGUMENT', `${what} must be a string`);
  const tokens = tokenize(expression, what);
  const references: AttributeReference[] = [];
  const frames: Frame[] = [];
  let inClause = false;
  let expectTarget = false;
  let i = 0;
  const resolve = (token: Token): string => {
    if (token.kind === 'name') return token.text;
    const name = names?.[token.text];
    if (typeof name !== 'string') {
      throw new DdbecError('ERR_INVALID_ARGUMENT', `${what} uses ${token.text}, which is not defined in ExpressionAttributeNames`);
    }
    return name;
  };
  while (i < tokens.length) {
    const token = tokens[i] as Token;
    const next = tokens[i + 1];
    if (token.kind === 'name' && next?.text === '(') {
      frames.push({ fn: token.text.toLowerCase(), argument: 0 });
      i += 2;
      continue;
    }
    if (token.kind === 'name' && kind === 'update' && frames.length === 0 && UPDATE_CLAUSES.has(token.text.toLowerCase())) {
      inClause = true;
      expectTarget = true;
      i += 1;
      continue;
    }
    if (token.kind === 'name' && CONDITION_KEYWORDS.has(token.text.toLowerCase())) {
      i += 1;
      continue;
    }
    if (token.kind === 'name' || token.kind === 'hash') {
      // A document path: name ( '.' name | '[' number ']' )*
      const attribute = resolve(token);
      let whole = true;
      i += 1;
      for (;;) {
        const t = tokens[i];
        const u = tokens[i + 1];
        if (t?.text === '.' && (u?.kind === 'name' || u?.kind === 'hash')) {
          resolve(u);
          whole = false;
          i += 2;
        } else if (t?.text === '[' && u?.kind === 'number' && tokens[i + 2]?.text === ']') {
          whole = false;
          i += 3;
        } else if (t?.text === '.' || t?.text === '[') {
          throw unreadable(what, t.at);
        } else {
          break;
        }
      }
      const frame = frames[frames.length - 1];
      if (kind === 'update' && !inClause) throw unreadable(what, token.at);
      references.push({
        attribute,
        whole,
        inFunction: frame?.fn,
        firstArgument: frame !== undefined && frame.argument === 0,
        target: kind === 'update' && expectTarget,
      });
      expectTarget = false;
      continue;
    }
    if (token.text === '(') frames.push({ fn: undefined, argument: 0 });
    else if (token.text === ')') {
      if (frames.pop() === undefined) throw unreadable(what, token.at);
    } else if (token.text === ',') {
      const frame = frames[frames.length - 1];
      if (frame) frame.argument += 1;
      else if (kind === 'update' && inClause) expectTarget = true;
      else throw unreadable(what, token.at);
    } else if (token.kind === 'number' || token.text === '[' || token.text === ']' || token.text === '.') {
      throw unreadable(what, token.at);
    }
    i += 1;
  }
  if (frames.length > 0) throw new DdbecError('ERR_INVALID_ARGUMENT', `${what} has an unclosed parenthesis`);
  return references;
}

/** What ddbec reads from a PartiQL statement. */
export interface PartiqlStatement {
  /** The table after each `FROM`, `INTO` and `UPDATE`, as written (quotes removed; `"table"."index"` gives `table`). */
  readonly tables: readonly string[];
  /**
   * Every identifier of the statement, quoted or not, and every run of identifiers joined by
   * `.` or `-` without spaces (`a.b-c` gives `a`, `b`, `c`, `a.b`, `b-c`, `a.b-c`): whatever
   * could name a table. String literals, Ion literals and comments are not identifiers.
   */
  readonly identifiers: readonly string[];
}

interface PartiqlToken {
  readonly kind: 'name' | 'quoted' | 'literal' | 'punct';
  readonly text: string;
  readonly start: number;
  readonly end: number;
}

/** An unquoted name: letters (any script), digits, `_` and `$`. */
const PARTIQL_NAME = /[\p{L}\p{N}\p{M}_$]+/uy;
const TABLE_KEYWORDS: ReadonlySet<string> = new Set(['from', 'into', 'update']);

/**
 * Reads a PartiQL statement for what it may touch. `undefined` when it cannot be read: an
 * unterminated quote or comment, no `FROM`/`INTO`/`UPDATE`, or one not followed by a table name.
 */
export function readPartiql(statement: unknown): PartiqlStatement | undefined {
  if (typeof statement !== 'string') return undefined;
  const tokens = tokenizePartiql(statement);
  if (!tokens) return undefined;
  const tables: string[] = [];
  tokens.forEach((token, i) => {
    if (token.kind !== 'name' || !TABLE_KEYWORDS.has(token.text.toLowerCase())) return;
    const before = tokens[i - 1];
    if (before?.text === '.' && before.end === token.start) return; // a path member (`a.from`), not a keyword
    const table = tokens[i + 1];
    tables.push(table?.kind === 'name' || table?.kind === 'quoted' ? table.text : '');
  });
  if (tables.length === 0 || tables.includes('')) return undefined;

  const identifiers = new Set<string>();
  // A run alternates identifier, separator, identifier, … with nothing between them.
  let run: PartiqlToken[] = [];
  const close = (): void => {
    if (run.length % 2 === 0) run.pop();
    for (let first = 0; first < run.length; first += 2) {
      let text = (run[first] as PartiqlToken).text;
      identifiers.add(text);
      for (let last = first + 2; last < run.length; last += 2) {
        text += (run[last - 1] as PartiqlToken).text + (run[last] as PartiqlToken).text;
        identifiers.add(text);
      }
    }
    run = [];
  };
  for (const token of tokens) {
    const previous = run[run.length - 1];
    const joins = previous !== undefined && previous.end === token.start;
    if (token.kind === 'name' || token.kind === 'quoted') {
      if (!(joins && previous.kind === 'punct')) close();
      run.push(token);
    } else if ((token.text === '.' || token.text === '-') && joins && previous.kind !== 'punct') {
      run.push(token);
    } else {
      close();
    }
  }
  close();
  return { tables, identifiers: [...identifiers] };
}

function tokenizePartiql(statement: string): PartiqlToken[] | undefined {
  const tokens: PartiqlToken[] = [];
  let i = 0;
  while (i < statement.length) {
    const c = statement[i] as string;
    const start = i;
    if (c === "'" || c === '"' || c === '`') {
      let text = '';
      i += 1;
      for (;;) {
        if (i >= statement.length) return undefined;
        const d = statement[i] as string;
        if (d === c) {
          if (statement[i + 1] === c && c !== '`') {
            text += c;
            i += 2;
            continue;
          }
          i += 1;
          break;
        }
        text += d;
        i += 1;
      }
      tokens.push({ kind: c === '"' ? 'quoted' : 'literal', text: c === '"' ? text : '', start, end: i });
    } else if (c === '-' && statement[i + 1] === '-') {
      while (i < statement.length && statement[i] !== '\n') i += 1;
    } else if (c === '/' && statement[i + 1] === '*') {
      const end = statement.indexOf('*/', i + 2);
      if (end < 0) return undefined;
      i = end + 2;
    } else if (nameEnd(statement, i) > i) {
      i = nameEnd(statement, i);
      tokens.push({ kind: 'name', text: statement.slice(start, i), start, end: i });
    } else {
      i += 1;
      if (c.trim() !== '') tokens.push({ kind: 'punct', text: c, start, end: i });
    }
  }
  return tokens;
}

/** Where the unquoted name that starts at `at` ends (`at` when none starts there). */
function nameEnd(statement: string, at: number): number {
  PARTIQL_NAME.lastIndex = at;
  return PARTIQL_NAME.test(statement) ? PARTIQL_NAME.lastIndex : at;
}
