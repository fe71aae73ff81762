/**
 * `ddbec/at-rest`: DynamoDB's own encryption at rest (server-side encryption with an AWS owned,
 * AWS managed or customer managed KMS key) — describe it, switch it safely, and audit every
 * table, with the user's `DynamoDBClient` and `KMSClient` (peer dependencies
 * `@aws-sdk/client-dynamodb` and `@aws-sdk/client-kms`). Independent of client-side encryption,
 * which it can report on when given the configured tables.
 */
export {
  ARCHIVE_AFTER_MS,
  describeTableEncryption,
  type AtRestClients,
  type TableEncryption,
  type TableKeyInfo,
  type TableKeyType,
} from './describe.js';
export { setTableEncryption, type EncryptionTarget, type SetTableEncryptionOptions, type SetTableEncryptionResult } from './set.js';
export { auditEncryption, SEVERITIES, type AuditOptions, type AuditReport, type AuditRow, type Finding, type FindingCode, type Severity } from './audit.js';
export { auditToJson, escapeHtml, formatAuditHtml, formatAuditJson, formatAuditText, type HtmlReportOptions, type TextReportOptions } from './report.js';
export { isTableKeyInaccessibleError } from './errors.js';
