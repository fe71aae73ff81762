import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isDdbecError } from '../../src/errors.js';
import type { AttributeValue, Item } from '../../src/format/attribute-value.js';
import { evaluateCondition, parseCondition, type ExpressionValues } from '../../src/searchable/expression.js';
import { numberOfQueries, rewriteForBeacons } from '../../src/searchable/query.js';
import type { BeaconVersion } from '../../src/searchable/config.js';
import { createSearchableTable } from '../../src/searchable/table.js';
import { PARTITION_VALUE, type BeaconQuery, type SearchableTable, type SearchTableFacts } from '../../src/searchable/types.js';
import { BeaconOnlyKeyStore } from './fixtures.js';

/**
 * `people`: `email`, `name`, `tags` (SS) encrypted; `tenant`, `date`, `plan` signed. Beacons:
 * Email (over email), Name (part-only), Tags (asSet), compound TenantEmail (T- tenant, E- Email)
 * and the signed-only TenantDate (T- tenant, D- date); Named (N- name) uses the part-only beacon.
 */
const FACTS: SearchTableFacts = {
  logicalTableName: 'people',
  attributeActionsOnEncrypt: { pk: 'SIGN_ONLY', email: 'ENCRYPT_AND_SIGN', name: 'ENCRYPT_AND_SIGN', tags: 'ENCRYPT_AND_SIGN', tenant: 'SIGN_ONLY', date: 'SIGN_ONLY', plan: 'SIGN_ONLY' },
};
const ENCRYPTED = new Set(['email', 'name', 'tags']);

function version(length: number, extra: Partial<BeaconVersion> = {}): BeaconVersion {
  return {
    version: 1,
    keyStore: new BeaconOnlyKeyStore(),
    keySource: { single: { keyId: 'people-key', cacheTTL: 60 } },
    standardBeacons: [
      { name: 'Email', length, loc: 'email' },
      { name: 'name', length, style: { partOnly: {} } },
      { name: 'Tags', length, loc: 'tags', style: { asSet: {} } },
    ],
    compoundBeacons: [
      { name: 'TenantEmail', split: '.', signed: [{ name: 'tenant', prefix: 'T-' }], encrypted: [{ name: 'Email', prefix: 'E-' }] },
      { name: 'TenantDate', split: '.', signed: [{ name: 'tenant', prefix: 'T-' }, { name: 'date', prefix: 'D-' }] },
      { name: 'Named', split: '.', encrypted: [{ name: 'name', prefix: 'N-' }] },
    ],
    ...extra,
  };
}

function tableWith(length = 16, extra: Partial<BeaconVersion> = {}, facts: SearchTableFacts = FACTS): SearchableTable {
  return createSearchableTable({ versions: [version(length, extra)], writeVersion: 1 }, facts);
}

/** What the table stores for a plaintext item: encrypted attributes as (fake) ciphertext, plus the beacons. */
async function store(table: SearchableTable, item: Item): Promise<{ decrypted: Item; stored: Item }> {
  const { item: plaintext } = table.beforeEncrypt(item);
  const ciphertext = Object.fromEntries(Object.entries(plaintext).map(([k, v]) => [k, ENCRYPTED.has(k) ? { B: new Uint8Array([7, k.length]) } : v]));
  return { decrypted: plaintext, stored: await table.afterEncrypt(plaintext, ciphertext, undefined) };
}

/** DynamoDB's side: the rewritten key condition and filter evaluated on the stored item. */
function serverMatches(query: BeaconQuery, stored: Item): boolean {
  const input = query.input as { KeyConditionExpression?: string; FilterExpression?: string; ExpressionAttributeNames?: Record<string, string>; ExpressionAttributeValues?: ExpressionValues };
  const values = input.ExpressionAttributeValues ?? {};
  const options = { names: input.ExpressionAttributeNames, values };
  return [input.KeyConditionExpression, input.FilterExpression].every(
    (text) => text === undefined || evaluateCondition(parseCondition(text, 'sent expression', options), (name) => stored[name], values),
  );
}

/** Sends the rewritten request to a simulated DynamoDB holding `items` and returns what the caller gets. */
async function run(table: SearchableTable, operation: 'Query' | 'Scan', input: Record<string, unknown>, items: readonly { decrypted: Item; stored: Item }[]): Promise<Item[]> {
  const query = await rewriteForBeacons(operation, input, table);
  if (query === undefined) throw new Error('no beacon');
  return items.filter(({ stored }) => serverMatches(query, stored)).filter(({ decrypted, stored }) => query.keep?.(decrypted, stored) ?? true).map(({ decrypted }) => decrypted);
}

async function refusal(input: Record<string, unknown>, table: SearchableTable = tableWith(), operation: 'Query' | 'Scan' = 'Scan'): Promise<string> {
  try {
    await rewriteForBeacons(operation, input, table);
  } catch (error) {
    expect(isDdbecError(error, 'ERR_BEACON_QUERY'), String(error)).toBe(true);
    return (error as Error).message;
  }
  throw new Error(`${JSON.stringify(input)} was accepted`);
}

