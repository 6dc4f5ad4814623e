// Host commands that the language server's CodeLenses run (and the timeline and status bar use).
// Plain constants, no LSP code: the host's activation bundle imports them.

/** The command a "Trace Pod Birth" CodeLens runs in the host, with {uri, docIndex}. */
export const TRACE_DOCUMENT_COMMAND = 'podBirth.traceDocument';

/** Brings a trace's diagram forward: [traceId]. Used by the timeline, the status bar and trace CodeLenses. */
export const FOCUS_TRACE_COMMAND = 'podBirth.focusTrace';

export interface TraceDocumentArgs {
  readonly uri: string;
  readonly docIndex: number;
}
