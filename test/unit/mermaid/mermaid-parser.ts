// Runs Mermaid 12's own sequence-diagram parser in Node (no DOM needed for parsing): preprocessing
// (directives, comments, front matter), encodeEntities and the jison grammar, exactly as in the webview.

import mermaid from 'mermaid';

export interface ParsedSignal {
  readonly from: string;
  readonly to: string;
  /** Text as the renderer will show it, entity codes decoded. */
  readonly text: string;
  readonly type: number;
  readonly isNote: boolean;
}

export interface ParsedDiagram {
  readonly diagramType: string;
  /** Configuration picked up from directives or front matter: must stay empty. */
  readonly config: unknown;
  readonly actors: readonly { readonly id: string; readonly description: string }[];
  readonly signals: readonly ParsedSignal[];
}

interface DbLike {
  getMessages(): { from?: string; to?: string; message?: unknown; type?: number }[];
  getActors(): Map<string, { name: string; description: string }>;
  getActorKeys(): string[];
  LINETYPE: Record<string, number>;
}

/**
 * Mermaid's markers back to characters, as the browser will show them: Mermaid's decodeEntities
 * (`ﬂ°°` → `&#`, `ﬂ°` → `&`, `¶ß` → `;`) on the SVG string, then one pass of (X)HTML entity decoding.
 */
export function decodeMarkers(s: string): string {
  const named: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
  const html = s
    .replace(/\uFB02\u00B0\u00B0/g, '&#')
    .replace(/\uFB02\u00B0/g, '&')
    .replace(/\u00B6\u00DF/g, ';');
  return html.replace(/&#(\d+);|&(\w+);/g, (m, d: string | undefined, n: string | undefined) =>
    d !== undefined ? String.fromCodePoint(Number(d)) : (named[n ?? ''] ?? m),
  );
}

export async function parseWithMermaid(source: string): Promise<ParsedDiagram> {
  const r = await mermaid.parse(source);
  if (!r) throw new Error('mermaid.parse returned false');
  const diagram = (await mermaid.mermaidAPI.getDiagramFromText(source)) as unknown as { db: DbLike };
  const db = diagram.db;
  const NOTE = db.LINETYPE.NOTE;
  const actors = db
    .getActorKeys()
    .map((id) => ({ id, description: decodeMarkers(db.getActors().get(id)?.description ?? '') }));
  const signals = db
    .getMessages()
    .filter((m) => m.from !== undefined && m.to !== undefined)
    .map((m) => ({
      from: String(m.from),
      to: String(m.to),
      text: decodeMarkers(typeof m.message === 'string' ? m.message : ''),
      type: m.type ?? -1,
      isNote: m.type === NOTE,
    }));
  return { diagramType: r.diagramType, config: r.config, actors, signals };
}
