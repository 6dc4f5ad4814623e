// Whether a pod's volume mount failure still holds, and whether the kubelet will get past it alone.
//
// The kubelet mounts every volume before it creates the pod sandbox, and retries a failed mount with
// a back-off (0.5 s doubling to about 2 min). So a FailedMount is history once the sandbox exists or a
// container ran; and a failure because the kubelet's ConfigMap/Secret cache had not synced yet
// ("failed to sync configmap cache: timed out waiting for the condition", seen for kube-api-access
// volumes when the apiserver is slow, e.g. a 100-pod rollout on a 2-core node) clears on a retry, unlike
// a missing ConfigMap ("configmap "x" not found") or an unbound claim.

import type { Pod } from './k8s-types.js';
import { containerStatuses, podCondition } from './pod-status.js';

/** The kubelet got past the mounts: the sandbox is ready (1.29+; PodHasNetwork before) or a container ran. */
export function mountsDone(pod: Pod | null): boolean {
  if (!pod) return false;
  if (podCondition(pod, 'Ready')?.status === 'True') return true;
  if (podCondition(pod, 'PodReadyToStartContainers')?.status === 'True') return true;
  if (podCondition(pod, 'PodHasNetwork')?.status === 'True') return true;
  return containerStatuses(pod).some(
    ({ status: s }) => !!(s.state?.running || s.state?.terminated || s.lastState?.terminated),
  );
}

/** A mount failure the kubelet's own retry clears: its object cache was not synced in time. */
export function isTransientMountFailure(message: string): boolean {
  return /failed to sync (configmap|secret) cache/i.test(message);
}
