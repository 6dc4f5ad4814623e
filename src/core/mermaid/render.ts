// A trace as a Mermaid sequence diagram. Participant ids come only from the fixed ACTORS vocabulary;
// every piece of cluster text goes through escapeMermaidText. Output is a pure function of its input.
//
// The arrows (grouping, labels) are in arrows.ts, the notes (text, where diagnoses go) in notes.ts;
// this file lays out the statements and the participants.

import type { Diagnosis, Step, Trace, TraceNote } from '../model.js';
import type { Instant } from '../time.js';
import { ACTORS, type Actor } from '../vocabulary.js';
import { arrowOp, arrowsOf, buildGroups, groupLabel, isActor, labelOf, lastOf, LIMITS, type Group } from './arrows.js';
import { cleanMermaidText, escapeMermaidText } from './escape.js';
import {
  diagnosisActor,
  diagnosisLine,
  noteLine,
  noteOver,
  noteText,
  placeDiagnoses,
  type DiagnosisPlacement,
} from './notes.js';

export { SCHEDULER_CAUSES } from './notes.js';

export interface RenderOptions {
  /** Consecutive steps of the same kind and container become one arrow `×N` (default true). */
  readonly collapseRepeats?: boolean;
  /** Arrows kept; older ones are summarised in one note at the top (default 150). */
  readonly maxSteps?: number;
  /** Containers whose steps become one summary arrow. */
  readonly foldContainers?: readonly string[];
  /** "Now", for the elapsed time of steps still in progress. Without it they show `…`. */
  readonly now?: Instant;
}

export interface RenderedDiagram {
  readonly source: string;
  /** The n-th arrow of the source (= the n-th `[data-et="message"]` element of the SVG) → step. */
  readonly messages: readonly { readonly stepId: string }[];
  /** The n-th note of the source → the step it annotates, or null (summary notes). */
  readonly notes: readonly { readonly stepId: string | null }[];
}

export const DEFAULT_MAX_STEPS = 150;

type Statement =
  | { readonly type: 'message'; readonly line: string; readonly stepId: string; readonly actors: readonly Actor[] }
  /** `over: 'all'` spans every participant (decided once the participants are known). */
  | {
      readonly type: 'note';
      readonly over: readonly Actor[] | 'all';
      readonly body: string;
      readonly stepId: string | null;
      readonly actors: readonly Actor[];
    };

function text(s: string, max: number = LIMITS.label): string {
  return escapeMermaidText(s, max);
}

function runtimeLabel(trace: Trace): string {
  // `containerd://1.7.27` as the node reports it (status.nodeInfo.containerRuntimeVersion).
  const raw = typeof trace.runtimeVersion === 'string' ? trace.runtimeVersion : '';
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(raw)?.[1] ?? null;
  const name =
    trace.runtime === 'containerd'
      ? 'containerd'
      : trace.runtime === 'cri-o'
        ? 'CRI-O'
        : scheme
          ? cleanMermaidText(scheme, LIMITS.version)
          : 'CRI runtime';
  const version = cleanMermaidText(scheme ? raw.slice(scheme.length + 3) : raw, LIMITS.version);
  return version ? `${name} ${version}` : name;
}

const FIXED_LABELS: Readonly<Record<Actor, string>> = {
  user: 'you / kubectl',
  'kube-apiserver': 'kube-apiserver',
  etcd: 'etcd',
  'kube-scheduler': 'kube-scheduler',
  kubelet: 'kubelet',
  'cri-runtime': 'CRI runtime',
  'oci-runtime': 'runc',
  container: 'containers',
};

/**
 * Renders a trace as a sequence diagram. Stable: the same trace and options give the same source.
 * Never throws.
 */
export function renderMermaid(trace: Trace, opts: RenderOptions = {}): RenderedDiagram {
  try {
    return render(trace, opts ?? {});
  } catch {
    // Only malformed (untyped) input gets here, e.g. a time that is not an Instant.
    return {
      source:
        'sequenceDiagram\nparticipant kube-apiserver as kube-apiserver\nNote over kube-apiserver: diagram unavailable (malformed trace)',
      messages: [],
      notes: [{ stepId: null }],
    };
  }
}

/** The statements in diagram order, added through note() and message(). */
class Statements {
  readonly list: Statement[] = [];

  note(over: readonly Actor[] | 'all', body: string, stepId: string | null): void {
    this.list.push({ type: 'note', over, body, stepId, actors: over === 'all' ? [] : over });
  }

  message(from: Actor, to: Actor, op: string, label: string, stepId: string): void {
    this.list.push({ type: 'message', line: `${from}${op}${to}: ${label}`, stepId, actors: [from, to] });
  }
}

