// Live traces through src/cluster against the real local cluster, checked against ground truth read
// directly on the node (the runtime's own log lines: containerd 1.6, containerd 2.x or CRI-O), plus
// forced faults. On a stock node (Node Log Query off) the ground truth is that the trace says so.

import * as net from 'node:net';
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { setRequestLogger } from '../../src/cluster/http.js';
import { metricsNote, scrapeRuntimeOperations } from '../../src/cluster/metrics.js';
import {
  applyConfirmed,
  dryRun,
  loadConnection,
  ResumableWatch,
  TraceSession,
  WorkloadTracer,
  type Connection,
  type KubeObject,
  type Outcome,
  type SessionEvent,
} from '../../src/cluster/index.js';
import type { Trace } from '../../src/core/model.js';
import { formatInstant } from '../../src/core/time.js';
import { parseQuantity } from '../../src/core/diagnosis/paths.js';
import {
  clusterEnv,
  combinationOf,
  createNamespace,
  daemon,
  deleteNamespace,
  ensureImagePresent,
  kubectl,
  mintKubeconfig,
  pushFreshTag,
} from './harness.js';
import { expectGroundTruth, expectSameAsFreshAttach as sameAsFreshAttach, step } from './trace-checks.js';

let conn: Connection;
let ns: string;

beforeAll(async () => {
  const env = clusterEnv();
  conn = loadConnection({ kubeconfig: env.kubeconfig });
  ns = await createNamespace('pb-live');
});

afterAll(async () => {
  if (ns) await deleteNamespace(ns);
});

function pod(name: string, containers: object[], extra: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns },
    spec: { terminationGracePeriodSeconds: 0, containers, ...extra },
  };
}

interface Traced {
  trace: Trace;
  outcome: Outcome;
  events: SessionEvent[];
  session: TraceSession;
}

/** Apply & trace as the CLI does: watch first, dry run, create, follow until the outcome. */
async function applyAndTrace(
  obj: KubeObject,
  opts: { timeoutMs?: number; connection?: Connection } = {},
): Promise<Traced> {
  const c = opts.connection ?? conn;
  const events: SessionEvent[] = [];
  const plan = await dryRun(c, obj);
  const session = new TraceSession({
    conn: c,
    namespace: ns,
    name: obj.metadata?.name ?? '',
    timeoutMs: opts.timeoutMs ?? 90_000,
    failureGraceMs: 6000,
    onEvent: (e) => events.push(e),
  });
  await session.start();
  const created = await applyConfirmed(c, obj, plan, { confirmedBy: 'test' });
  if (created.metadata?.uid) session.expectUid(created.metadata.uid);
  const outcome = await session.finished;
  return { trace: session.trace(), outcome, events, session };
}

/** Nothing lost, nothing duplicated: the same steps as a fresh attach (see trace-checks.ts). */
const expectSameAsFreshAttach = (t: Trace, name: string): Promise<Trace> => sameAsFreshAttach(conn, ns, t, name);

