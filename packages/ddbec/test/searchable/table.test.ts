/** The item-level operations of a searchable table, its beacon keys, and its query-side beacons. */
import { describe, expect, it } from 'vitest';
import { DbesdkItemEncryptor } from '../../src/dbesdk/item-encryptor.js';
import type { Item } from '../../src/format/attribute-value.js';
import { HierarchicalKeyring } from '../../src/keyrings/hierarchical/hierarchical-keyring.js';
import { StaticBranchKeyStore } from '../../src/keyrings/hierarchical/static-branch-key-store.js';
import { RawAesKeyring } from '../../src/keyrings/raw-aes.js';
import type { BeaconKeyMaterials } from '../../src/keyrings/types.js';
import { basicHash, withPartition } from '../../src/searchable/beacons.js';
import type { BeaconVersion } from '../../src/searchable/config.js';
import { beaconHmacKey } from '../../src/searchable/keys.js';
import { createSearchableTable } from '../../src/searchable/table.js';
import type { QueryBeacon, SearchableTable, SearchTableFacts } from '../../src/searchable/types.js';
import { b64, describeDbesdkVectors, readDbesdkJson, vectorBranchKey, vectorKeyStore } from '../dbesdk/vectors.js';
import { BeaconOnlyKeyStore, EXPECTED, FULL_TABLE, LITERAL_BEACON_KEY, lotsaBeacons, searchOf, SimpleItem, tableOf } from './fixtures.js';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

async function rejection(promise: Promise<unknown>): Promise<Error & { code?: string }> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e as Error & { code?: string },
  );
}

function beacon(table: SearchableTable, name: string): QueryBeacon {
  const b = table.queryBeacon(name);
  if (b === undefined) throw new Error(`no beacon ${name}`);
  return b;
}

describe('beforeEncrypt', () => {
  it('adds signed beacons, accepts an equal supplied one, refuses a different one naming the attribute only', () => {
    const table = tableOf();
    expect(table.beforeEncrypt({ ...SimpleItem, JustSigned: { S: 'Y_1984.M_May' } }).item.JustSigned).toEqual({ S: 'Y_1984.M_May' });
    for (const bad of [{ S: 'Y_1985.M_May' }, { N: '1' }]) {
      expect(() => table.beforeEncrypt({ ...SimpleItem, JustSigned: bad })).toThrow(
        expect.objectContaining({ code: 'ERR_BEACON_WRITE', message: "the item's JustSigned differs from the signed beacon its parts build" }) as Error,
      );
    }
    // not buildable from the item: a supplied value is kept as it is
    expect(table.beforeEncrypt({ Year: { N: '1' }, JustSigned: { S: 'x' } }).item).toEqual({ Year: { N: '1' }, JustSigned: { S: 'x' } });
  });

  it('does not modify its input', () => {
    const table = tableOf();
    const item = structuredClone(SimpleItem);
    table.beforeEncrypt(item);
    expect(item).toEqual(SimpleItem);
  });

  it('refuses values a beacon cannot be built from, naming the location', () => {
    const table = tableOf();
    expect(() => table.beforeEncrypt({ ...SimpleItem, Name: { L: [] } })).toThrow(
      expect.objectContaining({ code: 'ERR_BEACON_WRITE', message: expect.stringContaining('the value at Name is of type L') as string }) as Error,
    );
    expect(() => table.beforeEncrypt({ ...SimpleItem, Date: { M: { Month: { S: 'M.y' } } } })).toThrow(/part Month of compound beacon JustSigned contains the split character \./);
  });

  it('multi-tenant: takes the beacon key field, and removes it unless it is signed', () => {
    const multi = (facts: SearchTableFacts) =>
      createSearchableTable(searchOf({ ...lotsaBeacons(), keySource: { multi: { keyFieldName: 'tenant', cacheTTL: 60 } } }), facts);
    const item = { ...SimpleItem, tenant: { S: 'tenant-1' } };
    const notStored = multi(FULL_TABLE).beforeEncrypt(item);
    expect(notStored.beaconKeyId).toBe('tenant-1');
    expect(notStored.item).not.toHaveProperty('tenant');
    for (const action of ['DO_NOTHING', 'SIGN_ONLY'] as const) {
      const facts = { ...FULL_TABLE, attributeActionsOnEncrypt: { ...FULL_TABLE.attributeActionsOnEncrypt, tenant: action } };
      const out = multi(facts).beforeEncrypt(item);
      expect(out.beaconKeyId).toBe('tenant-1');
      expect(Object.hasOwn(out.item, 'tenant')).toBe(action === 'SIGN_ONLY');
    }
    expect(multi(FULL_TABLE).beforeEncrypt(SimpleItem).beaconKeyId).toBeUndefined();
    expect(() => multi(FULL_TABLE).beforeEncrypt({ ...SimpleItem, tenant: { N: '1' } })).toThrow(/beacon key field tenant must be a string/);
  });
});

