export { isMultiRegionKey, mrkMatch, parseKmsArn, type KmsArn } from './arn.js';
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
} from './kms-keyrings.js';
