// The live diagram in real Chromium under the production CSP, at the sizes people use it: the default
// split of a 1600 px window (a ~640 px panel) and a 500 px panel. Every participant on screen without
// horizontal scrolling; etcd and runc sharing lanes when the panel is narrow (and back on request);
// updates drawn in place; the newest arrow followed while live until the user scrolls away; the
// participants kept in view while the diagram scrolls; an ended trace replayed step by step.

import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Step, Trace } from '../../src/core/model.js';
import { renderMermaid } from '../../src/core/mermaid/index.js';
import { traceFromEvidence } from '../../src/core/trace/index.js';
import { allEvidence } from '../unit/trace/realistic.js';
import { openDiagram, shot, snapshot, type Opened } from './diagram-page.js';
import { startPageServer, type PageServer, type Served } from './harness.js';

let server: PageServer;
let served: Served;
let browser: Browser;

beforeAll(async () => {
  server = await startPageServer('diagram', 'Pod Birth');
  ({ served, browser } = server);
});

afterAll(async () => {
  await server?.close();
});

const realistic = (): Trace => traceFromEvidence(allEvidence());

/** The realistic birth with `workers` more containers, each born like the first one. */
function grown(workers: number): Trace {
  const base = realistic();
  const per = base.steps.filter((s) => s.container === 'hello');
  const steps: Step[] = [...base.steps];
  for (let i = 0; i < workers; i += 1)
    for (const s of per) steps.push({ ...s, id: `${s.id}-${i}`, container: `worker-${i}` });
  return { ...base, steps };
}

const SPLIT = { width: 640, height: 1000 };
const NARROW = { width: 500, height: 1000 };

interface Lanes {
  readonly names: string[];
  readonly titles: string[];
  readonly scrollWidth: number;
  readonly clientWidth: number;
}

async function lanes(o: Opened): Promise<Lanes> {
  return o.page.evaluate(() => {
    const s = document.querySelector('.pb-scroll') as HTMLElement;
    const lanes = Array.from(document.querySelectorAll('.pb-lane'));
    return {
      names: lanes.map((l) => (l.querySelector('text.actor')?.textContent ?? '').trim()),
      titles: lanes.map((l) => l.querySelector('title')?.textContent ?? ''),
      scrollWidth: s.scrollWidth,
      clientWidth: s.clientWidth,
    };
  });
}

