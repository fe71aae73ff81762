import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { KMSClient } from '@aws-sdk/client-kms';
import { DdbecError, isDdbecError } from '../errors.js';
import { CryptoAction, MATERIAL_DESCRIPTION_ATTRIBUTE, SIGNATURE_ATTRIBUTE } from '../format/index.js';
import { RsaPrivateKey, SecretKey, type ContentKey, type SigningKey, type UnwrappingKey, type VerificationKey, type WrappingKey } from '../crypto/index.js';
import type { CryptographicMaterialsProvider, EncryptionContext } from '../materials/index.js';
import { MostRecentProvider, StaticMaterialsProvider, WrappedMaterialsProvider } from '../providers/index.js';
import type { DirectKmsMaterialsProvider } from '../providers/direct-kms/index.js';
import type { MetaStore } from '../metastore/index.js';
import { AttributeActions, ItemEncryptor, type SigningProfile } from '../encryptor/index.js';
import type { OrmName } from '../sdk/orm-hints.js';
import { ormPreset, presetOverrides, type OrmPresetOptions } from '../orm/presets.js';
import { foldCase, resolveSearch, type DbesdkTableEncryptionConfig, type EncryptionConfig, type TableEncryptionConfig } from '../sdk/config.js';
import type { BeaconVersion, SearchConfig } from '../searchable/config.js';
import { DynamoDbItemEncryptor, type LegacyOverride } from '../migration/item-encryptor.js';
import type { LegacyPolicy, PlaintextPolicy } from '../migration/policies.js';
import type { BranchKeyStore, Keyring } from '../keyrings/types.js';
import { RawAesKeyring } from '../keyrings/raw-aes.js';
import { HierarchicalKeyring } from '../keyrings/hierarchical/hierarchical-keyring.js';
import type { DynamoDbBranchKeyStore } from '../keyrings/branch-key-store/index.js';
import type { AwsKmsKeyring } from '../keyrings/kms/kms-keyrings.js';
import { CONFIG_SCHEMA } from './schema.js';
import { describeKey, parseKeyText, type ConfigKey } from './key-file.js';
import { joinPath, validateAgainstSchema, type ConfigIssue } from './validate.js';
import { isPkcs11Source, publicHalfOf, resolvePkcs11Keys, type KeyRole, type Pkcs11Config, type Pkcs11KeySourceConfig, type Pkcs11KeyUse, type ResolvedPkcs11Key } from './pkcs11.js';

// ---- the file format, as TypeScript types -------------------------------------------------------

export type ActionName = 'ENCRYPT_AND_SIGN' | 'SIGN_ONLY' | 'DO_NOTHING';

/** Where a key comes from: a key file (relative to the configuration file), an environment variable, or a PKCS#11 token. */
export type KeySourceConfig =
  | { readonly file: string; readonly algorithm?: string }
  | { readonly env: string; readonly algorithm?: string }
  | Pkcs11KeySourceConfig;

export interface StaticProviderConfig {
  readonly type: 'static';
  readonly encryptionKey?: KeySourceConfig;
  readonly signingKey?: KeySourceConfig;
  readonly verificationKey?: KeySourceConfig;
  readonly materialDescription?: Readonly<Record<string, string>>;
}

export interface WrappedProviderConfig {
  readonly type: 'wrapped';
  readonly wrappingKey?: KeySourceConfig;
  readonly unwrappingKey?: KeySourceConfig;
  readonly signingKey?: KeySourceConfig;
  readonly verificationKey?: KeySourceConfig;
  readonly materialDescription?: Readonly<Record<string, string>>;
  readonly allowLegacyPkcs1?: boolean;
}

export interface DirectKmsProviderConfig {
  readonly type: 'direct-kms';
  readonly keyId: string;
  readonly region?: string;
  readonly discovery?: boolean;
  readonly grantTokens?: readonly string[];
  readonly materialDescription?: Readonly<Record<string, string>>;
}

export type InnerProviderConfig = StaticProviderConfig | WrappedProviderConfig | DirectKmsProviderConfig;

export interface MostRecentProviderConfig {
  readonly type: 'most-recent';
  readonly metaStore: { readonly tableName: string; readonly provider: InnerProviderConfig };
  readonly materialName: string;
  readonly ttlMs?: number;
  readonly cacheSize?: number;
}

export type ProviderConfig = InnerProviderConfig | MostRecentProviderConfig;

/** A table's `orm`: an ORM's name, or its name with the preset's options. */
export type OrmConfig = OrmName | ({ readonly name: OrmName } & Omit<OrmPresetOptions, 'entities'>);

export interface TableConfigFile {
  readonly tableName?: string;
  readonly partitionKey: string;
  readonly sortKey?: string;
  readonly attributeActions?: { readonly default?: ActionName; readonly overrides?: Readonly<Record<string, ActionName>> };
  readonly orm?: OrmConfig;
  readonly provider?: ProviderConfig;
  readonly signingProfile?: SigningProfile;
  readonly acceptPythonRoundedNumbers?: boolean;
}

export type DbesdkActionName = 'ENCRYPT_AND_SIGN' | 'SIGN_ONLY' | 'SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT' | 'DO_NOTHING';

export interface RawAesKeyringConfig {
  readonly type: 'raw-aes';
  readonly keyNamespace: string;
  readonly keyName: string;
  readonly wrappingKey: KeySourceConfig;
}

export interface HierarchicalKeyringConfig {
  readonly type: 'hierarchical';
  readonly branchKeyId: string;
  readonly keyStore: { readonly tableName: string; readonly logicalKeyStoreName?: string; readonly kmsKeyArn: string };
  /** How long a branch key read from the store is used before it is read again (default 600). */
  readonly cacheTtlSeconds?: number;
}

