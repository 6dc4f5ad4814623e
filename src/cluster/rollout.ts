// Tracing every pod of a rollout (up to 1,000): the workload tracer with shared watches (one pod watch
// by label selector, one namespace-wide watch per Event API, node reads shared per node), each pod's
// trace folded into its row of the rollout report (core/rollout), reported at most a few times a
// second while the rollout runs (less often the more pods it has). The API cost is counted on the
// connection and reported with it.

import { buildRolloutReport } from '../core/rollout/build.js';
import { rolloutReportEveryMs } from '../core/rollout/pace.js';
import { foldPod } from '../core/rollout/pod.js';
import type { RolloutApiCost, RolloutPod, RolloutReport, RolloutWorkload } from '../core/rollout/report.js';
import type { Trace } from '../core/model.js';
import type { KubeObject } from './apply.js';
import type { Connection } from './kubeconfig.js';
import type { Outcome, SessionEvent, TraceSession } from './session.js';
import { WorkloadTracer, type WorkloadOptions } from './workload.js';

export const ROLLOUT_MAX_PODS = 1000;

/** A rollout whose size is unknown (a DaemonSet applied from a manifest) is done after this long without a new pod. */
const QUIET_MS = 5000;

export interface RolloutOptions {
  readonly conn: Connection;
  readonly namespace: string;
  readonly workload: KubeObject;
  /** Pods created before this moment (ms) belong to an earlier rollout (0 when attaching). */
  readonly notBeforeMs: number;
  /** At most this many pods are traced (default and ceiling 1,000). */
  readonly maxPods?: number;
  readonly session: WorkloadOptions['session'];
  /** Finds the pods by this selector instead of the workload's (attach: the newest revision's pods). */
  readonly labelSelector?: string;
  /** The report, at most every `reportEveryMs` while something changed, and once when stopped. */
  readonly onReport: (r: RolloutReport) => void;
  /** Every event of every pod's session (live step lines, degraded notes, errors). */
  readonly onPodEvent?: (podName: string, e: SessionEvent) => void;
  /** A controller could not create pods (quota, admission): the rollout is stuck short of pods. */
  readonly onOwnerFailed?: (owner: string, message: string, count: number) => void;
  /** Default: by the pod count, 250 ms up to 50 pods, then 500 ms, 1 s from 300 (core/rollout/pace). */
  readonly reportEveryMs?: number;
  /**
   * Keep every pod's evidence after its trace ended (for a recording: session.recorded). Default
   * false: an ended pod keeps only its final trace, which bounds the memory of a large rollout.
   */
  readonly keepEvidence?: boolean;
}

/**
 * How many pods the rollout should end with, when the object says: replicas for a Deployment,
 * ReplicaSet or StatefulSet, completions for a Job, the DaemonSet's desiredNumberScheduled (its
 * status, so only when the object was read from the cluster). Null when unknown.
 */
export function expectedPods(w: KubeObject): number | null {
  const spec = (w.spec ?? {}) as { replicas?: number; completions?: number; parallelism?: number };
  const status = ((w as { status?: unknown }).status ?? {}) as { desiredNumberScheduled?: number };
  const n =
    w.kind === 'Job'
      ? (spec.completions ?? spec.parallelism ?? 1)
      : w.kind === 'DaemonSet'
        ? status.desiredNumberScheduled
        : (spec.replicas ?? 1);
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 ? n : null;
}

interface PodState {
  readonly session: TraceSession;
  trace: Trace | null;
  folded: RolloutPod | null;
  outcome: Outcome | null;
}

export class RolloutTracer {
  private readonly tracer: WorkloadTracer;
  private readonly pods = new Map<string, PodState>();
  private readonly conn: Connection;
  private readonly counts = { requests: 0, watchRequests: 0, nodeReads: 0 };
  private timer: ReturnType<typeof setInterval> | null = null;
  private dirty = false;
  private lastReportAt = 0;
  private stopped = false;
  private doneResolve: (() => void) | null = null;
  /** Resolves when every expected pod's trace ended (or stop() was called). */
  readonly finished: Promise<void>;
  /** Resolves with the final report once stop() has ended every trace and watch. */
  readonly closed: Promise<RolloutReport>;
  private closedResolve: ((r: RolloutReport) => void) | null = null;

