/** Properties of beacons over random items, values, lengths and partitions (fast-check). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AttributeValue, Item } from '../../src/format/attribute-value.js';
import { basicHash, truncatedHex, withPartition } from '../../src/searchable/beacons.js';
import type { BeaconVersion } from '../../src/searchable/config.js';
import { createSearchableTable } from '../../src/searchable/table.js';
import type { QueryBeacon, SearchableTable } from '../../src/searchable/types.js';
import { FULL_TABLE, lotsaBeacons, searchOf } from './fixtures.js';

const noDot = fc.string({ maxLength: 12 }).filter((s) => !s.includes('.'));

function beacon(table: SearchableTable, name: string): QueryBeacon {
  const b = table.queryBeacon(name);
  if (b === undefined) throw new Error(`no beacon ${name}`);
  return b;
}

/** The fixtures' beacons, with partitions: 6 overall, Name in 3, Title in 2. */
function partitioned(partition: { value: number }): SearchableTable {
  const version: BeaconVersion = {
    ...lotsaBeacons(),
    maximumNumberOfPartitions: 6,
    standardBeacons: lotsaBeacons().standardBeacons.map((b) => (b.name === 'Name' ? { ...b, numberOfPartitions: 3 } : b.name === 'Title' ? { ...b, numberOfPartitions: 2 } : b)),
    partitionSelector: () => partition.value,
  };
  return createSearchableTable(searchOf(version), FULL_TABLE);
}

describe('beacon properties', () => {
  it('basicHash keeps exactly the rightmost `length` bits of the first 8 HMAC bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 8, maxLength: 8 }), fc.integer({ min: 1, max: 63 }), (mac, length) => {
        const hex = truncatedHex(mac, length);
        expect(hex).toMatch(/^[0-9a-f]+$/);
        expect(hex.length).toBe(Math.ceil(length / 4));
        const first8 = mac.reduce((acc, b) => (acc << 8n) | BigInt(b), 0n);
        expect(BigInt(`0x${hex}`)).toBe(first8 & ((1n << BigInt(length)) - 1n));
      }),
    );
  });

  it('getPart of the compound query string built from an item is the stored compound beacon, in every partition', async () => {
    const partition = { value: 0 };
    const table = partitioned(partition);
    await fc.assert(
      fc.asyncProperty(
        fc.record({ Name: noDot, Title: noDot, Year: fc.integer({ min: 0, max: 3000 }), Month: noDot }, { requiredKeys: [] }),
        fc.integer({ min: 0, max: 5 }),
        async (fields, p) => {
          partition.value = p;
          const item: Item = {};
          if (fields.Name !== undefined) item.Name = { S: fields.Name };
          if (fields.Title !== undefined) item.Title = { S: fields.Title };
          if (fields.Year !== undefined) item.Year = { N: String(fields.Year) };
          if (fields.Month !== undefined) item.Date = { M: { Month: { S: fields.Month } } };
          const stored = await table.afterEncrypt(table.beforeEncrypt(item).item, {}, undefined);
          const m = await table.keyMaterials(undefined);
          for (const name of ['NameTitle', 'YearName', 'Mixed']) {
            const plain = table.plaintextOf(name, item);
            const b = beacon(table, name);
            expect(plain === undefined).toBe(stored[b.storedName] === undefined);
            if (plain !== undefined) expect(b.queryValue(plain, m, p)).toEqual(stored[b.storedName]);
          }
          const signed = table.plaintextOf('JustSigned', item);
          expect(table.beforeEncrypt(item).item.JustSigned).toEqual(signed);
        },
      ),
    );
  });

  it('a standard beacon’s query value is its stored value, whatever the attribute type', async () => {
    const table = partitioned({ value: 0 });
    const m = await table.keyMaterials(undefined);
    const value = fc.oneof(
      fc.string().map((S): AttributeValue => ({ S })),
      fc.integer().map((n): AttributeValue => ({ N: String(n) })),
      fc.uint8Array({ maxLength: 8 }).map((B): AttributeValue => ({ B })),
      fc.boolean().map((BOOL): AttributeValue => ({ BOOL })),
      fc.array(fc.string(), { maxLength: 3 }).map((L): AttributeValue => ({ L: L.map((S) => ({ S })) })),
    );
    await fc.assert(
      fc.asyncProperty(value, async (v) => {
        const stored = await table.afterEncrypt({ std2: v }, {}, undefined);
        expect(beacon(table, 'std2').queryValue(v, m, 0)).toEqual(stored.aws_dbe_b_std2);
      }),
    );
  });

  it('a beacon constrained to N partitions encodes partition X as X % N, and partition 0 as none', () => {
    const key = new Uint8Array(64).fill(9);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 16 }), fc.integer({ min: 1, max: 254 }), fc.integer({ min: 0, max: 254 }), (bytes, n, x) => {
        const h = (p: number) => basicHash(key, withPartition(bytes, p, n), 40);
        expect(h(x)).toBe(h(x % n));
        expect(h(x + n)).toBe(h(x));
        expect(withPartition(bytes, 0, n)).toBe(bytes);
        if (x % n !== 0) expect(withPartition(bytes, x, n)).toEqual(Uint8Array.from([...bytes, x % n]));
      }),
    );
  });

  it('query values per partition match the item written in that partition only (up to the beacon’s own count)', async () => {
    const partition = { value: 0 };
    const table = partitioned(partition);
    const m = await table.keyMaterials(undefined);
    const name = beacon(table, 'Name');
    expect(name.partitionCount()).toBe(3);
    expect(beacon(table, 'NameTitle').partitionCount()).toBe(6);
    expect(beacon(table, 'NameTitle').partitionCount('N_x')).toBe(3);
    expect(beacon(table, 'YearName').partitionCount('Y_1')).toBe(1);
    for (let written = 0; written < 6; written++) {
      partition.value = written;
      const stored = await table.afterEncrypt({ Name: { S: 'same' } }, {}, undefined);
      for (let queried = 0; queried < 6; queried++) {
        const hit = (name.queryValue({ S: 'same' }, m, queried) as { S: string }).S === (stored.aws_dbe_b_Name as { S: string }).S;
        expect(hit).toBe(queried % 3 === written % 3);
      }
    }
  });
});
