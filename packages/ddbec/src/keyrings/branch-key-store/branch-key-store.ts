import {
  CreateTableCommand,
  DescribeTableCommand,
  GetItemCommand,
  TransactWriteItemsCommand,
  waitUntilTableExists,
  type DynamoDBClient,
  type TableDescription,
  type TransactWriteItem,
} from '@aws-sdk/client-dynamodb';
import { DecryptCommand, GenerateDataKeyWithoutPlaintextCommand, ReEncryptCommand, type KMSClient } from '@aws-sdk/client-kms';
import { DdbecError, transientFailure } from '../../errors.js';
import { callKms } from '../../kms-call.js';
import { mrkMatch, parseKmsArn, withRegion } from '../kms/arn.js';
import type { BeaconKeyMaterials, BranchKeyMaterials, BranchKeyStore, EncryptionContext } from '../types.js';
import {
  ACTIVE_TYPE,
  BEACON_TYPE,
  branchKeyVersionOf,
  createTime,
  customContextOf,
  Field,
  readRecord,
  recordContext,
  toItem,
  uuidV4,
  VERSION_PREFIX,
  type ReadRecord,
  type RecordBase,
  type StoreItem,
} from './records.js';

/**
 * Which KMS keys protect the store's records (mpl-spec branch-key-store.md "AWS KMS
 * Configuration"):
 * - `{ kmsKeyArn }`: exactly this key (a key ARN, not an alias); records of any other key are refused.
 * - `{ kmsMrKeyArn }`: this key or a replica of it in another region (multi-Region keys).
 * - `{ discovery: true }`: read-only; each record's own `kms-arn`.
 * - `{ mrDiscovery: { region } }`: read-only; each record's `kms-arn`, multi-Region keys moved to `region`.
 */
export type KmsConfiguration =
  | { readonly kmsKeyArn: string }
  | { readonly kmsMrKeyArn: string }
  | { readonly discovery: true }
  | { readonly mrDiscovery: { readonly region: string } };

export interface DynamoDbBranchKeyStoreOptions {
  /** The caller's DynamoDB client, in the table's region. */
  readonly ddbClient: DynamoDBClient;
  /** The caller's KMS client, in the KMS key's region (the MR discovery region). */
  readonly kmsClient: KMSClient;
  readonly tableName: string;
  /**
   * Bound into every record's KMS encryption context: one name per table, kept when the table
   * is restored under another name. The table name itself is a fine choice.
   */
  readonly logicalKeyStoreName: string;
  readonly kmsConfiguration: KmsConfiguration;
  readonly grantTokens?: readonly string[];
  /** Default: a random UUID. */
  readonly keyStoreId?: string;
}

export interface KeyStoreInfo {
  readonly keyStoreId: string;
  readonly tableName: string;
  readonly logicalKeyStoreName: string;
  readonly grantTokens: readonly string[];
  readonly kmsConfiguration: KmsConfiguration;
}

export interface CreateKeyOptions {
  /** Default: a random UUID. A custom id needs a non-empty `encryptionContext`. */
  readonly branchKeyIdentifier?: string;
  /** Custom encryption context bound to every version of the key. */
  readonly encryptionContext?: EncryptionContext;
}

export interface CreateKeyStoreOptions {
  /** How long to wait for a new table to become ACTIVE, in seconds (default 300). */
  readonly maxWaitSeconds?: number;
}

/** The codes of DynamoDB failures that may go away on their own (after the SDK's retries). */
const TRANSIENT_CODES = { throttled: 'ERR_BRANCH_KEY_STORE_THROTTLED', unavailable: 'ERR_BRANCH_KEY_STORE_UNAVAILABLE' } as const;
const NAMES = { '#id': Field.BranchKeyId, '#enc': Field.Enc };

/**
 * The branch key store of the hierarchical keyring, in DynamoDB and protected by AWS KMS
 * (mpl-spec framework/branch-key-store.md), record for record the store of the AWS Material
 * Providers Library: readable by, and able to read, the Java, .NET, Rust and JavaScript
 * implementations.
 */
export class DynamoDbBranchKeyStore implements BranchKeyStore {
  readonly #ddb: DynamoDBClient;
  readonly #kms: KMSClient;
  readonly #tableName: string;
  readonly #logicalName: string;
  readonly #config: KmsConfiguration;
  /** The configured key ARN (strict and MRK configurations). */
  readonly #keyArn: string | undefined;
  readonly #grantTokens: string[] | undefined;
  readonly #keyStoreId: string;

