// A rollout traced from plain data: the job the editor hands to the rollout worker process
// (rollout-worker.ts) and what comes back. Everything here crosses a process boundary, so it is data
// only: the manifest's text (parsed again on this side), the kubeconfig options (loaded again, like
// kubectl), the reports, and the traces of the pods the user opened. Why a separate process: a
// 300-pod rollout's traces and watches cost the tracer 60-100 MB of heap, which the editor's shared
// extension host must not carry (docs/architecture.md, "The rollout worker").

import { parseManifest } from '../core/manifest/index.js';
import type { Trace } from '../core/model.js';
import type { RolloutReport } from '../core/rollout/report.js';
import type { ApplyPlan, KubeObject } from './apply.js';
import { confirmationText } from './apply.js';
import { RunError } from './errors.js';
import { setRequestLogger } from './http.js';
import { startRollout } from './rollout-run.js';
import type { RolloutTracer } from './rollout.js';
import type { Outcome } from './session.js';
import { resolveTarget, type ManifestCause, type ResolveOptions, type TraceMode } from './target.js';

/** What to trace: a document of a manifest (its text and index), or an object built in code. */
export type RolloutJobSubject =
  | { readonly kind: 'manifest'; readonly text: string; readonly index: number; readonly source: string }
  | { readonly kind: 'object'; readonly object: KubeObject };

export interface RolloutJob {
  readonly subject: RolloutJobSubject;
  readonly mode: TraceMode;
  /** Kubeconfig, context and namespace as the settings give them (the same rule as every trace). */
  readonly connect: Pick<ResolveOptions, 'kubeconfig' | 'context' | 'namespace'>;
  readonly timeoutMs: number;
  readonly maxPods: number;
  readonly session: {
    readonly nodeLogs?: boolean;
    readonly readySettleMs?: number;
    readonly logPollMs?: number;
  };
}

/** Where the job runs, known once its target is resolved (before any request). */
export interface RolloutWhere {
  readonly context: string;
  readonly server: string;
  readonly namespace: string;
  /** `Deployment/web`. */
  readonly subject: string;
  readonly workload: { readonly kind: string; readonly name: string };
}

/** An opened pod's trace: its state when opened, then every change. */
export type PodTraceEvent =
  | { readonly type: 'steps'; readonly trace: Trace }
  | { readonly type: 'finished'; readonly trace: Trace; readonly outcome: Outcome };

export interface RolloutJobCallbacks {
  readonly onResolved?: (where: RolloutWhere) => void;
  /** Apply: the dry-run plan and the sentence that asks; resolves with who confirmed, or null to cancel. */
  readonly confirm: (plan: ApplyPlan, question: string) => Promise<string | null>;
  readonly onReport: (r: RolloutReport) => void;
  /** Events of the pods being followed (RolloutControl.follow), in order, the first being its state then. */
  readonly onPodEvent: (pod: string, e: PodTraceEvent) => void;
  readonly onOwnerFailed?: (owner: string, message: string, count: number) => void;
  /** Every request, `METHOD url` (no credentials). */
  readonly onRequest?: (line: string) => void;
}

export interface RolloutEnd {
  readonly how: 'done' | 'timeout';
  /** The last report (not live). */
  readonly report: RolloutReport;
}

export interface RolloutControl {
  /**
   * Starts sending this pod's events to onPodEvent, the first being its trace now ('finished' when
   * its trace ended or the rollout is no longer traced). Resolves false for a pod not traced.
   */
  follow(pod: string): Promise<boolean>;
  /** Stops tracing (the end follows through `finished`). */
  stop(): void;
  /** Frees what holds the traces; no pod can be opened after. */
  dispose(): void;
}

export type RolloutJobStart =
  | { readonly status: 'declined'; readonly plan: ApplyPlan; readonly question: string }
  | { readonly status: 'not-found'; readonly message: string }
  | { readonly status: 'rejected'; readonly message: string; readonly causes: readonly ManifestCause[] }
  | {
      readonly status: 'running';
      readonly where: RolloutWhere;
      readonly control: RolloutControl;
      /** The rollout is traced (every pod ended, or the time ran out). Rejects when tracing broke. */
      readonly finished: Promise<RolloutEnd>;
    };

