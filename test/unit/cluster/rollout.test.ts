// RolloutTracer against a routed stand-in apiserver: 40 pods of one Deployment traced through one pod
// watch and one event watch per Event API (events dispatched by uid, some arriving before their pod),
// with a request count that does not grow per pod beyond the node's own reads, and a report whose
// rows come from each pod's trace.

import { afterEach, describe, expect, it } from 'vitest';
import { RolloutTracer } from '../../../src/cluster/rollout.js';
import type { RolloutReport } from '../../../src/core/rollout/index.js';
import type { FakeApiserver } from './fake-apiserver.js';
import { DEPLOY, NS, event, pod, rolloutApiserver } from './rollout-fixture.js';

const servers: FakeApiserver[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

async function apiserver(): Promise<FakeApiserver> {
  const server = await rolloutApiserver();
  servers.push(server);
  return server;
}

describe('RolloutTracer', () => {
  it('traces 40 pods with 4 watches, events dispatched by uid (even before their pod), and reports them', async () => {
    const server = await apiserver();
    const reports: RolloutReport[] = [];
    const t0 = Date.now();
    const tracer = new RolloutTracer({
      conn: server.conn,
      namespace: NS,
      workload: DEPLOY,
      notBeforeMs: t0 - 5000,
      session: { nodeLogs: false, readySettleMs: 50, timeoutMs: 30_000 },
      reportEveryMs: 50,
      onReport: (r) => reports.push(r),
    });
    await tracer.start();
    for (let i = 0; i < 40; i++) {
      // Half the pods' Scheduled event comes before the pod itself (no order between two watches).
      if (i % 2 === 0)
        server.push(
          `/${NS}/events`,
          'ADDED',
          event(i, 'Scheduled', t0 + 10, `Successfully assigned ${NS}/web-abc-${i} to node-a`),
        );
      server.push('/pods', 'ADDED', pod(i, t0, false));
      if (i % 2 === 1)
        server.push(
          `/${NS}/events`,
          'ADDED',
          event(i, 'Scheduled', t0 + 10, `Successfully assigned ${NS}/web-abc-${i} to node-a`),
        );
    }
    for (let i = 0; i < 40; i++) {
      server.push(`/${NS}/events`, 'ADDED', event(i, 'Started', t0 + 1000, 'Started container app'));
      server.push('/pods', 'MODIFIED', pod(i, t0, true));
    }
    await Promise.race([tracer.finished, new Promise((r) => setTimeout(r, 15_000))]);
    tracer.stop();
    const last = await tracer.closed;

    expect(last.pods).toHaveLength(40);
    expect(last.live).toBe(false);
    expect(last.pods.every((p) => p.outcome === 'ready')).toBe(true);
    for (let i = 0; i < 40; i++) {
      const trace = tracer.traceOf(`web-abc-${i}`);
      // Each pod got its own Scheduled event (and only its own): dispatched by uid.
      const scheduled = trace?.steps.filter((s) => s.kind === 'scheduled') ?? [];
      expect(scheduled, `web-abc-${i}`).toHaveLength(1);
      expect(scheduled[0]?.message).toContain(`web-abc-${i} `);
    }
    // Ended pods keep their final trace only: the evidence (every node line of the window) is released.
    for (const session of tracer.sessions.values()) {
      expect(session.recorded).toEqual([]);
      expect(session.state.snapshots.size).toBe(0);
      expect(session.trace().steps.length).toBeGreaterThan(0);
    }
    // One pod watch, two namespace event watches (kind=Pod), and the owner's FailedCreate watch.
    const watches = server.requests.filter((r) => r.includes('watch=1'));
    expect(watches).toHaveLength(4);
    expect(watches.filter((r) => r.includes('/pods?'))).toHaveLength(1);
    expect(watches.filter((r) => r.includes('involvedObject.kind%3DPod'))).toHaveLength(1);
    expect(watches.filter((r) => r.includes('regarding.kind%3DPod'))).toHaveLength(1);
    // No request names a pod: nothing per pod but what the node reads share (the node once).
    expect(server.requests.filter((r) => r.includes('web-abc-'))).toEqual([]);
    expect(server.requests.filter((r) => r.startsWith('GET /api/v1/nodes/node-a'))).toHaveLength(1);
    expect(last.api?.requests).toBe(server.requests.length);
    expect(last.api?.watchRequests).toBe(4);
    expect(last.api?.pods).toBe(40);
    // Live reports came while it ran, and each is a whole report.
    expect(reports.some((r) => r.live)).toBe(true);
    expect(reports[reports.length - 1]).toEqual(last);
  }, 30_000);
});
