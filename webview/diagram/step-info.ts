// Plain-text facts about a step for the hover tooltip and the label's aria-label.
// Cluster text is returned as strings and only ever reaches the DOM through textContent.

import type { Step, Trace } from '../../src/core/model.js';
import { diffMs, formatDuration, formatInstant, type Instant } from '../../src/core/time.js';
import { KIND_LABELS } from '../../src/core/vocabulary.js';

export interface StepFacts {
  readonly title: string;
  readonly rows: readonly (readonly [string, string])[];
  readonly message: string | null;
  readonly hint: string;
}

const PRECISION_TEXT: Record<string, string> = {
  s: 'seconds',
  ms: 'milliseconds',
  us: 'microseconds',
  ns: 'nanoseconds',
};

function iso(i: Instant | null): string | null {
  try {
    return i ? formatInstant(i) : null;
  } catch {
    return null;
  }
}

export function stepIndex(trace: Trace | null): Map<string, Step> {
  const m = new Map<string, Step>();
  for (const s of trace?.steps ?? []) m.set(s.id, s);
  return m;
}

export function stepFacts(step: Step | undefined, label: string): StepFacts {
  if (!step) return { title: label, rows: [], message: null, hint: '' };
  const rows: [string, string][] = [];
  const start = iso(step.start);
  const end = iso(step.end);
  if (start && end && start !== end) {
    rows.push(['start', start], ['end', end]);
  } else if (start || end) {
    rows.push(['time', (start ?? end) as string]);
  }
  if (step.start && step.end) {
    const ms = diffMs(step.start, step.end);
    if (Number.isFinite(ms) && ms > 0) rows.push(['duration', formatDuration(ms)]);
  }
  if (step.status === 'in-progress') rows.push(['status', 'in progress']);
  else if (step.status === 'failed') rows.push(['status', 'failed']);
  rows.push(['source', step.source], ['precision', PRECISION_TEXT[step.precision] ?? step.precision]);
  if (Number.isFinite(step.count) && step.count > 1) rows.push(['repeats', `×${Math.floor(step.count)}`]);
  const also = (step.corroboration ?? []).map((c) => `${c.source} (${c.precision})`);
  if (also.length > 0) rows.push(['also seen by', also.join(', ')]);
  const kind = (KIND_LABELS as Partial<Record<string, string>>)[step.kind] ?? step.kind;
  const message = typeof step.message === 'string' && step.message.trim() !== '' ? step.message.slice(0, 400) : null;
  const hint = step.yamlPath
    ? `Click or press Enter to show ${step.yamlPath} in the manifest`
    : 'Click or press Enter to reveal this step';
  return { title: label || kind, rows, message, hint };
}

/** One line for screen readers: what the arrow is, when, how long. */
export function ariaFor(f: StepFacts): string {
  const when = f.rows.find(([k]) => k === 'time' || k === 'start')?.[1];
  const dur = f.rows.find(([k]) => k === 'duration')?.[1];
  return [f.title, when ? `at ${when}` : '', dur ? `took ${dur}` : '', f.hint].filter(Boolean).join(', ');
}
