// Reading a Pod's status the way the trace and the diagnosis both need it: its container statuses
// (init containers first) and its conditions, with times as the apiserver reports them.

import type { ContainerStatus, Pod } from './k8s-types.js';
import { parseInstant, type Instant } from './time.js';

export interface ContainerStatusOf {
  readonly status: ContainerStatus;
  readonly init: boolean;
  /** From status.ephemeralContainerStatuses (see ephemeralStatuses). */
  readonly ephemeral?: boolean;
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
 * The statuses of ephemeral containers (`kubectl debug`). Kept apart from containerStatuses: they are
 * not part of the pod's birth, so the phase and the diagnosis never read them.
 */
export function ephemeralStatuses(pod: Pod | null): ContainerStatusOf[] {
  const out: ContainerStatusOf[] = [];
  for (const status of pod?.status?.ephemeralContainerStatuses ?? [])
    if (status && typeof status === 'object') out.push({ status, init: false, ephemeral: true });
  return out;
}

/**
 * A time the apiserver stores on the pod (creationTimestamp, startTime, startedAt, finishedAt,
 * lastTransitionTime). metav1.Time is whole seconds whatever the text shows, so that is its precision.
 * Every such time the trace reads goes through here, so a rule about them has one place.
 *
 * The Unix epoch (and anything before it, such as Go's zero time `0001-01-01T00:00:00Z`) means "never":
 * containerd reports `startedAt: 1970-01-01T00:00:00Z` for a container whose process never started
 * (exit 128, StartError); taken as a time it would move the whole timeline to 1970.
 */
export function apiTime(text: string | undefined): Instant | null {
  const t = parseInstant(text, 's');
  return t && t.key > EPOCH_KEY ? t : null;
}

const EPOCH_KEY = '1970-01-01T00:00:00.000000000Z';

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
