// The diagram panel's messages (host: src/extension/diagram-panel.ts, page: webview/diagram). The
// host sends the Trace model, never markup; the page renders it and posts back clicks, exports and
// render timings. Shared parts (version, ready, status line, checks): webview.ts.

import type { Trace } from '../core/model.js';
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

/** Host → diagram: the whole trace (a complete state: a page that missed messages loses nothing). */
export const TRACE_SNAPSHOT = 'trace/snapshot';
/** Host → diagram: the trace is gone (the pod was deleted…); show `reason` instead. */
export const TRACE_RESET = 'trace/reset';
/** Diagram → host: an arrow or note was clicked; reveal its manifest field. */
export const STEP_REVEAL = 'step/reveal';
/** Diagram → host: save the diagram as Mermaid, Markdown or the JSON contract (the host renders them). */
export const EXPORT_REQUEST = 'export/request';
/** Diagram → host: save this SVG (the page's own drawing, styles inlined). */
export const EXPORT_SVG = 'export/svg';
/** Diagram → host: a render finished and its frame was painted (logged; the benches read it). */
export const RENDER_DONE = 'render/done';
/**
 * Diagram → host, before webview/ready, from a page VS Code restored after a window reload: the trace
 * it showed before (its saved state), so the host can give it that trace again.
 */
export const TRACE_RESTORE = 'trace/restore';

export interface TraceSnapshotMessage {
  readonly type: typeof TRACE_SNAPSHOT;
  readonly v: number;
  readonly seq: number;
  /** The host's id of the trace (the page keeps it to ask for the same trace after a window reload). */
  readonly traceId?: string;
  readonly trace: Trace;
  readonly title: string;
  readonly live: boolean;
}

export interface TraceResetMessage {
  readonly type: typeof TRACE_RESET;
  readonly seq: number;
  readonly reason: string;
}

/** Host → diagram. `seq` grows by one per message so the page can detect a gap and resync. */
export type HostToDiagram = TraceSnapshotMessage | TraceResetMessage | StatusMessage;

export type ExportFormat = 'mermaid' | 'markdown' | 'json';

/** Diagram → host. */
export type DiagramToHost =
  | ReadyMessage
  | { readonly type: typeof TRACE_RESTORE; readonly traceId: string }
  | { readonly type: typeof STEP_REVEAL; readonly stepId: string }
  | { readonly type: typeof EXPORT_REQUEST; readonly format: ExportFormat }
  | { readonly type: typeof EXPORT_SVG; readonly svg: string }
  | { readonly type: typeof RENDER_DONE; readonly seq: number; readonly ms: number; readonly arrows: number };

const MAX_SVG = 16 * 1024 * 1024;

const FROM_DIAGRAM: MessageChecks<DiagramToHost> = {
  ...SHARED_TO_HOST,
  [TRACE_RESTORE]: (x) => (isId(x.traceId) ? { type: TRACE_RESTORE, traceId: x.traceId } : null),
  [STEP_REVEAL]: (x) => (isId(x.stepId) ? { type: STEP_REVEAL, stepId: x.stepId } : null),
  [EXPORT_REQUEST]: (x) =>
    x.format === 'mermaid' || x.format === 'markdown' || x.format === 'json'
      ? { type: EXPORT_REQUEST, format: x.format }
      : null,
  [EXPORT_SVG]: (x) =>
    typeof x.svg === 'string' && x.svg.length <= MAX_SVG && x.svg.trimStart().startsWith('<svg')
      ? { type: EXPORT_SVG, svg: x.svg }
      : null,
  [RENDER_DONE]: (x) =>
    typeof x.seq === 'number' && typeof x.ms === 'number' && typeof x.arrows === 'number' && Number.isFinite(x.ms)
      ? { type: RENDER_DONE, seq: x.seq, ms: x.ms, arrows: x.arrows }
      : null,
};

const TO_DIAGRAM: MessageChecks<HostToDiagram> = {
  ...SHARED_TO_PAGE,
  [TRACE_SNAPSHOT]: (x) =>
    typeof x.v === 'number' &&
    typeof x.seq === 'number' &&
    (x.traceId === undefined || isId(x.traceId)) &&
    isTrace(x.trace) &&
    typeof x.title === 'string' &&
    typeof x.live === 'boolean'
      ? {
          type: TRACE_SNAPSHOT,
          v: x.v,
          seq: x.seq,
          ...(isId(x.traceId) ? { traceId: x.traceId } : {}),
          trace: x.trace,
          title: x.title,
          live: x.live,
        }
      : null,
  [TRACE_RESET]: (x) =>
    typeof x.seq === 'number' && typeof x.reason === 'string'
      ? { type: TRACE_RESET, seq: x.seq, reason: x.reason }
      : null,
};

/** The host's gate for what the diagram page sends: null for anything unknown or malformed. */
export function parseDiagramToHost(raw: unknown): DiagramToHost | null {
  return parseMessage(raw, FROM_DIAGRAM);
}

/** The page's check of what the host sends: trusted in origin, but still shape-checked. */
export function parseHostToDiagram(raw: unknown): HostToDiagram | null {
  return parseMessage(raw, TO_DIAGRAM);
}
