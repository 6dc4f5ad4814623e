// Records real pod-birth runs from the local cluster as fixtures for the core's unit tests:
//   test/fixtures/recorded/<scenario>/
//     manifest.json      objects applied
//     pod-watch.json     [{receivedAt, type, object}] raw watch events of the namespace's pods
//     pod.json           final Pod (pods.json: all final pods, for multi-pod scenarios)
//     events.json        `kubectl get events -o json` (core/v1 EventList)
//     events-v1.json     `kubectl get events.v1.events.k8s.io -o json`
//     events-watch.json  [{receivedAt, type, object}] raw watch of core/v1 events
//     containerd.log     node proxy `logs/?query=containerd&sinceTime=…&untilTime=…` (journald format);
//                        crio.log on CRI-O (query=crio). On a stock node (Node Log Query off) the
//                        same window read from the node's journal (`journalctl -o short-precise
//                        --utc`, the format the query answers), meta.json `logsFrom` says which
//     kubelet.log        node proxy `logs/?query=kubelet&sinceTime=…&untilTime=…` (or the journal)
//     ground-truth.json  per pod: runtimeLogLinesFor() (sandbox/container ids + lines), read on the node
//     node.json          node name, addresses and status.nodeInfo
//     meta.json          scenario, time window, versions
//   (deployment scenario also: deployment-watch.json, replicaset-watch.json, deployment.json, replicaset.json)
//   (scenarios with `workloads`: <kind>-watch.json and <kind>.json, e.g. job-watch.json + job.json)
//   pods.json instead of pod.json whenever the watch saw more than one pod (uid): every pod seen, in
//   the order first seen, each as the apiserver has it at the end or, if deleted meanwhile, as its
//   last watch event (DELETED) showed it. ground-truth.json is keyed by pod name, or name@uid when a
//   name was used by more than one pod. meta.json `notes` ends with what the cluster did, generated
//   from the final pods, the events and the ground truth (`observed: …`: phases, reasons, exit codes,
//   event reasons and messages, each pod's containerd line kinds, containerd's error/warning lines).
//
// Skipped unless RECORD_FIXTURES=1:  RECORD_FIXTURES=1 npx vitest run --project cluster test/cluster/record-fixtures.test.ts
// Optionally RECORD_ONLY=fresh-pull,crash-loop to record some scenarios only, RECORD_FIXTURES_DIR=<dir>
// to write elsewhere (npm run test:matrix: test/fixtures/recorded/<combination>/).
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  apply,
  clusterEnv,
  combinationName,
  combinationOf,
  deleteNamespace,
  getRaw,
  indexRuntimePods,
  kubectl,
  kubectlJson,
  kubectlResult,
  listResourceVersion,
  nodeLogQueryPath,
  pushFreshTag,
  randomSuffix,
  rawWatch,
  readRuntimeLog,
  rfc3339,
  runtimeLogLinesFor,
  runtimeService,
  waitFor,
  waitForPod,
  runtimeMsg,
  type ContainerStateLite,
  type CoreEventLite,
  type PodLite,
  type RawWatch,
  type RuntimeLogExcerpt,
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
  /** The scenario's workload watches, by kind (see Scenario.workloads). */
  watches: Record<string, RawWatch<Obj>>;
  /** Apply more objects mid-recording (they join manifest.json). */
  apply: (objects: Obj[]) => Promise<void>;
  /** Scenario state between act, done and notes. */
  state: Record<string, string>;
}
/** A workload kind to watch and store: <kind>-watch.json, <kind>.json (final objects). */
interface Workload {
  kind: string;
  /** e.g. (ns) => `/apis/batch/v1/namespaces/${ns}/jobs` */
  apiPath: (ns: string) => string;
  /** kubectl resource name, e.g. `jobs` */
  resource: string;
}
interface Scenario {
  name: string;
  description: string;
  /** Called before recording starts (e.g. to push a fresh tag or pre-pull an image). */
  prepare?: () => Promise<string>;
  objects: (ctx: Ctx) => Obj[] | Promise<Obj[]>;
  /** Runs after the objects are applied, before waiting for done (e.g. delete and recreate). */
  act?: (ctx: Ctx) => Promise<void>;
  workloads?: Workload[];
  /** Scenario-specific lines for meta.json notes. */
  notes?: (ctx: Ctx) => string[];
  /** Runs at the end, also on failure (e.g. delete cluster-scoped objects). */
  cleanup?: () => Promise<void>;
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

/** Pod fields the failure scenarios read beyond PodLite. */
type PodX = PodLite & { status: { reason?: string; message?: string; nominatedNodeName?: string } };
const containerStatus = (p: PodLite, name: string) =>
  [...(p.status.initContainerStatuses ?? []), ...(p.status.containerStatuses ?? [])].find((c) => c.name === name);
const waitingReason = (p: PodLite, name: string) => containerStatus(p, name)?.state?.waiting?.reason;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** A container that exits 0 at once on SIGTERM (a well-behaved app), else sleeps. */
const TRAP_SLEEP = ['sh', '-c', 'trap "echo terminating; exit 0" TERM; sleep 3600 & wait'];

/** The last state of each object of a workload watch (deleted ones dropped). */
function lastObjects(w: RawWatch<Obj> | undefined): Obj[] {
  const m = new Map<string, Obj>();
  for (const e of w?.events ?? []) {
    const uid = String((e.object.metadata as Obj | undefined)?.uid ?? '');
    if (e.type === 'DELETED') m.delete(uid);
    else if (e.type === 'ADDED' || e.type === 'MODIFIED') m.set(uid, e.object);
  }
  return [...m.values()];
}
function conditionsOf(o: Obj): { type: string; status: string; reason?: string }[] {
  return ((o.status as Obj | undefined)?.conditions ?? []) as { type: string; status: string; reason?: string }[];
}

async function prePulled(): Promise<string> {
  await prePull('busybox:1.36');
  return 'busybox:1.36';
}

function priorityClass(name: string, value: number): Obj {
  return {
    apiVersion: 'scheduling.k8s.io/v1',
    kind: 'PriorityClass',
    metadata: { name },
    value,
    globalDefault: false,
    description: 'pod-birth fixture recording (preempted scenario); deleted afterwards',
  };
}

/** 60 % of the node's allocatable cpu, in millicores: one such pod fits, two do not. */
async function preemptionCpu(): Promise<string> {
  const node = await kubectlJson<{ status: { allocatable: { cpu: string } } }>(['get', 'node', clusterEnv().nodeName]);
  const raw = node.status.allocatable.cpu;
  const milli = raw.endsWith('m') ? Number(raw.slice(0, -1)) : Number(raw) * 1000;
  return `${Math.floor(milli * 0.6)}m`;
}

function twicePod(ns: string, image: string): Obj {
  return podSpec(ns, 'twice', { containers: [{ name: 'main', image, command: ['sleep', '3600'] }] });
}

/** The container cannot be started: runc fails in StartContainer (StartError, exit 128). */
function startErrorScenarios(): Scenario[] {
  const cases: [string, string, Obj][] = [
    ['start-error-command', 'command /bin/does-not-exist', { command: ['/bin/does-not-exist'] }],
    ['start-error-permission', 'command /etc/passwd (exists, not executable)', { command: ['/etc/passwd'] }],
    [
      'start-error-workdir',
      'workingDir /etc/passwd/x (a path under a file)',
      { command: ['sleep', '3600'], workingDir: '/etc/passwd/x' },
    ],
  ];
  return cases.map(([name, what, container]) => ({
    name,
    description: `${what}, restartPolicy Never: the runtime cannot start the container`,
    prepare: prePulled,
    objects: ({ ns, image }) => [
      podSpec(ns, name.replace(/^start-error-/, 'bad-'), {
        restartPolicy: 'Never',
        containers: [{ name: 'main', image, ...container }],
      }),
    ],
    // containerd fails these in StartContainer (terminated, StartError); CRI-O already in
    // CreateContainer (waiting CreateContainerError: it checks the executable and working dir first).
    done: (ctx) =>
      lastPods(ctx).some(
        (p) =>
          !!containerStatus(p, 'main')?.state?.terminated ||
          ['CreateContainerError', 'RunContainerError'].includes(waitingReason(p, 'main') ?? ''),
      ),
    settleMs: 2000,
    timeoutMs: 60_000,
  }));
}

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
  // ------------------------------------------------------------------------------------------
  // Failure truth: how the cluster really reports failures, containerd's lines included.
  ...startErrorScenarios(),
  {
    name: 'deadline-exceeded',
    description:
      'activeDeadlineSeconds: 3 on a pod that sleeps: the kubelet kills it, phase Failed, reason DeadlineExceeded',
    prepare: prePulled,
    objects: ({ ns, image }) => [
      podSpec(ns, 'deadline', {
        activeDeadlineSeconds: 3,
        containers: [{ name: 'main', image, command: ['sleep', '3600'] }],
      }),
    ],
    done: (ctx) => lastPods(ctx).some((p) => p.status.phase === 'Failed'),
    settleMs: 3000,
    timeoutMs: 60_000,
  },
  {
    name: 'job-backoff-limit',
    description: 'a Job whose pod exits 1, backoffLimit 1: two failed pods, Job condition Failed/BackoffLimitExceeded',
    prepare: prePulled,
    workloads: [{ kind: 'job', resource: 'jobs', apiPath: (ns) => `/apis/batch/v1/namespaces/${ns}/jobs` }],
    objects: ({ ns, image }) => [
      {
        apiVersion: 'batch/v1',
        kind: 'Job',
        metadata: { name: 'fails', namespace: ns },
        spec: {
          backoffLimit: 1,
          template: {
            metadata: { labels: { app: 'fails' } },
            spec: {
              terminationGracePeriodSeconds: 0,
              restartPolicy: 'Never',
              containers: [{ name: 'main', image, command: ['sh', '-c', 'echo failing >&2; exit 1'] }],
            },
          },
        },
      },
    ],
    done: (ctx) =>
      lastObjects(ctx.watches.job).some((j) => conditionsOf(j).some((c) => c.type === 'Failed' && c.status === 'True')),
    settleMs: 2000,
    timeoutMs: 120_000,
  },
  {
    name: 'job-complete',
    description:
      'a Job of 2 pods (parallelism 2) whose container exits 0 at once: both Succeeded, most likely without ever being Ready',
    prepare: prePulled,
    workloads: [{ kind: 'job', resource: 'jobs', apiPath: (ns) => `/apis/batch/v1/namespaces/${ns}/jobs` }],
    objects: ({ ns, image }) => [
      {
        apiVersion: 'batch/v1',
        kind: 'Job',
        metadata: { name: 'done', namespace: ns },
        spec: {
          completions: 2,
          parallelism: 2,
          backoffLimit: 0,
          template: {
            metadata: { labels: { app: 'done' } },
            spec: {
              terminationGracePeriodSeconds: 0,
              restartPolicy: 'Never',
              containers: [{ name: 'main', image, command: ['true'] }],
            },
          },
        },
      },
    ],
    done: (ctx) =>
      lastObjects(ctx.watches.job).some((j) =>
        conditionsOf(j).some((c) => c.type === 'Complete' && c.status === 'True'),
      ),
    settleMs: 2000,
    timeoutMs: 120_000,
  },
  {
    name: 'oom-killed',
    description: 'memory limit 16Mi, the shell reads 64 MiB into a variable: OOMKilled, exit 137',
    prepare: prePulled,
    objects: ({ ns, image }) => [
      podSpec(ns, 'oom', {
        restartPolicy: 'Never',
        containers: [
          {
            name: 'main',
            image,
            command: ['sh', '-c', 'x=$(head -c 64m /dev/zero | tr "\\0" a); echo survived; sleep 1'],
            resources: { limits: { memory: '16Mi' } },
          },
        ],
      }),
    ],
    done: (ctx) => lastPods(ctx).some((p) => !!containerStatus(p, 'main')?.state?.terminated),
    settleMs: 2000,
    timeoutMs: 60_000,
  },
  {
    name: 'evicted-ephemeral-storage',
    description:
      'ephemeral-storage limit 1Mi, the container writes 10 MiB to its root filesystem: the kubelet evicts the pod',
    prepare: prePulled,
    objects: ({ ns, image }) => [
      podSpec(ns, 'hog', {
        containers: [
          {
            name: 'main',
            image,
            command: ['sh', '-c', 'dd if=/dev/zero of=/tmp/fill bs=1M count=10; sleep 3600'],
            resources: { limits: { 'ephemeral-storage': '1Mi' } },
          },
        ],
      }),
    ],
    done: (ctx) => lastPods(ctx).some((p) => p.status.phase === 'Failed' && (p as PodX).status.reason === 'Evicted'),
    settleMs: 3000,
    timeoutMs: 150_000,
  },
  {
    name: 'preempted',
    description:
      'a low-priority pod holding most of the node cpu is preempted by a high-priority pod requesting the same',
    prepare: prePulled,
    objects: async ({ ns, image }) => {
      const cpu = await preemptionCpu();
      return [
        priorityClass('pod-birth-fx-low', 1000),
        priorityClass('pod-birth-fx-high', 2000),
        podSpec(ns, 'low', {
          priorityClassName: 'pod-birth-fx-low',
          terminationGracePeriodSeconds: 5,
          containers: [{ name: 'main', image, command: TRAP_SLEEP, resources: { requests: { cpu } } }],
        }),
      ];
    },
    act: async (ctx) => {
      const low = await waitForPod(ctx.ns, 'low', 'Ready', ready);
      ctx.state.lowUid = low.metadata.uid;
      const cpu = (low.spec as { containers: { resources?: { requests?: { cpu?: string } } }[] }).containers[0]
        ?.resources?.requests?.cpu;
      await ctx.apply([
        podSpec(ctx.ns, 'high', {
          priorityClassName: 'pod-birth-fx-high',
          containers: [
            { name: 'main', image: ctx.image, command: ['sleep', '3600'], resources: { requests: { cpu } } },
          ],
        }),
      ]);
    },
    done: (ctx) =>
      lastPods(ctx).some((p) => p.metadata.name === 'high' && ready(p)) &&
      !lastPods(ctx).some((p) => p.metadata.name === 'low'),
    notes: (ctx) => [
      `low pod uid ${ctx.state.lowUid ?? '?'} (priority 1000, terminationGracePeriodSeconds 5, exits 0 on SIGTERM),`,
      'high pod priority 2000; both request the same cpu (60 % of the node allocatable, so only one fits).',
      'PriorityClasses pod-birth-fx-low/-high are cluster-scoped and deleted after the recording.',
    ],
    cleanup: async () => {
      await kubectl(['delete', 'priorityclass', 'pod-birth-fx-low', 'pod-birth-fx-high', '--ignore-not-found']);
    },
    settleMs: 2000,
    timeoutMs: 120_000,
  },
  {
    name: 'scheduling-gated',
    description:
      'a pod with a scheduling gate (SchedulingGated); after ~3 s the gate is removed and the pod becomes Ready',
    prepare: prePulled,
    objects: ({ ns, image }) => [
      podSpec(ns, 'gated', {
        schedulingGates: [{ name: 'example.com/wait' }],
        containers: [{ name: 'main', image, command: ['sleep', '3600'] }],
      }),
    ],
    act: async (ctx) => {
      await waitFor('gated: SchedulingGated', async () =>
        lastPods(ctx).some((p) =>
          p.status.conditions?.some((c) => c.type === 'PodScheduled' && c.reason === 'SchedulingGated'),
        ),
      );
      await sleep(3000);
      ctx.state.ungatedAt = new Date().toISOString();
      await kubectl([
        '-n',
        ctx.ns,
        'patch',
        'pod',
        'gated',
        '--type=json',
        '-p',
        JSON.stringify([{ op: 'replace', path: '/spec/schedulingGates', value: [] }]),
      ]);
    },
    done: (ctx) => lastPods(ctx).some(ready),
    notes: (ctx) => [
      `spec.schedulingGates replaced by [] (JSON patch) at ${ctx.state.ungatedAt ?? '?'} (local clock).`,
    ],
    settleMs: 2000,
    timeoutMs: 60_000,
  },
  {
    name: 'readiness-gate',
    description: 'readinessGates [example.com/never]: the container runs and is ready, the pod never becomes Ready',
    prepare: prePulled,
    objects: ({ ns, image }) => [
      podSpec(ns, 'gate', {
        readinessGates: [{ conditionType: 'example.com/never' }],
        containers: [{ name: 'main', image, command: ['sleep', '3600'] }],
      }),
    ],
    done: (ctx) => lastPods(ctx).some((p) => containerStatus(p, 'main')?.ready === true),
    settleMs: 8000,
    timeoutMs: 60_000,
  },
  {
    name: 'image-never-pull',
    description: 'imagePullPolicy Never with an image that is not on the node: ErrImageNeverPull',
    prepare: async () => `busybox:never-pulled-${randomSuffix(6)}`,
    objects: ({ ns, image }) => [
      podSpec(ns, 'never-pull', {
        containers: [{ name: 'main', image, imagePullPolicy: 'Never', command: ['sleep', '3600'] }],
      }),
    ],
    done: (ctx) => lastPods(ctx).some((p) => waitingReason(p, 'main') === 'ErrImageNeverPull'),
    settleMs: 3000,
    timeoutMs: 60_000,
  },
  {
    name: 'invalid-image-name',
    description: 'image "busybox:1.36:bad" (not a valid reference): InvalidImageName',
    prepare: async () => 'busybox:1.36:bad',
    objects: ({ ns, image }) => [
      podSpec(ns, 'bad-name', { containers: [{ name: 'main', image, command: ['sleep', '3600'] }] }),
    ],
    done: (ctx) => lastPods(ctx).some((p) => waitingReason(p, 'main') === 'InvalidImageName'),
    settleMs: 3000,
    timeoutMs: 60_000,
  },
  {
    name: 'registry-unreachable',
    description: 'an image from a registry nothing listens on (127.0.0.1:5999): ErrImagePull, ImagePullBackOff',
    prepare: async () => '127.0.0.1:5999/nothing:1',
    objects: ({ ns, image }) => [
      podSpec(ns, 'unreachable', { containers: [{ name: 'main', image, command: ['sleep', '3600'] }] }),
    ],
    done: (ctx) => lastPods(ctx).some((p) => waitingReason(p, 'main') === 'ImagePullBackOff'),
    settleMs: 2000,
    timeoutMs: 90_000,
  },
  {
    name: 'native-sidecar',
    description: 'a native sidecar (init container with restartPolicy Always, sleeps) and an app container: Ready',
    prepare: prePulled,
    objects: ({ ns, image }) => [
      podSpec(ns, 'sidecar', {
        initContainers: [
          { name: 'sidecar', image, restartPolicy: 'Always', command: ['sh', '-c', 'echo sidecar; sleep 3600'] },
        ],
        containers: [{ name: 'main', image, command: ['sh', '-c', 'echo main; sleep 3600'] }],
      }),
    ],
    done: (ctx) => lastPods(ctx).some(ready),
    settleMs: 2000,
    timeoutMs: 60_000,
  },
  {
    name: 'native-sidecar-restart',
    description: 'a native sidecar that exits 0 after 2 s is restarted (with back-off) while the app runs',
    prepare: prePulled,
    objects: ({ ns, image }) => [
      podSpec(ns, 'sidecar-restart', {
        initContainers: [
          { name: 'sidecar', image, restartPolicy: 'Always', command: ['sh', '-c', 'echo sidecar; sleep 2'] },
        ],
        containers: [{ name: 'main', image, command: ['sh', '-c', 'echo main; sleep 3600'] }],
      }),
    ],
    done: (ctx) =>
      lastPods(ctx).some(
        (p) => (p.status.initContainerStatuses?.find((c) => c.name === 'sidecar')?.restartCount ?? 0) >= 2,
      ),
    settleMs: 2000,
    timeoutMs: 120_000,
  },
  {
    name: 'init-failed-never',
    description: 'an init container exits 1, pod restartPolicy Never: the app never starts, pod Failed',
    prepare: prePulled,
    objects: ({ ns, image }) => [
      podSpec(ns, 'init-fails', {
        restartPolicy: 'Never',
        initContainers: [{ name: 'init', image, command: ['sh', '-c', 'echo init failing >&2; exit 1'] }],
        containers: [{ name: 'main', image, command: ['sh', '-c', 'echo main; sleep 3600'] }],
      }),
    ],
    done: (ctx) => lastPods(ctx).some((p) => p.status.phase === 'Failed'),
    settleMs: 2000,
    timeoutMs: 60_000,
  },
  {
    name: 'restart-attempts',
    description: 'the app exits 1 after 1 s (restartPolicy Always): attempts 0, 1 and 2, each with its CRI lines',
    prepare: prePulled,
    objects: ({ ns, image }) => [
      podSpec(ns, 'restarts', {
        containers: [{ name: 'main', image, command: ['sh', '-c', 'echo attempt; sleep 1; exit 1'] }],
      }),
    ],
    done: (ctx) => lastPods(ctx).some((p) => (containerStatus(p, 'main')?.restartCount ?? 0) >= 2),
    settleMs: 3000,
    timeoutMs: 120_000,
  },
  {
    name: 'same-name-twice',
    description: 'pod "twice" Ready, deleted (grace 0, --force), created again under the same name (new uid), Ready',
    prepare: prePulled,
    objects: ({ ns, image }) => [twicePod(ns, image)],
    act: async (ctx) => {
      const first = await waitForPod(ctx.ns, 'twice', 'Ready', ready);
      ctx.state.firstUid = first.metadata.uid;
      await kubectl(['-n', ctx.ns, 'delete', 'pod', 'twice', '--grace-period=0', '--force']);
      await waitFor('first "twice" gone', async () =>
        ctx.podWatch.events.some((e) => e.type === 'DELETED' && e.object.metadata.uid === first.metadata.uid),
      );
      ctx.state.deletedAt = new Date().toISOString();
      await ctx.apply([twicePod(ctx.ns, ctx.image)]);
    },
    done: (ctx) => {
      const second = lastPods(ctx).find((p) => p.metadata.name === 'twice' && p.metadata.uid !== ctx.state.firstUid);
      if (second) ctx.state.secondUid = second.metadata.uid;
      return !!second && ready(second);
    },
    notes: (ctx) => [
      `first "twice": uid ${ctx.state.firstUid ?? '?'}; deleted with --grace-period=0 --force, gone from the API at ${ctx.state.deletedAt ?? '?'} (local clock);`,
      `second "twice": uid ${ctx.state.secondUid ?? '?'}, created right after.`,
    ],
    settleMs: 2000,
    timeoutMs: 90_000,
  },
  {
    name: 'statefulset-replaced',
    description:
      'StatefulSet web (1 replica, headless Service): web-0 Ready, deleted, recreated by the controller, Ready',
    prepare: prePulled,
    workloads: [
      { kind: 'statefulset', resource: 'statefulsets', apiPath: (ns) => `/apis/apps/v1/namespaces/${ns}/statefulsets` },
    ],
    objects: ({ ns, image }) => [
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'web', namespace: ns },
        spec: { clusterIP: 'None', selector: { app: 'web' }, ports: [{ name: 'web', port: 80 }] },
      },
      {
        apiVersion: 'apps/v1',
        kind: 'StatefulSet',
        metadata: { name: 'web', namespace: ns },
        spec: {
          serviceName: 'web',
          replicas: 1,
          selector: { matchLabels: { app: 'web' } },
          template: {
            metadata: { labels: { app: 'web' } },
            spec: {
              terminationGracePeriodSeconds: 5,
              containers: [{ name: 'main', image, command: TRAP_SLEEP }],
            },
          },
        },
      },
    ],
    act: async (ctx) => {
      const first = await waitFor('web-0 Ready', async () =>
        lastPods(ctx).find((p) => p.metadata.name === 'web-0' && ready(p)),
      );
      ctx.state.firstUid = first.metadata.uid;
      ctx.state.deletedAt = new Date().toISOString();
      await kubectl(['-n', ctx.ns, 'delete', 'pod', 'web-0', '--wait=false']);
    },
    done: (ctx) => {
      const second = lastPods(ctx).find((p) => p.metadata.name === 'web-0' && p.metadata.uid !== ctx.state.firstUid);
      if (second) ctx.state.secondUid = second.metadata.uid;
      return !!second && ready(second);
    },
    notes: (ctx) => [
      `first web-0: uid ${ctx.state.firstUid ?? '?'}; \`kubectl delete pod web-0\` at ${ctx.state.deletedAt ?? '?'} (local clock;`,
      'terminationGracePeriodSeconds 5, the container exits 0 on SIGTERM);',
      `second web-0: uid ${ctx.state.secondUid ?? '?'}, created by the StatefulSet controller.`,
    ],
    settleMs: 2000,
    timeoutMs: 90_000,
  },
  {
    name: 'readiness-slow',
    description:
      'readiness probe test -f /tmp/ready (period 1 s), the file appears after 3 s: Unhealthy ×~3, then Ready',
    prepare: prePulled,
    objects: ({ ns, image }) => [
      podSpec(ns, 'slow-ready', {
        containers: [
          {
            name: 'main',
            image,
            command: ['sh', '-c', 'sleep 3; touch /tmp/ready; sleep 3600'],
            readinessProbe: { exec: { command: ['test', '-f', '/tmp/ready'] }, periodSeconds: 1, failureThreshold: 30 },
          },
        ],
      }),
    ],
    done: (ctx) => lastPods(ctx).some(ready),
    settleMs: 2000,
    timeoutMs: 60_000,
  },
  {
    name: 'liveness-kill',
    description:
      'liveness probe test -f /tmp/alive (period 1 s, failureThreshold 2) never passes: killed and restarted',
    prepare: prePulled,
    objects: ({ ns, image }) => [
      podSpec(ns, 'liveness', {
        containers: [
          {
            name: 'main',
            image,
            command: ['sleep', '3600'],
            livenessProbe: { exec: { command: ['test', '-f', '/tmp/alive'] }, periodSeconds: 1, failureThreshold: 2 },
          },
        ],
      }),
    ],
    done: (ctx) => lastPods(ctx).some((p) => (containerStatus(p, 'main')?.restartCount ?? 0) >= 1),
    settleMs: 2000,
    timeoutMs: 90_000,
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
  const ns = `pod-birth-fx-${s.name}`;
  try {
    await recordIn(s, ns);
  } catch (e) {
    await deleteNamespace(ns, false).catch(() => undefined);
    throw e;
  } finally {
    await s.cleanup?.();
  }
}

