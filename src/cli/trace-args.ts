// `pod-birth trace` / `pod-birth record` arguments → what to trace (one TraceTarget for the cluster
// layer to resolve) and how to show it. Bad arguments are UsageErrors, a bad manifest an InputError:
// both exit 2 before any cluster is contacted.

import { parseManifest, type ManifestDocument } from '../core/manifest/index.js';
import type { ResolveOptions, TraceTarget } from '../cluster/index.js';
import { NODE_DEBUG_DEFAULT_IMAGE } from '../core/node-debug.js';
import { one, parseArgs, UsageError } from './args.js';
import { parseFormat, type Format } from './explain.js';
import { InputError, readTextFile } from './files.js';

export const TRACE_USAGE = `usage: pod-birth trace -f MANIFEST.yaml [--doc N] [--apply [--yes]] [--context C] [--namespace NS] [--format text|json|mermaid] [--timeout 5m] [--pods N]
                       [--node-debug [--node-debug-namespace NS] [--node-debug-image IMAGE]]
       pod-birth trace pod/NAME [--context C] [--namespace NS] [--format …] [--timeout 5m]
       pod-birth record (same arguments as trace) -o TRACE.json`;

export interface TraceCommand {
  readonly target: TraceTarget;
  /** --kubeconfig, --context, --namespace and --pods, as the cluster layer resolves them. */
  readonly resolve: ResolveOptions;
  readonly format: Format;
  readonly timeoutMs: number;
  /** `record -o FILE` (trace accepts -o and ignores it). */
  readonly outFile: string | null;
  /** --yes: apply without asking. */
  readonly yes: boolean;
  readonly nodeLogs: boolean;
  /** --node-debug: may read the node with a debug pod when the node proxy gives no runtime log. */
  readonly nodeDebug: { readonly namespace: string | null; readonly image: string } | null;
  /** --pods N (1 when not given): lines are tagged with the pod's name when N > 1. */
  readonly maxPods: number;
  /** -f FILE, for messages. */
  readonly file: string | null;
}

export function parseTimeout(v: string | undefined): number {
  if (v === undefined) return 5 * 60_000;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(v.trim());
  if (!m) throw new UsageError(`--timeout takes a duration like 90s or 5m (got "${v}")`);
  const n = Number(m[1]);
  const unit = m[2] ?? 's';
  return n * (unit === 'ms' ? 1 : unit === 's' ? 1000 : unit === 'm' ? 60_000 : 3_600_000);
}

/** Picks the manifest document: --doc N (1-based), else the only Pod/workload document. */
function pickDocument(docs: readonly ManifestDocument[], docArg: string | undefined, file: string): ManifestDocument {
  const candidates = docs.filter((d) => d.podTemplatePath !== null);
  if (docArg !== undefined) {
    const n = Number(docArg);
    const d = Number.isInteger(n) ? docs[n - 1] : undefined;
    if (!d) throw new InputError(file, `has no document ${docArg} (it has ${docs.length})`);
    if (d.podTemplatePath === null)
      throw new InputError(file, `document ${docArg} is a ${d.kind ?? 'document without kind'}, not a Pod or workload`);
    return d;
  }
  if (candidates.length === 0)
    throw new InputError(
      file,
      'has no Pod or workload document (Deployment, ReplicaSet, StatefulSet, DaemonSet, Job, CronJob)',
    );
  if (candidates.length > 1)
    throw new InputError(
      file,
      `has ${candidates.length} Pod/workload documents: choose one with --doc N (${candidates.map((d) => `${d.index + 1}: ${d.kind}/${d.name ?? d.generateName ?? '?'}`).join(', ')})`,
    );
  return candidates[0] as ManifestDocument;
}

/** The manifest's chosen document, after checking the whole file parses. */
export function manifestDocument(file: string, docArg: string | undefined): ManifestDocument {
  const manifest = parseManifest(readTextFile(file));
  const bad = manifest.documents.find((d) => d.errors.length > 0);
  if (bad)
    throw new InputError(file, `has YAML errors: line ${bad.errors[0]?.line ?? '?'}: ${bad.errors[0]?.message ?? ''}`);
  return pickDocument(manifest.documents, docArg, file);
}

function nodeDebugArgs(
  on: boolean,
  namespace: string | undefined,
  image: string | undefined,
): TraceCommand['nodeDebug'] {
  if (!on) {
    if (namespace !== undefined || image !== undefined)
      throw new UsageError('--node-debug-namespace and --node-debug-image need --node-debug');
    return null;
  }
  return { namespace: namespace ?? null, image: image ?? NODE_DEBUG_DEFAULT_IMAGE };
}

export function parseTraceArgs(argv: readonly string[], record: boolean): TraceCommand {
  const args = parseArgs(
    argv,
    [
      'f',
      'filename',
      'doc',
      'context',
      'namespace',
      'n',
      'format',
      'timeout',
      'o',
      'output',
      'kubeconfig',
      'pods',
      'node-debug-namespace',
      'node-debug-image',
    ],
    ['apply', 'yes', 'y', 'no-node-logs', 'node-debug'],
  );
  const file = one(args, 'f') ?? one(args, 'filename');
  const format = parseFormat(one(args, 'format'));
  const timeoutMs = parseTimeout(one(args, 'timeout'));
  const outFile = one(args, 'o') ?? one(args, 'output');
  if (record && !outFile) throw new UsageError('record needs -o TRACE.json');
  const apply = args.flags.has('apply');
  const maxPods = Number(one(args, 'pods') ?? '1');
  if (!Number.isInteger(maxPods) || maxPods < 1) throw new UsageError('--pods takes a whole number ≥ 1');
  const pod = args.positionals[0];
  if (!file && !pod) throw new UsageError('give -f MANIFEST.yaml or pod/NAME');
  if (file && pod) throw new UsageError('give either -f MANIFEST.yaml or pod/NAME, not both');
  if (apply && !file) throw new UsageError('--apply needs -f MANIFEST.yaml');
  let target: TraceTarget;
  if (file) {
    const document = manifestDocument(file, one(args, 'doc'));
    target = { kind: 'manifest', document, source: file, mode: apply ? 'apply' : 'attach' };
  } else if (pod && /^(pods?|po)\/[a-z0-9.-]+$/.test(pod)) {
    target = { kind: 'pod', name: pod.split('/')[1] ?? '' };
  } else {
    throw new UsageError(
      `attach target must look like pod/NAME (got "${pod}")${/^[a-z]+\/./.test(pod ?? '') ? '; add --all to trace every pod of a workload (deployment/NAME --all)' : ''}`,
    );
  }
  return {
    target,
    resolve: {
      kubeconfig: one(args, 'kubeconfig'),
      context: one(args, 'context'),
      namespace: one(args, 'namespace') ?? one(args, 'n'),
      workloadPods: maxPods,
    },
    format,
    timeoutMs,
    outFile: record ? (outFile ?? null) : null,
    yes: args.flags.has('yes') || args.flags.has('y'),
    nodeLogs: !args.flags.has('no-node-logs'),
    nodeDebug: nodeDebugArgs(
      args.flags.has('node-debug'),
      one(args, 'node-debug-namespace'),
      one(args, 'node-debug-image'),
    ),
    maxPods,
    file: file ?? null,
  };
}
