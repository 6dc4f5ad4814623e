// The rollout worker: a child process of the extension host that runs one rollout job
// (rollout-job.ts) and talks to the editor over Node's IPC channel with the messages below. The
// editor starts it with `require(dist/cluster.js).rolloutWorkerMain()`; its traces, watches and node
// reads live here, and the editor receives only the reports (as deltas: the rows that changed) and
// the traces of the pods it opened.
// It ends when told to stop and disposed, and on its own when the editor goes away (the channel
// disconnects): it stops its watches and exits, so no process outlives the window.

import { constants, getPriority, setPriority } from 'node:os';
import { errorText } from '../core/guards.js';
import { RolloutDeltaEncoder, type RolloutReportDelta } from '../core/rollout/delta.js';
import type { ApplyPlan } from './apply.js';
import type { ManifestCause } from './target.js';
import {
  runRolloutJob,
  type PodTraceEvent,
  type RolloutControl,
  type RolloutEnd,
  type RolloutJob,
  type RolloutWhere,
} from './rollout-job.js';

/** Editor → worker. */
export type HostToWorker =
  | { readonly type: 'start'; readonly job: RolloutJob }
  | { readonly type: 'confirmed'; readonly by: string | null }
  | { readonly type: 'follow'; readonly id: number; readonly pod: string }
  | { readonly type: 'stop' };

/** How the job started, when it did not run (the running case carries where it runs). */
export type WorkerStart =
  | { readonly status: 'declined'; readonly plan: ApplyPlan; readonly question: string }
  | { readonly status: 'not-found'; readonly message: string }
  | { readonly status: 'rejected'; readonly message: string; readonly causes: readonly ManifestCause[] }
  | { readonly status: 'running'; readonly where: RolloutWhere };

/** Worker → editor. */
export type WorkerToHost =
  | { readonly type: 'resolved'; readonly where: RolloutWhere }
  | { readonly type: 'confirm'; readonly plan: ApplyPlan; readonly question: string }
  | { readonly type: 'request'; readonly line: string }
  /** A live report, as the rows that changed since the previous one (core/rollout/delta). */
  | { readonly type: 'report'; readonly delta: RolloutReportDelta }
  | { readonly type: 'pod-event'; readonly pod: string; readonly event: PodTraceEvent }
  | { readonly type: 'owner-failed'; readonly owner: string; readonly message: string; readonly count: number }
  | { readonly type: 'started'; readonly result: WorkerStart }
  | { readonly type: 'followed'; readonly id: number; readonly traced: boolean }
  | { readonly type: 'finished'; readonly end: RolloutEnd }
  | { readonly type: 'failed'; readonly message: string };

/** After the editor went away, the watches get this long to close before the process exits anyway. */
const EXIT_GRACE_MS = 5000;

export function rolloutWorkerMain(): void {
  const channel = process.send?.bind(process);
  if (!channel) {
    process.stderr.write('pod-birth: the rollout worker is started by the editor, with an IPC channel.\n');
    process.exit(2);
  }
  const send = (m: WorkerToHost): void => {
    if (process.connected) channel(m);
  };
  let control: RolloutControl | null = null;
  let confirmed: ((by: string | null) => void) | null = null;
  let started = false;
  // Tracing is background work whose reports come at most a few times a second: when the machine is
  // busy (a large rollout), the editor's own processes should get the CPU first, so a click in the
  // rollout view is not queued behind folding pods.
  try {
    // Never above the priority it was started with (a larger nice value is a lower priority).
    setPriority(Math.max(getPriority(), constants.priority.PRIORITY_BELOW_NORMAL));
  } catch {
    // Not allowed here (some containers forbid it): the worker runs at the editor's priority.
  }

  const quit = (code: number): void => {
    control?.dispose();
    setTimeout(() => process.exit(code), control ? EXIT_GRACE_MS : 0).unref();
    if (process.connected) process.disconnect();
  };
  const failed = (e: unknown): void => {
    send({ type: 'failed', message: errorText(e) });
    quit(1);
  };
  process.on('uncaughtException', failed);
  process.on('unhandledRejection', failed);
  // The editor is gone (closed, crashed, reloaded): nothing may keep watching for it.
  process.on('disconnect', () => {
    control?.dispose();
    setTimeout(() => process.exit(0), EXIT_GRACE_MS).unref();
  });

  process.on('message', (m: HostToWorker) => {
    if (m.type === 'start' && !started) {
      started = true;
      void start(m.job);
    } else if (m.type === 'confirmed') {
      confirmed?.(m.by);
      confirmed = null;
    } else if (m.type === 'follow') {
      const reply = (traced: boolean): void => send({ type: 'followed', id: m.id, traced });
      if (!control) reply(false);
      else void control.follow(m.pod).then(reply, () => reply(false));
    } else if (m.type === 'stop') control?.stop();
  });

  async function start(job: RolloutJob): Promise<void> {
    const reports = new RolloutDeltaEncoder();
    try {
      const result = await runRolloutJob(job, {
        onResolved: (where) => send({ type: 'resolved', where }),
        confirm: (plan, question) =>
          new Promise((resolve) => {
            confirmed = resolve;
            send({ type: 'confirm', plan, question });
          }),
        onRequest: (line) => send({ type: 'request', line }),
        onReport: (report) => send({ type: 'report', delta: reports.encode(report) }),
        onPodEvent: (pod, event) => send({ type: 'pod-event', pod, event }),
        onOwnerFailed: (owner, message, count) => send({ type: 'owner-failed', owner, message, count }),
      });
      if (result.status !== 'running') {
        send({ type: 'started', result });
        quit(0);
        return;
      }
      control = result.control;
      send({ type: 'started', result: { status: 'running', where: result.where } });
      // The worker stays after the end: the editor may still open a pod's diagram from it.
      result.finished.then((end) => send({ type: 'finished', end }), failed);
    } catch (e) {
      failed(e);
    }
  }
}
