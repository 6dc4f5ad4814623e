// journald's short formats and klog headers print no year. The year is taken from a reference (a
// caller-given year or instant) or from the nearest full timestamp the same log carries, and then
// rolls forward with the log itself so a log that crosses New Year keeps counting.

import type { Instant } from '../time.js';
import type { Precision } from '../vocabulary.js';

/** A wall-clock UTC time without its year. */
export interface PartialTime {
  readonly month: number; // 1-12
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  /** Exactly 9 digits. */
  readonly nanos: string;
  readonly precision: Precision;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

export function monthFromName(name: string): number | null {
  const i = MONTHS.indexOf(name);
  return i < 0 ? null : i + 1;
}

function pad(n: number, w: number): string {
  return String(n).padStart(w, '0');
}

/** Builds a partial time from text fields; null if any is out of range. */
export function partialTime(
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  fraction: string,
  precision: Precision,
): PartialTime | null {
  if (!(month >= 1 && month <= 12 && day >= 1 && day <= 31 && hour <= 23 && minute <= 59 && second <= 60)) return null;
  if (!/^\d{0,9}$/.test(fraction)) return null;
  return { month, day, hour, minute, second, nanos: fraction.padEnd(9, '0'), precision };
}

/** The instant of a partial time in a given year, or null when the date does not exist then (Feb 29). */
export function instantInYear(year: number, p: PartialTime): Instant | null {
  if (!Number.isInteger(year) || year < 1 || year > 9999) return null;
  const d = new Date(Date.UTC(2000, p.month - 1, p.day));
  d.setUTCFullYear(year);
  if (d.getUTCMonth() !== p.month - 1 || d.getUTCDate() !== p.day) return null;
  const second = Math.min(p.second, 59); // a leap second is kept inside its minute
  return {
    key: `${pad(year, 4)}-${pad(p.month, 2)}-${pad(p.day, 2)}T${pad(p.hour, 2)}:${pad(p.minute, 2)}:${pad(second, 2)}.${p.nanos}Z`,
    precision: p.precision,
  };
}

/** Epoch ms of an instant key, to the millisecond (enough to pick a year). */
function keyMs(key: string): number {
  const n = (a: number, b: number): number => Number(key.slice(a, b));
  const d = new Date(Date.UTC(2000, n(5, 7) - 1, n(8, 10), n(11, 13), n(14, 16), n(17, 19), n(20, 23)));
  d.setUTCFullYear(n(0, 4));
  return d.getTime();
}

/** Epoch ms of a partial time in a year; NaN when that date does not exist in it. */
function partialMs(year: number, p: PartialTime): number {
  const d = new Date(Date.UTC(2000, p.month - 1, p.day, p.hour, p.minute, Math.min(p.second, 59)));
  d.setUTCFullYear(year);
  return d.getUTCDate() === p.day ? d.getTime() : NaN;
}

export class YearResolver {
  private anchorMs: number | null;
  private year: number | null;

  constructor(referenceYear: number | null, reference: Instant | null) {
    this.year =
      referenceYear !== null && Number.isInteger(referenceYear) && referenceYear >= 1 && referenceYear <= 9999
        ? referenceYear
        : null;
    this.anchorMs = reference ? keyMs(reference.key) : null;
    if (this.anchorMs !== null && !Number.isFinite(this.anchorMs)) this.anchorMs = null;
  }

  /** Whether a partial time can be resolved now. */
  get ready(): boolean {
    return this.anchorMs !== null || this.year !== null;
  }

  /** A full timestamp read from the log: the best evidence of the year. */
  observe(i: Instant): void {
    const ms = keyMs(i.key);
    // Go's zero time (`0001-01-01 …`) and other placeholders say nothing about the log's year.
    if (Number.isFinite(ms) && i.key >= '1970') this.anchorMs = ms;
  }

  /** Used when the log carries no year at all (the caller decides which year that is). */
  assumeYear(year: number): void {
    if (this.year === null && this.anchorMs === null) this.year = year;
  }

  resolve(p: PartialTime): Instant | null {
    if (this.anchorMs === null) {
      if (this.year === null) return null;
      const first = instantInYear(this.year, p);
      if (first) this.anchorMs = partialMs(this.year, p);
      return first;
    }
    const anchor = this.anchorMs;
    const y = new Date(anchor).getUTCFullYear();
    let bestYear: number | null = null;
    let bestMs = NaN;
    let bestDistance = Infinity;
    for (const candidate of [y, y - 1, y + 1]) {
      const ms = partialMs(candidate, p);
      // NaN (no such date that year, e.g. Feb 29) never compares smaller.
      const distance = Math.abs(ms - anchor);
      if (distance < bestDistance) {
        bestYear = candidate;
        bestMs = ms;
        bestDistance = distance;
      }
    }
    const best = bestYear === null ? null : instantInYear(bestYear, p);
    if (best) this.anchorMs = bestMs;
    return best;
  }
}
