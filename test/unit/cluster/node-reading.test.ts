// What a trace reads about its node (src/cluster/node-reading.ts), against a routed stand-in
// apiserver with a recorded runtime and kubelet log: what is read in which case, what becomes a
// degraded or disturbance note, and that capacity is read once and only when cpu/memory is short.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ClusterError } from '../../../src/cluster/errors.js';
import { NodeReading, shortResources, type NodeSink } from '../../../src/cluster/node-reading.js';
import type { Pod } from '../../../src/core/k8s-types.js';
import type { TraceNote } from '../../../src/core/model.js';
import type { Evidence } from '../../../src/core/trace/index.js';
import { RECORDED_ROOT, recordedTrace } from '../../support/recorded.js';
import { fakeApiserver, status, type FakeAnswer, type FakeApiserver } from './fake-apiserver.js';

const DIR = join(RECORDED_ROOT, 'image-present');
const POD = JSON.parse(readFileSync(join(DIR, 'pod.json'), 'utf8')) as Pod;
const RUNTIME_LOG = readFileSync(join(DIR, 'containerd.log'), 'utf8');
const KUBELET_LOG = readFileSync(join(DIR, 'kubelet.log'), 'utf8');
const NODE = 'pod-birth-node';
// The kubelet restarted: a second process logs about the pod.
const RESTARTED = `${KUBELET_LOG.trimEnd()}\nNov 23 09:59:09.100000 vm kubelet[31000]: I1123 09:59:09.100000   31000 kubelet.go:2520] "SyncLoop ADD" source="api" pods=["${POD.metadata?.namespace}/${POD.metadata?.name}"]\n`;