describe('afterEncrypt', () => {
  it('adds the version tag, keeps the stored attributes, skips beacons the item has no value for', async () => {
    const out = await tableOf().afterEncrypt({ Year: { N: '1' } }, { stored: { B: new Uint8Array([1]) } }, undefined);
    expect(out).toEqual({ stored: { B: new Uint8Array([1]) }, aws_dbe_v_1: { S: ' ' } });
  });

  it('puts items in the selector’s partition and refuses answers out of range', async () => {
    const calls: unknown[] = [];
    const picks = [3, 5, -1, 1.5];
    const version: BeaconVersion = {
      ...lotsaBeacons(),
      compoundBeacons: [],
      virtualFields: [],
      standardBeacons: [{ name: 'Name', length: 32 }, { name: 'Title', length: 32, numberOfPartitions: 2 }],
      maximumNumberOfPartitions: 5,
      partitionSelector: (item, count, table) => {
        calls.push([item, count, table]);
        return picks[calls.length - 1] as number;
      },
    };
    const table = createSearchableTable(searchOf(version), FULL_TABLE);
    const item: Item = { Name: { S: 'MyName' }, Title: { S: 'MyTitle' } };
    const out = await table.afterEncrypt(item, {}, undefined);
    expect(calls).toEqual([[item, 5, 'Foo']]);
    const key = (name: string) => beaconHmacKey(LITERAL_BEACON_KEY, name);
    expect(out.aws_dbe_b_Name).toEqual({ S: basicHash(key('Name'), withPartition(utf8('MyName'), 3, 5), 32) });
    expect(out.aws_dbe_b_Title).toEqual({ S: basicHash(key('Title'), withPartition(utf8('MyTitle'), 1, 2), 32) });
    for (const bad of [5, -1, 1.5]) {
      const error = await rejection(table.afterEncrypt(item, {}, undefined));
      expect(error.code).toBe('ERR_BEACON_WRITE');
      expect(error.message).toContain(`returned ${String(bad)}`);
    }
  });

  it('without a selector, picks partitions at random over the whole range', async () => {
    const version: BeaconVersion = { ...lotsaBeacons(), compoundBeacons: [], virtualFields: [], standardBeacons: [{ name: 'Name', length: 63 }], maximumNumberOfPartitions: 4 };
    const table = createSearchableTable(searchOf(version), FULL_TABLE);
    const key = beaconHmacKey(LITERAL_BEACON_KEY, 'Name');
    const byPartition = [0, 1, 2, 3].map((p) => basicHash(key, withPartition(utf8('x'), p, 4), 63));
    const seen = new Set<number>();
    while (seen.size < 4) {
      const out = await table.afterEncrypt({ Name: { S: 'x' } }, {}, undefined);
      const p = byPartition.indexOf((out.aws_dbe_b_Name as { S: string }).S);
      expect(p).toBeGreaterThanOrEqual(0);
      seen.add(p);
    }
  });
});

