// The evaluator against a DynamoDB implementation: random items in dynalite, random filter
// expressions; the items a Scan with the FilterExpression returns are exactly those the
// evaluator keeps, and an expression dynalite refuses is one parseCondition refuses; the text
// printCondition writes back for a parsed expression finds the same items.
// Where dynalite deviates from DynamoDB, the case is kept out of the generators (expression.test.ts
// covers DynamoDB's behaviour): numbers are written canonically (dynalite compares N and NS
// members as text: `1` ≠ `1.0`), no list or map is compared with = or IN (dynalite compares them
// by reference, never equal), no `false` boolean and no empty string or binary is stored (dynalite
// treats falsy values as missing in IN, BETWEEN, attribute_type and size), binaries are ASCII
// bytes (dynalite decodes them as UTF-8 for begins_with and contains), strings have no
// character beyond U+FFFF (dynalite orders strings by UTF-16 code unit, DynamoDB by UTF-8 byte),
// and no comparison has two paths (dynalite finds two missing attributes equal).
import { BatchWriteItemCommand, ScanCommand, type DynamoDBClient, type ScanCommandInput } from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { LocalDynamoDB } from '../../../local/src/index.js';
import { isDdbecError } from '../../src/errors.js';
import type { AttributeValue, Item } from '../../src/format/attribute-value.js';
import { evaluateCondition, parseCondition, printCondition } from '../../src/searchable/expression.js';
import { plainClient, startDatabase } from '../sdk/helpers.js';

let db: LocalDynamoDB;
let client: DynamoDBClient;

const STRINGS = ['a', 'ab', 'abc', 'b', 'B', 'é', '中', 'a b'];
const NUMBERS = ['0', '1', '-1', '2.5', '10', '-0.5', '100', '1000000000000000000000000001'];
const BINARIES = [[0], [1], [1, 2], [2], [0x41], [0x7f], [1, 2, 3]].map((b) => new Uint8Array(b));

const stringArb = fc.constantFrom(...STRINGS).map((S): AttributeValue => ({ S }));
const numberArb = fc.constantFrom(...NUMBERS).map((N): AttributeValue => ({ N }));
const binaryArb = fc.constantFrom(...BINARIES).map((B): AttributeValue => ({ B }));
const scalarArb = fc.oneof(stringArb, numberArb, binaryArb);
const setOf = <T>(pool: readonly T[]) => fc.uniqueArray(fc.constantFrom(...pool), { minLength: 1, maxLength: 3 });
const valueArb: fc.Arbitrary<AttributeValue> = fc.oneof(
  { weight: 4, arbitrary: scalarArb },
  { weight: 1, arbitrary: setOf(STRINGS).map((SS) => ({ SS })) },
  { weight: 1, arbitrary: setOf(NUMBERS).map((NS) => ({ NS })) },
  { weight: 1, arbitrary: setOf(BINARIES).map((BS) => ({ BS })) },
  { weight: 1, arbitrary: fc.constant({ BOOL: true }) },
  { weight: 1, arbitrary: fc.constant({ NULL: true }) },
);
const NAMES = ['alpha', 'beta', 'gamma'];
const itemArb = (id: number): fc.Arbitrary<Item> =>
  fc
    .record(
      {
        alpha: valueArb,
        beta: valueArb,
        gamma: valueArb,
        deep: fc.record({ alpha: valueArb, beta: valueArb }, { requiredKeys: [] }).map((M) => ({ M })),
        arr: fc.array(fc.oneof(valueArb, fc.record({ alpha: valueArb }).map((M) => ({ M }))), { maxLength: 3 }).map((L) => ({ L })),
      },
      { requiredKeys: [] },
    )
    .map((item) => ({ id: { S: `i${id}` }, ...item }));

let items: Item[] = [];

beforeAll(async () => {
  db = await startDatabase();
  client = plainClient(db.endpoint);
  items = Array.from({ length: 60 }, (_, i) => fc.sample(itemArb(i), { numRuns: 1, seed: 1000 + i })[0] as Item);
  for (let i = 0; i < items.length; i += 25) {
    const batch = items.slice(i, i + 25).map((item) => ({ PutRequest: { Item: item } }));
    await client.send(new BatchWriteItemCommand({ RequestItems: { plain: batch } }));
  }
});
afterAll(async () => {
  client.destroy();
  await db.stop();
});

/** An expression under construction: text, and the names and values it uses. */
interface Built {
  readonly text: string;
  readonly names: Record<string, string>;
  readonly values: Record<string, AttributeValue>;
}

/** Builds expression text with fresh placeholders (fc.gen gives the random choices). */
class Builder {
  private n = 0;
  readonly names: Record<string, string> = {};
  readonly values: Record<string, AttributeValue> = {};
  constructor(private readonly g: fc.GeneratorValue) {}

  value(v: AttributeValue): string {
    const name = `:v${this.n++}`;
    this.values[name] = v;
    return name;
  }

  name(n: string): string {
    if (!this.g(fc.boolean)) return n;
    const placeholder = `#n${this.n++}`;
    this.names[placeholder] = n;
    return placeholder;
  }

  path(): string {
    const top = this.g(() => fc.constantFrom(...NAMES, 'deep', 'arr', 'nowhere'));
    if (top === 'deep') return `${this.name('deep')}.${this.name(this.g(() => fc.constantFrom('alpha', 'beta')))}`;
    if (top === 'arr') return `${this.name('arr')}[${this.g(() => fc.nat(3))}]` + (this.g(fc.boolean) ? `.${this.name('alpha')}` : '');
    return this.name(top);
  }

