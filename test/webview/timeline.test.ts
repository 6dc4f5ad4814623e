// The built side-panel timeline in real Chromium under the exact production CSP (header and meta),
// with acquireVsCodeApi stubbed by a nonce'd classic script, fed real recorded traces
// (test/fixtures/recorded). Checks: no CSP violations (vscode-elements' styles are adopted, bars are
// placed through CSSOM), rows and durations from the model, failure colour and message, hostile text
// shown as text, live bars growing with the clock and stopping, trace/focus on click and Enter, the
// SLO verdict (one line, details on demand), the default side-bar width (no name cut), and the saved
// open/closed state. PB_CHROMIUM overrides /usr/bin/chromium; PB_SHOTS=<dir>
// saves screenshots.
// One file (~560 lines) on purpose: a test file builds the page bundle and starts Chromium once, in
// beforeAll, and all of this page's checks share them.

import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Step, Trace } from '../../src/core/model.js';
import { formatDuration, instantFromMs, toMs, type Instant } from '../../src/core/time.js';
import { startupSlo, timelinePhases } from '../../src/core/timeline/index.js';
import { timelineCsp, timelineHtml } from '../../src/extension/webview-html.js';
import {
  parseTimelineToHost,
  type HostToTimeline as HostMessage,
  type TimelineItem,
  type TimelineToHost as WebviewMessage,
} from '../../src/protocol/timeline.js';
import { PROTOCOL_VERSION } from '../../src/protocol/webview.js';
import { recordedTrace, traceAt } from '../unit/timeline/recorded-traces.js';
import {
  SHOTS,
  openPage,
  startPageServer,
  type PageServer,
  type OpenedPage,
  type PageGlobals,
  THEMES,
  type Served,
  type ThemeName,
} from './harness.js';

const HOSTILE = '<img src=x onerror=alert(1)> %%{init: {"securityLevel":"loose"}}%% <script>alert(2)</script>';

let server: PageServer;
let dir = '';
let served: Served;
let browser: Browser;

beforeAll(async () => {
  server = await startPageServer('timeline', 'Pod Birth timeline');
  ({ dir, served, browser } = server);
});

afterAll(async () => {
  await server?.close();
});

// ---------------------------------------------------------------------------------------------
// Traces: real recordings, one made hostile, one cut short and moved to "now" (live).

function shiftInstant(i: Instant | null, byMs: number): Instant | null {
  return i ? instantFromMs(toMs(i) + byMs, i.precision) : null;
}

/** The trace with every step time moved by `byMs` (as if the same birth happened later). */
function shifted(t: Trace, byMs: number): Trace {
  return {
    ...t,
    steps: t.steps.map((s): Step => ({ ...s, start: shiftInstant(s.start, byMs), end: shiftInstant(s.end, byMs) })),
  };
}

const fresh = (): Trace => recordedTrace('fresh-pull');
const missing = (): Trace => recordedTrace('missing-image');

/** missing-image with hostile cluster text everywhere text can come from the cluster. */
function hostile(): Trace {
  const t = missing();
  return {
    ...t,
    pod: { ...t.pod, name: HOSTILE, namespace: 'ns' },
    steps: t.steps.map((s) => (s.kind === 'image-pull-failed' ? { ...s, message: HOSTILE } : s)),
    notes: [
      {
        kind: 'degraded',
        message: `Runtime log unreadable ${HOSTILE}`,
        source: 'runtime-log',
        remedy: `enable NodeLogQuery ${HOSTILE}`,
      },
    ],
  };
}

/** fresh-pull as it stood during PullImage, moved so that the pull began `agoMs` before now. */
function livePull(agoMs: number): Trace {
  const t = traceAt('fresh-pull', '2026-11-23T09:58:45.115000000Z');
  const pull = t.steps.find((s) => s.id === 'image-pull:main');
  if (!pull?.start || pull.status !== 'in-progress') throw new Error('expected PullImage in progress');
  return shifted(t, Date.now() - agoMs - toMs(pull.start));
}

