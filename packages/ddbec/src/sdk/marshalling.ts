import { DdbecError } from '../errors.js';
import { describePath, find } from './commands.js';

/** The options of a lib-dynamodb `DynamoDBDocumentClient`, which it keeps on its client's config. */
export interface TranslateConfig {
  readonly marshallOptions?: object;
  readonly unmarshallOptions?: object;
}

/** Messages of `@aws-sdk/util-dynamodb` that never hold a value: such errors reach the caller as they are. */
const VALUE_FREE: ReadonlySet<string> = new Set([
  'Pass options.removeUndefinedValues=true to remove undefined values from map/array/set.',
  'Pass a non-empty set, or options.convertEmptyValues=true.',
  'Only Number Set (NS), Binary Set (BS) or String Set (SS) are allowed.',
]);

/** What the other messages of `@aws-sdk/util-dynamodb` mean, without the value they quote. */
const REASONS: readonly (readonly [RegExp, string])[] = [
  [/^Number .* is (greater|lesser) than Number\.(MAX|MIN)_SAFE_INTEGER/s, 'a JavaScript number beyond Number.MAX_SAFE_INTEGER may have lost digits: use NumberValue, or marshallOptions.allowImpreciseNumbers'],
  [/^Special numeric value/, 'NaN and Infinity are not DynamoDB numbers'],
  [/^Unsupported type passed/, 'an unsupported type: for a class instance, marshallOptions.convertClassInstanceToMap'],
  [/can't be converted to BigInt|is outside SAFE_INTEGER bounds/, 'a number a JavaScript number cannot hold exactly: set unmarshallOptions.wrapNumbers'],
];

/** Where a lib-dynamodb request holds native values, one attribute (or PartiQL parameter) per match. */
const NATIVE_INPUT = [
  'Item.*',
  'Key.*',
  'ExpressionAttributeValues.*',
  'ExclusiveStartKey.*',
  'RequestItems.*.Keys[].*',
  'RequestItems.*[].PutRequest.Item.*',
  'RequestItems.*[].DeleteRequest.Key.*',
  'TransactItems[].*.Item.*',
  'TransactItems[].*.Key.*',
  'TransactItems[].*.ExpressionAttributeValues.*',
  'Parameters[]',
  'Statements[].Parameters[]',
  'TransactStatements[].Parameters[]',
];

/** Where a response holds attribute values for lib-dynamodb to unmarshall, one attribute per match. */
const STORED_OUTPUT = ['Item.*', 'Attributes.*', 'Items[].*', 'Responses.*[].*', 'Responses[].Item.*', 'LastEvaluatedKey.*'];

/**
 * The error to give the caller for one that lib-dynamodb raised while converting the native
 * values of a request (`marshall`) or the decrypted items of a response (`unmarshall`) that
 * involve an encrypted table: the error itself when its message cannot hold a value, otherwise
 * an `ERR_SERIALIZATION` that names the attribute — found by converting each one again — and
 * the reason, but neither the value nor the original error (which quotes it).
 */
export async function withoutValues(error: unknown, direction: Direction, root: unknown, options: object | undefined, where: string): Promise<unknown> {
  if (isValueFree(error)) return error;
  return conversionError(error, direction, await failingMember(direction, root, options), where);
}

/**
 * Converts each attribute of an item the way lib-dynamodb does (`undefined` and function
 * attributes are left out), with `@aws-sdk/util-dynamodb`'s `convertToAttr` (`marshall`) or
 * `convertToNative` (`unmarshall`); a conversion error is replaced as in {@link withoutValues}.
 */
export async function convertAttributes(item: object, direction: Direction, options: object | undefined, where: string): Promise<Record<string, unknown>> {
  const convert = await converter(direction, options);
  const out: [string, unknown][] = [];
  for (const [name, value] of Object.entries(item)) {
    if (value === undefined || typeof value === 'function') continue;
    try {
      out.push([name, convert(value)]);
    } catch (error) {
      throw isValueFree(error) ? error : conversionError(error, direction, `"${name}"`, where);
    }
  }
  return Object.fromEntries(out);
}

type Direction = 'marshall' | 'unmarshall';

function isValueFree(error: unknown): boolean {
  return error instanceof Error && VALUE_FREE.has(error.message);
}

function conversionError(error: unknown, direction: Direction, attribute: string | undefined, where: string): DdbecError {
  const message = error instanceof Error ? error.message : undefined;
  const reason = message === undefined ? undefined : REASONS.find(([pattern]) => pattern.test(message))?.[1];
  return new DdbecError(
    'ERR_SERIALIZATION',
    `${where}: lib-dynamodb cannot ${direction} ${attribute ?? 'a value'}${reason === undefined ? '' : ` (${reason})`}; its own message is left out because it quotes the value, which may be the plaintext of an encrypted attribute`,
  );
}

async function converter(direction: Direction, options: object | undefined): Promise<(value: unknown) => unknown> {
  const util = await import('@aws-sdk/util-dynamodb');
  return direction === 'marshall' ? (value) => util.convertToAttr(value, options) : (value): unknown => util.convertToNative(value as never, options);
}

/** The first attribute that fails to convert again, as a path (`Item.balance`), if found. */
async function failingMember(direction: Direction, root: unknown, options: object | undefined): Promise<string | undefined> {
  let convert: (value: unknown) => unknown;
  try {
    convert = await converter(direction, options);
  } catch {
    return undefined;
  }
  for (const path of direction === 'marshall' ? NATIVE_INPUT : STORED_OUTPUT) {
    for (const match of find(root, path)) {
      if (typeof match.value === 'function') continue; // lib-dynamodb skips functions
      try {
        convert(match.value);
      } catch {
        return describePath(match.path);
      }
    }
  }
  return undefined;
}
