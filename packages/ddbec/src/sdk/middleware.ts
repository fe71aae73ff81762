import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SCHEMA_CHANGES } from './commands.js';
import type { EncryptionEngine, Prepared } from './engine.js';
import { withoutValues, type TranslateConfig } from './marshalling.js';
import { ITEMS_PARSE_MIDDLEWARE, responseItems } from './response-items.js';

/** Name of the middleware that validates requests and encrypts items (serialize step). */
export const ITEM_ENCRYPT_MIDDLEWARE = 'ItemEncrypt';
/** Name of the middleware that verifies and decrypts items in responses (deserialize step). */
export const ITEM_DECRYPT_MIDDLEWARE = 'ItemDecrypt';

const DOCUMENT_MARSHALL = 'DocumentMarshall';
const DOCUMENT_UNMARSHALL = 'DocumentUnmarshall';
const MARSHALL_GUARD = 'ItemMarshallGuard';
const UNMARSHALL_GUARD = 'ItemUnmarshallGuard';

type Stack = DynamoDBClient['middlewareStack'];
type AnyMiddleware = Parameters<Stack['addRelativeTo']>[0];

interface Args {
  readonly input: Record<string, unknown>;
}
interface Result {
  readonly output: Record<string, unknown>;
}
interface Context {
  readonly commandName?: string;
}
type Handler = (args: Args) => Promise<Result>;
type Middleware = (next: Handler, context: Context) => Handler;

const passThrough: Middleware = (next) => next;

/**
 * Adds the two named middlewares to a stack, with two guards around lib-dynamodb's conversions.
 *
 * Placement: `@aws-sdk/lib-dynamodb` marshals native values in `DocumentMarshall` (just before
 * `serializerMiddleware`) and unmarshals in `DocumentUnmarshall` (just before
 * `deserializerMiddleware`), both added to each command's own stack, which the SDK
 * concatenates *after* the client's. Items must be encrypted after marshalling and decrypted
 * before unmarshalling, so `ItemEncrypt` sits right after `DocumentMarshall` and `ItemDecrypt`
 * right after (that is, inside) `DocumentUnmarshall`. For plain commands, which have no
 * document middleware, the stack carries do-nothing stand-ins under those two names; a
 * document command's own `DocumentMarshall`/`DocumentUnmarshall` (added with `override`)
 * replace them, and ours stay anchored to the real ones.
 *
 * lib-dynamodb's conversion errors quote the value they could not convert — for an encrypted
 * table, plaintext. `ItemMarshallGuard` (right before `DocumentMarshall`) and
 * `ItemUnmarshallGuard` (right before `DocumentUnmarshall`) catch the errors raised by the
 * conversion itself (a request that never reached `ItemEncrypt`; a response `ItemDecrypt` had
 * handed over) and replace them (see `withoutValues`).
 *
 * `ItemsParse`, innermost (right after `deserializerMiddleware`), reads the item members of the
 * responses to requests `ItemEncrypt` prepared, faster than the SDK (see `responseItems`);
 * `ItemDecrypt` puts them back into the SDK's output before reading it.
 */
export function addEncryptionMiddleware(stack: Stack, engine: EncryptionEngine, translateConfig: () => TranslateConfig | undefined, clientConfig: object): void {
  const states = new WeakMap<object, Prepared>();
  const items = responseItems(clientConfig, (context) => states.has(context), operationOf);
  /** Requests that got past `DocumentMarshall`. */
  const marshalled = new WeakSet<object>();
  /** Decrypted outputs handed to `DocumentUnmarshall`. */
  const decrypted = new WeakMap<object, unknown>();

  const marshallGuard: Middleware = (next, context) => async (args) => {
    try {
      return await next(args);
    } catch (error) {
      const operation = operationOf(context);
      const sensitive = marshalled.has(context) ? undefined : engine.sensitiveTable(operation, args.input);
      if (sensitive === undefined) throw error;
      throw await withoutValues(error, 'marshall', args.input, translateConfig()?.marshallOptions, `${operation} (${sensitive})`);
    }
  };

  const encrypt: Middleware = (next, context) => async (args) => {
    marshalled.add(context);
    const operation = operationOf(context);
    const table = args.input['TableName'];
    if (SCHEMA_CHANGES.has(operation) && typeof table === 'string') {
      engine.registry.invalidate(table);
      const result = await next(args);
      engine.registry.invalidate(table);
      return result;
    }
    const ready = await engine.prepare(operation, args.input);
    if (!ready) return next(args);
    states.set(context, ready.prepared);
    return next({ ...args, input: ready.input });
  };

  const decrypt: Middleware = (next, context) => async (args) => {
    const prepared = states.get(context);
    if (!prepared) return next(args);
    let result: Result;
    try {
      result = await next(args);
    } catch (error) {
      await engine.decryptError(prepared, error);
      engine.explainError(prepared, error);
      throw error;
    }
    const output = await engine.decryptOutput(prepared, items.restore(context, result.output));
    decrypted.set(context, output);
    return { ...result, output };
  };

  const unmarshallGuard: Middleware = (next, context) => async (args) => {
    try {
      return await next(args);
    } catch (error) {
      const prepared = states.get(context);
      const table = decrypted.has(context) ? [...(prepared?.tables.values() ?? [])].find((candidate) => candidate.encrypted) : undefined;
      if (table === undefined) throw error;
      throw await withoutValues(error, 'unmarshall', decrypted.get(context), translateConfig()?.unmarshallOptions, `${operationOf(context)} (table "${table.name}")`);
    }
  };

  const add = (middleware: Middleware, options: Parameters<Stack['addRelativeTo']>[1]): void => {
    stack.addRelativeTo(middleware as unknown as AnyMiddleware, options);
  };
  add(passThrough, { name: DOCUMENT_MARSHALL, relation: 'before', toMiddleware: 'serializerMiddleware', override: true, tags: ['DDBEC_STAND_IN'] });
  add(marshallGuard, { name: MARSHALL_GUARD, relation: 'before', toMiddleware: DOCUMENT_MARSHALL, tags: ['DDBEC'] });
  add(encrypt, { name: ITEM_ENCRYPT_MIDDLEWARE, relation: 'after', toMiddleware: DOCUMENT_MARSHALL, tags: ['DDBEC'] });
  add(passThrough, { name: DOCUMENT_UNMARSHALL, relation: 'before', toMiddleware: 'deserializerMiddleware', override: true, tags: ['DDBEC_STAND_IN'] });
  add(unmarshallGuard, { name: UNMARSHALL_GUARD, relation: 'before', toMiddleware: DOCUMENT_UNMARSHALL, tags: ['DDBEC'] });
  add(decrypt, { name: ITEM_DECRYPT_MIDDLEWARE, relation: 'after', toMiddleware: DOCUMENT_UNMARSHALL, tags: ['DDBEC'] });
  add(items.middleware as unknown as Middleware, { name: ITEMS_PARSE_MIDDLEWARE, relation: 'after', toMiddleware: 'deserializerMiddleware', tags: ['DDBEC'] });
}

/** `PutItemCommand` → `PutItem`. */
function operationOf(context: Context): string {
  const name = context.commandName ?? '';
  return name.endsWith('Command') ? name.slice(0, -'Command'.length) : name;
}
