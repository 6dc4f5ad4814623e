// One line, no state: which format it is, what time it carries and what it says. Formats are detected
// per line because a Node Log Query for several services, or a file a user pasted, can mix them.

import { parseInstant, type Instant } from '../time.js';
import type { LogFormat, CriRecord } from '../model.js';
import { parseContainerdMessage } from './containerd.js';
import { hasCrioFields, parseCrioMessage } from './crio.js';
import { splitEnvelope, type EnvelopeTime } from './journald.js';
import { kubeletItems, parseKlogLine } from './klog.js';
import { parseKubeletJson } from './kubelet-json.js';
import { parseLogrusJson, parseLogrusText } from './logrus.js';
import type { KubeletDraft, RuntimeItem } from './records.js';
import type { PartialTime } from './year.js';

export type LineTime = EnvelopeTime;

export interface ParsedLine {
  /** Null when the shape is known (logrus) but nothing says which runtime wrote it. */
  readonly format: LogFormat | null;
  readonly runtime: CriRecord['runtime'] | null;
  /** The line's own time; null when it has none (a bare `level=… msg=…` line). */
  readonly time: LineTime | null;
  /** A full timestamp (with year) the line carries: evidence for resolving year-less times. */
  readonly anchor: Instant | null;
  readonly item: RuntimeItem | null;
  readonly kubelet: readonly KubeletDraft[];
}

function secondOfDay(p: PartialTime): number {
  return p.hour * 3600 + p.minute * 60 + p.second;
}

/**
 * The collector's time is UTC and, from Node Log Query, microsecond-precise, so it wins. A plain
 * syslog prefix has whole seconds only; the klog header's microseconds are used when both agree on
 * the second (that is, the node's local zone is UTC).
 */
function klogTime(envelope: LineTime | null, header: PartialTime): LineTime {
  if (!envelope) return { partial: header };
  if ('instant' in envelope || envelope.partial.precision !== 's') return envelope;
  const delta = Math.abs(secondOfDay(envelope.partial) - secondOfDay(header));
  return delta <= 2 || delta >= 86_398 ? { partial: header } : envelope;
}

function runtimeHint(ident: string | null, fields: ReadonlyMap<string, string>): CriRecord['runtime'] | null {
  if (hasCrioFields(fields) || (ident !== null && /crio|cri-o/i.test(ident))) return 'cri-o';
  if (ident !== null && /containerd/i.test(ident)) return 'containerd';
  return null;
}

export function parseLine(line: string): ParsedLine | null {
  const env = splitEnvelope(line);
  const envAnchor = env.time && 'instant' in env.time ? env.time.instant : null;
  const klog = parseKlogLine(env.body);
  if (klog) {
    const items = kubeletItems(klog);
    return {
      format: 'klog',
      runtime: null,
      time: klogTime(env.time, klog.time),
      anchor: items.anchor ?? envAnchor,
      item: null,
      kubelet: items.drafts,
    };
  }
  const kj = parseKubeletJson(env.body);
  if (kj) {
    const items = kubeletItems({ msg: kj.msg, fields: kj.fields, structured: true });
    return {
      format: 'kubelet-json',
      runtime: null,
      time: { instant: kj.time },
      anchor: kj.time,
      item: null,
      kubelet: items.drafts,
    };
  }
  const entry = parseLogrusText(env.body) ?? parseLogrusJson(env.body);
  if (!entry) return null;
  const inner = entry.time !== null ? parseInstant(entry.time) : null;
  let item = parseContainerdMessage(entry.msg, entry.fields);
  let runtime: CriRecord['runtime'] | null = item ? 'containerd' : null;
  if (!item) {
    item = parseCrioMessage(entry.msg, entry.fields);
    runtime = item ? 'cri-o' : runtimeHint(env.ident, entry.fields);
  }
  const format: LogFormat | null =
    runtime === null ? null : `${runtime === 'cri-o' ? 'crio' : 'containerd'}-${entry.encoding}`;
  return {
    format,
    runtime,
    time: inner ? { instant: inner } : env.time,
    anchor: inner ?? envAnchor,
    item,
    kubelet: [],
  };
}

/** The format of one line, or null when it is none the parsers know. */
export function detectLineFormat(line: string): LogFormat | null {
  try {
    return parseLine(line.replace(/\r$/, ''))?.format ?? null;
  } catch {
    return null;
  }
}