export interface KmsKeyringConfig {
  readonly type: 'aws-kms';
  readonly keyId: string;
  readonly region?: string;
  readonly grantTokens?: readonly string[];
}

export type KeyringConfig = RawAesKeyringConfig | HierarchicalKeyringConfig | KmsKeyringConfig;

/** The branch key cache of a hierarchical keyring from the configuration file, unless it says otherwise. */
const DEFAULT_BRANCH_KEY_TTL_SECONDS = 600;

/** A table in the DB-ESDK format (told apart from a legacy table by `attributeActionsOnEncrypt`). */
export interface DbesdkTableConfigFile {
  readonly tableName?: string;
  readonly logicalTableName?: string;
  readonly partitionKey: string;
  readonly sortKey?: string;
  readonly attributeActionsOnEncrypt: Readonly<Record<string, DbesdkActionName>>;
  readonly allowedUnsignedAttributes?: readonly string[];
  readonly allowedUnsignedAttributePrefix?: string;
  readonly algorithmSuiteId?: '0x6700' | '0x6701';
  readonly keyring: KeyringConfig;
  readonly legacyOverride?: {
    readonly policy: LegacyPolicy;
    readonly attributeActions?: TableConfigFile['attributeActions'];
    readonly provider: ProviderConfig;
    readonly signingProfile?: SigningProfile;
  };
  readonly plaintextOverride?: PlaintextPolicy;
  /** Searchable encryption; the beacon keys come from the hierarchical keyring's branch key store. */
  readonly search?: SearchConfigFile;
}

/** A table's beacons in the configuration file: one beacon version (`SearchConfig` of `ddbec/searchable`) over the keyring's key store. */
export interface SearchConfigFile extends Omit<BeaconVersion, 'version' | 'keyStore' | 'keySource' | 'partitionSelector'> {
  readonly keySource:
    | { readonly single: { readonly keyId: string; readonly cacheTTL?: number } }
    | { readonly multi: { readonly keyFieldName: string; readonly cacheTTL?: number; readonly maxCacheSize?: number } };
}

/** True for an entry of `tables` in the DB-ESDK format. */
export function isDbesdkTableFile(table: TableConfigFile | DbesdkTableConfigFile): table is DbesdkTableConfigFile {
  return Object.hasOwn(table, 'attributeActionsOnEncrypt');
}

/** The legacy materials provider of an entry: a legacy table's `provider`, a DB-ESDK table's `legacyOverride.provider`. */
export function providerOf(table: TableConfigFile | DbesdkTableConfigFile): ProviderConfig | undefined {
  return isDbesdkTableFile(table) ? table.legacyOverride?.provider : table.provider;
}

/** The content of `ddbec.config.json`. */
export interface ConfigFile {
  readonly $schema?: string;
  readonly version?: 1;
  readonly region?: string;
  readonly tables: Readonly<Record<string, TableConfigFile | DbesdkTableConfigFile>>;
  /** DynamoDB tables that hold plaintext on purpose (`EncryptionConfig.plaintextTables` of the SDK integration). */
  readonly plaintextTables?: readonly string[];
  /** `EncryptionConfig.unknownTables` of the SDK integration (default `error`). */
  readonly unknownTables?: 'error' | 'passthrough';
  /** The PKCS#11 token of the `{ "pkcs11": … }` key sources. */
  readonly pkcs11?: Pkcs11Config;
}

// ---- what loading gives --------------------------------------------------------------------------

/** The MetaStore side of a `most-recent` table, for tools that create tables or rotate versions. */
export interface MostRecentSetup {
  readonly provider: MostRecentProvider;
  readonly store: MetaStore;
  readonly tableName: string;
  readonly materialName: string;
}

/**
 * One configured table, ready to use. It is a `CryptoConfig` itself (`encryptionContext` and
 * `attributeActions`), so `encryptor.encryptItem(item, table)` works.
 */
export interface TableConfig {
  readonly format: 'legacy';
  /** The entry's name in the configuration. */
  readonly name: string;
  /** The DynamoDB table name. */
  readonly tableName: string;
  readonly partitionKey: string;
  readonly sortKey: string | undefined;
  /** `none` for a plaintext table (every action DO_NOTHING). */
  readonly providerType: ProviderConfig['type'] | 'none';
  readonly materialsProvider: CryptographicMaterialsProvider;
  /** The configured actions, key attributes made sign-only. */
  readonly attributeActions: AttributeActions;
  readonly encryptionContext: { readonly tableName: string; readonly partitionKeyName: string; readonly sortKeyName: string | undefined };
  readonly signingProfile: SigningProfile;
  /** An item encryptor over the provider, signing profile and reader options. */
  readonly encryptor: ItemEncryptor;
  readonly mostRecent: MostRecentSetup | undefined;
}

/** One configured DB-ESDK table, ready to use. */
export interface DbesdkTableConfig {
  readonly format: 'dbesdk';
  /** The entry's name in the configuration. */
  readonly name: string;
  /** The DynamoDB table name. */
  readonly tableName: string;
  readonly partitionKey: string;
  readonly sortKey: string | undefined;
  readonly keyringType: KeyringConfig['type'];
  /** The table's configuration for `EncryptedDynamoDBClient` (`ddbec/sdk`). */
  readonly config: DbesdkTableEncryptionConfig;
  /** The item encryptor of the table, with its migration policies. */
  readonly encryptor: DynamoDbItemEncryptor;
}

