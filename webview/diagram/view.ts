// The page chrome: header (pod, phase, diagnosis, notes), toolbar, status line, the scroller the
// diagram goes in, the "newer steps" button, tooltip. Plain DOM; every text goes through textContent.

import type { Diagnosis, Trace, TraceNote } from '../../src/core/model.js';
import type { StatusLevel } from '../../src/protocol/webview.js';
import { el } from '../shared/dom.js';
import type { StepFacts } from './step-info.js';
import { createToolbar, type Toolbar, type ToolbarAction } from './toolbar.js';

export type { ToolbarAction } from './toolbar.js';

export interface View {
  readonly root: HTMLElement;
  readonly scroller: HTMLElement;
  /** Holds the placeholder or the diagram (its sticky lane header, then the body). */
  readonly diagram: HTMLElement;
  readonly offscreen: HTMLElement;
  readonly toolbar: Toolbar;
  showTrace(trace: Trace, title: string, live: boolean): void;
  /** Puts the diagram's two SVGs in place of the placeholder (once per trace). */
  mount(header: SVGSVGElement, body: HTMLElement): void;
  showStatus(level: StatusLevel, text: string): void;
  clearStatus(): void;
  showPlaceholder(text: string): void;
  /** The "newer arrows below" button, shown while live and not following. */
  setJump(visible: boolean): void;
  showTooltip(facts: StepFacts, x: number, y: number): void;
  hideTooltip(): void;
}

const PHASE_TEXT: Record<string, string> = {
  pending: 'Pending',
  scheduled: 'Scheduled',
  starting: 'Starting',
  ready: 'Ready',
  failed: 'Failed',
  succeeded: 'Succeeded',
};

export function createView(onAction: (a: ToolbarAction | 'jump') => void, onReveal: (stepId: string) => void): View {
  const app = document.getElementById('pb-app') ?? document.body.appendChild(el('div'));
  app.className = 'pb-app';

  const header = el('header', 'pb-header');
  const titleRow = el('div', 'pb-title-row');
  const podName = el('h1', 'pb-pod');
  const phase = el('span', 'pb-phase');
  const live = el('span', 'pb-live', 'live');
  live.title = 'Updating live from the cluster';
  const meta = el('span', 'pb-meta');
  const toolbar = createToolbar(onAction);
  titleRow.append(podName, phase, live, meta, toolbar.root);

  const findings = el('div', 'pb-findings');
  const status = el('div', 'pb-status');
  status.setAttribute('role', 'status');
  status.hidden = true;
  header.append(titleRow, findings, status);

  const main = el('div', 'pb-main');
  const scroller = el('main', 'pb-scroll');
  scroller.setAttribute('aria-label', 'Pod birth sequence diagram');
  const diagram = el('div', 'pb-diagram');
  const placeholder = el('p', 'pb-placeholder', 'Waiting for the trace…');
  diagram.append(placeholder);
  scroller.append(diagram);
  const jump = el('button', 'pb-jump', 'Newer steps below ↓');
  jump.type = 'button';
  jump.title = 'Scroll to the newest arrow and follow it again';
  jump.hidden = true;
  jump.addEventListener('click', () => onAction('jump'));
  main.append(scroller, jump);

  const offscreen = el('div', 'pb-offscreen');
  offscreen.setAttribute('aria-hidden', 'true');

  const tooltip = el('div', 'pb-tooltip');
  tooltip.setAttribute('role', 'tooltip');
  tooltip.id = 'pb-tooltip';
  tooltip.hidden = true;

  app.replaceChildren(header, main, offscreen, tooltip);
  const lanes = el('div', 'pb-lanes');
  let shownHeader = '';

  return {
    root: app,
    scroller,
    diagram,
    offscreen,
    toolbar,
    showTrace(trace, title, isLive) {
      // Most live snapshots change only the steps: leave the header alone then.
      const signature = JSON.stringify([
        trace.pod,
        trace.phase,
        trace.runtimeVersion,
        trace.diagnosis,
        trace.notes,
        title,
        isLive,
      ]);
      if (signature === shownHeader) return;
      shownHeader = signature;
      const ns = trace.pod?.namespace ?? null;
      const name = trace.pod?.name ?? null;
      podName.textContent = name ? `${ns ? `${ns}/` : ''}${name}` : title || 'Pod Birth';
      podName.title = podName.textContent;
      phase.textContent = PHASE_TEXT[trace.phase] ?? String(trace.phase);
      phase.dataset.phase = String(trace.phase);
      live.hidden = !isLive;
      const bits: string[] = [];
      if (trace.pod?.node) bits.push(`node ${trace.pod.node}`);
      if (trace.runtimeVersion) bits.push(trace.runtimeVersion.replace('://', ' '));
      meta.textContent = bits.join(' · ');

      const items = findingItems(trace, onReveal);
      findings.replaceChildren(...items);
      findings.hidden = items.length === 0;
    },
    mount(head, body) {
      if (lanes.firstChild !== head) lanes.replaceChildren(head);
      if (diagram.firstChild !== lanes || diagram.lastChild !== body) diagram.replaceChildren(lanes, body);
    },
    showStatus(level, text) {
      status.hidden = false;
      status.dataset.level = level;
      status.textContent = text;
    },
    clearStatus() {
      status.hidden = true;
      status.textContent = '';
    },
    showPlaceholder(text) {
      placeholder.textContent = text;
      diagram.replaceChildren(placeholder);
    },
    setJump(visible) {
      jump.hidden = !visible;
    },
    showTooltip(f, x, y) {
      showTooltip(tooltip, f, x, y);
    },
    hideTooltip() {
      tooltip.hidden = true;
    },
  };
}

