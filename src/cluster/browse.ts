// What the palette's "attach to a pod" offers: namespaces (when listable) and the pods of one
// namespace. User-initiated, once per pick; never part of a trace.

import type { Pod } from '../core/k8s-types.js';
import { ClusterError } from './errors.js';
import { requestJson } from './http.js';
import type { Connection } from './kubeconfig.js';

export interface PodSummary {
  readonly name: string;
  readonly phase: string;
  readonly createdAt: string | null;
  readonly node: string | null;
}

/** Namespace names, or null when listing them is forbidden (the caller then asks for one). */
export async function listNamespaces(conn: Connection): Promise<string[] | null> {
  try {
    const l = await requestJson<{ items?: { metadata?: { name?: string } }[] }>(conn, {
      method: 'GET',
      path: '/api/v1/namespaces',
      describe: { verb: 'list', resource: 'namespaces' },
    });
    return (l.items ?? [])
      .map((n) => n.metadata?.name ?? '')
      .filter(Boolean)
      .sort();
  } catch (e) {
    if (e instanceof ClusterError && e.kind === 'forbidden') return null;
    throw e;
  }
}

/** The pods of a namespace, newest first. */
export async function listPods(conn: Connection, namespace: string): Promise<PodSummary[]> {
  const l = await requestJson<{ items?: Pod[] }>(conn, {
    method: 'GET',
    path: `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`,
    describe: { verb: 'list', resource: 'pods', namespace },
  });
  return (l.items ?? [])
    .map((p) => ({
      name: p.metadata?.name ?? '',
      phase: p.status?.phase ?? 'Unknown',
      createdAt: p.metadata?.creationTimestamp ?? null,
      node: p.spec?.nodeName ?? null,
    }))
    .filter((p) => p.name)
    .sort((a, b) => (b.createdAt ?? '').localeCompare(a.createdAt ?? ''));
}
