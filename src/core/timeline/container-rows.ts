// The rows of one container, in the order the kubelet goes through them:
//   image pull (or "image already present", zero width) → CreateContainer → StartContainer
//   init containers only: runs to completion (started → the next container's first step / Initialized)
//   native sidecars instead: runs alongside (started → now); the next container starts after it started
//   ephemeral containers: their own rows, outside the chain (they join a running pod)
//   when the container crashed or restarted: one "crash, restart" row
// Each row continues the chain of the one before it: a row with no evidence of its own is running
// once its predecessor is done (see inferred in rows.ts).

import type { Step } from '../model.js';
import { compareInstants, type Instant } from '../time.js';
import { KIND_LABELS, type StepKind } from '../vocabulary.js';
import {
  LABELS,
  chainAfter,
  countOf,
  earliest,
  endOf,
  inferred,
  latest,
  startOf,
  type Chain,
  type Draft,
  type Fill,
  type PhaseKind,
  type PhaseRow,
  type PhaseStatus,
  type RowList,
} from './rows.js';

const IMAGE_KINDS: ReadonlySet<StepKind> = new Set<StepKind>(['image-pull', 'image-present', 'image-pull-failed']);

export interface ContainerRef {
  readonly name: string;
  readonly init: boolean;
  /** An init container with restartPolicy Always (a native sidecar). */
  readonly sidecar?: boolean;
  /** Added by `kubectl debug`: not part of the birth. */
  readonly ephemeral?: boolean;
}

export function containerKey(name: string, init: boolean): string {
  return `${init ? 'init/' : ''}${name}`;
}

/** One container's steps, sorted out the way its rows read them. */
interface ContainerSteps {
  readonly c: ContainerRef;
  readonly all: readonly Step[];
  /** The first attempt's create and start. */
  readonly created0: Step | undefined;
  readonly started0: Step | undefined;
  readonly failures: readonly Step[];
  /** CreateContainer failed: a failure of an attempt that was never created. */
  readonly createFailure: Step | undefined;
  /** StartContainer failed: created, never started. */
  readonly startFailure: Step | undefined;
  readonly imageBackOff: readonly Step[];
  readonly crashBackOff: readonly Step[];
}

export function stepsOfContainer(list: RowList, c: ContainerRef): Step[] {
  return list.steps.filter((s) => s.container === c.name && s.init === c.init);
}

function containerSteps(list: RowList, c: ContainerRef): ContainerSteps {
  const all = stepsOfContainer(list, c);
  const minAttempt = (k: StepKind): Step | undefined =>
    all
      .filter((s) => s.kind === k)
      .sort((a, b) => (a.attempt || 0) - (b.attempt || 0) || list.indexOf(a) - list.indexOf(b))[0];
  const created0 = minAttempt('container-created');
  const started0 = minAttempt('container-started');
  const failures = all.filter((s) => s.kind === 'container-failed');
  const hasAttempt = (k: StepKind, attempt: number): boolean => all.some((s) => s.kind === k && s.attempt === attempt);
  const imageBackOff = all.filter(
    (s) => s.kind === 'back-off' && ((s.yamlPath ?? '').endsWith('.image') || (!created0 && !started0)),
  );
  return {
    c,
    all,
    created0,
    started0,
    failures,
    createFailure: !started0 ? failures.find((f) => !hasAttempt('container-created', f.attempt)) : undefined,
    startFailure: !started0 && created0 ? failures.find((f) => f.attempt === created0.attempt) : undefined,
    imageBackOff,
    crashBackOff: all.filter((s) => s.kind === 'back-off' && !imageBackOff.includes(s)),
  };
}

function draftOf(c: ContainerRef, kind: PhaseKind, label: string): Draft {
  return { id: `${kind}:${containerKey(c.name, c.init)}`, kind, label, group: c.name, container: c.name, init: c.init };
}

/**
 * The rows of every container, init containers first. Returns where the chain stands after them and
 * the StartContainer rows of the app containers (readiness waits for all of them).
 */
