// One diagram page under test (the built bundle served by harness.ts, in a fresh browser context):
// what it posted, sending it host messages, waiting for its renders, its CSP violations. Shared by
// diagram.test.ts and diagram-live.test.ts.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import type { Trace } from '../../src/core/model.js';
import type { DiagramToHost as WebviewMessage, HostToDiagram as HostMessage } from '../../src/protocol/diagram.js';
import { PROTOCOL_VERSION } from '../../src/protocol/webview.js';
import { SHOTS, openPage, type OpenedPage, type PageGlobals, type Served, type ThemeName } from './harness.js';

export type RenderDoneMessage = Extract<WebviewMessage, { type: 'render/done' }>;

export interface Opened extends OpenedPage<WebviewMessage, HostMessage> {
  /** Waits for the render/done of `seq` (or a later one) after `after` earlier render/done messages. */
  rendered(seq: number, after?: number): Promise<RenderDoneMessage>;
  renders(): Promise<number>;
}

export async function openDiagram(
  browser: Browser,
  served: Served,
  theme: ThemeName = 'light',
  viewport = { width: 1400, height: 900 },
): Promise<Opened> {
  const o = await openPage<WebviewMessage, HostMessage>(browser, served, theme, viewport);
  return {
    ...o,
    renders: async () => (await o.posted()).filter((m) => m.type === 'render/done').length,
    async rendered(seq, after = 0) {
      await o.page.waitForFunction(
        ([s, n]) =>
          (window as unknown as PageGlobals).__posted
            .filter((m) => m.type === 'render/done')
            .slice(n)
            .some((m) => m.type === 'render/done' && m.seq >= s),
        [seq, after] as const,
        { timeout: 30_000 },
      );
      const all = (await o.posted()).filter((m): m is RenderDoneMessage => m.type === 'render/done');
      return all[all.length - 1] as RenderDoneMessage;
    },
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
