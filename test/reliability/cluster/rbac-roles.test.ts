// Least privilege on the real cluster: the documented roles (docs/rbac/*.yaml, explained in
// docs/rbac.md) are applied as written, only with NAMESPACE, the subject and (for cluster-scoped
// objects) a unique name suffix substituted, and bound to a ServiceAccount whose token kubeconfig
// then runs real traces. Each role must allow exactly what docs/rbac.md says, and where a right is
// missing the trace says so: a degraded note naming the source and the rule to add, or a clear
// forbidden message for an apply the role does not allow.

import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ClusterError,
  loadConnection,
  resolveTargetOn,
  startRun,
  type Connection,
  type KubeObject,
  type Outcome,
} from '../../../src/cluster/index.js';
import { main } from '../../../src/cli/main.js';
import type { Trace } from '../../../src/core/model.js';
import {
  apply,
  clusterEnv,
  createNamespace,
  deleteNamespace,
  ensureImagePresent,
  kubectl,
  kubectlResult,
  mintKubeconfig,
  randomSuffix,
  waitFor,
  waitForPod,
  type MintedKubeconfig,
} from '../../cluster/harness.js';
import { step } from '../../cluster/trace-checks.js';
import { applyAndTrace, podManifest, reportNumbers } from './support.js';

type RoleFile = 'attach' | 'apply' | 'node-logs' | 'capacity';

let ns: string;
const suffix = randomSuffix(5);
const applied: object[] = [];
const minted: MintedKubeconfig[] = [];
const matrix: Record<string, Record<string, string>> = {};

beforeAll(async () => {
  clusterEnv();
  ns = await createNamespace('pb-rel-rbac');
  await ensureImagePresent(ns, 'busybox:1.36');
});

afterAll(async () => {
  reportNumbers('rbac roles', matrix);
  rmSync(join(clusterEnv.unchecked().stateDir, `rbac-${suffix}.yaml`), { force: true });
  if (applied.length > 0) {
    await kubectl(['delete', '--ignore-not-found', '-f', '-'], {
      input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: applied }),
    }).catch(() => undefined);
  }
  // cleanup() removes the RBAC objects; the token kubeconfig file is removed here.
  for (const m of minted) {
    await m.cleanup().catch(() => undefined);
    rmSync(m.path, { force: true });
  }
  if (ns) await deleteNamespace(ns);
});

interface K8sObject {
  kind: string;
  metadata: { name: string; namespace?: string };
  roleRef?: { kind: string; name: string };
  subjects?: { kind: string; name: string; namespace?: string; apiGroup?: string }[];
  rules?: { apiGroups: string[]; resources: string[]; verbs: string[] }[];
}

/** The objects of docs/rbac/<file>.yaml with the documented placeholders filled in for `sa`. */
function roleObjects(file: RoleFile, sa: string, edit: (o: K8sObject) => void = () => undefined): K8sObject[] {
  const text = readFileSync(join(process.cwd(), 'docs', 'rbac', `${file}.yaml`), 'utf8');
  const docs = parseAllDocuments(text).map((d) => d.toJSON() as K8sObject);
  expect(docs.length, `${file}.yaml documents`).toBeGreaterThan(0);
  for (const o of docs) {
    if (o.metadata.namespace !== undefined) {
      expect(o.metadata.namespace, `${file}.yaml: namespaced objects use the NAMESPACE placeholder`).toBe('NAMESPACE');
      o.metadata.namespace = ns;
      // Several subjects are bound in one namespace here: one RoleBinding each.
      o.metadata.name = `${o.metadata.name}-${sa}`;
    }
    // Cluster-scoped names get a suffix so the test never touches a real installation's roles.
    if (o.kind === 'ClusterRole' || o.kind === 'ClusterRoleBinding')
      o.metadata.name = `${o.metadata.name}-${sa}-${suffix}`;
    if (o.roleRef?.kind === 'ClusterRole') o.roleRef.name = `${o.roleRef.name}-${sa}-${suffix}`;
    if (o.subjects) {
      expect(
        o.subjects.map((s) => s.name),
        `${file}.yaml: subjects use the SUBJECT placeholder`,
      ).toEqual(['SUBJECT']);
      o.subjects = [{ kind: 'ServiceAccount', name: sa, namespace: ns }];
    }
    edit(o);
  }
  return docs;
}

