import { describe, expect, it } from 'vitest';
import {
  containerFromFieldPath,
  eventsFromList,
  normalizeEvent,
  preferEvent,
  regardsPod,
} from '../../../src/core/trace/events.js';

const core = {
  apiVersion: 'v1',
  kind: 'Event',
  metadata: { name: 'web.18a1', namespace: 'default', uid: 'e1', resourceVersion: '812' },
  involvedObject: {
    kind: 'Pod',
    namespace: 'default',
    name: 'web',
    uid: 'p1',
    apiVersion: 'v1',
    fieldPath: 'spec.containers{nginx}',
  },
  reason: 'Pulled',
  message: 'Successfully pulled image "nginx:1.27" in 1.234s (1.5s including waiting). Image size: 72000000 bytes.',
  source: { component: 'kubelet', host: 'node-1' },
  firstTimestamp: '2026-11-23T10:00:03Z',
  lastTimestamp: '2026-11-23T10:00:03Z',
  count: 1,
  type: 'Normal',
  eventTime: null,
  reportingComponent: 'kubelet',
  reportingInstance: 'node-1',
};

const v1 = {
  apiVersion: 'events.k8s.io/v1',
  kind: 'Event',
  metadata: { name: 'web.18a2', namespace: 'default', uid: 'e2', resourceVersion: '800' },
  eventTime: '2026-11-23T10:00:01.123456Z',
  reportingController: 'default-scheduler',
  reportingInstance: 'default-scheduler-cp',
  action: 'Binding',
  reason: 'Scheduled',
  regarding: { kind: 'Pod', namespace: 'default', name: 'web', uid: 'p1', apiVersion: 'v1' },
  note: 'Successfully assigned default/web to node-1',
  type: 'Normal',
};

describe('normalizeEvent', () => {
  it('reads core/v1 events with second precision', () => {
    const e = normalizeEvent(core)!;
    expect(e).toMatchObject({ uid: 'e1', reason: 'Pulled', count: 1, component: 'kubelet' });
    expect(e.first?.precision).toBe('s');
    expect(e.regarding.fieldPath).toBe('spec.containers{nginx}');
  });

  it('reads events.k8s.io/v1 events with microsecond eventTime', () => {
    const e = normalizeEvent(v1)!;
    expect(e).toMatchObject({
      uid: 'e2',
      reason: 'Scheduled',
      message: 'Successfully assigned default/web to node-1',
      component: 'default-scheduler',
    });
    expect(e.first).toEqual({ key: '2026-11-23T10:00:01.123456000Z', precision: 'us' });
  });

  it('reads a legacy event through events.k8s.io (empty eventTime, deprecated* times)', () => {
    const e = normalizeEvent({
      apiVersion: 'events.k8s.io/v1',
      metadata: { uid: 'e3' },
      eventTime: null,
      reason: 'BackOff',
      note: 'Back-off restarting failed container',
      regarding: { kind: 'Pod', uid: 'p1' },
      deprecatedFirstTimestamp: '2026-11-23T10:00:10Z',
      deprecatedLastTimestamp: '2026-11-23T10:02:10Z',
      deprecatedCount: 7,
    })!;
    expect(e.count).toBe(7);
    expect(e.first?.key.startsWith('2026-11-23T10:00:10')).toBe(true);
    expect(e.last?.key.startsWith('2026-11-23T10:02:10')).toBe(true);
  });

  it('uses series for scheduler repeats', () => {
    const e = normalizeEvent({
      ...v1,
      metadata: { uid: 'e4' },
      reason: 'FailedScheduling',
      series: { count: 4, lastObservedTime: '2026-11-23T10:05:00.000001Z' },
    })!;
    expect(e.count).toBe(4);
    expect(e.last?.precision).toBe('us');
  });

  it('rejects garbage without throwing', () => {
    for (const x of [null, 1, 'x', [], {}, { reason: 5 }, { metadata: {} }]) expect(normalizeEvent(x)).toBeNull();
  });
});

describe('helpers', () => {
  it('eventsFromList accepts a List, an array or one event', () => {
    expect(eventsFromList({ kind: 'List', items: [core, v1, 42] })).toHaveLength(2);
    expect(eventsFromList([core])).toHaveLength(1);
    expect(eventsFromList(core)).toHaveLength(1);
  });

  it('regardsPod matches by uid, else by name and namespace', () => {
    const e = normalizeEvent(core)!;
    expect(regardsPod(e, { uid: 'p1', name: 'other', namespace: 'x' })).toBe(true);
    expect(regardsPod(e, { uid: 'p2', name: 'web', namespace: 'default' })).toBe(false);
    expect(
      regardsPod(
        { ...e, regarding: { kind: 'Pod', name: 'web', namespace: 'default' } },
        { uid: 'p2', name: 'web', namespace: 'default' },
      ),
    ).toBe(true);
    expect(
      regardsPod(
        { ...e, regarding: { kind: 'ReplicaSet', name: 'web', uid: 'p1' } },
        { uid: 'p1', name: 'web', namespace: 'default' },
      ),
    ).toBe(false);
  });

  it('containerFromFieldPath', () => {
    expect(containerFromFieldPath('spec.initContainers{setup}')).toEqual({
      name: 'setup',
      init: true,
      ephemeral: false,
    });
    expect(containerFromFieldPath('spec.containers{app}')).toEqual({ name: 'app', init: false, ephemeral: false });
    // `kubectl debug` adds ephemeral containers: not app containers.
    expect(containerFromFieldPath('spec.ephemeralContainers{debugger-x7k}')).toEqual({
      name: 'debugger-x7k',
      init: false,
      ephemeral: true,
    });
    expect(containerFromFieldPath(undefined)).toBeNull();
  });

  it('preferEvent is commutative', () => {
    const a = normalizeEvent(core)!;
    const b = { ...a, count: 3 };
    expect(preferEvent(a, b)).toBe(b);
    expect(preferEvent(b, a)).toBe(b);
  });
});
