import { DdbecError } from '../errors.js';

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

interface Token {
  readonly kind: 'name' | 'hash' | 'value' | 'number' | 'punct';
  readonly text: string;
  readonly at: number;
}

const CONDITION_KEYWORDS: ReadonlySet<string> = new Set(['and', 'or', 'not', 'between', 'in']);
const UPDATE_CLAUSES: ReadonlySet<string> = new Set(['set', 'remove', 'add', 'delete']);
const TWO_CHAR = new Set(['<>', '<=', '>=']);
const ONE_CHAR = new Set(['.', '[', ']', '(', ')', ',', '=', '<', '>', '+', '-']);

function isNameStart(c: string): boolean {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_';
}
function isNameChar(c: string): boolean {
  return isNameStart(c) || (c >= '0' && c <= '9');
}
function isDigit(c: string): boolean {
  return c >= '0' && c <= '9';
}

function tokenize(expression: string, what: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < expression.length) {
    const c = expression[i] as string;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i += 1;
      continue;
    }
    const start = i;
    if (isNameStart(c)) {
      while (i < expression.length && isNameChar(expression[i] as string)) i += 1;
      tokens.push({ kind: 'name', text: expression.slice(start, i), at: start });
    } else if (c === '#' || c === ':') {
      i += 1;
      while (i < expression.length && isNameChar(expression[i] as string)) i += 1;
      if (i === start + 1) throw unreadable(what, start);
      tokens.push({ kind: c === '#' ? 'hash' : 'value', text: expression.slice(start, i), at: start });
    } else if (isDigit(c)) {
      while (i < expression.length && isDigit(expression[i] as string)) i += 1;
      tokens.push({ kind: 'number', text: expression.slice(start, i), at: start });
    } else if (TWO_CHAR.has(expression.slice(i, i + 2))) {
      tokens.push({ kind: 'punct', text: expression.slice(i, i + 2), at: start });
      i += 2;
    } else if (ONE_CHAR.has(c)) {
      tokens.push({ kind: 'punct', text: c, at: start });
      i += 1;
    } else {
      throw unreadable(what, start);
    }
  }
  return tokens;
}

function unreadable(what: string, at: number): DdbecError {
  return new DdbecError('ERR_INVALID_ARGUMENT', `cannot read ${what} at character ${at + 1}`);
}

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

/**
 * The tables a PartiQL statement reads or writes: the identifier after each `FROM`, `INTO`
 * and `UPDATE` (quoted or bare; `"table"."index"` gives `table`). String literals, Ion
 * literals and comments are skipped. An empty result means the statement could not be read.
 */
export function partiqlTables(statement: string): string[] {
  if (typeof statement !== 'string') return [];
  const words: { text: string; quoted: boolean }[] = [];
  let i = 0;
  while (i < statement.length) {
    const c = statement[i] as string;
    if (c === "'" || c === '"' || c === '`') {
      let text = '';
      i += 1;
      for (;;) {
        if (i >= statement.length) return [];
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
      if (c === '"') words.push({ text, quoted: true });
      else words.push({ text: '', quoted: false });
    } else if (c === '-' && statement[i + 1] === '-') {
      while (i < statement.length && statement[i] !== '\n') i += 1;
    } else if (c === '/' && statement[i + 1] === '*') {
      const end = statement.indexOf('*/', i + 2);
      if (end < 0) return [];
      i = end + 2;
    } else if (isNameStart(c)) {
      const start = i;
      while (i < statement.length && (isNameChar(statement[i] as string) || statement[i] === '$')) i += 1;
      words.push({ text: statement.slice(start, i), quoted: false });
    } else {
      if (c.trim() !== '') words.push({ text: c, quoted: false });
      i += 1;
    }
  }
  const tables: string[] = [];
  for (let w = 0; w < words.length - 1; w += 1) {
    const word = words[w] as { text: string; quoted: boolean };
    if (word.quoted || !['from', 'into', 'update'].includes(word.text.toLowerCase())) continue;
    const table = words[w + 1] as { text: string; quoted: boolean };
    if (table.quoted || isNameStart(table.text.charAt(0))) tables.push(table.text);
    else return [];
  }
  return tables;
}