function update(seq: number, traces: TimelineItem[]): HostMessage {
  return { type: 'timeline/update', v: PROTOCOL_VERSION, seq, traces };
}

const item = (id: string, trace: Trace, o: Partial<TimelineItem> = {}): TimelineItem => ({
  id,
  title: `default/${trace.pod.name ?? '?'}`,
  live: false,
  outcome: 'ready',
  trace,
  ...o,
});

// ---------------------------------------------------------------------------------------------
// Page helpers

type Opened = OpenedPage<WebviewMessage, HostMessage>;

const open = (theme: ThemeName = 'light', viewport = { width: 420, height: 900 }): Promise<Opened> =>
  openPage<WebviewMessage, HostMessage>(browser, served, theme, viewport);

/** Sends an update and waits until every trace of it is in the list. */
async function show(o: Opened, seq: number, traces: TimelineItem[]): Promise<void> {
  await o.send(update(seq, traces));
  await o.page.waitForFunction(
    (ids) =>
      ids.every((id) => document.querySelector(`[data-trace-id="${id}"] .pb-row`)) &&
      document.querySelectorAll('[data-trace-id]').length === ids.length,
    traces.map((t) => t.id),
    { timeout: 10_000 },
  );
}

async function shot(o: Opened, name: string): Promise<void> {
  if (!SHOTS) return;
  mkdirSync(SHOTS, { recursive: true });
  await o.page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

const rgb = (hex: string): string => {
  const n = Number.parseInt(hex.slice(1), 16);
  return `rgb(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255})`;
};

/** Clicks a trace's collapsible header on its arrow (its middle may be a badge, which does not toggle). */
async function toggle(o: Opened, trace: string): Promise<void> {
  await o.page
    .locator(`[data-trace-id="${trace}"] vscode-collapsible .collapsible-header`)
    .click({ position: { x: 8, y: 10 } });
}

const isOpen = (o: Opened, id: string): Promise<boolean> =>
  o.page
    .locator(`[data-trace-id="${id}"] vscode-collapsible`)
    .evaluate((e) => (e as HTMLElement & { open: boolean }).open);

const row = (trace: string, kind: string): string => `[data-trace-id="${trace}"] .pb-row[data-phase-kind="${kind}"]`;

// ---------------------------------------------------------------------------------------------

describe('timelineHtml', () => {
  it("is the diagram page's template with the same production CSP, for the timeline bundle", () => {
    const opts = {
      cspSource: 'https://*.vscode-cdn.net',
      nonce: 'AbCdEfGhIjKlMnOpQrStUv12',
      scriptUri: 'https://x/dist/webview/timeline.js',
      styleUri: 'https://x/dist/webview/timeline.css',
      title: HOSTILE,
    };
    const html = timelineHtml(opts);
    expect(timelineCsp(opts)).toBe(
      "default-src 'none'; script-src 'nonce-AbCdEfGhIjKlMnOpQrStUv12'; style-src https://*.vscode-cdn.net; img-src https://*.vscode-cdn.net data:; font-src https://*.vscode-cdn.net; connect-src 'none';",
    );
    expect(html.match(/<script\b/g)).toHaveLength(1);
    expect(html).toContain(
      '<script type="module" nonce="AbCdEfGhIjKlMnOpQrStUv12" src="https://x/dist/webview/timeline.js"></script>',
    );
    expect(html).toContain('<link rel="stylesheet" href="https://x/dist/webview/timeline.css">');
    expect(html).toContain('Loading timeline…');
    expect(html).not.toContain('<img');
    expect(html).not.toMatch(/unsafe-(inline|eval)/);
    expect(() => timelineHtml({ ...opts, nonce: "x' 'unsafe-inline'" })).toThrow();
  });

  it('the bundle is small (≤ 150 KB) and has its stylesheet', () => {
    const js = statSync(join(dir, 'timeline.js')).size;
    expect(js).toBeLessThanOrEqual(150 * 1024);
    expect(statSync(join(dir, 'timeline.css')).size).toBeGreaterThan(500);
  });
});

describe('timeline webview in Chromium under the production CSP', () => {
  it("draws finished and failed traces newest first, with the model's rows, durations and SLO badges, and no CSP violation", async () => {
    const o = await open();
    try {
      expect(await o.page.locator('.pb-empty').isVisible()).toBe(true);
      const ok = fresh();
      const bad = missing();
      await show(o, 1, [item('t-missing', bad, { outcome: 'failed' }), item('t-fresh', ok)]);
      // The newest is open, the older one closed: open it to measure its bars.
      expect([await isOpen(o, 't-missing'), await isOpen(o, 't-fresh')]).toEqual([true, false]);
      await toggle(o, 't-fresh');
      expect(await isOpen(o, 't-fresh')).toBe(true);
      await shot(o, 'timeline-light');
      expect(await o.page.locator('.pb-empty').isVisible()).toBe(false);

      // Newest first, as sent.
      expect(
        await o.page
          .locator('[data-trace-id]')
          .evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.traceId)),
      ).toEqual(['t-missing', 't-fresh']);

      // fresh-pull: one DOM row per model row, each with the model's status and formatted duration.
      const rows = timelinePhases(ok);
      const dom = await o.page.locator('[data-trace-id="t-fresh"] .pb-row').evaluateAll((els) =>
        els.map((e) => ({
          id: (e as HTMLElement).dataset.phaseId,
          status: (e as HTMLElement).dataset.phaseStatus,
          dur: e.querySelector('.pb-dur')?.textContent,
        })),
      );
      expect(dom.map((d) => d.id)).toEqual(rows.map((r) => r.id));
      expect(dom.every((d) => d.status === 'done')).toBe(true);
      const pull = rows.find((r) => r.kind === 'image-pull');
      expect(await o.page.locator(`${row('t-fresh', 'image-pull')} .pb-dur`).textContent()).toBe(
        formatDuration(pull?.durationMs ?? Number.NaN),
      );
      expect(await o.page.locator(`${row('t-fresh', 'image-pull')} .pb-dur`).textContent()).toBe('14ms');
      expect(await o.page.locator(`${row('t-fresh', 'readiness')} .pb-dur`).textContent()).toBe('841ms');
      expect(await o.page.locator(`${row('t-fresh', 'scheduling')} .pb-dur`).textContent()).toBe('instant');
      expect(await o.page.locator(`${row('t-fresh', 'image-pull')}`).getAttribute('aria-label')).toBe(
        'container main: PullImage, done, 14ms, at +405ms',
      );

      // Bars: placed by offset and duration on the trace's span (the readiness bar ends at the right edge).
      const geo = await o.page.locator('[data-trace-id="t-fresh"] .pb-row').evaluateAll((els) =>
        els.map((e) => {
          const t = e.querySelector('.pb-track')!.getBoundingClientRect();
          const b = e.querySelector('.pb-bar')!.getBoundingClientRect();
          return { left: (b.left - t.left) / t.width, right: (b.right - t.left) / t.width };
        }),
      );
      const last = geo[geo.length - 1]!;
      expect(last.right).toBeCloseTo(1, 2);
      const pullGeo = geo[rows.findIndex((r) => r.kind === 'image-pull')]!;
      const lo = Math.min(0, ...rows.map((r) => r.offsetMs ?? 0));
      const hi = Math.max(...rows.map((r) => (r.offsetMs ?? 0) + (r.durationMs ?? 0)));
      expect(pullGeo.left).toBeCloseTo(((pull?.offsetMs ?? 0) - lo) / (hi - lo), 2);

      // SLO badges, from the core verdicts.
      const slo = startupSlo(ok);
      expect(await o.page.locator('[data-trace-id="t-fresh"] .pb-slo').textContent()).toBe(
        `SLO ✓ ${formatDuration(slo.measuredMs ?? Number.NaN)}`,
      );
      expect(await o.page.locator('[data-trace-id="t-fresh"] .pb-slo').textContent()).toBe('SLO ✓ 500ms');
      expect(await o.page.locator('[data-trace-id="t-fresh"] .pb-slo').getAttribute('data-slo')).toBe('within');
      expect(await o.page.locator('[data-trace-id="t-missing"] .pb-slo').textContent()).toBe('SLO n/a');
      expect(await o.page.locator('[data-trace-id="t-fresh"] .pb-slo-text').textContent()).toBe(slo.explanation);

      // Outcome badges (not live: no ring).
      expect(await o.page.locator('[data-trace-id="t-missing"] .pb-outcome').textContent()).toBe('failed');
      expect(await o.page.locator('[data-trace-id="t-fresh"] .pb-outcome').getAttribute('data-outcome')).toBe('ready');
      expect(await o.page.locator('.pb-live').count()).toBe(0);

      // vscode-elements styled through adopted stylesheets (a blocked style would leave it unstyled).
      const badgeBg = await o.page
        .locator('[data-trace-id="t-fresh"] .pb-slo')
        .evaluate((e) => getComputedStyle(e.shadowRoot!.querySelector('.root')!).backgroundColor);
      expect(badgeBg).toBe(rgb(THEMES.light['testing-iconPassed'] as string));

      expect(await o.violations()).toEqual([]);
      expect(o.errors).toEqual([]);
    } finally {
      await o.close();
    }
  });

  it('the side bar at its default width (300 px): no step name cut, the SLO verdict in one line, details on demand', async () => {
    const o = await open('dark', { width: 300, height: 900 });
    try {
      const ok = fresh();
      await show(o, 1, [
        item('t-sched', recordedTrace('unschedulable-memory'), { outcome: 'timeout' }),
        item('t-fresh', ok),
        item('t-missing', missing(), { outcome: 'failed' }),
      ]);
      for (const id of ['t-fresh', 't-missing']) if (!(await isOpen(o, id))) await toggle(o, id);
      // Every step name is shown whole (it wraps rather than being cut).
      const cut = await o.page
        .locator('.pb-row-label')
        .evaluateAll((els) => els.filter((e) => e.scrollWidth > e.clientWidth + 1).map((e) => e.textContent));
      expect(cut).toEqual([]);
      expect(await o.page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
      // The pod names in the headers are not cut either.
      const titles = await o.page.locator('vscode-collapsible').evaluateAll((els) =>
        els.map((e) => {
          const t = e.shadowRoot?.querySelector('.title') as HTMLElement | null;
          return { text: t?.textContent?.trim() ?? '', cut: !t || t.scrollWidth > t.clientWidth + 1 };
        }),
      );
      expect(titles.map((t) => t.cut)).toEqual([false, false, false]);
      expect(titles[1]?.text).toBe(ok.pod.name);
      // The SLO verdict: one line; the explanation opens under it.
      const summary = o.page.locator('[data-trace-id="t-fresh"] .pb-slo-summary');
      const box = await summary.boundingBox();
      expect(box?.height ?? 99).toBeLessThanOrEqual(24);
      const text = o.page.locator('[data-trace-id="t-fresh"] .pb-slo-text');
      expect(await text.isVisible()).toBe(false);
      await shot(o, 'timeline-300');
      await summary.click();
      expect(await text.isVisible()).toBe(true);
      expect(await text.textContent()).toBe(startupSlo(ok, timelinePhases(ok)).explanation);
      expect(await o.violations()).toEqual([]);
    } finally {
      await o.close();
    }
  });

  it('a failed phase has the failure colour of the theme and its cluster message, and the phases after it wait', async () => {
    for (const theme of ['light', 'high-contrast'] as const) {
      const o = await open(theme);
      try {
        const bad = missing();
        await show(o, 1, [item('t-missing', bad, { outcome: 'failed' })]);
        const failed = o.page.locator(`${row('t-missing', 'image-pull')}[data-phase-status="failed"]`);
        expect(await failed.count()).toBe(1);
        expect(await failed.locator('.pb-bar').evaluate((e) => getComputedStyle(e).backgroundColor)).toBe(
          rgb(THEMES[theme].errorForeground as string),
        );
        expect(await failed.locator('.pb-label').evaluate((e) => getComputedStyle(e).color)).toBe(
          rgb(THEMES[theme].errorForeground as string),
        );
        const message = bad.steps.find((s) => s.kind === 'image-pull-failed')?.message;
        expect(await failed.locator('.pb-row-msg').textContent()).toBe(message);
        expect(await failed.locator('.pb-label').textContent()).toBe('PullImage failed');
        expect(await failed.locator('.pb-count').textContent()).toBe(' ×2');
        expect(
          await o.page
            .locator('[data-trace-id="t-missing"] [data-phase-status="waiting"]')
            .evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.phaseKind)),
        ).toEqual(['container-create', 'container-start', 'readiness']);
        expect(await o.page.locator(`${row('t-missing', 'container-create')} .pb-bar`).isHidden()).toBe(true);
        await shot(o, `timeline-failed-${theme}`);
        expect(await o.violations()).toEqual([]);
      } finally {
        await o.close();
      }
    }
  });

  it('hostile cluster text is shown as text: no element, no script, no dialog', async () => {
    const o = await open('dark');
    try {
      await show(o, 1, [item('t-evil', hostile(), { title: `default/${HOSTILE}`, outcome: 'failed' })]);
      await o.page.waitForTimeout(300);
      expect(await o.page.locator('.pb-traces img, .pb-traces script').count()).toBe(0);
      expect(o.dialogs).toEqual([]);
      expect(await o.page.locator('[data-trace-id="t-evil"] .pb-row-msg').textContent()).toBe(HOSTILE);
      expect(
        await o.page
          .locator('[data-trace-id="t-evil"] .pb-note[data-note-kind="degraded"] .pb-note-text')
          .textContent(),
      ).toBe(`Runtime log unreadable ${HOSTILE}`);
      expect(await o.page.locator('[data-trace-id="t-evil"] .pb-note-remedy').textContent()).toBe(
        `enable NodeLogQuery ${HOSTILE}`,
      );
      expect(await o.page.locator('[data-trace-id="t-evil"] .pb-note-kind').textContent()).toBe('limited view');
      // The heading is rendered by the collapsible (lit text binding) in its shadow root: text too.
      const heading = await o.page.locator('[data-trace-id="t-evil"] vscode-collapsible').evaluate((e) => ({
        text: e.shadowRoot?.querySelector('.title')?.textContent ?? '',
        imgs: e.shadowRoot?.querySelectorAll('img').length ?? -1,
      }));
      expect(heading.text).toContain(HOSTILE);
      expect(heading.imgs).toBe(0);
      expect(await o.violations()).toEqual([]);
      expect(o.errors).toEqual([]);
    } finally {
      await o.close();
    }
  });

  it("a live trace's running bar grows with the clock, and stops when the trace ends", async () => {
    const o = await open();
    try {
      const live = livePull(1500);
      await show(o, 1, [item('t-live', live, { live: true, outcome: null })]);
      const running = o.page.locator(`${row('t-live', 'image-pull')}[data-phase-status="running"]`);
      expect(await running.count()).toBe(1);
      expect(await o.page.locator('[data-trace-id="t-live"] .pb-live').count()).toBe(1);
      expect(await o.page.locator('[data-trace-id="t-live"]').getAttribute('data-live')).toBe('true');
      expect(await o.page.locator('[data-trace-id="t-live"] .pb-slo').textContent()).toBe('SLO …');
      const sample = async (): Promise<{ width: number; dur: string }> =>
        running.evaluate((e) => ({
          width: e.querySelector('.pb-bar')!.getBoundingClientRect().width,
          dur: e.querySelector('.pb-dur')!.textContent ?? '',
        }));
      const a = await sample();
      await o.page.waitForTimeout(1200);
      const b = await sample();
      expect(b.width).toBeGreaterThan(a.width);
      expect(a.dur).toMatch(/^\d+(\.\d+)?(ms|s)…$/);
      expect(b.dur).toMatch(/…$/);
      expect(b.dur).not.toBe(a.dur);
      // ~1.5 s + 1.2 s after the pull began.
      expect(Number.parseFloat(b.dur)).toBeGreaterThan(2);
      expect(Number.parseFloat(b.dur)).toBeLessThan(10);
      await shot(o, 'timeline-live');

      // The trace ends (stopped while pulling): no more ticking, the bar is marked unfinished.
      await show(o, 2, [item('t-live', live, { live: false, outcome: 'stopped' })]);
      const c = await sample();
      await o.page.waitForTimeout(700);
      const d = await sample();
      expect(d).toEqual(c);
      expect(c.dur).toBe('unfinished');
      expect(
        await o.page
          .locator(`${row('t-live', 'image-pull')} .pb-bar`)
          .evaluate((e) => e.classList.contains('pb-unfinished')),
      ).toBe(true);
      expect(await o.page.locator('[data-trace-id="t-live"] .pb-outcome').textContent()).toBe('stopped');
      expect(await o.violations()).toEqual([]);
    } finally {
      await o.close();
    }
  });

  it('the Diagram button, a row click and Enter on a row post trace/focus with the trace id; arrows move between rows', async () => {
    const o = await open();
    try {
      await show(o, 1, [item('t-missing', missing(), { outcome: 'failed' }), item('t-fresh', fresh())]);
      const focuses = async (): Promise<string[]> =>
        (await o.posted()).filter((m) => m.type === 'trace/focus').map((m) => (m as { traceId: string }).traceId);

      await o.page.locator('[data-trace-id="t-missing"] .pb-focus').click();
      expect(await focuses()).toEqual(['t-missing']);
      // The button is in the header: it works on a closed trace too, and does not toggle it.
      await o.page.locator('[data-trace-id="t-fresh"] .pb-focus').click();
      expect(await focuses()).toEqual(['t-missing', 't-fresh']);
      expect(await isOpen(o, 't-fresh')).toBe(false);
      await toggle(o, 't-fresh');
      expect(await focuses()).toEqual(['t-missing', 't-fresh']);

      await o.page.locator(row('t-fresh', 'container-start')).click();
      expect(await focuses()).toEqual(['t-missing', 't-fresh', 't-fresh']);

      await o.page.locator(row('t-missing', 'sandbox')).focus();
      await o.page.keyboard.press('ArrowDown');
      expect(await o.page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.phaseKind)).toBe(
        'image-pull',
      );
      await o.page.keyboard.press('Enter');
      expect(await focuses()).toEqual(['t-missing', 't-fresh', 't-fresh', 't-missing']);

      // Keyboard focus on the button: Enter (vscode-button's synthetic click).
      await o.page.locator('[data-trace-id="t-fresh"] .pb-focus').focus();
      await o.page.keyboard.press('Enter');
      expect(await focuses()).toEqual(['t-missing', 't-fresh', 't-fresh', 't-missing', 't-fresh']);

      // Every posted message is one the host accepts.
      for (const m of await o.posted()) expect(parseTimelineToHost(m)).toEqual(m);
      expect((await o.posted())[0]).toEqual({ type: 'webview/ready', v: PROTOCOL_VERSION, lastSeq: null });
    } finally {
      await o.close();
    }
  });

  it('keeps focus and open state across updates, and restores them after a reload', async () => {
    const o = await open();
    try {
      await show(o, 1, [item('t-missing', missing(), { outcome: 'failed' }), item('t-fresh', fresh())]);
      // Newest open, the older one closed by default.
      expect([await isOpen(o, 't-missing'), await isOpen(o, 't-fresh')]).toEqual([true, false]);
      await toggle(o, 't-missing');
      await toggle(o, 't-fresh');
      expect([await isOpen(o, 't-missing'), await isOpen(o, 't-fresh')]).toEqual([false, true]);

      // A changed update rebuilds t-fresh's content: the focused row keeps focus.
      await o.page.locator(row('t-fresh', 'container-create')).focus();
      const refreshed = { ...fresh(), notes: [{ kind: 'info' as const, message: 'one more note' }] };
      await o.send(update(2, [item('t-missing', missing(), { outcome: 'failed' }), item('t-fresh', refreshed)]));
      await o.page.waitForSelector('[data-trace-id="t-fresh"] .pb-note');
      expect(await o.page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.phaseId)).toBe(
        'container-create:main',
      );
      expect([await isOpen(o, 't-missing'), await isOpen(o, 't-fresh')]).toEqual([false, true]);

      const state = (await o.page.evaluate(() => (window as unknown as PageGlobals).__state())) as {
        lastSeq: number;
        open: Record<string, boolean>;
      };
      expect(state.lastSeq).toBe(2);
      expect(state.open).toEqual({ 't-missing': false, 't-fresh': true });

      // Reload: the page says which update it saw last, and the host's next update finds the same open state.
      await o.page.reload();
      await o.page.waitForFunction(() =>
        (window as unknown as PageGlobals).__posted.some((m) => m.type === 'webview/ready'),
      );
      expect((await o.posted()).find((m) => m.type === 'webview/ready')).toEqual({
        type: 'webview/ready',
        v: PROTOCOL_VERSION,
        lastSeq: 2,
      });
      await show(o, 3, [item('t-missing', missing(), { outcome: 'failed' }), item('t-fresh', fresh())]);
      expect([await isOpen(o, 't-missing'), await isOpen(o, 't-fresh')]).toEqual([false, true]);

      // A trace that is gone leaves the list and the saved state.
      await show(o, 4, [item('t-fresh', fresh())]);
      expect(await o.page.locator('[data-trace-id="t-missing"]').count()).toBe(0);
      expect(
        (
          (await o.page.evaluate(() => (window as unknown as PageGlobals).__state())) as {
            open: Record<string, boolean>;
          }
        ).open,
      ).toEqual({ 't-fresh': true });
      expect(await o.violations()).toEqual([]);
    } finally {
      await o.close();
    }
  });

  it('drops malformed items and messages without breaking the others', async () => {
    const o = await open();
    try {
      await o.page.evaluate(
        (ok) => {
          window.postMessage({ type: 'timeline/update', v: 1, seq: 1, traces: 'nope' }, '*');
          window.postMessage({ type: 'trace/snapshot', seq: 2 }, '*');
          window.postMessage(
            {
              type: 'timeline/update',
              v: 1,
              seq: 3,
              traces: [
                null,
                { id: 'x' },
                { id: 'bad-trace', title: 't', live: false, outcome: null, trace: { steps: 'no' } },
                ok,
              ],
            },
            '*',
          );
        },
        item('t-ok', fresh()) as unknown as Record<string, unknown>,
      );
      await o.page.waitForSelector('[data-trace-id="t-ok"] .pb-row');
      expect(await o.page.locator('[data-trace-id]').count()).toBe(1);
      // A trace whose steps are junk still gets its (waiting) rows.
      await show(o, 4, [
        item('t-junk', { ...fresh(), steps: [null, 3] as unknown as Step[] }, { live: true, outcome: null }),
      ]);
      const statuses = await o.page
        .locator('[data-trace-id="t-junk"] .pb-row')
        .evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.phaseStatus));
      expect(statuses).toEqual(['waiting', 'waiting', 'waiting', 'waiting', 'waiting', 'waiting']);
      expect(o.errors).toEqual([]);
    } finally {
      await o.close();
    }
  });
});