describe('multi-tenant items, keyed by the header of the stored item', () => {
  const beaconKey = Uint8Array.from({ length: 32 }, (_, i) => i + 100);
  const keyStore = new StaticBranchKeyStore([{ branchKeyIdentifier: 'tenant-1', branchKeyVersion: 'e9ce18a3-edb5-4272-9f86-1cacb7997ff6', branchKey: new Uint8Array(32).fill(7), beaconKey }]);
  const facts: SearchTableFacts = { logicalTableName: 'Orders', attributeActionsOnEncrypt: { pk: 'SIGN_ONLY', email: 'ENCRYPT_AND_SIGN' } };
  const table = createSearchableTable(
    searchOf({ version: 1, keyStore, keySource: { multi: { keyFieldName: 'tenant', cacheTTL: 60 } }, standardBeacons: [{ name: 'email', length: 16 }] }),
    facts,
  );
  const encryptWith = (keyring: HierarchicalKeyring | RawAesKeyring) =>
    new DbesdkItemEncryptor({ logicalTableName: 'Orders', partitionKeyName: 'pk', attributeActionsOnEncrypt: facts.attributeActionsOnEncrypt, keyring });
  const hierarchical = encryptWith(new HierarchicalKeyring({ keyStore, branchKeyId: 'tenant-1' }));

  it('writes beacons under the branch key the header names', async () => {
    const { item, beaconKeyId } = table.beforeEncrypt({ pk: { S: 'a' }, email: { S: 'x@example.com' }, tenant: { S: 'tenant-1' } });
    const stored = await hierarchical.encryptItem(item);
    expect(table.beaconKeyIdOf(stored)).toBe('tenant-1');
    const out = await table.afterEncrypt(item, stored, beaconKeyId);
    expect(out.aws_dbe_b_email).toEqual({ S: basicHash(beaconHmacKey(beaconKey, 'email'), utf8('x@example.com'), 16) });
    expect(out.aws_dbe_head).toEqual(stored.aws_dbe_head);
  });

  it('refuses a beacon key field that names another key, and items not encrypted by one hierarchical keyring', async () => {
    const item: Item = { pk: { S: 'a' }, email: { S: 'x@example.com' } };
    const stored = await hierarchical.encryptItem(item);
    const mismatch = await rejection(table.afterEncrypt(item, stored, 'tenant-2'));
    expect(mismatch.code).toBe('ERR_BEACON_WRITE');
    expect(mismatch.message).toMatch(/names beacon key tenant-2, but the item was encrypted under branch key tenant-1/);
    const aes = await encryptWith(new RawAesKeyring({ keyNamespace: 'ns', keyName: 'k', wrappingKey: new Uint8Array(32) })).encryptItem(item);
    expect(table.beaconKeyIdOf(aes)).toBeUndefined();
    expect((await rejection(table.afterEncrypt(item, aes, undefined))).code).toBe('ERR_BEACON_WRITE');
    expect(table.beaconKeyIdOf(item)).toBeUndefined();
  });

  it('multi-tenant key materials need an id', async () => {
    expect((await rejection(table.keyMaterials(undefined))).code).toBe('ERR_INVALID_ARGUMENT');
    expect((await table.keyMaterials('tenant-1')).beaconKeyIdentifier).toBe('tenant-1');
  });
});

