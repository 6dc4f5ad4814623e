// One pod's trace folded into its row of the rollout report: how long each phase of its birth took,
// its startup as the pod-startup SLO counts it, and its outcome. Pure: the trace in, numbers out.
//
// Phases are read from the waterfall rows (timeline/phases.ts), so the rollout and a single trace's
// timeline never disagree:
//   schedule  created → bound to a node (the scheduling row)
//   sandbox   bound → RunPodSandbox done (includes the kubelet noticing the pod, so the phases chain)
//   pull      the image pulls, overlapping pulls counted once (0 when every image was present)
//   create    CreateContainer of every container, summed (init containers and sidecars included)
//   start     StartContainer of every container, summed
//   ready     the last app container started → Ready (readiness probes, readiness gates); absent for
//             a pod that completed without being Ready
// A phase that has not finished (or that the pod skipped) is absent, never 0.

import type { Trace } from '../model.js';
import { diffMs, toMs, type Instant } from '../time.js';
import { timelineOrigin, timelinePhases, timelineSpanMs, type PhaseRow } from '../timeline/phases.js';
import { startupSlo } from '../timeline/slo.js';
import type { RolloutOutcome, RolloutPhase, RolloutPod } from './report.js';

type Interval = readonly [number, number];

/** Total length of the union of intervals (overlaps counted once). */
function unionMs(xs: readonly Interval[]): number {
  const sorted = [...xs].filter(([a, b]) => b >= a).sort((p, q) => p[0] - q[0]);
  let total = 0;
  let cur: [number, number] | null = null;
  for (const [a, b] of sorted) {
    if (cur && a <= cur[1]) cur[1] = Math.max(cur[1], b);
    else {
      if (cur) total += cur[1] - cur[0];
      cur = [a, b];
    }
  }
  return cur ? total + cur[1] - cur[0] : total;
}

/** Rounded to 0.1 ms: runtime logs give nanoseconds, nobody reads them in a rollout table. */
function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

export interface PodFoldOptions {
  /** The pod was deleted while traced (a rollout replaced it, a scale-down). */
  readonly deleted?: boolean;
}

function outcomeOf(trace: Trace, deleted: boolean): RolloutOutcome {
  if (deleted) return 'deleted';
  switch (trace.phase) {
    case 'ready':
      return 'ready';
    case 'succeeded':
      return 'succeeded';
    case 'failed':
      return 'failed';
    case 'pending':
      return 'pending';
    default:
      return 'running';
  }
}

export function foldPod(trace: Trace, options: PodFoldOptions = {}): RolloutPod {
  const rows = timelinePhases(trace);
  const origin = timelineOrigin(trace);
  const off = (i: Instant | null): number | null => (i && origin ? diffMs(origin, i) : null);
  const phases: Partial<Record<RolloutPhase, number>> = {};
  const spans: Partial<Record<RolloutPhase, readonly [number, number]>> = {};
  const put = (p: RolloutPhase, span: Interval | null, ms?: number): void => {
    if (!span) return;
    spans[p] = [round(span[0]), round(span[1])];
    phases[p] = round(Math.max(0, ms ?? span[1] - span[0]));
  };
  const row = (id: string): PhaseRow | undefined => rows.find((r) => r.id === id);
  const doneSpan = (r: PhaseRow | undefined, from?: number | null): Interval | null => {
    if (!r || r.status !== 'done') return null;
    const end = off(r.end ?? r.start);
    const start = from ?? off(r.start);
    return start === null || end === null ? null : [start, Math.max(start, end)];
  };

  const sched = doneSpan(row('scheduling'), 0);
  put('schedule', sched);
  put('sandbox', doneSpan(row('sandbox'), sched ? sched[1] : null));

  const ephemeral = new Set(trace.containers.filter((c) => c.ephemeral).map((c) => c.name));
  const own = rows.filter((r) => r.container !== null && !ephemeral.has(r.container));
  const spansOf = (kinds: readonly PhaseRow['kind'][]): Interval[] =>
    own
      .filter((r) => kinds.includes(r.kind))
      .map((r) => doneSpan(r))
      .filter((i): i is Interval => i !== null);
  // A container still waiting for its image (or its create, its start) leaves the phase unfinished.
  const allDone = (kinds: readonly PhaseRow['kind'][]): boolean => {
    const rs = own.filter((r) => kinds.includes(r.kind));
    return rs.length > 0 && rs.every((r) => r.status === 'done');
  };
  const hull = (xs: readonly Interval[]): Interval | null =>
    xs.length === 0 ? null : [Math.min(...xs.map((x) => x[0])), Math.max(...xs.map((x) => x[1]))];
  const images = ['image-pull', 'image-present'] as const;
  if (allDone([...images])) {
    const pulls = spansOf(['image-pull']);
    put('pull', hull(spansOf([...images])), unionMs(pulls));
  }
  for (const [phase, kind] of [
    ['create', 'container-create'],
    ['start', 'container-start'],
  ] as const) {
    if (!allDone([kind])) continue;
    const xs = spansOf([kind]);
    put(
      phase,
      hull(xs),
      xs.reduce((a, x) => a + x[1] - x[0], 0),
    );
  }
  // A pod that ran to completion without ever being Ready (a Job's quick container) skipped the
  // phase: its readiness row is done but has no end, which would read as a 0 ms ready.
  const readiness = row('readiness');
  if (readiness?.end) put('ready', doneSpan(readiness));

  const slo = startupSlo(trace, rows);
  const deleted = options.deleted === true;
  const outcome = outcomeOf(trace, deleted);
  const span = timelineSpanMs(rows);
  const diagnosis = trace.diagnosis[0] ? { cause: trace.diagnosis[0].cause, text: trace.diagnosis[0].message } : null;
  // A pod that became Ready got past what its diagnosis names: that is context, not its reason.
  const done = outcome === 'ready' || outcome === 'succeeded';
  const probeFailures = trace.steps
    .filter((st) => st.kind === 'probe-failed')
    .reduce((a, st) => a + Math.max(1, st.count), 0);
  return {
    name: trace.pod.name ?? '',
    uid: trace.pod.uid ?? '',
    ...(trace.pod.node ? { node: trace.pod.node } : {}),
    phases,
    spans,
    ...(slo.measuredMs !== null && slo.verdict !== 'not-applicable' ? { sloStartupMs: round(slo.measuredMs) } : {}),
    ...(origin && span > 0 ? { totalMs: round(span) } : {}),
    outcome,
    ...(probeFailures > 0 ? { probeFailures } : {}),
    ...(origin ? { createdAtMs: Math.round(toMs(origin)) } : {}),
    ...(diagnosis ? (done ? { recovered: diagnosis } : { reason: diagnosis }) : {}),
  };
}