export interface LoadedConfig {
  /** The file read, when loaded from a path. */
  readonly path: string | undefined;
  readonly region: string | undefined;
  /** The validated document. */
  readonly document: ConfigFile;
  /** The resolved legacy tables (all, or those named in `options.tables`). */
  readonly tables: Readonly<Record<string, TableConfig>>;
  /** The resolved DB-ESDK tables (all, or those named in `options.tables`). */
  readonly dbesdkTables: Readonly<Record<string, DbesdkTableConfig>>;
  /**
   * The resolved tables as the configuration of the SDK integration, by DynamoDB table name,
   * with the file's `plaintextTables` and `unknownTables`:
   * `EncryptedDynamoDBClient.from(client, config.encryptionConfig)` (`ddbec/sdk`).
   */
  readonly encryptionConfig: EncryptionConfig;
  /** A resolved legacy table by name; a `ConfigError` names the configured ones when it is missing (or is a DB-ESDK table). */
  table(name: string): TableConfig;
  /** A resolved DB-ESDK table by name; a `ConfigError` when it is missing (or is a legacy table). */
  dbesdkTable(name: string): DbesdkTableConfig;
}

export interface LoadConfigOptions {
  /** Needed by `most-recent` tables (the MetaStore). Your client: ddbec never creates one. */
  readonly dynamoDBClient?: DynamoDBClient;
  /** Needed by `direct-kms` providers: a client, or a function of the key's region (from the provider's `region` or key ARN). */
  readonly kmsClient?: KMSClient | ((region: string | undefined) => KMSClient);
  /** Where relative key files are; default: the configuration file's directory, else the working directory. */
  readonly baseDir?: string;
  /** Environment variables for `{ "env": … }` key sources; default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Resolve only these tables (the others are still validated, but their keys are not read). */
  readonly tables?: readonly string[];
}

/**
 * An invalid configuration: every problem found, each with the JSON path it is about.
 * `code` is `ERR_INVALID_ARGUMENT`.
 */
export class ConfigError extends DdbecError {
  readonly issues: readonly ConfigIssue[];
  readonly file: string | undefined;

  constructor(issues: readonly ConfigIssue[], file?: string) {
    const lines = issues.map((issue) => (issue.path === '' ? issue.message : `${issue.path}: ${issue.message}`));
    super('ERR_INVALID_ARGUMENT', `invalid configuration${file === undefined ? '' : ` ${file}`}: ${lines.join('; ')}`);
    this.issues = Object.freeze([...issues]);
    this.file = file;
  }
}

/** True for a {@link ConfigError} (also across the ESM and CommonJS builds). */
export function isConfigError(error: unknown): error is ConfigError {
  return isDdbecError(error, 'ERR_INVALID_ARGUMENT') && Array.isArray((error as { issues?: unknown }).issues);
}

/**
 * Checks a parsed configuration against the schema and the rules the schema cannot say (key
 * attributes never encrypted, a provider for every table that signs, …), without reading any
 * key. Throws a {@link ConfigError}; returns the document typed.
 */
export function validateConfig(document: unknown, file?: string): ConfigFile {
  const issues = validateAgainstSchema(document, CONFIG_SCHEMA);
  if (issues.length === 0) {
    const owners = new Map<string, string>();
    for (const [name, table] of Object.entries((document as ConfigFile).tables)) {
      const at = joinPath('tables', name);
      issues.push(...(isDbesdkTableFile(table) ? dbesdkTableIssues(table, at) : tableIssues(table, at)));
      const physical = table.tableName ?? name;
      const owner = owners.get(physical);
      if (owner === undefined) owners.set(physical, at);
      else issues.push({ path: table.tableName === undefined ? at : joinPath(at, 'tableName'), message: `DynamoDB table "${physical}" is already configured by ${owner}` });
    }
    (document as ConfigFile).plaintextTables?.forEach((name, i) => {
      for (const [physical, owner] of owners) {
        if (physical === name) issues.push({ path: joinPath('plaintextTables', i), message: `DynamoDB table "${name}" is configured by ${owner}` });
        else if (foldCase(physical) === foldCase(name)) {
          issues.push({ path: joinPath('plaintextTables', i), message: `"${name}" differs from DynamoDB table "${physical}" (${owner}) only by case; one of them is probably a typo` });
        }
      }
    });
  }
  if (issues.length > 0) throw new ConfigError(issues, file);
  return document as ConfigFile;
}

/**
 * Loads `ddbec.config.json` (a path) or an already parsed configuration (an object): validates
 * it, reads the keys and builds each table's materials provider and attribute actions. Apps
 * and the `ddbec` CLI share this loader, so they read a table the same way.
 */
