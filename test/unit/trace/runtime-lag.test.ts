// stepsAwaitingRuntimeLog on a real recording: none when containerd's lines are all there; the
// create/start steps when the log read so far stops before them (journald behind the kubelet); none
// when the runtime log gave nothing at all (stock mode: nothing to wait for).

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stepsAwaitingRuntimeLog, type Evidence } from '../../../src/core/trace/index.js';
import { RECORDED_ROOT, evidenceOf, traceFor } from '../../support/recorded.js';

const { evidence, pods } = evidenceOf(join(RECORDED_ROOT, 'image-present'));
const pod = pods[0] ?? '';
const isCri = (e: Evidence): boolean => e.type === 'log' && e.record.type === 'cri';

describe('stepsAwaitingRuntimeLog', () => {
  it('is empty when every runtime line was read', () => {
    expect(stepsAwaitingRuntimeLog(traceFor(evidence, pod))).toEqual([]);
  });

  it('names the create and start steps when the log read stops after the sandbox', () => {
    const firstCreate = evidence.findIndex(
      (e) => e.type === 'log' && e.record.type === 'cri' && e.record.rpc === 'CreateContainer',
    );
    expect(firstCreate).toBeGreaterThan(0);
    const cut = evidence.filter(
      (e, i) =>
        !isCri(e) ||
        i < firstCreate ||
        (e.type === 'log' && e.record.type === 'cri' && e.record.rpc === 'RunPodSandbox'),
    );
    const trace = traceFor(cut, pod);
    expect(trace.phase).toBe('ready');
    const waiting = stepsAwaitingRuntimeLog(trace);
    expect(waiting.some((id) => id.startsWith('container-started:'))).toBe(true);
    expect(waiting.some((id) => id.startsWith('sandbox-created'))).toBe(false);
  });

  it('is empty without any runtime line (nothing says the log will catch up)', () => {
    const trace = traceFor(
      evidence.filter((e) => !isCri(e)),
      pod,
    );
    expect(trace.steps.some((s) => s.kind === 'container-started')).toBe(true);
    expect(stepsAwaitingRuntimeLog(trace)).toEqual([]);
  });
});
