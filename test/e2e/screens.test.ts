// What a newcomer sees, in a real VS Code (code-server 4.100.3 + Chromium) against the real cluster, at
// the editor's default split of a 1600×1000 window (the diagram beside the manifest, the Pod Birth
// timeline in the side bar at its default width) and with the diagram's panel at 500 px: every state
// of a trace — live, Ready, Pending, failed — then a window reload, after which the traces, the
// diagrams and the timeline are still there (and an ended trace replays), then degraded (a kubeconfig
// that may not read events or node logs; set before a second reload, which is when VS Code reads it).
// Screenshots: test/artifacts/e2e/screens/<n>-<state>-{1600,500}.png (paths printed).
// POD_BIRTH_E2E_VSIX=<vsix> POD_BIRTH_E2E_BEFORE=1 shoots an earlier build for comparison into
// screens-before/ (its checks of what this build added are skipped).
// Needs: the cluster up, code-server installed, `npm run package`; run under flock /tmp/pod-birth-cluster.lock.

import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import {
  clusterEnv,
  createNamespace,
  deleteNamespace,
  ensureImagePresent,
  mintKubeconfig,
  type MintedKubeconfig,
} from '../cluster/harness.js';
import { ARTIFACTS_DIR, DEFAULT_SETTINGS, REPO_ROOT } from './code-server.js';
import { startSession, type Session } from './session.js';
import {
  chooseContextMenuItem,
  diagramFrame,
  diagramLive,
  diagramPhase,
  finalPhase,
  findingsTitle,
  findFrame,
  modalDialog,
  openActivity,
  openEditorContextMenu,
  openFileQuick,
  pickQuickItem,
  pollUntil,
  runCommand,
  setRightGroupWidth,
  suiteShots,
  waitForLanguageMode,
} from './workbench.js';

const BEFORE = process.env['POD_BIRTH_E2E_BEFORE'] === '1';
const VSIX = process.env['POD_BIRTH_E2E_VSIX'] ?? join(REPO_ROOT, 'dist', 'pod-birth.vsix');
const SHOTS = join(ARTIFACTS_DIR, BEFORE ? 'screens-before' : 'screens');
const SAMPLES = [
  join(REPO_ROOT, 'test', 'e2e', 'samples', 'slow-ready.yaml'),
  join(REPO_ROOT, 'test', 'e2e', 'samples', 'narrow-birth.yaml'),
  join(REPO_ROOT, 'test', 'samples', 'pending-memory.yaml'),
  join(REPO_ROOT, 'test', 'samples', 'missing-image.yaml'),
];
const WINDOW = { width: 1600, height: 1000 };
/** The pods traced before the reload. */
const TRACED = ['slow-ready', 'too-big', 'no-such-image'];

let session: Session | undefined;
let page: Page | undefined;
let minted: MintedKubeconfig | undefined;
let ns = '';
let settings: Record<string, unknown> = {};

function workbench(): Page {
  if (!page) throw new Error('the workbench did not open: see the beforeAll error');
  return page;
}

const shots = suiteShots(SHOTS, () => page, onTestFailed);

/** The state at the default split, then with the diagram's panel at 500 px (and back). */
async function shootBoth(name: string): Promise<void> {
  const p = workbench();
  await openActivity(p, 'Pod Birth');
  // The timeline webview loads when its view is first shown: wait for its list.
  await findFrame(p, '[data-trace-id]', 30_000).catch(() => undefined);
  await p.waitForTimeout(600); // the timeline's coalesced update and the diagram's frame
  await shots.shoot(`${name}-1600`);
  await setRightGroupWidth(p, 500);
  await p.mouse.move(20, WINDOW.height / 2); // off the sash, which stays highlighted under the pointer
  await p.waitForTimeout(600);
  await shots.shoot(`${name}-500`);
  await setRightGroupWidth(p, null);
  await p.mouse.move(20, WINDOW.height / 2);
}

/** Right-click in the manifest → Trace Pod Birth → Apply & trace → confirm. */
async function applyAndTrace(file: string): Promise<void> {
  const p = workbench();
  await openFileQuick(p, file);
  await waitForLanguageMode(p, 'YAML');
  await openEditorContextMenu(p);
  await chooseContextMenuItem(p, 'Trace Pod Birth');
  await pickQuickItem(p, 'Apply & trace');
  const dialog = await modalDialog(p);
  await dialog.press('Apply');
}

async function arrowCount(frame: Frame): Promise<number> {
  return frame.locator('[data-et="message"]').count();
}

async function writeSettings(extra: Record<string, unknown>): Promise<void> {
  if (!session) throw new Error('no session');
  settings = { ...settings, ...extra };
  await writeFile(join(session.profile.userDataDir, 'User', 'settings.json'), `${JSON.stringify(settings, null, 2)}\n`);
}

beforeAll(async () => {
  const env = clusterEnv();
  ns = await createNamespace('pb-screens');
  await ensureImagePresent(ns, 'busybox:1.36');
  settings = {
    ...DEFAULT_SETTINGS,
    'podBirth.kubeconfig': env.kubeconfig,
    'podBirth.namespace': ns,
    'podBirth.traceTimeout': 60,
  };
  session = await startSession({ vsix: VSIX, dir: SHOTS, files: SAMPLES, settings, viewport: WINDOW });
  page = session.page;
});

afterAll(async () => {
  await session?.stop();
  await minted?.cleanup().catch(() => undefined);
  if (ns) await deleteNamespace(ns);
});

