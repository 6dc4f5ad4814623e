export {
  TraceState,
  stableStringify,
  compareResourceVersions,
  type Evidence,
  type NodeCapacity,
  type PodSnapshot,
} from './evidence.js';
export { buildTrace, type BuildOptions } from './build.js';
export { makeTraceFile, readTraceFile, TRACE_FILE_FORMAT, TRACE_FILE_VERSION, type TraceFile } from './trace-file.js';
export { stepsAwaitingRuntimeLog } from './runtime-lag.js';
export { ownLogRecords } from './pod-view.js';
export { normalizeEvent, eventsFromList, regardsPod, containerFromFieldPath, type NormalizedEvent } from './events.js';

import type { Trace } from '../model.js';
import { buildTrace } from './build.js';
import { TraceState, type Evidence } from './evidence.js';

/** Folds a batch of evidence into a fresh state and builds the trace. */
export function traceFromEvidence(evidence: Iterable<Evidence>): Trace {
  const state = new TraceState();
  state.addAll(evidence);
  return buildTrace(state);
}
