// Realistic evidence in the exact shapes the cluster sends (containerd 1.6 lines as logged by the
// local real cluster; events as kubelet 1.34 and the scheduler emit them), for engine tests.
import type { Pod } from '../../../src/core/k8s-types.js';
import { parseLogText } from '../../../src/core/logs/index.js';
import { instantFromMs } from '../../../src/core/time.js';
import type { Evidence } from '../../../src/core/trace/index.js';

const uid = 'f8d64a7d-fd7a-411d-86d8-788d41ce22e7';
const sb = 'd720c2444ec0b367059caed853d292cfe5c12407fe5bc447206716123ca1274e';
const cid = '71feef3050b3fd294160844042be3876dc931c97314c12617f7fa1c1d1084cad';

export const basePod: Pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name: 'hello-birth',
    namespace: 'pb-try',
    uid,
    resourceVersion: '780',
    creationTimestamp: '2026-11-23T09:38:09Z',
  },
  spec: { containers: [{ name: 'hello', image: 'busybox:1.36', imagePullPolicy: 'Always' }] },
  status: { phase: 'Pending' },
};

export function podAt(rv: string, patch: Partial<NonNullable<Pod['status']>>, nodeName?: string): Pod {
  return {
    ...basePod,
    metadata: { ...basePod.metadata, resourceVersion: rv },
    spec: { ...basePod.spec, ...(nodeName ? { nodeName } : {}) },
    status: { ...basePod.status, ...patch },
  };
}

const cond = (type: string, t: string) => ({ type, status: 'True', lastTransitionTime: t });

export const podSnapshots: { pod: Pod; at: number }[] = [
  { pod: podAt('780', {}), at: Date.parse('2026-11-23T09:38:09.012Z') },
  {
    pod: podAt('782', { conditions: [cond('PodScheduled', '2026-11-23T09:38:09Z')] }, 'pod-birth-node'),
    at: Date.parse('2026-11-23T09:38:09.401Z'),
  },
  {
    pod: podAt(
      '790',
      {
        phase: 'Pending',
        startTime: '2026-11-23T09:38:09Z',
        conditions: [cond('PodScheduled', '2026-11-23T09:38:09Z'), cond('Initialized', '2026-11-23T09:38:09Z')],
        containerStatuses: [
          {
            name: 'hello',
            image: 'busybox:1.36',
            ready: false,
            restartCount: 0,
            state: { waiting: { reason: 'ContainerCreating' } },
          },
        ],
      },
      'pod-birth-node',
    ),
    at: Date.parse('2026-11-23T09:38:09.420Z'),
  },
  {
    pod: podAt(
      '807',
      {
        phase: 'Running',
        startTime: '2026-11-23T09:38:09Z',
        conditions: [
          cond('PodReadyToStartContainers', '2026-11-23T09:38:10Z'),
          cond('PodScheduled', '2026-11-23T09:38:09Z'),
          cond('Initialized', '2026-11-23T09:38:09Z'),
          cond('ContainersReady', '2026-11-23T09:38:10Z'),
          cond('Ready', '2026-11-23T09:38:10Z'),
        ],
        containerStatuses: [
          {
            name: 'hello',
            image: 'docker.io/library/busybox:1.36',
            containerID: `containerd://${cid}`,
            ready: true,
            started: true,
            restartCount: 0,
            state: { running: { startedAt: '2026-11-23T09:38:09Z' } },
          },
        ],
      },
      'pod-birth-node',
    ),
    at: Date.parse('2026-11-23T09:38:10.031Z'),
  },
];

const ev = (name: string, reason: string, message: string, t: string, fieldPath?: string) => ({
  apiVersion: 'v1',
  kind: 'Event',
  metadata: { name: `hello-birth.${name}`, namespace: 'pb-try', uid: `ev-${name}`, resourceVersion: '1' },
  involvedObject: {
    kind: 'Pod',
    namespace: 'pb-try',
    name: 'hello-birth',
    uid,
    apiVersion: 'v1',
    ...(fieldPath ? { fieldPath } : {}),
  },
  reason,
  message,
  source: { component: 'kubelet', host: 'pod-birth-node' },
  firstTimestamp: t,
  lastTimestamp: t,
  count: 1,
  type: 'Normal',
  eventTime: null,
});

