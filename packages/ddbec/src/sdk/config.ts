import { DdbecError } from '../errors.js';
import { CryptoAction, SIGNATURE_ATTRIBUTE, type Item } from '../format/index.js';
import type { CryptographicMaterialsProvider } from '../materials/index.js';
import { AttributeActions, ItemEncryptor, type CryptoConfig } from '../encryptor/index.js';
import { DynamoDbItemEncryptor, type DynamoDbItemEncryptorConfig } from '../migration/item-encryptor.js';
import type { DbesdkItemEncryptorConfig } from '../dbesdk/config.js';
import type { SearchConfig } from '../searchable/config.js';
import { createSearchableTable } from '../searchable/table.js';
import type { SearchableTable } from '../searchable/types.js';

/** The key attributes of a secondary index. */
export interface IndexKeySchema {
  readonly indexName: string;
  /** `global` (GSI) or `local` (LSI). Default `global`. */
  readonly type?: 'global' | 'local';
  readonly partitionKey: string;
  readonly sortKey?: string | undefined;
  /**
   * What the index projects. When known and not `ALL`, reads through the index are refused on
   * an encrypted table (a partial item can't be verified); LSIs may still be read with
   * `Select: 'ALL_ATTRIBUTES'` (DynamoDB then fetches the whole item from the table).
   */
  readonly projection?: 'ALL' | 'KEYS_ONLY' | 'INCLUDE' | undefined;
}

/** A table's primary key and its secondary indexes' keys. */
export interface TableKeySchema {
  readonly partitionKey: string;
  readonly sortKey?: string | undefined;
  readonly indexes?: readonly IndexKeySchema[] | undefined;
}

/** How one table is encrypted. */
export interface TableEncryptionConfig {
  /** Where keys come from. Give this or `itemEncryptor`. */
  readonly materialsProvider?: CryptographicMaterialsProvider;
  /** A ready item encryptor (for a signing profile or table-name overrides). Give this or `materialsProvider`. */
  readonly itemEncryptor?: ItemEncryptor;
  /**
   * What to do with each attribute. Key attributes of the table and of its indexes are made
   * sign-only when they would be encrypted by the default action; an explicit
   * `EncryptAndSign` on any of them is refused (`ERR_KEY_ATTRIBUTE_ENCRYPTED`).
   */
  readonly attributeActions: AttributeActions;
  /**
   * The table name to sign and to give the materials provider, when it differs from the
   * physical name (items can then move between tables, e.g. from staging to production).
   */
  readonly logicalTableName?: string;
  /**
   * The key schema. When absent it is read with DescribeTable on first use and cached for
   * `keySchemaTtlMs`. Give it to avoid that call (and to validate the configuration at once).
   */
  readonly keySchema?: TableKeySchema;
}

/**
 * How one table is encrypted in the DB-ESDK format (ddb-table-encryption-config.md): the
 * logical table name, the key names, `attributeActionsOnEncrypt`, the allowed unsigned
 * attributes, the algorithm suite, the keyring, and the migration policies `legacyOverride` /
 * `plaintextOverride`. Told apart from a legacy table configuration by `attributeActionsOnEncrypt`.
 */
export interface DbesdkTableEncryptionConfig extends DynamoDbItemEncryptorConfig {
  /**
   * The key schema, for the indexes (their keys must not be encrypted; reads through an index
   * that does not project every attribute are refused). Its primary key must be
   * `partitionKeyName` / `sortKeyName`. When absent it is read with DescribeTable, as for a legacy table.
   */
  readonly keySchema?: TableKeySchema;
  /**
   * Searchable encryption (`ddbec/searchable`): the table's beacons. Every item written in the
   * DB-ESDK format gets its beacons; Query and Scan may name beacons (each rewritten to its stored
   * beacon, and the items it lets through filtered after decryption to those that match). Checked
   * when the client is made (`ERR_BEACON_CONFIG`); signed beacons are added to the actions as SIGN_ONLY.
   */
  readonly search?: SearchConfig | undefined;
}

