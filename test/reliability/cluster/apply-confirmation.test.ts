// Nothing is applied without a confirmation, on the real cluster: the runner with a confirmation
// that answers "no" (null), and the bundled CLI (dist/cli.js) without a terminal and without --yes
// (also when "y" is piped into it: a pipe is not a person), and in a real pseudo-terminal answered
// "n". Afterwards the cluster holds no such pod or workload. Needs `npm run build` (dist/cli.js).

import { execFile } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  loadConnection,
  resolveTargetOn,
  startRun,
  type Connection,
  type KubeObject,
} from '../../../src/cluster/index.js';
import { clusterEnv, createNamespace, deleteNamespace, kubectl, randomSuffix } from '../../cluster/harness.js';
import { podManifest, reportNumbers } from './support.js';

let conn: Connection;
let ns: string;
const written: string[] = [];

beforeAll(async () => {
  const env = clusterEnv();
  if (!existsSync(join(process.cwd(), 'dist', 'cli.js')))
    throw new Error('dist/cli.js is missing: run `npm run build` first');
  conn = loadConnection({ kubeconfig: env.kubeconfig });
  ns = await createNamespace('pb-rel-confirm');
});

afterAll(async () => {
  for (const p of written) rmSync(p, { force: true });
  if (ns) await deleteNamespace(ns);
});

const deployment = (name: string): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: ns },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: 'busybox:1.36' }] } },
  },
});

function manifestFile(obj: KubeObject): string {
  const p = join(clusterEnv().stateDir, `confirm-${obj.metadata?.name ?? 'x'}-${randomSuffix(4)}.json`);
  writeFileSync(p, JSON.stringify(obj));
  written.push(p);
  return p;
}

/** What exists in the namespace: pods and deployments by name. */
async function existing(): Promise<string> {
  return kubectl(['-n', ns, 'get', 'pods,deployments,replicasets', '-o', 'name']);
}

function run(cmd: string, args: string[], input: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      cmd,
      args,
      { timeout: 60_000, encoding: 'utf8', env: { ...process.env, KUBECONFIG: clusterEnv().kubeconfig } },
      (err, stdout, stderr) => {
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
      },
    );
    child.stdin?.end(input);
  });
}

const cliPath = (): string => join(process.cwd(), 'dist', 'cli.js');

describe('apply needs a confirmation', () => {
  it('the runner: a confirmation answering null creates nothing (Pod and Deployment), after a dry run that named the target', async () => {
    const asked: string[] = [];
    for (const obj of [podManifest(ns, 'declined-pod'), deployment('declined-deploy')]) {
      const r = await startRun({
        target: resolveTargetOn(conn, { kind: 'object', object: obj, mode: 'apply' }),
        timeoutMs: 10_000,
        session: {},
        confirm: async (plan) => {
          asked.push(`${plan.kind}/${plan.name} → ${plan.namespace} @ ${plan.context} (${plan.server})`);
          return null;
        },
        onPod: () => undefined,
        onEvent: () => undefined,
      });
      expect(r.status).toBe('declined');
    }
    expect(asked).toEqual([
      `Pod/declined-pod → ${ns} @ ${conn.context} (${conn.server})`,
      `Deployment/declined-deploy → ${ns} @ ${conn.context} (${conn.server})`,
    ]);
    expect(await existing()).toBe('');
  });

  it('dist/cli.js trace --apply without a terminal and without --yes: exit 2, nothing created (also with "y" piped in)', async () => {
    const results: Record<string, number> = {};
    for (const obj of [podManifest(ns, 'cli-pod'), deployment('cli-deploy')]) {
      const file = manifestFile(obj);
      for (const input of ['', 'y\n']) {
        const r = await run(process.execPath, [cliPath(), 'trace', '--apply', '-f', file, '--timeout', '20s'], input);
        results[`${obj.kind} stdin=${JSON.stringify(input)}`] = r.code;
        expect(r.code, r.stderr).toBe(2);
        expect(r.stderr).toMatch(
          new RegExp(`Apply ${obj.kind} "${obj.metadata?.name}" to namespace "${ns}" of context "[^"]+"`),
        );
        expect(r.stderr).toMatch(/Refusing to apply without confirmation: run in a terminal, or pass --yes/);
      }
    }
    expect(await existing()).toBe('');
    reportNumbers('apply confirmation: CLI without a terminal', { exitCodes: results, created: 0 });
  });

  it('dist/cli.js in a real terminal (pty) answered "n": exit 2, nothing created', async () => {
    const file = manifestFile(podManifest(ns, 'tty-pod'));
    // util-linux `script` gives the CLI a pseudo-terminal; its stdin carries the answer.
    const r = await run(
      'script',
      ['-qec', `${process.execPath} ${cliPath()} trace --apply -f ${file} --timeout 20s`, '/dev/null'],
      'n\n',
    );
    expect(r.stdout).toMatch(/Apply Pod "tty-pod" to namespace "[^"]+" of context "[^"]+" \([^)]+\)\? \[y\/N\]/);
    expect(r.stdout).toMatch(/not applied/);
    expect(r.code).toBe(2);
    expect(await existing()).toBe('');
  });
});
