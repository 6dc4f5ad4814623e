// Browser harness for the webviews (diagram panel, side-panel timeline): builds the real bundle,
// serves it with the HTML from src/extension/webview-html.ts under the exact production CSP (header and
// meta), and stubs what VS Code injects (acquireVsCodeApi, body theme classes, --vscode-* variables)
// with a nonce'd classic script.

import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createServer, type Server } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import * as esbuild from 'esbuild';
import { chromium, type Browser, type Page as PwPage } from 'playwright-core';
import { diagramHtml, rolloutHtml, timelineHtml, webviewCsp } from '../../src/extension/webview-html.js';
import type { DiagramToHost } from '../../src/protocol/diagram.js';
import type { TimelineToHost } from '../../src/protocol/timeline.js';

export const ROOT = resolve(__dirname, '..', '..');

export type Page = 'diagram' | 'timeline' | 'rollout';

/** The webview target of scripts/build.mjs, one page's entry (default the diagram), into `outdir`. */
export async function buildWebview(outdir: string, minify = true, page: Page = 'diagram'): Promise<void> {
  await esbuild.build({
    absWorkingDir: ROOT,
    bundle: true,
    platform: 'browser',
    format: 'esm',
    splitting: true,
    target: ['es2022', 'chrome120'],
    entryPoints: { [page]: `webview/${page}/main.ts` },
    outdir,
    chunkNames: 'chunks/[name]-[hash]',
    sourcemap: false,
    minify,
    logLevel: 'warning',
    legalComments: 'none',
  });
}

export const CHROMIUM = process.env.PB_CHROMIUM ?? '/usr/bin/chromium';
/** Where to save screenshots (PB_SHOTS=dir), or '' for none. */
export const SHOTS = process.env.PB_SHOTS ?? '';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A CSP violation as the page's securitypolicyviolation listener records it. */
export interface Violation {
  readonly directive: string;
  readonly blocked: string;
  readonly sample: string;
}

/** What the harness page exposes to the tests. */
/** `Posted`: what the page under test posts (its view's protocol; by default either view's). */
export interface PageGlobals<Posted = DiagramToHost | TimelineToHost> {
  __posted: Posted[];
  __violations: Violation[];
  __state(): unknown;
  __setTheme(kind: ThemeName): void;
}

export type ThemeName = 'light' | 'dark' | 'high-contrast' | 'high-contrast-light';

const FONT = '-apple-system, BlinkMacSystemFont, "Segoe WPC", "Segoe UI", "Ubuntu", "Droid Sans", sans-serif';

