// The stateful part: attaches times (resolving year-less ones), carries facts from a start line to its
// end line, caps what is kept of each line, and counts formats. One line at a time, so a 100 MB log is
// never held in memory; only records waiting for their year are buffered.

import type { CriRecord, KubeletRecord, LogFormat, LogRecord } from '../model.js';
import type { Instant } from '../time.js';
import { parseLine, type LineTime } from './detect.js';
import type { CriDraft, CriRecordWithPull, PullDetail } from './records.js';
import { YearResolver } from './year.js';

export interface LogParserOptions {
  /** The year of the log's first year-less timestamp (journald short formats, klog headers). */
  readonly referenceYear?: number;
  /**
   * An instant near the log (for example when it was fetched): year-less times get the year that puts
   * them nearest to it. Overrides `referenceYear`. Without either, the year comes from the first full
   * timestamp in the log, else the current UTC year.
   */
  readonly reference?: Instant;
  /** How much of each line is kept in `raw` (default 4096 characters). Longer lines are still parsed whole. */
  readonly maxRawLength?: number;
}

export interface LogParser {
  /** Feeds one line (a trailing CR is dropped; embedded newlines split it) and returns the records now complete. */
  push(line: string): LogRecord[];
  /** Ends the input and returns the records still waiting for their year. */
  end(): LogRecord[];
  /** The format most records came in (or, without records, most recognised lines), so far. */
  readonly format: LogFormat | null;
  /** Non-blank lines that produced no record. */
  readonly skipped: number;
}

export interface ParsedLogText {
  readonly format: LogFormat | null;
  readonly records: LogRecord[];
  readonly skipped: number;
}

const DEFAULT_MAX_RAW = 4096;
/** Records waiting for a year beyond this are given the current year rather than grow without bound. */
const MAX_PENDING = 100_000;
/** Start-line facts kept for joining with end lines; old ones are dropped first. */
const MAX_JOIN_ENTRIES = 4096;

class BoundedMap<V> {
  private readonly map = new Map<string, V>();
  set(k: string, v: V): void {
    this.map.delete(k);
    this.map.set(k, v);
    if (this.map.size > MAX_JOIN_ENTRIES) {
      const oldest = this.map.keys().next();
      if (!oldest.done) this.map.delete(oldest.value);
    }
  }
  take(k: string): V | undefined {
    const v = this.map.get(k);
    this.map.delete(k);
    return v;
  }
  get(k: string): V | undefined {
    return this.map.get(k);
  }
}

interface Pending {
  readonly time: LineTime;
  readonly make: (t: Instant) => LogRecord;
}

function capRaw(line: string, max: number): string {
  if (line.length <= max) return line;
  let cut = Math.max(0, max - 1);
  const c = line.charCodeAt(cut - 1);
  if (c >= 0xd800 && c <= 0xdbff) cut--; // do not split a surrogate pair
  return line.slice(0, cut) + '…';
}

function argmax(counts: Map<LogFormat, number>): LogFormat | null {
  let best: LogFormat | null = null;
  let bestN = 0;
  for (const [f, n] of counts) {
    if (n > bestN) {
      best = f;
      bestN = n;
    }
  }
  return best;
}

/**
 * Facts one line leaves for a later line of the same call: a CRI-O PullImage start names the image
 * its end line omits (joined by request id), a CRI-O sandbox hint gives the pod uid its RunPodSandbox
 * lines lack, and containerd's `Pulled image` line gives the detail of the PullImage end with that
 * image id. Bounded: old facts are dropped first.
 */
class CriJoins {
  private readonly crioPullImage = new BoundedMap<string>(); // request id → image
  private readonly crioSandboxUid = new BoundedMap<string>(); // sandbox id → pod uid
  private readonly pulled = new BoundedMap<PullDetail>(); // image id → containerd `Pulled image` detail

  notePulled(detail: PullDetail): void {
    this.pulled.set(detail.imageId, detail);
  }

  noteSandboxUid(sandboxId: string, uid: string): void {
    this.crioSandboxUid.set(sandboxId, uid);
  }

  /** The draft with what earlier lines said about it. */
  enrich(runtime: CriRecord['runtime'], d: CriDraft): CriDraft & { pull?: PullDetail } {
    if (runtime === 'cri-o') {
      if (d.rpc === 'PullImage' && d.requestId) {
        if (d.phase === 'start' && d.image) this.crioPullImage.set(d.requestId, d.image);
        else if (d.phase !== 'start' && !d.image) {
          const image = this.crioPullImage.take(d.requestId);
          if (image) return { ...d, image };
        }
      }
      if (d.rpc === 'RunPodSandbox' && d.sandboxId && !d.sandbox?.uid) {
        const uid = this.crioSandboxUid.get(d.sandboxId);
        if (uid) return { ...d, sandbox: { ...d.sandbox, uid } };
      }
      return d;
    }
    if (d.rpc === 'PullImage' && d.phase === 'end' && d.imageRef) {
      const detail = this.pulled.take(d.imageRef);
      if (detail) return { ...d, pull: detail };
    }
    return d;
  }
}

