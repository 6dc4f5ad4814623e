// Host decisions behind "Trace Rollout", with VS Code and the cluster behind small fakes: which
// documents have a rollout, trust, the same apply confirmation as every apply, the tracer's watches
// opened before the apply, its reports into the rollout registry, a pod's diagram from the tracer's
// trace (following its events only when opened), and the end of the rollout ending those diagrams.
// Reports and traces are the core's folds of real recorded pods. (The real run is test/e2e/rollout.)

import { describe, expect, it } from 'vitest';
import {
  confirmationText,
  type ApplyPlan,
  type PodTraceEvent,
  type RolloutControl,
  type RolloutJob,
  type RolloutJobCallbacks,
  type RolloutJobRunner,
  type RolloutWhere,
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
  type RolloutFlowDeps,
} from '../../../src/extension/rollout-flow.js';
import {
  KEEP_TRACES,
  MAX_ROLLOUTS,
  RolloutRegistry,
  type RolloutEntry,
} from '../../../src/extension/rollout-registry.js';
import { traceTarget, type FlowDeps, type HostUi } from '../../../src/extension/trace-flow.js';
import { TraceRegistry } from '../../../src/extension/trace-registry.js';
import { recordedTrace } from '../../support/recorded.js';
import { recordedRollout } from '../../support/rollout-recorded.js';

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
  disposed: number;
  finish(): void;
  followed: string[];
}

interface Fake {
  deps: RolloutFlowDeps;
  ui: HostUi & { errors: string[]; confirms: string[] };
  rollouts: RolloutRegistry;
  calls: string[];
  request: () => { job: RolloutJob; cb: RolloutJobCallbacks };
  started: RolloutEntry[];
  tracer: FakeTracer;
  /** The window's traces: an opened pod's diagram (its events followed as the editor does). */
  registry: TraceRegistry;
}

const WHERE: RolloutWhere = {
  context: 'dev',
  server: 'https://10.0.0.1:6443',
  namespace: 'team-a',
  subject: 'Deployment/web',
  workload: { kind: 'Deployment', name: 'web' },
};

/**
 * The rollout job runner faked as the worker behaves (src/cluster/rollout-job.ts, run for real in
 * rollout-worker.test.ts): it resolves, then attach reads the newest pods; apply dry-runs, asks
 * `confirm`, opens the watches, then applies; a report may come before it returns; `finished`
 * resolves once every pod ended, after a last report; a followed pod's first event is its trace.
 */
