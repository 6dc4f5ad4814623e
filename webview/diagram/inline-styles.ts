// Inline `style` attributes in Mermaid's SVG text, renamed before the text is parsed.
//
// Under the webview's CSP (no 'unsafe-inline' for styles) every `style` attribute the parser meets is a
// CSP violation, reported one by one even in a DOMParser document that is never shown. For a 150-arrow
// diagram that is ~300 reports and ~120 ms, against ~5 ms for the parse itself (measured in Chromium
// with the production CSP). Renamed to `data-pb-style`, the declarations parse as plain data and are
// applied through CSSOM afterwards (el.style.cssText), which the CSP allows.

/**
 * A start tag with its attributes. The HTML serializer (Mermaid's `innerHTML`) always double-quotes
 * attribute values and escapes `"` inside them as `&quot;`, and escapes `<` in text, so a raw `<` plus a
 * letter opens a tag and a `>` outside quotes closes it.
 */
export const START_TAG = /<[A-Za-z][^>"]*(?:"[^"]*"[^>"]*)*>/g;
const STYLE_ATTR = /(\s)style="/g;

export const STYLE_DATA_ATTR = 'data-pb-style';

/** `<line style="fill: none;">` → `<line data-pb-style="fill: none;">`; text content is left alone. */
export function renameInlineStyles(svgText: string): string {
  return svgText.replace(START_TAG, (tag) => tag.replace(STYLE_ATTR, `$1${STYLE_DATA_ATTR}="`));
}