/** A line without its CR, NULs and (on the first line) byte-order mark. */
function cleanLine(rawLine: string, first: boolean): string {
  let line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
  if (line.includes('\0')) line = line.replace(/\0/g, '');
  if (first && line.charCodeAt(0) === 0xfeff) line = line.slice(1);
  return line;
}

export function createLogParser(opts: LogParserOptions = {}): LogParser {
  const maxRaw =
    opts.maxRawLength !== undefined && opts.maxRawLength >= 16 ? Math.floor(opts.maxRawLength) : DEFAULT_MAX_RAW;
  const years = new YearResolver(opts.referenceYear ?? null, opts.reference ?? null);
  const pending: Pending[] = [];
  const recordFormats = new Map<LogFormat, number>();
  const lineFormats = new Map<LogFormat, number>();
  const joins = new CriJoins();
  let skipped = 0;
  let first = true;

  function resolve(p: Pending): LogRecord | null {
    const t = 'instant' in p.time ? p.time.instant : years.resolve(p.time.partial);
    if (!t) {
      skipped++;
      return null;
    }
    return p.make(t);
  }

  function flush(out: LogRecord[]): void {
    for (const p of pending.splice(0)) {
      const r = resolve(p);
      if (r) out.push(r);
    }
  }

  function pushOne(rawLine: string, out: LogRecord[]): void {
    const line = cleanLine(rawLine, first);
    first = false;
    if (line.trim() === '') return;
    let parsed: ReturnType<typeof parseLine>;
    try {
      parsed = parseLine(line);
    } catch {
      parsed = null; // defensive: a parser bug must cost one line, not the log
    }
    if (!parsed) {
      skipped++;
      return;
    }
    if (parsed.format) lineFormats.set(parsed.format, (lineFormats.get(parsed.format) ?? 0) + 1);
    if (parsed.anchor) {
      years.observe(parsed.anchor);
      if (pending.length > 0) {
        flush(out);
        years.observe(parsed.anchor);
      }
    }
    const raw = capRaw(line, maxRaw);
    const makers: ((t: Instant) => LogRecord)[] = [];
    const item = parsed.item;
    if (item?.kind === 'pulled') joins.notePulled(item.detail);
    else if (item?.kind === 'sandbox-hint') joins.noteSandboxUid(item.hint.sandboxId, item.hint.uid);
    else if (item?.kind === 'cri' && parsed.runtime) {
      const runtime = parsed.runtime;
      const draft = joins.enrich(runtime, item.draft);
      makers.push((time): CriRecordWithPull => ({ type: 'cri', runtime, time, ...draft, raw }));
    }
    for (const k of parsed.kubelet) makers.push((time): KubeletRecord => ({ type: 'kubelet', time, ...k, raw }));
    if (makers.length === 0 || !parsed.time) {
      skipped++;
      return;
    }
    if (parsed.format) recordFormats.set(parsed.format, (recordFormats.get(parsed.format) ?? 0) + makers.length);
    const time = parsed.time;
    for (const make of makers) {
      const p: Pending = { time, make };
      // Keep input order: once anything waits for its year, everything after it waits too.
      if (pending.length > 0 || ('partial' in time && !years.ready)) pending.push(p);
      else {
        const r = resolve(p);
        if (r) out.push(r);
      }
    }
    if (pending.length > MAX_PENDING) {
      years.assumeYear(new Date().getUTCFullYear());
      flush(out);
    }
  }

  return {
    push(line: string): LogRecord[] {
      const out: LogRecord[] = [];
      try {
        if (typeof line !== 'string') return out;
        if (line.includes('\n')) for (const part of line.split('\n')) pushOne(part, out);
        else pushOne(line, out);
      } catch {
        skipped++;
      }
      return out;
    },
    end(): LogRecord[] {
      const out: LogRecord[] = [];
      if (pending.length > 0) {
        years.assumeYear(new Date().getUTCFullYear());
        flush(out);
      }
      return out;
    },
    get format(): LogFormat | null {
      return argmax(recordFormats) ?? argmax(lineFormats);
    },
    get skipped(): number {
      return skipped;
    },
  };
}

/** Parses a whole log text (any mix of the supported formats) through the streaming parser. */
export function parseLogText(text: string, opts?: LogParserOptions): ParsedLogText {
  const parser = createLogParser(opts);
  const records: LogRecord[] = [];
  if (typeof text === 'string') {
    let start = 0;
    while (start <= text.length) {
      const nl = text.indexOf('\n', start);
      const end = nl < 0 ? text.length : nl;
      if (end > start) for (const r of parser.push(text.slice(start, end))) records.push(r);
      if (nl < 0) break;
      start = nl + 1;
    }
  }
  for (const r of parser.end()) records.push(r);
  return { format: parser.format, records, skipped: parser.skipped };
}
