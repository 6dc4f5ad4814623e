import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { orderSteps } from '../../../src/core/trace/order.js';
import { recordedScenarios, recordedTrace } from '../../support/recorded.js';

describe('the ordering rule (second, logical rank, full time)', () => {
  const traces = recordedScenarios().map((s) => recordedTrace(s));

  it('is a total order: any input order gives the trace order', () => {
    for (const t of traces) {
      fc.assert(
        fc.property(fc.shuffledSubarray([...t.steps], { minLength: t.steps.length }), (shuffled) => {
          expect(orderSteps(shuffled, t.containers).map((s) => s.id)).toEqual(t.steps.map((s) => s.id));
        }),
        { numRuns: 50 },
      );
    }
  });

  it('puts the logical order first within one second, the full time first across seconds', () => {
    const at = (key: string) => ({ key, precision: 'ns' as const });
    const step = (id: string, kind: 'created' | 'scheduled', key: string) => ({
      ...traces[0]!.steps[0]!,
      id,
      kind,
      container: null,
      start: at(key),
      end: at(key),
    });
    // Same second: created ranks before scheduled although its time is later.
    const sameSecond = [step('scheduled', 'scheduled', '2026-01-01T00:00:00.100000000Z')];
    sameSecond.push(step('created', 'created', '2026-01-01T00:00:00.900000000Z'));
    expect(orderSteps(sameSecond, []).map((s) => s.id)).toEqual(['created', 'scheduled']);
    // Different seconds: time decides.
    const apart = [step('created', 'created', '2026-01-01T00:00:01.000000000Z')];
    apart.push(step('scheduled', 'scheduled', '2026-01-01T00:00:00.500000000Z'));
    expect(orderSteps(apart, []).map((s) => s.id)).toEqual(['scheduled', 'created']);
  });
});
