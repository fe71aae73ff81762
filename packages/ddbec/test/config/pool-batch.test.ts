// The batches an EncryptorPool sends to its workers and back (src/config/pool-batch.ts).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Item } from '../../src/index.js';
import { BatchWriter, readBatch, type Batch } from '../../src/config/pool-batch.js';
import { isWellFormed } from '../../src/format/utf8.js';
import { itemArb } from '../support/arbitraries.js';

/** True when some string of the item (a name, a value, a member) has an unpaired surrogate. */
function hasIllFormedString(value: unknown): boolean {
  if (typeof value === 'string') return !isWellFormed(value);
  if (value instanceof Uint8Array || typeof value !== 'object' || value === null) return false;
  return Object.entries(value).some(([name, member]) => !isWellFormed(name) || hasIllFormedString(member));
}

/** A copy of the batch's bytes in a fresh buffer (as a transfer leaves them to the other thread). */
function transferred(batch: Batch): Batch {
  return { buffer: batch.buffer.slice(0, batch.length), length: batch.length };
}

describe('pool batches', () => {
  it('read back every item exactly as written (number text, set and map order, binaries), in both modes', () => {
    fc.assert(
      fc.property(fc.array(itemArb, { maxLength: 6 }), (items) => {
        const writer = new BatchWriter(64);
        const written = items.filter((item) => writer.item(item));
        // an item is left out only for an unpaired surrogate, and leaves the batch intact
        for (const item of items) if (!written.includes(item)) expect(hasIllFormedString(item)).toBe(true);
        const batch = transferred(writer.finish());
        for (const mode of ['copies', 'views'] as const) {
          const entries = readBatch(batch, mode);
          expect(entries.map((entry) => entry.ok)).toEqual(written.map(() => true));
          entries.forEach((entry, i) => {
            const item = (entry as { value: Item }).value;
            expect(item).toEqual(written[i]);
            expect(Object.keys(item)).toEqual(Object.keys(written[i] as Item));
          });
        }
      }),
      { numRuns: 300 },
    );
  });

  it('keeps non-canonical numbers and set order as they are', () => {
    const item: Item = { n: { N: '1.50' }, ns: { NS: ['10', '2', '1E1'] }, ss: { SS: ['b', 'a'] }, m: { M: { z: { N: '-0' }, a: { L: [{ N: '007' }] } } } };
    const writer = new BatchWriter();
    expect(writer.item(item)).toBe(true);
    const [entry] = readBatch(transferred(writer.finish()), 'copies');
    expect(JSON.stringify((entry as { value: Item }).value)).toBe(JSON.stringify(item));
  });

  it('gives each item read as copies one buffer of its own binaries; views share the batch', () => {
    const item = (n: number): Item => ({ a: { B: new Uint8Array([n, 1]) }, s: { BS: [new Uint8Array([n, 2]), new Uint8Array([n, 3, 3])] }, l: { L: [{ B: new Uint8Array([n]) }] } });
    const writer = new BatchWriter();
    writer.item(item(1));
    writer.item({ x: { S: 'no binaries' } });
    writer.item(item(2));
    const batch = transferred(writer.finish());
    const binaries = (entry: unknown): Uint8Array[] => {
      const value = (entry as { value: Item }).value;
      return [(value.a as { B: Uint8Array }).B, ...(value.s as { BS: Uint8Array[] }).BS, ((value.l as { L: { B: Uint8Array }[] }).L[0] as { B: Uint8Array }).B];
    };
    const [one, , two] = readBatch(batch, 'copies');
    expect(binaries(one).map((b) => [...b])).toEqual([[1, 1], [1, 2], [1, 3, 3], [1]]);
    for (const entry of [one, two]) {
      const buffers = new Set(binaries(entry).map((b) => b.buffer));
      expect(buffers.size).toBe(1);
      expect([...buffers][0]?.byteLength).toBe(8);
    }
    const [viewOne] = readBatch(batch, 'views');
    expect(binaries(viewOne).every((b) => b.buffer === batch.buffer)).toBe(true);
  });

  it('carries errors in place of items, and leaves out what is not an attribute value', () => {
    const writer = new BatchWriter(16);
    for (const bad of [{ a: { S: 'x', N: '1' } }, { a: { NULL: false } }, { a: { SS: [1] } }, { a: { X: 'y' } }, { a: null }, { a: { B: 'no' } }]) {
      expect(writer.item(bad as unknown as Item)).toBe(false);
    }
    writer.error({ code: 'ERR_SIGNATURE_INVALID', name: 'DdbecError', message: 'signature not valid for item' });
    writer.item({ ok: { BOOL: true } });
    writer.error({ code: undefined, name: 'TypeError', message: 'é' });
    expect(readBatch(transferred(writer.finish()), 'copies')).toEqual([
      { ok: false, error: { code: 'ERR_SIGNATURE_INVALID', name: 'DdbecError', message: 'signature not valid for item' } },
      { ok: true, value: { ok: { BOOL: true } } },
      { ok: false, error: { code: undefined, name: 'TypeError', message: 'é' } },
    ]);
  });
});
