import { DescribeTableCommand, DynamoDBClient, type KeySchemaElement } from '@aws-sdk/client-dynamodb';
import { DdbecError } from '../errors.js';
import { TableRegistry, type EncryptionConfig, type IndexKeySchema, type TableKeySchema } from './config.js';
import { EncryptionEngine } from './engine.js';
import type { TranslateConfig } from './marshalling.js';
import { addEncryptionMiddleware, ITEM_ENCRYPT_MIDDLEWARE } from './middleware.js';

interface Internals {
  readonly engine: EncryptionEngine;
  /** The caller's client, without ddbec's middleware: used for DescribeTable and by readModifyWrite. */
  readonly base: DynamoDBClient;
}

const internals = new WeakMap<object, Internals>();
/** By the config object of each encrypted client. */
const documents = new WeakMap<object, Internals>();

/**
 * A `DynamoDBClient` that encrypts and signs items on the way out and verifies and decrypts
 * them on the way back, for the tables in its {@link EncryptionConfig}. Use it like the client
 * it was made from — `send(new PutItemCommand(…))`, `paginateQuery({ client }, …)`,
 * `DynamoDBDocumentClient.from(encrypted)`.
 *
 * Made with {@link EncryptedDynamoDBClient.from}: it shares the original client's
 * configuration values (credentials, region, endpoint, HTTP handler) through a copy of its
 * config object — so nothing, e.g. a DocumentClient's `translateConfig`, is ever written onto
 * the caller's — and a clone of its middleware stack, to which it adds the named middleware
 * `ItemEncrypt` and `ItemDecrypt`. The original client is left exactly as it was and keeps
 * sending plain requests.
 */
export class EncryptedDynamoDBClient extends DynamoDBClient {
  /** Not callable: use {@link EncryptedDynamoDBClient.from}. */
  private constructor() {
    super();
  }

  /**
   * Wraps `client`. Validates the configuration at once: tables with an explicit `keySchema`
   * are checked now (e.g. an `EncryptAndSign` override on an index key throws
   * `ERR_KEY_ATTRIBUTE_ENCRYPTED` here); the others on first use, after DescribeTable.
   */
  static from(client: DynamoDBClient, config: EncryptionConfig): EncryptedDynamoDBClient {
    return encryptingCopy(client, config, EncryptedDynamoDBClient.prototype, 'EncryptedDynamoDBClient.from');
  }

  /** Does nothing: the client it was made from owns the sockets; destroy that one. */
  override destroy(): void {
    // The HTTP handler belongs to the original client (as with DynamoDBDocumentClient).
  }
}

/**
 * @internal The work of {@link EncryptedDynamoDBClient.from}, for an object with `prototype`
 * (a `DynamoDBClient` class's prototype, e.g. the aggregated `DynamoDB` client's).
 */
export function encryptingCopy<T extends DynamoDBClient>(client: DynamoDBClient, config: EncryptionConfig, prototype: T, what: string): T {
  if (typeof client !== 'object' || client === null || typeof client.send !== 'function' || typeof client.middlewareStack?.clone !== 'function') {
    throw new DdbecError('ERR_INVALID_ARGUMENT', `${what} needs a DynamoDBClient from @aws-sdk/client-dynamodb`);
  }
  if (internals.has(client) || client.middlewareStack.identify().some((entry) => entry.startsWith(`${ITEM_ENCRYPT_MIDDLEWARE} `))) {
    throw new DdbecError('ERR_INVALID_ARGUMENT', 'the client already encrypts items; wrap the plain DynamoDBClient instead');
  }
  const engine = new EncryptionEngine(new TableRegistry(config, (table) => readKeySchema(client, table)));
  const stack = client.middlewareStack.clone();
  const self = Object.create(prototype) as T;
  const ownConfig = { ...client.config };
  Object.defineProperty(self, 'config', { value: ownConfig, enumerable: true, writable: true, configurable: true });
  Object.defineProperty(self, 'middlewareStack', { value: stack, enumerable: true, writable: true, configurable: true });
  addEncryptionMiddleware(stack, engine, () => translateConfigOf(self), ownConfig);
  internals.set(self, { engine, base: client });
  // A DynamoDBDocumentClient made from this client shares this config object (see readModifyWriteDocument)
  documents.set(ownConfig, { engine, base: client });
  return self;
}

/** @internal */
export function internalsOf(client: unknown, what: string): Internals {
  const found = typeof client === 'object' && client !== null ? internals.get(client) : undefined;
  if (!found) throw new DdbecError('ERR_INVALID_ARGUMENT', `${what} needs an EncryptedDynamoDBClient`);
  return found;
}

/** @internal The internals of the encrypted client a `DynamoDBDocumentClient` was made from, and its options. */
export function documentInternalsOf(client: unknown, what: string): Internals & { readonly translateConfig: TranslateConfig | undefined } {
  const config = typeof client === 'object' && client !== null ? (client as { config?: unknown }).config : undefined;
  const found = typeof config === 'object' && config !== null ? documents.get(config) : undefined;
  if (!found) throw new DdbecError('ERR_INVALID_ARGUMENT', `${what} needs a DynamoDBDocumentClient made from an EncryptedDynamoDBClient`);
  return { ...found, translateConfig: translateConfigOf(client as { config: object }) };
}

/** The options lib-dynamodb's `DynamoDBDocumentClient.from` wrote onto a client's config. */
function translateConfigOf(client: { readonly config: object }): TranslateConfig | undefined {
  return (client.config as { translateConfig?: TranslateConfig }).translateConfig;
}

/** Reads a table's key schema, its indexes' keys and projections with DescribeTable. */
export async function readKeySchema(client: DynamoDBClient, tableName: string): Promise<TableKeySchema> {
  const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
  const keys = (schema: readonly KeySchemaElement[] | undefined): { partitionKey: string; sortKey: string | undefined } => ({
    partitionKey: schema?.find((k) => k.KeyType === 'HASH')?.AttributeName ?? '',
    sortKey: schema?.find((k) => k.KeyType === 'RANGE')?.AttributeName,
  });
  const primary = keys(Table?.KeySchema);
  if (primary.partitionKey === '') {
    throw new DdbecError('ERR_INVALID_ARGUMENT', `DescribeTable returned no key schema for table "${tableName}"`);
  }
  const indexes: IndexKeySchema[] = [];
  for (const [type, list] of [
    ['global', Table?.GlobalSecondaryIndexes],
    ['local', Table?.LocalSecondaryIndexes],
  ] as const) {
    for (const index of list ?? []) {
      const projection = index.Projection?.ProjectionType;
      indexes.push({
        indexName: index.IndexName ?? '',
        type,
        ...keys(index.KeySchema),
        projection: projection === 'ALL' || projection === 'KEYS_ONLY' || projection === 'INCLUDE' ? projection : undefined,
      });
    }
  }
  return { ...primary, indexes };
}
