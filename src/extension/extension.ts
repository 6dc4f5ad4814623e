// Extension host entry. Activation stays cheap (npm run bench measures it): this bundle holds only
// the registrations, the registry, the status item and the timeline view. Three bundles are required
// on first use instead: commands.js (the handlers, the manifest parser, the trace engine) on the first
// command or restored panel, cluster.js (client-node) when the first trace starts, and
// language-client.js right after activation returns.

import * as vscode from 'vscode';
import type * as ClusterApi from '../cluster/index.js';
import { errorText } from '../core/guards.js';
import { FOCUS_TRACE_COMMAND, TRACE_DOCUMENT_COMMAND, type TraceDocumentArgs } from '../protocol/commands.js';
import type * as CommandsApi from './commands.js';
import type * as ClientApi from './language-client.js';
import { DIAGRAM_VIEW_TYPE, ROLLOUT_VIEW_TYPE } from './view-types.js';
import { traceStatusItem } from './status-item.js';
import { TIMELINE_VIEW_ID, TimelineView } from './timeline-view.js';
import { RolloutRegistry } from './rollout-registry.js';
import { TraceRegistry } from './trace-registry.js';

// Literal require() paths: esbuild leaves them to Node (they are externals of this bundle).
/* eslint-disable @typescript-eslint/no-require-imports */
let clusterModule: typeof ClusterApi | null = null;
const cluster = (): typeof ClusterApi => (clusterModule ??= require('./cluster.js') as typeof ClusterApi);
const loadCommands = (): typeof CommandsApi => require('./commands.js') as typeof CommandsApi;
const loadClient = (): typeof ClientApi => require('./language-client.js') as typeof ClientApi;
/* eslint-enable @typescript-eslint/no-require-imports */

const registry = new TraceRegistry();
const rollouts = new RolloutRegistry();
let client: ClientApi.StartedClient | null = null;

export function activate(context: vscode.ExtensionContext): void {
  const activateStart = performance.now();
  const output = vscode.window.createOutputChannel('Pod Birth', { log: true });
  let commands: CommandsApi.Commands | null = null;
  const cmd = (): CommandsApi.Commands => {
    if (!commands) {
      commands = loadCommands().createCommands({ context, output, registry, rollouts, cluster });
      context.subscriptions.push(commands);
    }
    return commands;
  };
  const timeline = new TimelineView(
    context,
    registry,
    output,
    (id) => cmd().focusTrace(id),
    rollouts,
    (id) => cmd().focusRollout(id),
  );
  const register = (id: string, run: (...args: unknown[]) => unknown): vscode.Disposable =>
    vscode.commands.registerCommand(id, run);

  context.subscriptions.push(
    output,
    traceStatusItem(registry),
    timeline,
    { dispose: () => void registry.stopAll() },
    // The rollout workers end too (they would also end on their own when the channel closes).
    { dispose: () => rollouts.disposeAll() },
    vscode.window.registerWebviewViewProvider(TIMELINE_VIEW_ID, timeline),
    vscode.window.registerWebviewPanelSerializer(DIAGRAM_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel: vscode.WebviewPanel) => cmd().restorePanel(panel),
    }),
    vscode.window.registerWebviewPanelSerializer(ROLLOUT_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel: vscode.WebviewPanel, state: unknown) =>
        cmd().restoreRolloutPanel(panel, state),
    }),
    register('podBirth.trace', (uri?: unknown) => cmd().trace(uri)),
    register(TRACE_DOCUMENT_COMMAND, (args: unknown) => cmd().traceDocument(args as TraceDocumentArgs)),
    register('podBirth.attach', () => cmd().attach()),
    register('podBirth.traceExplorerPod', (target: unknown) => cmd().traceExplorerPod(target)),
    register(FOCUS_TRACE_COMMAND, (id?: unknown) => cmd().focusTrace(id)),
    register('podBirth.traceRollout', (uri?: unknown) => cmd().traceRollout(uri)),
    register('podBirth.focusRollout', (id?: unknown) => cmd().focusRollout(id)),
    register('podBirth.stopTraces', () => {
      rollouts.stopAll();
      return registry.stopAll();
    }),
    register('podBirth.clearTraces', () => {
      rollouts.clearFinished();
      return registry.clearFinished();
    }),
    register('podBirth.showTimeline', () => timeline.reveal()),
    register('podBirth.showOutput', () => output.show(true)),
    register('podBirth.openTraceFile', () => cmd().openTraceFile()),
  );

  // The language server is not needed for activation's work: start it once activate() has returned.
  setTimeout(() => {
    try {
      client = loadClient().startLanguageClient(context, output, registry);
      context.subscriptions.push(client);
    } catch (e) {
      output.error(`language client failed to load: ${errorText(e)}`);
    }
  }, 0);
  // Read by the benchmarks: activate() itself, with the lazy bundles not loaded yet.
  output.info(
    `activated in ${(performance.now() - activateStart).toFixed(1)} ms (cluster layer loaded: ${clusterModule !== null})`,
  );
}

export async function deactivate(): Promise<void> {
  rollouts.disposeAll();
  await registry.stopAll();
  await client?.stop();
}
