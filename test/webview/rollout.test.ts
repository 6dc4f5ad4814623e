// The built rollout view in real Chromium under the exact production CSP (header and meta), with
// acquireVsCodeApi stubbed by a nonce'd classic script, fed reports the core builds from real recorded
// pods (test/support/rollout-recorded.ts). Checks: no CSP violations; at 1,000 pods only the rows in
// view exist in the DOM (also after scrolling to the end); the rows sorted by total, by any phase on a
// header click, and the other way on a second click; a click, Enter and the slowest list post
// rollout/openPod with the right pod; the exports post rollout/export; the verdict and percentiles are
// the report's; hostile pod names and reasons are text, never markup; a live update keeps the scroll.
// PB_CHROMIUM overrides /usr/bin/chromium; PB_SHOTS=<dir> saves screenshots.

import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLLOUT_PHASES, type RolloutReport } from '../../src/core/rollout/report.js';
import { formatDuration } from '../../src/core/time.js';
import { ROLLOUT_UPDATE, type HostToRollout, type RolloutToHost } from '../../src/protocol/rollout.js';
import { PROTOCOL_VERSION } from '../../src/protocol/webview.js';
import { metricOf, sortPods, verdictLine } from '../../webview/rollout/format.js';
import { recordedRollout } from '../support/rollout-recorded.js';
import { SHOTS, openPage, startPageServer, type OpenedPage, type PageServer } from './harness.js';

const HOSTILE = '<img src=x onerror=alert(1)><script>alert(2)</script>';

let server: PageServer;

beforeAll(async () => {
  server = await startPageServer('rollout', 'Rollout');
});

afterAll(async () => {
  await server?.close();
});

type Opened = OpenedPage<RolloutToHost, HostToRollout>;

async function open(width = 1200, height = 800): Promise<Opened> {
  return openPage<RolloutToHost, HostToRollout>(server.browser, server.served, 'dark', { width, height });
}

let seq = 0;
async function show(p: Opened, report: RolloutReport): Promise<void> {
  await p.send({
    type: ROLLOUT_UPDATE,
    v: PROTOCOL_VERSION,
    seq: ++seq,
    rolloutId: 'r1-test',
    where: 'context pod-birth',
    report,
  });
  await p.page.waitForFunction(
    (n) => document.querySelector('.pb-where')?.textContent?.startsWith(`${n} pod`),
    report.pods.length,
  );
}

/** The pod names of the rows in the DOM, top to bottom. */
async function rowNames(p: Opened): Promise<string[]> {
  // The rows are drawn in the frame after the summary: read them after the next two frames.
  await p.page.evaluate(() => new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r()))));
  return p.page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>('.pb-pod:not([hidden])')]
      .sort((a, b) => Number(a.getAttribute('aria-rowindex')) - Number(b.getAttribute('aria-rowindex')))
      .map((r) => r.dataset.pod ?? ''),
  );
}

const rowCount = (p: Opened): Promise<number> => p.page.evaluate(() => document.querySelectorAll('.pb-pod').length);

