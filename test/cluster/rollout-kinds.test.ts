// The other workload kinds of a rollout on the real cluster, through the CLI as a user runs it
// (`pod-birth trace --apply --yes -f FILE --all --format json`, then attach by KIND/NAME): a
// StatefulSet (its pods one after another, OrderedReady), a DaemonSet (one pod per node; its size is
// known only from its status) and a Job (pods that run to completion). Each pod's runtime-log steps
// are checked against the runtime's own lines for one pod of each kind.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { ROLLOUT_PHASES, type RolloutReport } from '../../src/core/rollout/index.js';
import { loadConnection, startRollout } from '../../src/cluster/index.js';
import { clusterEnv, createNamespace, deleteNamespace, ensureImagePresent, kubectlJson } from './harness.js';
import { expectGroundTruth } from './trace-checks.js';

const IMAGE = 'busybox:1.36';

let ns = '';
let dir = '';

beforeAll(async () => {
  ns = await createNamespace('pb-kinds');
  await ensureImagePresent(ns, IMAGE);
  dir = mkdtempSync(join(tmpdir(), 'pb-kinds-'));
});

afterAll(async () => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  if (ns) await deleteNamespace(ns);
});

/** Runs the CLI in this process; the exit code, stdout and stderr. */
async function podBirth(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main([...args, '--namespace', ns, '--kubeconfig', clusterEnv().kubeconfig, '--timeout', '150s'], {
    out: (s) => out.push(s),
    err: (s) => err.push(s),
    ask: async () => null,
  });
  return { code, out: out.join(''), err: err.join('') };
}

/** Applies `manifest` with `--apply --yes --all --format json` and returns the report. */
async function applyAll(name: string, manifest: object): Promise<RolloutReport> {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, JSON.stringify(manifest, null, 1));
  const r = await podBirth(['trace', '--apply', '--yes', '-f', file, '--all', '--format', 'json']);
  expect(r.code, r.err).toBe(0);
  return JSON.parse(r.out) as RolloutReport;
}

const container = (command: string[]): object => ({
  name: 'app',
  image: IMAGE,
  imagePullPolicy: 'IfNotPresent',
  command,
  resources: { requests: { cpu: '5m', memory: '4Mi' } },
});

const template = (app: string, command: string[], extra: object = {}): object => ({
  metadata: { labels: { app } },
  spec: { terminationGracePeriodSeconds: 0, containers: [container(command)], ...extra },
});

/** The pods' names the cluster has for a label, sorted. */
async function clusterPods(app: string): Promise<string[]> {
  const list = await kubectlJson<{ items: { metadata: { name: string } }[] }>([
    '-n',
    ns,
    'get',
    'pods',
    '-l',
    `app=${app}`,
    '-o',
    'json',
  ]);
  return list.items.map((p) => p.metadata.name).sort();
}

/** One pod's trace, traced again by attach, checked against the runtime's own lines. */
async function groundTruthOf(workloadKind: string, name: string, pod: string): Promise<void> {
  const conn = loadConnection({ kubeconfig: clusterEnv().kubeconfig });
  const result = await startRollout({
    subject: { kind: 'named', conn, namespace: ns, workloadKind, name },
    timeoutMs: 60_000,
    session: {},
    confirm: async () => '--yes',
    onReport: () => undefined,
  });
  expect(result.status, 'message' in result ? result.message : '').toBe('running');
  if (result.status !== 'running') return;
  await result.finished;
  const trace = result.tracer.traceOf(pod);
  expect(trace, pod).toBeDefined();
  if (trace) await expectGroundTruth(trace);
}

function expectEveryPhase(report: RolloutReport): void {
  for (const p of report.pods) {
    expect(p.node, p.name).toBe(clusterEnv().nodeName);
    expect(Object.keys(p.phases).sort(), p.name).toEqual([...ROLLOUT_PHASES].sort());
  }
}

describe('rollouts of the other workload kinds, traced with --all on the real cluster', () => {
  it('a StatefulSet: its 3 pods in order, each Ready, and attach finds the same pods', async () => {
    const report = await applyAll('db', {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'db', namespace: ns },
      spec: {
        serviceName: 'db',
        replicas: 3,
        selector: { matchLabels: { app: 'db' } },
        template: template('db', ['sleep', '3600']),
      },
    });
    expect(report.workload).toEqual({ kind: 'StatefulSet', namespace: ns, name: 'db' });
    expect(report.pods.map((p) => p.name).sort()).toEqual(['db-0', 'db-1', 'db-2']);
    expect(report.pods.map((p) => `${p.name} ${p.outcome}`)).toEqual(report.pods.map((p) => `${p.name} ready`));
    expectEveryPhase(report);
    expect(await clusterPods('db')).toEqual(['db-0', 'db-1', 'db-2']);
    // OrderedReady: each pod is created once the one before it is Ready (timestamps have 1 s steps).
    const row = (n: string): RolloutReport['pods'][number] | undefined => report.pods.find((p) => p.name === n);
    for (const [before, after] of [
      ['db-0', 'db-1'],
      ['db-1', 'db-2'],
    ] as const) {
      const a = row(before);
      const b = row(after);
      expect((b?.createdAtMs ?? 0) + 1000, `${after} created after ${before} was Ready`).toBeGreaterThanOrEqual(
        (a?.createdAtMs ?? 0) + (a?.totalMs ?? 0),
      );
    }

    const attached = await podBirth(['trace', 'statefulset/db', '--all', '--format', 'json']);
    expect(attached.code, attached.err).toBe(0);
    const again = JSON.parse(attached.out) as RolloutReport;
    expect(again.pods.map((p) => p.name).sort()).toEqual(['db-0', 'db-1', 'db-2']);
    await groundTruthOf('StatefulSet', 'db', 'db-2');
  });

  it('a DaemonSet: one pod on the one node, Ready (its size comes from its status)', async () => {
    const report = await applyAll('agent', {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'agent', namespace: ns },
      spec: {
        selector: { matchLabels: { app: 'agent' } },
        template: template('agent', ['sleep', '3600']),
      },
    });
    expect(report.workload).toEqual({ kind: 'DaemonSet', namespace: ns, name: 'agent' });
    const pods = await clusterPods('agent');
    expect(pods).toHaveLength(1);
    expect(report.pods.map((p) => `${p.name} ${p.outcome}`)).toEqual([`${pods[0]} ready`]);
    expectEveryPhase(report);
    await groundTruthOf('DaemonSet', 'agent', pods[0] ?? '');
  });

  it('a Job: 3 pods that run to completion, each Succeeded', async () => {
    const report = await applyAll('batch', {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'batch', namespace: ns },
      spec: {
        completions: 3,
        parallelism: 3,
        backoffLimit: 0,
        template: template('batch', ['sh', '-c', 'sleep 2'], { restartPolicy: 'Never' }),
      },
    });
    expect(report.workload).toEqual({ kind: 'Job', namespace: ns, name: 'batch' });
    const pods = await clusterPods('batch');
    expect(pods).toHaveLength(3);
    expect(report.pods.map((p) => p.name).sort()).toEqual(pods);
    for (const p of report.pods) expect(p.outcome, JSON.stringify(p)).toBe('succeeded');
    await groundTruthOf('Job', 'batch', pods[0] ?? '');
  });
});
