// Custom LSP messages between the extension host and the language server, one file for both sides.
// The host owns the cluster; the server owns the manifest mapping. The host pushes each trace state
// to the server, which turns failed steps and Pending causes into diagnostics, hovers, inlay hints
// and code actions on the traced document.

import type { Trace } from '../core/model.js';

/** The command a "Trace Pod Birth" CodeLens runs in the host, with {uri, docIndex}. */
export const TRACE_DOCUMENT_COMMAND = 'podBirth.traceDocument';

/** Brings a trace's diagram forward: [traceId]. Used by the timeline, the status bar and trace CodeLenses. */
export const FOCUS_TRACE_COMMAND = 'podBirth.focusTrace';

export interface TraceDocumentArgs {
  readonly uri: string;
  readonly docIndex: number;
}

/** Host → server notification: the current state of one trace (sent on every update, coalesced). */
export const TRACE_UPDATE_NOTIFICATION = 'podBirth/traceUpdate';

export interface TraceUpdateParams {
  /** The host's id of the trace; one document can have several traces over time, the latest wins. */
  readonly traceId: string;
  /** The manifest the trace came from, and which document in it. */
  readonly uri: string;
  readonly docIndex: number;
  readonly live: boolean;
  readonly trace: Trace;
}

/** Host → server notification: forget a trace (its diagram was closed, or it was discarded). */
export const TRACE_CLEAR_NOTIFICATION = 'podBirth/traceClear';

export interface TraceClearParams {
  readonly traceId: string;
}
