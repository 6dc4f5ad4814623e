// The `pod-birth` command line: the same core as the extension, for terminals, CI and bug reports.
// Exit codes: 0 success, 2 bad input or usage, 1 unexpected failure.

import { errorText } from '../core/guards.js';
import { EXPLAIN_USAGE, runExplain } from './explain.js';
import { ROLLOUT_USAGE } from './rollout.js';
import { TRACE_USAGE } from './trace-args.js';
import { runTrace, terminalIo, WATCHDOG_COMMAND, type Io, type TraceCluster } from './trace.js';
import { runWatchdog } from './watchdog.js';
import { InputError } from './files.js';
import { UsageError } from './args.js';

const USAGE = `pod-birth — how a Kubernetes pod is born, step by step

${EXPLAIN_USAGE}
       pod-birth explain --trace TRACE.json [--manifest FILE.yaml] [--format …]
${TRACE_USAGE}
${ROLLOUT_USAGE}

  --pod FILE        kubectl get pod NAME -o json
  --events FILE     kubectl get events -o json (events of other objects are ignored)
  --node-log FILE   containerd / CRI-O / kubelet log text, plain or journalctl (repeatable)
  --manifest FILE   the pod's manifest: steps and causes get their line numbers
  --format F        text (default), json (stable contract) or mermaid
  --trace FILE      a trace file written by \`pod-birth record\`, replayed offline
  -f FILE           the manifest to trace; --doc N picks a document (1-based)
  --apply           create it (server-side dry run first, then asks; --yes skips the question)
  --context C, --namespace NS, --kubeconfig FILE   as kubectl
  --timeout D       give up after D (default 5m); --pods N follows N pods of a workload
  --no-node-logs    do not read runtime logs through the node proxy
  --all             every pod of the workload's rollout (up to 1000): phase times per pod, their
                    p50/p90/p99/max and the pod-startup SLO verdict; --format also markdown or csv
  --node-debug      when the node proxy gives no runtime log, read the node with a debug pod (asks
                    first, naming node, namespace, image and privileges; --yes confirms without a
                    terminal); --node-debug-namespace NS (default: the trace's), --node-debug-image
                    IMAGE (default busybox:1.36). See docs/node-debug.md.

Exit codes: 0 Ready/Succeeded, 2 bad input or refused, 3 the pod failed to start, 4 timeout,
5 cluster error (no kubeconfig, unreachable, TLS, 401, 403), 1 unexpected.
`;

/** Runs one command; `cluster` replaces the cluster layer (unit tests). */
export async function main(argv: readonly string[], io: Io, cluster?: TraceCluster): Promise<number> {
  const out = io.out;
  const err = io.err;
  const [cmd, ...rest] = argv;
  try {
    if (cmd === undefined || cmd === '-h' || cmd === '--help' || cmd === 'help') {
      out(USAGE);
      return cmd === undefined ? 2 : 0;
    }
    if (cmd === 'explain') {
      if (rest.includes('-h') || rest.includes('--help')) {
        out(USAGE);
        return 0;
      }
      out(runExplain(rest).stdout);
      return 0;
    }
    if (cmd === 'trace' || cmd === 'record') return await runTrace(rest, io, cmd === 'record', cluster);
    if (cmd === WATCHDOG_COMMAND) return await runWatchdog(rest[0]);
    throw new UsageError(`unknown command "${cmd}"`);
  } catch (e) {
    if (e instanceof InputError) {
      err(`pod-birth: ${e.file}: ${e.problem}\n`);
      return 2;
    }
    if (e instanceof UsageError) {
      err(`pod-birth: ${e.message}\n${cmd === 'trace' || cmd === 'record' ? TRACE_USAGE : EXPLAIN_USAGE}\n`);
      return 2;
    }
    err(`pod-birth: unexpected error: ${errorText(e)}\n`);
    return 1;
  }
}

export { terminalIo };
