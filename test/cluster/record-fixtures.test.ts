// Records real pod-birth runs from the local cluster as fixtures for the core's unit tests:
//   test/fixtures/recorded/<scenario>/
//     manifest.json      objects applied
//     pod-watch.json     [{receivedAt, type, object}] raw watch events of the namespace's pods
//     pod.json           final Pod (pods.json: all final pods, for multi-pod scenarios)
//     events.json        `kubectl get events -o json` (core/v1 EventList)
//     events-v1.json     `kubectl get events.v1.events.k8s.io -o json`
//     events-watch.json  [{receivedAt, type, object}] raw watch of core/v1 events
//     containerd.log     node proxy `logs/?query=containerd&sinceTime=…&untilTime=…` (journald format)
//     kubelet.log        node proxy `logs/?query=kubelet&sinceTime=…&untilTime=…`
//     ground-truth.json  per pod: runtimeLogLinesFor() (sandbox/container ids + lines), read on the node
//     node.json          node name, addresses and status.nodeInfo
//     meta.json          scenario, time window, versions
//   (deployment scenario also: deployment-watch.json, replicaset-watch.json, deployment.json, replicaset.json)
//
// Skipped unless RECORD_FIXTURES=1:  RECORD_FIXTURES=1 npx vitest run --project cluster test/cluster/record-fixtures.test.ts
// Optionally RECORD_ONLY=fresh-pull,crash-loop to record some scenarios only.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  apply,
  clusterEnv,
  deleteNamespace,
  getRaw,
  indexContainerdPods,
  kubectl,
  kubectlJson,
  kubectlResult,
  listResourceVersion,
  nodeLogQueryPath,
  pushFreshTag,
  rawWatch,
  readContainerdLog,
  rfc3339,
  runtimeLogLinesFor,
  waitFor,
  waitForPod,
  type PodLite,
  type RawWatch,
} from './harness.js';

// vitest runs from the repository root
const OUT = resolve(process.env.RECORD_FIXTURES_DIR ?? join(process.cwd(), 'test', 'fixtures', 'recorded'));
const enabled = process.env.RECORD_FIXTURES === '1';
const only = (process.env.RECORD_ONLY ?? '').split(',').filter(Boolean);

type Obj = Record<string, unknown>;
interface Ctx {
  ns: string;
  image: string;
  podWatch: RawWatch<PodLite>;
}
interface Scenario {
  name: string;
  description: string;
  /** Called before recording starts (e.g. to push a fresh tag or pre-pull an image). */
  prepare?: () => Promise<string>;
  objects: (ctx: Ctx) => Obj[];
  /** Resolves when the interesting part happened (checked against the last watched pod states). */
  done: (ctx: Ctx) => boolean;
  /** Keep recording this long after done (trailing events, next back-off attempt). */
  settleMs: number;
  timeoutMs: number;
}

function podSpec(ns: string, name: string, spec: Obj): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns, labels: { app: name } },
    spec: { terminationGracePeriodSeconds: 0, ...spec },
  };
}
function lastPods(ctx: Ctx): PodLite[] {
  const m = new Map<string, PodLite>();
  for (const e of ctx.podWatch.events) {
    if (e.type === 'DELETED') m.delete(e.object.metadata.uid);
    else if (e.type === 'ADDED' || e.type === 'MODIFIED') m.set(e.object.metadata.uid, e.object);
  }
  return [...m.values()];
}
const ready = (p: PodLite) => !!p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');

