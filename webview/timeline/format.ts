// Text for the timeline view: pure functions of the model (no DOM), so they can be tested in Node.
// Every string returned here is put into the page with textContent or setAttribute, never as markup.

import type { PhaseRow, StartupSlo } from '../../src/core/timeline/index.js';
import { formatDuration } from '../../src/core/time.js';

/** Where a bar goes on the track, in milliseconds from the trace origin. */
export interface BarGeometry {
  /** Percent of the track from the left. */
  readonly left: number;
  /** Percent of the track; 0 for an instant (CSS gives it a minimum width). */
  readonly width: number;
  /** The row's length as drawn (running rows: up to now or the trace's last known time). */
  readonly ms: number | null;
}

export interface TrackScale {
  /** Leftmost millisecond (≤ 0: a node clock slightly behind the origin can place a start before it). */
  readonly lo: number;
  /** Rightmost millisecond (> lo). */
  readonly hi: number;
}

/** The scale of one trace's track: from min(0, earliest start) to the latest end, or now while live. */
export function trackScale(rows: readonly PhaseRow[], nowOffsetMs: number | null): TrackScale {
  let lo = 0;
  let hi = 0;
  for (const r of rows) {
    if (r.offsetMs === null || !Number.isFinite(r.offsetMs)) continue;
    lo = Math.min(lo, r.offsetMs);
    hi = Math.max(hi, r.offsetMs + (r.durationMs ?? 0));
  }
  if (nowOffsetMs !== null && Number.isFinite(nowOffsetMs)) hi = Math.max(hi, nowOffsetMs);
  return { lo, hi: Math.max(hi, lo + 1) };
}

/**
 * A row's bar. Running rows end at `nowOffsetMs` while live, else at the last known moment of the
 * trace (`scale.hi`); rows without a time have no bar (null).
 */
export function barGeometry(r: PhaseRow, scale: TrackScale, nowOffsetMs: number | null): BarGeometry | null {
  if (r.offsetMs === null || !Number.isFinite(r.offsetMs)) return null;
  const span = scale.hi - scale.lo;
  const start = r.offsetMs;
  let ms: number | null = r.durationMs;
  if (r.status === 'running') ms = Math.max(0, (nowOffsetMs ?? scale.hi) - start);
  const drawn = ms ?? 0;
  const left = ((start - scale.lo) / span) * 100;
  const width = Math.min(100 - left, (drawn / span) * 100);
  return { left: clampPct(left), width: clampPct(width), ms };
}

function clampPct(x: number): number {
  return Number.isFinite(x) ? Math.max(0, Math.min(100, Math.round(x * 1000) / 1000)) : 0;
}

/** The duration column: `13.6ms`, `instant`, `1.24s…` (running, live), `unfinished`, `—` (waiting), `?` (time unknown). */
export function durationText(r: PhaseRow, g: BarGeometry | null, live: boolean): string {
  if (r.status === 'waiting') return '—';
  if (r.status === 'running')
    return live && g?.ms !== null && g?.ms !== undefined ? `${formatDuration(g.ms)}…` : 'unfinished';
  if (r.durationMs === null) return r.status === 'failed' ? 'failed' : '?';
  if (r.durationMs === 0) return 'instant';
  return `${r.precision === 's' ? '~' : ''}${formatDuration(r.durationMs)}`;
}

const STATUS_WORD: Record<PhaseRow['status'], string> = {
  done: 'done',
  running: 'in progress',
  failed: 'failed',
  waiting: 'not started',
};

/** What a screen reader says for a row. */
export function rowAria(r: PhaseRow, duration: string): string {
  const where = r.container ? `${r.init ? 'init container' : 'container'} ${r.container}: ` : '';
  const at = r.offsetMs !== null ? `, at +${formatDuration(Math.max(0, r.offsetMs))}` : '';
  const count = r.count > 1 ? `, ${r.kind === 'restarts' ? `${r.count} restarts` : `${r.count} attempts`}` : '';
  const dur = duration && duration !== '—' && duration !== '?' ? `, ${duration}` : '';
  return `${where}${r.label}, ${STATUS_WORD[r.status]}${dur}${at}${count}`;
}

/** The hover text of a bar: the facts behind its place (our own words and ISO times only). */
export function rowTitle(r: PhaseRow): string {
  const parts: string[] = [r.label];
  if (r.start) parts.push(`from ${r.start.key.replace('T', ' ').replace('Z', ' UTC')}`);
  if (r.end) parts.push(`to ${r.end.key.replace('T', ' ').replace('Z', ' UTC')}`);
  if (r.precision) parts.push(`precision ${r.precision}${r.precision === 's' ? ' (whole seconds: ±1 s)' : ''}`);
  if (r.stepIds.length > 0) parts.push(`steps ${r.stepIds.join(', ')}`);
  return parts.join('\n');
}

/** The SLO badge: short text, and the sentence for its tooltip and aria label. */
export function sloBadge(slo: StartupSlo): { text: string; aria: string } {
  const m = slo.measuredMs;
  switch (slo.verdict) {
    case 'within':
      return {
        text: `SLO ✓ ${formatDuration(m ?? 0)}`,
        aria: `Pod startup SLO: within, ${formatDuration(m ?? 0)} of 5 s. ${slo.explanation}`,
      };
    case 'over':
      return {
        text: `SLO ✗ ${formatDuration(m ?? 0)} > 5s`,
        aria: `Pod startup SLO: over, ${formatDuration(m ?? 0)} against 5 s. ${slo.explanation}`,
      };
    case 'pending':
      return { text: 'SLO …', aria: `Pod startup SLO: pending. ${slo.explanation}` };
    case 'not-applicable':
      return { text: 'SLO n/a', aria: `Pod startup SLO: not applicable. ${slo.explanation}` };
  }
}

/** The group heading above a container's rows. */
export function groupText(r: PhaseRow): string {
  if (r.container === null) return 'Pod';
  return `${r.init ? 'Init container' : 'Container'} ${r.container}`;
}

/** The few words after the SLO badge, in the one-line summary (the explanation is one click away). */
export function sloShort(slo: StartupSlo): string {
  switch (slo.verdict) {
    case 'within':
      return 'within the 5 s startup SLO';
    case 'over':
      return 'over the 5 s startup SLO';
    case 'pending':
      return 'containers still starting';
    case 'not-applicable':
      return 'not counted';
  }
}
