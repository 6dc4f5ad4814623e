// A trace as a Mermaid sequence diagram. Participant ids come only from the fixed ACTORS vocabulary;
// every piece of cluster text goes through escapeMermaidText. Output is a pure function of its input.

import type { Diagnosis, Step, Trace, TraceNote } from '../model.js';
import { diffMs, formatDuration, type Instant } from '../time.js';
import { ACTORS, ARROWS, KIND_LABELS, type Actor, type Cause, type StepKind } from '../vocabulary.js';
import { cleanMermaidText, encodeMermaidText, escapeMermaidText } from './escape.js';

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

const LIMITS = {
  label: 200,
  name: 63,
  noteLine: 160,
  noteTotal: 600,
  version: 40,
} as const;

const ACTOR_SET: ReadonlySet<string> = new Set<string>(ACTORS);

function isActor(a: unknown): a is Actor {
  return typeof a === 'string' && ACTOR_SET.has(a);
}

/** One arrow of the diagram: a step, a collapsed run of steps, or a folded container. */
interface Group {
  readonly steps: readonly Step[];
  readonly kind: StepKind;
  readonly from: Actor;
  readonly to: Actor;
  readonly folded: boolean;
}

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

function arrowsOf(step: Step): { from: Actor; to: Actor } {
  const a = (ARROWS as Partial<Record<string, { from: Actor; to: Actor }>>)[step.kind];
  const from = a?.from ?? (isActor(step.from) ? step.from : 'kubelet');
  const to = a?.to ?? (isActor(step.to) ? step.to : from);
  return { from, to };
}

function labelOf(kind: string): string {
  return (KIND_LABELS as Partial<Record<string, string>>)[kind] ?? String(kind);
}

function countOf(s: Step): number {
  return Number.isFinite(s.count) && s.count > 1 ? Math.floor(s.count) : 1;
}

function durationText(s: Step, now: Instant | undefined): string | null {
  if (s.status === 'in-progress') {
    if (s.start && now) {
      const ms = diffMs(s.start, now);
      if (Number.isFinite(ms) && ms >= 0) return `${formatDuration(ms)}…`;
    }
    return '…';
  }
  // Only a positive span is a duration: an instant (start = end) shows none, and a negative one is clock skew.
  if (s.start && s.end) {
    const ms = diffMs(s.start, s.end);
    if (Number.isFinite(ms) && ms > 0) return formatDuration(ms);
  }
  return null;
}

function containerText(s: Step): string {
  if (s.container === null || s.container === undefined) return '';
  return `${cleanMermaidText(s.container, LIMITS.name)}${s.init ? ' (init)' : ''}`;
}

function groupKey(s: Step): string {
  return `${s.kind}\u0000${s.container ?? ''}\u0000${s.init ? 1 : 0}`;
}

function buildGroups(steps: readonly Step[], collapse: boolean, fold: ReadonlySet<string>): Group[] {
  const groups: Group[] = [];
  const foldIndex = new Map<string, number>();
  const folded = new Map<number, Step[]>();
  for (const s of steps) {
    if (s.container !== null && s.container !== undefined && fold.has(s.container)) {
      const key = `${s.init ? 1 : 0}\u0000${s.container}`;
      const at = foldIndex.get(key);
      if (at === undefined) {
        foldIndex.set(key, groups.length);
        folded.set(groups.length, [s]);
        groups.push({ steps: [s], kind: s.kind, from: 'kubelet', to: 'container', folded: true });
      } else {
        folded.get(at)?.push(s);
      }
      continue;
    }
    const last = groups[groups.length - 1];
    const lastStep = last?.steps[last.steps.length - 1];
    if (collapse && last && !last.folded && lastStep && groupKey(lastStep) === groupKey(s)) {
      groups[groups.length - 1] = { ...last, steps: [...last.steps, s] };
      continue;
    }
    const { from, to } = arrowsOf(s);
    groups.push({ steps: [s], kind: s.kind, from, to, folded: false });
  }
  for (const [at, list] of folded) {
    const g = groups[at];
    const lastStep = list[list.length - 1];
    if (g && lastStep) groups[at] = { ...g, steps: list, kind: lastStep.kind };
  }
  return groups;
}

function lastOf(g: Group): Step {
  return g.steps[g.steps.length - 1] as Step;
}

function arrowOp(failed: boolean, inProgress: boolean): string {
  if (failed) return '-x';
  return inProgress ? '-->>' : '->>';
}

function groupLabel(g: Group, podName: string | null, now: Instant | undefined): string {
  const last = lastOf(g);
  if (g.folded) {
    const first = g.steps[0] as Step;
    const start = first.start ?? first.end;
    const end = last.end ?? last.start;
    const total = start && end ? diffMs(start, end) : Number.NaN;
    const n = g.steps.length;
    return [
      containerText(last),
      `${n} step${n === 1 ? '' : 's'}`,
      `${labelOf(last.kind)}${last.status === 'failed' ? ' failed' : last.status === 'in-progress' ? ' …' : ''}`,
      ...(Number.isFinite(total) && total > 0 ? [formatDuration(total)] : []),
    ]
      .filter((p) => p !== '')
      .join(' · ');
  }
  const count = g.steps.reduce((a, s) => a + countOf(s), 0);
  const parts = [labelOf(g.kind)];
  if (g.kind === 'created' && podName) parts.push(cleanMermaidText(podName, LIMITS.name));
  const c = containerText(last);
  if (c) parts.push(c);
  if (Number.isFinite(last.attempt) && last.attempt > 0) parts.push(`(restart ${Math.floor(last.attempt)})`);
  const d = durationText(last, now);
  if (d) parts.push(d);
  if (count > 1) parts.push(`×${count}`);
  return parts.join(' ');
}

