import { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/**
 * Reading the items of a response without the SDK's deserializer.
 *
 * The SDK turns a response body into an output in two passes: `JSON.parse`, then a walk guided
 * by the operation's schema that decodes every `B`/`BS` (a regular-expression check, then a
 * base64 decode) and visits every attribute value through generic schema code. For a page of
 * encrypted items — mostly binaries — the walk costs several times the parse. Here ddbec parses
 * the body itself, converts the item members exactly as the SDK's DynamoDB codec does (in
 * place: `B`/`BS` to plain `Uint8Array` views of a decoded `Buffer`, `L`/`M` recursively,
 * everything else as parsed), and hands the SDK's deserializer the same body with those members
 * emptied, so that it builds the rest of the output (`$metadata`, `Count`, `LastEvaluatedKey`,
 * `UnprocessedKeys`, …) itself; the converted members are put back in place (same key, same
 * position) before ddbec's decrypting middleware reads the output.
 *
 * Anything not plainly what DynamoDB sends makes the whole response go through the SDK's own
 * path, with the original bytes: a status other than 200, a body that does not parse, an
 * attribute value that is not exactly one known member with a value of the right type, base64
 * that is not in canonical form, an attribute or table named `__proto__` (where the SDK's map
 * reader would write `undefined`), a body with `__type`, and numbers outside the item members
 * that would not survive the re-serialization (`-0`, out of range); a body that cannot be read
 * fails with its error where the SDK would read it. A client whose protocol, codec, base64
 * decoder or stream collector are not the SDK's defaults never takes this path.
 */

/** The middleware that parses the item members of responses (innermost: after `deserializerMiddleware`). */
export const ITEMS_PARSE_MIDDLEWARE = 'ItemsParse';

/** How the output member holding items is shaped. */
type Shape = 'items' | 'item' | 'tables';

/** The operations whose items ddbec reads itself: the output member and its shape. */
const MEMBERS: Readonly<Record<string, { readonly member: string; readonly shape: Shape }>> = {
  Query: { member: 'Items', shape: 'items' },
  Scan: { member: 'Items', shape: 'items' },
  BatchGetItem: { member: 'Responses', shape: 'tables' },
  GetItem: { member: 'Item', shape: 'item' },
};

/** What the client config must hold for the SDK's deserialization to be the one reproduced here. */
interface SerdeConfig {
  readonly base64Decoder?: unknown;
  readonly protocol?: unknown;
  readonly streamCollector?: unknown;
}

interface HttpResponseLike {
  readonly statusCode?: number;
  readonly body?: unknown;
}

/** A converted member waiting for the SDK's output. */
interface Parsed {
  readonly member: string;
  readonly value: unknown;
}

type Handler = (args: object) => Promise<{ readonly response?: unknown; readonly output?: unknown }>;

/** The parse middleware and its counterpart, which puts the parsed members into the output. */
export interface ResponseItems {
  /** The deserialize-step middleware (innermost); `enabled(context)` says whether the request's items are wanted. */
  readonly middleware: (next: Handler, context: object) => Handler;
  /** Puts what the middleware parsed for `context` into the SDK's `output` (the same object, changed in place). */
  readonly restore: <T>(context: object, output: T) => T;
}

/**
 * The parse middleware for a client with `config`, taking the path only for requests that
 * `enabled` accepts, and only if `config` deserializes as the SDK's defaults do.
 */
export function responseItems(config: SerdeConfig, enabled: (context: object) => boolean, operationOf: (context: object) => string): ResponseItems {
  const pending = new WeakMap<object, Parsed>();
  const collect = usesSdkDefaults(config) ? (config.streamCollector as (body: unknown) => Promise<Uint8Array>) : undefined;

  const middleware = (next: Handler, context: object): Handler => {
    return async (args) => {
      pending.delete(context);
      const result = await next(args);
      const spec = MEMBERS[operationOf(context)];
      const response = result.response as HttpResponseLike | undefined;
      if (collect === undefined || spec === undefined || response?.statusCode !== 200 || !enabled(context)) return result;
      let bytes: Uint8Array;
      try {
        bytes = response.body instanceof Uint8Array ? response.body : await collect(response.body);
      } catch (error) {
        // the SDK's deserializer is to meet the error where it would have: reading the body
        return { ...result, response: withBody(response, failingStream(error)) };
      }
      const parsed = parseItems(bytes, spec.member, spec.shape);
      if (parsed !== undefined) pending.set(context, { member: spec.member, value: parsed.value });
      return { ...result, response: withBody(response, parsed?.rest ?? bytes) };
    };
  };

  const restore = <T>(context: object, output: T): T => {
    const parsed = pending.get(context);
    if (parsed === undefined) return output;
    pending.delete(context);
    (output as Record<string, unknown>)[parsed.member] = parsed.value;
    return output;
  };

  return { middleware, restore };
}

/** A copy of `response` (same prototype) with another body. */
function withBody(response: HttpResponseLike, body: unknown): HttpResponseLike {
  return Object.assign(Object.create(Object.getPrototypeOf(response) as object | null) as HttpResponseLike, response, { body });
}

/** A body whose reading fails with `error`. */
function failingStream(error: unknown): ReadableStream {
  return new ReadableStream({
    start(controller) {
      controller.error(error);
    },
  });
}

/**
 * Parses a response body; returns the converted item member (`value`) and the body the SDK is
 * to read instead (`rest`: the same JSON with the member emptied), or `undefined` when the SDK
 * must read the original body (see the module comment).
 */
export function parseItems(bytes: Uint8Array, member: string, shape: Shape): { value: unknown; rest: Uint8Array } | undefined {
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  } catch {
    return undefined;
  }
  if (!isRecord(body) || '__type' in body) return undefined;
  const value = body[member];
  if (value === undefined || value === null) return undefined;
  switch (shape) {
    case 'items':
      if (!convertItems(value)) return undefined;
      body[member] = [];
      break;
    case 'item':
      if (!convertItem(value)) return undefined;
      body[member] = {};
      break;
    case 'tables':
      if (!isRecord(value)) return undefined;
      for (const table in value) {
        if (table === '__proto__' || !convertItems(value[table])) return undefined;
      }
      body[member] = {};
      break;
  }
  if (!survivesJson(body)) return undefined;
  return { value, rest: Buffer.from(JSON.stringify(body), 'utf8') };
}

