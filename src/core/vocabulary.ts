// The one step vocabulary shared by the CLI, the language server and the webview.
// Changing a name here is a breaking change of the CLI's JSON contract (`pod-birth explain --format json`).

export const STEP_KINDS = [
  'created',
  'scheduling-gated',
  'scheduling-failed',
  'nominated',
  'scheduled',
  'kubelet-accepted',
  'volume-failed',
  'sandbox-created',
  'sandbox-failed',
  'image-pull',
  'image-present',
  'image-pull-failed',
  'container-created',
  'container-started',
  'container-failed',
  'back-off',
  'probe-failed',
  'container-killed',
  'initialized',
  'containers-ready',
  'ready',
  'deadline-exceeded',
  'evicted',
  'preempted',
] as const;
export type StepKind = (typeof STEP_KINDS)[number];

/** Who takes part in a pod's birth; also the participants of the sequence diagram, in this order. */
export const ACTORS = [
  'user',
  'kube-apiserver',
  'etcd',
  'kube-scheduler',
  'kubelet',
  'cri-runtime',
  'oci-runtime',
  'container',
] as const;
export type Actor = (typeof ACTORS)[number];

/** Where a piece of evidence came from. */
export const SOURCES = ['pod', 'event', 'runtime-log', 'kubelet-log', 'metrics', 'watch'] as const;
export type Source = (typeof SOURCES)[number];

/** How finely a time is known. `s` is what metav1.Time gives; runtime logs give `ns` or `us`. */
export const PRECISIONS = ['s', 'ms', 'us', 'ns'] as const;
export type Precision = (typeof PRECISIONS)[number];

export type StepStatus = 'done' | 'failed' | 'in-progress';

export type RuntimeName = 'containerd' | 'cri-o';

/** Pending / failure causes the diagnosis can name. */
export const CAUSES = [
  'insufficient-cpu',
  'insufficient-memory',
  'insufficient-resource',
  'untolerated-taint',
  'node-selector-mismatch',
  'pod-affinity-mismatch',
  'topology-spread',
  'unschedulable-nodes',
  'unbound-pvc',
  'volume-node-conflict',
  'image-pull-failed',
  'missing-config',
  'crash-loop',
  'probe-failing',
  'sandbox-failed',
  'volume-mount-failed',
  'admission-denied',
  'scheduling-failed',
  // Failure causes: each says what really happened, so no failure is called a crash loop by default.
  'scheduling-gated',
  'start-error',
  'oom-killed',
  'container-exited',
  'liveness-killed',
  'deadline-exceeded',
  'backoff-limit-exceeded',
  'evicted',
  'preempted',
  'readiness-gate',
  'image-never-pull',
  'invalid-image-name',
  'registry-unreachable',
] as const;
export type Cause = (typeof CAUSES)[number];

const RANK: Record<Precision, number> = { s: 0, ms: 1, us: 2, ns: 3 };
export function precisionRank(p: Precision): number {
  return RANK[p];
}

/** Which actor sends the arrow and which one receives it, per step kind. */
export const ARROWS: Record<StepKind, { from: Actor; to: Actor }> = {
  created: { from: 'user', to: 'kube-apiserver' },
  'scheduling-gated': { from: 'kube-scheduler', to: 'kube-scheduler' },
  'scheduling-failed': { from: 'kube-scheduler', to: 'kube-apiserver' },
  nominated: { from: 'kube-scheduler', to: 'kube-apiserver' },
  scheduled: { from: 'kube-scheduler', to: 'kube-apiserver' },
  'kubelet-accepted': { from: 'kube-apiserver', to: 'kubelet' },
  'volume-failed': { from: 'kubelet', to: 'kubelet' },
  'sandbox-created': { from: 'kubelet', to: 'cri-runtime' },
  'sandbox-failed': { from: 'kubelet', to: 'cri-runtime' },
  'image-pull': { from: 'kubelet', to: 'cri-runtime' },
  'image-present': { from: 'kubelet', to: 'cri-runtime' },
  'image-pull-failed': { from: 'kubelet', to: 'cri-runtime' },
  'container-created': { from: 'cri-runtime', to: 'oci-runtime' },
  'container-started': { from: 'oci-runtime', to: 'container' },
  'container-failed': { from: 'container', to: 'kubelet' },
  'back-off': { from: 'kubelet', to: 'kubelet' },
  'probe-failed': { from: 'kubelet', to: 'container' },
  'container-killed': { from: 'kubelet', to: 'container' },
  initialized: { from: 'kubelet', to: 'kube-apiserver' },
  'containers-ready': { from: 'kubelet', to: 'kube-apiserver' },
  ready: { from: 'kubelet', to: 'kube-apiserver' },
  'deadline-exceeded': { from: 'kubelet', to: 'kube-apiserver' },
  evicted: { from: 'kubelet', to: 'kube-apiserver' },
  preempted: { from: 'kube-scheduler', to: 'kube-apiserver' },
};

/** Short human labels, used by the text timeline and the diagram. */
export const KIND_LABELS: Record<StepKind, string> = {
  created: 'create pod',
  'scheduling-gated': 'scheduling gated',
  'scheduling-failed': 'scheduling failed',
  nominated: 'nominate node (preemption)',
  scheduled: 'bind to node',
  'kubelet-accepted': 'kubelet accepts pod',
  'volume-failed': 'volume mount failed',
  'sandbox-created': 'RunPodSandbox',
  'sandbox-failed': 'RunPodSandbox failed',
  'image-pull': 'PullImage',
  'image-present': 'image already present',
  'image-pull-failed': 'PullImage failed',
  'container-created': 'CreateContainer',
  'container-started': 'StartContainer',
  'container-failed': 'container failed',
  'back-off': 'back-off',
  'probe-failed': 'probe failed',
  'container-killed': 'kill container',
  initialized: 'Initialized',
  'containers-ready': 'ContainersReady',
  ready: 'Ready',
  'deadline-exceeded': 'active deadline exceeded',
  evicted: 'evicted',
  preempted: 'preempted',
};
