// Section 8 — the rollout view. The real page (production bundle, the production CSP, Chromium, the
// right half of a 1600×1000 window: 800×1000) fed rollout reports the core builds from real recorded
// pods (test/support/rollout-recorded.ts), at 300 and 1,000 pods: first paint (page load → the rows
// painted), the rows in the DOM, a sort by a phase (click → painted), a live update of the whole
// report (posted → painted), scrolling to the end, and the longest main-thread task over all of it
// (goal: none > 50 ms). Host side, in this Node process: what keeping a 300-pod report and posting it
// costs (heap held by the report, its JSON size, the time to serialize it as postMessage does). The
// extension host's total with the tracer running is section 7's (the tracer is the big part).

import type { RolloutReport } from '../../src/core/rollout/report.js';
import { ROLLOUT_UPDATE } from '../../src/protocol/rollout.js';
import { PROTOCOL_VERSION } from '../../src/protocol/webview.js';
import { openPage, startPageServer, type OpenedPage } from '../../test/webview/harness.js';
import { recordedRollout } from '../../test/support/rollout-recorded.js';
import { Section, r2, row, runSection, sleep } from '../lib/report.js';

const QUICK = process.env.BENCH_QUICK === '1';
const SIZES = [300, 1000] as const;
const VIEWPORT = { width: 800, height: 1000 };
const NO_LONG_TASK = { stat: 'value' as const, op: '<=' as const, value: 50, text: 'no task > 50 ms' };

type Page = OpenedPage<unknown, unknown>;

/** Installs a long-task observer in the page (before the report arrives). */
async function observeLongTasks(p: Page): Promise<void> {
  await p.page.evaluate(() => {
    const w = window as unknown as { __long: number[] };
    w.__long = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.__long.push(e.duration);
    }).observe({ type: 'longtask', buffered: true });
  });
}

async function longTasks(p: Page): Promise<number[]> {
  return p.page.evaluate(() => (window as unknown as { __long: number[] }).__long.splice(0));
}

/** The longest task since the last call (one step's), the list emptied. */
async function stepLongest(p: Page): Promise<number> {
  await sleep(50);
  const l = await longTasks(p);
  return l.length ? Math.max(...l) : 0;
}

/**
 * Posts `report` inside the page and resolves with posted → the next frame after the rows for its
 * pod count exist (the page draws within the message's task, the browser paints at the next frame).
 */
async function postAndPaint(p: Page, report: RolloutReport, seq: number): Promise<number> {
  return p.page.evaluate(
    ({ msg, n }) =>
      new Promise<number>((resolve) => {
        const t0 = performance.now();
        window.postMessage(msg, '*');
        const check = (): void => {
          const where = document.querySelector('.pb-where')?.textContent ?? '';
          if (where.startsWith(`${n} pod`) && document.querySelector('.pb-pod:not([hidden])'))
            requestAnimationFrame(() => resolve(performance.now() - t0));
          else requestAnimationFrame(check);
        };
        setTimeout(check, 0);
      }),
    {
      msg: { type: ROLLOUT_UPDATE, v: PROTOCOL_VERSION, seq, rolloutId: 'r1-bench', where: 'bench', report },
      n: report.pods.length,
    },
  );
}

/** A click in the page → the next painted frame. */
async function clickAndPaint(p: Page, selector: string): Promise<number> {
  return p.page.evaluate(
    (sel) =>
      new Promise<number>((resolve) => {
        const t0 = performance.now();
        (document.querySelector(sel) as HTMLElement).click();
        requestAnimationFrame(() => requestAnimationFrame(() => resolve(performance.now() - t0)));
      }),
    selector,
  );
}

