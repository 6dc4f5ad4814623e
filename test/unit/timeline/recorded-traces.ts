// Traces of the real cluster recordings (test/fixtures/recorded/<scenario>/), loaded by the shared
// test/support/recorded.ts, with a way to cut a recording short (a trace as it stood mid-birth).

import { join } from 'node:path';
import type { Trace } from '../../../src/core/model.js';
import { TraceState, buildTrace, type Evidence } from '../../../src/core/trace/index.js';
import { RECORDED_ROOT, evidenceOf } from '../../support/recorded.js';

export const RECORDED = RECORDED_ROOT;

export interface Recording {
  readonly evidence: readonly Evidence[];
  /** Pod names in the order the watch first saw them. */
  readonly pods: readonly string[];
}

export function recording(scenario: string): Recording {
  return evidenceOf(join(RECORDED_ROOT, scenario));
}

/** The trace of one pod of a recording (default: the first pod), from all or some of its evidence. */
export function recordedTrace(scenario: string, opts: { pod?: string; keep?: (e: Evidence) => boolean } = {}): Trace {
  const { evidence, pods } = recording(scenario);
  const pod = opts.pod ?? pods[0];
  const s = new TraceState();
  s.addAll(
    evidence.filter((e) => (e.type !== 'pod' || e.object.metadata?.name === pod) && (opts.keep ? opts.keep(e) : true)),
  );
  return buildTrace(s);
}

/** When a piece of evidence became known, for cutting a recording short (null: always kept). */
export function evidenceTime(e: Evidence): string | null {
  switch (e.type) {
    case 'pod':
      return e.receivedAt?.key ?? null;
    case 'event':
      // Listed events (events.json) were read at the end of the recording: only watched ones have a time.
      return e.receivedAt?.key ?? '9999';
    case 'log':
      return e.record.time.key;
    default:
      return null;
  }
}

/** The trace as it stood at `cutoff` (an Instant key): only evidence known by then. */
export function traceAt(scenario: string, cutoff: string): Trace {
  return recordedTrace(scenario, { keep: (e) => (evidenceTime(e) ?? '') <= cutoff });
}
