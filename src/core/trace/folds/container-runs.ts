// container-created / container-started, one pair per attempt (attempt n = the n-th restart).
// Rule: the runtime log gives one CreateContainer and one StartContainer per attempt (ns), joined by
// the container id CreateContainer returned; a CreateContainer or StartContainer failure line makes
// that attempt's step container-failed. The Created and Started events (and the status's startedAt)
// describe attempt 0 only, unless the status's container id names the attempt. The watch's first sight
// of the container running refines startedAt. Create runs from the image step, start from create.

import type { CriRecord, NormalizedEvent } from '../../model.js';
import { apiTime, containerStatuses } from '../../pod-status.js';
import type { Instant } from '../../time.js';
import { firstObserved, watchRefines } from '../candidates.js';
import type { StepDrafts } from '../drafts.js';
import type { ContainerFold } from '../fold.js';
import { firstSeen } from '../pod-events.js';
import { stripScheme } from '../pod-records.js';
import type { ContainerView, PodView } from '../pod-view.js';

/** What the create and start of every attempt of one container read. */
interface Runs {
  readonly view: PodView;
  readonly c: ContainerView;
  readonly drafts: StepDrafts;
  readonly createStarts: readonly CriRecord[];
  readonly createEnds: readonly CriRecord[];
  readonly createdEvents: readonly NormalizedEvent[];
  readonly startedEvents: readonly NormalizedEvent[];
}

export const foldContainerRuns: ContainerFold = (view, c, drafts) => {
  const sandboxEnds = view.cri.filter((r) => r.rpc === 'RunPodSandbox' && r.phase === 'end');
  const creates = (phase: CriRecord['phase']): CriRecord[] =>
    view.cri.filter(
      (r) =>
        r.rpc === 'CreateContainer' &&
        r.phase === phase &&
        r.container?.name === c.name &&
        sandboxMatches(r, sandboxEnds),
    );
  const runs: Runs = {
    view,
    c,
    drafts,
    createStarts: creates('start'),
    createEnds: creates('end'),
    createdEvents: view.events.withReason('Created', c.name),
    startedEvents: view.events.withReason('Started', c.name),
  };
  for (const attempt of attemptsOf(runs)) {
    const containerId = foldCreate(runs, attempt);
    if (containerId !== false) foldStart(runs, attempt, containerId);
  }
};

/** A CreateContainer inside another sandbox than the pod's is another pod's (when the sandboxes are known). */
function sandboxMatches(r: CriRecord, sandboxEnds: readonly CriRecord[]): boolean {
  if (!r.sandboxId || sandboxEnds.length === 0) return true;
  return sandboxEnds.some((s) => s.sandboxId === r.sandboxId);
}

/** Attempts with evidence, ascending: those the runtime logged, and 0 when events or the status show a run. */
function attemptsOf(runs: Runs): number[] {
  const seen = new Set<number>([...runs.createStarts, ...runs.createEnds].map((r) => r.container?.attempt ?? 0));
  const state = runs.c.status?.state;
  const startedAt = state?.running?.startedAt ?? state?.terminated?.startedAt;
  if (runs.createdEvents.length > 0 || runs.startedEvents.length > 0 || startedAt) seen.add(0);
  return [...seen].sort((a, b) => a - b);
}

/** The attempt's create step. Returns the container id it created (null when unknown), or false when it failed. */
function foldCreate(runs: Runs, attempt: number): string | null | false {
  const { view, c, drafts } = runs;
  const ofAttempt = (r: CriRecord): boolean => (r.container?.attempt ?? 0) === attempt;
  const start = runs.createStarts.find(ofAttempt);
  const end = runs.createEnds.find(ofAttempt);
  const containerId = end?.containerId ?? null;
  const failure = view.cri.find(
    (r) => r.rpc === 'CreateContainer' && r.phase === 'failed' && r.container?.name === c.name && ofAttempt(r),
  );
  const d = drafts.get(failure ? 'container-failed' : 'container-created', c.name, c.init, attempt);
  if (start) d.starts.push({ time: start.time, source: 'runtime-log' });
  if (end) d.ends.push({ time: end.time, source: 'runtime-log' });
  if (failure) {
    d.ends.push({ time: failure.time, source: 'runtime-log' });
    d.status = 'failed';
    d.message = failure.error ?? 'CreateContainer failed';
  }
  if (attempt === 0) d.ends.push(...firstSeen(runs.createdEvents));
  if (!failure)
    d.message = containerId ? `container ${containerId.slice(0, 12)}` : (runs.createdEvents[0]?.message ?? '');
  d.yamlPath = c.yamlPath;
  if (attempt === 0 && d.starts.length === 0) {
    const image = drafts.bestEnd(
      (x) => x.container === c.name && (x.kind === 'image-pull' || x.kind === 'image-present'),
    );
    if (image) d.starts.push(image);
  }
  return failure ? false : containerId;
}

/** The attempt's start step (container-failed when the runtime says StartContainer failed). */
function foldStart(runs: Runs, attempt: number, containerId: string | null): void {
  const { view, c, drafts } = runs;
  const calls = containerId ? view.cri.filter((r) => r.rpc === 'StartContainer' && r.containerId === containerId) : [];
  const start = calls.find((r) => r.phase === 'start');
  const end = calls.find((r) => r.phase === 'end' || r.phase === 'failed');
  const apiStarted = statusStartedAt(c, attempt, containerId);
  const started = attempt === 0 ? runs.startedEvents : [];
  if (!start && !end && !apiStarted && started.length === 0) return;
  const failed = end?.phase === 'failed';
  const d = drafts.get(failed ? 'container-failed' : 'container-started', c.name, c.init, attempt);
  if (start) d.starts.push({ time: start.time, source: 'runtime-log' });
  if (end) d.ends.push({ time: end.time, source: 'runtime-log' });
  if (apiStarted) d.ends.push({ time: apiStarted, source: 'pod' });
  d.ends.push(...firstSeen(started));
  const runObserved = firstObserved(view.snapshots, (p) => {
    const s = containerStatuses(p).find((x) => x.status.name === c.name && x.init === c.init)?.status;
    return !!s?.state?.running && (!containerId || stripScheme(s.containerID) === containerId);
  });
  if (runObserved?.receivedAt && watchRefines(runObserved.receivedAt, apiStarted))
    d.ends.push({ time: runObserved.receivedAt, source: 'watch' });
  if (d.starts.length === 0) {
    const created = drafts.bestEnd(
      (x) => x.kind === 'container-created' && x.container === c.name && x.attempt === attempt,
    );
    if (created) d.starts.push(created);
  }
  d.status = failed ? 'failed' : 'done';
  d.message = failed
    ? (end?.error ?? 'StartContainer failed')
    : containerId
      ? `container ${containerId.slice(0, 12)}`
      : (runs.startedEvents[0]?.message ?? '');
  d.yamlPath = c.yamlPath;
}

/**
 * The status's startedAt for this attempt: the current run's when its container id is the attempt's
 * (or, without ids, for attempt 0 of a container that never restarted), the previous run's when the
 * last termination's id is.
 */
function statusStartedAt(c: ContainerView, attempt: number, containerId: string | null): Instant | null {
  const st = c.status;
  const current = stripScheme(st?.containerID);
  if ((containerId && current === containerId) || (!containerId && attempt === 0 && (st?.restartCount ?? 0) === 0))
    return apiTime(st?.state?.running?.startedAt ?? st?.state?.terminated?.startedAt);
  if (containerId && stripScheme(st?.lastState?.terminated?.containerID) === containerId)
    return apiTime(st?.lastState?.terminated?.startedAt);
  return null;
}
