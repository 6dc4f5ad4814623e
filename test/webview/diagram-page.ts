// One diagram page under test (the built bundle served by harness.ts, in a fresh browser context):
// what it posted, sending it host messages, waiting for its renders, its CSP violations. Shared by
// diagram.test.ts and diagram-live.test.ts.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { Trace } from '../../src/core/model.js';
import type { DiagramToHost as WebviewMessage, HostToDiagram as HostMessage } from '../../src/protocol/diagram.js';
import { PROTOCOL_VERSION } from '../../src/protocol/webview.js';
import { SHOTS, type PageGlobals, type Served, type ThemeName, type Violation } from './harness.js';

export type RenderDoneMessage = Extract<WebviewMessage, { type: 'render/done' }>;

export interface Opened {
  readonly page: Page;
  readonly dialogs: string[];
  readonly errors: string[];
  posted(): Promise<WebviewMessage[]>;
  send(m: HostMessage): Promise<void>;
  /** Waits for the render/done of `seq` (or a later one) after `after` earlier render/done messages. */
  rendered(seq: number, after?: number): Promise<RenderDoneMessage>;
  renders(): Promise<number>;
  violations(): Promise<Violation[]>;
  close(): Promise<void>;
}

export async function openDiagram(
  browser: Browser,
  served: Served,
  theme: ThemeName = 'light',
  viewport = { width: 1400, height: 900 },
): Promise<Opened> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const dialogs: string[] = [];
  const errors: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${served.url}?theme=${theme}`);
  const posted = (): Promise<WebviewMessage[]> =>
    page.evaluate(() => (window as unknown as PageGlobals<WebviewMessage>).__posted);
  const renders = async (): Promise<number> => (await posted()).filter((m) => m.type === 'render/done').length;
  await page
    .waitForFunction(
      () => (window as unknown as PageGlobals).__posted.some((m) => m.type === 'webview/ready'),
      undefined,
      { timeout: 60_000 },
    )
    .catch((e: unknown) => {
      throw new Error(
        `the webview never posted webview/ready (page errors: ${errors.join(' | ') || 'none'}): ${String(e)}`,
      );
    });
  return {
    page,
    dialogs,
    errors,
    posted,
    renders,
    send: (m) => page.evaluate((msg) => window.postMessage(msg, '*'), m as unknown as Record<string, unknown>),
    async rendered(seq, after = 0) {
      await page.waitForFunction(
        ([s, n]) =>
          (window as unknown as PageGlobals).__posted
            .filter((m) => m.type === 'render/done')
            .slice(n)
            .some((m) => m.type === 'render/done' && m.seq >= s),
        [seq, after] as const,
        { timeout: 30_000 },
      );
      const all = (await posted()).filter((m): m is RenderDoneMessage => m.type === 'render/done');
      return all[all.length - 1] as RenderDoneMessage;
    },
    violations: () => page.evaluate(() => (window as unknown as PageGlobals).__violations),
    close: () => context.close(),
  };
}

export function snapshot(seq: number, trace: Trace, live = true): HostMessage {
  return { type: 'trace/snapshot', v: PROTOCOL_VERSION, seq, traceId: 't1', trace, title: 'Pod Birth', live };
}

/** PB_SHOTS=<dir>: saves a screenshot of the page there. */
export async function shot(o: Opened, name: string): Promise<void> {
  if (!SHOTS) return;
  mkdirSync(SHOTS, { recursive: true });
  await o.page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: false });
}
