// Rollout view entry. The host posts `rollout/update` (the whole RolloutReport: data, never markup);
// this page draws the SLO verdict in one line, the percentiles of every phase, the slowest pods with
// their reason, and one row per pod with a waterfall of its phases on one time axis (only the rows in
// view exist: rows.ts). It posts `rollout/openPod` when a pod is chosen and `rollout/export` for the
// two exports. Sorting is the page's own (by any phase, the SLO startup, the total or the name).

import './rollout.css';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import type { RolloutReport } from '../../src/core/rollout/report.js';
import { ROLLOUT_PHASES, type RolloutMetric } from '../../src/core/rollout/report.js';
import {
  ROLLOUT_EXPORT,
  ROLLOUT_OPEN_POD,
  ROLLOUT_UPDATE,
  type HostToRollout,
  type RolloutExportFormat,
} from '../../src/protocol/rollout.js';
import { PROTOCOL_VERSION, STATUS_SHOW, WEBVIEW_READY, type StatusLevel } from '../../src/protocol/webview.js';
import { el } from '../shared/dom.js';
import { METRIC_LABEL, axisOf, isSortKey, ms, sortPods, verdictLine, type SortKey, type SortOrder } from './format.js';
import { createRolloutIpc } from './ipc.js';
import { PodRows } from './rows.js';

const ipc = createRolloutIpc();
const app = document.getElementById('pb-app') ?? document.body.appendChild(el('div'));
app.className = 'pb-app pb-rollout';
app.replaceChildren();

// ---- the fixed top: status, title, verdict, exports, percentiles, slowest pods ------------------

const status = el('div', 'pb-status');
status.setAttribute('role', 'status');
status.hidden = true;

const title = el('h1', 'pb-title', 'Waiting for the rollout…');
const live = el('span', 'pb-live', 'live');
live.hidden = true;
const where = el('p', 'pb-where');
const verdict = el('p', 'pb-verdict');
verdict.setAttribute('role', 'status');

const actions = el('div', 'pb-actions');
const exportButton = (label: string, format: RolloutExportFormat): HTMLElement => {
  const b = document.createElement('vscode-button');
  b.setAttribute('secondary', '');
  b.textContent = label;
  b.dataset.export = format;
  b.addEventListener('click', () => ipc.post({ type: ROLLOUT_EXPORT, format }));
  return b;
};
actions.append(exportButton('Copy as Markdown', 'markdown'), exportButton('Save as CSV', 'csv'));

const head = el('header', 'pb-head');
const titleLine = el('div', 'pb-title-line');
titleLine.append(title, live);
head.append(titleLine, where, verdict, actions);

const METRICS: readonly RolloutMetric[] = [...ROLLOUT_PHASES, 'sloStartup', 'total'];
const stats = el('table', 'pb-stats');
stats.createCaption().textContent = 'Percentiles per phase';
const statsHead = stats.createTHead().insertRow();
for (const h of ['Phase', 'Pods', 'p50', 'p90', 'p99', 'Max']) {
  const th = el('th', undefined, h);
  th.scope = 'col';
  statsHead.append(th);
}
const statsBody = stats.createTBody();

const slowBox = el('section', 'pb-slowest');
const slowTitle = el('h2', undefined, 'Slowest pods');
const slowList = el('ol', 'pb-slow-list');
slowBox.append(slowTitle, slowList);

const summary = el('div', 'pb-summary');
summary.append(stats, slowBox);

// ---- the pod list: a sortable header and the virtual rows ---------------------------------------

const listHead = el('div', 'pb-list-head');
listHead.setAttribute('role', 'row');
const sortButtons = new Map<SortKey, HTMLButtonElement>();
const sortButton = (key: SortKey, label: string, cls: string): HTMLButtonElement => {
  const b = el('button', `pb-sort ${cls}`, label);
  b.type = 'button';
  b.dataset.sort = key;
  b.setAttribute('role', 'columnheader');
  b.title = `Sort by ${label.toLowerCase()}`;
  sortButtons.set(key, b);
  return b;
};
const legend = el('span', 'pb-legend');
for (const p of ROLLOUT_PHASES) {
  const b = sortButton(p, METRIC_LABEL[p], 'pb-chip');
  b.dataset.phase = p;
  legend.append(b);
}
listHead.append(
  sortButton('name', 'Pod', 'pb-name'),
  el('span', 'pb-node pb-head-cell', 'Node'),
  sortButton('total', 'Total', 'pb-num'),
  sortButton('sloStartup', 'SLO', 'pb-num'),
  legend,
);
listHead.addEventListener('click', (e) => {
  const key = e.target instanceof Element ? e.target.closest<HTMLElement>('.pb-sort')?.dataset.sort : undefined;
  if (!isSortKey(key)) return;
  const cur = ipc.state().sort;
  // A new key starts largest first (names A→Z); the same key again flips the direction.
  const next: SortOrder = cur.key === key ? { key, desc: !cur.desc } : { key, desc: key !== 'name' };
  ipc.update({ sort: next });
  draw();
});

const rows = new PodRows((pod) => ipc.post({ type: ROLLOUT_OPEN_POD, pod }));
const axisLine = el('div', 'pb-axis');
const axisStart = el('span', undefined, '0');
const axisEnd = el('span');
axisLine.append(axisStart, axisEnd);
const empty = el('p', 'pb-empty', 'No pods of this rollout yet.');
empty.hidden = true;

app.append(status, head, summary, listHead, axisLine, rows.scroller, empty);

// ---- state and drawing --------------------------------------------------------------------------

let report: RolloutReport | null = null;
let restoredScroll = false;

