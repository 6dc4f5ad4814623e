// The editor's side of the rollout worker (src/cluster/rollout-worker.ts): a RolloutJobRunner that
// starts one child process per rollout and speaks its messages. The extension host then holds only
// the latest report and the traces of the pods the user opened; the cluster layer is not even loaded
// here for a rollout. Free of `vscode` (it needs only how to start the process), unit-tested against
// the real worker and a stand-in apiserver.

import { spawn } from 'node:child_process';
import * as path from 'node:path';
import type {
  HostToWorker,
  RolloutControl,
  RolloutEnd,
  RolloutJobRunner,
  RolloutJobStart,
  WorkerToHost,
} from '../cluster/index.js';
import { RolloutDeltaDecoder } from '../core/rollout/delta.js';

/** How to start the worker: a Node (or Electron-as-Node) executable and its arguments. */
export interface WorkerLaunch {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
}

/** The worker from the extension's own cluster bundle, on the extension host's own runtime. */
export function workerLaunch(extensionPath: string): WorkerLaunch {
  const bundle = JSON.stringify(path.join(extensionPath, 'dist', 'cluster.js'));
  return {
    command: process.execPath,
    args: ['-e', `require(${bundle}).rolloutWorkerMain()`],
    // VS Code's own executable runs as Node with this (the extension host itself does).
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
  };
}

/** The last lines a worker wrote to stderr, kept for the message when it dies. */
const STDERR_KEEP = 2000;

export function workerRolloutRunner(launch: WorkerLaunch, onStderr?: (text: string) => void): RolloutJobRunner {
  return (job, cb) =>
    new Promise<RolloutJobStart>((resolveStart, rejectStart) => {
      const child = spawn(launch.command, [...launch.args], {
        stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
        env: launch.env,
        // Reports and traces are plain data; V8's serializer is faster than JSON for them.
        serialization: 'advanced',
      });
      let stderr = '';
      child.stderr?.setEncoding('utf8');
      child.stderr?.on('data', (d: string) => {
        stderr = (stderr + d).slice(-STDERR_KEEP);
        onStderr?.(d);
      });
      let started = false;
      let ended = false;
      let disposed = false;
      let endResolve: (e: RolloutEnd) => void = () => undefined;
      let endReject: (e: Error) => void = () => undefined;
      const finished = new Promise<RolloutEnd>((res, rej) => {
        endResolve = res;
        endReject = rej;
      });
      // A caller that never looks at `finished` (a declined apply) must not see an unhandled rejection.
      finished.catch(() => undefined);
      const reports = new RolloutDeltaDecoder();
      const follows = new Map<number, { resolve: (t: boolean) => void; reject: (e: Error) => void }>();
      let nextFollow = 0;

      const send = (m: HostToWorker): boolean => {
        if (!child.connected) return false;
        child.send(m);
        return true;
      };
      const gone = (why: string): void => {
        const e = new Error(why);
        for (const f of follows.values()) f.reject(e);
        follows.clear();
        if (!started) rejectStart(e);
        else if (!ended) endReject(e);
        ended = true;
      };
      const control: RolloutControl = {
        follow: (pod) =>
          new Promise<boolean>((resolve, reject) => {
            const id = ++nextFollow;
            follows.set(id, { resolve, reject });
            if (!send({ type: 'follow', id, pod })) {
              follows.delete(id);
              reject(new Error('the rollout’s tracer process has ended'));
            }
          }),
        stop: () => void send({ type: 'stop' }),
        dispose: () => {
          disposed = true;
          if (child.exitCode === null && child.signalCode === null) child.kill();
        },
      };

      child.on('message', (m: WorkerToHost) => {
        switch (m.type) {
          case 'resolved':
            cb.onResolved?.(m.where);
            break;
          case 'confirm':
            cb.confirm(m.plan, m.question).then(
              (by) => send({ type: 'confirmed', by }),
              () => send({ type: 'confirmed', by: null }),
            );
            break;
          case 'request':
            cb.onRequest?.(m.line);
            break;
          case 'report':
            cb.onReport(reports.decode(m.delta));
            break;
          case 'pod-event':
            cb.onPodEvent(m.pod, m.event);
            break;
          case 'owner-failed':
            cb.onOwnerFailed?.(m.owner, m.message, m.count);
            break;
          case 'followed':
            follows.get(m.id)?.resolve(m.traced);
            follows.delete(m.id);
            break;
          case 'started':
            started = true;
            if (m.result.status === 'running')
              resolveStart({ status: 'running', where: m.result.where, control, finished });
            else resolveStart(m.result);
            break;
          case 'finished':
            ended = true;
            endResolve(m.end);
            break;
          case 'failed':
            gone(m.message);
            break;
        }
      });
      child.on('error', (e) => gone(`could not start the rollout’s tracer process: ${e.message}`));
      child.on('exit', (code, signal) => {
        if (disposed) return gone('the rollout’s tracer process was stopped');
        const last = stderr.trim().split('\n').pop() ?? '';
        gone(
          `the rollout’s tracer process exited (${signal ?? `code ${String(code)}`})${last ? `: ${last.slice(0, 300)}` : ''}`,
        );
      });
      send({ type: 'start', job });
    });
}
