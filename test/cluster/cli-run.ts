// The built CLI (dist/cli.js, `npm run build`) run as a user runs it, against the test cluster's
// admin kubeconfig unless told otherwise; and the small busybox pod the node-log tests trace.

import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { clusterEnv } from './harness.js';

export const CLI = join(__dirname, '..', '..', 'dist', 'cli.js');

/** The environment of a CLI run: KUBECONFIG is the cluster's admin kubeconfig unless given. */
export function cliEnv(env: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, KUBECONFIG: clusterEnv.unchecked().kubeconfig, ...env };
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI (npm run build) as a user would. */
export function cli(args: string[], env: Record<string, string> = {}, timeoutMs = 150_000): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { env: cliEnv(env), timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' },
      (err, stdout, stderr) =>
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}

export function busyboxPod(ns: string, name: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns },
    spec: {
      terminationGracePeriodSeconds: 0,
      containers: [
        {
          name: 'app',
          image: 'busybox:1.36',
          command: ['sh', '-c', 'sleep 3600'],
          resources: { requests: { cpu: '10m', memory: '16Mi' } },
          ...extra,
        },
      ],
    },
  });
}
