// Mermaid sanitises its whole SVG output with DOMPurify (securityLevel 'strict', which we keep). That
// HTML parse meets every inline `style` attribute and, under the webview's CSP, reports each one as a
// violation: ~80–90 ms of a 150-arrow render (CPU profile, `npm run bench`). Mermaid and this page
// share the one DOMPurify instance, so its `sanitize` is wrapped to rename the attributes first
// (inline-styles.ts). They come out as `data-pb-style` — inert data attributes, which DOMPurify keeps
// — and adoptSvg applies them through CSSOM. Sanitising itself is unchanged: the wrapper only makes
// the input more restrictive (no inline styles at all) before the original function runs.

import DOMPurify from 'dompurify';
import { renameInlineStyles } from './inline-styles.js';

let installed = false;

export function sanitizeWithoutInlineStyles(): void {
  if (installed) return;
  installed = true;
  const original = DOMPurify.sanitize.bind(DOMPurify) as (dirty: string | Node, cfg?: object) => unknown;
  const wrapped = (dirty: string | Node, cfg?: object): unknown =>
    original(typeof dirty === 'string' ? renameInlineStyles(dirty) : dirty, cfg);
  DOMPurify.sanitize = wrapped as typeof DOMPurify.sanitize;
}
