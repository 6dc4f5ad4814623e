// The side-panel waterfall: a trace's steps folded into one row per phase of the pod's birth.
//
//   scheduling   created → bound to a node (or failing with scheduling-failed)
//   sandbox      kubelet admits the pod → RunPodSandbox done
//   per container, init containers first (in trace.containers order):
//     image pull (or "image already present", zero width) → CreateContainer → StartContainer
//     init containers only: runs to completion (started → the next container's first step / Initialized)
//     when the container crashed or restarted: one "crash, restart" row
//   readiness    all app containers started → Ready (or ContainersReady)
//
// Rows are derived from the steps only (no clock): a phase whose predecessor is done but that has no
// evidence of its own yet is `running` with a null end, and the webview extends it with its own clock
// while the trace is live. Pure: no vscode, no DOM, no Node built-ins.

import type { Step, Trace } from '../model.js';
import { coarser, compareInstants, diffMs, type Instant } from '../time.js';
import { KIND_LABELS, type Precision, type StepKind } from '../vocabulary.js';

export type PhaseKind =
  | 'scheduling'
  | 'sandbox'
  | 'image-pull'
  | 'image-present'
  | 'container-create'
  | 'container-start'
  | 'init-run'
  | 'restarts'
  | 'readiness';

export type PhaseStatus = 'done' | 'running' | 'failed' | 'waiting';

/** The group of the pod-level rows (container rows use the container's name; see `container`). */
export const POD_GROUP = 'pod';

