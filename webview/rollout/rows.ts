// The pod list: one fixed-height row per pod, but only the rows in view (and a few either side) exist
// in the DOM, recycled as the list scrolls, so 1,000 pods cost what 50 do. A row is its name, node,
// total, SLO startup and a waterfall of its phases on the rollout's one time axis. Cluster text (pod
// and node names, reasons) only ever goes in through textContent or dataset; bars are placed through
// CSSOM (element.style), which the page's CSP allows where style attributes are blocked.

import { ROLLOUT_PHASES, type RolloutPod } from '../../src/core/rollout/report.js';
import { el } from '../shared/dom.js';
import { endPct, ms, podSummary, segmentsOf, windowOf, type Axis } from './format.js';

/** One row's height in CSS pixels (kept in step with `.pb-pod` in rollout.css). */
export const ROW_PX = 24;

interface RowView {
  readonly root: HTMLDivElement;
  readonly name: HTMLSpanElement;
  /** The name's text, isolated left-to-right inside a right-to-left cell: a cut name loses its start, not its unique end. */
  readonly nameText: HTMLElement;
  readonly node: HTMLSpanElement;
  readonly total: HTMLSpanElement;
  readonly slo: HTMLSpanElement;
  readonly segs: readonly HTMLSpanElement[];
  readonly end: HTMLSpanElement;
  /** Why a pod with no finished birth is stuck (its diagnosis), in place of its bar. */
  readonly why: HTMLSpanElement;
  /** The pod (and its state) this element shows now, so an unchanged row is not touched. */
  shown: RolloutPod | null;
  /** What the row shows, as text: a live update re-sends every pod, most of them unchanged. */
  key: string;
  index: number;
}

export class PodRows {
  readonly scroller: HTMLDivElement;
  private readonly spacer: HTMLDivElement;
  private readonly pool: RowView[] = [];
  private pods: readonly RolloutPod[] = [];
  private axis: Axis = { originMs: 0, spanMs: 1 };
  private frame = 0;
  /** The pod whose row has keyboard focus (kept across updates and recycling). */
  private focusName: string | null = null;

  constructor(private readonly onOpen: (pod: string) => void) {
    this.scroller = el('div', 'pb-scroll');
    this.scroller.setAttribute('role', 'grid');
    this.scroller.setAttribute('aria-label', 'Pods of the rollout, one row each');
    this.scroller.tabIndex = 0;
    this.spacer = el('div', 'pb-spacer');
    this.scroller.append(this.spacer);
    this.scroller.addEventListener('scroll', () => this.schedule());
    this.scroller.addEventListener('click', (e) => {
      const row = e.target instanceof Element ? e.target.closest<HTMLElement>('.pb-pod') : null;
      const pod = row?.dataset.pod;
      if (pod) this.onOpen(pod);
    });
    this.scroller.addEventListener('keydown', (e) => this.key(e));
    new ResizeObserver(() => this.schedule()).observe(this.scroller);
  }

  /** New pods (already sorted) and axis: the rows in view are redrawn now, within this task. */
  set(pods: readonly RolloutPod[], axis: Axis): void {
    this.pods = pods;
    this.axis = axis;
    this.spacer.style.height = `${pods.length * ROW_PX}px`;
    for (const r of this.pool) r.shown = null;
    this.draw();
  }

  /** The rows in the DOM now (the tests bound it). */
  get rendered(): number {
    return this.pool.filter((r) => !r.root.hidden).length;
  }

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  private draw(): void {
    const { first, end } = windowOf(
      this.scroller.scrollTop,
      this.scroller.clientHeight || 600,
      ROW_PX,
      this.pods.length,
    );
    const need = end - first;
    while (this.pool.length < need) this.pool.push(this.newRow());
    // A row stays on the element that showed that index (no flicker, focus kept, and an unchanged
    // pod writes nothing: fill compares the row's key); the other indexes take the spare elements.
    const atIndex = new Map<number, RowView>();
    for (const r of this.pool) if (r.index >= first && r.index < end) atIndex.set(r.index, r);
    const used = new Set<RowView>();
    const missing: number[] = [];
    for (let i = first; i < end; i++) {
      const pod = this.pods[i];
      const r = atIndex.get(i);
      if (!pod) continue;
      if (!r) {
        missing.push(i);
        continue;
      }
      if (r.shown !== pod) this.fill(r, pod, i);
      r.root.hidden = false;
      used.add(r);
    }
    const spare = this.pool.filter((r) => !used.has(r));
    for (const i of missing) {
      const r = spare.pop() as RowView;
      this.fill(r, this.pods[i] as RolloutPod, i);
      r.root.hidden = false;
      used.add(r);
    }
    for (const r of this.pool) {
      if (used.has(r)) continue;
      r.root.hidden = true;
      r.shown = null;
      r.key = '';
      r.index = -1;
    }
    // Unused elements beyond what a screenful needs are dropped (the pool follows the viewport).
    for (let i = this.pool.length - 1; i >= 0 && this.pool.length > need; i--) {
      const r = this.pool[i];
      if (r && r.root.hidden) {
        r.root.remove();
        this.pool.splice(i, 1);
      }
    }
  }

