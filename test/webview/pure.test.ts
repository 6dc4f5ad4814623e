// The webview's pure helpers (no browser): the host-side HTML template and the note wrapping.

import { describe, expect, it } from 'vitest';
import { renderMermaid } from '../../src/core/mermaid/index.js';
import { traceFromEvidence } from '../../src/core/trace/index.js';
import { diagramCsp, diagramHtml } from '../../src/extension/webview-html.js';
import { wrapNotes } from '../../webview/diagram/layout.js';
import { allEvidence } from '../unit/trace/realistic.js';

const opts = {
  cspSource: 'https://*.vscode-cdn.net',
  nonce: 'AbCdEfGhIjKlMnOpQrStUv12',
  scriptUri: 'https://x/dist/webview/diagram.js?a=1&b=2',
  styleUri: 'https://x/dist/webview/diagram.css',
  title: '<img src=x onerror=alert(1)> "q"',
};

describe('diagramHtml', () => {
  it("builds the page with the production CSP, one nonce'd module script and the stylesheet", () => {
    const html = diagramHtml(opts);
    const csp = diagramCsp(opts);
    expect(csp).toBe(
      "default-src 'none'; script-src 'nonce-AbCdEfGhIjKlMnOpQrStUv12'; style-src https://*.vscode-cdn.net; img-src https://*.vscode-cdn.net data:; font-src https://*.vscode-cdn.net; connect-src 'none';",
    );
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="${csp.replace(/'/g, '&#39;')}">`);
    expect(html.match(/<script\b/g)).toHaveLength(1);
    expect(html).toContain(
      '<script type="module" nonce="AbCdEfGhIjKlMnOpQrStUv12" src="https://x/dist/webview/diagram.js?a=1&amp;b=2"></script>',
    );
    expect(html).toContain('<link rel="stylesheet" href="https://x/dist/webview/diagram.css">');
    expect(html).toContain('<title>&lt;img src=x onerror=alert(1)&gt; &quot;q&quot;</title>');
    expect(html).not.toContain('<img');
    expect(html).not.toMatch(/unsafe-(inline|eval)/);
  });

  it('refuses a nonce or CSP source that could change the policy', () => {
    expect(() => diagramHtml({ ...opts, nonce: "abc' 'unsafe-inline" })).toThrow();
    expect(() => diagramHtml({ ...opts, nonce: 'short' })).toThrow();
    expect(() => diagramHtml({ ...opts, cspSource: "https://a; script-src 'unsafe-eval'" })).toThrow();
    expect(() => diagramHtml({ ...opts, cspSource: "'self' 'unsafe-eval'" })).toThrow();
  });

  it("accepts VS Code's source list form ('self' plus the CDN host, as code-server gives it)", () => {
    const html = diagramHtml({ ...opts, cspSource: "'self' https://*.vscode-cdn.net" });
    expect(html).toContain('style-src &#39;self&#39; https://*.vscode-cdn.net;');
    expect(html).not.toMatch(/unsafe-(inline|eval)/);
  });
});

describe('wrapNotes', () => {
  it('breaks long note lines at spaces and leaves everything else alone', () => {
    const long =
      'crash-loop – app exits with code 1 right after starting → read #96;kubectl logs web #45;#45;previous#96; and then some more words to wrap';
    const src = [
      'sequenceDiagram',
      'participant kubelet as kubelet',
      `kubelet->>kubelet: ${long}`,
      `Note over kubelet: ${long}`,
      'Note over kubelet,etcd: short<br/>line',
    ].join('\n');
    const out = wrapNotes(src, 40).split('\n');
    expect(out.slice(0, 3)).toEqual(src.split('\n').slice(0, 3));
    expect(out[4]).toBe('Note over kubelet,etcd: short<br/>line');
    const body = (out[3] ?? '').replace('Note over kubelet: ', '');
    expect(body.split('<br/>').join(' ')).toBe(long);
    for (const l of body.split('<br/>')) expect(l.replace(/#\d+;/g, '_').length).toBeLessThanOrEqual(40);
  });

  it('keeps the statement count of a real diagram', () => {
    const { source } = renderMermaid(traceFromEvidence(allEvidence()));
    expect(wrapNotes(source).split('\n')).toHaveLength(source.split('\n').length);
  });
});