/** A subset of the variables VS Code sets, with the values of Light/Dark Modern and the two HC themes. */
export const THEMES: Record<ThemeName, Record<string, string>> = {
  light: {
    'editor-background': '#ffffff',
    'editor-foreground': '#3b3b3b',
    foreground: '#3b3b3b',
    'editorWidget-background': '#f8f8f8',
    'editorWidget-border': '#e5e5e5',
    focusBorder: '#005fb8',
    'editorHoverWidget-background': '#f8f8f8',
    'editorHoverWidget-foreground': '#3b3b3b',
    'editorHoverWidget-border': '#c8c8c8',
    errorForeground: '#f85149',
    descriptionForeground: '#6e7681',
    'badge-background': '#cccccc',
    'badge-foreground': '#3b3b3b',
    'button-background': '#005fb8',
    'button-foreground': '#ffffff',
    'button-hoverBackground': '#0258a8',
    'button-secondaryBackground': '#e5e5e5',
    'button-secondaryForeground': '#3b3b3b',
    'button-secondaryHoverBackground': '#cccccc',
    'panel-border': '#e5e5e5',
    'sideBar-background': '#f8f8f8',
    'textBlockQuote-background': '#f8f8f8',
    'testing-iconPassed': '#388a34',
    'editorWarning-foreground': '#bf8803',
    'editorError-foreground': '#e51400',
    'editorInfo-foreground': '#1a85ff',
    'widget-shadow': 'rgba(0, 0, 0, 0.16)',
    'progressBar-background': '#005fb8',
  },
  dark: {
    'editor-background': '#1f1f1f',
    'editor-foreground': '#cccccc',
    foreground: '#cccccc',
    'editorWidget-background': '#202020',
    'editorWidget-border': '#313131',
    focusBorder: '#0078d4',
    'editorHoverWidget-background': '#202020',
    'editorHoverWidget-foreground': '#cccccc',
    'editorHoverWidget-border': '#454545',
    errorForeground: '#f85149',
    descriptionForeground: '#9d9d9d',
    'badge-background': '#616161',
    'badge-foreground': '#f8f8f8',
    'button-background': '#0078d4',
    'button-foreground': '#ffffff',
    'button-hoverBackground': '#026ec1',
    'button-secondaryBackground': '#313131',
    'button-secondaryForeground': '#cccccc',
    'button-secondaryHoverBackground': '#3c3c3c',
    'panel-border': '#2b2b2b',
    'sideBar-background': '#181818',
    'textBlockQuote-background': '#2b2b2b',
    'testing-iconPassed': '#73c991',
    'editorWarning-foreground': '#cca700',
    'editorError-foreground': '#f14c4c',
    'editorInfo-foreground': '#3794ff',
    'widget-shadow': 'rgba(0, 0, 0, 0.36)',
    'progressBar-background': '#0078d4',
  },
  'high-contrast': {
    'editor-background': '#000000',
    'editor-foreground': '#ffffff',
    foreground: '#ffffff',
    'editorWidget-background': '#0c141f',
    contrastBorder: '#6fc3df',
    contrastActiveBorder: '#f38518',
    focusBorder: '#f38518',
    'editorHoverWidget-background': '#0c141f',
    'editorHoverWidget-border': '#6fc3df',
    errorForeground: '#f48771',
    descriptionForeground: '#ffffff',
    'badge-background': '#000000',
    'badge-foreground': '#ffffff',
    'button-background': '#000000',
    'button-foreground': '#ffffff',
    'button-border': '#6fc3df',
    'button-secondaryBackground': '#000000',
    'button-secondaryForeground': '#ffffff',
    'panel-border': '#6fc3df',
    'sideBar-background': '#000000',
    'testing-iconPassed': '#73c991',
    'editorWarning-foreground': '#ffd370',
    'editorError-foreground': '#f48771',
    'progressBar-background': '#6fc3df',
  },
  'high-contrast-light': {
    'editor-background': '#ffffff',
    'editor-foreground': '#292929',
    foreground: '#292929',
    'editorWidget-background': '#ffffff',
    contrastBorder: '#0f4a85',
    contrastActiveBorder: '#006bbd',
    focusBorder: '#006bbd',
    'editorHoverWidget-background': '#ffffff',
    'editorHoverWidget-border': '#0f4a85',
    errorForeground: '#b5200d',
    descriptionForeground: '#292929',
    'badge-background': '#0f4a85',
    'badge-foreground': '#ffffff',
    'button-background': '#0f4a85',
    'button-foreground': '#ffffff',
    'button-border': '#0f4a85',
    'button-secondaryBackground': '#ffffff',
    'button-secondaryForeground': '#292929',
    'panel-border': '#0f4a85',
    'sideBar-background': '#ffffff',
    'testing-iconPassed': '#007100',
    'editorWarning-foreground': '#895503',
    'editorError-foreground': '#b5200d',
    'progressBar-background': '#0f4a85',
  },
};

/** What VS Code's webview host script provides, as a classic script that runs before the module. */
function stubJs(): string {
  const themes: Record<string, Record<string, string>> = {};
  for (const [k, vars] of Object.entries(THEMES)) {
    themes[k] = {
      'font-family': FONT,
      'font-size': '13px',
      'font-weight': 'normal',
      'editor-font-family': "'Droid Sans Mono', 'monospace', monospace",
      ...vars,
    };
  }
  return `(() => {
  'use strict';
  const THEMES = ${JSON.stringify(themes)};
  window.__posted = [];
  window.__violations = [];
  document.addEventListener('securitypolicyviolation', (e) => {
    window.__violations.push({ directive: e.effectiveDirective, blocked: e.blockedURI, sample: e.sample });
  });
  let state;
  try { state = JSON.parse(sessionStorage.getItem('pb-state') || 'null') || undefined; } catch { state = undefined; }
  let acquired = false;
  window.acquireVsCodeApi = () => {
    if (acquired) throw new Error('An instance of the VS Code API has already been acquired');
    acquired = true;
    return Object.freeze({
      postMessage: (m) => { window.__posted.push(JSON.parse(JSON.stringify(m))); },
      getState: () => state,
      setState: (s) => { state = s; sessionStorage.setItem('pb-state', JSON.stringify(s)); return s; },
    });
  };
  window.__state = () => state;
  let applied = [];
  window.__setTheme = (kind) => {
    const root = document.documentElement.style;
    for (const k of applied) root.removeProperty(k);
    applied = [];
    for (const [k, v] of Object.entries(THEMES[kind])) { root.setProperty('--vscode-' + k, v); applied.push('--vscode-' + k); }
    document.body.classList.remove('vscode-light', 'vscode-dark', 'vscode-high-contrast', 'vscode-high-contrast-light');
    document.body.classList.add('vscode-' + kind);
    document.body.dataset.vscodeThemeKind = 'vscode-' + kind;
  };
  window.__setTheme(new URLSearchParams(location.search).get('theme') || 'light');
})();
`;
}

