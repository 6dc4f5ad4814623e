// What a trace reads about the pod's node, through the apiserver. Rule: once the pod has a node, read
// the node object (runtime and OS) and whether nodes/proxy is allowed, then poll the runtime log
// (every 1.5 s, sharing reads with the other traces of a run) from 5 s before the pod's creation;
// kubelet metrics only when no runtime log is readable. When the trace ends (not when it is stopped):
// one more runtime-log read, the metrics difference, and the kubelet's lines about this pod. Node
// capacity is read once, and only when the scheduler said cpu or memory is short everywhere. What is
// not readable becomes a degraded note saying what the trace loses; daemon restarts seen in the logs
// become disturbance notes (once each).

import type { Pod } from '../core/k8s-types.js';
import type { LogRecord, Trace, TraceNote } from '../core/model.js';
import { errorText } from '../core/guards.js';
import { parseLogText } from '../core/logs/index.js';
import { instantFromMs, parseInstant, type Instant } from '../core/time.js';
import type { Evidence } from '../core/trace/index.js';
import { readCapacity } from './capacity.js';
import { kubeletRestartNote, laterProcesses, runtimeRestartNote } from './disturbance.js';
import { ClusterError } from './errors.js';
import type { Connection } from './kubeconfig.js';
import { metricsNote, scrapeRuntimeOperations, type OperationTotals } from './metrics.js';
import type { NodeDebugOptions } from './node-debug.js';
import { NodeLogFeeds, type NodeLogFeed } from './node-log-feed.js';
import { nodeProxyForbiddenNote } from './node-proxy.js';

export interface NodeSink {
  record(ev: Evidence): void;
  degrade(note: TraceNote): void;
  state(message: string): void;
  /** Credentials stopped working: the trace ends. */
  fatal(e: ClusterError): void;
  ended(): boolean;
  /** An initial load the trace's end waits for. */
  track(p: Promise<void>): void;
  /** The pod's birth is over (Ready, Failed or Succeeded): a debug pod may now be created on the node. */
  settled?(): boolean;
  /**
   * The kubelet reported steps (sandbox, create, start) whose runtime lines are not in the trace yet:
   * the runtime's journal can lag behind the kubelet under load, so the end reads again for a while.
   */
  runtimeLagging?(): boolean;
  /** Of a node log read (every pod's lines), those that are this pod's; default: all of them. */
  ownRecords?(records: readonly LogRecord[]): readonly LogRecord[];
}

/**
 * After the end's first read, how long to wait before each further read while the runtime's lines lag
 * (9.5 s at most): in a 100-pod rollout on a loaded 2-core node, a pod was Ready and settled before
 * journald had containerd's CreateContainer and StartContainer lines for it.
 */
const CATCH_UP_MS = [500, 1000, 2000, 3000, 3000];

/**
 * The end's read of the kubelet's lines may be one that started this long before it: every line it
 * wants (SyncLoop ADD, PLEG, the startup duration) was logged before the pod was Ready, at least 3 s
 * before the end (READY_SETTLE_MS), so the pods of a run that end within 2 s share one read. Reads are
 * then at least 2 s apart whatever the pod count (a 100-pod rollout made one read per pod).
 */
const KUBELET_SHARE_MS = 2000;

/** A pod whose birth is not over after this long (a failing probe, a crash loop) gets its debug pod anyway. */
const DEBUG_POD_AFTER_MS = 20_000;

export interface NodeReadingOptions {
  readonly conn: Connection;
  readonly namespace: string;
  readonly name: string;
  readonly nodeLogs?: boolean;
  readonly logPollMs?: number;
  readonly capacity?: boolean;
  /** Node reads shared with the other traces of a run; default: this trace's own. */
  readonly nodeFeeds?: NodeLogFeeds;
  /** The user allowed a debug pod on the node when the node proxy gives no runtime log. */
  readonly nodeDebug?: NodeDebugOptions;
}

/** The resources the scheduler found short on every node, from the trace's diagnosis. */
export function shortResources(trace: Trace): ('cpu' | 'memory')[] {
  const short = trace.diagnosis.flatMap((d) =>
    d.cause === 'insufficient-memory' ? ['memory' as const] : d.cause === 'insufficient-cpu' ? ['cpu' as const] : [],
  );
  return [...new Set(short)];
}

