// The shared node-log feed against a stand-in node proxy on loopback (plain HTTP): how many reads the
// traces of one run cause, that a read is shared only when it started late enough and reaches back
// far enough, and that the mode note and errors reach every trace.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Connection } from '../../../src/cluster/kubeconfig.js';
import { NodeLogFeed, NodeLogFeeds } from '../../../src/cluster/node-log-feed.js';
import { RECORDED_ROOT } from '../../support/recorded.js';
import { standInApiserver } from '../../support/stand-in-apiserver.js';

const LOG = readFileSync(join(RECORDED_ROOT, 'deployment-3', 'containerd.log'), 'utf8');
const SINCE = new Date('2026-11-23T10:01:15Z');

interface Proxy {
  readonly conn: Connection;
  /** The sinceTime of every log query, in arrival order. */
  readonly queries: string[];
  readonly paths: string[];
  status: number;
  delayMs: number;
}

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

async function standIn(): Promise<Proxy> {
  const p = { queries: [] as string[], paths: [] as string[], status: 200, delayMs: 50 };
  const server = await standInApiserver((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    p.paths.push(url.pathname);
    if (url.pathname.endsWith('/proxy/logs/')) p.queries.push(url.searchParams.get('sinceTime') ?? '');
    setTimeout(() => {
      if (p.status !== 200) {
        res.writeHead(p.status, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            kind: 'Status',
            apiVersion: 'v1',
            status: 'Failure',
            reason: p.status === 403 ? 'Forbidden' : 'Unauthorized',
            code: p.status,
            message: 'no',
          }),
        );
        return;
      }
      if (url.pathname === '/api/v1/nodes/n1') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            kind: 'Node',
            metadata: { name: 'n1' },
            status: {
              nodeInfo: {
                containerRuntimeVersion: 'containerd://1.6.20',
                kubeletVersion: 'v1.34.12',
                operatingSystem: 'linux',
              },
            },
          }),
        );
        return;
      }
      if (url.pathname.endsWith('/selfsubjectaccessreviews')) {
        res.writeHead(201, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ kind: 'SelfSubjectAccessReview', status: { allowed: true } }));
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(LOG);
    }, p.delayMs);
  });
  closers.push(() => server.close());
  return Object.assign(p, { conn: server.conn });
}

