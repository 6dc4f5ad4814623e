// Whether a pod's volume mount failure still holds, and whether the kubelet will get past it alone.
//
// The kubelet mounts every volume before it creates the pod sandbox, and retries a failed mount with
// a back-off (0.5 s doubling to about 2 min). So a FailedMount is history once the sandbox exists or a
// container ran. Some failures are races the retry wins, seen for kube-api-access volumes when the
// apiserver is slow (a 100-pod rollout on a 2-core node): the kubelet's ConfigMap/Secret cache had not
// synced yet, or the apiserver's node authorizer had not yet seen the pod bound to this node
// ("node requested token bound to a pod scheduled on a different node", "no relationship found
// between node … and this object"). Unlike a missing ConfigMap ("configmap "x" not found") or an
// unbound claim, those need no change.

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

const RACES: readonly { readonly re: RegExp; readonly why: string }[] = [
  { re: /failed to sync (configmap|secret) cache/i, why: "the kubelet's ConfigMap/Secret cache had not synced yet" },
  {
    re: /node requested token bound to a pod scheduled on a different node|no relationship found between node/i,
    why: "the apiserver's node authorizer had not yet seen the pod bound to this node",
  },
];

/** Why a mount failure is a race the kubelet's own retry clears (see above), or null when it is not one. */
export function transientMountFailure(message: string): string | null {
  return RACES.find((r) => r.re.test(message))?.why ?? null;
}
