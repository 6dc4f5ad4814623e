// The rollout worker for real: the cluster bundle built as the extension ships it, started as a
// child process by the editor's client (rollout-worker-client.ts), against a stand-in apiserver.
// What crosses the process boundary: the confirmation (asked in the editor, the apply only after
// it), the reports, the events of the pods opened (and only those), a pod opened after the end, the
// errors; and the worker ends when the editor's channel closes.

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { constants, getPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type {
  HostToWorker,
  PodTraceEvent,
  RolloutJob,
  RolloutJobCallbacks,
  RolloutWhere,
  WorkerToHost,
} from '../../../src/cluster/index.js';
import type { RolloutReport } from '../../../src/core/rollout/report.js';
import { workerRolloutRunner, type WorkerLaunch } from '../../../src/extension/rollout-worker-client.js';
import type { FakeApiserver } from '../cluster/fake-apiserver.js';
import { DEPLOY, NS, event, pod, rolloutApiserver } from '../cluster/rollout-fixture.js';

const PODS = 3;
const WORKLOAD = { ...DEPLOY, spec: { ...DEPLOY.spec, replicas: PODS } };

let dir = '';
let launch: WorkerLaunch;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pb-worker-'));
  const bundle = join(dir, 'cluster.js');
  // The same entry and format as scripts/build.mjs builds dist/cluster.js.
  await esbuild.build({
    entryPoints: ['src/cluster/index.ts'],
    outfile: bundle,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
    logLevel: 'error',
  });
  launch = {
    command: process.execPath,
    args: ['-e', `require(${JSON.stringify(bundle)}).rolloutWorkerMain()`],
    env: process.env,
  };
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const servers: FakeApiserver[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

interface Seen {
  where: RolloutWhere[];
  questions: string[];
  reports: RolloutReport[];
  events: { pod: string; e: PodTraceEvent }[];
  requests: string[];
}

function callbacks(answer: string | null): { seen: Seen; cb: RolloutJobCallbacks } {
  const seen: Seen = { where: [], questions: [], reports: [], events: [], requests: [] };
  return {
    seen,
    cb: {
      onResolved: (w) => void seen.where.push(w),
      confirm: async (_plan, question) => {
        seen.questions.push(question);
        return answer;
      },
      onReport: (r) => void seen.reports.push(r),
      onPodEvent: (p, e) => void seen.events.push({ pod: p, e }),
      onRequest: (line) => void seen.requests.push(line),
    },
  };
}

/** The apiserver, answering the server-side apply (and its dry run) of the Deployment. */
async function apiserver(): Promise<FakeApiserver> {
  const server = await rolloutApiserver((q) =>
    q.method === 'PATCH' && q.path === `/apis/apps/v1/namespaces/${NS}/deployments/web`
      ? { status: 200, body: { ...WORKLOAD, metadata: { ...WORKLOAD.metadata, uid: 'dep-uid' } } }
      : undefined,
  );
  servers.push(server);
  return server;
}

function job(server: FakeApiserver): RolloutJob {
  return {
    subject: { kind: 'object', object: WORKLOAD },
    mode: 'apply',
    connect: { kubeconfig: server.conn.files[0], namespace: NS },
    timeoutMs: 30_000,
    maxPods: 1000,
    session: { nodeLogs: false, readySettleMs: 50 },
  };
}

const until = async (what: () => boolean, ms = 10_000): Promise<void> => {
  const end = Date.now() + ms;
  while (!what()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('rollout worker process', () => {
  it('asks in the editor before applying, sends reports and only the opened pods’ events, and keeps the pods after the end', async () => {
    const server = await apiserver();
    const { seen, cb } = callbacks('modal');
    const start = await workerRolloutRunner(launch)(job(server), cb);
    if (start.status !== 'running') throw new Error(start.status);
    expect(start.where).toEqual({
      context: 'fake',
      server: server.conn.server,
      namespace: NS,
      subject: 'Deployment/web',
      workload: { kind: 'Deployment', name: 'web' },
    });
    expect(seen.where).toEqual([start.where]);
    expect(seen.questions).toEqual([
      `Apply Deployment "web" to namespace "${NS}" of context "fake" (${server.conn.server})?`,
    ]);
    // The dry run, then the watches, then the apply (only after the answer).
    const patches = server.requests.filter((r) => r.startsWith('PATCH '));
    expect(patches).toHaveLength(2);
    expect(patches[0]).toContain('dryRun=All');
    expect(server.requests.indexOf(patches[1]!)).toBeGreaterThan(
      server.requests.findIndex((r) => r.includes('/pods?') && r.includes('watch=1')),
    );

    const t0 = Date.now();
    for (let i = 0; i < PODS; i++) server.push('/pods', 'ADDED', pod(i, t0, false));
    await until(() => seen.reports.some((r) => r.pods.length === PODS));
    // Opened: its first event is its trace now; a pod the rollout does not have is said.
    const control = start.control;
    expect(await control.follow('web-abc-0')).toBe(true);
    expect(seen.events).toEqual([{ pod: 'web-abc-0', e: { type: 'steps', trace: expect.anything() } }]);
    expect(await control.follow('web-abc-9')).toBe(false);

    for (let i = 0; i < PODS; i++) {
      server.push(`/${NS}/events`, 'ADDED', event(i, 'Started', t0 + 1000, 'Started container app'));
      server.push('/pods', 'MODIFIED', pod(i, t0, true));
    }
    const end = await start.finished;
    expect(end.how).toBe('done');
    expect(end.report.live).toBe(false);
    expect(end.report.pods.map((p) => p.outcome)).toEqual(['ready', 'ready', 'ready']);
    expect(seen.reports.at(-1)).toEqual(end.report);
    // Only the opened pod's events crossed, and it ended ready.
    expect(new Set(seen.events.map((x) => x.pod))).toEqual(new Set(['web-abc-0']));
    expect(seen.events.at(-1)?.e).toMatchObject({ type: 'finished', outcome: 'ready' });

    // After the end, a pod is opened from the worker that kept it: finished, ready.
    expect(await control.follow('web-abc-2')).toBe(true);
    const opened = seen.events.at(-1);
    expect(opened?.pod).toBe('web-abc-2');
    expect(opened?.e).toMatchObject({ type: 'finished', outcome: 'ready' });
    expect(opened?.e.trace.steps.map((s) => s.kind)).toEqual(expect.arrayContaining(['scheduled', 'ready']));

    // Every request was told to the editor, without the credentials.
    expect(seen.requests.length).toBe(server.requests.length);
    expect(seen.requests.join('\n')).not.toContain('not-a-real-token');

    control.dispose();
    await expect(control.follow('web-abc-1')).rejects.toThrow(/tracer process/);
  }, 30_000);

  it('declined: nothing is applied, no watch is opened, and the worker ends', async () => {
    const server = await apiserver();
    const { seen, cb } = callbacks(null);
    const start = await workerRolloutRunner(launch)(job(server), cb);
    expect(start).toMatchObject({ status: 'declined', plan: { kind: 'Deployment', name: 'web', namespace: NS } });
    expect(seen.questions).toHaveLength(1);
    expect(server.requests.filter((r) => r.startsWith('PATCH '))).toHaveLength(1);
    expect(server.requests.filter((r) => r.includes('watch=1'))).toEqual([]);
  }, 30_000);

  it('a job that cannot start says why (here: no such kubeconfig)', async () => {
    const server = await apiserver();
    const { cb } = callbacks('modal');
    const bad = { ...job(server), connect: { kubeconfig: join(dir, 'missing-kubeconfig') } };
    await expect(workerRolloutRunner(launch)(bad, cb)).rejects.toThrow(/missing-kubeconfig/);
  }, 30_000);

  it('runs below the editor’s priority, and ends on its own, its watches closed, when the editor’s channel closes (the window went away)', async () => {
    const server = await apiserver();
    const child = spawn(launch.command, [...launch.args], {
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'advanced',
    });
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    const messages: WorkerToHost[] = [];
    child.on('message', (m: WorkerToHost) => {
      messages.push(m);
      if (m.type === 'confirm') child.send({ type: 'confirmed', by: 'modal' } satisfies HostToWorker);
    });
    child.send({ type: 'start', job: job(server) } satisfies HostToWorker);
    await until(() => messages.some((m) => m.type === 'started'));
    expect(messages.find((m) => m.type === 'started')).toMatchObject({ result: { status: 'running' } });
    // Running: its watches are open and would keep a process alive.
    expect(server.requests.filter((r) => r.includes('watch=1')).length).toBeGreaterThan(0);
    // It yields the CPU to the editor: below normal, never above the priority it was started with.
    expect(child.pid).toBeDefined();
    expect(getPriority(child.pid)).toBe(Math.max(getPriority(), constants.priority.PRIORITY_BELOW_NORMAL));
    child.disconnect();
    const code = await Promise.race([exited, new Promise<'alive'>((r) => setTimeout(() => r('alive'), 8000))]);
    if (code === 'alive') child.kill();
    expect(code).toBe(0);
  }, 30_000);
});
