// The diagram panels of this window, one per trace: opened on a trace's first state, revealed on
// focus, restored after a reload, and fed every registry update (bursts folded into one render).

import * as vscode from 'vscode';
import { DiagramPanel } from './diagram-panel.js';
import { coalesce, DIAGRAM_COALESCE_MS, type TraceEntry, type TraceRegistry } from './trace-registry.js';

export class DiagramPanels implements vscode.Disposable {
  private readonly panels = new Map<string, DiagramPanel>();
  private readonly disposables: { dispose(): void }[] = [];

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly output: vscode.LogOutputChannel,
    private readonly registry: TraceRegistry,
  ) {
    const toPanels = coalesce<TraceEntry>(
      DIAGRAM_COALESCE_MS,
      (id, e) => e.trace && this.panels.get(id)?.update(e.trace, e.live),
    );
    this.disposables.push(
      { dispose: () => toPanels.dispose() },
      registry.onChange((c) => {
        if (c.type !== 'updated') return;
        toPanels.push(c.entry.id, c.entry);
        if (!c.entry.live) toPanels.flush();
      }),
    );
  }

  open(entry: TraceEntry, reveal: boolean): DiagramPanel {
    let panel = this.panels.get(entry.id);
    if (!panel) {
      const title = `Pod Birth: ${entry.title}${entry.outcome === 'replay' ? ' (replay)' : ''}`;
      const p = DiagramPanel.create(this.context, this.output, title, entry.manifest);
      this.panels.set(entry.id, p);
      p.panel.onDidDispose(() => this.panels.get(entry.id) === p && this.panels.delete(entry.id));
      if (entry.trace) p.update(entry.trace, entry.live);
      panel = p;
    } else if (reveal) panel.panel.reveal(undefined, true);
    return panel;
  }

  /** The trace with this id (or the newest one) brought forward; says so when it is gone. */
  focus(id: unknown): void {
    const entry = typeof id === 'string' ? this.registry.get(id) : this.registry.list()[0];
    if (!entry) {
      void vscode.window.showInformationMessage(
        'Pod Birth: that trace is no longer in this window. Trace the manifest again.',
      );
      return;
    }
    this.open(entry, true);
  }

  /** A diagram VS Code kept over a window reload (the panel serializer). */
  restore(panel: vscode.WebviewPanel): void {
    DiagramPanel.restore(this.context, this.output, panel);
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
