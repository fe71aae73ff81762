/**
 * `ddbec.config.json`: one configuration of encrypted tables, shared by apps and the `ddbec`
 * CLI. `loadConfig` validates it (errors name the JSON path), reads the keys and builds each
 * table's materials provider and attribute actions. The JSON Schema ships in the
 * package as `ddbec.config.schema.json` (`"$schema": "./node_modules/ddbec/ddbec.config.schema.json"`).
 */
export {
  ConfigError,
  isConfigError,
  loadConfig,
  tableActions,
  usesPkcs11Keys,
  validateConfig,
  type ActionName,
  type ConfigFile,
  type DbesdkActionName,
  type DbesdkTableConfig,
  type DbesdkTableConfigFile,
  type HierarchicalKeyringConfig,
  type KmsKeyringConfig,
  type KeyringConfig,
  type RawAesKeyringConfig,
  isDbesdkTableFile,
  providerOf,
  type DirectKmsProviderConfig,
  type InnerProviderConfig,
  type KeySourceConfig,
  type LoadConfigOptions,
  type LoadedConfig,
  type MostRecentProviderConfig,
  type MostRecentSetup,
  type OrmConfig,
  type ProviderConfig,
  type StaticProviderConfig,
  type TableConfig,
  type TableConfigFile,
  type WrappedProviderConfig,
} from './load.js';
export { CONFIG_SCHEMA } from './schema.js';
export { openPkcs11Token, type Pkcs11Config, type Pkcs11KeySourceConfig, type Pkcs11PinSource } from './pkcs11.js';
export { describeKey, formatSecretKeyFile, parseKeyText, type ConfigKey } from './key-file.js';
export type { ConfigIssue } from './validate.js';
