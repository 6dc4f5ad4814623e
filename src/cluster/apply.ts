// Apply & trace: a server-side dry run first (validation errors come back as field causes, which the runner
// maps to manifest lines, see target.ts), then — only after an explicit confirmation naming context, server and
// namespace — the create (Pods) or server-side apply (workloads).

import { ClusterError } from './errors.js';
import { requestJson } from './http.js';
import type { Connection } from './kubeconfig.js';

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    name?: string;
    generateName?: string;
    namespace?: string;
    uid?: string;
    labels?: Record<string, string>;
  };
  spec?: Record<string, unknown>;
}

/** apiVersion + kind → collection path and plural resource name. */
const RESOURCES: Record<string, { group: string; plural: string }> = {
  Pod: { group: '', plural: 'pods' },
  Deployment: { group: 'apps/v1', plural: 'deployments' },
  ReplicaSet: { group: 'apps/v1', plural: 'replicasets' },
  StatefulSet: { group: 'apps/v1', plural: 'statefulsets' },
  DaemonSet: { group: 'apps/v1', plural: 'daemonsets' },
  Job: { group: 'batch/v1', plural: 'jobs' },
  CronJob: { group: 'batch/v1', plural: 'cronjobs' },
  ReplicationController: { group: '', plural: 'replicationcontrollers' },
};

export function collectionPath(obj: KubeObject, namespace: string): { path: string; plural: string } {
  const kind = obj.kind ?? '';
  const r = RESOURCES[kind];
  if (!r)
    throw new ClusterError(
      'invalid',
      `Pod Birth traces Pods and workloads (Deployment, ReplicaSet, StatefulSet, DaemonSet, Job, CronJob); this document is a ${kind || 'document without kind'}.`,
    );
  const apiVersion = obj.apiVersion ?? (r.group || 'v1');
  const prefix = apiVersion === 'v1' ? '/api/v1' : `/apis/${apiVersion}`;
  return { path: `${prefix}/namespaces/${encodeURIComponent(namespace)}/${r.plural}`, plural: r.plural };
}

export interface ApplyPlan {
  readonly context: string;
  readonly server: string;
  readonly namespace: string;
  readonly kind: string;
  readonly name: string;
  /** What the dry run said the server would store (defaults filled in). */
  readonly dryRun: KubeObject;
}

/** The namespace a document goes to: its own, else the connection's. */
function targetNamespace(obj: KubeObject, conn: Connection): string {
  return obj.metadata?.namespace || conn.namespace;
}

/** Server-side dry run of a create. Field errors come back as ClusterError('invalid') with causes. */
export async function dryRun(conn: Connection, obj: KubeObject): Promise<ApplyPlan> {
  const namespace = targetNamespace(obj, conn);
  const { path, plural } = collectionPath(obj, namespace);
  const body = { ...obj, metadata: { ...obj.metadata, namespace } };
  let stored: KubeObject;
  if (obj.metadata?.name && obj.kind !== 'Pod') {
    // Workloads are server-side applied, so dry-run the same request.
    stored = await requestJson<KubeObject>(conn, {
      method: 'PATCH',
      path: `${path}/${encodeURIComponent(obj.metadata.name)}`,
      query: { dryRun: 'All', fieldManager: 'pod-birth', fieldValidation: 'Strict', force: true },
      body,
      contentType: 'application/apply-patch+yaml',
      describe: { verb: 'patch', resource: plural, namespace },
    });
  } else {
    try {
      stored = await requestJson<KubeObject>(conn, {
        method: 'POST',
        path,
        query: { dryRun: 'All', fieldValidation: 'Strict' },
        body,
        describe: { verb: 'create', resource: plural, namespace },
      });
    } catch (e) {
      throw e instanceof ClusterError && e.kind === 'conflict' ? alreadyExists(obj, namespace) : e;
    }
  }
  return {
    context: conn.context,
    server: conn.server,
    namespace,
    kind: obj.kind ?? '',
    name: stored.metadata?.name ?? obj.metadata?.name ?? obj.metadata?.generateName ?? '',
    dryRun: stored,
  };
}

/** The question to ask before anything is written to a cluster. */
export function confirmationText(plan: ApplyPlan): string {
  return `Apply ${plan.kind} "${plan.name}" to namespace "${plan.namespace}" of context "${plan.context}" (${plan.server})?`;
}

/** Creates the Pod, or server-side applies the workload. Requires the caller's confirmation token. */
export async function applyConfirmed(
  conn: Connection,
  obj: KubeObject,
  plan: ApplyPlan,
  confirmed: { readonly confirmedBy: string },
): Promise<KubeObject> {
  if (!confirmed.confirmedBy) throw new ClusterError('invalid', 'Refusing to apply without an explicit confirmation.');
  const { path, plural } = collectionPath(obj, plan.namespace);
  const body = { ...obj, metadata: { ...obj.metadata, namespace: plan.namespace } };
  if (obj.kind === 'Pod' || !obj.metadata?.name) {
    try {
      return await requestJson<KubeObject>(conn, {
        method: 'POST',
        path,
        query: { fieldValidation: 'Strict', fieldManager: 'pod-birth' },
        body,
        describe: { verb: 'create', resource: plural, namespace: plan.namespace },
      });
    } catch (e) {
      throw e instanceof ClusterError && e.kind === 'conflict' ? alreadyExists(obj, plan.namespace) : e;
    }
  }
  return requestJson<KubeObject>(conn, {
    method: 'PATCH',
    path: `${path}/${encodeURIComponent(obj.metadata.name)}`,
    query: { fieldManager: 'pod-birth', fieldValidation: 'Strict', force: true },
    body,
    contentType: 'application/apply-patch+yaml',
    describe: { verb: 'patch', resource: plural, namespace: plan.namespace },
  });
}

function alreadyExists(obj: KubeObject, namespace: string): ClusterError {
  const name = obj.metadata?.name ?? '';
  return new ClusterError(
    'conflict',
    `${obj.kind ?? 'Pod'} "${name}" already exists in namespace "${namespace}". Attach to it instead (\`pod-birth trace pod/${name}\`), or delete it first: a pod's spec cannot be changed once created.`,
    409,
  );
}