describe('beacon key materials', () => {
  const single = (store: BeaconOnlyKeyStore, clock?: () => number) => createSearchableTable(searchOf({ ...lotsaBeacons(store), keySource: { single: { keyId: 'k', cacheTTL: 10 } } }), FULL_TABLE, { clock });

  it('derive an HMAC key per standard beacon, keep no beacon key, and are cached for the TTL', async () => {
    let now = 1_000_000;
    const store = new BeaconOnlyKeyStore();
    const table = single(store, () => now);
    const m = await table.keyMaterials('ignored');
    expect(m.beaconKeyIdentifier).toBe('k');
    expect(m.beaconKey).toBeUndefined();
    expect([...(m.hmacKeys?.keys() ?? [])]).toEqual(['std2', 'std4', 'std6', 'NameTitleField', 'Name', 'Title']);
    expect(m.hmacKeys?.get('Name')).toEqual(beaconHmacKey(LITERAL_BEACON_KEY, 'Name'));
    now += 10_000;
    expect(await table.keyMaterials(undefined)).toBe(m);
    now += 1;
    expect(await table.keyMaterials(undefined)).not.toBe(m);
    expect(store.calls).toEqual(['k', 'k']);
  });

  it('load once for concurrent callers', async () => {
    const store = new BeaconOnlyKeyStore();
    const table = single(store);
    const all = await Promise.all([1, 2, 3, 4, 5].map(() => table.keyMaterials(undefined)));
    expect(new Set(all).size).toBe(1);
    expect(store.calls).toEqual(['k']);
  });

  it('multi-tenant: keeps maxCacheSize tenants, least recently used dropped', async () => {
    const store = new BeaconOnlyKeyStore();
    const table = createSearchableTable(searchOf({ ...lotsaBeacons(store), keySource: { multi: { keyFieldName: 'tenant', cacheTTL: 60, maxCacheSize: 2 } } }), FULL_TABLE);
    for (const id of ['a', 'b', 'a', 'c', 'a', 'b']) await table.keyMaterials(id);
    expect(store.calls).toEqual(['a', 'b', 'c', 'b']);
  });

  it('pass key store failures on, and never show key bytes', async () => {
    const failing = { getActiveBranchKey: () => Promise.reject(new Error('x')), getBranchKeyVersion: () => Promise.reject(new Error('x')) };
    const boom = new Error('store down');
    const down = createSearchableTable(searchOf({ ...lotsaBeacons(), keyStore: { ...failing, getBeaconKey: () => Promise.reject(boom) } }), FULL_TABLE);
    expect(await rejection(down.keyMaterials(undefined))).toBe(boom);
    const empty = createSearchableTable(
      searchOf({ ...lotsaBeacons(), keyStore: { ...failing, getBeaconKey: (id: string): Promise<BeaconKeyMaterials> => Promise.resolve({ beaconKeyIdentifier: id, encryptionContext: {} }) } }),
      FULL_TABLE,
    );
    const error = await rejection(empty.keyMaterials(undefined));
    expect(error.code).toBe('ERR_BRANCH_KEY_STORE');
    // recovers after a failure: the failed load is not cached
    expect(await rejection(down.keyMaterials(undefined))).toBe(boom);
  });
});

