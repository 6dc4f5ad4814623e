// Forwards trace states to the language server (the typed notifications of src/protocol/lsp.ts, the
// same declarations the server listens with), which turns them into diagnostics, hovers, inlay hints
// and code actions on the traced manifest.

import type { LanguageClient } from 'vscode-languageclient/node';
import { TraceClearNotification, TraceUpdateNotification } from '../protocol/lsp.js';
import { coalesce, type TraceEntry, type TraceRegistry } from './trace-registry.js';

const UPDATE_MS = 150;

export function bridgeTracesToServer(
  registry: TraceRegistry,
  client: () => LanguageClient | null,
): { dispose(): void } {
  const send = coalesce<TraceEntry>(UPDATE_MS, (_id, e) => {
    const c = client();
    if (!c?.isRunning() || !e.trace || !e.manifest) return;
    void c.sendNotification(TraceUpdateNotification, {
      traceId: e.id,
      uri: e.manifest.uri,
      docIndex: e.manifest.docIndex,
      live: e.live,
      trace: e.trace,
    });
  });
  const sub = registry.onChange((change) => {
    if (change.type === 'updated') {
      if (change.entry.manifest && change.entry.trace) send.push(change.entry.id, change.entry);
      // A finished state goes out at once: it is the one that stays.
      if (!change.entry.live) send.flush();
      return;
    }
    send.flush();
    const c = client();
    if (c?.isRunning()) void c.sendNotification(TraceClearNotification, { traceId: change.id });
  });
  return {
    dispose: () => {
      send.dispose();
      sub.dispose();
    },
  };
}