describe('NodeLogFeed', () => {
  it('serves many traces asking at once with one read, and one parse', async () => {
    const proxy = await standIn();
    const feed = new NodeLogFeed(proxy.conn, 'n1', 'containerd');
    const now = Date.now();
    const batches = await Promise.all(
      Array.from({ length: 20 }, (_x, i) => feed.read(new Date(SINCE.getTime() + i * 100), now)),
    );
    expect(proxy.queries).toHaveLength(1);
    expect(new Set(batches.map((b) => b.records)).size).toBe(1);
    expect(batches[0]?.records.some((r) => r.type === 'cri' && r.rpc === 'RunPodSandbox')).toBe(true);
    expect(feed.mode).toBe('log-query');
  });

  it('reads from the earliest moment any trace asked for', async () => {
    const proxy = await standIn();
    const feed = new NodeLogFeed(proxy.conn, 'n1', 'containerd');
    await feed.read(new Date('2026-11-23T10:01:30Z'), Date.now());
    await feed.read(new Date('2026-11-23T10:01:10Z'), Date.now());
    await feed.read(new Date('2026-11-23T10:01:40Z'), Date.now());
    expect(proxy.queries).toEqual(['2026-11-23T10:01:30Z', '2026-11-23T10:01:10Z', '2026-11-23T10:01:10Z']);
  });

  it('reuses a finished read only while it is fresh enough and reaches back far enough', async () => {
    const proxy = await standIn();
    const feed = new NodeLogFeed(proxy.conn, 'n1', 'containerd');
    const t0 = Date.now();
    await feed.read(SINCE, t0);
    await feed.read(SINCE, t0 - 1000); // started after t0 - 1 s: shared
    expect(proxy.queries).toHaveLength(1);
    await feed.read(SINCE, Date.now() + 1); // must start later: a new read
    expect(proxy.queries).toHaveLength(2);
    await feed.read(new Date(SINCE.getTime() - 60_000), 0); // reaches back further: a new read
    expect(proxy.queries).toHaveLength(3);
  });

  it('queues one shared read behind a running one for callers that need a newer read', async () => {
    const proxy = await standIn();
    proxy.delayMs = 150;
    const feed = new NodeLogFeed(proxy.conn, 'n1', 'containerd');
    const first = feed.read(SINCE, Date.now());
    await new Promise((r) => setTimeout(r, 20));
    const later = Date.now();
    const next = await Promise.all([feed.read(SINCE, later), feed.read(SINCE, later), feed.read(SINCE, later)]);
    await first;
    expect(proxy.queries).toHaveLength(2);
    expect(new Set(next.map((b) => b.records)).size).toBe(1);
  });

  it('tells every trace the mode note, also one that joins later', async () => {
    const proxy = await standIn();
    proxy.status = 403;
    const feed = new NodeLogFeed(proxy.conn, 'n1', 'containerd');
    const a = await feed.read(SINCE, Date.now());
    expect(a.mode).toBe('none');
    expect(a.note?.message).toMatch(/not readable \(no get on nodes\/proxy\)/);
    const b = await feed.read(SINCE, Date.now() + 1);
    expect(b.note).toEqual(a.note);
    expect(proxy.queries).toHaveLength(1); // 'none' is final: no further requests
  });

  it('passes a 401 to every waiting trace and never reuses a failed read', async () => {
    const proxy = await standIn();
    proxy.status = 401;
    const feed = new NodeLogFeed(proxy.conn, 'n1', 'containerd');
    const now = Date.now();
    const results = await Promise.allSettled([feed.read(SINCE, now), feed.read(SINCE, now)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(proxy.queries).toHaveLength(1);
    proxy.status = 200;
    const again = await feed.read(SINCE, now);
    expect(again.records.length).toBeGreaterThan(0);
    expect(proxy.queries).toHaveLength(2);
  });
});

describe('NodeLogFeeds', () => {
  it('asks for the node object and the access review once per node, whatever the number of traces', async () => {
    const proxy = await standIn();
    const feeds = new NodeLogFeeds(proxy.conn);
    const facts = await Promise.all(Array.from({ length: 10 }, () => feeds.nodeFacts('n1')));
    const allowed = await Promise.all(Array.from({ length: 10 }, () => feeds.logsAllowed('n1')));
    expect(facts[0]).toMatchObject({ name: 'n1', runtimeVersion: 'containerd://1.6.20', os: 'linux' });
    expect(allowed.every(Boolean)).toBe(true);
    expect(proxy.paths.filter((p) => p === '/api/v1/nodes/n1')).toHaveLength(1);
    expect(proxy.paths.filter((p) => p.endsWith('/selfsubjectaccessreviews'))).toHaveLength(1);
    expect(feeds.feed('n1', 'containerd')).toBe(feeds.feed('n1', 'containerd'));
  });

  it("reads the kubelet's lines once per node and namespace for the pods that end together", async () => {
    const proxy = await standIn();
    const feeds = new NodeLogFeeds(proxy.conn);
    const now = Date.now();
    const reads = await Promise.all(
      Array.from({ length: 30 }, (_x, i) =>
        feeds.kubeletRecords('n1', 'shop', new Date(SINCE.getTime() + i * 1000), now),
      ),
    );
    expect(proxy.queries).toEqual(['2026-11-23T10:01:15Z']);
    expect(new Set(reads).size).toBe(1);
    await feeds.kubeletRecords('n1', 'other', SINCE, now);
    expect(proxy.queries).toHaveLength(2);
  });
});
