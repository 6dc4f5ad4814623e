import { describe, expect, it } from 'vitest';
import type { KubeletRecord } from '../../../src/core/model.js';
import { parseLogText, stripMonotonic } from '../../../src/core/logs/index.js';

const UID = '4f0c6a5e-7b1d-4c2e-9a3f-1e2d3c4b5a69';
const CTR = '6eb6a1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0';

function kubelet(text: string, referenceYear = 2024): KubeletRecord[] {
  return parseLogText(text, { referenceYear }).records.filter((r): r is KubeletRecord => r.type === 'kubelet');
}

describe('kubelet klog events', () => {
  it('SyncLoop ADD, quoted (1.27+) and unquoted (older) pod lists, several pods', () => {
    const recs = kubelet(
      [
        'I0528 16:17:02.101234    4941 kubelet.go:2337] "SyncLoop ADD" source="api" pods=["default/nginx"]',
        'I0528 16:17:02.101300    4941 kubelet.go:2337] "SyncLoop ADD" source="api" pods=[kube-system/coredns-5d78c9869d-abcde kube-system/kube-proxy-x]',
      ].join('\n'),
    );
    expect(recs.map((r) => [r.event, r.pod])).toEqual([
      ['syncloop-add', 'default/nginx'],
      ['syncloop-add', 'kube-system/coredns-5d78c9869d-abcde'],
      ['syncloop-add', 'kube-system/kube-proxy-x'],
    ]);
    expect(recs[0]).toMatchObject({
      time: { key: '2024-05-28T16:17:02.101234000Z', precision: 'us' },
      fields: { source: 'api' },
    });
  });

  it('pre-1.21 unstructured SyncLoop ADD and PLEG', () => {
    const recs = kubelet(
      [
        `I0528 16:17:02.101234    4941 kubelet.go:1920] SyncLoop (ADD, "api"): "nginx_default(${UID})"`,
        `I0528 16:17:03.101234    4941 kubelet.go:1954] SyncLoop (PLEG): "nginx_default(${UID})", event: &pleg.PodLifecycleEvent{ID:"${UID}", Type:"ContainerStarted", Data:"${CTR}"}`,
      ].join('\n'),
    );
    expect(recs[0]).toMatchObject({ event: 'syncloop-add', pod: 'default/nginx', fields: { source: 'api', uid: UID } });
    expect(recs[1]).toMatchObject({
      event: 'pleg',
      pod: 'default/nginx',
      fields: { ID: UID, Type: 'ContainerStarted', Data: CTR },
    });
  });

  it('PLEG events, JSON and %+v forms', () => {
    const recs = kubelet(
      [
        `I0528 16:17:03.500000    4941 kubelet.go:2369] "SyncLoop (PLEG): event for pod" pod="default/nginx" event={"ID":"${UID}","Type":"ContainerStarted","Data":"${CTR}"}`,
        `I0528 16:17:03.600000    4941 kubelet.go:2172] "SyncLoop (PLEG): event for pod" pod="default/nginx" event=&{ID:${UID} Type:ContainerDied Data:${CTR}}`,
      ].join('\n'),
    );
    expect(recs.map((r) => r.fields)).toEqual([
      { ID: UID, Type: 'ContainerStarted', Data: CTR },
      { ID: UID, Type: 'ContainerDied', Data: CTR },
    ]);
  });

  it('sandbox decision, mount, Event occurred', () => {
    const recs = kubelet(
      [
        'I0528 16:17:02.201234    4941 util.go:30] "No sandbox for pod can be found. Need to start a new one" pod="default/nginx"',
        `I0528 16:17:02.150000    4941 operation_generator.go:721] "MountVolume.SetUp succeeded for volume \\"kube-api-access-5m97q\\" (UniqueName: \\"kubernetes.io/projected/${UID}-kube-api-access-5m97q\\") pod \\"nginx\\" (UID: \\"${UID}\\") " pod="default/nginx"`,
        'I0528 16:17:03.400000    4941 event.go:376] "Event occurred" object="default/nginx" fieldPath="spec.containers{nginx}" kind="Pod" apiVersion="v1" type="Normal" reason="Pulling" message="Pulling image \\"nginx\\""',
        'I0528 16:17:03.400000    4941 event.go:376] "Event occurred" object="node-1" fieldPath="" kind="Node" apiVersion="" type="Normal" reason="Starting" message="Starting kubelet."',
      ].join('\n'),
    );
    expect(recs).toHaveLength(3);
    expect(recs[0]).toMatchObject({ event: 'sandbox-decision', pod: 'default/nginx' });
    expect(recs[1]).toMatchObject({
      event: 'mount-succeeded',
      pod: 'default/nginx',
      fields: {
        volume: 'kube-api-access-5m97q',
        uniqueName: `kubernetes.io/projected/${UID}-kube-api-access-5m97q`,
        uid: UID,
        pod: 'default/nginx',
      },
    });
    expect(recs[2]).toMatchObject({
      event: 'event-occurred',
      pod: 'default/nginx',
      fields: { fieldPath: 'spec.containers{nginx}', reason: 'Pulling', message: 'Pulling image "nginx"', kind: 'Pod' },
    });
  });
});

