// Causes that belong to the pod as a whole, not to one container: what stopped it (the active
// deadline, an eviction, a preemption, its Job giving up) and what holds it back (scheduling gates,
// readiness gates). The kubelet writes the first kind into status.reason/status.message; the scheduler
// and the Job controller say it in events.

import type { Pod } from '../k8s-types.js';
import type { Diagnosis, NormalizedEvent } from '../model.js';
import { podCondition } from '../pod-status.js';
import { podContainerPath, volumeIndex } from './paths.js';

const NONE = { container: null, nodes: null } as const;

/** The pod-level causes, in the order they happened to the pod (held back first, then stopped). */
export function podFateCauses(
  pod: Pod,
  podEvents: readonly NormalizedEvent[],
  ownerEvents: readonly NormalizedEvent[],
): Diagnosis[] {
  return [
    gatedCause(pod),
    readinessGateCause(pod),
    deadlineCause(pod, podEvents),
    evictedCause(pod, podEvents),
    preemptedCause(pod, podEvents),
    jobCause(ownerEvents),
  ].filter((d): d is Diagnosis => d !== null);
}

/** Scheduling gates the pod still has (`spec.schedulingGates[*].name`). */
export function gateNames(pod: Pod): string[] {
  const gates = Array.isArray(pod.spec?.schedulingGates) ? pod.spec.schedulingGates : [];
  return gates.map((g) => g?.name ?? '').filter((n) => n !== '');
}

function gatedCause(pod: Pod): Diagnosis | null {
  const gates = gateNames(pod);
  const cond = podCondition(pod, 'PodScheduled');
  if (pod.spec?.nodeName || (gates.length === 0 && cond?.reason !== 'SchedulingGated')) return null;
  const named = gates.length > 0 ? gates.map((g) => `"${g}"`).join(', ') : 'its scheduling gates';
  return {
    ...NONE,
    cause: 'scheduling-gated',
    message: `The scheduler does not consider this pod yet: it waits for ${named} to be removed (PodScheduled=False, SchedulingGated). Nothing is wrong with the nodes.`,
    suggestion: `Whatever added the gate removes it when the pod may run (a queue or quota controller); by hand: \`kubectl patch pod ${pod.metadata?.name ?? 'POD'} --type=json -p '[{"op":"remove","path":"/spec/schedulingGates"}]'\`.`,
    yamlPath: 'spec.schedulingGates',
    evidence: cond?.message || named,
  };
}

function readinessGateCause(pod: Pod): Diagnosis | null {
  const ready = podCondition(pod, 'Ready');
  if (ready?.status !== 'False' || ready.reason !== 'ReadinessGatesNotReady') return null;
  if (podCondition(pod, 'ContainersReady')?.status !== 'True') return null;
  const gates = (pod.spec?.readinessGates ?? []).map((g) => g?.conditionType ?? '').filter((t) => t !== '');
  const waiting = gates.filter((t) => podCondition(pod, t)?.status !== 'True');
  const named = (waiting.length > 0 ? waiting : gates).map((g) => `"${g}"`).join(', ') || 'a readiness gate';
  return {
    ...NONE,
    cause: 'readiness-gate',
    message: `Every container is ready, but the pod is not: its readiness gate ${named} is not True (ReadinessGatesNotReady).`,
    suggestion:
      'A controller outside the kubelet (a load balancer or mesh controller) must set that condition on the pod status; check that it runs and watches this pod, or remove the gate from spec.readinessGates.',
    yamlPath: 'spec.readinessGates',
    evidence: ready.message || named,
  };
}

function deadlineCause(pod: Pod, events: readonly NormalizedEvent[]): Diagnosis | null {
  const byEvent = events.find((e) => e.reason === 'DeadlineExceeded');
  if (pod.status?.reason !== 'DeadlineExceeded' && !byEvent) return null;
  const seconds = pod.spec?.activeDeadlineSeconds;
  return {
    ...NONE,
    cause: 'deadline-exceeded',
    message: `The pod ran longer than its activeDeadlineSeconds${typeof seconds === 'number' ? ` (${seconds}s)` : ''}, so the kubelet stopped its containers and marked it Failed (DeadlineExceeded). Its containers did not fail on their own.`,
    suggestion:
      'Raise spec.activeDeadlineSeconds to how long the work really takes, or remove it; it counts from the kubelet accepting the pod, image pulls included.',
    yamlPath: 'spec.activeDeadlineSeconds',
    evidence: pod.status?.message || byEvent?.message || 'DeadlineExceeded',
  };
}