function convertItems(items: unknown): boolean {
  if (!Array.isArray(items)) return false;
  for (const item of items) {
    if (!convertItem(item)) return false;
  }
  return true;
}

function convertItem(item: unknown): boolean {
  if (!isRecord(item)) return false;
  for (const name in item) {
    if (name === '__proto__' || !convertValue(item[name])) return false;
  }
  return true;
}

/** Converts one attribute value in place, as the SDK's DynamoDB codec does; false for anything but one known member of the right type. */
function convertValue(value: unknown): boolean {
  if (!isRecord(value)) return false;
  let member: string | undefined;
  for (const key in value) {
    if (member !== undefined) return false;
    member = key;
  }
  switch (member) {
    case 'S':
    case 'N':
      return typeof value[member] === 'string';
    case 'BOOL':
      return typeof value[member] === 'boolean';
    case 'NULL':
      return value[member] === true;
    case 'SS':
    case 'NS':
      return isStringArray(value[member]);
    case 'B': {
      const bytes = decodeBase64(value[member]);
      if (bytes === undefined) return false;
      value[member] = bytes;
      return true;
    }
    case 'BS': {
      const texts = value[member];
      if (!Array.isArray(texts)) return false;
      const set: Uint8Array[] = [];
      for (const text of texts) {
        const bytes = decodeBase64(text);
        if (bytes === undefined) return false;
        set.push(bytes);
      }
      value[member] = set;
      return true;
    }
    case 'L': {
      const list = value[member];
      if (!Array.isArray(list)) return false;
      for (const element of list) {
        if (!convertValue(element)) return false;
      }
      return true;
    }
    case 'M': {
      const map = value[member];
      if (!isRecord(map)) return false;
      for (const name in map) {
        if (!convertValue(map[name])) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

/**
 * Decodes base64 the way the SDK's default decoder does (a `Uint8Array` over the decoded
 * `Buffer`'s memory), for text in canonical form only: what `Buffer` writes back for the decoded
 * bytes must be the text itself, which implies everything the SDK's decoder checks (length a
 * multiple of 4, standard alphabet, `=` only as padding).
 */
function decodeBase64(text: unknown): Uint8Array | undefined {
  if (typeof text !== 'string') return undefined;
  const buffer = Buffer.from(text, 'base64');
  if (buffer.toString('base64') !== text) return undefined;
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

/** True when `JSON.stringify` then `JSON.parse` gives `value` back: no `-0`, no infinite number. */
function survivesJson(value: unknown): boolean {
  if (typeof value === 'number') return Number.isFinite(value) && !Object.is(value, -0);
  if (typeof value !== 'object' || value === null) return true;
  if (Array.isArray(value)) return value.every(survivesJson);
  for (const key in value) {
    if (!survivesJson((value as Record<string, unknown>)[key])) return false;
  }
  return true;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isStringArray(value: unknown): boolean {
  return Array.isArray(value) && value.every((element) => typeof element === 'string');
}

let defaults: { readonly base64Decoder: unknown; readonly streamCollector: unknown; readonly protocol: unknown; readonly codec: unknown } | undefined;

/**
 * Whether `config` deserializes DynamoDB JSON as a client made with no options does: the same
 * base64 decoder and stream collector, protocol class and codec class (read once from such a
 * client, never used to send anything).
 */
function usesSdkDefaults(config: SerdeConfig): boolean {
  if (defaults === undefined) {
    const reference = new DynamoDBClient({ region: 'us-east-1' });
    const { base64Decoder, streamCollector, protocol } = reference.config;
    defaults = { base64Decoder, streamCollector, protocol: classOf(protocol), codec: classOf(codecOf(protocol)) };
    reference.destroy();
  }
  return (
    config.streamCollector === defaults.streamCollector &&
    config.base64Decoder === defaults.base64Decoder &&
    classOf(config.protocol) === defaults.protocol &&
    classOf(codecOf(config.protocol)) === defaults.codec
  );
}

function classOf(value: unknown): unknown {
  return typeof value === 'object' && value !== null ? value.constructor : undefined;
}

function codecOf(protocol: unknown): unknown {
  const getter = typeof protocol === 'object' && protocol !== null ? (protocol as { getPayloadCodec?: unknown }).getPayloadCodec : undefined;
  return typeof getter === 'function' ? (getter as () => unknown).call(protocol) : undefined;
}
