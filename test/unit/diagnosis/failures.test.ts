// Failure causes on the kubelet's and the runtimes' real wording, for the variants the recordings
// do not hold (other eviction messages, older preemption events, crun, hooks, args and entrypoints).
// The recorded cases themselves are checked in test/unit/recorded.test.ts.

import { describe, expect, it } from 'vitest';
import { diagnose } from '../../../src/core/diagnosis/index.js';
import type { ContainerSpec, ContainerStatus, Pod } from '../../../src/core/k8s-types.js';
import { normalizeEvent } from '../../../src/core/trace/events.js';

function podWith(spec: Partial<NonNullable<Pod['spec']>>, status: NonNullable<Pod['status']>): Pod {
  return {
    metadata: { name: 'web', namespace: 'shop', uid: 'u-web' },
    spec: { nodeName: 'node-1', containers: [{ name: 'main', image: 'busybox:1.36' }], ...spec },
    status,
  };
}

function oneContainer(c: ContainerSpec, s: ContainerStatus, restartPolicy = 'Always'): Pod {
  return podWith({ containers: [c], restartPolicy }, { phase: 'Running', containerStatuses: [s] });
}

function ev(reason: string, message: string, fieldPath?: string, count = 1) {
  return normalizeEvent({
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { uid: `${reason}-${message.length}`, namespace: 'shop', name: `web.${reason}` },
    involvedObject: { kind: 'Pod', name: 'web', namespace: 'shop', uid: 'u-web', ...(fieldPath ? { fieldPath } : {}) },
    reason,
    message,
    type: 'Warning',
    firstTimestamp: '2026-12-06T18:00:00Z',
    lastTimestamp: '2026-12-06T18:00:05Z',
    count,
  })!;
}

const RUNC =
  'failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: ';

describe('start errors: the field the runtime names', () => {
  const startError = (message: string) => ({
    name: 'main',
    restartCount: 0,
    state: { terminated: { exitCode: 128, reason: 'StartError', message, startedAt: '1970-01-01T00:00:00Z' } },
  });

  it('a name not on the PATH, given in args with no command → args', () => {
    const p = oneContainer(
      { name: 'main', image: 'busybox:1.36', args: ['serve', '--port', '80'] },
      startError(`${RUNC}exec: "serve": executable file not found in $PATH: unknown`),
      'Never',
    );
    expect(diagnose(p, []).map((d) => [d.cause, d.yamlPath])).toEqual([['start-error', 'spec.containers[0].args']]);
  });

  it("the image's own entrypoint missing → image", () => {
    const p = oneContainer(
      { name: 'main', image: 'acme/app:1' },
      startError(`${RUNC}exec: "/entrypoint.sh": stat /entrypoint.sh: no such file or directory: unknown`),
      'Never',
    );
    const [d] = diagnose(p, []);
    expect(d).toMatchObject({ cause: 'start-error', yamlPath: 'spec.containers[0].image' });
    expect(d?.suggestion).toMatch(/ENTRYPOINT/);
  });

  it('exec format error (another architecture) → image', () => {
    const p = oneContainer(
      { name: 'main', image: 'acme/arm-only:1' },
      startError(`${RUNC}exec format error: unknown`),
      'Never',
    );
    expect(diagnose(p, [])[0]).toMatchObject({ cause: 'start-error', yamlPath: 'spec.containers[0].image' });
  });

  it('crun wording, and RunContainerError while the kubelet retries (restartPolicy Always)', () => {
    const p = oneContainer(
      { name: 'main', image: 'busybox:1.36', command: ['does-not-exist'] },
      {
        name: 'main',
        restartCount: 3,
        state: {
          waiting: {
            reason: 'RunContainerError',
            message:
              'failed to start containerd task "main": executable file `does-not-exist` not found in $PATH: No such file or directory: OCI runtime attempted to invoke a command that was not found',
          },
        },
        lastState: { terminated: { exitCode: 128, reason: 'StartError', startedAt: '1970-01-01T00:00:00Z' } },
      },
    );
    const ds = diagnose(p, []);
    expect(ds.map((d) => [d.cause, d.yamlPath])).toEqual([['start-error', 'spec.containers[0].command']]);
    expect(ds[0]?.message).toContain('tried 4 times');
  });

  // CRI-O runs `runc create` inside CreateContainer, where runc looks the executable up: the wording
  // as CRI-O reports it (cri-o/cri-o#9136, opencontainers/runc#4713).
  it('CRI-O: CreateContainerError from runc create → start-error, not a configuration error', () => {
    const p = oneContainer(
      { name: 'main', image: 'busybox:1.36', command: ['/usr/bin/pod'] },
      {
        name: 'main',
        restartCount: 0,
        state: {
          waiting: {
            reason: 'CreateContainerError',
            message:
              'container create failed: runc create failed: unable to start container process: exec: "/usr/bin/pod": stat /usr/bin/pod: no such file or directory',
          },
        },
      },
    );
    expect(diagnose(p, []).map((d) => [d.cause, d.yamlPath])).toEqual([['start-error', 'spec.containers[0].command']]);
  });

  it('CreateContainerError that is not a start failure stays a configuration error', () => {
    const p = oneContainer(
      { name: 'main', image: 'busybox:1.36' },
      {
        name: 'main',
        state: { waiting: { reason: 'CreateContainerError', message: 'failed to reserve container name "main_web"' } },
      },
    );
    expect(diagnose(p, [])[0]?.cause).toBe('missing-config');
  });
  it('a failed postStart hook → lifecycle.postStart', () => {
    const p = oneContainer(
      { name: 'main', image: 'busybox:1.36' },
      { name: 'main', restartCount: 1, state: { waiting: { reason: 'PostStartHookError', message: 'exit 1' } } },
    );
    expect(diagnose(p, [])[0]).toMatchObject({
      cause: 'start-error',
      yamlPath: 'spec.containers[0].lifecycle.postStart',
    });
  });
});

