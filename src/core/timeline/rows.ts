// The waterfall's row model and the small tools every row builder uses: reading a step's times
// defensively (a trace may come from an untrusted file), making a row from what a phase shows, and the
// chain that carries "where the birth got to" from one row to the next.

import { isRecord } from '../guards.js';
import type { Step, Trace } from '../model.js';
import { coarser, compareInstants, diffMs, type Instant } from '../time.js';
import type { Precision, StepKind } from '../vocabulary.js';

export type PhaseKind =
  | 'scheduling'
  | 'sandbox'
  | 'image-pull'
  | 'image-present'
  | 'container-create'
  | 'container-start'
  | 'init-run'
  | 'sidecar-run'
  | 'restarts'
  | 'readiness';

export type PhaseStatus = 'done' | 'running' | 'failed' | 'waiting';

/** The group of the pod-level rows (container rows use the container's name; see `container`). */
export const POD_GROUP = 'pod';

/** What a row is, before what the steps show about it. */
export interface Draft {
  /** Stable across updates: `scheduling`, `sandbox`, `readiness`, or `<kind>:<init/>container`. */
  readonly id: string;
  readonly kind: PhaseKind;
  /** Short human label (the step vocabulary's labels where a row is one step). */
  readonly label: string;
  /** `pod` for pod-level rows, else the container name (untrusted only in that it comes from the manifest). */
  readonly group: string;
  readonly container: string | null;
  readonly init: boolean;
}

export interface PhaseRow extends Draft {
  /** Null while waiting; may be null for a `done` row whose time no source gave. */
  readonly start: Instant | null;
  /** Null while running or waiting, and for `done` rows whose end is unknown. Never before `start`. */
  readonly end: Instant | null;
  readonly status: PhaseStatus;
  /** end − start when both are known (0 for an instant), else null. */
  readonly durationMs: number | null;
  /** start − the trace origin (see timelineOrigin); null without a start. Negative only with clock skew. */
  readonly offsetMs: number | null;
  /** The failure text for `failed` rows (cluster-supplied: untrusted, display as text only), else null. */
  readonly message: string | null;
  /** How often the phase was tried (FailedScheduling ×N then the bind, PullImage ×N, sandbox attempts); for `restarts` rows the number of restarts. 1 when once. */
  readonly count: number;
  /** The coarser precision of start and end (how finely the row is placed), null without times. */
  readonly precision: Precision | null;
  /** Ids of the trace steps the row was built from, in trace order. */
  readonly stepIds: readonly string[];
}

export const LABELS = {
  scheduling: 'scheduling',
  sandbox: 'pod sandbox',
  'init-run': 'runs to completion',
  'sidecar-run': 'runs alongside',
  restarts: 'crash, restart',
  readiness: 'until Ready',
} as const;

export function stepsOf(trace: Trace): readonly Step[] {
  return Array.isArray(trace?.steps)
    ? trace.steps.filter((s): s is Step => isRecord(s) && typeof s.kind === 'string')
    : [];
}

function isInstant(x: unknown): x is Instant {
  return isRecord(x) && typeof x.key === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/.test(x.key);
}

export function at(i: Instant | null | undefined): Instant | null {
  return isInstant(i) ? i : null;
}

export function startOf(s: Step | undefined): Instant | null {
  return s ? (at(s.start) ?? at(s.end)) : null;
}

export function endOf(s: Step | undefined): Instant | null {
  return s ? (at(s.end) ?? at(s.start)) : null;
}

export function latest(...xs: (Instant | null | undefined)[]): Instant | null {
  let out: Instant | null = null;
  for (const x of xs) if (isInstant(x) && (!out || compareInstants(x, out) > 0)) out = x;
  return out;
}

export function earliest(...xs: (Instant | null | undefined)[]): Instant | null {
  let out: Instant | null = null;
  for (const x of xs) if (isInstant(x) && (!out || compareInstants(x, out) < 0)) out = x;
  return out;
}

export function countOf(s: Step | undefined): number {
  return s && Number.isFinite(s.count) && s.count > 1 ? Math.floor(s.count) : 1;
}

/** What the steps show about a row. */
export interface Fill {
  readonly status: PhaseStatus;
  readonly start?: Instant | null;
  readonly end?: Instant | null;
  readonly message?: string | null;
  readonly count?: number;
  readonly steps?: readonly (Step | undefined)[];
}

/** A pod-level row's draft. */
export function podDraft(kind: 'scheduling' | 'sandbox' | 'readiness'): Draft {
  return { id: kind, kind, label: LABELS[kind], group: POD_GROUP, container: null, init: false };
}

/** The rows of one trace, in the order they are added; knows the trace's steps, origin and step order. */
export class RowList {
  readonly rows: PhaseRow[] = [];
  readonly steps: readonly Step[];
  private readonly origin: Instant | null;
  private readonly order: ReadonlyMap<string, number>;

  constructor(steps: readonly Step[], origin: Instant | null) {
    this.steps = steps;
    this.origin = origin;
    this.order = new Map(steps.map((s, i) => [s.id, i] as const));
  }

  /** Adds the row and returns it. */
  push(d: Draft, f: Fill): PhaseRow {
    const r = makeRow(d, f, this.origin, this.order);
    this.rows.push(r);
    return r;
  }

  first(k: StepKind): Step | undefined {
    return this.steps.find((s) => s.kind === k);
  }

  last(k: StepKind): Step | undefined {
    return this.steps.filter((s) => s.kind === k).pop();
  }

  /** A step's position in the trace (0 for an unknown id). */
  indexOf(s: Step): number {
    return this.order.get(s.id) ?? 0;
  }
}

function makeRow(d: Draft, f: Fill, origin: Instant | null, order: ReadonlyMap<string, number>): PhaseRow {
  const start = f.status === 'waiting' ? null : at(f.start);
  let end = f.status === 'running' || f.status === 'waiting' ? null : at(f.end);
  // Whole-second times from the API can land before a finer start: the row is then an instant.
  if (start && end && compareInstants(end, start) < 0) end = start;
  const durationMs = start && end ? Math.max(0, diffMs(start, end)) : null;
  const offsetMs = start && origin ? diffMs(origin, start) : null;
  const precision = start && end ? coarser(start.precision, end.precision) : ((start ?? end)?.precision ?? null);
  const ids = [...new Set((f.steps ?? []).filter((s): s is Step => !!s).map((s) => s.id))].sort(
    (a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0),
  );
  const message = f.status === 'failed' ? (typeof f.message === 'string' ? f.message : '') : null;
  const count = Number.isFinite(f.count) && (f.count ?? 1) > 1 ? Math.floor(f.count as number) : 1;
  return { ...d, start, end, status: f.status, durationMs, offsetMs, message, count, precision, stepIds: ids };
}

/** Where a chain of rows stands: the end of the last finished row, if the chain got that far. */
export interface Chain {
  readonly done: boolean;
  readonly end: Instant | null;
}

export function chainAfter(r: PhaseRow): Chain {
  return { done: r.status === 'done', end: r.end ?? (r.status === 'done' ? r.start : null) };
}

/** A phase that has no evidence of its own: running once its predecessor is done, else waiting (or done, when a later phase proves it happened). */
export function inferred(prev: Chain, happenedLater: boolean): Fill {
  if (happenedLater) return { status: 'done' };
  if (prev.done && prev.end) return { status: 'running', start: prev.end };
  return { status: 'waiting' };
}
