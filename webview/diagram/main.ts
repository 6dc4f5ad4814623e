// Diagram webview entry. The host sends the Trace model (never markup); this page turns it into the
// shared core generator's Mermaid source and draws that source itself (live.ts), in place, once per
// animation frame; Mermaid itself draws only the SVG export (mermaid-export.ts, loaded on demand). It
// keeps only view state and posts clicks back as step/reveal.

import './diagram.css';
import { errorText } from '../../src/core/guards.js';
import { renderMermaid } from '../../src/core/mermaid/index.js';
import {
  EXPORT_REQUEST,
  EXPORT_SVG,
  RENDER_DONE,
  STEP_REVEAL,
  TRACE_RESET,
  TRACE_RESTORE,
  TRACE_SNAPSHOT,
  type HostToDiagram,
} from '../../src/protocol/diagram.js';
import { PROTOCOL_VERSION, STATUS_SHOW, WEBVIEW_READY } from '../../src/protocol/webview.js';
import { Follow } from './follow.js';
import { createDiagramIpc } from './ipc.js';
import { LiveDiagram, type Snapshot, type Shown } from './live.js';
import { canvasMetrics } from './measure.js';
import { Replay } from './replay.js';
import { SequenceView } from './sequence-view.js';
import { stepFacts } from './step-info.js';
import { applyPalette, mermaidConfig, readPalette, type Palette } from './theme.js';
import { createView, type ToolbarAction } from './view.js';

const ipc = createDiagramIpc();
const view = createView(onAction, (stepId) => reveal(stepId));
const seqView = new SequenceView();
const follow = new Follow(view.scroller);

let palette: Palette = readPalette();
/** The scroller's content width: what the diagram is laid out for. */
let panelWidth = (() => {
  const st = getComputedStyle(view.scroller);
  return view.scroller.clientWidth - parseFloat(st.paddingLeft) - parseFloat(st.paddingRight);
})();
applyPalette(palette);
let metrics = canvasMetrics(palette);

const live = new LiveDiagram({
  seq: seqView,
  width: () => Math.max(200, panelWidth),
  metrics: () => metrics,
  lanes: () => ipc.state().lanes,
  prefer: () => (growing() && follow.on ? 'end' : 'start'),
  drawn,
  painted: (seq, ms, arrows) => ipc.post({ type: RENDER_DONE, seq, ms, arrows }),
  failed: (e) => {
    ownError = true;
    view.showStatus('error', `The diagram could not be drawn: ${errorText(e)}`);
  },
});

let isLive = false;
/** The host's latest snapshot: what a replay replays, and what it shows again at the end. */
let hostSnapshot: Snapshot | null = null;
const replay = new Replay((trace, done) => {
  if (!hostSnapshot) return;
  live.show({ ...hostSnapshot, trace });
  if (done) view.toolbar.setReplay(true, false);
});
/** Whether the diagram grows on its own now (live, or a replay): the newest arrow is followed then. */
const growing = (): boolean => isLive || replay.running;
let resyncAsked = false;
let ownError = false;
let restoredScroll = false;

// ---------------------------------------------------------------------------------------------
// Host messages

ipc.onMessage(onHostMessage);
// After a window reload VS Code restores this page with its saved state: name the trace it showed.
const savedTrace = ipc.state().traceId;
if (savedTrace !== null) ipc.post({ type: TRACE_RESTORE, traceId: savedTrace });
ipc.post({ type: WEBVIEW_READY, v: PROTOCOL_VERSION, lastSeq: ipc.state().lastSeq });

function onHostMessage(m: HostToDiagram): void {
  const last = ipc.state().lastSeq;
  // A snapshot is complete, so a gap before one loses nothing; before anything else, ask for a resync.
  if (last !== null && m.seq > last + 1 && m.type !== TRACE_SNAPSHOT && !resyncAsked) {
    resyncAsked = true;
    ipc.post({ type: WEBVIEW_READY, v: PROTOCOL_VERSION, lastSeq: last });
  }
  if (m.type === TRACE_SNAPSHOT) resyncAsked = false;
  ipc.update({ lastSeq: m.seq });
  switch (m.type) {
    case TRACE_SNAPSHOT:
      if (m.v !== PROTOCOL_VERSION)
        view.showStatus(
          'warning',
          `Pod Birth: this view speaks protocol ${PROTOCOL_VERSION}, the extension ${m.v}. Reload the window if the diagram looks wrong.`,
        );
      if (m.traceId !== undefined && m.traceId !== ipc.state().traceId) ipc.update({ traceId: m.traceId });
      isLive = m.live;
      replay.stop();
      hostSnapshot = { seq: m.seq, trace: m.trace, title: m.title, live: m.live };
      view.showTrace(m.trace, m.title, m.live);
      view.toolbar.setFollow(follow.on, isLive);
      view.toolbar.setReplay(!isLive && m.trace.steps.length > 1, false);
      live.show(hostSnapshot);
      return;
    case TRACE_RESET:
      replay.stop();
      hostSnapshot = null;
      live.reset();
      view.showPlaceholder(m.reason || 'The trace was reset.');
      return;
    case STATUS_SHOW:
      view.showStatus(m.level, m.text);
      return;
  }
}

