// Host decisions behind "Trace Pod Birth", with VS Code and the cluster behind small fakes: trust,
// confirmation, cancellation, errors mapped to manifest lines, and what ends up in the registry.
// (The real VS Code + real cluster run is the e2e suite.)

import { describe, expect, it, vi } from 'vitest';
import {
  ClusterError,
  confirmationText,
  type ApplyPlan,
  type RunRequest,
  type RunResult,
  type SessionEvent,
  type TraceSession,
} from '../../../src/cluster/index.js';
import { manifestCauses } from '../../../src/cluster/target.js';
import { parseManifest } from '../../../src/core/manifest/index.js';
import type { Trace } from '../../../src/core/model.js';
import {
  traceTarget,
  type ClusterModule,
  type EditorTarget,
  type FlowDeps,
  type HostUi,
} from '../../../src/extension/trace-flow.js';
import { TraceRegistry } from '../../../src/extension/trace-registry.js';
import { recordedTrace } from '../../support/recorded.js';
import { HELLO_POD_YAML, resolveOnFake } from '../cluster/fakes.js';

const doc = parseManifest(HELLO_POD_YAML).documents[0]!;
const plan: ApplyPlan = {
  context: 'dev',
  server: 'https://10.0.0.1:6443',
  namespace: 'team-a',
  kind: 'Pod',
  name: 'hello',
  dryRun: {},
};

interface Fake {
  deps: FlowDeps;
  ui: HostUi & { errors: string[]; confirms: { question: string; detail: string }[] };
  registry: TraceRegistry;
  startRun: ReturnType<typeof vi.fn>;
  emit: (name: string, e: SessionEvent) => void;
  stopped: string[];
}

function fake(
  opts: {
    trusted?: boolean;
    mode?: 'apply' | 'attach' | null;
    confirm?: boolean;
    run?: (r: RunRequest) => Promise<RunResult>;
    cancel?: boolean;
    loadFails?: boolean;
  } = {},
): Fake {
  const errors: string[] = [];
  const confirms: { question: string; detail: string }[] = [];
  const stopped: string[] = [];
  let request: RunRequest | null = null;
  const ui = {
    errors,
    confirms,
    isTrusted: () => opts.trusted ?? true,
    pickMode: async () => (opts.mode === undefined ? 'apply' : opts.mode),
    confirmApply: async (question: string, detail: string) => {
      confirms.push({ question, detail });
      return opts.confirm ?? true;
    },
    error: (m: string) => void errors.push(m),
    info: () => undefined,
    withProgress: <T>(_t: string, task: (report: (m: string) => void, cancelled: Promise<void>) => Promise<T>) =>
      task(() => undefined, opts.cancel ? Promise.resolve() : new Promise<void>(() => undefined)),
    log: { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined },
  };
  const defaultRun = async (r: RunRequest): Promise<RunResult> => {
    if (r.target.mode === 'apply') {
      const by = await r.confirm?.(plan);
      if (!by) return { status: 'declined', plan };
    }
    const session = { stop: async () => void stopped.push('hello') } as unknown as TraceSession;
    r.onPod('hello', session);
    return {
      status: 'running',
      run: {
        sessions: new Map([['hello', session]]),
        finished: new Promise(() => undefined),
        stop: async () => void stopped.push('run'),
      },
    };
  };
  const startRun = vi.fn(async (r: RunRequest) => {
    request = r;
    const p = (opts.run ?? defaultRun)(r);
    // The first state arrives right after the run starts.
    void p.then(
      (res) =>
        res.status === 'running' &&
        queueMicrotask(() =>
          r.onEvent('hello', { type: 'steps', trace: recordedTrace('fresh-pull'), added: [], updated: [] }),
        ),
      () => undefined,
    );
    return p;
  });
  // The real resolution on a fake connection: the settings' namespace, else the context's.
  const cluster: ClusterModule = {
    resolveTarget: (t, o = {}) => {
      if (opts.loadFails) throw new ClusterError('no-kubeconfig', 'No kubeconfig found (looked at /x).');
      return resolveOnFake(t, o);
    },
    startRun: startRun as unknown as ClusterModule['startRun'],
    confirmationText,
    setRequestLogger: () => undefined,
  };
  const registry = new TraceRegistry();
  const deps: FlowDeps = {
    ui,
    cluster: () => cluster,
    registry,
    settings: () => ({ namespace: 'team-a', nodeLogs: true, timeoutMs: 60_000, maxPods: 3 }),
  };
  return { deps, ui, registry, startRun, stopped, emit: (name, e) => request?.onEvent(name, e) };
}

const target: EditorTarget = { kind: 'manifest', document: doc, source: 'file:///w/pod.yaml' };

