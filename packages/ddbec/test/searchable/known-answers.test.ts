/**
 * Known answers from the DB-ESDK's own beacon tests (aws/aws-database-encryption-sdk-dynamodb
 * @ b69c6db, DynamoDbEncryption/dafny/DynamoDbEncryption/test/Beacon.dfy — TestBeacon,
 * CheckBytesToHex, TestOneBeaconValue, TestBeaconValues, TestNumbersNormalize, TestQueryBeacons,
 * TestCompoundQueries, TestPartOnlyNotStored, TestShareSameBeacon, TestBeaconSetQuery,
 * TestSetNotSet, TestSharedSet): their keys, inputs and expected beacon strings, as data.
 */
import { describe, expect, it } from 'vitest';
import { isDdbecError } from '../../src/errors.js';
import type { Item } from '../../src/format/attribute-value.js';
import { basicHash, truncatedHex, withPartition } from '../../src/searchable/beacons.js';
import type { CompoundBeacon, StandardBeacon } from '../../src/searchable/config.js';
import { beaconHmacKey } from '../../src/searchable/keys.js';
import type { QueryBeacon, SearchableTable } from '../../src/searchable/types.js';
import { EXPECTED, lotsaBeacons, SimpleItem, tableOf, withEncrypted } from './fixtures.js';
import { LITERAL_BEACON_KEY } from './fixtures.js';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

function beacon(table: SearchableTable, name: string): QueryBeacon {
  const b = table.queryBeacon(name);
  if (b === undefined) throw new Error(`no beacon ${name}`);
  return b;
}

async function encryptedBeacons(table: SearchableTable, item: Item): Promise<Item> {
  const out = await table.afterEncrypt(item, {}, undefined);
  delete out.aws_dbe_v_1;
  return out;
}

describe('basicHash (Beacon.dfy TestBeacon, CheckBytesToHex)', () => {
  const key = new Uint8Array([1, 2]);

  it('keeps the rightmost bits of the first 8 HMAC bytes, with the partition byte appended', () => {
    expect(basicHash(key, new Uint8Array([1, 2, 3]), 8)).toBe('7e');
    // partition 1 and 2 of a beacon with 5 partitions: the bytes get 0x01 / 0x02 appended
    expect(basicHash(key, withPartition(new Uint8Array([1, 2, 3]), 1, 5), 8)).toBe('1d');
    expect(basicHash(key, withPartition(new Uint8Array([1, 2, 3]), 2, 5), 8)).toBe('ef');
    expect(basicHash(key, new Uint8Array([]), 8)).toBe('80');
    expect(basicHash(key, utf8('123'), 8)).toBe('61');
  });

  it('formats 1..8 bits of [1,2,3,4,5,6,7,0xb7]', () => {
    const bytes = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 0xb7]);
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((n) => truncatedHex(bytes, n))).toEqual(['1', '3', '7', '7', '17', '37', '37', 'b7']);
  });
});

describe('beacon values with the literal beacon key [1,2,3,4,5] (TestOneBeaconValue)', () => {
  const value = (name: string, text: string, length: number): string => basicHash(beaconHmacKey(LITERAL_BEACON_KEY, name), utf8(text), length);
  it.each([
    ['std2', '1.23', 24, EXPECTED.std2],
    ['Name', 'MyName', 32, EXPECTED.Name],
    ['Title', 'MyTitle', 32, EXPECTED.Title],
    ['std4', 'abc', 24, EXPECTED.std4],
    ['std6', '666', 26, EXPECTED.std6],
    ['NameTitleField', 'MyName__mytitle', 28, EXPECTED.NameTitle],
    ['Name', '', 32, EXPECTED.EmptyName],
    ['Title', '', 32, EXPECTED.EmptyTitle],
  ] as const)('%s of %j (%i bits)', (name, text, length, expected) => {
    expect(value(name, text, length)).toBe(expected);
  });
});

