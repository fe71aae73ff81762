/**
 * Every initialization failure of search-config.md, beacons.md and virtual.md, one by one. Cases
 * marked (Beacon.dfy) / (BeaconPartition.dfy) are the DB-ESDK's own failing configurations
 * (aws/aws-database-encryption-sdk-dynamodb @ b69c6db, DynamoDbEncryption/dafny/DynamoDbEncryption/test/).
 */
import { describe, expect, it } from 'vitest';
import type { BeaconVersion, SearchConfig } from '../../src/searchable/config.js';
import { createSearchableTable } from '../../src/searchable/table.js';
import type { SearchTableFacts } from '../../src/searchable/types.js';
import { BadPrefix, FULL_TABLE, lotsaBeacons, Month, Name, NameB, searchOf, std2, std4, Title, TitleB, TooBadB, withEncrypted, Year } from './fixtures.js';

const version = lotsaBeacons();
const baseFields = version.virtualFields ?? [];
const baseCompounds = version.compoundBeacons ?? [];

function failsWith(search: SearchConfig, message: RegExp, facts: SearchTableFacts = FULL_TABLE): void {
  expect(() => createSearchableTable(search, facts)).toThrow(expect.objectContaining({ code: 'ERR_BEACON_CONFIG', message: expect.stringMatching(message) as string }) as Error);
}

const fails = (changes: Partial<BeaconVersion>, message: RegExp, facts: SearchTableFacts = FULL_TABLE): void => {
  failsWith(searchOf({ ...version, ...changes }), message, facts);
};

