// Kubelet /metrics through the node proxy: the last-resort source for CRI timings when no runtime log
// is readable. Histograms are per node, not per pod, so the trace gets the average duration of each
// operation between two scrapes — an approximation, and the note says so.

import type { TraceNote } from '../core/model.js';
import { request } from './http.js';
import type { Connection } from './kubeconfig.js';

const OPS = ['run_podsandbox', 'pull_image', 'create_container', 'start_container'] as const;
export type CriOperation = (typeof OPS)[number];
export type OperationTotals = Partial<Record<CriOperation, { sum: number; count: number }>>;

/** Sums and counts of kubelet_runtime_operations_duration_seconds per operation_type. */
export function parseRuntimeOperationMetrics(text: string): OperationTotals {
  const out: OperationTotals = {};
  const re =
    /^kubelet_runtime_operations_duration_seconds_(sum|count)\{[^}]*operation_type="([a-z_]+)"[^}]*\}\s+([0-9.eE+-]+)/gm;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const op = m[2] as CriOperation;
    if (!OPS.includes(op)) continue;
    const v = Number(m[3]);
    if (!Number.isFinite(v)) continue;
    const cur = out[op] ?? { sum: 0, count: 0 };
    if (m[1] === 'sum') cur.sum += v;
    else cur.count += v;
    out[op] = cur;
  }
  return out;
}

export async function scrapeRuntimeOperations(conn: Connection, node: string): Promise<OperationTotals | null> {
  try {
    const r = await request(
      conn,
      {
        method: 'GET',
        path: `/api/v1/nodes/${encodeURIComponent(node)}/proxy/metrics`,
        describe: { verb: 'get', resource: 'nodes/proxy' },
        timeoutMs: 20_000,
      },
      32 * 1024 * 1024,
    );
    return parseRuntimeOperationMetrics(r.body);
  } catch {
    return null;
  }
}

const LABEL: Record<CriOperation, string> = {
  run_podsandbox: 'RunPodSandbox',
  pull_image: 'PullImage',
  create_container: 'CreateContainer',
  start_container: 'StartContainer',
};

/** A note with the average duration of each CRI operation between two scrapes, or null. */
export function metricsNote(before: OperationTotals, after: OperationTotals, node: string): TraceNote | null {
  const parts: string[] = [];
  for (const op of OPS) {
    const a = after[op];
    const b = before[op] ?? { sum: 0, count: 0 };
    if (!a) continue;
    const n = a.count - b.count;
    if (n <= 0) continue;
    parts.push(`${LABEL[op]} ${(((a.sum - b.sum) / n) * 1000).toFixed(1)} ms avg over ${n} call(s)`);
  }
  if (parts.length === 0) return null;
  return {
    kind: 'info',
    source: 'metrics',
    message: `Kubelet metrics on node ${node} during this trace: ${parts.join(', ')}. These are node-wide averages (other pods starting at the same time are included), not this pod's own times.`,
  };
}
