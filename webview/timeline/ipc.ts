// The timeline view's side of the protocol: posts only WebviewMessage values, accepts only
// `timeline/update` and `status/show`, and keeps view state (never traces: the host's store is the
// source of truth and sends a complete list on `webview/ready`).

import type { Trace } from '../../src/core/model.js';
import type { TimelineItem } from '../../src/protocol/webview.js';
import { createStateIpc, type StateIpc } from '../shared/ipc.js';

export interface TimelineState {
  readonly lastSeq: number | null;
  /** Traces the user opened or closed (by id); the others follow the default (newest or live: open). */
  readonly open: Readonly<Record<string, boolean>>;
  readonly scrollY: number;
}

export type TimelineHostMessage =
  | {
      readonly type: 'timeline/update';
      readonly v: number;
      readonly seq: number;
      readonly traces: readonly TimelineItem[];
    }
  | {
      readonly type: 'status/show';
      readonly seq: number;
      readonly level: 'info' | 'warning' | 'error';
      readonly text: string;
    };

export type TimelineIpc = StateIpc<TimelineState, TimelineHostMessage>;

const MAX_ID = 512;
const MAX_TRACES = 200;

function isObj(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Saved state from an older build may be missing fields or hold junk: keep what is well-typed. */
export function sanitizeState(raw: unknown): TimelineState {
  if (!isObj(raw)) return { lastSeq: null, open: {}, scrollY: 0 };
  const open: Record<string, boolean> = {};
  if (isObj(raw.open))
    for (const [k, v] of Object.entries(raw.open)) if (typeof v === 'boolean' && k.length <= MAX_ID) open[k] = v;
  return {
    lastSeq: typeof raw.lastSeq === 'number' && Number.isInteger(raw.lastSeq) ? raw.lastSeq : null,
    open,
    scrollY: typeof raw.scrollY === 'number' && Number.isFinite(raw.scrollY) ? raw.scrollY : 0,
  };
}

function isTrace(x: unknown): x is Trace {
  return isObj(x) && Array.isArray(x.steps) && isObj(x.pod);
}

/** One list item, or null when it is not one (dropped, the others still shown). */
function item(x: unknown): TimelineItem | null {
  if (!isObj(x)) return null;
  if (typeof x.id !== 'string' || x.id.length === 0 || x.id.length > MAX_ID) return null;
  if (typeof x.title !== 'string' || typeof x.live !== 'boolean') return null;
  if (x.outcome !== null && typeof x.outcome !== 'string') return null;
  if (!isTrace(x.trace)) return null;
  return { id: x.id, title: x.title, live: x.live, outcome: x.outcome as string | null, trace: x.trace };
}

/** Host messages are trusted in origin but still shape-checked. */
export function parseTimelineMessage(x: unknown): TimelineHostMessage | null {
  if (!isObj(x) || typeof x.seq !== 'number') return null;
  if (x.type === 'timeline/update' && Array.isArray(x.traces) && typeof x.v === 'number') {
    const seen = new Set<string>();
    const traces: TimelineItem[] = [];
    for (const raw of x.traces.slice(0, MAX_TRACES)) {
      const it = item(raw);
      if (!it || seen.has(it.id)) continue;
      seen.add(it.id);
      traces.push(it);
    }
    return { type: 'timeline/update', v: x.v, seq: x.seq, traces };
  }
  if (
    x.type === 'status/show' &&
    typeof x.text === 'string' &&
    (x.level === 'info' || x.level === 'warning' || x.level === 'error')
  ) {
    return { type: 'status/show', seq: x.seq, level: x.level, text: x.text };
  }
  return null;
}

export function createTimelineIpc(): TimelineIpc {
  return createStateIpc<TimelineState, TimelineHostMessage>(sanitizeState, parseTimelineMessage);
}
