// Section 3 — Rendering. The core Mermaid generator (renderMermaid) and the page's own reading and
// layout of its source (parseSequence, layoutSequence) in Node, for synthetic-but-realistic traces of
// 20 to 500 arrows; then the real diagram webview (production bundle and CSP, Chromium, a 640 px
// panel, the default split of a 1600 px window): first paint of a fresh panel, a full draw, one arrow
// added, a live trace streaming in (change → arrow on screen, longest main-thread task), Mermaid's own
// drawing of the same diagram (the SVG export) for comparison, and CPU profiles of both.
//
// Sizes are arrows actually drawn: the page draws up to VIEW_MAX_STEPS (500) arrows; the exports keep
// the generator's default cap (DEFAULT_MAX_STEPS, 150). Before issue 17 the "200" and "500" rows were
// capped at 150 without saying so in their labels.

import { renderMermaid, DEFAULT_MAX_STEPS, type RenderOptions } from '../../src/core/mermaid/index.js';
import type { Trace } from '../../src/core/model.js';
import { traceFromEvidence } from '../../src/core/trace/index.js';
import { coalesce, DIAGRAM_COALESCE_MS } from '../../src/extension/trace-registry.js';
import { allEvidence } from '../../test/unit/trace/realistic.js';
import { VIEW_MAX_STEPS } from '../../webview/diagram/live.js';
import { layoutSequence, type Metrics } from '../../webview/diagram/sequence-layout.js';
import { parseSequence } from '../../webview/diagram/sequence.js';
import { epochNow } from '../lib/clock.js';
import { Section, row, runSection, sleep, summarize, withRatio, type Row } from '../lib/report.js';
import { UNCAPPED, prefix, syntheticTrace } from '../lib/synthetic.js';
import { startDiagramHarness, type DiagramHarness, type DiagramPage, type RenderDone } from '../lib/webview.js';

const QUICK = process.env.BENCH_QUICK === '1';
const SIZES = [20, 50, 200, 300, 500] as const;
/** A fixed advance per character: the layout's cost does not depend on the font. */
const FIXED: Metrics = { fontSize: 13, measure: (t, name) => t.length * (name ? 7.4 : 7) };

function timeIt(fn: () => void, minIters: number, budgetMs: number): number[] {
  for (let i = 0; i < 5; i++) fn(); // warm-up (JIT)
  const out: number[] = [];
  const deadline = performance.now() + budgetMs;
  while (out.length < minIters || (performance.now() < deadline && out.length < 2000)) {
    const t0 = performance.now();
    fn();
    out.push(performance.now() - t0);
  }
  return out;
}

async function core(s: Section, traces: Map<string, Trace>): Promise<void> {
  const view: RenderOptions = { maxSteps: VIEW_MAX_STEPS };
  for (const n of SIZES) {
    const trace = traces.get(`d${n}`) as Trace;
    const variants: { key: string; label: string; opts: RenderOptions; t: Trace }[] = [
      {
        key: 'view',
        label: `distinct steps, the page's options (collapse on, cap ${VIEW_MAX_STEPS})`,
        opts: view,
        t: trace,
      },
      { key: 'export', label: `distinct steps, the exports' options (cap ${DEFAULT_MAX_STEPS})`, opts: {}, t: trace },
      {
        key: 'raw',
        label: 'distinct steps, collapse off, uncapped',
        opts: { collapseRepeats: false, maxSteps: UNCAPPED },
        t: trace,
      },
      {
        key: 'rep',
        label: `repeated steps (×3), the page's options`,
        opts: view,
        t: traces.get(`r${n}`) as Trace,
      },
    ];
    let raw: Row | null = null;
    for (const v of variants) {
      const d = renderMermaid(v.t, v.opts);
      const samples = timeIt(() => void renderMermaid(v.t, v.opts), QUICK ? 20 : 100, QUICK ? 300 : 1200);
      const r = row(`core-${v.key}-${n}`, `renderMermaid, ${n}-arrow trace: ${v.label}`, 'ms', samples, {
        detail: `${v.t.steps.length} steps → ${d.messages.length} arrows, ${d.source.length.toLocaleString('en-US')} chars`,
      });
      if (v.key === 'raw') raw = r;
      s.add(raw && v.key !== 'raw' ? withRatio(r, raw) : r);
    }
    const source = renderMermaid(trace, view).source;
    const model = parseSequence(source);
    if (!model) throw new Error(`the page cannot read the ${n}-arrow source`);
    s.add(
      row(
        `page-layout-${n}`,
        `the page's parseSequence + layoutSequence (Node, fixed-width font), ${n}-arrow trace`,
        'ms',
        timeIt(
          () => void layoutSequence(parseSequence(source) ?? model, 620, FIXED),
          QUICK ? 20 : 100,
          QUICK ? 300 : 1200,
        ),
      ),
    );
  }
}

