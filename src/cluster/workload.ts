// Following a workload (Deployment → ReplicaSet → Pods, Job → Pods, StatefulSet/DaemonSet → Pods) to
// the pods it creates after an apply, and tracing the first N of them. Pods are found with a
// namespace-scoped watch on the template's labels, never a cluster-wide list; owner-side refusals
// (quota, admission) come from FailedCreate events filtered by reason on the server.

import type { Pod } from '../core/k8s-types.js';
import { normalizeEvent } from '../core/trace/events.js';
import type { KubeObject } from './apply.js';
import { RunError } from './errors.js';
import type { Connection } from './kubeconfig.js';
import { NodeLogFeeds } from './node-log-feed.js';
import { TraceSession, type SessionEvent, type SessionOptions } from './session.js';
import { SharedPodWatches } from './pod-dispatch.js';
import { ResumableWatch } from './watch.js';

export type WorkloadEvent =
  | { readonly type: 'pod-found'; readonly name: string; readonly index: number }
  | { readonly type: 'owner-failed'; readonly owner: string; readonly message: string; readonly count: number }
  | { readonly type: 'pod'; readonly name: string; readonly event: SessionEvent };

export interface WorkloadOptions {
  readonly conn: Connection;
  readonly namespace: string;
  readonly workload: KubeObject;
  /** Pods created before this moment (ms) belong to an earlier rollout. */
  readonly notBeforeMs: number;
  readonly maxPods: number;
  readonly session: Omit<SessionOptions, 'conn' | 'namespace' | 'name' | 'onEvent' | 'uid' | 'sharedWatches'>;
  /**
   * One pod watch and namespace-wide event watches for all pods, each object handed to its pod's
   * trace (pod-dispatch.ts), instead of three watches per pod: for tracing every pod of a rollout.
   */
  readonly sharedWatches?: boolean;
  /** Finds the pods by this selector instead of the workload's (attach: the newest revision's pods). */
  readonly labelSelector?: string;
  readonly onEvent: (e: WorkloadEvent) => void;
}

/**
 * The label selector that finds a workload's pods, or '' when it has none. A Job without a manual
 * selector is found by the `batch.kubernetes.io/job-name` label its controller puts on every pod
 * (1.27+): its template may carry no labels at all, and its real selector (a controller-uid) exists
 * only once it is created.
 */
