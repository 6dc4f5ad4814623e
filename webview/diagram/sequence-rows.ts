// One statement of the diagram as SVG: a <g> per row (an arrow: its path, a wide transparent hit path,
// its label; a note: its box and lines), created once and patched in place while the row's step stays
// in the diagram. Every text goes in through textContent.
//
// Kept from Mermaid's SVG so styles, tests and habits carry over: message paths with
// `data-et="message"` and class `messageLine0` (solid) or `messageLine1` (dotted), `text.messageText`,
// notes as `g[data-et="note"]` with `rect.note` and `text.noteText`. Ours: `data-pb-index` (the n-th
// arrow), `.pb-hit`, `data-pb-note` on notes that annotate a step.

import type { RowLayout } from './sequence-layout.js';
import type { ArrowStyle, SeqRow } from './sequence.js';

const SVG = 'http://www.w3.org/2000/svg';

/** What the page knows about a row besides its geometry. */
export interface RowMeta {
  /** Stable while the row's step is in the diagram (the step id and its occurrence). */
  readonly key: string;
  readonly stepId: string | null;
  readonly status: 'done' | 'failed' | 'in-progress' | null;
  /** The label's aria-label (computed only when the row changed). */
  aria(): string;
}

export interface RowEl {
  readonly kind: 'message' | 'note';
  readonly g: SVGGElement;
  readonly bg: SVGRectElement;
  /** Message: the arrow, its hit path, its label. Note: the box and its text. */
  readonly parts: readonly SVGElement[];
  /** The y it is drawn at in its chunk, its ordinal, and what it shows: patched only when they change. */
  y: number;
  n: number;
  signature: string;
}

export function svg<K extends keyof SVGElementTagNameMap>(tag: K, cls?: string): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG, tag);
  if (cls) e.setAttribute('class', cls);
  return e;
}

export function set(e: Element, attrs: Record<string, string | number>): void {
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
}

const MARKER: Record<ArrowStyle, string> = { solid: 'pb-head', dotted: 'pb-head-progress', cross: 'pb-cross' };

/** The arrow heads, referenced by id from every chunk of the diagram. */
export function markers(): SVGDefsElement {
  const defs = svg('defs');
  for (const [id, cls] of [
    ['pb-head', 'pb-marker'],
    ['pb-head-progress', 'pb-marker pb-marker-progress'],
  ] as const) {
    const m = svg('marker');
    set(m, { id, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 9, markerHeight: 9 });
    set(m, { orient: 'auto-start-reverse', markerUnits: 'userSpaceOnUse' });
    const p = svg('path', cls);
    p.setAttribute('d', 'M 0 0 L 10 5 L 0 10 z');
    m.append(p);
    defs.append(m);
  }
  const x = svg('marker');
  set(x, { id: 'pb-cross', viewBox: '0 0 10 10', refX: 5, refY: 5, markerWidth: 11, markerHeight: 11 });
  set(x, { orient: 'auto', markerUnits: 'userSpaceOnUse' });
  const cross = svg('path', 'pb-marker-cross');
  cross.setAttribute('d', 'M 1 1 L 9 9 M 9 1 L 1 9');
  x.append(cross);
  defs.append(x);
  return defs;
}

function newRow(kind: RowEl['kind'], parts: SVGElement[]): RowEl {
  const g = svg('g', kind === 'message' ? 'pb-row pb-msg' : 'pb-row pb-note-row');
  const bg = svg('rect', 'pb-row-bg');
  g.append(bg, ...parts);
  return { kind, g, bg, parts, y: Number.NaN, n: -1, signature: '' };
}

export function newRowEl(kind: RowEl['kind']): RowEl {
  if (kind === 'note') {
    const r = newRow('note', [svg('rect', 'note'), svg('text', 'noteText')]);
    r.g.setAttribute('data-et', 'note');
    return r;
  }
  const line = svg('path');
  line.setAttribute('data-et', 'message');
  const hit = svg('path', 'pb-hit');
  hit.setAttribute('aria-hidden', 'true');
  const label = svg('text', 'messageText pb-label');
  set(label, { tabindex: 0, role: 'button' });
  return newRow('message', [line, hit, label]);
}

function arrowPath(r: Extract<RowLayout, { kind: 'message' }>): string {
  const y = r.lineY;
  return r.self ? `M ${r.x1} ${y} H ${r.x2} V ${y + 12} H ${r.x1 + 2}` : `M ${r.x1} ${y} H ${r.x2}`;
}

/** Brings a row up to date: its place (`y` within its chunk), its ordinal, then what it shows. */
export function patchRow(el: RowEl, row: SeqRow, geo: RowLayout, y: number, meta: RowMeta, width: number): void {
  if (el.y !== y) {
    el.y = y;
    el.g.setAttribute('transform', `translate(0 ${y})`);
  }
  if (el.n !== row.n) {
    // An arrow inserted above renumbers this one without changing it.
    el.n = row.n;
    if (row.kind === 'message') for (const e of el.parts) e.setAttribute('data-pb-index', String(row.n));
    else if (meta.stepId !== null) el.g.setAttribute('data-pb-note', String(row.n));
  }
  const { y: _y, ...shape } = geo;
  const { n: _n, ...content } = row;
  const signature = JSON.stringify([content, shape, meta.status, meta.stepId, width]);
  if (signature === el.signature) return;
  el.signature = signature;
  set(el.bg, { x: 0, y: 0, width, height: geo.h });
  if (row.kind === 'message' && geo.kind === 'message') patchMessage(el, row, geo, meta);
  else if (row.kind === 'note' && geo.kind === 'note') patchNote(el, row, geo, meta);
}

function patchMessage(
  el: RowEl,
  row: Extract<SeqRow, { kind: 'message' }>,
  geo: Extract<RowLayout, { kind: 'message' }>,
  meta: RowMeta,
): void {
  const [line, hit, label] = el.parts as [SVGPathElement, SVGPathElement, SVGTextElement];
  const d = arrowPath(geo);
  const status = meta.status === 'failed' ? ' pb-failed' : meta.status === 'in-progress' ? ' pb-progress' : '';
  line.setAttribute('class', `${row.style === 'dotted' ? 'messageLine1' : 'messageLine0'}${status}`);
  set(line, { d, 'marker-end': `url(#${MARKER[row.style]})` });
  hit.setAttribute('d', d);
  label.setAttribute('class', `messageText pb-label${status}`);
  set(label, { x: geo.label.x, y: geo.label.y });
  label.textContent = geo.label.text;
  label.setAttribute('aria-label', meta.aria());
}

function patchNote(
  el: RowEl,
  row: Extract<SeqRow, { kind: 'note' }>,
  geo: Extract<RowLayout, { kind: 'note' }>,
  meta: RowMeta,
): void {
  const [rect, text] = el.parts as [SVGRectElement, SVGTextElement];
  set(rect, { x: geo.boxX, y: geo.boxY, width: geo.boxW, height: geo.boxH, rx: 2 });
  const spans = geo.lines.map((l) => {
    const t = svg('tspan');
    set(t, { x: l.x, y: l.y });
    t.textContent = l.text;
    return t;
  });
  text.replaceChildren(...spans);
  if (meta.stepId !== null) {
    el.g.setAttribute('data-pb-note', String(row.n));
    el.g.classList.add('pb-note-link');
  } else {
    el.g.removeAttribute('data-pb-note');
    el.g.classList.remove('pb-note-link');
  }
}