describe('query beacons', () => {
  const table = tableOf();

  it('plaintextOf: the value at the location, a virtual field, a compound beacon’s virtual database field', () => {
    expect(table.plaintextOf('std2', SimpleItem)).toEqual({ N: '1.23' });
    expect(table.plaintextOf('std6', SimpleItem)).toEqual({ S: '666' });
    expect(table.plaintextOf('NameTitleField', SimpleItem)).toEqual({ S: 'MyName__mytitle' });
    expect(table.plaintextOf('Mixed', SimpleItem)).toEqual({ S: 'N_MyName.Y_1984' });
    expect(table.plaintextOf('JustSigned', SimpleItem)).toEqual({ S: 'Y_1984.M_May' });
    expect(table.plaintextOf('Mixed', { Year: { N: '1' } })).toBeUndefined();
    expect(() => table.plaintextOf('nope', SimpleItem)).toThrow(expect.objectContaining({ code: 'ERR_BEACON_QUERY' }) as Error);
  });

  it('a bare trailing prefix stays as it is except for equality', async () => {
    const m = await table.keyMaterials(undefined);
    const mixed = beacon(table, 'Mixed');
    expect(mixed.queryValue({ S: 'N_MyName.Y_' }, m, 0, 'other')).toEqual({ S: `N_${EXPECTED.Name}.Y_` });
    expect(mixed.queryValue({ S: 'T_' }, m, 0, 'other')).toEqual({ S: 'T_' });
    expect(beacon(table, 'YearName').queryValue({ S: 'Y_1984.N_' }, undefined, 0, 'contains')).toEqual({ S: 'Y_1984.N_' });
    expect(mixed.queryValue({ S: 'T_' }, m, 0)).toEqual({ S: `T_${basicHash(beaconHmacKey(LITERAL_BEACON_KEY, 'Title'), new Uint8Array(), 32)}` });
    expect(mixed.queryValue({ S: 'Y_1984' }, undefined, 0)).toEqual({ S: 'Y_1984' });
  });

  it('refuses what cannot be a value of the beacon, and keyless encrypted parts', async () => {
    const m = await table.keyMaterials(undefined);
    const mixed = beacon(table, 'Mixed');
    const code = expect.objectContaining({ code: 'ERR_BEACON_QUERY' }) as Error;
    expect(() => mixed.queryValue({ N: '1' }, m, 0)).toThrow(code);
    expect(() => mixed.queryValue({ S: 'Q_x' }, m, 0)).toThrow(code);
    expect(() => mixed.queryValue({ S: 'N_x' }, undefined, 0)).toThrow(/beacon Name needs a beacon key/);
    expect(() => beacon(table, 'std2').queryValue({ S: 'x' }, undefined, 0)).toThrow(code);
    expect(() => { beacon(table, 'std2').checkLessThanComparable('x', '<'); }).toThrow(code);
    expect(() => { beacon(table, 'std2').checkBetweenComparable('x', 'y'); }).toThrow(code);
  });

  it('LessThanComparable and BetweenComparable', () => {
    const mixed = beacon(table, 'Mixed');
    for (const ok of ['Y_1984', 'Y_1984.M_May', 'Y_1984.N_', 'N_', 'M_x']) expect(() => { mixed.checkLessThanComparable(ok, '<'); }).not.toThrow();
    for (const bad of ['N_x', 'Y_1984.N_x', 'N_.Y_1', 'N_.T_']) expect(() => { mixed.checkLessThanComparable(bad, '>='); }).toThrow(/LessThanComparable/);
    expect(() => { mixed.checkLessThanComparable('Q_', '<'); }).toThrow(/does not start with the prefix/);
    // An empty encrypted part is stored as its prefix and a hash, above the bare prefix: <= and > would be wrong.
    for (const op of ['<=', '>'] as const) expect(() => { mixed.checkLessThanComparable('Y_1984.N_', op); }).toThrow(/bare prefix N_ of encrypted part Name/);
    expect(() => { mixed.checkLessThanComparable('Y_1984.N_', '>='); }).not.toThrow();
    expect(() => { mixed.checkBetweenComparable('Y_1', 'Y_2.N_'); }).toThrow(/upper bound of BETWEEN/);
    expect(() => { mixed.checkBetweenComparable('Y_1.N_', 'Y_2'); }).not.toThrow();
    expect(() => { mixed.checkBetweenComparable('N_x', 'N_x.Y_2'); }).toThrow(/ends with the piece of encrypted part Name/);
    expect(() => { mixed.checkBetweenComparable('N_.Y_1', 'N_'); }).toThrow(/ends with the piece of encrypted part Name/);
    expect(() => { mixed.checkBetweenComparable('N_x.Y_1', 'N_x.Y_2'); }).not.toThrow();
    expect(() => { mixed.checkBetweenComparable('N_x.Y_1', 'N_y.Y_2'); }).toThrow(/BETWEEN/);
    expect(() => { mixed.checkBetweenComparable('Y_1', 'Y_2'); }).not.toThrow();
  });

  it('needsKey, partitionCount, and key ids named through a signed part', () => {
    const mixed = beacon(table, 'Mixed');
    expect(mixed.needsKey('Y_1984')).toBe(false);
    expect(mixed.needsKey('N_x.Y_1984')).toBe(true);
    expect(mixed.needsKey('N_', 'other')).toBe(false);
    expect(beacon(table, 'JustSigned').encrypted).toBe(false);
    expect(beacon(table, 'JustSigned').storedName).toBe('JustSigned');
    expect(mixed.beaconKeyIdIn('T_x')).toBeUndefined();
    const version: BeaconVersion = {
      ...lotsaBeacons(),
      maximumNumberOfPartitions: 12,
      standardBeacons: [
        { name: 'Name', length: 32, numberOfPartitions: 4 },
        { name: 'Title', length: 32, numberOfPartitions: 6 },
      ],
      virtualFields: [],
      keySource: { multi: { keyFieldName: 'TheKeyField', cacheTTL: 1 } },
      compoundBeacons: [{ name: 'Tenanted', split: '/', signed: [{ name: 'TheKeyField', prefix: 'K=' }], encrypted: [Name(), Title()] }],
    };
    const multi = createSearchableTable(searchOf(version), FULL_TABLE);
    const tenanted = beacon(multi, 'Tenanted');
    expect(tenanted.beaconKeyIdIn('K=tenant-9/N=x')).toBe('tenant-9');
    expect(tenanted.beaconKeyIdIn('N=x')).toBeUndefined();
    expect(tenanted.partitionCount()).toBe(12);
    expect(tenanted.partitionCount('K=a/N=x')).toBe(4);
    expect(tenanted.partitionCount('K=a')).toBe(1);
    expect(tenanted.partitionCount('Z=a')).toBe(1);
  });
});

