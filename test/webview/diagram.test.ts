// The built diagram webview in real Chromium under the exact production CSP (header and meta), with
// acquireVsCodeApi stubbed by a nonce'd classic script. Checks what unit tests cannot: CSP fit, the
// page's drawing of the Mermaid source (arrows visible, n-th [data-et="message"] ↔ messages[n]),
// clicks, hostile text, theme switches, exports (the SVG one drawn by Mermaid under the same CSP).
// The live view (width, follow, sticky lanes, in-place updates) is in diagram-live.test.ts.
// PB_CHROMIUM overrides /usr/bin/chromium; PB_SHOTS=<dir> saves screenshots.
// One file (~500 lines) on purpose: a test file builds the page bundle and starts Chromium once, in
// beforeAll, and all of this page's checks share them.

import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Step, Trace } from '../../src/core/model.js';
import { renderMermaid } from '../../src/core/mermaid/index.js';
import { parseDiagramToHost } from '../../src/protocol/diagram.js';
import { PROTOCOL_VERSION } from '../../src/protocol/webview.js';
import { traceFromEvidence } from '../../src/core/trace/index.js';
import { allEvidence } from '../unit/trace/realistic.js';
import { openDiagram, shot, snapshot, type Opened } from './diagram-page.js';
import {
  startPageServer,
  type PageServer,
  type PageGlobals,
  type Violation,
  type Served,
  type ThemeName,
} from './harness.js';

let server: PageServer;
let served: Served;
let browser: Browser;
const timings: { what: string; ms: number; arrows: number }[] = [];

beforeAll(async () => {
  server = await startPageServer('diagram', 'Pod Birth: <b>hello</b>');
  ({ served, browser } = server);
});

afterAll(async () => {
  await server?.close();
  if (timings.length > 0)
    console.log(`render timings: ${timings.map((t) => `${t.what} ${t.arrows} arrows ${t.ms} ms`).join('; ')}`);
});

// ---------------------------------------------------------------------------------------------
// Helpers

const realistic = (): Trace => traceFromEvidence(allEvidence());
const open = (theme: ThemeName = 'light', viewport = { width: 1400, height: 900 }): Promise<Opened> =>
  openDiagram(browser, served, theme, viewport);

/** Script-src violations, and any of ours (a blocked bundle file or stylesheet would show up here). */
async function badViolations(o: Opened): Promise<Violation[]> {
  return (await o.violations()).filter(
    (v) => v.directive.startsWith('script-src') || v.blocked.startsWith(served.origin),
  );
}

function strokes(page: Page): Promise<string[]> {
  return page.$$eval('.pb-diagram [data-et="message"]', (els) => els.map((e) => getComputedStyle(e).stroke));
}

// ---------------------------------------------------------------------------------------------

