// Drawing the latest snapshot: at most once per animation frame, whatever the host sends, and only
// what changed (sequence-view.ts). One draw = the core generator's Mermaid source for the trace, read
// back (sequence.ts), laid out for the panel's width (sequence-layout.ts), patched into the SVG. A
// 300-arrow trace takes a few milliseconds, so the page never holds a change back: it is on screen in
// the frame after it arrives. render/done goes to the host once that frame has been painted.

import type { Step, Trace } from '../../src/core/model.js';
import { renderMermaid, type RenderedDiagram } from '../../src/core/mermaid/index.js';
import { instantFromMs } from '../../src/core/time.js';
import type { TraceSnapshotMessage } from '../../src/protocol/diagram.js';
import { MIN_LANE, layoutSequence, type Metrics, type SeqLayout } from './sequence-layout.js';
import { mergeLanes, parseSequence, type SeqModel } from './sequence.js';
import type { RowMeta, SequenceView } from './sequence-view.js';
import { ariaFor, stepFacts, stepIndex } from './step-info.js';

/** Arrows the page draws; older ones are summarised in a note (the generator's `maxSteps`). */
export const VIEW_MAX_STEPS = 500;
/** While live, in-progress arrows show their elapsed time: redrawn this often. */
const TICK_MS = 1000;
/** Lanes drawn in another's when the panel is narrow (or the user asks): etcd with the apiserver, runc with the runtime. */
export const MERGED_LANES: Readonly<Record<string, string>> = { etcd: 'kube-apiserver', 'oci-runtime': 'cri-runtime' };

export type Snapshot = Omit<TraceSnapshotMessage, 'type' | 'v'>;
export type LaneMode = 'auto' | 'all' | 'merged';

/** What is on screen. */
export interface Shown {
  readonly seq: number;
  readonly trace: Trace;
  readonly steps: ReadonlyMap<string, Step>;
  readonly diagram: RenderedDiagram;
  readonly model: SeqModel;
  readonly layout: SeqLayout;
  readonly merged: boolean;
}

export interface LiveDeps {
  readonly seq: SequenceView;
  /** The width the diagram may take (the scroller's content box). */
  width(): number;
  metrics(): Metrics;
  lanes(): LaneMode;
  /** Which end of a big diagram to draw first: the end while the newest arrow is followed. */
  prefer(): 'start' | 'end';
  /** After a draw that changed what is on screen (selection, aria, header). */
  drawn(shown: Shown, added: readonly string[], first: boolean): void;
  /** Once the frame with snapshot `seq` has been painted: `ms` the draw itself took. */
  painted(seq: number, ms: number, arrows: number): void;
  failed(error: unknown): void;
}

export class LiveDiagram {
  private latest: Snapshot | null = null;
  private current: Shown | null = null;
  private frame = 0;
  private tick: ReturnType<typeof setTimeout> | undefined;
  private paintedSeq = -1;
  /** A snapshot (or a new width, theme, tick) waits to be drawn; else a frame only adds pending rows. */
  private dirty = false;
  /** The next draw reports render/done even for a snapshot already reported (theme, width, lanes). */
  private report = false;

  constructor(private readonly d: LiveDeps) {}

  get shown(): Shown | null {
    return this.current;
  }

  /** A new snapshot from the host: drawn in the next frame (later snapshots before it replace it). */
  show(snap: Snapshot): void {
    this.latest = snap;
    this.dirty = true;
    this.request();
  }

  /** Same trace, new width, theme or lanes: laid out again (and reported as a render). */
  redraw(): void {
    if (!this.latest) return;
    this.report = true;
    this.dirty = true;
    this.request();
  }

  reset(): void {
    this.latest = null;
    this.current = null;
    if (this.frame) cancelAnimationFrame(this.frame);
    this.frame = 0;
    this.d.seq.clear();
  }

  private request(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      if (this.dirty) this.draw();
      else if (this.current && this.d.seq.pendingRows > 0) {
        this.d.seq.continue();
        this.d.drawn(this.current, [], false);
      }
      if (this.d.seq.pendingRows > 0) this.request();
    });
  }

  private draw(): void {
    const snap = this.latest;
    this.dirty = false;
    if (!snap) return;
    const t0 = performance.now();
    let shown: Shown;
    let added: string[];
    const first = this.current === null;
    try {
      const diagram = renderMermaid(snap.trace, {
        maxSteps: VIEW_MAX_STEPS,
        ...(snap.live ? { now: instantFromMs(Date.now()) } : {}),
      });
      const parsed = parseSequence(diagram.source);
      if (!parsed) throw new Error('the diagram source has a statement this view does not draw');
      const width = this.d.width();
      const mode = this.d.lanes();
      const merged = mode === 'merged' || (mode === 'auto' && width < parsed.participants.length * MIN_LANE + 24);
      const model = merged ? mergeLanes(parsed, MERGED_LANES) : parsed;
      const layout = layoutSequence(model, width, this.d.metrics());
      const steps = stepIndex(snap.trace);
      added = this.d.seq.render(model, layout, metas(model, diagram, steps), this.d.prefer());
      shown = { seq: snap.seq, trace: snap.trace, steps, diagram, model, layout, merged };
    } catch (e) {
      this.d.failed(e);
      return;
    }
    this.current = shown;
    this.d.drawn(shown, first ? [] : added, first);
    const ms = Math.round((performance.now() - t0) * 10) / 10;
    // A tick (the elapsed time of running steps) is not a render the host needs to hear about.
    if (snap.seq > this.paintedSeq || this.report) {
      this.paintedSeq = snap.seq;
      this.report = false;
      afterPaint(() => this.d.painted(snap.seq, ms, shown.diagram.messages.length));
    }
    this.scheduleTick(snap);
  }

  private scheduleTick(snap: Snapshot): void {
    if (this.tick !== undefined) clearTimeout(this.tick);
    this.tick = undefined;
    if (!snap.live || !snap.trace.steps.some((s) => s.status === 'in-progress')) return;
    this.tick = setTimeout(() => {
      this.tick = undefined;
      this.dirty = true;
      this.request();
    }, TICK_MS);
  }
}

/** Runs `fn` after the current frame's rendering: a task posted from a rAF callback runs after its paint. */
function afterPaint(fn: () => void): void {
  const ch = new MessageChannel();
  ch.port1.onmessage = () => {
    ch.port1.close();
    fn();
  };
  ch.port2.postMessage(null);
}

/** Each row's key (its step and occurrence: stable while the step is shown), status and aria label. */
function metas(model: SeqModel, diagram: RenderedDiagram, steps: ReadonlyMap<string, Step>): RowMeta[] {
  const seen = new Map<string, number>();
  const key = (base: string): string => {
    const k = seen.get(base) ?? 0;
    seen.set(base, k + 1);
    return `${base}#${k}`;
  };
  return model.rows.map((row): RowMeta => {
    if (row.kind === 'note') {
      const stepId = diagram.notes[row.n]?.stepId ?? null;
      return { key: key(`note:${stepId ?? ''}`), stepId, status: null, aria: () => '' };
    }
    const stepId = diagram.messages[row.n]?.stepId ?? null;
    const step = stepId !== null ? steps.get(stepId) : undefined;
    return {
      key: key(`msg:${stepId ?? ''}`),
      stepId,
      status: step?.status ?? null,
      aria: () => ariaFor(stepFacts(step, row.text)),
    };
  });
}
