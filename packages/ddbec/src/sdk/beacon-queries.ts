import { DdbecError } from '../errors.js';
import { numberOfQueries as queriesFor } from '../searchable/query.js';
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
}

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
