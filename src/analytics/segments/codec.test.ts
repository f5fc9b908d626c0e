import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeColumn, encodeColumn, visitorHash, widthOf } from './codec.js';
import { DistinctCounter, EXACT_MAX, HLL_STANDARD_ERROR, sketchOf } from './distinct.js';

describe('segment columns', () => {
  it('round-trip any non-negative 32-bit integers at the narrowest width', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 2 ** 32 - 1 })), fc.nat({ max: 3 }), (values, pad) => {
        const width = widthOf(values);
        const bytes = encodeColumn(values, width);
        expect(bytes.byteLength).toBe(values.length * width);
        // As a driver hands it back: a copy at an arbitrary offset of a larger buffer.
        const stored = new Uint8Array(bytes.byteLength + pad);
        stored.set(bytes, pad);
        const back = decodeColumn(stored.subarray(pad), width, values.length);
        expect([...back]).toEqual(values);
      }),
    );
    expect(widthOf([0, 0])).toBe(0);
    expect(widthOf([255])).toBe(1);
    expect(widthOf([256])).toBe(2);
    expect(widthOf([65_536])).toBe(4);
  });
});

describe('distinct visitors', () => {
  const ids = (n: number, from = 0) =>
    Array.from({ length: n }, (_, i) => visitorHash(`v${(from + i).toString(36)}`));

  it('counts exactly up to the limit, duplicates once', () => {
    const c = new DistinctCounter();
    c.addAll(ids(EXACT_MAX));
    c.addAll(ids(1000));
    expect(c.isExact).toBe(true);
    expect(c.count()).toBe(EXACT_MAX);
  });

  it('estimates past it within three standard errors, merged from sketches or not', () => {
    for (const n of [60_000, 400_000, 2_000_000]) {
      const direct = new DistinctCounter();
      direct.addAll(ids(n));
      // Ten overlapping "days" of n/5 ids each, every day its own sketch: 1.1 n in all.
      const merged = new DistinctCounter();
      for (let d = 0; d < 10; d++) merged.merge(sketchOf(ids(n / 5, (d * n) / 10)));
      for (const [c, truth] of [
        [direct, n],
        [merged, 1.1 * n],
      ] as const) {
        expect(c.isExact).toBe(false);
        expect(Math.abs(c.count() / truth - 1)).toBeLessThan(3 * HLL_STANDARD_ERROR);
      }
    }
  });
});
