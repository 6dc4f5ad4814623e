// What "Trace Rollout" does once a workload document is chosen: ask apply or attach (apply refused in
// an untrusted workspace), dry-run and confirm naming context, server and namespace (the same modal as
// "Trace Pod Birth"), start the rollout tracer (its watches open before the apply, so the first pod is
// seen being created), apply, and keep the rollout's reports in the window's rollout registry until
// every pod's trace ended, the timeout passed or the user stopped it. Talks to VS Code only through
// `HostUi` and to the cluster only through the lazily loaded cluster module, so it is unit-tested
// with fakes.

import type * as ClusterApi from '../cluster/index.js';
import type { KubeObject, ManifestTarget, RolloutOptions, TraceMode } from '../cluster/index.js';
import { errorText, isRecord } from '../core/guards.js';
import type { Trace } from '../core/model.js';
import type { RolloutReport } from '../core/rollout/report.js';
import { describeDocument } from './choose.js';
import type { RolloutEntry, RolloutRegistry } from './rollout-registry.js';
import type { TraceEntry, TraceRegistry } from './trace-registry.js';
import { ROLLOUT_KINDS, confirmApplyPlan, type HostUi, type TraceSettings } from './trace-flow.js';

/** The tracer as this flow uses it (src/cluster/rollout.ts). */
export interface RolloutTracerLike {
  start(): Promise<void>;
  stop(): void;
  report(): RolloutReport;
  traceOf(pod: string): Trace | undefined;
  readonly finished: Promise<void>;
}

export type RolloutTracerOptions = RolloutOptions;

export interface RolloutClusterModule extends Pick<
  typeof ClusterApi,
  'resolveTarget' | 'dryRun' | 'applyConfirmed' | 'confirmationText' | 'setRequestLogger'
> {
  createRolloutTracer(o: RolloutTracerOptions): RolloutTracerLike;
}

export interface RolloutFlowDeps {
  readonly ui: HostUi;
  readonly cluster: () => RolloutClusterModule;
  readonly rollouts: RolloutRegistry;
  readonly settings: () => TraceSettings;
  /** The rollout is traced: open its view. */
  readonly onStarted?: (entry: RolloutEntry) => void;
  /** Every event of every pod (an opened pod's diagram follows its trace). */
  readonly onPodEvent?: (entry: RolloutEntry, pod: string, e: ClusterApi.SessionEvent) => void;
}

/** A workload document, and optionally the mode already chosen (the trace flow's own quick pick). */
export type RolloutTarget = Omit<ManifestTarget, 'mode'> & { readonly mode?: TraceMode };

/** The most pods one rollout traces (the tracer's own ceiling). */
export const ROLLOUT_POD_LIMIT = 1000;

/** Why this document has no rollout to trace, or null when it has one. */
export function rolloutRefusal(kind: string | null): string | null {
  if (kind !== null && ROLLOUT_KINDS.has(kind)) return null;
  if (kind === 'Pod')
    return 'a Pod is one pod, not a rollout: use "Trace Pod Birth" for it, or run this on its Deployment, StatefulSet, DaemonSet, Job or ReplicaSet.';
  return `a ${kind ?? 'document without kind'} has no rollout Pod Birth can trace; run this on a Deployment, StatefulSet, DaemonSet, Job or ReplicaSet manifest.`;
}

