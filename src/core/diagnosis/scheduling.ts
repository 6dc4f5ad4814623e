// FailedScheduling messages → causes.
//
// Shape (FitError.Error() in kube-scheduler): `0/<N> nodes are available: <PreFilterMsg>.` or
// `0/<N> nodes are available: <histogram>.` followed by an optional PostFilter (preemption) text.
// Histogram entries are `<count> <reason>` sorted as *strings*, so their order says nothing.

import { isRecord } from '../guards.js';
import type { Pod } from '../k8s-types.js';
import { formatPath } from '../manifest/path.js';
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
    // Some PreFilter failures come back with the plugin's error repeated after the message
    // (`…claim "x" not found. not found`): that tail is no preemption text, and shown it reads twice.
    if (preemption !== null && repeats(body, preemption)) preemption = null;
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

/** The tail says nothing new: it is the end of the filter text again. */
function repeats(body: string, tail: string): boolean {
  const t = tail.replace(/\.$/, '').trim().toLowerCase();
  return t !== '' && !/nodes are available/.test(t) && body.trim().toLowerCase().endsWith(t);
}

/** The scheduler text without a repeated tail (see parseFailedScheduling): what a step or note shows. */
export function schedulerText(message: string, parsed = parseFailedScheduling(message)): string {
  const text = message.replace(/\s+/g, ' ').trim();
  if (parsed.preemption !== null || parsed.reasons.length === 0) return text;
  const end = text.search(/\.\s+(?=\S)/);
  return end >= 0 && repeats(text.slice(0, end), text.slice(end + 1)) ? text.slice(0, end + 1) : text;
}

interface CauseRule {
  readonly test: RegExp;
  readonly cause: Cause;
  readonly describe: (
    r: SchedulingReason,
    pod: Pod,
    m: RegExpExecArray,
    nodes: string,
  ) => { message: string; suggestion: string; yamlPath: string | null; container: string | null };
}

/** `1 of 3 node(s)`: how many nodes gave the reason, out of how many; written once per message. */
function nodesText(n: number | null, total: number | null): string {
  if (n === null) return 'The scheduler';
  return total !== null ? `${n} of ${total} node(s)` : `${n} node(s)`;
}

function resourceRule(resource: string): CauseRule['describe'] {
  return (_r, pod, _m, nodes) => {
    const { index, name, value, init } = containerIndexWithLargest(pod, resource);
    const list = init ? 'initContainers' : 'containers';
    // Through formatPath: an extended resource (`nvidia.com/gpu`) has dots in its name, so it must be
    // a quoted key (`requests["nvidia.com/gpu"]`) to read back as one field.
    const path =
      index === null
        ? 'spec.containers[0].resources.requests'
        : formatPath(['spec', list, index, 'resources', 'requests', resource]);
    const asked = value ? ` (container ${name} requests ${value})` : '';
    return {
      message: `${nodes} do not have enough free ${resource} for this pod${asked}.`,
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
    describe: (r, pod, m, nodes) => resourceRule(m[1] ?? 'resource')(r, pod, m, nodes),
  },
  {
    test: /untolerated taint|taints? that the pod didn't tolerate/i,
    cause: 'untolerated-taint',
    describe: (r, _pod, _m, nodes) => ({
      message: `${nodes} have a taint this pod does not tolerate (${r.reason}).`,
      suggestion:
        'Add a matching entry under spec.tolerations (key, operator, value, effect), or schedule onto nodes without that taint. Newer schedulers hide the taint key: `kubectl describe node` shows it.',
      yamlPath: 'spec.tolerations',
      container: null,
    }),
  },
  {
    test: /didn't match (Pod's )?node affinity|node\(s\) didn't match node selector|didn't match Pod's node affinity\/selector/i,
    cause: 'node-selector-mismatch',
    describe: (_r, pod, _m, nodes) => ({
      message: `${nodes} do not match the pod's nodeSelector / node affinity.`,
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
    describe: (_r, _pod, _m, nodes) => ({
      message: `${nodes} fail the pod's inter-pod (anti-)affinity rules.`,
      suggestion:
        'Relax spec.affinity.podAffinity / podAntiAffinity (e.g. preferredDuringScheduling instead of required), or check that the pods it must be near exist.',
      yamlPath: 'spec.affinity',
      container: null,
    }),
  },
  {
    test: /topology spread/i,
    cause: 'topology-spread',
    describe: (_r, _pod, _m, nodes) => ({
      message: `${nodes} would break the pod's topology spread constraints.`,
      suggestion:
        'Raise maxSkew or use whenUnsatisfiable: ScheduleAnyway in spec.topologySpreadConstraints, or add nodes in the missing topology domains.',
      yamlPath: 'spec.topologySpreadConstraints',
      container: null,
    }),
  },
  {
    test: /were unschedulable|node\(s\) had unschedulable/i,
    cause: 'unschedulable-nodes',
    describe: (_r, _pod, _m, nodes) => ({
      message: `${nodes} are cordoned (marked unschedulable).`,
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
    describe: (_r, _pod, _m, nodes) => ({
      message: `${nodes} cannot reach the pod's volume (its PersistentVolume is pinned to other nodes or zones).`,
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

/** Taints every control-plane node carries (kubeadm, kind…); `untolerated taint(s)` hides the key since 1.34/1.35. */
const CONTROL_PLANE_TAINT = /node-role\.kubernetes\.io\/(control-plane|master)/;

/**
 * A control-plane taint is how every cluster keeps ordinary pods off its control plane, so adding a
 * toleration for it is advice only when nothing else explains the nodes: when the taint is the only
 * reason given. With other reasons (say `1 Insufficient memory, 1 untolerated taint`) those are what
 * to fix. A taint the scheduler hides (no key) reads the same on such clusters; a taint it names that
 * is not the control plane's (a dedicated node) stays.
 */
function controlPlaneOnly(r: SchedulingReason, parsed: ParsedFailedScheduling, cause: Cause): boolean {
  if (cause !== 'untolerated-taint' || parsed.reasons.length < 2) return false;
  const keys = [...r.reason.matchAll(/\{([^{}:]+):/g)].map((m) => (m[1] ?? '').trim());
  return keys.length === 0 || keys.every((k) => CONTROL_PLANE_TAINT.test(k));
}

/** Causes for one FailedScheduling message (or PodScheduled=False condition message). */
export function diagnoseScheduling(message: string, pod: Pod): Diagnosis[] {
  const parsed = parseFailedScheduling(message);
  const evidence = schedulerText(message, parsed);
  const out: Diagnosis[] = [];
  for (const r of parsed.reasons) {
    const nodes = nodesText(r.nodes, parsed.totalNodes);
    const rule = RULES.find((x) => x.test.test(r.reason));
    const m = rule?.test.exec(r.reason);
    if (rule && m) {
      if (controlPlaneOnly(r, parsed, rule.cause)) continue;
      const d = rule.describe(r, pod, m, nodes);
      out.push({ cause: rule.cause, ...d, nodes: r.nodes, evidence });
      continue;
    }
    out.push({
      cause: 'scheduling-failed',
      message: `${nodes} rejected the pod: ${r.reason}.`,
      suggestion: 'Run `kubectl describe pod` and check the scheduler log for details of this filter.',
      yamlPath: 'spec',
      container: null,
      nodes: r.nodes,
      evidence,
    });
  }
  return out;
}
