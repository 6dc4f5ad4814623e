// What a trace says about one container (image, create, start, restarts, failure) and about the pod as
// a whole, in the words the hovers, inlay hints and CodeLenses use.

import type { Step, Trace } from '../core/model.js';
import { stepDurationMs } from '../core/report/contract.js';
import { diffMs, formatDuration } from '../core/time.js';
import type { Cause } from '../core/vocabulary.js';

export interface Attempt {
  readonly attempt: number;
  readonly created: Step | null;
  readonly started: Step | null;
}

export interface ContainerTimings {
  /** The latest image step: pulled, already present, or failed. */
  readonly image: Step | null;
  /** Create/start per attempt, first run first. */
  readonly attempts: readonly Attempt[];
  readonly restarts: number;
  /** The latest failed step of the container (exit, pull failure…), or null. */
  readonly failure: Step | null;
  /** The latest back-off, if the kubelet is backing off. */
  readonly backOff: Step | null;
}

const IMAGE_KINDS = new Set(['image-pull', 'image-present', 'image-pull-failed']);

export function containerTimings(trace: Trace, name: string, init: boolean): ContainerTimings {
  const mine = trace.steps.filter((s) => s.container === name && s.init === init);
  const image = mine.filter((s) => IMAGE_KINDS.has(s.kind)).pop() ?? null;
  const byAttempt = new Map<number, { created: Step | null; started: Step | null }>();
  for (const s of mine) {
    if (s.kind !== 'container-created' && s.kind !== 'container-started') continue;
    const a = byAttempt.get(s.attempt) ?? { created: null, started: null };
    if (s.kind === 'container-created') a.created = s;
    else a.started = s;
    byAttempt.set(s.attempt, a);
  }
  const attempts = [...byAttempt.entries()].sort((a, b) => a[0] - b[0]).map(([attempt, a]) => ({ attempt, ...a }));
  const failure = mine.filter((s) => s.status === 'failed').pop() ?? null;
  const backOff = mine.filter((s) => s.kind === 'back-off').pop() ?? null;
  return { image, attempts, restarts: attempts.reduce((m, a) => Math.max(m, a.attempt), 0), failure, backOff };
}

/** `14ms`, or null when the step has no duration (one timestamp, or not finished). */
export function durationOf(s: Step): string | null {
  const d = stepDurationMs(s);
  return d === null ? null : formatDuration(d);
}

/** Create to running, for one attempt: from CreateContainer's start to StartContainer's end. */
export function startupMs(a: Attempt): number | null {
  const from = a.created?.start ?? a.created?.end ?? null;
  const to = a.started?.status === 'done' ? (a.started.end ?? a.started.start) : null;
  if (from && to) {
    const d = diffMs(from, to);
    return d > 0 ? d : null;
  }
  return a.started ? stepDurationMs(a.started) : null;
}

/** The inlay hint after `image:`: `pulled in 14ms`, `present`, `pull failed`, `pulling…`. */
export function imageHint(t: ContainerTimings): string | null {
  const s = t.image;
  if (!s) return null;
  if (s.kind === 'image-pull-failed' || s.status === 'failed') return 'pull failed';
  if (s.kind === 'image-present') return 'present';
  if (s.status === 'in-progress') return 'pulling…';
  const d = durationOf(s);
  return d ? `pulled in ${d}` : 'pulled';
}

/** The inlay hint after the container's `name:`: `started in 89ms`, with the restart it is about. */
export function startHint(t: ContainerTimings): string | null {
  const last = [...t.attempts].reverse().find((a) => a.started !== null);
  if (!last || !last.started) return t.attempts.some((a) => a.created?.status === 'in-progress') ? 'creating…' : null;
  const restart = last.attempt > 0 ? ` (restart ${last.attempt})` : '';
  if (last.started.status === 'in-progress') return `starting…${restart}`;
  if (last.started.status === 'failed') return `start failed${restart}`;
  const ms = startupMs(last);
  return `${ms === null ? 'started' : `started in ${formatDuration(ms)}`}${restart}`;
}

/** `insufficient-memory` → `insufficient memory`. */
export function causeText(c: Cause): string {
  return c.replace(/-/g, ' ');
}

function origin(trace: Trace): Step | null {
  return trace.steps.find((s) => s.start ?? s.end) ?? null;
}

function span(from: Step | null, to: Step | null): string | null {
  const a = from?.start ?? from?.end ?? null;
  const b = to?.end ?? to?.start ?? null;
  if (!a || !b) return null;
  const d = diffMs(a, b);
  return d >= 0 ? formatDuration(d) : null;
}

/** The outcome CodeLens: `Ready in 1.36s`, `Pending: insufficient memory`, `Failed: crash loop`. */
export function outcomeTitle(trace: Trace, live: boolean): string {
  const first = origin(trace);
  const cause = trace.diagnosis[0]?.cause;
  const lastTimed = [...trace.steps].reverse().find((s) => s.end ?? s.start) ?? null;
  switch (trace.phase) {
    case 'ready': {
      const t = span(first, trace.steps.find((s) => s.kind === 'ready') ?? lastTimed);
      return t ? `Ready in ${t}` : 'Ready';
    }
    case 'succeeded': {
      const t = span(first, lastTimed);
      return t ? `Succeeded in ${t}` : 'Succeeded';
    }
    case 'failed':
      return cause ? `Failed: ${causeText(cause)}` : 'Failed';
    case 'pending':
      return `Pending${cause ? `: ${causeText(cause)}` : live ? '…' : ''}`;
    default: {
      const t = span(first, lastTimed);
      const word = trace.phase === 'scheduled' ? 'Scheduled' : 'Starting';
      return `${word}${live ? '…' : ''}${t ? ` ${t} so far` : ''}`;
    }
  }
}
