// Mermaid SVG → the page, under a strict `style-src` (no 'unsafe-inline'):
//   1. mermaid.render() off-screen (it needs layout for getBBox);
//   2. "adopt": rename the `style` attributes in the SVG string (inline-styles.ts), parse it with
//      DOMParser, move its <style> text into a constructed CSSStyleSheet (document.adoptedStyleSheets,
//      replaced per render), importNode, then apply the renamed declarations through CSSOM
//      (el.style.cssText) — CSP blocks none of these;
//   3. decorate: ordinal ids on message lines/labels/notes, wide transparent hit lines, focusable labels.
// The caller swaps the finished <svg> in with replaceChildren, so the old diagram stays until then.

import mermaid from 'mermaid';
import type { RenderedDiagram } from '../../src/core/mermaid/index.js';
import { STYLE_DATA_ATTR, renameInlineStyles } from './inline-styles.js';

const SVG_NS = 'http://www.w3.org/2000/svg';

export interface AdoptedSvg {
  readonly svg: SVGSVGElement;
  /** Mermaid's own CSS (scoped to `#<id>`), without our interaction rules: what an export embeds. */
  readonly css: string;
  readonly sheet: CSSStyleSheet;
}

let current: CSSStyleSheet | null = null;

/** Installs `next` and drops the previous diagram's sheet (Mermaid's CSS is `#id`-scoped, one per render). */
export function swapSheet(next: CSSStyleSheet): void {
  const prev = current;
  document.adoptedStyleSheets = [...document.adoptedStyleSheets.filter((s) => s !== prev), next];
  current = next;
}

export async function renderSvgText(id: string, source: string, offscreen: HTMLElement): Promise<string> {
  const { svg } = await mermaid.render(id, source, offscreen);
  return svg;
}

