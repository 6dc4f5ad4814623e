// Section 4 — Scale & API cost. A 100-replica Deployment (busybox:1.36, sleeping) is applied and
// traced with the product's flow (startRun, mode 'apply', maxPods 100, confirm → 'bench'), through a
// loopback TCP proxy that counts connections. Every request is counted from http.ts's request logger;
// process heap and RSS are sampled every 250 ms, CPU from process.cpuUsage(). Goals: ≤ 3 watches per
// traced pod, 0 cluster-wide lists, ≤ 150 MB heap. The Deployment and namespace are deleted after.

import { loadavg } from 'node:os';
import { loadConnection } from '../../src/cluster/kubeconfig.js';
import { setRequestLogger } from '../../src/cluster/http.js';
import { startRun } from '../../src/cluster/runner.js';
import { resolveTargetOn } from '../../src/cluster/target.js';
import type { TraceSession, Outcome } from '../../src/cluster/session.js';
import type { KubeObject } from '../../src/cluster/apply.js';
import {
  createNamespace,
  ensureImagePresent,
  kubectl,
  kubectlJson,
  kubectlResult,
  loopbackProxy,
  waitFor,
  type LoopbackProxy,
} from '../../test/cluster/harness.js';
import { cleanupOnSignal, dropNamespace, requireCluster, watchdog } from '../lib/cluster.js';
import { countRequest, emptyCounts } from '../lib/requests.js';
import { Section, row, runSection, sleep } from '../lib/report.js';

const QUICK = process.env.BENCH_QUICK === '1';
const REPLICAS = QUICK ? 20 : 100;
const MB = 1024 * 1024;

