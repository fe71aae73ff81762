import { describe, expect, it } from 'vitest';
import { isDdbecError } from '../../src/errors.js';
import type { AttributeValue, Item } from '../../src/format/attribute-value.js';
import { evaluateCondition, parseCondition, printCondition, type ExpressionValues, type ParseOptions } from '../../src/searchable/expression.js';

const bytes = (...b: number[]): Uint8Array => new Uint8Array(b);

const ITEM: Item = {
  s: { S: 'hello' },
  n: { N: '10' },
  b: { B: bytes(1, 2, 3) },
  ss: { SS: ['a', 'b'] },
  ns: { NS: ['1', '2.5'] },
  bs: { BS: [bytes(1), bytes(2, 3)] },
  l: { L: [{ S: 'x' }, { N: '2' }, { M: { k: { S: 'v' } } }] },
  m: { M: { inner: { M: { deep: { N: '7' } } }, list: { L: [{ BOOL: true }] } } },
  t: { BOOL: true },
  f: { BOOL: false },
  z: { NULL: true },
  e: { S: '' },
  emoji: { S: 'é𝄞' },
};

function matches(expression: string, values: ExpressionValues = {}, options: ParseOptions = {}, item: Item = ITEM): boolean {
  const condition = parseCondition(expression, 'FilterExpression', { ...options, values });
  return evaluateCondition(condition, (name) => item[name], values);
}

function refusal(expression: string, options: ParseOptions = {}): string {
  try {
    parseCondition(expression, 'FilterExpression', options);
  } catch (error) {
    expect(isDdbecError(error, 'ERR_INVALID_ARGUMENT'), String(error)).toBe(true);
    return (error as Error).message;
  }
  throw new Error(`${expression} was accepted`);
}

const S = (S: string): AttributeValue => ({ S });
const N = (N: string): AttributeValue => ({ N });

