// The envelope around a runtime or kubelet line: journalctl's `short-precise` (what the kubelet's Node
// Log Query returns: UTC, microseconds, no year), classic `short` syslog (seconds), `short-iso`, or an
// unknown prefix (localised month names, other collectors) before a recognisable body.

import { parseInstant, type Instant } from '../time.js';
import { monthFromName, partialTime, type PartialTime } from './year.js';

export type EnvelopeTime = { readonly partial: PartialTime } | { readonly instant: Instant };

export interface Envelope {
  /** The collector's time for the line, if it printed one. */
  readonly time: EnvelopeTime | null;
  /** The syslog identifier (`containerd`, `crio`, `kubelet`, `microk8s.daemon-containerd`). */
  readonly ident: string | null;
  readonly body: string;
}

const SHORT_RE =
  /^([A-Z][a-z]{2}) {1,2}(\d{1,2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))? \S+ ([^\s[:]+)(?:\[\d+\])?: ?/;
const ISO_RE =
  /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:[.,]\d{1,9})?(?:Z|[+-]\d{2}:?\d{2})) \S+ ([^\s[:]+)(?:\[\d+\])?: ?/;
const KLOG_START_RE = /[IWEF]\d{4} \d{2}:\d{2}:\d{2}/y;

/** Whether the text at `pos` starts like a line one of the parsers understands. */
export function looksLikeBody(text: string, pos = 0): boolean {
  if (
    text.startsWith('time=', pos) ||
    text.startsWith('level=', pos) ||
    text.startsWith('msg=', pos) ||
    text.startsWith('{', pos)
  ) {
    return true;
  }
  KLOG_START_RE.lastIndex = pos;
  return KLOG_START_RE.test(text);
}

const FALLBACK_SCAN = 512;

export function splitEnvelope(line: string): Envelope {
  const short = SHORT_RE.exec(line);
  if (short) {
    const [whole, mon = '', day = '', h = '', mi = '', s = '', frac, ident = ''] = short;
    const month = monthFromName(mon);
    const partial = month
      ? partialTime(
          month,
          Number(day),
          Number(h),
          Number(mi),
          Number(s),
          frac ?? '',
          frac === undefined ? 's' : frac.length <= 3 ? 'ms' : frac.length <= 6 ? 'us' : 'ns',
        )
      : null;
    if (partial) return { time: { partial }, ident, body: line.slice(whole.length) };
  }
  const iso = ISO_RE.exec(line);
  if (iso) {
    const [whole, stamp = '', ident = ''] = iso;
    const instant = parseInstant(stamp.replace(',', '.'));
    if (instant) return { time: { instant }, ident, body: line.slice(whole.length) };
  }
  if (looksLikeBody(line)) return { time: null, ident: null, body: line };
  // An unknown prefix (a localised journal, a log shipper): look for `: ` followed by a known body.
  const limit = Math.min(line.length, FALLBACK_SCAN);
  for (let i = line.indexOf(': '); i >= 0 && i < limit; i = line.indexOf(': ', i + 1)) {
    if (looksLikeBody(line, i + 2)) {
      const ident = /([^\s[:]+)(?:\[\d+\])?$/.exec(line.slice(0, i))?.[1] ?? null;
      return { time: null, ident, body: line.slice(i + 2) };
    }
  }
  return { time: null, ident: null, body: line };
}
