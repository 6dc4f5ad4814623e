// "Lower the request to what fits", with the numbers: from the nodes' allocatable amounts and what
// their pods already request (read by the cluster layer only when a pod fits nowhere), the most this
// pod's container could ask for on the roomiest node.

import type { Pod } from '../k8s-types.js';
import type { Diagnosis, NodeCapacity, NodeFit } from '../model.js';
import { containerSpec, parseQuantity } from './paths.js';

const MI = 1024 ** 2;
const GI = 1024 ** 3;

/** A quantity the way a person writes it: memory in Gi when whole, else Mi (rounded down); cpu in m. */
export function formatQuantity(resource: 'cpu' | 'memory', n: number): string {
  if (resource === 'cpu') return `${Math.max(0, Math.floor(n * 1000))}m`;
  const v = Math.max(0, n);
  return v >= GI && v % GI === 0 ? `${v / GI}Gi` : `${Math.floor(v / MI)}Mi`;
}

/** What a container requests of a resource, in base units (0 when unset). */
export function containerRequest(
  c: { resources?: { requests?: Record<string, unknown>; limits?: Record<string, unknown> } } | null,
  resource: string,
): number {
  // A limit without a request defaults the request to the limit.
  return parseQuantity(c?.resources?.requests?.[resource] ?? c?.resources?.limits?.[resource]) ?? 0;
}

/**
 * The fit for one insufficient-cpu/memory diagnosis: the node with the most free `resource`, and how
 * much of it the diagnosed container could request once the pod's other containers are counted.
 */
export function nodeFit(d: Diagnosis, pod: Pod, capacity: Iterable<NodeCapacity>): NodeFit | null {
  const resource = d.cause === 'insufficient-memory' ? 'memory' : d.cause === 'insufficient-cpu' ? 'cpu' : null;
  if (!resource) return null;
  let best: NodeCapacity | null = null;
  for (const c of capacity) {
    if (c.resource !== resource) continue;
    const free = c.allocatable - c.requested;
    if (
      !best ||
      free > best.allocatable - best.requested ||
      (free === best.allocatable - best.requested && c.node < best.node)
    )
      best = c;
  }
  if (!best) return null;
  const container = containerSpec(pod, d.container);
  const raw = container?.resources?.requests?.[resource] ?? container?.resources?.limits?.[resource];
  const others = (pod.spec?.containers ?? [])
    .filter((c) => c !== container)
    .reduce((sum, c) => sum + containerRequest(c, resource), 0);
  const room = best.allocatable - best.requested - others;
  return {
    resource,
    requested: typeof raw === 'string' || typeof raw === 'number' ? String(raw) : '?',
    node: best.node,
    free: formatQuantity(resource, room),
    allocatable: formatQuantity(resource, best.allocatable),
  };
}

/** The diagnosis with its fit and a suggestion that says the numbers. */
export function withFit(d: Diagnosis, fit: NodeFit | null): Diagnosis {
  if (!fit) return d;
  const what = fit.resource === 'memory' ? 'memory' : 'CPU';
  return {
    ...d,
    fit,
    suggestion: `Lower resources.requests.${fit.resource} from ${fit.requested} to at most ${fit.free}: the node with the most free ${what}, ${fit.node}, has ${fit.free} left for this container (of ${fit.allocatable} allocatable). Or add capacity. The scheduler counts requests, not usage.`,
  };
}
