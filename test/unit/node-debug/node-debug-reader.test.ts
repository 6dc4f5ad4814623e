// The node debug source against a stand-in apiserver that answers as the stock test cluster did
// (recorded in test/fixtures/node-access/stock-1.34/: the log query's HTML listing, /configz, and the
// debug pod's own log, i.e. journalctl -o json of containerd and the kubelet on the node): consent,
// the RBAC review, a Pod Security refusal, one pod per node shared by a run, deletion at close, and
// CRI records equal to the runtime's own lines.

import { readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { NodeDebugOptions } from '../../../src/cluster/node-debug.js';
import { NodeLogFeeds } from '../../../src/cluster/node-log-feed.js';
import { parseLogText } from '../../../src/core/logs/index.js';
import type { CriRecord } from '../../../src/core/model.js';
import { nodeDebugPod, readNodeDebugLine } from '../../../src/core/node-debug.js';
import { standInApiserver } from '../../support/stand-in-apiserver.js';

const DIR = join(__dirname, '..', '..', 'fixtures', 'node-access', 'stock-1.34');
const read = (f: string): string => readFileSync(join(DIR, f), 'utf8');
const DEBUG_LOG = read('debug-pod.log');
const TRUTH = read('containerd.log');
const SINCE = new Date(Number(read('since-epoch-ms.txt').trim()));

interface Fake {
  allowed: Record<string, boolean>;
  psa: string | null;
  created: unknown[];
  deleted: string[];
  logRequests: number;
}

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function stockCluster(f: Partial<Fake> = {}) {
  const fake: Fake = { allowed: {}, psa: null, created: [], deleted: [], logRequests: 0, ...f };
  const open: ServerResponse[] = [];
  const server = await standInApiserver((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const p = url.pathname;
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      if (p === '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews') {
        const a = (JSON.parse(body) as { spec: { resourceAttributes: Record<string, string> } }).spec
          .resourceAttributes;
        const key = `${a.verb} ${a.resource}${a.subresource ? `/${a.subresource}` : ''}`;
        return json(res, 201, { status: { allowed: fake.allowed[key] ?? true } });
      }
      if (p === '/api/v1/nodes/pod-birth-node/proxy/logs/') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        return res.end(read('logs-query.html'));
      }
      if (p.startsWith('/api/v1/nodes/pod-birth-node/proxy/logs/')) {
        res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
        return res.end('404 page not found\n');
      }
      if (p === '/api/v1/nodes/pod-birth-node/proxy/configz') {
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end(read('configz.json'));
      }
      if (p === '/api/v1/namespaces/debug/pods' && req.method === 'GET') return json(res, 200, { items: [] });
      if (p === '/api/v1/namespaces/debug/pods' && req.method === 'POST') {
        if (fake.psa)
          return json(res, 403, {
            kind: 'Status',
            status: 'Failure',
            reason: 'Forbidden',
            code: 403,
            message: `pods "pod-birth-node-debug-x" is forbidden: violates PodSecurity "${fake.psa}:latest": hostPath volumes (volume "host-root")`,
          });
        fake.created.push(JSON.parse(body));
        return json(res, 201, { metadata: { name: 'pod-birth-node-debug-abcde', namespace: 'debug' } });
      }
      if (p === '/api/v1/namespaces/debug/pods/pod-birth-node-debug-abcde' && req.method === 'GET')
        return json(res, 200, {
          metadata: { name: 'pod-birth-node-debug-abcde' },
          status: { phase: 'Running', containerStatuses: [{ name: 'reader', state: { running: {} } }] },
        });
      if (p === '/api/v1/namespaces/debug/pods/pod-birth-node-debug-abcde/log') {
        fake.logRequests++;
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write(DEBUG_LOG);
        open.push(res); // follow=true: stays open until the pod is deleted
        return;
      }
      if (p === '/api/v1/namespaces/debug/pods/pod-birth-node-debug-abcde' && req.method === 'DELETE') {
        fake.deleted.push(p);
        for (const r of open.splice(0)) r.end();
        return json(res, 200, {});
      }
      json(res, 404, { kind: 'Status', code: 404, message: `no ${p}` });
    });
  });
  closers.push(() => server.close());
  return { conn: server.conn, fake };
}

function options(confirm = true, asked: string[] = []): NodeDebugOptions {
  return {
    namespace: 'debug',
    image: 'busybox:1.36',
    deadlineSeconds: 120,
    confirm: async (plan) => {
      asked.push(`${plan.node} ${plan.namespace} ${plan.image} ${plan.privileges}`);
      return confirm;
    },
  };
}

const cri = (text: string): CriRecord[] =>
  parseLogText(text, { referenceYear: SINCE.getUTCFullYear() }).records.filter(
    (r): r is CriRecord => r.type === 'cri' && r.time.key >= new Date(SINCE.getTime()).toISOString(),
  );