describe('an item’s beacons (TestBeaconValues, TestNumbersNormalize)', () => {
  it('signed beacons before encryption, encrypted beacons after', async () => {
    const table = tableOf();
    const { item } = table.beforeEncrypt(SimpleItem);
    expect(item).toEqual({ ...SimpleItem, JustSigned: { S: 'Y_1984.M_May' } });
    expect(table.signedBeaconActions).toEqual({ JustSigned: 'SIGN_ONLY' });
    expect(await encryptedBeacons(table, SimpleItem)).toEqual({
      aws_dbe_b_Mixed: { S: `N_${EXPECTED.Name}.Y_1984` },
      aws_dbe_b_Name: { S: EXPECTED.Name },
      aws_dbe_b_NameTitle: { S: `N_${EXPECTED.Name}.T_${EXPECTED.Title}` },
      aws_dbe_b_NameTitleField: { S: EXPECTED.NameTitle },
      aws_dbe_b_std2: { S: EXPECTED.std2 },
      aws_dbe_b_Title: { S: EXPECTED.Title },
      aws_dbe_b_std6: { S: EXPECTED.std6 },
      aws_dbe_b_std4: { S: EXPECTED.std4 },
      aws_dbe_b_YearName: { S: `Y_1984.N_${EXPECTED.Name}` },
    });
  });

  it('numbers are normalized before hashing', async () => {
    const table = tableOf();
    const a = await encryptedBeacons(table, SimpleItem);
    const b = await encryptedBeacons(table, { ...SimpleItem, std2: { N: '000001.23000000' } });
    expect(b.aws_dbe_b_std2).toEqual(a.aws_dbe_b_std2);
  });

  it('refuses a value containing the split character (TestContainsSplit), naming the part, not the value', async () => {
    const table = tableOf();
    const error: unknown = await table.afterEncrypt({ ...SimpleItem, Name: { S: 'A.B' } }, {}, undefined).catch((e: unknown) => e);
    expect(isDdbecError(error, 'ERR_BEACON_WRITE')).toBe(true);
    expect((error as Error).message).toContain('Name');
    expect((error as Error).message).not.toContain('A.B');
    expect(() => table.beforeEncrypt({ ...SimpleItem, Name: { S: 'A.B' } })).toThrow(/split character/);
  });
});

describe('query values (TestQueryBeacons, TestCompoundQueries)', () => {
  it('hashes standard and compound query values as the writer does', async () => {
    const table = tableOf();
    const m = await table.keyMaterials(undefined);
    const q = (name: string, value: Item[string]) => beacon(table, name).queryValue(value, m, 0);
    expect(q('std2', { N: '1.23' })).toEqual({ S: EXPECTED.std2 });
    expect(q('std4', { S: 'abc' })).toEqual({ S: EXPECTED.std4 });
    expect(q('std6', { S: '666' })).toEqual({ S: EXPECTED.std6 });
    expect(q('Name', { S: 'MyName' })).toEqual({ S: EXPECTED.Name });
    expect(q('Title', { S: 'MyTitle' })).toEqual({ S: EXPECTED.Title });
    expect(q('Mixed', { S: 'N_MyName.Y_1984' })).toEqual({ S: `N_${EXPECTED.Name}.Y_1984` });
    expect(q('NameTitle', { S: 'N_MyName.T_MyTitle' })).toEqual({ S: `N_${EXPECTED.Name}.T_${EXPECTED.Title}` });
    expect(q('NameTitle', { S: 'N_MyName' })).toEqual({ S: `N_${EXPECTED.Name}` });
    expect(q('NameTitle', { S: 'T_MyTitle' })).toEqual({ S: `T_${EXPECTED.Title}` });
    expect(q('NameTitleField', { S: 'MyName__mytitle' })).toEqual({ S: EXPECTED.NameTitle });
    expect(q('YearName', { S: 'Y_1984.N_MyName' })).toEqual({ S: `Y_1984.N_${EXPECTED.Name}` });
  });

  it('accepts the values some constructor can build and refuses the others', async () => {
    const table = tableOf();
    const m = await table.keyMaterials(undefined);
    const mixed = beacon(table, 'Mixed');
    for (const ok of ['N_MyName.Y_1984', 'N_MyName', 'Y_1984', 'T_foo', 'M_bar', 'T_foo.M_bar']) {
      expect(() => mixed.queryValue({ S: ok }, m, 0)).not.toThrow();
    }
    const cases = [
      ['N_MyName.N_MyName', 'N_N_'],
      ['Y_1984.N_MyName', 'Y_N_'],
      ['M_bar.T_foo', 'M_T_'],
    ] as const;
    for (const [bad, parsed] of cases) {
      expect(() => mixed.queryValue({ S: bad }, m, 0)).toThrow(new RegExp(`reads as parts ${parsed}, which none of its constructors \\(N_Y_, T_\\[M_\\]\\) can build`));
    }
  });
});

