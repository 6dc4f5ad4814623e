// Apply & trace a rollout, or attach to one: the flow behind `pod-birth trace … --all` (and the
// rollout view's host), around a RolloutTracer. Apply asks first (the dry-run plan names what and
// where), opens the watches before the apply so no pod is missed, and traces the pods created from
// then on. Attach reads the workload by name (or from its manifest) and traces the pods of its newest
// revision: a Deployment's newest ReplicaSet (its pod-template-hash), a StatefulSet's update revision.

import type { RolloutReport } from '../core/rollout/report.js';
import { applyConfirmed, collectionPath, dryRun, type ApplyPlan, type KubeObject } from './apply.js';
import { ClusterError, RunError } from './errors.js';
import { requestJson } from './http.js';
import type { Connection } from './kubeconfig.js';
import { RolloutTracer, type RolloutOptions } from './rollout.js';
import type { SessionEvent } from './session.js';
import { manifestCauses, type ManifestCause, type ResolvedTarget } from './target.js';
import { podSelectorOf } from './workload.js';

/** The workload kinds a rollout is traced for, as `kubectl` names them (`deployment/web`). */
export const ROLLOUT_KINDS: Readonly<Record<string, string>> = {
  deployment: 'Deployment',
  deployments: 'Deployment',
  deploy: 'Deployment',
  replicaset: 'ReplicaSet',
  replicasets: 'ReplicaSet',
  rs: 'ReplicaSet',
  statefulset: 'StatefulSet',
  statefulsets: 'StatefulSet',
  sts: 'StatefulSet',
  daemonset: 'DaemonSet',
  daemonsets: 'DaemonSet',
  ds: 'DaemonSet',
  job: 'Job',
  jobs: 'Job',
};

export type RolloutSubject =
  /** A manifest document or object (apply, or attach to the object it names). */
  | { readonly kind: 'target'; readonly target: ResolvedTarget }
  /** A workload by kind and name, attached to. */
  | {
      readonly kind: 'named';
      readonly conn: Connection;
      readonly namespace: string;
      readonly workloadKind: string;
      readonly name: string;
    };

export interface RolloutRequest {
  readonly subject: RolloutSubject;
  readonly timeoutMs: number;
  readonly maxPods?: number;
  readonly session: RolloutOptions['session'];
  /** Keep every pod's evidence after its trace ended (recordings); see RolloutOptions. */
  readonly keepEvidence?: boolean;
  /** Apply: shown the dry-run plan; resolves with who confirmed ("--yes", "modal") or null to cancel. */
  readonly confirm?: (plan: ApplyPlan) => Promise<string | null>;
  readonly onReport: (r: RolloutReport) => void;
  readonly onPodEvent?: (pod: string, e: SessionEvent) => void;
  readonly onOwnerFailed?: (owner: string, message: string, count: number) => void;
}

export type RolloutRunResult =
  | { readonly status: 'declined'; readonly plan: ApplyPlan }
  | { readonly status: 'not-found'; readonly message: string }
  | { readonly status: 'rejected'; readonly message: string; readonly causes: readonly ManifestCause[] }
  | {
      readonly status: 'running';
      readonly tracer: RolloutTracer;
      /**
       * 'done' when every expected pod's trace ended, 'timeout' when the time ran out; either way the
       * tracer is stopped and its final report made (tracer.report()) when this resolves.
       */
      readonly finished: Promise<'done' | 'timeout'>;
    };

export async function startRollout(req: RolloutRequest): Promise<RolloutRunResult> {
  const s = req.subject;
  if (s.kind === 'named') return attachNamed(req, s.conn, s.namespace, s.workloadKind, s.name);
  const { target } = s;
  if (target.traced.kind !== 'object' || target.traced.object.kind === 'Pod')
    throw new RunError('--all traces the pods of a workload (Deployment, ReplicaSet, StatefulSet, DaemonSet, Job).');
  const obj = target.traced.object;
  try {
    if (target.mode === 'attach') {
      const name = obj.metadata?.name;
      if (!name) throw new RunError('The workload document has no metadata.name to attach to; apply it instead.');
      return await attachNamed(req, target.conn, target.namespace, obj.kind ?? '', name);
    }
    return await applyRollout(req, target.conn, target.namespace, obj);
  } catch (e) {
    if (e instanceof ClusterError && e.causes.length > 0 && target.document)
      return { status: 'rejected', message: e.message, causes: manifestCauses(e.causes, target.document) };
    throw e;
  }
}

