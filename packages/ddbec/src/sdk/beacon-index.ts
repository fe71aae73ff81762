import { DdbecError } from '../errors.js';
import type { SearchConfig } from '../searchable/config.js';
import { searchableTableOf, type DbesdkTableEncryptionConfig, type IndexKeySchema } from './config.js';

type ScalarType = 'S' | 'N' | 'B';

export interface BeaconIndexOptions {
  /** Default `<beacon>-index`. */
  readonly indexName?: string | undefined;
  /**
   * The index's sort key: another beacon (by name), or an attribute that is not encrypted —
   * by name (a string attribute), or with its type (`{ attribute: 'createdAt', type: 'N' }`).
   */
  readonly sortKey?: string | { readonly attribute: string; readonly type: ScalarType } | undefined;
}

/** A global secondary index over a beacon, in the shapes CreateTable and UpdateTable take (fresh objects: extend them at will). */
export interface BeaconIndexDefinition {
  /** Add to CreateTable's (or UpdateTable's) `AttributeDefinitions`. */
  readonly AttributeDefinitions: { AttributeName: string; AttributeType: ScalarType }[];
  /**
   * An entry of CreateTable's `GlobalSecondaryIndexes`, or UpdateTable's
   * `GlobalSecondaryIndexUpdates: [{ Create: … }]` (add `ProvisionedThroughput` for a provisioned table).
   * It projects every attribute: ddbec reads whole items, to verify them.
   */
  readonly GlobalSecondaryIndex: {
    IndexName: string;
    KeySchema: { AttributeName: string; KeyType: 'HASH' | 'RANGE' }[];
    Projection: { ProjectionType: 'ALL' };
  };
  /** The same index for `keySchema.indexes` of the table's ddbec configuration. */
  readonly index: IndexKeySchema;
}

/**
 * The global secondary index a query on `beacon` needs: keyed on the attribute the beacon is
 * stored as (`aws_dbe_b_<name>`, or the name of a compound beacon of signed parts only), with
 * an optional sort key, projecting every attribute. Throws `ERR_BEACON_CONFIG` when the table's
 * search config is invalid, `ERR_INVALID_ARGUMENT` when `beacon` (or a sort key) cannot key an index.
 */
export function beaconIndex(table: DbesdkTableEncryptionConfig & { readonly search: SearchConfig }, beacon: string, options: BeaconIndexOptions = {}): BeaconIndexDefinition {
  const searchable = searchableTableOf(table, table.search);
  const keyOf = (name: string, role: string): string => {
    const found = searchable.queryBeacon(name);
    if (found === undefined) throw new DdbecError('ERR_INVALID_ARGUMENT', `"${name}" is not a beacon of table "${table.logicalTableName}" (its beacons: ${searchable.beacons.map((b) => b.name).join(', ')})`);
    if (found.asSet) throw new DdbecError('ERR_INVALID_ARGUMENT', `beacon "${name}" is a set beacon (stored as a string set), which cannot be the ${role} of an index`);
    return found.storedName;
  };
  const partitionKey = keyOf(beacon, 'partition key');
  const definitions: { AttributeName: string; AttributeType: ScalarType }[] = [{ AttributeName: partitionKey, AttributeType: 'S' }];
  const sort = options.sortKey;
  let sortKey: string | undefined;
  if (sort !== undefined) {
    const attribute = typeof sort === 'string' ? sort : sort.attribute;
    if (typeof sort === 'string' && searchable.queryBeacon(sort) !== undefined) {
      sortKey = keyOf(sort, 'sort key');
    } else if (table.attributeActionsOnEncrypt[attribute] === 'ENCRYPT_AND_SIGN') {
      throw new DdbecError('ERR_INVALID_ARGUMENT', `sort key "${attribute}" is encrypted (DynamoDB would sort ciphertext); give a beacon over it, or an attribute that is signed only`);
    } else {
      sortKey = attribute;
    }
    definitions.push({ AttributeName: sortKey, AttributeType: typeof sort === 'string' ? 'S' : sort.type });
  }
  const indexName = options.indexName ?? `${beacon}-index`;
  return {
    AttributeDefinitions: definitions,
    GlobalSecondaryIndex: {
      IndexName: indexName,
      KeySchema: [{ AttributeName: partitionKey, KeyType: 'HASH' }, ...(sortKey === undefined ? [] : [{ AttributeName: sortKey, KeyType: 'RANGE' as const }])],
      Projection: { ProjectionType: 'ALL' },
    },
    index: { indexName, type: 'global', partitionKey, sortKey, projection: 'ALL' },
  };
}
