// Diagram webview entry. The host sends the Trace model (never markup); this page renders it with the
// shared core generator and Mermaid, keeps only view state, and posts clicks back as step/reveal.

import './diagram.css';
import mermaid from 'mermaid';
import { errorText } from '../../src/core/guards.js';
import type { Trace } from '../../src/core/model.js';
import { renderMermaid, type RenderedDiagram } from '../../src/core/mermaid/index.js';
import { instantFromMs } from '../../src/core/time.js';
import {
  EXPORT_REQUEST,
  EXPORT_SVG,
  RENDER_DONE,
  STEP_REVEAL,
  TRACE_RESET,
  TRACE_SNAPSHOT,
  type HostToDiagram,
  type TraceSnapshotMessage,
} from '../../src/protocol/diagram.js';
import { PROTOCOL_VERSION, STATUS_SHOW, WEBVIEW_READY } from '../../src/protocol/webview.js';
import { createDiagramIpc } from './ipc.js';
import {
  adoptSvg,
  decorate,
  exportSvg,
  overlayCss,
  renderSvgText,
  statusCss,
  swapSheet,
  type ArrowInfo,
} from './render.js';
import { wrapNotes } from './layout.js';
import { sanitizeWithoutInlineStyles } from './purify-styles.js';
import { ariaFor, stepFacts, stepIndex } from './step-info.js';
import { mermaidConfig, readPalette, type Palette } from './theme.js';
import { createView, type ToolbarAction } from './view.js';

/**
 * Minimum gap between render starts; grows to twice the last render so the page is idle at least half
 * the time. The floor was 250 ms: most live changes then waited for it (bench: 355 ms from post to
 * render/done for a 96 ms render).
 */
const THROTTLE_MS = 100;
let lastRenderMs = 0;

/** The latest snapshot from the host, waiting to be drawn. */
type Snapshot = Omit<TraceSnapshotMessage, 'type' | 'v'>;

interface Shown {
  readonly seq: number;
  readonly trace: Trace;
  readonly diagram: RenderedDiagram;
  readonly svg: SVGSVGElement;
  readonly css: string;
  readonly byIndex: ReadonlyMap<number, readonly Element[]>;
}

const ipc = createDiagramIpc();
const view = createView(onAction, (stepId) => reveal(stepId));

let palette: Palette = readPalette();
sanitizeWithoutInlineStyles();
mermaid.initialize({ ...mermaidConfig(palette), suppressErrorRendering: true });

let latest: Snapshot | null = null;
let shown: Shown | null = null;
let dirty = false;
let rendering = false;
let timer: ReturnType<typeof setTimeout> | undefined;
let lastStart = Number.NEGATIVE_INFINITY;
let renders = 0;
let restoredScroll = false;
let resyncAsked = false;
let ownError = false;

view.setFit(ipc.state().fit);

// ---------------------------------------------------------------------------------------------
// Host messages

ipc.onMessage(onHostMessage);
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
      latest = { seq: m.seq, trace: m.trace, title: m.title, live: m.live };
      view.showTrace(m.trace, m.title, m.live);
      dirty = true;
      schedule();
      return;
    case TRACE_RESET:
      latest = null;
      shown = null;
      dirty = false;
      view.showPlaceholder(m.reason || 'The trace was reset.');
      return;
    case STATUS_SHOW:
      view.showStatus(m.level, m.text);
      return;
  }
}

// ---------------------------------------------------------------------------------------------
// Rendering: trailing throttle, one render at a time, only while visible, off-screen then swap.

function schedule(): void {
  if (rendering || timer !== undefined || !dirty) return;
  const delay = Math.max(0, lastStart + Math.max(THROTTLE_MS, 2 * lastRenderMs) - performance.now());
  timer = setTimeout(() => {
    timer = undefined;
    void run();
  }, delay);
}

document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible') schedule();
});

async function run(): Promise<void> {
  if (!dirty || !latest || rendering) return;
  if (document.visibilityState === 'hidden') return; // resumed by visibilitychange
  const snap = latest;
  dirty = false;
  rendering = true;
  lastStart = performance.now();
  view.setBusy(true);
  try {
    await renderSnapshot(snap);
    if (ownError) {
      ownError = false;
      view.clearStatus();
    }
  } catch (e) {
    ownError = true;
    view.showStatus('error', `The diagram could not be drawn: ${errorText(e)}`);
  } finally {
    rendering = false;
    view.setBusy(false);
    schedule();
  }
}

