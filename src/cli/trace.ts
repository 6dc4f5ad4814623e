// `pod-birth trace` and `pod-birth record`: a live trace against a cluster.
//
// Exit codes: 0 the pod became Ready (or Succeeded); 3 it failed to start; 4 timed out; 2 bad input,
// usage, or apply refused; 5 cluster error (no kubeconfig, unreachable, TLS, 401, 403); 1 unexpected.

import { writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Trace } from '../core/model.js';
import { lineOfPodPath, parseManifest, type ManifestDocument } from '../core/manifest/index.js';
import { renderMermaid } from '../core/mermaid/index.js';
import { stringifyContract, toContract, type LineOf } from '../core/report/contract.js';
import { renderText, stepLine, terminalSafe } from '../core/report/text.js';
import {
  ClusterError,
  TraceSession,
  RunError,
  confirmationText,
  loadConnection,
  podRelativeCauses,
  startRun,
  makeTraceFile,
  targetNamespace,
  type ApplyPlan,
  type Connection,
  type KubeObject,
  type Outcome,
  type SessionEvent,
} from '../cluster/index.js';
import { one, parseArgs, UsageError } from './args.js';
import { parseFormat } from './explain.js';
import { InputError, readTextFile } from './files.js';

export const TRACE_USAGE = `usage: pod-birth trace -f MANIFEST.yaml [--doc N] [--apply [--yes]] [--context C] [--namespace NS] [--format text|json|mermaid] [--timeout 5m] [--pods N]
       pod-birth trace pod/NAME [--context C] [--namespace NS] [--format …] [--timeout 5m]
       pod-birth record (same arguments as trace) -o TRACE.json`;

export interface Io {
  out(s: string): void;
  err(s: string): void;
  /** Asks a yes/no question on the terminal; null when there is no terminal. */
  ask(question: string): Promise<boolean | null>;
}

export function parseTimeout(v: string | undefined): number {
  if (v === undefined) return 5 * 60_000;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(v.trim());
  if (!m) throw new UsageError(`--timeout takes a duration like 90s or 5m (got "${v}")`);
  const n = Number(m[1]);
  const unit = m[2] ?? 's';
  return n * (unit === 'ms' ? 1 : unit === 's' ? 1000 : unit === 'm' ? 60_000 : 3_600_000);
}

export const EXIT = { ok: 0, unexpected: 1, usage: 2, failed: 3, timeout: 4, cluster: 5 } as const;

