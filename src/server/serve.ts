// Server wiring, separate from the process entry so tests run it over in-memory streams.
//
// Two inputs: the text of open manifests (analysis.ts: YAML errors, wrong kinds, "Trace Pod Birth"
// lenses) and the traces the host pushes (TraceUpdateNotification, TraceClearNotification in
// src/protocol/lsp.ts). Everything a trace shows (diagnostics, outcome lens, hovers, inlay hints,
// quick fixes) is recomputed from the document's current text whenever either changes.

import {
  CodeActionKind,
  CodeLensRefreshRequest,
  DiagnosticSeverity,
  InlayHintRefreshRequest,
  TextDocumentSyncKind,
  TextDocuments,
  type CodeLens,
  type Connection,
  type Diagnostic,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import {
  FOCUS_TRACE_COMMAND,
  TRACE_DOCUMENT_COMMAND,
  TraceClearNotification,
  TraceUpdateNotification,
  type TraceDocumentArgs,
} from '../protocol/lsp.js';
import { analyze, type Analysis } from './analysis.js';
import { traceCodeActions } from './code-actions.js';
import { docView, toLspRange, type DocView } from './doc-view.js';
import { traceHover } from './hovers.js';
import { traceInlayHints } from './inlay-hints.js';
import { outcomeTitle } from './timings.js';
import { SOURCE, traceDiagnostics } from './trace-diagnostics.js';
import { mapTrace, type TraceView } from './trace-map.js';
import { TraceStore, parseTraceClear, parseTraceUpdate } from './trace-store.js';

const SEVERITY = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
} as const;

type Refreshable = 'codeLens' | 'inlayHint';

/** What the feature handlers read: the open documents, their analysis, and the traces on them. */
interface Documents {
  readonly open: TextDocuments<TextDocument>;
  parsed(doc: TextDocument): { view: DocView; analysis: Analysis };
  /** The traces on a document that still map onto its current text. */
  traceViews(doc: TextDocument): TraceView[];
}

export function startServer(connection: Connection): void {
  const documents = new TextDocuments(TextDocument);
  const cache = new Map<string, { view: DocView; analysis: Analysis }>();
  const timers = new Map<string, ReturnType<typeof setTimeout>>();
  const traces = new TraceStore();
  const refresher = createRefresher(connection);

  const parsed = (doc: TextDocument): { view: DocView; analysis: Analysis } => {
    const hit = cache.get(doc.uri);
    if (hit && hit.view.version === doc.version) return hit;
    const view = docView(doc.uri, doc.version, doc.getText());
    const entry = { view, analysis: analyze(view.text, view.manifest) };
    cache.set(doc.uri, entry);
    return entry;
  };
  const docs: Documents = {
    open: documents,
    parsed,
    traceViews: (doc) => {
      const { view } = parsed(doc);
      return traces.forUri(doc.uri).flatMap((e) => mapTrace(e, view) ?? []);
    },
  };

  const publish = (doc: TextDocument): void => {
    const diagnostics: Diagnostic[] = parsed(doc).analysis.diagnostics.map((d) => ({
      range: toLspRange(d.range),
      severity: SEVERITY[d.severity],
      code: d.code,
      source: SOURCE,
      message: d.message,
    }));
    for (const tv of docs.traceViews(doc)) diagnostics.push(...traceDiagnostics(tv));
    void connection.sendDiagnostics({ uri: doc.uri, diagnostics });
  };

  const tracesChanged = (uris: readonly string[]): void => {
    for (const uri of new Set(uris)) {
      const doc = documents.get(uri);
      if (doc) publish(doc);
    }
    if (uris.length > 0) {
      refresher.refresh('codeLens');
      refresher.refresh('inlayHint');
    }
  };

  connection.onInitialize((params) => {
    refresher.supported.codeLens = params.capabilities.workspace?.codeLens?.refreshSupport === true;
    refresher.supported.inlayHint = params.capabilities.workspace?.inlayHint?.refreshSupport === true;
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        codeLensProvider: { resolveProvider: false },
        hoverProvider: true,
        inlayHintProvider: { resolveProvider: false },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix], resolveProvider: false },
      },
      serverInfo: { name: 'pod-birth' },
    };
  });

  // The types say what the host sends, but a malformed message must not crash the server: the
  // handlers take `unknown` and check the shape first.
  connection.onNotification(TraceUpdateNotification, (raw: unknown) => {
    const p = parseTraceUpdate(raw);
    if (p) tracesChanged(traces.update(p));
  });
  connection.onNotification(TraceClearNotification, (raw: unknown) => {
    const p = parseTraceClear(raw);
    if (p) tracesChanged(traces.clear(p.traceId));
  });

  // Re-analyse after typing pauses: parsing is fast, but not every keystroke needs it.
  documents.onDidChangeContent((e) => {
    clearTimeout(timers.get(e.document.uri));
    timers.set(
      e.document.uri,
      setTimeout(() => publish(e.document), 200),
    );
  });
  documents.onDidOpen((e) => publish(e.document));
  documents.onDidClose((e) => {
    clearTimeout(timers.get(e.document.uri));
    cache.delete(e.document.uri);
    void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
  });

  registerFeatures(connection, docs);
  documents.listen(connection);
  connection.listen();
}