describe('exits: a crash loop only when it ran and exited more than once', () => {
  it('restarted once and running again: exited, not a loop', () => {
    const p = oneContainer(
      { name: 'main', image: 'busybox:1.36' },
      {
        name: 'main',
        ready: false,
        restartCount: 1,
        state: { running: { startedAt: '2026-12-06T18:00:05Z' } },
        lastState: { terminated: { exitCode: 2, reason: 'Error' } },
      },
    );
    const [d] = diagnose(p, []);
    expect(d?.cause).toBe('container-exited');
    expect(d?.message).toMatch(/the kubelet restarted it/);
    expect(d?.suggestion).toContain('--previous');
  });

  it('an app container under restartPolicy Never that exited once', () => {
    const p = oneContainer(
      { name: 'main', image: 'busybox:1.36' },
      { name: 'main', restartCount: 0, state: { terminated: { exitCode: 1, reason: 'Error' } } },
      'Never',
    );
    const [d] = diagnose(p, []);
    expect(d).toMatchObject({ cause: 'container-exited', yamlPath: 'spec.containers[0]' });
    expect(d?.message).toMatch(/restartPolicy Never it is not restarted/);
    expect(d?.message).not.toMatch(/backing off/);
  });

  it('an OOM kill that repeats stays oom-killed, with the limit', () => {
    const p = oneContainer(
      { name: 'main', image: 'busybox:1.36', resources: { limits: { memory: '16Mi' } } },
      {
        name: 'main',
        restartCount: 3,
        state: { waiting: { reason: 'CrashLoopBackOff' } },
        lastState: { terminated: { exitCode: 137, reason: 'OOMKilled' } },
      },
    );
    const [d] = diagnose(p, []);
    expect(d).toMatchObject({ cause: 'oom-killed', yamlPath: 'spec.containers[0].resources.limits.memory' });
    expect(d?.message).toContain('16Mi');
  });
});

