// The timeline page's end of its protocol (src/protocol/timeline.ts) and its saved view state (never
// traces: the host's store is the source of truth and sends a complete list on `webview/ready`).

import { isRecord } from '../../src/core/guards.js';
import { parseHostToTimeline, type HostToTimeline, type TimelineToHost } from '../../src/protocol/timeline.js';
import { MAX_ID } from '../../src/protocol/webview.js';
import { createStateIpc, type StateIpc } from '../shared/ipc.js';

export interface TimelineState {
  readonly lastSeq: number | null;
  /** Traces the user opened or closed (by id); the others follow the default (newest or live: open). */
  readonly open: Readonly<Record<string, boolean>>;
  readonly scrollY: number;
}

export type TimelineIpc = StateIpc<TimelineState, HostToTimeline, TimelineToHost>;

/** Saved state from an older build may be missing fields or hold junk: keep what is well-typed. */
export function sanitizeState(raw: unknown): TimelineState {
  if (!isRecord(raw)) return { lastSeq: null, open: {}, scrollY: 0 };
  const open: Record<string, boolean> = {};
  if (isRecord(raw.open))
    for (const [k, v] of Object.entries(raw.open)) if (typeof v === 'boolean' && k.length <= MAX_ID) open[k] = v;
  return {
    lastSeq: typeof raw.lastSeq === 'number' && Number.isInteger(raw.lastSeq) ? raw.lastSeq : null,
    open,
    scrollY: typeof raw.scrollY === 'number' && Number.isFinite(raw.scrollY) ? raw.scrollY : 0,
  };
}

export function createTimelineIpc(): TimelineIpc {
  return createStateIpc<TimelineState, HostToTimeline, TimelineToHost>(sanitizeState, parseHostToTimeline);
}
