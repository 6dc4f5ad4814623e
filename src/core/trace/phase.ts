// Where the pod's birth stands, in one word. A disruption (preemption, eviction: DisruptionTarget)
// means failed; the pod's own phase decides when it is final (Succeeded, Failed); Ready means ready;
// a container stuck in a failure reason, a crash, or a failed sandbox (its latest attempt) or volume
// means failed; otherwise how far it got: pending, scheduled, starting.

import type { Pod } from '../k8s-types.js';
import type { Step, TracePhase } from '../model.js';
import { IMAGE_REASONS } from '../diagnosis/images.js';
import { containerStatuses, podCondition } from '../pod-status.js';

/** Waiting reasons the kubelet gives a container that will not start without a change. */
const FAILED_WAITING = new Set([
  ...IMAGE_REASONS,
  'CreateContainerConfigError',
  'CreateContainerError',
  'CrashLoopBackOff',
  'RunContainerError',
  'CreatePodSandboxError',
  'ConfigPodSandboxError',
  'PreStartHookError',
  'PostStartHookError',
]);

export function phaseOf(pod: Pod | null, steps: readonly Step[]): TracePhase {
  if (!pod) return 'pending';
  // Preempted or evicted: stopped from outside, whatever exit code its containers gave on SIGTERM.
  if (podCondition(pod, 'DisruptionTarget')?.status === 'True') return 'failed';
  if (pod.status?.phase === 'Succeeded') return 'succeeded';
  if (pod.status?.phase === 'Failed') return 'failed';
  if (podCondition(pod, 'Ready')?.status === 'True') return 'ready';
  const statuses = containerStatuses(pod);
  if (statuses.some(({ status }) => FAILED_WAITING.has(status.state?.waiting?.reason ?? ''))) return 'failed';
  // Between two restarts a crashing container is `terminated` with its exit code, not yet
  // CrashLoopBackOff; a container that already restarted after a failed exit is crash-looping too.
  const crashed = statuses.some(({ status: s }) => {
    const now = s.state?.terminated;
    const last = s.lastState?.terminated;
    return (
      (!!now && (now.exitCode ?? 0) !== 0) ||
      (!s.ready && (s.restartCount ?? 0) > 0 && !!last && (last.exitCode ?? 0) !== 0)
    );
  });
  if (crashed) return 'failed';
  if (sandboxFailing(steps) || steps.some((s) => s.status === 'failed' && s.kind === 'volume-failed')) return 'failed';
  if (!pod.spec?.nodeName) return 'pending';
  if (!steps.some((s) => s.kind === 'kubelet-accepted')) return 'scheduled';
  return 'starting';
}

/**
 * The pod's latest sandbox attempt failed. The kubelet retries a failed RunPodSandbox, so a failure
 * followed by a sandbox that came up (a later attempt, or the same one seen up through the pod's
 * PodReadyToStartContainers condition) is history: under load, the time from that retry to Ready
 * could outlast the failure grace and end a pod that was starting as failed.
 */
function sandboxFailing(steps: readonly Step[]): boolean {
  let last: Step | null = null;
  for (const s of steps) {
    if (s.kind !== 'sandbox-created' && s.kind !== 'sandbox-failed') continue;
    if (!last || s.attempt > last.attempt || (s.attempt === last.attempt && s.kind === 'sandbox-created')) last = s;
  }
  return last?.kind === 'sandbox-failed' && last.status === 'failed';
}
