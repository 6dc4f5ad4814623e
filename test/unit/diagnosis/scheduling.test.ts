import { describe, expect, it } from 'vitest';
import {
  diagnose,
  diagnoseScheduling,
  parseFailedScheduling,
  parseQuantity,
  schedulerText,
} from '../../../src/core/diagnosis/index.js';
import { parsePath } from '../../../src/core/manifest/index.js';
import type { Pod } from '../../../src/core/k8s-types.js';
import { normalizeEvent } from '../../../src/core/trace/events.js';

const pod: Pod = {
  kind: 'Pod',
  metadata: { name: 'big', namespace: 'default', uid: 'u1' },
  spec: {
    containers: [
      { name: 'side', image: 'busybox', resources: { requests: { memory: '64Mi', cpu: '100m' } } },
      { name: 'app', image: 'nginx', resources: { requests: { memory: '64Gi', cpu: '250m' } } },
    ],
    nodeSelector: { disktype: 'ssd' },
  },
  status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }] },
};

describe('parseFailedScheduling', () => {
  it('splits a histogram whose entries are sorted as strings ("10" before "2")', () => {
    const p = parseFailedScheduling(
      '0/12 nodes are available: 10 Insufficient memory, 2 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }. preemption: 0/12 nodes are available: 12 No preemption victims found for incoming pod.',
    );
    expect(p.totalNodes).toBe(12);
    expect(p.reasons).toEqual([
      { nodes: 10, reason: 'Insufficient memory' },
      { nodes: 2, reason: 'node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }' },
    ]);
    expect(p.preemption).toBe('0/12 nodes are available: 12 No preemption victims found for incoming pod.');
  });

  it('keeps a PreFilter message whole', () => {
    const p = parseFailedScheduling(
      '0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.',
    );
    expect(p.reasons).toEqual([{ nodes: null, reason: 'pod has unbound immediate PersistentVolumeClaims' }]);
  });

  it('handles the DRA clause before "preemption:" (as kube-scheduler 1.34 writes it) and a taint value containing a comma', () => {
    const p = parseFailedScheduling(
      '0/2 nodes are available: 1 node(s) had untolerated taint {a: b,c}, 1 Insufficient cpu. no new claims to deallocate, preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.',
    );
    expect(p.reasons.map((r) => r.nodes)).toEqual([1, 1]);
    expect(p.reasons[0]?.reason).toBe('node(s) had untolerated taint {a: b,c}');
    expect(p.reasons[1]?.reason).toBe('Insufficient cpu');
    expect(p.preemption).toBe('0/2 nodes are available: 2 Preemption is not helpful for scheduling.');
  });

  it('reads the exact message recorded from the local 1.34 cluster', () => {
    const p = parseFailedScheduling(
      '0/1 nodes are available: 1 Insufficient memory. no new claims to deallocate, preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.',
    );
    expect(p.reasons).toEqual([{ nodes: 1, reason: 'Insufficient memory' }]);
  });
});

describe('diagnoseScheduling', () => {
  it('names the container with the largest memory request and its exact field', () => {
    const [d] = diagnoseScheduling(
      '0/1 nodes are available: 1 Insufficient memory. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.',
      pod,
    );
    expect(d).toMatchObject({
      cause: 'insufficient-memory',
      nodes: 1,
      container: 'app',
      yamlPath: 'spec.containers[1].resources.requests.memory',
    });
    expect(d?.message).toContain('1 of 1 node(s)');
    expect(d?.message).toContain('64Gi');
  });

  it.each([
    ['node(s) had untolerated taint {dedicated: gpu}', 'untolerated-taint', 'spec.tolerations'],
    ['node(s) had untolerated taint(s)', 'untolerated-taint', 'spec.tolerations'],
    ["node(s) had taints that the pod didn't tolerate", 'untolerated-taint', 'spec.tolerations'],
    ["node(s) didn't match Pod's node affinity/selector", 'node-selector-mismatch', 'spec.nodeSelector'],
    ["node(s) didn't match pod anti-affinity rules", 'pod-affinity-mismatch', 'spec.affinity'],
    ["node(s) didn't match pod topology spread constraints", 'topology-spread', 'spec.topologySpreadConstraints'],
    ['node(s) were unschedulable', 'unschedulable-nodes', 'spec.tolerations'],
    ['Insufficient cpu', 'insufficient-cpu', 'spec.containers[1].resources.requests.cpu'],
    ['Insufficient nvidia.com/gpu', 'insufficient-resource', 'spec.containers[0].resources.requests'],
    ['node(s) had volume node affinity conflict', 'volume-node-conflict', 'spec.volumes'],
  ])('%s → %s', (reason, cause, path) => {
    const [d] = diagnoseScheduling(`0/3 nodes are available: 3 ${reason}.`, pod);
    expect(d?.cause).toBe(cause);
    expect(d?.yamlPath).toBe(path);
    expect(d?.suggestion.length).toBeGreaterThan(20);
  });

  it('maps an unbound or missing claim to its volume entry', () => {
    const p: Pod = {
      ...pod,
      spec: {
        ...pod.spec,
        volumes: [
          { name: 'cfg', configMap: { name: 'x' } },
          { name: 'data', persistentVolumeClaim: { claimName: 'data-0' } },
        ],
      },
    };
    const [d] = diagnoseScheduling(
      '0/1 nodes are available: persistentvolumeclaim "data-0" not found. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.',
      p,
    );
    expect(d).toMatchObject({ cause: 'unbound-pvc', yamlPath: 'spec.volumes[1].persistentVolumeClaim.claimName' });
  });

  it('keeps unknown filters as a generic cause instead of dropping them', () => {
    const ds = diagnoseScheduling(
      "0/4 nodes are available: 1 Insufficient memory, 3 node(s) didn't have free ports for the requested pod ports.",
      pod,
    );
    expect(ds.map((d) => d.cause)).toEqual(['insufficient-memory', 'scheduling-failed']);
  });
});