void runSection(new Section('scale', `4. Scale & API cost (${REPLICAS}-replica Deployment)`), async (s) => {
  const env = requireCluster();
  let ns: string | null = null;
  let proxy: LoopbackProxy | null = null;
  const cleanup = async (): Promise<void> => {
    if (ns)
      await kubectlResult(['-n', ns, 'delete', 'deployment', 'bench-scale', '--ignore-not-found', '--wait=false'], {
        allowFailure: true,
      });
    await dropNamespace(ns);
    await proxy?.close();
  };
  const disarm = watchdog(280_000, 'scale', cleanup);
  cleanupOnSignal(cleanup);
  try {
    // Room on the node: kubelet maxPods minus the pods already there.
    const node = await kubectlJson<{ status: { allocatable: { pods: string } } }>(['get', 'node', env.nodeName]);
    const maxPods = Number(node.status.allocatable.pods);
    const existing = (
      await kubectl(['get', 'pods', '-A', '--field-selector', `spec.nodeName=${env.nodeName}`, '--no-headers'], {
        allowFailure: true,
      })
    )
      .split('\n')
      .filter(Boolean).length;
    s.facts.node = { maxPods, podsBefore: existing };
    const replicas = Math.min(REPLICAS, maxPods - existing - 2);
    if (replicas < REPLICAS)
      s.note(
        `The node holds at most ${maxPods} pods and ${existing} exist: ${replicas} replicas instead of ${REPLICAS}.`,
      );

    ns = await createNamespace('pb-bench-scale');
    await ensureImagePresent(ns, 'busybox:1.36');
    proxy = await loopbackProxy(env.kubeconfig);
    const conn = loadConnection({ kubeconfig: proxy.kubeconfig, namespace: ns });
    const counts = emptyCounts();
    setRequestLogger((line) => countRequest(counts, line));

    const deployment: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'bench-scale', namespace: ns },
      spec: {
        replicas,
        selector: { matchLabels: { app: 'bench-scale' } },
        template: {
          metadata: { labels: { app: 'bench-scale' } },
          spec: {
            terminationGracePeriodSeconds: 0,
            containers: [
              { name: 'sleep', image: 'busybox:1.36', imagePullPolicy: 'IfNotPresent', command: ['sleep', '3600'] },
            ],
          },
        },
      },
    };

    global.gc?.();
    const base = process.memoryUsage();
    let peakHeap = base.heapUsed;
    let peakRss = base.rss;
    const heapSamples: number[] = [];
    const sampler = setInterval(() => {
      const m = process.memoryUsage();
      heapSamples.push(m.heapUsed / MB);
      peakHeap = Math.max(peakHeap, m.heapUsed);
      peakRss = Math.max(peakRss, m.rss);
    }, 250);
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const sessions = new Map<string, TraceSession>();
    const outcomes = new Map<string, Outcome>();
    let steps = 0;
    const res = await startRun({
      target: resolveTargetOn(conn, { kind: 'object', object: deployment, mode: 'apply' }, replicas),
      timeoutMs: QUICK ? 90_000 : 170_000,
      session: {},
      confirm: async () => 'bench',
      onPod: (name, session) => sessions.set(name, session),
      onEvent: (name, e) => {
        if (e.type === 'steps') steps++;
        if (e.type === 'finished') outcomes.set(name, e.outcome);
      },
    });
    if (res.status !== 'running') throw new Error(`startRun: ${res.status}`);
    const outcome = await res.run.finished;
    const wall = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    clearInterval(sampler);
    setRequestLogger(null);

    // What the sessions hold once finished (still referenced by the run), after a full GC.
    global.gc?.();
    const retained = process.memoryUsage().heapUsed;
    const held = [...sessions.values()].map((x) => ({
      logs: x.state.logs.size,
      events: x.state.events.size,
      snapshots: x.state.snapshots.size,
      recorded: x.recorded.length,
    }));
    const perSession = [...sessions.values()].map((x) => x.watchStats.reduce((a, w) => a + w.watches, 0));
    const opened = [...sessions.values()].map((x) => x.watchStats.length);
    const ready = [...outcomes.values()].filter((o) => o === 'ready').length;
    s.add(
      row('pods', 'pods traced (sessions) / Ready', 'pods', sessions.size, {
        detail: `${ready} ready, outcomes ${JSON.stringify(Object.fromEntries([...new Set(outcomes.values())].map((o) => [o, [...outcomes.values()].filter((x) => x === o).length])))}; overall ${outcome}; ${steps} step updates`,
      }),
    );
    s.add(row('wall', 'rollout traced, apply → every session finished', 's', wall / 1000));
    s.add(
      row('watch-per-pod', 'watches opened per traced pod (distinct watches)', 'watches', opened, {
        goal: { stat: 'max', op: '<=', value: 3, text: '≤ 3 watches per traced pod' },
      }),
    );
    s.add(
      row('watch-req-per-pod', 'watch requests per traced pod (incl. resumes)', 'requests', perSession, {
        goal: { stat: 'max', op: '<=', value: 3, text: '≤ 3 watches per traced pod' },
      }),
    );
    s.add(
      row('cluster-lists', 'cluster-wide lists or watches', 'requests', counts.clusterWideLists, {
        goal: { stat: 'value', op: '==', value: 0, text: '0 cluster-wide lists' },
        detail: counts.clusterWide.slice(0, 5).join(', ') || 'none',
      }),
    );
    s.add(
      row('requests', 'requests to the apiserver, total', 'requests', counts.total, {
        detail: `${counts.watches} watch, ${counts.lists} list, ${counts.gets} get, ${counts.nodeProxy} node proxy, ${counts.writes} write, ${counts.other} other; ${(counts.total / Math.max(1, sessions.size)).toFixed(1)} per pod`,
      }),
    );
    s.add(
      row('tcp', 'TCP connections opened (loopback proxy)', 'connections', proxy.accepted, {
        detail: `${proxy.open} still open at the end`,
      }),
    );
    s.add(
      row('heap', 'process heap, peak (heapUsed)', 'MB', peakHeap / MB, {
        goal: { stat: 'value', op: '<=', value: 150, text: '≤ 150 MB heap' },
        detail: `at start ${(base.heapUsed / MB).toFixed(1)} MB; samples every 250 ms (median ${heapSamples.sort((a, b) => a - b)[Math.floor(heapSamples.length / 2)]?.toFixed(1)} MB)`,
      }),
    );
    s.add(
      row(
        'heap-retained',
        'process heap after the rollout, after a full GC (sessions still referenced)',
        'MB',
        retained / MB,
      ),
    );
    s.add(
      row(
        'held-logs',
        'runtime/kubelet log records held per session (TraceState.logs)',
        'records',
        held.map((h) => h.logs),
        {
          detail: `sum over sessions ${held.reduce((a, h) => a + h.logs, 0).toLocaleString('en-US')}; evidence recorded per session median ${held.map((h) => h.recorded).sort((a, b) => a - b)[Math.floor(held.length / 2)] ?? 0}`,
        },
      ),
    );
    s.add(row('rss', 'process RSS, peak', 'MB', peakRss / MB, { detail: `at start ${(base.rss / MB).toFixed(1)} MB` }));
    s.add(
      row(
        'cpu',
        'process CPU (user+system) over the rollout',
        '% of one core',
        ((cpu.user + cpu.system) / 1000 / wall) * 100,
        { detail: `${((cpu.user + cpu.system) / 1e6).toFixed(1)} s CPU in ${(wall / 1000).toFixed(1)} s` },
      ),
    );
    // A pod that did not become Ready is reported with what the trace says went wrong, so a number is
    // never read without knowing whether the cluster or the tracer was at fault.
    for (const [name, o] of outcomes) {
      if (o === 'ready') continue;
      const t = sessions.get(name)?.trace();
      const failed =
        t?.steps
          .filter((x) => x.status === 'failed')
          .map((x) => `${x.kind}${x.container ? ` ${x.container}` : ''}: ${x.message ?? ''}`) ?? [];
      const causes = t?.diagnosis.map((d) => `${d.cause}: ${d.message}`) ?? [];
      s.note(`Pod ${name} ended ${o}: failed steps [${failed.join('; ')}], diagnosis [${causes.join('; ')}].`);
    }
    s.facts.requestsByPath = counts.byPath;
    s.facts.loadavg = loadavg();
    s.note(
      `Requests by kind: ${Object.entries(counts.byPath)
        .sort((a, b) => b[1] - a[1])
        .slice(0, 12)
        .map(([k, v]) => `${k} ×${v}`)
        .join('; ')}.`,
    );

    // Cleanup inside the locked run: the cluster is shared.
    const tDel = performance.now();
    const nsName = ns;
    await kubectl(['-n', nsName, 'delete', 'deployment', 'bench-scale', '--wait=false']);
    await kubectl(['delete', 'namespace', nsName, '--wait=false']);
    const gone = await waitFor(
      `namespace ${nsName} gone`,
      async () =>
        (await kubectlResult(['get', 'namespace', nsName], { allowFailure: true })).code !== 0 ? true : undefined,
      { timeoutMs: 90_000, intervalMs: 1000 },
    ).catch(() => false);
    s.facts.cleanupMs = Math.round(performance.now() - tDel);
    if (!gone) s.note(`namespace ${ns} still terminating after 90 s (deletion continues in the background)`);
    ns = null;
    await sleep(100);
  } finally {
    disarm();
    setRequestLogger(null);
    await cleanup();
  }
});