export class NodeReading {
  private nodeName: string | null = null;
  private feed: NodeLogFeed | null = null;
  /** The feed's mode note this trace was last told (it changes when e.g. nodes/proxy is revoked). */
  private modeNote: TraceNote | null = null;
  /** The feed's note on which record fed the CRI steps (debug pod), last told. */
  private sourceNote: TraceNote | null = null;
  /** This trace's own feeds (no run shares them): closed with the trace. */
  private ownFeeds: NodeLogFeeds | null = null;
  /** The run's feeds, or this trace's own, once the pod has a node. */
  private feeds: NodeLogFeeds | null = null;
  private since: Date | null = null;
  /** The pod's creation (else the trace's start): restarts before it did not disturb this birth. */
  private createdAt: Instant | null = null;
  /** Kubelet metrics at the start, used only when no runtime log is readable. */
  private metricsBefore: OperationTotals | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  private reading = false;
  private capacityRead = false;
  private nodeKnownAt = 0;
  private readonly disturbances = new Set<string>();

  constructor(
    private readonly o: NodeReadingOptions,
    private readonly sink: NodeSink,
  ) {}

  /** The pod got its node (first time only): read the node, then start polling its runtime log. */
  nodeKnown(node: string, pod: Pod): void {
    if (this.nodeName) return;
    this.nodeName = node;
    this.nodeKnownAt = Date.now();
    this.sink.track(this.startNode(node, pod));
  }

  /** Once per trace, and only when the scheduler said cpu or memory is short everywhere. */
  readCapacityIfShort(trace: Trace): void {
    if (this.capacityRead || this.sink.ended() || this.o.capacity === false) return;
    const resources = shortResources(trace);
    if (resources.length === 0) return;
    this.capacityRead = true;
    this.sink.track(
      readCapacity(this.o.conn, resources).then(
        (r) => {
          if (Array.isArray(r)) for (const capacity of r) this.sink.record({ type: 'capacity', capacity });
          else this.sink.degrade(r);
        },
        (e: unknown) => this.sink.state(`node capacity: ${errorText(e)}`),
      ),
    );
  }

