// The Mermaid sequence-diagram source of src/core/mermaid, read back as a model the page draws itself
// (sequence-layout.ts, sequence-view.ts). Mermaid stays the diagram's language: this reads exactly the
// statements the generator writes (`participant a as Label`, `a->>b: text`, `a-->>b`, `a-xb`,
// `Note over a[,b]: text<br/>text`), decodes their entity codes back to plain text (which the page
// only ever sets through textContent), and refuses anything else (null), so the view can never show
// something the exported source does not say. Pure: no DOM.

import { decodeMermaidText } from '../../src/core/mermaid/index.js';

export interface Participant {
  readonly id: string;
  readonly label: string;
}

/** `solid` `->>` (done), `dotted` `-->>` (in progress), `cross` `-x` (failed). */
export type ArrowStyle = 'solid' | 'dotted' | 'cross';

export type SeqRow =
  | {
      readonly kind: 'message';
      readonly from: string;
      readonly to: string;
      readonly style: ArrowStyle;
      readonly text: string;
      /** The n-th message of the source (= RenderedDiagram.messages[n]). */
      readonly n: number;
    }
  | {
      readonly kind: 'note';
      /** The first and last participant the note spans (the same for a note over one). */
      readonly from: string;
      readonly to: string;
      readonly lines: readonly string[];
      /** The n-th note of the source (= RenderedDiagram.notes[n]). */
      readonly n: number;
    };

export interface SeqModel {
  readonly participants: readonly Participant[];
  readonly rows: readonly SeqRow[];
}

const OPS: readonly (readonly [string, ArrowStyle])[] = [
  ['-->>', 'dotted'],
  ['->>', 'solid'],
  ['-x', 'cross'],
];

const PARTICIPANT = /^participant ([A-Za-z0-9_-]+) as (.*)$/;
const NOTE = /^Note over ([A-Za-z0-9_-]+)(?:,([A-Za-z0-9_-]+))?: (.*)$/;

/** `a->>b: text` with a and b declared participants; tried against each declared id (ids contain `-`). */
function message(line: string, ids: readonly string[], n: number): SeqRow | null {
  for (const from of ids) {
    if (!line.startsWith(from)) continue;
    const rest = line.slice(from.length);
    for (const [op, style] of OPS) {
      if (!rest.startsWith(op)) continue;
      const tail = rest.slice(op.length);
      for (const to of ids) {
        if (tail.startsWith(`${to}: `))
          return { kind: 'message', from, to, style, text: decodeMermaidText(tail.slice(to.length + 2)), n };
      }
    }
  }
  return null;
}

/** The model of a generated source, or null when a line is not one the generator writes. */
export function parseSequence(source: string): SeqModel | null {
  const lines = source.split('\n');
  if (lines[0] !== 'sequenceDiagram') return null;
  const participants: Participant[] = [];
  const rows: SeqRow[] = [];
  // Longest first: an id that is a prefix of another must not swallow it.
  let ids: string[] = [];
  let messages = 0;
  let notes = 0;
  for (const line of lines.slice(1)) {
    if (line === '') continue;
    const p = PARTICIPANT.exec(line);
    if (p) {
      if (rows.length > 0) return null; // the generator declares every participant first
      participants.push({ id: p[1] as string, label: decodeMermaidText(p[2] as string) });
      ids = participants.map((x) => x.id).sort((a, b) => b.length - a.length);
      continue;
    }
    const note = NOTE.exec(line);
    if (note) {
      const from = note[1] as string;
      const to = note[2] ?? from;
      if (!ids.includes(from) || !ids.includes(to)) return null;
      const text = (note[3] as string).split('<br/>').map(decodeMermaidText);
      rows.push({ kind: 'note', from, to, lines: text, n: notes++ });
      continue;
    }
    const m = message(line, ids, messages);
    if (!m) return null;
    messages++;
    rows.push(m);
  }
  return participants.length > 0 ? { participants, rows } : null;
}

/**
 * The same diagram with some participants drawn in another's lane (`etcd` in the apiserver's, `runc`
 * in the runtime's): a narrow panel then has fewer, wider lanes. An arrow between merged lanes becomes
 * a self-arrow; the statements, their order and their ordinals stay, so the n-th arrow is still step n.
 */
export function mergeLanes(model: SeqModel, into: Readonly<Record<string, string>>): SeqModel {
  const ids = new Set(model.participants.map((p) => p.id));
  const lane = (id: string): string => {
    const target = into[id];
    return target !== undefined && ids.has(target) ? target : id;
  };
  const kept = model.participants.filter((p) => lane(p.id) === p.id);
  if (kept.length === model.participants.length) return model;
  // A lane that took others in says so in its name: `kube-apiserver⏎+ etcd`.
  const participants = kept.map((p): Participant => {
    const guests = model.participants.filter((q) => q.id !== p.id && lane(q.id) === p.id).map((q) => q.label);
    return guests.length ? { ...p, label: [p.label, ...guests.map((g) => `+ ${g}`)].join('\n') } : p;
  });
  const order = new Map(participants.map((p, i) => [p.id, i]));
  const rows = model.rows.map((r): SeqRow => {
    if (r.kind === 'message') return { ...r, from: lane(r.from), to: lane(r.to) };
    const a = lane(r.from);
    const b = lane(r.to);
    return (order.get(a) ?? 0) <= (order.get(b) ?? 0) ? { ...r, from: a, to: b } : { ...r, from: b, to: a };
  });
  return { participants, rows };
}
