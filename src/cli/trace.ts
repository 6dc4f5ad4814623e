// `pod-birth trace` and `pod-birth record`: a live trace against a cluster. The cluster layer resolves
// the target and runs the trace; this file only asks the confirmation and presents what the sessions
// report (live step lines on stdout in text format, the chosen format at the end, a trace file).
//
// Exit codes: 0 the pod became Ready (or Succeeded); 3 it failed to start; 4 timed out; 2 bad input,
// usage, apply refused, or a manifest the apiserver rejected; 5 cluster error (no kubeconfig,
// unreachable, TLS, 401, 403); 1 unexpected.

import { writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { renderMermaid } from '../core/mermaid/index.js';
import { mappingOf, stringifyContract, toContract, type ManifestMapping } from '../core/report/contract.js';
import { renderText, stepLine, terminalSafe } from '../core/report/text.js';
import { makeTraceFile } from '../core/trace/trace-file.js';
import {
  ClusterError,
  RunError,
  confirmationText,
  nodeDebugPlanText,
  resolveTarget,
  startRun,
  type ManifestCause,
  type NodeDebugOptions,
  type Outcome,
  type ResolvedTarget,
  type RunResult,
  type SessionEvent,
  type TraceSession,
} from '../cluster/index.js';
import type * as ClusterApi from '../cluster/index.js';
import { UsageError } from './args.js';
import { clusterErrorExit, EXIT } from './exit-codes.js';
import { runRollout } from './rollout.js';
import { parseTraceArgs, type TraceCommand } from './trace-args.js';

export interface Io {
  out(s: string): void;
  err(s: string): void;
  /** Asks a yes/no question on the terminal; null when there is no terminal. */
  ask(question: string): Promise<boolean | null>;
}

/** The cluster layer as the CLI uses it (a fake in the unit tests). */
export type TraceCluster = Pick<
  typeof ClusterApi,
  'resolveTarget' | 'startRun' | 'confirmationText' | 'ClusterError' | 'RunError'
>;

const liveCluster: TraceCluster = { resolveTarget, startRun, confirmationText, ClusterError, RunError };

/** The hidden command the node debug watchdog runs as (see main.ts). */
export const WATCHDOG_COMMAND = '__node-debug-watchdog';

export { EXIT };

function outcomeExit(o: Outcome): number {
  return o === 'ready' || o === 'succeeded' ? EXIT.ok : o === 'timeout' ? EXIT.timeout : EXIT.failed;
}

export async function runTrace(
  argv: readonly string[],
  io: Io,
  record: boolean,
  api: TraceCluster = liveCluster,
): Promise<number> {
  // Every pod of a workload: one rollout report instead of a trace per pod (rollout.ts).
  if (!record && argv.includes('--all')) return runRollout(argv, io);
  const cmd = parseTraceArgs(argv, record);
  let target: ResolvedTarget;
  try {
    target = api.resolveTarget(cmd.target, cmd.resolve);
  } catch (e) {
    if (e instanceof api.ClusterError) {
      io.err(`pod-birth: ${e.message}\n`);
      return EXIT.cluster;
    }
    if (e instanceof api.RunError) throw new UsageError(e.message);
    throw e;
  }
  const presenter = new Presenter(cmd, io);
  try {
    const result = await api.startRun({
      target,
      timeoutMs: cmd.timeoutMs,
      session: { nodeLogs: cmd.nodeLogs, ...nodeDebugSession(cmd, target, io) },
      confirm: (plan) => presenter.confirm(api.confirmationText(plan)),
      onPod: (name, session) => presenter.traces.push({ name, session }),
      onEvent: (name, e) => presenter.event(name, e),
      onOwnerFailed: (owner, message, count) =>
        io.err(`${owner} could not create pods (${count}×): ${terminalSafe(message, 300)}\n`),
    });
    if (result.status !== 'running') return presenter.notRunning(result);
    const outcome = await result.run.finished;
    presenter.results(target);
    if (presenter.live) io.err(`outcome: ${outcome}\n`);
    // A trace stopped by the cluster (401/403 mid-trace) is a cluster error, not a pod that failed.
    return presenter.clusterFailed && outcome === 'stopped' ? EXIT.cluster : outcomeExit(outcome);
  } catch (e) {
    return clusterErrorExit(e, api, (t) => io.err(t));
  }
}

/**
 * --node-debug: the debug pod's options. It is created only after a yes: --yes, or an answer on the
 * terminal (named node, namespace, image, privileges); without a terminal and without --yes, no.
 */
function nodeDebugSession(cmd: TraceCommand, target: ResolvedTarget, io: Io): { nodeDebug?: NodeDebugOptions } {
  const d = cmd.nodeDebug;
  if (!d) return {};
  // Only when this process is the CLI itself (dist/cli.js, or the installed `pod-birth`): run
  // in-process (tests), argv[1] is another program that must not be started.
  const script = /(^|[/\\])(cli\.js|pod-birth)$/.test(process.argv[1] ?? '') ? process.argv[1] : undefined;
  return {
    nodeDebug: {
      namespace: d.namespace ?? target.namespace,
      image: d.image,
      deadlineSeconds: Math.ceil(cmd.timeoutMs / 1000) + 60,
      confirm: async (plan) => {
        const text = nodeDebugPlanText(plan);
        if (cmd.yes) {
          io.err(`node debug: ${text} (confirmed by --yes)\n`);
          return true;
        }
        const answer = await io.ask(`${text} [y/N] `);
        if (answer === null)
          io.err(
            `pod-birth: ${text}\n  Refusing to create it without confirmation: run in a terminal, or pass --yes.\n`,
          );
        return answer === true;
      },
      // The CLI's own bundle runs the watchdog (a hidden command), so a SIGKILLed trace leaves no pod.
      ...(script ? { watchdog: [script, WATCHDOG_COMMAND] } : {}),
    },
  };
}

/** Shows one `trace`/`record` run: the confirmation, the sessions' events, the results. */
class Presenter {
  readonly traces: { name: string; session: TraceSession }[] = [];
  readonly live: boolean;
  clusterFailed = false;
  private refusal: string | null = null;
  /** The manifest the pods came from: lines, and paths as written there (a workload's template). */
  private readonly manifest: ManifestMapping | null;

  constructor(
    private readonly cmd: TraceCommand,
    private readonly io: Io,
  ) {
    this.live = cmd.format === 'text';
    const target = cmd.target;
    this.manifest = target.kind === 'manifest' ? mappingOf(target.document) : null;
  }

  /** Who confirmed the apply ("--yes", "terminal"), or null (the refusal is said once the run declined). */
  async confirm(question: string): Promise<string | null> {
    if (this.cmd.yes) return '--yes';
    const answer = await this.io.ask(`${question} [y/N] `);
    if (answer === null)
      this.refusal = `pod-birth: ${question}\n  Refusing to apply without confirmation: run in a terminal, or pass --yes.\n`;
    else if (!answer) this.refusal = 'pod-birth: not applied.\n';
    return answer ? 'terminal' : null;
  }

  event(name: string, e: SessionEvent): void {
    const { io, live } = this;
    const tag = this.cmd.maxPods > 1 ? `[${name}] ` : '';
    if (e.type === 'started' && live) io.err(`${tag}tracing pod ${e.namespace}/${e.name} (context ${e.context})\n`);
    if (e.type === 'steps' && live) for (const s of e.added) io.out(`  ${tag}${stepLine(s)}\n`);
    if (e.type === 'degraded')
      io.err(`${tag}degraded: ${e.note.message}${e.note.remedy ? `\n  to enable: ${e.note.remedy}` : ''}\n`);
    if (e.type === 'error') {
      this.clusterFailed = true;
      io.err(`${tag}pod-birth: ${e.error.message}\n`);
    }
  }

  /** Declined, not found or rejected: what to say, and exit 2. */
  notRunning(result: Exclude<RunResult, { status: 'running' }>): number {
    const { io, cmd } = this;
    if (result.status === 'declined') io.err(this.refusal ?? 'pod-birth: not applied.\n');
    else if (result.status === 'not-found')
      io.err(`pod-birth: ${result.message}${cmd.file ? ' Use --apply to create it.' : ''}\n`);
    else io.err(`pod-birth: ${result.message}\n${this.causeLines(result.causes)}\n`);
    return EXIT.usage;
  }

  /** Each traced pod in the chosen format; the trace file for `record`. */
  results(target: ResolvedTarget): void {
    const { io, cmd, manifest } = this;
    for (const t of this.traces) {
      const trace = t.session.trace();
      if (cmd.format === 'json') io.out(stringifyContract(toContract(trace, manifest)) + '\n');
      else if (cmd.format === 'mermaid') io.out(renderMermaid(trace).source + '\n');
      else io.out('\n' + renderText(trace, manifest?.lineOf ?? null));
    }
    const first = this.traces[0];
    if (!cmd.outFile || !first) return;
    const file = makeTraceFile({
      recordedAt: new Date().toISOString(),
      context: target.conn.context,
      namespace: target.namespace,
      name: first.name,
      evidence: first.session.recorded,
    });
    writeFileSync(cmd.outFile, JSON.stringify(file, null, 1));
    io.err(`recorded ${first.session.recorded.length} pieces of evidence to ${cmd.outFile}\n`);
  }

  private causeLines(causes: readonly ManifestCause[]): string {
    return causes.map((c) => `  ${this.cmd.file}${c.line ? `:${c.line}` : ''}: ${c.path}: ${c.message}`).join('\n');
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
