// Host decisions behind "Trace Rollout", with VS Code and the cluster behind small fakes: which
// documents have a rollout, trust, the same apply confirmation as every apply, the tracer's watches
// opened before the apply, its reports into the rollout registry, a pod's diagram from the tracer's
// trace (following its events only when opened), and the end of the rollout ending those diagrams.
// Reports and traces are the core's folds of real recorded pods. (The real run is test/e2e/rollout.)

import { describe, expect, it } from 'vitest';
import {
  confirmationText,
  type ApplyPlan,
  type RolloutRequest,
  type RolloutRunResult,
  type RolloutTracer,
} from '../../../src/cluster/index.js';
import { parseManifest } from '../../../src/core/manifest/index.js';
import type { Trace } from '../../../src/core/model.js';
import type { RolloutReport } from '../../../src/core/rollout/report.js';
import {
  endOpenedPods,
  followPodEvent,
  podTraceEntry,
  rolloutRefusal,
  traceRollout,
  type RolloutClusterModule,
  type RolloutFlowDeps,
} from '../../../src/extension/rollout-flow.js';
import { MAX_ROLLOUTS, RolloutRegistry, type RolloutEntry } from '../../../src/extension/rollout-registry.js';
import { traceTarget, type FlowDeps, type HostUi } from '../../../src/extension/trace-flow.js';
import { TraceRegistry } from '../../../src/extension/trace-registry.js';
import { recordedTrace } from '../../support/recorded.js';
import { recordedRollout } from '../../support/rollout-recorded.js';
import { resolveOnFake } from '../cluster/fakes.js';

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 3
  selector:
    matchLabels: { app: web }
  template:
    metadata:
      labels: { app: web }
    spec:
      containers:
        - name: web
          image: busybox:1.36
`;
const POD = `apiVersion: v1
kind: Pod
metadata:
  name: hello
spec:
  containers:
    - name: c
      image: busybox:1.36
