// Go's %q / strconv.Quote output, as logrus, klog and prototext print quoted values. A hand-written
// scanner (not a regex) so a multi-megabyte line costs linear time and an unterminated quote (a
// truncated line) still yields what was there.

export interface QuotedString {
  readonly value: string;
  /** Index just past the closing quote (or the end of the text when unterminated). */
  readonly end: number;
  readonly terminated: boolean;
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  n: '\n',
  t: '\t',
  r: '\r',
  a: '\x07',
  b: '\b',
  f: '\f',
  v: '\v',
  '\\': '\\',
  '"': '"',
  "'": "'",
};

function hexValue(text: string, from: number, digits: number): number | null {
  const part = text.slice(from, from + digits);
  if (part.length !== digits || !/^[0-9a-fA-F]+$/.test(part)) return null;
  return parseInt(part, 16);
}

function codePoint(n: number): string {
  return n <= 0x10ffff ? String.fromCodePoint(n) : '\uFFFD';
}

/** Reads a double-quoted Go string starting at `start` (which must hold `"`). */
export function readGoQuoted(text: string, start: number): QuotedString | null {
  if (text.charCodeAt(start) !== 34 /* " */) return null;
  let out = '';
  let i = start + 1;
  // Jump between quotes and backslashes with indexOf: most values have no escapes at all. The quote
  // is searched again only once passed, and a backslash only up to the quote: searching for the quote
  // on every escape, or for a backslash to the end of the line on every call, was quadratic (a 1 MB
  // run of `\\` before a closing quote, or of short `k="v"` pairs, took seconds).
  let quote = text.indexOf('"', i);
  for (;;) {
    if (quote >= 0 && quote < i) quote = text.indexOf('"', i);
    const limit = quote < 0 ? text.length : quote;
    const found = text.slice(i, limit).indexOf('\\');
    const nextBackslash = found < 0 ? -1 : i + found;
    if (nextBackslash < 0) {
      return quote < 0
        ? { value: out + text.slice(i), end: text.length, terminated: false }
        : { value: out + text.slice(i, quote), end: quote + 1, terminated: true };
    }
    out += text.slice(i, nextBackslash);
    i = nextBackslash;
    const e = text[i + 1];
    if (e === undefined) return { value: out, end: text.length, terminated: false };
    const simple = SIMPLE_ESCAPES[e];
    if (simple !== undefined) {
      out += simple;
      i += 2;
    } else if (e === 'x' || e === 'u' || e === 'U') {
      const digits = e === 'x' ? 2 : e === 'u' ? 4 : 8;
      const v = hexValue(text, i + 2, digits);
      if (v === null) {
        out += e;
        i += 2;
      } else {
        out += codePoint(v);
        i += 2 + digits;
      }
    } else if (e >= '0' && e <= '7') {
      const oct = /^[0-7]{1,3}/.exec(text.slice(i + 1, i + 4))?.[0] ?? e;
      out += String.fromCharCode(parseInt(oct, 8) & 0xff);
      i += 1 + oct.length;
    } else {
      // Unknown escape: keep the character, drop the backslash.
      out += e;
      i += 2;
    }
  }
}
