// The live diagram: a WebviewPanel fed with the Trace model (never markup, never credentials). The
// page draws the shared core generator's Mermaid source itself; the host answers its messages after
// validating them, reveals the manifest range of a clicked arrow, and writes the exports. After a
// window reload the page names the trace it showed and gets it back from the window's kept traces.

import * as vscode from 'vscode';
import { locatePodPath, parseManifest } from '../core/manifest/index.js';
import type { Trace } from '../core/model.js';
import { renderMermaid } from '../core/mermaid/index.js';
import { stringifyContract, toContract } from '../core/report/contract.js';
import {
  EXPORT_REQUEST,
  EXPORT_SVG,
  RENDER_DONE,
  STEP_REVEAL,
  TRACE_RESET,
  TRACE_RESTORE,
  TRACE_SNAPSHOT,
  parseDiagramToHost,
  type DiagramToHost,
  type ExportFormat,
  type HostToDiagram,
} from '../protocol/diagram.js';
import { PROTOCOL_VERSION, WEBVIEW_READY } from '../protocol/webview.js';
import type { TraceEntry } from './trace-registry.js';
import type { PageLoadWatch } from './page-load-watch.js';
import { diagramHtml } from './webview-html.js';
import { startWebviewPage } from './webview-page.js';

import { DIAGRAM_VIEW_TYPE } from './view-types.js';

/** The manifest document the trace came from, where a clicked step is revealed. */
export interface RevealDocument {
  readonly uri: string;
  readonly docIndex: number;
}

/** What a panel restored after a window reload asks its owner (panels.ts). */
export interface PanelOwner {
  /** The trace a reloaded page names (its saved state), if this window still keeps it. */
  find(traceId: string): TraceEntry | undefined;
  /** The panel shows that trace now: it gets the trace's updates. */
  adopt(traceId: string, panel: DiagramPanel): void;
}

export class DiagramPanel {
  private seq = 0;
  private trace: Trace | null = null;
  private live = false;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly page: PageLoadWatch;

  static create(
    ctx: vscode.ExtensionContext,
    log: vscode.LogOutputChannel,
    entry: TraceEntry,
    title: string,
    owner: PanelOwner,
  ): DiagramPanel {
    const panel = vscode.window.createWebviewPanel(
      DIAGRAM_VIEW_TYPE,
      title,
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      DiagramPanel.options(ctx),
    );
    return new DiagramPanel(ctx, log, panel, title, entry.manifest, entry.id, owner);
  }

