// One node's runtime log, read and parsed once for every trace that needs it.
//
// Each trace used to poll the node proxy on its own and keep its own parsed copy of every line. For a
// 100-replica rollout on one node that was ~100 reads of the same growing log every 1.5 s, and each
// trace held its own copy of every other pod's lines: the bench's 100-replica run peaked at 218 MB of
// heap (80 MB with the feed), most of it duplicated log records. A feed shares the reads: a caller
// asks for a read that started after a given moment; a read already running (or just finished) that
// qualifies is shared, and callers that arrive while an older read runs share the one read queued
// behind it (shared-reads.ts). The parsed records are shared too (read-only), so each trace only adds
// its own index. The kubelet's lines about a run's pods are read the same way, once per node and
// namespace (NodeLogFeeds.kubeletRecords).

import type { LogRecord, TraceNote } from '../core/model.js';
import { parseLogText } from '../core/logs/index.js';
import { instantFromMs, type Instant } from '../core/time.js';
import type { Connection } from './kubeconfig.js';
import { runtimeStarts } from './disturbance.js';
import { SharedReads } from './shared-reads.js';
import { NodeDebugPods, type NodeDebugOptions, type NodeDebugReader } from './node-debug.js';
import {
  NodeLogReader,
  canGetNodeProxy,
  nodeProxyForbiddenNote,
  readKubeletLog,
  readNode,
  type LogMode,
  type NodeFacts,
} from './node-proxy.js';

export interface NodeLogBatch {
  readonly mode: LogMode;
  /** What the best available mode costs the trace (log query off, nodes/proxy refused), once known. */
  readonly note: TraceNote | null;
  /** Every runtime record since the read's start time, parsed once and shared by all readers: do not mutate. */
  readonly records: readonly LogRecord[];
  /** Runtime start banners in the text (a restart of containerd or CRI-O). */
  readonly starts: readonly { readonly runtime: string; readonly at: Instant }[];
  /** Which record fed the CRI steps when a debug pod read them, or why it could not (sticky, like `note`). */
  readonly sourceNote: TraceNote | null;
}

/** Start banners are kept whatever their time; each trace compares them with its pod's creation. */
const ANY_TIME: Instant = instantFromMs(0);

export class NodeLogFeed {
  private readonly reader: NodeLogReader;
  private readonly reads = new SharedReads<NodeLogBatch>((sinceMs) => this.fetch(new Date(sinceMs)));
  /** The mode note sticks: a trace that joins after the first read must still be told. */
  private note: TraceNote | null = null;
  private sourceNote: TraceNote | null = null;
  /** Set once the node proxy gave nothing and the user allowed a debug pod: every later read goes there. */
  private debugMode: 'node-debug' | 'none' | null = null;

  constructor(
    conn: Connection,
    node: string,
    service: 'containerd' | 'crio',
    kubeletVersion: string | null = null,
    private readonly debug: NodeDebugReader | null = null,
    /** False when the access review said no to get nodes/proxy: only the debug pod is tried. */
    proxyAllowed = true,
  ) {
    this.reader = new NodeLogReader(conn, node, service, kubeletVersion);
    if (!proxyAllowed) {
      this.note = nodeProxyForbiddenNote(node, kubeletVersion);
      this.debugMode = debug ? 'node-debug' : 'none';
    }
  }

  /** The best mode that answered (null before the first read). */
  get mode(): LogMode | null {
    return this.debugMode ?? this.reader.mode;
  }

  /** A trace on this node may have its debug pod now (see NodeReading): until then a debug read waits. */
  armDebug(): void {
    this.debug?.arm();
  }

  /** The kubelet's lines about `namespace/name` when a debug pod reads the node; null otherwise. */
  kubeletText(pattern: string): string | null {
    return this.debugMode === 'node-debug' && this.debug ? this.debug.kubeletText(pattern) : null;
  }

  /**
   * Records since `since` (and possibly earlier: filter by time), from a read that started at or after
   * `startedAfter` (ms since the epoch). Rejects with the read's error (a 401 reaches every caller).
   */
  read(since: Date, startedAfter: number): Promise<NodeLogBatch> {
    return this.reads.read(since.getTime(), startedAfter);
  }