export interface PhaseRow {
  /** Stable across updates: `scheduling`, `sandbox`, `readiness`, or `<kind>:<init/>container`. */
  readonly id: string;
  readonly kind: PhaseKind;
  /** Short human label (the step vocabulary's labels where a row is one step). */
  readonly label: string;
  /** `pod` for pod-level rows, else the container name (untrusted only in that it comes from the manifest). */
  readonly group: string;
  readonly container: string | null;
  readonly init: boolean;
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

const IMAGE_KINDS: ReadonlySet<StepKind> = new Set<StepKind>(['image-pull', 'image-present', 'image-pull-failed']);

const LABELS = {
  scheduling: 'scheduling',
  sandbox: 'pod sandbox',
  'init-run': 'runs to completion',
  restarts: 'crash, restart',
  readiness: 'until Ready',
} as const;

function stepsOf(trace: Trace): readonly Step[] {
  return Array.isArray(trace?.steps)
    ? trace.steps.filter((s): s is Step => typeof s === 'object' && s !== null && typeof s.kind === 'string')
    : [];
}

function isInstant(x: unknown): x is Instant {
  return (
    typeof x === 'object' &&
    x !== null &&
    typeof (x as Instant).key === 'string' &&
    /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/.test((x as Instant).key)
  );
}

function at(i: Instant | null | undefined): Instant | null {
  return isInstant(i) ? i : null;
}

function startOf(s: Step | undefined): Instant | null {
  return s ? (at(s.start) ?? at(s.end)) : null;
}

function endOf(s: Step | undefined): Instant | null {
  return s ? (at(s.end) ?? at(s.start)) : null;
}

function latest(...xs: (Instant | null | undefined)[]): Instant | null {
  let out: Instant | null = null;
  for (const x of xs) if (isInstant(x) && (!out || compareInstants(x, out) > 0)) out = x;
  return out;
}

function earliest(...xs: (Instant | null | undefined)[]): Instant | null {
  let out: Instant | null = null;
  for (const x of xs) if (isInstant(x) && (!out || compareInstants(x, out) < 0)) out = x;
  return out;
}

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

interface Draft {
  readonly id: string;
  readonly kind: PhaseKind;
  readonly label: string;
  readonly group: string;
  readonly container: string | null;
  readonly init: boolean;
}

interface Fill {
  readonly status: PhaseStatus;
  readonly start?: Instant | null;
  readonly end?: Instant | null;
  readonly message?: string | null;
  readonly count?: number;
  readonly steps?: readonly (Step | undefined)[];
}

function countOf(s: Step | undefined): number {
  return s && Number.isFinite(s.count) && s.count > 1 ? Math.floor(s.count) : 1;
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
interface Chain {
  readonly done: boolean;
  readonly end: Instant | null;
}

function chainAfter(r: PhaseRow): Chain {
  return { done: r.status === 'done', end: r.end ?? (r.status === 'done' ? r.start : null) };
}

/** A phase that has no evidence of its own: running once its predecessor is done, else waiting (or done, when a later phase proves it happened). */
function inferred(prev: Chain, happenedLater: boolean): Fill {
  if (happenedLater) return { status: 'done' };
  if (prev.done && prev.end) return { status: 'running', start: prev.end };
  return { status: 'waiting' };
}

function containerKey(name: string, init: boolean): string {
  return `${init ? 'init/' : ''}${name}`;
}

/** Containers in birth order: init containers first, each list in trace.containers order, then any only steps name. */
function containerOrder(trace: Trace, steps: readonly Step[]): { name: string; init: boolean }[] {
  const out: { name: string; init: boolean }[] = [];
  const seen = new Set<string>();
  const add = (name: unknown, init: unknown): void => {
    if (typeof name !== 'string' || name === '') return;
    const k = containerKey(name, init === true);
    if (seen.has(k)) return;
    seen.add(k);
    out.push({ name, init: init === true });
  };
  for (const c of Array.isArray(trace?.containers) ? trace.containers : [])
    if (c && typeof c === 'object') add(c.name, c.init);
  for (const s of steps) if (s.container !== null && s.container !== undefined) add(s.container, s.init);
  return [...out.filter((c) => c.init), ...out.filter((c) => !c.init)];
}

/**
 * The waterfall rows of a trace, in display order. A pure function of the trace (no "now"): running
 * rows have a null end. Never throws on a malformed trace (unknown parts give no rows or waiting rows).
 */
export function timelinePhases(trace: Trace): readonly PhaseRow[] {
  const steps = stepsOf(trace);
  const order = new Map(steps.map((s, i) => [s.id, i] as const));
  const origin = timelineOrigin(trace);
  const rows: PhaseRow[] = [];
  const push = (d: Draft, f: Fill): PhaseRow => {
    const r = makeRow(d, f, origin, order);
    rows.push(r);
    return r;
  };
  const first = (k: StepKind): Step | undefined => steps.find((s) => s.kind === k);
  const last = (k: StepKind): Step | undefined => steps.filter((s) => s.kind === k).pop();
  const containers = containerOrder(trace, steps);
  const stepsOfContainer = (c: { name: string; init: boolean }): Step[] =>
    steps.filter((s) => s.container === c.name && s.init === c.init);
  const anyContainerStep = steps.some((s) => s.container !== null && s.container !== undefined);
  const readyStep = first('ready') ?? first('containers-ready');
  const phase = typeof trace?.phase === 'string' ? trace.phase : 'pending';

  // Scheduling: from the creation to the bind.
  const created = first('created');
  const scheduled = first('scheduled');
  const schedFailed = last('scheduling-failed');
  const t0 = startOf(created);
  const schedDraft: Draft = {
    id: 'scheduling',
    kind: 'scheduling',
    label: LABELS.scheduling,
    group: POD_GROUP,
    container: null,
    init: false,
  };
  let sched: PhaseRow;
  if (scheduled) {
    sched = push(schedDraft, {
      status: 'done',
      start: t0 ?? startOf(scheduled),
      end: endOf(scheduled),
      count: countOf(schedFailed) + (schedFailed ? 1 : 0),
      steps: [created, schedFailed, scheduled],
    });
  } else if (schedFailed) {
    sched = push(
      { ...schedDraft, label: KIND_LABELS['scheduling-failed'] },
      {
        status: 'failed',
        start: t0 ?? startOf(schedFailed),
        end: endOf(schedFailed),
        message: schedFailed.message,
        count: countOf(schedFailed),
        steps: [created, schedFailed],
      },
    );
  } else {
    const later = steps.some((s) => s.kind !== 'created');
    sched = push(
      schedDraft,
      later
        ? { status: 'done', start: t0, steps: [created] }
        : t0
          ? { status: 'running', start: t0, steps: [created] }
          : { status: 'waiting' },
    );
  }

  // Sandbox: from the kubelet's admission to RunPodSandbox's end (the last attempt decides).
  const accepted = first('kubelet-accepted');
  const sandboxes = steps.filter((s) => s.kind === 'sandbox-created' || s.kind === 'sandbox-failed');
  const lastSandbox = sandboxes[sandboxes.length - 1];
  const volumes = steps.filter((s) => s.kind === 'volume-failed');
  const volFailed = volumes.filter((s) => s.status === 'failed').pop();
  const sbStart = startOf(accepted) ?? startOf(sandboxes[0]);
  const sbDraft: Draft = {
    id: 'sandbox',
    kind: 'sandbox',
    label: LABELS.sandbox,
    group: POD_GROUP,
    container: null,
    init: false,
  };
  const sbSteps = [accepted, ...volumes, ...sandboxes];
  let sandbox: PhaseRow;
  if (lastSandbox?.kind === 'sandbox-created' && lastSandbox.status !== 'in-progress' && lastSandbox.end) {
    sandbox = push(sbDraft, {
      status: 'done',
      start: sbStart,
      end: lastSandbox.end,
      count: sandboxes.length,
      steps: sbSteps,
    });
  } else if (lastSandbox?.kind === 'sandbox-failed') {
    sandbox = push(
      { ...sbDraft, label: KIND_LABELS['sandbox-failed'] },
      {
        status: 'failed',
        start: sbStart,
        end: endOf(lastSandbox),
        message: lastSandbox.message,
        count: Math.max(sandboxes.length, countOf(lastSandbox)),
        steps: sbSteps,
      },
    );
  } else if (volFailed && !anyContainerStep) {
    sandbox = push(
      { ...sbDraft, label: KIND_LABELS['volume-failed'] },
      {
        status: 'failed',
        start: sbStart ?? startOf(volFailed),
        end: endOf(volFailed),
        message: volFailed.message,
        count: countOf(volFailed),
        steps: sbSteps,
      },
    );
  } else if (anyContainerStep || readyStep) {
    sandbox = push(sbDraft, { status: 'done', start: sbStart, steps: sbSteps });
  } else if (sbStart || (sched.status === 'done' && scheduled)) {
    sandbox = push(sbDraft, { status: 'running', start: sbStart ?? sched.end, steps: sbSteps });
  } else {
    sandbox = push(sbDraft, { status: 'waiting' });
  }

  // Containers, in the order the kubelet starts them.
  let chain: Chain = chainAfter(sandbox);
  const appStarts: PhaseRow[] = [];
  containers.forEach((c, ci) => {
    const cs = stepsOfContainer(c);
    const key = containerKey(c.name, c.init);
    const base = (kind: PhaseKind, label: string): Draft => ({
      id: `${kind}:${key}`,
      kind,
      label,
      group: c.name,
      container: c.name,
      init: c.init,
    });
    const minAttempt = (k: StepKind): Step | undefined =>
      cs
        .filter((s) => s.kind === k)
        .sort((a, b) => (a.attempt || 0) - (b.attempt || 0) || (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0))[0];
    const created0 = minAttempt('container-created');
    const started0 = minAttempt('container-started');
    const failures = cs.filter((s) => s.kind === 'container-failed');
    const hasAttempt = (k: StepKind, attempt: number): boolean => cs.some((s) => s.kind === k && s.attempt === attempt);
    // CreateContainer failed: a failure of an attempt that was never created; StartContainer failed: created, never started.
    const createFailure = !started0 ? failures.find((f) => !hasAttempt('container-created', f.attempt)) : undefined;
    const startFailure = !started0 && created0 ? failures.find((f) => f.attempt === created0.attempt) : undefined;
    const imageBackOff = cs.filter(
      (s) => s.kind === 'back-off' && ((s.yamlPath ?? '').endsWith('.image') || (!created0 && !started0)),
    );
    const crashBackOff = cs.filter((s) => s.kind === 'back-off' && !imageBackOff.includes(s));

    // Image.
    const images = cs.filter((s) => IMAGE_KINDS.has(s.kind));
    const img = images.find((s) => s.kind !== 'image-pull-failed') ?? images[images.length - 1];
    const reachedCreate = !!(created0 || started0 || createFailure);
    let image: PhaseRow;
    if (img?.kind === 'image-present') {
      // A check, not a transfer: an instant. The event is whole seconds, so place it after the previous
      // phase (and not after CreateContainer began) when that is what the second allows.
      const evt = endOf(img);
      let when = latest(evt, chain.end);
      const createStart = startOf(created0);
      if (when && createStart && compareInstants(when, createStart) > 0)
        when = latest(evt, earliest(chain.end, createStart));
      image = push(base('image-present', KIND_LABELS['image-present']), {
        status: 'done',
        start: when,
        end: when,
        steps: [img],
      });
    } else if (img?.kind === 'image-pull-failed' || (!img && imageBackOff.length > 0 && !reachedCreate)) {
      const lastBo = imageBackOff[imageBackOff.length - 1];
      const msg = img?.message || lastBo?.message || '';
      image = push(base('image-pull', KIND_LABELS['image-pull-failed']), {
        status: reachedCreate ? 'done' : 'failed',
        start: startOf(img) ?? startOf(imageBackOff[0]),
        end: latest(endOf(img), ...imageBackOff.map(endOf)),
        message: msg,
        count: Math.max(countOf(img), 1),
        steps: [img, ...imageBackOff],
      });
    } else if (img) {
      const running = img.status === 'in-progress' || !img.end;
      image = push(base('image-pull', KIND_LABELS['image-pull']), {
        status: running ? 'running' : 'done',
        start: startOf(img),
        end: img.end,
        steps: [img],
      });
    } else {
      image = push(base('image-pull', KIND_LABELS['image-pull']), inferred(chain, reachedCreate));
    }
    chain = chainAfter(image);

    // CreateContainer.
    let create: PhaseRow;
    if (created0) {
      const st: PhaseStatus =
        created0.status === 'in-progress' || !created0.end
          ? 'running'
          : created0.status === 'failed'
            ? 'failed'
            : 'done';
      create = push(base('container-create', KIND_LABELS['container-created']), {
        status: st,
        start: startOf(created0),
        end: created0.end,
        message: created0.message,
        steps: [created0],
      });
    } else if (createFailure) {
      create = push(base('container-create', `${KIND_LABELS['container-created']} failed`), {
        status: 'failed',
        start: startOf(createFailure),
        end: endOf(createFailure),
        message: createFailure.message,
        count: countOf(createFailure),
        steps: [createFailure],
      });
    } else {
      create = push(base('container-create', KIND_LABELS['container-created']), inferred(chain, !!started0));
    }
    chain = chainAfter(create);

    // StartContainer.
    let start: PhaseRow;
    if (started0) {
      const st: PhaseStatus =
        started0.status === 'in-progress' || !started0.end
          ? 'running'
          : started0.status === 'failed'
            ? 'failed'
            : 'done';
      start = push(base('container-start', KIND_LABELS['container-started']), {
        status: st,
        start: startOf(started0),
        end: started0.end,
        message: started0.message,
        steps: [started0],
      });
    } else if (startFailure) {
      start = push(base('container-start', `${KIND_LABELS['container-started']} failed`), {
        status: 'failed',
        start: startOf(startFailure),
        end: endOf(startFailure),
        message: startFailure.message,
        steps: [startFailure],
      });
    } else {
      start = push(base('container-start', KIND_LABELS['container-started']), inferred(chain, false));
    }
    if (!c.init) appStarts.push(start);
    chain = chainAfter(start);

    // Crashes and restarts after the first start.
    const restartSteps = started0
      ? cs.filter(
          (s) =>
            (s.kind === 'container-failed' && s !== createFailure && s !== startFailure) ||
            (s.attempt > 0 && s.kind !== 'container-failed') ||
            crashBackOff.includes(s),
        )
      : [];
    const lastOfContainer = cs[cs.length - 1];
    const crashing =
      !!lastOfContainer &&
      (lastOfContainer.kind === 'container-failed' ||
        (lastOfContainer.kind === 'back-off' && crashBackOff.includes(lastOfContainer)));

    // Init containers run to completion before the next container begins.
    if (c.init) {
      const next = containers[ci + 1];
      const nextFirst = next ? earliest(...stepsOfContainer(next).map(startOf)) : null;
      const initialized = next?.init ? null : startOf(first('initialized'));
      const runEnd = earliest(nextFirst, initialized);
      const runStart = started0?.end ?? null;
      let fill: Fill;
      if (runStart && runEnd && compareInstants(runEnd, runStart) >= 0)
        fill = { status: 'done', start: runStart, end: runEnd, steps: [started0, first('initialized')] };
      else if (crashing)
        fill = {
          status: 'failed',
          start: runStart,
          end: latest(...restartSteps.map(endOf)),
          message: [...failures].pop()?.message ?? lastOfContainer?.message ?? '',
          steps: [started0, ...restartSteps],
        };
      else if (runEnd) fill = { status: 'done', start: runStart, steps: [started0] };
      else if (runStart && start.status === 'done') fill = { status: 'running', start: runStart, steps: [started0] };
      else fill = { status: 'waiting' };
      const run = push(base('init-run', LABELS['init-run']), fill);
      chain = chainAfter(run);
    }

    if (restartSteps.length > 0) {
      const restarts = Math.max(0, ...cs.map((s) => (Number.isFinite(s.attempt) ? s.attempt : 0)));
      const lastFailure =
        [...restartSteps].reverse().find((s) => s.kind === 'container-failed') ?? crashBackOff[crashBackOff.length - 1];
      push(base('restarts', LABELS.restarts), {
        status: crashing ? 'failed' : 'done',
        start: earliest(...restartSteps.map(startOf)),
        end: latest(...restartSteps.map(endOf)),
        message: lastFailure?.message ?? '',
        count: Math.max(1, restarts),
        steps: restartSteps,
      });
    }
  });

  // Readiness: from the moment every app container has started to Ready.
  const readyDraft: Draft = {
    id: 'readiness',
    kind: 'readiness',
    label: LABELS.readiness,
    group: POD_GROUP,
    container: null,
    init: false,
  };
  const allStarted = appStarts.length > 0 && appStarts.every((r) => r.status === 'done' && r.end);
  const rStart = allStarted ? latest(...appStarts.map((r) => r.end)) : null;
  const probe = steps.filter((s) => s.kind === 'probe-failed' && s.status === 'failed').pop();
  const readySteps = [readyStep, probe];
  if (readyStep) {
    push(readyDraft, { status: 'done', start: rStart, end: rStart ? endOf(readyStep) : null, steps: readySteps });
  } else if (rStart && probe) {
    push(readyDraft, {
      status: 'failed',
      start: rStart,
      end: endOf(probe),
      message: probe.message,
      count: countOf(probe),
      steps: readySteps,
    });
  } else if (rStart && phase === 'failed') {
    const why = steps.filter((s) => s.status === 'failed' && s.container !== null && !s.init).pop();
    push(readyDraft, {
      status: 'failed',
      start: rStart,
      end: latest(...steps.map(endOf)),
      message: why?.message ?? '',
      steps: [why],
    });
  } else if (rStart && phase === 'succeeded') {
    push(readyDraft, { status: 'done', start: rStart, steps: readySteps });
  } else if (rStart) {
    push(readyDraft, { status: 'running', start: rStart, steps: readySteps });
  } else {
    push(readyDraft, { status: 'waiting' });
  }
  return rows;
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
