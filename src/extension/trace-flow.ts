// What "Trace Pod Birth" does once a document (or a pod) is chosen: ask apply or attach, refuse to
// apply in an untrusted workspace, confirm naming context, server and namespace, show progress, and
// register one trace per pod. The cluster layer resolves the target (connection, namespace) and maps
// a rejection to manifest lines; this file presents the sessions' events. Talks to VS Code only
// through `HostUi`, and to the cluster only through the lazily loaded cluster module, so the
// decisions are unit-tested without either.

import type * as ClusterApi from '../cluster/index.js';
import type { ManifestTarget, PodTarget, ResolvedTarget, TraceMode } from '../cluster/index.js';
import { errorText } from '../core/guards.js';
import type { TraceNote } from '../core/model.js';
import { lineOfPodPath } from '../core/manifest/index.js';
import { renderText, stepLine } from '../core/report/text.js';
import { describeDocument } from './choose.js';
import type { ManifestRef, TraceEntry, TraceRegistry } from './trace-registry.js';

export interface HostLog {
  info(s: string): void;
  warn(s: string): void;
  error(s: string): void;
  debug(s: string): void;
}

export interface HostUi {
  isTrusted(): boolean;
  /**
   * Apply & trace, or attach; null when dismissed. With `rollout` (a workload document) the pick also
   * offers tracing every pod of the rollout in the rollout view.
   */
  pickMode(subject: string, canApply: boolean, rollout?: boolean): Promise<TraceMode | RolloutMode | null>;
  /** The modal confirmation; true only when the user chose Apply. */
  confirmApply(question: string, detail: string): Promise<boolean>;
  /** The modal before a node debug pod is created; true only when the user chose to create it. */
  confirmNodeDebug?(question: string, detail: string): Promise<boolean>;
  /** A degraded runtime-log note in a context without debug pods: offer "Read the node with a debug pod". */
  offerNodeDebug?(context: string, message: string): void;
  error(message: string): void;
  info(message: string): void;
  /** Runs `task` with a cancellable progress notification; `cancelled` fires when the user cancels. */
  withProgress<T>(
    title: string,
    task: (report: (message: string) => void, cancelled: Promise<void>) => Promise<T>,
  ): Promise<T>;
  readonly log: HostLog;
}

export interface TraceSettings {
  readonly kubeconfig?: string;
  readonly context?: string;
  readonly namespace?: string;
  readonly nodeLogs: boolean;
  readonly timeoutMs: number;
  /** Workloads: how many of their pods to trace. */
  readonly maxPods: number;
  /** Node debug pods: the contexts where they are allowed (none by default), where and with what image. */
  readonly nodeDebug?: {
    readonly contexts: readonly string[];
    readonly namespace: string | undefined;
    readonly image: string;
  };
}

export type ClusterModule = Pick<
  typeof ClusterApi,
  'resolveTarget' | 'startRun' | 'confirmationText' | 'setRequestLogger'
>;

export interface FlowDeps {
  readonly ui: HostUi;
  readonly cluster: () => ClusterModule;
  readonly registry: TraceRegistry;
  readonly settings: () => TraceSettings;
  /** A pod's trace got its first state (open its diagram). */
  readonly onFirstState?: (entry: TraceEntry) => void;
  /** How to start the node debug pod's watchdog (argv after the Node binary); none: the deadline alone. */
  readonly nodeDebugWatchdog?: readonly string[];
  /** The user chose to trace the whole rollout of a workload document (the rollout view). */
  readonly onRollout?: (target: Omit<ManifestTarget, 'mode'>, mode: TraceMode) => Promise<void>;
}

/** The whole rollout of a workload document, applied or attached to (rollout-flow.ts). */
export type RolloutMode = 'rollout-apply' | 'rollout-attach';

/** Workload kinds whose rollout can be traced: what makes pods from a template, and is not a bare Pod. */
export const ROLLOUT_KINDS: ReadonlySet<string> = new Set([
  'Deployment',
  'ReplicaSet',
  'StatefulSet',
  'DaemonSet',
  'Job',
]);

/** The modal apply confirmation, naming context, cluster and namespace (every apply asks it). */
export async function confirmApplyPlan(
  ui: HostUi,
  api: Pick<ClusterModule, 'confirmationText'>,
  plan: ClusterApi.ApplyPlan,
): Promise<boolean> {
  return ui.confirmApply(
    api.confirmationText(plan),
    `Context: ${plan.context}\nCluster: ${plan.server}\nNamespace: ${plan.namespace}`,
  );
}