export async function loadConfig(source: string | object, options: LoadConfigOptions = {}): Promise<LoadedConfig> {
  const path = typeof source === 'string' ? resolve(source) : undefined;
  const document = validateConfig(path === undefined ? source : await readDocument(path), path);
  const baseDir = options.baseDir ?? (path === undefined ? process.cwd() : dirname(path));
  const names = options.tables ?? Object.keys(document.tables);
  const pkcs11Keys = await resolvePkcs11Keys(document.pkcs11, pkcs11KeyUses(document, names), baseDir, options.env ?? process.env);
  const resolver = new Resolver(baseDir, options, document.region, await awsModules(document, names), pkcs11Keys);
  const tables: Record<string, TableConfig> = {};
  const dbesdkTables: Record<string, DbesdkTableConfig> = {};
  for (const name of names) {
    const table = Object.hasOwn(document.tables, name) ? document.tables[name] : undefined;
    if (table === undefined) throw missingTable(name, document, path);
    if (isDbesdkTableFile(table)) {
      const built = resolver.dbesdkTable(name, table);
      if (built !== undefined) dbesdkTables[name] = built;
    } else {
      const built = resolver.table(name, table);
      if (built !== undefined) tables[name] = built;
    }
  }
  if (resolver.issues.length > 0) throw new ConfigError(resolver.issues, path);
  const sdkTables: Record<string, TableEncryptionConfig | DbesdkTableEncryptionConfig> = {};
  for (const table of Object.values(tables)) {
    sdkTables[table.tableName] = {
      itemEncryptor: table.encryptor,
      attributeActions: table.attributeActions,
      keySchema: { partitionKey: table.partitionKey, sortKey: table.sortKey },
    };
  }
  for (const table of Object.values(dbesdkTables)) sdkTables[table.tableName] = table.config;
  const other = (name: string, format: string): ConfigError =>
    new ConfigError([{ path: joinPath('tables', name), message: `is a table in the ${format} format, which this use does not take` }], path);
  const loaded: LoadedConfig = {
    path,
    region: document.region,
    document,
    tables,
    dbesdkTables,
    encryptionConfig: { tables: sdkTables, plaintextTables: document.plaintextTables ?? [], unknownTables: document.unknownTables ?? 'error' },
    table(name: string): TableConfig {
      const table = Object.hasOwn(tables, name) ? tables[name] : undefined;
      if (table !== undefined) return table;
      if (Object.hasOwn(dbesdkTables, name)) throw other(name, 'DB-ESDK');
      throw missingTable(name, document, path);
    },
    dbesdkTable(name: string): DbesdkTableConfig {
      const table = Object.hasOwn(dbesdkTables, name) ? dbesdkTables[name] : undefined;
      if (table !== undefined) return table;
      if (Object.hasOwn(tables, name)) throw other(name, 'legacy');
      throw missingTable(name, document, path);
    },
  };
  return loaded;
}

async function readDocument(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigError([{ path: '', message: `cannot read the file (${(error as NodeJS.ErrnoException).code ?? String(error)})` }], path);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ConfigError([{ path: '', message: `not valid JSON (${error instanceof Error ? error.message : String(error)})` }], path);
  }
}

function missingTable(name: string, document: ConfigFile, path: string | undefined): ConfigError {
  const known = Object.keys(document.tables);
  return new ConfigError([{ path: joinPath('tables', name), message: `no such table (configured: ${known.join(', ')})` }], path);
}

/**
 * The modules that import the AWS SDK, loaded only when a table needs them: a configuration of
 * static and wrapped keys works without `@aws-sdk/client-kms` (or `client-dynamodb`) installed.
 */
interface AwsModules {
  readonly DirectKmsMaterialsProvider?: typeof DirectKmsMaterialsProvider;
  readonly MetaStore?: typeof MetaStore;
  readonly DynamoDbBranchKeyStore?: typeof DynamoDbBranchKeyStore;
  readonly AwsKmsKeyring?: typeof AwsKmsKeyring;
}

async function awsModules(document: ConfigFile, names: readonly string[]): Promise<AwsModules> {
  const types = new Set<string>();
  for (const name of names) {
    const table = Object.hasOwn(document.tables, name) ? document.tables[name] : undefined;
    const provider = table === undefined ? undefined : providerOf(table);
    if (provider !== undefined) types.add(provider.type);
    if (provider?.type === 'most-recent') types.add(provider.metaStore.provider.type);
    if (table !== undefined && isDbesdkTableFile(table)) types.add(table.keyring.type);
  }
  return {
    ...(types.has('direct-kms') ? { DirectKmsMaterialsProvider: (await import('../providers/direct-kms/index.js')).DirectKmsMaterialsProvider } : {}),
    ...(types.has('most-recent') ? { MetaStore: (await import('../metastore/index.js')).MetaStore } : {}),
    ...(types.has('hierarchical') ? { DynamoDbBranchKeyStore: (await import('../keyrings/branch-key-store/index.js')).DynamoDbBranchKeyStore } : {}),
    ...(types.has('aws-kms') ? { AwsKmsKeyring: (await import('../keyrings/kms/kms-keyrings.js')).AwsKmsKeyring } : {}),
  };
}

// ---- rules beyond the schema ------------------------------------------------------------------

const RESERVED: ReadonlySet<string> = new Set([SIGNATURE_ATTRIBUTE, MATERIAL_DESCRIPTION_ATTRIBUTE]);

function tableIssues(table: TableConfigFile, at: string): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const actions = table.attributeActions;
  const overrides = actions?.overrides ?? {};
  for (const [attribute, action] of Object.entries(overrides)) {
    const where = joinPath(joinPath(joinPath(at, 'attributeActions'), 'overrides'), attribute);
    if (RESERVED.has(attribute)) issues.push({ path: where, message: 'is reserved for ddbec and cannot have an action' });
    else if (action === 'ENCRYPT_AND_SIGN' && (attribute === table.partitionKey || attribute === table.sortKey)) {
      issues.push({ path: where, message: 'a key attribute cannot be ENCRYPT_AND_SIGN (DynamoDB must read it); use SIGN_ONLY' });
    }
  }
  const all = [actions?.default ?? 'ENCRYPT_AND_SIGN', ...Object.values({ ...ormOverrides(table.orm), ...overrides })];
  const encrypts = all.includes('ENCRYPT_AND_SIGN');
  const plaintext = all.every((action) => action === 'DO_NOTHING');
  const provider = table.provider;
  if (provider === undefined) {
    if (!plaintext) issues.push({ path: joinPath(at, 'provider'), message: 'is required (the table signs or encrypts attributes)' });
    return issues;
  }
  issues.push(...providerIssues(provider, joinPath(at, 'provider'), encrypts));
  return issues;
}

