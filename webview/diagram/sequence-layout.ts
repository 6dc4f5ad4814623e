// Where everything of the sequence model goes, for a panel of a given width. Pure (text widths come
// from the `measure` the page passes in: a canvas in the browser, a fixed advance in tests).
//
// Why not Mermaid's layout: Mermaid widens the gap right of an arrow's first participant to the width
// of its label, so eight participants and 40-character labels make a ~1,300 px diagram that a
// side-by-side panel (~600 px) shows in part. Here the lanes share the panel width, every arrow has a
// row of its own, and a label may run over the neighbouring lifelines (it has a halo), so the whole
// sequence fits; a label longer than the panel is cut with `…` (the full text is in its tooltip and
// aria-label). Notes are as wide as their text needs, up to the panel, and wrap inside.

import type { SeqModel } from './sequence.js';

export interface Metrics {
  /** Width in px of `text` in the diagram's font; `name`: in the participant names' (1 px smaller). */
  measure(text: string, name?: boolean): number;
  readonly fontSize: number;
}

export interface LaneLayout {
  readonly id: string;
  /** The lifeline. */
  readonly x: number;
  readonly boxX: number;
  readonly boxW: number;
  readonly lines: readonly string[];
}

export interface TextLayout {
  readonly x: number;
  /** Baseline, relative to the row. */
  readonly y: number;
  readonly text: string;
}

export type RowLayout =
  | {
      readonly kind: 'message';
      /** Top of the row in the body and its height. */
      readonly y: number;
      readonly h: number;
      readonly x1: number;
      readonly x2: number;
      /** The arrow's y, relative to the row. */
      readonly lineY: number;
      readonly self: boolean;
      readonly label: TextLayout;
      /** The label did not fit and was cut. */
      readonly cut: boolean;
    }
  | {
      readonly kind: 'note';
      readonly y: number;
      readonly h: number;
      readonly boxX: number;
      readonly boxY: number;
      readonly boxW: number;
      readonly boxH: number;
      readonly lines: readonly TextLayout[];
    };

export interface SeqLayout {
  /** Of the header and the body (larger than the panel only when the lanes cannot get narrower). */
  readonly width: number;
  readonly headerHeight: number;
  readonly boxHeight: number;
  readonly height: number;
  readonly lineHeight: number;
  readonly lanes: readonly LaneLayout[];
  readonly rows: readonly RowLayout[];
}

const PAD = 4;
const MAX_NAME_LINES = 3;
/** Below this the participant names no longer fit on two lines: the page merges lanes instead. */
export const MIN_LANE = 72;
const MAX_LANE = 220;
const EDGE = 4;
const NOTE_PAD = 8;
const NOTE_MAX = 560;
const SELF_LOOP = 18;
const ELLIPSIS = '…';

function clamp(x: number, lo: number, hi: number): number {
  return Math.max(lo, Math.min(hi, x));
}

/** `text` cut (with `…`) to at most `max` px; binary search over code points. */
export function fitText(text: string, max: number, m: Metrics, name = false): string {
  if (m.measure(text, name) <= max) return text;
  const points = Array.from(text);
  let lo = 0;
  let hi = points.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (m.measure(points.slice(0, mid).join('').trimEnd() + ELLIPSIS, name) <= max) lo = mid;
    else hi = mid - 1;
  }
  return points.slice(0, lo).join('').trimEnd() + ELLIPSIS;
}

/** Greedy word wrap to `max` px; a word longer than a line is broken where it must. */
export function wrapText(text: string, max: number, m: Metrics): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    const next = line === '' ? word : `${line} ${word}`;
    if (m.measure(next) <= max) {
      line = next;
      continue;
    }
    if (line !== '') out.push(line);
    line = word;
    while (m.measure(line) > max && Array.from(line).length > 1) {
      const head = fitText(line, max, m).slice(0, -1) || Array.from(line)[0] || '';
      out.push(head);
      line = line.slice(head.length);
    }
  }
  if (line !== '' || out.length === 0) out.push(line);
  return out;
}

/** The best two-line break of `label` (after a space, `-` or `/`), or null when none fits. */
function twoLines(label: string, max: number, m: Metrics): string[] | null {
  let best: string[] | null = null;
  let bestW = Number.POSITIVE_INFINITY;
  for (let i = 1; i < label.length; i++) {
    const c = label[i - 1];
    if (c !== ' ' && c !== '-' && c !== '/') continue;
    const a = label.slice(0, i).trimEnd();
    const b = label.slice(i).trimStart();
    if (a === '' || b === '') continue;
    const w = Math.max(m.measure(a, true), m.measure(b, true));
    if (w < bestW) {
      bestW = w;
      best = [a, b];
    }
  }
  return best && bestW <= max ? best : null;
}

