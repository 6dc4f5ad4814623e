// What "Trace Pod Birth" does once a document (or a pod) is chosen: ask apply or attach, refuse to
// apply in an untrusted workspace, confirm naming context, server and namespace, show progress, and
// register one trace per pod. Talks to VS Code only through `HostUi`, and to the cluster only
// through the lazily loaded cluster module, so the decisions are unit-tested without either.

import type * as ClusterApi from '../cluster/index.js';
import { lineOfPodPath, type ManifestDocument } from '../core/manifest/index.js';
import { renderText, stepLine } from '../core/report/text.js';
import { describeDocument, type TraceMode } from './choose.js';
import type { ManifestRef, TraceEntry, TraceRegistry } from './trace-registry.js';

export interface HostLog {
  info(s: string): void;
  warn(s: string): void;
  error(s: string): void;
  debug(s: string): void;
}

export interface HostUi {
  isTrusted(): boolean;
  /** Apply & trace, or attach; null when dismissed. */
  pickMode(subject: string, canApply: boolean): Promise<TraceMode | null>;
  /** The modal confirmation; true only when the user chose Apply. */
  confirmApply(question: string, detail: string): Promise<boolean>;
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
}

export type ClusterModule = Pick<
  typeof ClusterApi,
  | 'loadConnection'
  | 'targetNamespace'
  | 'startRun'
  | 'confirmationText'
  | 'podRelativeCauses'
  | 'ClusterError'
  | 'RunError'
  | 'setRequestLogger'
>;

export interface FlowDeps {
  readonly ui: HostUi;
  readonly cluster: () => ClusterModule;
  readonly registry: TraceRegistry;
  readonly settings: () => TraceSettings;
  /** A pod's trace got its first state (open its diagram). */
  readonly onFirstState?: (entry: TraceEntry) => void;
}

/** What to trace: a manifest document, or a pod/workload named without a manifest. */
export type TraceTarget =
  | { readonly type: 'document'; readonly doc: ManifestDocument; readonly uri: string }
  | { readonly type: 'pod'; readonly name: string; readonly namespace: string | null; readonly context?: string };

/** Asks the mode (documents) and runs the trace. Resolves once the trace runs (or was refused). */
export async function traceTarget(deps: FlowDeps, target: TraceTarget): Promise<TraceEntry[]> {
  const { ui } = deps;
  let mode: TraceMode = 'attach';
  if (target.type === 'document') {
    const picked = await ui.pickMode(describeDocument(target.doc), ui.isTrusted());
    if (!picked) return [];
    mode = picked;
  }
  if (mode === 'apply' && !ui.isTrusted()) {
    ui.error(
      'Pod Birth: applying manifests to a cluster is disabled in an untrusted workspace. Trust the workspace, or attach to an existing pod.',
    );
    return [];
  }
  return runTarget(deps, target, mode);
}