describe('diagnoseScheduling: wording and advice', () => {
  it('counts the nodes once for a reason it does not know ("1 of 1 node(s)", not "1 of 1 of 1")', () => {
    const [d] = diagnoseScheduling(
      "0/1 nodes are available: 1 node(s) didn't have free ports for the requested pod ports. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.",
      pod,
    );
    expect(d?.cause).toBe('scheduling-failed');
    expect(d?.message).toBe(
      "1 of 1 node(s) rejected the pod: node(s) didn't have free ports for the requested pod ports.",
    );
  });

  it('says "add a toleration" for the control-plane taint only when no other reason explains the nodes', () => {
    // kind/kubeadm: the control-plane node is tainted, the worker has too little memory: lower the request.
    const twoNodes = diagnoseScheduling(
      '0/2 nodes are available: 1 Insufficient memory, 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }. preemption: 0/2 nodes are available: 1 No preemption victims found for incoming pod, 1 Preemption is not helpful for scheduling.',
      pod,
    );
    expect(twoNodes.map((d) => d.cause)).toEqual(['insufficient-memory']);
    // 1.34+ hides the key: the same cluster reads `untolerated taint(s)`.
    const hidden = diagnoseScheduling(
      '0/2 nodes are available: 1 Insufficient memory, 1 node(s) had untolerated taint(s). no new claims to deallocate, preemption: 0/2 nodes are available: 1 No preemption victims found for incoming pod, 1 Preemption is not helpful for scheduling.',
      pod,
    );
    expect(hidden.map((d) => d.cause)).toEqual(['insufficient-memory']);
    // The only reason: the toleration is the advice (a single tainted control-plane node).
    const only = diagnoseScheduling(
      '0/1 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.',
      pod,
    );
    expect(only.map((d) => d.cause)).toEqual(['untolerated-taint']);
    // A named taint that is not the control plane's (a dedicated node) stays beside the other reason.
    const dedicated = diagnoseScheduling(
      '0/3 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}, 2 Insufficient memory.',
      pod,
    );
    expect(dedicated.map((d) => d.cause)).toEqual(['untolerated-taint', 'insufficient-memory']);
  });

  it('shows a repeated scheduler tail once ("…not found. not found")', () => {
    const msg = '0/1 nodes are available: persistentvolumeclaim "data-0" not found. not found';
    expect(parseFailedScheduling(msg).preemption).toBeNull();
    expect(schedulerText(msg)).toBe('0/1 nodes are available: persistentvolumeclaim "data-0" not found.');
    const [d] = diagnoseScheduling(msg, pod);
    expect(d?.evidence).toBe('0/1 nodes are available: persistentvolumeclaim "data-0" not found.');
    // A real preemption tail is kept.
    const kept =
      '0/1 nodes are available: 1 Insufficient memory. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.';
    expect(schedulerText(kept)).toBe(kept);
  });

  it('writes an extended resource (nvidia.com/gpu) as one quoted key, so the path reads back', () => {
    const gpu: Pod = {
      ...pod,
      spec: {
        containers: [
          {
            name: 'train',
            image: 'cuda',
            resources: { requests: { 'nvidia.com/gpu': '1' }, limits: { 'nvidia.com/gpu': '1' } },
          },
        ],
      },
    };
    const [d] = diagnoseScheduling('0/2 nodes are available: 2 Insufficient nvidia.com/gpu.', gpu);
    expect(d).toMatchObject({ cause: 'insufficient-resource', container: 'train' });
    expect(d?.yamlPath).toBe('spec.containers[0].resources.requests["nvidia.com/gpu"]');
    expect(parsePath(d?.yamlPath ?? '')).toEqual(['spec', 'containers', 0, 'resources', 'requests', 'nvidia.com/gpu']);
  });
});

