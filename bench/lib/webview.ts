// The diagram webview in real Chromium for the bench: the production bundle (test/webview/harness.ts
// buildWebview, minified, code-split) served under the production CSP, acquireVsCodeApi stubbed.
// Adds: a Node-side callback the moment the page posts render/done (exposeFunction), the page-side
// receive time of each host message and the paint time of each render (the page posts render/done
// once the frame showing it is painted), both on the bench's epoch clock (clock.ts, offset measured
// per page), and a PerformanceObserver for long tasks.

import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { Trace } from '../../src/core/model.js';
import type { HostToDiagram } from '../../src/protocol/diagram.js';
import { PROTOCOL_VERSION } from '../../src/protocol/webview.js';
import { buildWebview, serve, type Served } from '../../test/webview/harness.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../test/e2e/workbench.js';
import { epochNow, measureOffset, type ClockOffset } from './clock.js';
import { RESULTS } from './report.js';

export interface RenderDone {
  readonly seq: number;
  /** What the page measured: the draw itself (source, layout, DOM), ms. */
  readonly ms: number;
  readonly arrows: number;
  /** epochNow() in Node when the binding call arrived. */
  readonly nodeAt: number;
  /** When the frame showing this render was painted (render/done is posted then), and when the snapshot arrived: bench clock. */
  readonly visibleAt: number;
  readonly receivedAt: number | null;
  /** The page's performance.now() at that paint: ms since the page started loading. */
  readonly sinceLoad: number;
  /** Page load milestones (performance.now()): the entry script fetched, webview/ready posted. */
  readonly scriptAt: number | null;
  readonly readyAt: number | null;
}

export interface DiagramPage {
  readonly page: Page;
  readonly done: RenderDone[];
  readonly errors: string[];
  /** The page's clock against the bench's. */
  readonly clock: ClockOffset;
  /** Posts a snapshot the way the host does (window.postMessage); resolves when posted (not rendered). */
  post(seq: number, trace: Trace, live: boolean): Promise<void>;
  /** Waits for render/done with seq >= `seq`. */
  waitRendered(seq: number, timeoutMs?: number): Promise<RenderDone>;
  /** CPU profile (CDP Profiler) around `during`: self time by function, largest first. */
  profile(during: () => Promise<void>): Promise<ProfileEntry[]>;
  /** Long tasks observed so far (ms), and clears them. */
  takeLongTasks(): Promise<number[]>;
  close(): Promise<void>;
}

export interface ProfileEntry {
  readonly name: string;
  readonly where: string;
  readonly selfMs: number;
}

interface CpuProfile {
  nodes: CpuNode[];
  samples?: number[];
  timeDeltas?: number[];
}

interface CpuNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

/** Self time by function; a native function (no url: DOMParser, getBBox…) is named with its JS caller. */
function selfTimes(p: CpuProfile): ProfileEntry[] {
  const nodes = p.nodes;
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const parent = new Map<number, CpuNode>();
  for (const n of nodes) for (const c of n.children ?? []) parent.set(c, n);
  const label = (n: CpuNode): { name: string; where: string } => {
    const f = n.callFrame;
    const file = f.url ? f.url.slice(f.url.lastIndexOf('/') + 1) : '';
    return { name: f.functionName || '(anonymous)', where: file ? `${file}:${f.lineNumber + 1}` : '' };
  };
  const acc = new Map<string, ProfileEntry & { selfMs: number }>();
  const samples = p.samples ?? [];
  const deltas = p.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) {
    const n = byId.get(samples[i] as number);
    if (!n) continue;
    let { name, where } = label(n);
    if (!where && !name.startsWith('(')) {
      // Walk up to the first JS frame: who called the native function.
      let up = parent.get(n.id);
      while (up && !up.callFrame.url) up = parent.get(up.id);
      if (up) {
        const l = label(up);
        name = `${name} ← ${l.name}`;
        where = l.where;
      }
    }
    const key = `${name}|${where}`;
    const e = acc.get(key) ?? { name, where, selfMs: 0 };
    e.selfMs += (deltas[i + 1] ?? deltas[i] ?? 0) / 1000;
    acc.set(key, e);
  }
  return [...acc.values()]
    .map((e) => ({ ...e, selfMs: Math.round(e.selfMs * 10) / 10 }))
    .sort((a, b) => b.selfMs - a.selfMs)
    .slice(0, 25);
}