describe('live trace on the real cluster', () => {
  it("fresh image pull: every runtime step, with runtime-log times equal to the runtime's own", async () => {
    const image = await pushFreshTag();
    const { trace, outcome } = await applyAndTrace(
      pod('fresh', [{ name: 'app', image, imagePullPolicy: 'IfNotPresent', command: ['sleep', '3600'] }]),
    );
    expect(outcome).toBe('ready');
    expect(trace.runtime).toBe(combinationOf().runtime === 'crio' ? 'cri-o' : 'containerd');
    for (const k of [
      'created',
      'scheduled',
      'kubelet-accepted',
      'sandbox-created',
      'image-pull',
      'container-created',
      'container-started',
      'ready',
    ])
      expect(step(trace, k), k).toBeDefined();
    const pull = step(trace, 'image-pull', 'app')!;
    expect(pull).toMatchObject({ yamlPath: 'spec.containers[0].image', status: 'done' });
    const truth = await expectGroundTruth(trace);
    if (truth.mode === 'matched') {
      expect(pull).toMatchObject({ source: 'runtime-log', precision: 'ns' });
      expect(truth.calls).toBeGreaterThanOrEqual(6);
    } else expect(pull.source).not.toBe('runtime-log');
    // Nothing duplicated: step ids are unique.
    expect(new Set(trace.steps.map((s) => s.id)).size).toBe(trace.steps.length);
  });

  it('image already present: an image-present step and no pull', async () => {
    await ensureImagePresent(ns, 'busybox:1.36');
    const { trace, outcome } = await applyAndTrace(
      pod('present', [
        { name: 'app', image: 'busybox:1.36', imagePullPolicy: 'IfNotPresent', command: ['sleep', '3600'] },
      ]),
    );
    expect(outcome).toBe('ready');
    expect(step(trace, 'image-present', 'app')).toBeDefined();
    expect(step(trace, 'image-pull', 'app')).toBeUndefined();
    await expectGroundTruth(trace);
  });

  it("init container: its steps come before the app container's", async () => {
    const { trace, outcome } = await applyAndTrace(
      pod('with-init', [{ name: 'app', image: 'busybox:1.36', command: ['sleep', '3600'] }], {
        initContainers: [{ name: 'setup', image: 'busybox:1.36', command: ['sh', '-c', 'sleep 1'] }],
      }),
    );
    expect(outcome).toBe('ready');
    const ids = trace.steps.map((s) => s.id);
    expect(ids.indexOf('container-started:init/setup')).toBeGreaterThanOrEqual(0);
    expect(ids.indexOf('container-started:init/setup')).toBeLessThan(ids.indexOf('container-created:app'));
    expect(step(trace, 'container-started', 'setup')?.init).toBe(true);
    await expectGroundTruth(trace);
  });

  it('missing image: fails with image-pull-failed at the image line', async () => {
    const { trace, outcome } = await applyAndTrace(
      pod('missing', [{ name: 'app', image: 'busybox:0.0-not-there', command: ['sleep', '1'] }]),
    );
    expect(outcome).toBe('failed');
    expect(step(trace, 'image-pull-failed', 'app')).toMatchObject({
      status: 'failed',
      yamlPath: 'spec.containers[0].image',
    });
    expect(trace.diagnosis[0]).toMatchObject({ cause: 'image-pull-failed', yamlPath: 'spec.containers[0].image' });
  });

  it('unschedulable by memory: scheduling-failed and insufficient-memory, ends on the timeout', async () => {
    const { trace, outcome } = await applyAndTrace(
      pod('too-big', [{ name: 'app', image: 'busybox:1.36', resources: { requests: { memory: '512Gi' } } }]),
      { timeoutMs: 8000 },
    );
    expect(outcome).toBe('timeout');
    expect(trace.phase).toBe('pending');
    expect(step(trace, 'scheduling-failed')).toMatchObject({ status: 'failed' });
    expect(trace.diagnosis[0]).toMatchObject({
      cause: 'insufficient-memory',
      yamlPath: 'spec.containers[0].resources.requests.memory',
    });
    // The fix says how much would fit: the node's allocatable memory minus what its pods request.
    const node = JSON.parse(await kubectl(['get', 'node', clusterEnv().nodeName, '-o', 'json'])) as {
      status: { allocatable: { memory: string } };
    };
    const fit = trace.diagnosis[0]?.fit;
    expect(fit).toMatchObject({ resource: 'memory', requested: '512Gi', node: clusterEnv().nodeName });
    expect(parseQuantity(fit?.allocatable)).toBeLessThanOrEqual(parseQuantity(node.status.allocatable.memory) ?? 0);
    expect(parseQuantity(fit?.free)).toBeGreaterThan(0);
    expect(parseQuantity(fit?.free)).toBeLessThanOrEqual(parseQuantity(node.status.allocatable.memory) ?? 0);
    expect(trace.diagnosis[0]?.suggestion).toContain(`from 512Gi to at most ${fit?.free}`);
  });

  it('crash loop: container failure and back-off, with a crash-loop cause', async () => {
    const { trace, outcome } = await applyAndTrace(
      pod('crashy', [{ name: 'app', image: 'busybox:1.36', command: ['sh', '-c', 'exit 3'] }]),
      { timeoutMs: 60_000 },
    );
    expect(outcome).toBe('failed');
    expect(trace.steps.some((s) => s.kind === 'container-failed' && s.container === 'app')).toBe(true);
    expect(step(trace, 'back-off', 'app')).toBeDefined();
    expect(trace.diagnosis.some((d) => d.cause === 'crash-loop' && d.container === 'app')).toBe(true);
  });

  it('a Deployment of 3 replicas: three pods traced, 3 watches each, sharing the node reads, each matching the runtime', async () => {
    const deploy: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: ns },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: {
            terminationGracePeriodSeconds: 0,
            containers: [{ name: 'web', image: 'busybox:1.36', command: ['sleep', '3600'] }],
          },
        },
      },
    };
    const plan = await dryRun(conn, deploy);
    const tracer = new WorkloadTracer({
      conn,
      namespace: ns,
      workload: deploy,
      notBeforeMs: Date.now(),
      maxPods: 3,
      session: { timeoutMs: 90_000 },
      onEvent: () => undefined,
    });
    const requests: string[] = [];
    setRequestLogger((line) => requests.push(line));
    try {
      await tracer.start();
      await applyConfirmed(conn, deploy, plan, { confirmedBy: 'test' });
      await tracer.finished;
    } finally {
      setRequestLogger(null);
    }
    const sessions = [...tracer.sessions.values()];
    expect(sessions).toHaveLength(3);
    for (const s of sessions) {
      expect(await s.finished).toBe('ready');
      expect(s.watchCount).toBeLessThanOrEqual(3);
      const t = s.trace();
      expect(t.steps.find((x) => x.kind === 'created')?.message).toMatch(/ReplicaSet web-/);
      // The pods share one parsed node log: each still gets exactly its own runtime lines.
      const truth = await expectGroundTruth(t);
      if (truth.mode === 'matched') expect(truth.calls).toBeGreaterThanOrEqual(6);
    }
    // The node object and the access review once for the three pods, not once per pod.
    const node = clusterEnv().nodeName;
    expect(requests.filter((r) => r === `GET /api/v1/nodes/${node}`)).toHaveLength(1);
    expect(requests.filter((r) => r.includes('/selfsubjectaccessreviews'))).toHaveLength(1);
    await tracer.stop();
  });
});

