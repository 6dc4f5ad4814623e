// One live trace of one pod: a pod watch scoped by name, two event watches scoped by the pod's uid
// (core/v1 and events.k8s.io/v1), and node-proxy reads for runtime logs. At most 3 watches and no
// cluster-wide list, whatever the cluster's size. Everything received is folded into the core's
// TraceState; the session emits typed events as the trace changes.

import type { Pod } from '../core/k8s-types.js';
import type { Step, Trace, TraceNote } from '../core/model.js';
import { parseLogText } from '../core/logs/index.js';
import { instantFromMs, parseInstant, type Instant } from '../core/time.js';
import { TraceState, buildTrace, stableStringify, type Evidence } from '../core/trace/index.js';
import { ClusterError } from './errors.js';
import type { Connection } from './kubeconfig.js';
import { readCapacity } from './capacity.js';
import { kubeletRestartNote, laterProcesses, runtimeRestartNote } from './disturbance.js';
import { metricsNote, scrapeRuntimeOperations, type OperationTotals } from './metrics.js';
import { NodeLogFeeds, type NodeLogFeed } from './node-log-feed.js';
import { readKubeletLog } from './node-proxy.js';
import { ResumableWatch, type WatchStats } from './watch.js';

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
  readonly onEvent: (e: SessionEvent) => void;
}

export class TraceSession {
  readonly state = new TraceState();
  readonly recorded: Evidence[] = [];
  private uid: string | null;
  private podWatch: ResumableWatch | null = null;
  private eventWatches: ResumableWatch[] = [];
  private eventsStarted = false;
  /** This trace's node reads when it is not part of a run that shares them (`nodeFeeds`). */
  private ownFeeds: NodeLogFeeds | null = null;
  private nodeReader: NodeLogFeed | null = null;
  /** The feed's mode note this trace was last told (it changes when e.g. nodes/proxy is revoked). */
  private modeNote: TraceNote | null = null;
  private nodeName: string | null = null;
  private lastSteps = new Map<string, string>();
  private lastRevision = -1;
  private pendingEmit: ReturnType<typeof setTimeout> | null = null;
  private logTimer: ReturnType<typeof setInterval> | null = null;
  private timeout: ReturnType<typeof setTimeout> | null = null;
  private failedAt: number | null = null;
  private readyAt: number | null = null;
  private done = false;
  private finishResolve: ((o: Outcome) => void) | null = null;
  readonly finished: Promise<Outcome>;
  private since: Date | null = null;
  /** The pod's creation (else the trace's start): restarts before it did not disturb this birth. */
  private createdAt: Instant | null = null;
  /** Kubelet metrics at the start, used only when no runtime log is readable. */
  private metricsBefore: OperationTotals | null = null;

  constructor(private readonly o: SessionOptions) {
    this.uid = o.uid ?? null;
    this.finished = new Promise((r) => (this.finishResolve = r));
  }

  get watchStats(): WatchStats[] {
    return [this.podWatch, ...this.eventWatches].filter((w): w is ResumableWatch => !!w).map((w) => w.stats);
  }

  get watchCount(): number {
    return (this.podWatch ? 1 : 0) + this.eventWatches.length;
  }

  /** Starts the pod watch. Call before creating the pod so that nothing is missed. */
  async start(): Promise<void> {
    const { conn, namespace, name } = this.o;
    this.o.onEvent({ type: 'started', namespace, name, context: conn.context, server: conn.server });
    this.podWatch = new ResumableWatch({
      conn,
      path: `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`,
      fieldSelector: `metadata.name=${name}`,
      resource: 'pods',
      namespace,
      onObject: (type, obj, at) => this.onPod(type, obj as Pod, at),
      onState: (s, d) => this.o.onEvent({ type: 'state', message: `pod watch ${s}: ${d}` }),
      onFatal: (e) => this.fail(e),
    });
    await this.podWatch.start();
    if (this.o.timeoutMs) this.timeout = setTimeout(() => void this.finish('timeout'), this.o.timeoutMs);
  }