/** Where a first paint's time went: the page's own milestones (ms since it started loading). */
function milestones(d: RenderDone): string {
  const f = (x: number | null): string => (x === null ? '?' : x.toFixed(0));
  const received = d.receivedAt === null ? null : d.sinceLoad - (d.visibleAt - d.receivedAt);
  return `entry script fetched at ${f(d.scriptAt)} ms, webview/ready posted at ${f(d.readyAt)} ms, snapshot received at ${f(received)} ms, first draw ${d.ms} ms, painted at ${d.sinceLoad.toFixed(0)} ms`;
}

async function longest(page: DiagramPage): Promise<{ max: number; count: number }> {
  const long = await page.takeLongTasks();
  return { max: long.length ? Math.max(...long) : 0, count: long.length };
}

/** First paint, full draws and one-arrow updates of one trace size, each in a fresh page. */
async function browserSize(s: Section, h: DiagramHarness, n: number, trace: Trace): Promise<void> {
  const reps = QUICK ? 3 : 8;
  const page = await h.open({ firstSnapshot: trace });
  try {
    const first = await page.waitRendered(1);
    await page.takeLongTasks();
    const full: number[] = [];
    const complete: number[] = [];
    const added: number[] = [];
    const addedWall: number[] = [];
    let seq = 1;
    for (let i = 0; i < reps; i++) {
      // A full draw: the rows are dropped (trace/reset) and the whole trace drawn again.
      await page.page.evaluate((m) => window.postMessage(m, '*'), {
        type: 'trace/reset',
        seq: ++seq,
        reason: 'bench',
      } as never);
      const f0 = epochNow();
      await page.post(++seq, trace, false);
      full.push((await page.waitRendered(seq)).ms);
      // A big diagram creates the rows in view first and the rest over the next frames: until all are there.
      const all = renderMermaid(trace, { maxSteps: VIEW_MAX_STEPS }).messages.length;
      await page.page.waitForFunction((n) => document.querySelectorAll('[data-et="message"]').length >= n, all, {
        timeout: 30_000,
      });
      complete.push(epochNow() - f0);
      // One arrow more: the trace without its last step, then with it.
      await page.post(++seq, prefix(trace, trace.steps.length - 1), true);
      await page.waitRendered(seq);
      await sleep(50);
      const t0 = epochNow();
      await page.post(++seq, trace, true);
      const d = await page.waitRendered(seq);
      added.push(d.ms);
      addedWall.push(d.visibleAt - t0);
    }
    const long = await longest(page);
    const arrows = first.arrows;
    s.add(
      row(
        `first-paint-${n}`,
        `first paint of a fresh panel, ${n}-arrow trace (page load → diagram painted)`,
        'ms',
        first.sinceLoad,
        {
          ...(n === 20 || n === 300
            ? { goal: { stat: 'value' as const, op: '<=' as const, value: 300, text: '≤ 300 ms' } }
            : {}),
          detail: `${arrows} arrows; ${milestones(first)}`,
        },
      ),
    );
    s.add(
      row(`full-${n}`, `full draw of a ${n}-arrow trace: its first frame (render/done ms)`, 'ms', full, {
        detail: `${arrows} arrows drawn (page cap ${VIEW_MAX_STEPS}); the rows in view come first (at most 80 a frame); first draw in the fresh page ${first.ms} ms`,
      }),
    );
    s.add(
      row(`full-all-${n}`, `full draw of a ${n}-arrow trace: posted → every row in the page (wall)`, 'ms', complete, {
        ...(n === 300 ? { goal: { stat: 'median' as const, op: '<=' as const, value: 150, text: '≤ 150 ms' } } : {}),
      }),
    );
    s.add(
      row(`add-${n}`, `one arrow added to a ${n}-arrow diagram: posted → painted (wall)`, 'ms', addedWall, {
        detail: `the draw itself: median ${summarize(added).median.toFixed(1)} ms`,
      }),
    );
    s.add(
      row(
        `longtask-${n}`,
        `longest main-thread task, ${n}-arrow trace (first paint, full draws, updates)`,
        'ms',
        long.max,
        {
          goal: { stat: 'value', op: '<=', value: 50, text: 'never blocked > 50 ms' },
          detail: `${long.count} long task(s) > 50 ms`,
        },
      ),
    );
    if (page.errors.length) s.note(`page errors at ${n}: ${page.errors.join(' | ')}`);
  } finally {
    await page.close();
  }
}

