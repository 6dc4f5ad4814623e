// The side-panel timeline's messages (host: src/extension/timeline-view.ts, page: webview/timeline).
// The host sends every trace of the window as a complete list whenever one changes; the page posts
// back which trace's diagram to bring forward. Shared parts (version, ready, status line, checks):
// webview.ts.

import { isRecord } from '../core/guards.js';
import type { Trace } from '../core/model.js';
import type { PhaseStats, RolloutSlo } from '../core/rollout/report.js';
import {
  SHARED_TO_HOST,
  SHARED_TO_PAGE,
  isId,
  isTrace,
  parseMessage,
  type MessageChecks,
  type ReadyMessage,
  type StatusMessage,
} from './webview.js';

/** Host → timeline: every trace of this window, newest first (a complete state, like a snapshot). */
export const TIMELINE_UPDATE = 'timeline/update';
/** Timeline → host: open (or bring forward) the diagram of a trace. */
export const TRACE_FOCUS = 'trace/focus';
/** Timeline → host: open (or bring forward) the rollout view of a rollout. */
export const ROLLOUT_FOCUS = 'rollout/focus';

/** One trace of this window as the side-panel timeline shows it. */
export interface TimelineItem {
  /** Stable for the life of the window: the host's trace id. */
  readonly id: string;
  readonly title: string;
  readonly live: boolean;
  /** How a finished trace ended (`ready`, `failed`, `timeout`, `stopped`…); null while live. */
  readonly outcome: string | null;
  readonly trace: Trace;
}

/** One rollout of this window as the timeline summarizes it (the rollout view has the pods). */
export interface TimelineRollout {
  readonly id: string;
  /** `Deployment ns/name`. */
  readonly title: string;
  readonly live: boolean;
  readonly pods: number;
  /** The SLO startup and whole-birth percentiles of the rollout report (null: no pod got there yet). */
  readonly sloStartup: PhaseStats | null;
  readonly total: PhaseStats | null;
  readonly slo: RolloutSlo;
}

export interface TimelineUpdateMessage {
  readonly type: typeof TIMELINE_UPDATE;
  readonly v: number;
  readonly seq: number;
  readonly traces: readonly TimelineItem[];
  /** The window's rollouts, newest first (absent from an older host: none). */
  readonly rollouts?: readonly TimelineRollout[];
}

/** Host → timeline. `seq` grows by one per message. */
export type HostToTimeline = TimelineUpdateMessage | StatusMessage;

/** Timeline → host. */
export type TimelineToHost =
  | ReadyMessage
  | { readonly type: typeof TRACE_FOCUS; readonly traceId: string }
  | { readonly type: typeof ROLLOUT_FOCUS; readonly rolloutId: string };

/** More than a window holds; a longer list is cut rather than drawn. */
const MAX_TRACES = 200;

const FROM_TIMELINE: MessageChecks<TimelineToHost> = {
  ...SHARED_TO_HOST,
  [TRACE_FOCUS]: (x) => (isId(x.traceId) ? { type: TRACE_FOCUS, traceId: x.traceId } : null),
  [ROLLOUT_FOCUS]: (x) => (isId(x.rolloutId) ? { type: ROLLOUT_FOCUS, rolloutId: x.rolloutId } : null),
};

const MAX_ROLLOUTS = 20;

function stats(x: unknown): PhaseStats | null {
  if (!isRecord(x)) return null;
  const { count, p50, p90, p99, max } = x;
  const ok = [count, p50, p90, p99, max].every((v) => typeof v === 'number' && Number.isFinite(v) && v >= 0);
  return ok
    ? { count: count as number, p50: p50 as number, p90: p90 as number, p99: p99 as number, max: max as number }
    : null;
}

/** One rollout summary, or null when it is not one (dropped, the others still shown). */
function timelineRollout(x: unknown): TimelineRollout | null {
  if (!isRecord(x) || !isId(x.id) || typeof x.title !== 'string' || typeof x.live !== 'boolean') return null;
  if (typeof x.pods !== 'number' || !isRecord(x.slo) || typeof x.slo.thresholdMs !== 'number') return null;
  const s = x.slo;
  return {
    id: x.id,
    title: x.title.slice(0, 600),
    live: x.live,
    pods: x.pods,
    sloStartup: stats(x.sloStartup),
    total: stats(x.total),
    slo: {
      thresholdMs: s.thresholdMs as number,
      p99Ms: typeof s.p99Ms === 'number' ? s.p99Ms : null,
      met: typeof s.met === 'boolean' ? s.met : null,
    },
  };
}

/** One list item, or null when it is not one (dropped, the others still shown). */
function timelineItem(x: unknown): TimelineItem | null {
  if (!isRecord(x) || !isId(x.id)) return null;
  if (typeof x.title !== 'string' || typeof x.live !== 'boolean') return null;
  if (x.outcome !== null && typeof x.outcome !== 'string') return null;
  if (!isTrace(x.trace)) return null;
  return { id: x.id, title: x.title, live: x.live, outcome: x.outcome as string | null, trace: x.trace };
}

const TO_TIMELINE: MessageChecks<HostToTimeline> = {
  ...SHARED_TO_PAGE,
  [TIMELINE_UPDATE]: (x) => {
    if (typeof x.seq !== 'number' || typeof x.v !== 'number' || !Array.isArray(x.traces)) return null;
    const seen = new Set<string>();
    const traces: TimelineItem[] = [];
    for (const entry of x.traces.slice(0, MAX_TRACES)) {
      const it = timelineItem(entry);
      if (!it || seen.has(it.id)) continue;
      seen.add(it.id);
      traces.push(it);
    }
    const rollouts = (Array.isArray(x.rollouts) ? x.rollouts.slice(0, MAX_ROLLOUTS) : [])
      .map(timelineRollout)
      .filter((r): r is TimelineRollout => r !== null);
    return { type: TIMELINE_UPDATE, v: x.v, seq: x.seq, traces, rollouts };
  },
};

/** The host's gate for what the timeline page sends: null for anything unknown or malformed. */
export function parseTimelineToHost(raw: unknown): TimelineToHost | null {
  return parseMessage(raw, FROM_TIMELINE);
}

/** The page's check of what the host sends: trusted in origin, but still shape-checked. */
export function parseHostToTimeline(raw: unknown): HostToTimeline | null {
  return parseMessage(raw, TO_TIMELINE);
}