describe('node debug source (stand-in with the stock cluster recordings)', () => {
  it('asks once naming node, namespace, image and privileges; reads the journal; CRI records equal the runtime log', async () => {
    const { conn, fake } = await stockCluster();
    const asked: string[] = [];
    const feeds = new NodeLogFeeds(conn, options(true, asked));
    const a = feeds.feed('pod-birth-node', 'containerd', 'v1.34.12');
    const b = feeds.feed('pod-birth-node', 'containerd', 'v1.34.12');
    expect(b).toBe(a);
    // Not armed (the traced pod's birth is not over): no pod is made, nothing is read yet.
    const early = await a.read(SINCE, Date.now());
    expect(early.mode).toBe('node-debug');
    expect(early.records).toEqual([]);
    expect(fake.created).toHaveLength(0);
    a.armDebug();
    const batch = await a.read(SINCE, Date.now());
    expect(batch.mode).toBe('node-debug');
    expect(asked).toHaveLength(1);
    expect(asked[0]).toMatch(/^pod-birth-node debug busybox:1\.36 the host filesystem mounted read-only/);
    expect(batch.note?.message).toMatch(/Node Log Query is not usable on node pod-birth-node .*HTML listing/);
    expect(batch.sourceNote?.kind).toBe('info');
    expect(batch.sourceNote?.message).toMatch(
      /CRI steps come from containerd's journal .* debug pod debug\/pod-birth-node-debug-abcde/,
    );
    // Every CRI record of the debug pod's journal is one of the runtime's own lines, at the same time.
    const got = batch.records.filter((r): r is CriRecord => r.type === 'cri');
    const truth = cri(TRUTH);
    expect(got.length).toBeGreaterThanOrEqual(8);
    const truthKeys = new Set(truth.map((r) => `${r.rpc}|${r.phase}|${r.time.key}`));
    for (const r of got)
      expect(truthKeys.has(`${r.rpc}|${r.phase}|${r.time.key}`), `${r.rpc} ${r.time.key}`).toBe(true);
    expect(fake.created).toHaveLength(1);
    await feeds.close();
    expect(fake.deleted).toHaveLength(1);
  });

  it('no create on pods: a degraded note naming the permission; nothing created', async () => {
    const { conn, fake } = await stockCluster({ allowed: { 'create pods': false } });
    const feeds = new NodeLogFeeds(conn, options());
    const feed = feeds.feed('pod-birth-node', 'containerd', 'v1.34.12');
    feed.armDebug();
    const batch = await feed.read(SINCE, Date.now());
    expect(batch.mode).toBe('none');
    expect(batch.sourceNote?.kind).toBe('degraded');
    expect(batch.sourceNote?.message).toMatch(/may not create pods in namespace "debug" \(SelfSubjectAccessReview\)/);
    expect(batch.sourceNote?.remedy).toMatch(/resources \["pods"\], verbs \["create", "get", "delete"\]/);
    expect(fake.created).toHaveLength(0);
    await feeds.close();
  });

  it('Pod Security refuses it: says the level and the namespace label that would allow it', async () => {
    const { conn } = await stockCluster({ psa: 'restricted' });
    const feeds = new NodeLogFeeds(conn, options());
    const feed = feeds.feed('pod-birth-node', 'containerd', 'v1.34.12');
    feed.armDebug();
    const batch = await feed.read(SINCE, Date.now());
    expect(batch.mode).toBe('none');
    expect(batch.sourceNote?.message).toMatch(
      /Pod Security admission refused the debug pod in namespace "debug" \(level restricted\)/,
    );
    expect(batch.sourceNote?.remedy).toContain('pod-security.kubernetes.io/enforce=privileged');
    await feeds.close();
  });

  it('not confirmed: nothing created, the note says so', async () => {
    const { conn, fake } = await stockCluster();
    const feeds = new NodeLogFeeds(conn, options(false));
    const feed = feeds.feed('pod-birth-node', 'containerd', 'v1.34.12');
    feed.armDebug();
    const batch = await feed.read(SINCE, Date.now());
    expect(batch.mode).toBe('none');
    expect(batch.sourceNote?.message).toMatch(/not confirmed/);
    expect(fake.created).toHaveLength(0);
  });
});

describe('the debug pod spec', () => {
  const pod = nodeDebugPod({
    node: 'n1',
    namespace: 'ns',
    image: 'busybox:1.36',
    service: 'containerd',
    sinceEpochSeconds: 1,
    deadlineSeconds: 360,
    owner: 'root@vm',
    process: 'vm:1',
  });
  const c = (pod.spec['containers'] as Record<string, unknown>[])[0] ?? {};
  it('is pinned, bounded and read-only', () => {
    expect(pod.spec).toMatchObject({
      nodeName: 'n1',
      activeDeadlineSeconds: 360,
      automountServiceAccountToken: false,
      hostPID: false,
      hostNetwork: false,
      restartPolicy: 'Never',
    });
    expect(c['securityContext']).toMatchObject({
      privileged: false,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'], add: ['SYS_CHROOT'] },
    });
    expect(c['volumeMounts']).toEqual([expect.objectContaining({ mountPath: '/host', readOnly: true })]);
    expect(c['resources']).toMatchObject({ limits: { cpu: '250m', memory: '128Mi' } });
    expect(pod.metadata.labels).toMatchObject({
      'app.kubernetes.io/managed-by': 'pod-birth',
      'pod-birth.dev/owner': 'root_vm',
    });
  });
});

describe('reading the debug pod log lines', () => {
  it('journal JSON becomes an envelope line with the journal time; the runtime line inside keeps its own', () => {
    const line = DEBUG_LOG.split('\n').find((l) => l.includes('RunPodSandbox')) ?? '';
    const [out] = readNodeDebugLine(line, { kind: 'journal' }, 'containerd');
    expect(out?.type).toBe('log');
    if (out?.type === 'log') {
      expect(out.unit).toBe('runtime');
      expect(out.line).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z \S+ containerd\[\d+\]: time="/);
    }
  });
  it('the first line is the mode; other text is kept apart', () => {
    expect(readNodeDebugLine('#pod-birth mode journal', null, 'containerd')).toEqual([
      { type: 'mode', mode: { kind: 'journal' } },
    ]);
    expect(readNodeDebugLine('#pod-birth mode file /var/log/crio.log', null, 'crio')).toEqual([
      { type: 'mode', mode: { kind: 'file', path: '/var/log/crio.log' } },
    ]);
    expect(readNodeDebugLine('chroot: cannot run journalctl', { kind: 'journal' }, 'containerd')[0]?.type).toBe(
      'other',
    );
  });
});
