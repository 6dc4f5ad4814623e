// The kubelet's JSON log format (`--logging-format=json`, component-base's zap encoder):
//   {"ts":1796581138161.123,"caller":"kubelet/kubelet.go:2468","msg":"SyncLoop ADD","v":0,"source":"api","pods":["ns/name"]}
// `ts` is epoch milliseconds as a float (epochMillisTimeEncoder), `v` the verbosity; no `time` or
// `level` key, which is what tells it from logrus JSON. Object references print as
// `{"name":…,"namespace":…}`; they are turned into the `ns/name` text the klog form has, so one
// reading of the messages (kubeletItems) serves both.

import { isRecord } from '../guards.js';
import { instantFromMs, type Instant } from '../time.js';

export interface KubeletJsonLine {
  readonly time: Instant;
  readonly msg: string;
  /** Fields as the klog text form would print them (object references as `ns/name`). */
  readonly fields: ReadonlyMap<string, string>;
}

/** `{"name":"x","namespace":"ns"}` → `ns/x`; other values as JSON text (strings as they are). */
function fieldText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (isRecord(v) && typeof v.name === 'string' && typeof v.namespace === 'string' && Object.keys(v).length <= 3)
    return `${v.namespace}/${v.name}`;
  if (Array.isArray(v)) return JSON.stringify(v.map((x) => (isRecord(x) ? fieldText(x) : x)));
  try {
    return JSON.stringify(v) ?? '';
  } catch {
    return '';
  }
}

/** A kubelet JSON line, or null when the body is not one. */
export function parseKubeletJson(body: string): KubeletJsonLine | null {
  if (!body.startsWith('{') || !body.includes('"ts"')) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return null;
  }
  if (!isRecord(parsed) || typeof parsed.msg !== 'string' || typeof parsed.ts !== 'number') return null;
  if ('time' in parsed || 'level' in parsed || !Number.isFinite(parsed.ts) || parsed.ts <= 0) return null;
  // Float milliseconds carry at most microseconds (float64 digits), often fewer when the fraction ends in 0.
  const precision = Number.isInteger(parsed.ts) ? 'ms' : 'us';
  const fields = new Map<string, string>();
  for (const [k, v] of Object.entries(parsed)) {
    if (k === 'ts' || k === 'msg' || k === '__proto__') continue;
    fields.set(k, fieldText(v));
  }
  return { time: instantFromMs(parsed.ts, precision), msg: parsed.msg, fields };
}
