// Trace steps of failure cases on hand-made evidence in the real shapes (kubectl JSON, runtime and
// kubelet lines): the ones the recordings cannot show (CRI-O, no runtime log, kubelet lines alone).

import { describe, expect, it } from 'vitest';
import type { Pod } from '../../../src/core/k8s-types.js';
import { parseLogText } from '../../../src/core/logs/index.js';
import { formatInstant } from '../../../src/core/time.js';
import { traceFromEvidence, type Evidence } from '../../../src/core/trace/index.js';
import { hexId, logrusText } from '../logs/fixtures.js';

const NS = 'shop';

function logs(lines: readonly string[]): Evidence[] {
  return parseLogText(lines.join('\n'), { referenceYear: 2026 }).records.map((record) => ({ type: 'log', record }));
}

function event(reason: string, message: string, at: string, fieldPath?: string, count = 1): Evidence {
  return {
    type: 'event',
    object: {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { uid: `${reason}-${at}`, namespace: NS, name: `web.${reason}` },
      involvedObject: { kind: 'Pod', name: 'web', namespace: NS, uid: 'uid-web', ...(fieldPath ? { fieldPath } : {}) },
      reason,
      message,
      type: reason === 'Started' || reason === 'Created' ? 'Normal' : 'Warning',
      firstTimestamp: at,
      lastTimestamp: at,
      count,
    },
  };
}

describe('a start error without the runtime log (pod status and events only)', () => {
  // containerd reports startedAt 1970-01-01T00:00:00Z for a process that never started.
  const pod: Pod = {
    kind: 'Pod',
    metadata: { name: 'web', namespace: NS, uid: 'uid-web', creationTimestamp: '2026-12-06T18:08:45Z' },
    spec: {
      nodeName: 'node-1',
      restartPolicy: 'Never',
      containers: [{ name: 'main', image: 'busybox:1.36', command: ['/bin/does-not-exist'] }],
    },
    status: {
      phase: 'Failed',
      startTime: '2026-12-06T18:08:45Z',
      containerStatuses: [
        {
          name: 'main',
          restartCount: 0,
          containerID: 'containerd://5452a780128b',
          state: {
            terminated: {
              exitCode: 128,
              reason: 'StartError',
              message:
                'failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: "/bin/does-not-exist": stat /bin/does-not-exist: no such file or directory: unknown',
              startedAt: '1970-01-01T00:00:00Z',
              finishedAt: '2026-12-06T18:08:46Z',
              containerID: 'containerd://5452a780128b',
            },
          },
        },
      ],
    },
  };
  const trace = traceFromEvidence([
    { type: 'pod', object: pod },
    event('Created', 'Created container: main', '2026-12-06T18:08:46Z', 'spec.containers{main}'),
  ]);

  it('keeps the timeline in 2026: the epoch startedAt is "never", not a time', () => {
    for (const s of trace.steps) {
      if (s.start) expect(formatInstant(s.start) >= '2026', s.id).toBe(true);
      if (s.end) expect(formatInstant(s.end) >= '2026', s.id).toBe(true);
    }
    const failed = trace.steps.find((s) => s.kind === 'container-failed');
    expect(failed?.message).toMatch(/^could not start, the process never ran: exit code 128 \(StartError\)/);
    expect(formatInstant(failed!.start!)).toBe('2026-12-06T18:08:46Z');
  });

  it('is a start error at the command, not a crash loop', () => {
    expect(trace.diagnosis.map((d) => [d.cause, d.yamlPath])).toEqual([['start-error', 'spec.containers[0].command']]);
    expect(trace.phase).toBe('failed');
  });
});