async function recordIn(s: Scenario, ns: string): Promise<void> {
  const env = clusterEnv();
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
  const watches: Record<string, RawWatch<Obj>> = {};
  for (const w of s.workloads ?? []) {
    const rv = await listResourceVersion(['-n', ns, 'get', w.resource]);
    watches[w.kind] = rawWatch<Obj>(w.apiPath(ns), { resourceVersion: rv });
    extraWatches[`${w.kind}-watch.json`] = watches[w.kind]!;
  }
  const objects: Obj[] = [];
  const ctx: Ctx = {
    ns,
    image,
    podWatch,
    watches,
    state: {},
    apply: async (more) => {
      objects.push(...more);
      await apply(more);
    },
  };
  await ctx.apply(await s.objects(ctx));
  await s.act?.(ctx);
  await waitFor(`${s.name}: done`, async () => s.done(ctx), { timeoutMs: s.timeoutMs, intervalMs: 200 });
  await new Promise((r) => setTimeout(r, s.settleMs));
  const ended = new Date();

  const podEvents = await podWatch.stop();
  const evEvents = await eventWatch.stop();
  const dir = join(OUT, s.name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const [file, w] of Object.entries(extraWatches)) write(dir, file, await w.stop());

  const listed = (await kubectlJson<{ items: PodLite[] }>(['-n', ns, 'get', 'pods'])).items;
  // Every pod the watch saw, in the order first seen: as listed now, or (deleted) as last watched.
  const seen = new Map<string, PodLite>();
  for (const e of podEvents) seen.set(e.object.metadata.uid, e.object);
  for (const p of listed) seen.set(p.metadata.uid, p);
  const pods = [...seen.values()];
  const since = new Date(started.getTime() - 1000);
  const until = new Date(ended.getTime() + 1000);
  const window = { sinceTime: rfc3339(since), untilTime: rfc3339(until) };
  write(dir, 'manifest.json', objects.length === 1 ? objects[0] : objects);
  write(dir, 'pod-watch.json', podEvents);
  if (pods.length === 1) write(dir, 'pod.json', pods[0]);
  else write(dir, 'pods.json', pods);
  const coreEvents = await kubectlJson<{ items: CoreEventLite[] }>(['-n', ns, 'get', 'events']);
  write(dir, 'events.json', coreEvents);
  write(dir, 'events-v1.json', await kubectlJson(['-n', ns, 'get', 'events.v1.events.k8s.io']));
  write(dir, 'events-watch.json', evEvents);
  // The node is shared (other sessions may run pods meanwhile, and the previous scenario's
  // teardown can overlap): drop log lines that name another namespace's pod.
  const foreign = await foreignIdentifiers(ns);
  const service = runtimeService(env);
  const open = combinationOf(env).nodeLogs === 'open';
  const nodeLog = (unit: string) =>
    open ? getRaw(nodeLogQueryPath({ query: unit, ...window })) : journalWindow(unit, since, until);
  const containerdLog = dropForeign(await nodeLog(service), ns, foreign);
  const kubeletLog = dropForeign(await nodeLog('kubelet'), ns, foreign);
  write(dir, `${service}.log`, containerdLog.text);
  write(dir, 'kubelet.log', kubeletLog.text);
  if (isDeployment) {
    write(dir, 'deployment.json', await kubectlJson(['-n', ns, 'get', 'deployment', 'web']));
    write(dir, 'replicaset.json', (await kubectlJson<{ items: unknown[] }>(['-n', ns, 'get', 'replicasets'])).items);
  }
  for (const w of s.workloads ?? []) {
    const items = (await kubectlJson<{ items: unknown[] }>(['-n', ns, 'get', w.resource])).items;
    write(dir, `${w.kind}.json`, items.length === 1 ? items[0] : items);
  }
  const groundTruth: Record<string, RuntimeLogExcerpt & { uid: string }> = {};
  const names = pods.map((p) => p.metadata.name);
  for (const p of pods) {
    const gt = await runtimeLogLinesFor({ namespace: ns, name: p.metadata.name, uid: p.metadata.uid }, { since });
    const unique = names.filter((n) => n === p.metadata.name).length === 1;
    groundTruth[unique ? p.metadata.name : `${p.metadata.name}@${p.metadata.uid}`] = { uid: p.metadata.uid, ...gt };
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
  const observed = observedNotes(pods, coreEvents.items, groundTruth);
  write(dir, 'meta.json', {
    scenario: s.name,
    description: s.description,
    namespace: ns,
    image,
    startedAt: started.toISOString(),
    endedAt: ended.toISOString(),
    logWindow: window,
    kubernetesVersion: env.kubernetesVersion,
    combination: combinationName(combinationOf(env)),
    runtimeVersion: env.runtime?.version ?? null,
    logsFrom: open
      ? 'Node Log Query through the node proxy'
      : 'the node journal (stock node: Node Log Query is off, the product cannot read these lines)',
    recordedWith: 'test/cluster/record-fixtures.test.ts',
    droppedForeignLines: { [service]: containerdLog.dropped, kubelet: kubeletLog.dropped },
    notes: [
      'Logs are Node Log Query answers (journald, short-precise, UTC without year) for the window,',
      'minus lines naming pods of other namespaces (droppedForeignLines); lines naming no pod stay.',
      'receivedAt is the local receive time (ms since the epoch) of each raw watch event.',
      ...(s.notes?.(ctx) ?? []),
      ...observed,
    ],
  });
  await deleteNamespace(ns, true);
  // Let the kubelet finish tearing the sandboxes down before the next scenario's window opens.
  await waitFor(
    `${s.name}: sandboxes stopped`,
    async () => {
      const lines = await readRuntimeLog('journal', since);
      const sandboxes = Object.values(groundTruth).flatMap((g) => g.sandboxIds);
      // containerd: `StopPodSandbox for "<id>" returns successfully`; CRI-O: `Stopped pod sandbox: <id>`.
      return sandboxes.every((sb) =>
        lines.some((l) => l.includes(sb) && /StopPodSandbox for .* returns successfully|Stopped pod sandbox/.test(l)),
      );
    },
    { timeoutMs: 60_000, intervalMs: 500 },
  );
  await new Promise((r) => setTimeout(r, 1000));
  expect(podEvents.length).toBeGreaterThan(0);
}

/**
 * What the cluster did, for meta.json notes: each pod's final phase/reason/conditions and container
 * states, the core/v1 event reasons (with the Warning messages), containerd's error-level lines.
 */
function observedNotes(
  pods: PodLite[],
  events: CoreEventLite[],
  truth: Record<string, RuntimeLogExcerpt & { uid: string }>,
): string[] {
  const out: string[] = [];
  const state = (st: ContainerStateLite | undefined): string => {
    if (!st) return 'none';
    if (st.waiting) return `waiting ${st.waiting.reason ?? ''}${st.waiting.message ? ` "${st.waiting.message}"` : ''}`;
    if (st.running) return `running since ${st.running.startedAt ?? '?'}`;
    const t = st.terminated as
      (NonNullable<ContainerStateLite['terminated']> & { message?: string; signal?: number }) | undefined;
    if (t)
      return (
        `terminated ${t.reason ?? ''} exitCode ${t.exitCode ?? '?'}${t.signal ? ` signal ${t.signal}` : ''}` +
        ` startedAt ${t.startedAt ?? 'null'} finishedAt ${t.finishedAt ?? 'null'}${t.message ? ` message "${t.message.trim()}"` : ''}`
      );
    return 'empty';
  };
  for (const p of pods as PodX[]) {
    const deleted = (p.metadata as { deletionTimestamp?: string }).deletionTimestamp;
    out.push(
      `observed: pod ${p.metadata.name} uid ${p.metadata.uid}: phase ${p.status.phase ?? '-'}` +
        (p.status.reason ? `, reason ${p.status.reason}` : '') +
        (p.status.message ? `, message "${p.status.message}"` : '') +
        (p.status.nominatedNodeName ? `, nominatedNodeName ${p.status.nominatedNodeName}` : '') +
        (deleted ? `, deleted (deletionTimestamp ${deleted})` : ''),
    );
    const conds = (p.status.conditions ?? []).map(
      (c) => `${c.type}=${c.status}${c.reason ? `/${c.reason}` : ''}${c.message ? ` "${c.message}"` : ''}`,
    );
    if (conds.length) out.push(`observed:   conditions ${conds.join('; ')}`);
    for (const [kind, list] of [
      ['init container', p.status.initContainerStatuses],
      ['container', p.status.containerStatuses],
    ] as const) {
      for (const c of list ?? []) {
        out.push(
          `observed:   ${kind} ${c.name}: ${state(c.state)}; restartCount ${c.restartCount}; ready ${c.ready}` +
            (c.lastState && Object.keys(c.lastState).length ? `; lastState ${state(c.lastState)}` : ''),
        );
      }
    }
  }
  const byReason = new Map<string, number>();
  const messages = new Set<string>();
  const routine = new Set(['Scheduled', 'Pulling', 'Pulled', 'Created', 'Started', 'SuccessfulCreate']);
  for (const e of events) {
    const who = `${e.involvedObject.kind ?? ''}/${e.involvedObject.name ?? ''}`;
    const key = `${e.reason ?? '?'} (${e.type ?? '?'}, ${who}, ${e.source?.component || e.reportingComponent || '?'})`;
    byReason.set(key, (byReason.get(key) ?? 0) + (e.count ?? 1));
    if (!routine.has(e.reason ?? '') || e.type === 'Warning')
      messages.add(`${e.reason ?? '?'} ${who}: "${e.message ?? ''}"`);
  }
  out.push(`observed: events ${[...byReason].map(([k, n]) => `${k} x${n}`).join('; ')}`);
  for (const m of messages) out.push(`observed: event ${m}`);
  const noIds = (t: string, as = '<id>') => t.replace(/[0-9a-f]{64}/g, as);
  const unescape = (t: string) => t.replace(/\\n/g, ' | ').replace(/\\(.)/g, '$1');
  for (const [key, g] of Object.entries(truth)) {
    const kinds = new Map<string, number>();
    for (const l of g.lines) {
      let msg = unescape(l.match(/ msg="((?:[^"\\]|\\.)*)"/)?.[1] ?? runtimeMsg(l) ?? '');
      for (const sb of g.sandboxIds) msg = msg.split(sb).join('<sandbox>');
      const kind = noIds(msg, '<container>')
        .replace(/&PodSandboxMetadata\{[^}]*\}/, '&PodSandboxMetadata{…}')
        .replace(/ContainerMetadata\{Name:([^,]*),Attempt:(\d+),\}/, 'ContainerMetadata{Name:$1,Attempt:$2}')
        .replace(/ (pid|path|id|namespace)=\S+/g, '')
        .slice(0, 140);
      kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    }
    out.push(
      `observed: runtime lines for ${key} (${g.lines.length}): ${[...kinds].map(([k, n]) => (n > 1 ? `${k} x${n}` : k)).join(' · ')}`,
    );
  }
  const errors = new Set<string>();
  for (const g of Object.values(truth))
    for (const l of g.lines)
      if (/level=(error|warning)/.test(l)) {
        const msg = l.match(/ msg="((?:[^"\\]|\\.)*)"/)?.[1] ?? l;
        const err = l.match(/ error="((?:[^"\\]|\\.)*)"/)?.[1];
        const level = l.match(/level=(\w+)/)?.[1] ?? '?';
        errors.add(`${level}: ${noIds(unescape(msg))}${err ? ` error="${noIds(unescape(err))}"` : ''}`);
      }
  for (const e of errors) out.push(`observed: runtime ${e}`);
  return out;
}

