// One trace of the list: a vscode-collapsible whose header carries the title, a live ring or the
// outcome, the SLO badge and a "Diagram" button, and whose body holds the notes and the waterfall.
// Plain DOM; cluster text only ever goes through textContent (or an attribute via setAttribute).

import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-collapsible/index.js';
import '@vscode-elements/elements/dist/vscode-progress-ring/index.js';
import type { VscodeCollapsible } from '@vscode-elements/elements/dist/vscode-collapsible/vscode-collapsible.js';
import { errorText } from '../../src/core/guards.js';
import type { TraceNote } from '../../src/core/model.js';
import { toMs, type Instant } from '../../src/core/time.js';
import {
  startupSlo,
  timelineOrigin,
  timelinePhases,
  type PhaseRow,
  type StartupSlo,
} from '../../src/core/timeline/index.js';
import type { TimelineItem } from '../../src/protocol/timeline.js';
import { el } from '../shared/dom.js';
import { barGeometry, durationText, groupText, rowAria, rowTitle, sloBadge, sloShort, trackScale } from './format.js';

/** Attribute-safe token of free text (for data-* hooks that CSS selects on). */
function token(s: string): string {
  return (
    s
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, '-')
      .slice(0, 40) || 'unknown'
  );
}

interface RowView {
  readonly row: PhaseRow;
  readonly el: HTMLElement;
  readonly bar: HTMLElement;
  readonly dur: HTMLElement;
}

export interface Card {
  readonly id: string;
  readonly root: HTMLLIElement;
  readonly collapsible: VscodeCollapsible;
  item: TimelineItem;
  signature: string;
  origin: Instant | null;
  rows: readonly RowView[];
  slo: StartupSlo | null;
}

const PHASE_TEXT: Record<string, string> = {
  pending: 'Pending',
  scheduled: 'Scheduled',
  starting: 'Starting',
  ready: 'Ready',
  failed: 'Failed',
  succeeded: 'Succeeded',
};

export function createCard(
  item: TimelineItem,
  open: boolean,
  onFocus: (traceId: string) => void,
  onToggle: (traceId: string, open: boolean) => void,
): Card {
  const root = el('li', 'pb-trace');
  root.dataset.traceId = item.id;
  const collapsible = document.createElement('vscode-collapsible');
  collapsible.open = open;
  collapsible.addEventListener('vsc-collapsible-toggle', (e) => onToggle(item.id, e.detail.open));
  root.append(collapsible);
  const card: Card = { id: item.id, root, collapsible, item, signature: '', origin: null, rows: [], slo: null };
  fillCard(card, item, onFocus);
  return card;
}

/** Rebuilds the card's content from an item (the collapsible and its open state stay). */
export function fillCard(card: Card, item: TimelineItem, onFocus: (traceId: string) => void): void {
  card.item = item;
  card.signature = JSON.stringify(item);
  const { root, collapsible } = card;
  const trace = item.trace;
  root.dataset.live = String(item.live);
  root.dataset.outcome = item.live ? 'live' : token(item.outcome ?? trace.phase ?? 'unknown');
  root.dataset.phase = token(trace.phase ?? 'unknown');
  // The side bar is narrow: the pod name leads; namespace and phase are in its tooltip (the outcome
  // badge says how it ended), so the name is not cut short.
  collapsible.heading = trace.pod?.name || item.title || 'Pod Birth trace';
  collapsible.title = `${item.title} · ${PHASE_TEXT[trace.phase] ?? String(trace.phase ?? '')}`;
  collapsible.description = '';

  let rows: readonly PhaseRow[] = [];
  let slo: StartupSlo | null = null;
  let error: string | null = null;
  try {
    rows = timelinePhases(trace);
    slo = startupSlo(trace, rows);
    card.origin = timelineOrigin(trace);
  } catch (e) {
    error = errorText(e);
    card.origin = null;
  }
  card.slo = slo;

  // Header decorations (always visible).
  const decos = el('span', 'pb-decos');
  decos.slot = 'decorations';
  if (item.live) {
    const ring = document.createElement('vscode-progress-ring');
    ring.className = 'pb-live';
    ring.ariaLabel = 'Live: the pod is being traced';
    ring.role = 'img';
    ring.ariaLive = 'off';
    ring.title = 'Live: updating from the cluster';
    decos.append(ring);
  } else {
    const outcome = document.createElement('vscode-badge');
    outcome.className = 'pb-outcome';
    outcome.dataset.outcome = token(item.outcome ?? trace.phase ?? 'unknown');
    outcome.textContent = item.outcome ?? trace.phase ?? 'ended';
    outcome.title = `How the trace ended: ${outcome.textContent}`;
    decos.append(outcome);
  }
  const focus = document.createElement('vscode-button');
  focus.className = 'pb-focus';
  focus.setAttribute('secondary', '');
  focus.textContent = 'Diagram';
  focus.title = 'Open the sequence diagram of this trace';
  focus.setAttribute('aria-label', `Open the sequence diagram of ${item.title}`);
  focus.addEventListener('click', () => onFocus(card.id));
  decos.append(focus);

  // Body: the SLO verdict in one line, its explanation on demand.
  const body = el('div', 'pb-body');
  if (slo) body.append(sloLine(slo));
  const notes = Array.isArray(trace.notes) ? trace.notes : [];
  if (notes.length > 0) body.append(notesList(notes));
  if (error !== null) {
    body.append(el('p', 'pb-error', `This trace could not be drawn: ${error}`));
  }
  const list = el('ol', 'pb-rows');
  list.setAttribute('aria-label', `Phases of ${item.title}`);
  const views: RowView[] = [];
  let group: string | null = null;
  for (const r of rows) {
    const g = `${r.init ? 'init/' : ''}${r.container ?? ''}`;
    if (g !== group) {
      group = g;
      const head = el('li', 'pb-group', groupText(r));
      head.setAttribute('role', 'presentation');
      head.dataset.group = r.group;
      list.append(head);
    }
    const v = rowView(r);
    views.push(v);
    list.append(v.el);
  }
  body.append(list);
  const axis = el('div', 'pb-axis');
  axis.append(el('span', 'pb-axis-start', '0'), el('span', 'pb-axis-end', ''));
  body.append(axis);
  card.rows = views;
  collapsible.replaceChildren(decos, body);
}

