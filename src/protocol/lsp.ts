// Custom LSP messages between the extension host and the language server, each declared once here as
// a typed NotificationType and used by both sides (the client in src/extension/lsp-bridge.ts, the
// server in src/server/serve.ts), as rust-analyzer's lsp_ext.ts and vscode-eslint's customMessages.ts
// do. The host owns the cluster; the server owns the manifest mapping. The host pushes each trace
// state to the server, which turns failed steps and Pending causes into diagnostics, hovers, inlay
// hints and code actions on the traced document. The types say what the host sends; the server still
// checks every incoming shape (src/server/trace-store.ts) before using it.

// The protocol package's common entry (no Node or browser transport): both bundles already hold it
// through vscode-languageclient and vscode-languageserver, so this adds no code to either.
import { NotificationType } from 'vscode-languageserver-protocol';
import type { Trace } from '../core/model.js';

// The host commands the server's CodeLenses run live in ./commands.ts (no LSP code: the host's
// activation bundle imports them).
export { FOCUS_TRACE_COMMAND, TRACE_DOCUMENT_COMMAND, type TraceDocumentArgs } from './commands.js';

export interface TraceUpdateParams {
  /** The host's id of the trace; one document can have several traces over time, the latest wins. */
  readonly traceId: string;
  /** The manifest the trace came from, and which document in it. */
  readonly uri: string;
  readonly docIndex: number;
  readonly live: boolean;
  readonly trace: Trace;
}

/** Host → server: the current state of one trace (sent on every update, coalesced). */
export const TraceUpdateNotification = new NotificationType<TraceUpdateParams>('podBirth/traceUpdate');

export interface TraceClearParams {
  readonly traceId: string;
}

/** Host → server: forget a trace (its diagram was closed, or it was discarded). */
export const TraceClearNotification = new NotificationType<TraceClearParams>('podBirth/traceClear');
