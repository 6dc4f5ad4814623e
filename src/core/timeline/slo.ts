// One pod's startup against the Kubernetes pod-startup latency SLO.
//
// The SLI/SLO (kubernetes/community, sig-scalability/slos/pod_startup_latency.md, status Official):
//   "Startup latency of stateless and schedulable pods, excluding time to pull images and run init
//    containers, measured from pod creation timestamp to when all its containers are reported as
//    started and observed via watch, measured as 99th percentile over last 5 minutes"
//   SLO: "In default Kubernetes installation, 99th percentile per cluster-day <= 5s".
// Notes there: only schedulable pods count (no room in the cluster is the autoscaler's problem); all
// containers must have started at least once (not necessarily still be running); readiness is not
// part of it. The kubelet measures the same thing as `podStartSLOduration`
// (pkg/kubelet/util/pod_startup_latency_tracker.go).
//
// What this file measures, from the trace's own evidence:
//   from    the `created` step (when the apiserver stored the pod; refined by our watch when it saw it)
//   to      the end of the first StartContainer of the last app container to start (the runtime's time:
//           the watch observation of that status is not a step of the trace)
//   minus   image pulls (PullImage start → end of successful pulls, overlapping pulls counted once)
//   minus   init containers running (StartContainer end → the next container's first step; this also
//           leaves out the kubelet's delay in noticing the exit, which we cannot separate)
// A single pod is one sample of a 99th-percentile objective: "within" means this pod would not push the
// percentile over 5 s, not that the cluster meets the SLO. Whether the pod is stateless is not in the
// trace, so it is not checked.

import type { Trace } from '../model.js';
import { diffMs, formatDuration, type Instant } from '../time.js';
import { timelinePhases, type PhaseRow } from './phases.js';

/** The objective: 5 s (99th percentile per cluster-day). */
export const POD_STARTUP_SLO_MS = 5000;

export type SloVerdict = 'within' | 'over' | 'pending' | 'not-applicable';

export interface StartupSlo {
  readonly budgetMs: typeof POD_STARTUP_SLO_MS;
  /** Startup latency as the SLI counts it, or null until every app container has started (or when it cannot be known). */
  readonly measuredMs: number | null;
  /** Creation to the last app container started, before the exclusions; null until known. */
  readonly totalMs: number | null;
  /** Image pull time excluded (inside the measured window once it is known, else all pulls so far). */
  readonly pullMs: number;
  /** Init container run time excluded (not counting pull time already excluded). */
  readonly initMs: number;
  readonly verdict: SloVerdict;
  /** One or two plain sentences for people. */
  readonly explanation: string;
}

type Interval = readonly [number, number];

/** Total length of the union of intervals, clipped to `clip` when given. */
function unionMs(intervals: readonly Interval[], clip: Interval | null): number {
  const xs = intervals
    .map(([a, b]): Interval => (clip ? [Math.max(a, clip[0]), Math.min(b, clip[1])] : [a, b]))
    .filter(([a, b]) => Number.isFinite(a) && Number.isFinite(b) && b > a)
    .sort((p, q) => p[0] - q[0]);
  let total = 0;
  let cur: [number, number] | null = null;
  for (const [a, b] of xs) {
    if (cur && a <= cur[1]) cur[1] = Math.max(cur[1], b);
    else {
      if (cur) total += cur[1] - cur[0];
      cur = [a, b];
    }
  }
  if (cur) total += cur[1] - cur[0];
  return total;
}

function intervalOf(r: PhaseRow, origin: Instant): Interval | null {
  if (!r.start || !r.end) return null;
  return [diffMs(origin, r.start), diffMs(origin, r.end)];
}

function fmt(ms: number): string {
  return formatDuration(ms);
}

