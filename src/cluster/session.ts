// One live trace of one pod: the composition of its parts, each with its own rule —
//   session-watches.ts  the pod watch and the two uid-scoped event watches (at most 3, no cluster-wide list)
//   node-reading.ts     the node object, runtime-log polling, kubelet metrics and log, node capacity
//   end-detection.ts    Ready held 3 s, Failed held 8 s, the timeout; not while initial loads are out
//   step-emitter.ts     one rebuilt trace per burst of evidence, with the steps added and changed
// Here: every piece of evidence is folded into the core's TraceState (and recorded only when it
// changed the state), the pod's uid decides which objects belong to this birth, and the session's
// typed events go to `onEvent`.

import type { Pod } from '../core/k8s-types.js';
import type { Step, Trace, TraceNote } from '../core/model.js';
import { instantFromMs } from '../core/time.js';
import { TraceState, buildTrace, ownLogRecords, stepsAwaitingRuntimeLog, type Evidence } from '../core/trace/index.js';
import { EndDetector } from './end-detection.js';
import type { ClusterError } from './errors.js';
import type { Connection } from './kubeconfig.js';
import type { NodeDebugOptions } from './node-debug.js';
import type { NodeLogFeeds } from './node-log-feed.js';
import { NodeReading } from './node-reading.js';
import { TraceWatches } from './session-watches.js';
import { StepEmitter } from './step-emitter.js';
import type { ResumableWatch, WatchEventType, WatchStats } from './watch.js';

export type Outcome = 'ready' | 'succeeded' | 'failed' | 'timeout' | 'stopped' | 'deleted';

export type SessionEvent =
  | {
      readonly type: 'started';
      readonly namespace: string;
      readonly name: string;
      readonly context: string;
      readonly server: string;
    }
  | {
      readonly type: 'steps';
      readonly trace: Trace;
      readonly added: readonly Step[];
      readonly updated: readonly Step[];
    }
  | { readonly type: 'degraded'; readonly note: TraceNote }
  | { readonly type: 'state'; readonly message: string }
  | { readonly type: 'finished'; readonly trace: Trace; readonly outcome: Outcome }
  | { readonly type: 'error'; readonly error: ClusterError };

export interface SessionOptions {
  readonly conn: Connection;
  readonly namespace: string;
  readonly name: string;
  /** When known (e.g. from the create response), objects with another uid (an older pod) are ignored. */
  readonly uid?: string;
  readonly nodeLogs?: boolean;
  readonly timeoutMs?: number;
  /** How long to keep watching after the pod failed, to collect the back-off and final log lines. */
  readonly failureGraceMs?: number;
  /** Read node capacity when the pod fits nowhere for lack of cpu/memory (default true). */
  readonly capacity?: boolean;
  /** How long a pod must stay Ready before the trace ends as a success (default 1.5 s). */
  readonly readySettleMs?: number;
  readonly logPollMs?: number;
  /**
   * Node reads shared with other traces of the same run (a workload's pods), so a node's log is read
   * and parsed once for all of them. Default: this trace's own.
   */
  readonly nodeFeeds?: NodeLogFeeds;
  /**
   * Allowed by the user: when the node proxy gives no runtime log, read the node with a debug pod
   * (node-debug.ts). Absent: never.
   */
  readonly nodeDebug?: NodeDebugOptions;
  /**
   * The pod and its events come from the caller (a rollout's one pod watch and namespace-wide event
   * watches, pod-dispatch.ts): the session opens no watch of its own and is fed through podChanged
   * and eventReceived. A rollout of 1,000 pods then costs 3 watches, not 3,000.
   */
  readonly sharedWatches?: boolean;
  /**
   * Keep the evidence that changed the state in `recorded` (a trace file is made from it). Default
   * true; a rollout's pods keep none unless a recording is asked for: each of hundreds of live traces
   * otherwise held its own list of every version of its pod and of its events, next to its state.
   */
  readonly recordEvidence?: boolean;
  readonly onEvent: (e: SessionEvent) => void;
}

