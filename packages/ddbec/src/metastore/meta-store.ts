import {
  CreateTableCommand,
  DescribeTableCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  type DynamoDBClient,
  type QueryCommandOutput,
} from '@aws-sdk/client-dynamodb';
import { DdbecError, transientFailure } from '../errors.js';
import type { Item } from '../format/index.js';
import type { CryptographicMaterialsProvider } from '../materials/index.js';
import { checkMaterialName } from '../providers/index.js';
import { Row } from './rows.js';
import { RowProviderStore } from './store-base.js';

export interface MetaStoreOptions {
  /** The caller's DynamoDB client (ddbec never creates one behind your back). */
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /** Protects the rows; usually a `DirectKmsMaterialsProvider`. */
  readonly materialsProvider: CryptographicMaterialsProvider;
}

export interface CreateMetaStoreTableOptions {
  /** `on-demand` (default) or provisioned capacity. */
  readonly billing?: 'on-demand' | { readonly readCapacityUnits: number; readonly writeCapacityUnits: number };
  /** How long to wait for the table to become ACTIVE, in ms (default 300 000). */
  readonly timeoutMs?: number;
  /** Polling interval while waiting, in ms (default 1 000). */
  readonly pollMs?: number;
}

const NAMES = { '#n': Row.MaterialName, '#v': Row.Version };

/** The codes of DynamoDB failures that may go away on their own (after the SDK's retries). */
const TRANSIENT_CODES = { throttled: 'ERR_METASTORE_THROTTLED', unavailable: 'ERR_METASTORE_UNAVAILABLE' } as const;

/**
 * Versioned wrapping and signing keys in a DynamoDB table (partition key `N` = material name,
 * sort key `V` = version), each row encrypted by an inner provider — the Java and Python
 * `MetaStore`, row for row (legacy-format §8.5). Use it with `MostRecentProvider`.
 */
export class MetaStore extends RowProviderStore {
  readonly #client: DynamoDBClient;

  constructor(options: MetaStoreOptions) {
    super(options.tableName, options.materialsProvider);
    if (typeof options.client?.send !== 'function') throw new DdbecError('ERR_INVALID_ARGUMENT', 'MetaStore needs a DynamoDB client');
    this.#client = options.client;
  }

  /** Creates the MetaStore table (`N` string hash key, `V` number range key) and waits until it is ACTIVE. */
  static async createTable(client: DynamoDBClient, tableName: string, options: CreateMetaStoreTableOptions = {}): Promise<void> {
    const billing = options.billing ?? 'on-demand';
    await call(tableName, 'CreateTable', () =>
      client.send(
        new CreateTableCommand({
          TableName: tableName,
          AttributeDefinitions: [
            { AttributeName: Row.MaterialName, AttributeType: 'S' },
            { AttributeName: Row.Version, AttributeType: 'N' },
          ],
          KeySchema: [
            { AttributeName: Row.MaterialName, KeyType: 'HASH' },
            { AttributeName: Row.Version, KeyType: 'RANGE' },
          ],
          ...(billing === 'on-demand'
            ? { BillingMode: 'PAY_PER_REQUEST' }
            : {
                BillingMode: 'PROVISIONED',
                ProvisionedThroughput: { ReadCapacityUnits: billing.readCapacityUnits, WriteCapacityUnits: billing.writeCapacityUnits },
              }),
        }),
      ),
    );
    const deadline = Date.now() + (options.timeoutMs ?? 300_000);
    for (;;) {
      const { Table } = await call(tableName, 'DescribeTable', () => client.send(new DescribeTableCommand({ TableName: tableName })));
      if (Table?.TableStatus === 'ACTIVE') return;
      if (Date.now() > deadline) throw new DdbecError('ERR_MATERIALS_UNAVAILABLE', `MetaStore table "${tableName}" did not become ACTIVE in time`);
      await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 1_000));
    }
  }

  /** Every version of a material, ascending. */
  async versions(materialName: string): Promise<number[]> {
    checkMaterialName(materialName);
    const versions: number[] = [];
    let start: QueryCommandOutput['LastEvaluatedKey'];
    do {
      const page = await this.#query(materialName, { ProjectionExpression: '#v', ExclusiveStartKey: start });
      for (const item of page.Items ?? []) versions.push(Number(item[Row.Version]?.N));
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
    return versions;
  }

  async maxVersion(materialName: string): Promise<number | undefined> {
    checkMaterialName(materialName);
    const page = await this.#query(materialName, { ScanIndexForward: false, Limit: 1, ProjectionExpression: '#v' });
    const version = page.Items?.[0]?.[Row.Version]?.N;
    return version === undefined ? undefined : Number(version);
  }

  protected async readRow(materialName: string, version: number): Promise<Item | undefined> {
    const { Item } = await call(this.tableName, 'GetItem', () =>
      this.#client.send(
        new GetItemCommand({
          TableName: this.tableName,
          Key: { [Row.MaterialName]: { S: materialName }, [Row.Version]: { N: String(version) } },
          ConsistentRead: true,
        }),
      ),
    );
    return Item;
  }

  protected async readNewestRow(materialName: string): Promise<Item | undefined> {
    const page = await this.#query(materialName, { ScanIndexForward: false, Limit: 1 });
    return page.Items?.[0];
  }

  protected async putRowIfAbsent(row: Item): Promise<boolean> {
    try {
      await this.#client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: row,
          ConditionExpression: 'attribute_not_exists(#n) AND attribute_not_exists(#v)',
          ExpressionAttributeNames: NAMES,
        }),
      );
      return true;
    } catch (error) {
      if ((error as { name?: unknown }).name === 'ConditionalCheckFailedException') return false;
      throw wrap(this.tableName, 'PutItem', error);
    }
  }

  #query(materialName: string, extra: Partial<ConstructorParameters<typeof QueryCommand>[0]>): Promise<QueryCommandOutput> {
    return call(this.tableName, 'Query', () =>
      this.#client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: '#n = :n',
          ExpressionAttributeNames: extra.ProjectionExpression?.includes('#v') ? NAMES : { '#n': Row.MaterialName },
          ExpressionAttributeValues: { ':n': { S: materialName } },
          ConsistentRead: true,
          ...extra,
        }),
      ),
    );
  }
}

async function call<T>(tableName: string, operation: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw wrap(tableName, operation, error);
  }
}

/**
 * A failed DynamoDB request: throttling and unavailability (after the SDK's retries) are the
 * retryable `ERR_METASTORE_THROTTLED` / `ERR_METASTORE_UNAVAILABLE`; anything else (no such
 * table, access denied, validation…) `ERR_MATERIALS_UNAVAILABLE`.
 */
function wrap(tableName: string, operation: string, error: unknown): DdbecError {
  const failure = transientFailure(error);
  const code = failure ? TRANSIENT_CODES[failure] : 'ERR_MATERIALS_UNAVAILABLE';
  const name = (error as { name?: unknown }).name;
  const message = error instanceof Error ? error.message : String(error);
  return new DdbecError(code, `MetaStore table "${tableName}": ${operation} failed (${String(name)}: ${message})`, { cause: error });
}
