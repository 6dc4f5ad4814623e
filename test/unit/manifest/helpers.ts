import type { Range } from '../../../src/core/manifest/index.js';

/** Offsets of each line start, splitting on LF like LSP does for CRLF (the CR stays at the line end). */
export function offsetOf(text: string, line: number, col: number): number {
  let off = 0;
  for (let l = 0; l < line; l += 1) {
    const nl = text.indexOf('\n', off);
    if (nl < 0) return text.length;
    off = nl + 1;
  }
  return off + col;
}

export function textOf(text: string, r: Range): string {
  return text.slice(offsetOf(text, r.start.line, r.start.col), offsetOf(text, r.end.line, r.end.col));
}

/** The 0-based position of the first occurrence of `needle` (optionally after `after`). */
export function posOf(text: string, needle: string, after = ''): { line: number; col: number } {
  const from = after ? text.indexOf(after) + after.length : 0;
  const i = text.indexOf(needle, from);
  if (i < 0) throw new Error(`not found: ${needle}`);
  const before = text.slice(0, i);
  const line = before.split('\n').length - 1;
  return { line, col: i - (before.lastIndexOf('\n') + 1) };
}