async function size(s: Section, server: Awaited<ReturnType<typeof startPageServer>>, n: number): Promise<void> {
  const reps = QUICK ? 2 : 6;
  const report = recordedRollout(n);
  const live = recordedRollout(n, { live: true });
  const firstPaint: number[] = [];
  const readyMs: number[] = [];
  const drawMs: number[] = [];
  const sorts: number[] = [];
  const updates: number[] = [];
  const scrolls: number[] = [];
  const longest: number[] = [];
  const byStep: Record<'load' | 'first' | 'sort' | 'update' | 'scroll', number[]> = {
    load: [],
    first: [],
    sort: [],
    update: [],
    scroll: [],
  };
  let rows = 0;
  for (let i = 0; i < reps; i++) {
    const t0 = Date.now();
    const p = await openPage<unknown, unknown>(server.browser, server.served, 'dark', VIEWPORT);
    try {
      // New page → webview/ready (openPage waits for it) → the report posted → rows painted.
      const loadToReady = Date.now() - t0;
      await observeLongTasks(p);
      byStep.load.push(await stepLongest(p));
      const draw = await postAndPaint(p, live, 1);
      byStep.first.push(await stepLongest(p));
      readyMs.push(loadToReady);
      drawMs.push(draw);
      firstPaint.push(loadToReady + draw);
      rows = await p.page.evaluate(() => document.querySelectorAll('.pb-pod').length);
      for (const phase of ['pull', 'sandbox', 'ready'] as const)
        sorts.push(await clickAndPaint(p, `.pb-sort[data-sort="${phase}"]`));
      byStep.sort.push(await stepLongest(p));
      updates.push(await postAndPaint(p, report, 2));
      byStep.update.push(await stepLongest(p));
      scrolls.push(
        await p.page.evaluate(
          () =>
            new Promise<number>((resolve) => {
              const el = document.querySelector('.pb-scroll') as HTMLElement;
              const t0 = performance.now();
              el.scrollTop = el.scrollHeight;
              requestAnimationFrame(() => requestAnimationFrame(() => resolve(performance.now() - t0)));
            }),
        ),
      );
      byStep.scroll.push(await stepLongest(p));
      // The page's own work on the report (the bundle's evaluation at load is reported apart).
      longest.push(Math.max(...(['first', 'sort', 'update', 'scroll'] as const).map((k) => byStep[k].at(-1) ?? 0)));
      if (p.errors.length) s.note(`page errors at ${n}: ${p.errors.join(' | ')}`);
      const violations = await p.violations();
      if (violations.length) s.note(`CSP violations at ${n}: ${JSON.stringify(violations)}`);
    } finally {
      await p.close();
    }
  }
  s.add(
    row(`draw-${n}`, `first report, ${n} pods: posted → rows painted (the page's own first draw)`, 'ms', drawMs, {
      goal: { stat: 'median', op: '<=', value: 300, text: '≤ 300 ms' },
      detail: `${rows} row elements in the DOM for ${n} pods (the rows in view and 8 either side)`,
    }),
  );
  s.add(
    row(
      `first-paint-${n}`,
      `first paint, ${n} pods: new browser page → webview/ready → report posted → rows painted (wall)`,
      'ms',
      firstPaint,
      {
        detail: `of which new page → webview/ready (browser context, page, bundle load): median ${median(readyMs)} ms`,
      },
    ),
  );
  s.add(row(`sort-${n}`, `sort by a phase, ${n} pods (click → painted)`, 'ms', sorts));
  s.add(row(`update-${n}`, `live update, the whole ${n}-pod report (posted → painted)`, 'ms', updates));
  s.add(row(`scroll-${n}`, `scroll to the last row, ${n} pods (→ painted)`, 'ms', scrolls));
  s.add(
    row(
      `longtask-${n}`,
      `longest main-thread task, ${n} pods (first draw, 3 sorts, update, scroll), worst of ${reps} pages`,
      'ms',
      Math.max(...longest),
      {
        goal: NO_LONG_TASK,
        detail: `per page: ${longest.map((x) => x.toFixed(0)).join(', ')} ms (0: none over 50 ms); worst per step: first draw ${worst(byStep.first)}, sorts ${worst(byStep.sort)}, update ${worst(byStep.update)}, scroll ${worst(byStep.scroll)} ms; the page's load itself (bundle evaluation) ${worst(byStep.load)} ms`,
      },
    ),
  );
}

const worst = (xs: readonly number[]): string => (xs.length ? Math.max(...xs) : 0).toFixed(0);
const median = (xs: readonly number[]): string => {
  const sorted = [...xs].sort((a, b) => a - b);
  return (sorted[Math.floor((sorted.length - 1) / 2)] ?? 0).toFixed(0);
};

/** The host's side of the view: the report it keeps and the message it posts, for 300 pods. */
function hostSide(s: Section): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  // The recorded rows are folded once and cached: fold them before measuring what a report holds.
  recordedRollout(300);
  gc?.();
  const before = process.memoryUsage().heapUsed;
  const kept: RolloutReport[] = Array.from({ length: 10 }, () => recordedRollout(300));
  gc?.();
  const held = (process.memoryUsage().heapUsed - before) / kept.length;
  const report = kept[0] as RolloutReport;
  const times: number[] = [];
  let bytes = 0;
  for (let i = 0; i < (QUICK ? 20 : 100); i++) {
    const t0 = performance.now();
    bytes = JSON.stringify({
      type: ROLLOUT_UPDATE,
      v: PROTOCOL_VERSION,
      seq: i,
      rolloutId: 'r1',
      where: 'x',
      report,
    }).length;
    times.push(performance.now() - t0);
  }
  s.add(
    row(
      'host-report-300',
      'host: one rollout/update message of a 300-pod report, serialized (as postMessage does)',
      'ms',
      times,
      {
        detail: `${(bytes / 1024).toFixed(0)} KB of JSON per update; at most 4 updates a second while live`,
      },
    ),
  );
  s.add(
    row(
      'host-heap-300',
      'host: heap held by a 300-pod report (what the rollout registry keeps)',
      'MB',
      r2(held / 1024 / 1024),
      {
        detail: gc
          ? '10 reports held, after gc(), divided by 10'
          : 'without --expose-gc: includes garbage, an upper bound',
      },
    ),
  );
}

void runSection(
  new Section('rollout-view', '8. Rollout view (300 and 1,000 pods: first paint, sort, update, long tasks)'),
  async (s) => {
    hostSide(s);
    const server = await startPageServer('rollout', 'Rollout');
    try {
      for (const n of SIZES) await size(s, server, n);
    } finally {
      await server.close();
    }
  },
);