/** Asks the client to re-query lenses and hints; one request of each kind in flight at a time. */
function createRefresher(connection: Connection): {
  /** Whether the client said it can refresh (set from its capabilities on initialize). */
  readonly supported: Record<Refreshable, boolean>;
  refresh(what: Refreshable): void;
} {
  const supported = { codeLens: false, inlayHint: false };
  const refreshing = { codeLens: false, inlayHint: false };
  const again = { codeLens: false, inlayHint: false };
  const refresh = (what: Refreshable): void => {
    if (!supported[what]) return;
    if (refreshing[what]) {
      again[what] = true;
      return;
    }
    refreshing[what] = true;
    const request =
      what === 'codeLens'
        ? connection.sendRequest(CodeLensRefreshRequest.type)
        : connection.sendRequest(InlayHintRefreshRequest.type);
    request
      .catch(() => undefined)
      .finally(() => {
        refreshing[what] = false;
        if (again[what]) {
          again[what] = false;
          refresh(what);
        }
      });
  };
  return { supported, refresh };
}

/** CodeLenses, hovers, inlay hints and quick fixes: each computed on request from the current text. */
function registerFeatures(connection: Connection, docs: Documents): void {
  connection.onCodeLens((params): CodeLens[] => {
    const doc = docs.open.get(params.textDocument.uri);
    if (!doc) return [];
    const lenses: CodeLens[] = docs.parsed(doc).analysis.lenses.map((l) => {
      const args: TraceDocumentArgs = { uri: doc.uri, docIndex: l.docIndex };
      return {
        range: { start: { line: l.range.start.line, character: 0 }, end: { line: l.range.start.line, character: 0 } },
        command: { title: l.title, command: TRACE_DOCUMENT_COMMAND, arguments: [args] },
      };
    });
    for (const tv of docs.traceViews(doc)) {
      const line = tv.doc.range.start.line;
      const title = outcomeTitle(tv.trace, tv.entry.params.live);
      lenses.push({
        range: { start: { line, character: 0 }, end: { line, character: 0 } },
        command: { title, command: FOCUS_TRACE_COMMAND, arguments: [tv.entry.traceId] },
      });
    }
    return lenses;
  });

  connection.onHover((params) => {
    const doc = docs.open.get(params.textDocument.uri);
    if (!doc) return null;
    return traceHover(docs.traceViews(doc), docs.parsed(doc).view, params.position.line, params.position.character);
  });

  connection.languages.inlayHint.on((params) => {
    const doc = docs.open.get(params.textDocument.uri);
    if (!doc) return [];
    return traceInlayHints(docs.traceViews(doc), docs.parsed(doc).view, params.range.start.line, params.range.end.line);
  });

  connection.onCodeAction((params) => {
    const doc = docs.open.get(params.textDocument.uri);
    if (!doc) return [];
    const only = params.context.only;
    if (
      only &&
      !only.some((k) => k === '' || k === CodeActionKind.QuickFix || CodeActionKind.QuickFix.startsWith(`${k}.`))
    )
      return [];
    return traceCodeActions(docs.traceViews(doc), params.context.diagnostics);
  });
}
