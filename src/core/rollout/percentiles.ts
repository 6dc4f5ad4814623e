// Percentiles of a rollout's phase times.
//
// Nearest-rank method: the p-th percentile of n sorted values is the value at rank ⌈p/100 · n⌉
// (1-based). It is always one of the measured values (no interpolation), so "p99 = 4.2 s" names a
// real pod's time, and with fewer than 100 pods p99 is the maximum. clusterloader2 computes its
// pod-startup percentiles the same way (a sorted slice indexed by ceil(n·p) − 1).

import type { PhaseStats } from './report.js';

/** The nearest-rank p-th percentile (0 < p ≤ 100) of values sorted ascending; NaN when empty. */
export function nearestRank(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
}

/** p50/p90/p99/max of the finite values, or null when there are none. */
export function phaseStats(values: readonly number[]): PhaseStats | null {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  return {
    count: sorted.length,
    p50: nearestRank(sorted, 50),
    p90: nearestRank(sorted, 90),
    p99: nearestRank(sorted, 99),
    max: sorted[sorted.length - 1] as number,
  };
}