describe('CRI-O: a restarted container keeps one step per attempt', () => {
  const sb = hexId('crio-sb');
  const ids = [0, 1, 2].map((i) => hexId(`crio-ctr-${i}`));
  const rq = (k: string, m: string) => ({ id: `req-${k}`, name: `/runtime.v1.RuntimeService/${m}` });
  const at = (s: number) => `2026-12-06T18:18:${String(23 + s).padStart(2, '0')}.5${s}0000000Z`;
  const lines = [
    logrusText(at(0), 'info', `Running pod sandbox: ${NS}/web/POD`, rq('run', 'RunPodSandbox')),
    logrusText(at(0), 'info', `Ran pod sandbox ${sb} with infra container: ${NS}/web/POD`, rq('run', 'RunPodSandbox')),
    ...ids.flatMap((id, i) => [
      logrusText(at(i * 4 + 1), 'info', `Creating container: ${NS}/web/main`, rq(`c${i}`, 'CreateContainer')),
      logrusText(at(i * 4 + 1), 'info', `Created container ${id}: ${NS}/web/main`, rq(`c${i}`, 'CreateContainer')),
      logrusText(at(i * 4 + 2), 'info', `Starting container: ${id}`, rq(`s${i}`, 'StartContainer')),
      logrusText(at(i * 4 + 2), 'info', 'Started container', {
        ...rq(`s${i}`, 'StartContainer'),
        PID: '4242',
        containerID: id,
        description: `${NS}/web/main`,
        sandboxID: sb,
      }),
    ]),
  ];
  const pod: Pod = {
    kind: 'Pod',
    metadata: { name: 'web', namespace: NS, uid: 'uid-web', creationTimestamp: '2026-12-06T18:18:23Z' },
    spec: { nodeName: 'node-1', containers: [{ name: 'main', image: 'busybox:1.36' }] },
    status: {
      phase: 'Running',
      containerStatuses: [
        {
          name: 'main',
          restartCount: 2,
          containerID: `cri-o://${ids[2]}`,
          state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 20s restarting failed container' } },
          lastState: {
            terminated: {
              exitCode: 1,
              reason: 'Error',
              startedAt: '2026-12-06T18:18:33Z',
              finishedAt: '2026-12-06T18:18:34Z',
              containerID: `cri-o://${ids[2]}`,
            },
          },
        },
      ],
    },
  };
  const trace = traceFromEvidence([{ type: 'pod', object: pod }, ...logs(lines)]);

  it('numbers the attempts 0, 1, 2 with their own runtime times', () => {
    const starts = trace.steps.filter((s) => s.kind === 'container-started');
    expect(starts.map((s) => s.attempt)).toEqual([0, 1, 2]);
    expect(starts.map((s) => s.source)).toEqual(['runtime-log', 'runtime-log', 'runtime-log']);
    expect(trace.steps.filter((s) => s.kind === 'container-created').map((s) => s.attempt)).toEqual([0, 1, 2]);
    expect(trace.diagnosis.map((d) => d.cause)).toEqual(['crash-loop']);
  });
});

describe("the same name created again: the earlier pod's kubelet line is not taken", () => {
  const kubeletLine = (t: string) =>
    `I1206 ${t}    812 kubelet.go:2468] "SyncLoop ADD" source="api" pods=["${NS}/web"]`;
  const pod: Pod = {
    kind: 'Pod',
    metadata: { name: 'web', namespace: NS, uid: 'uid-new', creationTimestamp: '2026-12-06T18:18:59Z' },
    spec: { nodeName: 'node-1', containers: [{ name: 'main', image: 'busybox:1.36' }] },
    status: { phase: 'Running', startTime: '2026-12-06T18:18:59Z' },
  };
  // The earlier pod was added 0.8 s before this one's creation second (recorded: same-name-twice).
  const trace = traceFromEvidence([
    { type: 'pod', object: pod },
    ...logs([kubeletLine('18:18:58.168428'), kubeletLine('18:18:59.505146')]),
  ]);

  it('takes the SyncLoop ADD after the creation, and raises no clock-skew note', () => {
    const accepted = trace.steps.find((s) => s.kind === 'kubelet-accepted');
    expect(formatInstant(accepted!.end!)).toBe('2026-12-06T18:18:59.505146Z');
    expect(trace.notes.filter((n) => n.kind === 'clock-skew')).toEqual([]);
  });
});

