/**
 * `ddbec/sdk` — the AWS SDK for JavaScript v3 integration: an encrypting `DynamoDBClient`
 * (which `@aws-sdk/lib-dynamodb`'s `DynamoDBDocumentClient.from` and the paginators accept) and
 * its aggregated `DynamoDB` form (`EncryptedDynamoDB`, for dynamoose), a safe read-modify-write
 * for encrypted attributes, and a DynamoDB Streams decryptor.
 * Peer dependency: `@aws-sdk/client-dynamodb` (and `@aws-sdk/lib-dynamodb` for DocumentClient use).
 */
export { EncryptedDynamoDBClient } from './client.js';
export { EncryptedDynamoDB } from './aggregated.js';
export type { DbesdkTableEncryptionConfig, EncryptionConfig, IndexKeySchema, TableEncryptionConfig, TableKeySchema } from './config.js';
export { DynamoDbItemEncryptor, type DynamoDbItemEncryptorConfig, type LegacyOverride } from '../migration/item-encryptor.js';
export { LegacyPolicy, PlaintextPolicy, type ItemFormat } from '../migration/policies.js';
export type { Settled } from './concurrency.js';
export { DECRYPTION_FAILURES, decryptionFailures, type DecryptionFailure } from './engine.js';
export {
  numberOfQueries,
  numberOfQueriesDocument,
  queryAllPartitions,
  queryAllPartitionsDocument,
  type BeaconQueryInput,
  type DocumentQueryPage,
} from './beacon-queries.js';
export { ITEM_DECRYPT_MIDDLEWARE, ITEM_ENCRYPT_MIDDLEWARE } from './middleware.js';
export { readModifyWrite, readModifyWriteDocument, type ReadModifyWriteInput, type ReadModifyWriteOutput } from './read-modify-write.js';
export {
  StreamRecordDecryptor,
  type DecryptedStreamRecord,
  type StreamAttributeValue,
  type StreamRecordDecryptorOptions,
  type StreamRecordLike,
} from './streams.js';
