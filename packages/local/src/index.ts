export { startLocalDynamoDB, type LocalDynamoDBOptions } from './dynamodb.js';
export type { LocalService } from './service.js';
export {
  startLocalKms,
  DEFAULT_KMS_ACCOUNT_ID,
  DEFAULT_KMS_REGION,
  type KmsFaults,
  type KmsRequestRecord,
  type LocalKms,
  type LocalKmsKeyInfo,
  type LocalKmsKeyState,
  type LocalKmsOptions,
} from './kms/index.js';
