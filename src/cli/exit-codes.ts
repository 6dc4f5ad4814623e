// The CLI's exit codes, and how a cluster-side error becomes one: the same for a single trace and a
// rollout, so scripts can tell a usage mistake from a cluster refusal from a pod that failed.

import type * as ClusterApi from '../cluster/index.js';
import { UsageError } from './args.js';

export const EXIT = { ok: 0, unexpected: 1, usage: 2, failed: 3, timeout: 4, cluster: 5 } as const;

/**
 * The exit code for an error thrown by the cluster layer, after writing its message. A request the
 * apiserver found invalid (or in conflict) is the user's input, so a usage error; a RunError is
 * rethrown as one; anything else is not the cluster's and is rethrown as it is.
 */
export function clusterErrorExit(
  e: unknown,
  api: Pick<typeof ClusterApi, 'ClusterError' | 'RunError'>,
  err: (text: string) => void,
): number {
  if (e instanceof api.ClusterError) {
    err(`pod-birth: ${e.message}\n`);
    return e.kind === 'invalid' || e.kind === 'conflict' ? EXIT.usage : EXIT.cluster;
  }
  if (e instanceof api.RunError) throw new UsageError(e.message);
  throw e;
}
