// Section 5 — Noise immunity. One pod is traced (startRun, apply) and kept under watch (the session's
// ready-settle time is stretched so its three watches stay open); then a separate process POSTs
// ~10,000 unrelated core/v1 Events a minute into the same namespace. We count what the trace's
// watches received (lines, via ResumableWatch.now) and what reached the fold (TraceState.add, by the
// event's involvedObject/regarding uid), and the tracer's CPU in a quiet window vs the noisy one.
// A parallel `kubectl get events --watch -o json` in the namespace shows what an unfiltered watch gets.

import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { loadConnection } from '../../src/cluster/kubeconfig.js';
import { startRun } from '../../src/cluster/runner.js';
import { resolveTargetOn } from '../../src/cluster/target.js';
import type { KubeObject } from '../../src/cluster/apply.js';
import type { Evidence } from '../../src/core/trace/index.js';
import { createNamespace, ensureImagePresent } from '../../test/cluster/harness.js';
import {
  cleanupOnSignal,
  dropNamespace,
  instrumentWatches,
  kubectlWatchCount,
  requireCluster,
  watchLinesReceived,
  watchdog,
} from '../lib/cluster.js';
import { Section, row, runSection, sleep, withRatio } from '../lib/report.js';

const QUICK = process.env.BENCH_QUICK === '1';
const QUIET_MS = QUICK ? 10_000 : 20_000;
const NOISE_MS = QUICK ? 15_000 : 40_000;
const PER_MIN = 10_000;

interface Window {
  lines: number;
  own: number;
  foreign: number;
  cpuMs: number;
  wallMs: number;
}