interface Foreign {
  namespaces: Set<string>;
  ids: Set<string>;
}

/** Pod uids, sandbox and container ids of every pod outside `ns` known to the runtime. */
async function foreignIdentifiers(ns: string): Promise<Foreign> {
  const index = indexRuntimePods(await readRuntimeLog('journal'));
  const f: Foreign = { namespaces: new Set(), ids: new Set() };
  for (const e of index.values()) {
    if (e.namespace === ns) continue;
    f.namespaces.add(e.namespace);
    f.ids.add(e.uid);
    for (const id of [...e.sandboxIds, ...e.containerIds]) f.ids.add(id);
  }
  return f;
}

/** A Node Log Query's answer for `unit` over the window, read from the node's journal instead. */
async function journalWindow(unit: string, since: Date, until: Date): Promise<string> {
  const at = (d: Date) => `${d.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
  const { execFile } = await import('node:child_process');
  return new Promise((res, rej) =>
    execFile(
      'journalctl',
      [
        '--no-pager',
        '--utc',
        '-o',
        'short-precise',
        '-u',
        `${unit}.service`,
        '--since',
        at(since),
        '--until',
        at(until),
      ],
      { maxBuffer: 256 * 1024 * 1024, encoding: 'utf8' },
      (err, stdout) => (err ? rej(err) : res(stdout)),
    ),
  );
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
    for (const m of l.matchAll(/namespace:"([a-z0-9-]+)"/g)) refs.push(m[1] ?? '');
    // CRI-O names pods by description: `Creating container: ns/pod/c`, description=ns/pod/c.
    for (const m of l.matchAll(
      /(?:sandbox: |container: |container [0-9a-f]+: |description="?)([a-z0-9-]+)\/[^/\s"]+\//g,
    ))
      refs.push(m[1] ?? '');
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