export interface OpenOptions {
  /** Snapshot 1, delivered at the page's `load` event as VS Code delivers a new panel's first message. */
  readonly firstSnapshot?: Trace;
  readonly viewport?: { readonly width: number; readonly height: number };
}

export interface DiagramHarness {
  readonly browser: Browser;
  readonly served: Served;
  open(opts?: OpenOptions): Promise<DiagramPage>;
  close(): Promise<void>;
}

interface PageHooks {
  __posted: { type: string; seq?: number; ms?: number; arrows?: number }[];
  __pbDone(m: unknown): void;
  __pbRecv: Record<number, number>;
  __pbLong: number[];
  __pbReadyAt?: number;
}

/** A snapshot as the host posts it. */
function snapshot(seq: number, trace: Trace, live: boolean): HostToDiagram {
  return { type: 'trace/snapshot', v: PROTOCOL_VERSION, seq, traceId: 'bench', trace, title: 'Pod Birth bench', live };
}

export async function startDiagramHarness(opts: { minify?: boolean } = {}): Promise<DiagramHarness> {
  if (!existsSync(CHROMIUM_PATH))
    throw new Error(`no Chromium at ${CHROMIUM_PATH} (apt-get install -y chromium, or set POD_BIRTH_CHROMIUM)`);
  const dir = join(RESULTS, opts.minify === false ? '.webview-dev' : '.webview');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  await buildWebview(dir, opts.minify ?? true, 'diagram');
  const served = await serve(dir, 'Pod Birth bench');
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: [...CHROMIUM_ARGS] });
  return {
    browser,
    served,
    async open(opts: OpenOptions = {}) {
      // The default split of a 1600 px window: the diagram panel is ~620 px wide.
      const context = await browser.newContext({ viewport: opts.viewport ?? { width: 640, height: 900 } });
      const page = await context.newPage();
      const done: RenderDone[] = [];
      const waiters: { seq: number; resolve: (d: RenderDone) => void }[] = [];
      const errors: string[] = [];
      let clock: ClockOffset = { offsetMs: 0, rttMs: Number.NaN };
      page.on('pageerror', (e) => errors.push(String(e)));
      if (opts.firstSnapshot) {
        // As VS Code delivers a panel's first message: the host posts it as it creates the panel,
        // VS Code queues it and hands it to the page on its `load` event (webview pre/index.html).
        await page.addInitScript(
          (json: string) => {
            window.addEventListener('load', () => window.postMessage(JSON.parse(json), '*'), { once: true });
          },
          JSON.stringify(snapshot(1, opts.firstSnapshot, false)),
        );
      }
      await page.exposeFunction(
        '__pbDone',
        (m: {
          seq: number;
          ms: number;
          arrows: number;
          pageAt: number;
          pageReceivedAt: number | null;
          sinceLoad: number;
          scriptAt: number | null;
          readyAt: number | null;
        }) => {
          const d: RenderDone = {
            seq: m.seq,
            ms: m.ms,
            arrows: m.arrows,
            nodeAt: epochNow(),
            visibleAt: m.pageAt + clock.offsetMs,
            receivedAt: m.pageReceivedAt === null ? null : m.pageReceivedAt + clock.offsetMs,
            sinceLoad: m.sinceLoad,
            scriptAt: m.scriptAt,
            readyAt: m.readyAt,
          };
          done.push(d);
          for (const w of [...waiters]) {
            if (d.seq >= w.seq) {
              waiters.splice(waiters.indexOf(w), 1);
              w.resolve(d);
            }
          }
        },
      );
      // Before any page script: observe long tasks, time host messages, forward render/done.
      await page.addInitScript(() => {
        const w = window as unknown as PageHooks;
        w.__pbRecv = {};
        w.__pbLong = [];
        try {
          new PerformanceObserver((list) => {
            for (const e of list.getEntries()) w.__pbLong.push(e.duration);
          }).observe({ type: 'longtask', buffered: true });
        } catch {
          // no long task API: reported as no samples
        }
        const now = (): number => performance.timeOrigin + performance.now();
        window.addEventListener('message', (e: MessageEvent) => {
          const d = e.data as { seq?: unknown } | null;
          if (d && typeof d.seq === 'number') w.__pbRecv[d.seq] = now();
        });
        // The stub (a classic script of the page) assigns window.__posted: wrap its push on assignment.
        let stored: PageHooks['__posted'] | undefined;
        Object.defineProperty(window, '__posted', {
          configurable: true,
          get: () => stored,
          set: (arr: PageHooks['__posted']) => {
            const push = arr.push.bind(arr);
            arr.push = (...items) => {
              for (const m of items) {
                if (m && m.type === 'webview/ready') w.__pbReadyAt ??= performance.now();
                if (m && m.type === 'render/done' && typeof m.seq === 'number') {
                  w.__pbDone({
                    seq: m.seq,
                    ms: m.ms,
                    arrows: m.arrows,
                    pageAt: now(),
                    pageReceivedAt: w.__pbRecv[m.seq] ?? null,
                    sinceLoad: performance.now(),
                    scriptAt:
                      (performance.getEntriesByType('resource') as PerformanceResourceTiming[]).find((e) =>
                        e.name.includes('/diagram.js'),
                      )?.responseEnd ?? null,
                    readyAt: w.__pbReadyAt ?? null,
                  });
                }
              }
              return push(...items);
            };
            stored = arr;
          },
        });
      });
      await page.goto(`${served.url}?theme=dark`);
      await page.waitForFunction(
        () => (window as unknown as PageHooks).__posted?.some((m) => m.type === 'webview/ready'),
        undefined,
        { timeout: 60_000 },
      );
      clock = await measureOffset(() => page.evaluate(() => performance.timeOrigin + performance.now()));
      return {
        page,
        done,
        errors,
        get clock() {
          return clock;
        },
        async post(seq, trace, live) {
          // As one JSON string, parsed in the page, as VS Code carries a webview message (JSON over
          // its IPC, then postMessage into the frame). Passing the object as an evaluate() argument
          // costs Playwright's own serializer 20–90 ms for a 300-step trace: the bench's, not the product's.
          const json = JSON.stringify(snapshot(seq, trace, live));
          await page.evaluate((text) => window.postMessage(JSON.parse(text), '*'), json);
        },
        waitRendered(seq, timeoutMs = 60_000) {
          const hit = done.find((d) => d.seq >= seq);
          if (hit) return Promise.resolve(hit);
          return new Promise<RenderDone>((resolveP, rejectP) => {
            const w = { seq, resolve: (d: RenderDone) => (clearTimeout(t), resolveP(d)) };
            const t = setTimeout(() => {
              waiters.splice(waiters.indexOf(w), 1);
              rejectP(
                new Error(
                  `no render/done for seq ${seq} within ${timeoutMs} ms (page errors: ${errors.join(' | ') || 'none'})`,
                ),
              );
            }, timeoutMs);
            waiters.push(w);
          });
        },
        async profile(during) {
          const cdp = await page.context().newCDPSession(page);
          await cdp.send('Profiler.enable');
          await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
          await cdp.send('Profiler.start');
          try {
            await during();
          } catch (e) {
            await cdp.send('Profiler.stop').catch(() => undefined);
            throw e;
          }
          const { profile } = (await cdp.send('Profiler.stop')) as unknown as { profile: CpuProfile };
          await cdp.detach().catch(() => undefined);
          return selfTimes(profile);
        },
        async takeLongTasks() {
          return page.evaluate(() => {
            const w = window as unknown as PageHooks;
            const out = w.__pbLong.slice();
            w.__pbLong.length = 0;
            return out;
          });
        },
        close: () => context.close(),
      };
    },
    async close() {
      await browser.close().catch(() => undefined);
      await served.close();
    },
  };
}
