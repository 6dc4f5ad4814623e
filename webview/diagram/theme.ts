// VS Code theme → Mermaid config. VS Code sets `vscode-light | vscode-dark | vscode-high-contrast |
// vscode-high-contrast-light` on <body> and the --vscode-* variables; Mermaid's colour maths (khroma)
// cannot read `var(--…)`, so every colour is resolved to `rgb()/rgba()` through a probe element first.

import type { MermaidConfig } from 'mermaid';

export type ThemeKind = 'light' | 'dark' | 'high-contrast' | 'high-contrast-light';

export interface Palette {
  readonly kind: ThemeKind;
  readonly background: string;
  readonly foreground: string;
  readonly line: string;
  readonly actorBkg: string;
  readonly actorBorder: string;
  readonly lifeline: string;
  readonly noteBkg: string;
  readonly noteText: string;
  readonly noteBorder: string;
  readonly error: string;
  readonly progress: string;
  readonly selected: string;
  readonly fontFamily: string;
  readonly fontSize: number;
}

export function themeKind(body: HTMLElement = document.body): ThemeKind {
  const c = body.classList;
  if (c.contains('vscode-high-contrast-light')) return 'high-contrast-light';
  if (c.contains('vscode-high-contrast')) return 'high-contrast';
  if (c.contains('vscode-dark')) return 'dark';
  if (c.contains('vscode-light')) return 'light';
  const kind = body.dataset.vscodeThemeKind;
  if (kind === 'vscode-dark') return 'dark';
  if (kind === 'vscode-high-contrast') return 'high-contrast';
  if (kind === 'vscode-high-contrast-light') return 'high-contrast-light';
  return matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

/** Fallbacks when a variable is missing (VS Code always sets them; a bare browser does not). */
const FALLBACK: Record<
  ThemeKind,
  { bg: string; fg: string; widget: string; border: string; hover: string; error: string; progress: string }
> = {
  light: {
    bg: '#ffffff',
    fg: '#3b3b3b',
    widget: '#f8f8f8',
    border: '#005fb8',
    hover: '#f8f8f8',
    error: '#f85149',
    progress: '#0078d4',
  },
  dark: {
    bg: '#1f1f1f',
    fg: '#cccccc',
    widget: '#202020',
    border: '#0078d4',
    hover: '#202020',
    error: '#f85149',
    progress: '#0078d4',
  },
  'high-contrast': {
    bg: '#000000',
    fg: '#ffffff',
    widget: '#0c141f',
    border: '#6fc3df',
    hover: '#0c141f',
    error: '#f48771',
    progress: '#6fc3df',
  },
  'high-contrast-light': {
    bg: '#ffffff',
    fg: '#292929',
    widget: '#ffffff',
    border: '#0f4a85',
    hover: '#ffffff',
    error: '#b5200d',
    progress: '#0f4a85',
  },
};

/** Resolves CSS colour expressions (var() chains, names, hex with alpha) to the computed `rgb()/rgba()` form. */
class ColorProbe {
  private readonly el: HTMLElement;
  constructor(parent: HTMLElement) {
    this.el = document.createElement('span');
    this.el.className = 'pb-probe';
    this.el.setAttribute('aria-hidden', 'true');
    parent.appendChild(this.el);
  }
  color(expr: string, fallback: string): string {
    // CSSOM assignments are not inline-style markup: a strict style-src does not block them.
    this.el.style.color = '';
    this.el.style.color = fallback;
    this.el.style.color = expr;
    const c = getComputedStyle(this.el).color;
    return /^rgba?\(/.test(c) ? c : fallback;
  }
  dispose(): void {
    this.el.remove();
  }
}

function cssVar(style: CSSStyleDeclaration, name: string): string {
  return style.getPropertyValue(name).trim();
}

/** A colour counts as present only when it is opaque enough to see (HC themes leave some transparent). */
function visible(rgb: string): boolean {
  const m = /^rgba\([^,]+,[^,]+,[^,]+,\s*([\d.]+)\)$/.exec(rgb);
  return !m || Number(m[1]) > 0.05;
}

export function readPalette(body: HTMLElement = document.body): Palette {
  const kind = themeKind(body);
  const hc = kind === 'high-contrast' || kind === 'high-contrast-light';
  const f = FALLBACK[kind];
  const style = getComputedStyle(body);
  const probe = new ColorProbe(body);
  try {
    const v = (name: string, fallback: string): string => probe.color(`var(${name}, ${fallback})`, fallback);
    const background = v('--vscode-editor-background', f.bg);
    const foreground = v('--vscode-editor-foreground', v('--vscode-foreground', f.fg));
    const contrast = v('--vscode-contrastBorder', f.border);
    const contrastActive = v('--vscode-contrastActiveBorder', contrast);
    const line = hc ? contrast : v('--vscode-foreground', foreground);
    const widget = v('--vscode-editorWidget-background', f.widget);
    const focus = v('--vscode-focusBorder', f.border);
    const lifeline = hc
      ? contrast
      : v('--vscode-editorWidget-border', v('--vscode-widget-border', v('--vscode-panel-border', '#8888')));
    const hoverBg = v('--vscode-editorHoverWidget-background', f.hover);
    const hoverBorder = v('--vscode-editorHoverWidget-border', v('--vscode-editorWidget-border', focus));
    const fontSizePx = Number.parseFloat(cssVar(style, '--vscode-font-size')) || 13;
    return {
      kind,
      background,
      foreground,
      line,
      // No translucent fills in high contrast: boxes take the background and a contrast border.
      actorBkg: hc ? background : visible(widget) ? widget : background,
      actorBorder: hc ? contrast : focus,
      lifeline: visible(lifeline) ? lifeline : line,
      noteBkg: hc ? background : visible(hoverBg) ? hoverBg : widget,
      noteText: hc ? foreground : v('--vscode-editorHoverWidget-foreground', foreground),
      noteBorder: hc ? contrast : hoverBorder,
      error: v('--vscode-errorForeground', v('--vscode-editorError-foreground', f.error)),
      progress: v('--vscode-progressBar-background', f.progress),
      selected: hc ? contrastActive : focus,
      fontFamily: cssVar(style, '--vscode-font-family') || 'system-ui, -apple-system, "Segoe UI", sans-serif',
      fontSize: Math.max(10, Math.min(24, fontSizePx)),
    };
  } finally {
    probe.dispose();
  }
}

/** Extra rules appended to Mermaid's own scoped CSS (through `themeCSS`, so they are `#id`-scoped too). */
function themeCss(p: Palette): string {
  const hc = p.kind === 'high-contrast' || p.kind === 'high-contrast-light';
  const w = hc ? 2.5 : 1.5;
  return [
    // Top-level declarations land on the diagram's own `#id` rule: an exported SVG keeps its background.
    `background-color: ${p.background};`,
    `.messageLine0, .messageLine1 { stroke-width: ${w}px; }`,
    `.actor { stroke-width: ${hc ? 2 : 1}px; }`,
    `rect.note { stroke-width: ${hc ? 2 : 1}px; }`,
    `.actor-line { stroke-width: ${hc ? 1.5 : 1}px; stroke-dasharray: ${hc ? '6 4' : '3 3'}; }`,
    // `.actor-man circle, line` in Mermaid's sheet gives every line a fill and 2px width; keep message lines unfilled.
    `line[data-et="message"], path[data-et="message"] { fill: none; }`,
  ].join('\n');
}

export function mermaidConfig(p: Palette): MermaidConfig {
  const font = p.fontFamily;
  const size = p.fontSize;
  return {
    startOnLoad: false,
    securityLevel: 'strict',
    theme: 'base',
    look: 'classic',
    fontFamily: font,
    // The sequence renderer copies a top-level fontSize over its own three sizes.
    fontSize: size,
    maxTextSize: 200_000,
    themeCSS: themeCss(p),
    themeVariables: {
      darkMode: p.kind === 'dark' || p.kind === 'high-contrast',
      background: p.background,
      fontFamily: font,
      fontSize: `${size}px`,
      primaryColor: p.actorBkg,
      primaryTextColor: p.foreground,
      primaryBorderColor: p.actorBorder,
      secondaryColor: p.noteBkg,
      tertiaryColor: p.background,
      lineColor: p.line,
      textColor: p.foreground,
      mainBkg: p.actorBkg,
      actorBkg: p.actorBkg,
      actorBorder: p.actorBorder,
      actorTextColor: p.foreground,
      actorLineColor: p.lifeline,
      signalColor: p.line,
      signalTextColor: p.foreground,
      labelBoxBkgColor: p.actorBkg,
      labelBoxBorderColor: p.actorBorder,
      labelTextColor: p.foreground,
      loopTextColor: p.foreground,
      noteBkgColor: p.noteBkg,
      noteTextColor: p.noteText,
      noteBorderColor: p.noteBorder,
      activationBkgColor: p.actorBkg,
      activationBorderColor: p.actorBorder,
      sequenceNumberColor: p.background,
    },
    sequence: {
      showSequenceNumbers: false,
      useMaxWidth: false,
      mirrorActors: false,
      wrap: false,
      rightAngles: false,
      messageAlign: 'center',
      noteAlign: 'left',
      diagramMarginX: 16,
      diagramMarginY: 12,
      actorMargin: 32,
      width: 120,
      height: 40,
      boxMargin: 8,
      noteMargin: 8,
      messageMargin: 30,
      actorFontFamily: font,
      actorFontSize: size,
      actorFontWeight: 600,
      messageFontFamily: font,
      messageFontSize: size,
      noteFontFamily: font,
      noteFontSize: size,
    },
  };
}

/**
 * The palette as the custom properties diagram.css draws the page's own diagram with. Set through
 * CSSOM (style.setProperty), which a strict style-src allows.
 */
export function applyPalette(p: Palette, root: HTMLElement = document.documentElement): void {
  const hc = p.kind === 'high-contrast' || p.kind === 'high-contrast-light';
  const vars: Record<string, string> = {
    '--pb-bg': p.background,
    '--pb-fg': p.foreground,
    '--pb-line': p.line,
    '--pb-line-width': hc ? '2.5px' : '1.5px',
    '--pb-actor-bg': p.actorBkg,
    '--pb-actor-border': p.actorBorder,
    '--pb-actor-border-width': hc ? '2px' : '1px',
    '--pb-lifeline': p.lifeline,
    '--pb-lifeline-dash': hc ? '6 4' : '3 3',
    '--pb-note-bg': p.noteBkg,
    '--pb-note-fg': p.noteText,
    '--pb-note-border': p.noteBorder,
    '--pb-error': p.error,
    '--pb-progress': p.progress,
    '--pb-selected': p.selected,
    '--pb-font': p.fontFamily,
    '--pb-font-size': `${p.fontSize}px`,
  };
  for (const [k, v] of Object.entries(vars)) root.style.setProperty(k, v);
}