const scenarios: Scenario[] = [
  {
    name: 'fresh-pull',
    description: 'busybox under a tag never pulled on this node (IfNotPresent): a real first pull, then Running',
    prepare: () => pushFreshTag('1.37'),
    objects: ({ ns, image }) => [
      podSpec(ns, 'fresh-pull', {
        containers: [{ name: 'main', image, command: ['sh', '-c', 'echo hello; sleep 3600'] }],
      }),
    ],
    done: (ctx) => lastPods(ctx).some(ready),
    settleMs: 3000,
    timeoutMs: 90_000,
  },
  {
    name: 'image-present',
    description: 'busybox:1.36 already on the node (IfNotPresent): Pulled "already present", no PullImage',
    prepare: async () => {
      await prePull('busybox:1.36');
      return 'busybox:1.36';
    },
    objects: ({ ns, image }) => [
      podSpec(ns, 'image-present', {
        containers: [{ name: 'main', image, command: ['sh', '-c', 'echo hello; sleep 3600'] }],
      }),
    ],
    done: (ctx) => lastPods(ctx).some(ready),
    settleMs: 3000,
    timeoutMs: 90_000,
  },
  {
    name: 'missing-image',
    description: 'an image tag that does not exist: ErrImagePull, ImagePullBackOff, and the second pull attempt',
    prepare: async () => 'busybox:does-not-exist',
    objects: ({ ns, image }) => [podSpec(ns, 'missing-image', { containers: [{ name: 'main', image }] })],
    done: (ctx) =>
      lastPods(ctx).some((p) => p.status.containerStatuses?.[0]?.state?.waiting?.reason === 'ImagePullBackOff'),
    settleMs: 14_000,
    timeoutMs: 90_000,
  },
  {
    name: 'unschedulable-memory',
    description: 'requests 64Ti of memory: FailedScheduling, PodScheduled=False/Unschedulable, never reaches the node',
    prepare: async () => 'busybox:1.36',
    objects: ({ ns, image }) => [
      podSpec(ns, 'too-big', { containers: [{ name: 'main', image, resources: { requests: { memory: '64Ti' } } }] }),
    ],
    done: (ctx) =>
      lastPods(ctx).some((p) => !!p.status.conditions?.some((c) => c.type === 'PodScheduled' && c.status === 'False')),
    settleMs: 3000,
    timeoutMs: 60_000,
  },
  {
    name: 'init-container',
    description: 'an init container (2 s) before the main container; Always pull policy so both pulls show',
    prepare: async () => {
      await prePull('busybox:1.36');
      return 'busybox:1.36';
    },
    objects: ({ ns, image }) => [
      podSpec(ns, 'with-init', {
        initContainers: [
          { name: 'init', image, imagePullPolicy: 'Always', command: ['sh', '-c', 'echo init; sleep 2'] },
        ],
        containers: [
          { name: 'main', image, imagePullPolicy: 'Always', command: ['sh', '-c', 'echo main; sleep 3600'] },
        ],
      }),
    ],
    done: (ctx) => lastPods(ctx).some(ready),
    settleMs: 3000,
    timeoutMs: 90_000,
  },
  {
    name: 'crash-loop',
    description: 'main container exits 3 after 1 s: BackOff, CrashLoopBackOff, restartCount reaches 2',
    prepare: async () => {
      await prePull('busybox:1.36');
      return 'busybox:1.36';
    },
    objects: ({ ns, image }) => [
      podSpec(ns, 'crash-loop', {
        containers: [
          { name: 'main', image, command: ['sh', '-c', 'echo starting; sleep 1; echo failing >&2; exit 3'] },
        ],
      }),
    ],
    done: (ctx) => lastPods(ctx).some((p) => (p.status.containerStatuses?.[0]?.restartCount ?? 0) >= 2),
    settleMs: 2000,
    timeoutMs: 120_000,
  },
  {
    name: 'deployment-3',
    description: 'a Deployment of 3 replicas (busybox:1.36, IfNotPresent): ScalingReplicaSet, SuccessfulCreate, 3 pods',
    prepare: async () => {
      await prePull('busybox:1.36');
      return 'busybox:1.36';
    },
    objects: ({ ns, image }) => [
      {
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
              containers: [{ name: 'main', image, command: ['sh', '-c', 'echo web; sleep 3600'] }],
            },
          },
        },
      },
    ],
    done: (ctx) => lastPods(ctx).filter(ready).length >= 3,
    settleMs: 3000,
    timeoutMs: 120_000,
  },
];

async function prePull(image: string): Promise<void> {
  const ns = 'pod-birth-fx-prepull';
  await recreateNamespace(ns);
  await apply(
    podSpec(ns, 'prepull', { containers: [{ name: 'main', image, command: ['true'] }], restartPolicy: 'Never' }),
  );
  await waitForPod(ns, 'prepull', 'image pulled', (p) => !!p.status.containerStatuses?.[0]?.imageID);
  await deleteNamespace(ns, true);
}