describe('trace flow', () => {
  it('refuses to apply in an untrusted workspace, before any cluster call', async () => {
    const f = fake({ trusted: false, mode: 'apply' });
    expect(await traceTarget(f.deps, target)).toEqual([]);
    expect(f.startRun).not.toHaveBeenCalled();
    expect(f.ui.errors[0]).toMatch(/untrusted workspace.*attach/);
  });

  it('attach still works in an untrusted workspace', async () => {
    const f = fake({ trusted: false, mode: 'attach' });
    const entries = await traceTarget(f.deps, target);
    expect(entries).toHaveLength(1);
    expect(f.startRun.mock.calls[0]?.[0]).toMatchObject({
      target: { mode: 'attach', namespace: 'team-a', maxPods: 1 },
    });
  });

  it('asks the modal naming context, server and namespace; declining applies nothing', async () => {
    const f = fake({ confirm: false });
    expect(await traceTarget(f.deps, target)).toEqual([]);
    expect(f.ui.confirms).toEqual([
      {
        question: 'Apply Pod "hello" to namespace "team-a" of context "dev" (https://10.0.0.1:6443)?',
        detail: 'Context: dev\nCluster: https://10.0.0.1:6443\nNamespace: team-a',
      },
    ]);
    expect(f.registry.list()).toEqual([]);
  });

  it('confirmed: passes who confirmed, registers the pod and follows its states to the end', async () => {
    let confirmedBy: string | null = null;
    const f = fake({
      run: async (r) => {
        confirmedBy = (await r.confirm?.(plan)) ?? null;
        r.onPod('hello', { stop: async () => undefined } as unknown as TraceSession);
        return {
          status: 'running',
          run: { sessions: new Map(), finished: new Promise(() => undefined), stop: async () => undefined },
        };
      },
    });
    const [entry] = await traceTarget(f.deps, target);
    expect(confirmedBy).toBe('modal');
    expect(entry).toMatchObject({
      title: 'team-a/hello',
      manifest: { uri: 'file:///w/pod.yaml', docIndex: 0 },
      live: true,
    });
    const done: Trace = recordedTrace('fresh-pull');
    f.emit('hello', { type: 'finished', trace: done, outcome: 'ready' });
    expect(f.registry.get(entry!.id)).toMatchObject({ live: false, outcome: 'ready', trace: done, stop: null });
  });

  it('cancelling the progress stops the run', async () => {
    const f = fake({
      cancel: true,
      run: async (r) => {
        r.onPod('hello', { stop: async () => undefined } as unknown as TraceSession);
        return {
          status: 'running',
          run: {
            sessions: new Map(),
            finished: new Promise(() => undefined),
            stop: async () => void f.stopped.push('run'),
          },
        };
      },
    });
    await traceTarget(f.deps, target);
    expect(f.stopped).toContain('run');
  });

  it('a dry-run rejection names the field and its manifest line', async () => {
    const f = fake({
      // What the runner returns for a 422 with field causes on a manifest document (runner.test.ts).
      run: async (r) => ({
        status: 'rejected',
        message: 'Pod "hello" is invalid',
        causes: manifestCauses(
          [{ field: 'spec.containers[0].image', message: 'Required value', reason: 'FieldValueRequired' }],
          r.target.document!,
        ),
      }),
    });
    await traceTarget(f.deps, target);
    expect(f.ui.errors).toEqual([
      'Pod Birth: the apiserver rejected the manifest: spec.containers[0].image (line 8): Required value',
    ]);
  });

  it('attach to a pod that does not exist says so and offers Apply', async () => {
    const f = fake({
      mode: 'attach',
      run: async () => ({
        status: 'not-found',
        message: 'Pod "hello" does not exist in namespace "team-a" (context dev).',
      }),
    });
    await traceTarget(f.deps, target);
    expect(f.ui.errors).toEqual([
      'Pod Birth: Pod "hello" does not exist in namespace "team-a" (context dev). Choose "Apply & trace" to create it.',
    ]);
  });

  it('no kubeconfig: one clear message, no run', async () => {
    const f = fake({ loadFails: true });
    await traceTarget(f.deps, target);
    expect(f.startRun).not.toHaveBeenCalled();
    expect(f.ui.errors).toEqual(['Pod Birth: No kubeconfig found (looked at /x).']);
  });

  it('a pod picked without a manifest: no mode asked, traced in the namespace it was picked in', async () => {
    const f = fake({ mode: null });
    const entries = await traceTarget(f.deps, { kind: 'pod', name: 'hello', namespace: 'team-c', context: 'prod' });
    expect(entries).toHaveLength(1);
    const request = f.startRun.mock.calls[0]?.[0] as RunRequest;
    expect(request.target).toMatchObject({
      mode: 'attach',
      namespace: 'team-c',
      traced: { kind: 'pod', name: 'hello' },
    });
    expect(entries[0]).toMatchObject({ title: 'team-c/hello', manifest: null });
  });

  it("an explorer pod without a namespace goes to the setting's; a workload follows podBirth.workloadPods pods", async () => {
    const f = fake({ mode: 'attach' });
    await traceTarget(f.deps, { kind: 'pod', name: 'hello', namespace: null });
    expect((f.startRun.mock.calls[0]?.[0] as RunRequest).target).toMatchObject({ namespace: 'team-a', maxPods: 1 });
    const deployment = parseManifest(
      'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: team-d\nspec:\n  template:\n    spec:\n      containers: []\n',
    ).documents[0]!;
    await traceTarget(f.deps, { kind: 'manifest', document: deployment, source: 'file:///w/web.yaml' });
    expect((f.startRun.mock.calls[1]?.[0] as RunRequest).target).toMatchObject({
      mode: 'attach',
      namespace: 'team-d',
      maxPods: 3,
      subject: 'Deployment/web',
    });
  });

  it('dismissing the mode pick does nothing', async () => {
    const f = fake({ mode: null });
    expect(await traceTarget(f.deps, target)).toEqual([]);
    expect(f.startRun).not.toHaveBeenCalled();
  });
});
