// Why is this pod not running? One list of causes, each tied to the manifest field to change.

import type { Pod } from '../k8s-types.js';
import type { Diagnosis, NormalizedEvent } from '../model.js';
import type { Cause } from '../vocabulary.js';
import { diagnoseContainers } from './containers.js';
import { podFateCauses } from './pod-fate.js';
import { diagnoseScheduling } from './scheduling.js';

/** Pod-level causes that stop every container: the containers' own exits are their consequence. */
const STOPPING: ReadonlySet<Cause> = new Set<Cause>(['deadline-exceeded', 'evicted', 'preempted']);
/** Container causes that only describe an exit (which a stopping cause or a finished pod explains). */
const EXITS: ReadonlySet<Cause> = new Set<Cause>(['container-exited', 'crash-loop']);

export { parseFailedScheduling, diagnoseScheduling, schedulerText } from './scheduling.js';
export { parseQuantity, podContainerPath } from './paths.js';
export { gateNames } from './pod-fate.js';

/**
 * @param podEvents events regarding the pod
 * @param ownerEvents events regarding its owner (ReplicaSet, Job…): FailedCreate lands there
 */
export function diagnose(
  pod: Pod,
  podEvents: readonly NormalizedEvent[],
  ownerEvents: readonly NormalizedEvent[] = [],
): Diagnosis[] {
  const out: Diagnosis[] = [];
  const scheduled = !!pod.spec?.nodeName;
  if (!scheduled) {
    // The latest FailedScheduling says why the pod is pending now; older ones are history.
    const latest = [...podEvents]
      .filter((e) => e.reason === 'FailedScheduling')
      .sort((a, b) => (a.last?.key ?? '').localeCompare(b.last?.key ?? '') || a.uid.localeCompare(b.uid))
      .pop();
    const cond = pod.status?.conditions?.find((c) => c?.type === 'PodScheduled' && c.status === 'False');
    const text = latest?.message ?? (cond?.reason === 'Unschedulable' ? cond.message : undefined);
    if (text) out.push(...diagnoseScheduling(text, pod));
  }
  for (const e of ownerEvents) {
    if (e.reason !== 'FailedCreate') continue;
    out.push({
      cause: 'admission-denied',
      message: `The ${e.regarding.kind ?? 'owner'} could not create its pod (${e.count}×): it was refused by quota, a LimitRange or an admission webhook.`,
      suggestion:
        'Read the refusal below; fit resources to the namespace ResourceQuota / LimitRange (`kubectl describe quota,limitrange`), or satisfy the webhook policy.',
      yamlPath: 'spec',
      container: null,
      nodes: null,
      evidence: e.message,
    });
  }
  const fate = podFateCauses(pod, podEvents, ownerEvents);
  out.push(...fate);
  const stopped = fate.some((d) => STOPPING.has(d.cause)) || pod.status?.phase === 'Succeeded';
  out.push(...diagnoseContainers(pod, podEvents).filter((d) => !(stopped && EXITS.has(d.cause))));
  return out;
}
