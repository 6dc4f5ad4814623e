// `pod-birth trace … --all`: every pod of a workload's rollout, as one report (core/rollout): JSON
// (the RolloutReport), a text summary, a Mermaid Gantt chart, Markdown or CSV on stdout. Progress
// goes to stderr while the rollout runs (text format only), one line when the count of pods changes.
//
// Exit codes as `trace`: 0 every pod Ready (or Succeeded); 3 a pod failed or was not Ready; 4 timed
// out; 2 bad input, usage, apply refused, a manifest the apiserver rejected; 5 cluster error.

import { toCsv, toGantt, toMarkdown, toText, type RolloutReport } from '../core/rollout/index.js';
import { terminalSafe } from '../core/report/text.js';
import {
  ClusterError,
  RunError,
  confirmationText,
  loadConnection,
  resolveTarget,
  startRollout,
  ROLLOUT_KINDS,
  type RolloutSubject,
} from '../cluster/index.js';
import type * as ClusterApi from '../cluster/index.js';
import { one, parseArgs, UsageError } from './args.js';
import { clusterErrorExit, EXIT } from './exit-codes.js';
import { manifestDocument, parseTimeout } from './trace-args.js';
import type { Io } from './trace.js';

export const ROLLOUT_FORMATS = ['json', 'text', 'mermaid', 'markdown', 'csv'] as const;
export type RolloutFormat = (typeof ROLLOUT_FORMATS)[number];

export const ROLLOUT_USAGE = `       pod-birth trace -f MANIFEST.yaml --all [--apply [--yes]] [--format text|json|mermaid|markdown|csv] [--pods N]
       pod-birth trace deployment/NAME --all (also statefulset/, daemonset/, replicaset/, job/)`;

/** The cluster layer as the rollout command uses it (a fake in unit tests). */
export type RolloutCluster = Pick<
  typeof ClusterApi,
  'resolveTarget' | 'loadConnection' | 'startRollout' | 'confirmationText' | 'ClusterError' | 'RunError'
>;

const liveCluster: RolloutCluster = {
  resolveTarget,
  loadConnection,
  startRollout,
  confirmationText,
  ClusterError,
  RunError,
};

export interface RolloutCommand {
  readonly format: RolloutFormat;
  readonly timeoutMs: number;
  readonly yes: boolean;
  readonly nodeLogs: boolean;
  readonly maxPods: number;
  readonly file: string | null;
  readonly connect: { kubeconfig?: string; context?: string; namespace?: string };
  /** -f FILE (apply or attach), or KIND/NAME (attach). */
  readonly what:
    | { readonly kind: 'file'; readonly file: string; readonly doc?: string; readonly apply: boolean }
    | { readonly kind: 'named'; readonly workloadKind: string; readonly name: string };
}

export function parseRolloutArgs(argv: readonly string[]): RolloutCommand {
  const args = parseArgs(
    argv,
    ['f', 'filename', 'doc', 'context', 'namespace', 'n', 'format', 'timeout', 'kubeconfig', 'pods'],
    ['apply', 'yes', 'y', 'no-node-logs', 'all'],
  );
  const format = one(args, 'format') ?? 'text';
  if (!(ROLLOUT_FORMATS as readonly string[]).includes(format))
    throw new UsageError(`--format must be ${ROLLOUT_FORMATS.join(', ')} with --all (got "${format}")`);
  const maxPods = Number(one(args, 'pods') ?? '1000');
  if (!Number.isInteger(maxPods) || maxPods < 1 || maxPods > 1000)
    throw new UsageError('--pods takes a whole number from 1 to 1000 with --all');
  const file = one(args, 'f') ?? one(args, 'filename');
  const ref = args.positionals[0];
  if (args.positionals.length > 1) throw new UsageError(`one workload at a time (got ${args.positionals.join(' ')})`);
  if (!file && !ref) throw new UsageError('give -f MANIFEST.yaml or deployment/NAME with --all');
  if (file && ref) throw new UsageError('give either -f MANIFEST.yaml or KIND/NAME, not both');
  const apply = args.flags.has('apply');
  if (apply && !file) throw new UsageError('--apply needs -f MANIFEST.yaml');
  let what: RolloutCommand['what'];
  if (file) what = { kind: 'file', file, apply, ...(one(args, 'doc') ? { doc: one(args, 'doc') } : {}) };
  else {
    const m = /^([a-z]+)\/([a-z0-9.-]+)$/.exec(ref ?? '');
    const workloadKind = m ? ROLLOUT_KINDS[m[1] ?? ''] : undefined;
    if (!m || !workloadKind)
      throw new UsageError(
        `--all attaches to a workload: deployment/NAME, statefulset/NAME, daemonset/NAME, replicaset/NAME or job/NAME (got "${ref}")`,
      );
    what = { kind: 'named', workloadKind, name: m[2] ?? '' };
  }
  const ns = one(args, 'namespace') ?? one(args, 'n');
  const context = one(args, 'context');
  const kubeconfig = one(args, 'kubeconfig');
  return {
    format: format as RolloutFormat,
    timeoutMs: parseTimeout(one(args, 'timeout')),
    yes: args.flags.has('yes') || args.flags.has('y'),
    nodeLogs: !args.flags.has('no-node-logs'),
    maxPods,
    file: file ?? null,
    connect: {
      ...(kubeconfig ? { kubeconfig } : {}),
      ...(context ? { context } : {}),
      ...(ns ? { namespace: ns } : {}),
    },
    what,
  };
}

