// Extension host entry. Activation stays cheap: the cluster layer (client-node, ~1 MB) is required
// only when the first trace starts. The decisions live in trace-flow.ts (vscode-free); this file
// wires them to VS Code: commands, quick picks, the modal confirmation, progress, the status bar,
// the diagram panels, the timeline view and the language client.

import * as vscode from 'vscode';
import { LanguageClient, TransportKind } from 'vscode-languageclient/node';
import { FOCUS_TRACE_COMMAND, TRACE_DOCUMENT_COMMAND, type TraceDocumentArgs } from '../protocol/lsp.js';
import type * as ClusterApi from '../cluster/index.js';
import { errorText } from '../core/guards.js';
import { documentAt, parseManifest } from '../core/manifest/index.js';
import { renderText } from '../core/report/text.js';
import { TraceState, buildTrace, readTraceFile } from '../core/trace/index.js';
import { chooseDocument, describeDocument } from './choose.js';
import { DiagramPanel } from './diagram-panel.js';
import { resolveExplorerTarget } from './kubernetes-explorer.js';
import { bridgeTracesToServer } from './lsp-bridge.js';
import { TIMELINE_VIEW_ID, TimelineView } from './timeline-view.js';
import { traceTarget, type FlowDeps, type HostUi, type TraceSettings } from './trace-flow.js';
import { coalesce, DIAGRAM_COALESCE_MS, TraceRegistry, type TraceEntry } from './trace-registry.js';

let clusterModule: typeof ClusterApi | null = null;
function cluster(): typeof ClusterApi {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  clusterModule ??= require('./cluster.js') as typeof ClusterApi;
  return clusterModule;
}

const registry = new TraceRegistry();
const panels = new Map<string, DiagramPanel>();
let client: LanguageClient | null = null;

