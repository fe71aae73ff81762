export {
  DynamoDbBranchKeyStore,
  type CreateKeyOptions,
  type CreateKeyStoreOptions,
  type DynamoDbBranchKeyStoreOptions,
  type KeyStoreInfo,
  type KmsConfiguration,
} from './branch-key-store.js';
