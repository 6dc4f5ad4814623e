// A real 100-replica rollout recorded from the local cluster (test/fixtures/recorded/rollout-100,
// written by RECORD_ROLLOUT=1 test/cluster/rollout.test.ts): every pod's evidence replayed through the
// engine and folded into the report, which must say what the live run said — 100 Ready pods, the same
// percentiles and SLO verdict, and the pod the scheduler turned away as the slowest, for that reason.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildRolloutReport, foldPod, ROLLOUT_PHASES, type RolloutReport } from '../../../src/core/rollout/index.js';
import { TraceState, buildTrace, type Evidence } from '../../../src/core/trace/index.js';
import { RECORDED_ROOT } from '../../support/recorded.js';
import { readRolloutRecording } from '../../support/rollout-fixture.js';

const DIR = join(RECORDED_ROOT, 'rollout-100');
const recorded = readRolloutRecording(join(DIR, 'evidence.json.gz'));
const meta = JSON.parse(readFileSync(join(DIR, 'meta.json'), 'utf8')) as {
  slowPod: string;
  report: Pick<RolloutReport, 'percentiles' | 'slo' | 'slowest'>;
};

function replay(evidence: readonly Evidence[]): ReturnType<typeof buildTrace> {
  const s = new TraceState();
  s.addAll(evidence);
  return buildTrace(s);
}

describe('recorded rollout of 100 pods', () => {
  const rows = recorded.pods.map((p) => foldPod(replay(p.evidence)));
  const report = buildRolloutReport(recorded.workload, rows, { live: false });

  it('folds 100 Ready pods with every phase', () => {
    expect(report.pods).toHaveLength(100);
    for (const p of report.pods) {
      expect(p.outcome, p.name).toBe('ready');
      expect(Object.keys(p.phases).sort(), p.name).toEqual([...ROLLOUT_PHASES].sort());
    }
  });

  it("gives the live run's percentiles, SLO verdict and slowest pods", () => {
    expect(report.percentiles).toEqual(meta.report.percentiles);
    expect(report.slo).toEqual(meta.report.slo);
    expect(report.slowest).toEqual(meta.report.slowest);
  });

  it('names the pod the scheduler turned away as the slowest, for its scheduling wait', () => {
    expect(report.slowest[0]).toBe(meta.slowPod);
    const slow = report.pods.find((p) => p.name === meta.slowPod);
    expect(slow?.reason?.cause).toMatch(/^(scheduling-wait|insufficient-cpu|scheduling-failed)$/);
    expect(slow?.sloStartupMs).toBeUndefined();
    expect(slow?.phases.schedule ?? 0).toBeGreaterThan(1000);
  });
});