ipc.onMessage(onHostMessage);
ipc.post({ type: WEBVIEW_READY, v: PROTOCOL_VERSION, lastSeq: ipc.state().lastSeq });

function onHostMessage(m: HostToRollout): void {
  const received = performance.now();
  ipc.update({ lastSeq: m.seq });
  if (m.type === STATUS_SHOW) {
    showStatus(m.level, m.text);
    return;
  }
  if (m.type !== ROLLOUT_UPDATE) return;
  if (m.v !== PROTOCOL_VERSION)
    showStatus(
      'warning',
      `Pod Birth: this view speaks protocol ${PROTOCOL_VERSION}, the extension ${m.v}. Reload the window if the view looks wrong.`,
    );
  report = m.report;
  if (ipc.state().rolloutId !== m.rolloutId) ipc.update({ rolloutId: m.rolloutId });
  const w = m.report.workload;
  title.textContent = `${w.kind} ${w.namespace}/${w.name}`;
  where.textContent = `${m.report.pods.length} pod${m.report.pods.length === 1 ? '' : 's'}${m.where ? ` · ${m.where}` : ''}`;
  document.title = `Rollout ${w.namespace}/${w.name}`;
  live.hidden = !m.report.live;
  draw();
  // The page's own work per update, in two tasks (this one and the rows' frame), read by the bench
  // (a PerformanceObserver); only the latest is kept in the buffer.
  performance.clearMeasures('pb-rollout-summary');
  performance.measure('pb-rollout-summary', { start: received });
}

function showStatus(level: StatusLevel, text: string): void {
  status.hidden = text === '';
  status.dataset.level = level;
  status.textContent = text;
}

function draw(): void {
  if (!report) return;
  const v = verdictLine(report);
  verdict.textContent = v.text;
  verdict.dataset.level = v.level;
  drawStats(report);
  drawSlowest(report);
  const order = ipc.state().sort;
  for (const [key, b] of sortButtons) {
    const on = key === order.key;
    b.classList.toggle('pb-sorted', on);
    b.setAttribute('aria-sort', on ? (order.desc ? 'descending' : 'ascending') : 'none');
  }
  // The rows in their own frame: the summary and the rows are two short tasks instead of one long one.
  if (rowsFrame === 0) rowsFrame = requestAnimationFrame(drawRows);
}

let rowsFrame = 0;

function drawRows(): void {
  rowsFrame = 0;
  if (!report) return;
  const started = performance.now();
  const axis = axisOf(report.pods);
  axisEnd.textContent = ms(axis.spanMs);
  rows.set(sortPods(report.pods, ipc.state().sort), axis);
  empty.hidden = report.pods.length > 0;
  if (!restoredScroll && report.pods.length > 0) {
    restoredScroll = true;
    rows.scroller.scrollTop = ipc.state().scrollTop;
  }
  performance.clearMeasures('pb-rollout-rows');
  performance.measure('pb-rollout-rows', { start: started });
}

let statsKey = '';
let slowKey = '';

function drawStats(r: RolloutReport): void {
  const threshold = r.slo.thresholdMs;
  // Live updates re-send the whole report; the table is rebuilt only when its numbers changed.
  const key = JSON.stringify([r.percentiles, threshold]);
  if (key === statsKey) return;
  statsKey = key;
  statsBody.replaceChildren(
    ...METRICS.map((m) => {
      const s = r.percentiles[m];
      const tr = el('tr');
      tr.dataset.metric = m;
      const th = el('th', undefined, METRIC_LABEL[m]);
      th.scope = 'row';
      if (m !== 'sloStartup' && m !== 'total') th.dataset.phase = m;
      tr.append(th, el('td', 'pb-num', s ? String(s.count) : '0'));
      for (const k of ['p50', 'p90', 'p99', 'max'] as const) {
        const td = el('td', 'pb-num', s ? ms(s[k]) : '–');
        // The SLO's own cell is marked when it is over the threshold.
        if (m === 'sloStartup' && k === 'p99' && s && s.p99 > threshold) td.dataset.over = 'true';
        tr.append(td);
      }
      return tr;
    }),
  );
}

function drawSlowest(r: RolloutReport): void {
  const byName = new Map(r.pods.map((p) => [p.name, p]));
  const key = JSON.stringify(
    r.slowest.map((n) => [n, byName.get(n)?.totalMs, byName.get(n)?.reason?.text, byName.get(n)?.outcome]),
  );
  if (key === slowKey) return;
  slowKey = key;
  const items = r.slowest.flatMap((name) => {
    const p = byName.get(name);
    if (!p) return [];
    const li = el('li');
    const b = el('button', 'pb-slow', p.name);
    b.type = 'button';
    b.dataset.pod = p.name;
    b.title = `Open the sequence diagram of ${p.name}`;
    b.addEventListener('click', () => ipc.post({ type: ROLLOUT_OPEN_POD, pod: p.name }));
    const time = el('span', 'pb-slow-time', ms(p.totalMs));
    const why = el('span', 'pb-slow-why', p.reason ? p.reason.text : p.outcome === 'ready' ? '' : p.outcome);
    li.append(b, time, why);
    return [li];
  });
  slowList.replaceChildren(...items);
  slowBox.hidden = items.length === 0;
}

let scrollTimer: ReturnType<typeof setTimeout> | undefined;
rows.scroller.addEventListener('scroll', () => {
  if (scrollTimer !== undefined) return;
  scrollTimer = setTimeout(() => {
    scrollTimer = undefined;
    ipc.update({ scrollTop: Math.round(rows.scroller.scrollTop) });
  }, 200);
});
