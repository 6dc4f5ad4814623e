// The sequence diagram in the page: the participants (an SVG in a sticky header) and the body, a
// stack of SVG chunks of CHUNK rows each, with their own stretch of the lifelines; rows are patched in
// place (sequence-rows.ts) for as long as their step stays in the diagram. So a live change costs what
// changed: a new arrow is one new <g> in the last chunk, an arrow inserted above moves the rows below
// by a transform, a changed label is one text node; and the browser lays out and repaints the chunk
// that changed, not a 300-row SVG (one SVG made each update cost ~20 ms of layout and paint at 300
// arrows on the 2-core machine).

import type { SeqLayout } from './sequence-layout.js';
import type { SeqModel } from './sequence.js';
import { markers, newRowEl, patchRow, set, svg, type RowEl, type RowMeta } from './sequence-rows.js';

export type { RowMeta } from './sequence-rows.js';

/** Rows per SVG chunk. */
const CHUNK = 40;
/**
 * Rows created per frame. A big diagram shown at once (a fresh panel on a finished 300-arrow trace)
 * gets the rows in view first (the top, or the end while following) and the others over the next
 * frames: its first paint and the longest task do not grow with its size. Live changes add a few.
 */
const MAX_NEW = 80;
/** How long a new arrow stays highlighted. */
const FLASH_MS = 1200;

interface Chunk {
  readonly svg: SVGSVGElement;
  readonly lifelines: SVGGElement;
  readonly rows: SVGGElement;
  top: number;
  height: number;
  lanes: string;
}

export class SequenceView {
  /** The participants: put in a sticky header above the body. */
  readonly header: SVGSVGElement = svg('svg', 'pb-seq-head');
  /** The body: the chunks, and a 0×0 SVG with the arrow heads they reference. */
  readonly body: HTMLDivElement = document.createElement('div');
  private readonly lanesHead = svg('g', 'pb-lanes-head');
  private readonly chunks: Chunk[] = [];
  private readonly rows = new Map<string, RowEl>();
  private laneSignature = '';
  private last: { model: SeqModel; layout: SeqLayout; metas: readonly RowMeta[]; prefer: 'start' | 'end' } | null =
    null;
  private missing = 0;
  private lanes: SeqLayout['lanes'] = [];
  private flashTimer: ReturnType<typeof setTimeout> | undefined;
  /** The n-th arrow's elements and the n-th note's step, for selection and hover. */
  private arrows: SVGElement[][] = [];
  private noteSteps: (string | null)[] = [];

  constructor() {
    this.header.setAttribute('aria-hidden', 'true');
    this.header.append(this.lanesHead);
    this.body.className = 'pb-seq';
    this.body.setAttribute('role', 'group');
    const defs = svg('svg', 'pb-seq-defs');
    set(defs, { width: 0, height: 0, 'aria-hidden': 'true' });
    defs.append(markers());
    this.body.append(defs);
  }

  /**
   * Draws `layout`; returns the keys of rows that were not there before. At most MAX_NEW rows are
   * created, nearest `prefer` first; `pendingRows` says how many wait for `continue()`.
   */
  render(model: SeqModel, layout: SeqLayout, metas: readonly RowMeta[], prefer: 'start' | 'end' = 'start'): string[] {
    this.last = { model, layout, metas, prefer };
    this.renderLanes(model, layout);
    this.fitChunks(layout);
    const added: string[] = [];
    const seen = new Set<string>();
    this.arrows = [];
    this.noteSteps = [];
    const missing = metas.flatMap((m, i) => (this.rows.get(m.key)?.kind === model.rows[i]?.kind ? [] : [i]));
    const now =
      missing.length <= MAX_NEW
        ? null
        : new Set(prefer === 'end' ? missing.slice(-MAX_NEW) : missing.slice(0, MAX_NEW));
    this.missing = now ? missing.length - now.size : 0;
    model.rows.forEach((row, i) => {
      const geo = layout.rows[i];
      const meta = metas[i];
      const chunk = this.chunks[Math.floor(i / CHUNK)];
      if (!geo || !meta || !chunk) return;
      let el = this.rows.get(meta.key);
      if (el && el.kind !== row.kind) {
        el.g.remove();
        this.rows.delete(meta.key);
        el = undefined;
      }
      if (!el) {
        // Rows are placed by their index among the rows present, so one created later still lands in order.
        if (now && !now.has(i)) return;
        el = newRowEl(row.kind);
        this.rows.set(meta.key, el);
        added.push(meta.key);
      }
      seen.add(meta.key);
      patchRow(el, row, geo, geo.y - chunk.top, meta, layout.width);
      const at = chunk.rows.children[i % CHUNK];
      if (at !== el.g) chunk.rows.insertBefore(el.g, at ?? null);
      if (row.kind === 'message') this.arrows[row.n] = [...el.parts];
      else this.noteSteps[row.n] = meta.stepId;
    });
    for (const [key, el] of this.rows) {
      if (seen.has(key)) continue;
      el.g.remove();
      this.rows.delete(key);
    }
    return added;
  }