export interface Served {
  readonly url: string;
  readonly origin: string;
  readonly nonce: string;
  readonly csp: string;
  readonly html: string;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
};

/** Serves `dist` (the built dist/webview) under /webview/, the page at /, the stub at /stub.js. */
export async function serve(dist: string, title: string, page: Page = 'diagram'): Promise<Served> {
  const nonce = randomBytes(18)
    .toString('base64')
    .replace(/[^A-Za-z0-9]/g, '')
    .padEnd(16, 'x');
  const server: Server = createServer();
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  const origin = `http://127.0.0.1:${address.port}`;
  const csp = webviewCsp({ cspSource: origin, nonce });
  const build = page === 'timeline' ? timelineHtml : page === 'rollout' ? rolloutHtml : diagramHtml;
  const base = build({
    cspSource: origin,
    nonce,
    scriptUri: `${origin}/webview/${page}.js`,
    styleUri: `${origin}/webview/${page}.css`,
    title,
  });
  const marker = '<script type="module"';
  if (base.split(marker).length !== 2) throw new Error(`expected exactly one module script in ${page}Html()`);
  const html = base.replace(marker, `<script nonce="${nonce}" src="${origin}/stub.js"></script>\n${marker}`);
  const stub = stubJs();
  const root = resolve(dist);
  server.on('request', (req, res) => {
    const path = new URL(req.url ?? '/', origin).pathname;
    const send = (status: number, type: string, body: string | Buffer): void => {
      res.writeHead(status, {
        'content-type': type,
        'cache-control': 'no-store',
        ...(type.startsWith('text/html') ? { 'content-security-policy': csp } : {}),
      });
      res.end(body);
    };
    if (path === '/') return send(200, 'text/html; charset=utf-8', html);
    if (path === '/stub.js') return send(200, TYPES['.js'] as string, stub);
    if (path.startsWith('/webview/')) {
      const file = normalize(join(root, decodeURIComponent(path.slice('/webview/'.length))));
      if (!file.startsWith(root + sep)) return send(403, 'text/plain', 'forbidden');
      readFile(file).then(
        (body) => send(200, TYPES[extname(file)] ?? 'application/octet-stream', body),
        () => send(404, 'text/plain', 'not found'),
      );
      return;
    }
    send(404, 'text/plain', 'not found');
  });
  return {
    url: `${origin}/`,
    origin,
    nonce,
    csp,
    html,
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}

/** One page under test in a fresh browser context: what it posted, sending it host messages, its CSP violations. */
export interface OpenedPage<Posted, Host> {
  readonly page: PwPage;
  readonly dialogs: string[];
  readonly errors: string[];
  posted(): Promise<Posted[]>;
  send(m: Host): Promise<void>;
  violations(): Promise<Violation[]>;
  close(): Promise<void>;
}

/** Opens the served page in `theme` and waits for its webview/ready. */
export async function openPage<Posted, Host>(
  browser: Browser,
  served: Served,
  theme: ThemeName,
  viewport: { width: number; height: number },
): Promise<OpenedPage<Posted, Host>> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const dialogs: string[] = [];
  const errors: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${served.url}?theme=${theme}`);
  await page
    .waitForFunction(
      () => (window as unknown as PageGlobals).__posted.some((m) => m.type === 'webview/ready'),
      undefined,
      { timeout: 60_000 },
    )
    .catch((e: unknown) => {
      throw new Error(
        `the page never posted webview/ready (page errors: ${errors.join(' | ') || 'none'}): ${String(e)}`,
      );
    });
  return {
    page,
    dialogs,
    errors,
    posted: () => page.evaluate(() => (window as unknown as PageGlobals<Posted>).__posted),
    send: (m) => page.evaluate((msg) => window.postMessage(msg, '*'), m as unknown as Record<string, unknown>),
    violations: () => page.evaluate(() => (window as unknown as PageGlobals).__violations),
    close: () => context.close(),
  };
}

/** One test file's page under test: its bundle built into a temp dir, served, and a Chromium. */
export interface PageServer {
  readonly dir: string;
  readonly served: Served;
  readonly browser: Browser;
  close(): Promise<void>;
}

export async function startPageServer(page: Page, title: string): Promise<PageServer> {
  if (!existsSync(CHROMIUM))
    throw new Error(`no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set PB_CHROMIUM)`);
  const dir = mkdtempSync(join(tmpdir(), `pb-${page}-`));
  await buildWebview(dir, true, page);
  const served = await serve(dir, title, page);
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  return {
    dir,
    served,
    browser,
    async close() {
      await browser.close();
      await served.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