  static options(ctx: vscode.ExtensionContext): vscode.WebviewOptions & vscode.WebviewPanelOptions {
    // Only the webview bundle is loadable; no retainContextWhenHidden (state comes back from the host).
    return { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(ctx.extensionUri, 'dist', 'webview')] };
  }

  /** A panel VS Code kept over a window reload: its page names its trace once loaded. */
  static restore(
    ctx: vscode.ExtensionContext,
    log: vscode.LogOutputChannel,
    panel: vscode.WebviewPanel,
    owner: PanelOwner,
  ): DiagramPanel {
    panel.webview.options = DiagramPanel.options(ctx);
    return new DiagramPanel(ctx, log, panel, panel.title, null, null, owner);
  }

  constructor(
    ctx: vscode.ExtensionContext,
    private readonly log: vscode.LogOutputChannel,
    readonly panel: vscode.WebviewPanel,
    private title: string,
    private manifest: RevealDocument | null,
    private traceId: string | null,
    private readonly owner: PanelOwner,
  ) {
    const webview = panel.webview;
    this.page = startWebviewPage({
      what: `diagram "${title}"`,
      log,
      webview,
      extensionUri: ctx.extensionUri,
      bundle: 'diagram',
      html: diagramHtml,
      title,
      visible: () => panel.visible,
    });
    let shown = panel.visible;
    this.disposables.push(
      this.page,
      webview.onDidReceiveMessage((raw: unknown) => {
        const msg = parseDiagramToHost(raw);
        if (!msg) {
          this.log.warn(`diagram: dropped an unknown or malformed message from the webview`);
          return;
        }
        void this.handle(msg);
      }),
      // A panel shown again has a new page (VS Code discarded the hidden one): wait for it to start.
      panel.onDidChangeViewState(() => {
        if (panel.visible && !shown) this.page.loading();
        shown = panel.visible;
      }),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  /** Shows a new state of the trace (live updates or a replay). */
  update(trace: Trace, live: boolean): void {
    this.trace = trace;
    this.live = live;
    this.postSnapshot();
  }

  private postSnapshot(): void {
    if (!this.trace) return;
    this.post({
      type: TRACE_SNAPSHOT,
      v: PROTOCOL_VERSION,
      seq: ++this.seq,
      ...(this.traceId !== null ? { traceId: this.traceId } : {}),
      trace: this.trace,
      title: this.title,
      live: this.live,
    });
  }

  /** A reloaded page named `traceId`: show it if the window kept it, else say why the panel is empty. */
  private reattach(traceId: string | null): void {
    const entry = traceId !== null ? this.owner.find(traceId) : undefined;
    if (!entry?.trace) {
      this.post({
        type: TRACE_RESET,
        seq: ++this.seq,
        reason:
          'This diagram’s trace is no longer kept in this window (only the newest traces survive a reload). Open a trace from the Pod Birth timeline, or trace the manifest again.',
      });
      return;
    }
    this.traceId = entry.id;
    this.manifest = entry.manifest;
    this.owner.adopt(entry.id, this);
    this.update(entry.trace, entry.live);
  }

  /** Typed by the diagram's protocol: this panel posts nothing else. */
  private post(m: HostToDiagram): void {
    void this.panel.webview.postMessage(m);
  }

  private async handle(msg: DiagramToHost): Promise<void> {
    switch (msg.type) {
      case TRACE_RESTORE:
        if (this.traceId === null) this.reattach(msg.traceId);
        return;
      case WEBVIEW_READY:
        this.page.ready();
        // A restored page that named no trace (or one this window no longer keeps) gets told why it is empty.
        if (this.traceId === null) this.reattach(null);
        else this.postSnapshot();
        return;
      case STEP_REVEAL:
        await this.reveal(msg.stepId);
        return;
      case RENDER_DONE:
        this.log.trace(`diagram: rendered ${msg.arrows} arrows in ${msg.ms.toFixed(0)} ms`);
        return;
      case EXPORT_REQUEST:
        await this.export(msg.format);
        return;
      case EXPORT_SVG:
        await this.save(msg.svg, 'svg', { SVG: ['svg'] });
        return;
    }
  }

  private async reveal(stepId: string): Promise<void> {
    const step = this.trace?.steps.find((s) => s.id === stepId) ?? null;
    const path =
      step?.yamlPath ?? this.trace?.diagnosis.find((d) => `diagnosis:${d.cause}` === stepId)?.yamlPath ?? null;
    if (!this.manifest || !path) {
      void vscode.window.setStatusBarMessage(
        step ? `Pod Birth: ${step.kind} has no manifest field to show` : 'Pod Birth: no manifest for this trace',
        4000,
      );
      return;
    }
    const document = await vscode.workspace.openTextDocument(vscode.Uri.parse(this.manifest.uri));
    const doc = parseManifest(document.getText()).documents[this.manifest.docIndex];
    const located = doc ? locatePodPath(doc, path) : null;
    if (!located) {
      void vscode.window.setStatusBarMessage(`Pod Birth: ${path} is no longer in the manifest`, 4000);
      return;
    }
    const r = located.range;
    const selection = new vscode.Range(r.start.line, r.start.col, r.end.line, r.end.col);
    await vscode.window.showTextDocument(document, {
      selection,
      viewColumn: vscode.ViewColumn.One,
      preserveFocus: false,
    });
    if (!located.found) {
      void vscode.window.setStatusBarMessage(
        `Pod Birth: ${path} is not in the manifest yet; showing its nearest parent`,
        6000,
      );
    }
  }

  private async export(format: ExportFormat): Promise<void> {
    if (!this.trace) return;
    const mermaid = renderMermaid(this.trace).source;
    if (format === 'mermaid') await this.save(mermaid + '\n', 'mmd', { Mermaid: ['mmd'] });
    else if (format === 'markdown') {
      // The title holds cluster text (namespace/name from a trace file): one line, no backticks, no
      // markup, so it can neither close the fence nor add links.
      const title = this.title
        // eslint-disable-next-line no-control-regex -- stripping control characters is the point
        .replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069`]/g, ' ')
        .replace(/[\\*_[\]()<>#!|~]/g, '\\$&');
      await this.save(`# Pod birth: ${title}\n\n\`\`\`mermaid\n${mermaid}\n\`\`\`\n`, 'md', { Markdown: ['md'] });
    } else await this.save(stringifyContract(toContract(this.trace)) + '\n', 'json', { JSON: ['json'] });
  }

  private async save(text: string, ext: string, filters: Record<string, string[]>): Promise<void> {
    const base = (this.trace?.pod.name ?? 'pod').replace(/[^A-Za-z0-9._-]/g, '_');
    const target = await vscode.window.showSaveDialog({ defaultUri: vscode.Uri.file(`${base}-birth.${ext}`), filters });
    if (!target) return;
    await vscode.workspace.fs.writeFile(target, Buffer.from(text, 'utf8'));
    this.log.info(`exported ${target.fsPath}`);
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
