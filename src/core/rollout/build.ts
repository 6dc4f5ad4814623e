// The rollout report from its pods' rows: percentiles of every phase, of the SLO's startup time and of
// the whole birth; the SLO verdict; the slowest pods and why each was slow.
//
// Why a pod was slow: a diagnosis of its own trace when it has one (a failed pull, a probe failing,
// no room to schedule); otherwise the phase where it lost the most time against the rollout's median
// pod — a pull while most pods found the image on their node is a cold node, a long scheduling phase
// a scheduling wait, a long readiness phase a readiness probe.

import { POD_STARTUP_SLO_MS } from '../timeline/slo.js';
import { formatDuration as fmt } from '../time.js';
import { phaseStats } from './percentiles.js';
import {
  ROLLOUT_PHASES,
  type PhaseStats,
  type RolloutApiCost,
  type RolloutMetric,
  type RolloutPhase,
  type RolloutPod,
  type RolloutReport,
  type RolloutWorkload,
} from './report.js';

/** How many of the slowest pods the report names. */
export const SLOWEST_COUNT = 5;

/** Causes of slowness that are not failures (the diagnosis vocabulary names the failures). */
export type SlowCause =
  | 'scheduling-wait'
  | 'slow-sandbox'
  | 'cold-pull'
  | 'slow-pull'
  | 'slow-create'
  | 'slow-start'
  | 'readiness-probe'
  | 'slow-ready';

export interface BuildOptions {
  readonly live: boolean;
  readonly api?: RolloutApiCost;
}

function metricValue(p: RolloutPod, m: RolloutMetric): number | undefined {
  if (m === 'sloStartup') return p.sloStartupMs;
  if (m === 'total') return p.totalMs;
  return p.phases[m];
}

/** The phase where this pod lost the most time against the median pod, with the reason's words. */
export function slowReason(
  pod: RolloutPod,
  percentiles: Partial<Record<RolloutMetric, PhaseStats>>,
): { cause: SlowCause; text: string } | null {
  let best: { phase: RolloutPhase; excess: number } | null = null;
  for (const phase of ROLLOUT_PHASES) {
    const v = pod.phases[phase];
    const median = percentiles[phase]?.p50;
    if (v === undefined || median === undefined) continue;
    const excess = v - median;
    if (excess > 0 && (!best || excess > best.excess)) best = { phase, excess };
  }
  // Under 50 ms nothing stands out: every pod is about as fast (or the pod has not got far).
  if (!best || best.excess < 50) return null;
  const r = phaseReason(pod, best.phase, percentiles);
  // What held the pod up before it got past it (the scheduler's "Insufficient cpu") says why.
  return pod.recovered ? { ...r, text: `${r.text} Before that: ${pod.recovered.text}` } : r;
}

function phaseReason(
  pod: RolloutPod,
  phase: RolloutPhase,
  percentiles: Partial<Record<RolloutMetric, PhaseStats>>,
): { cause: SlowCause; text: string } {
  const v = pod.phases[phase] as number;
  const median = percentiles[phase]?.p50 ?? 0;
  const node = pod.node ? ` on node ${pod.node}` : '';
  const vs = `(median pod: ${formatDuration(median)})`;
  switch (phase) {
    case 'schedule':
      return { cause: 'scheduling-wait', text: `Waited ${formatDuration(v)} to be scheduled ${vs}.` };
    case 'sandbox':
      return { cause: 'slow-sandbox', text: `Its pod sandbox took ${formatDuration(v)}${node} ${vs}.` };
    case 'pull':
      return median < 50
        ? {
            cause: 'cold-pull',
            text: `Pulled its image for ${formatDuration(v)}${node}, where most pods found it present: a cold node ${vs}.`,
          }
        : { cause: 'slow-pull', text: `Its image pull took ${formatDuration(v)}${node} ${vs}.` };
    case 'create':
      return { cause: 'slow-create', text: `CreateContainer took ${formatDuration(v)}${node} ${vs}.` };
    case 'start':
      return { cause: 'slow-start', text: `StartContainer took ${formatDuration(v)}${node} ${vs}.` };
    case 'ready':
      // Without a failed probe check the wait is the kubelet's (probe period, status update), not a probe's verdict.
      return pod.probeFailures
        ? {
            cause: 'readiness-probe',
            text: `Ready ${formatDuration(v)} after its containers started: its readiness probe failed ${pod.probeFailures}× first ${vs}.`,
          }
        : {
            cause: 'slow-ready',
            text: `Ready ${formatDuration(v)} after its containers started (the kubelet's readiness check and status update) ${vs}.`,
          };
  }
}

/** 0 reads as 0ms, not 0µs. */
function formatDuration(ms: number): string {
  return ms === 0 ? '0ms' : fmt(ms);
}

const METRICS: readonly RolloutMetric[] = [...ROLLOUT_PHASES, 'sloStartup', 'total'];

export function buildRolloutReport(
  workload: RolloutWorkload,
  pods: readonly RolloutPod[],
  options: BuildOptions,
): RolloutReport {
  const percentiles: Partial<Record<RolloutMetric, PhaseStats>> = {};
  for (const m of METRICS) {
    const s = phaseStats(pods.map((p) => metricValue(p, m)).filter((v): v is number => v !== undefined));
    if (s) percentiles[m] = s;
  }
  const slowest = pods
    .filter((p) => p.totalMs !== undefined)
    .sort((a, b) => (b.totalMs as number) - (a.totalMs as number) || a.name.localeCompare(b.name))
    .slice(0, SLOWEST_COUNT)
    .map((p) => p.name);
  const named = new Set(slowest);
  const withReasons = pods
    .map((p) =>
      p.reason || !(named.has(p.name) || (p.sloStartupMs ?? 0) > POD_STARTUP_SLO_MS)
        ? p
        : { ...p, ...withReason(slowReason(p, percentiles)) },
    )
    .sort((a, b) => (a.createdAtMs ?? Infinity) - (b.createdAtMs ?? Infinity) || a.name.localeCompare(b.name));
  const p99 = percentiles.sloStartup?.p99 ?? null;
  return {
    workload,
    pods: withReasons,
    percentiles,
    slo: { thresholdMs: POD_STARTUP_SLO_MS, p99Ms: p99, met: p99 === null ? null : p99 <= POD_STARTUP_SLO_MS },
    slowest,
    live: options.live,
    ...(options.api ? { api: options.api } : {}),
  };
}

function withReason(r: { cause: string; text: string } | null): Partial<RolloutPod> {
  return r ? { reason: r } : {};
}
