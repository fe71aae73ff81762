import { describe, expect, it } from 'vitest';
import { isDdbecError } from '../../src/index.js';
import { CopyOnWrite, find } from '../../src/sdk/commands.js';
import { mapBounded, settleBounded } from '../../src/sdk/concurrency.js';
import { tableNameOf } from '../../src/sdk/config.js';
import { attributeReferences, readPartiql } from '../../src/sdk/expressions.js';

const names = { '#a': 'alpha', '#b': 'beta', '#s': 'status' };
const refs = (expression: string, kind: 'condition' | 'update' = 'condition') =>
  attributeReferences(expression, names, kind, 'the expression').map((r) => [r.attribute, r.whole, r.inFunction ?? '-', r.firstArgument, r.target]);
const errorOf = (fn: () => unknown): unknown => {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
};

describe('attributeReferences', () => {
  it('finds top-level attributes of document paths, resolving placeholders', () => {
    expect(refs('#a.#b[2].c = :v AND d[0][1] <> :w')).toEqual([
      ['alpha', false, '-', false, false],
      ['d', false, '-', false, false],
    ]);
    expect(refs('x BETWEEN :a AND :b OR NOT y IN (:c, :d)')).toEqual([
      ['x', true, '-', false, false],
      ['y', true, '-', false, false],
    ]);
  });

  it('knows which function a path is an argument of', () => {
    expect(refs('attribute_exists(#a) AND begins_with(x, :p) AND size(y.z) > :n AND contains(:v, w)')).toEqual([
      ['alpha', true, 'attribute_exists', true, false],
      ['x', true, 'begins_with', true, false],
      ['y', false, 'size', true, false],
      ['w', true, 'contains', false, false],
    ]);
    expect(refs('NOT (attribute_not_exists(q))')).toEqual([['q', true, 'attribute_not_exists', true, false]]);
  });

  it('marks the targets of update actions', () => {
    expect(refs('SET #a = if_not_exists(#a, :z) + :one, b = list_append(c, :l) REMOVE d.e, f[1] ADD g :n DELETE #s :x', 'update')).toEqual([
      ['alpha', true, '-', false, true],
      ['alpha', true, 'if_not_exists', true, false],
      ['b', true, '-', false, true],
      ['c', true, 'list_append', true, false],
      ['d', false, '-', false, true],
      ['f', false, '-', false, true],
      ['g', true, '-', false, true],
      ['status', true, '-', false, true],
    ]);
    expect(refs('set a = b - :c remove d', 'update')).toEqual([
      ['a', true, '-', false, true],
      ['b', true, '-', false, false],
      ['d', true, '-', false, true],
    ]);
  });

  it('refuses what it cannot read', () => {
    for (const [expression, kind] of [
      ['a = "text"', 'condition'],
      ['a = :v AND (b = :w', 'condition'],
      ['a = :v)', 'condition'],
      ['a.[1] = :v', 'condition'],
      ['a = :v, b = :w', 'condition'],
      ['a = :v', 'update'],
      ['SET a = 1', 'update'],
      ['a = #', 'condition'],
    ] as const) {
      expect(isDdbecError(errorOf(() => attributeReferences(expression, names, kind, 'x')), 'ERR_INVALID_ARGUMENT'), expression).toBe(true);
    }
    expect(String(errorOf(() => attributeReferences('#nope = :v', names, 'condition', 'x')))).toContain('#nope');
  });
});

