// startRun (src/cluster/runner.ts) against a routed stand-in apiserver: nothing is created without a
// confirmation, a rejected manifest comes back with its lines, a missing pod is said plainly, a
// workload is attached through its newest pods, and sessions started before a failure are stopped.

import { afterEach, describe, expect, it } from 'vitest';
import { ClusterError, RunError } from '../../../src/cluster/errors.js';
import { startRun, type RunRequest, type RunResult } from '../../../src/cluster/runner.js';
import type { SessionEvent } from '../../../src/cluster/session.js';
import { resolveTargetOn, type TraceTarget } from '../../../src/cluster/target.js';
import { parseManifest } from '../../../src/core/manifest/index.js';
import { HELLO_POD_YAML } from './fakes.js';
import { fakeApiserver, status, type FakeApiserver, type FakeRequest, type FakeAnswer } from './fake-apiserver.js';

const doc = (yaml: string) => parseManifest(yaml).documents[0]!;

const servers: FakeApiserver[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

async function apiserver(route: (q: FakeRequest) => FakeAnswer): Promise<FakeApiserver> {
  const server = await fakeApiserver((q) => route(q) ?? (q.query.get('watch') === '1' ? 'watch' : undefined));
  servers.push(server);
  return server;
}

const emptyList: FakeAnswer = { status: 200, body: { kind: 'List', metadata: { resourceVersion: '1' }, items: [] } };

async function run(
  server: FakeApiserver,
  target: TraceTarget,
  o: { confirm?: RunRequest['confirm']; workloadPods?: number; events?: [string, SessionEvent][] } = {},
): Promise<{ result: RunResult; events: [string, SessionEvent][] }> {
  const events = o.events ?? [];
  const confirm = o.confirm ?? (async () => 'test');
  const result = await startRun({
    target: resolveTargetOn(server.conn, target, o.workloadPods),
    timeoutMs: 5000,
    session: { nodeLogs: false, capacity: false },
    confirm,
    onPod: () => undefined,
    onEvent: (name, e) => events.push([name, e]),
  });
  return { result, events };
}

const writes = (server: FakeApiserver) =>
  server.requests.filter((q) => !q.startsWith('GET ') && !q.includes('dryRun='));

describe('startRun', () => {
  it('apply: a dry-run rejection comes back with the manifest lines; nothing is created', async () => {
    const server = await apiserver((q) =>
      q.method === 'POST'
        ? {
            status: 422,
            body: {
              kind: 'Status',
              code: 422,
              message: 'Pod "hello" is invalid',
              details: { causes: [{ field: 'spec.containers[0].image', reason: 'FieldValueInvalid', message: 'bad' }] },
            },
          }
        : undefined,
    );
    const { result } = await run(server, {
      kind: 'manifest',
      document: doc(HELLO_POD_YAML),
      source: 'p.yaml',
      mode: 'apply',
    });
    expect(result).toEqual({
      status: 'rejected',
      message: 'The cluster rejected the pods: Pod "hello" is invalid.',
      causes: [{ path: 'spec.containers[0].image', line: 8, message: 'bad' }],
    });
    expect(writes(server)).toEqual([]);
  });

  it('apply declined after the dry run named the target: nothing created, no watch opened', async () => {
    const server = await apiserver((q) =>
      q.method === 'POST' ? { status: 201, body: { kind: 'Pod', metadata: { name: 'hello' } } } : undefined,
    );
    const asked: string[] = [];
    const { result } = await run(
      server,
      { kind: 'manifest', document: doc(HELLO_POD_YAML), source: 'p.yaml', mode: 'apply' },
      {
        confirm: async (plan) => {
          asked.push(`${plan.kind}/${plan.name} → ${plan.namespace} @ ${plan.context}`);
          return null;
        },
      },
    );
    expect(result.status).toBe('declined');
    expect(asked).toEqual(['Pod/hello → default @ fake']);
    expect(server.requests).toEqual(['POST /api/v1/namespaces/default/pods?dryRun=All&fieldValidation=Strict']);
  });

  it('apply confirmed but the create fails: the session started for it is stopped, the error thrown', async () => {
    const server = await apiserver((q) =>
      q.method === 'POST'
        ? q.query.get('dryRun')
          ? { status: 201, body: { kind: 'Pod', metadata: { name: 'hello' } } }
          : status(409, 'already exists')
        : q.path.endsWith('/pods') && q.query.get('watch') !== '1'
          ? emptyList
          : undefined,
    );
    const events: [string, SessionEvent][] = [];
    const err = await run(
      server,
      { kind: 'manifest', document: doc(HELLO_POD_YAML), source: 'p.yaml', mode: 'apply' },
      { events },
    ).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ClusterError);
    expect((err as ClusterError).kind).toBe('conflict');
    expect((err as ClusterError).message).toMatch(
      /^Pod "hello" already exists in namespace "default"\. Attach to it instead/,
    );
    expect(events.at(-1)).toMatchObject(['hello', { type: 'finished', outcome: 'stopped' }]);
  });

  it('attach to a pod that does not exist: not-found naming namespace and context; its session is stopped', async () => {
    const server = await apiserver((q) =>
      q.path.endsWith('/pods') && q.query.get('watch') !== '1' ? emptyList : undefined,
    );
    const { result, events } = await run(server, { kind: 'pod', name: 'ghost', namespace: 'team' });
    expect(result).toEqual({
      status: 'not-found',
      message: 'Pod "ghost" does not exist in namespace "team" (context fake).',
    });
    expect(events.at(-1)).toMatchObject(['ghost', { type: 'finished', outcome: 'stopped' }]);
  });

  it('attach to a workload: its newest pods by its selector, as many as asked; without a selector, a RunError', async () => {
    const pods = ['web-a', 'web-c', 'web-b'].map((name, i) => ({
      kind: 'Pod',
      metadata: { name, uid: `u-${name}`, creationTimestamp: `2026-01-01T00:00:0${i === 1 ? 9 : i}Z` },
    }));
    const server = await apiserver((q) =>
      q.path === '/api/v1/namespaces/default/pods' && q.query.get('labelSelector') === 'app=web'
        ? { status: 200, body: { kind: 'List', metadata: { resourceVersion: '1' }, items: pods } }
        : q.path.endsWith('/pods') && q.query.get('watch') !== '1'
          ? emptyList
          : undefined,
    );
    const deployment = doc(
      'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  selector:\n    matchLabels:\n      app: web\n',
    );
    const { result } = await run(
      server,
      { kind: 'manifest', document: deployment, source: 'd.yaml', mode: 'attach' },
      { workloadPods: 2 },
    );
    expect(result.status).toBe('running');
    if (result.status !== 'running') return;
    expect([...result.run.sessions.keys()]).toEqual(['web-c', 'web-b']);
    await result.run.stop();
    expect(await result.run.finished).toBe('stopped');

    const noSelector = doc('apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec: {}\n');
    await expect(
      run(server, { kind: 'manifest', document: noSelector, source: 'd.yaml', mode: 'attach' }),
    ).rejects.toThrow(RunError);
  });
});