async function runTarget(deps: FlowDeps, target: TraceTarget, mode: TraceMode): Promise<TraceEntry[]> {
  const { ui, registry } = deps;
  const api = deps.cluster();
  const cfg = deps.settings();
  api.setRequestLogger((line) => ui.log.debug(line));
  let conn: ClusterApi.Connection;
  try {
    conn = api.loadConnection({
      kubeconfig: cfg.kubeconfig,
      context: target.type === 'pod' && target.context ? target.context : cfg.context,
      namespace: target.type === 'pod' && target.namespace ? target.namespace : cfg.namespace,
    });
  } catch (e) {
    ui.error(`Pod Birth: ${message(e)}`);
    return [];
  }
  const obj: ClusterApi.KubeObject =
    target.type === 'document'
      ? (target.doc.toJSON() as ClusterApi.KubeObject)
      : { apiVersion: 'v1', kind: 'Pod', metadata: { name: target.name } };
  const namespace = target.type === 'pod' ? conn.namespace : api.targetNamespace(obj, conn);
  const doc = target.type === 'document' ? target.doc : null;
  const manifest: ManifestRef | null =
    target.type === 'document' ? { uri: target.uri, docIndex: target.doc.index } : null;
  const lineOf = (p: string): number | null => (doc ? lineOfPodPath(doc, p) : null);
  const entries: TraceEntry[] = [];
  const byPod = new Map<string, TraceEntry>();
  let firstState: (() => void) | null = null;
  const gotFirstState = new Promise<void>((r) => (firstState = r));

  const onEvent = (name: string, e: ClusterApi.SessionEvent): void => {
    const entry = byPod.get(name);
    if (!entry) return;
    const tag = byPod.size > 1 ? `[${name}] ` : '';
    if (e.type === 'steps') {
      if (!entry.trace) deps.onFirstState?.(entry);
      registry.update(entry.id, e.trace);
      firstState?.();
      for (const s of e.added) {
        const line = s.yamlPath ? lineOf(s.yamlPath) : null;
        ui.log.info(`${tag}${stepLine(s)}${line ? ` (line ${line})` : ''}`);
      }
    }
    if (e.type === 'degraded')
      ui.log.warn(`${tag}${e.note.message}${e.note.remedy ? ` To enable: ${e.note.remedy}` : ''}`);
    if (e.type === 'state') ui.log.debug(`${tag}${e.message}`);
    if (e.type === 'error') ui.log.error(`${tag}${e.error.message}`);
    if (e.type === 'finished') {
      if (!entry.trace) deps.onFirstState?.(entry);
      registry.finish(entry.id, e.outcome, e.trace);
      firstState?.();
      ui.log.info(`${tag}finished: ${e.outcome}\n${renderText(e.trace, lineOf)}`);
    }
  };

  const subject = `${obj.kind ?? 'Pod'}/${obj.metadata?.name ?? obj.metadata?.generateName ?? '?'}`;
  const title =
    mode === 'apply'
      ? `Pod Birth: applying ${subject} to ${namespace} (context ${conn.context})`
      : `Pod Birth: attaching to ${subject} in ${namespace} (context ${conn.context})`;
  try {
    const result = await ui.withProgress(title, async (report, cancelled) => {
      report(mode === 'apply' ? 'dry run…' : 'reading the pod…');
      const r = await api.startRun({
        conn,
        obj,
        namespace,
        mode,
        maxPods: obj.kind === 'Pod' ? 1 : cfg.maxPods,
        timeoutMs: cfg.timeoutMs,
        session: { nodeLogs: cfg.nodeLogs },
        confirm: async (plan) => {
          const ok = await ui.confirmApply(
            api.confirmationText(plan),
            `Context: ${plan.context}\nCluster: ${plan.server}\nNamespace: ${plan.namespace}`,
          );
          if (ok) report('creating…');
          return ok ? 'modal' : null;
        },
        onPod: (name, session) => {
          const entry = registry.add({ title: `${namespace}/${name}`, manifest, stop: () => session.stop() });
          byPod.set(name, entry);
          entries.push(entry);
          report(`tracing ${name}…`);
        },
        onEvent,
        onOwnerFailed: (owner, msg, count) =>
          ui.error(`Pod Birth: ${owner} could not create pods (${count}×): ${msg.slice(0, 300)}`),
      });
      if (r.status === 'running') {
        // Keep the notification until the first state arrives (or the user cancels, which stops).
        const stop = cancelled.then(async () => {
          await r.run.stop();
          return 'cancelled' as const;
        });
        await Promise.race([gotFirstState, stop, r.run.finished]);
      }
      return r;
    });
    if (result.status === 'declined') {
      ui.log.info(`not applied: ${api.confirmationText(result.plan)} was declined`);
      return [];
    }
    if (result.status === 'not-found') {
      ui.error(
        `Pod Birth: ${result.message}${target.type === 'document' ? ' Choose "Apply & trace" to create it.' : ''}`,
      );
      return [];
    }
    return entries;
  } catch (e) {
    await Promise.all(entries.map((x) => x.stop?.()));
    for (const x of entries) registry.finish(x.id, 'stopped');
    if (e instanceof api.ClusterError && e.causes.length > 0 && doc) {
      const lines = api
        .podRelativeCauses(e.causes, doc.podTemplatePath)
        .map((c) => `${c.path}${lineOf(c.podPath) ? ` (line ${lineOf(c.podPath)})` : ''}: ${c.message}`);
      ui.error(`Pod Birth: the apiserver rejected the manifest: ${lines.join('; ')}`);
      return [];
    }
    ui.error(`Pod Birth: ${message(e)}`);
    return [];
  }
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