/** What to trace: a manifest document (apply or attach is asked), or a pod named without a manifest. */
export type EditorTarget = Omit<ManifestTarget, 'mode'> | PodTarget;

/** Asks the mode (documents) and runs the trace. Resolves once the trace runs (or was refused). */
export async function traceTarget(deps: FlowDeps, target: EditorTarget): Promise<TraceEntry[]> {
  const { ui } = deps;
  if (target.kind === 'pod') return runTarget(deps, target);
  const rollout = deps.onRollout !== undefined && ROLLOUT_KINDS.has(target.document.kind ?? '');
  const picked = await ui.pickMode(describeDocument(target.document), ui.isTrusted(), rollout);
  if (!picked) return [];
  if (picked === 'rollout-apply' || picked === 'rollout-attach') {
    await deps.onRollout?.(target, picked === 'rollout-apply' ? 'apply' : 'attach');
    return [];
  }
  const mode = picked;
  if (mode === 'apply' && !ui.isTrusted()) {
    ui.error(
      'Pod Birth: applying manifests to a cluster is disabled in an untrusted workspace. Trust the workspace, or attach to an existing pod.',
    );
    return [];
  }
  return runTarget(deps, { ...target, mode });
}

async function runTarget(deps: FlowDeps, target: ManifestTarget | PodTarget): Promise<TraceEntry[]> {
  const { ui } = deps;
  const api = deps.cluster();
  const cfg = deps.settings();
  api.setRequestLogger((line) => ui.log.debug(line));
  let resolved: ResolvedTarget;
  try {
    resolved = api.resolveTarget(target, {
      kubeconfig: cfg.kubeconfig,
      context: cfg.context,
      namespace: cfg.namespace,
      workloadPods: cfg.maxPods,
    });
  } catch (e) {
    ui.error(`Pod Birth: ${errorText(e)}`);
    return [];
  }
  const live = new LiveTraces(deps, resolved);
  const { mode, namespace, subject, conn } = resolved;
  const title =
    mode === 'apply'
      ? `Pod Birth: applying ${subject} to ${namespace} (context ${conn.context})`
      : `Pod Birth: attaching to ${subject} in ${namespace} (context ${conn.context})`;
  try {
    const result = await ui.withProgress(title, async (report, cancelled) => {
      report(mode === 'apply' ? 'dry run…' : 'reading the pod…');
      const r = await api.startRun({
        target: resolved,
        timeoutMs: cfg.timeoutMs,
        session: { nodeLogs: cfg.nodeLogs, ...nodeDebugSession(deps, cfg, resolved) },
        confirm: async (plan) => {
          const ok = await confirmApplyPlan(ui, api, plan);
          if (ok) report('creating…');
          return ok ? 'modal' : null;
        },
        onPod: (name, session) => {
          live.add(name, () => session.stop());
          report(`tracing ${name}…`);
        },
        onEvent: (name, e) => live.event(name, e),
        onOwnerFailed: (owner, msg, count) =>
          ui.error(`Pod Birth: ${owner} could not create pods (${count}×): ${msg.slice(0, 300)}`),
      });
      if (r.status === 'running') {
        // Keep the notification until the first state arrives (or the user cancels, which stops).
        const stop = cancelled.then(async () => {
          await r.run.stop();
          return 'cancelled' as const;
        });
        await Promise.race([live.firstState, stop, r.run.finished]);
      }
      return r;
    });
    if (result.status === 'declined') {
      ui.log.info(`not applied: ${api.confirmationText(result.plan)} was declined`);
      return [];
    }
    if (result.status === 'not-found') {
      ui.error(
        `Pod Birth: ${result.message}${target.kind === 'manifest' ? ' Choose "Apply & trace" to create it.' : ''}`,
      );
      return [];
    }
    if (result.status === 'rejected') {
      const lines = result.causes.map((c) => `${c.path}${c.line ? ` (line ${c.line})` : ''}: ${c.message}`);
      ui.error(`Pod Birth: the apiserver rejected the manifest: ${lines.join('; ')}`);
      return [];
    }
    return live.entries;
  } catch (e) {
    await live.stopAll();
    ui.error(`Pod Birth: ${errorText(e)}`);
    return [];
  }
}

/**
 * The node debug pod's options when the setting allows it for this context: each pod is still
 * confirmed by a modal naming node, namespace, context, image and privileges.
 */
