// Reading a Pod's status the way the trace and the diagnosis both need it: its container statuses
// (init containers first) and its conditions, with times as the apiserver reports them.

import type { ContainerStatus, Pod } from './k8s-types.js';
import { parseInstant, type Instant } from './time.js';

export interface ContainerStatusOf {
  readonly status: ContainerStatus;
  readonly init: boolean;
}

/** Every container status of the pod, init containers first; entries that are not objects are skipped. */
export function containerStatuses(pod: Pod | null): ContainerStatusOf[] {
  const out: ContainerStatusOf[] = [];
  for (const status of pod?.status?.initContainerStatuses ?? [])
    if (status && typeof status === 'object') out.push({ status, init: true });
  for (const status of pod?.status?.containerStatuses ?? [])
    if (status && typeof status === 'object') out.push({ status, init: false });
  return out;
}

/**
 * A time the apiserver stores on the pod (creationTimestamp, startTime, startedAt, finishedAt,
 * lastTransitionTime). metav1.Time is whole seconds whatever the text shows, so that is its precision.
 * Every such time the trace reads goes through here, so a rule about them has one place.
 */
export function apiTime(text: string | undefined): Instant | null {
  return parseInstant(text, 's');
}

export interface ConditionOf {
  readonly status: string;
  readonly time: Instant | null;
  readonly reason: string;
  readonly message: string;
}

/** The pod's condition of that type (PodScheduled, Ready…), or null when the status has none. */
export function podCondition(pod: Pod | null, type: string): ConditionOf | null {
  const c = pod?.status?.conditions?.find((x) => x && x.type === type);
  if (!c) return null;
  return {
    status: c.status ?? '',
    time: apiTime(c.lastTransitionTime),
    reason: c.reason ?? '',
    message: c.message ?? '',
  };
}