/** The configuration of the SDK integration. */
export interface EncryptionConfig {
  /** Physical table name → how it is encrypted: in the legacy format, or in the DB-ESDK format (with `attributeActionsOnEncrypt`). */
  readonly tables: Readonly<Record<string, TableEncryptionConfig | DbesdkTableEncryptionConfig>>;
  /**
   * Tables that hold plaintext on purpose (e.g. an audit log): requests to them are sent
   * untouched. A name may not also be in `tables`, nor differ from one there only by case.
   */
  readonly plaintextTables?: readonly string[];
  /**
   * What to do with a table that is in neither `tables` nor `plaintextTables`: `error`
   * (default: `ERR_UNKNOWN_TABLE`, before anything is sent) or `passthrough` (send it untouched,
   * as plaintext — an explicit opt-out). Either way, a name that differs from a configured one
   * only by case is refused with `ERR_UNKNOWN_TABLE` ("did you mean …?").
   */
  readonly unknownTables?: 'error' | 'passthrough';
  /** How long a key schema read with DescribeTable is trusted, in ms. Default 300 000 (5 minutes). */
  readonly keySchemaTtlMs?: number;
  /** How many items of one request or response are encrypted or decrypted at once. Default 16. */
  readonly concurrency?: number;
  /**
   * Multi-item reads (Query, Scan, BatchGetItem): `throw` (default) fails the whole call when
   * one item does not decrypt; `report` returns the items that did, in order, and lists the
   * others (with their keys) in the output's `DecryptionFailures` (read them with `decryptionFailures(output)`).
   */
  readonly decryptionFailures?: 'throw' | 'report';
}

/** Encrypts and decrypts the items of one table (in whichever format its configuration says). */
export interface TableItemEncryptor {
  encryptItem(item: Item): Promise<Item>;
  decryptItem(item: Item): Promise<Item>;
}

/**
 * What the SDK integration's checks need to know of each attribute of a table: whether
 * expressions may compare it (not encrypted) and updates may change it (not signed).
 */
export interface AttributeActionLookup {
  actionOf(attributeName: string): CryptoAction;
  /** True when no attribute can be signed or encrypted (then items pass through unchanged). */
  readonly takesNoActions: boolean;
}

/** One table, ready to encrypt and decrypt. */
export interface ResolvedTable {
  /** The physical table name. */
  readonly name: string;
  /** False when the actions do nothing at all (items pass unchanged). */
  readonly encrypted: boolean;
  readonly encryptor: TableItemEncryptor;
  readonly actions: AttributeActionLookup;
  readonly keySchema: TableKeySchema;
  /**
   * Attributes of which every stored item the table reads has at least one: UpdateItem only
   * changes an item that has one (an update must never create an unsigned item).
   */
  readonly storedItemAttributes: readonly string[];
  /** A DB-ESDK table's beacons (its `search` config), which Query and Scan rewrite requests for. */
  readonly searchable?: SearchableTable | undefined;
}

type TableEntry = LegacyTableEntry | DbesdkTableEntry;

interface LegacyTableEntry {
  readonly format: 'legacy';
  readonly name: string;
  readonly encryptor: ItemEncryptor;
  readonly actions: AttributeActions;
  readonly logicalTableName: string | undefined;
  readonly keySchema: TableKeySchema | undefined;
}

interface DbesdkTableEntry {
  readonly format: 'dbesdk';
  readonly name: string;
  /** The configuration, with the signed beacons' actions added. */
  readonly config: DbesdkTableEncryptionConfig;
  readonly encryptor: DynamoDbItemEncryptor;
  readonly keySchema: TableKeySchema | undefined;
  readonly searchable: SearchableTable | undefined;
}

/** Whether a table's items are encrypted or signed (a DB-ESDK table always signs its keys). */
function encrypts(entry: TableEntry): boolean {
  return entry.format === 'dbesdk' || !entry.actions.takesNoActions;
}

/** Reads a table's key schema (DescribeTable). */
export type KeySchemaReader = (tableName: string) => Promise<TableKeySchema>;

const DEFAULT_TTL_MS = 300_000;
const DEFAULT_CONCURRENCY = 16;

/**
 * The validated configuration plus a cache of resolved tables. Explicit key schemas are
 * resolved (and so validated) at construction, and compared once with the table's own
 * (DescribeTable) on first use; others are read on first use, then every TTL.
 */
