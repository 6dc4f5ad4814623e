// The timeline's rollout section in Chromium under the production CSP: each rollout of the window
// (summaries of reports the core builds from real recorded pods) with its SLO verdict in one line,
// its SLO-startup and total percentiles, and a button that asks the host for the rollout view
// (rollout/focus); a hostile workload name is text; no rollouts, no section.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatDuration } from '../../src/core/time.js';
import type { HostToTimeline, TimelineRollout, TimelineToHost } from '../../src/protocol/timeline.js';
import { PROTOCOL_VERSION } from '../../src/protocol/webview.js';
import { sloVerdict } from '../../webview/rollout/format.js';
import { recordedRollout } from '../support/rollout-recorded.js';
import { openPage, startPageServer, type PageServer } from './harness.js';

const HOSTILE = '<img src=x onerror=alert(1)>';
let server: PageServer;

beforeAll(async () => {
  server = await startPageServer('timeline', 'Pod Birth timeline');
});

afterAll(async () => {
  await server?.close();
});

function summary(id: string, title: string, live: boolean): TimelineRollout {
  const r = recordedRollout(300, { live });
  return {
    id,
    title,
    live,
    pods: r.pods.length,
    sloStartup: r.percentiles.sloStartup ?? null,
    total: r.percentiles.total ?? null,
    slo: r.slo,
  };
}

describe('timeline: rollouts', () => {
  it('one entry per rollout: verdict, percentiles, the button to the rollout view; names as text', async () => {
    const p = await openPage<TimelineToHost, HostToTimeline>(server.browser, server.served, 'light', {
      width: 300,
      height: 800,
    });
    try {
      expect(await p.page.isHidden('.pb-rollouts')).toBe(true);
      const live = summary('r2-b', `Deployment ${HOSTILE} (ns)`, true);
      const done = summary('r1-a', 'StatefulSet db (ns)', false);
      await p.send({ type: 'timeline/update', v: PROTOCOL_VERSION, seq: 1, traces: [], rollouts: [live, done] });
      await p.page.waitForSelector('.pb-rollout[data-rollout-id="r1-a"]');
      expect(await p.page.$$eval('.pb-rollout', (els) => els.map((e) => (e as HTMLElement).dataset.rolloutId))).toEqual(
        ['r2-b', 'r1-a'],
      );
      expect(await p.page.textContent('[data-rollout-id="r2-b"] .pb-rollout-title')).toBe(`Deployment ${HOSTILE} (ns)`);
      expect(await p.page.$$('.pb-rollouts img')).toHaveLength(0);
      expect(await p.page.textContent('[data-rollout-id="r2-b"] .pb-rollout-state')).toBe('live · 300 pods');
      const v = sloVerdict(done.slo, done.sloStartup?.count ?? 0, done.pods, false);
      expect(await p.page.textContent('[data-rollout-id="r1-a"] .pb-rollout-verdict')).toBe(v.text);
      const stats = await p.page.$$eval('[data-rollout-id="r1-a"] .pb-rollout-stats', (e) =>
        e.map((x) => x.textContent),
      );
      expect(stats[0]).toContain(`p99 ${formatDuration(done.sloStartup!.p99)}`);
      expect(stats[1]).toContain(`max ${formatDuration(done.total!.max)}`);
      // The empty-list hint is not shown when there are rollouts.
      expect(await p.page.isHidden('.pb-empty')).toBe(true);
      await p.page.click('[data-rollout-id="r1-a"] .pb-rollout-open');
      expect((await p.posted()).filter((m) => m.type !== 'webview/ready')).toEqual([
        { type: 'rollout/focus', rolloutId: 'r1-a' },
      ]);
      expect(await p.violations()).toEqual([]);
    } finally {
      await p.close();
    }
  });
});
