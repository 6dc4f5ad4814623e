import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatInstant } from '../../../src/core/time.js';
import {
  TraceState,
  buildTrace,
  stableStringify,
  traceFromEvidence,
  type Evidence,
} from '../../../src/core/trace/index.js';
import { allEvidence, basePod, podAt } from './realistic.js';

describe('buildTrace on a real pod birth (containerd 1.6)', () => {
  const trace = traceFromEvidence(allEvidence());

  it('has every step in order, CRI steps from the runtime log with ns precision', () => {
    expect(trace.steps.map((s) => s.kind)).toEqual([
      'created',
      'scheduled',
      'kubelet-accepted',
      'initialized',
      'sandbox-created',
      'image-pull',
      'container-created',
      'container-started',
      'containers-ready',
      'ready',
    ]);
    const byKind = Object.fromEntries(trace.steps.map((s) => [s.kind, s]));
    expect(byKind['sandbox-created']).toMatchObject({ source: 'runtime-log', precision: 'ns' });
    expect(formatInstant(byKind['sandbox-created']!.start!)).toBe('2026-11-23T09:38:09.709120334Z');
    expect(formatInstant(byKind['sandbox-created']!.end!)).toBe('2026-11-23T09:38:09.812485001Z');
    expect(formatInstant(byKind['container-started']!.end!)).toBe('2026-11-23T09:38:09.901989646Z');
    expect(byKind['image-pull']).toMatchObject({
      container: 'hello',
      yamlPath: 'spec.containers[0].image',
      source: 'runtime-log',
    });
    // The events describing the same steps are kept as corroboration.
    expect(byKind['container-started']!.corroboration.some((c) => c.source === 'event')).toBe(true);
  });

  it('uses the scheduler event (µs) for the bind and watch receive times for conditions', () => {
    const byKind = Object.fromEntries(trace.steps.map((s) => [s.kind, s]));
    expect(byKind['scheduled']).toMatchObject({ source: 'event', precision: 'us' });
    expect(formatInstant(byKind['ready']!.end!)).toBe('2026-11-23T09:38:10.031Z');
    expect(byKind['ready']).toMatchObject({ source: 'watch', precision: 'ms' });
    expect(byKind['created']).toMatchObject({ source: 'watch', precision: 'ms' });
  });

  it('ignores another pod whose lines are interleaved', () => {
    expect(trace.steps.filter((s) => s.kind === 'sandbox-created')).toHaveLength(1);
    expect(trace.steps.filter((s) => s.kind === 'container-created')).toHaveLength(1);
  });

  it('names the runtime and the pod', () => {
    expect(trace.runtime).toBe('containerd');
    expect(trace.runtimeVersion).toBe('containerd://1.6.20');
    expect(trace.pod).toEqual({
      namespace: 'pb-try',
      name: 'hello-birth',
      uid: basePod.metadata?.uid,
      node: 'pod-birth-node',
    });
    expect(trace.phase).toBe('ready');
    expect(trace.diagnosis).toEqual([]);
  });

  it('does not let a late watch receive time replace an API time (attach to an old pod)', () => {
    const ev = allEvidence().map((e): Evidence =>
      e.type === 'pod' ? { ...e, receivedAt: { key: '2026-11-23T11:00:00.000000000Z', precision: 'ms' } } : e,
    );
    const t = traceFromEvidence(ev);
    const ready = t.steps.find((s) => s.kind === 'ready')!;
    expect(ready.source).toBe('pod');
    expect(formatInstant(ready.end!)).toBe('2026-11-23T09:38:10Z');
  });

  it('flags clock skew when node times precede the pod creation', () => {
    const skewed = allEvidence().map((e): Evidence =>
      e.type === 'pod'
        ? {
            ...e,
            object: { ...e.object, metadata: { ...e.object.metadata, creationTimestamp: '2026-11-23T09:38:20Z' } },
            receivedAt: null,
          }
        : e,
    );
    expect(traceFromEvidence(skewed).notes.some((n) => n.kind === 'clock-skew')).toBe(true);
  });
});