/** Attaching to a pod older than the default event TTL (1 h): its birth events may be gone. */
export function expiredEventsNote(pod: Pod, nowMs: number): TraceNote | null {
  const created = pod.metadata?.creationTimestamp ? Date.parse(pod.metadata.creationTimestamp) : NaN;
  if (!Number.isFinite(created) || nowMs - created < 55 * 60_000) return null;
  const age = Math.round((nowMs - created) / 60_000);
  return {
    kind: 'events-expired',
    source: 'event',
    message: `This pod was created ${age} min ago; events expire after 1 h by default (kube-apiserver --event-ttl), so its birth events may be gone and steps may come from the pod status only (whole seconds).`,
    remedy: 'Trace a new pod (Apply & trace), or raise --event-ttl on the apiserver.',
  };
}

export class TraceSession {
  /** Replaced by an empty state when the evidence is released (releaseEvidence). */
  state = new TraceState();
  readonly recorded: Evidence[] = [];
  /** The trace at the end, once the evidence was released. */
  private released: Trace | null = null;
  readonly finished: Promise<Outcome>;
  private uid: string | null;
  private done = false;
  private finishResolve: ((o: Outcome) => void) | null = null;
  private readonly watches: TraceWatches;
  private readonly node: NodeReading;
  private readonly end: EndDetector;
  private readonly emitter: StepEmitter;

  constructor(private readonly o: SessionOptions) {
    this.uid = o.uid ?? null;
    this.finished = new Promise((r) => (this.finishResolve = r));
    const state = (message: string): void => o.onEvent({ type: 'state', message });
    const common = {
      state,
      degrade: (note: TraceNote) => this.degrade(note),
      fatal: (e: ClusterError) => this.fail(e),
      ended: () => this.done,
    };
    this.watches = new TraceWatches(o.conn, o.namespace, o.name, {
      ...common,
      pod: (type, pod, at) => this.onPod(type, pod, at),
      event: (object, at) => this.record({ type: 'event', object, receivedAt: instantFromMs(at) }),
    });
    this.node = new NodeReading(o, {
      ...common,
      record: (ev) => this.record(ev),
      track: (p) => this.end.track(p),
      settled: () => {
        const phase = this.trace().phase;
        return phase === 'ready' || phase === 'failed' || phase === 'succeeded';
      },
      runtimeLagging: () => stepsAwaitingRuntimeLog(this.trace()).length > 0,
      ownRecords: (records) => ownLogRecords(this.state, records),
    });
    this.end = new EndDetector({
      readySettleMs: o.readySettleMs,
      failureGraceMs: o.failureGraceMs,
      timeoutMs: o.timeoutMs,
      phase: () => this.trace().phase,
      end: (outcome) => void this.finish(outcome),
      settled: () => this.emitter.refresh(),
    });
    this.emitter = new StepEmitter({
      // Through `this.trace()`, so a build is always the session's (the benchmarks instrument it).
      build: () => this.trace(),
      revision: () => this.state.revision,
      onTrace: (trace, added, updated) => {
        this.node.readCapacityIfShort(trace);
        if (added.length > 0 || updated.length > 0) o.onEvent({ type: 'steps', trace, added, updated });
        this.end.check(trace.phase, containerAttempts(trace));
      },
    });
  }

  /** The open watches: the pod watch first, then the event watches (core/v1, events.k8s.io). */
  get watchList(): readonly ResumableWatch[] {
    return this.watches.all;
  }

  get watchStats(): WatchStats[] {
    return this.watches.all.map((w) => w.stats);
  }

  get watchCount(): number {
    return this.watches.all.length;
  }

  /** Starts the pod watch. Call before creating the pod so that nothing is missed. */
  async start(): Promise<void> {
    const { conn, namespace, name } = this.o;
    this.o.onEvent({ type: 'started', namespace, name, context: conn.context, server: conn.server });
    if (!this.o.sharedWatches) await this.watches.startPod();
    this.end.startClock();
  }

  /** Sets the uid once the create call returned it (apply mode). */
  expectUid(uid: string): void {
    if (!this.uid) this.uid = uid;
    this.startEvents();
  }

  /**
   * An Event about the pod's owner (a Job's BackoffLimitExceeded, a ReplicaSet's FailedCreate): the
   * diagnosis reads it through the pod's ownerReferences. Fed by the workload tracer's owner watch.
   */
  addOwnerEvent(object: unknown, receivedAtMs: number): void {
    this.record({ type: 'event', object, receivedAt: instantFromMs(receivedAtMs) });
  }

