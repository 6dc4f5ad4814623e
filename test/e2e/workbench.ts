// Page objects for the VS Code workbench served by code-server, driven with playwright-core and Debian's Chromium.
// Selectors are VS Code 1.100's (code-server 4.100.3). Menus live in a shadow root; Playwright's CSS selectors pierce it.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type Browser, type Frame, type Locator, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env['POD_BIRTH_CHROMIUM'] ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS], headless: true });
}

/** Opens the workbench URL and waits for the workbench and the explorer to render. */
export async function openWorkbench(
  browser: Browser,
  url: string,
  timeoutMs = 30_000,
  viewport = { width: 1400, height: 900 },
): Promise<Page> {
  const page = await browser.newPage({ viewport });
  await page.goto(url);
  await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: timeoutMs });
  return page;
}

/** Opens a file by clicking its row in the explorer; waits for its editor tab to be active and the text to render. */
export async function openFileFromExplorer(page: Page, fileName: string, timeoutMs = 20_000): Promise<void> {
  const row = page.locator('.explorer-folders-view .monaco-list-row', { hasText: fileName }).first();
  await row.waitFor({ state: 'visible', timeout: timeoutMs });
  await row.click();
  await page
    .locator('.tabs-container .tab.active', { hasText: fileName })
    .waitFor({ state: 'visible', timeout: timeoutMs });
  await activeEditor(page).locator('.view-lines').waitFor({ state: 'visible', timeout: timeoutMs });
}

/** Opens a workspace file with Quick Open (Ctrl+P): works whatever the side bar shows (after a reload too). */
export async function openFileQuick(page: Page, fileName: string, timeoutMs = 20_000): Promise<void> {
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: timeoutMs });
  await input.fill(fileName);
  await page
    .locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: fileName })
    .first()
    .waitFor({ state: 'visible', timeout: timeoutMs });
  await page.keyboard.press('Enter');
  await page
    .locator('.tabs-container .tab.active', { hasText: fileName })
    .waitFor({ state: 'visible', timeout: timeoutMs });
  await activeEditor(page).locator('.view-lines').waitFor({ state: 'visible', timeout: timeoutMs });
}

/**
 * Waits until the status bar shows `mode` as the active editor's language. Until then the editor is "Plain Text",
 * and `resourceLangId == yaml` menus and `onLanguage:yaml` activation have not happened yet.
 */
export async function waitForLanguageMode(page: Page, mode: string, timeoutMs = 20_000): Promise<void> {
  const item = page.locator('[id="status.editor.mode"]');
  const read = async (): Promise<string> =>
    (await item.count()) > 0 ? ((await item.first().textContent()) ?? '').trim() : '';
  const shown = await pollUntil(read, (text) => text === mode, timeoutMs);
  if (shown !== mode)
    throw new Error(`the active editor's language mode is "${shown}" after ${timeoutMs} ms, expected "${mode}"`);
}

/** The text editor of the active editor group. */
export function activeEditor(page: Page): Locator {
  return page.locator('.editor-group-container.active .editor-instance .monaco-editor').first();
}

/**
 * Polls `read` until `done` holds or the timeout passes, and returns the last value either way,
 * so the caller's assertion fails with what was actually on screen.
 */
export async function pollUntil<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs: number,
  intervalMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() >= deadline) return value;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

async function texts(locator: Locator): Promise<string[]> {
  return (await locator.allTextContents()).map((t) => t.trim()).filter((t) => t.length > 0);
}

/** Titles of the CodeLenses currently rendered in the active editor. */
export function codeLensTitles(page: Page): Promise<string[]> {
  return texts(activeEditor(page).locator('.codelens-decoration > a, .codelens-decoration > span'));
}

/** Right-clicks the active editor's text and returns the labels of the context menu (keybindings left out). */
export async function openEditorContextMenu(page: Page, timeoutMs = 10_000): Promise<string[]> {
  await activeEditor(page).locator('.view-lines').click({ button: 'right' });
  const items = page.locator('.context-view .monaco-menu .action-item .action-label');
  await items.first().waitFor({ state: 'visible', timeout: timeoutMs });
  return texts(items);
}

/**
 * Chooses `label` in the open context menu. Monaco menus act on mouseup, and with a webview open one
 * click was dropped in CI (the menu stayed open, the item highlighted); when the menu is still open
 * after the click, the highlighted item is chosen with Enter, as a keyboard user would.
 */
