// One step's time is chosen among candidates from several sources (runtime log ns, kubelet log µs,
// watch receive ms, event µs or s, pod status s). The most precise candidate sets the time; the
// others are kept as corroboration (see finalize.ts).

import type { PodSnapshot } from './evidence.js';
import type { Pod } from '../k8s-types.js';
import { diffMs, type Instant } from '../time.js';
import { precisionRank, type Source } from '../vocabulary.js';

export interface Candidate {
  readonly time: Instant;
  readonly source: Source;
}

/**
 * The candidate that sets a step's time: the most precise; among equally precise ones the earliest,
 * then the source name, so the choice never depends on the order the candidates were gathered in.
 */
export function best(cands: readonly Candidate[]): Candidate | null {
  let b: Candidate | null = null;
  for (const c of cands) {
    if (
      !b ||
      precisionRank(c.time.precision) > precisionRank(b.time.precision) ||
      (precisionRank(c.time.precision) === precisionRank(b.time.precision) &&
        (c.time.key < b.time.key || (c.time.key === b.time.key && c.source < b.source)))
    )
      b = c;
  }
  return b;
}

/**
 * A time observed by our watch refines a whole-second API time only if it lies within two seconds
 * after it: then the real moment is between the two, and the receive time is the tighter bound.
 * Attaching to an old pod gives receive times far later, which must not replace the real ones.
 */
export function watchRefines(observed: Instant | null, apiTime: Instant | null): boolean {
  if (!observed || !apiTime) return false;
  const d = diffMs(apiTime, observed);
  return d >= 0 && d < 2000;
}

/** First snapshot (in resourceVersion order) for which pred holds; its receivedAt is when the watch saw it. */
export function firstObserved(snaps: readonly PodSnapshot[], pred: (p: Pod) => boolean): PodSnapshot | null {
  for (const s of snaps) if (pred(s.pod)) return s;
  return null;
}
