// Notes the trace carries besides its steps: those live sources sent (degraded mode…), and what the
// evidence itself shows: node clocks behind the apiserver, events expired, a sandbox re-created, and a
// probe that failed during a start that then succeeded (information, not a failure).

import type { NormalizedEvent, Step, TraceNote } from '../model.js';
import { diffMs, formatDuration, type Instant } from '../time.js';
import type { TraceState } from './evidence.js';

export function traceNotes(
  state: TraceState,
  steps: readonly Step[],
  scheduled: boolean,
  events: readonly NormalizedEvent[],
  created: Instant | null,
): TraceNote[] {
  const notes: TraceNote[] = [...state.notes.values()];
  const skew = clockSkewNote(steps, created);
  if (skew) notes.push(skew);
  if (scheduled && events.length === 0 && state.events.size === 0) {
    notes.push({
      kind: 'events-expired',
      message:
        'No events were found for this pod. Events expire after 1 h by default (kube-apiserver --event-ttl), so an older pod has lost them; times come from the pod status only.',
    });
  }
  notes.push(...slowStartNotes(steps));
  if (events.some((e) => e.reason === 'SandboxChanged')) {
    notes.push({
      kind: 'disturbance',
      message: 'The pod sandbox changed and was re-created (node reboot, runtime restart or network loss).',
    });
  }
  return notes.sort((a, b) => `${a.kind}|${a.message}`.localeCompare(`${b.kind}|${b.message}`));
}

/** A node-side time well before the apiserver stored the pod means the clocks disagree. */
function clockSkewNote(steps: readonly Step[], created: Instant | null): TraceNote | null {
  if (!created) return null;
  let worst = 0;
  for (const s of steps) {
    if (s.source !== 'runtime-log' && s.source !== 'kubelet-log') continue;
    for (const t of [s.start, s.end]) {
      // creationTimestamp is truncated to the second, so anything inside that second is fine.
      if (t) worst = Math.min(worst, diffMs(created, t));
    }
  }
  if (worst >= -1000) return null;
  return {
    kind: 'clock-skew',
    message: `Node log times are up to ${(-worst / 1000).toFixed(1)}s earlier than the pod's creation on the apiserver: the node clock and the control-plane clock disagree, so node-side durations are right but their placement against API times is not.`,
  };
}

/**
 * "Ready 3.1s after start: the readiness probe failed 3× first": a readiness or startup probe that
 * failed while the container started and then passed (its probe-failed step is done, not failed).
 */
function slowStartNotes(steps: readonly Step[]): TraceNote[] {
  const ready = steps.find((s) => s.kind === 'ready') ?? steps.find((s) => s.kind === 'containers-ready');
  const out: TraceNote[] = [];
  for (const p of steps) {
    const probe = /\.(readinessProbe|startupProbe)$/.exec(p.yamlPath ?? '')?.[1];
    if (p.kind !== 'probe-failed' || p.status !== 'done' || !probe || p.container === null) continue;
    const started = steps.filter((s) => s.kind === 'container-started' && s.container === p.container).pop();
    const from = started?.end ?? started?.start ?? null;
    const to = ready?.end ?? null;
    const after =
      from && to && diffMs(from, to) >= 0
        ? `Ready ${formatDuration(diffMs(from, to))} after start: `
        : 'Ready in the end: ';
    out.push({
      kind: 'info',
      message: `Container ${p.container}: ${after}its ${probe === 'readinessProbe' ? 'readiness' : 'startup'} probe failed ${p.count}× first. That is a slow start, not a failure.`,
    });
  }
  return out;
}
