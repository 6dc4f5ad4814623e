// What "Trace Rollout" does once a workload document is chosen: ask apply or attach (apply refused in
// an untrusted workspace), then one rollout job (src/cluster/rollout-job.ts, the flow the CLI's
// `--all` runs too) in the rollout worker process: a dry run and the same modal as every apply
// naming context, server and namespace, the watches opened before the apply, or the newest
// revision's pods when attaching. The rollout's reports go to the window's rollout registry until
// every pod's trace ended, the timeout passed or the user stopped it; a pod's diagram follows that
// pod in the worker. Talks to VS Code only through `HostUi` and to the worker only through a
// RolloutJobRunner, so it is unit-tested with fakes (and the real job in this process).

import type {
  ManifestTarget,
  PodTraceEvent,
  RolloutEnd,
  RolloutJob,
  RolloutJobRunner,
  RolloutJobStart,
  TraceMode,
} from '../cluster/index.js';
import { sourceOf } from '../core/manifest/parse.js';
import { errorText } from '../core/guards.js';
import type { RolloutReport } from '../core/rollout/report.js';
import { describeDocument } from './choose.js';
import { KEEP_TRACES, type RolloutEntry, type RolloutRegistry } from './rollout-registry.js';
import type { TraceEntry, TraceRegistry } from './trace-registry.js';
import { ROLLOUT_KINDS, confirmApplyPlan, type HostUi, type TraceSettings } from './trace-flow.js';

export interface RolloutFlowDeps {
  readonly ui: HostUi;
  /** Runs the job: in the rollout worker process in the editor (rollout-worker-client.ts). */
  readonly startRollout: RolloutJobRunner;
  readonly rollouts: RolloutRegistry;
  readonly settings: () => TraceSettings;
  /** The rollout is traced: open its view. */
  readonly onStarted?: (entry: RolloutEntry) => void;
  /** An event of a pod whose diagram was opened (its first is the pod's state when opened). */
  readonly onPodEvent?: (entry: RolloutEntry, pod: string, e: PodTraceEvent) => void;
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
  const cfg = deps.settings();
  const job: RolloutJob = {
    subject: subjectOf(target),
    mode,
    connect: { kubeconfig: cfg.kubeconfig, context: cfg.context, namespace: cfg.namespace },
    timeoutMs: cfg.timeoutMs,
    maxPods: ROLLOUT_POD_LIMIT,
    session: { nodeLogs: cfg.nodeLogs },
  };

