// Server wiring, separate from the process entry so tests run it over in-memory streams.

import { CodeLens, DiagnosticSeverity, TextDocumentSyncKind, TextDocuments, type Connection, type Diagnostic } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { TRACE_DOCUMENT_COMMAND, type TraceDocumentArgs } from '../protocol/lsp.js';
import { analyze, type Analysis } from './analysis.js';

const SEVERITY = { error: DiagnosticSeverity.Error, warning: DiagnosticSeverity.Warning, information: DiagnosticSeverity.Information } as const;

export function startServer(connection: Connection): void {
  const documents = new TextDocuments(TextDocument);
  const cache = new Map<string, { version: number; analysis: Analysis }>();
  const timers = new Map<string, ReturnType<typeof setTimeout>>();

  const analysisOf = (doc: TextDocument): Analysis => {
    const hit = cache.get(doc.uri);
    if (hit && hit.version === doc.version) return hit.analysis;
    const analysis = analyze(doc.getText());
    cache.set(doc.uri, { version: doc.version, analysis });
    return analysis;
  };

  const publish = (doc: TextDocument): void => {
    const diagnostics: Diagnostic[] = analysisOf(doc).diagnostics.map((d) => ({
      range: { start: { line: d.range.start.line, character: d.range.start.col }, end: { line: d.range.end.line, character: d.range.end.col } },
      severity: SEVERITY[d.severity],
      code: d.code,
      source: 'Pod Birth',
      message: d.message,
    }));
    void connection.sendDiagnostics({ uri: doc.uri, diagnostics });
  };

  connection.onInitialize(() => ({
    capabilities: { textDocumentSync: TextDocumentSyncKind.Incremental, codeLensProvider: { resolveProvider: false } },
    serverInfo: { name: 'pod-birth' },
  }));

  // Re-analyse after typing pauses: parsing is fast, but not every keystroke needs it.
  documents.onDidChangeContent((e) => {
    clearTimeout(timers.get(e.document.uri));
    timers.set(e.document.uri, setTimeout(() => publish(e.document), 200));
  });
  documents.onDidOpen((e) => publish(e.document));
  documents.onDidClose((e) => {
    clearTimeout(timers.get(e.document.uri));
    cache.delete(e.document.uri);
    void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
  });

  connection.onCodeLens((params): CodeLens[] => {
    const doc = documents.get(params.textDocument.uri);
    if (!doc) return [];
    return analysisOf(doc).lenses.map((l) => {
      const args: TraceDocumentArgs = { uri: doc.uri, docIndex: l.docIndex };
      return { range: { start: { line: l.range.start.line, character: 0 }, end: { line: l.range.start.line, character: 0 } }, command: { title: l.title, command: TRACE_DOCUMENT_COMMAND, arguments: [args] } };
    });
  });

  documents.listen(connection);
  connection.listen();
}