  /** Rows of the last render not created yet. */
  get pendingRows(): number {
    return this.missing;
  }

  /** Creates the next rows of the last render (none when nothing waits). */
  continue(): void {
    if (this.last && this.missing > 0) {
      const { model, layout, metas, prefer } = this.last;
      this.render(model, layout, metas, prefer);
    }
  }

  /** The elements of the n-th arrow (its path, hit path and label). */
  arrow(n: number): readonly SVGElement[] {
    return this.arrows[n] ?? [];
  }

  /** The step the n-th note annotates, or null. */
  noteStep(n: number): string | null {
    return this.noteSteps[n] ?? null;
  }

  /** The row's <g> (for scrolling to it), if it is drawn. */
  rowElement(key: string): SVGGElement | null {
    return this.rows.get(key)?.g ?? null;
  }

  /**
   * Highlights the rows of `keys` (new arrows) for a moment. A class set and removed, not a CSS
   * animation: an animated fill would repaint its chunk every frame while it runs.
   */
  flash(keys: readonly string[]): void {
    const gs = keys.flatMap((k) => this.rows.get(k)?.g ?? []);
    for (const g of gs) g.classList.add('pb-new');
    if (this.flashTimer !== undefined) clearTimeout(this.flashTimer);
    this.flashTimer = setTimeout(() => {
      this.flashTimer = undefined;
      for (const g of Array.from(this.body.querySelectorAll('.pb-new'))) g.classList.remove('pb-new');
    }, FLASH_MS);
  }

  clear(): void {
    for (const c of this.chunks.splice(0)) c.svg.remove();
    this.rows.clear();
    this.last = null;
    this.missing = 0;
    this.arrows = [];
    this.noteSteps = [];
  }

  /** As many chunks as the rows need, each sized to its rows, with its stretch of the lifelines. */
  private fitChunks(layout: SeqLayout): void {
    const n = Math.max(1, Math.ceil(layout.rows.length / CHUNK));
    while (this.chunks.length > n) this.chunks.pop()?.svg.remove();
    while (this.chunks.length < n) {
      const c: Chunk = {
        svg: svg('svg', 'pb-seq-chunk'),
        lifelines: svg('g', 'pb-lifelines'),
        rows: svg('g', 'pb-rows'),
        top: Number.NaN,
        height: Number.NaN,
        lanes: '',
      };
      c.svg.append(c.lifelines, c.rows);
      this.body.append(c.svg);
      this.chunks.push(c);
    }
    this.chunks.forEach((c, k) => {
      const top = k === 0 ? 0 : (layout.rows[k * CHUNK]?.y ?? layout.height);
      const bottom = k === n - 1 ? layout.height : (layout.rows[(k + 1) * CHUNK]?.y ?? layout.height);
      const height = bottom - top;
      const lanes = `${this.laneSignature}|${height}`;
      c.top = top;
      // No viewBox: user units are pixels, so a taller chunk is a bigger box, not a new transform.
      if (c.height !== height || c.lanes !== lanes) {
        c.height = height;
        c.lanes = lanes;
        set(c.svg, { width: layout.width, height });
        c.lifelines.replaceChildren(
          ...this.lanes.map((l) => {
            const line = svg('line', 'actor-line');
            set(line, { x1: l.x, x2: l.x, y1: 0, y2: height });
            return line;
          }),
        );
      }
    });
  }

  private renderLanes(model: SeqModel, layout: SeqLayout): void {
    const signature = JSON.stringify([layout.width, layout.headerHeight, layout.lanes, model.participants]);
    if (signature === this.laneSignature) return;
    this.laneSignature = signature;
    this.lanes = layout.lanes;
    set(this.header, { width: layout.width, height: layout.headerHeight });
    const lh = layout.lineHeight - 1;
    this.lanesHead.replaceChildren(
      ...layout.lanes.map((lane) => {
        const g = svg('g', 'pb-lane');
        g.dataset.lane = lane.id;
        const rect = svg('rect', 'actor');
        set(rect, { x: lane.boxX, y: 6, width: lane.boxW, height: layout.boxHeight, rx: 3 });
        const text = svg('text', 'actor');
        set(text, { x: lane.x, 'text-anchor': 'middle' });
        const top = 6 + (layout.boxHeight - lane.lines.length * lh) / 2;
        lane.lines.forEach((l, i) => {
          const t = svg('tspan');
          set(t, { x: lane.x, y: top + (i + 1) * lh - 4 });
          t.textContent = l;
          text.append(t);
        });
        const title = svg('title');
        title.textContent = model.participants.find((p) => p.id === lane.id)?.label ?? lane.id;
        g.append(rect, text, title);
        return g;
      }),
    );
  }
}