  // Reports can come before the job has started (during the apply): the latest waits for the entry.
  let entry: RolloutEntry | null = null;
  let early: RolloutReport | null = null;
  let result: RolloutJobStart;
  try {
    const verb = mode === 'apply' ? 'applying' : 'attaching to';
    result = await ui.withProgress(
      `Pod Birth: ${verb} the rollout of ${describeDocument(target.document)}`,
      async (report) =>
        deps.startRollout(job, {
          onResolved: (w) =>
            report(
              `${w.subject} in ${w.namespace} (context ${w.context}): ${mode === 'apply' ? 'dry run…' : 'reading the workload…'}`,
            ),
          confirm: async (plan, question) => {
            const ok = await confirmApplyPlan(ui, { confirmationText: () => question }, plan);
            if (ok) report('opening the watches, then creating…');
            return ok ? 'modal' : null;
          },
          onRequest: (line) => ui.log.debug(line),
          onReport: (r) => {
            if (!entry) early = r;
            else if (r.live) deps.rollouts.update(entry.id, r);
            else deps.rollouts.finish(entry.id, r);
          },
          onPodEvent: (pod, e) => entry && deps.onPodEvent?.(entry, pod, e),
          onOwnerFailed: (owner, msg, count) =>
            ui.error(`Pod Birth: ${owner} could not create pods (${count}×): ${msg.slice(0, 300)}`),
        }),
    );
  } catch (e) {
    ui.error(`Pod Birth: ${errorText(e)}`);
    return null;
  }
  if (result.status === 'declined') {
    ui.log.info(`not applied: ${result.question} was declined`);
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
  const { control } = result;
  const at = result.where;
  const created = deps.rollouts.add({
    title: `${at.workload.kind} ${at.namespace}/${at.workload.name}`,
    where: `context ${at.context}`,
    manifest: { uri: target.source, docIndex: target.document.index },
    follow: (pod) => control.follow(pod),
    stop: () => control.stop(),
    dispose: () => control.dispose(),
  });
  entry = created;
  if (early) deps.rollouts.update(created.id, early);
  deps.onStarted?.(created);
  // Done when every expected pod's trace ended, or at the trace timeout: the last report is not live.
  void result.finished.then(
    (end: RolloutEnd) => deps.rollouts.finish(created.id, end.report),
    (e: unknown) => {
      deps.rollouts.finish(created.id);
      ui.error(`Pod Birth: the rollout of ${at.subject} ended: ${errorText(e)}`);
    },
  );
  return created;
}

/** The document as the worker reads it: the manifest's text and the document's index in it. */
function subjectOf(target: RolloutTarget): RolloutJob['subject'] {
  const text = sourceOf(target.document)?.text;
  if (text !== undefined) return { kind: 'manifest', text, index: target.document.index, source: target.source };
  return {
    kind: 'object',
    object: target.document.toJSON() as Extract<RolloutJob['subject'], { kind: 'object' }>['object'],
  };
}

/**
 * The window's trace of one pod of a rollout, for its sequence diagram: the one opened before, or a
 * new trace entry following the pod in the rollout's tracer (its first event is the pod's trace now,
 * finished when the pod's birth ended or the rollout is no longer traced). A string says why there
 * is none.
 */
export async function podTraceEntry(
  entry: RolloutEntry,
  pod: string,
  registry: TraceRegistry,
): Promise<TraceEntry | string> {
  const known = entry.opened.get(pod);
  const existing = known !== undefined ? registry.get(known) : undefined;
  if (existing) return existing;
  if (entry.restored)
    return `Pod Birth: this rollout was traced before the window reloaded, and its pods' traces ended with that window. Attach to ${pod} to see its birth, or trace the rollout again.`;
  if (entry.released)
    return `Pod Birth: the traces of this rollout's pods were released (only the ${KEEP_TRACES} newest finished rollouts keep them). Attach to ${pod} to see its birth, or trace the rollout again.`;
  const namespace = entry.report?.workload.namespace ?? '?';
  // The entry exists before the pod is followed: the pod's first event (its trace now) fills it.
  const created = registry.add({ title: `${namespace}/${pod}`, manifest: entry.manifest });
  entry.opened.set(pod, created.id);
  let traced: boolean;
  try {
    traced = await entry.follow(pod);
  } catch (e) {
    void registry.remove(created.id);
    entry.opened.delete(pod);
    return `Pod Birth: the diagram of ${pod} is no longer available (${errorText(e)}). Trace the workload again, or attach to the pod.`;
  }
  if (!traced) {
    void registry.remove(created.id);
    entry.opened.delete(pod);
    return `Pod Birth: ${pod} is not traced in this rollout (only its first ${ROLLOUT_POD_LIMIT} pods are). Attach to the pod itself to see its birth.`;
  }
  return registry.get(created.id) ?? created;
}

/** An opened pod's event reaches its diagram (the worker sends only the opened pods' events). */
export function followPodEvent(entry: RolloutEntry, pod: string, e: PodTraceEvent, registry: TraceRegistry): void {
  const id = entry.opened.get(pod);
  if (id === undefined) return;
  if (e.type === 'steps') registry.update(id, e.trace);
  if (e.type === 'finished') registry.finish(id, e.outcome, e.trace);
}

/** The rollout is no longer traced: the diagrams of its pods that were still live end as stopped. */
export function endOpenedPods(entry: RolloutEntry, registry: TraceRegistry): void {
  for (const id of entry.opened.values()) registry.finish(id, 'stopped');
}
