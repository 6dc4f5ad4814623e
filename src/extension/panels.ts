// The diagram panels of this window, one per trace: opened on a trace's first state, revealed on
// focus, restored after a reload (the page names its trace; the registry kept it), and fed every
// registry update (bursts folded to at most one per DIAGRAM_COALESCE_MS).

import * as vscode from 'vscode';
import { DiagramPanel, type PanelOwner } from './diagram-panel.js';
import { coalesce, DIAGRAM_COALESCE_MS, type TraceEntry, type TraceRegistry } from './trace-registry.js';

export class DiagramPanels implements vscode.Disposable {
  private readonly panels = new Map<string, DiagramPanel>();
  private readonly disposables: { dispose(): void }[] = [];
  private readonly owner: PanelOwner = {
    find: (id) => this.registry.get(id),
    adopt: (id, p) => this.track(id, p),
  };

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
      const p = DiagramPanel.create(this.context, this.output, entry, title, this.owner);
      this.track(entry.id, p);
      if (entry.trace) p.update(entry.trace, entry.live);
      panel = p;
    } else if (reveal) panel.panel.reveal(undefined, true);
    return panel;
  }

  private track(id: string, p: DiagramPanel): void {
    const other = this.panels.get(id);
    // Two restored panels naming one trace: the newer one gets the updates, the other keeps its picture.
    if (other === p) return;
    this.panels.set(id, p);
    p.panel.onDidDispose(() => this.panels.get(id) === p && this.panels.delete(id));
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
    DiagramPanel.restore(this.context, this.output, panel, this.owner);
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
