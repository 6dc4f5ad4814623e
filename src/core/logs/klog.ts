// kubelet klog lines: `I0528 16:17:04.319660    4941 file.go:102] "msg" k="v" k2=v2`. The header has
// no year and is node-local time (treated as UTC here). Only the handful of messages that mark steps of
// a pod's birth become records.

import { isRecord } from '../guards.js';
import { parseInstant, type Instant } from '../time.js';
import { readGoQuoted } from './go-string.js';
import { parseKeyValues } from './key-values.js';
import type { KubeletDraft } from './records.js';
import { partialTime, type PartialTime } from './year.js';

export interface KlogLine {
  readonly severity: 'I' | 'W' | 'E' | 'F';
  readonly time: PartialTime;
  readonly msg: string;
  /** Structured key/values; empty for old unstructured lines. */
  readonly fields: ReadonlyMap<string, string>;
  readonly structured: boolean;
}

const HEADER_RE = /^([IWEF])(\d{2})(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))? +\d+ [^\s\]]+\] ?/;

export function parseKlogLine(body: string): KlogLine | null {
  const h = HEADER_RE.exec(body);
  if (!h) return null;
  const [whole, sev = 'I', mo = '', d = '', hh = '', mi = '', ss = '', frac = ''] = h;
  const time = partialTime(
    Number(mo),
    Number(d),
    Number(hh),
    Number(mi),
    Number(ss),
    frac,
    frac.length === 0 ? 's' : frac.length <= 3 ? 'ms' : frac.length <= 6 ? 'us' : 'ns',
  );
  if (!time) return null;
  const severity = sev as KlogLine['severity'];
  const rest = body.slice(whole.length);
  if (rest.startsWith('"')) {
    const q = readGoQuoted(rest, 0);
    // complete: a line cut inside `pod="ns/na…` must not name the pod `ns/na`.
    if (q)
      return {
        severity,
        time,
        msg: q.value,
        fields: parseKeyValues(rest, q.end, { nested: true, complete: true }),
        structured: true,
      };
  }
  return { severity, time, msg: rest, fields: new Map(), structured: false };
}

/** Go prints a time.Time taken from time.Now() with its monotonic reading: `… +0000 UTC m=+23257.47`. */
export function stripMonotonic(value: string): string {
  return value.replace(/ m=[+-]\d+(?:\.\d+)?$/, '');
}

function safeSet(o: Record<string, string>, k: string, v: string): void {
  // `__proto__` from log text would set the prototype rather than a field.
  if (k !== '__proto__') o[k] = v;
}

function fieldsObject(
  m: ReadonlyMap<string, string>,
  transform: (v: string) => string = (v) => v,
): Record<string, string> {
  const o: Record<string, string> = {};
  for (const [k, v] of m) safeSet(o, k, transform(v));
  return o;
}

function isPodKey(s: string): boolean {
  return /^[^\s/]+\/[^\s/]+$/.test(s);
}

/**
 * `["ns/a","ns/b"]` (1.27+) or `[ns/a ns/b]` (KObjs printed with %v in older releases). Tokens are
 * quoted strings (raw text between the quotes; a backslash escapes the next character) or runs of
 * anything but blanks, commas and quotes. One pass: the regex this replaces retried every quote of an
 * unterminated run to the end of the line, quadratic (`pods=[\"\"\"…` of 200 KB took 40 s).
 */
function podList(value: string): string[] {
  const inner = value.trim().replace(/^\[/, '').replace(/\]$/, '');
  const out: string[] = [];
  const n = inner.length;
  // Once a quote finds no closing quote, no later one can (it would have closed the first), so
  // quotes become plain separators from there on.
  let quotesClose = true;
  let i = 0;
  while (i < n) {
    const c = inner[i] as string;
    if (c === '"') {
      if (quotesClose) {
        let j = i + 1;
        while (j < n && inner[j] !== '"') j += inner[j] === '\\' ? 2 : 1;
        if (j < n) {
          const p = inner.slice(i + 1, j);
          if (isPodKey(p)) out.push(p);
          i = j + 1;
          continue;
        }
        quotesClose = false;
      }
      i++;
      continue;
    }
    if (/[\s,]/.test(c)) {
      i++;
      continue;
    }
    let j = i;
    while (j < n && !/[\s,"]/.test(inner[j] as string)) j++;
    const p = inner.slice(i, j);
    if (isPodKey(p)) out.push(p);
    i = j;
  }
  return out;
}

/** `{"ID":"…","Type":"ContainerStarted","Data":"…"}` (JSON) or `&{ID:… Type:… Data:…}` (older %+v). */
function plegEvent(value: string): Record<string, string> | null {
  const v = value.trim();
  if (v.startsWith('{')) {
    try {
      const parsed: unknown = JSON.parse(v);
      if (isRecord(parsed)) {
        const o: Record<string, string> = {};
        for (const [k, x] of Object.entries(parsed)) {
          safeSet(
            o,
            k,
            typeof x === 'string'
              ? x
              : x === null || x === undefined
                ? ''
                : typeof x === 'object'
                  ? JSON.stringify(x)
                  : String(x),
          );
        }
        return o;
      }
    } catch {
      // fall through to the %+v form
    }
  }
  // ID and Type values never hold a colon; excluding it keeps the search linear (with `[^\s"}]+` a
  // 200 KB run of `ID:ID:…` backtracked from every `ID:` to the end of the run: 20 s).
  const m = /ID:"?([^\s"}:]+)"?,? Type:"?([^\s"},:]+)"?,? Data:"?([^\s"}]*)"?/.exec(v);
  if (!m) return null;
  return { ID: m[1] ?? '', Type: m[2] ?? '', Data: m[3] ?? '' };
}

