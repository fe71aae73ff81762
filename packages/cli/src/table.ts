import {
  DeleteItemCommand,
  GetItemCommand,
  paginateQuery,
  paginateScan,
  PutItemCommand,
  type DynamoDBClient,
  type QueryCommandInput,
  type ScanCommandInput,
} from '@aws-sdk/client-dynamodb';
import { isDdbecError, type CryptoAction, type Item } from 'ddbec';
import type { DbesdkTableConfig, TableConfig } from 'ddbec/config';
import { decryptionFailures, EncryptedDynamoDBClient, queryAllPartitions } from 'ddbec/sdk';

/** An item that could not be verified or decrypted, by its key. */
export interface ReadFailure {
  readonly key: Item;
  readonly code: string;
  readonly message: string;
}

export interface PageResult {
  readonly items: Item[];
  readonly failures: ReadFailure[];
  readonly scannedCount: number;
}

/** The key attributes of an item. */
export function keyOf(config: Pick<TableConfig, 'partitionKey' | 'sortKey'>, item: Item): Item {
  const key: Item = {};
  for (const name of [config.partitionKey, config.sortKey]) {
    const value = name === undefined ? undefined : item[name];
    if (name !== undefined && value !== undefined) key[name] = value;
  }
  return key;
}

/**
 * One configured table through the SDK integration (`ddbec/sdk`): an encrypting client made
 * from the plain one encrypts on PutItem and verifies and decrypts on reads; the plain client
 * reads items as stored.
 */
export class EncryptedTable<Config extends TableConfig | DbesdkTableConfig = TableConfig | DbesdkTableConfig> {
  readonly config: Config;
  readonly #plain: DynamoDBClient;
  readonly #encrypted: EncryptedDynamoDBClient;

  /** A DB-ESDK table's indexes are read with DescribeTable (a query may use the GSI of a beacon). */
  constructor(config: Config, client: DynamoDBClient) {
    this.config = config;
    this.#plain = client;
    this.#encrypted = EncryptedDynamoDBClient.from(client, {
      tables: {
        [config.tableName]:
          config.format === 'dbesdk'
            ? { ...config.config, keySchema: undefined }
            : { itemEncryptor: config.encryptor, attributeActions: config.attributeActions, keySchema: { partitionKey: config.partitionKey, sortKey: config.sortKey } },
      },
      decryptionFailures: 'report',
    });
  }

  get name(): string {
    return this.config.tableName;
  }

  /** What the table does with an attribute. */
  actionOf(attribute: string): CryptoAction {
    const config: TableConfig | DbesdkTableConfig = this.config;
    return config.format === 'dbesdk' ? config.encryptor.actionOf(attribute) : config.attributeActions.actionOf(attribute);
  }

  keyOf(item: Item): Item {
    return keyOf(this.config, item);
  }

  async put(item: Item): Promise<void> {
    await this.#encrypted.send(new PutItemCommand({ TableName: this.name, Item: item }));
  }

  /** The stored item, not decrypted (undefined when absent). */
  async getRaw(key: Item): Promise<Item | undefined> {
    const { Item: stored } = await this.#plain.send(new GetItemCommand({ TableName: this.name, Key: key, ConsistentRead: true }));
    return stored;
  }

  async get(key: Item): Promise<Item | undefined> {
    const { Item: item } = await this.#encrypted.send(new GetItemCommand({ TableName: this.name, Key: key, ConsistentRead: true }));
    return item;
  }

  /** Deletes an item; returns the stored item that was there (undefined when there was none). */
  async delete(key: Item): Promise<Item | undefined> {
    const { Attributes } = await this.#plain.send(new DeleteItemCommand({ TableName: this.name, Key: key, ReturnValues: 'ALL_OLD' }));
    return Attributes;
  }

  /**
   * The pages of a Query, read as they are asked for: over every beacon partition it needs
   * (`queryAllPartitions`), or the one its ExpressionAttributeValues name (`:aws_dbe_partition`).
   */
  async *query(input: Omit<QueryCommandInput, 'TableName'>): AsyncGenerator<PageResult, void, undefined> {
    const full = { ...input, TableName: this.name };
    const pages = input.ExpressionAttributeValues?.[':aws_dbe_partition'] === undefined ? queryAllPartitions(this.#encrypted, full) : paginateQuery({ client: this.#encrypted }, full);
    for await (const output of pages) yield page(output);
  }

  /** The pages of a Scan (one pass covers every beacon partition), read as they are asked for. */
  async *scan(input: Omit<ScanCommandInput, 'TableName'>): AsyncGenerator<PageResult, void, undefined> {
    for await (const output of paginateScan({ client: this.#encrypted }, { ...input, TableName: this.name })) yield page(output);
  }
}

function page(output: { Items?: Record<string, unknown>[] | undefined; ScannedCount?: number | undefined }): PageResult {
  const failures = decryptionFailures(output).map((failure): ReadFailure => {
    const error: unknown = failure.error;
    return {
      key: failure.key,
      code: isDdbecError(error) ? error.code : 'ERROR',
      message: error instanceof Error ? error.message : String(error),
    };
  });
  return {
    items: (output.Items ?? []) as Item[],
    failures,
    scannedCount: output.ScannedCount ?? 0,
  };
}
