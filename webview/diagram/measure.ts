// Text widths for the diagram's layout, from a canvas in the diagram's font: no DOM layout, so
// measuring a 300-arrow diagram costs well under a millisecond (and each distinct text is measured
// once per font).

import type { Metrics } from './sequence-layout.js';
import type { Palette } from './theme.js';

export function canvasMetrics(p: Palette): Metrics {
  const ctx = document.createElement('canvas').getContext('2d');
  const cache = new Map<string, number>();
  const regular = `${p.fontSize}px ${p.fontFamily}`;
  // Participant names: diagram.css draws them 1 px smaller.
  const name = `${Math.max(9, p.fontSize - 1)}px ${p.fontFamily}`;
  return {
    fontSize: p.fontSize,
    measure(text, isName = false) {
      const key = `${isName ? 'n' : 'r'}${text}`;
      let w = cache.get(key);
      if (w === undefined) {
        if (cache.size > 5000) cache.clear(); // live durations make new texts every second
        if (ctx) {
          ctx.font = isName ? name : regular;
          w = ctx.measureText(text).width;
        } else {
          w = text.length * p.fontSize * 0.6; // no canvas (never in a webview): a rough advance
        }
        cache.set(key, w);
      }
      return w;
    },
  };
}
