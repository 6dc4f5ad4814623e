// The rollout view's pure part (no DOM): the sort orders, the shared time axis of the waterfall, each
// pod's bar segments on it, and the texts (verdict line, percentile cells). Kept apart from the DOM so
// the same numbers are checked without a browser.

import {
  ROLLOUT_PHASES,
  type RolloutMetric,
  type RolloutPhase,
  type RolloutPod,
  type RolloutReport,
} from '../../src/core/rollout/report.js';
import { formatDuration } from '../../src/core/time.js';

/** What the rows can be sorted by: a phase, the SLO startup, the whole birth, or the pod's name. */
export type SortKey = RolloutMetric | 'name';

export interface SortOrder {
  readonly key: SortKey;
  /** true: largest first (the default for times), false: smallest first. */
  readonly desc: boolean;
}

export const DEFAULT_SORT: SortOrder = { key: 'total', desc: true };

export const SORT_KEYS: readonly SortKey[] = ['name', 'total', 'sloStartup', ...ROLLOUT_PHASES];

export const METRIC_LABEL: Record<RolloutMetric, string> = {
  schedule: 'Schedule',
  sandbox: 'Sandbox',
  pull: 'Pull',
  create: 'Create',
  start: 'Start',
  ready: 'Ready',
  sloStartup: 'SLO startup',
  total: 'Total',
};

export function isSortKey(x: unknown): x is SortKey {
  return typeof x === 'string' && (SORT_KEYS as readonly string[]).includes(x);
}

/** A pod's value for a time key; undefined when the pod has not finished it. */
export function metricOf(p: RolloutPod, key: RolloutMetric): number | undefined {
  if (key === 'total') return p.totalMs;
  if (key === 'sloStartup') return p.sloStartupMs;
  return p.phases[key];
}

/**
 * The pods in `order`. Pods without a value for the key go last whatever the direction (a pod still
 * pulling has no pull time yet, and is not "fastest"); ties keep the name order, so a live update does
 * not shuffle equal rows.
 */
export function sortPods(pods: readonly RolloutPod[], order: SortOrder): RolloutPod[] {
  const byName = (a: RolloutPod, b: RolloutPod): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  const { key, desc } = order;
  if (key === 'name') return [...pods].sort((a, b) => (desc ? -byName(a, b) : byName(a, b)));
  return [...pods].sort((a, b) => {
    const x = metricOf(a, key);
    const y = metricOf(b, key);
    if (x === undefined || y === undefined) return x === y ? byName(a, b) : x === undefined ? 1 : -1;
    return (desc ? y - x : x - y) || byName(a, b);
  });
}

/** The waterfall's one time axis: from the first pod's creation to the last pod's last known phase. */
export interface Axis {
  readonly originMs: number;
  readonly spanMs: number;
}

/** Where a pod's known phases end, relative to its creation. */
export function podEndMs(p: RolloutPod): number {
  let sum = 0;
  let spanEnd = 0;
  for (const ph of ROLLOUT_PHASES) {
    sum += p.phases[ph] ?? 0;
    spanEnd = Math.max(spanEnd, p.spans?.[ph]?.[1] ?? 0);
  }
  return Math.max(p.spans ? spanEnd : sum, p.totalMs ?? 0);
}

export function axisOf(pods: readonly RolloutPod[]): Axis {
  let origin = Infinity;
  let end = -Infinity;
  for (const p of pods) {
    if (p.createdAtMs === undefined) continue;
    origin = Math.min(origin, p.createdAtMs);
    end = Math.max(end, p.createdAtMs + podEndMs(p));
  }
  if (!Number.isFinite(origin)) {
    // No creation times: every pod starts at 0 and the axis is the longest birth.
    const longest = pods.reduce((m, p) => Math.max(m, podEndMs(p)), 0);
    return { originMs: 0, spanMs: Math.max(longest, 1) };
  }
  return { originMs: origin, spanMs: Math.max(end - origin, 1) };
}

/** One phase bar of a pod, in percent of the axis. */
export interface Segment {
  readonly phase: RolloutPhase;
  readonly leftPct: number;
  readonly widthPct: number;
  readonly ms: number;
}