async function recreateNamespace(ns: string): Promise<void> {
  if ((await kubectlResult(['get', 'namespace', ns], { allowFailure: true })).code === 0)
    await deleteNamespace(ns, true);
  await kubectl(['create', 'namespace', ns]);
  await waitFor(
    `ServiceAccount default in ${ns}`,
    async () =>
      (await kubectlResult(['-n', ns, 'get', 'serviceaccount', 'default'], { allowFailure: true })).code === 0,
  );
}

function write(dir: string, file: string, data: unknown): void {
  writeFileSync(join(dir, file), typeof data === 'string' ? data : `${JSON.stringify(data, null, 2)}\n`);
}

async function record(s: Scenario): Promise<void> {
  const env = clusterEnv();
  const ns = `pod-birth-fx-${s.name}`;
  const image = s.prepare ? await s.prepare() : 'busybox:1.36';
  await recreateNamespace(ns);
  const started = new Date();
  const podRv = await listResourceVersion(['-n', ns, 'get', 'pods']);
  const evRv = await listResourceVersion(['-n', ns, 'get', 'events']);
  const podWatch = rawWatch<PodLite>(`/api/v1/namespaces/${ns}/pods`, { resourceVersion: podRv });
  const eventWatch = rawWatch(`/api/v1/namespaces/${ns}/events`, { resourceVersion: evRv });
  const extraWatches: Record<string, RawWatch> = {};
  const isDeployment = s.name.startsWith('deployment');
  if (isDeployment) {
    const dRv = await listResourceVersion(['-n', ns, 'get', 'deployments']);
    const rsRv = await listResourceVersion(['-n', ns, 'get', 'replicasets']);
    extraWatches['deployment-watch.json'] = rawWatch(`/apis/apps/v1/namespaces/${ns}/deployments`, {
      resourceVersion: dRv,
    });
    extraWatches['replicaset-watch.json'] = rawWatch(`/apis/apps/v1/namespaces/${ns}/replicasets`, {
      resourceVersion: rsRv,
    });
  }
  const ctx: Ctx = { ns, image, podWatch };
  const objects = s.objects(ctx);
  await apply(objects);
  await waitFor(`${s.name}: done`, async () => s.done(ctx), { timeoutMs: s.timeoutMs, intervalMs: 200 });
  await new Promise((r) => setTimeout(r, s.settleMs));
  const ended = new Date();

  const podEvents = await podWatch.stop();
  const evEvents = await eventWatch.stop();
  const dir = join(OUT, s.name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const [file, w] of Object.entries(extraWatches)) write(dir, file, await w.stop());

  const pods = (await kubectlJson<{ items: PodLite[] }>(['-n', ns, 'get', 'pods'])).items;
  const since = new Date(started.getTime() - 1000);
  const until = new Date(ended.getTime() + 1000);
  const window = { sinceTime: rfc3339(since), untilTime: rfc3339(until) };
  write(dir, 'manifest.json', objects.length === 1 ? objects[0] : objects);
  write(dir, 'pod-watch.json', podEvents);
  if (pods.length === 1) write(dir, 'pod.json', pods[0]);
  else write(dir, 'pods.json', pods);
  write(dir, 'events.json', await kubectlJson(['-n', ns, 'get', 'events']));
  write(dir, 'events-v1.json', await kubectlJson(['-n', ns, 'get', 'events.v1.events.k8s.io']));
  write(dir, 'events-watch.json', evEvents);
  // The node is shared (other sessions may run pods meanwhile, and the previous scenario's
  // teardown can overlap): drop log lines that name another namespace's pod.
  const foreign = await foreignIdentifiers(ns);
  const containerdLog = dropForeign(await getRaw(nodeLogQueryPath({ query: 'containerd', ...window })), ns, foreign);
  const kubeletLog = dropForeign(await getRaw(nodeLogQueryPath({ query: 'kubelet', ...window })), ns, foreign);
  write(dir, 'containerd.log', containerdLog.text);
  write(dir, 'kubelet.log', kubeletLog.text);
  if (isDeployment) {
    write(dir, 'deployment.json', await kubectlJson(['-n', ns, 'get', 'deployment', 'web']));
    write(dir, 'replicaset.json', (await kubectlJson<{ items: unknown[] }>(['-n', ns, 'get', 'replicasets'])).items);
  }
  const groundTruth: Record<string, unknown> = {};
  for (const p of pods) {
    const gt = await runtimeLogLinesFor({ namespace: ns, name: p.metadata.name, uid: p.metadata.uid }, { since });
    groundTruth[p.metadata.name] = { uid: p.metadata.uid, ...gt };
  }
  write(dir, 'ground-truth.json', groundTruth);
  const node = await kubectlJson<{ metadata: { name: string }; status: { nodeInfo: unknown; addresses: unknown } }>([
    'get',
    'node',
    env.nodeName,
  ]);
  write(dir, 'node.json', {
    name: node.metadata.name,
    addresses: node.status.addresses,
    nodeInfo: node.status.nodeInfo,
  });
  write(dir, 'meta.json', {
    scenario: s.name,
    description: s.description,
    namespace: ns,
    image,
    startedAt: started.toISOString(),
    endedAt: ended.toISOString(),
    logWindow: window,
    kubernetesVersion: env.kubernetesVersion,
    recordedWith: 'test/cluster/record-fixtures.test.ts',
    droppedForeignLines: { containerd: containerdLog.dropped, kubelet: kubeletLog.dropped },
    notes: [
      'Logs are Node Log Query answers (journald, short-precise, UTC without year) for the window,',
      'minus lines naming pods of other namespaces (droppedForeignLines); lines naming no pod stay.',
      'receivedAt is the local receive time (ms since the epoch) of each raw watch event.',
    ],
  });
  await deleteNamespace(ns, true);
  // Let the kubelet finish tearing the sandboxes down before the next scenario's window opens.
  await waitFor(
    `${s.name}: sandboxes stopped`,
    async () => {
      const lines = await readContainerdLog('journal', since);
      const sandboxes = Object.values(groundTruth).flatMap((g) => (g as { sandboxIds: string[] }).sandboxIds);
      return sandboxes.every((sb) =>
        lines.some((l) => l.includes(`StopPodSandbox for \\"${sb}\\" returns successfully`)),
      );
    },
    { timeoutMs: 60_000, intervalMs: 500 },
  );
  await new Promise((r) => setTimeout(r, 1000));
  expect(podEvents.length).toBeGreaterThan(0);
}

