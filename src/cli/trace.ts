// `pod-birth trace` and `pod-birth record`: a live trace against a cluster.
//
// Exit codes: 0 the pod became Ready (or Succeeded); 3 it failed to start; 4 timed out; 2 bad input,
// usage, or apply refused; 5 cluster error (no kubeconfig, unreachable, TLS, 401, 403); 1 unexpected.

import { writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Pod } from '../core/k8s-types.js';
import type { Trace } from '../core/model.js';
import { lineOfPodPath, parseManifest, type ManifestDocument } from '../core/manifest/index.js';
import { renderMermaid } from '../core/mermaid/index.js';
import { toContract, type LineOf } from '../core/report/contract.js';
import { renderText, stepLine, terminalSafe } from '../core/report/text.js';
import {
  ClusterError,
  TraceSession,
  WorkloadTracer,
  applyConfirmed,
  causesToPaths,
  confirmationText,
  dryRun,
  loadConnection,
  makeTraceFile,
  targetNamespace,
  type Connection,
  type KubeObject,
  type Outcome,
  type SessionEvent,
} from '../cluster/index.js';
import { requestJson } from '../cluster/http.js';
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
    if (d.podTemplatePath === null) throw new InputError(file, `document ${docArg} is a ${d.kind ?? 'document without kind'}, not a Pod or workload`);
    return d;
  }
  if (candidates.length === 0) throw new InputError(file, 'has no Pod or workload document (Deployment, ReplicaSet, StatefulSet, DaemonSet, Job, CronJob)');
  if (candidates.length > 1) throw new InputError(file, `has ${candidates.length} Pod/workload documents: choose one with --doc N (${candidates.map((d) => `${d.index + 1}: ${d.kind}/${d.name ?? d.generateName ?? '?'}`).join(', ')})`);
  return candidates[0] as ManifestDocument;
}

