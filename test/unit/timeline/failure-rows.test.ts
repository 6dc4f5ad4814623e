// The waterfall of the recorded failure cases: a native sidecar runs alongside (not "to completion"),
// gates hold scheduling, a readiness gate keeps the readiness row open, and a pod stopped from outside
// (deadline, eviction, preemption) fails its readiness row with why. Ephemeral containers stay outside
// the birth.

import { describe, expect, it } from 'vitest';
import type { Trace } from '../../../src/core/model.js';
import { startupSlo } from '../../../src/core/timeline/slo.js';
import { timelinePhases, type PhaseRow } from '../../../src/core/timeline/index.js';
import { recordedTrace } from '../../support/recorded.js';

function row(rows: readonly PhaseRow[], id: string): PhaseRow {
  const r = rows.find((x) => x.id === id);
  if (!r) throw new Error(`no row ${id} in ${rows.map((x) => x.id).join(', ')}`);
  return r;
}

describe('failure cases in the waterfall', () => {
  it('a native sidecar runs alongside the app container, which starts once the sidecar has started', () => {
    const t = recordedTrace('native-sidecar');
    const rows = timelinePhases(t);
    expect(rows.some((r) => r.id === 'init-run:init/sidecar')).toBe(false);
    const run = row(rows, 'sidecar-run:init/sidecar');
    expect(run).toMatchObject({ status: 'running', label: 'runs alongside', end: null });
    const appCreate = row(rows, 'container-create:main');
    expect(appCreate.start!.key >= run.start!.key).toBe(true);
    // The sidecar's running time is not init-container time the SLO would leave out.
    expect(startupSlo(t, rows).initMs).toBe(0);
  });

  it('a sidecar that keeps exiting: its restarts are counted in a restarts row', () => {
    const rows = timelinePhases(recordedTrace('native-sidecar-restart'));
    expect(row(rows, 'restarts:init/sidecar').count).toBe(2);
  });

  it('scheduling held by a gate until it was removed', () => {
    const t = recordedTrace('scheduling-gated');
    const sched = row(timelinePhases(t), 'scheduling');
    expect(sched.status).toBe('done');
    expect(sched.stepIds).toContain('scheduling-gated');
    expect(sched.durationMs!).toBeGreaterThan(3000);
  });

  it('a readiness gate keeps "until Ready" running although every container is ready', () => {
    const r = row(timelinePhases(recordedTrace('readiness-gate')), 'readiness');
    expect(r.status).toBe('running');
  });

  it.each([
    ['deadline-exceeded', 'deadline-exceeded', /longer than the specified deadline/],
    ['evicted-ephemeral-storage', 'evicted', /ephemeral local storage/],
  ])('%s: the readiness row fails with why', (scenario, stepId, message) => {
    const r = row(timelinePhases(recordedTrace(scenario)), 'readiness');
    expect(r.status).toBe('failed');
    expect(r.stepIds).toContain(stepId);
    expect(r.message).toMatch(message);
  });

  it('an ephemeral container is not an app container: readiness and the SLO do not wait for it', () => {
    const t = recordedTrace('image-present');
    const start = t.steps.find((s) => s.kind === 'container-started')!;
    const debug: Trace = {
      ...t,
      containers: [...t.containers, { name: 'debugger', init: false, image: 'busybox:1.36', ephemeral: true }],
      // Pulled, never started yet: an app container in that state would hold readiness and the SLO.
      steps: [
        ...t.steps,
        { ...start, id: 'image-present:debugger', kind: 'image-present', container: 'debugger', yamlPath: null },
      ],
    };
    const rows = timelinePhases(debug);
    expect(row(rows, 'readiness').status).toBe(row(timelinePhases(t), 'readiness').status);
    expect(startupSlo(debug, rows).measuredMs).toBe(startupSlo(t).measuredMs);
    // Its rows come after the app container's.
    expect(rows.findIndex((r) => r.container === 'debugger')).toBeGreaterThan(
      rows.findIndex((r) => r.id === 'container-start:main'),
    );
  });
});
