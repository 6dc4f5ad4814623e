// What a trace is of, and where: the one target every entry point hands to the cluster layer (the
// CLI's `trace -f`/`trace pod/NAME`, the editor's Trace Pod Birth, its attach pickers, the Kubernetes
// explorer), resolved here once. The rule:
//   context   — the pod target's own (picked with the pod), else the flag/setting, else current-context;
//   namespace — the manifest's, else the pod target's own, else the flag/setting, else the context's,
//               else `default`.
// The object is sent where it is traced (its namespace set to that one), and an apiserver rejection
// of it is mapped here to the lines of the manifest document it came from.
// There is no "workload by name" target: no entry point names a workload without its manifest (the
// explorer offers pods only), so a workload is always a manifest (or object) target.

import { isRecord } from '../core/guards.js';
import { lineOfPodPath, type ManifestDocument } from '../core/manifest/index.js';
import type { KubeObject } from './apply.js';
import { RunError, type FieldCause } from './errors.js';
import { loadConnection, type Connection, type ConnectOptions } from './kubeconfig.js';

/** Create it and watch it being born, or reconstruct the birth of what exists. */
export type TraceMode = 'apply' | 'attach';

/** A Pod or workload document of a manifest: applied, or attached to (the Pod it names, the workload's newest pods). */
export interface ManifestTarget {
  readonly kind: 'manifest';
  readonly document: ManifestDocument;
  /** Where the document was read from (a file path, a URI), for messages and links. */
  readonly source: string;
  readonly mode: TraceMode;
}

/** A Pod or workload built in code (tests, benchmarks): as a manifest document, without lines. */
export interface ObjectTarget {
  readonly kind: 'object';
  readonly object: KubeObject;
  readonly mode: TraceMode;
}

/** An existing pod by name. */
export interface PodTarget {
  readonly kind: 'pod';
  readonly name: string;
  readonly namespace?: string | null;
  readonly context?: string | null;
}

export type TraceTarget = ManifestTarget | ObjectTarget | PodTarget;

export interface ResolveOptions extends ConnectOptions {
  /** Workloads: how many of their pods to trace (a Pod is always one). Default 1. */
  readonly workloadPods?: number;
}

/** What is traced: a pod by name, or an object (its namespace set) applied or attached through. */
export type Traced =
  { readonly kind: 'pod'; readonly name: string } | { readonly kind: 'object'; readonly object: KubeObject };

export interface ResolvedTarget {
  readonly conn: Connection;
  readonly namespace: string;
  readonly mode: TraceMode;
  /** How many pods to trace: 1 for a Pod, the requested count for a workload. */
  readonly maxPods: number;
  /** `Kind/name` (or `Kind/generateName`) for titles and messages. */
  readonly subject: string;
  readonly traced: Traced;
  /** The manifest document when there is one: a rejection is mapped to its lines. */
  readonly document: ManifestDocument | null;
  readonly source: string | null;
}

/** Loads the connection the target needs (kubeconfig as kubectl merges it) and resolves the target on it. */
export function resolveTarget(target: TraceTarget, options: ResolveOptions = {}): ResolvedTarget {
  const pod = target.kind === 'pod' ? target : null;
  const conn = loadConnection({
    ...options,
    context: pod?.context || options.context,
    namespace: pod?.namespace || options.namespace,
  });
  return resolveTargetOn(conn, target, options.workloadPods);
}

/** Resolves a target on a connection already loaded (its namespace is the flag/setting's, else the context's). */
export function resolveTargetOn(conn: Connection, target: TraceTarget, workloadPods = 1): ResolvedTarget {
  if (target.kind === 'pod') {
    return {
      conn,
      namespace: target.namespace || conn.namespace,
      mode: 'attach',
      maxPods: 1,
      subject: `Pod/${target.name}`,
      traced: { kind: 'pod', name: target.name },
      document: null,
      source: null,
    };
  }
  const object = target.kind === 'manifest' ? documentObject(target.document) : target.object;
  const namespace = object.metadata?.namespace || conn.namespace;
  return {
    conn,
    namespace,
    mode: target.mode,
    maxPods: object.kind === 'Pod' ? 1 : workloadPods,
    subject: `${object.kind ?? 'Pod'}/${object.metadata?.name ?? object.metadata?.generateName ?? '?'}`,
    // The object goes where it is traced: the resolved namespace, whatever the document says.
    traced: { kind: 'object', object: { ...object, metadata: { ...object.metadata, namespace } } },
    document: target.kind === 'manifest' ? target.document : null,
    source: target.kind === 'manifest' ? target.source : null,
  };
}

function documentObject(document: ManifestDocument): KubeObject {
  const json = document.toJSON();
  if (!isRecord(json))
    throw new RunError(
      `Document ${document.index + 1} cannot be read as an object (too many aliases, nesting too deep, or a key that is not a scalar).`,
    );
  return json as KubeObject;
}

/** A field the apiserver rejected, with its line in the manifest document (null when not found). */
export interface ManifestCause {
  /** As the apiserver named it, e.g. `spec.template.spec.containers[0].image`. */
  readonly path: string;
  readonly line: number | null;
  readonly message: string;
}

/** The apiserver's field causes mapped to the document's lines (a workload's template prefix removed to find them). */
export function manifestCauses(causes: readonly FieldCause[], document: ManifestDocument): ManifestCause[] {
  const prefix = document.podTemplatePath ? `${document.podTemplatePath}.` : '';
  return causes
    .filter((c) => c.field)
    .map((c) => {
      const path = c.field.replace(/^\./, '');
      const podPath = prefix && path.startsWith(prefix) ? path.slice(prefix.length) : path;
      return { path, line: lineOfPodPath(document, podPath), message: c.message || c.reason };
    });
}