export async function runTrace(argv: readonly string[], io: Io, record: boolean): Promise<number> {
  const args = parseArgs(argv, ['f', 'filename', 'doc', 'context', 'namespace', 'n', 'format', 'timeout', 'o', 'output', 'kubeconfig', 'pods'], ['apply', 'yes', 'y', 'no-node-logs']);
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
    if (bad) throw new InputError(file, `has YAML errors: line ${bad.errors[0]?.line ?? '?'}: ${bad.errors[0]?.message ?? ''}`);
    doc = pickDocument(manifest.documents, one(args, 'doc'), file);
    obj = doc.toJSON() as KubeObject;
  } else if (target && !/^(pods?|po)\/[a-z0-9.-]+$/.test(target)) {
    throw new UsageError(`attach target must look like pod/NAME (got "${target}")`);
  }

  let conn: Connection;
  try {
    conn = loadConnection({ kubeconfig: one(args, 'kubeconfig'), context: one(args, 'context'), namespace: one(args, 'namespace') ?? one(args, 'n') });
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
  const sessionOpts = { timeoutMs, nodeLogs: !args.flags.has('no-node-logs') };
  const traces: { name: string; session: TraceSession }[] = [];
  const onEvent = (name: string | null) => (e: SessionEvent): void => {
    const tag = name && maxPods > 1 ? `[${name}] ` : '';
    if (e.type === 'started' && live) io.err(`${tag}tracing pod ${e.namespace}/${e.name} (context ${e.context})\n`);
    if (e.type === 'steps' && live) for (const s of e.added) io.out(`  ${tag}${stepLine(s)}\n`);
    if (e.type === 'degraded') io.err(`${tag}degraded: ${e.note.message}${e.note.remedy ? `\n  to enable: ${e.note.remedy}` : ''}\n`);
    if (e.type === 'error') io.err(`${tag}pod-birth: ${e.error.message}\n`);
  };

  try {
    let outcome: Outcome;
    if (apply && obj && doc) {
      const plan = await dryRun(conn, obj).catch((e: unknown) => {
        if (e instanceof ClusterError && e.causes.length > 0) {
          const lines = causesToPaths(e.causes).map((c) => {
            const podRel = doc && doc.podTemplatePath ? c.path.replace(new RegExp(`^${doc.podTemplatePath.replace(/\./g, '\\.')}\\.`), '') : c.path;
            const line = lineOf?.(podRel) ?? null;
            return `  ${file}${line ? `:${line}` : ''}: ${c.path}: ${c.message}`;
          });
          throw new ClusterError('invalid', `${e.message}\n${lines.join('\n')}`, e.status, e.causes);
        }
        throw e;
      });
      const question = confirmationText(plan);
      let confirmedBy = '';
      if (yes) confirmedBy = '--yes';
      else {
        const answer = await io.ask(`${question} [y/N] `);
        if (answer === null) {
          io.err(`pod-birth: ${question}\n  Refusing to apply without confirmation: run in a terminal, or pass --yes.\n`);
          return EXIT.usage;
        }
        if (!answer) {
          io.err('pod-birth: not applied.\n');
          return EXIT.usage;
        }
        confirmedBy = 'terminal';
      }
      if (obj.kind === 'Pod' && obj.metadata?.name) {
        // Watch before the create returns, so the very first state is received live.
        const session = new TraceSession({ ...sessionOpts, conn, namespace, name: obj.metadata.name, onEvent: onEvent(null) });
        traces.push({ name: obj.metadata.name, session });
        await session.start();
        const created = await applyConfirmed(conn, obj, plan, { confirmedBy });
        if (created.metadata?.uid) session.expectUid(created.metadata.uid);
        outcome = await session.finished;
      } else if (obj.kind === 'Pod') {
        // generateName: the name is known only from the create response; the watch lists first, so
        // nothing is lost, only the first receive time is later.
        const created = await applyConfirmed(conn, obj, plan, { confirmedBy });
        const name = created.metadata?.name ?? '';
        const session = new TraceSession({ ...sessionOpts, conn, namespace, name, ...(created.metadata?.uid ? { uid: created.metadata.uid } : {}), onEvent: onEvent(null) });
        traces.push({ name, session });
        await session.start();
        outcome = await session.finished;
      } else {
        const started = Date.now();
        const tracer = new WorkloadTracer({
          conn,
          namespace,
          workload: obj,
          notBeforeMs: started,
          maxPods,
          session: sessionOpts,
          onEvent: (e) => {
            if (e.type === 'pod') onEvent(e.name)(e.event);
            if (e.type === 'owner-failed') io.err(`${e.owner} could not create pods (${e.count}×): ${terminalSafe(e.message, 300)}\n`);
            if (e.type === 'pod-found' && live) io.err(`found pod ${e.name}\n`);
          },
        });
        await tracer.start();
        await applyConfirmed(conn, obj, plan, { confirmedBy });
        const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), timeoutMs));
        const res = await Promise.race([tracer.finished.then(() => 'done' as const), timer]);
        for (const [name, session] of tracer.sessions) traces.push({ name, session });
        await tracer.stop();
        const outcomes = await Promise.all(traces.map((t) => t.session.finished));
        outcome = res === 'timeout' ? 'timeout' : outcomes.find((o) => o !== 'ready' && o !== 'succeeded') ?? 'ready';
      }
    } else {
      const name = target ? target.split('/')[1] ?? '' : await findExistingPod(conn, namespace, obj, doc);
      const session = new TraceSession({ ...sessionOpts, conn, namespace, name, onEvent: onEvent(null) });
      traces.push({ name, session });
      await session.start();
      if (session.state.snapshots.size === 0) {
        await session.stop();
        io.err(`pod-birth: pod "${name}" not found in namespace "${namespace}" (context ${conn.context}).${file ? ' Use --apply to create it.' : ''}\n`);
        return EXIT.usage;
      }
      outcome = await session.finished;
    }

    for (const t of traces) {
      const trace: Trace = t.session.trace();
      if (format === 'json') io.out(JSON.stringify(toContract(trace, lineOf), null, 2) + '\n');
      else if (format === 'mermaid') io.out(renderMermaid(trace).source + '\n');
      else io.out('\n' + renderText(trace, lineOf));
    }
    if (record && outFile) {
      const t = traces[0];
      if (t) {
        writeFileSync(outFile, JSON.stringify(makeTraceFile({ recordedAt: new Date().toISOString(), context: conn.context, namespace, name: t.name, evidence: t.session.recorded }), null, 1));
        io.err(`recorded ${t.session.recorded.length} pieces of evidence to ${outFile}\n`);
      }
    }
    if (live) io.err(`outcome: ${outcome}\n`);
    return outcomeExit(outcome);
  } catch (e) {
    await Promise.all(traces.map((t) => t.session.stop()));
    if (e instanceof ClusterError) {
      io.err(`pod-birth: ${e.message}\n`);
      return e.kind === 'invalid' || e.kind === 'conflict' ? EXIT.usage : EXIT.cluster;
    }
    throw e;
  }
}

/** Attach target from a manifest document: the Pod by name, or the newest pod of the workload. */
async function findExistingPod(conn: Connection, namespace: string, obj: KubeObject | null, doc: ManifestDocument | null): Promise<string> {
  if (!obj || !doc) throw new UsageError('nothing to attach to');
  if (obj.kind === 'Pod') {
    if (!obj.metadata?.name) throw new UsageError('the Pod document has no metadata.name (generateName pods can only be traced with --apply)');
    return obj.metadata.name;
  }
  const tmpl = (obj.spec as { selector?: { matchLabels?: Record<string, string> } } | undefined)?.selector?.matchLabels ?? {};
  const selector = Object.entries(tmpl).map(([k, v]) => `${k}=${v}`).join(',');
  if (!selector) throw new UsageError(`the ${obj.kind ?? 'workload'} has no spec.selector.matchLabels to find its pods by`);
  const list = await requestJson<{ items?: Pod[] }>(conn, { method: 'GET', path: `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`, query: { labelSelector: selector }, describe: { verb: 'list', resource: 'pods', namespace } });
  const newest = (list.items ?? []).sort((a, b) => (b.metadata?.creationTimestamp ?? '').localeCompare(a.metadata?.creationTimestamp ?? ''))[0];
  if (!newest?.metadata?.name) throw new UsageError(`no pod of ${obj.kind}/${obj.metadata?.name ?? '?'} exists in namespace "${namespace}"; use --apply to create it`);
  return newest.metadata.name;
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
