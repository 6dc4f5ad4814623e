// One parse of a document's current text, shared by diagnostics, CodeLenses, hovers, inlay hints
// and code actions. Everything the server says about a trace is recomputed from this view, so ranges
// always follow the text as it is now.

import { parseManifest, type Manifest, type Position, type Range, type RangeResult } from '../core/manifest/index.js';
import type { Range as LspRange } from 'vscode-languageserver';

export interface DocView {
  readonly uri: string;
  readonly version: number;
  readonly text: string;
  /** Lines without their line breaks. */
  readonly lines: readonly string[];
  /** The line break the document uses, for text we insert. */
  readonly eol: '\n' | '\r\n';
  readonly manifest: Manifest;
}

export function docView(uri: string, version: number, text: string): DocView {
  return {
    uri,
    version,
    text,
    lines: text.split(/\r?\n/),
    eol: text.includes('\r\n') ? '\r\n' : '\n',
    manifest: parseManifest(text),
  };
}

export function toLspRange(r: Range): LspRange {
  return { start: { line: r.start.line, character: r.start.col }, end: { line: r.end.line, character: r.end.col } };
}

/** Length of a line without trailing blanks. */
export function lineEnd(view: DocView, line: number): number {
  return (view.lines[line] ?? '').replace(/[ \t]+$/, '').length;
}

function later(a: Position, b: Position): Position {
  return a.line > b.line || (a.line === b.line && a.col >= b.col) ? a : b;
}

/**
 * Where to mark a located field, on one line: `key: value` when the value is on the key's line, the
 * key alone when the value is a block below it, and the first line of a sequence item (`- name: app`).
 */
export function fieldRange(view: DocView, r: RangeResult): Range {
  const key = r.keyRange;
  if (key) {
    const end = r.range.end.line === key.start.line ? later(r.range.end, key.end) : key.end;
    return { start: key.start, end };
  }
  const start = r.range.start;
  if (r.range.end.line === start.line) return r.range;
  return { start, end: { line: start.line, col: Math.max(start.col, lineEnd(view, start.line)) } };
}