describe('diagram webview under the production CSP', () => {
  it('serves the page with the exact production policy', () => {
    expect(served.csp).toBe(
      `default-src 'none'; script-src 'nonce-${served.nonce}'; style-src ${served.origin}; img-src ${served.origin} data:; font-src ${served.origin}; connect-src 'none';`,
    );
    expect(served.html).toContain(`content="${served.csp.replace(/'/g, '&#39;')}"`);
    expect(served.html).toContain('Pod Birth: &lt;b&gt;hello&lt;/b&gt;');
    expect(served.html).not.toMatch(/unsafe-(eval|inline)/);
  });

  it('announces itself, renders a realistic trace with visible arrows, posts render/done', async () => {
    const o = await open('light');
    try {
      const ready = (await o.posted())[0];
      expect(ready).toEqual({ type: 'webview/ready', v: PROTOCOL_VERSION, lastSeq: null });
      const trace = realistic();
      const expected = renderMermaid(trace);
      await o.send(snapshot(1, trace));
      const done = await o.rendered(1);
      expect(done.arrows).toBe(expected.messages.length);
      expect(done.ms).toBeGreaterThan(0);
      timings.push({ what: 'realistic (first render)', ms: done.ms, arrows: done.arrows });
      expect(parseDiagramToHost(done)).toEqual(done);

      const s = await strokes(o.page);
      expect(s).toHaveLength(expected.messages.length);
      for (const stroke of s) {
        expect(stroke).not.toBe('none');
        expect(stroke).not.toMatch(/rgba\(\d+, \d+, \d+, 0\)/);
      }
      // Light Modern's --vscode-foreground, resolved (never a var() string).
      expect(s[0]).toBe('rgb(59, 59, 59)');
      const boxes = await o.page.$$eval('.pb-diagram [data-et="message"]', (els) =>
        els.map((e) => e.getBoundingClientRect().width),
      );
      for (const w of boxes) expect(w).toBeGreaterThan(10);
      // Drawn by the page, not parsed from markup: no <style> element and no style attribute in the
      // diagram, so the CSP (no 'unsafe-inline' for styles) reports nothing at all.
      expect(await o.page.$$eval('.pb-diagram style, .pb-diagram [style]', (els) => els.length)).toBe(0);
      const fonts = await o.page.$$eval('.pb-diagram text.messageText', (els) =>
        els.map((e) => getComputedStyle(e).fontFamily),
      );
      expect(fonts.length).toBe(expected.messages.length);
      for (const f of fonts) expect(f).not.toBe('');
      expect(await o.violations()).toEqual([]);
      // Header: our text, via textContent.
      await expect.poll(() => o.page.textContent('.pb-pod')).toBe('pb-try/hello-birth');
      expect(await o.page.textContent('.pb-phase')).toBe('Ready');
      expect(await badViolations(o)).toEqual([]);
      expect(o.errors).toEqual([]);
      await shot(o, 'light');
    } finally {
      await o.close();
    }
  });

  it('maps the n-th arrow (line, wide hit area, label, keyboard) to messages[n].stepId', async () => {
    const o = await open('dark');
    try {
      const trace = realistic();
      const { messages } = renderMermaid(trace);
      await o.send(snapshot(1, trace));
      await o.rendered(1);
      const reveals = async (): Promise<string[]> =>
        (await o.posted()).flatMap((m) => (m.type === 'step/reveal' ? [m.stepId] : []));

      for (const n of [0, 2, 6, messages.length - 1]) {
        const line = o.page.locator('.pb-diagram [data-et="message"]').nth(n);
        await line.scrollIntoViewIfNeeded();
        const box = await line.boundingBox();
        if (!box) throw new Error(`arrow ${n} has no box`);
        const before = (await reveals()).length;
        // 4 px below a 1.5 px line: only the transparent 12 px hit line catches this.
        await o.page.mouse.click(box.x + box.width / 2, box.y + box.height / 2 + 4);
        await expect.poll(async () => (await reveals()).slice(before)).toEqual([messages[n]?.stepId]);
      }

      // The label of arrow 6 (PullImage) is clickable and focusable.
      const label = o.page.locator('.pb-diagram text.messageText[data-pb-index="6"]');
      expect(await label.getAttribute('tabindex')).toBe('0');
      expect(await label.getAttribute('aria-label')).toContain('PullImage');
      let before = (await reveals()).length;
      await label.click();
      await expect.poll(async () => (await reveals()).slice(before)).toEqual([messages[6]?.stepId]);
      before = (await reveals()).length;
      await o.page.locator('.pb-diagram text.messageText[data-pb-index="3"]').focus();
      await o.page.keyboard.press('Enter');
      await o.page.keyboard.press(' ');
      await expect
        .poll(async () => (await reveals()).slice(before))
        .toEqual([messages[3]?.stepId, messages[3]?.stepId]);
      for (const id of await reveals()) expect(parseDiagramToHost({ type: 'step/reveal', stepId: id })).not.toBeNull();

      // Selection is view state.
      const state = (await o.page.evaluate(() => (window as unknown as PageGlobals).__state())) as Record<
        string,
        unknown
      >;
      expect(state.selectedStepId).toBe(messages[3]?.stepId);
      expect(state.lastSeq).toBe(1);
      expect(Object.keys(state)).not.toContain('trace');

      // Hover: a tooltip with the step's time, duration, source and precision (as text).
      const pull = trace.steps.find((s) => s.id === 'image-pull:hello') as Step;
      const line = o.page.locator('.pb-diagram [data-et="message"]').nth(6);
      const box = await line.boundingBox();
      if (!box) throw new Error('no box');
      await o.page.mouse.move(box.x + box.width / 2, box.y + 3);
      const tip = o.page.locator('.pb-tooltip');
      await expect.poll(() => tip.isVisible()).toBe(true);
      const text = (await tip.textContent()) ?? '';
      expect(text).toContain(pull.start?.key.slice(0, 19));
      expect(text).toContain('13ms');
      expect(text).toContain(pull.source);
      expect(text).toContain('nanoseconds');
      await shot(o, 'dark-hover');
      expect(await badViolations(o)).toEqual([]);
    } finally {
      await o.close();
    }
  });

  it('shows hostile cluster text as text: no markup, no directive, no dialog', async () => {
    const o = await open('light');
    try {
      const IMG = '<img src=x onerror=alert(1)>';
      const INIT = '%%{init: {"theme":"dark"}}%%';
      const SCRIPT = '<script>alert(1)</script>';
      const base = realistic();
      const steps = base.steps.map((s): Step => {
        if (s.id === 'image-pull:hello') return { ...s, container: IMG, message: SCRIPT };
        if (s.id === 'container-created:hello') return { ...s, container: INIT };
        if (s.id === 'container-started:hello')
          return { ...s, container: SCRIPT, status: 'failed', message: `${IMG} ${SCRIPT} ${INIT}` };
        return s;
      });
      const trace: Trace = {
        ...base,
        pod: { ...base.pod, name: IMG, namespace: SCRIPT },
        phase: 'failed',
        steps,
        diagnosis: [
          {
            cause: 'crash-loop',
            message: SCRIPT,
            suggestion: INIT,
            yamlPath: 'spec.containers[0].command',
            container: IMG,
            nodes: null,
            evidence: IMG,
          },
        ],
        notes: [{ kind: 'degraded', message: IMG, remedy: SCRIPT, source: 'runtime-log' }],
      };
      await o.send(snapshot(1, trace));
      const done = await o.rendered(1);
      expect(done.arrows).toBe(renderMermaid(trace).messages.length);

      const counts = await o.page.evaluate(() => ({
        script: document.querySelectorAll('#pb-app script, .pb-diagram script').length,
        img: document.querySelectorAll('img').length,
        foreign: document.querySelectorAll('.pb-diagram foreignObject').length,
        handlers: Array.from(document.querySelectorAll('#pb-app *')).filter((e) =>
          Array.from(e.attributes).some((a) => a.name.startsWith('on')),
        ).length,
      }));
      expect(counts).toEqual({ script: 0, img: 0, foreign: 0, handlers: 0 });

      // Visible as text in the diagram and in the header.
      const svgText = await o.page.$$eval('.pb-diagram svg text', (els) => els.map((e) => e.textContent ?? ''));
      expect(svgText.some((t) => t.includes(IMG))).toBe(true);
      expect(svgText.some((t) => t.includes(SCRIPT))).toBe(true);
      expect(svgText.some((t) => t.includes('init:'))).toBe(true);
      const visible = await o.page.$$eval(
        '.pb-diagram svg text',
        (els, needle) =>
          els.filter((e) => (e.textContent ?? '').includes(needle)).map((e) => e.getBoundingClientRect().width),
        IMG,
      );
      expect(Math.min(...visible)).toBeGreaterThan(20);
      const header = (await o.page.textContent('.pb-header')) ?? '';
      for (const s of [IMG, SCRIPT, INIT]) expect(header).toContain(s);
      expect(await o.page.textContent('.pb-pod')).toBe(`${SCRIPT}/${IMG}`);

      // The directive did not switch Mermaid's theme: arrows keep the light colours, failed ones the error colour.
      const s = await strokes(o.page);
      expect(s[0]).toBe('rgb(59, 59, 59)');
      const failed = await o.page.$$eval('.pb-diagram [data-et="message"].pb-failed', (els) =>
        els.map((e) => getComputedStyle(e).stroke),
      );
      expect(failed.length).toBeGreaterThan(0);
      for (const f of failed) expect(f).toBe('rgb(248, 81, 73)');

      // Notes that annotate a step reveal it; the diagnosis in the header reveals `diagnosis:<cause>`.
      const { notes } = renderMermaid(trace);
      const k = notes.findIndex((n) => n.stepId !== null);
      expect(k).toBeGreaterThanOrEqual(0);
      expect(await o.page.locator('.pb-diagram g[data-et="note"]').count()).toBe(notes.length);
      const note = o.page.locator(`.pb-diagram g[data-pb-note="${k}"] rect.note`);
      await note.scrollIntoViewIfNeeded();
      await note.click({ force: true });
      await o.page.locator('.pb-header .pb-link').click();
      await expect
        .poll(async () => (await o.posted()).flatMap((m) => (m.type === 'step/reveal' ? [m.stepId] : [])))
        .toEqual([notes[k]?.stepId, 'diagnosis:crash-loop']);

      await o.page.waitForTimeout(200);
      expect(o.dialogs).toEqual([]);
      expect(o.errors).toEqual([]);
      expect(await badViolations(o)).toEqual([]);
      await shot(o, 'hostile');
    } finally {
      await o.close();
    }
  });

  it('re-renders with high-contrast colours when the body class changes', async () => {
    const o = await open('light');
    try {
      await o.send(snapshot(1, realistic()));
      await o.rendered(1);
      const light = await strokes(o.page);
      const n = await o.renders();
      await o.page.evaluate(() => (window as unknown as PageGlobals).__setTheme('high-contrast'));
      const done = await o.rendered(1, n);
      timings.push({ what: 'theme switch', ms: done.ms, arrows: done.arrows });
      const hc = await strokes(o.page);
      expect(hc[0]).not.toBe(light[0]);
      // --vscode-contrastBorder of the HC theme.
      expect(hc[0]).toBe('rgb(111, 195, 223)');
      const width = await o.page.$eval('.pb-diagram [data-et="message"]', (e) => getComputedStyle(e).strokeWidth);
      expect(Number.parseFloat(width)).toBeGreaterThanOrEqual(2);
      const actorStroke = await o.page.$eval('.pb-diagram rect.actor', (e) => getComputedStyle(e).stroke);
      expect(actorStroke).toBe('rgb(111, 195, 223)');
      await shot(o, 'high-contrast');

      const m = await o.renders();
      await o.page.evaluate(() => (window as unknown as PageGlobals).__setTheme('high-contrast-light'));
      await o.rendered(1, m);
      expect((await strokes(o.page))[0]).toBe('rgb(15, 74, 133)');
      expect(await badViolations(o)).toEqual([]);
    } finally {
      await o.close();
    }
  });

  it('exports: SVG as a standalone <svg> string, the rest as export/request', async () => {
    const o = await open('light');
    try {
      await o.send(snapshot(1, realistic()));
      await o.rendered(1);
      // One menu: it opens under its button, lists the four formats, closes after a choice.
      const menu = o.page.locator('.pb-menu');
      for (const label of ['SVG image', 'Mermaid source', 'Markdown for GitHub', 'Trace JSON']) {
        await o.page.locator('.pb-button', { hasText: 'Export' }).click();
        expect(await menu.isVisible()).toBe(true);
        await menu.locator('[role="menuitem"]', { hasText: label }).click();
        expect(await menu.isVisible()).toBe(false);
        if (label === 'SVG image')
          await expect
            .poll(async () => (await o.posted()).some((m) => m.type === 'export/svg'), { timeout: 30_000 })
            .toBe(true);
      }
      await expect.poll(async () => (await o.posted()).filter((m) => m.type.startsWith('export/')).length).toBe(4);
      const exports = (await o.posted()).filter((m) => m.type.startsWith('export/'));
      const svg = exports[0];
      if (svg?.type !== 'export/svg') throw new Error('expected export/svg first');
      expect(svg.svg.startsWith('<svg')).toBe(true);
      // Mermaid's own drawing: its <style> inside, its inline styles back under their name.
      expect(svg.svg).toContain('<style>');
      expect(svg.svg).toContain('PullImage');
      expect(svg.svg).toContain('style="');
      expect(svg.svg).not.toContain('data-pb-style');
      expect(svg.svg).not.toContain('pb-hit');
      // Mermaid ran under the production CSP: no script was blocked and none of our files.
      expect(await badViolations(o)).toEqual([]);
      expect(parseDiagramToHost(svg)).not.toBeNull();
      expect(exports.slice(1)).toEqual([
        { type: 'export/request', format: 'mermaid' },
        { type: 'export/request', format: 'markdown' },
        { type: 'export/request', format: 'json' },
      ]);
      // The exported SVG is well-formed XML.
      const ok = await o.page.evaluate(
        (text) =>
          new DOMParser().parseFromString(text, 'image/svg+xml').getElementsByTagName('parsererror').length === 0,
        svg.svg,
      );
      expect(ok).toBe(true);
    } finally {
      await o.close();
    }
  });

  it('throttles bursts to the latest snapshot, resyncs on a gap, resets, restores view state', async () => {
    const o = await open('light');
    try {
      const base = realistic();
      await o.send(snapshot(1, base));
      await o.rendered(1);
      const n = await o.renders();
      // Five snapshots in one burst: the trailing throttle renders far fewer, the last one included.
      await o.page.evaluate(
        (msgs) => {
          for (const m of msgs) window.postMessage(m, '*');
        },
        [2, 3, 4, 5, 6].map(
          (seq) =>
            snapshot(seq, { ...base, steps: base.steps.slice(0, 4 + seq) }) as unknown as Record<string, unknown>,
        ),
      );
      const last = await o.rendered(6, n);
      expect(last.seq).toBe(6);
      await o.page.waitForTimeout(600);
      const burst = (await o.posted()).filter((m) => m.type === 'render/done').slice(n);
      expect(burst.length).toBeLessThanOrEqual(3);
      expect(burst[burst.length - 1]).toMatchObject({ seq: 6 });

      // A gap before a non-snapshot message: ask the host for a resync from lastSeq.
      await o.send({ type: 'status/show', seq: 9, level: 'warning', text: 'watch restarted' });
      await expect
        .poll(async () => (await o.posted()).filter((m) => m.type === 'webview/ready').slice(1))
        .toEqual([{ type: 'webview/ready', v: PROTOCOL_VERSION, lastSeq: 6 }]);
      expect(await o.page.textContent('.pb-status')).toBe('watch restarted');

      await o.send({ type: 'trace/reset', seq: 10, reason: 'The pod was deleted.' });
      await expect.poll(() => o.page.textContent('.pb-diagram')).toBe('The pod was deleted.');

      // After a reload (VS Code recreating a hidden webview, or restoring it in a reloaded window) the
      // page names the trace it showed, then announces the saved lastSeq.
      await o.page.reload();
      await o.page.waitForFunction(() => (window as unknown as PageGlobals).__posted.length > 1);
      expect((await o.posted()).slice(0, 2)).toEqual([
        { type: 'trace/restore', traceId: 't1' },
        { type: 'webview/ready', v: PROTOCOL_VERSION, lastSeq: 10 },
      ]);
      for (const m of (await o.posted()).slice(0, 2)) expect(parseDiagramToHost(m)).toEqual(m);
      expect(await badViolations(o)).toEqual([]);
    } finally {
      await o.close();
    }
  });

  it('renders a long trace (≈100 arrows) in reasonable time', async () => {
    const o = await open('dark');
    try {
      const base = realistic();
      const per = base.steps.filter((s) => s.container === 'hello');
      const steps: Step[] = base.steps.filter((s) => s.container === null);
      for (let i = 0; i < 30; i += 1)
        for (const s of per) steps.push({ ...s, id: `${s.id}-${i}`, container: `worker-${i}` });
      const trace: Trace = { ...base, steps };
      const expected = renderMermaid(trace).messages.length;
      await o.send(snapshot(1, trace));
      const done = await o.rendered(1);
      expect(done.arrows).toBe(expected);
      timings.push({ what: 'long trace', ms: done.ms, arrows: done.arrows });
      const n = await o.renders();
      await o.send(snapshot(2, trace));
      const again = await o.rendered(2, n);
      timings.push({ what: 'long trace (warm)', ms: again.ms, arrows: again.arrows });
      expect(again.ms).toBeLessThan(5000);
    } finally {
      await o.close();
    }
  });
});
