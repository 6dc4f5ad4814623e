// The watches of one trace. Rule: one pod watch scoped by name, then — once the pod's uid is known —
// two event watches scoped by that uid (core/v1 `involvedObject.uid`, events.k8s.io/v1
// `regarding.uid`): never more than three, never cluster-wide. Each is a ResumableWatch (resumes after
// a cut, relists on 410). The first list of an event watch is retried on transient failures; events
// that stay unreadable degrade the trace (status only) instead of ending it, while credentials that
// stop working end it.

import type { Pod } from '../core/k8s-types.js';
import type { TraceNote } from '../core/model.js';
import { errorText } from '../core/guards.js';
import { ClusterError } from './errors.js';
import type { Connection } from './kubeconfig.js';
import { ResumableWatch, type WatchEventType } from './watch.js';

/** Where the watches deliver what they receive. */
export interface WatchSink {
  pod(type: WatchEventType, pod: Pod, receivedAtMs: number): void;
  event(obj: Record<string, unknown>, receivedAtMs: number): void;
  state(message: string): void;
  degrade(note: TraceNote): void;
  /** The trace cannot go on (401, or the pod watch refused). */
  fatal(e: ClusterError): void;
  /** Whether the trace has ended: nothing is started or retried after that. */
  ended(): boolean;
}

const RETRIES = 4;

export class TraceWatches {
  private podWatch: ResumableWatch | null = null;
  private eventWatches: ResumableWatch[] = [];
  private eventsStarted = false;

  constructor(
    private readonly conn: Connection,
    private readonly namespace: string,
    private readonly name: string,
    private readonly sink: WatchSink,
    /** First pause before retrying an event watch's first list (doubles each time). */
    private readonly retryMs = 250,
  ) {}

  /** The open watches: the pod watch first, then the event watches that started. */
  get all(): readonly ResumableWatch[] {
    return [this.podWatch, ...this.eventWatches].filter((w): w is ResumableWatch => !!w);
  }

  /** Lists the pod (current state first), then watches it. Rejects when the list fails. */
  async startPod(): Promise<void> {
    const { conn, namespace, sink } = this;
    this.podWatch = new ResumableWatch({
      conn,
      path: `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`,
      fieldSelector: `metadata.name=${this.name}`,
      resource: 'pods',
      namespace,
      onObject: (type, obj, at) => sink.pod(type, obj as Pod, at),
      onState: (s, d) => sink.state(`pod watch ${s}: ${d}`),
      onFatal: (e) => sink.fatal(e),
    });
    await this.podWatch.start();
  }

  /** Starts the two event watches for the pod's uid, once per trace (a refusal is not asked again). */
  async startEvents(uid: string): Promise<void> {
    if (this.eventsStarted || this.sink.ended()) return;
    this.eventsStarted = true;
    const ns = encodeURIComponent(this.namespace);
    const core = this.eventWatch(`/api/v1/namespaces/${ns}/events`, `involvedObject.uid=${uid}`, 'events');
    const v1 = this.eventWatch(
      `/apis/events.k8s.io/v1/namespaces/${ns}/events`,
      `regarding.uid=${uid}`,
      'events.events.k8s.io',
    );
    this.eventWatches = [core, v1];
    const results = await Promise.allSettled([this.startRetrying(core), this.startRetrying(v1)]);
    const [rc, rv] = results;
    if (rc?.status === 'rejected' && rv?.status === 'rejected') {
      this.sink.degrade({
        kind: 'degraded',
        source: 'event',
        message: `Events are not readable (${errorText(rc.reason)}): the trace has only the pod status, so pulls, creates and failures lose their detail.`,
        remedy: 'Grant list and watch on events (core "" and events.k8s.io) in this namespace.',
      });
    } else if (rv?.status === 'rejected') {
      // The core API carries the same stored events; only the scheduler's microsecond eventTime is lost.
      this.sink.state(`events.k8s.io not readable (${errorText(rv.reason)}); using core/v1 events only`);
    } else if (rc?.status === 'rejected') {
      this.sink.state(`core/v1 events not readable (${errorText(rc.reason)}); using events.k8s.io only`);
    }
    this.eventWatches = this.eventWatches.filter((_w, i) => results[i]?.status === 'fulfilled');
  }

  async stop(): Promise<void> {
    await Promise.all(this.all.map((w) => w.stop()));
  }

  private eventWatch(path: string, fieldSelector: string, resource: string): ResumableWatch {
    const { sink } = this;
    return new ResumableWatch({
      conn: this.conn,
      path,
      fieldSelector,
      resource,
      namespace: this.namespace,
      onObject: (_t, obj, at) => sink.event(obj, at),
      onState: (s, d) => sink.state(`${resource} watch ${s}: ${d}`),
      // Credentials that stopped working end the trace (with the re-authenticate message); only a
      // refusal of events themselves degrades it.
      onFatal: (e) =>
        e.kind === 'unauthorized'
          ? sink.fatal(e)
          : sink.degrade({
              kind: 'degraded',
              source: 'event',
              message: `Stopped watching ${resource}: ${e.message}`,
              remedy: 'Grant list and watch on events in this namespace.',
            }),
    });
  }

  /**
   * A transient failure of the first list (a dropped connection, an apiserver restarting) is retried a
   * few times: before, it dropped that event watch for the rest of the trace, as if events were
   * refused (seen when a connection was cut while the watches started).
   */
  private async startRetrying(w: ResumableWatch): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await w.start();
      } catch (e) {
        const transient =
          e instanceof ClusterError && (e.kind === 'unreachable' || e.kind === 'timeout' || e.kind === 'server');
        if (!transient || attempt >= RETRIES || this.sink.ended()) throw e;
        const pause = this.retryMs * 2 ** attempt;
        this.sink.state(`${errorText(e)} (retrying the first list in ${pause} ms)`);
        await new Promise((r) => setTimeout(r, pause));
      }
    }
  }
}