describe('readPartiql', () => {
  const tables = (statement: string): readonly string[] | undefined => readPartiql(statement)?.tables;
  const identifiers = (statement: string): readonly string[] | undefined => readPartiql(statement)?.identifiers;

  it('reads the tables of every statement form', () => {
    expect(tables(`SELECT * FROM "my-table" WHERE pk = 'from x'`)).toEqual(['my-table']);
    expect(tables(`select a, "from" from t.idx where b = 1`)).toEqual(['t']);
    expect(tables(`SELECT * FROM "t"."byRegion"`)).toEqual(['t']);
    expect(tables(`INSERT INTO "a""b" VALUE {'k': 'update x'}`)).toEqual(['a"b']);
    expect(tables(`UPDATE t SET x = 1 WHERE k = 'a' -- from y\n`)).toEqual(['t']);
    expect(tables(`DELETE FROM /* into z */ "t" WHERE k = 1`)).toEqual(['t']);
    expect(tables(`EXISTS(SELECT * FROM "u" WHERE k = 1)`)).toEqual(['u']);
    expect(tables(`SeLeCt\t*\nFrOm\n\t  T`)).toEqual(['T']);
    expect(tables(`SELECT a.from FROM t`)).toEqual(['t']);
  });

  it('lists every identifier and dotted or hyphenated run, never literals or comments', () => {
    expect(identifiers(`SELECT a.b FROM "T"."idx" WHERE c-d = 'customers' /* customers */ -- customers`)).toEqual(
      expect.arrayContaining(['SELECT', 'a', 'b', 'a.b', 'FROM', 'T', 'idx', 'T.idx', 'WHERE', 'c', 'd', 'c-d']),
    );
    expect(identifiers(`SELECT * FROM t WHERE x = 'customers' AND y = \`{a: "customers"}\``)).not.toContain('customers');
    expect(identifiers(`SELECT * FROM my-table.v1`)).toEqual(expect.arrayContaining(['my', 'table', 'v1', 'my-table', 'table.v1', 'my-table.v1']));
    expect(identifiers(`SELECT * FROM "a""b"`)).toContain('a"b');
    expect(identifiers(`SELECT * FROM cuſtomers`)).toContain('cuſtomers');
  });

  it('cannot read statements without a table after FROM, INTO or UPDATE, or with an unterminated quote or comment', () => {
    for (const statement of ['SELECT 1', `SELECT * FROM 'unterminated`, 'SELECT * FROM (SELECT 1)', 'SELECT * FROM', `SELECT * FROM 'customers'`, 'SELECT * FROM ?', 'SELECT * FROM t /* open', `SELECT * FROM "t`]) {
      expect(readPartiql(statement), statement).toBeUndefined();
    }
    expect(readPartiql(42)).toBeUndefined();
  });
});

describe('paths of the command map', () => {
  const input = {
    RequestItems: { a: [{ PutRequest: { Item: { x: 1 } } }, { DeleteRequest: {} }], b: [{ PutRequest: { Item: { y: 2 } } }] },
    TransactItems: [{ Get: { TableName: 't1' } }, { Put: { TableName: 't2' } }],
  };

  it('finds members with their table and list positions', () => {
    expect(find(input, 'RequestItems.{table}[].PutRequest.Item').map((m) => [m.path, m.table, m.positions])).toEqual([
      [['RequestItems', 'a', 0, 'PutRequest', 'Item'], 'a', [0]],
      [['RequestItems', 'b', 0, 'PutRequest', 'Item'], 'b', [0]],
    ]);
    expect(find(input, 'TransactItems[].*.TableName').map((m) => m.value)).toEqual(['t1', 't2']);
  });

  it('reads table names from table ARNs', () => {
    expect(tableNameOf('customers')).toBe('customers');
    expect(tableNameOf('arn:aws:dynamodb:eu-west-1:123456789012:table/customers')).toBe('customers');
    expect(tableNameOf('arn:aws:dynamodb:eu-west-1:123456789012:table/customers/stream/2026-01-01T00:00:00.000')).toBe('customers');
  });

  it('rewrites a copy and leaves the original untouched', () => {
    const before = structuredClone(input);
    const rewrite = new CopyOnWrite(input);
    rewrite.set(['RequestItems', 'a', 0, 'PutRequest', 'Item'], { x: 'encrypted' });
    rewrite.set(['RequestItems', 'a', 0, 'PutRequest', 'Other'], true);
    const out = rewrite.result;
    expect(input).toEqual(before);
    expect(out.RequestItems.a[0]).toEqual({ PutRequest: { Item: { x: 'encrypted' }, Other: true } });
    expect(out.RequestItems.b).toBe(input.RequestItems.b);
    expect(out.TransactItems).toBe(input.TransactItems);
  });
});

describe('bounded concurrency', () => {
  it('keeps the order, respects the limit and stops at the first failure', async () => {
    let inFlight = 0;
    let max = 0;
    const work = async (n: number): Promise<number> => {
      inFlight += 1;
      max = Math.max(max, inFlight);
      await new Promise((resolve) => setTimeout(resolve, (n * 7) % 5));
      inFlight -= 1;
      if (n === 13) throw new Error('thirteen');
      return n * 2;
    };
    const numbers = Array.from({ length: 12 }, (_, i) => i);
    expect(await mapBounded(numbers, 3, work)).toEqual(numbers.map((n) => n * 2));
    expect(max).toBe(3);
    let started = 0;
    await expect(
      mapBounded(Array.from({ length: 40 }, (_, i) => i + 10), 2, (n) => {
        started += 1;
        return work(n);
      }),
    ).rejects.toThrow('thirteen');
    expect(started).toBeLessThan(10);
    const settled = await settleBounded([12, 13, 14], 2, work);
    expect(settled.map((s) => s.ok)).toEqual([true, false, true]);
  });
});
