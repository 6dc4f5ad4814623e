// Both Event APIs (core/v1 and events.k8s.io/v1) describe the same stored objects; this folds them
// into one shape so the reducers key on reason + fieldPath and never on message wording.

import { isRecord } from '../guards.js';
import type { CoreEvent, EventsV1Event, ObjectReference } from '../k8s-types.js';
import type { NormalizedEvent } from '../model.js';
import { parseInstant, type Instant } from '../time.js';

// The shape is declared in the model (the diagnosis reads it too); re-exported here, where it is made.
export type { NormalizedEvent } from '../model.js';
// Lives in a neutral module (the diagnosis needs it too); re-exported for the trace's callers.
export { containerFromFieldPath } from '../event-field-path.js';

function str(x: unknown): string {
  return typeof x === 'string' ? x : '';
}

function ref(x: unknown): ObjectReference {
  if (!isRecord(x)) return {};
  const out: ObjectReference = {};
  for (const k of ['kind', 'namespace', 'name', 'uid', 'apiVersion', 'fieldPath'] as const) {
    const v = x[k];
    if (typeof v === 'string') out[k] = v;
  }
  return out;
}

function num(x: unknown): number | null {
  return typeof x === 'number' && Number.isFinite(x) && x >= 0 ? Math.floor(x) : null;
}

/** Accepts either API shape (or anything else, returning null). */
export function normalizeEvent(raw: unknown): NormalizedEvent | null {
  if (!isRecord(raw)) return null;
  const meta = isRecord(raw.metadata) ? raw.metadata : {};
  const isV1 =
    isRecord(raw.regarding) || typeof raw.note === 'string' || str(raw.apiVersion).startsWith('events.k8s.io/');
  const series = isRecord(raw.series) ? raw.series : null;
  const eventTime = parseInstant(raw.eventTime);
  let first: Instant | null;
  let last: Instant | null;
  let count: number;
  let reasonText: string;
  let message: string;
  let regarding: ObjectReference;
  let component: string;
  if (isV1) {
    const e = raw as EventsV1Event;
    first = eventTime ?? parseInstant(e.deprecatedFirstTimestamp);
    last = parseInstant(series?.lastObservedTime) ?? parseInstant(e.deprecatedLastTimestamp) ?? first;
    count = num(series?.count) ?? num(e.deprecatedCount) ?? 1;
    reasonText = str(e.reason);
    message = str(e.note);
    regarding = ref(e.regarding);
    component = str(e.reportingController) || str(e.deprecatedSource?.component);
  } else {
    const e = raw as CoreEvent;
    first = eventTime ?? parseInstant(e.firstTimestamp);
    last = parseInstant(series?.lastObservedTime) ?? parseInstant(e.lastTimestamp) ?? first;
    count = num(series?.count) ?? num(e.count) ?? 1;
    reasonText = str(e.reason);
    message = str(e.message);
    regarding = ref(e.involvedObject);
    component = str(e.source?.component) || str(e.reportingComponent);
  }
  const uid = str(meta.uid) || `${str(meta.namespace)}/${str(meta.name)}`;
  if (uid === '/' || !reasonText) return null;
  if (first && last && last.key < first.key) last = first;
  return {
    uid,
    reason: reasonText,
    message,
    type: str(raw.type) || 'Normal',
    regarding,
    first,
    last,
    count: Math.max(1, count),
    component,
    resourceVersion: str(meta.resourceVersion),
  };
}

/** Events from a List (`kubectl get events -o json`) or a bare array; other shapes give []. */
export function eventsFromList(raw: unknown): NormalizedEvent[] {
  const items = Array.isArray(raw) ? raw : isRecord(raw) && Array.isArray(raw.items) ? raw.items : null;
  if (!items) {
    const one = normalizeEvent(raw);
    return one ? [one] : [];
  }
  const out: NormalizedEvent[] = [];
  for (const it of items) {
    const e = normalizeEvent(it);
    if (e) out.push(e);
  }
  return out;
}

/** Does this event regard the given pod? By uid when both have one, else by namespace + name. */
export function regardsPod(
  e: NormalizedEvent,
  pod: { uid: string | null; name: string | null; namespace: string | null },
): boolean {
  const r = e.regarding;
  if (r.kind && r.kind !== 'Pod') return false;
  if (r.uid && pod.uid) return r.uid === pod.uid;
  return !!r.name && r.name === pod.name && (!r.namespace || !pod.namespace || r.namespace === pod.namespace);
}

/**
 * Which of two versions of the same event (same uid) to keep. Commutative and deterministic so that
 * folding evidence in any order gives the same trace: more occurrences win, then the later last time,
 * then the more precise first time, then a plain text comparison as the final tie-break.
 */
export function preferEvent(a: NormalizedEvent, b: NormalizedEvent): NormalizedEvent {
  if (a.count !== b.count) return a.count > b.count ? a : b;
  const la = a.last?.key ?? '';
  const lb = b.last?.key ?? '';
  if (la !== lb) return la > lb ? a : b;
  const pa = a.first ? precisionScore(a.first) : -1;
  const pb = b.first ? precisionScore(b.first) : -1;
  if (pa !== pb) return pa > pb ? a : b;
  return JSON.stringify(a) >= JSON.stringify(b) ? a : b;
}

function precisionScore(i: Instant): number {
  return i.precision === 's' ? 0 : i.precision === 'ms' ? 1 : i.precision === 'us' ? 2 : 3;
}
