// The podBirth.* settings as the trace flow needs them (package.json "configuration" declares them).

import * as vscode from 'vscode';
import type { TraceSettings } from './trace-flow.js';

export function traceSettings(): TraceSettings {
  const c = vscode.workspace.getConfiguration('podBirth');
  const s = (k: string): string | undefined => c.get<string>(k) || undefined;
  return {
    kubeconfig: s('kubeconfig'),
    context: s('context'),
    namespace: s('namespace'),
    nodeLogs: c.get<boolean>('nodeLogs', true),
    timeoutMs: c.get<number>('traceTimeout', 300) * 1000,
    maxPods: Math.max(1, Math.floor(c.get<number>('workloadPods', 3))),
    nodeDebug: {
      contexts: c.get<string[]>('nodeDebug.contexts', []),
      namespace: s('nodeDebug.namespace'),
      image: s('nodeDebug.image') ?? 'busybox:1.36',
    },
  };
}