/** Old unstructured `name_namespace(uid)` pod lists (kubelet < 1.21). */
function podsWithUid(text: string): { pod: string; uid: string }[] {
  const out: { pod: string; uid: string }[] = [];
  // Matches start only where a name can start (not inside a run of name characters) and the UID holds
  // no parenthesis: otherwise every position of a long run backtracked to its end, quadratic (a 200 KB
  // `SyncLoop (ADD, "api"): "aaa…"` took 73 s).
  for (const m of text.matchAll(/(?<![A-Za-z0-9.-])([A-Za-z0-9.-]+)_([A-Za-z0-9-]+)\(([^()]*)\)/g)) {
    out.push({ pod: `${m[2] ?? ''}/${m[1] ?? ''}`, uid: m[3] ?? '' });
  }
  return out;
}

const STARTUP_TIME_KEYS = [
  'watchObservedRunningTime',
  'observedRunningTime',
  'podCreationTimestamp',
  'pod.CreationTimestamp',
];

export interface KubeletItems {
  readonly drafts: KubeletDraft[];
  /** A full timestamp the line carries in its fields: evidence of the year for header-only times. */
  readonly anchor: Instant | null;
}

/**
 * Turns a klog line into kubelet records (several for a multi-pod `SyncLoop ADD`). The kubelet's JSON
 * format gives the same message and fields (kubelet-json.ts), so it is read here too.
 */
export function kubeletItems(line: Pick<KlogLine, 'msg' | 'fields' | 'structured'>): KubeletItems {
  const { msg, fields } = line;
  const none: KubeletItems = { drafts: [], anchor: null };
  if (!line.structured) {
    const add = /^SyncLoop \(ADD, "([^"]*)"\): "(.*)"$/.exec(msg);
    if (add) {
      const source = add[1] ?? '';
      return {
        drafts: podsWithUid(add[2] ?? '').map((p) => ({
          event: 'syncloop-add' as const,
          pod: p.pod,
          fields: { source, uid: p.uid },
        })),
        anchor: null,
      };
    }
    const pleg = /^SyncLoop \(PLEG\): "([^"]*)", event: (.*)$/.exec(msg);
    const target = pleg ? podsWithUid(pleg[1] ?? '')[0] : undefined;
    const ev = pleg ? plegEvent(pleg[2] ?? '') : null;
    return target && ev ? { drafts: [{ event: 'pleg', pod: target.pod, fields: ev }], anchor: null } : none;
  }
  const pod = fields.get('pod');
  switch (msg) {
    case 'SyncLoop ADD': {
      const pods = podList(fields.get('pods') ?? '');
      return {
        drafts: pods.map((p) => ({ event: 'syncloop-add' as const, pod: p, fields: fieldsObject(fields) })),
        anchor: null,
      };
    }
    case 'Observed pod startup duration': {
      if (!pod || !isPodKey(pod)) return none;
      let anchor: Instant | null = null;
      for (const k of STARTUP_TIME_KEYS) {
        const v = fields.get(k);
        const i = v ? parseInstant(stripMonotonic(v)) : null;
        if (i && i.key >= '1970') {
          anchor = i;
          break;
        }
      }
      return { drafts: [{ event: 'startup-duration', pod, fields: fieldsObject(fields, stripMonotonic) }], anchor };
    }
    case 'SyncLoop (PLEG): event for pod': {
      if (!pod || !isPodKey(pod)) return none;
      const ev = plegEvent(fields.get('event') ?? '');
      if (!ev) return none;
      return { drafts: [{ event: 'pleg', pod, fields: ev }], anchor: null };
    }
    case 'No sandbox for pod can be found. Need to start a new one':
      return pod && isPodKey(pod)
        ? { drafts: [{ event: 'sandbox-decision', pod, fields: fieldsObject(fields) }], anchor: null }
        : none;
    case 'Event occurred': {
      const object = fields.get('object');
      const kind = fields.get('kind');
      if (!object || !isPodKey(object) || (kind !== undefined && kind !== 'Pod')) return none;
      return { drafts: [{ event: 'event-occurred', pod: object, fields: fieldsObject(fields) }], anchor: null };
    }
    default:
      break;
  }
  if (msg.startsWith('MountVolume.SetUp succeeded for volume ') && pod && isPodKey(pod)) {
    const f = fieldsObject(fields);
    const volume = readGoQuoted(msg, 'MountVolume.SetUp succeeded for volume '.length);
    if (volume) f['volume'] = volume.value;
    const unique = /\(UniqueName: "([^"]*)"\)/.exec(msg)?.[1];
    if (unique !== undefined) f['uniqueName'] = unique;
    const uid = /\(UID: "([^"]*)"\)/.exec(msg)?.[1];
    if (uid !== undefined) f['uid'] = uid;
    return { drafts: [{ event: 'mount-succeeded', pod, fields: f }], anchor: null };
  }
  return none;
}
