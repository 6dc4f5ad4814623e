// The live report as deltas (core/rollout/delta): whatever sequence of reports is encoded, each one
// decoded equals the one sent, and what crosses is only the rows that changed (and the order when it
// changed). Reports are built from the real recorded pods' rows, changed, added, removed, reordered.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RolloutDeltaDecoder, RolloutDeltaEncoder } from '../../../src/core/rollout/delta.js';
import type { RolloutPod, RolloutReport } from '../../../src/core/rollout/report.js';
import { recordedRollout } from '../../support/rollout-recorded.js';

const base = recordedRollout(40, { live: true });

/** A report of the pods picked (by index into `base`), some of them changed. */
function reportOf(picks: readonly { i: number; bump: number }[], live: boolean): RolloutReport {
  const seen = new Set<number>();
  const pods: RolloutPod[] = [];
  for (const { i, bump } of picks) {
    if (seen.has(i)) continue;
    seen.add(i);
    const row = base.pods[i] as RolloutPod;
    pods.push(bump === 0 ? row : { ...row, totalMs: (row.totalMs ?? 0) + bump, outcome: 'running' });
  }
  return { ...base, pods, live };
}

describe('rollout report deltas', () => {
  it('every decoded report equals the one encoded, over any sequence of reports', () => {
    const picks = fc.array(fc.record({ i: fc.integer({ min: 0, max: 39 }), bump: fc.constantFrom(0, 0, 0, 5, 900) }), {
      maxLength: 40,
    });
    fc.assert(
      fc.property(fc.array(fc.tuple(picks, fc.boolean()), { minLength: 1, maxLength: 8 }), (seq) => {
        const enc = new RolloutDeltaEncoder();
        const dec = new RolloutDeltaDecoder();
        for (const [p, live] of seq) {
          const r = reportOf(p, live);
          // Across the process boundary a message is a copy.
          const sent = structuredClone(enc.encode(r));
          expect(dec.decode(sent)).toEqual(r);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('only the rows that changed cross, and the order only when it changed', () => {
    const enc = new RolloutDeltaEncoder();
    const first = enc.encode(base);
    expect(first.changed).toHaveLength(40);
    expect(first.names).toHaveLength(40);
    // The same report again, rebuilt as the tracer does (new objects, same content): nothing changed.
    const again = enc.encode({ ...base, pods: base.pods.map((p) => ({ ...p })) });
    expect(again.changed).toEqual([]);
    expect(again.names).toBeNull();
    const pods = [...base.pods];
    pods[7] = { ...(pods[7] as RolloutPod), totalMs: 123_456 };
    const one = enc.encode({ ...base, pods });
    expect(one.changed.map((p) => p.name)).toEqual([base.pods[7]?.name]);
    expect(one.names).toBeNull();
    expect(JSON.stringify(one).length).toBeLessThan(JSON.stringify(base).length / 5);
  });
});