export async function chooseContextMenuItem(page: Page, label: string, timeoutMs = 10_000): Promise<void> {
  const menu = page.locator('.context-view .monaco-menu');
  const item = menu.locator('.action-item', { hasText: label }).first();
  await item.click();
  const closed = await menu
    .first()
    .waitFor({ state: 'hidden', timeout: 1500 })
    .then(
      () => true,
      () => false,
    );
  if (closed) return;
  console.log(`context menu: the click on "${label}" was dropped; choosing it with Enter`);
  await item.hover();
  if (await menu.first().isVisible()) await page.keyboard.press('Enter');
  await menu.first().waitFor({ state: 'hidden', timeout: timeoutMs });
}

/** Opens the command palette, types `query`, and returns the labels of the listed commands once `expected` shows up or the timeout passes. */
export async function searchCommandPalette(
  page: Page,
  query: string,
  expected: string,
  timeoutMs = 10_000,
): Promise<string[]> {
  await page.keyboard.press('Control+Shift+P');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: timeoutMs });
  await page.keyboard.type(query);
  const rows = page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
  const read = async (): Promise<string[]> =>
    (await rows.evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? e.textContent ?? ''))).map((t) =>
      t.trim(),
    );
  return pollUntil(read, (labels) => labels.includes(expected), timeoutMs);
}

/** Closes menus and quick inputs. */
export async function dismiss(page: Page): Promise<void> {
  await page.keyboard.press('Escape');
  await page.keyboard.press('Escape');
}

/** Saves a full-page screenshot as `<dir>/<name>.png` and returns its path. */
export async function screenshot(page: Page, dir: string, name: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, `${name}.png`);
  await page.screenshot({ path });
  return path;
}

/**
 * The first frame (webviews are nested iframes) whose document matches `selector`, waiting for it.
 * Webviews are found by their content, not by VS Code's internal iframe naming.
 */
export async function findFrame(page: Page, selector: string, timeoutMs = 30_000): Promise<Frame> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const frame of page.frames()) {
      const hit = await frame
        .locator(selector)
        .count()
        .catch(() => 0);
      if (hit > 0) return frame;
    }
    if (Date.now() >= deadline) throw new Error(`no frame shows ${selector} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Clicks the quick pick row whose text contains `text` (waits for it). */
export async function pickQuickItem(page: Page, text: string, timeoutMs = 15_000): Promise<void> {
  const row = page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: text }).first();
  await row.waitFor({ state: 'visible', timeout: timeoutMs });
  await row.click();
}

/** The text of VS Code's modal dialog and a way to press one of its buttons. */
export async function modalDialog(
  page: Page,
  timeoutMs = 30_000,
): Promise<{ text: string; press(label: string): Promise<void> }> {
  const box = page.locator('.monaco-dialog-box').first();
  await box.waitFor({ state: 'visible', timeout: timeoutMs });
  const text = ((await box.textContent()) ?? '').replace(/\s+/g, ' ').trim();
  return {
    text,
    press: async (label) => {
      await box.locator('.dialog-buttons .monaco-button', { hasText: label }).first().click();
    },
  };
}

/** The editor selection as the status bar shows it, e.g. "Ln 11, Col 14 (12 selected)". */
export async function statusBarSelection(page: Page): Promise<string> {
  const item = page.locator('[id="status.editor.selection"]').first();
  return (await item.count()) > 0 ? ((await item.textContent()) ?? '').trim() : '';
}

/** Opens the Problems panel and returns its rows' text (message, source(code), [Ln L, Col C]). */
export async function problems(page: Page): Promise<string[]> {
  const panel = page.locator('.markers-panel');
  if (!(await panel.isVisible().catch(() => false))) await page.keyboard.press('Control+Shift+M');
  await panel.waitFor({ state: 'visible', timeout: 10_000 });
  const rows = page.locator('.markers-panel .monaco-list-row');
  return (await rows.evaluateAll((els) => els.map((e) => e.textContent || e.getAttribute('aria-label') || ''))).map(
    (t) => t.replace(/\s+/g, ' ').trim(),
  );
}

/** Shows an activity bar container by its label (e.g. "Pod Birth", "Explorer"); clicking an active one would hide it. */
export async function openActivity(page: Page, label: string, timeoutMs = 15_000): Promise<void> {
  const item = page
    .locator('.activitybar .action-item')
    .filter({ has: page.locator(`a[aria-label^="${label}"]`) })
    .first();
  await item.waitFor({ state: 'visible', timeout: timeoutMs });
  const checked = async (): Promise<boolean> =>
    ((await item.getAttribute('class')) ?? '').split(/\s+/).includes('checked');
  // Clicking a checked item hides its side bar. Right after a reload the workbench shows the item
  // before it restores the side bar's view (an extension's view waits for the extension host), so a
  // click made in that gap can land after the restore and close it: a clean-clone CI run lost the
  // timeline that way. Done means checked, and still checked a moment later.
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await checked()) {
      await page.waitForTimeout(400);
      if (await checked()) return;
      continue;
    }
    if (Date.now() >= deadline) throw new Error(`the "${label}" view did not open within ${timeoutMs} ms`);
    await item.click();
    // The click leaves the pointer on the icon, and its hover ("Explorer (Ctrl+Shift+E)") then covers
    // the side bar's first rows: a clean-clone CI run failed to click a file for 30 s under it.
    const editor = await page
      .locator('.part.editor')
      .boundingBox()
      .catch(() => null);
    await page.mouse.move(editor ? editor.x + editor.width / 2 : 800, editor ? editor.y + editor.height / 2 : 500);
    await page.waitForTimeout(400);
  }
}

/** Screenshots of one suite into `dir`: `shoot(name)` prints the path; `onFailure(name)` shoots a failing test. */
export function suiteShots(
  dir: string,
  page: () => Page | undefined,
  onTestFailed: (fn: () => Promise<void>) => void,
): { shoot(name: string): Promise<string>; onFailure(name: string): void } {
  const shoot = async (name: string): Promise<string> => {
    const p = page();
    if (!p) throw new Error('the workbench did not open: see the beforeAll error');
    const path = await screenshot(p, dir, name);
    console.log(`screenshot: ${path}`);
    return path;
  };
  return {
    shoot,
    onFailure: (name) =>
      onTestFailed(async () => {
        if (page()) await shoot(`${name}-FAILED`);
      }),
  };
}

/** The diagram webview of a trace: the frame whose header names the pod and that shows its diagram. */
export async function diagramFrame(page: Page, header: string, timeoutMs = 60_000): Promise<Frame> {
  return findFrame(page, `#pb-app:has-text("${header}") [aria-label^="Sequence diagram"]`, timeoutMs);
}