// ---------------------------------------------------------------------------------------------
// After each draw: the page around the diagram.

function drawn(shown: Shown, added: readonly string[], first: boolean): void {
  view.mount(seqView.header, seqView.body);
  seqView.body.setAttribute(
    'aria-label',
    `Sequence diagram of the birth of ${shown.trace.pod?.name ?? 'the pod'}, ${shown.diagram.messages.length} steps`,
  );
  if (ownError) {
    ownError = false;
    view.clearStatus();
  }
  applySelection(ipc.state().selectedStepId);
  view.toolbar.setLanes(shown.merged, ipc.state().lanes === 'auto');
  if (first && !restoredScroll) {
    restoredScroll = true;
    const s = ipc.state();
    if (s.scrollY > 0 || s.scrollX > 0) {
      view.scroller.scrollTo(s.scrollX, s.scrollY);
      follow.set(follow.atBottom());
    } else if (isLive) view.scroller.scrollTop = view.scroller.scrollHeight;
  }
  if (added.length > 0) {
    seqView.flash(added);
    // Writes above, then one scroll (it makes the browser lay out once), and reads only when needed.
    if (growing() && follow.on) follow.scrollToEnd();
  }
  view.setJump(growing() && !follow.on && !follow.atBottom());
}

follow.onChange((on) => {
  view.toolbar.setFollow(on, isLive);
  view.setJump(growing() && !on && !follow.atBottom());
});

// ---------------------------------------------------------------------------------------------
// Interaction: one delegated listener per event type on the diagram container.

function indexOf(target: EventTarget | null): number | null {
  if (!(target instanceof Element)) return null;
  const hit = target.closest('[data-pb-index]');
  if (!hit) return null;
  const n = Number(hit.getAttribute('data-pb-index'));
  return Number.isInteger(n) ? n : null;
}

function stepAt(n: number): string | null {
  return live.shown?.diagram.messages[n]?.stepId ?? null;
}

function noteOf(target: EventTarget | null): string | null {
  if (!(target instanceof Element)) return null;
  const g = target.closest('[data-pb-note]');
  return g ? seqView.noteStep(Number(g.getAttribute('data-pb-note'))) : null;
}

function reveal(stepId: string): void {
  ipc.update({ selectedStepId: stepId });
  applySelection(stepId);
  ipc.post({ type: STEP_REVEAL, stepId });
}

function applySelection(stepId: string | null): void {
  for (const e of Array.from(seqView.body.querySelectorAll('.pb-selected'))) e.classList.remove('pb-selected');
  const shown = live.shown;
  if (!stepId || !shown) return;
  shown.diagram.messages.forEach((m, n) => {
    if (m.stepId === stepId) for (const e of seqView.arrow(n)) e.classList.add('pb-selected');
  });
}

view.diagram.addEventListener('click', (e) => {
  const n = indexOf(e.target);
  const stepId = n !== null ? stepAt(n) : noteOf(e.target);
  if (stepId) reveal(stepId);
});

view.diagram.addEventListener('keydown', (e) => {
  if (e.key !== 'Enter' && e.key !== ' ') return;
  const n = indexOf(e.target);
  const stepId = n !== null ? stepAt(n) : null;
  if (!stepId) return;
  e.preventDefault();
  reveal(stepId);
});

let hovered: number | null = null;
function hover(n: number | null, x: number, y: number): void {
  if (hovered !== null) for (const e of seqView.arrow(hovered)) e.classList.remove('pb-hover');
  hovered = n;
  const shown = live.shown;
  const stepId = n !== null ? stepAt(n) : null;
  if (n === null || !stepId || !shown) {
    view.hideTooltip();
    return;
  }
  const label = seqView.arrow(n).find((e) => e.classList.contains('messageText'))?.textContent ?? '';
  for (const e of seqView.arrow(n)) e.classList.add('pb-hover');
  view.showTooltip(stepFacts(shown.steps.get(stepId), label), x, y);
}

