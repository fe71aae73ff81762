import { describe, expect, it } from 'vitest';
import { beaconLength, beaconLengthFigures } from '../../src/searchable/length.js';

describe('beaconLength', () => {
  it('gives 9 to 15 bits for 100,000 evenly distributed values (2^N > √X and 2^N < X/2)', () => {
    const advice = beaconLength(100_000);
    expect([advice.shortest, advice.longest]).toEqual([9, 15]);
    expect(advice.lengths.map((figures) => figures.length)).toEqual([9, 10, 11, 12, 13, 14, 15]);
    expect(advice.leaks.join(' ')).toMatch(/Equality.*Frequency/s);
  });

  it('computes what a length costs: values per beacon, items read per item returned, and the chance that equal beacons mean equal values', () => {
    const figures = beaconLengthFigures(100_000, 16);
    expect(figures.valuesPerBeacon).toBeCloseTo(1.526, 3);
    expect(figures.itemsReadPerMatch).toBeCloseTo(2.526, 3);
    expect(figures.sameValueChance).toBeCloseTo(0.396, 3);
  });

  it('keeps every length in the range consistent with the two bounds', () => {
    for (const distinct of [10, 64, 1000, 12_345, 1_000_000, 2 ** 40]) {
      const { shortest, longest } = beaconLength(distinct);
      expect(2 ** shortest).toBeGreaterThan(Math.sqrt(distinct));
      expect(2 ** (shortest - 1)).toBeLessThanOrEqual(Math.sqrt(distinct));
      if (longest !== undefined) {
        expect(2 ** longest).toBeLessThan(distinct / 2);
        expect(2 ** (longest + 1)).toBeGreaterThanOrEqual(distinct / 2);
      }
    }
  });

  it('says when too few values leave no safe length', () => {
    const advice = beaconLength(5);
    expect(advice.longest).toBe(1);
    expect(advice.shortest).toBe(2);
    expect(advice.lengths.map((figures) => figures.length)).toEqual([2]);
    expect(advice.leaks.at(-1)).toMatch(/no length both guarantees collisions/);
  });

  it('refuses what is not a count of values', () => {
    for (const bad of [0, 1, 2.5, Number.NaN, -3]) expect(() => beaconLength(bad)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
    expect(() => beaconLengthFigures(10, 64)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
  });
});