function dbesdkTableIssues(table: DbesdkTableConfigFile, at: string): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const actions = table.attributeActionsOnEncrypt;
  for (const key of [table.partitionKey, table.sortKey]) {
    if (key === undefined) continue;
    const action = Object.hasOwn(actions, key) ? actions[key] : undefined;
    if (action !== 'SIGN_ONLY' && action !== 'SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT') {
      issues.push({ path: joinPath(joinPath(at, 'attributeActionsOnEncrypt'), key), message: 'a key attribute must be SIGN_ONLY or SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT' });
    }
  }
  for (const name of Object.keys(actions)) {
    if (name.startsWith('aws_dbe_')) issues.push({ path: joinPath(joinPath(at, 'attributeActionsOnEncrypt'), name), message: 'names starting with "aws_dbe_" are reserved for the DB-ESDK format' });
  }
  if (table.search !== undefined && table.keyring.type !== 'hierarchical') {
    issues.push({ path: joinPath(at, 'search'), message: 'needs a hierarchical keyring: the beacon keys come from its branch key store' });
  }
  if (table.legacyOverride !== undefined && table.plaintextOverride !== undefined) {
    issues.push({ path: joinPath(at, 'plaintextOverride'), message: 'cannot be given together with legacyOverride (a table migrates from the legacy format or from plaintext, not both)' });
  }
  if (table.legacyOverride !== undefined) {
    const legacy = table.legacyOverride;
    const all = [legacy.attributeActions?.default ?? 'ENCRYPT_AND_SIGN', ...Object.values(legacy.attributeActions?.overrides ?? {})];
    issues.push(...providerIssues(legacy.provider, joinPath(joinPath(at, 'legacyOverride'), 'provider'), all.includes('ENCRYPT_AND_SIGN')));
  }
  return issues;
}

function providerIssues(provider: ProviderConfig, at: string, encrypts: boolean): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const need = (ok: boolean, path: string, message: string): void => {
    if (!ok) issues.push({ path, message });
  };
  switch (provider.type) {
    case 'static':
      need(provider.signingKey !== undefined || provider.verificationKey !== undefined, joinPath(at, 'signingKey'), 'is required (or verificationKey, to only read)');
      need(!encrypts || provider.encryptionKey !== undefined, joinPath(at, 'encryptionKey'), 'is required: the table has ENCRYPT_AND_SIGN attributes');
      break;
    case 'wrapped':
      need(provider.wrappingKey !== undefined || provider.unwrappingKey !== undefined, joinPath(at, 'wrappingKey'), 'is required (or unwrappingKey, to only read)');
      need(provider.signingKey !== undefined || provider.verificationKey !== undefined, joinPath(at, 'signingKey'), 'is required (or verificationKey, to only read)');
      break;
    case 'direct-kms':
      break;
    case 'most-recent':
      need(!provider.materialName.includes('#'), joinPath(at, 'materialName'), 'must not contain "#"');
      issues.push(...providerIssues(provider.metaStore.provider, joinPath(joinPath(at, 'metaStore'), 'provider'), true));
      break;
  }
  return issues;
}

// ---- building providers --------------------------------------------------------------------------

type Role = KeyRole;

/**
 * True when some key of table entry `name` is in a PKCS#11 token. A token's sessions belong to
 * the thread that opened it, so such a table is used from that thread only (no worker threads).
 */
export function usesPkcs11Keys(config: LoadedConfig, name: string): boolean {
  return pkcs11KeyUses(config.document, [name]).length > 0;
}

/** The PKCS#11 keys the given tables' providers use, each with its role. */
function pkcs11KeyUses(document: ConfigFile, names: readonly string[]): Pkcs11KeyUse[] {
  const uses: Pkcs11KeyUse[] = [];
  const ROLES: Readonly<Record<string, Role>> = {
    encryptionKey: 'encryption',
    signingKey: 'signing',
    verificationKey: 'verification',
    wrappingKey: 'wrapping',
    unwrappingKey: 'unwrapping',
  };
  const visit = (provider: ProviderConfig | undefined, at: string): void => {
    if (provider === undefined) return;
    if (provider.type === 'most-recent') {
      visit(provider.metaStore.provider, joinPath(joinPath(at, 'metaStore'), 'provider'));
      return;
    }
    for (const [field, role] of Object.entries(ROLES)) {
      const source = (provider as unknown as Record<string, KeySourceConfig | undefined>)[field];
      if (source !== undefined && isPkcs11Source(source)) uses.push({ source, role, at: joinPath(at, field) });
    }
  };
  for (const name of names) {
    const table = Object.hasOwn(document.tables, name) ? document.tables[name] : undefined;
    if (table === undefined) continue;
    const at = joinPath('tables', name);
    visit(providerOf(table), isDbesdkTableFile(table) ? joinPath(joinPath(at, 'legacyOverride'), 'provider') : joinPath(at, 'provider'));
  }
  return uses;
}

class Resolver {
  readonly issues: ConfigIssue[] = [];
  readonly #baseDir: string;
  readonly #options: LoadConfigOptions;
  readonly #env: Readonly<Record<string, string | undefined>>;
  readonly #region: string | undefined;
  readonly #aws: AwsModules;
  readonly #pkcs11Keys: ReadonlyMap<Pkcs11KeySourceConfig, ResolvedPkcs11Key>;

  constructor(baseDir: string, options: LoadConfigOptions, region: string | undefined, aws: AwsModules, pkcs11Keys: ReadonlyMap<Pkcs11KeySourceConfig, ResolvedPkcs11Key>) {
    this.#baseDir = baseDir;
    this.#options = options;
    this.#env = options.env ?? process.env;
    this.#region = region;
    this.#aws = aws;
    this.#pkcs11Keys = pkcs11Keys;
  }

