// The waterfall rows of real recorded pod births (test/fixtures/recorded), checked against the times of
// the very steps they are built from, and for traces cut short while the pod was still being born.

import { describe, expect, it } from 'vitest';
import type { Step, Trace } from '../../../src/core/model.js';
import { diffMs, type Instant } from '../../../src/core/time.js';
import {
  POD_GROUP,
  timelineOrigin,
  timelinePhases,
  timelineSpanMs,
  type PhaseRow,
} from '../../../src/core/timeline/index.js';
import { recordedTrace, recording, traceAt } from './recorded-traces.js';

const SCENARIOS = [
  'fresh-pull',
  'image-present',
  'missing-image',
  'unschedulable-memory',
  'init-container',
  'crash-loop',
  'deployment-3',
] as const;

function step(t: Trace, id: string): Step {
  const s = t.steps.find((x) => x.id === id);
  if (!s) throw new Error(`no step ${id} in ${t.steps.map((x) => x.id).join(', ')}`);
  return s;
}

function row(rows: readonly PhaseRow[], id: string): PhaseRow {
  const r = rows.find((x) => x.id === id);
  if (!r) throw new Error(`no row ${id} in ${rows.map((x) => x.id).join(', ')}`);
  return r;
}

const ms = (a: Instant | null, b: Instant | null): number => diffMs(a as Instant, b as Instant);