  private newRow(): RowView {
    const root = el('div', 'pb-pod');
    root.setAttribute('role', 'row');
    root.tabIndex = -1;
    root.hidden = true;
    const name = el('span', 'pb-cell pb-name');
    const nameText = el('bdi');
    name.append(nameText);
    const node = el('span', 'pb-cell pb-node');
    const total = el('span', 'pb-cell pb-num pb-total');
    const slo = el('span', 'pb-cell pb-num pb-slo');
    const track = el('span', 'pb-cell pb-track');
    const segs = ROLLOUT_PHASES.map((phase) => {
      const s = el('span', 'pb-seg');
      s.dataset.phase = phase;
      return s;
    });
    const end = el('span', 'pb-end');
    const why = el('span', 'pb-why');
    track.append(...segs, end, why);
    for (const c of [name, node, total, slo, track]) c.setAttribute('role', 'gridcell');
    root.append(name, node, total, slo, track);
    this.spacer.append(root);
    return { root, name, nameText, node, total, slo, segs, end, why, shown: null, key: '', index: -1 };
  }

  private fill(r: RowView, pod: RolloutPod, index: number): void {
    r.shown = pod;
    const key = rowKey(pod, index, this.axis);
    if (key === r.key && r.index === index) return;
    r.key = key;
    r.index = index;
    r.root.style.transform = `translateY(${index * ROW_PX}px)`;
    r.root.dataset.pod = pod.name;
    r.root.dataset.outcome = pod.outcome;
    r.root.setAttribute('aria-rowindex', String(index + 1));
    r.root.title = podSummary(pod);
    r.root.setAttribute('aria-label', podSummary(pod));
    r.nameText.textContent = pod.name;
    r.node.textContent = pod.node ?? '–';
    r.total.textContent = ms(pod.totalMs);
    r.slo.textContent = ms(pod.sloStartupMs);
    const segs = segmentsOf(pod, this.axis);
    ROLLOUT_PHASES.forEach((phase, i) => {
      const s = r.segs[i] as HTMLSpanElement;
      const g = segs.find((x) => x.phase === phase);
      s.hidden = !g;
      if (g) {
        s.style.left = `${g.leftPct}%`;
        s.style.width = `${g.widthPct}%`;
      }
    });
    const end = endPct(pod, this.axis);
    r.end.hidden = end === null;
    if (end !== null) r.end.style.left = `${end}%`;
    // A pod that has not finished its birth says why where its bar would end (text, never markup).
    const stuck = pod.totalMs === undefined && pod.reason !== undefined;
    r.why.hidden = !stuck;
    r.why.textContent = stuck ? `${pod.outcome}: ${pod.reason?.text ?? ''}` : '';
    if (stuck) r.why.style.left = `${segs.reduce((m, g) => Math.max(m, g.leftPct + g.widthPct), 0)}%`;
    if (pod.name === this.focusName && document.activeElement !== r.root) r.root.focus({ preventScroll: true });
  }

  private key(e: KeyboardEvent): void {
    const row = e.target instanceof HTMLElement ? e.target.closest<HTMLElement>('.pb-pod') : null;
    const current = row ? this.pods.findIndex((p) => p.name === row.dataset.pod) : -1;
    if ((e.key === 'Enter' || e.key === ' ') && row?.dataset.pod) {
      e.preventDefault();
      this.onOpen(row.dataset.pod);
      return;
    }
    const last = this.pods.length - 1;
    const to =
      e.key === 'ArrowDown'
        ? Math.min(last, current + 1)
        : e.key === 'ArrowUp'
          ? Math.max(0, current - 1)
          : e.key === 'Home'
            ? 0
            : e.key === 'End'
              ? last
              : null;
    if (to === null || last < 0) return;
    e.preventDefault();
    this.focusIndex(to);
  }

  /** Scrolls row `i` into view and gives it focus. */
  focusIndex(i: number): void {
    const pod = this.pods[i];
    if (!pod) return;
    this.focusName = pod.name;
    const top = i * ROW_PX;
    const h = this.scroller.clientHeight;
    if (top < this.scroller.scrollTop) this.scroller.scrollTop = top;
    else if (top + ROW_PX > this.scroller.scrollTop + h) this.scroller.scrollTop = top + ROW_PX - h;
    this.draw();
    const view = this.pool.find((r) => r.index === i);
    view?.root.focus({ preventScroll: true });
  }
}

/** Everything a row draws from its pod, its place and the axis, as one string (cheap next to the DOM writes it saves). */
function rowKey(p: RolloutPod, index: number, axis: Axis): string {
  return JSON.stringify([
    index,
    axis.originMs,
    axis.spanMs,
    p.name,
    p.node,
    p.outcome,
    p.totalMs,
    p.sloStartupMs,
    p.createdAtMs,
    p.phases,
    p.spans,
    p.reason?.text,
  ]);
}