  private async fetch(since: Date): Promise<NodeLogBatch> {
    let mode: LogMode;
    let text: string;
    if (this.debugMode !== null) {
      mode = this.debugMode;
      text = '';
    } else {
      const r = await this.reader.read(since);
      if (r.note) this.note = r.note;
      mode = r.mode;
      text = r.text;
      // The node proxy gives nothing and the user allowed a debug pod on this node: from now on, read there.
      if (mode === 'none' && this.debug) this.debugMode = 'node-debug';
    }
    if (this.debugMode === 'node-debug' && this.debug) {
      const d = await this.debug.read(since);
      if (d.note) this.sourceNote = d.note;
      if (!d.ok) this.debugMode = 'none';
      mode = this.debugMode;
      text = d.text;
    }
    const records = parseLogText(text, { referenceYear: since.getUTCFullYear() }).records;
    return {
      mode,
      note: this.note,
      records,
      starts: text ? runtimeStarts(text, ANY_TIME) : [],
      sourceNote: this.sourceNote,
    };
  }
}

/**
 * The node reads shared by the traces of one run (a workload's pods): the node object, the access
 * review and the runtime log feed are asked once per node, not once per pod.
 */
export class NodeLogFeeds {
  private readonly facts = new Map<string, Promise<NodeFacts | TraceNote>>();
  private readonly allowed = new Map<string, Promise<boolean>>();
  private readonly feeds = new Map<string, NodeLogFeed>();
  private readonly kubelet = new Map<string, SharedReads<readonly LogRecord[]>>();
  /** Debug pods, when the user allowed them for this run; deleted by close(). */
  private readonly debug: NodeDebugPods | null;

  constructor(
    private readonly conn: Connection,
    nodeDebug?: NodeDebugOptions,
  ) {
    this.debug = nodeDebug ? new NodeDebugPods(conn, nodeDebug) : null;
  }

  /** Deletes the run's debug pods (if any). Call when the run ends or is stopped. */
  async close(): Promise<void> {
    await this.debug?.close();
  }

  /** The node's runtime, kubelet and OS, or a note saying the node object is not readable. */
  nodeFacts(node: string): Promise<NodeFacts | TraceNote> {
    return remember(this.facts, node, () => readNode(this.conn, node));
  }

  /** Whether the apiserver lets us GET nodes/proxy on this node (a failed review counts as no). */
  logsAllowed(node: string): Promise<boolean> {
    return remember(this.allowed, node, () => canGetNodeProxy(this.conn, node).catch(() => false));
  }

  /**
   * The kubelet's lines about the pods of `namespace` on `node` since `since` (and possibly earlier),
   * from a log query that started at or after `startedAfter` (ms). One query per node and namespace
   * serves every pod of a run that ends around then (a 300-pod rollout made 300 queries, one per pod),
   * parsed once: each trace keeps its own pod's records. Empty when the log query is not usable.
   */
  kubeletRecords(node: string, namespace: string, since: Date, startedAfter: number): Promise<readonly LogRecord[]> {
    const key = `${node}|${namespace}`;
    let reads = this.kubelet.get(key);
    if (!reads) {
      reads = new SharedReads(async (sinceMs) => {
        const from = new Date(sinceMs);
        const text = await readKubeletLog(this.conn, node, from, `${namespace}/`);
        return parseLogText(text, { referenceYear: from.getUTCFullYear() }).records;
      });
      this.kubelet.set(key, reads);
    }
    return reads.read(since.getTime(), startedAfter);
  }

  /** Whether the user allowed a debug pod for this run. */
  get debugAllowed(): boolean {
    return this.debug !== null;
  }

  feed(
    node: string,
    service: 'containerd' | 'crio',
    kubeletVersion: string | null = null,
    proxyAllowed = true,
  ): NodeLogFeed {
    const key = `${service}|${node}`;
    let f = this.feeds.get(key);
    if (!f) {
      f = new NodeLogFeed(
        this.conn,
        node,
        service,
        kubeletVersion,
        this.debug?.reader(node, service) ?? null,
        proxyAllowed,
      );
      this.feeds.set(key, f);
    }
    return f;
  }
}

/** One promise per key; a rejected one is forgotten so that the next trace asks again. */
function remember<T>(cache: Map<string, Promise<T>>, key: string, make: () => Promise<T>): Promise<T> {
  const known = cache.get(key);
  if (known) return known;
  const p = make();
  cache.set(key, p);
  p.catch(() => {
    if (cache.get(key) === p) cache.delete(key);
  });
  return p;
}