/**
 * A participant name for a narrow lane: as it is; else without its `kube-` prefix (`scheduler`, the
 * full name is the lane's tooltip); else on two lines; else cut with `…`. A name may come with its own
 * lines (a merged lane: `kube-apiserver⏎+ etcd`).
 */
function nameLines(label: string, max: number, m: Metrics): string[] {
  const fits = (t: string): boolean => m.measure(t, true) <= max;
  const lines = label.split('\n').flatMap((part) => {
    if (fits(part)) return [part];
    const short = part.replace(/^kube-/, '');
    if (fits(short)) return [short];
    return twoLines(short, max, m) ?? [fitText(short, max, m, true)];
  });
  return lines.length <= MAX_NAME_LINES
    ? lines
    : [...lines.slice(0, MAX_NAME_LINES - 1), fitText(lines.slice(MAX_NAME_LINES - 1).join(' '), max, m, true)];
}

function lanesOf(model: SeqModel, width: number, m: Metrics, lh: number): { lanes: LaneLayout[]; laneW: number } {
  const n = Math.max(1, model.participants.length);
  const laneW = clamp((width - 2 * PAD) / n, MIN_LANE, MAX_LANE);
  const named = model.participants.map((p) => nameLines(p.label, laneW - 6, m));
  const lanes = model.participants.map((p, i): LaneLayout => {
    const x = PAD + laneW * (i + 0.5);
    const text = named[i] ?? [p.label];
    const boxW = Math.min(laneW - 2, Math.max(lh * 3, ...text.map((l) => m.measure(l, true) + 14)));
    return { id: p.id, x, boxX: x - boxW / 2, boxW, lines: text };
  });
  return { lanes, laneW };
}

export function layoutSequence(model: SeqModel, panelWidth: number, m: Metrics): SeqLayout {
  const lh = Math.ceil(m.fontSize * 1.35);
  const { lanes, laneW } = lanesOf(model, panelWidth, m, lh);
  const width = Math.max(panelWidth, 2 * PAD + laneW * lanes.length);
  const x = new Map(lanes.map((l) => [l.id, l.x]));
  const boxHeight = Math.max(1, ...lanes.map((l) => l.lines.length)) * (lh - 1) + 10;
  const maxText = width - 2 * EDGE;
  const rows: RowLayout[] = [];
  let y = 6;
  for (const r of model.rows) {
    const a = x.get(r.from) ?? PAD;
    const b = x.get(r.to) ?? a;
    if (r.kind === 'message') {
      const self = r.from === r.to;
      const text = fitText(r.text, maxText, m);
      const w = m.measure(text);
      const left = self ? a + 4 : (a + b) / 2 - w / 2;
      const h = self ? lh + 24 : lh + 14;
      rows.push({
        kind: 'message',
        y,
        h,
        x1: a,
        x2: self ? a + SELF_LOOP : b,
        lineY: lh + 5,
        self,
        label: { x: clamp(left, EDGE, width - EDGE - w), y: lh - 2, text },
        cut: text !== r.text,
      });
      y += h;
      continue;
    }
    const lo = Math.min(a, b) - laneW / 2 + 3;
    const hi = Math.max(a, b) + laneW / 2 - 3;
    const want = Math.max(...r.lines.map((l) => m.measure(l))) + 2 * NOTE_PAD;
    const boxW = Math.min(width - 2 * EDGE, Math.max(hi - lo, Math.min(want, NOTE_MAX)));
    const boxX = clamp((lo + hi) / 2 - boxW / 2, EDGE, width - EDGE - boxW);
    const lines = r.lines.flatMap((l) => wrapText(l, boxW - 2 * NOTE_PAD, m));
    const boxH = lines.length * lh + 10;
    rows.push({
      kind: 'note',
      y,
      h: boxH + 10,
      boxX,
      boxY: 4,
      boxW,
      boxH,
      lines: lines.map((text, i) => ({ x: boxX + NOTE_PAD, y: 4 + 5 + (i + 1) * lh - 4, text })),
    });
    y += boxH + 10;
  }
  return { width, headerHeight: boxHeight + 12, boxHeight, height: y + 16, lineHeight: lh, lanes, rows };
}
