// Inlay hints from the live trace: after a container's `image:` value how the image came (`pulled in
// 14ms`, `present`, `pull failed`), after its `name:` value how long create + start took.

import type { InlayHint } from 'vscode-languageserver';
import { locatePodPath } from '../core/manifest/index.js';
import { lineEnd, type DocView } from './doc-view.js';
import { containerTimings, imageHint, startHint } from './timings.js';
import type { TraceView } from './trace-map.js';

/** Hints between `fromLine` and `toLine` (inclusive, 0-based). */
export function traceInlayHints(
  tvs: readonly TraceView[],
  view: DocView,
  fromLine: number,
  toLine: number,
): InlayHint[] {
  const out: InlayHint[] = [];
  const at = (line: number, label: string | null): void => {
    if (label === null || line < fromLine || line > toLine) return;
    out.push({ position: { line, character: lineEnd(view, line) }, label, paddingLeft: true });
  };
  for (const tv of tvs) {
    for (const c of tv.containers) {
      const cp = tv.containerPath(c.name, c.init);
      if (cp === null) continue;
      const t = containerTimings(tv.trace, c.name, c.init);
      for (const [field, label] of [
        ['image', imageHint(t)],
        ['name', startHint(t)],
      ] as const) {
        const r = locatePodPath(tv.doc, `${cp}.${field}`);
        // Only on a one-line `key: value` (a value continued on the next lines has no end of line to sit at).
        if (r?.found && r.keyRange && r.range.end.line === r.keyRange.start.line) at(r.keyRange.start.line, label);
      }
    }
  }
  return out.sort((a, b) => a.position.line - b.position.line);
}
