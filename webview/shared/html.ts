// The diagram webview's HTML, built by the host (one source of truth for page and CSP).
// Pure string building: no DOM, no vscode. Everything interpolated is escaped or validated.

export interface DiagramHtmlOptions {
  /** `webview.cspSource`. */
  readonly cspSource: string;
  /** Fresh per page load; base64/base64url characters only. */
  readonly nonce: string;
  /** `asWebviewUri(dist/webview/diagram.js)`. */
  readonly scriptUri: string;
  /** `asWebviewUri(dist/webview/diagram.css)`. */
  readonly styleUri: string;
  /** Panel title (untrusted: may hold a pod name). */
  readonly title: string;
}

const NONCE_RE = /^[A-Za-z0-9+/=_-]{16,}$/;

export function escapeHtml(s: string): string {
  return String(s).replace(/[&<>"']/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&#39;'));
}

function checkNonce(nonce: string): string {
  if (!NONCE_RE.test(nonce)) throw new Error('diagramHtml: the nonce must be at least 16 base64 characters');
  return nonce;
}

/** CSP source lists are space-separated; a source with whitespace, quotes or `;` would inject directives. */
function checkSource(src: string): string {
  if (!/^[^\s;'",]+$/.test(src)) throw new Error('diagramHtml: cspSource has characters a CSP source cannot hold');
  return src;
}

/** The production policy: nonce'd scripts only (no unsafe-eval/unsafe-inline), styles and assets from the webview origin. */
export function diagramCsp(o: { readonly cspSource: string; readonly nonce: string }): string {
  const src = checkSource(o.cspSource);
  return (
    `default-src 'none'; script-src 'nonce-${checkNonce(o.nonce)}'; style-src ${src}; ` +
    `img-src ${src} data:; font-src ${src}; connect-src 'none';`
  );
}

export function diagramHtml(o: DiagramHtmlOptions): string {
  const nonce = checkNonce(o.nonce);
  const csp = diagramCsp(o);
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
<div id="pb-app" class="pb-app"><p class="pb-loading">Loading diagram…</p></div>
<script type="module" nonce="${escapeHtml(nonce)}" src="${escapeHtml(o.scriptUri)}"></script>
</body>
</html>
`;
}