describe('apply needs a confirmation', () => {
  it('without a terminal and without --yes nothing is applied (exit 2); declining applies nothing either', async () => {
    const file = `${clusterEnv().stateDir}/confirm-test.yaml`;
    writeFileSync(
      file,
      `apiVersion: v1\nkind: Pod\nmetadata:\n  name: unconfirmed\nspec:\n  containers:\n    - name: app\n      image: busybox:1.36\n`,
    );
    for (const answer of [null, false]) {
      let asked = '';
      let err = '';
      const code = await main(
        ['trace', '--apply', '-f', file, '--namespace', ns, '--kubeconfig', clusterEnv().kubeconfig],
        {
          out: () => undefined,
          err: (s) => (err += s),
          ask: async (q) => {
            asked = q;
            return answer;
          },
        },
      );
      expect(code).toBe(2);
      // The question names what would be touched: kind and name, namespace, context and server.
      expect(asked).toContain(`Pod "unconfirmed" to namespace "${ns}" of context "`);
      expect(asked).toContain(conn.server);
      expect(err).toMatch(answer === null ? /Refusing to apply without confirmation/ : /not applied/);
    }
    const got = await kubectl(['-n', ns, 'get', 'pods', '-o', 'name']);
    expect(got).not.toContain('unconfirmed');
  });
});

