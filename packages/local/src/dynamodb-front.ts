import { randomBytes } from 'node:crypto';
import { Agent, createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { crc32 } from './crc32.js';
import { close, listen } from './service.js';

/**
 * A thin HTTP front for a local DynamoDB (dynalite): every request is forwarded to the
 * backend unchanged, except the operations that have a handler — by default the two
 * transaction operations dynalite lacks (`TransactGetItems`, `TransactWriteItems`), emulated
 * here on top of the backend's item operations. Requests are counted per operation.
 *
 * Structure: a router keyed by operation name (the `X-Amz-Target` suffix) with a pass-through
 * default, so further emulations (e.g. encryption at rest) are one more handler each.
 */

/** One request as the front received it. */
export interface FrontRequest {
  /** The operation (`PutItem`, …) from `X-Amz-Target`; `''` when there is none. */
  readonly operation: string;
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  /** The body parsed as JSON (`undefined` when empty or not JSON). */
  json(): unknown;
}

/** An answer to send back. */
export interface FrontResponse {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string | Buffer;
}

/** A backend answer to a call made by a handler. */
export interface BackendReply {
  readonly status: number;
  /** The parsed JSON body. */
  readonly body: Record<string, unknown>;
  /** The error type (`ConditionalCheckFailedException`, …) for a failed call. */
  readonly errorType: string | undefined;
}

/** What a handler can do besides answering. */
export interface FrontContext {
  /** Sends the request to the backend unchanged and resolves with its answer (to pass on or adapt). */
  forward(request: FrontRequest): Promise<FrontResponse>;
  /** Calls one backend operation with a JSON input (authenticated with a placeholder signature). */
  call(operation: string, input: unknown): Promise<BackendReply>;
}

export type FrontHandler = (request: FrontRequest, context: FrontContext) => Promise<FrontResponse>;

/** A recorded request (`recordRequests: true`). */
export interface FrontRequestRecord {
  readonly operation: string;
  /** The body exactly as received. */
  readonly body: string;
}

export interface DynamoDBFrontOptions {
  /** The backend's endpoint, `http://127.0.0.1:<port>`. */
  readonly backend: string;
  /** Extra or replacement handlers, by operation name. The transaction emulations are installed unless replaced. */
  readonly handlers?: Readonly<Record<string, FrontHandler>>;
  /** Keep every request body in `requestLog` (for tests that inspect what went on the wire). */
  readonly recordRequests?: boolean;
}

const JSON_TYPE = 'application/x-amz-json-1.0';
const TARGET_PREFIX = 'DynamoDB_20120810.';

export class DynamoDBFront {
  readonly server: Server;
  readonly #backend: URL;
  readonly #agent = new Agent({ keepAlive: true });
  readonly #handlers = new Map<string, FrontHandler>();
  readonly #counts = new Map<string, number>();
  readonly #log: FrontRequestRecord[] = [];
  readonly #record: boolean;
  readonly #context: FrontContext;

  constructor(options: DynamoDBFrontOptions) {
    this.#backend = new URL(options.backend);
    this.#record = options.recordRequests ?? false;
    for (const [operation, handler] of Object.entries({ ...transactionHandlers, ...options.handlers })) this.handle(operation, handler);
    this.#context = {
      forward: (request) => this.#forward(request),
      call: (operation, input) => this.#call(operation, input),
    };
    this.server = createServer((req, res) => {
      this.#serve(req, res).catch((error: unknown) => {
        if (!res.headersSent) send(res, errorResponse('InternalServerError', error instanceof Error ? error.message : String(error), 500));
        else res.destroy();
      });
    });
  }

  /** Installs (or replaces) the handler of one operation. */
  handle(operation: string, handler: FrontHandler): void {
    this.#handlers.set(operation, handler);
  }

  /** Requests received so far, per operation (including handled ones). */
  get requests(): Readonly<Record<string, number>> {
    return Object.fromEntries(this.#counts);
  }

  /** The bodies received since the last reset, when recording. */
  get requestLog(): readonly FrontRequestRecord[] {
    return [...this.#log];
  }

  resetRequests(): void {
    this.#counts.clear();
    this.#log.length = 0;
  }

  listen(port: number): Promise<number> {
    return listen(this.server, port);
  }

  async close(): Promise<void> {
    await close(this.server);
    this.#agent.destroy();
  }

  async #serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const target = req.headers['x-amz-target'];
    const operation = typeof target === 'string' && target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : '';
    this.#counts.set(operation, (this.#counts.get(operation) ?? 0) + 1);
    if (this.#record) this.#log.push({ operation, body: body.toString('utf8') });
    let parsed: { value: unknown } | undefined;
    const request: FrontRequest = {
      operation,
      method: req.method ?? 'POST',
      url: req.url ?? '/',
      headers: req.headers,
      body,
      json() {
        if (!parsed) {
          try {
            parsed = { value: body.length === 0 ? undefined : JSON.parse(body.toString('utf8')) };
          } catch {
            parsed = { value: undefined };
          }
        }
        return parsed.value;
      },
    };
    const handler = this.#handlers.get(operation);
    send(res, handler ? await handler(request, this.#context) : await this.#forward(request));
  }

  #forward(request: FrontRequest): Promise<FrontResponse> {
    const headers: IncomingHttpHeaders = { ...request.headers, host: this.#backend.host, 'content-length': String(request.body.length) };
    delete headers['transfer-encoding'];
    return this.#exchange(request.method, request.url, headers, request.body);
  }

  async #call(operation: string, input: unknown): Promise<BackendReply> {
    const body = Buffer.from(JSON.stringify(input), 'utf8');
    const date = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+/, '');
    const reply = await this.#exchange('POST', '/', {
      host: this.#backend.host,
      'content-type': JSON_TYPE,
      'content-length': String(body.length),
      'x-amz-target': TARGET_PREFIX + operation,
      'x-amz-date': date,
      // dynalite checks the form of the signature, not its value.
      authorization: `AWS4-HMAC-SHA256 Credential=local/${date.slice(0, 8)}/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0`,
    }, body);
    const text = reply.body.toString();
    const parsedBody = (text === '' ? {} : JSON.parse(text)) as Record<string, unknown>;
    const type = parsedBody['__type'];
    return {
      status: reply.status,
      body: parsedBody,
      errorType: reply.status >= 300 && typeof type === 'string' ? type.slice(type.indexOf('#') + 1) : undefined,
    };
  }

  #exchange(method: string, path: string, headers: IncomingHttpHeaders, body: Buffer): Promise<FrontResponse & { body: Buffer }> {
    return new Promise((resolve, reject) => {
      const req = httpRequest(
        { host: this.#backend.hostname, port: this.#backend.port, method, path, headers, agent: this.#agent },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', reject);
          res.on('end', () => {
            const out: Record<string, string | string[] | undefined> = {};
            for (const [name, value] of Object.entries(res.headers)) {
              if (!['connection', 'keep-alive', 'transfer-encoding', 'content-length'].includes(name)) out[name] = value;
            }
            resolve({ status: res.statusCode ?? 500, headers: out, body: Buffer.concat(chunks) });
          });
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }
}

function send(res: ServerResponse, response: FrontResponse): void {
  const body = typeof response.body === 'string' ? Buffer.from(response.body, 'utf8') : response.body;
  res.statusCode = response.status;
  for (const [name, value] of Object.entries(response.headers ?? {})) if (value !== undefined) res.setHeader(name, value);
  res.setHeader('content-length', body.length);
  // DynamoDB's checksum of the body; SDKs that check it (botocore) reject a body a handler
  // changed under the backend's header, and retry a call that already succeeded.
  res.setHeader('x-amz-crc32', String(crc32(body)));
  res.end(body);
}

/** A DynamoDB JSON answer. */
export function jsonResponse(status: number, body: unknown): FrontResponse {
  return {
    status,
    headers: { 'content-type': JSON_TYPE, 'x-amzn-requestid': randomBytes(26).toString('hex').toUpperCase().slice(0, 52) },
    body: JSON.stringify(body),
  };
}

/** A DynamoDB error answer, in the JSON shape the SDK parses (`__type` names the exception). */
export function errorResponse(type: string, message: string, status = 400, extra: Readonly<Record<string, unknown>> = {}): FrontResponse {
  const namespace = type === 'ValidationException' ? 'com.amazon.coral.validate' : 'com.amazonaws.dynamodb.v20120810';
  const messageKey = type === 'TransactionCanceledException' ? 'Message' : 'message';
  return jsonResponse(status, { __type: `${namespace}#${type}`, [messageKey]: message, ...extra });
}

/** A backend error passed on as it came. */
function backendError(reply: BackendReply): FrontResponse {
  return jsonResponse(reply.status, reply.body);
}

// ---- transactions ------------------------------------------------------------------------

type AttributeMap = Record<string, unknown>;

let lockTail: Promise<unknown> = Promise.resolve();
/** Runs `work` after every transaction started before it (one process-wide queue). */
function serialized<T>(work: () => Promise<T>): Promise<T> {
  const run = lockTail.then(work, work);
  lockTail = run.catch(() => undefined);
  return run;
}

const WRITE_KINDS = ['ConditionCheck', 'Put', 'Delete', 'Update'] as const;
type WriteKind = (typeof WRITE_KINDS)[number];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function countError(items: unknown): FrontResponse | undefined {
  if (!Array.isArray(items) || items.length === 0) {
    return errorResponse('ValidationException', "1 validation error detected: Value null at 'transactItems' failed to satisfy constraint: Member must not be null");
  }
  if (items.length > 100) {
    return errorResponse(
      'ValidationException',
      `1 validation error detected: Value '[${items.length} items]' at 'transactItems' failed to satisfy constraint: Member must have length less than or equal to 100`,
    );
  }
  return undefined;
}

/** Key attribute names per table (DescribeTable), or the backend's error. */
async function keyNamesOf(context: FrontContext, table: unknown, cache: Map<string, string[]>): Promise<string[] | FrontResponse> {
  if (typeof table !== 'string') return errorResponse('ValidationException', 'TableName is required in every transaction action');
  const known = cache.get(table);
  if (known) return known;
  const reply = await context.call('DescribeTable', { TableName: table });
  if (reply.errorType) return backendError(reply);
  const schema = ((reply.body['Table'] as AttributeMap | undefined)?.['KeySchema'] ?? []) as { AttributeName: string }[];
  const names = schema.map((element) => element.AttributeName);
  cache.set(table, names);
  return names;
}

function keyOf(source: unknown, names: readonly string[]): AttributeMap | undefined {
  if (!isRecord(source)) return undefined;
  const key: AttributeMap = {};
  for (const name of names) {
    if (source[name] === undefined) return undefined;
    key[name] = source[name];
  }
  return key;
}

function identity(table: string, key: AttributeMap): string {
  return `${table}\u0000${JSON.stringify(Object.keys(key).sort().map((name) => [name, key[name]]))}`;
}

function pick(source: Record<string, unknown>, names: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of names) if (source[name] !== undefined) out[name] = source[name];
  return out;
}

const EXPRESSION_MEMBERS = ['ConditionExpression', 'ExpressionAttributeNames', 'ExpressionAttributeValues'];

/** TransactGetItems: consistent GetItems, serialized with transactions. */
export const transactGetItems: FrontHandler = async (request, context) => {
  const input = request.json();
  const items = isRecord(input) ? input['TransactItems'] : undefined;
  const invalid = countError(items);
  if (invalid) return invalid;
  const gets: { table: string; key: AttributeMap; params: Record<string, unknown> }[] = [];
  const seen = new Set<string>();
  for (const entry of items as unknown[]) {
    const get = isRecord(entry) ? entry['Get'] : undefined;
    if (!isRecord(get) || typeof get['TableName'] !== 'string' || !isRecord(get['Key'])) {
      return errorResponse('ValidationException', 'Every TransactGetItems action needs Get with TableName and Key');
    }
    const id = identity(get['TableName'], get['Key']);
    if (seen.has(id)) return errorResponse('ValidationException', 'Transaction request cannot include multiple operations on one item');
    seen.add(id);
    gets.push({ table: get['TableName'], key: get['Key'], params: get });
  }
  return serialized(async () => {
    const responses: Record<string, unknown>[] = [];
    for (const get of gets) {
      const reply = await context.call('GetItem', {
        ...pick(get.params, ['TableName', 'Key', 'ProjectionExpression', 'ExpressionAttributeNames']),
        ConsistentRead: true,
      });
      if (reply.errorType) return backendError(reply);
      const item = reply.body['Item'];
      responses.push(item === undefined ? {} : { Item: item });
    }
    return jsonResponse(200, { Responses: responses });
  });
};

/**
 * TransactWriteItems: all or nothing, serialized with other transactions. The current image
 * of every touched item is saved, the actions are applied one by one with their conditions
 * (a ConditionCheck is evaluated by a conditional write that leaves the item as it was), and
 * on any failure every item is put back as it was. Failed conditions answer
 * `TransactionCanceledException` with one `CancellationReasons` entry per action.
 * `ClientRequestToken` idempotency is not emulated.
 */
export const transactWriteItems: FrontHandler = async (request, context) => {
  const input = request.json();
  const items = isRecord(input) ? input['TransactItems'] : undefined;
  const invalid = countError(items);
  if (invalid) return invalid;
  const actions: { kind: WriteKind; params: Record<string, unknown> }[] = [];
  for (const entry of items as unknown[]) {
    const kinds = WRITE_KINDS.filter((kind) => isRecord(entry) && entry[kind] !== undefined);
    const kind = kinds[0];
    if (kinds.length !== 1 || kind === undefined) {
      return errorResponse('ValidationException', 'TransactItems can only contain one of Check, Put, Update or Delete');
    }
    const params = (entry as Record<string, unknown>)[kind];
    if (!isRecord(params)) return errorResponse('ValidationException', `${kind} must be an object`);
    actions.push({ kind, params });
  }

  return serialized(async () => {
    const schemas = new Map<string, string[]>();
    const planned: { kind: WriteKind; params: Record<string, unknown>; table: string; key: AttributeMap; before: unknown }[] = [];
    const seen = new Set<string>();
    for (const { kind, params } of actions) {
      const names = await keyNamesOf(context, params['TableName'], schemas);
      if (!Array.isArray(names)) return names;
      const table = params['TableName'] as string;
      const key = keyOf(kind === 'Put' ? params['Item'] : params['Key'], names);
      if (!key) return errorResponse('ValidationException', 'The provided key element does not match the schema');
      const id = identity(table, key);
      if (seen.has(id)) return errorResponse('ValidationException', 'Transaction request cannot include multiple operations on one item');
      seen.add(id);
      planned.push({ kind, params, table, key, before: undefined });
    }
    for (const action of planned) {
      const reply = await context.call('GetItem', { TableName: action.table, Key: action.key, ConsistentRead: true });
      if (reply.errorType) return backendError(reply);
      action.before = reply.body['Item'];
    }

    const restore = async (): Promise<void> => {
      for (const action of [...planned].reverse()) {
        if (action.before === undefined) await context.call('DeleteItem', { TableName: action.table, Key: action.key });
        else await context.call('PutItem', { TableName: action.table, Item: action.before });
      }
    };

    const reasons: Record<string, unknown>[] = [];
    for (const action of planned) {
      const { kind, params, table, key } = action;
      const conditions = pick(params, EXPRESSION_MEMBERS);
      let reply: BackendReply;
      if (kind === 'Put') reply = await context.call('PutItem', { TableName: table, Item: params['Item'], ...conditions });
      else if (kind === 'Delete') reply = await context.call('DeleteItem', { TableName: table, Key: key, ...conditions });
      else if (kind === 'Update') {
        reply = await context.call('UpdateItem', { TableName: table, Key: key, UpdateExpression: params['UpdateExpression'], ...conditions });
      } else {
        reply = await context.call('PutItem', { TableName: table, Item: action.before ?? key, ...conditions });
        if (!reply.errorType && action.before === undefined) await context.call('DeleteItem', { TableName: table, Key: key });
      }
      if (reply.errorType === 'ConditionalCheckFailedException') {
        const withItem = params['ReturnValuesOnConditionCheckFailure'] === 'ALL_OLD' && action.before !== undefined;
        reasons.push({ Code: 'ConditionalCheckFailed', Message: 'The conditional request failed', ...(withItem ? { Item: action.before } : {}) });
      } else if (reply.errorType) {
        await restore();
        return backendError(reply);
      } else {
        reasons.push({ Code: 'None' });
      }
    }
    if (reasons.some((reason) => reason['Code'] !== 'None')) {
      await restore();
      const codes = reasons.map((reason) => String(reason['Code'])).join(', ');
      return errorResponse('TransactionCanceledException', `Transaction cancelled, please refer cancellation reasons for specific reasons [${codes}]`, 400, {
        CancellationReasons: reasons,
      });
    }
    return jsonResponse(200, {});
  });
};

/** The handlers installed by default. */
export const transactionHandlers: Readonly<Record<string, FrontHandler>> = {
  TransactGetItems: transactGetItems,
  TransactWriteItems: transactWriteItems,
};