function outcomeExit(o: Outcome): number {
  return o === 'ready' || o === 'succeeded' ? EXIT.ok : o === 'timeout' ? EXIT.timeout : EXIT.failed;
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

export async function runTrace(argv: readonly string[], io: Io, record: boolean): Promise<number> {
  const args = parseArgs(
    argv,
    ['f', 'filename', 'doc', 'context', 'namespace', 'n', 'format', 'timeout', 'o', 'output', 'kubeconfig', 'pods'],
    ['apply', 'yes', 'y', 'no-node-logs'],
  );
  const file = one(args, 'f') ?? one(args, 'filename');
  const format = parseFormat(one(args, 'format'));
  const timeoutMs = parseTimeout(one(args, 'timeout'));
  const outFile = one(args, 'o') ?? one(args, 'output');
  if (record && !outFile) throw new UsageError('record needs -o TRACE.json');
  const apply = args.flags.has('apply');
  const yes = args.flags.has('yes') || args.flags.has('y');
  const maxPods = Number(one(args, 'pods') ?? '1');
  if (!Number.isInteger(maxPods) || maxPods < 1) throw new UsageError('--pods takes a whole number ≥ 1');
  const target = args.positionals[0];
  if (!file && !target) throw new UsageError('give -f MANIFEST.yaml or pod/NAME');
  if (file && target) throw new UsageError('give either -f MANIFEST.yaml or pod/NAME, not both');
  if (apply && !file) throw new UsageError('--apply needs -f MANIFEST.yaml');

  let doc: ManifestDocument | null = null;
  let obj: KubeObject | null = null;
  if (file) {
    const manifest = parseManifest(readTextFile(file));
    const bad = manifest.documents.find((d) => d.errors.length > 0);
    if (bad)
      throw new InputError(
        file,
        `has YAML errors: line ${bad.errors[0]?.line ?? '?'}: ${bad.errors[0]?.message ?? ''}`,
      );
    doc = pickDocument(manifest.documents, one(args, 'doc'), file);
    obj = doc.toJSON() as KubeObject;
  } else if (target && !/^(pods?|po)\/[a-z0-9.-]+$/.test(target)) {
    throw new UsageError(`attach target must look like pod/NAME (got "${target}")`);
  }

  let conn: Connection;
  try {
    conn = loadConnection({
      kubeconfig: one(args, 'kubeconfig'),
      context: one(args, 'context'),
      namespace: one(args, 'namespace') ?? one(args, 'n'),
    });
  } catch (e) {
    if (e instanceof ClusterError) {
      io.err(`pod-birth: ${e.message}\n`);
      return EXIT.cluster;
    }
    throw e;
  }
  const lineOf: LineOf | null = doc ? (p) => lineOfPodPath(doc as ManifestDocument, p) : null;
  const namespace = obj ? targetNamespace(obj, conn) : conn.namespace;
  const live = format === 'text';
  const sessionOpts = { nodeLogs: !args.flags.has('no-node-logs') };
  const traces: { name: string; session: TraceSession }[] = [];
  // A trace stopped by the cluster (401/403 mid-trace) is a cluster error, not a pod that failed.
  let clusterFailed = false;
  const onEvent =
    (name: string | null) =>
    (e: SessionEvent): void => {
      const tag = name && maxPods > 1 ? `[${name}] ` : '';
      if (e.type === 'started' && live) io.err(`${tag}tracing pod ${e.namespace}/${e.name} (context ${e.context})\n`);
      if (e.type === 'steps' && live) for (const s of e.added) io.out(`  ${tag}${stepLine(s)}\n`);
      if (e.type === 'degraded')
        io.err(`${tag}degraded: ${e.note.message}${e.note.remedy ? `\n  to enable: ${e.note.remedy}` : ''}\n`);
      if (e.type === 'error') {
        clusterFailed = true;
        io.err(`${tag}pod-birth: ${e.error.message}\n`);
      }
    };

  const mapCauses = (e: unknown): never => {
    if (e instanceof ClusterError && e.causes.length > 0 && doc) {
      const lines = podRelativeCauses(e.causes, doc.podTemplatePath).map((c) => {
        const line = lineOf?.(c.podPath) ?? null;
        return `  ${file}${line ? `:${line}` : ''}: ${c.path}: ${c.message}`;
      });
      throw new ClusterError('invalid', `${e.message}\n${lines.join('\n')}`, e.status, e.causes);
    }
    throw e;
  };
  let refusal: string | null = null;
  const confirm = async (plan: ApplyPlan): Promise<string | null> => {
    if (yes) return '--yes';
    const question = confirmationText(plan);
    const answer = await io.ask(`${question} [y/N] `);
    if (answer === null)
      refusal = `pod-birth: ${question}\n  Refusing to apply without confirmation: run in a terminal, or pass --yes.\n`;
    else if (!answer) refusal = 'pod-birth: not applied.\n';
    return answer ? 'terminal' : null;
  };

  try {
    const podObj: KubeObject = obj ?? {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: target?.split('/')[1] ?? '' },
    };
    const result = await startRun({
      conn,
      obj: podObj,
      namespace,
      mode: apply ? 'apply' : 'attach',
      maxPods,
      timeoutMs,
      session: sessionOpts,
      confirm,
      onPod: (name, session) => traces.push({ name, session }),
      onEvent: (name, e) => onEvent(name)(e),
      onOwnerFailed: (owner, message, count) =>
        io.err(`${owner} could not create pods (${count}×): ${terminalSafe(message, 300)}\n`),
    }).catch(mapCauses);
    if (result.status === 'declined') {
      io.err(refusal ?? 'pod-birth: not applied.\n');
      return EXIT.usage;
    }
    if (result.status === 'not-found') {
      io.err(`pod-birth: ${result.message}${file ? ' Use --apply to create it.' : ''}\n`);
      return EXIT.usage;
    }
    const outcome = await result.run.finished;

    for (const t of traces) {
      const trace: Trace = t.session.trace();
      if (format === 'json') io.out(stringifyContract(toContract(trace, lineOf)) + '\n');
      else if (format === 'mermaid') io.out(renderMermaid(trace).source + '\n');
      else io.out('\n' + renderText(trace, lineOf));
    }
    if (record && outFile) {
      const t = traces[0];
      if (t) {
        writeFileSync(
          outFile,
          JSON.stringify(
            makeTraceFile({
              recordedAt: new Date().toISOString(),
              context: conn.context,
              namespace,
              name: t.name,
              evidence: t.session.recorded,
            }),
            null,
            1,
          ),
        );
        io.err(`recorded ${t.session.recorded.length} pieces of evidence to ${outFile}\n`);
      }
    }
    if (live) io.err(`outcome: ${outcome}\n`);
    return clusterFailed && outcome === 'stopped' ? EXIT.cluster : outcomeExit(outcome);
  } catch (e) {
    await Promise.all(traces.map((t) => t.session.stop()));
    if (e instanceof ClusterError) {
      io.err(`pod-birth: ${e.message}\n`);
      return e.kind === 'invalid' || e.kind === 'conflict' ? EXIT.usage : EXIT.cluster;
    }
    if (e instanceof RunError) throw new UsageError(e.message);
    throw e;
  }
}

export function terminalIo(): Io {
  return {
    out: (s) => process.stdout.write(s),
    err: (s) => process.stderr.write(s),
    ask: async (q) => {
      if (!process.stdin.isTTY) return null;
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      const answer = await new Promise<string>((r) => rl.question(q, r));
      rl.close();
      return /^y(es)?$/i.test(answer.trim());
    },
  };
}