describe('node sources', () => {
  it('kubelet /metrics through the node proxy: CRI operation averages across a pod birth', async () => {
    const node = clusterEnv().nodeName;
    const before = await scrapeRuntimeOperations(conn, node);
    expect(before).not.toBeNull();
    const { outcome } = await applyAndTrace(
      pod('metrics', [{ name: 'app', image: 'busybox:1.36', command: ['sleep', '3600'] }]),
    );
    expect(outcome).toBe('ready');
    const after = await scrapeRuntimeOperations(conn, node);
    const note = metricsNote(before!, after!, node);
    expect(note?.message).toMatch(/RunPodSandbox [\d.]+ ms avg over \d+ call/);
    expect(note?.message).toMatch(/StartContainer [\d.]+ ms avg/);
  });
});

describe('faults', () => {
  it('a cut watch stream resumes within 2 s, and the trace has no lost and no duplicated step', async () => {
    // A loopback TCP proxy between client and apiserver that the test can drop.
    const target = new URL(conn.server);
    const sockets = new Set<net.Socket>();
    const proxy = net.createServer((client) => {
      const upstream = net.connect(Number(target.port || 443), target.hostname);
      client.pipe(upstream).pipe(client);
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.on('error', () => undefined);
        s.on('close', () => sockets.delete(s));
      }
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    const port = (proxy.address() as net.AddressInfo).port;
    const kcPath = `${clusterEnv().stateDir}/proxy-${port}.kubeconfig`;
    writeFileSync(
      kcPath,
      readFileSync(clusterEnv().kubeconfig, 'utf8').replace(conn.server, `https://127.0.0.1:${port}`),
    );
    const viaProxy = loadConnection({ kubeconfig: kcPath });
    const states: { at: number; msg: string }[] = [];
    const obj = pod(
      'cut',
      [{ name: 'app', image: 'busybox:1.36', command: ['sh', '-c', 'sleep 3; echo up; sleep 3600'] }],
      {},
    );
    (obj.spec as Record<string, unknown>).initContainers = [
      { name: 'wait', image: 'busybox:1.36', command: ['sleep', '3'] },
    ];
    const plan = await dryRun(viaProxy, obj);
    const session = new TraceSession({
      conn: viaProxy,
      namespace: ns,
      name: 'cut',
      timeoutMs: 90_000,
      onEvent: (e) => e.type === 'state' && states.push({ at: Date.now(), msg: e.message }),
    });
    await session.start();
    const created = await applyConfirmed(viaProxy, obj, plan, { confirmedBy: 'test' });
    if (created.metadata?.uid) session.expectUid(created.metadata.uid);
    await new Promise((r) => setTimeout(r, 1500));
    const cutAt = Date.now();
    for (const s of sockets) s.destroy();
    const outcome = await session.finished;
    proxy.close();
    expect(outcome).toBe('ready');
    const resumed = states.filter((s) => s.at >= cutAt && /watch resumed/.test(s.msg));
    expect(resumed.length).toBeGreaterThan(0);
    expect(resumed[0]!.at - cutAt).toBeLessThan(2000);
    const fresh = await expectSameAsFreshAttach(session.trace(), 'cut');
    expect(formatInstant(step(session.trace(), 'container-started', 'app')!.end!)).toBe(
      formatInstant(step(fresh, 'container-started', 'app')!.end!),
    );
  });

  it('an apiserver restart mid-trace: the trace completes with no lost and no duplicated step', async () => {
    const obj = pod('restart', [{ name: 'app', image: 'busybox:1.36', command: ['sleep', '3600'] }], {
      initContainers: [{ name: 'wait', image: 'busybox:1.36', command: ['sleep', '6'] }],
    });
    const plan = await dryRun(conn, obj);
    const states: string[] = [];
    const session = new TraceSession({
      conn,
      namespace: ns,
      name: 'restart',
      timeoutMs: 120_000,
      onEvent: (e) => e.type === 'state' && states.push(e.message),
    });
    await session.start();
    const created = await applyConfirmed(conn, obj, plan, { confirmedBy: 'test' });
    if (created.metadata?.uid) session.expectUid(created.metadata.uid);
    await new Promise((r) => setTimeout(r, 1000));
    await restartApiserver();
    const outcome = await session.finished;
    expect(outcome).toBe('ready');
    expect(states.some((m) => /watch (resumed|retrying)/.test(m))).toBe(true);
    await expectSameAsFreshAttach(session.trace(), 'restart');
  }, 180_000);

  it('a 410 on resume relists without losing the pod', async () => {
    await kubectl(['-n', ns, 'run', 'gone', '--image=busybox:1.36', '--restart=Never', '--', 'sleep', '3600']);
    const seen: string[] = [];
    const states: string[] = [];
    const w = new ResumableWatch({
      conn,
      path: `/api/v1/namespaces/${ns}/pods`,
      fieldSelector: 'metadata.name=gone',
      resource: 'pods',
      namespace: ns,
      timeoutSeconds: 1,
      onObject: (type, obj) => seen.push(`${type}:${(obj.metadata as { resourceVersion?: string }).resourceVersion}`),
      onState: (s) => states.push(s),
    });
    await w.start();
    // Make our last resourceVersion ancient for real: compact etcd (its loopback gRPC gateway) past
    // it, so the next resume from rv 1 gets 410 Gone and must relist.
    const rev = (
      (await (
        await fetch('http://127.0.0.1:2379/v3/kv/range', { method: 'POST', body: JSON.stringify({ key: 'AA==' }) })
      ).json()) as { header: { revision: string } }
    ).header.revision;
    await fetch('http://127.0.0.1:2379/v3/kv/compaction', {
      method: 'POST',
      body: JSON.stringify({ revision: rev, physical: true }),
    });
    // The server ends each 1 s watch with a BOOKMARK that refreshes our resourceVersion, so keep
    // setting it back until a resume has used the ancient one.
    const t0 = Date.now();
    while (!states.includes('relisted') && Date.now() - t0 < 15_000) {
      (w as unknown as { rv: string }).rv = '1';
      await new Promise((r) => setTimeout(r, 50));
    }
    await w.stop();
    expect(states).toContain('relisted');
    expect(w.stats.relists).toBeGreaterThanOrEqual(1);
    expect(seen.length).toBeGreaterThanOrEqual(2);
  });

  it('RBAC without events and nodes/proxy: the trace completes, degraded, saying what is missing', async () => {
    const minted = await mintKubeconfig('pb-narrow', ns, [
      { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch', 'create'] },
    ]);
    try {
      const narrow = loadConnection({ kubeconfig: minted.path });
      const { trace, outcome, events } = await applyAndTrace(
        pod('narrow', [{ name: 'app', image: 'busybox:1.36', command: ['sleep', '3600'] }]),
        { connection: narrow },
      );
      expect(outcome).toBe('ready');
      expect(step(trace, 'ready')).toBeDefined();
      const degraded = events.filter((e) => e.type === 'degraded').map((e) => (e.type === 'degraded' ? e.note : null));
      expect(degraded.some((n) => n?.source === 'event' && /events/i.test(n.remedy ?? ''))).toBe(true);
      expect(degraded.some((n) => n?.source === 'runtime-log' && /nodes\/proxy/.test(n.remedy ?? ''))).toBe(true);
      expect(trace.notes.filter((n) => n.kind === 'degraded').length).toBeGreaterThanOrEqual(2);
      // No credential ever appears in what the trace recorded.
      expect(JSON.stringify(trace)).not.toContain(minted.token.slice(0, 40));
    } finally {
      await minted.cleanup();
    }
  });
});

/** Kills the apiserver (a crash: SIGTERM would drain watches for tens of seconds) and starts it
 * again with the cluster scripts, which keep its cgroup, log and PID bookkeeping. */
async function restartApiserver(): Promise<void> {
  await daemon('kill', 'kube-apiserver');
  await daemon('start', 'kube-apiserver');
}