export function activate(context: vscode.ExtensionContext): void {
  const activateStart = performance.now();
  const output = vscode.window.createOutputChannel('Pod Birth', { log: true });
  const status = vscode.window.createStatusBarItem('podBirth.status', vscode.StatusBarAlignment.Left, 50);
  status.name = 'Pod Birth';
  const timeline = new TimelineView(context, registry, output, (id) => void focusTrace(id));

  const openPanel = (entry: TraceEntry, reveal: boolean): DiagramPanel => {
    let panel = panels.get(entry.id);
    if (!panel) {
      panel = DiagramPanel.create(
        context,
        output,
        `Pod Birth: ${entry.title}${entry.outcome === 'replay' ? ' (replay)' : ''}`,
        entry.manifest,
      );
      panels.set(entry.id, panel);
      const p = panel;
      p.panel.onDidDispose(() => panels.get(entry.id) === p && panels.delete(entry.id));
      if (entry.trace) p.update(entry.trace, entry.live);
    } else if (reveal) panel.panel.reveal(undefined, true);
    return panel;
  };
  const focusTrace = async (id: unknown): Promise<void> => {
    const entry = typeof id === 'string' ? registry.get(id) : registry.list()[0];
    if (!entry) {
      void vscode.window.showInformationMessage(
        'Pod Birth: that trace is no longer in this window. Trace the manifest again.',
      );
      return;
    }
    openPanel(entry, true);
  };

  // Diagrams follow their trace; bursts (a relist, a log batch) are folded into one update.
  const toPanels = coalesce<TraceEntry>(
    DIAGRAM_COALESCE_MS,
    (id, e) => e.trace && panels.get(id)?.update(e.trace, e.live),
  );
  const updateStatus = (): void => {
    const running = registry.running();
    const last = registry.list()[0];
    if (running.length > 0) {
      status.text = `$(sync~spin) Pod Birth: ${running.length === 1 ? running[0]?.title : `${running.length} traces`}`;
      status.tooltip = 'A pod birth is being traced: click to show it';
      status.command = { title: 'Show trace', command: FOCUS_TRACE_COMMAND, arguments: [running[0]?.id] };
      status.show();
    } else if (last) {
      const failed = last.outcome !== 'ready' && last.outcome !== 'succeeded' && last.outcome !== 'replay';
      status.text = `${failed ? '$(error)' : '$(pass)'} Pod Birth: ${last.title} ${last.outcome ?? ''}`;
      status.tooltip = 'Show the last traced pod birth';
      status.command = { title: 'Show trace', command: FOCUS_TRACE_COMMAND, arguments: [last.id] };
      status.show();
    } else status.hide();
  };

  const ui: HostUi = {
    isTrusted: () => vscode.workspace.isTrusted,
    pickMode: async (subject, canApply) => {
      const items: (vscode.QuickPickItem & { mode: ClusterApi.TraceMode })[] = [
        {
          label: 'Apply & trace',
          description: canApply
            ? 'create it on the cluster and watch it being born'
            : 'disabled: the workspace is not trusted',
          mode: 'apply',
        },
        {
          label: 'Attach to the existing pod',
          description: 'reconstruct its birth from what the cluster still has',
          mode: 'attach',
        },
      ];
      return (await vscode.window.showQuickPick(items, { title: `Trace ${subject}` }))?.mode ?? null;
    },
    confirmApply: async (question, detail) =>
      (await vscode.window.showWarningMessage(question, { modal: true, detail }, 'Apply')) === 'Apply',
    error: (m) => void vscode.window.showErrorMessage(m),
    info: (m) => void vscode.window.showInformationMessage(m),
    withProgress: async (title, task) =>
      await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title, cancellable: true },
        (progress, token) =>
          task(
            (message) => progress.report({ message }),
            new Promise<void>((r) => token.onCancellationRequested(() => r())),
          ),
      ),
    log: output,
  };
  const deps: FlowDeps = { ui, cluster, registry, settings, onFirstState: (e) => openPanel(e, false) };

  context.subscriptions.push(
    output,
    status,
    timeline,
    registry.onChange((c) => {
      if (c.type === 'updated') {
        toPanels.push(c.entry.id, c.entry);
        if (!c.entry.live) toPanels.flush();
      }
      updateStatus();
    }),
    { dispose: () => toPanels.dispose() },
    { dispose: () => void registry.stopAll() },
    vscode.window.registerWebviewViewProvider(TIMELINE_VIEW_ID, timeline),
    vscode.commands.registerCommand('podBirth.trace', (uri?: unknown) =>
      traceCommand(deps, uri instanceof vscode.Uri ? uri : undefined),
    ),
    vscode.commands.registerCommand(TRACE_DOCUMENT_COMMAND, (args: TraceDocumentArgs) => traceDocumentAt(deps, args)),
    vscode.commands.registerCommand('podBirth.attach', () => attachCommand(deps)),
    vscode.commands.registerCommand('podBirth.traceExplorerPod', (target: unknown) => explorerCommand(deps, target)),
    vscode.commands.registerCommand(FOCUS_TRACE_COMMAND, (id?: unknown) => focusTrace(id)),
    vscode.commands.registerCommand('podBirth.stopTraces', () => registry.stopAll()),
    vscode.commands.registerCommand('podBirth.clearTraces', () => registry.clearFinished()),
    vscode.commands.registerCommand('podBirth.showTimeline', () => timeline.reveal()),
    vscode.commands.registerCommand('podBirth.showOutput', () => output.show(true)),
    vscode.commands.registerCommand('podBirth.openTraceFile', () => openTraceFile(openPanel, output)),
    DiagramPanel.register(context, output),
  );

  // The language server runs in its own process; start it without waiting so activation stays fast.
  const serverModule = context.asAbsolutePath('dist/server.js');
  client = new LanguageClient(
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
  context.subscriptions.push(bridgeTracesToServer(registry, () => client));
  void client
    .start()
    .catch((e: unknown) =>
      output.error(`language server failed to start: ${e instanceof Error ? e.message : String(e)}`),
    );
  // Read by the benchmarks: activate() itself, with the cluster bundle not loaded yet.
  output.info(
    `activated in ${(performance.now() - activateStart).toFixed(1)} ms (cluster layer loaded: ${clusterModule !== null})`,
  );
}

