// One e2e session: a throwaway profile with `settings`, a workspace with `files`, the VSIX installed,
// code-server started and the workbench open in Chromium; `stop()` closes all of it and keeps the
// logs next to the screenshots. Shared by the e2e suites (smoke, trace, screens).

import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import {
  DEFAULT_SETTINGS,
  collectLogs,
  createProfile,
  createWorkspace,
  findCodeServer,
  installExtension,
  removeProfile,
  startCodeServer,
  type CodeServer,
  type Profile,
} from './code-server.js';
import { launchBrowser, openWorkbench } from './workbench.js';

export interface SessionOptions {
  readonly vsix: string;
  /** Screenshots and logs (emptied first). */
  readonly dir: string;
  readonly files: readonly string[];
  readonly settings?: Readonly<Record<string, unknown>>;
  readonly viewport?: { readonly width: number; readonly height: number };
}

export interface Session {
  readonly profile: Profile;
  readonly server: CodeServer;
  readonly browser: Browser;
  readonly page: Page;
  /** The extensions code-server reported installed. */
  readonly installed: readonly string[];
  stop(): Promise<void>;
}

export async function startSession(o: SessionOptions): Promise<Session> {
  if (!existsSync(o.vsix))
    throw new Error(`${o.vsix} not found: run \`npm run package\` first (this test builds nothing itself).`);
  const binary = findCodeServer();
  await rm(o.dir, { recursive: true, force: true });
  const profile = await createProfile(o.settings ?? DEFAULT_SETTINGS);
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  const stop = async (): Promise<void> => {
    await browser?.close().catch(() => undefined);
    await server?.stop();
    await collectLogs(profile, join(o.dir, 'vscode-logs'));
    await removeProfile(profile);
  };
  try {
    const workspace = await createWorkspace(profile, o.files);
    const installed = await installExtension(binary, profile, o.vsix);
    server = await startCodeServer({ binary, profile, workspace, logFile: join(o.dir, 'code-server.log') });
    browser = await launchBrowser();
    const page = await openWorkbench(browser, server.workspaceUrl, 30_000, o.viewport);
    return { profile, server, browser, page, installed, stop };
  } catch (e) {
    await stop().catch(() => undefined);
    throw e;
  }
}
