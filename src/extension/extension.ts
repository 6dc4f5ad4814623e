// Extension host entry. Activation stays cheap: the cluster layer (client-node, ~1 MB) is required
// only when the first trace starts.

import * as vscode from 'vscode';
import { LanguageClient, TransportKind } from 'vscode-languageclient/node';
import { TRACE_DOCUMENT_COMMAND, type TraceDocumentArgs } from '../protocol/lsp.js';
import type * as ClusterApi from '../cluster/index.js';
import { lineOfPodPath, parseManifest, documentAt, type ManifestDocument } from '../core/manifest/index.js';
import { renderText, stepLine } from '../core/report/text.js';
import { TraceState, buildTrace, readTraceFile } from '../core/trace/index.js';
import { chooseDocument, describeDocument, type TraceMode } from './choose.js';
import { DiagramPanel } from './diagram-panel.js';

let clusterModule: typeof ClusterApi | null = null;
function cluster(): typeof ClusterApi {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  clusterModule ??= require('./cluster.js') as typeof ClusterApi;
  return clusterModule;
}

let output: vscode.LogOutputChannel;
let status: vscode.StatusBarItem;
const running = new Set<{ stop(): Promise<void> }>();

export function activate(context: vscode.ExtensionContext): void {
  output = vscode.window.createOutputChannel('Pod Birth', { log: true });
  status = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Left, 50);
  status.command = 'podBirth.showOutput';
  context.subscriptions.push(
    output,
    status,
    vscode.commands.registerCommand('podBirth.trace', (uri?: vscode.Uri) => traceCommand(uri)),
    vscode.commands.registerCommand('podBirth.showOutput', () => output.show(true)),
    { dispose: () => void Promise.all([...running].map((s) => s.stop())) },
    vscode.commands.registerCommand(TRACE_DOCUMENT_COMMAND, (args: TraceDocumentArgs) => traceDocumentAt(args)),
    DiagramPanel.register(context, output),
    vscode.commands.registerCommand('podBirth.openTraceFile', () => openTraceFile()),
  );
  extensionContext = context;
  // The language server runs in its own process; start it without waiting so activation stays fast.
  const serverModule = context.asAbsolutePath('dist/server.js');
  client = new LanguageClient(
    'podBirth',
    'Pod Birth',
    { run: { module: serverModule, transport: TransportKind.ipc }, debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: ['--inspect=6009'] } } },
    { documentSelector: [{ language: 'yaml', scheme: 'file' }, { language: 'yaml', scheme: 'untitled' }], outputChannel: output },
  );
  void client.start().catch((e: unknown) => output.error(`language server failed to start: ${e instanceof Error ? e.message : String(e)}`));
}

let client: LanguageClient | null = null;
let extensionContext: vscode.ExtensionContext | null = null;

/** Replays a trace file written by `pod-birth record` (or exported), without a cluster. */
async function openTraceFile(): Promise<void> {
  const picked = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { 'Pod Birth trace': ['json'] }, title: 'Open a Pod Birth trace file' });
  const file = picked?.[0];
  if (!file || !extensionContext) return;
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(await vscode.workspace.fs.readFile(file)).toString('utf8'));
  } catch (e) {
    void vscode.window.showErrorMessage(`Pod Birth: ${file.fsPath} is not valid JSON (${e instanceof Error ? e.message : String(e)}).`);
    return;
  }
  const evidence = readTraceFile(raw);
  if (typeof evidence === 'string') {
    void vscode.window.showErrorMessage(`Pod Birth: ${file.fsPath} ${evidence}. Record one with \`pod-birth record … -o trace.json\`.`);
    return;
  }
  const state = new TraceState();
  state.addAll(evidence);
  const trace = buildTrace(state);
  const panel = DiagramPanel.create(extensionContext, output, `Pod Birth: ${trace.pod.namespace ?? '?'}/${trace.pod.name ?? '?'} (replay)`, null);
  panel.update(trace, false);
  output.info(`replayed ${evidence.length} pieces of evidence from ${file.fsPath}\n${renderText(trace)}`);
}

