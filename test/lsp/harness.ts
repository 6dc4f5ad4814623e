// The real language server over in-memory streams, with a client that records what VS Code would see:
// published diagnostics and the server's refresh requests.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach } from 'vitest';
import { createConnection } from 'vscode-languageserver/node';
import {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type ClientCapabilities,
  type CodeAction,
  type CodeLens,
  type Diagnostic,
  type Hover,
  type InlayHint,
  type PublishDiagnosticsParams,
  type TextDocumentContentChangeEvent,
} from 'vscode-languageserver-protocol/node';
import { startServer } from '../../src/server/serve.js';
import type { Trace } from '../../src/core/model.js';
import { TraceClearNotification, TraceUpdateNotification } from '../../src/protocol/lsp.js';

export const sample = (name: string): string => readFileSync(join(__dirname, '..', 'samples', name), 'utf8');

export async function until<T>(what: string, f: () => T | undefined | null | false, ms = 5000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = f();
    if (v !== undefined && v !== null && v !== false) return v;
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export type Harness = Awaited<ReturnType<typeof harness>>;

export async function harness(
  capabilities: ClientCapabilities = {
    workspace: { codeLens: { refreshSupport: true }, inlayHint: { refreshSupport: true } },
  },
) {
  const up = new PassThrough();
  const down = new PassThrough();
  startServer(createConnection(new StreamMessageReader(up), new StreamMessageWriter(down)));
  const client = createProtocolConnection(new StreamMessageReader(down), new StreamMessageWriter(up));
  const published: PublishDiagnosticsParams[] = [];
  const refreshes: string[] = [];
  client.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => void published.push(p));
  client.onRequest('workspace/codeLens/refresh', () => void refreshes.push('codeLens'));
  client.onRequest('workspace/inlayHint/refresh', () => void refreshes.push('inlayHint'));
  client.listen();
  const init = (await client.sendRequest('initialize', { processId: null, rootUri: null, capabilities })) as {
    capabilities: Record<string, unknown>;
  };
  await client.sendNotification('initialized', {});
  const versions = new Map<string, number>();

  const count = (uri: string): number => published.filter((p) => p.uri === uri).length;
  const latest = (uri: string): Diagnostic[] | undefined => published.filter((p) => p.uri === uri).pop()?.diagnostics;
  /** Diagnostics that come from a trace (not the text analysis). */
  const traceDiags = (uri: string): Diagnostic[] =>
    (latest(uri) ?? []).filter((d) => typeof d.data === 'object' && d.data !== null);

  return {
    client,
    init,
    published,
    refreshes,
    latest,
    traceDiags,
    count,
    async open(uri: string, text: string): Promise<void> {
      const before = count(uri);
      versions.set(uri, 1);
      await client.sendNotification('textDocument/didOpen', {
        textDocument: { uri, languageId: 'yaml', version: 1, text },
      });
      await until(`first diagnostics of ${uri}`, () => count(uri) > before);
    },
    /** Sends a change and waits for the diagnostics published for it. */
    async change(uri: string, changes: TextDocumentContentChangeEvent[]): Promise<Diagnostic[]> {
      const before = count(uri);
      const version = (versions.get(uri) ?? 1) + 1;
      versions.set(uri, version);
      await client.sendNotification('textDocument/didChange', {
        textDocument: { uri, version },
        contentChanges: changes,
      });
      await until(`diagnostics after change ${version} of ${uri}`, () => count(uri) > before);
      return latest(uri) ?? [];
    },
    /** Pushes a trace state as the host does, and waits for the diagnostics it causes. */
    async update(traceId: string, uri: string, trace: Trace, docIndex = 0, live = true): Promise<Diagnostic[]> {
      const before = count(uri);
      await client.sendNotification(TraceUpdateNotification, { traceId, uri, docIndex, live, trace });
      await until(`diagnostics after trace ${traceId}`, () => count(uri) > before);
      return latest(uri) ?? [];
    },
    async clear(traceId: string, uri: string): Promise<Diagnostic[]> {
      const before = count(uri);
      await client.sendNotification(TraceClearNotification, { traceId });
      await until(`diagnostics after clearing ${traceId}`, () => count(uri) > before);
      return latest(uri) ?? [];
    },
    lenses: async (uri: string) =>
      (await client.sendRequest('textDocument/codeLens', { textDocument: { uri } })) as CodeLens[],
    hover: async (uri: string, line: number, character: number) =>
      (await client.sendRequest('textDocument/hover', {
        textDocument: { uri },
        position: { line, character },
      })) as Hover | null,
    hints: async (uri: string, fromLine = 0, toLine = 1000) =>
      (await client.sendRequest('textDocument/inlayHint', {
        textDocument: { uri },
        range: { start: { line: fromLine, character: 0 }, end: { line: toLine, character: 0 } },
      })) as InlayHint[],
    actions: async (uri: string, diagnostics: Diagnostic[]) =>
      (await client.sendRequest('textDocument/codeAction', {
        textDocument: { uri },
        range: diagnostics[0]?.range ?? { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
        context: { diagnostics, only: ['quickfix'] },
      })) as CodeAction[],
    dispose: () => client.dispose(),
  };
}

export function markdown(h: Hover | null): string {
  const c = h?.contents;
  return c && typeof c === 'object' && 'kind' in c ? c.value : '';
}

/** A `server()` for a test file: each harness it starts is disposed after the test that started it. */
export function serverPerTest(): (...args: Parameters<typeof harness>) => Promise<Harness> {
  let open: Harness[] = [];
  afterEach(() => {
    for (const h of open) h.dispose();
    open = [];
  });
  return async (...args) => {
    const h = await harness(...args);
    open.push(h);
    return h;
  };
}

export const byCode = (ds: Diagnostic[], code: string): Diagnostic | undefined => ds.find((d) => d.code === code);
export const lineOf = (text: string, needle: string): number => text.split('\n').findIndex((l) => l.includes(needle));
