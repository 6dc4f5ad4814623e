// The command handlers, in their own bundle (dist/commands.js) required on the first command: they
// bring the manifest parser (yaml) and the trace engine, which activation does not need. The trace
// decisions live in trace-flow.ts (vscode-free, unit-tested); this file gathers the user's choices.

import * as path from 'node:path';
import * as vscode from 'vscode';
import type * as ClusterApi from '../cluster/index.js';
import { errorText } from '../core/guards.js';
import { documentAt, parseManifest } from '../core/manifest/index.js';
import { renderText } from '../core/report/text.js';
import { toCsv, toMarkdown } from '../core/rollout/table.js';
import { TraceState, buildTrace, readTraceFile } from '../core/trace/index.js';
import type { TraceDocumentArgs } from '../protocol/commands.js';
import { chooseDocument, describeDocument } from './choose.js';
import { vscodeHostUi } from './host-ui.js';
import { resolveExplorerTarget } from './kubernetes-explorer.js';
import { DiagramPanels } from './panels.js';
import {
  endOpenedPods,
  followPodEvent,
  podTraceEntry,
  rolloutRefusal,
  traceRollout,
  type RolloutFlowDeps,
} from './rollout-flow.js';
import { RolloutPanels } from './rollout-panel.js';
import { workerLaunch, workerRolloutRunner } from './rollout-worker-client.js';
import type { RolloutRegistry } from './rollout-registry.js';
import { traceSettings } from './settings.js';
import { traceTarget, type FlowDeps } from './trace-flow.js';
import type { TraceRegistry } from './trace-registry.js';

/** What the always-loaded entry (extension.ts) hands over: the window's singletons. */
export interface CommandHost {
  readonly context: vscode.ExtensionContext;
  readonly output: vscode.LogOutputChannel;
  readonly registry: TraceRegistry;
  readonly rollouts: RolloutRegistry;
  /** The lazily required cluster bundle. */
  readonly cluster: () => typeof ClusterApi;
}

export interface Commands extends vscode.Disposable {
  trace(uri?: unknown): Promise<void>;
  traceDocument(args: TraceDocumentArgs): Promise<void>;
  attach(): Promise<void>;
  traceExplorerPod(target: unknown): Promise<void>;
  focusTrace(id?: unknown): void;
  openTraceFile(): Promise<void>;
  restorePanel(panel: vscode.WebviewPanel): void;
  /** A rollout panel VS Code restored after a reload; `state` is what its page saved. */
  restoreRolloutPanel(panel: vscode.WebviewPanel, state: unknown): void;
  traceRollout(uri?: unknown): Promise<void>;
  focusRollout(id?: unknown): void;
}

/** `node -e …` running the cluster bundle's watchdog with the job as argv[1]. */
function nodeDebugWatchdogArgv(extensionPath: string): string[] {
  const bundle = JSON.stringify(path.join(extensionPath, 'dist', 'cluster.js'));
  return ['-e', `require(${bundle}).nodeDebugWatchdogMain(process.argv[1]).then((c) => process.exit(c))`];
}

export function createCommands(host: CommandHost): Commands {
  const panels = new DiagramPanels(host.context, host.output, host.registry);
  const ui = vscodeHostUi(host.output);
  const rolloutPanels = new RolloutPanels(host.context, host.output, host.rollouts, {
    openPod: async (entry, pod) => {
      const r = await podTraceEntry(entry, pod, host.registry);
      if (typeof r === 'string') return r;
      panels.open(r, true);
      return null;
    },
    exports: { markdown: toMarkdown, csv: toCsv },
  });
  const rolloutDeps: RolloutFlowDeps = {
    ui,
    startRollout: workerRolloutRunner(workerLaunch(host.context.extensionPath), (text) =>
      host.output.warn(`rollout worker: ${text.trimEnd()}`),
    ),
    rollouts: host.rollouts,
    settings: traceSettings,
    onStarted: (e) => rolloutPanels.open(e, true),
    onPodEvent: (entry, pod, e) => followPodEvent(entry, pod, e, host.registry),
  };
  // A rollout that ended ends the live diagrams of the pods opened from it.
  const ended = host.rollouts.onChange(
    (c) => c.type === 'updated' && !c.entry.live && endOpenedPods(c.entry, host.registry),
  );
  const deps: FlowDeps = {
    ui,
    cluster: host.cluster,
    registry: host.registry,
    settings: traceSettings,
    // Deletes a node debug pod if the extension host dies first (docs/node-debug.md).
    nodeDebugWatchdog: nodeDebugWatchdogArgv(host.context.extensionPath),
    onFirstState: (e) => panels.open(e, false),
    onRollout: async (target, mode) => {
      await traceRollout(rolloutDeps, { ...target, mode });
    },
  };
  return {
    trace: (uri) => traceCommand(deps, host.cluster, uri instanceof vscode.Uri ? uri : undefined),
    traceDocument: (args) => traceDocumentAt(deps, args),
    attach: () => attachCommand(deps, host.cluster),
    traceExplorerPod: (target) => explorerCommand(deps, target),
    focusTrace: (id) => panels.focus(id),
    openTraceFile: () => openTraceFile(host, panels),
    restorePanel: (panel) => panels.restore(panel),
    restoreRolloutPanel: (panel, state) => rolloutPanels.restore(panel, state),
    traceRollout: (uri) => rolloutCommand(rolloutDeps, uri instanceof vscode.Uri ? uri : undefined),
    focusRollout: (id) => rolloutPanels.focus(id),
    dispose: () => {
      ended.dispose();
      rolloutPanels.dispose();
      panels.dispose();
    },
  };
}

