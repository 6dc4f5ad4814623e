// Side-panel timeline entry. The host posts `timeline/update` (every trace of the window, newest
// first, as the Trace model: never markup); this page draws one collapsible waterfall per trace with
// the shared core model (src/core/timeline), ticks running bars with its own clock while a trace is
// live, and posts `trace/focus` when a trace (its button, a row click or Enter on a row) is chosen.

import './timeline.css';
import { ROLLOUT_FOCUS, TRACE_FOCUS, type HostToTimeline, type TimelineItem } from '../../src/protocol/timeline.js';
import { PROTOCOL_VERSION, STATUS_SHOW, WEBVIEW_READY, type StatusLevel } from '../../src/protocol/webview.js';
import { createTimelineIpc } from './ipc.js';
import { el } from '../shared/dom.js';
import { renderRollouts } from './rollouts.js';
import { cardTicks, createCard, fillCard, layoutCard, type Card } from './view.js';

const TICK_MS = 250;

const ipc = createTimelineIpc();
const app = document.getElementById('pb-app') ?? document.body.appendChild(el('div'));
app.className = 'pb-app pb-timeline';
app.replaceChildren();

const status = el('div', 'pb-status');
status.setAttribute('role', 'status');
status.hidden = true;
const empty = el(
  'p',
  'pb-empty',
  'No traces yet. Run “Pod Birth: Trace Pod Birth” on a Pod or workload manifest, or open a trace file.',
);
const list = el('ol', 'pb-traces');
list.setAttribute('aria-label', 'Pod Birth traces, newest first');
const rolloutList = el('ol', 'pb-rollouts');
rolloutList.setAttribute('aria-label', 'Rollouts, newest first');
rolloutList.hidden = true;
app.append(status, empty, rolloutList, list);

const cards = new Map<string, Card>();
let timer: ReturnType<typeof setInterval> | undefined;
let restoredScroll = false;

ipc.onMessage(onHostMessage);
ipc.post({ type: WEBVIEW_READY, v: PROTOCOL_VERSION, lastSeq: ipc.state().lastSeq });

function onHostMessage(m: HostToTimeline): void {
  ipc.update({ lastSeq: m.seq });
  if (m.type === STATUS_SHOW) {
    showStatus(m.level, m.text);
    return;
  }
  if (m.v !== PROTOCOL_VERSION)
    showStatus(
      'warning',
      `Pod Birth: this view speaks protocol ${PROTOCOL_VERSION}, the extension ${m.v}. Reload the window if the timeline looks wrong.`,
    );
  const rollouts = m.rollouts ?? [];
  renderRollouts(rolloutList, rollouts, (rolloutId) => ipc.post({ type: ROLLOUT_FOCUS, rolloutId }));
  render(m.traces, rollouts.length > 0);
}

function showStatus(level: StatusLevel, text: string): void {
  status.hidden = text === '';
  status.dataset.level = level;
  status.textContent = text;
}

function isOpen(item: TimelineItem, index: number): boolean {
  const saved = ipc.state().open[item.id];
  return saved ?? (index === 0 || item.live);
}

