// How much room the nodes still have, read only when the scheduler said a pod fits nowhere for lack
// of cpu or memory, so a fix can say "lower to X". Costs one list of nodes and one per-node pod list
// (field selector spec.nodeName) for at most MAX_NODES nodes: never part of a normal trace.

import type { ContainerSpec, Pod } from '../core/k8s-types.js';
import type { TraceNote } from '../core/model.js';
import { containerRequest } from '../core/diagnosis/fit.js';
import { parseQuantity } from '../core/diagnosis/paths.js';
import type { NodeCapacity } from '../core/trace/evidence.js';
import { ClusterError } from './errors.js';
import { requestJson } from './http.js';
import type { Connection } from './kubeconfig.js';

const MAX_NODES = 20;
type Resource = NodeCapacity['resource'];

interface NodeLite {
  metadata?: { name?: string };
  spec?: { unschedulable?: boolean };
  status?: { allocatable?: Record<string, string>; conditions?: { type?: string; status?: string }[] };
}

function podRequest(p: Pod, resource: Resource): number {
  const one = (c: ContainerSpec): number => containerRequest(c, resource);
  const sum = (l: readonly ContainerSpec[] | undefined): number =>
    (Array.isArray(l) ? l : []).reduce((n, c) => n + one(c), 0);
  // The scheduler's effective request: the larger of the containers' sum and the biggest init container.
  const init = (p.spec?.initContainers ?? []).reduce((m, c) => Math.max(m, one(c)), 0);
  const overhead =
    parseQuantity((p.spec as { overhead?: Record<string, string> } | undefined)?.overhead?.[resource]) ?? 0;
  return Math.max(sum(p.spec?.containers), init) + overhead;
}

/** Allocatable minus requested per schedulable, Ready node; a note instead when not readable. */
export async function readCapacity(
  conn: Connection,
  resources: readonly Resource[],
  now = new Date(),
): Promise<NodeCapacity[] | TraceNote> {
  try {
    const nodes = await requestJson<{ items?: NodeLite[] }>(conn, {
      method: 'GET',
      path: '/api/v1/nodes',
      describe: { verb: 'list', resource: 'nodes' },
    });
    const usable = (nodes.items ?? []).filter(
      (n) =>
        n.metadata?.name &&
        !n.spec?.unschedulable &&
        n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
    );
    const largest = (n: NodeLite): number => parseQuantity(n.status?.allocatable?.[resources[0] ?? 'memory']) ?? 0;
    const picked = usable.sort((a, b) => largest(b) - largest(a)).slice(0, MAX_NODES);
    const out: NodeCapacity[] = [];
    for (const n of picked) {
      const name = n.metadata?.name ?? '';
      const pods = await requestJson<{ items?: Pod[] }>(conn, {
        method: 'GET',
        path: '/api/v1/pods',
        query: { fieldSelector: `spec.nodeName=${name},status.phase!=Succeeded,status.phase!=Failed` },
        describe: { verb: 'list', resource: 'pods' },
      });
      for (const resource of resources) {
        const allocatable = parseQuantity(n.status?.allocatable?.[resource]);
        if (allocatable === null) continue;
        const requested = (pods.items ?? []).reduce((s, p) => s + podRequest(p, resource), 0);
        out.push({ node: name, resource, allocatable, requested, observedAt: now.toISOString() });
      }
    }
    return out;
  } catch (e) {
    if (e instanceof ClusterError && e.kind === 'forbidden') {
      return {
        kind: 'degraded',
        source: 'pod',
        message:
          'Node capacity is not readable (needs list on nodes and on pods in all namespaces), so the fix for insufficient cpu/memory cannot say how much would fit.',
        remedy:
          'Grant list on nodes and pods cluster-wide (read-only), or check `kubectl describe nodes` for "Allocated resources".',
      };
    }
    throw e;
  }
}