/** `SLO ✓ 877ms  within 5 s ▸` as a <details> summary; the sentence that explains it inside. */
function sloLine(slo: StartupSlo): HTMLElement {
  const details = el('details', 'pb-slo-line');
  details.dataset.slo = slo.verdict;
  const summary = el('summary', 'pb-slo-summary');
  const badge = document.createElement('vscode-badge');
  badge.className = 'pb-slo';
  badge.dataset.slo = slo.verdict;
  const b = sloBadge(slo);
  badge.textContent = b.text;
  summary.setAttribute('aria-label', b.aria);
  summary.title = 'Show how the startup SLO was counted';
  summary.append(badge, el('span', 'pb-slo-short', sloShort(slo)));
  const p = el('p', 'pb-slo-text', slo.explanation);
  p.dataset.slo = slo.verdict;
  details.append(summary, p);
  return details;
}

function notesList(notes: readonly TraceNote[]): HTMLElement {
  const ul = el('ul', 'pb-notes');
  ul.setAttribute('aria-label', 'Notes about this trace');
  for (const n of notes) {
    if (!n || typeof n.message !== 'string') continue;
    const li = el('li', 'pb-note');
    li.dataset.noteKind = token(String(n.kind));
    // One line each (a limited view can bring three long ones above the waterfall); the whole note
    // and what to do about it open on demand.
    const details = el('details', 'pb-note-details');
    const summary = el('summary', 'pb-note-summary');
    summary.append(
      el('span', 'pb-note-kind', n.kind === 'degraded' ? 'limited view' : String(n.kind).replace(/-/g, ' ')),
      el('span', 'pb-note-text', n.message),
    );
    details.append(summary);
    if (typeof n.remedy === 'string' && n.remedy) details.append(el('span', 'pb-note-remedy', n.remedy));
    li.append(details);
    ul.append(li);
  }
  return ul;
}

function rowView(r: PhaseRow): RowView {
  const li = el('li', 'pb-row');
  li.tabIndex = 0;
  li.dataset.phaseId = r.id;
  li.dataset.phaseKind = r.kind;
  li.dataset.phaseStatus = r.status;
  li.dataset.group = r.group;
  if (r.init) li.dataset.init = 'true';
  const label = el('span', 'pb-row-label');
  label.append(el('span', 'pb-label', r.label));
  if (r.count > 1)
    label.append(el('span', 'pb-count', r.kind === 'restarts' ? ` ×${r.count} restarts` : ` ×${r.count}`));
  const track = el('span', 'pb-track');
  const bar = el('span', 'pb-bar');
  bar.dataset.status = r.status;
  bar.title = rowTitle(r);
  track.append(bar);
  const dur = el('span', 'pb-dur');
  li.append(label, track, dur);
  if (r.status === 'failed' && r.message) {
    const msg = el('span', 'pb-row-msg', r.message);
    li.append(msg);
  }
  return { row: r, el: li, bar, dur };
}

/** Positions every bar of a card. `nowMs`: the webview clock, used only while the trace is live. */
export function layoutCard(card: Card, nowMs: number): void {
  const live = card.item.live;
  const nowOffset = live && card.origin ? nowMs - toMs(card.origin) : null;
  const rows = card.rows.map((v) => v.row);
  const scale = trackScale(rows, nowOffset);
  for (const v of card.rows) {
    const g = barGeometry(v.row, scale, nowOffset);
    if (g) {
      v.bar.hidden = false;
      // CSSOM, not a style attribute: allowed under the strict style-src.
      v.bar.style.left = `${g.left}%`;
      v.bar.style.width = `${g.width}%`;
      v.bar.classList.toggle('pb-instant', g.width === 0 || v.row.durationMs === 0);
      v.bar.classList.toggle('pb-unfinished', v.row.status === 'running' && !live);
    } else {
      v.bar.hidden = true;
    }
    const text = durationText(v.row, g, live);
    if (v.dur.textContent !== text) v.dur.textContent = text;
    v.el.setAttribute('aria-label', rowAria(v.row, text));
  }
  const end = card.root.querySelector('.pb-axis-end');
  if (end) end.textContent = `${live ? 'now ' : ''}+${fmtAxis(scale.hi)}`;
  const start = card.root.querySelector('.pb-axis-start');
  if (start) start.textContent = scale.lo < 0 ? `${fmtAxis(scale.lo)}` : '0';
}

function fmtAxis(ms: number): string {
  const a = Math.abs(ms);
  const s =
    a < 1000
      ? `${Math.round(a)}ms`
      : a < 60_000
        ? `${(a / 1000).toFixed(2)}s`
        : `${Math.floor(a / 60_000)}m${String(Math.round((a % 60_000) / 1000)).padStart(2, '0')}s`;
  return ms < 0 ? `-${s}` : s;
}

/** Whether the card needs the clock: a live trace's track reaches "now", and its running bars grow with it. */
export function cardTicks(card: Card): boolean {
  return card.item.live && card.origin !== null;
}