describe('a pod that stays Pending', () => {
  it('has a scheduling-failed step ×N and an insufficient-memory cause at the request', () => {
    const pod = {
      ...podAt('900', {
        phase: 'Pending',
        conditions: [
          {
            type: 'PodScheduled',
            status: 'False',
            reason: 'Unschedulable',
            lastTransitionTime: '2026-11-23T09:38:09Z',
            message: '0/1 nodes are available: 1 Insufficient memory.',
          },
        ],
      }),
      spec: { containers: [{ name: 'app', image: 'busybox', resources: { requests: { memory: '64Gi' } } }] },
    };
    const fs = {
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: { uid: 'fs1', namespace: 'pb-try', name: 'x.1' },
      eventTime: '2026-11-23T09:38:09.500000Z',
      series: { count: 3, lastObservedTime: '2026-11-23T09:43:09.500000Z' },
      reason: 'FailedScheduling',
      note: '0/1 nodes are available: 1 Insufficient memory. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.',
      type: 'Warning',
      regarding: { kind: 'Pod', name: 'hello-birth', namespace: 'pb-try', uid: basePod.metadata?.uid },
      reportingController: 'default-scheduler',
    };
    const t = traceFromEvidence([
      { type: 'pod', object: pod },
      { type: 'event', object: fs },
    ]);
    expect(t.phase).toBe('pending');
    const sf = t.steps.find((s) => s.kind === 'scheduling-failed')!;
    expect(sf).toMatchObject({ status: 'failed', count: 3 });
    expect(t.diagnosis[0]).toMatchObject({
      cause: 'insufficient-memory',
      yamlPath: 'spec.containers[0].resources.requests.memory',
      nodes: 1,
    });
  });
});

describe('order independence and idempotence (property)', () => {
  const evidence = allEvidence();
  const reference = stableStringify(
    buildTrace(
      (() => {
        const s = new TraceState();
        s.addAll(evidence);
        return s;
      })(),
    ),
  );

  it('any order, with any pieces repeated, gives the same trace', () => {
    fc.assert(
      fc.property(
        fc.shuffledSubarray(evidence, { minLength: evidence.length, maxLength: evidence.length }),
        fc.array(fc.nat({ max: evidence.length - 1 }), { maxLength: 10 }),
        (shuffled, repeats) => {
          const s = new TraceState();
          for (const e of shuffled) s.add(e);
          for (const i of repeats) s.add(evidence[i]!);
          expect(stableStringify(buildTrace(s))).toBe(reference);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('folding the same evidence twice changes nothing', () => {
    const s = new TraceState();
    s.addAll(evidence);
    const rev = s.revision;
    expect(s.addAll(evidence)).toBe(false);
    expect(s.revision).toBe(rev);
  });

  it('never throws on arbitrary JSON posing as evidence', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.record({ type: fc.constant('pod' as const), object: fc.jsonValue() }),
            fc.record({ type: fc.constant('event' as const), object: fc.jsonValue() }),
          ),
        ),
        (evs) => {
          const s = new TraceState();
          for (const e of evs) s.add(e as unknown as Evidence);
          buildTrace(s);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('created: when the watch receive time refines the creation', () => {
  const created = (evidence: Evidence[]) => traceFromEvidence(evidence).steps.find((s) => s.kind === 'created');

  it('an apply sees the pod unbound: the receive time refines the whole-second creationTimestamp', () => {
    const step = created(allEvidence());
    expect(step).toMatchObject({ source: 'watch', precision: 'ms' });
    expect(formatInstant(step!.end!)).toBe('2026-11-23T09:38:09.012Z');
  });

  it('an attach first lists the pod already bound: that receive time is not the creation', () => {
    // Attached 0.4 s after creation: the first object seen is bound, so the creation stays at the
    // apiserver's whole second instead of moving after the binding.
    const attached = allEvidence().filter((e) => !(e.type === 'pod' && e.object.metadata?.resourceVersion === '780'));
    const step = created(attached);
    expect(step).toMatchObject({ source: 'pod', precision: 's' });
    expect(formatInstant(step!.end!)).toBe('2026-11-23T09:38:09Z');
  });
});