export function containerRows(
  list: RowList,
  containers: readonly ContainerRef[],
  chain: Chain,
): { chain: Chain; appStarts: PhaseRow[] } {
  const appStarts: PhaseRow[] = [];
  const birthChain = chain;
  containers.forEach((c, ci) => {
    const k = containerSteps(list, c);
    // An ephemeral container joins a running pod: its rows start from the sandbox, not the last container.
    let own = c.ephemeral ? birthChain : chain;
    own = chainAfter(imageRow(list, k, own));
    own = chainAfter(createRow(list, k, own));
    const start = startRow(list, k, own);
    if (!c.init && !c.ephemeral) appStarts.push(start);
    own = chainAfter(start);
    const restarts = restartsOf(k);
    if (c.sidecar) sidecarRunRow(list, k, start, restarts);
    else if (c.init) own = chainAfter(initRunRow(list, k, containers[ci + 1], start, restarts));
    if (restarts.steps.length > 0) restartsRow(list, k, restarts);
    if (!c.ephemeral) chain = own;
  });
  return { chain, appStarts };
}

function imageRow(list: RowList, k: ContainerSteps, chain: Chain): PhaseRow {
  const { c, created0, started0, createFailure, imageBackOff } = k;
  const images = k.all.filter((s) => IMAGE_KINDS.has(s.kind));
  const img = images.find((s) => s.kind !== 'image-pull-failed') ?? images[images.length - 1];
  const reachedCreate = !!(created0 || started0 || createFailure);
  if (img?.kind === 'image-present') {
    // A check, not a transfer: an instant. The event is whole seconds, so place it after the previous
    // phase (and not after CreateContainer began) when that is what the second allows.
    const evt = endOf(img);
    let when = latest(evt, chain.end);
    const createStart = startOf(created0);
    if (when && createStart && compareInstants(when, createStart) > 0)
      when = latest(evt, earliest(chain.end, createStart));
    return list.push(draftOf(c, 'image-present', KIND_LABELS['image-present']), {
      status: 'done',
      start: when,
      end: when,
      steps: [img],
    });
  }
  if (img?.kind === 'image-pull-failed' || (!img && imageBackOff.length > 0 && !reachedCreate)) {
    const lastBo = imageBackOff[imageBackOff.length - 1];
    const msg = img?.message || lastBo?.message || '';
    return list.push(draftOf(c, 'image-pull', KIND_LABELS['image-pull-failed']), {
      status: reachedCreate ? 'done' : 'failed',
      start: startOf(img) ?? startOf(imageBackOff[0]),
      end: latest(endOf(img), ...imageBackOff.map(endOf)),
      message: msg,
      count: Math.max(countOf(img), 1),
      steps: [img, ...imageBackOff],
    });
  }
  if (img) {
    const running = img.status === 'in-progress' || !img.end;
    return list.push(draftOf(c, 'image-pull', KIND_LABELS['image-pull']), {
      status: running ? 'running' : 'done',
      start: startOf(img),
      end: img.end,
      steps: [img],
    });
  }
  return list.push(draftOf(c, 'image-pull', KIND_LABELS['image-pull']), inferred(chain, reachedCreate));
}

/** A row that is one step: running while the step is, failed when it failed, else done. */
function stepFill(s: Step): Fill {
  const status: PhaseStatus =
    s.status === 'in-progress' || !s.end ? 'running' : s.status === 'failed' ? 'failed' : 'done';
  return { status, start: startOf(s), end: s.end, message: s.message, steps: [s] };
}

function createRow(list: RowList, k: ContainerSteps, chain: Chain): PhaseRow {
  const { c, created0, createFailure } = k;
  if (created0) return list.push(draftOf(c, 'container-create', KIND_LABELS['container-created']), stepFill(created0));
  if (createFailure) {
    return list.push(draftOf(c, 'container-create', `${KIND_LABELS['container-created']} failed`), {
      status: 'failed',
      start: startOf(createFailure),
      end: endOf(createFailure),
      message: createFailure.message,
      count: countOf(createFailure),
      steps: [createFailure],
    });
  }
  return list.push(draftOf(c, 'container-create', KIND_LABELS['container-created']), inferred(chain, !!k.started0));
}

function startRow(list: RowList, k: ContainerSteps, chain: Chain): PhaseRow {
  const { c, started0, startFailure } = k;
  if (started0) return list.push(draftOf(c, 'container-start', KIND_LABELS['container-started']), stepFill(started0));
  if (startFailure) {
    return list.push(draftOf(c, 'container-start', `${KIND_LABELS['container-started']} failed`), {
      status: 'failed',
      start: startOf(startFailure),
      end: endOf(startFailure),
      message: startFailure.message,
      steps: [startFailure],
    });
  }
  return list.push(draftOf(c, 'container-start', KIND_LABELS['container-started']), inferred(chain, false));
}