describe('every state of a trace at the default split and at 500 px', () => {
  it('live, then Ready', { timeout: 180_000 }, async () => {
    shots.onFailure('1-live');
    await applyAndTrace('slow-ready.yaml');
    const frame = await diagramFrame(workbench(), `${ns}/slow-ready`);
    // Live: the containers have started, the readiness probe has not passed yet.
    await pollUntil(
      async () => (await frame.locator('text.messageText', { hasText: /StartContainer|started/i }).count()) > 0,
      (started) => started,
      60_000,
    );
    expect(await diagramLive(frame)).toBe(true);
    await shootBoth('1-live');
    expect(await finalPhase(frame, 90_000)).toBe('ready');
    await shootBoth('2-ready');
    if (!BEFORE) {
      // Every participant has a lane at the default split, and nothing scrolls sideways.
      expect(await frame.locator('.pb-lane').count()).toBe(8);
      const overflow = await frame.evaluate(() => {
        const s = document.querySelector('.pb-scroll') as HTMLElement;
        return s.scrollWidth - s.clientWidth;
      });
      expect(overflow).toBeLessThanOrEqual(0);
    }
  });

  it('Pending', { timeout: 180_000 }, async () => {
    shots.onFailure('3-pending');
    await applyAndTrace('pending-memory.yaml');
    const frame = await diagramFrame(workbench(), `${ns}/too-big`);
    const why = await findingsTitle(frame, 'Why Pending?', 60_000);
    expect(why).toBe('Why Pending?');
    await shootBoth('3-pending');
  });

  it('failed', { timeout: 180_000 }, async () => {
    shots.onFailure('4-failed');
    await applyAndTrace('missing-image.yaml');
    const frame = await diagramFrame(workbench(), `${ns}/no-such-image`);
    const phase = await pollUntil(
      () => diagramPhase(frame),
      (p) => p === 'failed',
      90_000,
    );
    expect(phase).toBe('failed');
    await shootBoth('4-failed');
  });

  it('a reloaded window keeps its traces: the diagrams and the timeline come back', { timeout: 180_000 }, async () => {
    shots.onFailure('5-reloaded');
    const p = workbench();
    // Let the last state be saved (it is saved at once when a trace ends).
    await p.waitForTimeout(2500);
    await p.reload();
    await p.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
    await openActivity(p, 'Pod Birth');
    await p.waitForTimeout(3000);
    await shots.shoot('5-reloaded-1600');
    // An earlier build forgot every trace here: its shot is the comparison.
    if (BEFORE) return;
    const timeline = await findFrame(p, '[data-trace-id]', 60_000).catch(async (e: unknown) => {
      // CI shows only what is printed: say what the window showed instead.
      const side = await p
        .locator('.part.sidebar .composite.title')
        .first()
        .innerText({ timeout: 2000 })
        .catch(() => '(no side bar)');
      console.log(`reload: side bar "${side.trim()}", ${p.frames().length} frames`);
      throw e;
    });
    // The pod names are the collapsibles' headings (drawn in their shadow DOM).
    const titles = await pollUntil(
      async () =>
        (
          await timeline
            .locator('[data-trace-id] vscode-collapsible')
            .evaluateAll((els) => els.map((e) => (e as HTMLElement & { heading: string }).heading))
        ).join(' | '),
      (t) => TRACED.every((n) => t.includes(n)),
      30_000,
    );
    for (const n of TRACED) expect(titles).toContain(n);
    // The diagram VS Code restored shows its trace again, ended (the newest panel: the failed pod).
    const restored = await diagramFrame(p, `${ns}/no-such-image`, 60_000);
    expect(await arrowCount(restored)).toBeGreaterThan(2);
    expect(await diagramLive(restored)).toBe(false);
    // An ended trace opens again from the timeline, and replays.
    await timeline.locator('[data-trace-id]', { hasText: 'slow-ready' }).locator('.pb-focus').first().click();
    const again = await diagramFrame(p, `${ns}/slow-ready`, 60_000);
    expect(await diagramPhase(again)).toBe('ready');
    await shootBoth('5-reloaded');
    const all = await arrowCount(again);
    await again.locator('.pb-button[data-action="replay"]').click();
    await pollUntil(
      () => arrowCount(again),
      (n) => n > 0 && n < all,
      5000,
    );
    await shots.shoot('5-replay-1600');
    await pollUntil(
      () => arrowCount(again),
      (n) => n === all,
      15_000,
    );
  });

  it('degraded: a kubeconfig that may not read events or node logs', { timeout: 180_000 }, async () => {
    shots.onFailure('6-degraded');
    minted = await mintKubeconfig('pb-screens-narrow', ns, [
      { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch', 'create'] },
    ]);
    await writeSettings({ 'podBirth.kubeconfig': minted.path });
    // A reloaded window reads the settings file again (a watcher may take its time to notice).
    await workbench().reload();
    await workbench().locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
    // Back to the default split: the manifest, and the diagram beside it.
    await runCommand(workbench(), 'View: Close All Editor Groups');
    await applyAndTrace('narrow-birth.yaml');
    const frame = await diagramFrame(workbench(), `${ns}/narrow-birth`);
    expect(await finalPhase(frame, 90_000)).toBe('ready');
    const notes = await frame.locator('.pb-note-kind').allTextContents();
    expect(notes).toContain('limited view');
    await shootBoth('6-degraded');
  });
});