describe('timelinePhases on recorded births', () => {
  it.each(SCENARIOS)('%s: rows are well-formed', (scenario) => {
    for (const pod of recording(scenario).pods) {
      const t = recordedTrace(scenario, { pod });
      const rows = timelinePhases(t);
      const origin = timelineOrigin(t);
      expect(new Set(rows.map((r) => r.id)).size, pod).toBe(rows.length);
      expect(rows[0]?.id).toBe('scheduling');
      expect(rows[1]?.id).toBe('sandbox');
      expect(rows[rows.length - 1]?.id).toBe('readiness');
      for (const r of rows) {
        if (r.status === 'waiting')
          expect([r.start, r.end, r.offsetMs, r.durationMs], r.id).toEqual([null, null, null, null]);
        if (r.status === 'running')
          expect(r.start !== null && r.end === null && r.durationMs === null, r.id).toBe(true);
        if (r.start && r.end) {
          expect(r.end.key >= r.start.key, r.id).toBe(true);
          expect(r.durationMs).toBeCloseTo(ms(r.start, r.end), 6);
        }
        if (r.start && origin) expect(r.offsetMs).toBeCloseTo(ms(origin, r.start), 6);
        expect(r.message === null).toBe(r.status !== 'failed');
        expect(r.group).toBe(r.container ?? POD_GROUP);
        for (const id of r.stepIds)
          expect(
            t.steps.some((s) => s.id === id),
            `${r.id} → ${id}`,
          ).toBe(true);
      }
    }
  });

  it('fresh-pull: every phase done, each row timed by its own steps', () => {
    const t = recordedTrace('fresh-pull');
    const rows = timelinePhases(t);
    expect(rows.map((r) => r.id)).toEqual([
      'scheduling',
      'sandbox',
      'image-pull:main',
      'container-create:main',
      'container-start:main',
      'readiness',
    ]);
    expect(rows.map((r) => r.status)).toEqual(['done', 'done', 'done', 'done', 'done', 'done']);
    const origin = step(t, 'created').start;
    expect(timelineOrigin(t)).toEqual(origin);
    expect(origin?.key).toBe('2026-11-23T09:58:44.705000000Z');

    const pull = step(t, 'image-pull:main');
    const r = row(rows, 'image-pull:main');
    expect(r.label).toBe('PullImage');
    expect(r.kind).toBe('image-pull');
    expect(r.group).toBe('main');
    expect(r.precision).toBe('ns');
    expect(r.stepIds).toEqual(['image-pull:main']);
    expect(r.durationMs).toBeCloseTo(ms(pull.start, pull.end), 9);
    expect(r.durationMs).toBeCloseTo(13.630639, 5); // containerd's PullImage lines, 45.109920294 → 45.123550933
    expect(r.offsetMs).toBeCloseTo(404.920294, 5);

    // The sandbox row runs from the kubelet's admission to RunPodSandbox's end.
    expect(row(rows, 'sandbox').start).toEqual(step(t, 'kubelet-accepted').start);
    expect(row(rows, 'sandbox').end).toEqual(step(t, 'sandbox-created').end);
    // Readiness: from the container started (StartContainer returned) to Ready observed by the watch.
    const ready = row(rows, 'readiness');
    expect(ready.start).toEqual(step(t, 'container-started:main').end);
    expect(ready.end).toEqual(step(t, 'ready').end);
    expect(ready.durationMs).toBeCloseTo(841.497501, 5);
    expect(timelineSpanMs(rows)).toBeCloseTo(ms(origin ?? null, step(t, 'ready').end), 6);
    expect(timelineSpanMs(rows, 60_000)).toBe(60_000);
  });

  it('image-present: a zero-width "already present" row between the sandbox and CreateContainer, no pull', () => {
    const t = recordedTrace('image-present');
    const rows = timelinePhases(t);
    expect(rows.some((r) => r.kind === 'image-pull')).toBe(false);
    const img = row(rows, 'image-present:main');
    expect(img.label).toBe('image already present');
    expect(img.durationMs).toBe(0);
    expect(img.status).toBe('done');
    // The event says 09:59:07 (whole seconds); the sandbox ended at 07.107527958, CreateContainer began at 07.113750461.
    expect(img.start).toEqual(step(t, 'sandbox-created').end);
    expect(img.start!.key <= step(t, 'container-created:main').start!.key).toBe(true);
    expect(row(rows, 'container-create:main').durationMs).toBeCloseTo(8.893854, 5);
  });

  it('missing-image: a failed pull that stretches through the back-off, then nothing', () => {
    const t = recordedTrace('missing-image');
    const rows = timelinePhases(t);
    const img = row(rows, 'image-pull:main');
    const failed = step(t, 'image-pull-failed:main');
    expect(img.status).toBe('failed');
    expect(img.label).toBe('PullImage failed');
    expect(img.message).toBe(failed.message);
    expect(img.message).toContain('busybox:does-not-exist');
    expect(img.count).toBe(2);
    expect(img.start).toEqual(failed.start);
    expect(img.end).toEqual(step(t, 'back-off:main').end);
    expect(img.stepIds).toEqual(['image-pull-failed:main', 'back-off:main']);
    for (const id of ['container-create:main', 'container-start:main', 'readiness'])
      expect(row(rows, id).status, id).toBe('waiting');
  });

  it("unschedulable-memory: the scheduling row fails with the scheduler's words; nothing after it starts", () => {
    const t = recordedTrace('unschedulable-memory');
    const rows = timelinePhases(t);
    const s = row(rows, 'scheduling');
    expect(s.status).toBe('failed');
    expect(s.label).toBe('scheduling failed');
    expect(s.message).toBe(step(t, 'scheduling-failed').message);
    expect(s.message).toMatch(/^0\/1 nodes are available: 1 Insufficient memory\./);
    expect(s.offsetMs).toBe(0);
    expect(rows.slice(1).every((r) => r.status === 'waiting')).toBe(true);
  });

  it("init-container: the init container's rows come first and its run lasts until the app container begins", () => {
    const t = recordedTrace('init-container');
    const rows = timelinePhases(t);
    expect(rows.map((r) => r.id)).toEqual([
      'scheduling',
      'sandbox',
      'image-pull:init/init',
      'container-create:init/init',
      'container-start:init/init',
      'init-run:init/init',
      'image-pull:main',
      'container-create:main',
      'container-start:main',
      'readiness',
    ]);
    expect(rows.filter((r) => r.init).map((r) => r.group)).toEqual(['init', 'init', 'init', 'init']);
    const run = row(rows, 'init-run:init/init');
    expect(run.start).toEqual(step(t, 'container-started:init/init').end);
    expect(run.end).toEqual(step(t, 'image-pull:main').start);
    expect(run.durationMs).toBeCloseTo(2667.333714, 5); // busybox `sleep 2` plus the kubelet noticing the exit
    expect(run.stepIds).toEqual(['container-started:init/init', 'initialized']);
    // Offsets grow along the chain.
    const offsets = rows.slice(2, -1).map((r) => r.offsetMs ?? Number.NaN);
    expect([...offsets].sort((a, b) => a - b)).toEqual(offsets);
  });

  it('crash-loop: started once (the start row is attempt 0), then a failed crash/restart row and a failed readiness', () => {
    const t = recordedTrace('crash-loop');
    const rows = timelinePhases(t);
    expect(row(rows, 'container-start:main').stepIds).toEqual(['container-started:main']);
    expect(row(rows, 'container-start:main').status).toBe('done');
    const restarts = row(rows, 'restarts:main');
    expect(restarts.status).toBe('failed');
    expect(restarts.count).toBe(2);
    expect(restarts.message).toBe('exit code 3 (Error)');
    expect(restarts.stepIds).toContain('container-failed:main#2');
    expect(restarts.stepIds).toContain('back-off:main');
    const ready = row(rows, 'readiness');
    expect(ready.status).toBe('failed');
    expect(ready.start).toEqual(step(t, 'container-started:main').end);
    expect(ready.message).toBe('exit code 3 (Error)');
  });

  it('deployment-3: a transient volume failure is part of the sandbox row, which still succeeds', () => {
    for (const pod of recording('deployment-3').pods) {
      const t = recordedTrace('deployment-3', { pod });
      const sandbox = row(timelinePhases(t), 'sandbox');
      expect(sandbox.status, pod).toBe('done');
      if (t.steps.some((s) => s.kind === 'volume-failed')) expect(sandbox.stepIds).toContain('volume-failed');
    }
  });
});