const S = (S: string): AttributeValue => ({ S });
const person = (pk: string, email: string, tenant: string, date: string, tags: string[] = ['a']): Item => ({ pk: S(pk), email: S(email), tenant: S(tenant), date: S(date), tags: { SS: tags }, name: S(`n-${pk}`), plan: S('pro') });

describe('rewriteForBeacons', () => {
  it('names the stored beacon and compares it with the beacon value, directly and through placeholders', async () => {
    const table = tableWith();
    const materials = await table.keyMaterials(undefined);
    const hash = (value: string): AttributeValue | undefined => table.queryBeacon('Email')?.queryValue(S(value), materials, 0);

    const direct = await rewriteForBeacons('Query', { TableName: 'people', IndexName: 'byEmail', KeyConditionExpression: 'Email = :e', ExpressionAttributeValues: { ':e': S('a@x') } }, table);
    expect(direct?.input).toEqual({ TableName: 'people', IndexName: 'byEmail', KeyConditionExpression: 'aws_dbe_b_Email = :e', ExpressionAttributeValues: { ':e': hash('a@x') } });
    expect(direct?.keep).toBeTypeOf('function');

    const request = { FilterExpression: '#e IN (:a, :b) AND plan = :p', ExpressionAttributeNames: { '#e': 'Email' }, ExpressionAttributeValues: { ':a': S('a@x'), ':b': S('b@x'), ':p': S('pro') } };
    const before = structuredClone(request);
    const viaName = await rewriteForBeacons('Scan', request, table);
    expect(request).toEqual(before);
    expect(viaName?.input).toEqual({
      FilterExpression: '#e IN (:a, :b) AND plan = :p',
      ExpressionAttributeNames: { '#e': 'aws_dbe_b_Email' },
      ExpressionAttributeValues: { ':a': hash('a@x'), ':b': hash('b@x'), ':p': S('pro') },
    });
  });

  it('handles each use of a placeholder separately', async () => {
    const query = await rewriteForBeacons('Scan', { FilterExpression: 'attribute_exists(#e) AND #e = :v', ExpressionAttributeNames: { '#e': 'Email' }, ExpressionAttributeValues: { ':v': S('a@x') } }, tableWith());
    expect(query?.input).toMatchObject({ FilterExpression: 'attribute_exists(#e) AND #e_beacon = :v', ExpressionAttributeNames: { '#e': 'Email', '#e_beacon': 'aws_dbe_b_Email' } });
  });

  it('leaves a request that names no beacon alone, and removes :aws_dbe_partition', async () => {
    const table = tableWith();
    expect(await rewriteForBeacons('Scan', { FilterExpression: 'plan = :p', ExpressionAttributeValues: { ':p': S('pro') } }, table)).toBeUndefined();
    expect(await rewriteForBeacons('Scan', { FilterExpression: 'attribute_exists(Email)' }, table)).toBeUndefined();
    expect(await rewriteForBeacons('Scan', { FilterExpression: 'plan = :p', ExpressionAttributeValues: { ':p': S('pro'), [PARTITION_VALUE]: { N: '0' } } }, table)).toEqual({
      input: { FilterExpression: 'plan = :p', ExpressionAttributeValues: { ':p': S('pro') } },
      keep: undefined,
    });
    expect(await rewriteForBeacons('Scan', { TableName: 't', ExpressionAttributeValues: { [PARTITION_VALUE]: { N: '0' } } }, table)).toEqual({ input: { TableName: 't' }, keep: undefined });
  });

  it('needs no key and keeps everything for a signed-only compound beacon', async () => {
    const store = new BeaconOnlyKeyStore();
    const table = tableWith(16, { keyStore: store });
    const query = await rewriteForBeacons('Query', { KeyConditionExpression: 'TenantDate = :t', ExpressionAttributeValues: { ':t': S('T-acme.D-2024') } }, table);
    expect(query).toEqual({ input: { KeyConditionExpression: 'TenantDate = :t', ExpressionAttributeValues: { ':t': S('T-acme.D-2024') } }, keep: undefined });
    const signedOnly = await rewriteForBeacons('Query', { KeyConditionExpression: 'begins_with(TenantEmail, :t)', ExpressionAttributeValues: { ':t': S('T-acme.E-') } }, table);
    expect(signedOnly).toEqual({ input: { KeyConditionExpression: 'begins_with(aws_dbe_b_TenantEmail, :t)', ExpressionAttributeValues: { ':t': S('T-acme.E-') } }, keep: undefined });
    expect(store.calls).toEqual([]);
  });

  it('refuses what the spec forbids, before anything is sent, saying why', async () => {
    const v = (values: Record<string, string>): Record<string, AttributeValue> => Object.fromEntries(Object.entries(values).map(([k, s]) => [k, S(s)]));
    expect(await refusal({ KeyConditions: { Email: {} } }, tableWith(), 'Query')).toMatch(/KeyConditions .* use KeyConditionExpression/);
    expect(await refusal({ FilterExpression: 'Email = :v OR TenantEmail = :v', ExpressionAttributeValues: v({ ':v': 'T-a.E-x' }) })).toMatch(/:v is compared with beacon Email and with beacon TenantEmail/);
    expect(await refusal({ FilterExpression: 'Email = :v OR plan = :v', ExpressionAttributeValues: v({ ':v': 'x' }) })).toMatch(/:v is compared with beacon Email and used elsewhere/);
    expect(await refusal({ FilterExpression: 'plan = :v OR Email = :v', ExpressionAttributeValues: v({ ':v': 'x' }) })).toMatch(/:v is compared with beacon Email and used elsewhere/);
    expect(await refusal({ KeyConditionExpression: 'Email = :v', FilterExpression: 'contains(Tags, :v)', ExpressionAttributeValues: v({ ':v': 'x' }) }, tableWith(), 'Query')).toMatch(/with beacon Email and with beacon Tags/);
    for (const op of ['<', '<=', '>', '>=', '<>']) {
      expect(await refusal({ FilterExpression: `Email ${op} :v`, ExpressionAttributeValues: v({ ':v': 'x' }) })).toMatch(new RegExp(`standard beacon Email can only be compared with =, IN .* not ${op}`));
    }
    expect(await refusal({ FilterExpression: ':v > Email', ExpressionAttributeValues: v({ ':v': 'x' }) })).toMatch(/not </);
    expect(await refusal({ FilterExpression: 'Email BETWEEN :a AND :b', ExpressionAttributeValues: v({ ':a': 'a', ':b': 'b' }) })).toMatch(/not BETWEEN/);
    expect(await refusal({ FilterExpression: 'begins_with(Email, :a)', ExpressionAttributeValues: v({ ':a': 'a' }) })).toMatch(/not begins_with/);
    expect(await refusal({ FilterExpression: 'contains(Email, :a)', ExpressionAttributeValues: v({ ':a': 'a' }) })).toMatch(/contains on standard beacon Email needs a set beacon/);
    expect(await refusal({ FilterExpression: 'TenantEmail < :a', ExpressionAttributeValues: v({ ':a': 'T-a.E-x' }) })).toMatch(/LessThanComparable/);
    expect(await refusal({ FilterExpression: 'TenantEmail BETWEEN :a AND :b', ExpressionAttributeValues: v({ ':a': 'T-a.E-x', ':b': 'T-a.E-y' }) })).toMatch(/BETWEEN on compound beacon TenantEmail/);
    expect(await refusal({ FilterExpression: 'TenantEmail = :a', ExpressionAttributeValues: { ':a': { N: '1' } } })).toMatch(/compound beacon TenantEmail can only be compared with a string/);
    expect(await refusal({ FilterExpression: 'TenantEmail = :a', ExpressionAttributeValues: v({ ':a': 'X-1' }) })).toMatch(/TenantEmail/);
    expect(await refusal({ FilterExpression: '#n = :a', ExpressionAttributeNames: { '#n': 'name' }, ExpressionAttributeValues: v({ ':a': 'x' }) })).toMatch(/beacon name is partOnly/);
    expect(await refusal({ FilterExpression: 'size(Email) > :n', ExpressionAttributeValues: { ':n': { N: '1' } } })).toMatch(/size cannot be used on beacon Email/);
    expect(await refusal({ FilterExpression: 'attribute_type(Email, :t)', ExpressionAttributeValues: v({ ':t': 'S' }) })).toMatch(/attribute_type cannot be used on beacon Email/);
    expect(await refusal({ FilterExpression: 'contains(:t, Email)', ExpressionAttributeValues: v({ ':t': 'S' }) })).toMatch(/first operand of contains/);
    expect(await refusal({ FilterExpression: ':t IN (Email)', ExpressionAttributeValues: v({ ':t': 'S' }) })).toMatch(/first operand of IN/);
  });

  it('refuses a negated comparison of a hashed beacon (its false positives would become lost items), not of a signed one', async () => {
    expect(await refusal({ FilterExpression: 'NOT Email = :v', ExpressionAttributeValues: { ':v': S('x') } })).toMatch(/= on beacon Email is negated/);
    expect(await refusal({ FilterExpression: 'plan = :p AND NOT (Email IN (:v) OR plan = :p)', ExpressionAttributeValues: { ':v': S('x'), ':p': S('p') } })).toMatch(/IN on beacon Email is negated/);
    expect(await refusal({ FilterExpression: 'TenantEmail <> :v', ExpressionAttributeValues: { ':v': S('T-a.E-x') } })).toMatch(/<> on beacon TenantEmail is negated/);
    expect(await refusal({ FilterExpression: 'NOT contains(Tags, :v)', ExpressionAttributeValues: { ':v': S('x') } })).toMatch(/contains on beacon Tags is negated/);
    const table = tableWith();
    expect(await rewriteForBeacons('Scan', { FilterExpression: 'NOT NOT Email = :v', ExpressionAttributeValues: { ':v': S('x') } }, table)).toBeDefined();
    expect(await rewriteForBeacons('Scan', { FilterExpression: 'NOT (TenantEmail <> :v)', ExpressionAttributeValues: { ':v': S('T-a.E-x') } }, table)).toBeDefined();
    expect((await rewriteForBeacons('Scan', { FilterExpression: 'TenantEmail <> :v', ExpressionAttributeValues: { ':v': S('T-a') } }, table))?.keep).toBeUndefined();
    expect((await rewriteForBeacons('Scan', { FilterExpression: 'NOT begins_with(TenantEmail, :v)', ExpressionAttributeValues: { ':v': S('T-a.E-') } }, table))?.keep).toBeUndefined();
  });

  it('reads :aws_dbe_partition: an integer N below the limit, removed; absent is 0 for a Scan or a single query, refused when the query needs several', async () => {
    const table = tableWith(16, { maximumNumberOfPartitions: 3 });
    const input = (partition?: AttributeValue): Record<string, unknown> => ({
      KeyConditionExpression: 'Email = :e',
      ExpressionAttributeValues: { ':e': S('a@x'), ...(partition === undefined ? {} : { [PARTITION_VALUE]: partition }) },
    });
    const materials = await table.keyMaterials(undefined);
    const email = table.queryBeacon('Email');
    for (const [partition, number] of [[{ N: '0' }, 0], [{ N: '2' }, 2], [{ N: '1.0' }, 1], [{ N: '10E-1' }, 1]] as const) {
      const query = await rewriteForBeacons('Query', input(partition), table);
      expect(query?.input['ExpressionAttributeValues']).toEqual({ ':e': email?.queryValue(S('a@x'), materials, number) });
    }
    for (const partition of [{ N: '3' }, { N: '-1' }, { N: '0.5' }, { N: 'x' }, { S: '1' }, { NULL: true }]) {
      expect(await refusal(input(partition), table, 'Query')).toMatch(/:aws_dbe_partition must be an integer number \(N\) from 0 to 2 \(this query needs 3 queries/);
    }
    expect(await refusal({ FilterExpression: 'Email = :e', ExpressionAttributeValues: { ':e': S('x'), [PARTITION_VALUE]: { N: '3' } } }, table, 'Scan')).toMatch(/from 0 to 2 \(the table has 3 partitions\)/);
    expect(await refusal({ KeyConditionExpression: 'plan = :p', ExpressionAttributeValues: { ':p': S('x'), [PARTITION_VALUE]: { N: '1' } } }, table, 'Query')).toMatch(/from 0 to 0 \(this query needs 1 query/);
    expect(await refusal(input(), table, 'Query')).toMatch(/^this query needs 3 queries, one per beacon partition: set :aws_dbe_partition to 0, 1, … 2 .*queryAllPartitions/);
    const scan = await rewriteForBeacons('Scan', { FilterExpression: 'Email = :e', ExpressionAttributeValues: { ':e': S('a@x') } }, table);
    expect(scan?.input['FilterExpression']).toContain(' OR ');
    const single = await rewriteForBeacons('Query', { KeyConditionExpression: 'plan = :p', FilterExpression: 'Email = :e', ExpressionAttributeValues: { ':p': S('x'), ':e': S('a@x') } }, table);
    expect(single?.input['ExpressionAttributeValues']).toHaveProperty(':e', email?.queryValue(S('a@x'), materials, 0));
  });

  it('ORs the filter over the partitions the queried one stands for (Filter Expressions for Query)', async () => {
    const table = tableWith(16, {
      maximumNumberOfPartitions: 5,
      standardBeacons: [
        { name: 'Email', length: 16, loc: 'email', numberOfPartitions: 2 },
        { name: 'name', length: 16, style: { partOnly: {} } },
        { name: 'Tags', length: 16, loc: 'tags', style: { asSet: {} } },
      ],
    });
    const input = (p: number): Record<string, unknown> => ({
      KeyConditionExpression: 'Email = :e',
      FilterExpression: 'contains(Tags, :t) OR plan = :p',
      ExpressionAttributeValues: { ':e': S('a@x'), ':t': S('red'), ':p': S('pro'), [PARTITION_VALUE]: { N: String(p) } },
    });
    expect(numberOfQueries(input(0), table)).toBe(2);
    const materials = await table.keyMaterials(undefined);
    const tag = (p: number): AttributeValue => table.queryBeacon('Tags')?.queryValue(S('red'), materials, p, 'contains') as AttributeValue;
    const zero = await rewriteForBeacons('Query', input(0), table);
    expect(zero?.input).toMatchObject({
      FilterExpression: '(contains(aws_dbe_b_Tags, :t) OR plan = :p) OR (contains(aws_dbe_b_Tags, :t_p2) OR plan = :p) OR (contains(aws_dbe_b_Tags, :t_p4) OR plan = :p)',
      ExpressionAttributeValues: { ':t': tag(0), ':t_p2': tag(2), ':t_p4': tag(4) },
    });
    const one = await rewriteForBeacons('Query', input(1), table);
    expect(one?.input).toMatchObject({ FilterExpression: '(contains(aws_dbe_b_Tags, :t) OR plan = :p) OR (contains(aws_dbe_b_Tags, :t_p3) OR plan = :p)' });
    expect(await refusal(input(2), table, 'Query')).toMatch(/from 0 to 1/);
    // A Scan covers every partition from the one it names.
    const scan = await rewriteForBeacons('Scan', { FilterExpression: 'contains(Tags, :t)', ExpressionAttributeValues: { ':t': S('red') } }, table);
    expect(String(scan?.input['FilterExpression']).split(' OR ')).toHaveLength(5);
  });

  it('numberOfQueries: the least common multiple of the key condition beacons’ partitions, at most the maximum', () => {
    const table = tableWith(16, {
      maximumNumberOfPartitions: 7,
      defaultNumberOfPartitions: 3,
      standardBeacons: [
        { name: 'Email', length: 16, loc: 'email', numberOfPartitions: 2 },
        { name: 'name', length: 16, style: { partOnly: {} } },
        { name: 'Tags', length: 16, loc: 'tags', style: { asSet: {} } },
      ],
    });
    const values = { ':e': S('a@x'), ':t': S('x'), ':c': S('T-a.E-b') };
    expect(numberOfQueries({ KeyConditionExpression: 'Email = :e', ExpressionAttributeValues: { ':e': values[':e'] } }, table)).toBe(2);
    expect(numberOfQueries({ KeyConditionExpression: 'Email = :e AND contains(Tags, :t)', ExpressionAttributeValues: { ':e': values[':e'], ':t': values[':t'] } }, table)).toBe(6);
    expect(numberOfQueries({ KeyConditionExpression: 'TenantEmail = :c', ExpressionAttributeValues: { ':c': values[':c'] } }, table)).toBe(2);
    expect(numberOfQueries({ KeyConditionExpression: 'TenantDate = :c', ExpressionAttributeValues: { ':c': S('T-a.D-1') } }, table)).toBe(1);
    expect(numberOfQueries({ FilterExpression: 'Email = :e', ExpressionAttributeValues: { ':e': values[':e'] } }, table)).toBe(1);
    expect(numberOfQueries({ KeyConditionExpression: 'plan = :e', ExpressionAttributeValues: { ':e': values[':e'] } }, tableWith())).toBe(1);
  });

  it('multi-tenant: the key comes from the key field or a signed part over it; none or several is refused; keep checks the key', async () => {
    const store = new BeaconOnlyKeyStore();
    const table = tableWith(16, { keyStore: store, keySource: { multi: { keyFieldName: 'tenant', cacheTTL: 60 } } });
    expect(await refusal({ FilterExpression: 'Email = :e', ExpressionAttributeValues: { ':e': S('x') } }, table)).toMatch(/multi-tenant .* must name its beacon key: compare tenant with a string, or use a compound beacon with a signed part over tenant/);
    expect(await refusal({ FilterExpression: 'Email = :e AND tenant IN (:a, :b)', ExpressionAttributeValues: { ':e': S('x'), ':a': S('a'), ':b': S('b') } }, table)).toMatch(/names 2 different beacon keys/);
    expect(await refusal({ FilterExpression: 'TenantEmail = :c AND tenant = :b', ExpressionAttributeValues: { ':c': S('T-a.E-x'), ':b': S('b') } }, table)).toMatch(/names 2 different beacon keys/);
    const viaField = await rewriteForBeacons('Scan', { FilterExpression: 'Email = :e AND tenant = :t', ExpressionAttributeValues: { ':e': S('x'), ':t': S('acme') } }, table);
    const viaPart = await rewriteForBeacons('Scan', { FilterExpression: 'TenantEmail = :c', ExpressionAttributeValues: { ':c': S('T-acme.E-x') } }, table);
    expect(store.calls).toEqual(['acme']);
    // A signed-only request needs no key, whatever tenants it names.
    expect(await rewriteForBeacons('Scan', { FilterExpression: 'TenantDate IN (:a, :b)', ExpressionAttributeValues: { ':a': S('T-a.D-1'), ':b': S('T-b.D-1') } }, table)).toBeDefined();
    // keep drops an item written under another tenant's key.
    const item: Item = { email: S('x'), tenant: S('acme') };
    const byHeader: SearchableTable = { ...table, beaconKeyIdOf: (stored) => (stored['kid'] as { S: string } | undefined)?.S };
    for (const input of [
      { FilterExpression: 'Email = :e AND tenant = :t', ExpressionAttributeValues: { ':e': S('x'), ':t': S('acme') } },
      { FilterExpression: 'TenantEmail = :c', ExpressionAttributeValues: { ':c': S('T-acme.E-x') } },
    ]) {
      const query = await rewriteForBeacons('Scan', input, byHeader);
      expect(query?.keep?.(item, { kid: S('acme') })).toBe(true);
      expect(query?.keep?.(item, { kid: S('umbr') })).toBe(false);
      expect(query?.keep?.(item, {})).toBe(false);
    }
    expect(viaField?.keep?.(item, {})).toBe(false);
    expect(viaPart?.keep?.(item, {})).toBe(false);
  });
});

describe('keep', () => {
  it("evaluates the caller's original key condition and filter on the decrypted item, beacons through their plaintext", async () => {
    const table = tableWith(1); // 1-bit beacons: half of all values collide
    const items = await Promise.all(
      [
        person('1', 'ann@x', 'acme', '2024-01', ['red', 'blue']),
        person('2', 'bob@x', 'acme', '2024-02', ['red']),
        person('3', 'cid@x', 'umbr', '2024-03', ['green']),
        person('4', 'dan@x', 'umbr', '2023-12', ['blue']),
        person('5', 'eve@x', 'acme', '2023-11', ['blue']),
      ].map((p) => store(table, p)),
    );
    const pks = (result: Item[]): string[] => result.map((item) => (item['pk'] as { S: string }).S);
    expect(pks(await run(table, 'Query', { KeyConditionExpression: 'Email = :e', ExpressionAttributeValues: { ':e': S('bob@x') } }, items))).toEqual(['2']);
    expect(pks(await run(table, 'Scan', { FilterExpression: 'contains(#t, :t) AND #p = :p', ExpressionAttributeNames: { '#t': 'Tags', '#p': 'plan' }, ExpressionAttributeValues: { ':t': S('blue'), ':p': S('pro') } }, items))).toEqual(['1', '4', '5']);
    expect(pks(await run(table, 'Scan', { FilterExpression: 'TenantEmail IN (:a, :b)', ExpressionAttributeValues: { ':a': S('T-acme.E-eve@x'), ':b': S('T-umbr.E-eve@x') } }, items))).toEqual(['5']);
    expect(pks(await run(table, 'Query', { KeyConditionExpression: 'begins_with(TenantEmail, :a)', FilterExpression: 'TenantDate BETWEEN :l AND :h', ExpressionAttributeValues: { ':a': S('T-umbr.E-'), ':l': S('T-umbr.D-2023'), ':h': S('T-umbr.D-2024-01') } }, items))).toEqual(['4']);
    expect(pks(await run(table, 'Scan', { FilterExpression: 'TenantEmail >= :a', ExpressionAttributeValues: { ':a': S('T-b') } }, items))).toEqual(['3', '4']);
    expect(pks(await run(table, 'Scan', { FilterExpression: 'Email = :e OR TenantEmail = :c', ExpressionAttributeValues: { ':e': S('ann@x'), ':c': S('T-umbr.E-cid@x') } }, items))).toEqual(['1', '3']);
  });

  const EMAILS = ['ann@x', 'bob@x', 'cid@x', 'dan@x', 'eve@x', 'fay@x'];
  const TENANTS = ['acme', 'umbr', 'init'];
  const DATES = ['2023-11', '2023-12', '2024-01', '2024-02'];
  const TAGS = ['red', 'blue', 'green'];
  const personArb = fc.record({ email: fc.constantFrom(...EMAILS), tenant: fc.constantFrom(...TENANTS), date: fc.constantFrom(...DATES), tags: fc.uniqueArray(fc.constantFrom(...TAGS), { minLength: 1 }) });
  /** A random query over the beacons: [expression, values], with fresh value names. */
  const queryArb: fc.Arbitrary<{ key: string | undefined; filter: string | undefined; values: Record<string, AttributeValue> }> = fc.gen().map((g) => {
    const values: Record<string, AttributeValue> = {};
    let n = 0;
    const value = (s: string): string => {
      const name = `:v${n++}`;
      values[name] = S(s);
      return name;
    };
    const email = (): string => g(() => fc.constantFrom(...EMAILS));
    const tenant = (): string => g(() => fc.constantFrom(...TENANTS));
    const date = (): string => g(() => fc.constantFrom(...DATES));
    const leaf = (): string => {
      switch (g(() => fc.nat(7))) {
        case 0:
          return `Email = ${value(email())}`;
        case 1:
          return `Email IN (${value(email())}, ${value(email())})`;
        case 2:
          return `contains(Tags, ${value(g(() => fc.constantFrom(...TAGS)))})`;
        case 3:
          return `TenantEmail = ${value(`T-${tenant()}.E-${email()}`)}`;
        case 4:
          return `begins_with(TenantEmail, ${value(g(fc.boolean) ? `T-${tenant()}` : `T-${tenant()}.E-`)})`;
        case 5: {
          const [low, high] = [date(), date()].sort();
          const t = tenant();
          return `TenantDate BETWEEN ${value(`T-${t}.D-${low as string}`)} AND ${value(`T-${t}.D-${high as string}`)}`;
        }
        case 6:
          return `NOT TenantDate = ${value(`T-${tenant()}.D-${date()}`)}`;
        default:
          return `tenant = ${value(tenant())}`;
      }
    };
    const condition = (depth: number): string => {
      if (depth === 0) return leaf();
      switch (g(() => fc.nat(3))) {
        case 0:
          return `${condition(depth - 1)} AND ${condition(depth - 1)}`;
        case 1:
          return `(${condition(depth - 1)} OR ${condition(depth - 1)})`;
        default:
          return leaf();
      }
    };
    const key = g(fc.boolean) ? leaf() : undefined;
    const filter = key === undefined || g(fc.boolean) ? condition(2) : undefined;
    return { key, filter, values };
  });

  it('returns exactly the items the plaintext expressions match, over every partition, with short (colliding) beacons', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(personArb, { minLength: 1, maxLength: 25 }), queryArb, fc.constantFrom(1, 3), fc.constantFrom(1, 2), async (people, query, maxPartitions, length) => {
        const table = tableWith(length, maxPartitions === 1 ? {} : { maximumNumberOfPartitions: maxPartitions, partitionSelector: (item) => Number((item['pk'] as { S: string }).S) % maxPartitions });
        const items = await Promise.all(people.map((p, i) => store(table, person(String(i), p.email, p.tenant, p.date, p.tags))));
        const input: Record<string, unknown> = { ExpressionAttributeValues: query.values };
        if (query.key !== undefined) input['KeyConditionExpression'] = query.key;
        if (query.filter !== undefined) input['FilterExpression'] = query.filter;
        const operation = query.key === undefined ? 'Scan' : 'Query';
        const beaconNames = new Set(table.beacons.map((b) => b.name));
        const expected = items
          .filter(({ decrypted }) => {
            const lookup = (name: string): AttributeValue | undefined => (beaconNames.has(name) ? table.plaintextOf(name, decrypted) : decrypted[name]);
            return [query.key, query.filter].every((text) => text === undefined || evaluateCondition(parseCondition(text, 'x'), lookup, query.values));
          })
          .map(({ decrypted }) => decrypted['pk']);
        const queries = operation === 'Query' ? numberOfQueries(input, table) : 1;
        const found: unknown[] = [];
        for (let p = 0; p < queries; p++) {
          const withPartition = { ...input, ExpressionAttributeValues: { ...query.values, [PARTITION_VALUE]: { N: String(p) } } };
          found.push(...(await run(table, operation, withPartition, items)).map((item) => item['pk']));
        }
        expect(found.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))).toEqual(expected.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))));
      }),
      { numRuns: 400, endOnFailure: true },
    );
  });
});