/** The pod-startup SLO verdict of a trace (rows: pass timelinePhases(trace) if already computed). Never throws. */
export function startupSlo(trace: Trace, rows: readonly PhaseRow[] = timelinePhases(trace)): StartupSlo {
  const base = { budgetMs: POD_STARTUP_SLO_MS } as const;
  const steps = Array.isArray(trace?.steps) ? trace.steps : [];
  const createdStep = steps.find((s) => s?.kind === 'created');
  const created = createdStep ? (createdStep.start ?? createdStep.end) : null;
  const unschedulable = steps.some((s) => s?.kind === 'scheduling-failed');
  // Ephemeral containers (kubectl debug) join later: the SLI counts the pod's own containers.
  const ephemeral = new Set(
    (Array.isArray(trace?.containers) ? trace.containers : []).filter((c) => c?.ephemeral).map((c) => c.name),
  );
  const appStarts = rows.filter((r) => r.kind === 'container-start' && !r.init && !ephemeral.has(r.container ?? ''));
  const allStarted = appStarts.length > 0 && appStarts.every((r) => r.status === 'done' && r.end !== null);
  const lastStart = allStarted
    ? appStarts.map((r) => r.end as Instant).reduce((a, b) => (b.key > a.key ? b : a))
    : null;

  const anchor = created ?? rows.find((r) => r.start)?.start ?? null;
  const intervals = (kind: PhaseRow['kind']): Interval[] =>
    anchor
      ? rows
          .filter((r) => r.kind === kind && r.status === 'done')
          .map((r) => intervalOf(r, anchor))
          .filter((i): i is Interval => i !== null)
      : [];
  const pulls = intervals('image-pull');
  const inits = intervals('init-run');
  const pulled = (clip: Interval | null): number => unionMs(pulls, clip);
  const excluded = (clip: Interval | null): number => unionMs([...pulls, ...inits], clip);

  let measured: { total: number; pull: number; init: number; value: number } | null = null;
  const total = created && lastStart ? diffMs(created, lastStart) : Number.NaN;
  if (Number.isFinite(total)) {
    const window: Interval = [0, Math.max(0, total)];
    const pull = pulled(window);
    const both = excluded(window);
    measured = { total, pull, init: both - pull, value: Math.max(0, total - both) };
  }
  const pullMs = measured ? measured.pull : pulled(null);
  const initMs = measured ? measured.init : Math.max(0, excluded(null) - pulled(null));

  const coarse = [createdStep?.precision, lastStart?.precision].includes('s')
    ? ' Times known to the second only: ±1 s.'
    : '';
  const parts = (m: { pull: number; init: number }): string => {
    const p = [
      m.pull > 0 ? `${fmt(m.pull)} image pull` : '',
      m.init > 0 ? `${fmt(m.init)} init containers` : '',
    ].filter(Boolean);
    return p.length > 0 ? `, minus ${p.join(' and ')}` : '';
  };

  if (unschedulable) {
    return {
      ...base,
      measuredMs: measured?.value ?? null,
      totalMs: measured?.total ?? null,
      pullMs,
      initMs,
      verdict: 'not-applicable',
      explanation:
        'Not counted: the pod-startup SLO covers only pods that schedule at once, and the scheduler found no room for this one at first (scheduling failed).' +
        (measured ? ` For reference it started in ${fmt(measured.value)} by the SLO's measure.` : ''),
    };
  }
  if (measured) {
    const within = measured.value <= POD_STARTUP_SLO_MS;
    return {
      ...base,
      measuredMs: measured.value,
      totalMs: measured.total,
      pullMs,
      initMs,
      verdict: within ? 'within' : 'over',
      explanation:
        `Started in ${fmt(measured.value)} as the SLO counts it: ${fmt(measured.total)} from creation to the last container started${parts(measured)}. ` +
        `${within ? 'Within' : 'Over'} the 5 s Kubernetes pod-startup SLO (99th percentile).${coarse}`,
    };
  }
  if (allStarted && !created) {
    return {
      ...base,
      measuredMs: null,
      totalMs: null,
      pullMs,
      initMs,
      verdict: 'not-applicable',
      explanation: "Not measurable: the pod's creation time is not in the trace (attached long after it was created).",
    };
  }
  const failedRow = rows.find((r) => r.status === 'failed' && r.kind !== 'readiness' && r.kind !== 'restarts');
  if (failedRow || trace?.phase === 'failed' || trace?.phase === 'succeeded') {
    return {
      ...base,
      measuredMs: null,
      totalMs: null,
      pullMs,
      initMs,
      verdict: 'not-applicable',
      explanation: `Not counted: the pod never started all its containers${failedRow ? ` (${/failed$/.test(failedRow.label) ? failedRow.label : `${failedRow.label} failed`})` : ''}, so there is no startup latency to compare with the 5 s SLO.`,
    };
  }
  return {
    ...base,
    measuredMs: null,
    totalMs: null,
    pullMs,
    initMs,
    verdict: 'pending',
    explanation: 'Not all containers have started yet: the startup latency is not known.',
  };
}