export const events: unknown[] = [
  {
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    metadata: { name: 'hello-birth.sched', namespace: 'pb-try', uid: 'ev-sched' },
    eventTime: '2026-11-23T09:38:09.395123Z',
    reportingController: 'default-scheduler',
    reportingInstance: 'default-scheduler-vm',
    action: 'Binding',
    reason: 'Scheduled',
    regarding: { kind: 'Pod', namespace: 'pb-try', name: 'hello-birth', uid, apiVersion: 'v1' },
    note: 'Successfully assigned pb-try/hello-birth to pod-birth-node',
    type: 'Normal',
  },
  ev('pulling', 'Pulling', 'Pulling image "busybox:1.36"', '2026-11-23T09:38:09Z', 'spec.containers{hello}'),
  ev(
    'pulled',
    'Pulled',
    'Successfully pulled image "busybox:1.36" in 14ms (14ms including waiting). Image size: 1089045 bytes.',
    '2026-11-23T09:38:09Z',
    'spec.containers{hello}',
  ),
  ev('created', 'Created', 'Created container: hello', '2026-11-23T09:38:09Z', 'spec.containers{hello}'),
  ev('started', 'Started', 'Started container hello', '2026-11-23T09:38:09Z', 'spec.containers{hello}'),
];

const j = (t: string, pid: number) => `Nov 23 ${t.slice(11, 26)} vm containerd[${pid}]: `;
const line = (t: string, level: string, msg: string, extra = '') =>
  `${j(t, 21847)}time="${t}" level=${level} msg="${msg}"${extra}`;

export const containerdLog = [
  line(
    '2026-11-23T09:38:09.709120334Z',
    'info',
    'RunPodSandbox for &PodSandboxMetadata{Name:hello-birth,Uid:' + uid + ',Namespace:pb-try,Attempt:0,}',
  ),
  line(
    '2026-11-23T09:38:09.812485001Z',
    'info',
    `RunPodSandbox for &PodSandboxMetadata{Name:hello-birth,Uid:${uid},Namespace:pb-try,Attempt:0,} returns sandbox id \\"${sb}\\"`,
  ),
  line('2026-11-23T09:38:09.814220093Z', 'info', 'PullImage \\"busybox:1.36\\"'),
  line(
    '2026-11-23T09:38:09.827512882Z',
    'info',
    'PullImage \\"busybox:1.36\\" returns image reference \\"sha256:e64e8b12c5b3a0b4b1d1b9c0aa0b63a5d0ad4d2e7b6b5a0d3d0aaf2c1c0b9e1d\\"',
  ),
  line(
    '2026-11-23T09:38:09.833220475Z',
    'info',
    `CreateContainer within sandbox \\"${sb}\\" for container &ContainerMetadata{Name:hello,Attempt:0,}`,
  ),
  line(
    '2026-11-23T09:38:09.840628531Z',
    'info',
    `CreateContainer within sandbox \\"${sb}\\" for &ContainerMetadata{Name:hello,Attempt:0,} returns container id \\"${cid}\\"`,
  ),
  line('2026-11-23T09:38:09.842011546Z', 'info', `StartContainer for \\"${cid}\\"`),
  line('2026-11-23T09:38:09.901989646Z', 'info', `StartContainer for \\"${cid}\\" returns successfully`),
  // Another pod's lines, interleaved: must never show up in this trace.
  line(
    '2026-11-23T09:38:09.850000000Z',
    'info',
    'RunPodSandbox for &PodSandboxMetadata{Name:other,Uid:0000-1111,Namespace:pb-try,Attempt:0,}',
  ),
  line(
    '2026-11-23T09:38:09.950000000Z',
    'info',
    'RunPodSandbox for &PodSandboxMetadata{Name:other,Uid:0000-1111,Namespace:pb-try,Attempt:0,} returns sandbox id \\"aaaa0000aaaa0000aaaa0000aaaa0000aaaa0000aaaa0000aaaa0000aaaa0000\\"',
  ),
  line(
    '2026-11-23T09:38:09.960000000Z',
    'info',
    'CreateContainer within sandbox \\"aaaa0000aaaa0000aaaa0000aaaa0000aaaa0000aaaa0000aaaa0000aaaa0000\\" for container &ContainerMetadata{Name:hello,Attempt:0,}',
  ),
].join('\n');

export function allEvidence(): Evidence[] {
  const out: Evidence[] = [];
  for (const s of podSnapshots) out.push({ type: 'pod', object: s.pod, receivedAt: instantFromMs(s.at) });
  for (const e of events) out.push({ type: 'event', object: e, receivedAt: null });
  for (const record of parseLogText(containerdLog, { referenceYear: 2026 }).records) out.push({ type: 'log', record });
  out.push({ type: 'node', name: 'pod-birth-node', runtimeVersion: 'containerd://1.6.20' });
  return out;
}