describe('the pod stopped from outside', () => {
  it('a container over its own ephemeral-storage limit', () => {
    const p = podWith(
      {
        containers: [
          { name: 'side', image: 'busybox:1.36' },
          { name: 'main', image: 'busybox:1.36', resources: { limits: { 'ephemeral-storage': '1Mi' } } },
        ],
      },
      {
        phase: 'Failed',
        reason: 'Evicted',
        message: 'Container main exceeded its local ephemeral storage limit "1Mi". ',
      },
    );
    expect(diagnose(p, []).map((d) => [d.cause, d.yamlPath])).toEqual([
      ['evicted', 'spec.containers[1].resources.limits.ephemeral-storage'],
    ]);
  });

  it('an emptyDir over its sizeLimit', () => {
    const p = podWith(
      { volumes: [{ name: 'cache' }] },
      { phase: 'Failed', reason: 'Evicted', message: 'Usage of EmptyDir volume "cache" exceeds the limit "10Mi". ' },
    );
    expect(diagnose(p, [])[0]).toMatchObject({ cause: 'evicted', yamlPath: 'spec.volumes[0].emptyDir.sizeLimit' });
  });

  it('node memory pressure: names the condition and points at the request', () => {
    const p = podWith(
      {},
      {
        phase: 'Failed',
        reason: 'Evicted',
        message:
          'The node was low on resource: memory. Threshold quantity: 100Mi, available: 81096Ki. Container main was using 291252Ki, request is 0, has larger consumption of memory. ',
        containerStatuses: [{ name: 'main', state: { terminated: { exitCode: 137, reason: 'Error' } } }],
      },
    );
    const ds = diagnose(p, []);
    expect(ds.map((d) => [d.cause, d.yamlPath])).toEqual([['evicted', 'spec.containers[0].resources.requests.memory']]);
    expect(ds[0]?.message).toContain('MemoryPressure');
  });

  it('an older preemption event names the preemptor by namespace/name', () => {
    const p = podWith(
      { priority: 1000 },
      {
        phase: 'Running',
        conditions: [
          {
            type: 'DisruptionTarget',
            status: 'True',
            reason: 'PreemptionByScheduler',
            message: 'default-scheduler: preempting to accommodate a higher priority pod',
          },
        ],
      },
    );
    const [d] = diagnose(p, [ev('Preempted', 'Preempted by shop/critical on node node-1')]);
    expect(d).toMatchObject({ cause: 'preempted', yamlPath: 'spec.priorityClassName' });
    expect(d?.message).toContain('shop/critical');
  });

  it('the kubelet admitting a critical pod (status.reason Preempting)', () => {
    const p = podWith(
      {},
      { phase: 'Failed', reason: 'Preempting', message: 'Preempted in order to admit critical pod' },
    );
    expect(diagnose(p, [])[0]?.message).toMatch(/critical pod/);
  });
});

describe('held back', () => {
  it('scheduling gates: named, at spec.schedulingGates, and no scheduler advice', () => {
    const p: Pod = {
      metadata: { name: 'web', namespace: 'shop', uid: 'u-web' },
      spec: { containers: [{ name: 'main' }], schedulingGates: [{ name: 'example.com/quota' }, { name: 'b' }] },
      status: {
        phase: 'Pending',
        conditions: [
          {
            type: 'PodScheduled',
            status: 'False',
            reason: 'SchedulingGated',
            message: 'Scheduling is blocked due to non-empty scheduling gates',
          },
        ],
      },
    };
    const ds = diagnose(p, []);
    expect(ds.map((d) => [d.cause, d.yamlPath])).toEqual([['scheduling-gated', 'spec.schedulingGates']]);
    expect(ds[0]?.message).toContain('"example.com/quota", "b"');
  });

  it('a readiness probe that failed and then passed is not a cause', () => {
    const p = oneContainer(
      { name: 'main', image: 'busybox:1.36', readinessProbe: {} },
      { name: 'main', ready: true, restartCount: 0, state: { running: { startedAt: '2026-12-06T18:19:46Z' } } },
    );
    expect(diagnose(p, [ev('Unhealthy', 'Readiness probe failed: ', 'spec.containers{main}', 4)])).toEqual([]);
    const notYet = oneContainer(
      { name: 'main', image: 'busybox:1.36', readinessProbe: {} },
      { name: 'main', ready: false, restartCount: 0, state: { running: { startedAt: '2026-12-06T18:19:46Z' } } },
    );
    expect(diagnose(notYet, [ev('Unhealthy', 'Readiness probe failed: ', 'spec.containers{main}', 4)])[0]?.cause).toBe(
      'probe-failing',
    );
  });
});
