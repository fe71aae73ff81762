import { DdbecError } from '../errors.js';
import { CryptoAction, MATERIAL_DESCRIPTION_ATTRIBUTE, SIGNATURE_ATTRIBUTE, type Item } from '../format/index.js';
import type { CryptographicMaterialsProvider } from '../materials/index.js';
import { AttributeActions, ItemEncryptor, type CryptoConfig } from '../encryptor/index.js';
import { DbesdkItemEncryptor } from '../dbesdk/item-encryptor.js';
import { FOOTER_ATTRIBUTE, RESERVED_PREFIX, type DbesdkCryptoAction, type DbesdkItemEncryptorConfig } from '../dbesdk/config.js';
import {
  checkPolicies,
  checkWritable,
  readFormat,
  readsLegacy,
  readsPlaintext,
  writeFormat,
  type ItemFormat,
  type LegacyPolicy,
  type MigrationPolicies,
  type PlaintextPolicy,
} from './policies.js';

/** How a DB-ESDK table reads and writes items of the legacy format (ddb-table-encryption-config.md "Legacy Config"). */
export interface LegacyOverride {
  readonly policy: LegacyPolicy;
  /** The legacy item encryptor (for a signing profile or reader options). Give this or `materialsProvider`. */
  readonly encryptor?: ItemEncryptor;
  /** The legacy materials provider. Give this or `encryptor`. */
  readonly materialsProvider?: CryptographicMaterialsProvider;
  /**
   * The actions the legacy items were written with ("attribute flags"); may differ from
   * `attributeActionsOnEncrypt`. Key attributes that the default action would encrypt are
   * sign-only, as ddbec's legacy configuration makes them.
   */
  readonly attributeActionsOnEncrypt: AttributeActions;
}

/**
 * The DynamoDB item encryptor of the DB-ESDK specification (ddb-item-encryptor.md): the
 * DB-ESDK item format plus the table's migration policies. Legacy items are read and written
 * with the legacy encryptor, in a context of the same logical table name and key names.
 */
export interface DynamoDbItemEncryptorConfig extends DbesdkItemEncryptorConfig {
  readonly legacyOverride?: LegacyOverride | undefined;
  readonly plaintextOverride?: PlaintextPolicy | undefined;
}

/** The legacy encryptor and its config (the table's logical name and keys, the legacy actions). */
interface LegacySide {
  readonly encryptor: ItemEncryptor;
  readonly crypto: CryptoConfig;
}

/** A DB-ESDK action as one of the legacy format's three, as far as expressions and updates are concerned. */
const ACTIONS: Readonly<Record<DbesdkCryptoAction, CryptoAction>> = {
  ENCRYPT_AND_SIGN: CryptoAction.EncryptAndSign,
  SIGN_ONLY: CryptoAction.SignOnly,
  SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT: CryptoAction.SignOnly,
  DO_NOTHING: CryptoAction.DoNothing,
};

const RANK: Readonly<Record<CryptoAction, number>> = { DO_NOTHING: 0, SIGN_ONLY: 1, ENCRYPT_AND_SIGN: 2 };

/**
 * Encrypts and decrypts the items of one table in the DB-ESDK format, honouring its
 * `legacyOverride` and `plaintextOverride`: new items are written in the format the policies
 * say, and each stored item is read in the format it is in when the policies allow it
 * (otherwise `ERR_ITEM_FORMAT_REFUSED`). Never modifies the caller's item.
 */
export class DynamoDbItemEncryptor {
  readonly config: DynamoDbItemEncryptorConfig;
  readonly policies: MigrationPolicies;
  readonly #core: DbesdkItemEncryptor;
  readonly #legacy: LegacySide | undefined;
  readonly #where: string;

  /**
   * `keyAttributes`: more attributes to treat as key attributes of legacy items (the keys of
   * the table's secondary indexes, which ddbec's legacy SDK integration signs rather than encrypts).
   */
  constructor(config: DynamoDbItemEncryptorConfig, keyAttributes: readonly string[] = []) {
    if (typeof config !== 'object' || config === null) throw new DdbecError('ERR_INVALID_ARGUMENT', 'DynamoDbItemEncryptor needs a configuration object');
    const where = `table "${config.logicalTableName}"`;
    const legacy = config.legacyOverride;
    if (legacy !== undefined && (typeof legacy !== 'object' || legacy === null)) throw new DdbecError('ERR_INVALID_ARGUMENT', `${where}: legacyOverride must be an object`);
    const policies: MigrationPolicies = { legacy: legacy?.policy, plaintext: config.plaintextOverride };
    checkPolicies(policies, where);
    this.#core = new DbesdkItemEncryptor(config);
    this.config = config;
    this.policies = policies;
    this.#where = config.logicalTableName;
    this.#legacy = legacy === undefined ? undefined : legacyEncryptor(legacy, config, keyAttributes, where);
  }