  /** Sets the uid once the create call returned it (apply mode). */
  expectUid(uid: string): void {
    if (!this.uid) this.uid = uid;
    this.track(this.ensureEventWatches());
  }

  private record(ev: Evidence): void {
    // Keep only evidence that changed the state: every node-log poll re-reads all lines since the
    // pod's creation, and recording each copy made trace files grow with every poll (a 60 s trace
    // held each runtime line ~40 times). Replaying the kept evidence gives the same state.
    if (!this.state.add(ev)) return;
    this.recorded.push(ev);
    this.scheduleEmit();
  }

  /** A daemon on the node restarted mid-trace (seen in the logs already read): once per restart. */
  private readonly disturbances = new Set<string>();
  private disturbed(key: string, note: TraceNote): void {
    if (this.disturbances.has(key)) return;
    this.disturbances.add(key);
    this.record({ type: 'note', note });
    this.o.onEvent({ type: 'state', message: note.message });
  }

  private onPod(type: string, pod: Pod, receivedAtMs: number): void {
    const uid = pod.metadata?.uid;
    if (!uid) return;
    if (this.uid && uid !== this.uid) return;
    if (!this.uid) this.uid = uid;
    if (type === 'DELETED') {
      this.record({ type: 'pod', object: pod, receivedAt: instantFromMs(receivedAtMs) });
      void this.finish('deleted');
      return;
    }
    if (this.state.snapshots.size === 0) this.warnIfOld(pod, receivedAtMs);
    this.record({ type: 'pod', object: pod, receivedAt: instantFromMs(receivedAtMs) });
    this.track(this.ensureEventWatches());
    const node = pod.spec?.nodeName;
    if (node && !this.nodeName) {
      this.nodeName = node;
      this.track(this.startNode(node, pod));
    }
  }

  /** Attaching to a pod older than the default event TTL: its birth events may be gone. */
  private warnIfOld(pod: Pod, nowMs: number): void {
    const created = pod.metadata?.creationTimestamp ? Date.parse(pod.metadata.creationTimestamp) : NaN;
    if (!Number.isFinite(created) || nowMs - created < 55 * 60_000) return;
    const age = Math.round((nowMs - created) / 60_000);
    this.degrade({
      kind: 'events-expired',
      source: 'event',
      message: `This pod was created ${age} min ago; events expire after 1 h by default (kube-apiserver --event-ttl), so its birth events may be gone and steps may come from the pod status only (whole seconds).`,
      remedy: 'Trace a new pod (Apply & trace), or raise --event-ttl on the apiserver.',
    });
  }

  /**
   * Initial loads (event lists, node facts, the first log read) must land before the trace can be
   * declared finished; otherwise attaching to an already-Ready pod would end with status only.
   */
  private readonly loading = new Set<Promise<void>>();
  private track(p: Promise<void>): void {
    const t = p
      .catch(() => undefined)
      .finally(() => {
        this.loading.delete(t);
        if (this.loading.size === 0 && !this.done) {
          this.lastRevision = -1;
          this.scheduleEmit();
        }
      });
    this.loading.add(t);
  }