/**
 * A live trace growing to 300 arrows, one step every 50 ms (20 changes/s, 15 s), through the host's
 * real coalescer (trace-registry coalesce, DIAGRAM_COALESCE_MS, as the panels use it), posted without
 * waiting (as webview.postMessage does), long tasks observed in the page. Per change: pushed to the
 * host coalescer → the first painted frame that shows it.
 */
async function streaming(s: Section, h: DiagramHarness, full: Trace): Promise<void> {
  const page = await h.open();
  try {
    await page.takeLongTasks();
    const every = 50;
    let seq = 0;
    const pushedAt: number[] = [];
    const postedSeq: number[] = []; // step count n → seq of the snapshot that first contained it
    const posts: Promise<void>[] = [];
    const host = coalesce<{ t: Trace; n: number }>(DIAGRAM_COALESCE_MS, (_k, v) => {
      const n = ++seq;
      for (let i = postedSeq.length; i <= v.n; i++) postedSeq[i] = n;
      posts.push(page.post(n, v.t, true));
    });
    const t0 = performance.now();
    for (let n = 1; n <= full.steps.length; n++) {
      const wait = t0 + n * every - performance.now();
      if (wait > 0) await sleep(wait);
      pushedAt[n] = epochNow();
      host.push('trace', { t: prefix(full, n), n });
    }
    host.flush();
    await Promise.all(posts);
    const last = await page.waitRendered(seq, 120_000);
    const long = await longest(page);
    const lat: { ms: number; arrows: number }[] = [];
    for (let n = 1; n < pushedAt.length; n++) {
      const sq = postedSeq[n];
      const d = sq === undefined ? undefined : page.done.find((x) => x.seq >= sq);
      if (d) lat.push({ ms: d.visibleAt - (pushedAt[n] as number), arrows: d.arrows });
    }
    const band = (lo: number, hi: number): number[] =>
      lat.filter((l) => l.arrows > lo && l.arrows <= hi).map((l) => l.ms);
    s.add(
      row(
        'stream-visible',
        `live stream, change → arrow on screen (host coalescing + postMessage + frame + draw), up to ${last.arrows} arrows`,
        'ms',
        lat.map((l) => l.ms),
        {
          goal: { stat: 'p99', op: '<=', value: 150, text: '≤ 150 ms p99 (the page’s part)' },
          detail: `${lat.length} changes, 1 per ${every} ms, ${seq} snapshots, ${page.done.length} frames drawn`,
        },
      ),
    );
    for (const [lo, hi] of [
      [0, 100],
      [100, 200],
      [200, 300],
    ] as const)
      s.add(row(`stream-visible-${hi}`, `  … while the diagram had ${lo + 1}–${hi} arrows`, 'ms', band(lo, hi)));
    s.add(
      row(
        'stream-longtask',
        `longest main-thread task while the trace streams in (${full.steps.length} changes, up to ${last.arrows} arrows)`,
        'ms',
        long.max,
        {
          goal: { stat: 'value', op: '<=', value: 50, text: 'never blocked > 50 ms' },
          detail: `${long.count} long task(s) > 50 ms`,
        },
      ),
    );
    s.add(
      row(
        'stream-draw',
        'the draws during the stream (render/done ms)',
        'ms',
        page.done.map((d) => d.ms),
      ),
    );
  } finally {
    await page.close();
  }
}