/** The CodeLens command: trace document N of a file, asking only apply or attach. */
async function traceDocumentAt(args: TraceDocumentArgs): Promise<void> {
  if (!args || typeof args.uri !== 'string' || !Number.isInteger(args.docIndex)) return;
  const document = await vscode.workspace.openTextDocument(vscode.Uri.parse(args.uri));
  const doc = parseManifest(document.getText()).documents[args.docIndex];
  if (!doc || doc.podTemplatePath === null || doc.errors.length > 0) {
    void vscode.window.showErrorMessage('Pod Birth: that document is no longer a traceable Pod or workload; save your changes and try again.');
    return;
  }
  const mode = await askMode(doc);
  if (mode) await runTrace(doc, mode, args.uri);
}

export async function deactivate(): Promise<void> {
  await Promise.all([...running].map((s) => s.stop()));
  await client?.stop();
}

function settings(): { kubeconfig?: string; context?: string; namespace?: string; nodeLogs: boolean; timeoutMs: number } {
  const c = vscode.workspace.getConfiguration('podBirth');
  const s = (k: string): string | undefined => c.get<string>(k) || undefined;
  return { kubeconfig: s('kubeconfig'), context: s('context'), namespace: s('namespace'), nodeLogs: c.get<boolean>('nodeLogs', true), timeoutMs: c.get<number>('traceTimeout', 300) * 1000 };
}

async function traceCommand(uri?: vscode.Uri): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  const document = uri && (!editor || editor.document.uri.toString() !== uri.toString()) ? await vscode.workspace.openTextDocument(uri) : editor?.document;
  if (!document) {
    void vscode.window.showErrorMessage('Pod Birth: open a Pod or workload manifest (YAML) first, then run Trace Pod Birth.');
    return;
  }
  const manifest = parseManifest(document.getText());
  const errors = manifest.documents.flatMap((d) => d.errors.map((e) => ({ d, e })));
  if (errors.length > 0) {
    const first = errors[0];
    void vscode.window.showErrorMessage(`Pod Birth: the manifest has YAML errors (line ${first?.e.line ?? '?'}: ${first?.e.message ?? ''}). Fix them and try again.`);
    return;
  }
  const cursorLine = editor && editor.document === document ? editor.selection.active.line : null;
  const picked = await chooseDocument(manifest.documents, cursorLine === null ? null : documentAt(manifest, cursorLine), (items) =>
    vscode.window.showQuickPick(items.map((d) => ({ label: describeDocument(d), doc: d })), { title: 'Trace which document?' }).then((p) => p?.doc ?? null),
  );
  if (!picked.doc) {
    if (picked.reason) void vscode.window.showErrorMessage(`Pod Birth: ${picked.reason}`);
    return;
  }
  const doc = picked.doc;
  const mode = await askMode(doc);
  if (!mode) return;
  await runTrace(doc, mode, document.uri.toString());
}

async function askMode(doc: ManifestDocument): Promise<TraceMode | null> {
  const modeItems: { label: string; description: string; mode: TraceMode }[] = [
    { label: 'Apply & trace', description: 'create it on the cluster and watch it being born', mode: 'apply' },
    { label: 'Attach to the existing pod', description: 'reconstruct its birth from what the cluster still has', mode: 'attach' },
  ];
  const mode = (await vscode.window.showQuickPick(modeItems, { title: `Trace ${describeDocument(doc)}` }))?.mode ?? null;
  if (mode === 'apply' && !vscode.workspace.isTrusted) {
    void vscode.window.showErrorMessage('Pod Birth: applying manifests to a cluster is disabled in an untrusted workspace. Trust the workspace, or attach to an existing pod.');
    return null;
  }
  return mode;
}