  table(name: string, table: TableConfigFile): TableConfig | undefined {
    const at = joinPath('tables', name);
    const before = this.issues.length;
    const attributeActions = tableActions(table).withKeyAttributes(table.partitionKey, table.sortKey);
    let mostRecent: MostRecentSetup | undefined;
    let materialsProvider: CryptographicMaterialsProvider | undefined;
    const provider = table.provider;
    if (provider === undefined) materialsProvider = PLAINTEXT;
    else if (provider.type === 'most-recent') {
      mostRecent = this.#mostRecent(provider, joinPath(at, 'provider'));
      materialsProvider = mostRecent?.provider;
    } else materialsProvider = this.#inner(provider, joinPath(at, 'provider'));
    if (materialsProvider === undefined || this.issues.length > before) return undefined;
    const tableName = table.tableName ?? name;
    const signingProfile = table.signingProfile ?? 'java';
    return Object.freeze({
      format: 'legacy',
      name,
      tableName,
      partitionKey: table.partitionKey,
      sortKey: table.sortKey,
      providerType: provider?.type ?? 'none',
      materialsProvider,
      attributeActions,
      encryptionContext: Object.freeze({ tableName, partitionKeyName: table.partitionKey, sortKeyName: table.sortKey }),
      signingProfile,
      encryptor: new ItemEncryptor({ materialsProvider, signingProfile, acceptPythonRoundedNumbers: table.acceptPythonRoundedNumbers ?? false }),
      mostRecent,
    });
  }

  dbesdkTable(name: string, table: DbesdkTableConfigFile): DbesdkTableConfig | undefined {
    const at = joinPath('tables', name);
    const before = this.issues.length;
    const keys = this.#keyring(table.keyring, joinPath(at, 'keyring'));
    let legacyOverride: LegacyOverride | undefined;
    const legacy = table.legacyOverride;
    if (legacy !== undefined) {
      const where = joinPath(joinPath(at, 'legacyOverride'), 'provider');
      const provider = legacy.provider;
      const materialsProvider = provider.type === 'most-recent' ? this.#mostRecent(provider, where)?.provider : this.#inner(provider, where);
      if (materialsProvider !== undefined) {
        legacyOverride = {
          policy: legacy.policy,
          encryptor: new ItemEncryptor({ materialsProvider, signingProfile: legacy.signingProfile ?? 'java' }),
          attributeActionsOnEncrypt: new AttributeActions({
            defaultAction: legacy.attributeActions?.default ?? CryptoAction.EncryptAndSign,
            attributeActions: (legacy.attributeActions?.overrides ?? {}) as Readonly<Record<string, CryptoAction>>,
          }),
        };
      }
    }
    if (keys === undefined || this.issues.length > before) return undefined;
    const search = table.search === undefined || keys.keyStore === undefined ? undefined : searchConfig(table.search, keys.keyStore, table.keyring);
    const tableName = table.tableName ?? name;
    const config: DbesdkTableEncryptionConfig = {
      logicalTableName: table.logicalTableName ?? tableName,
      partitionKeyName: table.partitionKey,
      ...optional('sortKeyName', table.sortKey),
      attributeActionsOnEncrypt: table.attributeActionsOnEncrypt,
      ...optional('allowedUnsignedAttributes', table.allowedUnsignedAttributes),
      ...optional('allowedUnsignedAttributePrefix', table.allowedUnsignedAttributePrefix),
      ...optional('algorithmSuiteId', table.algorithmSuiteId === undefined ? undefined : table.algorithmSuiteId === '0x6700' ? 0x6700 : 0x6701),
      keyring: keys.keyring,
      ...optional('legacyOverride', legacyOverride),
      ...optional('plaintextOverride', table.plaintextOverride),
      keySchema: { partitionKey: table.partitionKey, sortKey: table.sortKey },
      ...optional('search', search),
    };
    // the beacons are checked now; the table's items carry its signed beacons
    const withBeacons = this.#build(joinPath(at, 'search'), () => resolveSearch(config).config);
    const encryptor = withBeacons === undefined ? undefined : this.#build(at, () => new DynamoDbItemEncryptor(withBeacons));
    if (encryptor === undefined) return undefined;
    return Object.freeze({
      format: 'dbesdk',
      name,
      tableName,
      partitionKey: table.partitionKey,
      sortKey: table.sortKey,
      keyringType: table.keyring.type,
      config,
      encryptor,
    });
  }

