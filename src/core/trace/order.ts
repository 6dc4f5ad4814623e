// The one ordering rule of a trace's steps: by (second, logical rank, full time), then id.
//
// Sources disagree below the second (an event says 09:38:09, the runtime log 09:38:09.709120334), so
// within one second the logical order of the birth decides (created before scheduled before the
// sandbox before each container's pull, create, start…), and the full time only after that. Ids are
// unique, so this is a total order: the result never depends on the order the steps came in.

import type { Step } from '../model.js';
import type { StepKind } from '../vocabulary.js';

/** Rank of a container's steps within that container's block of ranks. */
const CONTAINER_OFFSET: Partial<Record<StepKind, number>> = {
  'image-pull': 0,
  'image-present': 0,
  'image-pull-failed': 1,
  'container-created': 3,
  'container-started': 4,
  'probe-failed': 5,
  'container-killed': 6,
  'container-failed': 7,
  'back-off': 8,
};

/** Ranks of the pod-level steps: before every container, except the readiness conditions after all. */
const POD_RANK: Partial<Record<StepKind, number>> = {
  created: 0,
  'scheduling-gated': 0.5,
  'scheduling-failed': 1,
  nominated: 1.5,
  scheduled: 2,
  'kubelet-accepted': 3,
  'volume-failed': 4,
  'sandbox-created': 6,
  'sandbox-failed': 7,
  'containers-ready': 100_000,
  ready: 100_001,
  // How the pod ended comes after what its containers did in that second.
  'deadline-exceeded': 100_002,
  evicted: 100_002,
  preempted: 100_002,
};

/** A step's logical rank: container i gets the block 10 + 20·i; Initialized comes after the last init container. */
function stepRank(s: Step, containers: readonly { name: string; init: boolean }[], nInit: number): number {
  if (s.kind === 'initialized') return nInit > 0 ? 10 + nInit * 20 - 1 : 5;
  if (s.container !== null) {
    const i = containers.findIndex((c) => c.name === s.container && c.init === s.init);
    return 10 + Math.max(0, i) * 20 + (CONTAINER_OFFSET[s.kind] ?? 9);
  }
  return POD_RANK[s.kind] ?? 50_000;
}

/** `YYYY-MM-DDTHH:MM:SS` of the step's start (its end when it has no start); steps without time go last. */
function secondOf(s: Step): string {
  const t = s.start ?? s.end;
  return t ? t.key.slice(0, 19) : '9999';
}

/** The steps in trace order (a new array); the trace's containers, in its order, give the ranks. */
export function orderSteps(steps: readonly Step[], containers: readonly { name: string; init: boolean }[]): Step[] {
  const nInit = containers.filter((c) => c.init).length;
  const rank = (s: Step): number => stepRank(s, containers, nInit);
  return [...steps].sort((a, b) => {
    const sa = secondOf(a);
    const sb = secondOf(b);
    if (sa !== sb) return sa < sb ? -1 : 1;
    const ra = rank(a);
    const rb = rank(b);
    if (ra !== rb) return ra - rb;
    const ka = (a.start ?? a.end)?.key ?? '';
    const kb = (b.start ?? b.end)?.key ?? '';
    if (ka !== kb) return ka < kb ? -1 : 1;
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  });
}