describe('compound beacons with begins_with, contains and ranges: exact or refused', () => {
  it('says why and what to do instead, without the value', async () => {
    const ask = (filter: string, value: string): Promise<string> => refusal({ FilterExpression: filter, ExpressionAttributeValues: { ':v': S(value) } });
    const secret = 'ada-secret';
    expect(await ask('begins_with(TenantEmail, :v)', `T-acme.E-${secret}`)).toMatch(
      /cannot end with a value of encrypted part Email: .* would be lost; end with the bare prefix E-, follow the whole value with the next part's bare prefix, or use =/,
    );
    expect(await ask('TenantEmail BETWEEN :v AND :v', `T-acme.E-${secret}`)).toMatch(/cannot have a bound that ends with the piece of encrypted part Email both bounds share/);
    expect(await ask('contains(TenantEmail, :v)', 'T-acme')).toMatch(/contains on compound beacon TenantEmail needs a value of at least two pieces/);
    // C (below): e may stand before d, so a contains value may start inside it
    const inC = (value: string): Promise<string> => refusal({ FilterExpression: 'contains(C, :v)', ExpressionAttributeValues: { ':v': S(value) } }, table);
    expect(await inC(`A_${secret}.D_y`)).toMatch(/must start with a piece of a signed part that only signed parts can stand in for: the first piece may match the end of the piece before d/);
    expect(await inC(`E_${secret}.A_x`)).toMatch(/must start with a piece of a signed part/);
    expect(await ask('TenantEmail <= :v', 'T-acme.E-')).toMatch(/<= on compound beacon TenantEmail cannot end with the bare prefix E- of encrypted part Email/);
    expect(await ask('NOT TenantEmail > :v', 'T-acme.E-')).toMatch(/<= on compound beacon/);
    for (const message of [await ask('begins_with(TenantEmail, :v)', `T-acme.E-${secret}`), await inC(`E_${secret}.A_x`), await inC(`A_${secret}.D_y`)]) expect(message).not.toContain(secret);
    // what stays: a bare trailing prefix, a signed piece, a whole encrypted value followed by more
    for (const [filter, value] of [
      ['begins_with(TenantEmail, :v)', 'T-acme.E-'],
      ['begins_with(TenantEmail, :v)', 'T-ac'],
      ['contains(TenantEmail, :v)', 'T-acme.E-'],
      ['TenantEmail >= :v', 'T-acme.E-'],
      ['TenantEmail < :v', 'T-acme.E-'],
    ] as const) {
      await expect(rewriteForBeacons('Scan', { FilterExpression: filter, ExpressionAttributeValues: { ':v': S(value) } }, tableWith())).resolves.toBeDefined();
    }
  });

  // C over a, e, d: signed A_ and D_, encrypted E_ (over e), which stands in the middle, first
  // or last depending on the constructor: values may start or end inside it.
  const facts: SearchTableFacts = { logicalTableName: 'parts', attributeActionsOnEncrypt: { pk: 'SIGN_ONLY', a: 'SIGN_ONLY', e: 'ENCRYPT_AND_SIGN', d: 'SIGN_ONLY' } };
  const table = createSearchableTable(
    {
      versions: [
        {
          version: 1,
          keyStore: new BeaconOnlyKeyStore(),
          keySource: { single: { keyId: 'parts-key', cacheTTL: 60 } },
          standardBeacons: [{ name: 'e', length: 2, style: { partOnly: {} } }],
          compoundBeacons: [
            {
              name: 'C',
              split: '.',
              signed: [
                { name: 'a', prefix: 'A_' },
                { name: 'd', prefix: 'D_' },
              ],
              encrypted: [{ name: 'e', prefix: 'E_' }],
              constructors: [
                {
                  parts: [
                    { name: 'a', required: true },
                    { name: 'e', required: false },
                    { name: 'd', required: true },
                  ],
                },
                {
                  parts: [
                    { name: 'e', required: true },
                    { name: 'a', required: true },
                  ],
                },
                {
                  parts: [
                    { name: 'd', required: true },
                    { name: 'e', required: true },
                  ],
                },
              ],
            },
          ],
        },
      ],
      writeVersion: 1,
    },
    facts,
  );
  // Short strings over an alphabet with the prefixes in it, so that stored values are often
  // prefixes, suffixes or substrings of one another.
  const text = fc.array(fc.constantFrom('x', 'y', 'A_', 'E_', 'D_'), { maxLength: 3 }).map((tokens) => tokens.join(''));
  const itemArb = fc.record({ a: fc.option(text), e: fc.option(text), d: fc.option(text) });
  const pieceArb = fc.tuple(fc.constantFrom('A_', 'E_', 'D_'), text).map(([prefix, value]) => prefix + value);
  const valueArb = fc.oneof(
    fc.array(pieceArb, { minLength: 1, maxLength: 3 }).map((pieces) => pieces.join('.')),
    // A piece of a stored plaintext value: prefix, suffix or middle, cut anywhere.
    fc.tuple(fc.nat(), fc.nat(), fc.nat()).map(([which, from, length]) => ({ which, from, length })),
  );
  const operatorArb = fc.constantFrom('begins_with', 'contains', '<', '<=', '>', '>=', 'BETWEEN');
  // (NOT is refused for hashed comparisons; it still applies to the signed and bare-prefix ones.)

  it('returns exactly the items the plaintext expression matches, or refuses (never a strict subset)', async () => {
    let answered = 0;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(itemArb, { minLength: 1, maxLength: 12 }), operatorArb, fc.boolean(), valueArb, valueArb, async (people, operator, negate, first, second) => {
        const items = await Promise.all(
          people.map((p, i) => {
            const item: Item = { pk: S(String(i)) };
            for (const name of ['a', 'e', 'd'] as const) if (p[name] !== null) item[name] = S(p[name]);
            return store(table, item);
          }),
        );
        const plaintexts = items.flatMap(({ decrypted }) => {
          const value = table.plaintextOf('C', decrypted);
          return value !== undefined && 'S' in value ? [value.S] : [];
        });
        const valueOf = (v: typeof first): string => {
          if (typeof v === 'string' || plaintexts.length === 0) return typeof v === 'string' ? v : 'A_x';
          const whole = plaintexts[v.which % plaintexts.length] as string;
          const from = operator === 'contains' ? v.from % (whole.length + 1) : 0;
          return whole.slice(from, from + 1 + (v.length % (whole.length - from + 1)));
        };
        const [low, high] = [valueOf(first), valueOf(second)].sort();
        const values = { ':v': S(low as string), ':w': S(high as string) };
        const comparison = operator === 'begins_with' || operator === 'contains' ? `${operator}(C, :v)` : operator === 'BETWEEN' ? 'C BETWEEN :v AND :w' : `C ${operator} :v`;
        const filter = negate ? `NOT ${comparison}` : comparison;
        const input = { FilterExpression: filter, ExpressionAttributeValues: values };
        const expected = items.filter(({ decrypted }) => evaluateCondition(parseCondition(filter, 'x'), (name) => (name === 'C' ? table.plaintextOf('C', decrypted) : decrypted[name]), values));
        let found: Item[];
        try {
          found = await run(table, 'Scan', input, items);
        } catch (error) {
          expect(isDdbecError(error, 'ERR_BEACON_QUERY'), String(error)).toBe(true);
          refused++;
          return;
        }
        answered++;
        expect(found.map((i) => i['pk'])).toEqual(expected.map(({ decrypted }) => decrypted['pk']));
      }),
      { numRuns: 3000, endOnFailure: true },
    );
    // Both outcomes happen: the property is not vacuous.
    expect(answered).toBeGreaterThan(300);
    expect(refused).toBeGreaterThan(100);
  });
});
