// The page chrome: header (pod, phase, diagnosis, notes), toolbar, status line, tooltip.
// Plain DOM; every piece of text goes through textContent.

import type { Diagnosis, Trace, TraceNote } from '../../src/core/model.js';
import type { StatusLevel } from '../../src/protocol/webview.js';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import { el } from '../shared/dom.js';
import type { StepFacts } from './step-info.js';

export type ToolbarAction = 'export-mermaid' | 'export-markdown' | 'export-json' | 'export-svg' | 'fit';

export interface View {
  readonly root: HTMLElement;
  readonly scroller: HTMLElement;
  readonly diagram: HTMLElement;
  readonly offscreen: HTMLElement;
  showTrace(trace: Trace, title: string, live: boolean): void;
  showStatus(level: StatusLevel, text: string): void;
  clearStatus(): void;
  showPlaceholder(text: string): void;
  setFit(fit: boolean): void;
  setBusy(busy: boolean): void;
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

export function createView(onAction: (a: ToolbarAction) => void, onReveal: (stepId: string) => void): View {
  const app = document.getElementById('pb-app') ?? document.body.appendChild(el('div'));
  app.className = 'pb-app';

  const header = el('header', 'pb-header');
  const titleRow = el('div', 'pb-title-row');
  const podName = el('h1', 'pb-pod');
  const phase = el('span', 'pb-phase');
  const live = el('span', 'pb-live', 'live');
  live.title = 'Updating live from the cluster';
  const meta = el('span', 'pb-meta');
  titleRow.append(podName, phase, live, meta);

  const { toolbar, fitButton } = createToolbar(onAction);
  titleRow.append(toolbar);

  const findings = el('div', 'pb-findings');
  const status = el('div', 'pb-status');
  status.setAttribute('role', 'status');
  status.hidden = true;
  header.append(titleRow, findings, status);

  const scroller = el('main', 'pb-scroll');
  scroller.setAttribute('aria-label', 'Pod birth sequence diagram');
  const diagram = el('div', 'pb-diagram');
  const placeholder = el('p', 'pb-placeholder', 'Waiting for the trace…');
  diagram.append(placeholder);
  scroller.append(diagram);

  const offscreen = el('div', 'pb-offscreen');
  offscreen.setAttribute('aria-hidden', 'true');

  const tooltip = el('div', 'pb-tooltip');
  tooltip.setAttribute('role', 'tooltip');
  tooltip.id = 'pb-tooltip';
  tooltip.hidden = true;

  app.replaceChildren(header, scroller, offscreen, tooltip);

  return {
    root: app,
    scroller,
    diagram,
    offscreen,
    showTrace(trace, title, isLive) {
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
    setFit(fit) {
      diagram.classList.toggle('pb-fit', fit);
      fitButton.textContent = fit ? 'Actual size' : 'Fit width';
      fitButton.setAttribute('aria-pressed', String(fit));
    },
    setBusy(busy) {
      app.classList.toggle('pb-busy', busy);
    },
    showTooltip(f, x, y) {
      showTooltip(tooltip, f, x, y);
    },
    hideTooltip() {
      tooltip.hidden = true;
    },
  };
}

function createToolbar(onAction: (a: ToolbarAction) => void): { toolbar: HTMLElement; fitButton: HTMLElement } {
  const toolbar = el('div', 'pb-toolbar');
  toolbar.setAttribute('role', 'toolbar');
  toolbar.setAttribute('aria-label', 'Diagram actions');
  const button = (label: string, action: ToolbarAction, tip: string): HTMLElement => {
    const b = document.createElement('vscode-button');
    b.setAttribute('secondary', '');
    b.textContent = label;
    b.title = tip;
    b.dataset.action = action;
    b.addEventListener('click', () => onAction(action));
    return b;
  };
  const fitButton = button('Fit width', 'fit', 'Scale the diagram to the panel width');
  toolbar.append(
    button('Export Mermaid', 'export-mermaid', 'Save the diagram as Mermaid source (.mmd)'),
    button('Export Markdown', 'export-markdown', 'Save the diagram in a Markdown file'),
    button('Export JSON', 'export-json', 'Save the trace as JSON (the CLI contract)'),
    button('Export SVG', 'export-svg', 'Save the diagram as it is shown (.svg)'),
    fitButton,
  );
  return { toolbar, fitButton };
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

function noteBox(n: TraceNote): HTMLElement {
  const box = el('section', `pb-finding pb-note pb-note-${n.kind}`);
  const head = el('div', 'pb-finding-head');
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
