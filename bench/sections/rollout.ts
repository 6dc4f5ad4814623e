// Section 7 — Rollout: a 300-replica Deployment (busybox:1.36, sleeping, tiny requests) applied and
// traced with --all's flow (startRollout → RolloutTracer: one pod watch by label selector, one
// namespace event watch per Event API dispatched by uid, node reads shared per node). Requests are
// counted from http.ts's request logger (by kind) and by the tracer itself (report().api); heap and
// RSS sampled every 250 ms; the time from the last pod seen Ready to the first report showing every
// pod Ready; the cost of one report (folded rows cached) and of re-folding every pod. The node must
// hold 300 pods: `POD_BIRTH_MAX_PODS=330 npm run cluster:up` (kubelet maxPods); otherwise fewer
// replicas, with a note. Goals: watches independent of the pod count (≤ 5), ≤ 150 MB heap.

import { loadavg } from 'node:os';
import { loadConnection } from '../../src/cluster/kubeconfig.js';
import { setRequestLogger } from '../../src/cluster/http.js';
import { startRollout } from '../../src/cluster/rollout-run.js';
import { resolveTargetOn } from '../../src/cluster/target.js';
import type { KubeObject } from '../../src/cluster/apply.js';
import { buildRolloutReport, foldPod, type RolloutReport } from '../../src/core/rollout/index.js';
import {
  createNamespace,
  ensureImagePresent,
  kubectl,
  kubectlJson,
  kubectlResult,
  waitFor,
} from '../../test/cluster/harness.js';
import { cleanupOnSignal, dropNamespace, requireCluster, watchdog } from '../lib/cluster.js';
import { countRequest, emptyCounts } from '../lib/requests.js';
import { Section, row, runSection, sleep } from '../lib/report.js';

const QUICK = process.env.BENCH_QUICK === '1';
const REPLICAS = QUICK ? 30 : 300;
const MB = 1024 * 1024;