async function renderSnapshot(snap: Snapshot): Promise<void> {
  const t0 = performance.now();
  const diagram = renderMermaid(snap.trace, snap.live ? { now: instantFromMs(Date.now()) } : {});
  const id = `pb-diagram-${++renders}`;
  const text = await renderSvgText(id, wrapNotes(diagram.source), view.offscreen);
  if (latest === null) return; // reset while rendering
  const adopted = adoptSvg(text, overlayCss(id, palette));
  const steps = stepIndex(snap.trace);
  const decorated = decorate(adopted.svg, diagram, (n, label): ArrowInfo | null => {
    const stepId = diagram.messages[n]?.stepId;
    if (!stepId) return null;
    const step = steps.get(stepId);
    return { stepId, status: step?.status ?? null, aria: ariaFor(stepFacts(step, label)) };
  });
  adopted.svg.setAttribute(
    'aria-label',
    `Sequence diagram of the birth of ${snap.trace.pod?.name ?? 'the pod'}, ${decorated.arrows} steps`,
  );

  // Swap: the old diagram stays on screen until this line.
  swapSheet(adopted.sheet);
  view.diagram.replaceChildren(adopted.svg);
  shown = {
    seq: snap.seq,
    trace: snap.trace,
    diagram,
    svg: adopted.svg,
    css: adopted.css + statusCss(id, palette),
    byIndex: decorated.byIndex,
  };
  applySelection(ipc.state().selectedStepId);
  if (!restoredScroll) {
    restoredScroll = true;
    const s = ipc.state();
    view.scroller.scrollTo(s.scrollX, s.scrollY);
  }
  const ms = Math.round((performance.now() - t0) * 10) / 10;
  lastRenderMs = ms;
  ipc.post({ type: RENDER_DONE, seq: snap.seq, ms, arrows: decorated.arrows });
}

// ---------------------------------------------------------------------------------------------
// Interaction: one delegated listener per event type on the diagram container.

function indexOf(target: EventTarget | null): number | null {
  if (!(target instanceof Element)) return null;
  const hit = target.closest('[data-pb-index]');
  if (!hit) return null;
  const n = Number(hit.getAttribute('data-pb-index'));
  return Number.isInteger(n) ? n : null;
}

function noteOf(target: EventTarget | null): string | null {
  if (!(target instanceof Element) || !shown) return null;
  const g = target.closest('[data-pb-note]');
  if (!g) return null;
  return shown.diagram.notes[Number(g.getAttribute('data-pb-note'))]?.stepId ?? null;
}

function reveal(stepId: string): void {
  ipc.update({ selectedStepId: stepId });
  applySelection(stepId);
  ipc.post({ type: STEP_REVEAL, stepId });
}

function applySelection(stepId: string | null): void {
  if (!shown) return;
  for (const e of Array.from(shown.svg.querySelectorAll('.pb-selected'))) e.classList.remove('pb-selected');
  if (!stepId) return;
  for (const [n, els] of shown.byIndex) {
    if (shown.diagram.messages[n]?.stepId !== stepId) continue;
    for (const e of els) e.classList.add('pb-selected');
  }
}

view.diagram.addEventListener('click', (e) => {
  const n = indexOf(e.target);
  const stepId = n !== null ? shown?.diagram.messages[n]?.stepId : noteOf(e.target);
  if (stepId) reveal(stepId);
});

view.diagram.addEventListener('keydown', (e) => {
  if (e.key !== 'Enter' && e.key !== ' ') return;
  const n = indexOf(e.target);
  const stepId = n !== null ? shown?.diagram.messages[n]?.stepId : undefined;
  if (!stepId) return;
  e.preventDefault();
  reveal(stepId);
});

function factsAt(n: number): ReturnType<typeof stepFacts> | null {
  if (!shown) return null;
  const stepId = shown.diagram.messages[n]?.stepId;
  if (!stepId) return null;
  const els = shown.byIndex.get(n) ?? [];
  const label = els.find((e) => e.classList.contains('messageText'))?.textContent ?? '';
  return stepFacts(stepIndex(shown.trace).get(stepId), label);
}

let hovered: number | null = null;
function hover(n: number | null, x: number, y: number): void {
  if (shown && hovered !== null) for (const e of shown.byIndex.get(hovered) ?? []) e.classList.remove('pb-hover');
  hovered = n;
  const facts = n !== null ? factsAt(n) : null;
  if (n === null || !facts) {
    view.hideTooltip();
    return;
  }
  for (const e of shown?.byIndex.get(n) ?? []) e.classList.add('pb-hover');
  view.showTooltip(facts, x, y);
}

view.diagram.addEventListener('pointermove', (e) => {
  const n = indexOf(e.target);
  if (n === null) {
    if (hovered !== null) hover(null, 0, 0);
    return;
  }
  hover(n, e.clientX, e.clientY);
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
  if (scrollTimer !== undefined) return;
  scrollTimer = setTimeout(() => {
    scrollTimer = undefined;
    ipc.update({ scrollX: Math.round(view.scroller.scrollLeft), scrollY: Math.round(view.scroller.scrollTop) });
  }, 200);
});

function onAction(a: ToolbarAction): void {
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
      if (shown) ipc.post({ type: EXPORT_SVG, svg: exportSvg(shown.svg, shown.css) });
      else view.showStatus('info', 'Nothing to export yet: the diagram has not been drawn.');
      return;
    case 'fit': {
      const fit = !ipc.state().fit;
      ipc.update({ fit });
      view.setFit(fit);
      return;
    }
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
    mermaid.initialize({ ...mermaidConfig(palette), suppressErrorRendering: true });
    if (latest) {
      dirty = true;
      schedule();
    }
  }, 30);
});
themeObserver.observe(document.body, {
  attributes: true,
  attributeFilter: ['class', 'data-vscode-theme-kind', 'data-vscode-theme-id'],
});
// VS Code writes the --vscode-* variables into <html style>.
themeObserver.observe(document.documentElement, { attributes: true, attributeFilter: ['style'] });
