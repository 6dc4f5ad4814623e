// The pod-level rows of the waterfall: scheduling (creation → bind), sandbox (admission →
// RunPodSandbox done, the last attempt decides) and readiness (every app container started → Ready).

import type { Step } from '../model.js';
import { KIND_LABELS, type StepKind } from '../vocabulary.js';
import { countOf, endOf, latest, podDraft, startOf, type PhaseRow, type RowList } from './rows.js';

/**
 * Scheduling: from the creation to the bind, or failing with the last scheduling-failed, or held while
 * scheduling gates remain (running: nothing is wrong, the pod waits for whoever removes them).
 */
export function schedulingRow(list: RowList): PhaseRow {
  const created = list.first('created');
  const scheduled = list.first('scheduled');
  const schedFailed = list.last('scheduling-failed');
  const gated = list.first('scheduling-gated');
  const nominated = list.last('nominated');
  const t0 = startOf(created);
  const draft = podDraft('scheduling');
  if (scheduled) {
    return list.push(draft, {
      status: 'done',
      start: t0 ?? startOf(scheduled),
      end: endOf(scheduled),
      count: countOf(schedFailed) + (schedFailed ? 1 : 0),
      steps: [created, gated, schedFailed, nominated, scheduled],
    });
  }
  if (gated && gated.status === 'in-progress') {
    return list.push(
      { ...draft, label: KIND_LABELS['scheduling-gated'] },
      { status: 'running', start: t0 ?? startOf(gated), steps: [created, gated] },
    );
  }
  if (schedFailed) {
    return list.push(
      { ...draft, label: KIND_LABELS['scheduling-failed'] },
      {
        status: 'failed',
        start: t0 ?? startOf(schedFailed),
        end: endOf(schedFailed),
        message: schedFailed.message,
        count: countOf(schedFailed),
        steps: [created, schedFailed],
      },
    );
  }
  const later = list.steps.some((s) => s.kind !== 'created');
  return list.push(
    draft,
    later
      ? { status: 'done', start: t0, steps: [created] }
      : t0
        ? { status: 'running', start: t0, steps: [created] }
        : { status: 'waiting' },
  );
}

/**
 * Sandbox: from the kubelet's admission to RunPodSandbox's end (the last attempt decides); a failed
 * volume mount fails it while no container got anywhere.
 */
export function sandboxRow(list: RowList, sched: PhaseRow, readyStep: Step | undefined): PhaseRow {
  const steps = list.steps;
  const scheduled = list.first('scheduled');
  const anyContainerStep = steps.some((s) => s.container !== null && s.container !== undefined);
  const accepted = list.first('kubelet-accepted');
  const sandboxes = steps.filter((s) => s.kind === 'sandbox-created' || s.kind === 'sandbox-failed');
  const lastSandbox = sandboxes[sandboxes.length - 1];
  const volumes = steps.filter((s) => s.kind === 'volume-failed');
  const volFailed = volumes.filter((s) => s.status === 'failed').pop();
  const sbStart = startOf(accepted) ?? startOf(sandboxes[0]);
  const draft = podDraft('sandbox');
  const sbSteps = [accepted, ...volumes, ...sandboxes];
  if (lastSandbox?.kind === 'sandbox-created' && lastSandbox.status !== 'in-progress' && lastSandbox.end) {
    return list.push(draft, {
      status: 'done',
      start: sbStart,
      end: lastSandbox.end,
      count: sandboxes.length,
      steps: sbSteps,
    });
  }
  if (lastSandbox?.kind === 'sandbox-failed') {
    return list.push(
      { ...draft, label: KIND_LABELS['sandbox-failed'] },
      {
        status: 'failed',
        start: sbStart,
        end: endOf(lastSandbox),
        message: lastSandbox.message,
        count: Math.max(sandboxes.length, countOf(lastSandbox)),
        steps: sbSteps,
      },
    );
  }
  if (volFailed && !anyContainerStep) {
    return list.push(
      { ...draft, label: KIND_LABELS['volume-failed'] },
      {
        status: 'failed',
        start: sbStart ?? startOf(volFailed),
        end: endOf(volFailed),
        message: volFailed.message,
        count: countOf(volFailed),
        steps: sbSteps,
      },
    );
  }
  if (anyContainerStep || readyStep) return list.push(draft, { status: 'done', start: sbStart, steps: sbSteps });
  if (sbStart || (sched.status === 'done' && scheduled))
    return list.push(draft, { status: 'running', start: sbStart ?? sched.end, steps: sbSteps });
  return list.push(draft, { status: 'waiting' });
}

/** Steps that end the pod from outside its containers. */
const END_KINDS: ReadonlySet<StepKind> = new Set<StepKind>(['deadline-exceeded', 'evicted', 'preempted']);

/** Readiness: from the moment every app container has started to Ready (or what keeps it from Ready). */
export function readinessRow(
  list: RowList,
  appStarts: readonly PhaseRow[],
  readyStep: Step | undefined,
  phase: string,
): PhaseRow {
  const steps = list.steps;
  const draft = podDraft('readiness');
  const allStarted = appStarts.length > 0 && appStarts.every((r) => r.status === 'done' && r.end);
  const rStart = allStarted ? latest(...appStarts.map((r) => r.end)) : null;
  const probe = steps.filter((s) => s.kind === 'probe-failed' && s.status === 'failed').pop();
  const readySteps = [readyStep, probe];
  if (readyStep) {
    return list.push(draft, {
      status: 'done',
      start: rStart,
      end: rStart ? endOf(readyStep) : null,
      steps: readySteps,
    });
  }
  if (rStart && probe) {
    return list.push(draft, {
      status: 'failed',
      start: rStart,
      end: endOf(probe),
      message: probe.message,
      count: countOf(probe),
      steps: readySteps,
    });
  }
  // Stopped from outside (active deadline, eviction, preemption): that is why it never got (or stayed) Ready.
  const ended = steps.filter((s) => END_KINDS.has(s.kind)).pop();
  if (ended) {
    return list.push(draft, {
      status: 'failed',
      start: rStart ?? startOf(ended),
      end: endOf(ended),
      message: ended.message,
      count: countOf(ended),
      steps: [...readySteps, ended],
    });
  }
  if (rStart && phase === 'failed') {
    const why = steps.filter((s) => s.status === 'failed' && s.container !== null && !s.init).pop();
    return list.push(draft, {
      status: 'failed',
      start: rStart,
      end: latest(...steps.map(endOf)),
      message: why?.message ?? '',
      steps: [why],
    });
  }
  if (rStart && phase === 'succeeded') return list.push(draft, { status: 'done', start: rStart, steps: readySteps });
  if (rStart) return list.push(draft, { status: 'running', start: rStart, steps: readySteps });
  return list.push(draft, { status: 'waiting' });
}
