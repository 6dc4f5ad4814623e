// `key=value key2="quoted \"value\""` lists, as logrus' TextFormatter and klog's structured logging
// print them. klog additionally prints slices, maps and structs unquoted (`pods=["a/b"]`,
// `event={"ID":…}`, `event=&{ID:… Type:…}`), which may contain spaces, so nested values are scanned
// with bracket balancing.

import { readGoQuoted } from './go-string.js';

export interface KeyValueOptions {
  /** Treat `[`, `{` and `&{` values as balanced groups (klog), not space-terminated words. */
  readonly nested?: boolean;
  /**
   * Drop a quoted value without its closing quote, or a group without its closing bracket: on a line
   * cut short it is a fragment (`pod="default/web` of `pod="default/web-1"`), which must not name a pod.
   */
  readonly complete?: boolean;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9;
}

/** Index just past the group opened at `start`, honouring quoted strings inside; `closed` when it ends. */
function scanBalanced(text: string, start: number): { end: number; closed: boolean } {
  let depth = 0;
  let i = start;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      const q = readGoQuoted(text, i);
      i = q ? q.end : text.length;
      continue;
    }
    if (c === 91 || c === 123) depth++;
    else if (c === 93 || c === 125) {
      depth--;
      if (depth <= 0) return { end: i + 1, closed: true };
    }
    i++;
  }
  return { end: text.length, closed: false };
}

/**
 * Parses `key=value` pairs from `from` to the end of `text`. Words without `=` are skipped. Later
 * duplicates win, as logrus would have printed only one of them anyway.
 */
export function parseKeyValues(text: string, from = 0, opts: KeyValueOptions = {}): Map<string, string> {
  const out = new Map<string, string>();
  let i = from;
  const n = text.length;
  while (i < n) {
    while (i < n && isSpace(text.charCodeAt(i))) i++;
    if (i >= n) break;
    const keyStart = i;
    while (i < n && !isSpace(text.charCodeAt(i)) && text.charCodeAt(i) !== 61 /* = */ && text.charCodeAt(i) !== 34) i++;
    if (i >= n || text.charCodeAt(i) !== 61 || i === keyStart) {
      // Not a key: skip the word (a quoted one as a whole).
      if (i < n && text.charCodeAt(i) === 34) {
        const q = readGoQuoted(text, i);
        i = q ? q.end : n;
      }
      while (i < n && !isSpace(text.charCodeAt(i))) i++;
      continue;
    }
    const key = text.slice(keyStart, i);
    i++; // '='
    const c = text.charCodeAt(i);
    let value: string;
    if (c === 34) {
      const q = readGoQuoted(text, i);
      value = q ? q.value : '';
      i = q ? q.end : n;
      if (opts.complete && !q?.terminated) continue;
    } else if (opts.nested && (c === 91 || c === 123 || (c === 38 /* & */ && text.charCodeAt(i + 1) === 123))) {
      const start = i;
      const g = scanBalanced(text, c === 38 ? i + 1 : i);
      i = g.end;
      value = text.slice(start, i);
      if (opts.complete && !g.closed) continue;
    } else {
      const start = i;
      while (i < n && !isSpace(text.charCodeAt(i))) i++;
      value = text.slice(start, i);
    }
    out.set(key, value);
  }
  return out;
}
