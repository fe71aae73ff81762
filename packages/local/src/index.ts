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
export type { LocalDynamoDB } from './dynamodb.js';
export {
  DynamoDBFront,
  errorResponse,
  jsonResponse,
  transactGetItems,
  transactionHandlers,
  transactWriteItems,
  type BackendReply,
  type DynamoDBFrontOptions,
  type FrontContext,
  type FrontHandler,
  type FrontRequest,
  type FrontRequestRecord,
  type FrontResponse,
} from './dynamodb-front.js';
export { AtRestEmulation, AT_REST_FILE_NAME, type AtRestOptions } from './at-rest.js';
export { findSoftHsmModule, initSoftHsmToken, type SoftHsmToken, type SoftHsmTokenOptions } from './softhsm.js';
