import { DynamoDB, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { encryptingCopy } from './client.js';
import type { EncryptionConfig } from './config.js';

/**
 * The encrypting form of the aggregated `DynamoDB` client of `@aws-sdk/client-dynamodb` — the
 * one with a method per operation (`putItem()`, `query()`, …), which dynamoose needs:
 * `dynamoose.aws.ddb.set(EncryptedDynamoDB.from(client, config))`. It behaves as
 * `EncryptedDynamoDBClient` does (same middleware, same refusals) and is accepted
 * wherever one is (`readModifyWrite`, `DynamoDBDocumentClient.from`).
 */
export class EncryptedDynamoDB extends DynamoDB {
  /** Not callable: use {@link EncryptedDynamoDB.from}. */
  private constructor() {
    super({});
  }

  /**
   * Wraps `client` (a `DynamoDBClient` or a `DynamoDB`), which is left as it was: see
   * `EncryptedDynamoDBClient.from`.
   */
  static from(client: DynamoDBClient, config: EncryptionConfig): EncryptedDynamoDB {
    return encryptingCopy(client, config, EncryptedDynamoDB.prototype, 'EncryptedDynamoDB.from');
  }

  /** Does nothing: the client it was made from owns the sockets; destroy that one. */
  override destroy(): void {
    // The HTTP handler belongs to the original client.
  }
}