/** The report in the chosen format. */
export function renderRollout(r: RolloutReport, format: RolloutFormat): string {
  switch (format) {
    case 'json':
      return JSON.stringify(r, null, 2) + '\n';
    case 'mermaid':
      return toGantt(r);
    case 'markdown':
      return toMarkdown(r);
    case 'csv':
      return toCsv(r);
    case 'text':
      return toText(r);
  }
}

function subjectOf(cmd: RolloutCommand, api: RolloutCluster): RolloutSubject {
  const w = cmd.what;
  if (w.kind === 'named') {
    const conn = api.loadConnection(cmd.connect);
    return {
      kind: 'named',
      conn,
      namespace: cmd.connect.namespace || conn.namespace,
      workloadKind: w.workloadKind,
      name: w.name,
    };
  }
  const document = manifestDocument(w.file, w.doc);
  const target = api.resolveTarget(
    { kind: 'manifest', document, source: w.file, mode: w.apply ? 'apply' : 'attach' },
    cmd.connect,
  );
  return { kind: 'target', target };
}

export async function runRollout(argv: readonly string[], io: Io, api: RolloutCluster = liveCluster): Promise<number> {
  const cmd = parseRolloutArgs(argv);
  const live = cmd.format === 'text';
  let refusal: string | null = null;
  let clusterFailed = false;
  let lastProgress = '';
  try {
    const subject = subjectOf(cmd, api);
    const result = await api.startRollout({
      subject,
      timeoutMs: cmd.timeoutMs,
      maxPods: cmd.maxPods,
      session: { nodeLogs: cmd.nodeLogs },
      confirm: async (plan) => {
        const question = `${api.confirmationText(plan)} Every pod it creates is traced.`;
        if (cmd.yes) return '--yes';
        const answer = await io.ask(`${question} [y/N] `);
        if (answer === null)
          refusal = `pod-birth: ${question}\n  Refusing to apply without confirmation: run in a terminal, or pass --yes.\n`;
        else if (!answer) refusal = 'pod-birth: not applied.\n';
        return answer ? 'terminal' : null;
      },
      onReport: (r) => {
        if (!live) return;
        const ready = r.pods.filter((p) => p.outcome === 'ready' || p.outcome === 'succeeded').length;
        const line = `${r.pods.length} pods traced, ${ready} ready`;
        if (line !== lastProgress) io.err(`${line}\n`);
        lastProgress = line;
      },
      onPodEvent: (pod, e) => {
        if (e.type === 'error') {
          clusterFailed = true;
          io.err(`[${terminalSafe(pod, 80)}] pod-birth: ${e.error.message}\n`);
        }
      },
      onOwnerFailed: (owner, message, count) =>
        io.err(`${owner} could not create pods (${count}×): ${terminalSafe(message, 300)}\n`),
    });
    if (result.status === 'declined') {
      io.err(refusal ?? 'pod-birth: not applied.\n');
      return EXIT.usage;
    }
    if (result.status === 'not-found') {
      io.err(`pod-birth: ${result.message}${cmd.what.kind === 'file' ? ' Use --apply to create it.' : ''}\n`);
      return EXIT.usage;
    }
    if (result.status === 'rejected') {
      io.err(
        `pod-birth: ${result.message}\n${result.causes.map((c) => `  ${cmd.file}${c.line ? `:${c.line}` : ''}: ${c.path}: ${c.message}`).join('\n')}\n`,
      );
      return EXIT.usage;
    }
    const end = await result.finished;
    const report = await result.tracer.closed;
    io.out(renderRollout(report, cmd.format));
    if (live) io.err(`rollout: ${end === 'timeout' ? 'timed out' : 'traced'}\n`);
    if (end === 'timeout') return EXIT.timeout;
    if (clusterFailed) return EXIT.cluster;
    return report.pods.every((p) => p.outcome === 'ready' || p.outcome === 'succeeded') ? EXIT.ok : EXIT.failed;
  } catch (e) {
    return clusterErrorExit(e, api, (t) => io.err(t));
  }
}
