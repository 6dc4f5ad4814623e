// Instants with their precision. JS Date holds milliseconds only, but containerd logs nanoseconds and
// journald microseconds, so an instant is kept as a fixed-width UTC string ("key") that sorts
// lexicographically in time order and never loses digits.

import type { Precision } from './vocabulary.js';

export interface Instant {
  /** `YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ`, always 9 fractional digits, UTC. Sorts as time. */
  readonly key: string;
  readonly precision: Precision;
}

const DIGITS: Record<Precision, number> = { s: 0, ms: 3, us: 6, ns: 9 };

const ISO_RE =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,12}))?\s*(Z|z|[+-]\d{2}:?\d{2}|\s*\+0000 UTC|\s*UTC)?$/;

function pad(n: number, w: number): string {
  return String(n).padStart(w, '0');
}

function precisionForDigits(n: number): Precision {
  if (n === 0) return 's';
  if (n <= 3) return 'ms';
  if (n <= 6) return 'us';
  return 'ns';
}

/**
 * Parses an RFC 3339 / ISO-8601 time (with or without a fraction, with a zone or `Z`, or Go's
 * `2006-01-02 15:04:05.999 +0000 UTC` form). The precision is what the text carries unless given.
 * Returns null for anything else; never throws.
 */
export function parseInstant(text: unknown, precision?: Precision): Instant | null {
  if (typeof text !== 'string') return null;
  const m = ISO_RE.exec(text.trim());
  if (!m) return null;
  const [, y, mo, d, h, mi, s, frac = '', zone = 'Z'] = m;
  const fracDigits = frac.length;
  const nanos = (frac + '000000000000').slice(0, 9);
  let offsetMin = 0;
  const z = zone.trim();
  if (z !== 'Z' && z !== 'z' && !z.endsWith('UTC')) {
    const sign = z.startsWith('-') ? -1 : 1;
    const digits = z.slice(1).replace(':', '');
    offsetMin = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4)));
  }
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)) - offsetMin * 60_000;
  if (!Number.isFinite(ms)) return null;
  const base = new Date(ms);
  if (Number.isNaN(base.getTime())) return null;
  const year = base.getUTCFullYear();
  if (year < 1 || year > 9999) return null;
  const key =
    `${pad(year, 4)}-${pad(base.getUTCMonth() + 1, 2)}-${pad(base.getUTCDate(), 2)}T` +
    `${pad(base.getUTCHours(), 2)}:${pad(base.getUTCMinutes(), 2)}:${pad(base.getUTCSeconds(), 2)}.${nanos}Z`;
  return { key, precision: precision ?? precisionForDigits(fracDigits) };
}

/** An instant from epoch milliseconds (fractional milliseconds are kept down to the nanosecond). */
export function instantFromMs(ms: number, precision: Precision = 'ms'): Instant {
  const whole = Math.floor(ms / 1000) * 1000;
  const nanos = Math.round((ms - whole) * 1e6);
  const d = new Date(whole);
  const key =
    `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}T` +
    `${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}.${pad(Math.min(nanos, 999_999_999), 9)}Z`;
  return { key, precision };
}

/** Epoch milliseconds, with the sub-millisecond part as a fraction. */
export function toMs(i: Instant): number {
  const whole = Date.parse(i.key.slice(0, 19) + 'Z');
  return whole + Number(i.key.slice(20, 29)) / 1e6;
}

/** The instant as ISO-8601 UTC with as many fractional digits as its precision justifies. */
export function formatInstant(i: Instant): string {
  const n = DIGITS[i.precision];
  return n === 0 ? i.key.slice(0, 19) + 'Z' : i.key.slice(0, 20 + n) + 'Z';
}

/** Milliseconds from a to b (positive when b is later). */
export function diffMs(a: Instant, b: Instant): number {
  const secA = Date.parse(a.key.slice(0, 19) + 'Z');
  const secB = Date.parse(b.key.slice(0, 19) + 'Z');
  const nsA = Number(a.key.slice(20, 29));
  const nsB = Number(b.key.slice(20, 29));
  return secB - secA + (nsB - nsA) / 1e6;
}

export function compareInstants(a: Instant, b: Instant): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

/** The coarser of two precisions (a duration is only as precise as its worse end). */
export function coarser(a: Precision, b: Precision): Precision {
  return DIGITS[a] <= DIGITS[b] ? a : b;
}

/** Human duration: 850ms, 1.24s, 2m03s. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '?';
  const sign = ms < 0 ? '-' : '';
  const a = Math.abs(ms);
  if (a < 1) return `${sign}${(a * 1000).toFixed(0)}µs`;
  if (a < 1000) return `${sign}${a.toFixed(a < 10 ? 1 : 0)}ms`;
  if (a < 60_000) return `${sign}${(a / 1000).toFixed(2)}s`;
  const m = Math.floor(a / 60_000);
  const s = Math.round((a - m * 60_000) / 1000);
  return `${sign}${m}m${pad(s, 2)}s`;
}

/**
 * Parses a Go time.Duration string as the kubelet prints it ("1.234s", "1m2.5s", "850ms", "12µs").
 * Returns milliseconds, or null.
 */
export function parseGoDuration(text: string): number | null {
  const re = /(\d+(?:\.\d+)?)(h|ms|m|s|µs|us|ns)/g;
  let total = 0;
  let matched = '';
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const v = Number(m[1]);
    const unit = m[2];
    matched += m[0];
    total +=
      unit === 'h'
        ? v * 3_600_000
        : unit === 'm'
          ? v * 60_000
          : unit === 's'
            ? v * 1000
            : unit === 'ms'
              ? v
              : unit === 'ns'
                ? v / 1e6
                : v / 1000;
  }
  return matched.length > 0 && matched === text.trim() ? total : null;
}