  constructor(options: DynamoDbBranchKeyStoreOptions) {
    const invalid = (message: string) => new DdbecError('ERR_INVALID_ARGUMENT', `DynamoDbBranchKeyStore: ${message}`);
    if (typeof options?.ddbClient?.send !== 'function') throw invalid('needs a ddbClient');
    if (typeof options.kmsClient?.send !== 'function') throw invalid('needs a kmsClient');
    if (typeof options.tableName !== 'string' || options.tableName === '') throw invalid('needs a tableName');
    if (typeof options.logicalKeyStoreName !== 'string' || options.logicalKeyStoreName === '') throw invalid('needs a logicalKeyStoreName');
    const config = options.kmsConfiguration;
    if ((config as { discovery?: unknown })?.discovery === true) {
      this.#keyArn = undefined;
    } else if (typeof (config as { mrDiscovery?: { region?: unknown } })?.mrDiscovery?.region === 'string') {
      if ((config as { mrDiscovery: { region: string } }).mrDiscovery.region === '') throw invalid('mrDiscovery needs a region');
      this.#keyArn = undefined;
    } else {
      const arn = (config as { kmsKeyArn?: unknown })?.kmsKeyArn ?? (config as { kmsMrKeyArn?: unknown })?.kmsMrKeyArn;
      if (typeof arn !== 'string' || parseKmsArn(arn)?.resourceType !== 'key') {
        throw invalid('kmsConfiguration must be { kmsKeyArn }, { kmsMrKeyArn } (a KMS key ARN, not an alias), { discovery: true } or { mrDiscovery: { region } }');
      }
      this.#keyArn = arn;
    }
    this.#ddb = options.ddbClient;
    this.#kms = options.kmsClient;
    this.#tableName = options.tableName;
    this.#logicalName = options.logicalKeyStoreName;
    this.#config = config;
    this.#grantTokens = options.grantTokens ? [...options.grantTokens] : undefined;
    this.#keyStoreId = options.keyStoreId ?? uuidV4();
  }

