// Evidence and the state it is folded into.
//
// Order independence and idempotence are structural: every piece of evidence has an identity key, two
// pieces with the same key merge with a commutative, associative rule, and the trace is a pure function
// of the resulting set (see build.ts). Folding the same evidence twice, or in any order, therefore gives
// the same trace.

import { isRecord } from '../guards.js';
import type { Pod } from '../k8s-types.js';
import type { LogRecord, NodeCapacity, NormalizedEvent, TraceNote } from '../model.js';
import type { Instant } from '../time.js';
import { sanitizePod } from './sanitize.js';
import { normalizeEvent, preferEvent } from './events.js';

export type Evidence =
  /** A Pod object, e.g. one watch notification. receivedAt is when our watch received it (ms). */
  | { readonly type: 'pod'; readonly object: Pod; readonly receivedAt?: Instant | null }
  /** A core/v1 or events.k8s.io/v1 Event. */
  | { readonly type: 'event'; readonly object: unknown; readonly receivedAt?: Instant | null }
  /** One parsed runtime or kubelet log record. */
  | { readonly type: 'log'; readonly record: LogRecord }
  /** Facts about the node the pod runs on. */
  | { readonly type: 'node'; readonly name: string; readonly runtimeVersion: string | null }
  /** A note from a live source (degraded mode, disturbance). */
  | { readonly type: 'note'; readonly note: TraceNote }
  /** How much of a resource a node has left for new pods, read when the pod does not fit anywhere. */
  | { readonly type: 'capacity'; readonly capacity: NodeCapacity };

// Declared in the model (the diagnosis reads it too); re-exported where the evidence is defined.
export type { NodeCapacity } from '../model.js';

export interface PodSnapshot {
  readonly pod: Pod;
  readonly rv: string;
  readonly receivedAt: Instant | null;
}

export interface EventEntry {
  readonly event: NormalizedEvent;
  readonly receivedAt: Instant | null;
}

function minInstant(a: Instant | null, b: Instant | null): Instant | null {
  if (!a) return b;
  if (!b) return a;
  return a.key <= b.key ? a : b;
}

/** Stable text of a value with sorted keys: the identity of objects that carry no resourceVersion. */
export function stableStringify(x: unknown): string {
  if (Array.isArray(x)) return `[${x.map(stableStringify).join(',')}]`;
  if (isRecord(x)) {
    return `{${Object.keys(x)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableStringify(x[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(x) ?? 'null';
}

/** resourceVersions are opaque, but etcd's are decimal integers; compare those numerically. */
export function compareResourceVersions(a: string, b: string): number {
  if (/^\d+$/.test(a) && /^\d+$/.test(b)) {
    if (a.length !== b.length) return a.length - b.length;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The identity of a log record. One kubelet line can name several pods (SyncLoop ADD); each is its own
 * record. Cached per record object: the traces of a workload share one node's parsed records, and each
 * building its own key string would copy every line once per pod.
 */
const logKeys = new WeakMap<LogRecord, string>();
function logKey(r: LogRecord): string {
  let key = logKeys.get(r);
  if (key === undefined) {
    key = `${r.time.key}|${r.type === 'kubelet' ? r.pod : ''}|${r.raw}`;
    logKeys.set(r, key);
  }
  return key;
}

export class TraceState {
  readonly snapshots = new Map<string, PodSnapshot>();
  readonly events = new Map<string, EventEntry>();
  private readonly eventVersions = new Map<string, Map<string, EventEntry>>();
  readonly logs = new Map<string, LogRecord>();
  readonly nodes = new Map<string, string | null>();
  readonly notes = new Map<string, TraceNote>();
  readonly capacity = new Map<string, NodeCapacity>();
  /** Bumped on every change that can alter the trace, so callers can skip rebuilding. */
  revision = 0;

  /** Folds one piece of evidence in. Returns whether the state changed. */
  add(ev: Evidence): boolean {
    const changed = this.merge(ev);
    if (changed) this.revision++;
    return changed;
  }

  addAll(evs: Iterable<Evidence>): boolean {
    let changed = false;
    for (const ev of evs) changed = this.add(ev) || changed;
    return changed;
  }

  private merge(ev: Evidence): boolean {
    switch (ev.type) {
      case 'pod': {
        // Untrusted JSON (trace files, explain --pod): wrongly typed fields are dropped, not thrown on.
        const obj = sanitizePod(ev.object);
        if (!obj) return false;
        const declared = obj.metadata?.resourceVersion;
        const rv = typeof declared === 'string' && declared ? declared : `h:${stableStringify(obj)}`;
        const prev = this.snapshots.get(rv);
        const receivedAt = minInstant(prev?.receivedAt ?? null, ev.receivedAt ?? null);
        if (prev && prev.receivedAt?.key === receivedAt?.key) return false;
        // Two objects with one resourceVersion are the same object; keep the first for determinism
        // unless the new one sorts first as text (so arrival order never matters).
        const pod = prev && stableStringify(prev.pod) <= stableStringify(obj) ? prev.pod : obj;
        this.snapshots.set(rv, { pod, rv, receivedAt });
        return true;
      }
      case 'event': {
        const e = normalizeEvent(ev.object);
        if (!e) return false;
        // Every received version of an event is kept with its earliest receive time; the trace uses
        // the preferred version (preferEvent is commutative), so arrival order never matters.
        const versions = this.eventVersions.get(e.uid) ?? new Map<string, EventEntry>();
        const text = stableStringify(e);
        const prev = versions.get(text);
        const receivedAt = minInstant(prev?.receivedAt ?? null, ev.receivedAt ?? null);
        if (prev && prev.receivedAt?.key === receivedAt?.key) return false;
        versions.set(text, { event: prev?.event ?? e, receivedAt });
        this.eventVersions.set(e.uid, versions);
        let best: EventEntry | null = null;
        for (const v of versions.values())
          best = best ? (preferEvent(best.event, v.event) === best.event ? best : v) : v;
        if (best) this.events.set(e.uid, best);
        return true;
      }
      case 'log': {
        const key = logKey(ev.record);
        if (this.logs.has(key)) return false;
        this.logs.set(key, ev.record);
        return true;
      }
      case 'node': {
        const prev = this.nodes.get(ev.name);
        const next =
          prev && ev.runtimeVersion
            ? prev <= ev.runtimeVersion
              ? prev
              : ev.runtimeVersion
            : (prev ?? ev.runtimeVersion);
        if (this.nodes.has(ev.name) && prev === next) return false;
        this.nodes.set(ev.name, next);
        return true;
      }
      case 'note': {
        const key = `${ev.note.kind}|${ev.note.source ?? ''}|${ev.note.message}`;
        if (this.notes.has(key)) return false;
        this.notes.set(key, ev.note);
        return true;
      }
      case 'capacity': {
        const c = ev.capacity;
        const key = `${c.node}|${c.resource}`;
        const prev = this.capacity.get(key);
        // Later reading wins; equal times fall back to text order so the merge stays commutative.
        if (
          prev &&
          (prev.observedAt > c.observedAt ||
            (prev.observedAt === c.observedAt && stableStringify(prev) >= stableStringify(c)))
        )
          return false;
        this.capacity.set(key, c);
        return true;
      }
    }
  }

  /** Snapshots in resourceVersion order (oldest first). */
  orderedSnapshots(): PodSnapshot[] {
    return [...this.snapshots.values()].sort((a, b) => compareResourceVersions(a.rv, b.rv));
  }
}
