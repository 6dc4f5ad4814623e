// Reliability on the real cluster: the container runtime (containerd) and the kubelet restart in the
// middle of a pod's birth. The trace must notice (a `disturbance` note naming the daemon and the
// time) and still end with a clear outcome: Ready with every step, or failed with a stated cause.
// afterEach brings both daemons back, whatever happened, so the shared cluster stays usable.

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConnection, type Connection } from '../../../src/cluster/index.js';
import {
  clusterEnv,
  createNamespace,
  daemon,
  deleteNamespace,
  ensureImagePresent,
  kubectlJson,
  waitFor,
} from '../../cluster/harness.js';
import { expectMatchesGroundTruth, expectSameAsFreshAttach, step } from '../../cluster/trace-checks.js';
import { applyAndTrace, podManifest, reportNumbers, until } from './support.js';

let conn: Connection;
let ns: string;

beforeAll(async () => {
  conn = loadConnection({ kubeconfig: clusterEnv().kubeconfig });
  ns = await createNamespace('pb-rel-node');
  await ensureImagePresent(ns, 'busybox:1.36');
});

afterEach(async () => {
  // Never leave the node without its runtime or kubelet (start is a no-op when running).
  await daemon('start', 'containerd');
  await daemon('start', 'kubelet');
  const node = clusterEnv.unchecked().nodeName;
  await waitFor(
    `node ${node} Ready again`,
    async () => {
      const n = await kubectlJson<{ status: { conditions: { type: string; status: string }[] } }>([
        'get',
        'node',
        node,
      ]);
      return n.status.conditions.some((c) => c.type === 'Ready' && c.status === 'True');
    },
    { timeoutMs: 120_000, intervalMs: 500 },
  );
});

afterAll(async () => {
  if (ns) await deleteNamespace(ns);
});

const cases = [
  {
    title: 'containerd restarts (SIGTERM + start)',
    daemon: 'containerd',
    action: 'restart',
    source: 'runtime-log',
    note: /container runtime \(containerd\) restarted on node \S+ at \d{4}-/,
  },
  {
    title: 'containerd crashes (SIGKILL) and comes back',
    daemon: 'containerd',
    action: 'kill',
    source: 'runtime-log',
    note: /container runtime \(containerd\) restarted on node \S+ at \d{4}-/,
  },
  {
    title: 'the kubelet restarts',
    daemon: 'kubelet',
    action: 'restart',
    source: 'kubelet-log',
    note: /kubelet on node \S+ restarted during this pod's birth/,
  },
] as const;

describe('a node daemon restarts mid-trace', () => {
  for (const c of cases) {
    it(`${c.title}: the trace notes the disturbance and completes`, async () => {
      const name = `${c.daemon}-${c.action}`;
      const live = await applyAndTrace(conn, podManifest(ns, name, { initSleep: 6 }), { timeoutMs: 150_000 });
      // Inject the fault while the init container runs: the app container is created after it.
      await until('the init container started', () => !!step(live.trace(), 'container-started', 'wait'), 60_000);
      const t0 = Date.now();
      if (c.action === 'kill') {
        await daemon('kill', c.daemon);
        await daemon('start', c.daemon);
      } else {
        await daemon('restart', c.daemon);
      }
      const downMs = Date.now() - t0;
      const outcome = await live.finished;
      const trace = live.trace();
      const disturbances = trace.notes.filter((n) => n.kind === 'disturbance');
      reportNumbers(`node-daemon ${c.daemon} ${c.action}`, {
        outcome,
        restartTookMs: downMs,
        endedMsAfterRestart: Date.now() - t0,
        notes: disturbances.map((n) => n.message),
      });
      // Completes, or fails with a clear, stated cause.
      expect(['ready', 'failed']).toContain(outcome);
      if (outcome === 'failed') expect(trace.diagnosis[0]?.message, 'a failed birth says why').toBeTruthy();
      else expect(step(trace, 'container-started', 'app')).toBeDefined();
      // The trace noticed, and says which daemon and when.
      expect(
        disturbances.some((n) => n.source === c.source && c.note.test(n.message)),
        JSON.stringify(trace.notes),
      ).toBe(true);
      expect(live.states().some((s) => c.note.test(s.message))).toBe(true);
      // Nothing lost, nothing duplicated; CRI times still equal containerd's own.
      const fresh = await expectSameAsFreshAttach(conn, ns, trace, name);
      expect(
        fresh.notes.filter((n) => n.kind === 'disturbance').length,
        'a later attach sees the same disturbance',
      ).toBeGreaterThanOrEqual(1);
      expect(await expectMatchesGroundTruth(trace)).toBeGreaterThanOrEqual(6);
    });
  }
});