/** Replays a trace file written by `pod-birth record` (or exported), without a cluster. */
async function openTraceFile(host: CommandHost, panels: DiagramPanels): Promise<void> {
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
    void vscode.window.showErrorMessage(`Pod Birth: ${file.fsPath} is not valid JSON (${errorText(e)}).`);
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
  const entry = host.registry.add({ title: `${trace.pod.namespace ?? '?'}/${trace.pod.name ?? '?'}`, manifest: null });
  host.registry.finish(entry.id, 'replay', trace);
  panels.open(entry, true);
  host.output.info(`replayed ${evidence.length} pieces of evidence from ${file.fsPath}\n${renderText(trace)}`);
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

/** The document a command is about: the one clicked (explorer, menu), else the active editor's. */
async function documentFor(uri: vscode.Uri | undefined): Promise<vscode.TextDocument | undefined> {
  const editor = vscode.window.activeTextEditor;
  return uri && (!editor || editor.document.uri.toString() !== uri.toString())
    ? await vscode.workspace.openTextDocument(uri)
    : editor?.document;
}

/** Right-click / palette: the manifest under the cursor, or (nothing open) attach to a pod. */
async function traceCommand(deps: FlowDeps, cluster: () => typeof ClusterApi, uri?: vscode.Uri): Promise<void> {
  const document = await documentFor(uri);
  if (!document || document.languageId !== 'yaml') {
    await attachCommand(deps, cluster);
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
  const editor = vscode.window.activeTextEditor;
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

/** "Trace Rollout": the workload document under the cursor (or the only one, or asked). */
async function rolloutCommand(deps: RolloutFlowDeps, uri?: vscode.Uri): Promise<void> {
  const document = await documentFor(uri);
  if (!document || document.languageId !== 'yaml') {
    void vscode.window.showErrorMessage(
      'Pod Birth: open a Deployment, StatefulSet, DaemonSet, Job or ReplicaSet manifest, then run “Trace Rollout” on it.',
    );
    return;
  }
  const manifest = parseManifest(document.getText());
  const firstError = manifest.documents.flatMap((d) => d.errors)[0];
  if (firstError) {
    void vscode.window.showErrorMessage(
      `Pod Birth: the manifest has YAML errors (line ${firstError.line}: ${firstError.message.split('\n')[0] ?? ''}). Fix them and try again.`,
    );
    return;
  }
  const workloads = manifest.documents.filter((d) => rolloutRefusal(d.kind) === null);
  const editor = vscode.window.activeTextEditor;
  const cursorLine = editor && editor.document === document ? editor.selection.active.line : null;
  const under = cursorLine === null ? null : documentAt(manifest, cursorLine);
  const picked =
    under && rolloutRefusal(under.kind) === null
      ? under
      : workloads.length === 1
        ? workloads[0]
        : workloads.length === 0
          ? null
          : ((
              await vscode.window.showQuickPick(
                workloads.map((d) => ({ label: describeDocument(d), doc: d })),
                { title: 'Trace the rollout of which workload?' },
              )
            )?.doc ?? undefined);
  if (picked === undefined) return;
  if (picked === null) {
    void vscode.window.showErrorMessage(`Pod Birth: ${rolloutRefusal(under?.kind ?? null) ?? 'no workload here.'}`);
    return;
  }
  await traceRollout(deps, { kind: 'manifest', document: picked, source: document.uri.toString() });
}

/** Attach without a manifest: pick a context, a namespace and a pod. */
async function attachCommand(deps: FlowDeps, cluster: () => typeof ClusterApi): Promise<void> {
  const api = cluster();
  const cfg = deps.settings();
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