/** A ServiceAccount bound to the given documented roles; returns its token connection. */
async function withRoles(
  sa: string,
  files: RoleFile[],
  edit?: (o: K8sObject) => void,
): Promise<{ conn: Connection; kubeconfig: string }> {
  const m = await mintKubeconfig(sa, ns, []);
  minted.push(m);
  const objects = files.flatMap((f) => roleObjects(f, sa, edit));
  applied.push(...objects); // before the apply: a partial failure is cleaned up too
  await apply(objects);
  // RBAC changes reach the authorizer through an informer: wait until the role is in effect.
  await waitFor(
    `RBAC for ${sa}`,
    async () =>
      (
        await kubectlResult(['auth', 'can-i', 'watch', 'pods', '-n', ns], { kubeconfig: m.path, allowFailure: true })
      ).stdout.trim() === 'yes',
    { timeoutMs: 20_000 },
  );
  return { conn: loadConnection({ kubeconfig: m.path }), kubeconfig: m.path };
}

const degraded = (t: Trace, source: string) => t.notes.filter((n) => n.kind === 'degraded' && n.source === source);

async function attachTrace(conn: Connection, name: string): Promise<{ trace: Trace; outcome: Outcome }> {
  let trace: (() => Trace) | undefined;
  const r = await startRun({
    target: resolveTargetOn(conn, { kind: 'pod', name, namespace: ns }),
    timeoutMs: 60_000,
    session: {},
    onPod: (_n, s) => (trace = () => s.trace()),
    onEvent: () => undefined,
  });
  if (r.status !== 'running' || !trace) throw new Error(`attach did not start: ${r.status}`);
  return { outcome: await r.run.finished, trace: trace() };
}

/** A pod that cannot fit anywhere (memory), traced for 8 s through `conn`. */
async function tooBig(conn: Connection, name: string): Promise<Trace> {
  const live = await applyAndTrace(
    conn,
    podManifest(ns, name, {
      containers: [{ name: 'app', image: 'busybox:1.36', resources: { requests: { memory: '512Gi' } } }],
    }),
    { timeoutMs: 8000 },
  );
  expect(await live.finished).toBe('timeout');
  return live.trace();
}

