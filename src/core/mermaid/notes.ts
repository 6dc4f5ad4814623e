// The notes of the diagram: the text of a note (cluster text cleaned, lines joined with our own
// `<br/>`), and where each diagnosis goes: scheduler causes with the last scheduling-failed arrow,
// the others after the last arrow of their container and kind, the rest at the end.

import type { Diagnosis, TraceNote } from '../model.js';
import { ACTORS, type Actor, type Cause, type StepKind } from '../vocabulary.js';
import { lastOf, LIMITS, type Group } from './arrows.js';
import { cleanMermaidText, encodeMermaidText } from './escape.js';

/** Causes the scheduler reports; their notes go over kube-scheduler. */
export const SCHEDULER_CAUSES: ReadonlySet<Cause> = new Set<Cause>([
  'insufficient-cpu',
  'insufficient-memory',
  'insufficient-resource',
  'untolerated-taint',
  'node-selector-mismatch',
  'pod-affinity-mismatch',
  'topology-spread',
  'unschedulable-nodes',
  'unbound-pvc',
  'volume-node-conflict',
  'scheduling-failed',
]);

/** Which step kinds a (non-scheduler) cause is about, to place its note after that step. */
const CAUSE_KINDS: Partial<Record<Cause, readonly StepKind[]>> = {
  'image-pull-failed': ['image-pull-failed', 'back-off', 'image-pull'],
  'crash-loop': ['back-off', 'container-failed', 'container-started'],
  'probe-failing': ['probe-failed'],
  'sandbox-failed': ['sandbox-failed', 'sandbox-created'],
  'volume-mount-failed': ['volume-failed'],
  'missing-config': ['container-failed', 'container-created', 'back-off'],
  'admission-denied': ['created'],
  'scheduling-gated': ['scheduling-gated'],
  'start-error': ['container-failed', 'container-created'],
  'oom-killed': ['container-failed', 'back-off'],
  'container-exited': ['container-failed'],
  'liveness-killed': ['container-killed', 'probe-failed', 'container-failed'],
  'deadline-exceeded': ['deadline-exceeded'],
  'backoff-limit-exceeded': ['container-failed'],
  evicted: ['evicted'],
  preempted: ['preempted'],
  'readiness-gate': ['containers-ready'],
  'image-never-pull': ['image-pull-failed', 'back-off'],
  'invalid-image-name': ['image-pull-failed', 'back-off'],
  'registry-unreachable': ['image-pull-failed', 'back-off', 'image-pull'],
};

/** Causes decided by the scheduler that have their own step (not a FailedScheduling reason). */
const SCHEDULER_STEP_CAUSES: ReadonlySet<Cause> = new Set<Cause>(['scheduling-gated', 'preempted']);

/** Several untrusted lines as one note text, joined with `<br/>` (our markup, never cluster text). */
export function noteText(lines: readonly string[]): string {
  const out: string[] = [];
  let total = 0;
  for (const l of lines) {
    const clean = cleanMermaidText(l, LIMITS.noteLine);
    if (clean === '') continue;
    if (total + clean.length > LIMITS.noteTotal) {
      out.push(`… ${lines.length - out.length} more`);
      break;
    }
    total += clean.length;
    out.push(clean);
  }
  if (out.length === 0) out.push('(no details)');
  return out.map((l) => encodeMermaidText(l)).join('<br/>');
}

export function diagnosisLine(d: Diagnosis): string {
  const nodes = d.nodes !== null && Number.isFinite(d.nodes) ? ` (${d.nodes} node${d.nodes === 1 ? '' : 's'})` : '';
  const what = cleanMermaidText(d.message, LIMITS.noteLine);
  const fix = cleanMermaidText(d.suggestion, LIMITS.noteLine);
  return `${d.cause}${nodes}${what ? ` – ${what}` : ''}${fix ? ` → ${fix}` : ''}`;
}

export function noteLine(n: TraceNote): string {
  const fix = cleanMermaidText(n.remedy ?? '', LIMITS.noteLine);
  return `${cleanMermaidText(n.message, LIMITS.noteLine)}${fix ? ` → ${fix}` : ''}`;
}

/** `Note over a,b`: from the first to the last of the actors, in ACTORS order. */
export function noteOver(actors: readonly Actor[]): string {
  const sorted = [...new Set(actors)].sort((a, b) => ACTORS.indexOf(a) - ACTORS.indexOf(b));
  const first = sorted[0] ?? 'kubelet';
  const last = sorted[sorted.length - 1] ?? first;
  return first === last ? first : `${first},${last}`;
}

export function diagnosisActor(d: Diagnosis): Actor {
  if (SCHEDULER_CAUSES.has(d.cause) || SCHEDULER_STEP_CAUSES.has(d.cause)) return 'kube-scheduler';
  if (d.cause === 'admission-denied') return 'kube-apiserver';
  return 'kubelet';
}

export interface DiagnosisPlacement {
  readonly schedulerCauses: readonly Diagnosis[];
  /** Index of the last unfolded scheduling-failed arrow (their note goes there), or -1. */
  readonly lastSchedFailed: number;
  /** Arrow index → the diagnoses whose notes follow that arrow. */
  readonly after: ReadonlyMap<number, readonly Diagnosis[]>;
  /** Diagnoses with no arrow to follow: their notes end the diagram. */
  readonly trailing: readonly Diagnosis[];
}

export function placeDiagnoses(diagnosis: readonly Diagnosis[], groups: readonly Group[]): DiagnosisPlacement {
  const lastSchedFailed = groups.reduce((acc, g, i) => (g.kind === 'scheduling-failed' && !g.folded ? i : acc), -1);
  const after = new Map<number, Diagnosis[]>();
  const trailing: Diagnosis[] = [];
  for (const d of diagnosis) {
    if (SCHEDULER_CAUSES.has(d.cause)) {
      if (lastSchedFailed < 0) trailing.push(d);
      continue;
    }
    const kinds = CAUSE_KINDS[d.cause] ?? [];
    let at = -1;
    for (let i = 0; i < groups.length; i += 1) {
      const g = groups[i] as Group;
      const s = lastOf(g);
      const sameContainer =
        d.container === null || s.container === d.container || g.steps.some((x) => x.container === d.container);
      if (sameContainer && (kinds.includes(g.kind) || (g.folded && d.container !== null))) at = i;
    }
    if (at < 0) trailing.push(d);
    else after.set(at, [...(after.get(at) ?? []), d]);
  }
  return {
    schedulerCauses: diagnosis.filter((d) => SCHEDULER_CAUSES.has(d.cause)),
    lastSchedFailed,
    after,
    trailing,
  };
}