`;
const deployment = parseManifest(DEPLOYMENT).documents[0]!;
const pod = parseManifest(POD).documents[0]!;
const plan: ApplyPlan = {
  context: 'dev',
  server: 'https://10.0.0.1:6443',
  namespace: 'team-a',
  kind: 'Deployment',
  name: 'web',
  dryRun: {},
};

interface FakeTracer {
  stopped: number;
  finish(): void;
  finished: Promise<void>;
  stop(): void;
  report(): RolloutReport;
  traceOf(name: string): Trace | undefined;
}

interface Fake {
  deps: RolloutFlowDeps;
  ui: HostUi & { errors: string[]; confirms: string[] };
  rollouts: RolloutRegistry;
  calls: string[];
  request: () => RolloutRequest;
  started: RolloutEntry[];
  tracer: FakeTracer;
}

/**
 * The cluster module with startRollout faked as the real one behaves (src/cluster/rollout-run.ts):
 * attach reads the newest pods; apply dry-runs, asks `confirm`, opens the watches, then applies; a
 * report may come before it returns; `finished` resolves once every pod ended, after a last report.
 */
function fake(
  o: { trusted?: boolean; mode?: 'apply' | 'attach' | null; confirm?: boolean; result?: 'rejected' | 'not-found' } = {},
): Fake {
  const errors: string[] = [];
  const confirms: string[] = [];
  const calls: string[] = [];
  const started: RolloutEntry[] = [];
  let request: RolloutRequest | null = null;
  let finish = (): void => undefined;
  const ended = new Promise<void>((r) => (finish = r));
  const traces = new Map<string, Trace>([
    ['web-1', recordedTrace('fresh-pull')],
    [recordedRollout(3).pods[0]!.name, recordedTrace('image-present')],
  ]);
  const tracer: FakeTracer = {
    stopped: 0,
    finished: ended,
    finish: () => finish(),
    stop: () => {
      tracer.stopped++;
      request?.onReport({ ...recordedRollout(3), live: false });
    },
    report: (): RolloutReport => recordedRollout(3, { live: tracer.stopped === 0 }),
    traceOf: (name: string) => traces.get(name),
  };
  const ui = {
    errors,
    confirms,
    isTrusted: () => o.trusted ?? true,
    pickMode: async () => (o.mode === undefined ? 'apply' : o.mode),
    confirmApply: async (question: string, detail: string) => {
      confirms.push(`${question} | ${detail}`);
      return o.confirm ?? true;
    },
    error: (m: string) => void errors.push(m),
    info: () => undefined,
    withProgress: <T>(_t: string, task: (report: (m: string) => void, cancelled: Promise<void>) => Promise<T>) =>
      task(() => undefined, new Promise<void>(() => undefined)),
    log: { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined },
  };
  const startRollout = async (r: RolloutRequest): Promise<RolloutRunResult> => {
    request = r;
    if (r.subject.kind !== 'target') throw new Error('the view traces manifest targets');
    const { target } = r.subject;
    if (o.result === 'not-found') return { status: 'not-found', message: 'Deployment "web" has no pod.' };
    if (o.result === 'rejected')
      return {
        status: 'rejected',
        message: 'Deployment.apps "web" is invalid',
        causes: [{ path: 'spec.replicas', line: 6, message: 'must be greater than or equal to 0' }],
      };
    if (target.mode === 'apply') {
      calls.push('dry-run');
      const by = await r.confirm?.(plan);
      if (!by) return { status: 'declined', plan };
      calls.push('watch', `apply by ${by}`);
    } else calls.push('watch newest revision');
    r.onReport(recordedRollout(2, { live: true }));
    const finished = ended.then(() => {
      tracer.stop();
      return 'done' as const;
    });
    return { status: 'running', tracer: tracer as unknown as RolloutTracer, finished };
  };
  const cluster: RolloutClusterModule = {
    resolveTarget: (t, opts = {}) => resolveOnFake(t, opts),
    startRollout,
    confirmationText,
    setRequestLogger: () => undefined,
  };
  const rollouts = new RolloutRegistry();
  const deps: RolloutFlowDeps = {
    ui,
    cluster: () => cluster,
    rollouts,
    settings: () => ({ namespace: 'team-a', nodeLogs: true, timeoutMs: 60_000, maxPods: 3 }),
    onStarted: (e) => void started.push(e),
  };
  return {
    deps,
    ui,
    rollouts,
    calls,
    started,
    tracer,
    request: () => {
      if (!request) throw new Error('startRollout was not called');
      return request;
    },
  };
}

const target = { kind: 'manifest' as const, document: deployment, source: 'file:///w/web.yaml' };

describe('rollout flow', () => {
  it('only workloads have a rollout; a Pod or a Service is told what to do instead', () => {
    for (const k of ['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'Job'])
      expect(rolloutRefusal(k)).toBeNull();
    expect(rolloutRefusal('Pod')).toMatch(/Trace Pod Birth/);
    expect(rolloutRefusal('Service')).toMatch(/Deployment, StatefulSet, DaemonSet, Job or ReplicaSet/);
  });

  it('a Pod document is refused before any cluster call', async () => {
    const f = fake();
    expect(await traceRollout(f.deps, { ...target, document: pod })).toBeNull();
    expect(f.calls).toEqual([]);
    expect(f.ui.errors[0]).toMatch(/a Pod is one pod/);
  });

  it('refuses to apply in an untrusted workspace; attaching (the newest revision) still works', async () => {
    const f = fake({ trusted: false });
    expect(await traceRollout(f.deps, target)).toBeNull();
    expect(f.ui.errors[0]).toMatch(/untrusted workspace/);
    expect(f.calls).toEqual([]);
    const g = fake({ trusted: false, mode: 'attach' });
    const entry = await traceRollout(g.deps, target);
    expect(entry).not.toBeNull();
    expect(g.calls).toEqual(['watch newest revision']);
    expect(g.request().subject).toMatchObject({ kind: 'target', target: { mode: 'attach', namespace: 'team-a' } });
  });

  it('asks the same modal as every apply; declining creates nothing and opens no watch', async () => {
    const f = fake({ confirm: false });
    expect(await traceRollout(f.deps, target)).toBeNull();
    expect(f.ui.confirms).toEqual([
      'Apply Deployment "web" to namespace "team-a" of context "dev" (https://10.0.0.1:6443)? | Context: dev\nCluster: https://10.0.0.1:6443\nNamespace: team-a',
    ]);
    expect(f.calls).toEqual(['dry-run']);
    expect(f.rollouts.list()).toEqual([]);
  });

  it('confirmed: the rollout runs, its reports reach the registry (one before start returned too), the view opens, the end is not live', async () => {
    const f = fake();
    const entry = await traceRollout(f.deps, target);
    expect(f.calls).toEqual(['dry-run', 'watch', 'apply by modal']);
    expect(f.request()).toMatchObject({ maxPods: 1000, timeoutMs: 60_000, session: { nodeLogs: true } });
    expect(entry).toMatchObject({ title: 'Deployment team-a/web', where: 'context dev', live: true });
    expect(f.started).toEqual([entry]);
    // The report made during the apply was kept for the entry.
    expect(entry?.report?.pods).toHaveLength(2);
    const live = recordedRollout(3, { live: true });
    f.request().onReport(live);
    expect(f.rollouts.get(entry!.id)?.report).toBe(live);
    f.tracer.finish();
    await new Promise((r) => setTimeout(r, 0));
    expect(f.tracer.stopped).toBe(1);
    expect(f.rollouts.get(entry!.id)).toMatchObject({ live: false, stop: null, report: { live: false } });
  });

  it('a rejected manifest names the fields and their lines; a missing workload says to apply it', async () => {
    const f = fake({ result: 'rejected' });
    expect(await traceRollout(f.deps, target)).toBeNull();
    expect(f.ui.errors[0]).toBe(
      'Pod Birth: the apiserver rejected the manifest: spec.replicas (line 6): must be greater than or equal to 0',
    );
    const g = fake({ result: 'not-found', mode: 'attach' });
    expect(await traceRollout(g.deps, target)).toBeNull();
    expect(g.ui.errors[0]).toMatch(/has no pod\. Choose "Apply & trace"/);
    expect(g.rollouts.list()).toEqual([]);
  });

  it('the workload trace pick offers the whole rollout, and hands it to the rollout flow', async () => {
    const f = fake();
    const handed: string[] = [];
    const flow: FlowDeps = {
      ui: { ...f.ui, pickMode: async (_s, _a, rollout) => (rollout ? 'rollout-apply' : 'apply') },
      cluster: () => {
        throw new Error('the pod flow must not run');
      },
      registry: new TraceRegistry(),
      settings: f.deps.settings,
      onRollout: async (t, mode) => void handed.push(`${t.document.kind} ${mode}`),
    };
    expect(await traceTarget(flow, target)).toEqual([]);
    expect(handed).toEqual(['Deployment apply']);
  });
});

describe('a pod of the rollout → its diagram', () => {
  it('opens the tracer’s trace once, follows only that pod, and ends it with the rollout', async () => {
    const f = fake();
    const entry = (await traceRollout(f.deps, target))!;
    const registry = new TraceRegistry();
    const opened = podTraceEntry(entry, 'web-1', registry);
    if (typeof opened === 'string') throw new Error(opened);
    expect(opened).toMatchObject({ title: 'pb-rollout/web-1', manifest: { uri: 'file:///w/web.yaml', docIndex: 0 } });
    expect(opened.trace).toBe(entry.traceOf('web-1'));
    // The same pod again: the same trace entry.
    expect(podTraceEntry(entry, 'web-1', registry)).toBe(opened);
    expect(typeof podTraceEntry(entry, 'not-traced', registry)).toBe('string');

    const next = recordedTrace('image-present');
    followPodEvent(entry, 'web-2', { type: 'steps', trace: next, added: [], updated: [] }, registry);
    expect(registry.list()).toHaveLength(1);
    followPodEvent(entry, 'web-1', { type: 'steps', trace: next, added: [], updated: [] }, registry);
    expect(registry.get(opened.id)?.trace).toBe(next);

    endOpenedPods(entry, registry);
    expect(registry.get(opened.id)).toMatchObject({ live: false, outcome: 'stopped' });
  });

  it('after the rollout: a pod that was Ready opens as ready, not stopped', async () => {
    const f = fake();
    const entry = (await traceRollout(f.deps, target))!;
    f.tracer.finish();
    await new Promise((r) => setTimeout(r, 0));
    expect(entry.live).toBe(false);
    const registry = new TraceRegistry();
    const ready = entry.report!.pods.find((p) => p.outcome === 'ready')!;
    const opened = podTraceEntry(entry, ready.name, registry);
    if (typeof opened === 'string') throw new Error(opened);
    expect(opened).toMatchObject({ live: false, outcome: 'ready' });
  });
});

describe('rollout registry', () => {
  it('keeps at most MAX_ROLLOUTS, dropping the oldest finished first, never a live one', () => {
    let t = 0;
    const r = new RolloutRegistry(() => ++t);
    const add = (): RolloutEntry =>
      r.add({
        title: `Deployment ns/w${t}`,
        where: 'x',
        manifest: null,
        traceOf: () => undefined,
        stop: () => undefined,
      });
    const first = add();
    r.finish(first.id);
    const live = Array.from({ length: MAX_ROLLOUTS }, add);
    expect(r.get(first.id)).toBeUndefined();
    expect(r.list()).toHaveLength(MAX_ROLLOUTS);
    add();
    expect(r.list().filter((e) => e.live)).toHaveLength(MAX_ROLLOUTS + 1);
    expect(live.every((e) => r.get(e.id))).toBe(true);
  });
});
