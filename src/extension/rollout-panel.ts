// The rollout view: one WebviewPanel per rollout, beside the manifest, fed the rollout's report (data,
// never markup, never credentials) at the tracer's own pace while it runs (core/rollout/pace: less
// often for a big rollout). It answers the page's messages after validating them: a pod chosen opens
// that pod's own sequence diagram (the diagram panel, following the pod in the rollout's worker), and
// the exports write the shared core's Markdown (to the clipboard) and CSV (to a file).

import * as vscode from 'vscode';
import type { RolloutReport } from '../core/rollout/report.js';
import {
  ROLLOUT_EXPORT,
  ROLLOUT_OPEN_POD,
  ROLLOUT_UPDATE,
  parseRolloutToHost,
  type HostToRollout,
  type RolloutExportFormat,
} from '../protocol/rollout.js';
import { PROTOCOL_VERSION, STATUS_SHOW, WEBVIEW_READY, isId } from '../protocol/webview.js';
import { isRecord } from '../core/guards.js';
import { rolloutReportEveryMs } from '../core/rollout/pace.js';
import type { RolloutEntry, RolloutRegistry } from './rollout-registry.js';
import { coalesce } from './trace-registry.js';
import { ROLLOUT_VIEW_TYPE } from './view-types.js';
import { rolloutHtml } from './webview-html.js';
import { startWebviewPage } from './webview-page.js';

/** The exports the shared core makes of a report (src/core/rollout). */
export interface RolloutExports {
  markdown(r: RolloutReport): string;
  csv(r: RolloutReport): string;
}

export interface RolloutPanelHost {
  /** Opens the pod's own diagram; a string says why it cannot. */
  openPod(entry: RolloutEntry, pod: string): Promise<string | null>;
  readonly exports: RolloutExports;
}

