// Apply & trace, or attach, for one resolved target (target.ts): the one flow behind the CLI's
// `trace` and the editor's "Trace Pod Birth". Pods are traced by name; workloads through the pods
// they create (apply) or the newest pods they have (attach). Nothing is created unless `confirm`
// says who confirmed. Whatever fails before the run is running stops the sessions it started, and an
// apiserver rejection of a manifest document comes back with the document's lines ('rejected').

import type { Pod } from '../core/k8s-types.js';
import { applyConfirmed, dryRun, type ApplyPlan, type KubeObject } from './apply.js';
import { ClusterError, RunError } from './errors.js';
import { requestJson } from './http.js';
import { TraceSession, type Outcome, type SessionEvent, type SessionOptions } from './session.js';
import { manifestCauses, type ManifestCause, type ResolvedTarget } from './target.js';
import { podSelectorOf, WorkloadTracer } from './workload.js';

export interface RunRequest {
  readonly target: ResolvedTarget;
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
  /** The apiserver refused the manifest document: its message, and each field with its line. */
  | { readonly status: 'rejected'; readonly message: string; readonly causes: readonly ManifestCause[] }
  | { readonly status: 'running'; readonly run: TraceRun };

/** A running trace of one or more pods. */
export interface TraceRun {
  readonly sessions: ReadonlyMap<string, TraceSession>;
  /** The overall outcome: the first pod that did not become Ready decides; a timeout wins. */
  readonly finished: Promise<Outcome>;
  stop(): Promise<void>;
}

/** The sessions of one run, as they are created. */
class Sessions {
  readonly all = new Map<string, TraceSession>();
  constructor(private readonly req: RunRequest) {}

  create(name: string, uid?: string): TraceSession {
    const { target } = this.req;
    const s = new TraceSession({
      ...this.req.session,
      timeoutMs: this.req.timeoutMs,
      conn: target.conn,
      namespace: target.namespace,
      name,
      ...(uid ? { uid } : {}),
      onEvent: (e) => this.req.onEvent(name, e),
    });
    this.adopt(name, s);
    return s;
  }

  adopt(name: string, s: TraceSession): void {
    this.all.set(name, s);
    this.req.onPod(name, s);
  }

  running(finished: Promise<Outcome>, stop: () => Promise<void>): RunResult {
    return { status: 'running', run: { sessions: this.all, finished, stop } };
  }

  single(s: TraceSession): RunResult {
    return this.running(s.finished, () => s.stop());
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.all.values()].map((s) => s.stop()));
  }
}

export async function startRun(req: RunRequest): Promise<RunResult> {
  const sessions = new Sessions(req);
  try {
    return req.target.mode === 'attach' ? await attach(req, sessions) : await apply(req, sessions);
  } catch (e) {
    await sessions.stopAll();
    const document = req.target.document;
    if (e instanceof ClusterError && e.causes.length > 0 && document)
      return { status: 'rejected', message: e.message, causes: manifestCauses(e.causes, document) };
    throw e;
  }
}

async function attach(req: RunRequest, sessions: Sessions): Promise<RunResult> {
  const { traced, conn, namespace } = req.target;
  if (traced.kind === 'pod') return attachPod(req, sessions, traced.name);
  const obj = traced.object;
  if (obj.kind === 'Pod') {
    const name = obj.metadata?.name;
    if (!name)
      throw new RunError(
        'The Pod document has no metadata.name; a generateName pod can only be traced by applying it.',
      );
    return attachPod(req, sessions, name);
  }
  const names = await newestPods(req.target, obj);
  if (names.length === 0)
    return {
      status: 'not-found',
      message: `No pod of ${obj.kind ?? '?'}/${obj.metadata?.name ?? '?'} exists in namespace "${namespace}" (context ${conn.context}).`,
    };
  const picked = names.slice(0, req.target.maxPods).map((n) => sessions.create(n));
  await Promise.all(picked.map((s) => s.start()));
  return sessions.running(overall(picked.map((s) => s.finished)), async () => {
    await Promise.all(picked.map((s) => s.stop()));
  });
}

