/**
 * `ddbec/dbesdk/aws` — the DB-ESDK keyrings and the branch key store that call AWS (KMS and
 * DynamoDB through the AWS SDK v3 clients you pass in). Separate from `ddbec/dbesdk` so that
 * the item format and the raw keyrings load without the optional AWS SDK peer dependencies.
 */
export {
  AwsKmsDiscoveryKeyring,
  AwsKmsKeyring,
  AwsKmsMrkDiscoveryKeyring,
  AwsKmsMrkKeyring,
  KMS_PROVIDER_ID,
  type AwsKmsDiscoveryKeyringOptions,
  type AwsKmsKeyringOptions,
  type AwsKmsMrkDiscoveryKeyringOptions,
  type DiscoveryFilter,
} from '../keyrings/kms/kms-keyrings.js';
export { isMultiRegionKey, mrkMatch, parseKmsArn, type KmsArn } from '../keyrings/kms/arn.js';
export {
  DynamoDbBranchKeyStore,
  type CreateKeyOptions,
  type CreateKeyStoreOptions,
  type DynamoDbBranchKeyStoreOptions,
  type KeyStoreInfo,
  type KmsConfiguration,
} from '../keyrings/branch-key-store/index.js';
