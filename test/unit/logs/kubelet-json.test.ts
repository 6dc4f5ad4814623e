// The kubelet's JSON log format (--logging-format=json) gives the same records as its klog text.

import { describe, expect, it } from 'vitest';
import type { KubeletRecord } from '../../../src/core/model.js';
import { parseLogText } from '../../../src/core/logs/index.js';
import { formatInstant } from '../../../src/core/time.js';
import { journald } from './fixtures.js';

const UID = '68fde361-baa8-4c51-9f39-1d744d107d09';
// component-base's zap encoder: `ts` in epoch milliseconds (float), `v` the verbosity, `caller`.
const ADD =
  '{"ts":1796581139502.883,"caller":"kubelet/kubelet.go:2468","msg":"SyncLoop ADD","v":0,"source":"api","pods":["pod-birth-fx-same-name-twice/twice"]}';
const PLEG = `{"ts":1796581140088.5,"caller":"kubelet/kubelet.go:2508","msg":"SyncLoop (PLEG): event for pod","v":2,"pod":{"name":"twice","namespace":"pod-birth-fx-same-name-twice"},"event":{"ID":"${UID}","Type":"ContainerStarted","Data":"66cf61f8acda"}}`;
const STARTUP =
  '{"ts":1796581140901,"caller":"util/pod_startup_latency_tracker.go:104","msg":"Observed pod startup duration","v":0,"pod":{"name":"twice","namespace":"pod-birth-fx-same-name-twice"},"podStartSLOduration":1.9,"podStartE2EDuration":"1.901s","podCreationTimestamp":"2026-12-06 18:18:59 +0000 UTC","watchObservedRunningTime":"2026-12-06 18:19:00.9 +0000 UTC"}';

function kubelet(text: string): KubeletRecord[] {
  return parseLogText(text).records.filter((r): r is KubeletRecord => r.type === 'kubelet');
}

describe('kubelet JSON logs', () => {
  it('reads SyncLoop ADD, PLEG and the startup line with their own times', () => {
    const out = parseLogText([ADD, PLEG, STARTUP].join('\n'));
    expect(out.skipped).toBe(0);
    expect(out.format).toBe('kubelet-json');
    const [add, pleg, startup] = out.records as KubeletRecord[];
    expect(add).toMatchObject({ event: 'syncloop-add', pod: 'pod-birth-fx-same-name-twice/twice' });
    expect(formatInstant(add!.time)).toBe('2026-12-06T18:18:59.502883Z');
    expect(add!.time.precision).toBe('us');
    expect(pleg).toMatchObject({
      event: 'pleg',
      pod: 'pod-birth-fx-same-name-twice/twice',
      fields: { ID: UID, Type: 'ContainerStarted', Data: '66cf61f8acda' },
    });
    expect(startup).toMatchObject({ event: 'startup-duration', pod: 'pod-birth-fx-same-name-twice/twice' });
    expect(startup!.time.precision).toBe('ms');
  });

  it('behind a journald prefix (Node Log Query) the line keeps its own time', () => {
    const line = journald('Dec 06 18:18:59.503001', 'kubelet', 812, ADD);
    const [r] = kubelet(line);
    expect(r?.event).toBe('syncloop-add');
    expect(formatInstant(r!.time)).toBe('2026-12-06T18:18:59.502883Z');
  });

  it('does not take logrus JSON (containerd, CRI-O) or other JSON for kubelet lines', () => {
    expect(kubelet('{"level":"info","msg":"SyncLoop ADD","time":"2026-12-06T18:18:59Z"}')).toEqual([]);
    expect(kubelet('{"ts":"yesterday","msg":"SyncLoop ADD","pods":["a/b"]}')).toEqual([]);
  });
});