function tracerFor(
  req: RolloutRequest,
  conn: Connection,
  namespace: string,
  workload: KubeObject,
  notBeforeMs: number,
  labelSelector?: string,
): RolloutTracer {
  return new RolloutTracer({
    conn,
    namespace,
    workload,
    notBeforeMs,
    ...(req.maxPods ? { maxPods: req.maxPods } : {}),
    session: { ...req.session, timeoutMs: req.timeoutMs },
    ...(labelSelector ? { labelSelector } : {}),
    ...(req.keepEvidence ? { keepEvidence: true } : {}),
    onReport: req.onReport,
    ...(req.onPodEvent ? { onPodEvent: req.onPodEvent } : {}),
    ...(req.onOwnerFailed ? { onOwnerFailed: req.onOwnerFailed } : {}),
  });
}

/** Ends the tracer when every expected pod was traced, or when the time runs out. */
function running(tracer: RolloutTracer, timeoutMs: number): RolloutRunResult {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), timeoutMs)));
  const finished = Promise.race([tracer.finished.then(() => 'done' as const), timeout]).then(async (res) => {
    clearTimeout(timer);
    tracer.stop();
    await tracer.closed;
    return res;
  });
  return { status: 'running', tracer, finished };
}

async function applyRollout(
  req: RolloutRequest,
  conn: Connection,
  namespace: string,
  obj: KubeObject,
): Promise<RolloutRunResult> {
  const plan = await dryRun(conn, obj);
  const confirmedBy = req.confirm ? await req.confirm(plan) : null;
  if (!confirmedBy) return { status: 'declined', plan };
  // Pods created from this moment on are this rollout's (the watches are open before the apply).
  const tracer = tracerFor(req, conn, namespace, obj, Date.now());
  await tracer.start();
  try {
    await applyConfirmed(conn, obj, plan, { confirmedBy });
  } catch (e) {
    tracer.stop();
    throw e;
  }
  return running(tracer, req.timeoutMs);
}

async function attachNamed(
  req: RolloutRequest,
  conn: Connection,
  namespace: string,
  kind: string,
  name: string,
): Promise<RolloutRunResult> {
  const { path, plural } = collectionPath({ kind }, namespace);
  let workload: KubeObject;
  try {
    workload = await requestJson<KubeObject>(conn, {
      method: 'GET',
      path: `${path}/${encodeURIComponent(name)}`,
      describe: { verb: 'get', resource: plural, namespace },
    });
  } catch (e) {
    if (e instanceof ClusterError && e.kind === 'not-found')
      return {
        status: 'not-found',
        message: `${kind} "${name}" does not exist in namespace "${namespace}" (context ${conn.context}).`,
      };
    throw e;
  }
  const selector = await newestRevisionSelector(conn, namespace, workload);
  const tracer = tracerFor(req, conn, namespace, workload, 0, selector);
  await tracer.start();
  if (tracer.sessions.size === 0) {
    tracer.stop();
    return {
      status: 'not-found',
      message: `${kind} "${name}" has no pod in namespace "${namespace}" (context ${conn.context}).`,
    };
  }
  return running(tracer, req.timeoutMs);
}

/**
 * The selector of the workload's newest pods: a Deployment's pods of its newest ReplicaSet (highest
 * deployment.kubernetes.io/revision, by pod-template-hash), a StatefulSet's pods of its update
 * revision (controller-revision-hash); other kinds all their pods.
 */
export async function newestRevisionSelector(
  conn: Connection,
  namespace: string,
  workload: KubeObject,
): Promise<string> {
  const base = podSelectorOf(workload);
  if (!base)
    throw new RunError(
      `The ${workload.kind ?? 'workload'} has no selector or template labels to find its pods by: add spec.selector.matchLabels.`,
    );
  if (workload.kind === 'StatefulSet') {
    const rev = ((workload as { status?: { updateRevision?: string } }).status ?? {}).updateRevision;
    return rev ? `${base},controller-revision-hash=${rev}` : base;
  }
  if (workload.kind !== 'Deployment') return base;
  const list = await requestJson<{ items?: (KubeObject & { metadata?: { annotations?: Record<string, string> } })[] }>(
    conn,
    {
      method: 'GET',
      path: `/apis/apps/v1/namespaces/${encodeURIComponent(namespace)}/replicasets`,
      query: { labelSelector: base },
      describe: { verb: 'list', resource: 'replicasets', namespace },
    },
  );
  const uid = workload.metadata?.uid;
  const owned = (list.items ?? []).filter((rs) =>
    ((rs.metadata as { ownerReferences?: { uid?: string }[] } | undefined)?.ownerReferences ?? []).some(
      (o) => o.uid === uid,
    ),
  );
  const revision = (rs: (typeof owned)[number]): number =>
    Number(rs.metadata?.annotations?.['deployment.kubernetes.io/revision'] ?? 0) || 0;
  const newest = owned.sort((a, b) => revision(b) - revision(a))[0];
  const hash = newest?.metadata?.labels?.['pod-template-hash'];
  return hash ? `${base},pod-template-hash=${hash}` : base;
}
