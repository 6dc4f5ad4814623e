// The pod-startup SLO verdict of real recorded births, with the numbers derived from the traces' own
// steps and cross-checked with the kubelet's `Observed pod startup duration` lines where the recording
// has them.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Step, Trace } from '../../../src/core/model.js';
import { diffMs, instantFromMs, toMs, type Instant } from '../../../src/core/time.js';
import { POD_STARTUP_SLO_MS, startupSlo, timelinePhases } from '../../../src/core/timeline/index.js';
import { RECORDED, recordedTrace, recording, traceAt } from './recorded-traces.js';

function step(t: Trace, id: string): Step {
  const s = t.steps.find((x) => x.id === id);
  if (!s) throw new Error(`no step ${id}`);
  return s;
}
const ms = (a: Instant | null, b: Instant | null): number => diffMs(a as Instant, b as Instant);
const span = (s: Step): number => ms(s.start, s.end);

/** The trace with its creation moved `byMs` earlier (everything else as recorded). */
function createdEarlier(t: Trace, byMs: number): Trace {
  return {
    ...t,
    steps: t.steps.map((s) => {
      if (s.kind !== 'created' || !s.start) return s;
      const moved = instantFromMs(toMs(s.start) - byMs, s.start.precision);
      return { ...s, start: moved, end: moved };
    }),
  };
}

describe('startupSlo on recorded births', () => {
  it('fresh-pull: creation → container started, minus the PullImage time', () => {
    const t = recordedTrace('fresh-pull');
    const slo = startupSlo(t);
    const total = ms(step(t, 'created').start, step(t, 'container-started:main').end);
    const pull = span(step(t, 'image-pull:main'));
    expect(slo.budgetMs).toBe(5000);
    expect(slo.totalMs).toBeCloseTo(total, 6);
    expect(slo.pullMs).toBeCloseTo(pull, 6);
    expect(slo.initMs).toBe(0);
    expect(slo.measuredMs).toBeCloseTo(total - pull, 6);
    expect(slo.measuredMs).toBeCloseTo(499.87186, 4);
    expect(slo.verdict).toBe('within');
    expect(slo.explanation).toContain('Within the 5 s');
    expect(slo.explanation).toContain('minus 14ms image pull');
  });

  it('image-present: nothing to exclude', () => {
    const t = recordedTrace('image-present');
    const slo = startupSlo(t);
    expect(slo.pullMs).toBe(0);
    expect(slo.measuredMs).toBeCloseTo(ms(step(t, 'created').start, step(t, 'container-started:main').end), 6);
    expect(slo.measuredMs).toBeCloseTo(513.986089, 5);
    expect(slo.verdict).toBe('within');
  });

  it("init-container: both pulls and the init container's run are excluded", () => {
    const t = recordedTrace('init-container');
    const slo = startupSlo(t);
    const total = ms(step(t, 'created').start, step(t, 'container-started:main').end);
    const pulls = span(step(t, 'image-pull:init/init')) + span(step(t, 'image-pull:main'));
    const init = ms(step(t, 'container-started:init/init').end, step(t, 'image-pull:main').start);
    expect(slo.totalMs).toBeCloseTo(total, 6);
    expect(slo.pullMs).toBeCloseTo(pulls, 6);
    expect(slo.initMs).toBeCloseTo(init, 6);
    expect(slo.measuredMs).toBeCloseTo(total - pulls - init, 6);
    expect(slo.measuredMs).toBeCloseTo(534.369392, 4);
    expect(slo.verdict).toBe('within');
    expect(slo.explanation).toMatch(/minus 30ms image pull and 2\.67s init containers/);
  });

  it('crash-loop: started at least once is started; the restarts do not count', () => {
    const t = recordedTrace('crash-loop');
    const slo = startupSlo(t);
    expect(slo.measuredMs).toBeCloseTo(ms(step(t, 'created').start, step(t, 'container-started:main').end), 6);
    expect(slo.verdict).toBe('within');
  });

  it('missing-image: never started, not applicable', () => {
    const slo = startupSlo(recordedTrace('missing-image'));
    expect(slo.verdict).toBe('not-applicable');
    expect(slo.measuredMs).toBeNull();
    expect(slo.explanation).toContain('never started');
    expect(slo.explanation).toContain('PullImage failed');
    expect(slo.explanation).not.toContain('failed failed');
  });

  it('unschedulable-memory: the SLO covers schedulable pods only', () => {
    const slo = startupSlo(recordedTrace('unschedulable-memory'));
    expect(slo.verdict).toBe('not-applicable');
    expect(slo.measuredMs).toBeNull();
    expect(slo.explanation).toMatch(/schedule at once/);
  });

  it('pending while the birth is under way', () => {
    for (const [scenario, cut] of [
      ['fresh-pull', '2026-11-23T09:58:45.115000000Z'],
      ['init-container', '2026-11-23T10:00:22.000000000Z'],
    ] as const) {
      const slo = startupSlo(traceAt(scenario, cut));
      expect(slo.verdict, scenario).toBe('pending');
      expect(slo.measuredMs).toBeNull();
    }
    // The init container's image was pulled already: known so far.
    const t = traceAt('init-container', '2026-11-23T10:00:22.000000000Z');
    expect(startupSlo(t).pullMs).toBeCloseTo(span(step(t, 'image-pull:init/init')), 6);
  });

  it('over 5 s when the same birth starts 5 s later after creation; exactly 5 s is within', () => {
    const t = recordedTrace('fresh-pull');
    const base = startupSlo(t).measuredMs as number;
    const over = startupSlo(createdEarlier(t, 5000));
    expect(over.verdict).toBe('over');
    expect(over.measuredMs).toBeCloseTo(base + 5000, 3);
    expect(over.pullMs).toBeCloseTo(startupSlo(t).pullMs, 6);
    expect(over.explanation).toContain('Over the 5 s');
    const edge = startupSlo(createdEarlier(t, POD_STARTUP_SLO_MS - base));
    expect(edge.measuredMs).toBeCloseTo(POD_STARTUP_SLO_MS, 3);
    expect(startupSlo(createdEarlier(t, POD_STARTUP_SLO_MS - base - 0.01)).verdict).toBe('within');
    expect(startupSlo(createdEarlier(t, POD_STARTUP_SLO_MS - base + 0.01)).verdict).toBe('over');
  });

  it('uses the rows it is given (the webview passes the ones it draws)', () => {
    const t = recordedTrace('init-container');
    expect(startupSlo(t, timelinePhases(t))).toEqual(startupSlo(t));
  });

  it('never throws on malformed input', () => {
    expect(startupSlo({} as Trace).verdict).toBe('pending');
    expect(startupSlo({ steps: 'x', phase: 'failed' } as unknown as Trace).verdict).toBe('not-applicable');
  });
});

