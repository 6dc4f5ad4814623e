// A Deployment "web" of namespace "roll" as a stand-in apiserver serves it, for the rollout tests
// of the tracer (rollout.test.ts) and of the worker process (extension/rollout-worker.test.ts): its
// pods (Pending, then Ready), their events, and the routes every rollout reads.

import { fakeApiserver, status, type FakeAnswer, type FakeApiserver, type FakeRequest } from './fake-apiserver.js';

export const NS = 'roll';

export const DEPLOY = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: NS },
  spec: {
    replicas: 40,
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'busybox' }] } },
  },
};

const iso = (ms: number): string => new Date(ms).toISOString();
const sec = (ms: number): string => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000', '');

export function pod(i: number, t0: number, ready: boolean): Record<string, unknown> {
  const name = `web-abc-${i}`;
  return {
    kind: 'Pod',
    metadata: {
      name,
      namespace: NS,
      uid: `uid-${i}`,
      resourceVersion: String(100 + i * 2 + (ready ? 1 : 0)),
      creationTimestamp: sec(t0),
      labels: { app: 'web' },
      ownerReferences: [{ kind: 'ReplicaSet', name: 'web-abc', uid: 'rs-uid' }],
    },
    spec: { nodeName: 'node-a', containers: [{ name: 'app', image: 'busybox' }] },
    status: ready
      ? {
          phase: 'Running',
          conditions: [
            { type: 'PodScheduled', status: 'True', lastTransitionTime: sec(t0) },
            { type: 'Ready', status: 'True', lastTransitionTime: sec(t0 + 2000) },
            { type: 'ContainersReady', status: 'True', lastTransitionTime: sec(t0 + 2000) },
          ],
          containerStatuses: [
            {
              name: 'app',
              image: 'busybox',
              ready: true,
              started: true,
              restartCount: 0,
              state: { running: { startedAt: sec(t0 + 1000) } },
            },
          ],
        }
      : { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'True', lastTransitionTime: sec(t0) }] },
  };
}

export function event(i: number, reason: string, t: number, message: string): Record<string, unknown> {
  return {
    kind: 'Event',
    metadata: { name: `web-abc-${i}.${reason}`, namespace: NS, uid: `ev-${i}-${reason}`, resourceVersion: '5' },
    involvedObject: { kind: 'Pod', name: `web-abc-${i}`, namespace: NS, uid: `uid-${i}` },
    reason,
    message,
    type: 'Normal',
    firstTimestamp: sec(t),
    lastTimestamp: sec(t),
    eventTime: reason === 'Scheduled' ? iso(t).replace('Z', '000Z') : null,
    count: 1,
    source: { component: reason === 'Scheduled' ? 'default-scheduler' : 'kubelet' },
  };
}

/**
 * The apiserver of a Deployment "web" in namespace "roll": its pods and events listed empty and
 * watched, node-a's runtime, and whatever `more` answers first (the workload, its ReplicaSets, apply).
 */
export async function rolloutApiserver(more?: (q: FakeRequest) => FakeAnswer): Promise<FakeApiserver> {
  const list = { status: 200, body: { kind: 'List', metadata: { resourceVersion: '10' }, items: [] } };
  return fakeApiserver((q: FakeRequest) => {
    const answer = more?.(q);
    if (answer !== undefined) return answer;
    const watch = q.query.get('watch') === '1';
    if (q.path === `/api/v1/namespaces/${NS}/pods`) return watch ? 'watch' : list;
    if (q.path === `/api/v1/namespaces/${NS}/events`) return watch ? 'watch' : list;
    if (q.path === `/apis/events.k8s.io/v1/namespaces/${NS}/events`) return watch ? 'watch' : list;
    if (q.path === '/api/v1/nodes/node-a')
      return {
        status: 200,
        body: {
          kind: 'Node',
          status: { nodeInfo: { containerRuntimeVersion: 'containerd://2.1.4', operatingSystem: 'linux' } },
        },
      };
    return status(404);
  });
}