export async function deactivate(): Promise<void> {
  await registry.stopAll();
  await client?.stop();
}

function settings(): TraceSettings {
  const c = vscode.workspace.getConfiguration('podBirth');
  const s = (k: string): string | undefined => c.get<string>(k) || undefined;
  return {
    kubeconfig: s('kubeconfig'),
    context: s('context'),
    namespace: s('namespace'),
    nodeLogs: c.get<boolean>('nodeLogs', true),
    timeoutMs: c.get<number>('traceTimeout', 300) * 1000,
    maxPods: Math.max(1, Math.floor(c.get<number>('workloadPods', 3))),
  };
}

/** Replays a trace file written by `pod-birth record` (or exported), without a cluster. */
async function openTraceFile(
  openPanel: (e: TraceEntry, reveal: boolean) => DiagramPanel,
  output: vscode.LogOutputChannel,
): Promise<void> {
  const picked = await vscode.window.showOpenDialog({
    canSelectMany: false,
    filters: { 'Pod Birth trace': ['json'] },
    title: 'Open a Pod Birth trace file',
  });
  const file = picked?.[0];
  if (!file) return;
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(await vscode.workspace.fs.readFile(file)).toString('utf8'));
  } catch (e) {
    void vscode.window.showErrorMessage(
      `Pod Birth: ${file.fsPath} is not valid JSON (${e instanceof Error ? e.message : String(e)}).`,
    );
    return;
  }
  const evidence = readTraceFile(raw);
  if (typeof evidence === 'string') {
    void vscode.window.showErrorMessage(
      `Pod Birth: ${file.fsPath} ${evidence}. Record one with \`pod-birth record … -o trace.json\`.`,
    );
    return;
  }
  const state = new TraceState();
  state.addAll(evidence);
  const trace = buildTrace(state);
  const entry = registry.add({ title: `${trace.pod.namespace ?? '?'}/${trace.pod.name ?? '?'}`, manifest: null });
  registry.finish(entry.id, 'replay', trace);
  openPanel(entry, true);
  output.info(`replayed ${evidence.length} pieces of evidence from ${file.fsPath}\n${renderText(trace)}`);
}

/** The CodeLens command: trace document N of a file. */
async function traceDocumentAt(deps: FlowDeps, args: TraceDocumentArgs): Promise<void> {
  if (!args || typeof args.uri !== 'string' || !Number.isInteger(args.docIndex)) return;
  const document = await vscode.workspace.openTextDocument(vscode.Uri.parse(args.uri));
  const doc = parseManifest(document.getText()).documents[args.docIndex];
  if (!doc || doc.podTemplatePath === null || doc.errors.length > 0) {
    void vscode.window.showErrorMessage(
      'Pod Birth: that document is no longer a traceable Pod or workload; save your changes and try again.',
    );
    return;
  }
  await traceTarget(deps, { kind: 'manifest', document: doc, source: args.uri });
}