  /** A change of the pod from a shared pod watch (sharedWatches). */
  podChanged(type: WatchEventType, pod: Pod, receivedAtMs: number): void {
    if (!this.done) this.onPod(type, pod, receivedAtMs);
  }

  /**
   * The shared event watches' first lists (sharedWatches): the trace does not end before they landed,
   * as it waits for its own event watches otherwise (an attached Ready pod would end without events).
   */
  awaitSharedLoad(load: Promise<void>): void {
    this.end.track(load);
  }

  /** An event about the pod (its uid) from a shared event watch (sharedWatches). */
  eventReceived(object: Record<string, unknown>, receivedAtMs: number): void {
    if (!this.done) this.record({ type: 'event', object, receivedAt: instantFromMs(receivedAtMs) });
  }

  /** The current trace. */
  trace(): Trace {
    return this.released ?? buildTrace(this.state);
  }

  /**
   * After the end only: keeps the final trace and drops the evidence it was built from. A rollout of
   * hundreds of pods holds each pod's final trace, not every node log line of its window (each pod's
   * state indexes every runtime record logged while it was traced: ~116 MB retained for 300 pods).
   */
  releaseEvidence(): void {
    if (!this.done || this.released) return;
    this.released = buildTrace(this.state);
    this.state = new TraceState();
    this.recorded.length = 0;
  }

  private record(ev: Evidence): void {
    // Keep only evidence that changed the state: every node-log poll re-reads all lines since the
    // pod's creation, and recording each copy made trace files grow with every poll (a 60 s trace
    // held each runtime line ~40 times). Replaying the kept evidence gives the same state.
    if (!this.state.add(ev)) return;
    if (this.o.recordEvidence !== false) this.recorded.push(ev);
    this.emitter.schedule();
  }

  private degrade(note: TraceNote): void {
    this.record({ type: 'note', note });
    this.o.onEvent({ type: 'degraded', note });
  }

  private startEvents(): void {
    if (this.o.sharedWatches) return;
    if (this.uid && !this.done) this.end.track(this.watches.startEvents(this.uid));
  }

  private onPod(type: WatchEventType, pod: Pod, receivedAtMs: number): void {
    const uid = pod.metadata?.uid;
    if (!uid) return;
    if (this.uid && uid !== this.uid) return;
    if (!this.uid) this.uid = uid;
    if (type === 'DELETED') {
      this.record({ type: 'pod', object: pod, receivedAt: instantFromMs(receivedAtMs) });
      void this.finish('deleted');
      return;
    }
    if (this.state.snapshots.size === 0) {
      const note = expiredEventsNote(pod, receivedAtMs);
      if (note) this.degrade(note);
    }
    this.record({ type: 'pod', object: pod, receivedAt: instantFromMs(receivedAtMs) });
    this.startEvents();
    const node = pod.spec?.nodeName;
    if (node) this.node.nodeKnown(node, pod);
  }

  private fail(e: ClusterError): void {
    this.o.onEvent({ type: 'error', error: e });
    void this.finish('stopped');
  }

  /** Stops all watches; reads the node logs one last time so the final steps are complete. */
  async finish(outcome: Outcome): Promise<void> {
    if (this.done) return;
    this.done = true;
    this.end.stop();
    this.node.stopPolling();
    if (outcome !== 'stopped') await this.node.finalReads();
    await Promise.all([this.watches.stop(), this.node.close()]);
    this.emitter.flush();
    this.o.onEvent({ type: 'finished', trace: this.trace(), outcome });
    this.finishResolve?.(outcome);
  }

  async stop(): Promise<void> {
    await this.finish('stopped');
  }
}

/** The containers' starts and exits in a trace: the end detector restarts its Ready wait on a new one. */
const ATTEMPT_KINDS: ReadonlySet<string> = new Set([
  'container-started',
  'container-exited',
  'container-failed',
  'container-killed',
]);
function containerAttempts(trace: Trace): number {
  let n = 0;
  for (const s of trace.steps) if (ATTEMPT_KINDS.has(s.kind)) n++;
  return n;
}