function Name() {
  return { name: 'Name', prefix: 'N=' };
}
function Title() {
  return { name: 'Title', prefix: 'T=' };
}

interface JsonVersion {
  maximumNumberOfPartitions?: number;
  defaultNumberOfPartitions?: number;
  standardBeacons: { Name: string; Length: number; numberOfPartitions?: number }[];
  compoundBeacons?: { Name: string; Split: string; Encrypted?: { Name: string; Prefix: string }[]; Signed?: { Name: string; Prefix: string }[]; Constructors?: { Name: string }[][] }[];
}

describeDbesdkVectors('with static-branch-key-1 and the DB-ESDK test-vector search configs (large_records.json)', () => {
  const configs = readDbesdkJson<{ largeEncryptionConfigs: Record<string, { attributeActionsOnEncrypt: SearchTableFacts['attributeActionsOnEncrypt']; search?: { versions: JsonVersion[] } }> }>(
    'large_records.json',
  ).largeEncryptionConfigs;
  const keyId = vectorBranchKey()['key-id'];
  const toVersion = (json: JsonVersion): BeaconVersion => ({
    version: 1,
    keyStore: vectorKeyStore(),
    keySource: { single: { keyId, cacheTTL: 60 } },
    maximumNumberOfPartitions: json.maximumNumberOfPartitions,
    defaultNumberOfPartitions: json.defaultNumberOfPartitions,
    standardBeacons: json.standardBeacons.map((b) => ({ name: b.Name, length: b.Length, numberOfPartitions: b.numberOfPartitions })),
    compoundBeacons: json.compoundBeacons?.map((c) => ({
      name: c.Name,
      split: c.Split,
      encrypted: c.Encrypted?.map((p) => ({ name: p.Name, prefix: p.Prefix })),
      signed: c.Signed?.map((p) => ({ name: p.Name, prefix: p.Prefix })),
      constructors: c.Constructors?.map((parts) => ({ parts: parts.map((p) => ({ name: p.Name, required: true })) })),
    })),
  });

  it('accepts every search config there and hashes with the beacon key of keys.json', async () => {
    const beaconKey = b64(vectorBranchKey().beaconKey);
    const withSearch = Object.entries(configs).filter(([, c]) => c.search !== undefined);
    expect(withSearch.length).toBeGreaterThan(3);
    for (const [name, config] of withSearch) {
      const version = toVersion((config.search as { versions: JsonVersion[] }).versions[0] as JsonVersion);
      const table = createSearchableTable(searchOf({ ...version, partitionSelector: () => 0 }), { logicalTableName: name, attributeActionsOnEncrypt: config.attributeActionsOnEncrypt });
      const out = await table.afterEncrypt({ Attr1: { S: 'one' }, Attr2: { S: 'two' }, Attr4: { S: 'four' }, Attr6: { S: 'six' }, Attr7: { S: 'seven' } }, {}, undefined);
      const hash = (beaconName: string, text: string) => basicHash(beaconHmacKey(beaconKey, beaconName), utf8(text), 32);
      expect(out.aws_dbe_b_Attr1).toEqual({ S: hash('Attr1', 'one') });
      if (name === 'complex_partition_encrypt') {
        expect(out.aws_dbe_b_Comp2671).toEqual({ S: `2_${hash('Attr2', 'two')}.6_six.7_seven.1_${hash('Attr1', 'one')}` });
        expect(beacon(table, 'Comp2671').partitionCount()).toBe(2);
        expect(beacon(table, 'Comp1472').partitionCount()).toBe(4);
      }
    }
  });
});