function render(items: readonly TimelineItem[], haveRollouts = false): void {
  // Keep keyboard focus on the same row (or button) across a rebuild.
  const active = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  const focusTrace = active?.closest<HTMLElement>('[data-trace-id]')?.dataset.traceId ?? null;
  const focusPhase = active?.dataset.phaseId ?? null;
  const focusButton = active?.classList.contains('pb-focus') ?? false;

  const keep = new Set(items.map((i) => i.id));
  for (const [id, card] of cards) {
    if (keep.has(id)) continue;
    card.root.remove();
    cards.delete(id);
  }
  items.forEach((item, index) => {
    let card = cards.get(item.id);
    if (!card) {
      card = createCard(item, isOpen(item, index), focusTrace_, onToggle);
      cards.set(item.id, card);
    } else if (card.signature !== JSON.stringify(item)) {
      fillCard(card, item, focusTrace_);
    }
    // Newest first: append in order (moving an element keeps its state).
    if (list.children[index] !== card.root) list.insertBefore(card.root, list.children[index] ?? null);
    layoutCard(card, Date.now());
  });
  empty.hidden = items.length > 0 || haveRollouts;

  // Forget open/closed choices of traces that are gone.
  const open = ipc.state().open;
  if (Object.keys(open).some((k) => !keep.has(k)))
    ipc.update({ open: Object.fromEntries(Object.entries(open).filter(([k]) => keep.has(k))) });

  if (focusTrace) {
    const root = cards.get(focusTrace)?.root;
    const target = focusPhase
      ? root?.querySelector<HTMLElement>(`[data-phase-id="${CSS.escape(focusPhase)}"]`)
      : focusButton
        ? root?.querySelector<HTMLElement>('.pb-focus')
        : null;
    if (target && document.activeElement !== target) target.focus();
  }
  if (!restoredScroll && items.length > 0) {
    restoredScroll = true;
    window.scrollTo(0, ipc.state().scrollY);
  }
  syncTimer();
}

// ---------------------------------------------------------------------------------------------
// The clock: only while some trace is live (and the view is visible).

function syncTimer(): void {
  const needed = document.visibilityState !== 'hidden' && [...cards.values()].some(cardTicks);
  if (needed && timer === undefined) timer = setInterval(tick, TICK_MS);
  else if (!needed && timer !== undefined) {
    clearInterval(timer);
    timer = undefined;
  }
}

function tick(): void {
  const now = Date.now();
  for (const card of cards.values()) if (cardTicks(card)) layoutCard(card, now);
}

document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible') tick();
  syncTimer();
});

// ---------------------------------------------------------------------------------------------
// Interaction. The header's own clicks toggle the collapsible; the Diagram button has its own
// listener (the collapsible stops clicks in its header slots); rows are delegated here.

function focusTrace_(traceId: string): void {
  ipc.post({ type: TRACE_FOCUS, traceId });
}

function onToggle(traceId: string, open: boolean): void {
  ipc.update({ open: { ...ipc.state().open, [traceId]: open } });
}

function traceOf(target: EventTarget | null): string | null {
  if (!(target instanceof Element)) return null;
  return target.closest<HTMLElement>('[data-trace-id]')?.dataset.traceId ?? null;
}

list.addEventListener('click', (e) => {
  if (!(e.target instanceof Element) || !e.target.closest('.pb-row')) return;
  const id = traceOf(e.target);
  if (id) focusTrace_(id);
});

list.addEventListener('keydown', (e) => {
  if (!(e.target instanceof HTMLElement) || !e.target.classList.contains('pb-row')) return;
  const row = e.target;
  if (e.key === 'Enter' || e.key === ' ') {
    e.preventDefault();
    const id = traceOf(row);
    if (id) focusTrace_(id);
    return;
  }
  if (e.key === 'ArrowDown' || e.key === 'ArrowUp' || e.key === 'Home' || e.key === 'End') {
    const rows = Array.from(row.closest('.pb-rows')?.querySelectorAll<HTMLElement>('.pb-row') ?? []);
    const i = rows.indexOf(row);
    const next =
      e.key === 'Home' ? rows[0] : e.key === 'End' ? rows[rows.length - 1] : rows[i + (e.key === 'ArrowDown' ? 1 : -1)];
    if (next) {
      e.preventDefault();
      next.focus();
    }
  }
});

let scrollTimer: ReturnType<typeof setTimeout> | undefined;
window.addEventListener('scroll', () => {
  if (scrollTimer !== undefined) return;
  scrollTimer = setTimeout(() => {
    scrollTimer = undefined;
    ipc.update({ scrollY: Math.round(window.scrollY) });
  }, 200);
});