/** Right-click / palette: the manifest under the cursor, or (nothing open) attach to a pod. */
async function traceCommand(deps: FlowDeps, uri?: vscode.Uri): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  const document =
    uri && (!editor || editor.document.uri.toString() !== uri.toString())
      ? await vscode.workspace.openTextDocument(uri)
      : editor?.document;
  if (!document || document.languageId !== 'yaml') {
    await attachCommand(deps);
    return;
  }
  const manifest = parseManifest(document.getText());
  const errors = manifest.documents.flatMap((d) => d.errors.map((e) => ({ d, e })));
  if (errors.length > 0) {
    const first = errors[0];
    void vscode.window.showErrorMessage(
      `Pod Birth: the manifest has YAML errors (line ${first?.e.line ?? '?'}: ${first?.e.message.split('\n')[0] ?? ''}). Fix them and try again.`,
    );
    return;
  }
  const cursorLine = editor && editor.document === document ? editor.selection.active.line : null;
  const picked = await chooseDocument(
    manifest.documents,
    cursorLine === null ? null : documentAt(manifest, cursorLine),
    (items) =>
      vscode.window
        .showQuickPick(
          items.map((d) => ({ label: describeDocument(d), doc: d })),
          { title: 'Trace which document?' },
        )
        .then((p) => p?.doc ?? null),
  );
  if (!picked.doc) {
    if (picked.reason) void vscode.window.showErrorMessage(`Pod Birth: ${picked.reason}`);
    return;
  }
  await traceTarget(deps, { kind: 'manifest', document: picked.doc, source: document.uri.toString() });
}

/** Attach without a manifest: pick a context, a namespace and a pod. */
async function attachCommand(deps: FlowDeps): Promise<void> {
  const api = cluster();
  const cfg = settings();
  try {
    const contexts = api.listContexts({ kubeconfig: cfg.kubeconfig });
    const context =
      contexts.names.length <= 1
        ? (contexts.names[0] ?? contexts.current)
        : (
            await vscode.window.showQuickPick(
              contexts.names.map((n) => ({ label: n, description: n === contexts.current ? 'current context' : '' })),
              { title: 'Pod Birth: attach — which context?' },
            )
          )?.label;
    if (!context) return;
    const conn = api.loadConnection({ kubeconfig: cfg.kubeconfig, context, namespace: cfg.namespace });
    const namespaces = await api.listNamespaces(conn);
    const namespace = namespaces
      ? (
          await vscode.window.showQuickPick(
            namespaces
              .map((n) => ({ label: n, description: n === conn.namespace ? 'context default' : '' }))
              .sort((a, b) => (a.label === conn.namespace ? -1 : b.label === conn.namespace ? 1 : 0)),
            { title: `Pod Birth: attach — namespace in ${context}` },
          )
        )?.label
      : await vscode.window.showInputBox({
          title: `Pod Birth: attach — namespace in ${context}`,
          value: conn.namespace,
          prompt: 'Listing namespaces is not allowed for you; type one.',
        });
    if (!namespace) return;
    const pods = await api.listPods(conn, namespace);
    if (pods.length === 0) {
      void vscode.window.showInformationMessage(
        `Pod Birth: namespace "${namespace}" (context ${context}) has no pods. Open a manifest and choose "Apply & trace".`,
      );
      return;
    }
    const pod = await vscode.window.showQuickPick(
      pods.map((p) => ({
        label: p.name,
        description: p.phase,
        detail: `${p.createdAt ?? ''}${p.node ? ` on ${p.node}` : ''}`,
      })),
      { title: `Pod Birth: attach — pod in ${namespace}` },
    );
    if (!pod) return;
    await traceTarget(deps, { kind: 'pod', name: pod.label, namespace, context });
  } catch (e) {
    void vscode.window.showErrorMessage(`Pod Birth: ${errorText(e)}`);
  }
}

/** From the Microsoft Kubernetes extension's Cluster Explorer: attach to the right-clicked pod. */
async function explorerCommand(deps: FlowDeps, target: unknown): Promise<void> {
  const r = await resolveExplorerTarget(target);
  if (typeof r === 'string') {
    void vscode.window.showErrorMessage(`Pod Birth: ${r}`);
    return;
  }
  if (r.kind !== 'Pod') {
    void vscode.window.showErrorMessage(
      `Pod Birth: ${r.kind}/${r.name} is not a pod; right-click one of its pods, or open its manifest and use Trace Pod Birth.`,
    );
    return;
  }
  await traceTarget(deps, { kind: 'pod', name: r.name, namespace: r.namespace });
}
