// The trace file: the evidence a live trace received, so it can be replayed offline
// (`pod-birth explain --trace`, the extension's "open trace file") and attached to bug reports.
// Evidence, not the derived trace, is stored, so a newer Pod Birth re-derives a better trace.

import type { Evidence } from '../core/trace/index.js';

export const TRACE_FILE_FORMAT = 'pod-birth-trace';
export const TRACE_FILE_VERSION = 1;

export interface TraceFile {
  readonly format: typeof TRACE_FILE_FORMAT;
  readonly version: number;
  readonly recordedAt: string;
  readonly context: string | null;
  readonly namespace: string;
  readonly name: string;
  readonly evidence: readonly Evidence[];
}

export function makeTraceFile(p: Omit<TraceFile, 'format' | 'version'>): TraceFile {
  return { format: TRACE_FILE_FORMAT, version: TRACE_FILE_VERSION, ...p };
}