/** Starts a rollout job: in this process (runRolloutJob), or in the worker (the editor). */
export type RolloutJobRunner = (job: RolloutJob, cb: RolloutJobCallbacks) => Promise<RolloutJobStart>;

/** The pod's trace now, as its first event: 'finished' once its trace ended or the tracer stopped. */
export function podSnapshot(tracer: RolloutTracer, pod: string, live: boolean): PodTraceEvent | undefined {
  const state = tracer.podState(pod);
  if (!state) return undefined;
  if (state.outcome !== null) return { type: 'finished', trace: state.trace, outcome: state.outcome };
  return live ? { type: 'steps', trace: state.trace } : { type: 'finished', trace: state.trace, outcome: 'stopped' };
}

/**
 * Runs the job in this process: resolve (the same rule as every trace), dry run and confirm, the
 * watches, the apply; or attach to the newest revision. The worker process runs exactly this.
 */
export async function runRolloutJob(job: RolloutJob, cb: RolloutJobCallbacks): Promise<RolloutJobStart> {
  const resolved = resolveTarget(targetOf(job), { ...job.connect, workloadPods: job.maxPods });
  const object = resolved.traced.kind === 'object' ? resolved.traced.object : null;
  if (!object || object.kind === 'Pod')
    throw new RunError(
      'A rollout traces the pods of a workload (Deployment, ReplicaSet, StatefulSet, DaemonSet, Job).',
    );
  const where: RolloutWhere = {
    context: resolved.conn.context,
    server: resolved.conn.server,
    namespace: resolved.namespace,
    subject: resolved.subject,
    workload: { kind: object.kind ?? '', name: object.metadata?.name ?? object.metadata?.generateName ?? '?' },
  };
  cb.onResolved?.(where);
  if (cb.onRequest) setRequestLogger(cb.onRequest);
  const followed = new Set<string>();
  let question = '';
  let live = true;
  const result = await startRollout({
    subject: { kind: 'target', target: resolved },
    timeoutMs: job.timeoutMs,
    maxPods: job.maxPods,
    session: job.session,
    confirm: async (plan) => cb.confirm(plan, (question = confirmationText(plan))),
    onReport: cb.onReport,
    // Only the pods the user opened cross over: the others' events stay in their rows.
    onPodEvent: (pod, e) => {
      if (!followed.has(pod)) return;
      if (e.type === 'steps') cb.onPodEvent(pod, { type: 'steps', trace: e.trace });
      else if (e.type === 'finished') cb.onPodEvent(pod, { type: 'finished', trace: e.trace, outcome: e.outcome });
    },
    ...(cb.onOwnerFailed ? { onOwnerFailed: cb.onOwnerFailed } : {}),
  });
  if (result.status === 'declined') return { status: 'declined', plan: result.plan, question };
  if (result.status !== 'running') return result;
  const { tracer } = result;
  const finished = result.finished.then((how): RolloutEnd => {
    live = false;
    return { how, report: tracer.report() };
  });
  const control: RolloutControl = {
    follow: async (pod) => {
      const first = podSnapshot(tracer, pod, live);
      if (!first) return false;
      followed.add(pod);
      cb.onPodEvent(pod, first);
      return true;
    },
    stop: () => tracer.stop(),
    dispose: () => {
      tracer.stop();
      followed.clear();
    },
  };
  return { status: 'running', where, control, finished };
}

function targetOf(job: RolloutJob): Parameters<typeof resolveTarget>[0] {
  const s = job.subject;
  if (s.kind === 'object') return { kind: 'object', object: s.object, mode: job.mode };
  const document = parseManifest(s.text).documents[s.index];
  if (!document) throw new RunError(`The manifest has no document ${s.index + 1}; save it and try again.`);
  return { kind: 'manifest', document, source: s.source, mode: job.mode };
}