  private async ensureEventWatches(): Promise<void> {
    // Once per trace: if events are refused, retrying on every pod update would only repeat the 403.
    if (!this.uid || this.eventsStarted || this.done) return;
    this.eventsStarted = true;
    const { conn, namespace } = this.o;
    const ns = encodeURIComponent(namespace);
    const mk = (path: string, selector: string, resource: string): ResumableWatch =>
      new ResumableWatch({
        conn,
        path,
        fieldSelector: selector,
        resource,
        namespace,
        onObject: (_t, obj, at) => this.record({ type: 'event', object: obj, receivedAt: instantFromMs(at) }),
        onState: (s, d) => this.o.onEvent({ type: 'state', message: `${resource} watch ${s}: ${d}` }),
        // Credentials that stopped working end the trace (with the re-authenticate message); only a
        // refusal of events themselves degrades it.
        onFatal: (e) =>
          e.kind === 'unauthorized'
            ? this.fail(e)
            : this.degrade({
                kind: 'degraded',
                source: 'event',
                message: `Stopped watching ${resource}: ${e.message}`,
                remedy: 'Grant list and watch on events in this namespace.',
              }),
      });
    const core = mk(`/api/v1/namespaces/${ns}/events`, `involvedObject.uid=${this.uid}`, 'events');
    const v1 = mk(
      `/apis/events.k8s.io/v1/namespaces/${ns}/events`,
      `regarding.uid=${this.uid}`,
      'events.events.k8s.io',
    );
    this.eventWatches = [core, v1];
    // A transient failure of the first list (a dropped connection, an apiserver restarting) is retried
    // a few times: before, it dropped that event watch for the rest of the trace, as if events were
    // refused (seen when a connection was cut while the watches started).
    const startRetrying = async (w: ResumableWatch): Promise<void> => {
      for (let attempt = 0; ; attempt++) {
        try {
          return await w.start();
        } catch (e) {
          const transient =
            e instanceof ClusterError && (e.kind === 'unreachable' || e.kind === 'timeout' || e.kind === 'server');
          if (!transient || attempt >= 4 || this.done) throw e;
          this.o.onEvent({
            type: 'state',
            message: `${reason(e)} (retrying the first list in ${250 * 2 ** attempt} ms)`,
          });
          await new Promise((r) => setTimeout(r, 250 * 2 ** attempt));
        }
      }
    };
    const results = await Promise.allSettled([startRetrying(core), startRetrying(v1)]);
    const [rc, rv] = results;
    if (rc?.status === 'rejected' && rv?.status === 'rejected') {
      this.degrade({
        kind: 'degraded',
        source: 'event',
        message: `Events are not readable (${reason(rc.reason)}): the trace has only the pod status, so pulls, creates and failures lose their detail.`,
        remedy: 'Grant list and watch on events (core "" and events.k8s.io) in this namespace.',
      });
    } else if (rv?.status === 'rejected') {
      // The core API carries the same stored events; only the scheduler's microsecond eventTime is lost.
      this.o.onEvent({
        type: 'state',
        message: `events.k8s.io not readable (${reason(rv.reason)}); using core/v1 events only`,
      });
    } else if (rc?.status === 'rejected') {
      this.o.onEvent({
        type: 'state',
        message: `core/v1 events not readable (${reason(rc.reason)}); using events.k8s.io only`,
      });
    }
    this.eventWatches = this.eventWatches.filter((_w, i) => results[i]?.status === 'fulfilled');
  }

  private degrade(note: TraceNote): void {
    this.record({ type: 'note', note });
    this.o.onEvent({ type: 'degraded', note });
  }

  private async startNode(node: string, pod: Pod): Promise<void> {
    const feeds = this.o.nodeFeeds ?? (this.ownFeeds ??= new NodeLogFeeds(this.o.conn));
    try {
      const facts = await feeds.nodeFacts(node);
      if ('kind' in facts) this.degrade(facts);
      else {
        this.record({ type: 'node', name: node, runtimeVersion: facts.runtimeVersion });
        if (facts.os && facts.os !== 'linux') {
          this.degrade({
            kind: 'degraded',
            source: 'runtime-log',
            message: `Node ${node} runs ${facts.os}: runtime log parsing is Linux-only, so CRI steps have whole-second times from events.`,
            remedy: 'Nothing to enable; events and pod status still give the timeline.',
          });
          return;
        }
      }
      if (this.o.nodeLogs === false) return;
      if (!(await feeds.logsAllowed(node))) {
        this.degrade({
          kind: 'degraded',
          source: 'runtime-log',
          message: `Runtime logs of node ${node} are not readable (no get on nodes/proxy): sandbox, pull, create and start times are whole seconds from events and pod status.`,
          remedy:
            'Grant get on nodes/proxy (ClusterRole rule: apiGroups [""], resources ["nodes/proxy"], verbs ["get"]). This right reaches every kubelet API, so give it only to people who debug nodes.',
        });
        return;
      }
      const runtime = 'kind' in facts ? null : facts.runtimeVersion;
      this.nodeReader = feeds.feed(node, runtime && /^cri-o/i.test(runtime) ? 'crio' : 'containerd');
      const created = parseInstant(pod.metadata?.creationTimestamp);
      this.createdAt = created ?? instantFromMs(Date.now());
      this.since = new Date((created ? Date.parse(created.key) : Date.now()) - 5000);
      await this.readNodeLogs(Date.now());
      if (this.nodeReader.mode === 'none') this.metricsBefore = await scrapeRuntimeOperations(this.o.conn, node);
      const pollMs = this.o.logPollMs ?? 1500;
      // A read another trace started in the last two thirds of a period is fresh enough to share.
      if (!this.done && this.nodeReader && this.nodeReader.mode !== 'none')
        this.logTimer = setInterval(() => void this.readNodeLogs(Date.now() - (2 * pollMs) / 3), pollMs);
    } catch (e) {
      this.o.onEvent({ type: 'state', message: `node ${node}: ${reason(e)}` });
    }
  }