  stopPolling(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** After the end: the last runtime lines, the metrics difference and the kubelet's lines about the pod. */
  async finalReads(): Promise<void> {
    this.stopPolling();
    const node = this.nodeName;
    if (this.feed) {
      // Give the runtime a moment to log its last lines, then read once more; again while lines the
      // kubelet's report implies are still missing (reads are shared with the run's other traces).
      await sleep(300);
      await this.readLogs(Date.now(), false);
      for (const ms of CATCH_UP_MS) {
        if (this.feed.mode === 'none' || !this.sink.runtimeLagging?.()) break;
        await sleep(ms);
        await this.readLogs(Date.now(), false);
      }
    }
    if (node && this.metricsBefore) {
      const after = await scrapeRuntimeOperations(this.o.conn, node);
      const note = after ? metricsNote(this.metricsBefore, after, node) : null;
      if (note) this.sink.record({ type: 'note', note });
    }
    if (node && this.since) await this.readKubelet(node, this.since);
  }

  private async startNode(node: string, pod: Pod): Promise<void> {
    const { sink } = this;
    const feeds = this.o.nodeFeeds ?? (this.ownFeeds = new NodeLogFeeds(this.o.conn, this.o.nodeDebug));
    this.feeds = feeds;
    try {
      const facts = await feeds.nodeFacts(node);
      if ('kind' in facts) sink.degrade(facts);
      else {
        sink.record({ type: 'node', name: node, runtimeVersion: facts.runtimeVersion });
        if (facts.os && facts.os !== 'linux') {
          sink.degrade({
            kind: 'degraded',
            source: 'runtime-log',
            message: `Node ${node} runs ${facts.os}: runtime log parsing is Linux-only, so CRI steps have whole-second times from events.`,
            remedy: 'Nothing to enable; events and pod status still give the timeline.',
          });
          return;
        }
      }
      if (this.o.nodeLogs === false) return;
      const kubeletVersion = 'kind' in facts ? null : facts.kubeletVersion;
      const proxyAllowed = await feeds.logsAllowed(node);
      // Without nodes/proxy a debug pod (when allowed) is the only way to the runtime's record.
      if (!proxyAllowed && !feeds.debugAllowed) {
        sink.degrade(nodeProxyForbiddenNote(node, kubeletVersion));
        return;
      }
      const runtime = 'kind' in facts ? null : facts.runtimeVersion;
      this.feed = feeds.feed(
        node,
        runtime && /^cri-o/i.test(runtime) ? 'crio' : 'containerd',
        kubeletVersion,
        proxyAllowed,
      );
      const created = parseInstant(pod.metadata?.creationTimestamp);
      this.createdAt = created ?? instantFromMs(Date.now());
      this.since = new Date((created ? Date.parse(created.key) : Date.now()) - 5000);
      await this.readLogs(Date.now());
      if (this.feed.mode === 'none') this.metricsBefore = await scrapeRuntimeOperations(this.o.conn, node);
      const pollMs = this.o.logPollMs ?? 1500;
      // A read another trace started in the last two thirds of a period is fresh enough to share.
      if (!sink.ended() && this.feed.mode !== 'none')
        this.timer = setInterval(() => void this.readLogs(Date.now() - (2 * pollMs) / 3), pollMs);
    } catch (e) {
      sink.state(`node ${node}: ${errorText(e)}`);
    }
  }

  /** Folds in the runtime records of a node-log read that started at or after `startedAfter` (ms). */
  private async readLogs(startedAfter: number, poll = true): Promise<void> {
    // Timer polls never overlap; the final read does not skip because a poll happens to be running.
    if (!this.feed || !this.since || (poll && this.reading)) return;
    // The debug pod is created once the birth is over (or after 20 s, or at the end): created during
    // the birth, its own sandbox, pull and start would compete with the traced pod's on the node (a
    // pull of the same image is then two pulls), disturbing the very times being measured. The
    // journal is read from before the pod's creation, so nothing is lost by waiting.
    if (!poll || this.sink.settled?.() || Date.now() - this.nodeKnownAt >= DEBUG_POD_AFTER_MS) this.feed.armDebug();
    this.reading = true;
    try {
      const r = await this.feed.read(this.since, startedAfter);
      if (r.note && r.note !== this.modeNote) {
        this.modeNote = r.note;
        this.sink.degrade(r.note);
      }
      if (r.sourceNote && r.sourceNote !== this.sourceNote) {
        this.sourceNote = r.sourceNote;
        if (r.sourceNote.kind === 'degraded') this.sink.degrade(r.sourceNote);
        else {
          this.sink.record({ type: 'note', note: r.sourceNote });
          this.sink.state(r.sourceNote.message);
        }
      }
      if (r.mode === 'none') this.stopPolling();
      // The feed may have read from an earlier moment for another trace: keep this pod's window only.
      const sinceKey = instantFromMs(this.since.getTime()).key;
      const own = this.sink.ownRecords ? this.sink.ownRecords(r.records) : r.records;
      for (const record of own) if (record.time.key >= sinceKey) this.sink.record({ type: 'log', record });
      const node = this.nodeName;
      if (this.createdAt && node) {
        for (const s of r.starts)
          if (s.at.key >= this.createdAt.key)
            this.disturbed(`runtime|${s.at.key}`, runtimeRestartNote(s.runtime, node, s.at));
      }
    } catch (e) {
      // Expired or revoked credentials do not come back by asking again: end the trace with the
      // re-authenticate message. Before, the poll repeated the 401 every 1.5 s (20 requests in 30 s)
      // and the user saw nothing until the watches reconnected minutes later.
      if (e instanceof ClusterError && e.kind === 'unauthorized') this.sink.fatal(e);
      else this.sink.state(`node logs: ${errorText(e)}`);
    } finally {
      this.reading = false;
    }
  }

  /** Deletes this trace's own debug pod, if it made one (a run's shared feeds are closed by the run). */
  async close(): Promise<void> {
    this.stopPolling();
    await this.ownFeeds?.close();
  }

  private async readKubelet(node: string, since: Date): Promise<void> {
    const pod = `${this.o.namespace}/${this.o.name}`;
    const text = this.feed?.kubeletText(pod);
    const all =
      text !== null && text !== undefined
        ? parseLogText(text, { referenceYear: since.getUTCFullYear() }).records
        : this.feeds
          ? await this.feeds.kubeletRecords(node, this.o.namespace, since, Date.now() - KUBELET_SHARE_MS)
          : [];
    // The read covers the namespace's pods (shared by a run's traces): keep this pod's lines.
    const records = all.filter((r) => r.type === 'kubelet' && r.pod === pod);
    for (const record of records) this.sink.record({ type: 'log', record });
    // These lines are all about this pod: a second kubelet process among them is a restart.
    const created = this.createdAt;
    for (const p of laterProcesses(records))
      if (!created || p.firstSeen.key >= created.key)
        this.disturbed(`kubelet|${p.pid}`, kubeletRestartNote(node, p.firstSeen));
  }

  /** A daemon on the node restarted mid-trace (seen in the logs already read): once per restart. */
  private disturbed(key: string, note: TraceNote): void {
    if (this.disturbances.has(key)) return;
    this.disturbances.add(key);
    this.sink.record({ type: 'note', note });
    this.sink.state(note.message);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
