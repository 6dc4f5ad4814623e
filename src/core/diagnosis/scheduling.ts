// FailedScheduling messages → causes.
//
// Shape (FitError.Error() in kube-scheduler): `0/<N> nodes are available: <PreFilterMsg>.` or
// `0/<N> nodes are available: <histogram>.` followed by an optional PostFilter (preemption) text.
// Histogram entries are `<count> <reason>` sorted as *strings*, so their order says nothing.

import { isRecord } from '../guards.js';
import type { Pod } from '../k8s-types.js';
import type { Diagnosis } from '../model.js';
import type { Cause } from '../vocabulary.js';
import { containerIndexWithLargest, volumeIndex } from './paths.js';

export interface SchedulingReason {
  /** Nodes that gave this reason, or null for a PreFilter message (it applies to the whole pod). */
  readonly nodes: number | null;
  readonly reason: string;
}

export interface ParsedFailedScheduling {
  readonly totalNodes: number | null;
  readonly reasons: readonly SchedulingReason[];
  /** The preemption (PostFilter) part, if any. */
  readonly preemption: string | null;
}

export function parseFailedScheduling(message: string): ParsedFailedScheduling {
  const text = message.replace(/\s+/g, ' ').trim();
  const head = /^(\d+)\/(\d+) nodes are available:?\s*/.exec(text);
  const totalNodes = head?.[2] !== undefined ? Number(head[2]) : null;
  let body = head ? text.slice(head[0].length) : text;
  let preemption: string | null = null;
  // The filter part ends at the first ". "; what follows is PostFilter text. Kubernetes 1.34 writes
  // `1 Insufficient memory. no new claims to deallocate, preemption: 0/1 nodes …` (the DRA clause
  // comes before "preemption:"), older releases `… memory. preemption: …`.
  const end = body.search(/\.\s+(?=\S)/);
  if (end >= 0) {
    preemption =
      body
        .slice(end + 1)
        .replace(/^\s*(no new claims to deallocate,\s*)?(preemption:\s*)?/, '')
        .trim() || null;
    body = body.slice(0, end);
  }
  body = body.trim().replace(/\.$/, '');
  if (!body) return { totalNodes, reasons: [], preemption };
  // Split only before "<digits> " so commas inside a reason (taint text) do not split it.
  const parts = body.split(/,\s+(?=\d+\s)/);
  const reasons: SchedulingReason[] = [];
  for (const part of parts) {
    const m = /^(\d+)\s+(.+)$/.exec(part.trim());
    if (m && m[1] !== undefined && m[2] !== undefined) reasons.push({ nodes: Number(m[1]), reason: m[2].trim() });
    else if (part.trim()) reasons.push({ nodes: null, reason: part.trim() });
  }
  return { totalNodes, reasons, preemption };
}

interface CauseRule {
  readonly test: RegExp;
  readonly cause: Cause;
  readonly describe: (
    r: SchedulingReason,
    pod: Pod,
    m: RegExpExecArray,
  ) => { message: string; suggestion: string; yamlPath: string | null; container: string | null };
}

function nodesText(n: number | null, total: number | null): string {
  if (n === null) return 'The scheduler';
  return total !== null ? `${n} of ${total} node(s)` : `${n} node(s)`;
}

function resourceRule(resource: string): CauseRule['describe'] {
  return (r, pod) => {
    const { index, name, value, init } = containerIndexWithLargest(pod, resource);
    const list = init ? 'initContainers' : 'containers';
    const path =
      index === null
        ? 'spec.containers[0].resources.requests'
        : `spec.${list}[${index}].resources.requests.${resource}`;
    const asked = value ? ` (container ${name} requests ${value})` : '';
    return {
      message: `${nodesText(r.nodes, null)} do not have enough free ${resource} for this pod${asked}.`,
      suggestion: `Lower resources.requests.${resource}, or add capacity / free ${resource} on a node. The scheduler counts requests, not actual usage.`,
      yamlPath: path,
      container: name,
    };
  };
}