describe('a volume mount that fails (FailedMount)', () => {
  const pod = (conditions: { type: string; status: string }[] = []): Evidence => ({
    type: 'pod',
    object: {
      kind: 'Pod',
      metadata: { name: 'web', namespace: NS, uid: 'uid-web', creationTimestamp: '2026-12-06T18:08:45Z' },
      spec: {
        nodeName: 'node-1',
        containers: [{ name: 'main', image: 'busybox:1.36' }],
        volumes: [{ name: 'kube-api-access-x2x9z' }, { name: 'cfg', configMap: { name: 'app-config' } }],
      },
      status: { phase: 'Pending', conditions },
    },
  });
  const transient = event(
    'FailedMount',
    'MountVolume.SetUp failed for volume "kube-api-access-x2x9z" : failed to sync configmap cache: timed out waiting for the condition',
    '2026-12-06T18:08:47Z',
  );
  const missing = event(
    'FailedMount',
    'MountVolume.SetUp failed for volume "cfg" : configmap "app-config" not found',
    '2026-12-06T18:08:47Z',
  );

  it('a cache not synced yet is retried by the kubelet: in progress, the trace goes on', () => {
    const trace = traceFromEvidence([pod(), transient]);
    expect(trace.steps.find((s) => s.kind === 'volume-failed')).toMatchObject({
      status: 'in-progress',
      yamlPath: 'spec.volumes[0]',
    });
    expect(trace.phase).not.toBe('failed');
    expect(trace.diagnosis[0]?.message).toMatch(/not mounted yet .* retries on its own/);
  });

  it("the apiserver's node authorizer not yet knowing the binding is a race too (seen in a 100-pod rollout)", () => {
    const race = event(
      'FailedMount',
      'MountVolume.SetUp failed for volume "kube-api-access-x2x9z" : failed to fetch token: serviceaccounts "default" is forbidden: node requested token bound to a pod scheduled on a different node',
      '2026-12-06T18:08:47Z',
    );
    const trace = traceFromEvidence([pod(), race]);
    expect(trace.steps.find((s) => s.kind === 'volume-failed')?.status).toBe('in-progress');
    expect(trace.phase).not.toBe('failed');
    expect(trace.diagnosis[0]?.message).toMatch(/node authorizer had not yet seen the pod bound to this node/);
  });

  it('a missing ConfigMap fails the pod', () => {
    const trace = traceFromEvidence([pod(), missing]);
    expect(trace.steps.find((s) => s.kind === 'volume-failed')?.status).toBe('failed');
    expect(trace.phase).toBe('failed');
    expect(trace.diagnosis[0]).toMatchObject({ cause: 'missing-config' });
  });

  it('is history once the sandbox is ready (the kubelet mounts before it creates the sandbox)', () => {
    const trace = traceFromEvidence([pod([{ type: 'PodReadyToStartContainers', status: 'True' }]), missing]);
    expect(trace.steps.find((s) => s.kind === 'volume-failed')?.status).toBe('done');
    expect(trace.phase).not.toBe('failed');
    expect(trace.diagnosis).toEqual([]);
  });
});

describe('a sandbox that failed and was retried (FailedCreatePodSandBox)', () => {
  const pod = (conditions: { type: string; status: string; lastTransitionTime?: string }[]): Evidence => ({
    type: 'pod',
    object: {
      kind: 'Pod',
      metadata: { name: 'web', namespace: NS, uid: 'uid-web', creationTimestamp: '2026-12-06T18:08:45Z' },
      spec: { nodeName: 'node-1', containers: [{ name: 'main', image: 'busybox:1.36' }] },
      status: { phase: 'Pending', conditions },
    },
  });
  const failed = event(
    'FailedCreatePodSandBox',
    'Failed to create pod sandbox: rpc error: code = DeadlineExceeded desc = context deadline exceeded',
    '2026-12-06T18:08:50Z',
  );

  it('fails the pod while no sandbox came up', () => {
    expect(traceFromEvidence([pod([]), failed]).phase).toBe('failed');
  });

  it('is history once the retry brought the sandbox up: the trace goes on', () => {
    const trace = traceFromEvidence([
      pod([{ type: 'PodReadyToStartContainers', status: 'True', lastTransitionTime: '2026-12-06T18:08:58Z' }]),
      failed,
    ]);
    expect(trace.steps.map((s) => `${s.kind}:${s.status}`)).toEqual(
      expect.arrayContaining(['sandbox-failed:failed', 'sandbox-created:done']),
    );
    expect(trace.phase).not.toBe('failed');
  });
});
