/**
 * The DB-ESDK's beacon test fixtures as data (aws/aws-database-encryption-sdk-dynamodb @ b69c6db,
 * DynamoDbEncryption/dafny/DynamoDbEncryption/test/BeaconTestFixtures.dfy): its beacon
 * configuration "GetLotsaBeacons", the table's actions "FullTableConfig", the item "SimpleItem",
 * and the literal beacon key [1,2,3,4,5] its tests derive every HMAC key from.
 */
import type { Item } from '../../src/format/attribute-value.js';
import type { BeaconKeyMaterials, BranchKeyStore } from '../../src/keyrings/types.js';
import type { BeaconVersion, CompoundBeacon, EncryptedPart, SearchConfig, SignedPart, StandardBeacon } from '../../src/searchable/config.js';
import { createSearchableTable } from '../../src/searchable/table.js';
import type { SearchableTable, SearchTableFacts } from '../../src/searchable/types.js';

export const LITERAL_BEACON_KEY = new Uint8Array([1, 2, 3, 4, 5]);

/** A key store holding only beacon keys (`beaconKey` for every id), counting its calls. */
export class BeaconOnlyKeyStore implements BranchKeyStore {
  calls: string[] = [];
  constructor(readonly beaconKey: Uint8Array = LITERAL_BEACON_KEY) {}
  getActiveBranchKey(): never {
    throw new Error('not a branch key store');
  }
  getBranchKeyVersion(): never {
    throw new Error('not a branch key store');
  }
  getBeaconKey(id: string): Promise<BeaconKeyMaterials> {
    this.calls.push(id);
    return Promise.resolve({ beaconKeyIdentifier: id, encryptionContext: {}, beaconKey: this.beaconKey });
  }
}

export const std2: StandardBeacon = { name: 'std2', length: 24 };
export const std4: StandardBeacon = { name: 'std4', length: 24, loc: 'std4' };
export const std6: StandardBeacon = { name: 'std6', length: 26, loc: 'std6[0]' };
export const NameB: StandardBeacon = { name: 'Name', length: 32 };
export const TitleB: StandardBeacon = { name: 'Title', length: 32 };
export const TooBadB: StandardBeacon = { name: 'TooBad', length: 32 };
export const NameTitleBeacon: StandardBeacon = { name: 'NameTitleField', length: 28 };

export const Year: SignedPart = { name: 'Year', prefix: 'Y_' };
export const Month: SignedPart = { name: 'Month', prefix: 'M_', loc: 'Date.Month' };
export const Name: EncryptedPart = { name: 'Name', prefix: 'N_' };
export const Title: EncryptedPart = { name: 'Title', prefix: 'T_' };
export const TooBad: EncryptedPart = { name: 'TooBad', prefix: 'T' };

export const NameTitle: CompoundBeacon = { name: 'NameTitle', split: '.', encrypted: [Name, Title] };
export const YearName: CompoundBeacon = { name: 'YearName', split: '.', encrypted: [Name], signed: [Year] };
export const BadPrefix: CompoundBeacon = { name: 'BadPrefix', split: '.', encrypted: [Name, Title, TooBad] };
export const JustSigned: CompoundBeacon = { name: 'JustSigned', split: '.', signed: [Year, Month] };
export const Mixed: CompoundBeacon = {
  name: 'Mixed',
  split: '.',
  encrypted: [Name, Title],
  signed: [Year, Month],
  constructors: [
    {
      parts: [
        { name: 'Name', required: true },
        { name: 'Year', required: true },
      ],
    },
    {
      parts: [
        { name: 'Title', required: true },
        { name: 'Month', required: false },
      ],
    },
  ],
};

export const NameTitleField = {
  name: 'NameTitleField',
  parts: [
    { loc: 'Name', trans: [{ insert: { literal: '__' } }] },
    { loc: 'Title', trans: [{ lower: {} }] },
  ],
};

/** BeaconTestFixtures' expected values (its `*_beacon` constants). */
export const EXPECTED = {
  std2: 'ac6f5d',
  Name: '7d9bfa40',
  Title: 'e4feb833',
  std4: '0e9064',
  std6: '2d99222',
  NameTitle: '4c577d7',
  EmptyName: 'e0e88994',
  EmptyTitle: 'af34f26f',
} as const;

export const FULL_TABLE: SearchTableFacts = {
  logicalTableName: 'Foo',
  attributeActionsOnEncrypt: {
    std2: 'ENCRYPT_AND_SIGN',
    std4: 'ENCRYPT_AND_SIGN',
    std6: 'ENCRYPT_AND_SIGN',
    Name: 'ENCRYPT_AND_SIGN',
    Title: 'ENCRYPT_AND_SIGN',
    TooBad: 'ENCRYPT_AND_SIGN',
    Year: 'SIGN_ONLY',
    Date: 'SIGN_ONLY',
    TheKeyField: 'SIGN_ONLY',
  },
};

/** FULL_TABLE plus more ENCRYPT_AND_SIGN attributes. */
export function withEncrypted(...names: string[]): SearchTableFacts {
  return { ...FULL_TABLE, attributeActionsOnEncrypt: { ...FULL_TABLE.attributeActionsOnEncrypt, ...Object.fromEntries(names.map((n) => [n, 'ENCRYPT_AND_SIGN' as const])) } };
}

export function lotsaBeacons(keyStore: BranchKeyStore = new BeaconOnlyKeyStore()): BeaconVersion {
  return {
    version: 1,
    keyStore,
    keySource: { single: { keyId: 'foo', cacheTTL: 42 } },
    standardBeacons: [std2, std4, std6, NameTitleBeacon, NameB, TitleB],
    compoundBeacons: [NameTitle, YearName, Mixed, JustSigned],
    virtualFields: [NameTitleField],
  };
}

export function searchOf(version: BeaconVersion): SearchConfig {
  return { versions: [version], writeVersion: 1 };
}

export function tableOf(version: Partial<BeaconVersion> = {}, facts: SearchTableFacts = FULL_TABLE): SearchableTable {
  return createSearchableTable(searchOf({ ...lotsaBeacons(), ...version }), facts);
}

export const SimpleItem: Item = {
  std2: { N: '1.23' },
  std4: { S: 'abc' },
  std6: { L: [{ S: '666' }] },
  Date: { M: { Month: { S: 'May' }, Year: { N: '1984' } } },
  Year: { N: '1984' },
  Name: { S: 'MyName' },
  Title: { S: 'MyTitle' },
};