const RULES: readonly CauseRule[] = [
  { test: /^Insufficient cpu$/i, cause: 'insufficient-cpu', describe: resourceRule('cpu') },
  { test: /^Insufficient memory$/i, cause: 'insufficient-memory', describe: resourceRule('memory') },
  {
    test: /^Insufficient (.+)$/i,
    cause: 'insufficient-resource',
    describe: (r, pod, m) => resourceRule(m[1] ?? 'resource')(r, pod, m),
  },
  {
    test: /untolerated taint|taints? that the pod didn't tolerate/i,
    cause: 'untolerated-taint',
    describe: (r) => ({
      message: `${nodesText(r.nodes, null)} have a taint this pod does not tolerate (${r.reason}).`,
      suggestion:
        'Add a matching entry under spec.tolerations (key, operator, value, effect), or schedule onto nodes without that taint. Newer schedulers hide the taint key: `kubectl describe node` shows it.',
      yamlPath: 'spec.tolerations',
      container: null,
    }),
  },
  {
    test: /didn't match (Pod's )?node affinity|node\(s\) didn't match node selector|didn't match Pod's node affinity\/selector/i,
    cause: 'node-selector-mismatch',
    describe: (r, pod) => ({
      message: `${nodesText(r.nodes, null)} do not match the pod's nodeSelector / node affinity.`,
      suggestion:
        'Check the labels the pod asks for against `kubectl get nodes --show-labels`; fix spec.nodeSelector or spec.affinity.nodeAffinity, or label a node.',
      yamlPath: pod.spec?.nodeSelector
        ? 'spec.nodeSelector'
        : hasNodeAffinity(pod)
          ? 'spec.affinity.nodeAffinity'
          : 'spec.nodeSelector',
      container: null,
    }),
  },
  {
    test: /didn't match pod (anti-)?affinity|existing pods anti-affinity|pod affinity rules/i,
    cause: 'pod-affinity-mismatch',
    describe: (r) => ({
      message: `${nodesText(r.nodes, null)} fail the pod's inter-pod (anti-)affinity rules.`,
      suggestion:
        'Relax spec.affinity.podAffinity / podAntiAffinity (e.g. preferredDuringScheduling instead of required), or check that the pods it must be near exist.',
      yamlPath: 'spec.affinity',
      container: null,
    }),
  },
  {
    test: /topology spread/i,
    cause: 'topology-spread',
    describe: (r) => ({
      message: `${nodesText(r.nodes, null)} would break the pod's topology spread constraints.`,
      suggestion:
        'Raise maxSkew or use whenUnsatisfiable: ScheduleAnyway in spec.topologySpreadConstraints, or add nodes in the missing topology domains.',
      yamlPath: 'spec.topologySpreadConstraints',
      container: null,
    }),
  },
  {
    test: /were unschedulable|node\(s\) had unschedulable/i,
    cause: 'unschedulable-nodes',
    describe: (r) => ({
      message: `${nodesText(r.nodes, null)} are cordoned (marked unschedulable).`,
      suggestion:
        'Uncordon a node (`kubectl uncordon NODE`) or add a schedulable node; tolerating node.kubernetes.io/unschedulable is rarely what you want.',
      yamlPath: 'spec.tolerations',
      container: null,
    }),
  },
  {
    test: /unbound immediate PersistentVolumeClaims|persistentvolumeclaim "([^"]*)" not found|didn't find available persistent volumes|unbound PersistentVolumeClaims/i,
    cause: 'unbound-pvc',
    describe: (_r, pod, m) => {
      const claim = m[1] ?? null;
      const idx = volumeIndex(
        pod,
        (v) => !!v.persistentVolumeClaim && (claim === null || v.persistentVolumeClaim.claimName === claim),
      );
      return {
        message: claim
          ? `PersistentVolumeClaim "${claim}" does not exist, so the pod cannot be placed.`
          : 'A PersistentVolumeClaim the pod uses is not bound to a volume yet.',
        suggestion:
          'Create the claim or check `kubectl get pvc`: its StorageClass needs a provisioner (or a matching PersistentVolume must exist).',
        yamlPath: idx === null ? 'spec.volumes' : `spec.volumes[${idx}].persistentVolumeClaim.claimName`,
        container: null,
      };
    },
  },
  {
    test: /volume node affinity conflict/i,
    cause: 'volume-node-conflict',
    describe: (r) => ({
      message: `${nodesText(r.nodes, null)} cannot reach the pod's volume (its PersistentVolume is pinned to other nodes or zones).`,
      suggestion:
        'Schedule the pod where the volume lives, or use a StorageClass with volumeBindingMode: WaitForFirstConsumer.',
      yamlPath: 'spec.volumes',
      container: null,
    }),
  },
];

function hasNodeAffinity(pod: Pod): boolean {
  const a = pod.spec?.affinity;
  return isRecord(a) && 'nodeAffinity' in a;
}

/** Causes for one FailedScheduling message (or PodScheduled=False condition message). */
export function diagnoseScheduling(message: string, pod: Pod): Diagnosis[] {
  const parsed = parseFailedScheduling(message);
  const out: Diagnosis[] = [];
  for (const r of parsed.reasons) {
    let matched = false;
    for (const rule of RULES) {
      const m = rule.test.exec(r.reason);
      if (!m) continue;
      const d = rule.describe(r, pod, m);
      out.push({
        cause: rule.cause,
        message: d.message,
        suggestion: d.suggestion,
        yamlPath: d.yamlPath,
        container: d.container,
        nodes: r.nodes,
        evidence: message,
      });
      matched = true;
      break;
    }
    if (!matched) {
      out.push({
        cause: 'scheduling-failed',
        message: `${nodesText(r.nodes, parsed.totalNodes)} rejected the pod: ${r.reason}.`,
        suggestion: 'Run `kubectl describe pod` and check the scheduler log for details of this filter.',
        yamlPath: 'spec',
        container: null,
        nodes: r.nodes,
        evidence: message,
      });
    }
  }
  // Mention how many nodes there were: "1 of 1 node(s)" reads better than a bare count.
  return out.map((d) =>
    d.nodes !== null && parsed.totalNodes !== null
      ? { ...d, message: d.message.replace(`${d.nodes} node(s)`, `${d.nodes} of ${parsed.totalNodes} node(s)`) }
      : d,
  );
}
