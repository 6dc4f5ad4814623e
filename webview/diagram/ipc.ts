// The diagram page's end of its protocol (src/protocol/diagram.ts) and its saved view state: the
// trace it shows (so a reloaded window gets the same trace back), scroll, selection, the lane mode,
// and the last host `seq` seen (to detect a gap after a reload).

import { isRecord } from '../../src/core/guards.js';
import { parseHostToDiagram, type DiagramToHost, type HostToDiagram } from '../../src/protocol/diagram.js';
import { isId } from '../../src/protocol/webview.js';
import { createStateIpc, type StateIpc } from '../shared/ipc.js';
import type { LaneMode } from './live.js';

export interface ViewState {
  readonly lastSeq: number | null;
  /** The host's id of the trace shown: asked for again after a window reload. */
  readonly traceId: string | null;
  readonly scrollX: number;
  readonly scrollY: number;
  readonly selectedStepId: string | null;
  readonly lanes: LaneMode;
}

export type DiagramIpc = StateIpc<ViewState, HostToDiagram, DiagramToHost>;

const DEFAULT_STATE: ViewState = {
  lastSeq: null,
  traceId: null,
  scrollX: 0,
  scrollY: 0,
  selectedStepId: null,
  lanes: 'auto',
};

function num(x: unknown, fallback: number): number {
  return typeof x === 'number' && Number.isFinite(x) ? x : fallback;
}

/** Saved state from an older build may be missing fields or hold junk: keep what is well-typed. */
function sanitize(raw: unknown): ViewState {
  if (!isRecord(raw)) return DEFAULT_STATE;
  return {
    lastSeq: typeof raw.lastSeq === 'number' && Number.isInteger(raw.lastSeq) ? raw.lastSeq : null,
    traceId: isId(raw.traceId) ? raw.traceId : null,
    scrollX: num(raw.scrollX, 0),
    scrollY: num(raw.scrollY, 0),
    selectedStepId: typeof raw.selectedStepId === 'string' ? raw.selectedStepId : null,
    lanes: raw.lanes === 'all' || raw.lanes === 'merged' ? raw.lanes : 'auto',
  };
}

export function createDiagramIpc(): DiagramIpc {
  return createStateIpc<ViewState, HostToDiagram, DiagramToHost>(sanitize, parseHostToDiagram);
}
