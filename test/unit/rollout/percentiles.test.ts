import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nearestRank, phaseStats } from '../../../src/core/rollout/index.js';

const values = fc.array(fc.double({ min: 0, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 300 });

describe('nearest-rank percentiles', () => {
  it('known values: 1..100 gives p50 = 50, p90 = 90, p99 = 99; 1..10 gives p99 = max', () => {
    const hundred = Array.from({ length: 100 }, (_v, i) => i + 1);
    expect(phaseStats(hundred)).toEqual({ count: 100, p50: 50, p90: 90, p99: 99, max: 100 });
    const ten = Array.from({ length: 10 }, (_v, i) => 10 - i);
    expect(phaseStats(ten)).toEqual({ count: 10, p50: 5, p90: 9, p99: 10, max: 10 });
    expect(phaseStats([7])).toEqual({ count: 1, p50: 7, p90: 7, p99: 7, max: 7 });
    expect(phaseStats([])).toBeNull();
    expect(phaseStats([Number.NaN, Number.POSITIVE_INFINITY])).toBeNull();
  });

  it('is always a measured value, and at least p% of the values are ≤ it (and fewer than p% are < it)', () => {
    fc.assert(
      fc.property(values, fc.integer({ min: 1, max: 100 }), (xs, p) => {
        const sorted = [...xs].sort((a, b) => a - b);
        const v = nearestRank(sorted, p);
        expect(xs).toContain(v);
        const atMost = xs.filter((x) => x <= v).length;
        const below = xs.filter((x) => x < v).length;
        expect(atMost / xs.length).toBeGreaterThanOrEqual(p / 100);
        expect(below / xs.length).toBeLessThan(p / 100);
      }),
    );
  });

  it('p50 ≤ p90 ≤ p99 ≤ max, whatever the order of the input', () => {
    fc.assert(
      fc.property(values, (xs) => {
        const s = phaseStats(xs);
        expect(s).not.toBeNull();
        if (!s) return;
        expect(s.count).toBe(xs.length);
        expect(s.p50).toBeLessThanOrEqual(s.p90);
        expect(s.p90).toBeLessThanOrEqual(s.p99);
        expect(s.p99).toBeLessThanOrEqual(s.max);
        expect(s.max).toBe(Math.max(...xs));
        expect(phaseStats([...xs].reverse())).toEqual(s);
      }),
    );
  });
});
