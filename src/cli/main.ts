// The `pod-birth` command line: the same core as the extension, for terminals, CI and bug reports.
// Exit codes: 0 success, 2 bad input or usage, 1 unexpected failure.

import { EXPLAIN_USAGE, runExplain } from './explain.js';
import { InputError } from './files.js';
import { UsageError } from './args.js';

const USAGE = `pod-birth — how a Kubernetes pod is born, step by step

${EXPLAIN_USAGE}

  --pod FILE        kubectl get pod NAME -o json
  --events FILE     kubectl get events -o json (events of other objects are ignored)
  --node-log FILE   containerd / CRI-O / kubelet log text, plain or journalctl (repeatable)
  --manifest FILE   the pod's manifest: steps and causes get their line numbers
  --format F        text (default), json (stable contract) or mermaid
`;

export function main(argv: readonly string[], out: (s: string) => void, err: (s: string) => void): number {
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
    throw new UsageError(`unknown command "${cmd}"`);
  } catch (e) {
    if (e instanceof InputError) {
      err(`pod-birth: ${e.file}: ${e.problem}\n`);
      return 2;
    }
    if (e instanceof UsageError) {
      err(`pod-birth: ${e.message}\n${EXPLAIN_USAGE}\n`);
      return 2;
    }
    err(`pod-birth: unexpected error: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}