async function runTrace(doc: ManifestDocument, mode: TraceMode, uri: string): Promise<void> {
  const api = cluster();
  const cfg = settings();
  api.setRequestLogger((line) => output.debug(line));
  let conn: ClusterApi.Connection;
  try {
    conn = api.loadConnection({ kubeconfig: cfg.kubeconfig, context: cfg.context, namespace: cfg.namespace });
  } catch (e) {
    void vscode.window.showErrorMessage(`Pod Birth: ${e instanceof Error ? e.message : String(e)}`);
    return;
  }
  const obj = doc.toJSON() as ClusterApi.KubeObject;
  const namespace = api.targetNamespace(obj, conn);
  output.show(true);
  try {
    let name = obj.metadata?.name ?? '';
    let session: ClusterApi.TraceSession | null = null;
    const lineOf = (p: string): number | null => lineOfPodPath(doc, p);
    let panel: DiagramPanel | null = null;
    const showPanel = (): DiagramPanel | null => {
      if (!panel && extensionContext) panel = DiagramPanel.create(extensionContext, output, `Pod Birth: ${namespace}/${name}`, { uri, docIndex: doc.index });
      return panel;
    };
    const onEvent = (e: ClusterApi.SessionEvent): void => {
      if (e.type === 'steps') showPanel()?.update(e.trace, true);
      if (e.type === 'finished') showPanel()?.update(e.trace, false);
      if (e.type === 'steps') for (const s of e.added) output.info(`${stepLine(s)}${s.yamlPath && lineOf(s.yamlPath) ? ` (line ${lineOf(s.yamlPath)})` : ''}`);
      if (e.type === 'degraded') output.warn(`${e.note.message}${e.note.remedy ? ` To enable: ${e.note.remedy}` : ''}`);
      if (e.type === 'state') output.debug(e.message);
      if (e.type === 'error') output.error(e.error.message);
      if (e.type === 'finished') {
        output.info(`finished: ${e.outcome}\n${renderText(e.trace, lineOf)}`);
        status.text = `$(pulse) Pod Birth: ${e.trace.pod.name ?? name} ${e.outcome}`;
        status.tooltip = 'Show the Pod Birth output';
      }
    };
    if (mode === 'apply') {
      if (obj.kind !== 'Pod') {
        void vscode.window.showInformationMessage('Pod Birth: applying workloads is available from the CLI (`pod-birth trace --apply -f FILE --pods N`); in the editor, apply a Pod or attach to a workload\'s pod.');
        return;
      }
      const plan = await api.dryRun(conn, obj);
      const answer = await vscode.window.showWarningMessage(api.confirmationText(plan), { modal: true, detail: `Context: ${plan.context}\nCluster: ${plan.server}\nNamespace: ${plan.namespace}` }, 'Apply');
      if (answer !== 'Apply') return;
      name = plan.name;
      if (obj.metadata?.name) {
        session = new api.TraceSession({ conn, namespace, name, nodeLogs: cfg.nodeLogs, timeoutMs: cfg.timeoutMs, onEvent });
        await session.start();
        const created = await api.applyConfirmed(conn, obj, plan, { confirmedBy: 'modal' });
        if (created.metadata?.uid) session.expectUid(created.metadata.uid);
      } else {
        const created = await api.applyConfirmed(conn, obj, plan, { confirmedBy: 'modal' });
        name = created.metadata?.name ?? name;
        session = new api.TraceSession({ conn, namespace, name, ...(created.metadata?.uid ? { uid: created.metadata.uid } : {}), nodeLogs: cfg.nodeLogs, timeoutMs: cfg.timeoutMs, onEvent });
        await session.start();
      }
    } else {
      if (obj.kind !== 'Pod') {
        void vscode.window.showInformationMessage('Pod Birth: attach to a workload\'s pod with the CLI (`pod-birth trace -f FILE`) for now; in the editor, attach works on Pod documents.');
        return;
      }
      session = new api.TraceSession({ conn, namespace, name, nodeLogs: cfg.nodeLogs, timeoutMs: cfg.timeoutMs, onEvent });
      await session.start();
      if (session.state.snapshots.size === 0) {
        await session.stop();
        void vscode.window.showErrorMessage(`Pod Birth: pod "${name}" does not exist in namespace "${namespace}" (context ${conn.context}). Choose "Apply & trace" to create it.`);
        return;
      }
    }
    const s = session;
    running.add(s);
    status.text = `$(sync~spin) Pod Birth: ${name}`;
    status.show();
    void s.finished.finally(() => running.delete(s));
  } catch (e) {
    void vscode.window.showErrorMessage(`Pod Birth: ${e instanceof Error ? e.message : String(e)}`);
  }
}
