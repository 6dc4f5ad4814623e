// Node daemons restarting during a trace, seen in the node logs the session already reads (no extra
// request): the runtime's start banner in its log, and the kubelet's lines about the pod coming from
// a second process. Either becomes a `disturbance` note, so a late or repeated step is explained.

import type { LogRecord, TraceNote } from '../core/model.js';
import { formatInstant, parseInstant, type Instant } from '../core/time.js';

/** The line a runtime logs when it (re)starts: containerd `msg="starting containerd"`, CRI-O `Starting CRI-O`. */
const RUNTIME_BANNER = /msg="?(starting containerd|Starting CRI-O)\b/;

/** Start banners in runtime log text at or after `notBefore`, with their own (logrus `time=`) time. */
export function runtimeStarts(text: string, notBefore: Instant): { runtime: string; at: Instant }[] {
  const out: { runtime: string; at: Instant }[] = [];
  for (const line of text.split('\n')) {
    const m = RUNTIME_BANNER.exec(line);
    if (!m) continue;
    const at = parseInstant(/\btime="([^"]+)"/.exec(line)?.[1]);
    if (at && at.key >= notBefore.key)
      out.push({ runtime: /containerd/.test(m[1] ?? '') ? 'containerd' : 'CRI-O', at });
  }
  return out;
}

/** The process id a record was logged by: journal prefix `kubelet[1234]:`, else the klog header's. */
function processId(raw: string): string | null {
  return (
    /^\S+ {1,2}\d+ [\d:.]+ \S+ [^\s[:]+\[(\d+)\]: /.exec(raw)?.[1] ??
    /(?:^|: )[IWEF]\d{4} [\d:.]+ +(\d+) /.exec(raw)?.[1] ??
    null
  );
}

/**
 * Processes after the first one among the records (in time order), each with the time of its first
 * record: every one is a restart of the daemon that logged them.
 */
export function laterProcesses(records: readonly LogRecord[]): { pid: string; firstSeen: Instant }[] {
  const first = new Map<string, Instant>();
  for (const r of [...records].sort((a, b) => a.time.key.localeCompare(b.time.key))) {
    const pid = processId(r.raw);
    if (pid && !first.has(pid)) first.set(pid, r.time);
  }
  return [...first.entries()].slice(1).map(([pid, firstSeen]) => ({ pid, firstSeen }));
}

export function runtimeRestartNote(runtime: string, node: string, at: Instant): TraceNote {
  return {
    kind: 'disturbance',
    source: 'runtime-log',
    message: `The container runtime (${runtime}) restarted on node ${node} at ${formatInstant(at)}, during this pod's birth: CRI calls around that time waited for it or were retried, so those steps may be late.`,
  };
}

export function kubeletRestartNote(node: string, firstSeen: Instant): TraceNote {
  return {
    kind: 'disturbance',
    source: 'kubelet-log',
    message: `The kubelet on node ${node} restarted during this pod's birth (a new kubelet process logged about the pod from ${formatInstant(firstSeen)}): it re-admitted the pod, so steps after the restart may be late.`,
  };
}
