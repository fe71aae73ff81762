export { startLocalDynamoDB, type LocalDynamoDBOptions } from './dynamodb.js';
export type { LocalService } from './service.js';