describe('styles (TestPartOnlyNotStored, TestShareSameBeacon, TestSetNotSet, TestSharedSet, TestBeaconSetQuery)', () => {
  const compoundPart: CompoundBeacon = { name: 'compoundPart', split: '.', encrypted: [{ name: 'partOnly', prefix: 'S_' }] };
  const withBeacon = (partOnly: StandardBeacon, compound: readonly CompoundBeacon[] = []) => {
    const version = lotsaBeacons();
    return tableOf({ standardBeacons: [...version.standardBeacons, partOnly], compoundBeacons: [...(version.compoundBeacons ?? []), ...compound] }, withEncrypted('partOnly'));
  };

  it('a partOnly beacon is not stored and cannot be queried', async () => {
    const item: Item = { std2: { S: 'abc' }, partOnly: { S: 'def' } };
    const plain = withBeacon({ name: 'partOnly', length: 23 }, [compoundPart]);
    expect(await encryptedBeacons(plain, item)).toEqual({ aws_dbe_b_std2: { S: '51e1da' }, aws_dbe_b_partOnly: { S: '405a51' }, aws_dbe_b_compoundPart: { S: 'S_405a51' } });
    const partOnly = withBeacon({ name: 'partOnly', length: 23, style: { partOnly: {} } }, [compoundPart]);
    expect(await encryptedBeacons(partOnly, item)).toEqual({ aws_dbe_b_std2: { S: '51e1da' }, aws_dbe_b_compoundPart: { S: 'S_405a51' } });
    expect(() => partOnly.queryBeacon('partOnly')).toThrow(expect.objectContaining({ code: 'ERR_BEACON_QUERY' }) as Error);
    expect(partOnly.beacons.map((b) => b.name)).not.toContain('partOnly');
  });

  it('a shared beacon hashes as its other', async () => {
    const item: Item = { std2: { S: 'abc' }, partOnly: { S: 'abc' } };
    expect(await encryptedBeacons(withBeacon({ name: 'partOnly', length: 24 }), item)).toEqual({ aws_dbe_b_std2: { S: '51e1da' }, aws_dbe_b_partOnly: { S: '928d9b' } });
    const shared = withBeacon({ name: 'partOnly', length: 24, style: { shared: { other: 'std2' } } });
    expect(await encryptedBeacons(shared, item)).toEqual({ aws_dbe_b_std2: { S: '51e1da' }, aws_dbe_b_partOnly: { S: '51e1da' } });
    const m = await shared.keyMaterials(undefined);
    expect(beacon(shared, 'partOnly').queryValue({ S: 'foo' }, m, 0)).toEqual({ S: '4379a7' });
    expect(beacon(shared, 'std2').queryValue({ S: 'foo' }, m, 0)).toEqual({ S: '4379a7' });
  });

  it('asSet and sharedSet beacons are string sets of the members’ beacons', async () => {
    const item: Item = { std2: { S: 'abc' }, partOnly: { SS: ['abc', 'def', 'ghi'] } };
    const asSet = withBeacon({ name: 'partOnly', length: 24, style: { asSet: {} } });
    expect(await encryptedBeacons(asSet, item)).toEqual({ aws_dbe_b_std2: { S: '51e1da' }, aws_dbe_b_partOnly: { SS: ['928d9b', '405a51', '9c6c2e'] } });
    const error: unknown = await asSet.afterEncrypt({ ...item, partOnly: { S: 'abc' } }, {}, undefined).catch((e: unknown) => e);
    expect(isDdbecError(error, 'ERR_BEACON_WRITE')).toBe(true);
    expect((error as Error).message).toBe('beacon partOnly has style asSet, but attribute partOnly has type S');
    const sharedSet = withBeacon({ name: 'partOnly', length: 24, style: { sharedSet: { other: 'std2' } } });
    expect(await encryptedBeacons(sharedSet, item)).toEqual({ aws_dbe_b_std2: { S: '51e1da' }, aws_dbe_b_partOnly: { SS: ['51e1da', '39ef85', '3ff06a'] } });
  });

  it('a set query value on an asSet beacon', async () => {
    const version = lotsaBeacons();
    const table = tableOf({ standardBeacons: [...version.standardBeacons, { name: 'setAttr', length: 24, style: { asSet: {} } }] }, withEncrypted('setAttr'));
    const m = await table.keyMaterials(undefined);
    const setAttr = beacon(table, 'setAttr');
    expect(setAttr.asSet).toBe(true);
    expect(setAttr.queryValue({ SS: ['abc', 'def', 'ghi'] }, m, 0)).toEqual({ SS: ['43c4d8', '2f3278', 'f1972e'] });
    expect(setAttr.queryValue({ S: 'abc' }, m, 0)).toHaveProperty('S');
    expect(() => setAttr.queryValue({ L: [] }, m, 0)).toThrow('beacon setAttr has style asSet, but the value has type L');
  });
});
