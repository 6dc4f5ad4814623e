// Section 3 — Rendering. Core Mermaid generation (renderMermaid) in Node for synthetic-but-realistic
// traces of 20, 50, 200 and 500 arrows, with the options the product uses (collapse on, 150-arrow
// cap) and without (collapse off, uncapped), plus container folding; then the real diagram webview
// (production bundle, production CSP, Chromium) rendering the same traces (render/done ms), and the
// longest main-thread task (PerformanceObserver 'longtask') while a live trace streams in.

import { renderMermaid, DEFAULT_MAX_STEPS, type RenderOptions } from '../../src/core/mermaid/index.js';
import type { Trace } from '../../src/core/model.js';
import { Section, row, runSection, sleep, summarize, withRatio, type Row } from '../lib/report.js';
import { UNCAPPED, prefix, syntheticTrace } from '../lib/synthetic.js';
import { coalesce, DIAGRAM_COALESCE_MS } from '../../src/extension/trace-registry.js';
import { startDiagramHarness, type DiagramHarness } from '../lib/webview.js';

const QUICK = process.env.BENCH_QUICK === '1';
const SIZES = [20, 50, 200, 500] as const;

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
  const variants: { key: string; label: string; opts: RenderOptions; trace: (n: number) => Trace }[] = [
    {
      key: 'default',
      label: `distinct steps, product options (collapse on, cap ${DEFAULT_MAX_STEPS})`,
      opts: {},
      trace: (n) => traces.get(`d${n}`) as Trace,
    },
    {
      key: 'raw',
      label: 'distinct steps, collapse off, uncapped',
      opts: { collapseRepeats: false, maxSteps: UNCAPPED },
      trace: (n) => traces.get(`d${n}`) as Trace,
    },
    {
      key: 'rep-collapsed',
      label: `repeated steps (×3), collapse on, cap ${DEFAULT_MAX_STEPS}`,
      opts: {},
      trace: (n) => traces.get(`r${n}`) as Trace,
    },
    {
      key: 'rep-raw',
      label: 'repeated steps (×3), collapse off, uncapped',
      opts: { collapseRepeats: false, maxSteps: UNCAPPED },
      trace: (n) => traces.get(`r${n}`) as Trace,
    },
    {
      key: 'folded',
      label: 'distinct steps, every worker container folded',
      opts: {},
      trace: (n) => traces.get(`d${n}`) as Trace,
    },
  ];
  for (const n of SIZES) {
    const rows = new Map<string, Row>();
    for (const v of variants) {
      const trace = v.trace(n);
      const opts: RenderOptions =
        v.key === 'folded'
          ? { foldContainers: trace.containers.map((c) => c.name).filter((c) => c.startsWith('worker-')) }
          : v.opts;
      const d = renderMermaid(trace, opts);
      const samples = timeIt(() => void renderMermaid(trace, opts), QUICK ? 20 : 100, QUICK ? 300 : 1500);
      const r = row(`core-${v.key}-${n}`, `renderMermaid, ${n}-arrow trace: ${v.label}`, 'ms', samples, {
        detail: `${trace.steps.length} steps → ${d.messages.length} arrows, ${d.source.length.toLocaleString('en-US')} chars`,
      });
      rows.set(v.key, r);
    }
    const raw = rows.get('raw') as Row;
    for (const [k, r] of rows) s.add(k === 'raw' ? r : withRatio(r, raw));
  }
}

async function browser(s: Section, h: DiagramHarness, traces: Map<string, Trace>): Promise<void> {
  const reps = QUICK ? 3 : 8;
  const base = new Map<number, Row>();
  for (const kind of ['d', 'r'] as const) {
    for (const n of SIZES) {
      const trace = traces.get(`${kind}${n}`) as Trace;
      const arrowsDrawn = renderMermaid(trace).messages.length;
      const page = await h.open();
      try {
        await page.takeLongTasks();
        // First render in a fresh page: includes loading Mermaid's sequence-diagram chunk.
        await page.post(1, trace, false);
        const first = await page.waitRendered(1);
        const ms: number[] = [];
        const wall: number[] = [];
        for (let i = 2; i < 2 + reps; i++) {
          await sleep(300); // past the webview's trailing throttle (100 ms, or twice the last render for big ones)
          const t0 = performance.now();
          await page.post(i, trace, false);
          const d = await page.waitRendered(i);
          ms.push(d.ms);
          wall.push(d.nodeAt - t0);
        }
        const long = await page.takeLongTasks();
        const label = kind === 'd' ? 'distinct steps' : 'repeated steps (×3, collapsed by the product)';
        const goal =
          n === 200 && kind === 'd'
            ? { goal: { stat: 'median' as const, op: '<=' as const, value: 250, text: '≤ 250 ms at 200 arrows' } }
            : {};
        const r = s.add(
          row(`browser-${kind}-${n}`, `webview render (render/done ms), ${n}-arrow trace, ${label}`, 'ms', ms, {
            ...goal,
            detail: `${arrowsDrawn} arrows drawn (product caps at ${DEFAULT_MAX_STEPS}); first render in a fresh page ${first.ms} ms; post→render/done wall median ${summarize(wall).median.toFixed(0)} ms`,
          }),
        );
        if (kind === 'd') base.set(n, r);
        else s.rows[s.rows.length - 1] = withRatio(r, base.get(n) as Row);
        s.add(
          row(
            `browser-${kind}-${n}-longtask`,
            `longest main-thread task while rendering the ${n}-arrow trace (${label})`,
            'ms',
            long.length ? Math.max(...long) : 0,
            {
              goal: { stat: 'value', op: '<=', value: 100, text: 'never blocked > 100 ms' },
              detail: `${long.length} long task(s) > 50 ms over ${reps + 1} renders`,
            },
          ),
        );
        if (page.errors.length) s.note(`page errors at ${kind}${n}: ${page.errors.join(' | ')}`);
      } finally {
        await page.close();
      }
    }
  }
}