export function podSelectorOf(w: KubeObject): string {
  const spec = w.spec as
    | {
        manualSelector?: boolean;
        selector?: { matchLabels?: Record<string, string> };
        template?: { metadata?: { labels?: Record<string, string> } };
        jobTemplate?: { spec?: { template?: { metadata?: { labels?: Record<string, string> } } } };
      }
    | undefined;
  const labels =
    w.kind === 'Job' && !spec?.manualSelector && w.metadata?.name
      ? { 'batch.kubernetes.io/job-name': w.metadata.name }
      : (spec?.selector?.matchLabels ??
        spec?.template?.metadata?.labels ??
        spec?.jobTemplate?.spec?.template?.metadata?.labels ??
        {});
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

export class WorkloadTracer {
  readonly sessions = new Map<string, TraceSession>();
  private podWatch: ResumableWatch | null = null;
  private shared: SharedPodWatches | null = null;
  private ownerWatch: ResumableWatch | null = null;
  private jobWatch: ResumableWatch | null = null;
  private allDone: Promise<void> | null = null;
  private resolveAll: (() => void) | null = null;
  /** The pods share one read of each node's log, node object and access review. */
  private readonly feeds: NodeLogFeeds;

  constructor(private readonly o: WorkloadOptions) {
    this.feeds = new NodeLogFeeds(o.conn, o.session.nodeDebug);
  }

  async start(): Promise<void> {
    const selector = this.o.labelSelector ?? podSelectorOf(this.o.workload);
    if (!selector)
      throw new RunError(
        `The ${this.o.workload.kind ?? 'workload'} has no selector or template labels to find its pods by: add spec.template.metadata.labels.`,
      );
    const ns = encodeURIComponent(this.o.namespace);
    this.allDone = new Promise((r) => (this.resolveAll = r));
    if (this.o.sharedWatches) {
      this.shared = new SharedPodWatches({
        conn: this.o.conn,
        namespace: this.o.namespace,
        labelSelector: selector,
        adopt: (type, pod) => (type === 'DELETED' ? null : this.adopt(pod)),
      });
    } else {
      this.podWatch = new ResumableWatch({
        conn: this.o.conn,
        path: `/api/v1/namespaces/${ns}/pods`,
        labelSelector: selector,
        resource: 'pods',
        namespace: this.o.namespace,
        onObject: (type, obj) => {
          if (type !== 'DELETED') void this.maybeTrace(obj as Pod);
        },
      });
    }
    const prefix = `${this.o.workload.metadata?.name ?? ''}`;
    this.ownerWatch = new ResumableWatch({
      conn: this.o.conn,
      path: `/api/v1/namespaces/${ns}/events`,
      fieldSelector: 'reason=FailedCreate',
      resource: 'events',
      namespace: this.o.namespace,
      onObject: (_t, obj) => {
        const e = normalizeEvent(obj);
        const owner = e?.regarding.name ?? '';
        if (
          e &&
          (owner === prefix || owner.startsWith(`${prefix}-`)) &&
          (e.last ? Date.parse(e.last.key) >= this.o.notBeforeMs - 1000 : true)
        ) {
          this.o.onEvent({
            type: 'owner-failed',
            owner: `${e.regarding.kind ?? ''}/${owner}`,
            message: e.message,
            count: e.count,
          });
        }
      },
    });
    // A Job says why it gave up on its own object (BackoffLimitExceeded, DeadlineExceeded): every
    // traced pod gets those events, so a pod's trace can say the Job failed, not only the pod.
    const job = this.o.workload.kind === 'Job' ? this.o.workload.metadata?.name : undefined;
    this.jobWatch = job
      ? new ResumableWatch({
          conn: this.o.conn,
          path: `/api/v1/namespaces/${ns}/events`,
          fieldSelector: `involvedObject.kind=Job,involvedObject.name=${job}`,
          resource: 'events',
          namespace: this.o.namespace,
          onObject: (_t, obj) => {
            for (const s of this.sessions.values()) s.addOwnerEvent(obj, Date.now());
          },
        })
      : null;
    await Promise.all([
      this.podWatch?.start(),
      this.shared?.start(),
      this.ownerWatch.start().catch(() => undefined),
      this.jobWatch?.start().catch(() => undefined),
    ]);
  }

  /** The watches this tracer opened itself (the sessions' own come on top when not shared). */
  get watchList(): readonly ResumableWatch[] {
    return [
      this.podWatch,
      ...(this.shared?.all ?? []),
      this.ownerWatch,
      this.jobWatch,
      ...[...this.sessions.values()].flatMap((s) => s.watchList),
    ].filter((w): w is ResumableWatch => !!w);
  }

  /** A new pod of the workload: its session, created and started, or null when it is not traced. */
  private adopt(pod: Pod): TraceSession | null {
    const name = pod.metadata?.name;
    const created = pod.metadata?.creationTimestamp ? Date.parse(pod.metadata.creationTimestamp) : 0;
    if (!name || this.sessions.has(name) || this.sessions.size >= this.o.maxPods) return null;
    if (created < Math.floor(this.o.notBeforeMs / 1000) * 1000 - 1000) return null;
    const uid = pod.metadata?.uid ?? null;
    const session = new TraceSession({
      ...this.o.session,
      conn: this.o.conn,
      namespace: this.o.namespace,
      name,
      nodeFeeds: this.feeds,
      sharedWatches: this.shared !== null,
      ...(uid ? { uid } : {}),
      onEvent: (event) => this.o.onEvent({ type: 'pod', name, event }),
    });
    this.sessions.set(name, session);
    this.o.onEvent({ type: 'pod-found', name, index: this.sessions.size - 1 });
    void session.finished.then(() => {
      this.shared?.release(name, uid);
      this.checkAllDone();
    });
    // A shared session opens nothing: start() only says 'started' and starts its clock, at once.
    if (this.shared) {
      void session.start();
      session.awaitSharedLoad(this.shared.eventsLoaded);
    }
    return session;
  }

  private async maybeTrace(pod: Pod): Promise<void> {
    await this.adopt(pod)?.start();
  }

  private checkAllDone(): void {
    if (this.sessions.size >= this.o.maxPods) {
      void Promise.all([...this.sessions.values()].map((s) => s.finished)).then(() => this.resolveAll?.());
    }
  }

  /** Resolves when the first N pods finished (or never, if fewer appear: use stop()). */
  get finished(): Promise<void> {
    return this.allDone ?? Promise.resolve();
  }

  async stop(): Promise<void> {
    await Promise.all([
      this.podWatch?.stop(),
      this.shared?.stop(),
      this.ownerWatch?.stop(),
      this.jobWatch?.stop(),
      ...[...this.sessions.values()].map((s) => s.stop()),
    ]);
    // After the sessions' final reads: the run's debug pods (if any) go.
    await this.feeds.close();
    this.resolveAll?.();
  }
}
