// The traces the host pushed (TraceUpdateNotification), by trace id. The server only reads them: the
// host owns the cluster connection. Per manifest document (uri + document index) the trace the host
// started last is the one shown; an older one shows again if the newer one is cleared.

import { isRecord } from '../core/guards.js';
import type { Trace } from '../core/model.js';
import type { TraceClearParams, TraceUpdateParams } from '../protocol/lsp.js';
import type { Binding } from './trace-map.js';

/** One trace as the host last pushed it, and where the server bound it in the manifest. */
export interface PushedTrace {
  readonly traceId: string;
  params: TraceUpdateParams;
  /** Order in which the host started the traces (first update); the latest wins per document. */
  seq: number;
  /**
   * Which manifest document and containers the trace was mapped onto the first time it met the
   * document's text (see trace-map.ts); null until then.
   */
  binding: Binding | null;
}

/** More than any editor session needs; the oldest traces go first. */
const MAX_TRACES = 200;
const MAX_ID = 512;

/** The host is our own code, but a malformed message must not crash the server: check the shape. */
export function parseTraceUpdate(x: unknown): TraceUpdateParams | null {
  if (!isRecord(x)) return null;
  const { traceId, uri, docIndex, live, trace } = x;
  if (typeof traceId !== 'string' || traceId === '' || traceId.length > MAX_ID) return null;
  if (typeof uri !== 'string' || uri === '') return null;
  if (typeof docIndex !== 'number' || !Number.isInteger(docIndex) || docIndex < 0) return null;
  if (!isRecord(trace) || !isRecord(trace.pod) || typeof trace.phase !== 'string') return null;
  if (
    !Array.isArray(trace.steps) ||
    !Array.isArray(trace.diagnosis) ||
    !Array.isArray(trace.containers) ||
    !Array.isArray(trace.notes)
  )
    return null;
  const clean: Trace = {
    ...(trace as unknown as Trace),
    steps: (trace.steps as unknown[]).filter(
      (s): s is Trace['steps'][number] =>
        isRecord(s) && typeof s.id === 'string' && typeof s.kind === 'string' && typeof s.message === 'string',
    ),
    diagnosis: (trace.diagnosis as unknown[]).filter(
      (d): d is Trace['diagnosis'][number] =>
        isRecord(d) &&
        typeof d.cause === 'string' &&
        typeof d.message === 'string' &&
        typeof d.suggestion === 'string' &&
        typeof d.evidence === 'string',
    ),
    containers: (trace.containers as unknown[]).filter(
      (c): c is Trace['containers'][number] => isRecord(c) && typeof c.name === 'string' && typeof c.init === 'boolean',
    ),
  };
  return { traceId, uri, docIndex, live: live === true, trace: clean };
}

export function parseTraceClear(x: unknown): TraceClearParams | null {
  return isRecord(x) && typeof x.traceId === 'string' && x.traceId !== '' ? { traceId: x.traceId } : null;
}

export class TraceStore {
  private readonly entries = new Map<string, PushedTrace>();
  private next = 0;

  /** Stores the latest state of a trace; returns the uris whose decorations may have changed. */
  update(p: TraceUpdateParams): string[] {
    const old = this.entries.get(p.traceId);
    if (old) {
      const moved = old.params.uri !== p.uri || old.params.docIndex !== p.docIndex;
      const uris = moved && old.params.uri !== p.uri ? [old.params.uri, p.uri] : [p.uri];
      old.params = p;
      if (moved) {
        old.binding = null;
        old.seq = this.next++;
      }
      return uris;
    }
    this.entries.set(p.traceId, { traceId: p.traceId, params: p, seq: this.next++, binding: null });
    if (this.entries.size > MAX_TRACES) {
      const oldest = [...this.entries.values()].sort((a, b) => a.seq - b.seq)[0];
      if (oldest) {
        this.entries.delete(oldest.traceId);
        return oldest.params.uri === p.uri ? [p.uri] : [oldest.params.uri, p.uri];
      }
    }
    return [p.uri];
  }

  /** Forgets a trace; returns the uri it decorated (empty when unknown). */
  clear(traceId: string): string[] {
    const e = this.entries.get(traceId);
    if (!e) return [];
    this.entries.delete(traceId);
    return [e.params.uri];
  }

  get(traceId: string): PushedTrace | undefined {
    return this.entries.get(traceId);
  }

  /** The traces shown on a file: per document index, the one started last. */
  forUri(uri: string): PushedTrace[] {
    const best = new Map<number, PushedTrace>();
    for (const e of this.entries.values()) {
      if (e.params.uri !== uri) continue;
      const cur = best.get(e.params.docIndex);
      if (!cur || e.seq > cur.seq) best.set(e.params.docIndex, e);
    }
    return [...best.values()].sort((a, b) => a.params.docIndex - b.params.docIndex);
  }
}