describe('timelinePhases on a birth still in progress (recordings cut short)', () => {
  it("fresh-pull before the sandbox exists: the sandbox row runs from the kubelet's admission", () => {
    const t = traceAt('fresh-pull', '2026-11-23T09:58:44.900000000Z');
    const rows = timelinePhases(t);
    const sb = row(rows, 'sandbox');
    expect(sb.status).toBe('running');
    expect(sb.end).toBeNull();
    expect(sb.start).toEqual(step(t, 'kubelet-accepted').start);
    expect(rows.slice(2).map((r) => r.status)).toEqual(['waiting', 'waiting', 'waiting', 'waiting']);
  });

  it('fresh-pull during PullImage: the pull row runs with a null end', () => {
    const t = traceAt('fresh-pull', '2026-11-23T09:58:45.115000000Z');
    expect(step(t, 'image-pull:main').status).toBe('in-progress');
    const rows = timelinePhases(t);
    const pull = row(rows, 'image-pull:main');
    expect(pull.status).toBe('running');
    expect([pull.end, pull.durationMs]).toEqual([null, null]);
    expect(pull.offsetMs).toBeCloseTo(404.920294, 5);
    expect(row(rows, 'container-create:main').status).toBe('waiting');
    expect(row(rows, 'sandbox').status).toBe('done');
  });

  it('fresh-pull after the start, before Ready: readiness runs from the container start', () => {
    const t = traceAt('fresh-pull', '2026-11-23T09:58:45.300000000Z');
    const ready = row(timelinePhases(t), 'readiness');
    expect(ready.status).toBe('running');
    expect(ready.start).toEqual(step(t, 'container-started:main').end);
  });

  it('init-container while the init container sleeps: its run row is running, the app container waits', () => {
    const t = traceAt('init-container', '2026-11-23T10:00:22.000000000Z');
    const rows = timelinePhases(t);
    expect(row(rows, 'init-run:init/init').status).toBe('running');
    expect(row(rows, 'init-run:init/init').start).toEqual(step(t, 'container-started:init/init').end);
    expect(row(rows, 'image-pull:main').status).toBe('waiting');
  });

  it('unschedulable-memory right after the creation: scheduling runs', () => {
    const t = traceAt('unschedulable-memory', '2026-11-23T10:00:02.499000000Z');
    const s = row(timelinePhases(t), 'scheduling');
    expect(s.status).toBe('running');
    expect(s.start).toEqual(step(t, 'created').start);
  });
});

describe('timelinePhases on malformed input', () => {
  it('never throws and gives waiting rows', () => {
    for (const bad of [
      {},
      { steps: null },
      { steps: [null, 3, { kind: 'created', start: 'x' }] },
      { steps: [], containers: [{ name: 7 }] },
    ]) {
      const rows = timelinePhases(bad as unknown as Trace);
      expect(rows.map((r) => r.id)).toEqual(['scheduling', 'sandbox', 'readiness']);
      expect(rows.every((r) => r.offsetMs === null)).toBe(true);
    }
  });

  it('keeps hostile container names as data', () => {
    const t = recordedTrace('image-present');
    const evil = '<img src=x onerror=alert(1)>';
    const renamed: Trace = {
      ...t,
      containers: t.containers.map((c) => ({ ...c, name: evil })),
      steps: t.steps.map((s) => (s.container ? { ...s, container: evil } : s)),
    };
    const rows = timelinePhases(renamed);
    expect(rows.filter((r) => r.group === evil).map((r) => r.kind)).toEqual([
      'image-present',
      'container-create',
      'container-start',
    ]);
    expect(row(rows, `container-start:${evil}`).status).toBe('done');
  });
});
