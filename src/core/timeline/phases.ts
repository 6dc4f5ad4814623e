// The side-panel waterfall: a trace's steps folded into one row per phase of the pod's birth.
//
//   scheduling   created → bound to a node (or failing with scheduling-failed)
//   sandbox      kubelet admits the pod → RunPodSandbox done
//   per container, init containers first (in trace.containers order):
//     image pull (or "image already present", zero width) → CreateContainer → StartContainer
//     init containers only: runs to completion (started → the next container's first step / Initialized)
//     native sidecars (init, restartPolicy Always): runs alongside (started → still running)
//     ephemeral containers (kubectl debug) last, outside the birth: readiness does not wait for them
//     when the container crashed or restarted: one "crash, restart" row
//   readiness    all app containers started → Ready (or ContainersReady)
//
// Rows are derived from the steps only (no clock): a phase whose predecessor is done but that has no
// evidence of its own yet is `running` with a null end, and the webview extends it with its own clock
// while the trace is live. Pure: no vscode, no DOM, no Node built-ins.
//
// The row model and its helpers are in rows.ts, the pod-level rows in pod-rows.ts, a container's rows
// in container-rows.ts; this file puts them in order.

import type { Step, Trace } from '../model.js';
import type { Instant } from '../time.js';
import { containerKey, containerRows, type ContainerRef } from './container-rows.js';
import { readinessRow, sandboxRow, schedulingRow } from './pod-rows.js';
import { at, chainAfter, earliest, RowList, startOf, stepsOf, type PhaseRow } from './rows.js';

export { POD_GROUP, type PhaseKind, type PhaseRow, type PhaseStatus } from './rows.js';

/**
 * The moment the waterfall counts from: the `created` step (when the apiserver stored the pod), else
 * the earliest time of any step (a trace attached after the creation was forgotten). Null without times.
 */
export function timelineOrigin(trace: Trace): Instant | null {
  const steps = stepsOf(trace);
  const created = startOf(steps.find((s) => s.kind === 'created'));
  if (created) return created;
  return earliest(...steps.flatMap((s) => [at(s.start), at(s.end)]));
}

/** Containers in birth order: init containers first, each list in trace.containers order, then any only steps name; ephemeral ones last. */
function containerOrder(trace: Trace, steps: readonly Step[]): ContainerRef[] {
  const out: ContainerRef[] = [];
  const seen = new Set<string>();
  const add = (name: unknown, init: unknown, sidecar?: unknown, ephemeral?: unknown): void => {
    if (typeof name !== 'string' || name === '') return;
    const k = containerKey(name, init === true);
    if (seen.has(k)) return;
    seen.add(k);
    out.push({ name, init: init === true, sidecar: sidecar === true, ephemeral: ephemeral === true });
  };
  for (const c of Array.isArray(trace?.containers) ? trace.containers : [])
    if (c && typeof c === 'object') add(c.name, c.init, c.sidecar, c.ephemeral);
  for (const s of steps) if (s.container !== null && s.container !== undefined) add(s.container, s.init);
  return [
    ...out.filter((c) => c.init),
    ...out.filter((c) => !c.init && !c.ephemeral),
    ...out.filter((c) => c.ephemeral),
  ];
}

/**
 * The waterfall rows of a trace, in display order. A pure function of the trace (no "now"): running
 * rows have a null end. Never throws on a malformed trace (unknown parts give no rows or waiting rows).
 */
export function timelinePhases(trace: Trace): readonly PhaseRow[] {
  const steps = stepsOf(trace);
  const list = new RowList(steps, timelineOrigin(trace));
  // ContainersReady stands in for Ready, except when readiness gates keep the pod from Ready.
  const gated = Array.isArray(trace?.diagnosis) && trace.diagnosis.some((d) => d?.cause === 'readiness-gate');
  const readyStep = list.first('ready') ?? (gated ? undefined : list.first('containers-ready'));
  const sched = schedulingRow(list);
  const sandbox = sandboxRow(list, sched, readyStep);
  const { appStarts } = containerRows(list, containerOrder(trace, steps), chainAfter(sandbox));
  readinessRow(list, appStarts, readyStep, typeof trace?.phase === 'string' ? trace.phase : 'pending');
  return list.rows;
}

/**
 * The extent of the waterfall in milliseconds from the origin: the latest end (or start) of any row,
 * and, when `nowOffsetMs` is given (a live trace), at least that. Never negative.
 */
export function timelineSpanMs(rows: readonly PhaseRow[], nowOffsetMs: number | null = null): number {
  let span = 0;
  for (const r of rows) {
    if (r.offsetMs === null) continue;
    span = Math.max(span, r.offsetMs + (r.durationMs ?? 0));
  }
  if (nowOffsetMs !== null && Number.isFinite(nowOffsetMs)) span = Math.max(span, nowOffsetMs);
  return span;
}
