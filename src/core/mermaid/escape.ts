// The only way cluster-supplied text (event messages, names, images, versions) enters a diagram.
//
// What Mermaid 12.3 does with a sequence-diagram source (read in node_modules/mermaid/dist):
// * preprocess (mermaid.core.mjs): CR/CRLF → LF; `<tag a="x">` attribute quotes rewritten; front matter
//   (`---` at the start); `%%{…}%%` directives removed and applied as configuration wherever they occur
//   (utils.detectInit / removeDirectives); lines starting with `%%` dropped (regex `^` with the `m`
//   flag, which also matches after U+2028/U+2029).
// * encodeEntities (chunk-6MUBBAK2): `#name;` / `#123;` become private markers `ﬂ°name¶ß` / `ﬂ°°123¶ß`
//   before parsing, and decodeEntities turns the markers into `&name;` / `&#123;` in the final SVG
//   string, where the browser's (X)HTML parser decodes them as text. A literal `ﬂ°` or `¶ß` in the
//   input would be turned into `&` / `;` too, so `ﬂ` and `¶` are encoded. Lines matching
//   `style.*:\S*#.*;` or `classDef.*:\S*#.*;` lose their last `;` first.
// * the jison lexer (sequenceDiagram chunk): a message or note text is one token
//   `:(?:(?:no)?wrap)?[^#\n;]*`, a participant alias `[^#\n;]*`; so only LF, `;` (statement separator)
//   and `#` (comment `#[^\n]*`) can end a text and start structure. Keywords (`note`, `end`, `loop`,
//   `participant`, `link`, `create`, `autonumber`, …), arrows (`->>`, `--x`, `-)`), activation `+`/`-`
//   and `,` are only tokens outside those texts. A text starting with `wrap:`/`nowrap:` switches wrapping.
// * rendering: `$$…$$` in a label is rendered as KaTeX; `<br>` splits lines; labels are HTML-sanitised
//   under securityLevel strict.
//
// So the escaper replaces line breaks and control characters by spaces (no new statement, no comment
// line, no directive), and writes every character that any of the steps above reacts to as a numeric
// entity code `#NN;`: `;` `#` `%` `:` `<` `>` `&` `"` `'` `{` `}` `|` `` ` `` `\` `=` `$` `+` `ﬂ` `¶`, plus
// `-` and `/` where they touch another arrow character. Every code decodes back to the original
// character, so the rendered label reads exactly like the (cleaned, truncated) input.

/** Characters always written as `#<code point>;`. */
const ALWAYS = new Set([
  ';',
  '#',
  '%',
  ':',
  '<',
  '>',
  '&',
  '"',
  "'",
  '{',
  '}',
  '|',
  '`',
  '\\',
  '=',
  '$',
  '+',
  '\uFB02',
  '\u00B6',
]);

/** Characters next to which a `-` or `/` could read as part of an arrow (`->>`, `--x`, `-)`, `-//`, `/|-`). */
const ARROWISH = new Set(['-', '<', '>', 'x', 'X', '(', ')', '|', '\\', '/', '+']);

// C0 and C1 controls, DEL, line/paragraph separators, bidi embedding/override/isolate controls.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/g;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

export const DEFAULT_MAX_LEN = 120;

function normalizeMax(maxLen: number): number {
  if (maxLen === Number.POSITIVE_INFINITY) return maxLen;
  return Number.isFinite(maxLen) && maxLen >= 1 ? Math.floor(maxLen) : DEFAULT_MAX_LEN;
}

/**
 * Cleans text without encoding it: control characters and line breaks become spaces, blank runs one
 * space, lone surrogates U+FFFD; cut to `maxLen` code points with a trailing `…`. This is what the
 * rendered label shows.
 */
export function cleanMermaidText(s: unknown, maxLen: number = DEFAULT_MAX_LEN): string {
  const max = normalizeMax(maxLen);
  const text = typeof s === 'string' ? s : s === null || s === undefined ? '' : String(s);
  // Bound the work on huge inputs before the regexes run (a few code units per kept code point is plenty).
  const bounded = max === Number.POSITIVE_INFINITY ? text : text.slice(0, max * 4 + 16);
  const clean = bounded.replace(LONE_SURROGATE, '\uFFFD').replace(CONTROL, ' ').replace(/\s+/g, ' ').trim();
  const points = Array.from(clean);
  if (points.length <= max && bounded.length === text.length) return clean;
  if (points.length <= max) return clean.length > 0 ? `${clean}…` : '…';
  return `${points
    .slice(0, Math.max(0, max - 1))
    .join('')
    .trimEnd()}…`;
}

/** Encodes already-cleaned text (no truncation). */
export function encodeMermaidText(clean: string): string {
  const points = Array.from(clean);
  let out = '';
  for (let i = 0; i < points.length; i += 1) {
    const c = points[i] as string;
    const prev = points[i - 1] ?? '';
    const next = points[i + 1] ?? '';
    let encode = ALWAYS.has(c);
    if (c === '-') encode = i === 0 || i === points.length - 1 || ARROWISH.has(prev) || ARROWISH.has(next);
    else if (c === '/')
      encode =
        prev === '-' ||
        next === '-' ||
        prev === '/' ||
        next === '/' ||
        prev === '|' ||
        next === '|' ||
        prev === '\\' ||
        next === '\\';
    else if (c === '(') encode = next === ')';
    out += encode ? `#${c.codePointAt(0) ?? 63};` : c;
  }
  return out;
}

/**
 * Makes any string safe as the text of a Mermaid sequence-diagram message, note or participant alias:
 * one line, no statement separator, comment, directive, markup, KaTeX or wrap prefix; at most `maxLen`
 * visible characters (code points, ending in `…` when cut). Never throws.
 */
export function escapeMermaidText(s: unknown, maxLen: number = DEFAULT_MAX_LEN): string {
  return encodeMermaidText(cleanMermaidText(s, maxLen));
}

/**
 * Decodes the entity codes this module writes (for tests and for showing a label as plain text):
 * `#59;` → `;`. Mermaid does the same in two steps (encodeEntities, then decodeEntities + the browser).
 */
export function decodeMermaidText(s: string): string {
  return s.replace(/#(\d{1,7});/g, (m, d: string) => {
    const n = Number(d);
    return n <= 0x10ffff ? String.fromCodePoint(n) : m;
  });
}