/**
 * The pod's phases on the axis: where the report gives a phase's span (from the pod's creation), the
 * bar covers it; otherwise (an older report) the phases are laid end to end from the creation, in
 * the order they happen. A phase shorter than a pixel still shows as a sliver (CSS min-width).
 */
export function segmentsOf(p: RolloutPod, axis: Axis): Segment[] {
  const out: Segment[] = [];
  const base = (p.createdAtMs ?? axis.originMs) - axis.originMs;
  let at = base;
  for (const phase of ROLLOUT_PHASES) {
    const ms = p.phases[phase];
    const span = p.spans?.[phase];
    if (span) {
      const [from, to] = span;
      out.push({
        phase,
        leftPct: ((base + from) / axis.spanMs) * 100,
        widthPct: ((to - from) / axis.spanMs) * 100,
        ms: ms ?? to - from,
      });
      at = Math.max(at, base + to);
      continue;
    }
    if (ms === undefined) continue;
    out.push({ phase, leftPct: (at / axis.spanMs) * 100, widthPct: (ms / axis.spanMs) * 100, ms });
    at += ms;
  }
  return out;
}

/** Where the pod's total ends on the axis (the Ready tick), or null without a total. */
export function endPct(p: RolloutPod, axis: Axis): number | null {
  if (p.totalMs === undefined) return null;
  const at = (p.createdAtMs ?? axis.originMs) - axis.originMs + p.totalMs;
  return (at / axis.spanMs) * 100;
}

export const ms = (v: number | undefined): string => (v === undefined ? '–' : v === 0 ? '0ms' : formatDuration(v));

export type VerdictLevel = 'met' | 'missed' | 'open';

/**
 * The SLO verdict in one line, from the SLO's p99, how many pods started their containers (the
 * sloStartup count) and how many pods the rollout has. Shared by the rollout view and the timeline.
 */
export function sloVerdict(
  slo: RolloutReport['slo'],
  started: number,
  pods: number,
  live: boolean,
): { readonly level: VerdictLevel; readonly text: string } {
  const threshold = formatDuration(slo.thresholdMs);
  const now = live ? ` — live, ${started} of ${pods} pods started` : '';
  if (slo.met === null || slo.p99Ms === null)
    return { level: 'open', text: `Startup SLO (p99 ≤ ${threshold}): no pod has started its containers yet${now}` };
  const p99 = formatDuration(slo.p99Ms);
  const over = `over ${started} pod${started === 1 ? '' : 's'}, image pulls excluded`;
  return slo.met
    ? { level: 'met', text: `Startup SLO met: p99 ${p99} ≤ ${threshold} ${over}${now}` }
    : { level: 'missed', text: `Startup SLO missed: p99 ${p99} > ${threshold} ${over}${now}` };
}

/** The report's SLO verdict in one line. */
export function verdictLine(r: RolloutReport): { readonly level: VerdictLevel; readonly text: string } {
  return sloVerdict(r.slo, r.percentiles.sloStartup?.count ?? 0, r.pods.length, r.live);
}

/** The pod's row text for a screen reader and a tooltip: name, node, every known phase, outcome, reason. */
export function podSummary(p: RolloutPod): string {
  const phases = ROLLOUT_PHASES.filter((ph) => p.phases[ph] !== undefined)
    .map((ph) => `${METRIC_LABEL[ph]} ${ms(p.phases[ph])}`)
    .join(', ');
  return [
    `${p.name}${p.node ? ` on ${p.node}` : ''}: ${p.outcome}`,
    `total ${ms(p.totalMs)}, SLO startup ${ms(p.sloStartupMs)}`,
    phases,
    p.reason ? `slow: ${p.reason.text}` : '',
  ]
    .filter(Boolean)
    .join('; ');
}

/** The rows in view for a scroll position: [first, end) with `overscan` rows on each side. */
export function windowOf(
  scrollTop: number,
  viewportPx: number,
  rowPx: number,
  count: number,
  overscan = 8,
): { readonly first: number; readonly end: number } {
  const first = Math.max(0, Math.floor(scrollTop / rowPx) - overscan);
  const end = Math.min(count, Math.ceil((scrollTop + viewportPx) / rowPx) + overscan);
  return { first, end: Math.max(first, end) };
}
