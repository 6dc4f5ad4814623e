// Checks against the real cluster: failure signals from the real scheduler, kubelet and runtime
// (containerd 1.6, containerd 2.x or CRI-O: the runtime's lines are read on the node).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apply,
  clusterEnv,
  createNamespace,
  deleteNamespace,
  podEvents,
  runtimeLogLinesFor,
  runtimeService,
  truthCalls,
  waitFor,
  waitForEvent,
  waitForPod,
} from './harness.js';

let ns: string;

beforeAll(async () => {
  clusterEnv(); // fails with instructions when the cluster is not up
  ns = await createNamespace('pb-failures');
});

afterAll(async () => {
  if (ns) await deleteNamespace(ns);
});

function pod(name: string, container: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns },
    spec: { terminationGracePeriodSeconds: 0, containers: [{ name: 'main', ...container }], ...extra },
  };
}

describe('failures', () => {
  it('an unschedulable pod (huge memory request) gets a real FailedScheduling', async () => {
    await apply(pod('too-big', { image: 'busybox:1.36', resources: { requests: { memory: '64Ti' } } }));
    const p = await waitForPod(
      ns,
      'too-big',
      'PodScheduled=False',
      (x) => !!x.status.conditions?.some((c) => c.type === 'PodScheduled' && c.status === 'False'),
    );
    const cond = p.status.conditions?.find((c) => c.type === 'PodScheduled');
    expect(cond?.reason).toBe('Unschedulable');
    expect(cond?.message).toMatch(/Insufficient memory/);
    expect(p.spec.nodeName).toBeUndefined();
    const ev = await waitForEvent(ns, p.metadata.uid, 'FailedScheduling');
    expect(ev.type).toBe('Warning');
    expect(ev.reportingComponent).toBe('default-scheduler');
    expect(ev.message).toMatch(/^0\/1 nodes are available: 1 Insufficient memory\./);
    // Nothing reached the runtime.
    expect((await runtimeLogLinesFor({ namespace: ns, name: 'too-big', uid: p.metadata.uid })).lines).toEqual([]);
  });

  it('a missing image gets real ErrImagePull then ImagePullBackOff, and the runtime logged the pull', async () => {
    const image = 'busybox:does-not-exist';
    await apply(pod('no-image', { image }));
    const p = await waitForPod(
      ns,
      'no-image',
      'waiting ImagePullBackOff',
      (x) => x.status.containerStatuses?.[0]?.state?.waiting?.reason === 'ImagePullBackOff',
    );
    expect(p.status.phase).toBe('Pending');
    const errPull = await waitForEvent(ns, p.metadata.uid, 'Failed', /^Error: ErrImagePull$/);
    expect(errPull.source?.component).toBe('kubelet');
    const events = await podEvents(ns, p.metadata.uid);
    expect(
      events.some(
        (e) =>
          e.reason === 'Failed' && /^Failed to pull image "busybox:does-not-exist": .*not found/.test(e.message ?? ''),
      ),
    ).toBe(true);
    await waitForEvent(ns, p.metadata.uid, 'BackOff', /^Back-off pulling image "busybox:does-not-exist"/);
    await waitForEvent(ns, p.metadata.uid, 'Failed', /^Error: ImagePullBackOff$/);
    const gt = await runtimeLogLinesFor({ namespace: ns, name: 'no-image' });
    const pulls = truthCalls(gt.lines).filter((c) => c.rpc === 'PullImage');
    expect(pulls.some((c) => c.phase === 'start' && c.image === image)).toBe(true);
    expect(pulls.some((c) => c.phase === 'end')).toBe(false);
    // containerd logs the failure at error level; CRI-O logs only the attempt (the kubelet's
    // event carries the error).
    if (runtimeService() === 'containerd')
      expect(pulls.some((c) => c.phase === 'failed' && c.line.includes('level=error'))).toBe(true);
    expect(gt.containerIds).toEqual([]);
  });

  it('a crashing container gets a real BackOff (CrashLoopBackOff)', async () => {
    await apply(pod('crasher', { image: 'busybox:1.36', command: ['sh', '-c', 'echo about to fail; exit 3'] }));
    const p = await waitForPod(
      ns,
      'crasher',
      'restarted at least once',
      (x) => (x.status.containerStatuses?.[0]?.restartCount ?? 0) >= 1,
      { timeoutMs: 120_000 },
    );
    const ev = await waitForEvent(
      ns,
      p.metadata.uid,
      'BackOff',
      /^Back-off restarting failed container main in pod crasher_/,
    );
    expect(ev.type).toBe('Warning');
    expect(ev.source?.component).toBe('kubelet');
    const again = await waitForPod(ns, 'crasher', 'CrashLoopBackOff or terminated with exit 3', (x) => {
      const cs = x.status.containerStatuses?.[0];
      return cs?.state?.waiting?.reason === 'CrashLoopBackOff' || cs?.lastState?.terminated?.exitCode === 3;
    });
    expect(again.status.containerStatuses?.[0]?.lastState?.terminated?.exitCode).toBe(3);
    // Ground truth: at least two containers were created and started in the one sandbox.
    const gt = await waitFor('two container starts in the journal', async () => {
      const r = await runtimeLogLinesFor({ namespace: ns, name: 'crasher' });
      return r.containerIds.length >= 2 ? r : undefined;
    });
    expect(gt.sandboxIds).toHaveLength(1);
    expect(
      truthCalls(gt.lines).some(
        (c) => c.rpc === 'CreateContainer' && c.phase === 'end' && c.container === 'main' && c.attempt === 1,
      ),
    ).toBe(true);
  });
});