  leaf(): string {
    switch (this.g(() => fc.nat(9))) {
      case 0:
        return `${this.path()} ${this.g(() => fc.constantFrom('=', '<>'))} ${this.value(this.g(() => valueArb))}`;
      case 1:
        return `${this.path()} ${this.g(() => fc.constantFrom('<', '<=', '>', '>='))} ${this.value(this.g(() => scalarArb))}`;
      case 2:
        return `size(${this.path()}) ${this.g(() => fc.constantFrom('=', '<>', '<', '<=', '>', '>='))} ${this.value({ N: String(this.g(() => fc.nat(4))) })}`;
      case 3: {
        const type = this.g(() => fc.constantFrom(stringArb, numberArb, binaryArb));
        let [low, high] = [this.g(() => type), this.g(() => type)];
        if (this.g(() => fc.nat(9)) > 0 && evaluateCondition(parseCondition(':a > :b', 'x'), () => undefined, { ':a': low, ':b': high })) [low, high] = [high, low];
        return `${this.path()} BETWEEN ${this.value(low)} AND ${this.value(high)}`;
      }
      case 4:
        return `${this.path()} IN (${this.g(() => fc.array(valueArb, { minLength: 1, maxLength: 3 })).map((v) => this.value(v)).join(', ')})`;
      case 5:
        return `${this.g(() => fc.constantFrom('attribute_exists', 'attribute_not_exists'))}(${this.path()})`;
      case 6:
        return `attribute_type(${this.path()}, ${this.value({ S: this.g(() => fc.constantFrom('S', 'N', 'B', 'SS', 'NS', 'BS', 'M', 'L', 'BOOL', 'NULL')) })})`;
      case 7:
        return `begins_with(${this.path()}, ${this.value(this.g(() => fc.oneof(stringArb, binaryArb)))})`;
      default:
        return `contains(${this.path()}, ${this.value(this.g(() => scalarArb))})`;
    }
  }

  condition(depth: number): string {
    const choice = depth === 0 ? 0 : this.g(() => fc.nat(4));
    const keyword = (word: string): string => (this.g(fc.boolean) ? word : word.toLowerCase());
    switch (choice) {
      case 1:
        return `${this.condition(depth - 1)} ${keyword('AND')} ${this.condition(depth - 1)}`;
      case 2:
        return `${this.condition(depth - 1)} ${keyword('OR')} ${this.condition(depth - 1)}`;
      case 3:
        return `${keyword('NOT')} ${this.g(fc.boolean) ? this.leaf() : `(${this.condition(depth - 1)})`}`;
      case 4:
        return `(${this.condition(depth - 1)})`;
      default:
        return this.leaf();
    }
  }
}

const expressionArb: fc.Arbitrary<Built> = fc.gen().map((g) => {
  const builder = new Builder(g);
  const text = builder.condition(g(() => fc.nat(3)));
  return { text, names: builder.names, values: builder.values };
});

/** The ids dynalite's Scan returns, or its refusal (a ValidationException's message). */
async function scan(built: Built): Promise<string[] | string> {
  const input: ScanCommandInput = {
    TableName: 'plain',
    FilterExpression: built.text,
    ExpressionAttributeValues: Object.keys(built.values).length > 0 ? (built.values) : undefined,
    ExpressionAttributeNames: Object.keys(built.names).length > 0 ? built.names : undefined,
  };
  try {
    const output = await client.send(new ScanCommand(input));
    expect(output.LastEvaluatedKey).toBeUndefined();
    return (output.Items ?? []).map((item) => (item['id'] as { S: string }).S).sort();
  } catch (error) {
    expect((error as Error).name, String(error)).toBe('ValidationException');
    return (error as Error).message;
  }
}

function evaluate(built: Built): string[] | undefined {
  let condition;
  try {
    condition = parseCondition(built.text, 'FilterExpression', built);
  } catch (error) {
    if (!isDdbecError(error, 'ERR_INVALID_ARGUMENT')) throw error;
    return undefined;
  }
  return items.filter((item) => evaluateCondition(condition, (name) => item[name], built.values)).map((item) => (item['id'] as { S: string }).S).sort();
}

it('keeps exactly the items a dynalite Scan with the same FilterExpression returns, and prints expressions that mean the same', async () => {
  let refused = 0;
  let nonEmpty = 0;
  await fc.assert(
    fc.asyncProperty(expressionArb, async (built) => {
      const expected = await scan(built);
      const actual = evaluate(built);
      if (typeof expected === 'string') {
        expect(actual, `${built.text} (dynalite: ${expected})`).toBeUndefined();
        refused++;
      } else expect(actual, built.text).toEqual(expected);
      if (typeof expected === 'string') return;
      // What printCondition writes back means the same to DynamoDB.
      const printed = printCondition(parseCondition(built.text, 'FilterExpression', built));
      expect(await scan({ ...built, text: printed }), printed).toEqual(expected);
      if (expected.length > 0 && expected.length < items.length) nonEmpty++;
    }),
    { numRuns: 400, endOnFailure: true },
  );
  // The generators must reach both outcomes and selective filters.
  expect(refused).toBeGreaterThan(0);
  expect(nonEmpty).toBeGreaterThan(100);
}, 60_000);
