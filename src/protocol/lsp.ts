// Custom LSP messages between the extension host and the language server, one file for both sides.

/** The command a "Trace Pod Birth" CodeLens runs in the host, with {uri, docIndex}. */
export const TRACE_DOCUMENT_COMMAND = 'podBirth.traceDocument';

export interface TraceDocumentArgs {
  readonly uri: string;
  readonly docIndex: number;
}
