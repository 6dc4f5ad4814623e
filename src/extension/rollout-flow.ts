// What "Trace Rollout" does once a workload document is chosen: ask apply or attach (apply refused in
// an untrusted workspace), then the cluster's one rollout flow (startRollout, shared with the CLI's
// `--all`): a dry run and the same modal as every apply naming context, server and namespace, the
// watches opened before the apply, or the newest revision's pods when attaching. The rollout's reports
// go to the window's rollout registry until every pod's trace ended, the timeout passed or the user
// stopped it. Talks to VS Code only through `HostUi` and to the cluster only through the lazily loaded
// cluster module, so it is unit-tested with fakes.

import type * as ClusterApi from '../cluster/index.js';
import type { ManifestTarget, TraceMode } from '../cluster/index.js';
import { errorText } from '../core/guards.js';
import type { RolloutReport } from '../core/rollout/report.js';
import { describeDocument } from './choose.js';
import type { RolloutEntry, RolloutRegistry } from './rollout-registry.js';
import type { TraceEntry, TraceRegistry } from './trace-registry.js';
import { ROLLOUT_KINDS, confirmApplyPlan, type HostUi, type TraceSettings } from './trace-flow.js';

export type RolloutClusterModule = Pick<
  typeof ClusterApi,
  'resolveTarget' | 'startRollout' | 'confirmationText' | 'setRequestLogger'
>;

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
  const { conn, namespace, subject } = resolved;
  const where = `context ${conn.context}`;

  // Reports can come before startRollout returns (during the apply): the latest waits for the entry.
  let entry: RolloutEntry | null = null;
  let early: RolloutReport | null = null;
  const onReport = (r: RolloutReport): void => {
    if (!entry) early = r;
    else if (r.live) deps.rollouts.update(entry.id, r);
    else deps.rollouts.finish(entry.id, r);
  };
  let result: ClusterApi.RolloutRunResult;
  try {
    const verb = mode === 'apply' ? 'applying' : 'attaching to';
    result = await ui.withProgress(
      `Pod Birth: ${verb} the rollout of ${subject} in ${namespace} (${where})`,
      async (report) => {
        report(mode === 'apply' ? 'dry run…' : 'reading the workload…');
        return api.startRollout({
          subject: { kind: 'target', target: resolved },
          timeoutMs: cfg.timeoutMs,
          maxPods: ROLLOUT_POD_LIMIT,
          session: { nodeLogs: cfg.nodeLogs },
          confirm: async (plan) => {
            const ok = await confirmApplyPlan(ui, api, plan);
            if (ok) report('opening the watches, then creating…');
            return ok ? 'modal' : null;
          },
          onReport,
          onPodEvent: (pod, e) => entry && deps.onPodEvent?.(entry, pod, e),
          onOwnerFailed: (owner, msg, count) =>
            ui.error(`Pod Birth: ${owner} could not create pods (${count}×): ${msg.slice(0, 300)}`),
        });
      },
    );
  } catch (e) {
    ui.error(`Pod Birth: ${errorText(e)}`);
    return null;
  }
  if (result.status === 'declined') {
    ui.log.info(`not applied: ${api.confirmationText(result.plan)} was declined`);
    return null;
  }
  if (result.status === 'not-found') {
    ui.error(`Pod Birth: ${result.message} Choose "Apply & trace" to create it.`);
    return null;
  }
  if (result.status === 'rejected') {
    const lines = result.causes.map((c) => `${c.path}${c.line ? ` (line ${c.line})` : ''}: ${c.message}`);
    ui.error(`Pod Birth: the apiserver rejected the manifest: ${lines.join('; ')}`);
    return null;
  }
  const { tracer } = result;
  const workload = resolved.traced.kind === 'object' ? resolved.traced.object : null;
  const created = deps.rollouts.add({
    title: `${workload?.kind ?? '?'} ${namespace}/${workload?.metadata?.name ?? '?'}`,
    where,
    manifest: { uri: target.source, docIndex: target.document.index },
    traceOf: (pod) => tracer.traceOf(pod),
    stop: () => tracer.stop(),
  });
  entry = created;
  deps.rollouts.update(created.id, early ?? tracer.report());
  deps.onStarted?.(created);
  // Done when every expected pod's trace ended, or at the trace timeout: the last report is not live.
  void result.finished.then(
    () => deps.rollouts.finish(created.id, tracer.report()),
    (e: unknown) => {
      deps.rollouts.finish(created.id);
      ui.error(`Pod Birth: the rollout of ${subject} ended: ${errorText(e)}`);
    },
  );
  return created;
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