class RolloutPanel {
  private seq = 0;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    ctx: vscode.ExtensionContext,
    private readonly log: vscode.LogOutputChannel,
    readonly panel: vscode.WebviewPanel,
    private readonly rollouts: RolloutRegistry,
    private readonly rolloutId: string,
    private readonly host: RolloutPanelHost,
  ) {
    const webview = panel.webview;
    const page = startWebviewPage({
      what: `rollout "${panel.title}"`,
      log,
      webview,
      extensionUri: ctx.extensionUri,
      bundle: 'rollout',
      html: rolloutHtml,
      title: panel.title,
      visible: () => panel.visible,
    });
    let shown = panel.visible;
    this.disposables.push(
      page,
      webview.onDidReceiveMessage((raw: unknown) => {
        const msg = parseRolloutToHost(raw);
        if (!msg) {
          this.log.warn('rollout: dropped an unknown or malformed message from the webview');
          return;
        }
        if (msg.type === WEBVIEW_READY) {
          page.ready();
          this.post();
        } else if (msg.type === ROLLOUT_OPEN_POD) void this.openPod(msg.pod);
        else if (msg.type === ROLLOUT_EXPORT) void this.export(msg.format);
      }),
      // Hidden panels get no messages they could miss: resend the whole state when shown again. A
      // panel shown again has a new page (VS Code discarded the hidden one): wait for it to start.
      panel.onDidChangeViewState(() => {
        if (panel.visible && !shown) page.loading();
        shown = panel.visible;
        if (panel.visible) this.post();
      }),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  /** Sends the rollout's report (a complete state: a page that missed updates loses nothing). */
  post(): void {
    const entry = this.rollouts.get(this.rolloutId);
    if (!entry) {
      this.send({
        type: STATUS_SHOW,
        seq: ++this.seq,
        level: 'warning',
        text: 'This rollout is no longer kept in this window. Trace the workload again to see its rollout.',
      });
      return;
    }
    if (!entry.report) return;
    this.send({
      type: ROLLOUT_UPDATE,
      v: PROTOCOL_VERSION,
      seq: ++this.seq,
      rolloutId: entry.id,
      where: entry.where,
      report: entry.report,
    });
  }

  private async openPod(pod: string): Promise<void> {
    const entry = this.rollouts.get(this.rolloutId);
    const why = entry
      ? await this.host.openPod(entry, pod)
      : 'Pod Birth: this rollout is no longer kept in this window; trace the workload again.';
    if (why) void vscode.window.showInformationMessage(why);
  }

  private async export(format: RolloutExportFormat): Promise<void> {
    const entry = this.rollouts.get(this.rolloutId);
    const report = entry?.report;
    if (!report) return;
    const live = report.live ? ' (still live: the pods so far)' : '';
    if (format === 'markdown') {
      await vscode.env.clipboard.writeText(this.host.exports.markdown(report));
      void vscode.window.setStatusBarMessage(
        `Pod Birth: the rollout of ${report.workload.name} copied as Markdown${live}`,
        5000,
      );
      return;
    }
    const base = report.workload.name.replace(/[^A-Za-z0-9._-]/g, '_') || 'rollout';
    const target = await vscode.window.showSaveDialog({
      defaultUri: vscode.Uri.file(`${base}-rollout.csv`),
      filters: { CSV: ['csv'] },
    });
    if (!target) return;
    await vscode.workspace.fs.writeFile(target, Buffer.from(this.host.exports.csv(report), 'utf8'));
    this.log.info(`exported ${target.fsPath}${live}`);
  }

  /** Typed by the rollout view's protocol: this panel posts nothing else. */
  private send(m: HostToRollout): void {
    void this.panel.webview.postMessage(m);
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

/** The rollout panels of this window, one per rollout, fed every registry update (coalesced). */
export class RolloutPanels implements vscode.Disposable {
  private readonly panels = new Map<string, RolloutPanel>();
  private readonly disposables: { dispose(): void }[] = [];

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly output: vscode.LogOutputChannel,
    private readonly rollouts: RolloutRegistry,
    private readonly host: RolloutPanelHost,
  ) {
    const toPanels = coalesce<null>(
      (id) => rolloutReportEveryMs(rollouts.get(id)?.report?.pods.length ?? 0),
      (id) => this.panels.get(id)?.post(),
    );
    this.disposables.push(
      { dispose: () => toPanels.dispose() },
      rollouts.onChange((c) => {
        const id = c.type === 'updated' ? c.entry.id : c.id;
        toPanels.push(id, null);
        if (c.type === 'removed' || !c.entry.live) toPanels.flush();
      }),
    );
  }

  /** Opens (or brings forward) the rollout's view beside the manifest. */
  open(entry: RolloutEntry, reveal = true): void {
    const known = this.panels.get(entry.id);
    if (known) {
      if (reveal) known.panel.reveal(undefined, true);
      return;
    }
    const panel = vscode.window.createWebviewPanel(
      ROLLOUT_VIEW_TYPE,
      `Rollout: ${entry.title}`,
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      this.options(),
    );
    this.track(entry.id, panel);
  }

  /**
   * A panel VS Code restored after a window reload: `state` is what its page saved, which names its
   * rollout. The window kept that rollout's report (rollout-keep.ts), or the page is told it did not.
   */
  restore(panel: vscode.WebviewPanel, state: unknown): void {
    panel.webview.options = this.options();
    const id = isRecord(state) && isId(state.rolloutId) ? state.rolloutId : '';
    // A second panel naming the same rollout shows it too, untracked (focus() brings the first
    // forward); a page that names none is told the window does not keep its rollout.
    if (id !== '' && this.panels.has(id)) {
      new RolloutPanel(this.context, this.output, panel, this.rollouts, id, this.host);
      return;
    }
    this.track(id, panel);
  }

  /** Only the webview bundle is loadable; no retainContextWhenHidden (the host keeps the report). */
  private options(): vscode.WebviewOptions & vscode.WebviewPanelOptions {
    return {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(this.context.extensionUri, 'dist', 'webview')],
    };
  }

  private track(id: string, panel: vscode.WebviewPanel): void {
    const p = new RolloutPanel(this.context, this.output, panel, this.rollouts, id, this.host);
    if (id === '') return;
    this.panels.set(id, p);
    panel.onDidDispose(() => this.panels.get(id) === p && this.panels.delete(id));
  }

  /** The rollout with this id (or the newest) brought forward; says so when it is gone. */
  focus(id: unknown): void {
    const entry = typeof id === 'string' ? this.rollouts.get(id) : this.rollouts.list()[0];
    if (!entry) {
      void vscode.window.showInformationMessage(
        'Pod Birth: that rollout is no longer in this window. Run “Pod Birth: Trace Rollout” on the workload’s manifest.',
      );
      return;
    }
    this.open(entry, true);
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
    for (const p of this.panels.values()) p.panel.dispose();
  }
}
