// The trace file: the evidence a live trace received, so it can be replayed offline
// (`pod-birth explain --trace`, the extension's "Open Trace File") and attached to bug reports.
// Evidence, not the derived trace, is stored, so a newer Pod Birth re-derives a better trace.

import { isRecord } from '../guards.js';
import type { Evidence } from './evidence.js';

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

/** The evidence of a parsed trace file, shape-checked piece by piece; a string says what is wrong. */
export function readTraceFile(raw: unknown): Evidence[] | string {
  if (!isRecord(raw) || raw.format !== TRACE_FILE_FORMAT)
    return `is not a Pod Birth trace file (format "${TRACE_FILE_FORMAT}")`;
  if (raw.version !== TRACE_FILE_VERSION)
    return `has trace file version ${String(raw.version)}; this Pod Birth reads version ${TRACE_FILE_VERSION}`;
  if (!Array.isArray(raw.evidence)) return 'has no evidence list';
  const out: Evidence[] = [];
  for (const e of raw.evidence) {
    if (!isRecord(e)) continue;
    const ok =
      ((e.type === 'pod' || e.type === 'event') && isRecord(e.object)) ||
      (e.type === 'log' &&
        isRecord(e.record) &&
        isRecord(e.record.time) &&
        typeof e.record.time.key === 'string' &&
        typeof e.record.raw === 'string') ||
      (e.type === 'node' && typeof e.name === 'string') ||
      (e.type === 'note' && isRecord(e.note) && typeof e.note.message === 'string') ||
      (e.type === 'capacity' &&
        isRecord(e.capacity) &&
        typeof e.capacity.node === 'string' &&
        (e.capacity.resource === 'cpu' || e.capacity.resource === 'memory') &&
        Number.isFinite(e.capacity.allocatable) &&
        Number.isFinite(e.capacity.requested) &&
        typeof e.capacity.observedAt === 'string');
    if (ok) out.push(e as unknown as Evidence);
  }
  return out;
}