  /** The keyring, and the branch key store of a hierarchical one. */
  #keyring(config: KeyringConfig, at: string): { readonly keyring: Keyring; readonly keyStore?: BranchKeyStore } | undefined {
    switch (config.type) {
      case 'raw-aes': {
        if (isPkcs11Source(config.wrappingKey)) {
          this.issues.push({ path: joinPath(at, 'wrappingKey'), message: 'a raw AES keyring takes key bytes (file or env); PKCS#11 keys work with the legacy providers only' });
          return undefined;
        }
        const key = this.#key(config.wrappingKey, joinPath(at, 'wrappingKey'), 'encryption');
        if (key === undefined) return undefined;
        return this.#build(at, () => ({ keyring: new RawAesKeyring({ keyNamespace: config.keyNamespace, keyName: config.keyName, wrappingKey: (key as SecretKey).exportBytes() }) }));
      }
      case 'hierarchical': {
        const ddbClient = this.#options.dynamoDBClient;
        const kmsClient = this.#options.kmsClient;
        if (ddbClient === undefined) this.issues.push({ path: joinPath(at, 'keyStore'), message: 'needs a DynamoDB client (options.dynamoDBClient)' });
        if (kmsClient === undefined) this.issues.push({ path: joinPath(at, 'keyStore'), message: 'needs a KMS client (options.kmsClient)' });
        if (ddbClient === undefined || kmsClient === undefined) return undefined;
        const store = config.keyStore;
        const Store = this.#aws.DynamoDbBranchKeyStore as typeof DynamoDbBranchKeyStore;
        return this.#build(at, () => {
          const keyStore = new Store({
            ddbClient,
            kmsClient: typeof kmsClient === 'function' ? kmsClient(arnRegion(store.kmsKeyArn) ?? this.#region) : kmsClient,
            tableName: store.tableName,
            logicalKeyStoreName: store.logicalKeyStoreName ?? store.tableName,
            kmsConfiguration: { kmsKeyArn: store.kmsKeyArn },
          });
          return { keyring: new HierarchicalKeyring({ keyStore, branchKeyId: config.branchKeyId, ttlSeconds: config.cacheTtlSeconds ?? DEFAULT_BRANCH_KEY_TTL_SECONDS }), keyStore };
        });
      }
      case 'aws-kms': {
        const kmsClient = this.#options.kmsClient;
        if (kmsClient === undefined) {
          this.issues.push({ path: at, message: 'needs a KMS client (options.kmsClient)' });
          return undefined;
        }
        const Keyring = this.#aws.AwsKmsKeyring as typeof AwsKmsKeyring;
        const region = config.region ?? arnRegion(config.keyId) ?? this.#region;
        return this.#build(at, () => ({
          keyring: new Keyring({
            kmsClient: typeof kmsClient === 'function' ? kmsClient(region) : kmsClient,
            kmsKeyId: config.keyId,
            ...optional('grantTokens', config.grantTokens),
          }),
        }));
      }
    }
  }

  #mostRecent(config: MostRecentProviderConfig, at: string): MostRecentSetup | undefined {
    const inner = this.#inner(config.metaStore.provider, joinPath(joinPath(at, 'metaStore'), 'provider'));
    const client = this.#options.dynamoDBClient;
    if (client === undefined) this.issues.push({ path: joinPath(at, 'metaStore'), message: 'needs a DynamoDB client (options.dynamoDBClient)' });
    if (inner === undefined || client === undefined) return undefined;
    const MetaStoreClass = this.#aws.MetaStore as typeof MetaStore;
    return this.#build(at, () => {
      const store = new MetaStoreClass({ client, tableName: config.metaStore.tableName, materialsProvider: inner });
      const provider = new MostRecentProvider({
        store,
        materialName: config.materialName,
        ttlMs: config.ttlMs ?? 60_000,
        ...(config.cacheSize === undefined ? {} : { cacheSize: config.cacheSize }),
      });
      return { provider, store, tableName: config.metaStore.tableName, materialName: config.materialName };
    });
  }

  #inner(config: InnerProviderConfig, at: string): CryptographicMaterialsProvider | undefined {
    const before = this.issues.length;
    // A key that could not be read is reported at its own path; the provider is then not built.
    const build = <T>(make: () => T): T | undefined => (this.issues.length > before ? undefined : this.#build(at, make));
    switch (config.type) {
      case 'static': {
        const encryptionKey = this.#key(config.encryptionKey, joinPath(at, 'encryptionKey'), 'encryption');
        const signingKey = this.#key(config.signingKey, joinPath(at, 'signingKey'), 'signing');
        const verificationKey = this.#key(config.verificationKey, joinPath(at, 'verificationKey'), 'verification');
        return build(() =>
          new StaticMaterialsProvider({
            ...optional('encryptionKey', encryptionKey as ContentKey | undefined),
            ...optional('signingKey', signingKey as SigningKey | undefined),
            ...optional('verificationKey', (verificationKey ?? publicHalfOf(signingKey)) as VerificationKey | undefined),
            ...optional('materialDescription', config.materialDescription),
          }),
        );
      }
      case 'wrapped': {
        const wrapping = this.#key(config.wrappingKey, joinPath(at, 'wrappingKey'), 'wrapping');
        const unwrapping = this.#key(config.unwrappingKey, joinPath(at, 'unwrappingKey'), 'unwrapping');
        const signingKey = this.#key(config.signingKey, joinPath(at, 'signingKey'), 'signing');
        const verificationKey = this.#key(config.verificationKey, joinPath(at, 'verificationKey'), 'verification');
        // An RSA private key as the wrapping key stands for the pair: wrap with its public half.
        const publicHalf = wrapping instanceof RsaPrivateKey ? wrapping.publicKey('RSA') : publicHalfOf(wrapping, 'RSA');
        const wrappingKey = publicHalf ?? wrapping;
        const unwrappingKey = unwrapping ?? (publicHalf !== undefined ? wrapping : undefined);
        return build(() =>
          new WrappedMaterialsProvider({
            ...optional('wrappingKey', wrappingKey as WrappingKey | undefined),
            ...optional('unwrappingKey', unwrappingKey as UnwrappingKey | undefined),
            ...optional('signingKey', signingKey as SigningKey | undefined),
            ...optional('verificationKey', (verificationKey ?? publicHalfOf(signingKey)) as VerificationKey | undefined),
            ...optional('materialDescription', config.materialDescription),
            ...optional('allowLegacyPkcs1', config.allowLegacyPkcs1),
          }),
        );
      }
      case 'direct-kms': {
        const kmsClient = this.#options.kmsClient;
        if (kmsClient === undefined) {
          this.issues.push({ path: at, message: 'needs a KMS client (options.kmsClient)' });
          return undefined;
        }
        const region = config.region ?? this.#region;
        const client = typeof kmsClient === 'function' ? (keyRegion: string | undefined) => kmsClient(keyRegion ?? region) : kmsClient;
        const DirectKms = this.#aws.DirectKmsMaterialsProvider as typeof DirectKmsMaterialsProvider;
        return build(() =>
          new DirectKms({
            kmsClient: client,
            keyId: config.keyId,
            ...optional('discovery', config.discovery),
            ...optional('grantTokens', config.grantTokens),
            ...optional('materialDescription', config.materialDescription),
          }),
        );
      }
    }
  }

  #build<T>(at: string, make: () => T): T | undefined {
    try {
      return make();
    } catch (error) {
      if (!isDdbecError(error)) throw error;
      this.issues.push({ path: at, message: error.message });
      return undefined;
    }
  }

  /** Reads a key source and checks it fits its role; undefined (with an issue) when it does not. */
  #key(source: KeySourceConfig | undefined, at: string, role: Role): ConfigKey | ResolvedPkcs11Key | undefined {
    if (source === undefined) return undefined;
    if (isPkcs11Source(source)) return this.#pkcs11Keys.get(source); // found, for its role, before the resolver ran
    let text: string;
    let where: string;
    if ('file' in source) {
      const file = isAbsolute(source.file) ? source.file : resolve(this.#baseDir, source.file);
      where = joinPath(at, 'file');
      try {
        text = readFileSync(file, 'utf8');
      } catch (error) {
        this.issues.push({ path: where, message: `cannot read key file ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)})` });
        return undefined;
      }
    } else {
      where = joinPath(at, 'env');
      const value = this.#env[source.env];
      if (value === undefined || value === '') {
        this.issues.push({ path: where, message: `environment variable ${source.env} is not set` });
        return undefined;
      }
      text = value;
    }
    let key: ConfigKey;
    try {
      key = parseKeyText(text, source.algorithm, role === 'encryption' || role === 'wrapping' || role === 'unwrapping' ? 'AES' : 'HmacSHA256');
    } catch (error) {
      if (!isDdbecError(error)) throw error;
      this.issues.push({ path: where, message: `the key ${error.message}` });
      return undefined;
    }
    const problem = misfit(key, role);
    if (problem !== undefined) {
      this.issues.push({ path: where, message: `${problem}, found ${describeKey(key)}` });
      return undefined;
    }
    return role === 'verification' && key instanceof RsaPrivateKey ? key.publicKey() : key;
  }
}