describe('Observed pod startup duration, by era', () => {
  it('1.27–1.33 keys, monotonic suffixes stripped, values kept as strings', () => {
    const [r] = kubelet(
      'I0528 16:17:04.319660    4941 pod_startup_latency_tracker.go:102] "Observed pod startup duration" pod="default/nginx" podStartSLOduration=1.234 podStartE2EDuration="2.31966s" podCreationTimestamp="2024-05-28 16:17:02 +0000 UTC" firstStartedPulling="2024-05-28 16:17:03.437617448 +0000 UTC m=+23257.471" lastFinishedPulling="2024-05-28 16:17:04.1 +0000 UTC m=+23258.13" observedRunningTime="2024-05-28 16:17:04.2 +0000 UTC m=+23258.2" watchObservedRunningTime="2024-05-28 16:17:04.31966 +0000 UTC m=+23258.35"',
    );
    expect(r).toMatchObject({ event: 'startup-duration', pod: 'default/nginx' });
    expect(r?.fields).toEqual({
      pod: 'default/nginx',
      podStartSLOduration: '1.234',
      podStartE2EDuration: '2.31966s',
      podCreationTimestamp: '2024-05-28 16:17:02 +0000 UTC',
      firstStartedPulling: '2024-05-28 16:17:03.437617448 +0000 UTC',
      lastFinishedPulling: '2024-05-28 16:17:04.1 +0000 UTC',
      observedRunningTime: '2024-05-28 16:17:04.2 +0000 UTC',
      watchObservedRunningTime: '2024-05-28 16:17:04.31966 +0000 UTC',
    });
  });

  it('1.26 keys with the zero time and the negative SLO bug', () => {
    const [r] = kubelet(
      'I1129 16:33:26.101010    1211 pod_startup_latency_tracker.go:102] "Observed pod startup duration" pod="kube-system/coredns-787d4945fb-8l6fv" podStartSLOduration=-9.223372036854776e+09 pod.CreationTimestamp="2024-11-29 16:33:21 +0000 UTC" firstStartedPulling="0001-01-01 00:00:00 +0000 UTC" lastFinishedPulling="0001-01-01 00:00:00 +0000 UTC" observedRunningTime="2024-11-29 16:33:25.9 +0000 UTC m=+23257.47" watchObservedRunningTime="2024-11-29 16:33:26.1 +0000 UTC m=+23257.6"',
    );
    expect(r?.fields).toMatchObject({
      podStartSLOduration: '-9.223372036854776e+09',
      'pod.CreationTimestamp': '2024-11-29 16:33:21 +0000 UTC',
      firstStartedPulling: '0001-01-01 00:00:00 +0000 UTC',
      lastFinishedPulling: '0001-01-01 00:00:00 +0000 UTC',
      observedRunningTime: '2024-11-29 16:33:25.9 +0000 UTC',
    });
  });

  it('newest keys (pull sessions, init runtime, stateful flag)', () => {
    const [r] = kubelet(
      'I0115 10:00:03.000100     812 pod_startup_latency_tracker.go:104] "Observed pod startup duration" pod="default/db-0" podStartSLOduration=0.9 podStartE2EDuration="3.1s" totalImagesPullingTime="2.2s" totalInitContainerRuntime="0s" isStatefulPod=true podCreationTimestamp="2026-01-15 10:00:00 +0000 UTC" imagePullSessionsCount=1 imagePullSessionsStartsCount=1 observedRunningTime="2026-01-15 10:00:02.9 +0000 UTC m=+50.1" watchObservedRunningTime="2026-01-15 10:00:03.0001 +0000 UTC m=+50.2"',
      2026,
    );
    expect(r?.fields).toMatchObject({
      totalImagesPullingTime: '2.2s',
      isStatefulPod: 'true',
      imagePullSessionsCount: '1',
      watchObservedRunningTime: '2026-01-15 10:00:03.0001 +0000 UTC',
    });
  });

  it('stripMonotonic leaves other values alone', () => {
    expect(stripMonotonic('2024-11-29 16:33:25. +0000 UTC m=+23257.47')).toBe('2024-11-29 16:33:25. +0000 UTC');
    expect(stripMonotonic('2024-11-29 16:33:25 +0000 UTC m=-0.5')).toBe('2024-11-29 16:33:25 +0000 UTC');
    expect(stripMonotonic('1.5s')).toBe('1.5s');
  });
});

describe('klog behind journald', () => {
  it('prefers the journald UTC µs time over the node-local klog header', () => {
    const line =
      'May 28 14:17:04.319702 node-1 kubelet[4941]: I0528 16:17:04.319660    4941 kubelet.go:2337] "SyncLoop ADD" source="api" pods=["default/nginx"]';
    const [r] = kubelet(line);
    expect(r?.time).toEqual({ key: '2024-05-28T14:17:04.319702000Z', precision: 'us' });
    expect(r?.raw).toBe(line);
  });

  it('with a whole-second syslog prefix, keeps the klog microseconds when the two agree', () => {
    const [a] = kubelet(
      'May 28 16:17:04 node-1 kubelet[4941]: I0528 16:17:04.319660    4941 kubelet.go:2337] "SyncLoop ADD" source="api" pods=["default/nginx"]',
    );
    expect(a?.time).toEqual({ key: '2024-05-28T16:17:04.319660000Z', precision: 'us' });
    const [b] = kubelet(
      'May 28 14:17:04 node-1 kubelet[4941]: I0528 16:17:04.319660    4941 kubelet.go:2337] "SyncLoop ADD" source="api" pods=["default/nginx"]',
    );
    expect(b?.time).toEqual({ key: '2024-05-28T14:17:04.000000000Z', precision: 's' });
  });
});
