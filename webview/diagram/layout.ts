// Presentation-only tweak of the generated Mermaid source: long note lines are broken at spaces with
// `<br/>` so one long diagnosis does not make the whole diagram thousands of pixels wide (Mermaid
// sizes participant gaps to the widest unwrapped note). Only `Note over …:` lines change and only at
// existing spaces; the body is the generator's already-encoded text (`<`/`>` arrive as `#60;`/`#62;`),
// so no markup can be formed, and the statement count and order (the arrow ↔ step mapping) are kept.

const NOTE_RE = /^(Note over [A-Za-z0-9_,-]+: )(.*)$/;
const ENTITY_RE = /#\d{1,7};/g;

/** Visible length: an entity code such as `#59;` shows as one character. */
function visibleLength(s: string): number {
  return s.replace(ENTITY_RE, '_').length;
}

function wrapSegment(segment: string, max: number): string[] {
  if (visibleLength(segment) <= max) return [segment];
  const out: string[] = [];
  let line = '';
  for (const word of segment.split(' ')) {
    if (line === '') line = word;
    else if (visibleLength(line) + 1 + visibleLength(word) <= max) line += ` ${word}`;
    else {
      out.push(line);
      line = word;
    }
  }
  if (line !== '') out.push(line);
  return out;
}

export function wrapNotes(source: string, max = 64): string {
  return source
    .split('\n')
    .map((l) => {
      const m = NOTE_RE.exec(l);
      if (!m) return l;
      const [, head, body = ''] = m;
      return (
        head +
        body
          .split('<br/>')
          .flatMap((seg) => wrapSegment(seg, max))
          .join('<br/>')
      );
    })
    .join('\n');
}
