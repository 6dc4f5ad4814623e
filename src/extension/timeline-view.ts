// The side-panel timeline: a WebviewView listing this window's traces as waterfalls. The host sends
// the whole list (a complete state, like the diagram's snapshots) whenever a trace changes, at most
// every UPDATE_MS; the page renders it with its own clock for running phases.

import * as vscode from 'vscode';
import {
  ROLLOUT_FOCUS,
  TIMELINE_UPDATE,
  TRACE_FOCUS,
  parseTimelineToHost,
  type HostToTimeline,
  type TimelineItem,
  type TimelineRollout,
} from '../protocol/timeline.js';
import { PROTOCOL_VERSION, WEBVIEW_READY } from '../protocol/webview.js';
import { keepRollouts } from './rollout-keep.js';
import type { RolloutRegistry } from './rollout-registry.js';
import { coalesce, keepTraces, type TraceRegistry } from './trace-registry.js';
import { timelineHtml } from './webview-html.js';
import { startWebviewPage } from './webview-page.js';

export const TIMELINE_VIEW_ID = 'podBirth.timeline';
const UPDATE_MS = 200;

export class TimelineView implements vscode.WebviewViewProvider, vscode.Disposable {
  private view: vscode.WebviewView | null = null;
  private seq = 0;
  private readonly subscriptions: { dispose(): void }[] = [];
  private readonly push = coalesce<null>(UPDATE_MS, () => this.post());

  constructor(
    private readonly ctx: vscode.ExtensionContext,
    private readonly registry: TraceRegistry,
    private readonly log: vscode.LogOutputChannel,
    private readonly focus: (traceId: string) => void,
    private readonly rollouts: RolloutRegistry,
    private readonly focusRollout: (rolloutId: string) => void,
  ) {
    // This view is made at activation with the registry and the workspace state: it brings the
    // window's traces back from before a reload (the diagram panels VS Code restores ask for theirs).
    this.subscriptions.push(keepTraces(registry, ctx.workspaceState));
    // The rollouts too (their reports; the rollout panels VS Code restores ask for theirs).
    this.subscriptions.push(keepRollouts(rollouts, ctx.workspaceState));
    this.subscriptions.push(registry.onChange(() => this.push.push('all', null)));
    this.subscriptions.push(rollouts.onChange(() => this.push.push('all', null)));
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    const root = vscode.Uri.joinPath(this.ctx.extensionUri, 'dist', 'webview');
    view.webview.options = { enableScripts: true, localResourceRoots: [root] };
    const page = startWebviewPage({
      what: 'timeline',
      log: this.log,
      webview: view.webview,
      extensionUri: this.ctx.extensionUri,
      bundle: 'timeline',
      html: timelineHtml,
      title: 'Pod Birth timeline',
      visible: () => view.visible,
    });
    this.subscriptions.push(
      page,
      view.webview.onDidReceiveMessage((raw: unknown) => {
        const msg = parseTimelineToHost(raw);
        if (!msg) {
          this.log.warn('timeline: dropped an unknown or malformed message from the webview');
          return;
        }
        if (msg.type === WEBVIEW_READY) {
          page.ready();
          this.post();
        } else if (msg.type === TRACE_FOCUS) this.focus(msg.traceId);
        else if (msg.type === ROLLOUT_FOCUS) this.focusRollout(msg.rolloutId);
      }),
      view.onDidDispose(() => {
        page.dispose();
        this.view = null;
      }),
      // Hidden views get no messages they could miss: resend the whole state when shown again. A
      // shown view's page is a new one (VS Code discarded the hidden one): wait for it to start.
      view.onDidChangeVisibility(() => {
        if (!view.visible) return;
        page.loading();
        this.post();
      }),
    );
  }

  /** Brings the view forward (the status bar item and the commands use it). */
  async reveal(): Promise<void> {
    await vscode.commands.executeCommand(`${TIMELINE_VIEW_ID}.focus`);
  }

  /** Sends the whole list (a complete state: a view that missed updates loses nothing). */
  private post(): void {
    if (!this.view) return;
    const traces = this.registry
      .list()
      .flatMap((e): TimelineItem[] =>
        e.trace ? [{ id: e.id, title: e.title, live: e.live, outcome: e.outcome, trace: e.trace }] : [],
      );
    // A rollout is summarized (its percentiles and verdict), never sent pod by pod: that is its own view.
    const rollouts = this.rollouts.list().flatMap((e): TimelineRollout[] =>
      e.report
        ? [
            {
              id: e.id,
              // The name first: a narrow side bar cuts the end, and the namespace matters least there.
              title: `${e.report.workload.kind} ${e.report.workload.name} (${e.report.workload.namespace})`,
              live: e.live,
              pods: e.report.pods.length,
              sloStartup: e.report.percentiles.sloStartup ?? null,
              total: e.report.percentiles.total ?? null,
              slo: e.report.slo,
            },
          ]
        : [],
    );
    this.send(this.view, { type: TIMELINE_UPDATE, v: PROTOCOL_VERSION, seq: ++this.seq, traces, rollouts });
  }

  /** Typed by the timeline's protocol: this view posts nothing else. */
  private send(view: vscode.WebviewView, m: HostToTimeline): void {
    void view.webview.postMessage(m);
  }

  dispose(): void {
    this.push.dispose();
    for (const s of this.subscriptions.splice(0)) s.dispose();
  }
}
