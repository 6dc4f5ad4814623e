// "Export… → SVG image": the diagram as Mermaid draws it (what GitHub shows for the Markdown export),
// as a standalone SVG file. Loaded on the first SVG export only (a dynamic import: Mermaid and its
// sequence-diagram chunk stay out of the page's first paint).
//
// Under the page's strict CSP: Mermaid renders off-screen (it needs layout for getBBox) and sanitises
// its output with DOMPurify, whose HTML parse would report every inline `style` attribute as a
// violation; purify-styles.ts renames them first (inline-styles.ts). The SVG text is then parsed in an
// inert document (renamed again, so nothing is reported), scrubbed, serialised, and the attributes get
// their name back in the string, which is written to a file and never parsed by this page.

import mermaid, { type MermaidConfig } from 'mermaid';
import { START_TAG, STYLE_DATA_ATTR, renameInlineStyles } from './inline-styles.js';
import { wrapNotes } from './layout.js';
import { sanitizeWithoutInlineStyles } from './purify-styles.js';

const SVG_NS = 'http://www.w3.org/2000/svg';

let configured = '';
let renders = 0;

/** Defence in depth on top of Mermaid's strict mode and our escaping: no scripts, handlers or js: links. */
export function scrub(root: Element): void {
  for (const el of Array.from(root.querySelectorAll('script, iframe, object, embed, foreignObject'))) el.remove();
  for (const el of [root, ...Array.from(root.querySelectorAll('*'))]) {
    for (const a of Array.from(el.attributes)) {
      const name = a.name.toLowerCase();
      if (name.startsWith('on')) el.removeAttribute(a.name);
      else if ((name === 'href' || name === 'xlink:href') && !a.value.trim().startsWith('#'))
        el.removeAttributeNS(a.namespaceURI, a.localName);
    }
  }
}

/** `data-pb-style="…"` back to `style="…"` in start tags of serialised markup (text is left alone). */
function restoreInlineStyles(text: string): string {
  const renamed = new RegExp(`(\\s)${STYLE_DATA_ATTR}="`, 'g');
  return text.replace(START_TAG, (tag) => tag.replace(renamed, '$1style="'));
}

/**
 * Mermaid's SVG of `source` drawn with `config` (theme.ts mermaidConfig: the page's colours), standalone
 * (its <style> inside, a background). The page passes the config in, so this chunk shares no module
 * with the page's entry and loading the entry fetches no extra chunk.
 */
export async function mermaidSvg(source: string, config: MermaidConfig, offscreen: HTMLElement): Promise<string> {
  sanitizeWithoutInlineStyles();
  const key = JSON.stringify(config);
  if (key !== configured) {
    mermaid.initialize({ ...config, suppressErrorRendering: true });
    configured = key;
  }
  const id = `pb-export-${++renders}`;
  const { svg } = await mermaid.render(id, wrapNotes(source), offscreen);
  // Mermaid serialises with the HTML serializer, so the HTML parser reads it back exactly; the parsed
  // document is inert: no script runs, nothing loads.
  const root = new DOMParser().parseFromString(renameInlineStyles(svg), 'text/html').querySelector('svg');
  if (!root) throw new Error('Mermaid returned no SVG');
  scrub(root);
  root.setAttribute('xmlns', SVG_NS);
  return restoreInlineStyles(new XMLSerializer().serializeToString(root));
}
