// The language client, in its own bundle (dist/language-client.js, ~1 MB with vscode-jsonrpc):
// required and started right after activation, off its critical path. The server (dist/server.js)
// runs in its own process and gets every trace state through lsp-bridge.ts.

import type * as vscode from 'vscode';
import { LanguageClient, TransportKind } from 'vscode-languageclient/node';
import { errorText } from '../core/guards.js';
import { bridgeTracesToServer } from './lsp-bridge.js';
import type { TraceRegistry } from './trace-registry.js';

export interface StartedClient {
  stop(): Promise<void>;
  dispose(): void;
}

export function startLanguageClient(
  context: vscode.ExtensionContext,
  output: vscode.LogOutputChannel,
  registry: TraceRegistry,
): StartedClient {
  const serverModule = context.asAbsolutePath('dist/server.js');
  const client = new LanguageClient(
    'podBirth',
    'Pod Birth',
    {
      run: { module: serverModule, transport: TransportKind.ipc },
      debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: ['--inspect=6009'] } },
    },
    {
      documentSelector: [
        { language: 'yaml', scheme: 'file' },
        { language: 'yaml', scheme: 'untitled' },
      ],
      outputChannel: output,
    },
  );
  const bridge = bridgeTracesToServer(registry, () => client);
  void client.start().catch((e: unknown) => output.error(`language server failed to start: ${errorText(e)}`));
  return {
    stop: () => client.stop(),
    dispose: () => bridge.dispose(),
  };
}
