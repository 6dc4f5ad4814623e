// The side-panel timeline's messages (host: src/extension/timeline-view.ts, page: webview/timeline).
// The host sends every trace of the window as a complete list whenever one changes; the page posts
// back which trace's diagram to bring forward. Shared parts (version, ready, status line, checks):
// webview.ts.

import { isRecord } from '../core/guards.js';
import type { Trace } from '../core/model.js';
import {
  STATUS_SHOW,
  WEBVIEW_READY,
  isId,
  isTrace,
  messageFields,
  readyMessage,
  statusMessage,
  type ReadyMessage,
  type StatusMessage,
} from './webview.js';

/** Host → timeline: every trace of this window, newest first (a complete state, like a snapshot). */
export const TIMELINE_UPDATE = 'timeline/update';
/** Timeline → host: open (or bring forward) the diagram of a trace. */
export const TRACE_FOCUS = 'trace/focus';

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

export interface TimelineUpdateMessage {
  readonly type: typeof TIMELINE_UPDATE;
  readonly v: number;
  readonly seq: number;
  readonly traces: readonly TimelineItem[];
}

/** Host → timeline. `seq` grows by one per message. */
export type HostToTimeline = TimelineUpdateMessage | StatusMessage;

/** Timeline → host. */
export type TimelineToHost = ReadyMessage | { readonly type: typeof TRACE_FOCUS; readonly traceId: string };

/** More than a window holds; a longer list is cut rather than drawn. */
const MAX_TRACES = 200;

/** The host's gate for what the timeline page sends: null for anything unknown or malformed. */
export function parseTimelineToHost(raw: unknown): TimelineToHost | null {
  const x = messageFields(raw);
  if (!x) return null;
  switch (x.type) {
    case WEBVIEW_READY:
      return readyMessage(x);
    case TRACE_FOCUS:
      return isId(x.traceId) ? { type: TRACE_FOCUS, traceId: x.traceId } : null;
    default:
      return null;
  }
}

/** One list item, or null when it is not one (dropped, the others still shown). */
function timelineItem(x: unknown): TimelineItem | null {
  if (!isRecord(x) || !isId(x.id)) return null;
  if (typeof x.title !== 'string' || typeof x.live !== 'boolean') return null;
  if (x.outcome !== null && typeof x.outcome !== 'string') return null;
  if (!isTrace(x.trace)) return null;
  return { id: x.id, title: x.title, live: x.live, outcome: x.outcome as string | null, trace: x.trace };
}

/** The page's check of what the host sends: trusted in origin, but still shape-checked. */
export function parseHostToTimeline(raw: unknown): HostToTimeline | null {
  const x = messageFields(raw);
  if (!x || typeof x.seq !== 'number') return null;
  if (x.type === TIMELINE_UPDATE && Array.isArray(x.traces) && typeof x.v === 'number') {
    const seen = new Set<string>();
    const traces: TimelineItem[] = [];
    for (const entry of x.traces.slice(0, MAX_TRACES)) {
      const it = timelineItem(entry);
      if (!it || seen.has(it.id)) continue;
      seen.add(it.id);
      traces.push(it);
    }
    return { type: TIMELINE_UPDATE, v: x.v, seq: x.seq, traces };
  }
  return x.type === STATUS_SHOW ? statusMessage(x) : null;
}