/** Clicks Export… → SVG image in the page and waits for its export/svg (Mermaid draws it). */
async function exportSvg(page: DiagramPage): Promise<void> {
  type Posted = { __posted: { type: string }[] };
  const before = await page.page.evaluate(() => (window as unknown as Posted).__posted.length);
  await page.page.evaluate(() => document.querySelector<HTMLElement>('[data-action="export-svg"]')?.click());
  await page.page.waitForFunction(
    (b) => (window as unknown as Posted).__posted.slice(b).some((m) => m.type === 'export/svg'),
    before,
    { timeout: 60_000 },
  );
}

/** Mermaid's drawing of the same diagram (what the SVG export runs): what a redraw per change would cost. */
async function mermaidExport(s: Section, h: DiagramHarness, trace: Trace, n: number): Promise<void> {
  const page = await h.open({ firstSnapshot: trace });
  try {
    await page.waitRendered(1);
    await page.takeLongTasks();
    const ms: number[] = [];
    for (let i = 0; i < (QUICK ? 2 : 5); i++) {
      const t0 = performance.now();
      await exportSvg(page);
      ms.push(performance.now() - t0);
    }
    const long = await longest(page);
    const arrows = renderMermaid(trace).messages.length;
    s.add(
      row(`mermaid-${n}`, `Mermaid draws the diagram (SVG export), ${n}-arrow trace`, 'ms', ms.slice(1), {
        detail: `${arrows} arrows (export cap ${DEFAULT_MAX_STEPS}); the first export, which loads Mermaid, took ${ms[0]?.toFixed(0)} ms; longest task ${long.max.toFixed(0)} ms`,
      }),
    );
  } finally {
    await page.close();
  }
}

/** CPU profiles (CDP, unminified bundle): a full 300-arrow draw, and Mermaid drawing the same trace. */
async function profiles(s: Section, trace: Trace): Promise<void> {
  const h = await startDiagramHarness({ minify: false });
  try {
    const page = await h.open({ firstSnapshot: trace });
    try {
      await page.waitRendered(1);
      await sleep(300);
      const draw = await page.profile(async () => {
        await page.page.evaluate((m) => window.postMessage(m, '*'), {
          type: 'trace/reset',
          seq: 2,
          reason: 'x',
        } as never);
        await page.post(3, trace, false);
        await page.waitRendered(3);
      });
      await exportSvg(page); // Mermaid loaded before the profile
      const mermaid = await page.profile(() => exportSvg(page));
      s.facts.profileDraw = draw;
      s.facts.profileMermaid = mermaid;
      const top = (p: typeof draw): string =>
        p
          .filter((t) => !['(idle)', '(program)', '(garbage collector)', '(root)'].includes(t.name))
          .slice(0, 6)
          .map((t) => `${t.name} ${t.selfMs} ms (${t.where})`)
          .join('; ');
      s.note(`CPU profile, the page's full draw of the 300-arrow trace, self time: ${top(draw)}.`);
      s.note(
        `CPU profile, Mermaid drawing the same trace (capped at ${DEFAULT_MAX_STEPS} arrows), self time: ${top(mermaid)}.`,
      );
    } finally {
      await page.close();
    }
  } finally {
    await h.close();
  }
}

void runSection(
  new Section('render', '3. Rendering (Mermaid source, the page drawing it, live updates, long tasks)'),
  async (s) => {
    const traces = new Map<string, Trace>();
    for (const n of SIZES) {
      traces.set(`d${n}`, syntheticTrace(n, 1));
      traces.set(`r${n}`, syntheticTrace(n, 3));
    }
    await core(s, traces);
    const h = await startDiagramHarness();
    try {
      const real = traceFromEvidence(allEvidence());
      const page = await h.open({ firstSnapshot: real });
      const first = await page.waitRendered(1);
      s.add(
        row(
          'first-paint-real',
          `first paint of a fresh panel, the recorded one-container birth (${first.arrows} arrows)`,
          'ms',
          first.sinceLoad,
          {
            goal: { stat: 'value', op: '<=', value: 300, text: '≤ 300 ms' },
            detail: milestones(first),
          },
        ),
      );
      await page.close();
      for (const n of SIZES) await browserSize(s, h, n, traces.get(`d${n}`) as Trace);
      await streaming(s, h, traces.get('d300') as Trace);
      await mermaidExport(s, h, traces.get('d300') as Trace, 300);
    } finally {
      await h.close();
    }
    await profiles(s, traces.get('d300') as Trace);
  },
);
