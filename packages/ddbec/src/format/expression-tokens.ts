import { DdbecError } from '../errors.js';

/**
 * The tokens of DynamoDB expressions (condition, filter, key-condition and update expressions):
 * names, `#name` placeholders, `:value` placeholders, list indexes and punctuation. Shared by
 * the SDK integration (which reads what an expression touches) and searchable encryption
 * (which parses, rewrites and evaluates condition expressions).
 */
export interface Token {
  readonly kind: 'name' | 'hash' | 'value' | 'number' | 'punct';
  readonly text: string;
  /** The token's offset in the expression. */
  readonly at: number;
}

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

/** The tokens of `expression`; `what` names it in errors (`ERR_INVALID_ARGUMENT`). */
export function tokenize(expression: string, what: string): Token[] {
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

/** The error for an expression that cannot be read at offset `at`. */
export function unreadable(what: string, at: number): DdbecError {
  return new DdbecError('ERR_INVALID_ARGUMENT', `cannot read ${what} at character ${at + 1}`);
}