function render(trace: Trace, opts: RenderOptions): RenderedDiagram {
  const collapse = opts.collapseRepeats !== false;
  const maxSteps =
    Number.isFinite(opts.maxSteps) && (opts.maxSteps ?? 0) >= 1
      ? Math.floor(opts.maxSteps as number)
      : DEFAULT_MAX_STEPS;
  const fold = new Set((opts.foldContainers ?? []).filter((c): c is string => typeof c === 'string'));
  const steps: readonly Step[] = Array.isArray(trace.steps) ? trace.steps : [];
  const diagnosis: readonly Diagnosis[] = Array.isArray(trace.diagnosis) ? trace.diagnosis : [];
  const traceNotes: readonly TraceNote[] = Array.isArray(trace.notes) ? trace.notes : [];
  const podName = typeof trace.pod?.name === 'string' ? trace.pod.name : null;

  const allGroups = buildGroups(steps, collapse, fold);
  const hidden = allGroups.length > maxSteps ? allGroups.slice(0, allGroups.length - maxSteps) : [];
  const groups = allGroups.slice(hidden.length);

  const out = new Statements();
  topNotes(out, traceNotes, hidden);
  const placement = placeDiagnoses(diagnosis, groups);
  groups.forEach((g, i) => arrowStatements(out, g, i, placement, podName, opts.now));
  for (const d of placement.trailing) out.note([diagnosisActor(d)], noteText([diagnosisLine(d)]), null);
  return emit(trace, out.list);
}

/** The notes over the whole diagram: a limited view, warnings, and the arrows left out. */
function topNotes(out: Statements, traceNotes: readonly TraceNote[], hidden: readonly Group[]): void {
  const degraded = traceNotes.filter((n) => n.kind === 'degraded');
  const warnings = traceNotes.filter(
    (n) => n.kind === 'clock-skew' || n.kind === 'events-expired' || n.kind === 'disturbance',
  );
  if (degraded.length > 0) out.note('all', noteText(['limited view', ...degraded.map(noteLine)]), null);
  if (warnings.length > 0) out.note('all', noteText(warnings.map((n) => `${n.kind} – ${noteLine(n)}`)), null);
  if (hidden.length > 0) {
    const n = hidden.reduce((a, g) => a + g.steps.length, 0);
    out.note(
      'all',
      text(
        `${n} earlier step${n === 1 ? '' : 's'} not shown (${labelOf(lastOf(hidden[0] as Group).kind)} … ${labelOf(lastOf(hidden[hidden.length - 1] as Group).kind)})`,
      ),
      null,
    );
  }
}

/** One arrow and the notes that follow it: the failure, the scheduler's causes, the diagnoses placed here. */
function arrowStatements(
  out: Statements,
  g: Group,
  i: number,
  placement: DiagnosisPlacement,
  podName: string | null,
  now: Instant | undefined,
): void {
  const last = lastOf(g);
  const failed = g.folded ? g.steps.some((s) => s.status === 'failed') : last.status === 'failed';
  const inProgress = last.status === 'in-progress';
  const label = text(groupLabel(g, podName, now), LIMITS.label);
  out.message(g.from, g.to, arrowOp(failed, inProgress && !failed), label, last.id);
  if (g.kind === 'created' && !g.folded)
    out.message('kube-apiserver', 'etcd', arrowOp(failed, false), 'persist', last.id);
  const { schedulerCauses } = placement;
  if (g.kind === 'scheduling-failed' && !g.folded && i === placement.lastSchedFailed && schedulerCauses.length > 0) {
    out.note(['kube-scheduler'], noteText(schedulerCauses.map(diagnosisLine)), last.id);
  } else if (failed) {
    const failedStep = g.folded ? (g.steps.filter((s) => s.status === 'failed').pop() ?? last) : last;
    const { from, to } = arrowsOf(failedStep);
    const over: Actor = isActor(failedStep.actor) ? failedStep.actor : to === from ? from : to;
    out.note([over], noteText([failedStep.message || `${labelOf(failedStep.kind)}`]), failedStep.id);
  }
  for (const d of placement.after.get(i) ?? []) out.note([diagnosisActor(d)], noteText([diagnosisLine(d)]), last.id);
}

/** The source text: the used participants in ACTORS order, then the statements. */
function emit(trace: Trace, statements: readonly Statement[]): RenderedDiagram {
  const used = new Set<Actor>();
  for (const s of statements) for (const a of s.actors) used.add(a);
  if (used.size === 0) used.add('kube-apiserver');
  const participants = ACTORS.filter((a) => used.has(a));
  const span =
    participants.length > 1
      ? `${participants[0]},${participants[participants.length - 1]}`
      : (participants[0] ?? 'kube-apiserver');

  const lines: string[] = ['sequenceDiagram'];
  for (const a of participants) {
    const label = a === 'cri-runtime' ? runtimeLabel(trace) : FIXED_LABELS[a];
    lines.push(`participant ${a} as ${text(label, LIMITS.label)}`);
  }
  const messages: { stepId: string }[] = [];
  const notes: { stepId: string | null }[] = [];
  for (const s of statements) {
    lines.push(s.type === 'message' ? s.line : `Note over ${s.over === 'all' ? span : noteOver(s.over)}: ${s.body}`);
    if (s.type === 'message') messages.push({ stepId: s.stepId });
    else notes.push({ stepId: s.stepId });
  }
  return { source: lines.join('\n'), messages, notes };
}