function fake(
  o: { trusted?: boolean; mode?: 'apply' | 'attach' | null; confirm?: boolean; result?: 'rejected' | 'not-found' } = {},
): Fake {
  const errors: string[] = [];
  const confirms: string[] = [];
  const calls: string[] = [];
  const started: RolloutEntry[] = [];
  let request: { job: RolloutJob; cb: RolloutJobCallbacks } | null = null;
  let finish = (): void => undefined;
  const ended = new Promise<void>((r) => (finish = r));
  const traces = new Map<string, Trace>([
    ['web-1', recordedTrace('fresh-pull')],
    [recordedRollout(3).pods[0]!.name, recordedTrace('image-present')],
  ]);
  const tracer: FakeTracer = { stopped: 0, disposed: 0, finish: () => finish(), followed: [] };
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
  const startRollout: RolloutJobRunner = async (job, cb) => {
    request = { job, cb };
    cb.onResolved?.(WHERE);
    if (o.result === 'not-found') return { status: 'not-found', message: 'Deployment "web" has no pod.' };
    if (o.result === 'rejected')
      return {
        status: 'rejected',
        message: 'Deployment.apps "web" is invalid',
        causes: [{ path: 'spec.replicas', line: 6, message: 'must be greater than or equal to 0' }],
      };
    if (job.mode === 'apply') {
      calls.push('dry-run');
      const question = confirmationText(plan);
      const by = await cb.confirm(plan, question);
      if (!by) return { status: 'declined', plan, question };
      calls.push('watch', `apply by ${by}`);
    } else calls.push('watch newest revision');
    cb.onReport(recordedRollout(2, { live: true }));
    let live = true;
    const finished = ended.then(() => {
      tracer.stopped++;
      live = false;
      const report: RolloutReport = { ...recordedRollout(3), live: false };
      cb.onReport(report);
      return { how: 'done' as const, report };
    });
    const control: RolloutControl = {
      follow: async (pod) => {
        const trace = traces.get(pod);
        if (!trace) return false;
        tracer.followed.push(pod);
        const row = recordedRollout(3).pods.find((p) => p.name === pod);
        const ended = row && row.outcome !== 'running' && row.outcome !== 'pending';
        const first: PodTraceEvent =
          ended && !live
            ? { type: 'finished', trace, outcome: 'ready' }
            : live
              ? { type: 'steps', trace }
              : { type: 'finished', trace, outcome: 'stopped' };
        cb.onPodEvent(pod, first);
        return true;
      },
      stop: () => finish(),
      dispose: () => void tracer.disposed++,
    };
    return { status: 'running', where: WHERE, control, finished };
  };
  const rollouts = new RolloutRegistry();
  const registry = new TraceRegistry();
  const deps: RolloutFlowDeps = {
    ui,
    startRollout,
    rollouts,
    settings: () => ({ namespace: 'team-a', nodeLogs: true, timeoutMs: 60_000, maxPods: 3 }),
    onStarted: (e) => void started.push(e),
    onPodEvent: (entry, pod, e) => followPodEvent(entry, pod, e, registry),
  };
  return {
    deps,
    registry,
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
    expect(g.request().job).toMatchObject({ mode: 'attach', connect: { namespace: 'team-a' } });
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
    // The worker gets the manifest's text and the document's place in it, not a parsed tree.
    expect(f.request().job).toEqual({
      subject: { kind: 'manifest', text: DEPLOYMENT, index: 0, source: 'file:///w/web.yaml' },
      mode: 'apply',
      connect: { kubeconfig: undefined, context: undefined, namespace: 'team-a' },
      maxPods: 1000,
      timeoutMs: 60_000,
      session: { nodeLogs: true },
    });
    expect(entry).toMatchObject({ title: 'Deployment team-a/web', where: 'context dev', live: true });
    expect(f.started).toEqual([entry]);
    // The report made during the apply was kept for the entry.
    expect(entry?.report?.pods).toHaveLength(2);
    const live = recordedRollout(3, { live: true });
    f.request().cb.onReport(live);
    expect(f.rollouts.get(entry!.id)?.report).toBe(live);
    f.tracer.finish();
    await new Promise((r) => setTimeout(r, 0));
    expect(f.tracer.stopped).toBe(1);
    expect(f.rollouts.get(entry!.id)).toMatchObject({ live: false, stop: null, report: { live: false } });
    // Finished rollouts keep their worker (pods can still be opened) until the entry goes.
    expect(f.tracer.disposed).toBe(0);
    f.rollouts.remove(entry!.id);
    expect(f.tracer.disposed).toBe(1);
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
  it('opens the pod’s trace once, follows only that pod, and ends it with the rollout', async () => {
    const f = fake();
    const { registry } = f;
    const entry = (await traceRollout(f.deps, target))!;
    const opened = await podTraceEntry(entry, 'web-1', registry);
    if (typeof opened === 'string') throw new Error(opened);
    expect(opened).toMatchObject({
      title: 'pb-rollout/web-1',
      manifest: { uri: 'file:///w/web.yaml', docIndex: 0 },
      live: true,
      trace: recordedTrace('fresh-pull'),
    });
    // The same pod again: the same trace entry, not followed twice.
    expect(await podTraceEntry(entry, 'web-1', registry)).toBe(opened);
    expect(f.tracer.followed).toEqual(['web-1']);
    // A pod the tracer does not have: said why, and no empty diagram is left behind.
    expect(await podTraceEntry(entry, 'not-traced', registry)).toMatch(/not traced in this rollout/);
    expect(registry.list()).toHaveLength(1);

    const next = recordedTrace('image-present');
    followPodEvent(entry, 'web-2', { type: 'steps', trace: next }, registry);
    expect(registry.list()).toHaveLength(1);
    followPodEvent(entry, 'web-1', { type: 'steps', trace: next }, registry);
    expect(registry.get(opened.id)?.trace).toBe(next);

    endOpenedPods(entry, registry);
    expect(registry.get(opened.id)).toMatchObject({ live: false, outcome: 'stopped', trace: next });
  });

  it('after the rollout: a pod that was Ready opens as ready, not stopped', async () => {
    const f = fake();
    const entry = (await traceRollout(f.deps, target))!;
    f.tracer.finish();
    await new Promise((r) => setTimeout(r, 0));
    expect(entry.live).toBe(false);
    const ready = entry.report!.pods.find((p) => p.outcome === 'ready')!;
    const opened = await podTraceEntry(entry, ready.name, f.registry);
    if (typeof opened === 'string') throw new Error(opened);
    expect(opened).toMatchObject({ live: false, outcome: 'ready' });
  });

  it('a tracer that is gone (its worker died or was freed) is said, with what to do', async () => {
    const f = fake();
    const entry = (await traceRollout(f.deps, target))!;
    const gone = { ...entry, follow: () => Promise.reject(new Error('the rollout’s tracer process has ended')) };
    expect(await podTraceEntry(gone, 'web-1', f.registry)).toMatch(
      /no longer available .*has ended.*Trace the workload again/,
    );
    expect(f.registry.list()).toEqual([]);
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
        follow: async () => false,
        stop: () => undefined,
        dispose: () => undefined,
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

  it('only the newest finished rollouts keep their worker; an older one says its pods were released', async () => {
    let t = 0;
    const r = new RolloutRegistry(() => ++t);
    const disposed: string[] = [];
    const add = (): RolloutEntry => {
      const title = `w${t}`;
      return r.add({
        title,
        where: 'x',
        manifest: null,
        follow: async () => true,
        stop: () => undefined,
        dispose: () => void disposed.push(title),
      });
    };
    const entries = Array.from({ length: KEEP_TRACES + 1 }, add);
    expect(disposed).toEqual([]);
    for (const e of entries) r.finish(e.id);
    // The oldest finished one is released; its report stays in the window.
    expect(disposed).toEqual([entries[0]!.title]);
    expect(entries.map((e) => e.released)).toEqual([true, ...Array<boolean>(KEEP_TRACES).fill(false)]);
    expect(r.get(entries[0]!.id)).toBeDefined();
    expect(await podTraceEntry(entries[0]!, 'web-1', new TraceRegistry())).toMatch(/were released .*Attach to web-1/);
    // Removing a released rollout does not free its worker twice.
    r.remove(entries[0]!.id);
    expect(disposed.filter((d) => d === entries[0]!.title)).toHaveLength(1);
  });
});
