// Field paths into a YAML document: `spec.containers[0].resources.requests.memory`,
// `metadata.annotations["kubernetes.io/change-cause"]`. Keys are strings, sequence indexes numbers.

export type PathSegment = string | number;

/** A key that can be written bare: not empty, no path punctuation, no quotes, no surrounding blanks. */
const BARE_KEY = /^[^.[\]"'\\\s](?:[^.[\]"'\\]*[^.[\]"'\\\s])?$/;

function formatKey(key: string): string {
  return BARE_KEY.test(key) ? key : `[${JSON.stringify(key)}]`;
}

/** Segments → path text. The inverse of `parsePath`: `parsePath(formatPath(s))` equals `s`. */
export function formatPath(segments: readonly PathSegment[]): string {
  let out = '';
  for (const seg of segments) {
    if (typeof seg === 'number') {
      out += `[${Number.isInteger(seg) && seg >= 0 ? seg : 0}]`;
      continue;
    }
    const k = formatKey(seg);
    out += k.startsWith('[') || out === '' ? k : `.${k}`;
  }
  return out;
}

/** Reads a quoted key starting at `s[i]` (a `"` or `'`); returns the key and the index after the closing quote. */
function readQuoted(s: string, i: number): { key: string; next: number } | null {
  const q = s[i];
  let j = i + 1;
  if (q === '"') {
    while (j < s.length && s[j] !== '"') j += s[j] === '\\' ? 2 : 1;
    if (j >= s.length) return null;
    try {
      const v: unknown = JSON.parse(s.slice(i, j + 1));
      return typeof v === 'string' ? { key: v, next: j + 1 } : null;
    } catch {
      return null;
    }
  }
  // Single quotes: `\'` and `\\` are the only escapes.
  let key = '';
  while (j < s.length && s[j] !== "'") {
    if (s[j] === '\\' && (s[j + 1] === "'" || s[j + 1] === '\\')) {
      key += s[j + 1];
      j += 2;
    } else {
      key += s[j];
      j += 1;
    }
  }
  return j < s.length ? { key, next: j + 1 } : null;
}

/**
 * Path text → segments, or null when the text is not a path. `''` is the document root (`[]`).
 * Grammar: `key ( '.' key | '[' digits ']' | '[' quoted ']' )*`, where a bare key is any run without
 * `.`, `[` or `]`, and quoted keys are JSON strings (or single-quoted). `a.0` keeps `'0'` as a key.
 */
export function parsePath(text: string): PathSegment[] | null {
  if (typeof text !== 'string') return null;
  const s = text.trim();
  const out: PathSegment[] = [];
  let i = 0;
  let expectKey = true; // at the start, or right after a '.'
  while (i < s.length) {
    const c = s[i];
    if (c === '[') {
      const close = s.indexOf(']', i);
      const q = s[i + 1];
      if (q === '"' || q === "'") {
        const r = readQuoted(s, i + 1);
        if (!r || s[r.next] !== ']') return null;
        out.push(r.key);
        i = r.next + 1;
      } else {
        if (close < 0) return null;
        const inner = s.slice(i + 1, close).trim();
        if (!/^\d{1,15}$/.test(inner)) return null;
        out.push(Number(inner));
        i = close + 1;
      }
      expectKey = false;
      continue;
    }
    if (c === '.') {
      if (expectKey) return null; // `..`, or a leading dot
      i += 1;
      expectKey = true;
      if (i >= s.length) return null; // trailing dot
      continue;
    }
    if (!expectKey) return null; // `[0]x`
    if (c === ']') return null;
    let j = i;
    while (j < s.length && s[j] !== '.' && s[j] !== '[' && s[j] !== ']') j += 1;
    out.push(s.slice(i, j));
    i = j;
    expectKey = false;
  }
  return out;
}

/** Joins two paths (either may be `''`). Returns null when either is not a path. */
export function joinPath(base: string, rel: string): string | null {
  const a = parsePath(base);
  const b = parsePath(rel);
  return a && b ? formatPath([...a, ...b]) : null;
}