  private reading = false;
  /** Folds in the runtime records of a node-log read that started at or after `startedAfter` (ms). */
  private async readNodeLogs(startedAfter: number, poll = true): Promise<void> {
    // Timer polls never overlap; the final read does not skip because a poll happens to be running.
    if (!this.nodeReader || !this.since || (poll && this.reading)) return;
    this.reading = true;
    try {
      const r = await this.nodeReader.read(this.since, startedAfter);
      if (r.note && r.note !== this.modeNote) {
        this.modeNote = r.note;
        this.degrade(r.note);
      }
      if (r.mode === 'none' && this.logTimer) {
        clearInterval(this.logTimer);
        this.logTimer = null;
      }
      // The feed may have read from an earlier moment for another trace: keep this pod's window only.
      const sinceKey = instantFromMs(this.since.getTime()).key;
      for (const record of r.records) {
        if (record.time.key >= sinceKey) this.record({ type: 'log', record });
      }
      if (this.createdAt && this.nodeName) {
        for (const s of r.starts)
          if (s.at.key >= this.createdAt.key)
            this.disturbed(`runtime|${s.at.key}`, runtimeRestartNote(s.runtime, this.nodeName, s.at));
      }
    } catch (e) {
      // Expired or revoked credentials do not come back by asking again: end the trace with the
      // re-authenticate message. Before, the poll repeated the 401 every 1.5 s (20 requests in 30 s)
      // and the user saw nothing until the watches reconnected minutes later.
      if (e instanceof ClusterError && e.kind === 'unauthorized') this.fail(e);
      else this.o.onEvent({ type: 'state', message: `node logs: ${reason(e)}` });
    } finally {
      this.reading = false;
    }
  }

  private lastEmitAt = 0;
  private scheduleEmit(): void {
    if (this.pendingEmit) return;
    // Coalesce bursts (a relist, a log batch) into one trace update at most every 20 ms; the first
    // change after a quiet spell goes out on the next tick (the bench measured +20 ms otherwise).
    const wait = Math.max(0, 20 - (Date.now() - this.lastEmitAt));
    this.pendingEmit = setTimeout(() => {
      this.pendingEmit = null;
      this.lastEmitAt = Date.now();
      this.emitSteps();
    }, wait);
  }

  /** The current trace. */
  trace(): Trace {
    return buildTrace(this.state);
  }

  private emitSteps(): void {
    if (this.state.revision === this.lastRevision && this.lastRevision !== -1) return;
    this.lastRevision = this.state.revision;
    const trace = this.trace();
    const added: Step[] = [];
    const updated: Step[] = [];
    const next = new Map<string, string>();
    for (const s of trace.steps) {
      const text = stableStringify(s);
      next.set(s.id, text);
      const prev = this.lastSteps.get(s.id);
      if (prev === undefined) added.push(s);
      else if (prev !== text) updated.push(s);
    }
    this.lastSteps = next;
    this.maybeReadCapacity(trace);
    if (added.length > 0 || updated.length > 0) this.o.onEvent({ type: 'steps', trace, added, updated });
    this.checkEnd(trace);
  }