function text(s: string, max: number = LIMITS.label): string {
  return escapeMermaidText(s, max);
}

/** Several untrusted lines as one note text, joined with `<br/>` (our markup, never cluster text). */
function noteText(lines: readonly string[]): string {
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

function diagnosisLine(d: Diagnosis): string {
  const nodes = d.nodes !== null && Number.isFinite(d.nodes) ? ` (${d.nodes} node${d.nodes === 1 ? '' : 's'})` : '';
  const what = cleanMermaidText(d.message, LIMITS.noteLine);
  const fix = cleanMermaidText(d.suggestion, LIMITS.noteLine);
  return `${d.cause}${nodes}${what ? ` – ${what}` : ''}${fix ? ` → ${fix}` : ''}`;
}

function noteLine(n: TraceNote): string {
  const fix = cleanMermaidText(n.remedy ?? '', LIMITS.noteLine);
  return `${cleanMermaidText(n.message, LIMITS.noteLine)}${fix ? ` → ${fix}` : ''}`;
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

function noteOver(actors: readonly Actor[]): string {
  const sorted = [...new Set(actors)].sort((a, b) => ACTORS.indexOf(a) - ACTORS.indexOf(b));
  const first = sorted[0] ?? 'kubelet';
  const last = sorted[sorted.length - 1] ?? first;
  return first === last ? first : `${first},${last}`;
}

function diagnosisActor(d: Diagnosis): Actor {
  if (SCHEDULER_CAUSES.has(d.cause)) return 'kube-scheduler';
  if (d.cause === 'admission-denied') return 'kube-apiserver';
  return 'kubelet';
}

/** Which step kinds a (non-scheduler) cause is about, to place its note after that step. */
const CAUSE_KINDS: Partial<Record<Cause, readonly StepKind[]>> = {
  'image-pull-failed': ['image-pull-failed', 'back-off', 'image-pull'],
  'crash-loop': ['back-off', 'container-failed', 'container-started'],
  'probe-failing': ['probe-failed'],
  'sandbox-failed': ['sandbox-failed', 'sandbox-created'],
  'volume-mount-failed': ['volume-failed'],
  'missing-config': ['container-failed', 'container-created', 'back-off'],
  'admission-denied': ['created'],
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

  const statements: Statement[] = [];
  const note = (over: readonly Actor[] | 'all', body: string, stepId: string | null): void => {
    statements.push({ type: 'note', over, body, stepId, actors: over === 'all' ? [] : over });
  };
  const message = (from: Actor, to: Actor, op: string, label: string, stepId: string): void => {
    statements.push({ type: 'message', line: `${from}${op}${to}: ${label}`, stepId, actors: [from, to] });
  };

  // Placement of diagnosis notes: scheduler causes go with the last scheduling-failed arrow, the others
  // after the last arrow of their container and kind; what finds no arrow goes at the end.
  const schedulerCauses = diagnosis.filter((d) => SCHEDULER_CAUSES.has(d.cause));
  const lastSchedFailed = groups.reduce((acc, g, i) => (g.kind === 'scheduling-failed' && !g.folded ? i : acc), -1);
  const notesAfter = new Map<number, Diagnosis[]>();
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
    else notesAfter.set(at, [...(notesAfter.get(at) ?? []), d]);
  }

  const degraded = traceNotes.filter((n) => n.kind === 'degraded');
  const warnings = traceNotes.filter(
    (n) => n.kind === 'clock-skew' || n.kind === 'events-expired' || n.kind === 'disturbance',
  );
  // Top notes span every participant that is used.
  if (degraded.length > 0) note('all', noteText(['limited view', ...degraded.map(noteLine)]), null);
  if (warnings.length > 0) note('all', noteText(warnings.map((n) => `${n.kind} – ${noteLine(n)}`)), null);
  if (hidden.length > 0) {
    const n = hidden.reduce((a, g) => a + g.steps.length, 0);
    note(
      'all',
      text(
        `${n} earlier step${n === 1 ? '' : 's'} not shown (${labelOf(lastOf(hidden[0] as Group).kind)} … ${labelOf(lastOf(hidden[hidden.length - 1] as Group).kind)})`,
      ),
      null,
    );
  }

  groups.forEach((g, i) => {
    const last = lastOf(g);
    const failed = g.folded ? g.steps.some((s) => s.status === 'failed') : last.status === 'failed';
    const inProgress = last.status === 'in-progress';
    const label = text(groupLabel(g, podName, opts.now), LIMITS.label);
    message(g.from, g.to, arrowOp(failed, inProgress && !failed), label, last.id);
    if (g.kind === 'created' && !g.folded)
      message('kube-apiserver', 'etcd', arrowOp(failed, false), 'persist', last.id);
    if (g.kind === 'scheduling-failed' && !g.folded && i === lastSchedFailed && schedulerCauses.length > 0) {
      note(['kube-scheduler'], noteText(schedulerCauses.map(diagnosisLine)), last.id);
    } else if (failed) {
      const failedStep = g.folded ? (g.steps.filter((s) => s.status === 'failed').pop() ?? last) : last;
      const { from, to } = arrowsOf(failedStep);
      const over: Actor = isActor(failedStep.actor) ? failedStep.actor : to === from ? from : to;
      note([over], noteText([failedStep.message || `${labelOf(failedStep.kind)}`]), failedStep.id);
    }
    for (const d of notesAfter.get(i) ?? []) note([diagnosisActor(d)], noteText([diagnosisLine(d)]), last.id);
  });
  for (const d of trailing) note([diagnosisActor(d)], noteText([diagnosisLine(d)]), null);

  // Participants: the used ones, in ACTORS order.
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
