// The editor's side of a webview page that may not start (page-load-watch.ts): reloads it, says so in
// the output channel, and when every try failed, tells the user what to do.

import * as vscode from 'vscode';
import { PAGE_READY_WAITS_MS, watchPageLoad, type PageLoadWatch } from './page-load-watch.js';
import { newNonce, type WebviewHtmlOptions } from './webview-html.js';

/**
 * Sets a webview's page (the bundle `dist/webview/<bundle>.js` and `.css`, through `html`, a fresh
 * nonce each time) and watches it start, loading it again if it does not. Returns the watch: the
 * caller says `ready()` on the page's ready message and `loading()` when a hidden view is shown again.
 */
export function startWebviewPage(o: {
  readonly what: string;
  readonly log: vscode.LogOutputChannel;
  readonly webview: vscode.Webview;
  readonly extensionUri: vscode.Uri;
  readonly bundle: 'diagram' | 'timeline' | 'rollout';
  readonly html: (options: WebviewHtmlOptions) => string;
  readonly title: string;
  readonly visible: () => boolean;
}): PageLoadWatch {
  const root = vscode.Uri.joinPath(o.extensionUri, 'dist', 'webview');
  const load = (): void => {
    o.webview.html = o.html({
      cspSource: o.webview.cspSource,
      nonce: newNonce(),
      scriptUri: o.webview.asWebviewUri(vscode.Uri.joinPath(root, `${o.bundle}.js`)).toString(),
      styleUri: o.webview.asWebviewUri(vscode.Uri.joinPath(root, `${o.bundle}.css`)).toString(),
      title: o.title,
    });
  };
  load();
  const page = watchWebviewPage(o.what, o.log, load, o.visible);
  page.loading();
  return page;
}

/** `what` names the page in messages, e.g. "timeline" or "diagram pb/web-0". */
function watchWebviewPage(
  what: string,
  log: vscode.LogOutputChannel,
  reload: () => void,
  visible: () => boolean,
): PageLoadWatch {
  return watchPageLoad({
    reload,
    visible,
    retried: (attempt, waitedMs) =>
      log.warn(
        `${what}: the page did not start within ${waitedMs / 1000} s (VS Code did not serve its files); loading it again (${attempt}/${PAGE_READY_WAITS_MS.length})`,
      ),
    gaveUp: () => {
      const text = `Pod Birth: the ${what} view did not start after ${PAGE_READY_WAITS_MS.length + 1} tries: VS Code did not serve its files (a known VS Code webview problem after a reload). Reload the window; if it stays empty, restart VS Code.`;
      log.error(text);
      void vscode.window.showWarningMessage(text, 'Reload Window').then((pick) => {
        if (pick) void vscode.commands.executeCommand('workbench.action.reloadWindow');
      });
    },
  });
}
