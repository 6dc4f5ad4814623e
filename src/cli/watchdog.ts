// The node debug pod's watchdog (a hidden command: `pod-birth __node-debug-watchdog JOB`), started
// detached by the trace that created the pod. If that trace's process dies without deleting the pod
// (SIGKILL, a crash), this deletes it within a second; otherwise the trace kills this process when it
// deletes the pod itself. The work is in the cluster layer (shared with the extension's watchdog).

import { nodeDebugWatchdogMain } from '../cluster/index.js';

export function runWatchdog(arg: string | undefined): Promise<number> {
  return nodeDebugWatchdogMain(arg);
}
