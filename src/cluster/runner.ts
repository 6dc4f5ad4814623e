// Apply & trace, or attach, for one manifest document: the one flow behind the CLI's `trace` and the
// editor's "Trace Pod Birth". Pods are traced by name; workloads through the pods they create (apply)
// or the newest pods they have (attach). Nothing is created unless `confirm` says who confirmed.

import type { Pod } from '../core/k8s-types.js';
import { applyConfirmed, dryRun, type ApplyPlan, type KubeObject } from './apply.js';
import { requestJson } from './http.js';
import type { Connection } from './kubeconfig.js';
import { TraceSession, type Outcome, type SessionEvent, type SessionOptions } from './session.js';
import { WorkloadTracer } from './workload.js';

export type TraceMode = 'apply' | 'attach';

export interface RunRequest {
  readonly conn: Connection;
  readonly obj: KubeObject;
  readonly namespace: string;
  readonly mode: TraceMode;
  /** Workloads: how many of their pods to trace. */
  readonly maxPods: number;
  readonly timeoutMs: number;
  readonly session: Omit<SessionOptions, 'conn' | 'namespace' | 'name' | 'onEvent' | 'uid' | 'timeoutMs'>;
  /** Apply: shown the dry-run plan; resolves with who confirmed (e.g. "modal", "--yes") or null to cancel. */
  readonly confirm?: (plan: ApplyPlan) => Promise<string | null>;
  /** A pod is being traced (called before its first event). */
  readonly onPod: (name: string, session: TraceSession) => void;
  readonly onEvent: (name: string, e: SessionEvent) => void;
  /** A workload's controller could not create pods (quota, admission). */
  readonly onOwnerFailed?: (owner: string, message: string, count: number) => void;
}

export type RunResult =
  | { readonly status: 'declined'; readonly plan: ApplyPlan }
  | { readonly status: 'not-found'; readonly message: string }
  | { readonly status: 'running'; readonly run: TraceRun };

/** A running trace of one or more pods. */
export interface TraceRun {
  readonly sessions: ReadonlyMap<string, TraceSession>;
  /** The overall outcome: the first pod that did not become Ready decides; a timeout wins. */
  readonly finished: Promise<Outcome>;
  stop(): Promise<void>;
}

/** A plain failure the caller shows as is (no such pod, a workload without selector). */
export class RunError extends Error {}