describe('documented least-privilege roles', () => {
  it('attach.yaml: attaching works (whole-second CRI steps, a note naming nodes/proxy); apply is refused with a clear forbidden message', async () => {
    const { conn, kubeconfig } = await withRoles('pb-attach', ['attach']);
    await apply(podManifest(ns, 'existing', { initSleep: 1 }));
    await waitForPod(
      ns,
      'existing',
      'Ready',
      (p) => !!p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
    );
    const { trace, outcome } = await attachTrace(conn, 'existing');
    expect(outcome).toBe('ready');
    for (const k of ['created', 'scheduled', 'sandbox-created', 'container-started', 'ready'])
      expect(step(trace, k), k).toBeDefined();
    expect(step(trace, 'sandbox-created')?.source).not.toBe('runtime-log');
    expect(trace.runtimeVersion, 'node readable: runtime version known').toMatch(/^containerd:\/\//);
    expect(degraded(trace, 'event'), 'events are readable').toEqual([]);
    const logNote = degraded(trace, 'runtime-log')[0];
    expect(logNote?.message).toMatch(/not readable \(no get on nodes\/proxy\)/);
    expect(logNote?.remedy).toMatch(/Grant get on nodes\/proxy/);

    // Apply is not in this role: the dry run is refused before anything is created.
    const err = await startRun({
      target: resolveTargetOn(conn, { kind: 'object', object: podManifest(ns, 'not-allowed'), mode: 'apply' }),
      timeoutMs: 10_000,
      session: {},
      confirm: async () => 'test',
      onPod: () => undefined,
      onEvent: () => undefined,
    }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ClusterError);
    expect((err as ClusterError).kind).toBe('forbidden');
    expect((err as ClusterError).message).toMatch(
      new RegExp(
        `^Forbidden: context "[^"]+" may not create pods in namespace "${ns}".*Ask a cluster admin for a Role granting "create" on "pods"`,
      ),
    );
    // The CLI says the same and exits 5 (cluster error).
    const file = join(clusterEnv().stateDir, `rbac-${suffix}.yaml`);
    writeFileSync(
      file,
      `apiVersion: v1\nkind: Pod\nmetadata:\n  name: not-allowed\n  namespace: ${ns}\nspec:\n  containers:\n    - name: app\n      image: busybox:1.36\n`,
    );
    let stderr = '';
    const code = await main(['trace', '--apply', '--yes', '-f', file, '--kubeconfig', kubeconfig], {
      out: () => undefined,
      err: (s) => (stderr += s),
      ask: async () => null,
    });
    expect(code).toBe(5);
    expect(stderr).toMatch(/Forbidden: context "[^"]+" may not create pods/);
    expect(await kubectl(['-n', ns, 'get', 'pods', '-o', 'name'])).not.toContain('not-allowed');
    matrix['attach'] = {
      attach: outcome,
      apply: `forbidden (CLI exit ${code})`,
      events: 'yes',
      runtimeLog: 'no: whole-second CRI steps + degraded note (nodes/proxy)',
      node: 'yes',
    };
  });

  it('attach.yaml + apply.yaml: apply & trace of a Pod and of a Deployment', async () => {
    const { conn } = await withRoles('pb-apply', ['attach', 'apply']);
    const live = await applyAndTrace(conn, podManifest(ns, 'applied'));
    expect(await live.finished).toBe('ready');
    const trace = live.trace();
    expect(step(trace, 'scheduled')?.source).toMatch(/event|watch/);
    expect(degraded(trace, 'event')).toEqual([]);
    expect(degraded(trace, 'runtime-log')[0]?.remedy).toMatch(/nodes\/proxy/);
    // A workload: server-side apply (create + patch), then its first pod traced.
    const deploy: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: ns },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'rbac-web' } },
        template: {
          metadata: { labels: { app: 'rbac-web' } },
          spec: {
            terminationGracePeriodSeconds: 0,
            containers: [{ name: 'web', image: 'busybox:1.36', command: ['sleep', '3600'] }],
          },
        },
      },
    };
    const r = await startRun({
      target: resolveTargetOn(conn, { kind: 'object', object: deploy, mode: 'apply' }),
      timeoutMs: 90_000,
      session: {},
      confirm: async () => 'test',
      onPod: () => undefined,
      onEvent: () => undefined,
    });
    expect(r.status).toBe('running');
    const deployOutcome = r.status === 'running' ? await r.run.finished : 'stopped';
    expect(deployOutcome).toBe('ready');
    matrix['attach+apply'] = {
      applyPod: 'ready',
      applyDeployment: deployOutcome,
      events: 'yes',
      runtimeLog: 'no: degraded note (nodes/proxy)',
    };
  });

  it('attach.yaml without its events rules: the trace completes from the pod status and says events are missing', async () => {
    const noEvents = (o: K8sObject): void => {
      if (o.kind === 'ClusterRole' && o.rules) o.rules = o.rules.filter((r) => !r.resources.includes('events'));
    };
    const { conn } = await withRoles('pb-noevents', ['attach', 'apply'], noEvents);
    const live = await applyAndTrace(conn, podManifest(ns, 'no-events'));
    expect(await live.finished).toBe('ready');
    const trace = live.trace();
    const note = degraded(trace, 'event')[0];
    expect(note?.message).toMatch(/Events are not readable/);
    expect(note?.remedy).toMatch(/Grant list and watch on events \(core "" and events\.k8s\.io\)/);
    expect(step(trace, 'ready')).toBeDefined();
    matrix['attach(no events)+apply'] = {
      applyPod: 'ready',
      events: 'no: degraded note (events)',
      runtimeLog: 'no: degraded note (nodes/proxy)',
    };
  });

  it("+ node-logs.yaml: runtime steps with containerd's nanosecond times; without capacity.yaml a too-big pod gets a fix without numbers and a note", async () => {
    const { conn } = await withRoles('pb-nodelogs', ['attach', 'apply', 'node-logs']);
    const live = await applyAndTrace(conn, podManifest(ns, 'with-logs'));
    expect(await live.finished).toBe('ready');
    const trace = live.trace();
    expect(step(trace, 'sandbox-created')).toMatchObject({ source: 'runtime-log', precision: 'ns' });
    expect(step(trace, 'container-started', 'app')).toMatchObject({ source: 'runtime-log', precision: 'ns' });
    expect(
      trace.notes.filter((n) => n.kind === 'degraded'),
      'nothing missing',
    ).toEqual([]);
    const big = await tooBig(conn, 'too-big-a');
    expect(big.diagnosis[0]).toMatchObject({ cause: 'insufficient-memory' });
    expect(big.diagnosis[0]?.fit ?? null).toBeNull();
    expect(degraded(big, 'pod')[0]?.message).toMatch(
      /Node capacity is not readable \(needs list on nodes and on pods in all namespaces\)/,
    );
    matrix['attach+apply+node-logs'] = {
      applyPod: 'ready',
      runtimeLog: 'yes (ns precision)',
      capacity: 'no: degraded note, fix without numbers',
    };
  });

  it('+ capacity.yaml: the insufficient-memory fix says how much would fit', async () => {
    const { conn } = await withRoles('pb-capacity', ['attach', 'apply', 'node-logs', 'capacity']);
    const big = await tooBig(conn, 'too-big-b');
    const fit = big.diagnosis[0]?.fit;
    expect(fit).toMatchObject({ resource: 'memory', requested: '512Gi', node: clusterEnv().nodeName });
    expect(big.diagnosis[0]?.suggestion).toContain(`to at most ${fit?.free}`);
    expect(degraded(big, 'pod')).toEqual([]);
    matrix['attach+apply+node-logs+capacity'] = { capacity: `yes: "${big.diagnosis[0]?.suggestion ?? ''}"` };
  });
});