interface Foreign {
  namespaces: Set<string>;
  ids: Set<string>;
}

/** Pod uids, sandbox and container ids of every pod outside `ns` known to containerd. */
async function foreignIdentifiers(ns: string): Promise<Foreign> {
  const index = indexContainerdPods(await readContainerdLog('journal'));
  const f: Foreign = { namespaces: new Set(), ids: new Set() };
  for (const e of index.values()) {
    if (e.namespace === ns) continue;
    f.namespaces.add(e.namespace);
    f.ids.add(e.uid);
    for (const id of [...e.sandboxIds, ...e.containerIds]) f.ids.add(id);
  }
  return f;
}

function dropForeign(text: string, ns: string, f: Foreign): { text: string; dropped: number } {
  const lines = text.split('\n');
  const kept = lines.filter((l) => {
    for (const id of f.ids) if (l.includes(id)) return false;
    // Namespaces a line names: kubelet pod="ns/name" and pods=["ns/name", …]; containerd Namespace:ns,
    const refs: string[] = [];
    for (const m of l.matchAll(/pod="([a-z0-9-]+)\//g)) refs.push(m[1] ?? '');
    for (const list of l.matchAll(/pods=\[([^\]]*)\]/g))
      for (const m of (list[1] ?? '').matchAll(/"([a-z0-9-]+)\//g)) refs.push(m[1] ?? '');
    for (const m of l.matchAll(/Namespace:([a-z0-9-]+),/g)) refs.push(m[1] ?? '');
    return refs.length === 0 || refs.includes(ns);
  });
  return { text: kept.join('\n'), dropped: lines.length - kept.length };
}

describe.runIf(enabled)('record fixtures', () => {
  for (const s of scenarios) {
    it.runIf(only.length === 0 || only.includes(s.name))(
      s.name,
      async () => {
        await record(s);
      },
      s.timeoutMs + s.settleMs + 120_000,
    );
  }
});