describe("startupSlo agrees with the kubelet's own measurement", () => {
  // kubelet: "Observed pod startup duration" pod="ns/name" podStartSLOduration=… totalImagesPullingTime="…"
  // It counts from the whole-second creationTimestamp to the status observed via watch, so it reads higher.
  const KUBELET_RE =
    /"Observed pod startup duration" pod="[^/"]+\/([^"]+)" podStartSLOduration=([\d.]+) .*?totalImagesPullingTime="([^"]+)"/g;
  const goMs = (d: string): number => {
    const m = /^([\d.]+)(ms|s|µs)$/.exec(d);
    return !m ? Number.NaN : Number(m[1]) * (m[2] === 's' ? 1000 : m[2] === 'ms' ? 1 : 0.001);
  };
  const observed = ['init-container', 'crash-loop', 'deployment-3'].flatMap((scenario) => {
    const file = join(RECORDED, scenario, 'kubelet.log');
    const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
    return [...text.matchAll(KUBELET_RE)].map((m) => ({
      scenario,
      pod: m[1] as string,
      sloMs: Number(m[2]) * 1000,
      pullMs: goMs(m[3] as string),
    }));
  });

  it('the recordings hold the kubelet lines', () => {
    expect(observed.map((o) => o.scenario)).toEqual(
      expect.arrayContaining(['init-container', 'crash-loop', 'deployment-3']),
    );
  });

  it.each(observed.map((o) => [`${o.scenario}/${o.pod}`, o] as const))('%s', (_name, o) => {
    expect(recording(o.scenario).pods).toContain(o.pod);
    const slo = startupSlo(recordedTrace(o.scenario, { pod: o.pod }));
    // Same verdict, and ours is the finer (smaller) reading of the same interval.
    expect(slo.verdict).toBe(o.sloMs <= POD_STARTUP_SLO_MS ? 'within' : 'over');
    expect(slo.measuredMs as number).toBeLessThan(o.sloMs);
    // Pull time: the runtime's PullImage lines against the kubelet's pulling sessions, within 5 ms.
    expect(Math.abs(slo.pullMs - o.pullMs)).toBeLessThan(5);
  });
});