  constructor(private readonly o: RolloutOptions) {
    const outer = o.conn.onRequest;
    this.conn = {
      ...o.conn,
      onRequest: (method, url) => {
        outer?.(method, url);
        this.counts.requests++;
        if (url.searchParams.get('watch') === '1') this.counts.watchRequests++;
        if (/^\/api\/v1\/nodes\/[^/]+\/proxy\//.test(url.pathname)) this.counts.nodeReads++;
      },
    };
    this.finished = new Promise((r) => (this.doneResolve = r));
    this.closed = new Promise((r) => (this.closedResolve = r));
    this.tracer = new WorkloadTracer({
      conn: this.conn,
      namespace: o.namespace,
      workload: o.workload,
      notBeforeMs: o.notBeforeMs,
      maxPods: Math.min(ROLLOUT_MAX_PODS, Math.max(1, o.maxPods ?? ROLLOUT_MAX_PODS)),
      session: { ...o.session, recordEvidence: o.keepEvidence === true },
      sharedWatches: true,
      ...(o.labelSelector ? { labelSelector: o.labelSelector } : {}),
      onEvent: (e) => {
        if (e.type === 'pod-found') {
          const session = this.tracer.sessions.get(e.name);
          if (session) this.pods.set(e.name, { session, trace: null, folded: null, outcome: null });
        } else if (e.type === 'pod') this.podEvent(e.name, e.event);
        else if (e.type === 'owner-failed') o.onOwnerFailed?.(e.owner, e.message, e.count);
        this.dirty = true;
      },
    });
  }

  /** Opens the watches (rejects when the pods cannot be listed); reports start coming after. */
  async start(): Promise<void> {
    await this.tracer.start();
    this.timer = setInterval(() => this.flush(), Math.min(this.o.reportEveryMs ?? 250, 250));
    this.timer.unref?.();
    this.dirty = true;
  }

  /** Stops every trace and watch; one last report (not live) follows once the traces have ended. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    void this.tracer.stop().then(() => {
      const last = this.report();
      this.o.onReport(last);
      this.doneResolve?.();
      this.closedResolve?.(last);
    });
  }

  /** The report now (folds only the pods whose trace changed since the last one). */
  report(): RolloutReport {
    const rows: RolloutPod[] = [];
    for (const p of this.pods.values()) {
      if (!p.folded) {
        const trace = p.trace ?? p.session.trace();
        p.folded = foldPod(trace, { deleted: p.outcome === 'deleted' });
      }
      rows.push(p.folded);
    }
    return buildRolloutReport(this.workload(), rows, { live: !this.stopped, api: this.apiCost() });
  }

  /** The pod's own full trace, for its sequence diagram; undefined for a pod not traced. */
  traceOf(podName: string): Trace | undefined {
    return this.podState(podName)?.trace;
  }

  /** The pod's trace and how it ended (null while it runs); undefined for a pod not traced. */
  podState(podName: string): { readonly trace: Trace; readonly outcome: Outcome | null } | undefined {
    const p = this.pods.get(podName);
    return p ? { trace: p.trace ?? p.session.trace(), outcome: p.outcome } : undefined;
  }

  /** The sessions, by pod name (a recording is made from their evidence). */
  get sessions(): ReadonlyMap<string, TraceSession> {
    return this.tracer.sessions;
  }

  apiCost(): RolloutApiCost {
    return { ...this.counts, openWatches: this.tracer.watchList.length, pods: this.pods.size };
  }

  private workload(): RolloutWorkload {
    return {
      kind: this.o.workload.kind ?? '',
      namespace: this.o.namespace,
      name: this.o.workload.metadata?.name ?? '',
    };
  }

  private podEvent(name: string, e: SessionEvent): void {
    const p = this.pods.get(name);
    if (p && (e.type === 'steps' || e.type === 'finished')) {
      p.trace = e.trace;
      p.folded = null;
      if (e.type === 'finished') {
        p.outcome = e.outcome;
        // After the session's own 'finished' handlers ran (the event is delivered synchronously).
        if (!this.o.keepEvidence) queueMicrotask(() => p.session.releaseEvidence());
        this.checkDone();
      }
    }
    this.o.onPodEvent?.(name, e);
  }

  /** Every expected pod was found and its trace ended: the rollout is traced. */
  private checkDone(): void {
    const expected = expectedPods(this.o.workload);
    const ended = [...this.pods.values()].filter((p) => p.outcome !== null && p.outcome !== 'deleted');
    const all = [...this.pods.values()].every((p) => p.outcome !== null);
    const cap = Math.min(ROLLOUT_MAX_PODS, this.o.maxPods ?? ROLLOUT_MAX_PODS);
    if (!all) return;
    if (expected !== null) {
      if (ended.length >= Math.min(expected, cap)) this.doneResolve?.();
      return;
    }
    // How many pods a DaemonSet makes is in its status only: done when no new pod came for a while.
    const size = this.pods.size;
    setTimeout(() => {
      if (this.pods.size === size && [...this.pods.values()].every((p) => p.outcome !== null)) this.doneResolve?.();
    }, QUIET_MS).unref?.();
  }

  private flush(): void {
    if (!this.dirty || this.stopped) return;
    const every = this.o.reportEveryMs ?? rolloutReportEveryMs(this.pods.size);
    if (Date.now() - this.lastReportAt < every) return;
    this.lastReportAt = Date.now();
    this.dirty = false;
    this.o.onReport(this.report());
  }
}
