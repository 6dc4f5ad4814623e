// The arrows of the diagram: steps grouped into arrows (a step, a run of repeats collapsed into one
// `×N` arrow, or every step of a folded container as one summary arrow) and each arrow's label.

import type { Step } from '../model.js';
import { diffMs, formatDuration, type Instant } from '../time.js';
import { ACTORS, ARROWS, KIND_LABELS, type Actor, type StepKind } from '../vocabulary.js';
import { cleanMermaidText } from './escape.js';

/** How long cluster text may be in each slot of the diagram. */
export const LIMITS = {
  label: 200,
  name: 63,
  noteLine: 160,
  noteTotal: 600,
  version: 40,
} as const;

const ACTOR_SET: ReadonlySet<string> = new Set<string>(ACTORS);

export function isActor(a: unknown): a is Actor {
  return typeof a === 'string' && ACTOR_SET.has(a);
}

/** One arrow of the diagram: a step, a collapsed run of steps, or a folded container. */
export interface Group {
  readonly steps: readonly Step[];
  readonly kind: StepKind;
  readonly from: Actor;
  readonly to: Actor;
  readonly folded: boolean;
  /** A folded run of a container's middle restarts: the first and last attempt in it. */
  readonly restarts?: readonly [number, number];
}

/**
 * A container restarted this many times or more keeps its first run and its last attempt as arrows;
 * the attempts between fold into one "restarts 1–n" arrow (each is the same create, start, exit).
 */
export const FOLD_RESTARTS_FROM = 3;

/** Per container key: the attempts (first, last) to fold, for containers that restarted often. */
function middleAttempts(steps: readonly Step[]): Map<string, readonly [number, number]> {
  const max = new Map<string, number>();
  for (const s of steps) {
    if (s.container === null || s.container === undefined || !Number.isFinite(s.attempt)) continue;
    const k = `${s.init ? 1 : 0}\u0000${s.container}`;
    max.set(k, Math.max(max.get(k) ?? 0, s.attempt));
  }
  const out = new Map<string, readonly [number, number]>();
  for (const [k, m] of max) if (m >= FOLD_RESTARTS_FROM) out.set(k, [1, m - 1]);
  return out;
}

export function arrowsOf(step: Step): { from: Actor; to: Actor } {
  const a = (ARROWS as Partial<Record<string, { from: Actor; to: Actor }>>)[step.kind];
  const from = a?.from ?? (isActor(step.from) ? step.from : 'kubelet');
  const to = a?.to ?? (isActor(step.to) ? step.to : from);
  return { from, to };
}

export function labelOf(kind: string): string {
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

export function buildGroups(steps: readonly Step[], collapse: boolean, fold: ReadonlySet<string>): Group[] {
  const groups: Group[] = [];
  const foldIndex = new Map<string, number>();
  const folded = new Map<number, Step[]>();
  const middle = collapse ? middleAttempts(steps) : new Map<string, readonly [number, number]>();
  for (const s of steps) {
    const key = `${s.init ? 1 : 0}\u0000${s.container ?? ''}`;
    const restarts = middle.get(key);
    const inMiddle = !!restarts && s.attempt >= restarts[0] && s.attempt <= restarts[1];
    if (s.container !== null && s.container !== undefined && (fold.has(s.container) || inMiddle)) {
      const foldKey = fold.has(s.container) ? key : `restarts\u0000${key}`;
      const at = foldIndex.get(foldKey);
      if (at === undefined) {
        foldIndex.set(foldKey, groups.length);
        folded.set(groups.length, [s]);
        const g: Group = { steps: [s], kind: s.kind, from: 'kubelet', to: 'container', folded: true };
        groups.push(fold.has(s.container) || !restarts ? g : { ...g, restarts });
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

export function lastOf(g: Group): Step {
  return g.steps[g.steps.length - 1] as Step;
}

export function arrowOp(failed: boolean, inProgress: boolean): string {
  if (failed) return '-x';
  return inProgress ? '-->>' : '->>';
}

export function groupLabel(g: Group, podName: string | null, now: Instant | undefined): string {
  const last = lastOf(g);
  if (g.folded) {
    const first = g.steps[0] as Step;
    const start = first.start ?? first.end;
    const end = last.end ?? last.start;
    const total = start && end ? diffMs(start, end) : Number.NaN;
    const n = g.steps.length;
    const r = g.restarts;
    return [
      containerText(last),
      ...(r ? [r[0] === r[1] ? `restart ${r[0]}` : `restarts ${r[0]}–${r[1]}`] : []),
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