/** Where an eviction message points: a container's limit, an emptyDir's sizeLimit, or the node. */
function evictionField(pod: Pod, text: string): { path: string | null; what: string } {
  const container = /Container (\S+) exceeded its local ephemeral storage limit "([^"]+)"/.exec(text);
  if (container?.[1]) {
    const base = podContainerPath(pod, container[1]);
    return {
      path: base ? `${base}.resources.limits.ephemeral-storage` : null,
      what: `container ${container[1]} wrote more to its local disk than its ephemeral-storage limit of ${container[2] ?? '?'}`,
    };
  }
  const total = /usage exceeds the total limit of containers (\S+?)\.?\s*$/.exec(text.trim());
  if (total) {
    const i = (pod.spec?.containers ?? []).findIndex((c) => !!c?.resources?.limits?.['ephemeral-storage']);
    return {
      path: i >= 0 ? `spec.containers[${i}].resources.limits.ephemeral-storage` : 'spec.containers',
      what: `its containers together wrote more to local disk than their ephemeral-storage limits (${total[1] ?? '?'})`,
    };
  }
  const emptyDir = /Usage of EmptyDir volume "([^"]+)" exceeds the limit "([^"]+)"/.exec(text);
  if (emptyDir?.[1]) {
    const v = volumeIndex(pod, (vol) => vol.name === emptyDir[1]);
    return {
      path: v !== null ? `spec.volumes[${v}].emptyDir.sizeLimit` : 'spec.volumes',
      what: `emptyDir volume "${emptyDir[1]}" grew past its sizeLimit of ${emptyDir[2] ?? '?'}`,
    };
  }
  const low = /The node was low on resource: ([\w-]+)/.exec(text);
  if (low?.[1]) {
    const using = /Container (\S+) was using/.exec(text)?.[1];
    const base = using ? podContainerPath(pod, using) : null;
    const resource = low[1] === 'memory' ? 'memory' : 'ephemeral-storage';
    return {
      path: base ? `${base}.resources.requests${resource === 'memory' ? '.memory' : '.ephemeral-storage'}` : null,
      what: `node ${pod.spec?.nodeName ?? '?'} ran low on ${low[1]} (${nodeCondition(low[1])}) and this pod used more than it requested${using ? ` (container ${using})` : ''}`,
    };
  }
  const cond = /The node had condition: \[([^\]]+)\]/.exec(text)?.[1];
  return { path: null, what: `node ${pod.spec?.nodeName ?? '?'} reported ${cond ?? 'resource pressure'}` };
}

function nodeCondition(resource: string): string {
  if (resource === 'memory') return 'MemoryPressure';
  if (resource === 'pids') return 'PIDPressure';
  return 'DiskPressure';
}

function evictedCause(pod: Pod, events: readonly NormalizedEvent[]): Diagnosis | null {
  const event = [...events].reverse().find((e) => e.reason === 'Evicted');
  if (pod.status?.reason !== 'Evicted' && !event) return null;
  const text = pod.status?.message || event?.message || '';
  const f = evictionField(pod, text);
  const pressure = /low on resource|had condition/.test(text);
  return {
    ...NONE,
    cause: 'evicted',
    message: `The kubelet evicted the pod: ${f.what}. It was stopped and marked Failed (Evicted); it is not restarted on this node.`,
    suggestion: pressure
      ? 'Set requests that cover what the pod really uses (pods over their requests are evicted first under node pressure), or free or add capacity on the node.'
      : 'Raise the limit to what the pod writes (logs and files in its writable layer and emptyDirs count), or write less: a volume for large data.',
    yamlPath: f.path,
    evidence: text,
  };
}

function preemptedCause(pod: Pod, events: readonly NormalizedEvent[]): Diagnosis | null {
  const event = [...events].reverse().find((e) => e.reason === 'Preempted');
  const target = podCondition(pod, 'DisruptionTarget');
  const byScheduler = target?.status === 'True' && target.reason === 'PreemptionByScheduler';
  const byKubelet = pod.status?.reason === 'Preempting';
  if (!event && !byScheduler && !byKubelet) return null;
  // "Preempted by pod <uid> on node <node>" (newer), "Preempted by <ns>/<name> on node <node>" (older).
  const m = /Preempted by (?:pod )?(\S+) on node (\S+)/.exec(event?.message ?? '');
  const who = m?.[1] ? `a higher-priority pod (${m[1]})` : 'a higher-priority pod';
  const where = m?.[2] ?? pod.spec?.nodeName ?? null;
  const priority = typeof pod.spec?.priority === 'number' ? ` This pod's priority is ${pod.spec.priority}.` : '';
  return {
    ...NONE,
    cause: 'preempted',
    message: byKubelet
      ? `The kubelet stopped this pod to admit a critical pod on node ${where ?? '?'} (Preempting).${priority}`
      : `The scheduler evicted this pod to make room for ${who}${where ? ` on node ${where}` : ''} (preemption).${priority}`,
    suggestion:
      'Give the pod a higher priority (spec.priorityClassName), or leave enough room on the nodes (requests, capacity) that higher-priority pods need not preempt it; a PodDisruptionBudget is honoured only as far as possible.',
    yamlPath: 'spec.priorityClassName',
    evidence: event?.message || target?.message || pod.status?.message || '',
  };
}

function jobCause(ownerEvents: readonly NormalizedEvent[]): Diagnosis | null {
  const e = ownerEvents.find((x) => x.reason === 'BackoffLimitExceeded' && x.regarding.kind === 'Job');
  if (!e) return null;
  return {
    ...NONE,
    cause: 'backoff-limit-exceeded',
    message: `Job ${e.regarding.name ?? '?'} gave up: its pods failed as many times as its backoffLimit allows (BackoffLimitExceeded), so it makes no new pod.`,
    suggestion:
      "Fix why the pod's container fails (its exit is diagnosed here too); raise spec.backoffLimit only for failures that are expected to pass on a retry.",
    // A Job-only field: on the Job's own document (see locatePodPath), not in its pod template.
    yamlPath: 'spec.backoffLimit',
    evidence: e.message,
  };
}