describe('parseCondition', () => {
  it('follows DynamoDB precedence: NOT over AND over OR, comparisons tightest', () => {
    expect(printCondition(parseCondition('a = :a OR b = :b AND NOT c = :c', 'x'))).toBe('a = :a OR b = :b AND NOT c = :c');
    const tree = parseCondition('a = :a or b = :b and not c = :c', 'x');
    expect(tree.kind).toBe('or');
    expect(tree.kind === 'or' && tree.right.kind).toBe('and');
    expect(printCondition(parseCondition('(a = :a OR b = :b) AND c = :c', 'x'))).toBe('(a = :a OR b = :b) AND c = :c');
    expect(printCondition(parseCondition('NOT (a = :a AND b = :b)', 'x'))).toBe('NOT (a = :a AND b = :b)');
    expect(printCondition(parseCondition('a BETWEEN :l AND :h AND b IN (:x,:y)', 'x'))).toBe('a BETWEEN :l AND :h AND b IN (:x, :y)');
  });

  it('reads keywords in any case, paths with members, indexes and placeholders, and parenthesized operands', () => {
    const names = { '#a': 'attr', '#k': 'key' };
    const tree = parseCondition('#a.b[2].#k[0] BeTwEeN :l aNd :h', 'x', { names });
    expect(tree).toEqual({
      kind: 'between',
      operand: { kind: 'path', path: { head: { name: 'attr', placeholder: '#a' }, rest: [{ name: 'b', placeholder: undefined }, 2, { name: 'key', placeholder: '#k' }, 0] } },
      low: { kind: 'value', name: ':l' },
      high: { kind: 'value', name: ':h' },
    });
    expect(printCondition(tree)).toBe('#a.b[2].#k[0] BETWEEN :l AND :h');
    expect(printCondition(parseCondition('(a) = :v', 'x'))).toBe('a = :v');
    expect(printCondition(parseCondition('size(a) > :v AND andy = :w', 'x'))).toBe('size(a) > :v AND andy = :w');
  });

  it('refuses malformed input with an error that says where or why', () => {
    expect(refusal('')).toMatch(/FilterExpression is empty/);
    expect(refusal('a = ')).toMatch(/expected an operand, found the end/);
    expect(refusal('a = :v b = :w')).toMatch(/unexpected 'b' at character 8/);
    expect(refusal('a ! :v')).toMatch(/cannot read FilterExpression at character 3/);
    expect(refusal('(a = :v')).toMatch(/expected '\)'/);
    expect(refusal('a = :v)')).toMatch(/unexpected '\)'/);
    expect(refusal('a')).toMatch(/expected a comparator, BETWEEN or IN/);
    expect(refusal('a BETWEEN :l OR :h')).toMatch(/expected AND/);
    expect(refusal('#x = :v')).toMatch(/#x is not defined in ExpressionAttributeNames/);
    expect(refusal('a = :v', { values: {} })).toMatch(/:v is not defined in ExpressionAttributeValues/);
    expect(refusal('frobnicate(a)')).toMatch(/unknown function frobnicate/);
    expect(refusal('SIZE(a) = :v')).toMatch(/unknown function SIZE/);
    expect(refusal('size(a)')).toMatch(/size cannot be used as a condition/);
    expect(refusal('contains(a, :v) = :w')).toMatch(/contains cannot be used as an operand/);
    expect(refusal('a = begins_with(a, :v)')).toMatch(/begins_with cannot be used as an operand/);
    expect(refusal('attribute_exists(a, b)')).toMatch(/attribute_exists takes 1 operand, not 2/);
    expect(refusal('attribute_exists(:v)')).toMatch(/must be a document path/);
    expect(refusal('attribute_type(a, b)')).toMatch(/must be a :value/);
    expect(refusal('a = a')).toMatch(/operands of = must be distinct/);
    expect(refusal('contains(a.b, a.b)')).toMatch(/operands of contains must be distinct/);
    expect(refusal('((a = :v))')).toMatch(/redundant parentheses/);
    expect(refusal('((a)) = :v')).toBeDefined();
    expect(refusal('a.in = :v')).toMatch(/in is a keyword/);
    expect(refusal('a[x] = :v')).toMatch(/cannot read FilterExpression at character 3/);
    expect(refusal('a. = :v')).toMatch(/cannot read/);
  });

  it("makes DynamoDB's checks of the values", () => {
    expect(refusal('a BETWEEN :l AND :h', { values: { ':l': N('1'), ':h': S('2') } })).toMatch(/same type \(N and S\)/);
    expect(refusal('a BETWEEN :l AND :h', { values: { ':l': N('10'), ':h': N('9.5') } })).toMatch(/greater than or equal/);
    expect(refusal('a BETWEEN :l AND :h', { values: { ':l': S('b'), ':h': S('a') } })).toMatch(/greater than or equal/);
    expect(refusal('attribute_type(a, :t)', { values: { ':t': S('STRING') } })).toMatch(/naming a type/);
    expect(refusal('attribute_type(a, :t)', { values: { ':t': N('1') } })).toMatch(/naming a type/);
    expect(refusal('begins_with(a, :v)', { values: { ':v': N('1') } })).toMatch(/begins_with cannot take a value of type N/);
    expect(refusal('size(:v) > :w', { values: { ':v': { BOOL: true }, ':w': N('1') } })).toMatch(/size cannot take a value of type BOOL/);
    expect(() => parseCondition('a BETWEEN :l AND :h', 'x', { values: { ':l': N('1'), ':h': N('1.0') } })).not.toThrow();
  });
});

describe('evaluateCondition', () => {
  it('compares numbers by value, strings by UTF-8 bytes, binaries by unsigned bytes', () => {
    expect(matches('n = :v', { ':v': N('10.0') })).toBe(true);
    expect(matches('n = :v', { ':v': N('1E1') })).toBe(true);
    expect(matches('n > :v', { ':v': N('9.99999999999999999999999999999999999') })).toBe(true);
    expect(matches('n < :v', { ':v': N('-11') })).toBe(false);
    expect(matches('n >= :v', { ':v': N('-0') })).toBe(true);
    expect(matches('n BETWEEN :l AND :h', { ':l': N('10'), ':h': N('10') })).toBe(true);
    expect(matches('s > :v', { ':v': S('Hello') })).toBe(true); // 'h' (0x68) > 'H' (0x48)
    expect(matches('s < :v', { ':v': S('hello!') })).toBe(true);
    // UTF-8 order puts U+1D11E (surrogates in UTF-16) after U+FF5E; UTF-16 code-unit order does not.
    expect(matches('x < :v', { ':v': S('\u{1D11E}') }, {}, { x: S('\uFF5E') })).toBe(true);
    expect(matches('b < :v', { ':v': { B: bytes(0x80) } })).toBe(true);
    expect(matches('b > :v', { ':v': { B: bytes(1, 2) } })).toBe(true);
    expect(matches('e < :v', { ':v': S('a') })).toBe(true);
  });

  it('makes comparisons of different types or with a missing attribute false, and <> true', () => {
    expect(matches('n = :v', { ':v': S('10') })).toBe(false);
    expect(matches('n <> :v', { ':v': S('10') })).toBe(true);
    expect(matches('n < :v', { ':v': S('10') })).toBe(false);
    expect(matches('n >= :v', { ':v': S('10') })).toBe(false);
    expect(matches('missing = :v', { ':v': S('x') })).toBe(false);
    expect(matches('missing <> :v', { ':v': S('x') })).toBe(true);
    expect(matches('missing < :v', { ':v': S('x') })).toBe(false);
    expect(matches('NOT missing < :v', { ':v': S('x') })).toBe(true);
    expect(matches('missing BETWEEN :l AND :h', { ':l': S('a'), ':h': S('z') })).toBe(false);
    expect(matches('missing IN (:v, :w)', { ':v': S('a'), ':w': S('b') })).toBe(false);
    expect(matches('ss < :v', { ':v': { SS: ['c'] } })).toBe(false);
    expect(matches('t > :v', { ':v': { BOOL: false } })).toBe(false);
  });

  it('compares sets as sets, lists in order and maps by key, deeply', () => {
    expect(matches('ss = :v', { ':v': { SS: ['b', 'a'] } })).toBe(true);
    expect(matches('ss = :v', { ':v': { SS: ['a'] } })).toBe(false);
    expect(matches('ns = :v', { ':v': { NS: ['2.50', '1'] } })).toBe(true);
    expect(matches('bs = :v', { ':v': { BS: [bytes(2, 3), bytes(1)] } })).toBe(true);
    expect(matches('l = :v', { ':v': { L: [S('x'), N('2.0'), { M: { k: S('v') } }] } })).toBe(true);
    expect(matches('l = :v', { ':v': { L: [N('2'), S('x'), { M: { k: S('v') } }] } })).toBe(false);
    expect(matches('m.inner = :v', { ':v': { M: { deep: N('7') } } })).toBe(true);
    expect(matches('m.inner = :v', { ':v': { M: { deep: N('7'), more: { NULL: true } } } })).toBe(false);
    expect(matches('z = :v', { ':v': { NULL: true } })).toBe(true);
    expect(matches('f = :v', { ':v': { BOOL: false } })).toBe(true);
    expect(matches('f IN (:t, :f)', { ':t': { BOOL: true }, ':f': { BOOL: false } })).toBe(true);
  });

  it('resolves document paths, missing on any wrong step', () => {
    expect(matches('m.inner.deep = :v', { ':v': N('7') })).toBe(true);
    expect(matches('m.#i.deep = :v', { ':v': N('7') }, { names: { '#i': 'inner' } })).toBe(true);
    expect(matches('m.list[0] = :v', { ':v': { BOOL: true } })).toBe(true);
    expect(matches('l[2].k = :v', { ':v': S('v') })).toBe(true);
    expect(matches('attribute_exists(l[3])')).toBe(false);
    expect(matches('attribute_exists(m[0])')).toBe(false);
    expect(matches('attribute_exists(l.x)')).toBe(false);
    expect(matches('attribute_exists(s.length)')).toBe(false);
    expect(matches('attribute_not_exists(m.inner.nothing)')).toBe(true);
    expect(matches('attribute_exists(m.toString)')).toBe(false);
    expect(matches('#dot = :v', { ':v': S('x') }, { names: { '#dot': 'a.b' } }, { 'a.b': S('x') })).toBe(true);
  });

  it('evaluates the functions', () => {
    expect(matches('attribute_exists(z) AND attribute_exists(f) AND attribute_exists(e)')).toBe(true);
    for (const [name, type] of Object.entries({ s: 'S', n: 'N', b: 'B', ss: 'SS', ns: 'NS', bs: 'BS', l: 'L', m: 'M', t: 'BOOL', z: 'NULL' })) {
      expect(matches(`attribute_type(${name}, :t)`, { ':t': S(type) }), name).toBe(true);
      expect(matches(`attribute_type(${name}, :t)`, { ':t': S(type === 'S' ? 'N' : 'S') }), name).toBe(false);
    }
    expect(matches('attribute_type(missing, :t)', { ':t': S('NULL') })).toBe(false);
    expect(matches('begins_with(s, :v)', { ':v': S('he') })).toBe(true);
    expect(matches('begins_with(s, :v)', { ':v': S('') })).toBe(true);
    expect(matches('begins_with(s, :v)', { ':v': S('el') })).toBe(false);
    expect(matches('begins_with(b, :v)', { ':v': { B: bytes(1, 2) } })).toBe(true);
    expect(matches('begins_with(b, :v)', { ':v': { B: bytes(2) } })).toBe(false);
    expect(matches('begins_with(b, :v)', { ':v': S('\u0001') })).toBe(false);
    expect(matches('begins_with(ss, :v)', { ':v': S('a') })).toBe(false);
    expect(matches('contains(s, :v)', { ':v': S('ell') })).toBe(true);
    expect(matches('contains(s, :v)', { ':v': S('elo') })).toBe(false);
    expect(matches('contains(b, :v)', { ':v': { B: bytes(2, 3) } })).toBe(true);
    expect(matches('contains(b, :v)', { ':v': { B: bytes(1, 3) } })).toBe(false);
    expect(matches('contains(ss, :v)', { ':v': S('b') })).toBe(true);
    expect(matches('contains(ss, :v)', { ':v': S('c') })).toBe(false);
    expect(matches('contains(ns, :v)', { ':v': N('2.50') })).toBe(true);
    expect(matches('contains(ns, :v)', { ':v': S('1') })).toBe(false);
    expect(matches('contains(bs, :v)', { ':v': { B: bytes(2, 3) } })).toBe(true);
    expect(matches('contains(bs, :v)', { ':v': { B: bytes(2) } })).toBe(false);
    expect(matches('contains(l, :v)', { ':v': N('2.0') })).toBe(true);
    expect(matches('contains(l, :v)', { ':v': S('2') })).toBe(false);
    expect(matches('contains(l, :v)', { ':v': { M: { k: S('v') } } })).toBe(true);
    expect(matches('contains(n, :v)', { ':v': N('1') })).toBe(false);
    expect(matches('contains(m, :v)', { ':v': S('inner') })).toBe(false);
  });

  it('gives size of each type: UTF-16 units of a string, bytes, members; nothing for numbers, booleans, null', () => {
    const sizes: Record<string, string> = { s: '5', e: '0', emoji: '3', b: '3', ss: '2', ns: '2', bs: '2', l: '3', m: '2' };
    for (const [name, size] of Object.entries(sizes)) expect(matches(`size(${name}) = :v`, { ':v': N(size) }), name).toBe(true);
    for (const name of ['n', 't', 'z', 'missing']) {
      expect(matches(`size(${name}) >= :v`, { ':v': N('0') }), name).toBe(false);
      expect(matches(`size(${name}) <> :v`, { ':v': N('0') }), name).toBe(true);
    }
    expect(matches('size(l) > size(ss)')).toBe(true);
  });

  it('combines with AND, OR, NOT and evaluates IN and BETWEEN', () => {
    expect(matches('n IN (:a, :b, :c)', { ':a': S('10'), ':b': N('1'), ':c': N('10') })).toBe(true);
    expect(matches('s BETWEEN :l AND :h', { ':l': S('a'), ':h': S('i') })).toBe(true);
    expect(matches('s BETWEEN :l AND :h', { ':l': S('hello!'), ':h': S('i') })).toBe(false);
    expect(matches('b BETWEEN :l AND :h', { ':l': { B: bytes(1) }, ':h': { B: bytes(1, 2, 3) } })).toBe(true);
    expect(matches('NOT (n = :x OR s = :y)', { ':x': N('1'), ':y': S('hello') })).toBe(false);
    expect(matches('n = :x OR s = :y AND t = :f', { ':x': N('10'), ':y': S('no'), ':f': { BOOL: false } })).toBe(true);
    expect(matches('(n = :x OR s = :y) AND t = :f', { ':x': N('10'), ':y': S('no'), ':f': { BOOL: false } })).toBe(false);
    expect(matches('NOT NOT n = :x', { ':x': N('10') })).toBe(true);
  });

  it('refuses an undefined value at evaluation', () => {
    const condition = parseCondition('n = :v', 'x');
    expect(() => evaluateCondition(condition, (name) => ITEM[name], {})).toThrow(/:v is not defined/);
  });
});