describe('diagnose', () => {
  it('uses only the latest FailedScheduling, and only while the pod is unscheduled', () => {
    const ev = (uid: string, t: string, msg: string) =>
      normalizeEvent({
        apiVersion: 'events.k8s.io/v1',
        kind: 'Event',
        metadata: { uid, namespace: 'default', name: `big.${uid}` },
        eventTime: t,
        reason: 'FailedScheduling',
        note: msg,
        type: 'Warning',
        regarding: { kind: 'Pod', name: 'big', namespace: 'default', uid: 'u1' },
        reportingController: 'default-scheduler',
      })!;
    const evs = [
      ev('b', '2026-11-23T10:00:05.000000Z', '0/1 nodes are available: 1 Insufficient memory.'),
      ev(
        'a',
        '2026-11-23T10:00:00.000000Z',
        "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector.",
      ),
    ];
    expect(diagnose(pod, evs).map((d) => d.cause)).toEqual(['insufficient-memory']);
    expect(diagnose({ ...pod, spec: { ...pod.spec, nodeName: 'n1' } }, evs)).toEqual([]);
  });

  it('finds missing ConfigMaps and Secrets at the env entry that references them', () => {
    const p: Pod = {
      metadata: { name: 'cfg', namespace: 'default', uid: 'u2' },
      spec: {
        nodeName: 'n',
        containers: [
          {
            name: 'app',
            image: 'busybox',
            env: [
              { name: 'A', value: 'x' } as never,
              { name: 'B', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } },
            ],
          },
        ],
      },
      status: {
        containerStatuses: [
          {
            name: 'app',
            state: { waiting: { reason: 'CreateContainerConfigError', message: 'secret "db" not found' } },
          },
        ],
      },
    };
    const [d] = diagnose(p, []);
    expect(d).toMatchObject({
      cause: 'missing-config',
      yamlPath: 'spec.containers[0].env[1].valueFrom.secretKeyRef',
      container: 'app',
    });
  });

  it('explains image pulls, crash loops and OOM kills with the field to change', () => {
    const p: Pod = {
      metadata: { name: 'x', namespace: 'default', uid: 'u3' },
      spec: {
        nodeName: 'n',
        containers: [
          { name: 'a', image: 'busybox:nope' },
          { name: 'b', image: 'busybox' },
          { name: 'c', image: 'busybox' },
        ],
      },
      status: {
        containerStatuses: [
          {
            name: 'a',
            state: {
              waiting: {
                reason: 'ImagePullBackOff',
                message:
                  'Back-off pulling image "busybox:nope": ErrImagePull: failed to resolve reference "docker.io/library/busybox:nope": not found',
              },
            },
          },
          {
            name: 'b',
            restartCount: 4,
            state: { waiting: { reason: 'CrashLoopBackOff' } },
            lastState: { terminated: { exitCode: 1, reason: 'Error' } },
          },
          {
            name: 'c',
            restartCount: 2,
            state: { waiting: { reason: 'CrashLoopBackOff' } },
            lastState: { terminated: { exitCode: 137, reason: 'OOMKilled' } },
          },
        ],
      },
    };
    const ds = diagnose(p, []);
    expect(ds.map((d) => [d.cause, d.yamlPath])).toEqual([
      ['image-pull-failed', 'spec.containers[0].image'],
      ['crash-loop', 'spec.containers[1]'],
      // Killed at the memory limit is its own cause, even when it repeats (no limit here: the node ran short).
      ['oom-killed', 'spec.containers[2].resources'],
    ]);
    expect(ds[0]?.suggestion).toMatch(/tag does not exist/);
    expect(ds[1]?.suggestion).toContain('kubectl logs x -c b --previous');
  });
});

describe('parseQuantity', () => {
  it.each([
    ['100m', 0.1],
    ['64Mi', 64 * 1024 ** 2],
    ['1.5Gi', 1.5 * 1024 ** 3],
    ['2e3', 2000],
    ['1k', 1000],
    ['bogus', null],
  ])('%s', (q, n) => expect(parseQuantity(q)).toBe(n));
});