  /** The format new items are written in. */
  get writeFormat(): ItemFormat {
    return writeFormat(this.policies);
  }

  /** How a stored item would be read (`ERR_ITEM_FORMAT_REFUSED` when the policies do not allow its format). */
  readFormat(item: Item): ItemFormat {
    return readFormat(item, this.policies, this.#where);
  }

  /** Encrypts (or, as the policies say, writes as a legacy or plaintext item) a plaintext item. */
  async encryptItem(item: Item): Promise<Item> {
    checkItemObject(item);
    checkWritable(item, this.#where);
    switch (this.writeFormat) {
      case 'legacy': {
        const legacy = this.#legacy as LegacySide;
        return legacy.encryptor.encryptItem(item, legacy.crypto);
      }
      case 'plaintext':
        return { ...item };
      case 'dbesdk':
        return this.#core.encryptItem(item);
    }
  }

  /** Verifies and decrypts a stored item in whichever format it is, if the policies allow that format. */
  async decryptItem(item: Item): Promise<Item> {
    checkItemObject(item);
    switch (this.readFormat(item)) {
      case 'legacy': {
        const legacy = this.#legacy as LegacySide;
        return legacy.encryptor.decryptItem(item, legacy.crypto);
      }
      case 'plaintext':
        return { ...item };
      case 'dbesdk':
        return this.#core.decryptItem(item);
    }
  }

  /**
   * The strictest action an attribute has in any format the table writes or reads, as the
   * SDK integration's checks need it (an expression may not compare an attribute some stored
   * item has encrypted; an update may not change one some stored item has signed):
   * `SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT` is signed; an attribute the DB-ESDK
   * configuration does not name is signed unless it is an allowed unsigned attribute; the
   * format's own attributes are signed.
   */
  actionOf(attributeName: string): CryptoAction {
    if (attributeName.startsWith(RESERVED_PREFIX) || attributeName === SIGNATURE_ATTRIBUTE || attributeName === MATERIAL_DESCRIPTION_ATTRIBUTE) {
      return CryptoAction.SignOnly;
    }
    const action = ACTIONS[this.#core.actionOf(attributeName) ?? 'SIGN_ONLY'];
    const legacy = readsLegacy(this.policies) ? this.#legacy?.crypto.attributeActions.actionOf(attributeName) : undefined;
    return legacy !== undefined && RANK[legacy] > RANK[action] ? legacy : action;
  }

  /** A DB-ESDK table always signs something (its keys). */
  get takesNoActions(): false {
    return false;
  }

  /**
   * Attributes of which every item this table reads has at least one: the DB-ESDK footer,
   * the legacy signature when legacy items are read, the partition key when plaintext items are.
   */
  get storedItemAttributes(): readonly string[] {
    const attributes = [FOOTER_ATTRIBUTE];
    if (this.#legacy !== undefined && readsLegacy(this.policies)) attributes.push(SIGNATURE_ATTRIBUTE);
    if (readsPlaintext(this.policies)) attributes.push(this.config.partitionKeyName);
    return attributes;
  }
}

function checkItemObject(item: unknown): asserts item is Item {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) throw new DdbecError('ERR_INVALID_ARGUMENT', 'the item must be an object of attribute values');
}

function legacyEncryptor(
  legacy: LegacyOverride,
  config: DbesdkItemEncryptorConfig,
  keyAttributes: readonly string[],
  where: string,
): LegacySide {
  if (!(legacy.attributeActionsOnEncrypt instanceof AttributeActions)) {
    throw new DdbecError('ERR_INVALID_ARGUMENT', `${where}: legacyOverride.attributeActionsOnEncrypt must be an AttributeActions (the legacy items' actions)`);
  }
  if ((legacy.encryptor === undefined) === (legacy.materialsProvider === undefined)) {
    throw new DdbecError('ERR_INVALID_ARGUMENT', `${where}: legacyOverride needs exactly one of encryptor and materialsProvider`);
  }
  if (legacy.encryptor !== undefined && !(legacy.encryptor instanceof ItemEncryptor)) {
    throw new DdbecError('ERR_INVALID_ARGUMENT', `${where}: legacyOverride.encryptor must be an ItemEncryptor`);
  }
  const encryptor = legacy.encryptor ?? new ItemEncryptor({ materialsProvider: legacy.materialsProvider as CryptographicMaterialsProvider });
  return {
    encryptor,
    crypto: {
      encryptionContext: { tableName: config.logicalTableName, partitionKeyName: config.partitionKeyName, sortKeyName: config.sortKeyName },
      attributeActions: legacy.attributeActionsOnEncrypt.withKeyAttributes(config.partitionKeyName, config.sortKeyName, ...keyAttributes),
    },
  };
}