export async function startRun(req: RunRequest): Promise<RunResult> {
  // The object goes where it is traced: the namespace of the request, whatever the document says.
  const r: RunRequest = { ...req, obj: { ...req.obj, metadata: { ...req.obj.metadata, namespace: req.namespace } } };
  const sessions = new Map<string, TraceSession>();
  const newSession = (name: string, uid?: string): TraceSession => {
    const s = new TraceSession({
      ...r.session,
      timeoutMs: r.timeoutMs,
      conn: r.conn,
      namespace: r.namespace,
      name,
      ...(uid ? { uid } : {}),
      onEvent: (e) => r.onEvent(name, e),
    });
    sessions.set(name, s);
    r.onPod(name, s);
    return s;
  };
  const single = (s: TraceSession): RunResult => ({
    status: 'running',
    run: { sessions, finished: s.finished, stop: () => s.stop() },
  });

  if (r.mode === 'attach') {
    if (r.obj.kind === 'Pod') {
      const name = r.obj.metadata?.name;
      if (!name)
        throw new RunError(
          'The Pod document has no metadata.name; a generateName pod can only be traced by applying it.',
        );
      return attachPod(r, newSession(name), name);
    }
    const names = await newestPods(r);
    if (names.length === 0)
      return {
        status: 'not-found',
        message: `No pod of ${r.obj.kind ?? '?'}/${r.obj.metadata?.name ?? '?'} exists in namespace "${r.namespace}" (context ${r.conn.context}).`,
      };
    const picked = names.slice(0, r.maxPods).map((n) => newSession(n));
    await Promise.all(picked.map((s) => s.start()));
    return {
      status: 'running',
      run: {
        sessions,
        finished: overall(picked.map((s) => s.finished)),
        stop: async () => void (await Promise.all(picked.map((s) => s.stop()))),
      },
    };
  }

  const plan = await dryRun(r.conn, r.obj);
  const confirmedBy = r.confirm ? await r.confirm(plan) : null;
  if (!confirmedBy) return { status: 'declined', plan };

  if (r.obj.kind === 'Pod' && r.obj.metadata?.name) {
    // Watch before the create returns, so the very first state is received live.
    const s = newSession(r.obj.metadata.name);
    await s.start();
    try {
      const created = await applyConfirmed(r.conn, r.obj, plan, { confirmedBy });
      if (created.metadata?.uid) s.expectUid(created.metadata.uid);
    } catch (e) {
      await s.stop();
      throw e;
    }
    return single(s);
  }
  if (r.obj.kind === 'Pod') {
    // generateName: the name is known only from the create response; the watch lists first, so
    // nothing is lost, only the first receive time is later.
    const created = await applyConfirmed(r.conn, r.obj, plan, { confirmedBy });
    const s = newSession(created.metadata?.name ?? '', created.metadata?.uid);
    await s.start();
    return single(s);
  }

  const startedMs = Date.now();
  const tracer = new WorkloadTracer({
    conn: r.conn,
    namespace: r.namespace,
    workload: r.obj,
    notBeforeMs: startedMs,
    maxPods: r.maxPods,
    session: { ...r.session, timeoutMs: r.timeoutMs },
    onEvent: (e) => {
      if (e.type === 'pod') r.onEvent(e.name, e.event);
      if (e.type === 'pod-found') {
        const s = tracer.sessions.get(e.name);
        if (s) {
          sessions.set(e.name, s);
          r.onPod(e.name, s);
        }
      }
      if (e.type === 'owner-failed') r.onOwnerFailed?.(e.owner, e.message, e.count);
    },
  });
  await tracer.start();
  try {
    await applyConfirmed(r.conn, r.obj, plan, { confirmedBy });
  } catch (e) {
    await tracer.stop();
    throw e;
  }
  const timer = new Promise<'timeout'>((res) => setTimeout(() => res('timeout'), r.timeoutMs).unref?.());
  const finished = Promise.race([tracer.finished.then(() => 'done' as const), timer]).then(async (res) => {
    await tracer.stop();
    const outcome = await overall([...sessions.values()].map((s) => s.finished));
    return res === 'timeout' ? 'timeout' : outcome;
  });
  return { status: 'running', run: { sessions, finished, stop: () => tracer.stop() } };
}

async function attachPod(r: RunRequest, s: TraceSession, name: string): Promise<RunResult> {
  await s.start();
  if (s.state.snapshots.size === 0) {
    await s.stop();
    return {
      status: 'not-found',
      message: `Pod "${name}" does not exist in namespace "${r.namespace}" (context ${r.conn.context}).`,
    };
  }
  return { status: 'running', run: { sessions: new Map([[name, s]]), finished: s.finished, stop: () => s.stop() } };
}

/** The workload's pods by its selector (one namespaced, label-selected list), newest first. */
async function newestPods(r: RunRequest): Promise<string[]> {
  const spec = r.obj.spec as
    | {
        selector?: { matchLabels?: Record<string, string> };
        jobTemplate?: { spec?: { template?: { metadata?: { labels?: Record<string, string> } } } };
      }
    | undefined;
  const labels = spec?.selector?.matchLabels ?? spec?.jobTemplate?.spec?.template?.metadata?.labels ?? {};
  const selector = Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  if (!selector)
    throw new RunError(`The ${r.obj.kind ?? 'workload'} has no spec.selector.matchLabels to find its pods by.`);
  const list = await requestJson<{ items?: Pod[] }>(r.conn, {
    method: 'GET',
    path: `/api/v1/namespaces/${encodeURIComponent(r.namespace)}/pods`,
    query: { labelSelector: selector },
    describe: { verb: 'list', resource: 'pods', namespace: r.namespace },
  });
  return (list.items ?? [])
    .sort((a, b) => (b.metadata?.creationTimestamp ?? '').localeCompare(a.metadata?.creationTimestamp ?? ''))
    .map((p) => p.metadata?.name ?? '')
    .filter(Boolean);
}

async function overall(all: readonly Promise<Outcome>[]): Promise<Outcome> {
  const outcomes = await Promise.all(all);
  return (
    outcomes.find((o) => o === 'timeout') ??
    outcomes.find((o) => o !== 'ready' && o !== 'succeeded') ??
    outcomes[0] ??
    'stopped'
  );
}