async function attachPod(req: RunRequest, sessions: Sessions, name: string): Promise<RunResult> {
  const s = sessions.create(name);
  await s.start();
  if (s.state.snapshots.size === 0) {
    await s.stop();
    return {
      status: 'not-found',
      message: `Pod "${name}" does not exist in namespace "${req.target.namespace}" (context ${req.target.conn.context}).`,
    };
  }
  return sessions.single(s);
}

async function apply(req: RunRequest, sessions: Sessions): Promise<RunResult> {
  const { traced, conn } = req.target;
  if (traced.kind !== 'object') throw new RunError('Only a manifest can be applied; a pod named alone is attached to.');
  const obj = traced.object;
  const plan = await dryRun(conn, obj);
  const confirmedBy = req.confirm ? await req.confirm(plan) : null;
  if (!confirmedBy) return { status: 'declined', plan };

  if (obj.kind === 'Pod' && obj.metadata?.name) {
    // Watch before the create returns, so the very first state is received live.
    const s = sessions.create(obj.metadata.name);
    await s.start();
    const created = await applyConfirmed(conn, obj, plan, { confirmedBy });
    if (created.metadata?.uid) s.expectUid(created.metadata.uid);
    return sessions.single(s);
  }
  if (obj.kind === 'Pod') {
    // generateName: the name is known only from the create response; the watch lists first, so
    // nothing is lost, only the first receive time is later.
    const created = await applyConfirmed(conn, obj, plan, { confirmedBy });
    const s = sessions.create(created.metadata?.name ?? '', created.metadata?.uid);
    await s.start();
    return sessions.single(s);
  }
  return applyWorkload(req, sessions, obj, plan, confirmedBy);
}

async function applyWorkload(
  req: RunRequest,
  sessions: Sessions,
  obj: KubeObject,
  plan: ApplyPlan,
  confirmedBy: string,
): Promise<RunResult> {
  const { conn, namespace, maxPods } = req.target;
  const tracer = new WorkloadTracer({
    conn,
    namespace,
    workload: obj,
    notBeforeMs: Date.now(),
    maxPods,
    session: { ...req.session, timeoutMs: req.timeoutMs },
    onEvent: (e) => {
      if (e.type === 'pod') req.onEvent(e.name, e.event);
      if (e.type === 'pod-found') {
        const s = tracer.sessions.get(e.name);
        if (s) sessions.adopt(e.name, s);
      }
      if (e.type === 'owner-failed') req.onOwnerFailed?.(e.owner, e.message, e.count);
    },
  });
  await tracer.start();
  try {
    await applyConfirmed(conn, obj, plan, { confirmedBy });
  } catch (e) {
    await tracer.stop();
    throw e;
  }
  const timer = new Promise<'timeout'>((res) => setTimeout(() => res('timeout'), req.timeoutMs).unref?.());
  const finished = Promise.race([tracer.finished.then(() => 'done' as const), timer]).then(async (res) => {
    await tracer.stop();
    const outcome = await overall([...sessions.all.values()].map((s) => s.finished));
    return res === 'timeout' ? 'timeout' : outcome;
  });
  return sessions.running(finished, () => tracer.stop());
}

/** The workload's pods by its selector (one namespaced, label-selected list), newest first. */
async function newestPods(target: ResolvedTarget, obj: KubeObject): Promise<string[]> {
  const selector = podSelectorOf(obj);
  if (!selector)
    throw new RunError(
      `The ${obj.kind ?? 'workload'} has no selector or template labels to find its pods by: add spec.selector.matchLabels.`,
    );
  const list = await requestJson<{ items?: Pod[] }>(target.conn, {
    method: 'GET',
    path: `/api/v1/namespaces/${encodeURIComponent(target.namespace)}/pods`,
    query: { labelSelector: selector },
    describe: { verb: 'list', resource: 'pods', namespace: target.namespace },
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
