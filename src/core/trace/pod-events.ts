// The pod's events as the folds read them: by reason (and container), oldest first, and turned into
// time candidates. Reasons and fieldPaths are the API's contract; message wording is not, so no fold
// decides on a message where a reason would do.

import { containerFromFieldPath } from '../event-field-path.js';
import type { NormalizedEvent } from '../model.js';
import type { Candidate } from './candidates.js';
import type { StepDraft } from './drafts.js';

export class PodEvents {
  constructor(readonly all: readonly NormalizedEvent[]) {}

  /**
   * Events of a reason, by first occurrence then uid. With `container` (null = the pod itself) only
   * those whose fieldPath names it; without, all of them.
   */
  withReason(reason: string, container?: string | null): NormalizedEvent[] {
    return this.all
      .filter(
        (e) =>
          e.reason === reason &&
          (container === undefined || (containerFromFieldPath(e.regarding.fieldPath)?.name ?? null) === container),
      )
      .sort((a, b) => (a.first?.key ?? '').localeCompare(b.first?.key ?? '') || a.uid.localeCompare(b.uid));
  }
}

function candidates(evs: readonly NormalizedEvent[], which: 'first' | 'last'): Candidate[] {
  return evs.flatMap((e) => {
    const time = e[which];
    return time ? [{ time, source: 'event' as const }] : [];
  });
}

/** The first occurrence of the earliest event (as a one-element list, or none). */
export function firstSeen(evs: readonly NormalizedEvent[]): Candidate[] {
  return candidates(evs, 'first').slice(0, 1);
}

/** The latest last occurrence among the events (as a one-element list, or none). */
export function lastSeen(evs: readonly NormalizedEvent[]): Candidate[] {
  return candidates(evs, 'last')
    .sort((a, b) => a.time.key.localeCompare(b.time.key))
    .slice(-1);
}

/** How often the events happened in all (series counts included). */
export function totalCount(evs: readonly NormalizedEvent[]): number {
  return evs.reduce((n, e) => n + e.count, 0);
}

/** The message of the event that happened last ('' without events). */
export function lastMessage(evs: readonly NormalizedEvent[]): string {
  return (
    [...evs].sort((a, b) => (a.last?.key ?? '').localeCompare(b.last?.key ?? '') || a.uid.localeCompare(b.uid)).pop()
      ?.message ?? ''
  );
}

/**
 * A step that is a run of repeated events (BackOff ×N, Unhealthy ×N, Killing ×N…): from the first
 * occurrence to the last, their counts summed, the last message.
 */
export function foldEventRun(d: StepDraft, evs: readonly NormalizedEvent[]): void {
  d.count = Math.max(1, totalCount(evs));
  d.starts.push(...firstSeen(evs));
  d.ends.push(...lastSeen(evs));
  d.message = lastMessage(evs);
}
