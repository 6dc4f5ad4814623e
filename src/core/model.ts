// The trace model: what the reducers produce and every surface (CLI, language server, webview) reads.

import type { ObjectReference } from './k8s-types.js';
import type { Instant } from './time.js';
import type { Actor, Cause, Precision, RuntimeName, Source, StepKind, StepStatus } from './vocabulary.js';

/** A second opinion on a step's time from a less precise (or equally precise, later) source. */
export interface Corroboration {
  readonly source: Source;
  readonly precision: Precision;
  readonly start: string | null;
  readonly end: string | null;
}

export interface Step {
  /** Stable across updates: kind, container and attempt, e.g. `image-pull:app`, `container-started:app#1`. */
  readonly id: string;
  readonly kind: StepKind;
  readonly actor: Actor;
  readonly from: Actor;
  readonly to: Actor;
  readonly container: string | null;
  readonly init: boolean;
  readonly attempt: number;
  readonly start: Instant | null;
  readonly end: Instant | null;
  readonly status: StepStatus;
  readonly source: Source;
  readonly precision: Precision;
  /** Cluster-supplied text (event message, runtime error). Untrusted: escape before display. */
  readonly message: string;
  /** Pod-relative field path, e.g. `spec.containers[0].image`. Rebase for workloads. */
  readonly yamlPath: string | null;
  /** Repeats collapsed into this step (BackOff ×N, FailedScheduling ×N). */
  readonly count: number;
  readonly corroboration: readonly Corroboration[];
}

export interface Diagnosis {
  readonly cause: Cause;
  /** Plain-language description of what is wrong. */
  readonly message: string;
  /** A concrete thing to change. */
  readonly suggestion: string;
  /** Pod-relative field path the cause is about, or the nearest parent that exists. */
  readonly yamlPath: string | null;
  readonly container: string | null;
  /** Nodes that rejected the pod for this reason (scheduler causes only). */
  readonly nodes: number | null;
  /** The evidence text (event message, waiting message). Untrusted. */
  readonly evidence: string;
  /**
   * For insufficient-cpu/-memory: the most the best node could still give, when the node capacity
   * was readable (needs list on nodes and pods). Lets a fix say "lower to X" with the numbers.
   */
  readonly fit?: NodeFit | null;
}

/** Room left on the node with the most free `resource`, from allocatable minus the requests of its pods. */
export interface NodeFit {
  readonly resource: 'cpu' | 'memory';
  /** What this pod asks for, as written in the manifest (e.g. `64Ti`, `500m`). */
  readonly requested: string;
  readonly node: string;
  /** Free on that node, as a Kubernetes quantity (`Mi` for memory, `m` for cpu). */
  readonly free: string;
  readonly allocatable: string;
}

export type NoteKind = 'degraded' | 'clock-skew' | 'events-expired' | 'disturbance' | 'info';

export interface TraceNote {
  readonly kind: NoteKind;
  readonly message: string;
  /** For `degraded`: which source is missing and how to enable it. */
  readonly source?: Source;
  readonly remedy?: string;
}

export interface PodIdentity {
  readonly namespace: string | null;
  readonly name: string | null;
  readonly uid: string | null;
  readonly node: string | null;
}

export type TracePhase = 'pending' | 'scheduled' | 'starting' | 'ready' | 'failed' | 'succeeded';

export interface Trace {
  readonly pod: PodIdentity;
  readonly runtime: RuntimeName | null;
  readonly runtimeVersion: string | null;
  readonly phase: TracePhase;
  /** Steps in time order (ties broken by logical order). */
  readonly steps: readonly Step[];
  readonly diagnosis: readonly Diagnosis[];
  readonly notes: readonly TraceNote[];
  readonly containers: readonly TraceContainerInfo[];
}

/** A container of the traced pod, in birth order (init containers first, ephemeral ones last). */
export interface TraceContainerInfo {
  readonly name: string;
  readonly init: boolean;
  readonly image: string | null;
  /** An init container with restartPolicy Always: a native sidecar that runs beside the app containers. */
  readonly sidecar?: boolean;
  /** Added to the running pod (`kubectl debug`): not part of its birth, never in a manifest. */
  readonly ephemeral?: boolean;
}

// ---------------------------------------------------------------------------------------------
// Evidence shapes that both the trace and the diagnosis read (kept here so neither imports the other).

/** An Event of either API (core/v1, events.k8s.io/v1) in one shape; see trace/events.ts. */
export interface NormalizedEvent {
  readonly uid: string;
  readonly reason: string;
  readonly message: string;
  readonly type: string;
  readonly regarding: Readonly<ObjectReference>;
  /** First occurrence: eventTime (µs) when set, else firstTimestamp (s). */
  readonly first: Instant | null;
  /** Last occurrence: series.lastObservedTime / lastTimestamp; equals first for single events. */
  readonly last: Instant | null;
  readonly count: number;
  readonly component: string;
  readonly resourceVersion: string;
}

/** A node's allocatable amount of a resource and what the pods bound to it already request (base units). */
export interface NodeCapacity {
  readonly node: string;
  readonly resource: 'cpu' | 'memory';
  readonly allocatable: number;
  readonly requested: number;
  /** When it was read (RFC 3339); of two readings of one node and resource the later wins. */
  readonly observedAt: string;
}

// ---------------------------------------------------------------------------------------------
// Runtime log records: what the log parsers produce from one line.

export type CriRpc =
  | 'RunPodSandbox'
  | 'PullImage'
  | 'CreateContainer'
  | 'StartContainer'
  | 'StopContainer'
  | 'StopPodSandbox'
  | 'RemoveContainer'
  | 'RemovePodSandbox';

export interface CriRecord {
  readonly type: 'cri';
  readonly runtime: RuntimeName;
  readonly time: Instant;
  readonly rpc: CriRpc;
  readonly phase: 'start' | 'end' | 'failed';
  /** RunPodSandbox: the sandbox metadata. CRI-O gives namespace and name only. */
  readonly sandbox?: {
    readonly name?: string;
    readonly namespace?: string;
    readonly uid?: string;
    readonly attempt?: number;
  };
  readonly sandboxId?: string;
  /** CreateContainer: the container metadata. */
  readonly container?: { readonly name: string; readonly attempt: number };
  readonly containerId?: string;
  readonly image?: string;
  readonly imageRef?: string;
  readonly error?: string;
  /** CRI-O's per-request id, joins the start and end lines of one RPC. */
  readonly requestId?: string;
  readonly raw: string;
}

export interface KubeletRecord {
  readonly type: 'kubelet';
  readonly time: Instant;
  readonly event:
    'syncloop-add' | 'startup-duration' | 'pleg' | 'sandbox-decision' | 'mount-succeeded' | 'event-occurred';
  /** `namespace/name` of the pod the line is about. */
  readonly pod: string;
  readonly fields: Readonly<Record<string, string>>;
  readonly raw: string;
}

export type LogRecord = CriRecord | KubeletRecord;

export type LogFormat = 'containerd-text' | 'containerd-json' | 'crio-text' | 'crio-json' | 'klog' | 'kubelet-json';