describe('the live diagram at the sizes people use', () => {
  it('default split: all eight participants, no name cut, no horizontal scrolling', async () => {
    const o = await openDiagram(browser, served, 'dark', SPLIT);
    try {
      await o.send(snapshot(1, realistic()));
      await o.rendered(1);
      const l = await lanes(o);
      expect(l.titles).toEqual([
        'you / kubectl',
        'kube-apiserver',
        'etcd',
        'kube-scheduler',
        'kubelet',
        'containerd 1.6.20',
        'runc',
        'containers',
      ]);
      for (const n of l.names) expect(n).not.toContain('…');
      expect(l.scrollWidth).toBeLessThanOrEqual(l.clientWidth);
      // Every arrow label is on screen horizontally.
      const labels = await o.page.$$eval('.pb-diagram text.messageText', (els) =>
        els.map((e) => {
          const r = e.getBoundingClientRect();
          return { left: r.left, right: r.right };
        }),
      );
      for (const r of labels) {
        expect(r.left).toBeGreaterThanOrEqual(0);
        expect(r.right).toBeLessThanOrEqual(640);
      }
      expect(await o.violations()).toEqual([]);
      await shot(o, 'live-split');
    } finally {
      await o.close();
    }
  });

  it('500 px: etcd and runc share lanes (their names say so); the toggle gives them their own', async () => {
    const o = await openDiagram(browser, served, 'light', NARROW);
    try {
      await o.send(snapshot(1, realistic()));
      await o.rendered(1);
      const merged = await lanes(o);
      expect(merged.titles).toEqual([
        'you / kubectl',
        'kube-apiserver\n+ etcd',
        'kube-scheduler',
        'kubelet',
        'containerd 1.6.20\n+ runc',
        'containers',
      ]);
      expect(merged.scrollWidth).toBeLessThanOrEqual(merged.clientWidth);
      const toggle = o.page.locator('.pb-button[data-action="lanes"]');
      expect(await toggle.getAttribute('aria-pressed')).toBe('true');
      await shot(o, 'live-500-merged');
      const n = await o.renders();
      await toggle.click();
      await o.rendered(1, n);
      expect((await lanes(o)).titles).toHaveLength(8);
      expect(await toggle.getAttribute('aria-pressed')).toBe('false');
      // The choice is view state: it survives a reload of the page.
      expect(
        ((await o.page.evaluate(() => (window as unknown as { __state(): unknown }).__state())) as { lanes: string })
          .lanes,
      ).toBe('all');
    } finally {
      await o.close();
    }
  });

  it('draws a change in place: existing rows keep their elements, the new arrow is highlighted', async () => {
    const o = await openDiagram(browser, served, 'light', SPLIT);
    try {
      const full = grown(3);
      const total = renderMermaid(full).messages.length;
      const part: Trace = { ...full, steps: full.steps.slice(0, full.steps.length - 1) };
      await o.send(snapshot(1, part));
      await o.rendered(1);
      await o.page.evaluate(() => {
        document
          .querySelectorAll('.pb-diagram [data-et="message"]')
          .forEach((e) => ((e as unknown as { __mark: number }).__mark = 1));
      });
      await o.send(snapshot(2, full));
      const done = await o.rendered(2);
      expect(done.arrows).toBe(total);
      const kept = await o.page.$$eval('.pb-diagram [data-et="message"]', (els) =>
        els.map((e) => (e as unknown as { __mark?: number }).__mark === 1),
      );
      expect(kept.filter(Boolean)).toHaveLength(total - 1);
      expect(await o.page.locator('.pb-diagram g.pb-new').count()).toBe(1);
      // The highlight goes away by itself.
      await expect.poll(() => o.page.locator('.pb-diagram g.pb-new').count(), { timeout: 5000 }).toBe(0);
    } finally {
      await o.close();
    }
  });

  it('follows the newest arrow while live; a scroll up stops it; the button resumes', async () => {
    const o = await openDiagram(browser, served, 'dark', { width: 640, height: 600 });
    try {
      const full = grown(20);
      let seq = 0;
      const grow = async (to: number): Promise<void> => {
        await o.send(snapshot(++seq, { ...full, steps: full.steps.slice(0, to) }));
        await o.rendered(seq);
      };
      for (const n of [20, 40, 60]) await grow(n);
      const geometry = (): Promise<{ top: number; max: number }> =>
        o.page.evaluate(() => {
          const s = document.querySelector('.pb-scroll') as HTMLElement;
          return { top: s.scrollTop, max: s.scrollHeight - s.clientHeight };
        });
      let g = await geometry();
      expect(g.max).toBeGreaterThan(200);
      expect(g.top).toBeGreaterThanOrEqual(g.max - 2);
      await shot(o, 'live-follow');

      // The user scrolls up: the view stays where they put it while arrows keep coming.
      await o.page.mouse.move(300, 400);
      await o.page.mouse.wheel(0, -600);
      await expect.poll(async () => (await geometry()).top).toBeLessThan(g.max - 300);
      const userTop = (await geometry()).top;
      await grow(80);
      g = await geometry();
      expect(g.top).toBe(userTop);
      const jump = o.page.locator('.pb-jump');
      expect(await jump.isVisible()).toBe(true);
      expect(await o.page.locator('.pb-button[data-action="follow"]').getAttribute('aria-pressed')).toBe('false');

      // The participants stay in view (sticky) above the scrolled diagram.
      const head = await o.page.evaluate(() => {
        const s = (document.querySelector('.pb-scroll') as HTMLElement).getBoundingClientRect();
        const h = (document.querySelector('.pb-lanes') as HTMLElement).getBoundingClientRect();
        return { scroller: s.top, lanes: h.top };
      });
      expect(Math.abs(head.lanes - head.scroller)).toBeLessThanOrEqual(1);

      await jump.click();
      await grow(100);
      g = await geometry();
      expect(g.top).toBeGreaterThanOrEqual(g.max - 2);
      expect(await jump.isVisible()).toBe(false);
    } finally {
      await o.close();
    }
  });

  it('replays an ended trace step by step, then shows all of it again', async () => {
    const o = await openDiagram(browser, served, 'light', SPLIT);
    try {
      const trace = realistic();
      const total = renderMermaid(trace).messages.length;
      await o.send(snapshot(1, trace, false));
      await o.rendered(1);
      const button = o.page.locator('.pb-button[data-action="replay"]');
      expect(await button.isVisible()).toBe(true);
      await button.click();
      const arrows = (): Promise<number> => o.page.locator('.pb-diagram [data-et="message"]').count();
      await expect.poll(arrows).toBeLessThan(total);
      expect(await button.getAttribute('aria-pressed')).toBe('true');
      await expect.poll(arrows, { timeout: 10_000 }).toBe(total);
      await expect.poll(() => button.getAttribute('aria-pressed'), { timeout: 5000 }).toBe('false');
      // A live trace has no replay.
      await o.send(snapshot(2, trace, true));
      await o.rendered(2);
      expect(await button.isVisible()).toBe(false);
    } finally {
      await o.close();
    }
  });

  it('a big diagram shows the rows in view in its first frame and the rest in the next ones', async () => {
    const o = await openDiagram(browser, served, 'light', SPLIT);
    try {
      const big = grown(80); // ~250 arrows
      const total = renderMermaid(big, { maxSteps: 500 }).messages.length;
      expect(total).toBeGreaterThan(200);
      expect(total).toBeLessThanOrEqual(500);
      const arrows = (): Promise<number> => o.page.locator('.pb-diagram [data-et="message"]').count();
      await o.send(snapshot(1, big, false));
      const done = await o.rendered(1);
      expect(done.arrows).toBe(total);
      // Not live: the top first (the first arrow is there), all of them a few frames later.
      expect(await o.page.locator('.pb-diagram [data-et="message"][data-pb-index="0"]').count()).toBe(1);
      await expect.poll(arrows, { timeout: 5000 }).toBe(total);
      // The whole diagram's height was there from the start: nothing moves while rows fill in.
      const ids = await o.page.$$eval('.pb-diagram [data-et="message"]', (els) =>
        els.map((e) => Number(e.getAttribute('data-pb-index'))),
      );
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
    } finally {
      await o.close();
    }
  });
});