/** Asks the mode (unless given), confirms an apply, and traces the rollout. Resolves once it runs (or was refused). */
export async function traceRollout(deps: RolloutFlowDeps, target: RolloutTarget): Promise<RolloutEntry | null> {
  const { ui } = deps;
  const refusal = rolloutRefusal(target.document.kind);
  if (refusal) {
    ui.error(`Pod Birth: ${refusal}`);
    return null;
  }
  const mode =
    target.mode ?? (await ui.pickMode(`the rollout of ${describeDocument(target.document)}`, ui.isTrusted()));
  if (mode !== 'apply' && mode !== 'attach') return null;
  if (mode === 'apply' && !ui.isTrusted()) {
    ui.error(
      'Pod Birth: applying manifests to a cluster is disabled in an untrusted workspace. Trust the workspace, or attach to the existing rollout.',
    );
    return null;
  }
  const api = deps.cluster();
  const cfg = deps.settings();
  api.setRequestLogger((line) => ui.log.debug(line));
  let resolved: ClusterApi.ResolvedTarget;
  try {
    resolved = api.resolveTarget(
      { kind: 'manifest', document: target.document, source: target.source, mode },
      { kubeconfig: cfg.kubeconfig, context: cfg.context, namespace: cfg.namespace, workloadPods: ROLLOUT_POD_LIMIT },
    );
  } catch (e) {
    ui.error(`Pod Birth: ${errorText(e)}`);
    return null;
  }
  if (resolved.traced.kind !== 'object') return null;
  const workload: KubeObject = resolved.traced.object;
  const { conn, namespace } = resolved;
  const title = `${workload.kind ?? '?'} ${namespace}/${workload.metadata?.name ?? '?'}`;
  const where = `context ${conn.context}`;

  let plan: ClusterApi.ApplyPlan | null = null;
  try {
    if (mode === 'apply') {
      plan = await api.dryRun(conn, workload);
      if (!(await confirmApplyPlan(ui, api, plan))) {
        ui.log.info(`not applied: ${api.confirmationText(plan)} was declined`);
        return null;
      }
    }
  } catch (e) {
    ui.error(`Pod Birth: ${rejectionText(e)}`);
    return null;
  }

  let entry: RolloutEntry | null = null;
  const tracer = api.createRolloutTracer({
    conn,
    namespace,
    workload,
    // Apply: only the pods this apply creates; attach: the pods the workload has.
    notBeforeMs: mode === 'apply' ? Date.now() : 0,
    maxPods: ROLLOUT_POD_LIMIT,
    session: { nodeLogs: cfg.nodeLogs, timeoutMs: cfg.timeoutMs },
    onReport: (r) => {
      if (!entry) return;
      if (r.live) deps.rollouts.update(entry.id, r);
      else deps.rollouts.finish(entry.id, r);
    },
    onPodEvent: (pod, e) => entry && deps.onPodEvent?.(entry, pod, e),
    onOwnerFailed: (owner, msg, count) =>
      ui.error(`Pod Birth: ${owner} could not create pods (${count}×): ${msg.slice(0, 300)}`),
  });
  const created = deps.rollouts.add({
    title,
    where,
    manifest: { uri: target.source, docIndex: target.document.index },
    traceOf: (pod) => tracer.traceOf(pod),
    stop: () => tracer.stop(),
  });
  entry = created;
  const verb = mode === 'apply' ? 'applying' : 'attaching to';
  try {
    await ui.withProgress(`Pod Birth: ${verb} the rollout of ${title} (${where})`, async (report) => {
      report('opening the pod and event watches…');
      await tracer.start();
      if (plan) {
        report('creating…');
        await api.applyConfirmed(conn, workload, plan, { confirmedBy: 'modal' });
      }
    });
  } catch (e) {
    tracer.stop();
    deps.rollouts.finish(created.id);
    ui.error(`Pod Birth: ${rejectionText(e)}`);
    return null;
  }
  deps.rollouts.update(created.id, tracer.report());
  deps.onStarted?.(created);
  // Done when every expected pod's trace ended, or at the trace timeout: the last report is not live.
  const timer = setTimeout(() => tracer.stop(), cfg.timeoutMs);
  (timer as { unref?: () => void }).unref?.();
  void tracer.finished.then(() => {
    clearTimeout(timer);
    tracer.stop();
  });
  return created;
}

/** An apiserver refusal with the fields it named (the manifest's own lines are shown by the language server). */
function rejectionText(e: unknown): string {
  const causes = isRecord(e) && Array.isArray(e.causes) ? (e.causes as unknown[]) : [];
  const fields = causes
    .filter(isRecord)
    .map((c) => `${typeof c.field === 'string' ? c.field : '?'}: ${typeof c.message === 'string' ? c.message : ''}`);
  return fields.length > 0 ? `the apiserver rejected the manifest: ${fields.join('; ')}` : errorText(e);
}

/**
 * The window's trace of one pod of a rollout, for its sequence diagram: the one opened before, or a
 * new trace entry from the tracer's trace of that pod (finished already when the pod's birth ended or
 * the rollout is no longer traced). A string says why there is none.
 */
export function podTraceEntry(entry: RolloutEntry, pod: string, registry: TraceRegistry): TraceEntry | string {
  const known = entry.opened.get(pod);
  const existing = known !== undefined ? registry.get(known) : undefined;
  if (existing) return existing;
  const trace = entry.traceOf(pod);
  if (!trace)
    return `Pod Birth: ${pod} is not traced in this rollout (only its first ${ROLLOUT_POD_LIMIT} pods are). Attach to the pod itself to see its birth.`;
  const namespace = entry.report?.workload.namespace ?? trace.pod.namespace ?? '?';
  const created = registry.add({ title: `${namespace}/${pod}`, manifest: entry.manifest });
  registry.update(created.id, trace);
  const row = entry.report?.pods.find((p) => p.name === pod);
  // The pod's own end when it had one (ready, failed…); a pod still starting when the rollout's
  // tracing ended was stopped there.
  const podEnded = row !== undefined && row.outcome !== 'running' && row.outcome !== 'pending';
  if (podEnded || !entry.live) registry.finish(created.id, podEnded ? row.outcome : 'stopped', trace);
  entry.opened.set(pod, created.id);
  return created;
}

/** A pod's session event reaches its diagram when that pod was opened (other pods cost nothing here). */
export function followPodEvent(
  entry: RolloutEntry,
  pod: string,
  e: ClusterApi.SessionEvent,
  registry: TraceRegistry,
): void {
  const id = entry.opened.get(pod);
  if (id === undefined) return;
  if (e.type === 'steps') registry.update(id, e.trace);
  if (e.type === 'finished') registry.finish(id, e.outcome, e.trace);
}

/** The rollout is no longer traced: the diagrams of its pods that were still live end as stopped. */
export function endOpenedPods(entry: RolloutEntry, registry: TraceRegistry): void {
  for (const [pod, id] of entry.opened) registry.finish(id, 'stopped', entry.traceOf(pod));
}