/** The crashes and restarts after the first start, and whether the container is crashing now. */
interface Restarts {
  readonly steps: readonly Step[];
  readonly crashing: boolean;
}

function restartsOf(k: ContainerSteps): Restarts {
  const { all, started0, createFailure, startFailure, crashBackOff } = k;
  const steps = started0
    ? all.filter(
        (s) =>
          (s.kind === 'container-failed' && s !== createFailure && s !== startFailure) ||
          (s.attempt > 0 && s.kind !== 'container-failed') ||
          crashBackOff.includes(s),
      )
    : [];
  const lastOfContainer = all[all.length - 1];
  const crashing =
    !!lastOfContainer &&
    (lastOfContainer.kind === 'container-failed' ||
      (lastOfContainer.kind === 'back-off' && crashBackOff.includes(lastOfContainer)));
  return { steps, crashing };
}

/** A run row of a container that is crashing: failed, from its first start to its last failure. */
function crashingRun(k: ContainerSteps, runStart: Instant | null, restarts: Restarts): Fill {
  return {
    status: 'failed',
    start: runStart,
    end: latest(...restarts.steps.map(endOf)),
    message: [...k.failures].pop()?.message ?? k.all[k.all.length - 1]?.message ?? '',
    steps: [k.started0, ...restarts.steps],
  };
}

/** An init container runs to completion before the next container begins (or Initialized, after the last). */
function initRunRow(
  list: RowList,
  k: ContainerSteps,
  next: ContainerRef | undefined,
  start: PhaseRow,
  restarts: Restarts,
): PhaseRow {
  const { started0 } = k;
  const nextFirst = next ? earliest(...stepsOfContainer(list, next).map(startOf)) : null;
  const initialized = next?.init ? null : startOf(list.first('initialized'));
  const runEnd = earliest(nextFirst, initialized);
  const runStart = started0?.end ?? null;
  let fill: Fill;
  if (runStart && runEnd && compareInstants(runEnd, runStart) >= 0)
    fill = { status: 'done', start: runStart, end: runEnd, steps: [started0, list.first('initialized')] };
  else if (restarts.crashing) fill = crashingRun(k, runStart, restarts);
  else if (runEnd) fill = { status: 'done', start: runStart, steps: [started0] };
  else if (runStart && start.status === 'done') fill = { status: 'running', start: runStart, steps: [started0] };
  else fill = { status: 'waiting' };
  return list.push(draftOf(k.c, 'init-run', LABELS['init-run']), fill);
}

/**
 * A native sidecar keeps running beside the app containers: from its start, running (no end) while it
 * runs, failed while it is crashing, done when a later step shows it stopped with the pod.
 */
function sidecarRunRow(list: RowList, k: ContainerSteps, start: PhaseRow, restarts: Restarts): PhaseRow {
  const { started0 } = k;
  const runStart = started0?.end ?? null;
  let fill: Fill;
  if (restarts.crashing) fill = crashingRun(k, runStart, restarts);
  else if (runStart && start.status === 'done') fill = { status: 'running', start: runStart, steps: [started0] };
  else fill = { status: 'waiting' };
  return list.push(draftOf(k.c, 'sidecar-run', LABELS['sidecar-run']), fill);
}

function restartsRow(list: RowList, k: ContainerSteps, restarts: Restarts): PhaseRow {
  const { steps, crashing } = restarts;
  const count = Math.max(0, ...k.all.map((s) => (Number.isFinite(s.attempt) ? s.attempt : 0)));
  const lastFailure =
    [...steps].reverse().find((s) => s.kind === 'container-failed') ?? k.crashBackOff[k.crashBackOff.length - 1];
  return list.push(draftOf(k.c, 'restarts', LABELS.restarts), {
    status: crashing ? 'failed' : 'done',
    start: earliest(...steps.map(startOf)),
    end: latest(...steps.map(endOf)),
    message: lastFailure?.message ?? '',
    count: Math.max(1, count),
    steps,
  });
}
