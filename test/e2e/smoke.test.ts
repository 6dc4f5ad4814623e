// Smoke test: the packaged extension (dist/pod-birth.vsix) installs and activates in a real VS Code (code-server 4.100.3).
// Needs: `bash test/e2e/install-code-server.sh` (once per machine) and `npm run package`. No cluster.
// Screenshots and logs: test/artifacts/e2e/smoke/.
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { ARTIFACTS_DIR, REPO_ROOT } from './code-server.js';
import { startSession, type Session } from './session.js';
import {
  codeLensTitles,
  dismiss,
  openEditorContextMenu,
  openFileFromExplorer,
  pollUntil,
  suiteShots,
  searchCommandPalette,
  waitForLanguageMode,
} from './workbench.js';

const VSIX = process.env['POD_BIRTH_E2E_VSIX'] ?? join(REPO_ROOT, 'dist', 'pod-birth.vsix');
const SAMPLE = join(REPO_ROOT, 'test', 'samples', 'busybox-pod.yaml');
const SHOTS = join(ARTIFACTS_DIR, 'smoke');

let session: Session | undefined;
let page: Page | undefined;

function workbench(): Page {
  if (!page) throw new Error('the workbench did not open: see the beforeAll error');
  return page;
}

const shots = suiteShots(SHOTS, () => page, onTestFailed);
const shoot = shots.shoot;
const screenshotOnFailure = shots.onFailure;

beforeAll(async () => {
  session = await startSession({ vsix: VSIX, dir: SHOTS, files: [SAMPLE] });
  page = session.page;
  expect(session.installed.some((name) => name.startsWith('pod-birth.pod-birth-'))).toBe(true);
  try {
    await openFileFromExplorer(page, 'busybox-pod.yaml');
    await waitForLanguageMode(page, 'YAML');
  } catch (error) {
    await shoot('0-setup-FAILED');
    throw error;
  }
  await shoot('1-yaml-opened');
});

afterAll(async () => {
  await session?.stop();
});

describe('packaged extension in code-server', () => {
  it('offers "Trace Pod Birth" in the editor context menu of a YAML file', async () => {
    screenshotOnFailure('2-context-menu');
    const labels = await openEditorContextMenu(workbench());
    await shoot('2-context-menu');
    await dismiss(workbench());
    expect(labels).toContain('Trace Pod Birth');
  });

  it('activates: the language server publishes the "Trace Pod Birth: Pod/hello-birth" CodeLens', async () => {
    screenshotOnFailure('3-codelens');
    const expected = 'Trace Pod Birth: Pod/hello-birth';
    const titles = await pollUntil(
      () => codeLensTitles(workbench()),
      (t) => t.includes(expected),
      45_000,
    );
    await shoot('3-codelens');
    expect(titles).toEqual([expected]);
  });

  it('lists "Pod Birth: Trace Pod Birth" in the command palette', async () => {
    screenshotOnFailure('4-command-palette');
    const expected = 'Pod Birth: Trace Pod Birth';
    const labels = await searchCommandPalette(workbench(), 'Trace Pod Birth', expected);
    await shoot('4-command-palette');
    await dismiss(workbench());
    expect(labels).toContain(expected);
  });
});