/**
 * A live trace growing to 200 arrows, one step every 50 ms (20 changes/s, 10 s), passed through the
 * host's real coalescer (trace-registry coalesce, DIAGRAM_COALESCE_MS, as extension.ts wires the diagram panels),
 * posted without waiting (as webview.postMessage does), while long tasks are observed in the page.
 */
async function streaming(s: Section, h: DiagramHarness, full: Trace): Promise<void> {
  const page = await h.open();
  try {
    await page.takeLongTasks();
    const every = 50;
    let seq = 0;
    const posts: Promise<void>[] = [];
    const host = coalesce<Trace>(DIAGRAM_COALESCE_MS, (_k, t) => posts.push(page.post(++seq, t, true)));
    const t0 = performance.now();
    for (let n = 1; n <= full.steps.length; n++) {
      const wait = t0 + n * every - performance.now();
      if (wait > 0) await sleep(wait);
      host.push('trace', prefix(full, n));
    }
    host.flush();
    const lastPost = performance.now();
    await Promise.all(posts);
    const d = await page.waitRendered(seq, 120_000);
    const long = await page.takeLongTasks();
    const renders = page.done.filter((x) => x.seq <= seq);
    s.add(
      row(
        'stream-longtask',
        `longest main-thread task while a live trace streams in (${full.steps.length} changes, 1 per ${every} ms, host-coalesced to ${seq} snapshots, up to ${d.arrows} arrows)`,
        'ms',
        long.length ? Math.max(...long) : 0,
        {
          goal: { stat: 'value', op: '<=', value: 100, text: 'never blocked > 100 ms' },
          detail: `${long.length} long task(s) > 50 ms, ${long.filter((x) => x > 100).length} > 100 ms, ${Math.round(long.reduce((a, b) => a + b, 0))} ms blocked in ${Math.round(d.nodeAt - t0)} ms`,
        },
      ),
    );
    s.add(
      row(
        'stream-render',
        'webview render during the stream (render/done ms, each render)',
        'ms',
        renders.map((x) => x.ms),
        {
          detail: `${renders.length} renders for ${seq} snapshots (webview: trailing throttle of 100 ms or twice the last render, latest snapshot wins)`,
        },
      ),
    );
    s.add(row('stream-last', 'last change → its render/done (wall, Node clock)', 'ms', d.nodeAt - lastPost));
    s.facts.streamLongTasks = long.map((x) => Math.round(x));
  } finally {
    await page.close();
  }
}

/** A CPU profile (CDP) of one render of the 200-arrow trace in an unminified build: where the time goes. */
async function profile(s: Section, trace: Trace): Promise<void> {
  const h = await startDiagramHarness({ minify: false });
  try {
    const page = await h.open();
    try {
      await page.post(1, trace, false);
      await page.waitRendered(1);
      await sleep(300);
      const top = await page.profile(async () => {
        await page.post(2, trace, false);
        await page.waitRendered(2);
      });
      s.facts.renderProfile = top;
      s.note(
        `CPU profile of one 150-arrow render (unminified bundle), self time by function: ${top
          .slice(0, 8)
          .map((t) => `${t.name} ${t.selfMs} ms (${t.where})`)
          .join('; ')}.`,
      );
    } finally {
      await page.close();
    }
  } finally {
    await h.close();
  }
}

void runSection(
  new Section('render', '3. Rendering (Mermaid generation, in-browser render, long tasks)'),
  async (s) => {
    const traces = new Map<string, Trace>();
    for (const n of SIZES) {
      traces.set(`d${n}`, syntheticTrace(n, 1));
      traces.set(`r${n}`, syntheticTrace(n, 3));
    }
    await core(s, traces);
    const h = await startDiagramHarness();
    try {
      await browser(s, h, traces);
      await streaming(s, h, traces.get('d200') as Trace);
    } finally {
      await h.close();
    }
    await profile(s, traces.get('d200') as Trace);
    s.note(
      `The webview renders with renderMermaid's defaults: collapseRepeats on and at most ${DEFAULT_MAX_STEPS} arrows (older ones summarised in a note), so a 200- or 500-step trace draws ${DEFAULT_MAX_STEPS} arrows.`,
    );
  },
);