describe('rollout view', () => {
  it('1,000 recorded pods: only the rows in view exist, sorted by total, the verdict and percentiles are the report’s', async () => {
    const p = await open();
    try {
      const report = recordedRollout(1000);
      await show(p, report);
      const count = await rowCount(p);
      // 800 px of page, 24 px rows and 8 rows of overscan either side: far below 1,000.
      expect(count).toBeGreaterThan(5);
      expect(count).toBeLessThan(60);
      const expected = sortPods(report.pods, { key: 'total', desc: true }).map((x) => x.name);
      const names = await rowNames(p);
      expect(names).toEqual(expected.slice(0, names.length));
      expect(await p.page.textContent('.pb-verdict')).toBe(verdictLine(report).text);
      expect(await p.page.getAttribute('.pb-verdict', 'data-level')).toBe('met');
      const p99 = await p.page.textContent('tr[data-metric="sloStartup"] td:nth-child(5)');
      expect(p99).toBe(formatDuration(report.percentiles.sloStartup?.p99 ?? Number.NaN));
      // The slowest pods are the report's, with the pending pod's reason shown as text.
      const slow = await p.page.$$eval('.pb-slow', (b) => b.map((x) => x.textContent));
      expect(slow).toEqual(report.slowest);
      if (SHOTS) await p.page.screenshot({ path: join(SHOTS, 'rollout-1000.png') });
      expect(await p.violations()).toEqual([]);
      expect(p.errors).toEqual([]);

      // Scrolled to the end: the last rows (pods without a total go last), still a bounded DOM.
      await p.page.evaluate(() => {
        const s = document.querySelector('.pb-scroll') as HTMLElement;
        s.scrollTop = s.scrollHeight;
      });
      await p.page.waitForFunction(
        (last) =>
          [...document.querySelectorAll<HTMLElement>('.pb-pod:not([hidden])')].some((r) => r.dataset.pod === last),
        expected[expected.length - 1],
      );
      expect(await rowCount(p)).toBeLessThan(60);
      // The last rows are the pods still Pending: each says why where its bar would be, as text.
      const last = expected[expected.length - 1] as string;
      const stuck = report.pods.find((x) => x.name === last);
      expect(stuck?.outcome).toBe('pending');
      expect(await p.page.textContent(`.pb-pod[data-pod="${last}"] .pb-why`)).toBe(`pending: ${stuck?.reason?.text}`);
      expect(stuck?.reason?.text).toMatch(/do not have enough free memory/);
    } finally {
      await p.close();
    }
  });

  it('a phase header sorts by that phase (largest first, then the other way); rows without it go last', async () => {
    const p = await open();
    try {
      const report = recordedRollout(300);
      await show(p, report);
      for (const phase of ['pull', 'ready', 'sandbox'] as const) {
        await p.page.click(`.pb-sort[data-sort="${phase}"]`);
        const desc = sortPods(report.pods, { key: phase, desc: true });
        let names = await rowNames(p);
        expect(names).toEqual(desc.slice(0, names.length).map((x) => x.name));
        expect(metricOf(desc[0]!, phase)).toBe(report.percentiles[phase]?.max);
        expect(await p.page.getAttribute(`.pb-sort[data-sort="${phase}"]`, 'aria-sort')).toBe('descending');
        await p.page.click(`.pb-sort[data-sort="${phase}"]`);
        names = await rowNames(p);
        expect(names).toEqual(
          sortPods(report.pods, { key: phase, desc: false })
            .slice(0, names.length)
            .map((x) => x.name),
        );
      }
      // The order is kept in the page's saved state (a reloaded page sorts the same way).
      expect(await p.page.evaluate(() => (window as unknown as { __state(): unknown }).__state())).toMatchObject({
        sort: { key: 'sandbox', desc: false },
      });
    } finally {
      await p.close();
    }
  });

  it('a click, Enter and the slowest list ask the host for that pod’s diagram; the exports ask for their format', async () => {
    const p = await open();
    try {
      const report = recordedRollout(1000);
      await show(p, report);
      const [first, second] = await rowNames(p);
      await p.page.click(`.pb-pod[data-pod="${second}"] .pb-name`);
      await p.page.focus(`.pb-pod[data-pod="${first}"]`);
      await p.page.keyboard.press('ArrowDown');
      await p.page.keyboard.press('Enter');
      await p.page.click('.pb-slow');
      await p.page.click('[data-export="markdown"]');
      await p.page.click('[data-export="csv"]');
      const posted = (await p.posted()).filter((m) => m.type !== 'webview/ready');
      expect(posted).toEqual([
        { type: 'rollout/openPod', pod: second },
        { type: 'rollout/openPod', pod: second },
        { type: 'rollout/openPod', pod: report.slowest[0] },
        { type: 'rollout/export', format: 'markdown' },
        { type: 'rollout/export', format: 'csv' },
      ]);
    } finally {
      await p.close();
    }
  });

  it('hostile pod names and reasons are text; the live report updates in place and keeps the scroll', async () => {
    const p = await open();
    try {
      const report = recordedRollout(200, { live: true, rename: (n, i) => (i === 0 ? `${HOSTILE}${n}` : `${n}-${i}`) });
      const hostile = {
        ...report,
        pods: report.pods.map((x) => (x.reason ? { ...x, reason: { cause: 'x', text: HOSTILE } } : x)),
      };
      await show(p, hostile);
      expect(await p.page.$$('.pb-app img, .pb-app script')).toHaveLength(0);
      expect(await p.page.isVisible('.pb-live')).toBe(true);
      // Names A→Z: '<' sorts before every letter, so the hostile name is the first row.
      await p.page.click('.pb-sort[data-sort="name"]');
      const names = await rowNames(p);
      expect(names[0]?.startsWith(HOSTILE)).toBe(true);
      expect(await p.page.textContent('.pb-pod[aria-rowindex="1"] .pb-name')).toBe(names[0]);
      await p.page.evaluate(() => ((document.querySelector('.pb-scroll') as HTMLElement).scrollTop = 24 * 50));
      await p.page.waitForFunction(
        () => (document.querySelector('.pb-pod:not([hidden])') as HTMLElement | null) !== null,
      );
      await show(p, { ...recordedRollout(250), live: false });
      expect(await p.page.evaluate(() => (document.querySelector('.pb-scroll') as HTMLElement).scrollTop)).toBe(
        24 * 50,
      );
      expect(await p.page.isVisible('.pb-live')).toBe(false);
      expect(await p.violations()).toEqual([]);
    } finally {
      await p.close();
    }
  });

  it('every phase has a legend chip and a table row, in the vocabulary’s order', async () => {
    const p = await open();
    try {
      await show(p, recordedRollout(20));
      expect(await p.page.$$eval('.pb-chip', (b) => b.map((x) => (x as HTMLElement).dataset.sort))).toEqual([
        ...ROLLOUT_PHASES,
      ]);
      expect(await p.page.$$eval('.pb-stats tbody tr', (r) => r.map((x) => (x as HTMLElement).dataset.metric))).toEqual(
        [...ROLLOUT_PHASES, 'sloStartup', 'total'],
      );
    } finally {
      await p.close();
    }
  });
});