describe('the DB-ESDK fixture configuration', () => {
  it('is accepted', () => {
    const table = createSearchableTable(searchOf(version), FULL_TABLE);
    expect(table.beacons.map((b) => [b.name, b.storedName, b.kind, b.encrypted])).toEqual([
      ['std2', 'aws_dbe_b_std2', 'standard', true],
      ['std4', 'aws_dbe_b_std4', 'standard', true],
      ['std6', 'aws_dbe_b_std6', 'standard', true],
      ['NameTitleField', 'aws_dbe_b_NameTitleField', 'standard', true],
      ['Name', 'aws_dbe_b_Name', 'standard', true],
      ['Title', 'aws_dbe_b_Title', 'standard', true],
      ['NameTitle', 'aws_dbe_b_NameTitle', 'compound', true],
      ['YearName', 'aws_dbe_b_YearName', 'compound', true],
      ['Mixed', 'aws_dbe_b_Mixed', 'compound', true],
      ['JustSigned', 'JustSigned', 'compound', false],
    ]);
    expect(table.maxPartitions).toBe(1);
    expect(table.keySource).toEqual({ kind: 'single', keyId: 'foo' });
    expect(table.queryBeacon('nope')).toBeUndefined();
  });

  it('accepts parts from the global parts lists through constructors (Beacon.dfy CompoundMixed)', () => {
    const Mixed = {
      name: 'Mixed',
      split: '.',
      encrypted: [Title],
      signed: [Month],
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
    const table = createSearchableTable(searchOf({ ...version, compoundBeacons: [Mixed], signedParts: [Year], encryptedParts: [Name] }), FULL_TABLE);
    expect(table.queryBeacon('Mixed')?.partitionCount()).toBe(1);
  });
});

describe('search config and version', () => {
  it.each([
    [{ versions: [version], writeVersion: 2 }, /writeVersion must be 1/],
    [{ versions: [], writeVersion: 1 }, /exactly one beacon version/],
    [{ versions: [version, version], writeVersion: 1 }, /exactly one beacon version/],
    [{ versions: [{ ...version, version: 2 }], writeVersion: 1 }, /version number must be 1/],
    [{ versions: [{ ...version, standardBeacons: [] }], writeVersion: 1 }, /at least one standard beacon/],
    [{ versions: [{ ...version, keyStore: {} }], writeVersion: 1 }, /keyStore with getBeaconKey/],
    [{ versions: [{ ...version, partitionSelector: 3 }], writeVersion: 1 }, /partitionSelector must be a function/],
  ] as const)('%#', (search, message) => {
    failsWith(search as unknown as SearchConfig, message);
  });
});

describe('key source', () => {
  it.each([
    [{}, /exactly one of single or multi/],
    [{ single: { keyId: 'a', cacheTTL: 1 }, multi: { keyFieldName: 'k', cacheTTL: 1 } }, /exactly one of single or multi/],
    [{ single: { keyId: '', cacheTTL: 1 } }, /keyId must be a non-empty string/],
    [{ single: { keyId: 'a', cacheTTL: 0 } }, /cacheTTL must be a number of seconds > 0/],
    [{ multi: { keyFieldName: 'k', cacheTTL: Number.NaN } }, /cacheTTL/],
    [{ multi: { keyFieldName: '', cacheTTL: 1 } }, /keyFieldName must be a non-empty string/],
    [{ multi: { keyFieldName: 'Name', cacheTTL: 1 } }, /beacon key field Name must not be ENCRYPT_AND_SIGN/],
    [{ multi: { keyFieldName: 'k', cacheTTL: 1, maxCacheSize: 0 } }, /maxCacheSize must be an integer/],
  ])('%#: %j', (keySource, message) => {
    fails({ keySource } as unknown as Partial<BeaconVersion>, message);
  });

  it('a multi-tenant key field may not be a beacon or a virtual field', () => {
    fails({ keySource: { multi: { keyFieldName: 'NameTitle', cacheTTL: 1 } } }, /beacon key field name NameTitle is also the name of a beacon/);
    fails({ keySource: { multi: { keyFieldName: 'JustSigned', cacheTTL: 1 } } }, /beacon key field name JustSigned is also the name of a beacon/);
    fails({ keySource: { multi: { keyFieldName: 'vk', cacheTTL: 1 } }, virtualFields: [...baseFields, { name: 'vk', parts: [{ loc: 'Name' }, { loc: 'Year' }] }] }, /also the name of a virtual field/);
  });
});

describe('partitions', () => {
  it.each([
    [{ maximumNumberOfPartitions: 0 }, /maximumNumberOfPartitions must be an integer from 1 to 255/],
    [{ maximumNumberOfPartitions: 256 }, /maximumNumberOfPartitions must be an integer from 1 to 255/],
    [{ maximumNumberOfPartitions: 2.5 }, /maximumNumberOfPartitions must be an integer/],
    [{ defaultNumberOfPartitions: 1 }, /defaultNumberOfPartitions needs maximumNumberOfPartitions/],
    // (BeaconPartition.dfy) default equal to / above the maximum
    [{ maximumNumberOfPartitions: 5, defaultNumberOfPartitions: 5 }, /defaultNumberOfPartitions \(less than maximumNumberOfPartitions\) must be an integer from 1 to 4/],
    [{ maximumNumberOfPartitions: 5, defaultNumberOfPartitions: 10 }, /defaultNumberOfPartitions/],
    [{ maximumNumberOfPartitions: 5, defaultNumberOfPartitions: 0 }, /defaultNumberOfPartitions/],
    // (BeaconPartition.dfy) a beacon's own count equal to / above the maximum
    [{ maximumNumberOfPartitions: 5, standardBeacons: [{ ...std2, numberOfPartitions: 5 }] }, /standard beacon std2: numberOfPartitions is 5, but it must be an integer ≥ 1 and less than maximumNumberOfPartitions 5/],
    [{ maximumNumberOfPartitions: 5, standardBeacons: [{ ...std2, numberOfPartitions: 10 }] }, /numberOfPartitions is 10/],
    [{ standardBeacons: [{ ...std2, numberOfPartitions: 1 }] }, /numberOfPartitions is 1/],
  ] as const)('%#: %j', (changes, message) => {
    fails(changes, message);
  });

  it('partition counts: a beacon’s own, else the default, else the maximum', () => {
    const table = createSearchableTable(
      searchOf({ ...version, compoundBeacons: [], maximumNumberOfPartitions: 12, defaultNumberOfPartitions: 4, standardBeacons: [{ ...std2, numberOfPartitions: 3 }, std4] }),
      FULL_TABLE,
    );
    expect(table.maxPartitions).toBe(12);
    expect(table.queryBeacon('std2')?.partitionCount()).toBe(3);
    expect(table.queryBeacon('std4')?.partitionCount()).toBe(4);
    const noDefault = createSearchableTable(searchOf({ ...version, compoundBeacons: [], maximumNumberOfPartitions: 12, standardBeacons: [std4] }), FULL_TABLE);
    expect(noDefault.queryBeacon('std4')?.partitionCount()).toBe(12);
  });
});

describe('virtual fields', () => {
  const vf = (name: string, ...locs: string[]) => ({ name, parts: locs.map((loc) => ({ loc })) });
  it.each([
    [[vf('v', 'Name'), vf('v', 'Title')], /duplicate virtual field name v/],
    [[vf('Year', 'Name')], /virtual field Year: the name is already a configured attribute/],
    [[vf('aws_dbe_v', 'Name')], /begins with the reserved prefix/],
    [[vf('v', 'Unknown')], /virtual field v must be defined on signed attributes; Unknown is not signed/],
    [[vf('v', 'Name', 'Year'), vf('w', 'Year', 'Name', 'Year')], /virtual field w is defined on the same locations as virtual field v/],
    [[vf('v')], /needs at least one part/],
    [[{ name: '', parts: [{ loc: 'Name' }] }], /non-empty name/],
  ] as const)('%#', (virtualFields, message) => {
    fails({ virtualFields: [...baseFields, ...virtualFields] }, message);
  });

  it('refuses names that are unsigned attributes or carry their prefix', () => {
    fails({ virtualFields: [vf('u', 'Name')] }, /allowed unsigned attribute/, { ...FULL_TABLE, allowedUnsignedAttributes: ['u'] });
    fails({ virtualFields: [vf('u_x', 'Name')] }, /allowed unsigned attribute prefix/, { ...FULL_TABLE, allowedUnsignedAttributePrefix: 'u_' });
  });

  it('a standard beacon may not sit on the single location of a virtual field', () => {
    fails({ virtualFields: [...baseFields, vf('v', 'Name')] }, /standard beacon Name is defined on location Name, which is the only location of virtual field v/);
  });
});

describe('standard beacons', () => {
  const plus = (...beacons: object[]) => ({ standardBeacons: [...version.standardBeacons, ...beacons] }) as Partial<BeaconVersion>;
  it.each([
    [plus(std2), /duplicate standard beacon name std2/],
    [plus({ name: 'Year', length: 8 }), /standard beacon Year: the name is already an unencrypted attribute/],
    [plus({ name: 'aws_dbe_x', length: 8, loc: 'Name.x' }), /reserved prefix/],
    [plus({ name: 'n', length: 0, loc: 'Name.x' }), /length must be an integer from 1 to 63/],
    [plus({ name: 'n', length: 64, loc: 'Name.x' }), /length must be an integer from 1 to 63/],
    [plus({ name: 'n', length: 8 }), /standard beacon n is not defined on an encrypted attribute \(location n\)/],
    [plus({ name: 'n', length: 8, loc: 'Year' }), /not defined on an encrypted attribute/],
    [plus({ name: 'n', length: 32, loc: 'Name' }), /standard beacon n is defined on location Name, where standard beacon Name is already defined/],
    [plus({ name: 'n', length: 8, loc: 'std6[00]' }), /where standard beacon std6 is already defined/],
    [plus({ name: '', length: 8 }), /standard beacon name must be a non-empty string/],
    [plus({ name: 'n', length: 8, loc: 'Name.x', style: {} }), /style must have exactly one of/],
    [plus({ name: 'n', length: 8, loc: 'Name.x', style: { partOnly: {}, asSet: {} } }), /style must have exactly one of/],
    [plus({ name: 'n', length: 8, loc: 'Name.x', style: { shared: {} } }), /style shared.other must be a non-empty string/],
  ] as const)('%#', (changes, message) => {
    fails(changes, message);
  });

  it('refuses an unused partOnly beacon (Beacon.dfy TestUnusedPartOnly)', () => {
    fails(plus({ name: 'badBeacon', length: 24, style: { partOnly: {} } }), /standard beacon badBeacon is partOnly, so it must be a part of some compound beacon/, withEncrypted('badBeacon'));
  });

  it('checks shares (Beacon.dfy SharedBadReferenceToCompound, ChainedShare, SelfShare, SharedBadReferenceNonExistent, SharedBadLength)', () => {
    const facts = withEncrypted('shareBeacon');
    fails(plus({ name: 'shareBeacon', length: 24, style: { shared: { other: 'NameTitle' } } }), /shareBeacon is shared to NameTitle, which is a compound beacon/, facts);
    fails(
      { compoundBeacons: [], standardBeacons: [std2, { name: 'shareBeacon', length: 24, style: { shared: { other: 'std2' } } }, { name: 'std4', length: 24, style: { shared: { other: 'shareBeacon' } } }] },
      /std4 is shared to shareBeacon, which is itself shared to std2 \(no chains\)/,
      facts,
    );
    fails({ compoundBeacons: [], standardBeacons: [std2, { name: 'shareBeacon', length: 24, style: { shared: { other: 'shareBeacon' } } }] }, /shareBeacon is shared to itself/, facts);
    fails(plus({ name: 'shareBeacon', length: 24, style: { sharedSet: { other: 'DoesNotExist' } } }), /shared to DoesNotExist, which is not defined/, facts);
    fails(plus({ name: 'shareBeacon', length: 23, style: { shared: { other: 'std2' } } }), /shared to std2, but their lengths differ \(23 and 24\)/, facts);
  });

  it('refuses an empty name (BeaconPartition.dfy TestEmptyBeaconName)', () => {
    failsWith(searchOf({ ...version, compoundBeacons: [], virtualFields: [], standardBeacons: [{ name: '', length: 24 }] }), /non-empty string/, { logicalTableName: 't', attributeActionsOnEncrypt: { '': 'ENCRYPT_AND_SIGN' } });
  });
});

describe('parts and compound beacons', () => {
  const plusCompound = (...beacons: object[]) => ({ compoundBeacons: [...baseCompounds, ...beacons] }) as Partial<BeaconVersion>;

  it('refuses a prefix that is a prefix of another (Beacon.dfy TestBadPrefix)', () => {
    fails({ standardBeacons: [NameB, TitleB, TooBadB], compoundBeacons: [BadPrefix], virtualFields: [] }, /compound beacon BadPrefix: the prefix T_ of part Title and the prefix T of part TooBad clash/);
  });

  it.each([
    // (Beacon.dfy TestCompoundWithUnknown)
    [plusCompound({ name: 'NameUnknown', split: '.', encrypted: [Name, { name: 'Unknown', prefix: 'U_' }] }), /compound beacon NameUnknown refers to standard beacon Unknown, which is not configured/],
    // (Beacon.dfy GlobalPartNotExist)
    [{ encryptedParts: [{ name: 'NotExist', prefix: 'Q_' }] }, /the global encrypted parts refers to standard beacon NotExist, which is not configured/],
    // (Beacon.dfy DuplicateGlobalSigned / DuplicateGlobalEncrypted / DuplicateGlobalPrefix)
    [{ compoundBeacons: [], signedParts: [Year, Month, Year] }, /the global signed parts: duplicate part name Year/],
    [{ compoundBeacons: [], encryptedParts: [Name, Title, Name] }, /the global encrypted parts: duplicate part name Name/],
    [{ compoundBeacons: [], encryptedParts: [Name, Title, { name: 'std6', prefix: 'N_' }] }, /the global encrypted parts: duplicate prefix N_/],
    [{ compoundBeacons: [], encryptedParts: [Name], signedParts: [{ name: 'Year', prefix: 'N_' }] }, /prefix N_ is used in both the global signed parts and the global encrypted parts/],
    // (Beacon.dfy DuplicateGlobalVsLocalEncrypted / DuplicateGlobalVsLocalSigned)
    [{ encryptedParts: [Name] }, /part name Name is defined in both the global encrypted parts and compound beacon NameTitle/],
    [{ signedParts: [Month] }, /part name Month is defined in both the global signed parts and compound beacon Mixed/],
    // (Beacon.dfy CompoundNoConstructor)
    [{ compoundBeacons: [{ name: 'compoundDefault', split: '.' }], signedParts: [Month], encryptedParts: [Name, Title] }, /compound beacon compoundDefault defines no constructors and no parts of its own/],
    // (Beacon.dfy TesSetInCompound)
    [plusCompound({ name: 'c', split: '.', signed: [{ name: 'Name', prefix: 'X_' }] }), /compound beacon c: signed part Name is built from Name, which is not SIGN_ONLY/],
    [plusCompound({ name: 'c', split: '.', signed: [{ name: 'Nope', prefix: 'X_' }] }), /signed part Nope is built from Nope, which is not SIGN_ONLY/],
    [plusCompound({ name: 'c', split: '.', signed: [{ name: 'Y', prefix: '', loc: 'Year' }] }), /the prefix of signed part Y must be a non-empty string/],
    [plusCompound({ name: 'c', split: '..', signed: [Year] }), /compound beacon c: split must be exactly one character/],
    [plusCompound({ name: 'c', split: '', signed: [Year] }), /split must be exactly one character/],
    [plusCompound({ name: 'Mixed', split: '.', signed: [Year] }), /duplicate beacon name Mixed/],
    [plusCompound({ name: 'std2', split: '.', signed: [Year] }), /duplicate beacon name std2/],
    [plusCompound({ name: 'c', split: '.', signed: [Year], constructors: [] }), /compound beacon c: an empty list of constructors was given/],
    [plusCompound({ name: 'c', split: '.', signed: [Year], constructors: [{ parts: [] }] }), /every constructor needs a non-empty list of parts/],
    [plusCompound({ name: 'c', split: '.', signed: [Year], constructors: [{ parts: [{ name: 'Year', required: false }] }] }), /compound beacon c: a constructor has no required part/],
    [plusCompound({ name: 'c', split: '.', signed: [Year], constructors: [{ parts: [{ name: 'Nope', required: true }] }] }), /a constructor refers to part Nope, which is not a part of the beacon/],
    [plusCompound({ name: 'c', split: '.', signed: [Year], constructors: [{ parts: [{ name: 'Year' }] }] }), /a constructor part needs a name and a boolean required/],
    [
      plusCompound({
        name: 'c',
        split: '.',
        signed: [Year, Month],
        constructors: [
          {
            parts: [
              { name: 'Year', required: true },
              { name: 'Month', required: false },
            ],
          },
          { parts: [{ name: 'Year', required: true }] },
        ],
      }),
      /compound beacon c: two constructors have the same required parts \(Year\)/,
    ],
    [plusCompound({ name: 'Year', split: '.', signed: [Month] }), /compound beacon Year: the name is already an unencrypted attribute/],
    [plusCompound({ name: 'TooBad', split: '.', signed: [Month] }), /compound beacon TooBad: a signed beacon cannot have the name of a configured attribute/],
  ] as const)('%#', (changes, message) => {
    fails(changes, message);
  });

  it('refuses an asSet beacon as a part (Beacon.dfy TesSetInCompound)', () => {
    fails(
      { standardBeacons: [...version.standardBeacons, { name: 'setBeacon', length: 24, style: { asSet: {} } }], ...plusCompound({ name: 'compoundSet', split: '.', encrypted: [Name, { name: 'setBeacon', prefix: 'S_' }] }) },
      /compound beacon compoundSet uses setBeacon, which is an asSet beacon/,
      withEncrypted('setBeacon'),
    );
  });

  it('an encrypted compound beacon may carry the name of an encrypted attribute (as the DB-ESDK allows)', () => {
    expect(() => createSearchableTable(searchOf({ ...version, compoundBeacons: [{ name: 'TooBad', split: '.', encrypted: [Name] }] }), FULL_TABLE)).not.toThrow();
  });
});