/** The header's findings: a heading, one box per diagnosis, one per note. */
function findingItems(trace: Trace, onReveal: (stepId: string) => void): HTMLElement[] {
  const items: HTMLElement[] = [];
  if ((trace.diagnosis ?? []).length > 0) {
    // The question people open the tool with: answer it by name.
    const q = trace.phase === 'pending' ? 'Why Pending?' : trace.phase === 'failed' ? 'Why it failed' : 'Findings';
    items.push(el('h2', 'pb-findings-title', q));
  }
  for (const d of trace.diagnosis ?? []) items.push(diagnosisBox(d, onReveal));
  for (const n of trace.notes ?? []) items.push(noteBox(n));
  return items;
}

function diagnosisBox(d: Diagnosis, onReveal: (stepId: string) => void): HTMLElement {
  const box = el('section', 'pb-finding pb-diagnosis');
  box.setAttribute('aria-label', `Diagnosis: ${d.cause}`);
  const head = el('div', 'pb-finding-head');
  head.append(el('span', 'pb-cause', d.cause));
  if (d.container) head.append(el('span', 'pb-dim', `container ${d.container}`));
  if (d.nodes !== null && Number.isFinite(d.nodes))
    head.append(el('span', 'pb-dim', `${d.nodes} node${d.nodes === 1 ? '' : 's'}`));
  if (d.yamlPath) {
    // The host resolves `diagnosis:<cause>` to the diagnosis' field path.
    const link = el('button', 'pb-link', 'Show in manifest');
    link.type = 'button';
    link.title = d.yamlPath;
    link.addEventListener('click', () => onReveal(`diagnosis:${d.cause}`));
    head.append(link);
  }
  box.append(head);
  if (d.message) box.append(el('div', 'pb-finding-text', d.message));
  if (d.yamlPath) {
    const f = el('div', 'pb-field');
    f.append(el('span', 'pb-dim', 'Field: '), el('code', '', d.yamlPath));
    box.append(f);
  }
  if (d.suggestion) box.append(labelled('Suggestion: ', d.suggestion));
  if (d.evidence) box.append(el('div', 'pb-evidence', d.evidence));
  return box;
}

/** A note (limited view, clock skew…): one line, the whole text and the fix on demand. */
function noteBox(n: TraceNote): HTMLElement {
  const box = el('details', `pb-finding pb-note pb-note-${n.kind}`);
  const head = el('summary', 'pb-finding-head pb-note-summary');
  head.append(el('span', 'pb-note-kind', n.kind === 'degraded' ? 'limited view' : n.kind));
  head.append(el('span', 'pb-finding-text', n.message));
  box.append(head);
  if (n.remedy) box.append(labelled('To fix: ', n.remedy));
  return box;
}

/** A dimmed label and its text, as a suggestion line. */
function labelled(label: string, text: string): HTMLElement {
  const s = el('div', 'pb-suggestion');
  s.append(el('span', 'pb-dim', label), document.createTextNode(text));
  return s;
}

/** Fills the tooltip and places it next to (x, y), inside the window. */
function showTooltip(tooltip: HTMLElement, f: StepFacts, x: number, y: number): void {
  const rows = f.rows.map(([k, v]) => {
    const r = el('div', 'pb-tip-row');
    r.append(el('span', 'pb-tip-key', k), el('span', 'pb-tip-value', v));
    return r;
  });
  tooltip.replaceChildren(el('div', 'pb-tip-title', f.title), ...rows);
  if (f.message) tooltip.append(el('div', 'pb-tip-message', f.message));
  if (f.hint) tooltip.append(el('div', 'pb-tip-hint', f.hint));
  tooltip.hidden = false;
  const pad = 12;
  const w = tooltip.offsetWidth;
  const h = tooltip.offsetHeight;
  const left = Math.max(4, Math.min(x + pad, window.innerWidth - w - 4));
  const top = y + pad + h > window.innerHeight ? Math.max(4, y - h - pad) : y + pad;
  // CSSOM writes: allowed under a strict style-src.
  tooltip.style.left = `${left}px`;
  tooltip.style.top = `${top}px`;
}