/**
 * Sets the width of the right-hand editor group (where the diagram panels open, beside the manifest)
 * by dragging the sash between the two groups; `null` puts the sash back in the middle.
 */
export async function setRightGroupWidth(page: Page, width: number | null): Promise<void> {
  const editor = await page.locator('.part.editor').first().boundingBox();
  if (!editor) throw new Error('no editor part');
  const sashes = await page.locator('.part.editor .monaco-sash.vertical').evaluateAll((els) =>
    els
      .map((e) => e.getBoundingClientRect())
      .filter((r) => r.width > 0 && r.height > 100)
      .map((r) => ({ x: r.left + r.width / 2, y: r.top + r.height / 2 })),
  );
  const mid = editor.x + editor.width / 2;
  const sash = sashes.sort((a, b) => Math.abs(a.x - mid) - Math.abs(b.x - mid))[0];
  if (!sash) throw new Error('no sash between the editor groups');
  const to = width === null ? mid : editor.x + editor.width - width;
  await page.mouse.move(sash.x, sash.y);
  await page.mouse.down();
  await page.mouse.move(to, sash.y, { steps: 8 });
  await page.mouse.up();
}

/** The phase the diagram's header shows (`pending`, `starting`, `ready`, `failed`…). */
export async function diagramPhase(frame: Frame): Promise<string> {
  return (await frame.locator('[data-phase]').first().getAttribute('data-phase')) ?? '';
}

/** Whether the diagram says it is live (its "live" badge shows). */
export async function diagramLive(frame: Frame): Promise<boolean> {
  return frame
    .locator('.pb-live')
    .first()
    .isVisible()
    .catch(() => false);
}

/** The phase once the trace has ended (the "live" badge is gone): the runtime log is read last. */
export async function finalPhase(frame: Frame, timeoutMs: number): Promise<string> {
  // A frame that cannot be read yet counts as still live.
  const live = (): Promise<boolean> =>
    frame
      .locator('.pb-live')
      .first()
      .isVisible()
      .catch(() => true);
  await pollUntil(live, (l) => !l, timeoutMs);
  return diagramPhase(frame);
}

/** The diagram header's findings title once it reads `title` (or what it reads after the timeout). */
export async function findingsTitle(frame: Frame, title: string, timeoutMs: number): Promise<string> {
  return pollUntil(
    async () =>
      (
        (await frame
          .locator('.pb-findings-title')
          .first()
          .textContent()
          .catch(() => '')) ?? ''
      ).trim(),
    (t) => t === title,
    timeoutMs,
  );
}

/** Runs a command by its palette label (e.g. "View: Close All Editor Groups"). */
export async function runCommand(page: Page, label: string, timeoutMs = 10_000): Promise<void> {
  await page.keyboard.press('Control+Shift+P');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: timeoutMs });
  await input.fill(`>${label}`);
  await page
    .locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: label })
    .first()
    .waitFor({ state: 'visible', timeout: timeoutMs });
  await page.keyboard.press('Enter');
  await input.waitFor({ state: 'hidden', timeout: timeoutMs });
}
