import { QueryCommand, type QueryCommandInput, type QueryCommandOutput } from '@aws-sdk/client-dynamodb';
import { DdbecError } from '../errors.js';
import { numberOfQueries as queriesFor } from '../searchable/query.js';
import { PARTITION_VALUE } from '../searchable/types.js';
import { documentInternalsOf, internalsOf, type EncryptedDynamoDBClient } from './client.js';
import type { EncryptionEngine } from './engine.js';
import { convertAttributes } from './marshalling.js';

/** A Query input (`QueryCommandInput`, or lib-dynamodb's); its key condition decides how many queries it takes. */
export interface BeaconQueryInput {
  readonly [member: string]: unknown;
  readonly TableName?: string | undefined;
  readonly KeyConditionExpression?: string | undefined;
  readonly ExpressionAttributeNames?: Record<string, string> | undefined;
  readonly ExpressionAttributeValues?: Record<string, unknown> | undefined;
  readonly ExclusiveStartKey?: Record<string, unknown> | undefined;
}

/** A page of {@link queryAllPartitionsDocument}: lib-dynamodb's `QueryCommandOutput`, items with native values. */
export type DocumentQueryPage = Omit<QueryCommandOutput, 'Items' | 'LastEvaluatedKey'> & {
  Items?: Record<string, unknown>[] | undefined;
  LastEvaluatedKey?: Record<string, unknown> | undefined;
};

/**
 * How many queries find every item a Query matches on a table with beacon partitions
 * (GetNumberOfQueries): send it once per partition, with `:aws_dbe_partition` set to 0, 1, …
 * n − 1 in its `ExpressionAttributeValues`, and merge the results. 1 when the key condition
 * compares no partitioned beacon (and for a table without beacons).
 */
export async function numberOfQueries(client: EncryptedDynamoDBClient, input: BeaconQueryInput): Promise<number> {
  return count(internalsOf(client, 'numberOfQueries').engine, input);
}

/** {@link numberOfQueries} for a `DynamoDBDocumentClient` made from an `EncryptedDynamoDBClient` (native values). */
export async function numberOfQueriesDocument(documentClient: { readonly config: object }, input: BeaconQueryInput): Promise<number> {
  const { engine, translateConfig } = documentInternalsOf(documentClient, 'numberOfQueriesDocument');
  const values = input.ExpressionAttributeValues;
  const marshalled = values === undefined ? undefined : await convertAttributes(values, 'marshall', translateConfig?.marshallOptions, `numberOfQueriesDocument on table "${input.TableName ?? ''}", ExpressionAttributeValues`);
  return count(engine, { ...input, ExpressionAttributeValues: marshalled });
}

async function count(engine: EncryptionEngine, input: BeaconQueryInput): Promise<number> {
  if (typeof input !== 'object' || input === null || typeof input.TableName !== 'string') throw new DdbecError('ERR_INVALID_ARGUMENT', 'numberOfQueries needs a Query input with TableName');
  const table = await engine.registry.resolve(input.TableName);
  return table?.searchable === undefined ? 1 : queriesFor(input, table.searchable);
}

/**
 * Every page of a Query over every beacon partition it needs: {@link numberOfQueries} queries,
 * `:aws_dbe_partition` set to 0, 1, … in turn, each paginated to its end (`ExclusiveStartKey`).
 * Together the pages hold exactly the items the Query matches (an item is in one partition).
 * The input names no `:aws_dbe_partition` and no `ExclusiveStartKey`; a table without beacon
 * partitions takes one paginated query.
 */
export async function* queryAllPartitions(client: EncryptedDynamoDBClient, input: QueryCommandInput): AsyncGenerator<QueryCommandOutput, void, undefined> {
  const query: BeaconQueryInput = { ...input };
  checkAllPartitionsInput(query, 'queryAllPartitions');
  const queries = await numberOfQueries(client, query);
  yield* pages(queries, query, (partition) => ({ N: String(partition) }), (page) => client.send(new QueryCommand(page as QueryCommandInput)));
}

/**
 * {@link queryAllPartitions} for a `DynamoDBDocumentClient` made from an `EncryptedDynamoDBClient`
 * (lib-dynamodb's `QueryCommandInput`, native values).
 */
export async function* queryAllPartitionsDocument(
  documentClient: { readonly config: object },
  input: BeaconQueryInput & { readonly TableName: string },
): AsyncGenerator<DocumentQueryPage, void, undefined> {
  checkAllPartitionsInput(input, 'queryAllPartitionsDocument');
  const queries = await numberOfQueriesDocument(documentClient, input);
  const { QueryCommand: DocumentQueryCommand } = await import('@aws-sdk/lib-dynamodb');
  const sender = documentClient as { readonly config: object; send(command: InstanceType<typeof DocumentQueryCommand>): Promise<DocumentQueryPage> };
  yield* pages(queries, input, (partition) => partition, (page) => sender.send(new DocumentQueryCommand(page as ConstructorParameters<typeof DocumentQueryCommand>[0])));
}

function checkAllPartitionsInput(input: BeaconQueryInput, what: string): void {
  if (typeof input !== 'object' || input === null) throw new DdbecError('ERR_INVALID_ARGUMENT', `${what} needs a Query input`);
  if (input.ExpressionAttributeValues?.[PARTITION_VALUE] !== undefined) {
    throw new DdbecError('ERR_INVALID_ARGUMENT', `${what} sets ${PARTITION_VALUE} itself, once per partition: remove it from ExpressionAttributeValues`);
  }
  if (input.ExclusiveStartKey !== undefined) throw new DdbecError('ERR_INVALID_ARGUMENT', `${what} reads every partition from its start: remove ExclusiveStartKey`);
}

/** The pages of `queries` queries (partition 0, 1, …; the input as it is when there is one), each to its end. */
async function* pages<Page extends { readonly LastEvaluatedKey?: Record<string, unknown> | undefined }>(
  queries: number,
  input: BeaconQueryInput,
  partitionValue: (partition: number) => unknown,
  send: (input: BeaconQueryInput) => Promise<Page>,
): AsyncGenerator<Page, void, undefined> {
  for (let partition = 0; partition < queries; partition += 1) {
    const values = queries === 1 ? input.ExpressionAttributeValues : { ...input.ExpressionAttributeValues, [PARTITION_VALUE]: partitionValue(partition) };
    let start: Record<string, unknown> | undefined;
    do {
      const page = await send({ ...input, ExpressionAttributeValues: values, ...(start === undefined ? {} : { ExclusiveStartKey: start }) });
      yield page;
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
  }
}