export class TableRegistry {
  readonly concurrency: number;
  readonly reportFailures: boolean;
  readonly #tables = new Map<string, TableEntry>();
  readonly #plaintext: ReadonlySet<string>;
  /** Case-folded name → the configured names (in `tables` or `plaintextTables`) with that folding. */
  readonly #byFoldedName = new Map<string, string[]>();
  readonly #resolved = new Map<string, { readonly expires: number; readonly table: Promise<ResolvedTable> }>();
  /** Explicit key schemas being or already compared with the table's (until a schema change). */
  readonly #checked = new Map<string, Promise<void>>();
  readonly #unknownIsError: boolean;
  readonly #ttl: number;
  readonly #readKeySchema: KeySchemaReader | undefined;

  constructor(config: EncryptionConfig, readKeySchema: KeySchemaReader | undefined) {
    if (typeof config !== 'object' || config === null) throw invalid('the encryption config must be an object');
    if (typeof config.tables !== 'object' || config.tables === null) throw invalid('config.tables must be an object of table name → table config');
    const unknown = config.unknownTables ?? 'error';
    if (unknown !== 'passthrough' && unknown !== 'error') throw invalid('config.unknownTables must be "error" or "passthrough"');
    const plaintext = config.plaintextTables ?? [];
    if (!Array.isArray(plaintext) || plaintext.some((name) => typeof name !== 'string' || name === '')) {
      throw invalid('config.plaintextTables must be an array of table names');
    }
    const ttl = config.keySchemaTtlMs ?? DEFAULT_TTL_MS;
    if (typeof ttl !== 'number' || !(ttl >= 0)) throw invalid('config.keySchemaTtlMs must be a number ≥ 0');
    const concurrency = config.concurrency ?? DEFAULT_CONCURRENCY;
    if (!Number.isSafeInteger(concurrency) || concurrency < 1) throw invalid('config.concurrency must be an integer ≥ 1');
    const failures = config.decryptionFailures ?? 'throw';
    if (failures !== 'throw' && failures !== 'report') throw invalid('config.decryptionFailures must be "throw" or "report"');
    this.#unknownIsError = unknown === 'error';
    this.#ttl = ttl;
    this.concurrency = concurrency;
    this.reportFailures = failures === 'report';
    this.#readKeySchema = readKeySchema;
    for (const name of Object.keys(config.tables)) {
      const entry = checkTable(name, config.tables[name]);
      this.#tables.set(name, entry);
      // Without a client, a DB-ESDK table's key schema is its configured primary key (no indexes)
      const keySchema = entry.keySchema ?? (entry.format === 'dbesdk' && !readKeySchema ? { partitionKey: entry.config.partitionKeyName, sortKey: entry.config.sortKeyName } : undefined);
      if (keySchema) {
        const table = resolveTable(entry, keySchema);
        this.#resolved.set(name, { expires: Infinity, table: Promise.resolve(table) });
      } else if (!readKeySchema) {
        throw invalid(`tables["${name}"] needs a keySchema (there is no client to read it with DescribeTable)`);
      }
    }
    // The specification: one logical table name per physical table, and the other way round
    const logical = new Map<string, string>();
    for (const entry of this.#tables.values()) {
      if (entry.format !== 'dbesdk') continue;
      const other = logical.get(entry.config.logicalTableName);
      if (other !== undefined) throw invalid(`tables["${other}"] and tables["${entry.name}"] have the same logicalTableName "${entry.config.logicalTableName}"; each table needs its own`);
      logical.set(entry.config.logicalTableName, entry.name);
    }
    this.#plaintext = new Set(plaintext);
    for (const name of [...this.#tables.keys(), ...this.#plaintext]) {
      const folded = foldCase(name);
      const names = this.#byFoldedName.get(folded) ?? [];
      if (this.#plaintext.has(name) && this.#tables.has(name)) throw invalid(`table "${name}" is both in tables and in plaintextTables`);
      const other = names.find((known) => this.#tables.has(known) !== this.#tables.has(name));
      if (other !== undefined) {
        const [encrypted, plain] = this.#tables.has(name) ? [name, other] : [other, name];
        throw invalid(`plaintextTables has "${plain}", which differs from "${encrypted}" in tables only by case; one of them is probably a typo`);
      }
      this.#byFoldedName.set(folded, [...names, name]);
    }
  }

  /**
   * The table ready to use; `undefined` for a table that passes through. Throws
   * `ERR_UNKNOWN_TABLE` for a table that is not configured (see {@link EncryptionConfig.unknownTables}).
   */
  async resolve(table: string): Promise<ResolvedTable | undefined> {
    const entry = this.#entry(table);
    if (!entry) return undefined;
    const name = entry.name;
    const cached = this.#resolved.get(name);
    if (cached && cached.expires > Date.now()) {
      if (entry.keySchema) await this.#checkKeySchema(name, await cached.table);
      return cached.table;
    }
    const reader = this.#readKeySchema as KeySchemaReader;
    const promise = reader(name).then((schema) => resolveTable(entry, schema));
    this.#resolved.set(name, { expires: Date.now() + this.#ttl, table: promise });
    promise.catch(() => {
      if (this.#resolved.get(name)?.table === promise) this.#resolved.delete(name);
    });
    return promise;
  }

  /**
   * Whether a table is encrypted, without reading its key schema (protecting key attributes
   * never turns an encrypting configuration into a do-nothing one): `undefined` for a table
   * that passes through; throws `ERR_UNKNOWN_TABLE` for a table that is not configured.
   */
  isEncrypted(table: string): boolean | undefined {
    const entry = this.#entry(table);
    return entry === undefined ? undefined : encrypts(entry);
  }

  /** The encrypted table whose name equals `name` ignoring case (see {@link foldCase}), if any. */
  encryptedTableLike(name: string): string | undefined {
    return this.#byFoldedName.get(foldCase(name))?.find((known) => {
      const entry = this.#tables.get(known);
      return entry !== undefined && encrypts(entry);
    });
  }

  #entry(table: string): TableEntry | undefined {
    const name = tableNameOf(table);
    const entry = this.#tables.get(name);
    if (entry || this.#plaintext.has(name)) return entry;
    const similar = this.#byFoldedName.get(foldCase(name));
    if (similar) {
      throw new DdbecError(
        'ERR_UNKNOWN_TABLE',
        `table "${name}" is not in the encryption configuration; did you mean ${similar.map((known) => `"${known}"`).join(' or ')}? (DynamoDB table names are case-sensitive, and a name that differs from a configured one only by case is always refused, so that a typo never writes plaintext)`,
      );
    }
    if (this.#unknownIsError) {
      throw new DdbecError(
        'ERR_UNKNOWN_TABLE',
        `table "${name}" is not in the encryption configuration: add it to tables, or to plaintextTables if it holds plaintext on purpose`,
      );
    }
    return undefined;
  }

  /**
   * Compares an explicit key schema with the table's own, once: a table key or index key the
   * configuration would encrypt because `keySchema` does not declare it is refused (naming the
   * index and the attribute). Skipped when DescribeTable is not allowed (AccessDeniedException);
   * DynamoDB's own error then carries a hint (see `EncryptionEngine.explainError`).
   */
  #checkKeySchema(name: string, declared: ResolvedTable): Promise<void> {
    const reader = this.#readKeySchema;
    if (!reader) return Promise.resolve();
    let check = this.#checked.get(name);
    if (!check) {
      check = reader(name).then(
        (actual) => {
          compareKeySchemas(declared, actual);
        },
        (error: unknown) => {
          if ((error as { name?: unknown } | undefined)?.name !== 'AccessDeniedException') throw error;
        },
      );
      const pending = check;
      this.#checked.set(name, pending);
      pending.catch(() => {
        if (this.#checked.get(name) === pending) this.#checked.delete(name);
      });
    }
    return check;
  }

  /** Forgets a discovered key schema, and a comparison of a declared one (after UpdateTable, DeleteTable or CreateTable). */
  invalidate(table: string): void {
    const name = tableNameOf(table);
    this.#checked.delete(name);
    if (this.#tables.get(name)?.keySchema === undefined) this.#resolved.delete(name);
  }
}

/**
 * A table name folded for "equal ignoring case" comparisons. Beyond ASCII it is deliberately
 * generous — any character that changes case (or decomposes) to an ASCII letter folds to that
 * letter (`ſ` → `s`, `K` (Kelvin) → `k`, `İ` → `i`) — so that no PartiQL identifier a
 * case-insensitive reader might take for a configured table escapes the comparison.
 */
export function foldCase(name: string): string {
  return name.toUpperCase().toLowerCase().normalize('NFKD').replace(/\p{M}/gu, '');
}

/** A table name from a name or a table ARN (`arn:…:table/NAME`, also with `/stream/…` or `/index/…` after it). */
export function tableNameOf(table: string): string {
  if (table.startsWith('arn:')) {
    const at = table.indexOf(':table/');
    if (at >= 0) return table.slice(at + 7).split('/')[0] as string;
  }
  return table;
}

function invalid(message: string): DdbecError {
  return new DdbecError('ERR_INVALID_ARGUMENT', message);
}

function checkTable(name: string, config: TableEncryptionConfig | DbesdkTableEncryptionConfig | undefined): TableEntry {
  const where = `tables["${name}"]`;
  if (typeof config !== 'object' || config === null) throw invalid(`${where} must be an object`);
  if ('attributeActionsOnEncrypt' in config) {
    if ('attributeActions' in config) throw invalid(`${where} has both attributeActions (legacy format) and attributeActionsOnEncrypt (DB-ESDK format); give one`);
    const { config: withSignedBeacons, searchable } = resolveSearch(config);
    return {
      format: 'dbesdk',
      name,
      config: withSignedBeacons,
      encryptor: new DynamoDbItemEncryptor(withSignedBeacons),
      keySchema: config.keySchema === undefined ? undefined : checkKeySchema(config.keySchema, `${where}.keySchema`),
      searchable,
    };
  }
  if (!(config.attributeActions instanceof AttributeActions)) throw invalid(`${where}.attributeActions must be an AttributeActions`);
  if ((config.materialsProvider === undefined) === (config.itemEncryptor === undefined)) {
    throw invalid(`${where} needs exactly one of materialsProvider and itemEncryptor`);
  }
  if (config.itemEncryptor !== undefined && !(config.itemEncryptor instanceof ItemEncryptor)) {
    throw invalid(`${where}.itemEncryptor must be an ItemEncryptor`);
  }
  if (config.logicalTableName !== undefined && (typeof config.logicalTableName !== 'string' || config.logicalTableName === '')) {
    throw invalid(`${where}.logicalTableName must be a non-empty string`);
  }
  const encryptor = config.itemEncryptor ?? new ItemEncryptor({ materialsProvider: config.materialsProvider as CryptographicMaterialsProvider });
  return {
    format: 'legacy',
    name,
    encryptor,
    actions: config.attributeActions,
    logicalTableName: config.logicalTableName,
    keySchema: config.keySchema === undefined ? undefined : checkKeySchema(config.keySchema, `${where}.keySchema`),
  };
}

function checkKeySchema(schema: TableKeySchema, where: string): TableKeySchema {
  const name = (value: unknown, what: string, optional: boolean): string | undefined => {
    if (value === undefined && optional) return undefined;
    if (typeof value !== 'string' || value === '') throw invalid(`${where}${what} must be a non-empty string`);
    return value;
  };
  if (typeof schema !== 'object' || schema === null) throw invalid(`${where} must be an object`);
  const indexes = schema.indexes ?? [];
  if (!Array.isArray(indexes)) throw invalid(`${where}.indexes must be an array`);
  return {
    partitionKey: name(schema.partitionKey, '.partitionKey', false) as string,
    sortKey: name(schema.sortKey, '.sortKey', true),
    indexes: indexes.map((index: IndexKeySchema, i) => {
      if (typeof index !== 'object' || index === null) throw invalid(`${where}.indexes[${i}] must be an object`);
      if (index.type !== undefined && index.type !== 'global' && index.type !== 'local') {
        throw invalid(`${where}.indexes[${i}].type must be "global" or "local"`);
      }
      if (index.projection !== undefined && !['ALL', 'KEYS_ONLY', 'INCLUDE'].includes(index.projection)) {
        throw invalid(`${where}.indexes[${i}].projection must be ALL, KEYS_ONLY or INCLUDE`);
      }
      return {
        indexName: name(index.indexName, `.indexes[${i}].indexName`, false) as string,
        type: index.type ?? 'global',
        partitionKey: name(index.partitionKey, `.indexes[${i}].partitionKey`, false) as string,
        sortKey: name(index.sortKey, `.indexes[${i}].sortKey`, true),
        projection: index.projection,
      };
    }),
  };
}

/**
 * Applies the key rule: every key attribute of the table and of each index stays readable to
 * DynamoDB. An explicit EncryptAndSign on one is refused, naming the attribute and the index;
 * one that would be encrypted only through the default action becomes SignOnly (as the
 * Python client's helpers do for primary and index keys).
 */
function resolveTable(entry: TableEntry, schema: TableKeySchema): ResolvedTable {
  const roles = keyRoles(schema);
  if (entry.format === 'dbesdk') return resolveDbesdkTable(entry, schema, roles);
  for (const [attribute, role] of roles) {
    if (entry.actions.overrides.get(attribute) === CryptoAction.EncryptAndSign) {
      throw new DdbecError(
        'ERR_KEY_ATTRIBUTE_ENCRYPTED',
        `table "${entry.name}": attribute "${attribute}" is ${role} and cannot be encrypted (DynamoDB must read it); make it SignOnly or DoNothing`,
      );
    }
  }
  const actions = entry.actions.withKeyAttributes(...roles.map(([attribute]) => attribute));
  const crypto: CryptoConfig = {
    encryptionContext: { tableName: entry.logicalTableName ?? entry.name, partitionKeyName: schema.partitionKey, sortKeyName: schema.sortKey },
    attributeActions: actions,
  };
  const encryptor = entry.encryptor;
  return {
    name: entry.name,
    encrypted: !actions.takesNoActions,
    encryptor: { encryptItem: (item) => encryptor.encryptItem(item, crypto), decryptItem: (item) => encryptor.decryptItem(item, crypto) },
    actions,
    keySchema: schema,
    storedItemAttributes: [SIGNATURE_ATTRIBUTE],
  };
}

/**
 * A DB-ESDK table: its configured key names must be the table's, and no key attribute of the
 * table or of an index may be encrypted (in the DB-ESDK actions, nor in the legacy actions it
 * reads). Legacy items were written with index keys made sign-only, so the legacy side gets them.
 */
function resolveDbesdkTable(entry: DbesdkTableEntry, schema: TableKeySchema, roles: readonly [string, string][]): ResolvedTable {
  const { partitionKeyName, sortKeyName } = entry.config;
  if (schema.partitionKey !== partitionKeyName || schema.sortKey !== sortKeyName) {
    const keys = (partition: string, sort: string | undefined): string => `"${partition}"${sort === undefined ? '' : ` + "${sort}"`}`;
    throw invalid(`tables["${entry.name}"] has the key names ${keys(partitionKeyName, sortKeyName)}, but the table's primary key is ${keys(schema.partitionKey, schema.sortKey)}`);
  }
  const indexKeys = roles.map(([attribute]) => attribute).filter((attribute) => attribute !== partitionKeyName && attribute !== sortKeyName);
  const encryptor = entry.config.legacyOverride !== undefined && indexKeys.length > 0 ? new DynamoDbItemEncryptor(entry.config, indexKeys) : entry.encryptor;
  for (const [attribute, role] of roles) {
    if (encryptor.actionOf(attribute) === CryptoAction.EncryptAndSign) {
      throw new DdbecError(
        'ERR_KEY_ATTRIBUTE_ENCRYPTED',
        `table "${entry.name}": attribute "${attribute}" is ${role} and cannot be encrypted (DynamoDB must read it); make it SIGN_ONLY, SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT or DO_NOTHING`,
      );
    }
  }
  const searchable = entry.searchable;
  return {
    name: entry.name,
    encrypted: true,
    encryptor: searchable === undefined ? encryptor : withBeacons(encryptor, searchable),
    actions: encryptor,
    keySchema: schema,
    storedItemAttributes: encryptor.storedItemAttributes,
    searchable,
  };
}

/**
 * A DB-ESDK table's searchable encryption, checked (`ERR_BEACON_CONFIG`), and the table's
 * configuration with the signed beacons added to its actions (SIGN_ONLY), which is what its
 * items are encrypted and decrypted with. Without `search`, the configuration as it is.
 */
export function resolveSearch<T extends DbesdkTableEncryptionConfig>(config: T): { readonly config: T; readonly searchable: SearchableTable | undefined } {
  if (config.search === undefined) return { config, searchable: undefined };
  const searchable = searchableTableOf(config, config.search);
  return { config: { ...config, attributeActionsOnEncrypt: { ...config.attributeActionsOnEncrypt, ...searchable.signedBeaconActions } }, searchable };
}

/** A DB-ESDK table's searchable encryption, checked against the table's actions (`ERR_BEACON_CONFIG`). */
export function searchableTableOf(config: DbesdkItemEncryptorConfig, search: SearchConfig): SearchableTable {
  return createSearchableTable(search, {
    logicalTableName: config.logicalTableName,
    attributeActionsOnEncrypt: config.attributeActionsOnEncrypt,
    allowedUnsignedAttributes: config.allowedUnsignedAttributes,
    allowedUnsignedAttributePrefix: config.allowedUnsignedAttributePrefix,
  });
}

/**
 * Writes an item with its beacons (ddb-sdk-integration.md, PutItem): the signed beacons and the
 * beacon key field before encryption, the encrypted beacons and the version tag after. Items
 * the migration policies write in the legacy format or as plaintext get no beacons.
 */
function withBeacons(encryptor: DynamoDbItemEncryptor, searchable: SearchableTable): TableItemEncryptor {
  return {
    async encryptItem(item) {
      if (encryptor.writeFormat !== 'dbesdk') return encryptor.encryptItem(item);
      const { item: plaintext, beaconKeyId } = searchable.beforeEncrypt(item);
      return searchable.afterEncrypt(plaintext, await encryptor.encryptItem(plaintext), beaconKeyId);
    },
    decryptItem: (item) => encryptor.decryptItem(item),
  };
}

/** Every key attribute of a table and of its indexes, with what it is (for messages). */
function keyRoles(schema: TableKeySchema): [attribute: string, role: string][] {
  const roles: [string, string][] = [[schema.partitionKey, 'the partition key of the table']];
  if (schema.sortKey !== undefined) roles.push([schema.sortKey, 'the sort key of the table']);
  for (const index of schema.indexes ?? []) {
    const kind = index.type === 'local' ? 'local' : 'global';
    roles.push([index.partitionKey, `the partition key of ${kind} secondary index "${index.indexName}"`]);
    if (index.sortKey !== undefined) roles.push([index.sortKey, `the sort key of ${kind} secondary index "${index.indexName}"`]);
  }
  return roles;
}

/**
 * Refuses a declared key schema that does not match the table's: another primary key, or an
 * index key of the table that the declared schema leaves to be encrypted (DynamoDB would then
 * refuse the item with "Type mismatch for Index Key", or index ciphertext).
 */
function compareKeySchemas(declared: ResolvedTable, actual: TableKeySchema): void {
  const where = `tables["${declared.name}"].keySchema`;
  const primary = (schema: TableKeySchema): string => `"${schema.partitionKey}"${schema.sortKey === undefined ? '' : ` + "${schema.sortKey}"`}`;
  if (declared.keySchema.partitionKey !== actual.partitionKey || declared.keySchema.sortKey !== actual.sortKey) {
    throw invalid(`${where} gives the primary key ${primary(declared.keySchema)}, but table "${declared.name}" has ${primary(actual)} (DescribeTable)`);
  }
  for (const [attribute, role] of keyRoles(actual)) {
    if (declared.actions.actionOf(attribute) === CryptoAction.EncryptAndSign) {
      throw new DdbecError(
        'ERR_KEY_ATTRIBUTE_ENCRYPTED',
        `table "${declared.name}": attribute "${attribute}" is ${role} (DescribeTable), which ${where} does not declare, so it would be encrypted and DynamoDB could not index it; add the index to keySchema.indexes (or leave keySchema out to read the indexes with DescribeTable)`,
      );
    }
  }
}
