// The rollout report: the birth of every pod of a workload, folded into per-pod phase times and
// their percentiles against the pod-startup SLO. One shape for the CLI's JSON, the rollout view and
// the exports (Markdown, CSV, Mermaid Gantt), so every consumer reads the same numbers.

/** The phases of a pod's birth, in the order they happen. */
export const ROLLOUT_PHASES = ['schedule', 'sandbox', 'pull', 'create', 'start', 'ready'] as const;
export type RolloutPhase = (typeof ROLLOUT_PHASES)[number];

/** The statistics keyed by phase, plus the SLO startup time and the whole birth. */
export type RolloutMetric = RolloutPhase | 'sloStartup' | 'total';

/** `succeeded`: a Job's pod that ran to completion (it is never Ready). */
export type RolloutOutcome = 'ready' | 'running' | 'pending' | 'failed' | 'deleted' | 'succeeded';

export interface RolloutWorkload {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
}

export interface RolloutPod {
  readonly name: string;
  readonly uid: string;
  readonly node?: string;
  /** Milliseconds spent in each phase; a phase the pod has not finished (or skipped) is absent. */
  readonly phases: Partial<Record<RolloutPhase, number>>;
  /**
   * Where each finished phase lies, [start, end] in ms from the pod's creation, for a waterfall.
   * Pull, create and start span every container (their `phases` value is the time spent, which can be
   * less than the span when containers interleave).
   */
  readonly spans?: Partial<Record<RolloutPhase, readonly [number, number]>>;
  /** Creation → all containers started, excluding image pulls and init containers (the SLO's definition). */
  readonly sloStartupMs?: number;
  /** Creation → Ready (or → the last step seen while it is not Ready yet). */
  readonly totalMs?: number;
  readonly outcome: RolloutOutcome;
  /** Why this pod was slow or stuck, from the same diagnosis vocabulary as a single trace. */
  readonly reason?: { readonly cause: string; readonly text: string };
  /** Failed probe checks seen in the trace (readiness, liveness, startup); absent when none. */
  readonly probeFailures?: number;
  /**
   * What held up a pod that got past it (no room to schedule at first, then bound): its trace's
   * diagnosis, kept as context for the reason instead of being the reason of a pod that is Ready.
   */
  readonly recovered?: { readonly cause: string; readonly text: string };
  /** Creation time (ms since the epoch), so views can draw a waterfall on one time axis. */
  readonly createdAtMs?: number;
}

export interface PhaseStats {
  readonly count: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
}

export interface RolloutSlo {
  /** The SLO's threshold: p99 of sloStartup ≤ 5 s. */
  readonly thresholdMs: number;
  readonly p99Ms: number | null;
  /** null while no pod has started its containers. */
  readonly met: boolean | null;
}

export interface RolloutReport {
  readonly workload: RolloutWorkload;
  readonly pods: readonly RolloutPod[];
  readonly percentiles: Partial<Record<RolloutMetric, PhaseStats>>;
  readonly slo: RolloutSlo;
  /** The slowest pods by total, with their reason (at most a handful). */
  readonly slowest: readonly string[];
  /** True while the rollout is still being traced. */
  readonly live: boolean;
  /** What tracing the rollout cost the apiserver so far (requests made, watches open). */
  readonly api?: RolloutApiCost;
}

export interface RolloutApiCost {
  /** Every request made: lists, gets, node-proxy reads and each (re)opened watch stream. */
  readonly requests: number;
  /** Watch streams opened (a resumed watch counts again). */
  readonly watchRequests: number;
  /** Watches open at the moment of the report. */
  readonly openWatches: number;
  /** Node-proxy reads (runtime and kubelet logs, metrics). */
  readonly nodeReads: number;
  /** Pods traced. */
  readonly pods: number;
}