const servers: FakeApiserver[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

interface Node {
  os?: string;
  allowed?: boolean;
  logs?: FakeAnswer;
  kubelet?: string;
  nodes?: FakeAnswer;
}

async function apiserver(n: Node = {}): Promise<FakeApiserver> {
  const server = await fakeApiserver((q) => {
    if (q.path === `/api/v1/nodes/${NODE}`)
      return {
        status: 200,
        body: {
          kind: 'Node',
          status: { nodeInfo: { containerRuntimeVersion: 'containerd://2.1.4', operatingSystem: n.os ?? 'linux' } },
        },
      };
    if (q.path.endsWith('/selfsubjectaccessreviews'))
      return { status: 201, body: { kind: 'SelfSubjectAccessReview', status: { allowed: n.allowed ?? true } } };
    if (q.path === `/api/v1/nodes/${NODE}/proxy/logs/`)
      return q.query.get('query') === 'kubelet'
        ? { status: 200, body: n.kubelet ?? KUBELET_LOG }
        : (n.logs ?? { status: 200, body: RUNTIME_LOG });
    if (q.path === `/api/v1/nodes/${NODE}/proxy/metrics`) return { status: 200, body: '' };
    if (q.path === '/api/v1/nodes') return n.nodes ?? status(403, 'nodes is forbidden');
    return undefined;
  });
  servers.push(server);
  return server;
}

async function reading(
  server: FakeApiserver,
  opts: { nodeLogs?: boolean; capacity?: boolean } = {},
  extra: Pick<NodeSink, 'runtimeLagging'> = {},
) {
  const fatal: ClusterError[] = [];
  const evidence: Evidence[] = [];
  const notes: TraceNote[] = [];
  const states: string[] = [];
  const loads: Promise<void>[] = [];
  const s: NodeSink = {
    record: (ev) => void evidence.push(ev),
    degrade: (n) => void notes.push(n),
    state: (m) => void states.push(m),
    fatal: (e) => void fatal.push(e),
    ended: () => false,
    track: (p) => void loads.push(p),
    ...extra,
  };
  const r = new NodeReading(
    {
      conn: server.conn,
      namespace: POD.metadata?.namespace ?? '',
      name: POD.metadata?.name ?? '',
      logPollMs: 100_000,
      ...opts,
    },
    s,
  );
  const settle = async (): Promise<void> => void (await Promise.all(loads));
  return { r, evidence, notes, states, fatal, settle };
}

const logs = (ev: Evidence[]) => ev.filter((e) => e.type === 'log');

/** The node known, its initial reads landed, then the final reads (the trace ended). */
async function readThrough(server: FakeApiserver, opts: { nodeLogs?: boolean } = {}) {
  const x = await reading(server, opts);
  x.r.nodeKnown(NODE, POD);
  await x.settle();
  await x.r.finalReads();
  return x;
}

describe('NodeReading', () => {
  it('reads the node, then its runtime log from before the pod was created; the final reads add the kubelet lines', async () => {
    const server = await apiserver();
    const x = await reading(server);
    x.r.nodeKnown(NODE, POD);
    x.r.nodeKnown(NODE, POD); // once per trace
    await x.settle();
    expect(x.evidence[0]).toEqual({ type: 'node', name: NODE, runtimeVersion: 'containerd://2.1.4' });
    const runtime = logs(x.evidence).length;
    expect(runtime).toBeGreaterThan(0);
    expect(server.requests.filter((q) => q.includes('/proxy/logs/?query=containerd'))).toEqual([
      expect.stringContaining('sinceTime=2026-11-23T09%3A59%3A01Z'),
    ]);
    await x.r.finalReads();
    expect(server.requests.filter((q) => q.includes('/proxy/logs/?query=containerd'))).toHaveLength(2);
    expect(server.requests.some((q) => q.includes('query=kubelet') && q.includes('pattern='))).toBe(true);
    expect(logs(x.evidence).length).toBeGreaterThan(runtime);
    expect(x.notes).toEqual([]);
    expect(server.requests.filter((q) => q === `GET /api/v1/nodes/${NODE}`)).toHaveLength(1);
  });

  it('reads the runtime log again at the end while the kubelet reported steps the log does not have yet', async () => {
    const server = await apiserver();
    let lagging = 2;
    const x = await reading(server, {}, { runtimeLagging: () => lagging-- > 0 });
    x.r.nodeKnown(NODE, POD);
    await x.settle();
    await x.r.finalReads();
    // The initial read, the end's read, then two more while lagging (the third check says caught up).
    expect(server.requests.filter((q) => q.includes('/proxy/logs/?query=containerd'))).toHaveLength(4);
    expect(lagging).toBe(-1);
  });

  it("keeps only this pod's kubelet lines from the namespace-wide read", async () => {
    const ns = POD.metadata?.namespace ?? '';
    const other = `${KUBELET_LOG.trimEnd()}\nNov 23 09:59:09.200000 vm kubelet[30000]: I1123 09:59:09.200000   30000 kubelet.go:2520] "SyncLoop ADD" source="api" pods=["${ns}/${POD.metadata?.name}-other"]\n`;
    const x = await readThrough(await apiserver({ kubelet: other }));
    const pods = new Set(
      x.evidence.flatMap((e) => (e.type === 'log' && e.record.type === 'kubelet' ? [e.record.pod] : [])),
    );
    expect([...pods]).toEqual([`${ns}/${POD.metadata?.name}`]);
    expect(x.evidence.flatMap((e) => (e.type === 'note' ? [e.note] : []))).toEqual([]);
  });

  it('a second kubelet process among the lines about the pod is a restart: one disturbance note', async () => {
    const x = await readThrough(await apiserver({ kubelet: RESTARTED }));
    const notes = x.evidence.flatMap((e) => (e.type === 'note' ? [e.note] : []));
    expect(notes.map((n) => n.kind)).toEqual(['disturbance']);
    expect(notes[0]?.message).toMatch(/^The kubelet on node pod-birth-node restarted during this pod's birth/);
    expect(x.states).toContain(notes[0]?.message);
  });

  it('no get on nodes/proxy: a degraded note naming the rule, no log read', async () => {
    const server = await apiserver({ allowed: false });
    const x = await readThrough(server);
    expect(x.notes.map((n) => n.message)).toEqual([expect.stringMatching(/not readable \(no get on nodes\/proxy\)/)]);
    expect(x.notes[0]?.remedy).toMatch(/resources \["nodes\/proxy"\]/);
    expect(server.requests.some((q) => q.includes('/proxy/logs/'))).toBe(false);
  });

  it('a Windows node: a note, nothing more read; nodeLogs off: only the node object', async () => {
    const windows = await apiserver({ os: 'windows' });
    const x = await reading(windows);
    x.r.nodeKnown(NODE, POD);
    await x.settle();
    expect(x.notes.map((n) => n.message)).toEqual([
      expect.stringMatching(/runs windows: runtime log parsing is Linux-only/),
    ]);
    expect(windows.requests).toEqual([`GET /api/v1/nodes/${NODE}`]);
    const off = await apiserver();
    await readThrough(off, { nodeLogs: false });
    expect(off.requests).toEqual([`GET /api/v1/nodes/${NODE}`]);
  });

  it('credentials refused on a log read end the trace', async () => {
    const server = await apiserver({ logs: status(401, 'Unauthorized') });
    const x = await reading(server);
    x.r.nodeKnown(NODE, POD);
    await x.settle();
    expect(x.fatal.map((e) => e.kind)).toEqual(['unauthorized']);
    x.r.stopPolling();
  });

  it('node capacity: read once, only when the scheduler found cpu or memory short', async () => {
    const pending = recordedTrace('unschedulable-memory');
    expect(shortResources(pending)).toEqual(['memory']);
    expect(shortResources(recordedTrace('image-present'))).toEqual([]);
    const server = await apiserver();
    const x = await reading(server);
    x.r.readCapacityIfShort(recordedTrace('image-present'));
    x.r.readCapacityIfShort(pending);
    x.r.readCapacityIfShort(pending);
    await x.settle();
    expect(server.requests.filter((q) => q === 'GET /api/v1/nodes')).toHaveLength(1);
    expect(x.notes.map((n) => n.message)).toEqual([expect.stringMatching(/^Node capacity is not readable/)]);
    const off = await apiserver();
    const y = await reading(off, { capacity: false });
    y.r.readCapacityIfShort(pending);
    await y.settle();
    expect(off.requests).toEqual([]);
  });
});