view.diagram.addEventListener('pointermove', (e) => {
  const n = indexOf(e.target);
  if (n === null) {
    if (hovered !== null) hover(null, 0, 0);
    return;
  }
  if (n !== hovered) hover(n, e.clientX, e.clientY);
});
view.diagram.addEventListener('pointerleave', () => hover(null, 0, 0));
view.diagram.addEventListener('focusin', (e) => {
  const n = indexOf(e.target);
  if (n === null || !(e.target instanceof Element)) return;
  const r = e.target.getBoundingClientRect();
  hover(n, r.left, r.bottom);
});
view.diagram.addEventListener('focusout', () => hover(null, 0, 0));

let scrollTimer: ReturnType<typeof setTimeout> | undefined;
view.scroller.addEventListener('scroll', () => {
  view.hideTooltip();
  if (follow.atBottom()) view.setJump(false);
  if (scrollTimer !== undefined) return;
  scrollTimer = setTimeout(() => {
    scrollTimer = undefined;
    ipc.update({ scrollX: Math.round(view.scroller.scrollLeft), scrollY: Math.round(view.scroller.scrollTop) });
  }, 200);
});

// Width changes (panel resized, side bar toggled) lay the diagram out again. The width is kept here
// rather than read per draw: reading it makes the browser lay the page out in the middle of a frame.
new ResizeObserver((entries) => {
  const w = entries[0]?.contentRect.width;
  if (w === undefined || Math.abs(w - panelWidth) < 1) return;
  panelWidth = w;
  live.redraw();
}).observe(view.scroller);

function onAction(a: ToolbarAction | 'jump'): void {
  switch (a) {
    case 'export-mermaid':
      ipc.post({ type: EXPORT_REQUEST, format: 'mermaid' });
      return;
    case 'export-markdown':
      ipc.post({ type: EXPORT_REQUEST, format: 'markdown' });
      return;
    case 'export-json':
      ipc.post({ type: EXPORT_REQUEST, format: 'json' });
      return;
    case 'export-svg':
      void exportSvg();
      return;
    case 'follow':
      if (follow.on) follow.set(false);
      else follow.toEnd();
      return;
    case 'jump':
      follow.toEnd();
      view.setJump(false);
      return;
    case 'replay':
      if (replay.running) replay.stop();
      else if (hostSnapshot) {
        follow.set(true);
        view.toolbar.setReplay(true, true);
        replay.start(hostSnapshot.trace);
      }
      return;
    case 'lanes': {
      const merged = live.shown?.merged ?? false;
      ipc.update({ lanes: merged ? 'all' : 'merged' });
      live.redraw();
      return;
    }
  }
}

/** Mermaid's drawing of the same source the host exports (loaded on first use). */
async function exportSvg(): Promise<void> {
  const shown = live.shown;
  if (!shown) {
    view.showStatus('info', 'Nothing to export yet: the diagram has not been drawn.');
    return;
  }
  try {
    const { mermaidSvg } = await import('./mermaid-export.js');
    const svg = await mermaidSvg(renderMermaid(shown.trace).source, mermaidConfig(palette), view.offscreen);
    ipc.post({ type: EXPORT_SVG, svg });
  } catch (e) {
    view.showStatus('error', `The SVG could not be made: ${errorText(e)}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Theme: VS Code swaps body classes (and the --vscode-* variables) live.

let themeTimer: ReturnType<typeof setTimeout> | undefined;
const themeObserver = new MutationObserver(() => {
  // Class and style changes arrive together; let them settle once.
  if (themeTimer !== undefined) clearTimeout(themeTimer);
  themeTimer = setTimeout(() => {
    themeTimer = undefined;
    const next = readPalette();
    if (JSON.stringify(next) === JSON.stringify(palette)) return;
    palette = next;
    applyPalette(palette);
    metrics = canvasMetrics(palette);
    live.redraw();
  }, 30);
});
themeObserver.observe(document.body, {
  attributes: true,
  attributeFilter: ['class', 'data-vscode-theme-kind', 'data-vscode-theme-id'],
});
// VS Code writes the --vscode-* variables into <html style>.
themeObserver.observe(document.documentElement, { attributes: true, attributeFilter: ['style'] });
