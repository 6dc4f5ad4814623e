// Real recorded pods (test/fixtures/recorded) folded into rollout rows: the phases chain, add up to the
// waterfall, and the SLO startup is the single trace's own SLO measure.

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildRolloutReport, foldPod, ROLLOUT_PHASES } from '../../../src/core/rollout/index.js';
import { startupSlo } from '../../../src/core/timeline/slo.js';
import { RECORDED_ROOT, evidenceOf, traceFor } from '../../support/recorded.js';

function podsOf(scenario: string): ReturnType<typeof traceFor>[] {
  const { evidence, pods } = evidenceOf(join(RECORDED_ROOT, scenario));
  return pods.map((p) => traceFor(evidence, p));
}

describe('foldPod on recorded pods', () => {
  it('deployment-3: every phase of every pod, chained from creation to Ready', () => {
    for (const trace of podsOf('deployment-3')) {
      const p = foldPod(trace);
      expect(p.outcome).toBe('ready');
      expect(p.node).toBe('pod-birth-node');
      expect(Object.keys(p.phases).sort()).toEqual([...ROLLOUT_PHASES].sort());
      expect(p.phases.pull).toBe(0); // IfNotPresent, image on the node
      const spans = p.spans ?? {};
      expect(spans.schedule?.[0]).toBe(0);
      expect(spans.sandbox?.[0]).toBe(spans.schedule?.[1]);
      // The SLO startup is the trace's own measure; Ready ends the birth.
      expect(p.sloStartupMs).toBeCloseTo(startupSlo(trace).measuredMs ?? Number.NaN, 1);
      expect(p.totalMs).toBe(spans.ready?.[1]);
      expect(p.sloStartupMs).toBeLessThanOrEqual(p.totalMs ?? 0);
      expect(p.reason).toBeUndefined();
    }
  });

  it('fresh-pull: the pull is timed and left out of the SLO startup', () => {
    const [trace] = podsOf('fresh-pull');
    const p = foldPod(trace!);
    expect(p.phases.pull).toBeGreaterThan(0);
    const slo = startupSlo(trace!);
    expect(p.sloStartupMs).toBeCloseTo(slo.measuredMs ?? Number.NaN, 1);
    expect((slo.totalMs ?? 0) - (p.sloStartupMs ?? 0)).toBeCloseTo(p.phases.pull ?? 0, 0);
  });

  it('unschedulable-memory: pending, no finished phase, no SLO sample, the diagnosis as reason', () => {
    const [trace] = podsOf('unschedulable-memory');
    const p = foldPod(trace!);
    expect(p.outcome).toBe('pending');
    expect(p.phases).toEqual({});
    expect(p.sloStartupMs).toBeUndefined();
    expect(p.reason?.cause).toBe('insufficient-memory');
  });

  it('job-complete: pods that ran to completion without ever being Ready have no ready phase (not 0)', () => {
    const traces = podsOf('job-complete');
    expect(traces).toHaveLength(2);
    const rows = traces.map((t) => foldPod(t));
    for (const p of rows) {
      expect(p.outcome).toBe('succeeded');
      expect(p.phases.ready).toBeUndefined();
      expect(p.spans?.ready).toBeUndefined();
      // Everything up to the start is there, and the birth's total ends with the container's start.
      for (const phase of ['schedule', 'sandbox', 'pull', 'create', 'start'] as const)
        expect(p.phases[phase], phase).toBeGreaterThanOrEqual(0);
      expect(p.sloStartupMs).toBeGreaterThan(0);
      expect(p.totalMs).toBeGreaterThanOrEqual(p.spans?.start?.[1] ?? Number.POSITIVE_INFINITY);
    }
    // The report's ready percentiles count no pod rather than two zeros.
    const report = buildRolloutReport({ kind: 'Job', namespace: 'pb', name: 'done' }, rows, { live: false });
    expect(report.percentiles.ready).toBeUndefined();
    expect(report.percentiles.start?.count).toBe(2);
  });

  it('a deleted pod says so', () => {
    const [trace] = podsOf('deployment-3');
    expect(foldPod(trace!, { deleted: true }).outcome).toBe('deleted');
  });

  it('the report over real pods: percentiles from the rows, SLO verdict from their p99', () => {
    const rows = [...podsOf('deployment-3'), ...podsOf('fresh-pull'), ...podsOf('readiness-slow')].map((t) =>
      foldPod(t),
    );
    const r = buildRolloutReport({ kind: 'Deployment', namespace: 'n', name: 'w' }, rows, { live: false });
    const slo = rows.map((p) => p.sloStartupMs).filter((v): v is number => v !== undefined);
    expect(r.percentiles.sloStartup?.count).toBe(slo.length);
    expect(r.percentiles.sloStartup?.max).toBe(Math.max(...slo));
    expect(r.slo.p99Ms).toBe(r.percentiles.sloStartup?.p99);
    expect(r.slo.met).toBe((r.slo.p99Ms ?? Infinity) <= 5000);
    // The readiness-slow pod is the slowest, and it is slow in its readiness phase.
    const slowest = r.pods.find((p) => p.name === r.slowest[0]);
    expect(slowest?.reason?.cause).toMatch(/readiness-probe|probe-failing/);
  });
});

describe('slow reasons', () => {
  const base = { uid: 'u', node: 'n', outcome: 'ready' as const, spans: {} };
  const fast = (i: number): Parameters<typeof buildRolloutReport>[1][number] => ({
    ...base,
    name: `p${i}`,
    phases: { schedule: 10, sandbox: 500, pull: 0, create: 10, start: 30, ready: 100 },
    totalMs: 650,
  });

  it('a pod that waited for room, then became Ready: a scheduling wait, with what held it up', () => {
    const waited = {
      ...base,
      name: 'late',
      phases: { schedule: 8000, sandbox: 500, pull: 0, create: 10, start: 30, ready: 100 },
      totalMs: 8640,
      recovered: { cause: 'insufficient-cpu', text: 'No node has 5m of cpu free.' },
    };
    const r = buildRolloutReport({ kind: 'Deployment', namespace: 'n', name: 'w' }, [fast(1), fast(2), waited], {
      live: false,
    });
    const late = r.pods.find((p) => p.name === 'late');
    expect(late?.reason?.cause).toBe('scheduling-wait');
    expect(late?.reason?.text).toBe(
      'Waited 8.00s to be scheduled (median pod: 10ms). Before that: No node has 5m of cpu free.',
    );
    // Pods that are not among the slowest and within the SLO get no reason.
    expect(r.pods.filter((p) => p.reason)).toHaveLength(1);
  });

  it('a cold pull: pulled while the median pod found the image present', () => {
    const cold = { ...fast(9), name: 'cold', phases: { ...fast(9).phases, pull: 3000 }, totalMs: 3650 };
    const r = buildRolloutReport({ kind: 'Deployment', namespace: 'n', name: 'w' }, [fast(1), fast(2), cold], {
      live: false,
    });
    expect(r.pods.find((p) => p.name === 'cold')?.reason).toEqual({
      cause: 'cold-pull',
      text: 'Pulled its image for 3.00s on node n, where most pods found it present: a cold node (median pod: 0ms).',
    });
  });
});
