// The webviews' HTML (diagram panel and side-panel timeline), built by the host: one source of truth
// for the pages and their CSP. No DOM and no vscode, so the browser tests serve the very same page.
// Everything interpolated is escaped or validated.

import { randomBytes } from 'node:crypto';

export interface WebviewHtmlOptions {
  /** `webview.cspSource`. */
  readonly cspSource: string;
  /** Fresh per page load; base64/base64url characters only. */
  readonly nonce: string;
  /** `asWebviewUri(dist/webview/<page>.js)`. */
  readonly scriptUri: string;
  /** `asWebviewUri(dist/webview/<page>.css)`. */
  readonly styleUri: string;
  /** Page title (untrusted: may hold a pod name). */
  readonly title: string;
}

/** The diagram panel's page (`dist/webview/diagram.js` + `.css`). */
export type DiagramHtmlOptions = WebviewHtmlOptions;
/** The side-panel timeline's page (`dist/webview/timeline.js` + `.css`). */
export type TimelineHtmlOptions = WebviewHtmlOptions;

const NONCE_RE = /^[A-Za-z0-9+/=_-]{16,}$/;

/** A fresh nonce for one page load: 24 alphanumeric characters at most (base64 of 18 random bytes, symbols dropped). */
export function newNonce(): string {
  return randomBytes(18)
    .toString('base64')
    .replace(/[^A-Za-z0-9]/g, '');
}

export function escapeHtml(s: string): string {
  return String(s).replace(/[&<>"']/g, (c) =>
    c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&#39;',
  );
}

function checkNonce(nonce: string): string {
  if (!NONCE_RE.test(nonce)) throw new Error('webview html: the nonce must be at least 16 base64 characters');
  return nonce;
}

/** CSP source lists are space-separated; a source with whitespace, quotes or `;` would inject directives. */
function checkSource(src: string): string {
  // VS Code's cspSource is a source list, e.g. `'self' https://*.vscode-cdn.net` in code-server:
  // each space-separated source must be 'self' or a host/scheme source without quotes or `;`.
  const sources = src.trim().split(/ +/);
  if (sources.length === 0 || !sources.every((s) => s === "'self'" || /^[^\s;'",]+$/.test(s))) {
    throw new Error('webview html: cspSource has characters a CSP source cannot hold');
  }
  return sources.join(' ');
}

/** The production policy of every page: nonce'd scripts only (no unsafe-eval/unsafe-inline), styles and assets from the webview origin. */
export function webviewCsp(o: { readonly cspSource: string; readonly nonce: string }): string {
  const src = checkSource(o.cspSource);
  return (
    `default-src 'none'; script-src 'nonce-${checkNonce(o.nonce)}'; style-src ${src}; ` +
    `img-src ${src} data:; font-src ${src}; connect-src 'none';`
  );
}

/** The diagram's policy (the same for every page). */
export const diagramCsp = webviewCsp;
/** The rollout view's page (`dist/webview/rollout.js` + `.css`). */
export type RolloutHtmlOptions = WebviewHtmlOptions;

/** The timeline's policy (the same for every page). */
export const timelineCsp = webviewCsp;

/** One page: the CSP as a meta tag, the stylesheet, an app root with a loading line, one nonce'd module script. */
function pageHtml(o: WebviewHtmlOptions, loading: string): string {
  const nonce = checkNonce(o.nonce);
  const csp = webviewCsp(o);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(o.title)}</title>
<link rel="stylesheet" href="${escapeHtml(o.styleUri)}">
</head>
<body>
<div id="pb-app" class="pb-app"><p class="pb-loading">${escapeHtml(loading)}</p></div>
<script type="module" nonce="${escapeHtml(nonce)}" src="${escapeHtml(o.scriptUri)}"></script>
</body>
</html>
`;
}

export function diagramHtml(o: DiagramHtmlOptions): string {
  return pageHtml(o, 'Loading diagram…');
}

export function timelineHtml(o: TimelineHtmlOptions): string {
  return pageHtml(o, 'Loading timeline…');
}

export function rolloutHtml(o: RolloutHtmlOptions): string {
  return pageHtml(o, 'Loading rollout…');
}