void runSection(new Section('noise', '5. Noise immunity (10,000 unrelated Events/min)'), async (s) => {
  const env = requireCluster();
  let ns: string | null = null;
  let stopRun: (() => Promise<void>) | null = null;
  const cleanup = async (): Promise<void> => {
    await stopRun?.().catch(() => undefined);
    await dropNamespace(ns);
  };
  const disarm = watchdog(270_000, 'noise', cleanup);
  cleanupOnSignal(cleanup);
  try {
    instrumentWatches();
    ns = await createNamespace('pb-bench-noise');
    await ensureImagePresent(ns, 'busybox:1.36');
    const conn = loadConnection({ kubeconfig: env.kubeconfig, namespace: ns });
    let uid = '';
    let own = 0;
    let foreign = 0;
    let ready = false;
    const obj: KubeObject = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'traced', namespace: ns },
      spec: {
        terminationGracePeriodSeconds: 0,
        containers: [
          { name: 'main', image: 'busybox:1.36', imagePullPolicy: 'IfNotPresent', command: ['sleep', '3600'] },
        ],
      },
    };
    const res = await startRun({
      target: resolveTargetOn(conn, { kind: 'object', object: obj, mode: 'apply' }),
      timeoutMs: 200_000,
      // Keep the trace (and its watches) running well past Ready, through both windows.
      session: { readySettleMs: 180_000 },
      confirm: async () => 'bench',
      onPod: (_n, session) => {
        const add = session.state.add.bind(session.state);
        session.state.add = (ev: Evidence): boolean => {
          if (ev.type === 'event') {
            const o = ev.object as { involvedObject?: { uid?: string }; regarding?: { uid?: string } };
            const about = o.involvedObject?.uid ?? o.regarding?.uid ?? '';
            if (about && uid && about !== uid) foreign++;
            else own++;
          }
          if (ev.type === 'pod' && !uid) uid = ev.object.metadata?.uid ?? '';
          return add(ev);
        };
      },
      onEvent: (_n, e) => {
        if (e.type === 'steps' && e.trace.phase === 'ready') ready = true;
      },
    });
    if (res.status !== 'running') throw new Error(`startRun: ${res.status}`);
    stopRun = () => res.run.stop();
    for (let i = 0; i < 120 && !ready; i++) await sleep(250);
    s.log(`pod ${ready ? 'Ready' : 'not Ready after 30 s'}; quiet window starts`);
    await sleep(2000); // the last node-log read and event list settle

    const measure = async (ms: number, during?: () => Promise<unknown>): Promise<Window> => {
      const l0 = watchLinesReceived();
      const o0 = own;
      const f0 = foreign;
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      if (during) await during();
      else await sleep(ms);
      const c = process.cpuUsage(c0);
      return {
        lines: watchLinesReceived() - l0,
        own: own - o0,
        foreign: foreign - f0,
        cpuMs: (c.user + c.system) / 1000,
        wallMs: performance.now() - t0,
      };
    };

    const quiet = await measure(QUIET_MS);
    s.log(`quiet window done (${quiet.lines} lines); noise starts`);
    // Started before the noise; it first prints the events already there (the pod's own few).
    const kubectlCount = kubectlWatchCount(env, ns, 'events', 'Event', NOISE_MS / 1000 + 4);
    await sleep(1500);
    let gen: {
      sent: number;
      ok: number;
      failed: number;
      ms: number;
      perMinAchieved: number;
      statuses: Record<string, number>;
    } | null = null;
    const noisy = await measure(NOISE_MS, async () => {
      gen = await runGenerator(env.kubeconfig, ns as string, PER_MIN, NOISE_MS);
    });
    const kubectlSaw = await kubectlCount;
    const g = gen as {
      sent: number;
      ok: number;
      failed: number;
      ms: number;
      perMinAchieved: number;
      statuses: Record<string, number>;
    } | null;
    if (!g) throw new Error('the noise generator reported nothing');

    const pct = (w: Window): number => (w.cpuMs / w.wallMs) * 100;
    s.add(
      row('noise-created', 'unrelated Events created in the namespace (noise process)', 'events', g.ok, {
        detail: `${g.perMinAchieved.toFixed(0)}/min achieved over ${(g.ms / 1000).toFixed(1)} s (target ${PER_MIN}/min); ${g.failed} failed ${JSON.stringify(g.statuses)}`,
      }),
    );
    s.add(
      row(
        'kubectl-saw',
        'received by an unfiltered `kubectl get events --watch` (same namespace, incl. the pod’s own)',
        'events',
        kubectlSaw,
      ),
    );
    s.add(
      row(
        'lines',
        'received by the trace’s 3 watches during the noise (watch lines incl. bookmarks)',
        'lines',
        noisy.lines,
        { detail: `quiet window: ${quiet.lines} line(s) in ${(quiet.wallMs / 1000).toFixed(0)} s` },
      ),
    );
    s.add(
      row('processed', 'unrelated Events that reached the trace (onObject → TraceState.add)', 'events', noisy.foreign, {
        goal: { stat: 'value', op: '==', value: 0, text: '0 processed' },
        detail: `own-pod objects in the window: ${noisy.own}`,
      }),
    );
    const q = s.add(
      row('cpu-quiet', 'tracer process CPU, quiet window (trace running, no noise)', '% of one core', pct(quiet), {
        detail: `${quiet.cpuMs.toFixed(0)} ms CPU in ${(quiet.wallMs / 1000).toFixed(1)} s (node-log polls every 1.5 s)`,
      }),
    );
    s.add(
      withRatio(
        row('cpu-noise', 'tracer process CPU, noisy window', '% of one core', pct(noisy), {
          goal: { stat: 'value', op: '<=', value: 5, text: 'CPU near idle (≤ 5 % of a core)' },
          detail: `${noisy.cpuMs.toFixed(0)} ms CPU in ${(noisy.wallMs / 1000).toFixed(1)} s`,
        }),
        q,
      ),
    );
    s.facts.quiet = quiet;
    s.facts.noisy = noisy;
    s.facts.generator = g;
  } finally {
    disarm();
    await cleanup();
  }
});

function runGenerator(
  kubeconfig: string,
  namespace: string,
  perMin: number,
  ms: number,
): Promise<{
  sent: number;
  ok: number;
  failed: number;
  ms: number;
  perMinAchieved: number;
  statuses: Record<string, number>;
}> {
  return new Promise((resolveP, rejectP) => {
    const child = spawn(
      process.execPath,
      [join(__dirname, '..', 'results', '.build', 'noise-gen.cjs'), kubeconfig, namespace, String(perMin), String(ms)],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (c: string) => (out += c));
    child.on('close', (code) => {
      try {
        resolveP(JSON.parse(out.trim().split('\n').pop() ?? '') as never);
      } catch {
        rejectP(new Error(`noise generator exited ${code} without a summary`));
      }
    });
  });
}
