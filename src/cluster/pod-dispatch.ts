// The watches of many traces at once: one pod watch by label selector and one namespace-wide watch
// per Event API (core/v1 `involvedObject.kind=Pod`, events.k8s.io/v1 `regarding.kind=Pod`), each
// object handed to the trace of its pod — by name for pods, by uid for events. A rollout of N pods
// costs three watches instead of 3·N (session-watches.ts opens three per pod).
//
// An event can arrive before its pod (two streams, no order between them): events of a uid nobody
// claimed yet are kept for a while (bounded) and handed over when the pod's trace is adopted.

import type { Pod } from '../core/k8s-types.js';
import { errorText, isRecord } from '../core/guards.js';
import type { TraceNote } from '../core/model.js';
import type { ClusterError } from './errors.js';
import type { Connection } from './kubeconfig.js';
import { ResumableWatch, type WatchEventType } from './watch.js';

/** What a trace takes from the shared watches (TraceSession with sharedWatches). */
export interface PodSink {
  podChanged(type: WatchEventType, pod: Pod, receivedAtMs: number): void;
  eventReceived(object: Record<string, unknown>, receivedAtMs: number): void;
}

export interface SharedWatchOptions {
  readonly conn: Connection;
  readonly namespace: string;
  readonly labelSelector: string;
  /** A pod no trace follows yet: return its sink to follow it from now on, or null to leave it. */
  readonly adopt: (type: WatchEventType, pod: Pod, receivedAtMs: number) => PodSink | null;
  readonly onState?: (message: string) => void;
  /** Events are not readable at all: every trace has only the pod status. */
  readonly onDegraded?: (note: TraceNote) => void;
  readonly onFatal?: (e: ClusterError) => void;
}

/** Unclaimed events kept at most this long, and at most this many (a busy namespace's other pods). */
const PENDING_MS = 120_000;
const PENDING_MAX = 5000;

function uidOfEvent(obj: Record<string, unknown>): string | null {
  const ref = isRecord(obj.involvedObject) ? obj.involvedObject : isRecord(obj.regarding) ? obj.regarding : null;
  return ref && typeof ref.uid === 'string' && ref.uid ? ref.uid : null;
}

export class SharedPodWatches {
  private readonly byName = new Map<string, PodSink>();
  private readonly byUid = new Map<string, PodSink>();
  private readonly pending = new Map<string, { object: Record<string, unknown>; at: number }[]>();
  private pendingCount = 0;
  private podWatch: ResumableWatch | null = null;
  private eventWatches: ResumableWatch[] = [];
  private eventsListed: (() => void) | null = null;
  /** Resolves once the event watches' first lists were handed out (or refused). */
  readonly eventsLoaded: Promise<void>;

  constructor(private readonly o: SharedWatchOptions) {
    this.eventsLoaded = new Promise((r) => (this.eventsListed = r));
  }

  /** The open watches: the pod watch, then the event watches that started. */
  get all(): readonly ResumableWatch[] {
    return [this.podWatch, ...this.eventWatches].filter((w): w is ResumableWatch => !!w);
  }

  /** Lists and watches the pods (rejects when that fails), then the events (a refusal only degrades). */
  async start(): Promise<void> {
    const { conn, namespace } = this.o;
    const ns = encodeURIComponent(namespace);
    this.podWatch = new ResumableWatch({
      conn,
      path: `/api/v1/namespaces/${ns}/pods`,
      labelSelector: this.o.labelSelector,
      resource: 'pods',
      namespace,
      onObject: (type, obj, at) => this.onPod(type, obj as Pod, at),
      onState: (s, d) => this.o.onState?.(`pod watch ${s}: ${d}`),
      onFatal: (e) => this.o.onFatal?.(e),
    });
    await this.podWatch.start();
    const core = this.eventWatch(`/api/v1/namespaces/${ns}/events`, 'involvedObject.kind=Pod', 'events');
    const v1 = this.eventWatch(
      `/apis/events.k8s.io/v1/namespaces/${ns}/events`,
      'regarding.kind=Pod',
      'events.events.k8s.io',
    );
    const results = await Promise.allSettled([core.start(), v1.start()]);
    this.eventsListed?.();
    this.eventWatches = [core, v1].filter((_w, i) => results[i]?.status === 'fulfilled');
    const [rc, rv] = results;
    if (rc?.status === 'rejected' && rv?.status === 'rejected') {
      this.o.onDegraded?.({
        kind: 'degraded',
        source: 'event',
        message: `Events are not readable (${errorText(rc.reason)}): the traces have only the pod status, so pulls, creates and failures lose their detail.`,
        remedy: 'Grant list and watch on events (core "" and events.k8s.io) in this namespace.',
      });
    } else if (rc?.status === 'rejected' || rv?.status === 'rejected') {
      const r = rc?.status === 'rejected' ? rc : rv;
      this.o.onState?.(`one Event API is not readable (${errorText(r?.status === 'rejected' ? r.reason : '')})`);
    }
  }

  async stop(): Promise<void> {
    this.eventsListed?.();
    await Promise.all(this.all.map((w) => w.stop()));
  }

  /** Stops handing objects to a pod's trace (it ended). */
  release(name: string, uid: string | null): void {
    this.byName.delete(name);
    if (uid) this.byUid.delete(uid);
  }

  private onPod(type: WatchEventType, pod: Pod, at: number): void {
    const name = pod.metadata?.name;
    const uid = pod.metadata?.uid;
    if (!name || !uid) return;
    let sink = this.byName.get(name);
    if (!sink) {
      sink = this.o.adopt(type, pod, at) ?? undefined;
      if (!sink) return;
      this.byName.set(name, sink);
    }
    if (!this.byUid.has(uid)) {
      this.byUid.set(uid, sink);
      const waiting = this.pending.get(uid);
      this.pending.delete(uid);
      this.pendingCount -= waiting?.length ?? 0;
      sink.podChanged(type, pod, at);
      for (const e of waiting ?? []) sink.eventReceived(e.object, e.at);
      return;
    }
    sink.podChanged(type, pod, at);
  }

  private onEvent(object: Record<string, unknown>, at: number): void {
    const uid = uidOfEvent(object);
    if (!uid) return;
    const sink = this.byUid.get(uid);
    if (sink) return sink.eventReceived(object, at);
    // Not (yet) a traced pod: keep it a while in case its pod shows up next.
    if (this.pendingCount >= PENDING_MAX) this.prune(at);
    if (this.pendingCount >= PENDING_MAX) return;
    const list = this.pending.get(uid) ?? [];
    list.push({ object, at });
    this.pending.set(uid, list);
    this.pendingCount++;
  }

  private prune(now: number): void {
    for (const [uid, list] of this.pending) {
      if ((list[list.length - 1]?.at ?? 0) >= now - PENDING_MS) continue;
      this.pending.delete(uid);
      this.pendingCount -= list.length;
    }
  }

  private eventWatch(path: string, fieldSelector: string, resource: string): ResumableWatch {
    return new ResumableWatch({
      conn: this.o.conn,
      path,
      fieldSelector,
      resource,
      namespace: this.o.namespace,
      onObject: (_t, obj, at) => this.onEvent(obj, at),
      onState: (s, d) => this.o.onState?.(`${resource} watch ${s}: ${d}`),
      onFatal: (e) =>
        e.kind === 'unauthorized'
          ? this.o.onFatal?.(e)
          : this.o.onDegraded?.({
              kind: 'degraded',
              source: 'event',
              message: `Stopped watching ${resource}: ${e.message}`,
              remedy: 'Grant list and watch on events in this namespace.',
            }),
    });
  }
}
