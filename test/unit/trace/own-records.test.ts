// ownLogRecords keeps a trace's node-log lines to its own pod's: on the real recordings (one node log
// holding every pod's lines), a trace built from only the kept lines equals the one built from all.

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LogRecord } from '../../../src/core/model.js';
import { TraceState, buildTrace, ownLogRecords } from '../../../src/core/trace/index.js';
import { RECORDED_ROOT, evidenceOf, recordedScenarios, traceFor } from '../../support/recorded.js';

describe('ownLogRecords', () => {
  for (const scenario of recordedScenarios()) {
    const { evidence, pods } = evidenceOf(join(RECORDED_ROOT, scenario));
    const records: LogRecord[] = evidence.flatMap((e) => (e.type === 'log' ? [e.record] : []));
    for (const pod of pods) {
      it(`${scenario}/${pod}: the kept lines give the same trace as all of them`, () => {
        const state = new TraceState();
        state.addAll(evidence.filter((e) => e.type !== 'log' && (e.type !== 'pod' || e.object.metadata?.name === pod)));
        const own = ownLogRecords(state, records);
        expect(own.length).toBeLessThanOrEqual(records.length);
        state.addAll(own.map((record) => ({ type: 'log' as const, record })));
        expect(buildTrace(state)).toEqual(traceFor(evidence, pod));
      });
    }
  }

  it('keeps a pod of a 3-pod recording to a part of the node log', () => {
    const { evidence, pods } = evidenceOf(join(RECORDED_ROOT, 'deployment-3'));
    const records = evidence.flatMap((e) => (e.type === 'log' ? [e.record] : []));
    const state = new TraceState();
    state.addAll(evidence.filter((e) => e.type !== 'log' && (e.type !== 'pod' || e.object.metadata?.name === pods[0])));
    expect(ownLogRecords(state, records).length).toBeLessThan(records.length / 2);
  });
});