  getKeyStoreInfo(): KeyStoreInfo {
    return {
      keyStoreId: this.#keyStoreId,
      tableName: this.#tableName,
      logicalKeyStoreName: this.#logicalName,
      grantTokens: [...(this.#grantTokens ?? [])],
      kmsConfiguration: this.#config,
    };
  }

  /**
   * Creates the table (`branch-key-id` string partition key, `type` string sort key, on-demand)
   * unless it exists, and waits until it is ACTIVE. An existing table with another key schema
   * is refused. Returns the table ARN.
   */
  async createKeyStore(options: CreateKeyStoreOptions = {}): Promise<string> {
    let table: TableDescription | undefined;
    try {
      table = (await this.#ddb.send(new DescribeTableCommand({ TableName: this.#tableName }))).Table;
    } catch (error) {
      if ((error as { name?: unknown }).name !== 'ResourceNotFoundException') throw this.#ddbError('DescribeTable', error);
    }
    if (table === undefined) {
      const created = await this.#ddbCall('CreateTable', () =>
        this.#ddb.send(
          new CreateTableCommand({
            TableName: this.#tableName,
            AttributeDefinitions: [
              { AttributeName: Field.BranchKeyId, AttributeType: 'S' },
              { AttributeName: Field.Type, AttributeType: 'S' },
            ],
            KeySchema: [
              { AttributeName: Field.BranchKeyId, KeyType: 'HASH' },
              { AttributeName: Field.Type, KeyType: 'RANGE' },
            ],
            BillingMode: 'PAY_PER_REQUEST',
          }),
        ),
      );
      await this.#ddbCall('DescribeTable', () =>
        waitUntilTableExists({ client: this.#ddb, maxWaitTime: options.maxWaitSeconds ?? 300, minDelay: 1, maxDelay: 5 }, { TableName: this.#tableName }),
      );
      return created.TableDescription?.TableArn ?? '';
    }
    const types = new Map((table.AttributeDefinitions ?? []).map((d) => [d.AttributeName, d.AttributeType]));
    const schema = table.KeySchema ?? [];
    const hash = schema.find((k) => k.KeyType === 'HASH')?.AttributeName;
    const range = schema.find((k) => k.KeyType === 'RANGE')?.AttributeName;
    if (hash !== Field.BranchKeyId || range !== Field.Type || types.get(hash) !== 'S' || types.get(range) !== 'S') {
      throw new DdbecError(
        'ERR_BRANCH_KEY_STORE',
        `table "${this.#tableName}" exists with another key schema than a branch key store's (branch-key-id S, type S)`,
      );
    }
    return table.TableArn ?? '';
  }

  /**
   * Creates a branch key: its first version (DECRYPT_ONLY and ACTIVE records) and its beacon
   * key, written in one transaction that fails if the id exists. Returns the branch key id.
   */
  async createKey(options: CreateKeyOptions = {}): Promise<{ branchKeyIdentifier: string }> {
    const keyArn = this.#writableKeyArn('createKey');
    const custom = { ...(options.encryptionContext ?? {}) };
    if (options.branchKeyIdentifier !== undefined) {
      if (typeof options.branchKeyIdentifier !== 'string' || options.branchKeyIdentifier === '') {
        throw new DdbecError('ERR_INVALID_ARGUMENT', 'createKey: branchKeyIdentifier must be a non-empty string');
      }
      if (Object.keys(custom).length === 0) {
        throw new DdbecError('ERR_INVALID_ARGUMENT', 'createKey: a custom branchKeyIdentifier needs an encryptionContext');
      }
    }
    for (const [key, value] of Object.entries(custom)) {
      if (key === '' || typeof value !== 'string') throw new DdbecError('ERR_INVALID_ARGUMENT', 'createKey: encryptionContext keys must be non-empty and values strings');
    }
    const branchKeyId = options.branchKeyIdentifier ?? uuidV4();
    const base: RecordBase = { branchKeyId, createTime: createTime(new Date()), kmsArn: keyArn, logicalKeyStoreName: this.#logicalName, customContext: custom };
    const [decryptOnly, active] = await this.#newVersion(keyArn, base);
    const beaconContext = recordContext(base, BEACON_TYPE);
    const beacon = await this.#generate(keyArn, beaconContext);
    await this.#transact(branchKeyId, 'createKey', [
      this.#put(decryptOnly, 'attribute_not_exists(#id)'),
      this.#put(active, 'attribute_not_exists(#id)'),
      this.#put(toItem(beaconContext, beacon), 'attribute_not_exists(#id)'),
    ]);
    return { branchKeyIdentifier: branchKeyId };
  }

  /**
   * Makes a new version of a branch key the active one. The active record is authenticated
   * first (KMS ReEncrypt), and replaced only if nobody replaced it meanwhile.
   */
  async versionKey(branchKeyIdentifier: string): Promise<void> {
    const keyArn = this.#writableKeyArn('versionKey');
    const record = await this.#read(branchKeyIdentifier, ACTIVE_TYPE);
    if (!this.#compatible(record.kmsArn)) throw this.#otherKey(record);
    // ReEncrypt to itself under the same context: KMS checks the context and the key.
    await callKms('ReEncrypt', keyArn, 'ERR_UNWRAPPING_FAILED', () =>
      this.#kms.send(
        new ReEncryptCommand({
          CiphertextBlob: record.enc,
          SourceKeyId: keyArn,
          SourceEncryptionContext: record.context,
          DestinationKeyId: keyArn,
          DestinationEncryptionContext: record.context,
          GrantTokens: this.#grantTokens,
        }),
      ),
    );
    // The stored kms-arn never changes, even when an MRK replica did the work.
    const base: RecordBase = {
      branchKeyId: branchKeyIdentifier,
      createTime: createTime(new Date()),
      kmsArn: record.kmsArn,
      logicalKeyStoreName: this.#logicalName,
      customContext: customContextOf(record.context),
    };
    const [decryptOnly, active] = await this.#newVersion(keyArn, base);
    await this.#transact(branchKeyIdentifier, 'versionKey', [
      this.#put(decryptOnly, 'attribute_not_exists(#id)'),
      this.#put(active, 'attribute_exists(#id) AND #enc = :old', { ':old': { B: record.enc } }),
    ]);
  }

  async getActiveBranchKey(branchKeyIdentifier: string): Promise<BranchKeyMaterials> {
    const record = await this.#read(branchKeyIdentifier, ACTIVE_TYPE);
    return this.#branchKeyMaterials(record);
  }

  async getBranchKeyVersion(branchKeyIdentifier: string, branchKeyVersion: string): Promise<BranchKeyMaterials> {
    if (typeof branchKeyVersion !== 'string' || branchKeyVersion === '') {
      throw new DdbecError('ERR_INVALID_ARGUMENT', 'getBranchKeyVersion needs a branchKeyVersion');
    }
    const record = await this.#read(branchKeyIdentifier, VERSION_PREFIX + branchKeyVersion);
    return this.#branchKeyMaterials(record);
  }

  async getBeaconKey(branchKeyIdentifier: string): Promise<BeaconKeyMaterials> {
    const record = await this.#read(branchKeyIdentifier, BEACON_TYPE);
    const beaconKey = await this.#decrypt(record);
    return { beaconKeyIdentifier: record.branchKeyId, encryptionContext: customContextOf(record.context), beaconKey };
  }

  async #branchKeyMaterials(record: ReadRecord): Promise<BranchKeyMaterials> {
    const branchKeyVersion = branchKeyVersionOf(record);
    const branchKey = await this.#decrypt(record);
    return { branchKeyIdentifier: record.branchKeyId, branchKeyVersion, encryptionContext: customContextOf(record.context), branchKey };
  }

  /** GetItem of one record, checked against the record format. */
  async #read(branchKeyIdentifier: string, type: string): Promise<ReadRecord> {
    if (typeof branchKeyIdentifier !== 'string' || branchKeyIdentifier === '') {
      throw new DdbecError('ERR_INVALID_ARGUMENT', 'the branch key store needs a branch key identifier');
    }
    const { Item } = await this.#ddbCall('GetItem', () =>
      this.#ddb.send(
        new GetItemCommand({
          TableName: this.#tableName,
          Key: { [Field.BranchKeyId]: { S: branchKeyIdentifier }, [Field.Type]: { S: type } },
          ConsistentRead: true,
        }),
      ),
    );
    const where = `"${branchKeyIdentifier}" / "${type}"`;
    if (Item === undefined) throw new DdbecError('ERR_BRANCH_KEY_NOT_FOUND', `the branch key store "${this.#tableName}" has no record ${where}`);
    const record = readRecord(Item, this.#logicalName, where);
    if (record.branchKeyId !== branchKeyIdentifier || record.type !== type) {
      throw new DdbecError('ERR_BRANCH_KEY_STORE', `branch key store record ${where} has other key values`);
    }
    return record;
  }

  /** KMS Decrypt of a record's `enc` under the record's encryption context (every attribute authenticated). */
  async #decrypt(record: ReadRecord): Promise<Uint8Array> {
    const keyId = this.#decryptKeyId(record);
    const response = await callKms('Decrypt', keyId, 'ERR_UNWRAPPING_FAILED', () =>
      this.#kms.send(new DecryptCommand({ CiphertextBlob: record.enc, KeyId: keyId, EncryptionContext: record.context, GrantTokens: this.#grantTokens })),
    );
    if (response.Plaintext?.length !== 32) {
      throw new DdbecError('ERR_UNWRAPPING_FAILED', `AWS KMS Decrypt of branch key "${record.branchKeyId}" returned no 32-byte key`);
    }
    return response.Plaintext;
  }

  #decryptKeyId(record: ReadRecord): string {
    if (this.#keyArn !== undefined) {
      if (!this.#compatible(record.kmsArn)) throw this.#otherKey(record);
      return this.#keyArn;
    }
    const arn = parseKmsArn(record.kmsArn);
    if (arn?.resourceType !== 'key') {
      throw new DdbecError('ERR_BRANCH_KEY_STORE', `branch key "${record.branchKeyId}" names no KMS key ARN (${record.kmsArn})`);
    }
    const region = (this.#config as { mrDiscovery?: { region: string } }).mrDiscovery?.region;
    return region !== undefined && arn.resourceId.startsWith('mrk-') ? withRegion(arn, region) : record.kmsArn;
  }

  /** AWS Key ARN Compatibility: equal, or for `kmsMrKeyArn` MRK-equal. */
  #compatible(kmsArn: string): boolean {
    if (this.#keyArn === undefined) return true;
    return 'kmsMrKeyArn' in this.#config ? mrkMatch(this.#keyArn, kmsArn) : this.#keyArn === kmsArn;
  }

  #otherKey(record: ReadRecord): DdbecError {
    return new DdbecError(
      'ERR_BRANCH_KEY_STORE',
      `branch key "${record.branchKeyId}" is protected by ${record.kmsArn}, not by the store's configured key ${String(this.#keyArn)}`,
    );
  }

  #writableKeyArn(operation: string): string {
    if (this.#keyArn === undefined) {
      throw new DdbecError('ERR_INVALID_ARGUMENT', `${operation} needs a store configured with kmsKeyArn or kmsMrKeyArn (discovery stores are read-only)`);
    }
    return this.#keyArn;
  }

  /** A new version: the DECRYPT_ONLY record from GenerateDataKeyWithoutPlaintext, the ACTIVE one by ReEncrypt. */
  async #newVersion(keyArn: string, base: RecordBase): Promise<[StoreItem, StoreItem]> {
    const version = uuidV4();
    const decryptOnlyContext = recordContext(base, VERSION_PREFIX + version);
    const activeContext = recordContext(base, ACTIVE_TYPE, version);
    const wrapped = await this.#generate(keyArn, decryptOnlyContext);
    const response = await callKms('ReEncrypt', keyArn, 'ERR_WRAPPING_FAILED', () =>
      this.#kms.send(
        new ReEncryptCommand({
          CiphertextBlob: wrapped,
          SourceKeyId: keyArn,
          SourceEncryptionContext: decryptOnlyContext,
          DestinationKeyId: keyArn,
          DestinationEncryptionContext: activeContext,
          GrantTokens: this.#grantTokens,
        }),
      ),
    );
    if (!response.CiphertextBlob) throw new DdbecError('ERR_WRAPPING_FAILED', 'AWS KMS ReEncrypt returned no ciphertext');
    return [toItem(decryptOnlyContext, wrapped), toItem(activeContext, response.CiphertextBlob)];
  }

  async #generate(keyArn: string, context: Record<string, string>): Promise<Uint8Array> {
    const response = await callKms('GenerateDataKeyWithoutPlaintext', keyArn, 'ERR_WRAPPING_FAILED', () =>
      this.#kms.send(new GenerateDataKeyWithoutPlaintextCommand({ KeyId: keyArn, NumberOfBytes: 32, EncryptionContext: context, GrantTokens: this.#grantTokens })),
    );
    if (!response.CiphertextBlob) throw new DdbecError('ERR_WRAPPING_FAILED', 'AWS KMS GenerateDataKeyWithoutPlaintext returned no ciphertext');
    return response.CiphertextBlob;
  }

  #put(item: StoreItem, condition: string, values?: StoreItem): TransactWriteItem {
    const names = condition.includes('#enc') ? NAMES : { '#id': Field.BranchKeyId };
    return { Put: { TableName: this.#tableName, Item: item, ConditionExpression: condition, ExpressionAttributeNames: names, ExpressionAttributeValues: values } };
  }

  async #transact(branchKeyId: string, operation: string, items: TransactWriteItem[]): Promise<void> {
    try {
      await this.#ddb.send(new TransactWriteItemsCommand({ TransactItems: items }));
    } catch (error) {
      const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
      if (reasons.some((r) => r.Code === 'ConditionalCheckFailed')) {
        const why = operation === 'createKey' ? 'exists already' : 'was versioned by another writer meanwhile';
        throw new DdbecError('ERR_BRANCH_KEY_CONFLICT', `${operation}: branch key "${branchKeyId}" ${why}`, { cause: error });
      }
      throw this.#ddbError('TransactWriteItems', error);
    }
  }

  async #ddbCall<T>(operation: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw this.#ddbError(operation, error);
    }
  }

  /**
   * A failed DynamoDB request: throttling and unavailability (after the SDK's retries) are
   * retryable; a missing table is `ERR_BRANCH_KEY_NOT_FOUND`; anything else `ERR_BRANCH_KEY_STORE`.
   */
  #ddbError(operation: string, error: unknown): DdbecError {
    const failure = transientFailure(error);
    const name = (error as { name?: unknown }).name;
    const code = failure ? TRANSIENT_CODES[failure] : name === 'ResourceNotFoundException' ? 'ERR_BRANCH_KEY_NOT_FOUND' : 'ERR_BRANCH_KEY_STORE';
    const message = error instanceof Error ? error.message : String(error);
    return new DdbecError(code, `branch key store table "${this.#tableName}": ${operation} failed (${String(name)}: ${message})`, { cause: error });
  }
}