function nodeDebugSession(
  deps: FlowDeps,
  cfg: TraceSettings,
  resolved: ResolvedTarget,
): { nodeDebug?: ClusterApi.NodeDebugOptions } {
  const d = cfg.nodeDebug;
  const confirm = deps.ui.confirmNodeDebug;
  if (!d || !confirm || !d.contexts.includes(resolved.conn.context)) return {};
  return {
    nodeDebug: {
      namespace: d.namespace ?? resolved.namespace,
      image: d.image,
      deadlineSeconds: Math.ceil(cfg.timeoutMs / 1000) + 60,
      confirm: (plan) =>
        confirm(
          `Create a debug pod on node ${plan.node} to read its runtime log?`,
          `Namespace: ${plan.namespace}\nContext: ${plan.context}\nImage: ${plan.image}\nIt needs ${plan.privileges}. It is deleted when the trace ends.`,
        ),
      ...(deps.nodeDebugWatchdog ? { watchdog: deps.nodeDebugWatchdog } : {}),
    },
  };
}

/** The registry entries of one run's pods, following their sessions' events. */
class LiveTraces {
  readonly entries: TraceEntry[] = [];
  /** Resolves when the first pod's trace has a state (or finished). */
  readonly firstState: Promise<void>;
  private gotFirstState: () => void = () => undefined;
  private readonly byPod = new Map<string, TraceEntry>();
  private readonly manifest: ManifestRef | null;
  private readonly lineOf: (podPath: string) => number | null;
  private readonly namespace: string;
  private readonly context: string;
  private offered = false;

  constructor(
    private readonly deps: FlowDeps,
    target: ResolvedTarget,
  ) {
    this.firstState = new Promise<void>((r) => (this.gotFirstState = r));
    const { document, source } = target;
    this.namespace = target.namespace;
    this.context = target.conn.context;
    this.manifest = document && source !== null ? { uri: source, docIndex: document.index } : null;
    this.lineOf = (p) => (document ? lineOfPodPath(document, p) : null);
  }

  add(name: string, stop: () => Promise<void>): void {
    const entry = this.deps.registry.add({ title: `${this.namespace}/${name}`, manifest: this.manifest, stop });
    this.byPod.set(name, entry);
    this.entries.push(entry);
  }

  event(name: string, e: ClusterApi.SessionEvent): void {
    const { deps, lineOf } = this;
    const { registry, ui } = deps;
    const entry = this.byPod.get(name);
    if (!entry) return;
    const tag = this.byPod.size > 1 ? `[${name}] ` : '';
    if (e.type === 'steps') {
      if (!entry.trace) deps.onFirstState?.(entry);
      registry.update(entry.id, e.trace);
      this.gotFirstState();
      for (const s of e.added) {
        const line = s.yamlPath ? lineOf(s.yamlPath) : null;
        ui.log.info(`${tag}${stepLine(s)}${line ? ` (line ${line})` : ''}`);
      }
    }
    if (e.type === 'degraded') {
      ui.log.warn(`${tag}${e.note.message}${e.note.remedy ? ` To enable: ${e.note.remedy}` : ''}`);
      this.offerNodeDebug(e.note);
    }
    if (e.type === 'state') ui.log.debug(`${tag}${e.message}`);
    if (e.type === 'error') ui.log.error(`${tag}${e.error.message}`);
    if (e.type === 'finished') {
      if (!entry.trace) deps.onFirstState?.(entry);
      registry.finish(entry.id, e.outcome, e.trace);
      this.gotFirstState();
      ui.log.info(`${tag}finished: ${e.outcome}\n${renderText(e.trace, lineOf)}`);
    }
  }

  /**
   * The runtime log is not readable and this context has no debug pods allowed: offer them once per
   * run, with the note's own words (a note about the debug pod itself offers nothing).
   */
  private offerNodeDebug(note: TraceNote): void {
    const { deps, context } = this;
    if (this.offered || note.source !== 'runtime-log' || /debug pod/i.test(note.message)) return;
    if (deps.settings().nodeDebug?.contexts.includes(context)) return;
    this.offered = true;
    deps.ui.offerNodeDebug?.(context, note.message);
  }

  /** A run that failed to start: its pods' traces are stopped. */
  async stopAll(): Promise<void> {
    await Promise.all(this.entries.map((x) => x.stop?.()));
    for (const x of this.entries) this.deps.registry.finish(x.id, 'stopped');
  }
}