/** Defence in depth on top of Mermaid's strict mode and our escaping: no scripts, handlers or js: links. */
function scrub(root: Element): void {
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

function parseSvg(text: string): Element | null {
  // Mermaid serialises with the HTML serializer (innerHTML) and its output has just been through
  // DOMPurify's HTML parse and serialisation, so the HTML parser reads it back exactly (and is about
  // twice as fast as the XML parser here). The parsed document is inert: no script runs, nothing loads.
  return new DOMParser().parseFromString(text, 'text/html').querySelector('svg');
}

export function adoptSvg(text: string, extraCss: string): AdoptedSvg {
  const root = parseSvg(renameInlineStyles(text));
  if (!root) throw new Error('Mermaid returned no SVG');
  scrub(root);
  const css: string[] = [];
  for (const s of Array.from(root.querySelectorAll('style'))) {
    css.push(s.textContent ?? '');
    s.remove();
  }
  const svg = document.importNode(root, true) as unknown as SVGSVGElement;
  for (const el of [svg, ...Array.from(svg.querySelectorAll(`[${STYLE_DATA_ATTR}]`))] as (SVGElement | HTMLElement)[]) {
    const value = el.getAttribute(STYLE_DATA_ATTR);
    if (value === null) continue;
    el.removeAttribute(STYLE_DATA_ATTR);
    el.style.cssText = value;
  }
  const sheet = new CSSStyleSheet();
  const own = css.join('\n');
  sheet.replaceSync(`${own}\n${extraCss}`);
  return { svg, css: own, sheet };
}

export interface Decorated {
  readonly arrows: number;
  /** Ordinal → the elements that stand for that arrow (line, hit line, label). */
  readonly byIndex: ReadonlyMap<number, readonly Element[]>;
}

export interface ArrowInfo {
  readonly stepId: string;
  readonly status: 'done' | 'failed' | 'in-progress' | null;
  readonly aria: string;
}

/**
 * Tags the n-th `[data-et="message"]` line and the labels drawn just before it (Mermaid draws a message's
 * text, then its line) with `data-pb-index=n`, adds a wide transparent hit line per message, and makes
 * labels focusable. Notes that annotate a step get `data-pb-note=n`.
 */
export function decorate(
  svg: SVGSVGElement,
  diagram: RenderedDiagram,
  info: (n: number, label: string) => ArrowInfo | null,
): Decorated {
  const byIndex = new Map<number, Element[]>();
  let pending: Element[] = [];
  let n = 0;
  for (const el of Array.from(svg.querySelectorAll('[data-et="message"], text.messageText'))) {
    if (el.getAttribute('data-et') !== 'message') {
      pending.push(el);
      continue;
    }
    const a = info(n, pending.map((t) => t.textContent ?? '').join(' '));
    const group: Element[] = [el];
    el.setAttribute('data-pb-index', String(n));
    const hit = el.cloneNode(false) as Element;
    for (const name of [
      'id',
      'class',
      'data-et',
      'data-id',
      'data-from',
      'data-to',
      'marker-end',
      'marker-start',
      'style',
      'stroke',
      'stroke-width',
    ])
      hit.removeAttribute(name);
    hit.setAttribute('class', 'pb-hit');
    hit.setAttribute('data-pb-index', String(n));
    hit.setAttribute('aria-hidden', 'true');
    el.after(hit);
    group.push(hit);
    for (const t of pending) {
      t.setAttribute('data-pb-index', String(n));
      t.classList.add('pb-label');
      if (a) {
        t.setAttribute('tabindex', '0');
        t.setAttribute('role', 'button');
        t.setAttribute('aria-label', a.aria);
      }
      group.push(t);
    }
    if (a?.status === 'failed') for (const g of group) g.classList.add('pb-failed');
    if (a?.status === 'in-progress') for (const g of group) g.classList.add('pb-progress');
    byIndex.set(n, group);
    pending = [];
    n += 1;
  }
  svg.querySelectorAll('g[data-et="note"]').forEach((g, i) => {
    const stepId = diagram.notes[i]?.stepId ?? null;
    if (stepId === null) return;
    g.setAttribute('data-pb-note', String(i));
    g.classList.add('pb-note-link');
  });
  svg.setAttribute('role', 'img');
  return { arrows: n, byIndex };
}

interface OverlayColors {
  readonly error: string;
  readonly progress: string;
  readonly selected: string;
  readonly background: string;
}

/** Status colours are part of the picture, so an export keeps them (unlike the interaction rules). */
export function statusCss(id: string, c: OverlayColors): string {
  const s = `#${id}`;
  return `
${s} { background-color: ${c.background}; }
${s} text.messageText { stroke: ${c.background}; stroke-width: 4px; stroke-linejoin: round; paint-order: stroke; }
${s} .messageLine0.pb-failed, ${s} .messageLine1.pb-failed { stroke: ${c.error}; }
${s} text.messageText.pb-failed { fill: ${c.error}; }
${s} .messageLine0.pb-progress, ${s} .messageLine1.pb-progress { stroke: ${c.progress}; }
`;
}

/** Rules we add to the diagram's sheet, scoped like Mermaid's (`#id …` outranks its `#id line`). */
export function overlayCss(id: string, c: OverlayColors): string {
  const s = `#${id}`;
  return `${statusCss(id, c)}
${s} line.pb-hit, ${s} path.pb-hit { stroke: transparent; stroke-width: 12px; fill: none; pointer-events: stroke; cursor: pointer; }
${s} text.pb-label { cursor: pointer; }
${s} text.pb-label:focus { outline: none; }
${s} text.pb-label:focus-visible, ${s} text.pb-label.pb-hover { text-decoration: underline; }
${s} .messageLine0.pb-selected, ${s} .messageLine1.pb-selected { stroke: ${c.selected}; stroke-width: 3px; }
${s} line.pb-hit.pb-selected, ${s} path.pb-hit.pb-selected { stroke: ${c.selected}; stroke-opacity: 0.18; }
${s} text.messageText.pb-selected { font-weight: 600; }
${s} g.pb-note-link { cursor: pointer; }
`;
}

/** A standalone copy of the diagram for export: our decorations removed, `css` embedded as <style>. */
export function exportSvg(svg: SVGSVGElement, css: string): string {
  const copy = svg.cloneNode(true) as SVGSVGElement;
  for (const el of Array.from(copy.querySelectorAll('.pb-hit'))) el.remove();
  for (const el of [copy, ...Array.from(copy.querySelectorAll('*'))]) {
    for (const name of ['data-pb-index', 'data-pb-note', 'tabindex', 'role', 'aria-label']) el.removeAttribute(name);
    el.classList.remove('pb-label', 'pb-selected', 'pb-hover', 'pb-note-link');
    if (el.getAttribute('class') === '') el.removeAttribute('class');
  }
  copy.setAttribute('xmlns', SVG_NS);
  const style = document.createElementNS(SVG_NS, 'style');
  style.textContent = css;
  copy.insertBefore(style, copy.firstChild);
  return new XMLSerializer().serializeToString(copy);
}