/** The region of an ARN (`arn:aws:kms:REGION:…`), if it is one. */
function arnRegion(arn: string): string | undefined {
  const region = arn.startsWith('arn:') ? arn.split(':')[3] : undefined;
  return region === '' ? undefined : region;
}

/** Why a key cannot serve a role, or undefined when it can. */
function misfit(key: ConfigKey, role: Role): string | undefined {
  const aes = key instanceof SecretKey && key.algorithm === 'AES';
  const hmac = key instanceof SecretKey && key.algorithm.startsWith('Hmac');
  switch (role) {
    case 'encryption':
      return aes ? undefined : 'expected an AES key';
    case 'signing':
      return hmac || key instanceof RsaPrivateKey ? undefined : 'expected an HMAC key or an RSA private key';
    case 'verification':
      return hmac || !(key instanceof SecretKey) ? undefined : 'expected an HMAC key or an RSA key';
    case 'wrapping':
      return aes || !(key instanceof SecretKey) ? undefined : 'expected an AES key or an RSA key';
    case 'unwrapping':
      return aes || key instanceof RsaPrivateKey ? undefined : 'expected an AES key or an RSA private key';
  }
}

/**
 * The attribute actions of a table entry as written — its `orm` preset under its
 * `attributeActions` — without reading any key (key attributes are not yet made sign-only).
 */
export function tableActions(table: TableConfigFile): AttributeActions {
  const actions = table.attributeActions;
  return new AttributeActions({
    defaultAction: actions?.default ?? CryptoAction.EncryptAndSign,
    attributeActions: { ...ormOverrides(table.orm), ...actions?.overrides },
  });
}

/** The actions the preset of a table's `orm` sets (none without one). */
export function ormOverrides(orm: OrmConfig | undefined): Record<string, CryptoAction> {
  if (orm === undefined) return {};
  const { name, ...options } = typeof orm === 'string' ? { name: orm } : orm;
  return presetOverrides(ormPreset(name, options));
}

/** `{ [name]: value }` when value is defined, else `{}` (exactOptionalPropertyTypes-friendly spreads). */
/** The `SearchConfig` of a table's `search`: one beacon version over the hierarchical keyring's key store. */
function searchConfig(file: SearchConfigFile, keyStore: BranchKeyStore, keyring: KeyringConfig): SearchConfig {
  const cacheTTL = (keyring.type === 'hierarchical' ? keyring.cacheTtlSeconds : undefined) ?? DEFAULT_BRANCH_KEY_TTL_SECONDS;
  const source = file.keySource;
  const { keySource: _fileSource, ...beacons } = file;
  return {
    writeVersion: 1,
    versions: [
      {
        ...beacons,
        version: 1,
        keyStore,
        keySource: 'single' in source ? { single: { cacheTTL, ...source.single } } : { multi: { cacheTTL, ...source.multi } },
      },
    ],
  };
}

function optional<K extends string, V>(name: K, value: V | undefined): { [P in K]?: V } {
  return value === undefined ? {} : ({ [name]: value } as { [P in K]?: V });
}

/** The provider of a plaintext table: never asked, since every action is DO_NOTHING. */
const PLAINTEXT: CryptographicMaterialsProvider = Object.freeze({
  getEncryptionMaterials(): Promise<never> {
    return Promise.reject(new DdbecError('ERR_MATERIALS_UNAVAILABLE', 'this table is configured as plaintext (no provider)'));
  },
  getDecryptionMaterials(_context: EncryptionContext): Promise<never> {
    return Promise.reject(new DdbecError('ERR_MATERIALS_UNAVAILABLE', 'this table is configured as plaintext (no provider)'));
  },
});
