// validateItem against a DynamoDB implementation: for random numbers and sets (at the top level
// and nested in lists and maps), the validator refuses exactly what dynalite refuses when a plain
// DynamoDBClient puts the item. Where dynalite differs from DynamoDB, the case is kept out of the
// comparison (validate.test.ts covers it): a leading `+` (DynamoDB accepts `+5` and stores `5`;
// dynalite refuses it), a set holding the empty string or empty binary twice (dynalite misses
// that duplicate), and nesting (dynalite has no limit).
import { PutItemCommand, type AttributeValue as SdkAttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalDynamoDB } from '../../../local/src/index.js';
import { isDdbecError } from '../../src/errors.js';
import { validateItem, type AttributeValue } from '../../src/format/index.js';
import { plainClient, startDatabase } from '../sdk/helpers.js';

let db: LocalDynamoDB;
let client: DynamoDBClient;

beforeAll(async () => {
  db = await startDatabase();
  client = plainClient(db.endpoint);
});
afterAll(async () => {
  client.destroy();
  await db.stop();
});

/** True when validateItem accepts the value; any error other than ERR_INVALID_ITEM fails the test. */
function validatorAccepts(value: AttributeValue): boolean {
  try {
    validateItem({ id: { S: 'k' }, v: value });
    return true;
  } catch (error) {
    if (!isDdbecError(error, 'ERR_INVALID_ITEM')) throw error;
    return false;
  }
}

/** True when dynalite stores the value; a refusal must be a ValidationException. */
async function dynamoAccepts(value: AttributeValue): Promise<boolean> {
  try {
    await client.send(new PutItemCommand({ TableName: 'plain', Item: { id: { S: 'k' }, v: value as SdkAttributeValue } }));
    return true;
  } catch (error) {
    expect((error as Error).name, String(error)).toBe('ValidationException');
    return false;
  }
}

const DIGITS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
const digits = (minLength: number, maxLength: number) => fc.string({ unit: fc.constantFrom(...DIGITS), minLength, maxLength });

/**
 * Number-like text around DynamoDB's limits: 1 to 41 significant digits with leading and trailing
 * zeros, a point anywhere, exponents that reach past ±125/130; and malformed text.
 */
const numberTextArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc
    .record({
      sign: fc.constantFrom('', '-'),
      leading: fc.constantFrom('', '0', '000'),
      body: digits(1, 41),
      trailing: fc.constantFrom('', '0', '00000'),
      point: fc.option(fc.nat(50), { nil: undefined }),
      exponent: fc.option(fc.record({ e: fc.constantFrom('e', 'E'), sign: fc.constantFrom('', '+', '-'), value: fc.integer({ min: 0, max: 180 }) }), { nil: undefined }),
    })
    .map(({ sign, leading, body, trailing, point, exponent }) => {
      let text = leading + body + trailing;
      if (point !== undefined) {
        const at = point % (text.length + 1);
        text = `${text.slice(0, at)}.${text.slice(at)}`;
      }
      if (text === '.') text = '0.';
      return sign + text + (exponent === undefined ? '' : `${exponent.e}${exponent.sign}${exponent.value}`);
    }) },
  { weight: 2, arbitrary: fc.constantFrom('0', '-0', '1', '1.0', '10e-1', '100', '1e2', '0.0', '5.', '.5', '0e-999', '1E-130', '1E-131', '9E+125', '1E+126') },
  { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom(...DIGITS, '.', 'e', 'E', '-', ' ', 'x'), maxLength: 6 }) },
).filter((text) => !text.startsWith('+'));

const stringPoolArb = fc.constantFrom('a', 'b', '', 'A', 'a ');
const bytesPoolArb = fc.constantFrom(new Uint8Array([]), new Uint8Array([1]), new Uint8Array([1, 0]), new Uint8Array([255]));

const leafArb: fc.Arbitrary<AttributeValue> = fc.oneof(
  numberTextArb.map((N) => ({ N })),
  fc.array(numberTextArb, { maxLength: 4 }).map((NS) => ({ NS })),
  fc.array(stringPoolArb, { maxLength: 4 }).filter((SS) => SS.filter((m) => m === '').length < 2).map((SS) => ({ SS })),
  fc.array(bytesPoolArb, { maxLength: 3 }).filter((BS) => BS.filter((m) => m.length === 0).length < 2).map((BS) => ({ BS })),
);

/** A leaf, sometimes inside a few lists and maps (next to a valid sibling). */
const valueArb: fc.Arbitrary<AttributeValue> = fc
  .tuple(leafArb, fc.array(fc.constantFrom('L', 'M'), { maxLength: 3 }))
  .map(([leaf, wrappers]) => wrappers.reduce<AttributeValue>((value, wrapper) => (wrapper === 'L' ? { L: [{ S: 'x' }, value] } : { M: { x: { N: '1' }, y: value } }), leaf));

describe('validateItem agrees with dynalite', () => {
  it('on random numbers and sets, top-level and nested', async () => {
    let refusedCount = 0;
    await fc.assert(
      fc.asyncProperty(valueArb, async (value) => {
        const expected = await dynamoAccepts(value);
        if (!expected) refusedCount++;
        expect(validatorAccepts(value), JSON.stringify(value)).toBe(expected);
      }),
      {
        numRuns: 400,
        examples: [
          [{ N: '9'.repeat(38) }],
          [{ N: '1'.repeat(39) }],
          [{ N: `1${'0'.repeat(50)}` }],
          [{ N: `9.${'9'.repeat(37)}E+125` }],
          [{ N: '1E+126' }],
          [{ N: '1E-130' }],
          [{ N: '0.1E-130' }],
          [{ NS: ['1', '1.0'] }],
          [{ NS: ['0', '-0'] }],
          [{ SS: ['a', 'a'] }],
          [{ BS: [new Uint8Array([1]), new Uint8Array([1])] }],
          [{ M: { x: { SS: [] } } }],
        ],
      },
    );
    // Both outcomes occur often enough for the comparison to mean something.
    expect(refusedCount).toBeGreaterThan(80);
    expect(refusedCount).toBeLessThan(400 - 80);
  });
});