  private capacityRead = false;
  /** Once per trace, and only when the scheduler said cpu or memory is short everywhere. */
  private maybeReadCapacity(trace: Trace): void {
    if (this.capacityRead || this.done || this.o.capacity === false) return;
    const resources = [
      ...new Set(
        trace.diagnosis.flatMap((d) =>
          d.cause === 'insufficient-memory'
            ? ['memory' as const]
            : d.cause === 'insufficient-cpu'
              ? ['cpu' as const]
              : [],
        ),
      ),
    ];
    if (resources.length === 0) return;
    this.capacityRead = true;
    this.track(
      readCapacity(this.o.conn, resources).then(
        (r) => {
          if (Array.isArray(r)) for (const capacity of r) this.record({ type: 'capacity', capacity });
          else this.degrade(r);
        },
        (e: unknown) => this.o.onEvent({ type: 'state', message: `node capacity: ${reason(e)}` }),
      ),
    );
  }

  private checkEnd(trace: Trace): void {
    if (this.done || this.loading.size > 0) return;
    if (trace.phase === 'ready' || trace.phase === 'succeeded') {
      // A container without a readiness probe is Ready the moment it runs, even if it exits right
      // after: wait a moment before calling the birth a success.
      if (this.readyAt !== null) return;
      this.readyAt = Date.now();
      setTimeout(() => {
        this.readyAt = null;
        if (this.done) return;
        const now = this.trace();
        if (now.phase === 'ready' || now.phase === 'succeeded') void this.finish(now.phase);
        else this.checkEnd(now);
      }, this.o.readySettleMs ?? 1500);
    } else if (trace.phase === 'failed') {
      if (this.failedAt !== null) return;
      this.failedAt = Date.now();
      const grace = this.o.failureGraceMs ?? 8000;
      setTimeout(() => {
        this.failedAt = null;
        if (!this.done && this.trace().phase === 'failed') void this.finish('failed');
        else if (!this.done) this.checkEnd(this.trace());
      }, grace);
    }
  }

  private fail(e: ClusterError): void {
    this.o.onEvent({ type: 'error', error: e });
    void this.finish('stopped');
  }

  /** Stops all watches; reads the node logs one last time so the final steps are complete. */
  async finish(outcome: Outcome): Promise<void> {
    if (this.done) return;
    this.done = true;
    if (this.timeout) clearTimeout(this.timeout);
    if (this.logTimer) clearInterval(this.logTimer);
    if (outcome !== 'stopped' && this.nodeReader) {
      // Give the runtime a moment to log its last lines, then read once more.
      await new Promise((r) => setTimeout(r, 300));
      await this.readNodeLogs(Date.now(), false);
    }
    if (outcome !== 'stopped' && this.nodeName && this.metricsBefore) {
      const after = await scrapeRuntimeOperations(this.o.conn, this.nodeName);
      const note = after ? metricsNote(this.metricsBefore, after, this.nodeName) : null;
      if (note) this.record({ type: 'note', note });
    }
    if (outcome !== 'stopped' && this.nodeName && this.since) {
      const pod = { namespace: this.o.namespace, name: this.o.name };
      const text = await readKubeletLog(this.o.conn, this.nodeName, this.since, pod);
      const records = parseLogText(text, { referenceYear: this.since.getUTCFullYear() }).records;
      for (const record of records) this.record({ type: 'log', record });
      // These lines are all about this pod: a second kubelet process among them is a restart.
      const created = this.createdAt;
      for (const p of laterProcesses(records))
        if (!created || p.firstSeen.key >= created.key)
          this.disturbed(`kubelet|${p.pid}`, kubeletRestartNote(this.nodeName, p.firstSeen));
    }
    await Promise.all([this.podWatch?.stop(), ...this.eventWatches.map((w) => w.stop())]);
    if (this.pendingEmit) {
      clearTimeout(this.pendingEmit);
      this.pendingEmit = null;
    }
    this.emitSteps();
    const trace = this.trace();
    this.o.onEvent({ type: 'finished', trace, outcome });
    this.finishResolve?.(outcome);
  }

  async stop(): Promise<void> {
    await this.finish('stopped');
  }
}

function reason(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