void runSection(new Section('rollout', `7. Rollout (${REPLICAS} pods traced with --all)`), async (s) => {
  const env = requireCluster();
  let ns: string | null = null;
  const cleanup = async (): Promise<void> => {
    if (ns)
      await kubectlResult(['-n', ns, 'delete', 'deployment', 'bench-rollout', '--ignore-not-found', '--wait=false'], {
        allowFailure: true,
      });
    await dropNamespace(ns);
  };
  const disarm = watchdog(285_000, 'rollout', cleanup);
  cleanupOnSignal(cleanup);
  try {
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
        `The node holds at most ${maxPods} pods and ${existing} exist: ${replicas} replicas instead of ${REPLICAS} (POD_BIRTH_MAX_PODS=330 npm run cluster:up raises the kubelet's maxPods).`,
      );

    ns = await createNamespace('pb-bench-rollout');
    await ensureImagePresent(ns, 'busybox:1.36');
    const conn = loadConnection({ kubeconfig: env.kubeconfig, namespace: ns });
    const counts = emptyCounts();
    setRequestLogger((line) => countRequest(counts, line));
    const deployment: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'bench-rollout', namespace: ns },
      spec: {
        replicas,
        selector: { matchLabels: { app: 'bench-rollout' } },
        template: {
          metadata: { labels: { app: 'bench-rollout' } },
          spec: {
            terminationGracePeriodSeconds: 0,
            containers: [
              {
                name: 'sleep',
                image: 'busybox:1.36',
                imagePullPolicy: 'IfNotPresent',
                command: ['sleep', '3600'],
                resources: { requests: { cpu: '1m', memory: '2Mi' } },
              },
            ],
          },
        },
      },
    };

    global.gc?.();
    const base = process.memoryUsage();
    let peakHeap = base.heapUsed;
    let peakRss = base.rss;
    const sampler = setInterval(() => {
      const m = process.memoryUsage();
      peakHeap = Math.max(peakHeap, m.heapUsed);
      peakRss = Math.max(peakRss, m.rss);
    }, 250);
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const readyAt = new Map<string, number>();
    let allReadyReportAt: number | null = null;
    let reports = 0;
    const reportMs: number[] = [];
    const res = await startRollout({
      subject: {
        kind: 'target',
        target: resolveTargetOn(conn, { kind: 'object', object: deployment, mode: 'apply' }, replicas),
      },
      timeoutMs: QUICK ? 90_000 : 240_000,
      maxPods: replicas,
      session: {},
      confirm: async () => 'bench',
      onPodEvent: (name, e) => {
        if (e.type === 'steps' && e.trace.phase === 'ready' && !readyAt.has(name)) readyAt.set(name, performance.now());
      },
      onReport: (r: RolloutReport) => {
        reports++;
        if (allReadyReportAt === null && r.pods.length >= replicas && r.pods.every((p) => p.outcome === 'ready'))
          allReadyReportAt = performance.now();
      },
    });
    if (res.status !== 'running') throw new Error(`startRollout: ${res.status}`);
    // While it runs: what one report costs (rows folded once per change, then cached).
    const timer = setInterval(() => {
      const a = performance.now();
      res.tracer.report();
      reportMs.push(performance.now() - a);
    }, 1000);
    const end = await res.finished;
    clearInterval(timer);
    const wall = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    clearInterval(sampler);
    setRequestLogger(null);
    const report = res.tracer.report();
    const api = report.api;

    global.gc?.();
    const retained = process.memoryUsage().heapUsed;
    const ready = report.pods.filter((p) => p.outcome === 'ready').length;
    const lastReady = Math.max(...readyAt.values());
    s.add(
      row('pods', 'pods traced / Ready', 'pods', report.pods.length, {
        detail: `${ready} ready; ended ${end}; ${reports} live reports; SLO p99 ${report.slo.p99Ms ?? '–'} ms (${report.slo.met ? 'met' : 'not met'})`,
      }),
    );
    s.add(row('wall', 'rollout traced, apply → every pod traced', 's', wall / 1000));
    s.add(
      row('watches', 'watches open (pods + events + owner), whole rollout', 'watches', api?.openWatches ?? Number.NaN, {
        goal: { stat: 'value', op: '<=', value: 5, text: 'watches independent of the pod count (≤ 5)' },
      }),
    );
    s.add(
      row('watch-requests', 'watch requests (incl. resumes)', 'requests', api?.watchRequests ?? Number.NaN, {
        detail: `from the request log: ${counts.watches}`,
      }),
    );
    s.add(
      row('requests', 'requests to the apiserver, total', 'requests', counts.total, {
        detail: `${counts.watches} watch, ${counts.lists} list, ${counts.gets} get, ${counts.nodeProxy} node proxy, ${counts.writes} write, ${counts.other} other; ${(counts.total / Math.max(1, report.pods.length)).toFixed(2)} per pod; the tracer counted ${api?.requests ?? '?'} (${api?.nodeReads ?? '?'} node reads)`,
      }),
    );
    s.add(
      row('cluster-lists', 'cluster-wide lists or watches', 'requests', counts.clusterWideLists, {
        goal: { stat: 'value', op: '==', value: 0, text: '0 cluster-wide lists' },
        detail: counts.clusterWide.slice(0, 5).join(', ') || 'none',
      }),
    );
    s.add(
      row('heap', 'tracer process heap, peak (heapUsed)', 'MB', peakHeap / MB, {
        goal: { stat: 'value', op: '<=', value: 150, text: '≤ 150 MB heap' },
        detail: `at start ${(base.heapUsed / MB).toFixed(1)} MB`,
      }),
    );
    s.add(row('heap-retained', 'heap after the rollout, after a full GC (traces still held)', 'MB', retained / MB));
    s.add(
      row('rss', 'tracer process RSS, peak', 'MB', peakRss / MB, {
        detail: `at start ${(base.rss / MB).toFixed(1)} MB`,
      }),
    );
    s.add(
      row('cpu', 'process CPU over the rollout', '% of one core', ((cpu.user + cpu.system) / 1000 / wall) * 100, {
        detail: `${((cpu.user + cpu.system) / 1e6).toFixed(1)} s CPU in ${(wall / 1000).toFixed(1)} s`,
      }),
    );
    s.add(
      row(
        'ready-to-report',
        'last pod seen Ready (its trace) → the first report with every pod Ready',
        'ms',
        allReadyReportAt !== null && Number.isFinite(lastReady) ? allReadyReportAt - lastReady : Number.NaN,
        { detail: 'reports are throttled to one per 250 ms' },
      ),
    );
    s.add(row('report-ms', 'report() while live (cached rows)', 'ms', reportMs));
    const refold: number[] = [];
    for (let i = 0; i < 5; i++) {
      const a = performance.now();
      buildRolloutReport(
        report.workload,
        [...res.tracer.sessions.keys()].map((n) =>
          foldPod(res.tracer.traceOf(n) ?? res.tracer.sessions.get(n)!.trace()),
        ),
        { live: false },
      );
      refold.push(performance.now() - a);
    }
    s.add(row('refold-ms', `every pod re-folded and the report built (${report.pods.length} pods)`, 'ms', refold));
    for (const p of report.pods.filter((x) => x.outcome !== 'ready').slice(0, 10))
      s.note(`Pod ${p.name} ended ${p.outcome}${p.reason ? `: ${p.reason.cause} — ${p.reason.text}` : ''}.`);
    s.facts.requestsByPath = counts.byPath;
    s.facts.percentiles = report.percentiles;
    s.facts.loadavg = loadavg();
    s.note(
      `Requests by kind: ${Object.entries(counts.byPath)
        .sort((a, b) => b[1] - a[1])
        .slice(0, 12)
        .map(([k, v]) => `${k} ×${v}`)
        .join('; ')}.`,
    );

    const nsName = ns;
    await kubectl(['-n', nsName, 'delete', 'deployment', 'bench-rollout', '--wait=false']);
    await kubectl(['delete', 'namespace', nsName, '--wait=false']);
    const gone = await waitFor(
      `namespace ${nsName} gone`,
      async () =>
        (await kubectlResult(['get', 'namespace', nsName], { allowFailure: true })).code !== 0 ? true : undefined,
      { timeoutMs: 120_000, intervalMs: 1000 },
    ).catch(() => false);
    if (!gone) s.note(`namespace ${ns} still terminating after 120 s (deletion continues in the background)`);
    ns = null;
    await sleep(100);
  } finally {
    disarm();
    setRequestLogger(null);
    await cleanup();
  }
});
