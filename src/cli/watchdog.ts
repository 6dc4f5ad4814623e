// The node debug pod's watchdog (a hidden command: `pod-birth __node-debug-watchdog JOB`), started
// detached by the trace that created the pod. If that trace's process dies without deleting the pod
// (SIGKILL, a crash), this deletes it within a second; otherwise the trace kills this process when it
// deletes the pod itself. It reads the same kubeconfig files and context, nothing else.

import { isRecord } from '../core/guards.js';
import { loadConnection, runNodeDebugWatchdog, type WatchdogJob } from '../cluster/index.js';

function parseJob(arg: string | undefined): WatchdogJob | null {
  try {
    const j = JSON.parse(arg ?? '') as unknown;
    if (!isRecord(j)) return null;
    const { parent, files, context, namespace, pod, untilMs } = j;
    if (typeof parent !== 'number' || typeof context !== 'string' || typeof namespace !== 'string') return null;
    if (typeof pod !== 'string' || typeof untilMs !== 'number' || !Array.isArray(files)) return null;
    if (!files.every((f): f is string => typeof f === 'string')) return null;
    return { parent, files, context, namespace, pod, untilMs };
  } catch {
    return null;
  }
}

export async function runWatchdog(arg: string | undefined): Promise<number> {
  const job = parseJob(arg);
  if (!job) return 2;
  await runNodeDebugWatchdog(job, () =>
    loadConnection({ context: job.context, env: { ...process.env, KUBECONFIG: job.files.join(':') } }),
  );
  return 0;
}
