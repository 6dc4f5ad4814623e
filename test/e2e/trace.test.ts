// End to end in a real VS Code (code-server 4.100.3 + Debian Chromium) against the real local cluster:
// right-click → Trace Pod Birth → Apply → confirm → the live diagram and the timeline fill in; clicking
// the image-pull arrow selects the manifest's image line; a Pending pod gets its diagnostic in the
// Problems panel; attaching to a pod created with kubectl reconstructs its birth.
// Needs: the cluster up (`npm run cluster:up`, KUBECONFIG exported), code-server installed, `npm run package`.
// Screenshots and logs: test/artifacts/e2e/trace/ (paths printed).

import { join } from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import {
  clusterEnv,
  createNamespace,
  deleteNamespace,
  ensureImagePresent,
  kubectl,
  waitForPod,
} from '../cluster/harness.js';
import { ARTIFACTS_DIR, DEFAULT_SETTINGS, REPO_ROOT } from './code-server.js';
import { startSession, type Session } from './session.js';
import {
  chooseContextMenuItem,
  diagramFrame,
  finalPhase,
  findingsTitle,
  dismiss,
  findFrame,
  modalDialog,
  openActivity,
  openEditorContextMenu,
  openFileFromExplorer,
  pickQuickItem,
  pollUntil,
  problems,
  suiteShots,
  statusBarSelection,
  waitForLanguageMode,
} from './workbench.js';

const VSIX = process.env['POD_BIRTH_E2E_VSIX'] ?? join(REPO_ROOT, 'dist', 'pod-birth.vsix');
const SAMPLES = ['busybox-pod.yaml', 'pending-memory.yaml', 'init-container.yaml'].map((f) =>
  join(REPO_ROOT, 'test', 'samples', f),
);
const SHOTS = join(ARTIFACTS_DIR, 'trace');

let session: Session | undefined;
let page: Page | undefined;
let ns = '';

function workbench(): Page {
  if (!page) throw new Error('the workbench did not open: see the beforeAll error');
  return page;
}

const shots = suiteShots(SHOTS, () => page, onTestFailed);
const shoot = shots.shoot;
const screenshotOnFailure = shots.onFailure;

/** Right-click in the open manifest → Trace Pod Birth → the given mode. */
async function traceFromContextMenu(file: string, mode: 'Apply & trace' | 'Attach to the existing pod'): Promise<void> {
  const p = workbench();
  await openActivity(p, 'Explorer');
  await openFileFromExplorer(p, file);
  await waitForLanguageMode(p, 'YAML');
  const labels = await openEditorContextMenu(p);
  expect(labels).toContain('Trace Pod Birth');
  await chooseContextMenuItem(p, 'Trace Pod Birth');
  await pickQuickItem(p, mode);
}

/** The diagram webview of a pod (the frame whose header names it). */
async function diagramOf(pod: string): Promise<Frame> {
  return diagramFrame(workbench(), `${ns}/${pod}`);
}

async function arrowLabels(frame: Frame): Promise<string[]> {
  return (await frame.locator('text.messageText').allTextContents()).map((t) => t.trim());
}

/** The participants' full names (a narrow lane shows `scheduler` for kube-scheduler; its tooltip has the name). */
async function participantLabels(frame: Frame): Promise<string[]> {
  return (await frame.locator('.pb-lane title').allTextContents()).map((t) => t.trim());
}

beforeAll(async () => {
  const env = clusterEnv(); // throws a clear "start the cluster" error when it is not up
  ns = await createNamespace('pb-e2e');
  await ensureImagePresent(ns, 'busybox:1.36');
  session = await startSession({
    vsix: VSIX,
    dir: SHOTS,
    files: SAMPLES,
    settings: {
      ...DEFAULT_SETTINGS,
      'podBirth.kubeconfig': env.kubeconfig,
      'podBirth.namespace': ns,
      'podBirth.traceTimeout': 60,
    },
  });
  page = session.page;
});

afterAll(async () => {
  await session?.stop();
  if (ns) await deleteNamespace(ns);
});

describe('Trace Pod Birth in real VS Code against the real cluster', () => {
  it(
    'right-click → Apply → confirm: the diagram and the timeline fill in live, and the image-pull arrow selects the image line',
    { timeout: 180_000 },
    async () => {
      screenshotOnFailure('1-apply');
      await traceFromContextMenu('busybox-pod.yaml', 'Apply & trace');
      const dialog = await modalDialog(workbench());
      await shoot('1a-confirm');
      // The confirmation names context, cluster server and namespace.
      expect(dialog.text).toContain(`namespace "${ns}"`);
      expect(dialog.text).toMatch(/Context: \S+/);
      expect(dialog.text).toMatch(/Cluster: https:\/\//);
      await dialog.press('Apply');

      const frame = await diagramOf('hello-birth');
      const phase = await finalPhase(frame, 90_000);
      await shoot('1b-diagram-ready');
      expect(phase).toBe('ready');
      const participants = await participantLabels(frame);
      for (const p of ['kube-apiserver', 'kube-scheduler', 'kubelet', 'containerd', 'runc'])
        expect(participants.join(' | ')).toContain(p);
      const arrows = await arrowLabels(frame);
      const find = (re: RegExp): string | undefined => arrows.find((a) => re.test(a));
      for (const re of [/schedul|bind/i, /sandbox/i, /pull/i, /create/i, /start/i])
        expect(find(re), `an arrow matching ${re} in ${JSON.stringify(arrows)}`).toBeDefined();
      // Durations on the runtime arrows (e.g. "PullImage busybox:1.36 · 16 ms").
      for (const re of [/sandbox/i, /pull/i, /start/i]) expect(find(re)).toMatch(/\d+(\.\d+)?\s?(ms|s|µs)/);

      // The timeline view lists the same trace, finished and Ready.
      await openActivity(workbench(), 'Pod Birth');
      const timeline = await findFrame(workbench(), '[data-trace-id]', 30_000);
      const row = timeline.locator('[data-trace-id]', { hasText: 'hello-birth' }).first();
      const rowText = await pollUntil(
        async () => ((await row.textContent()) ?? '').replace(/\s+/g, ' '),
        (t) => /ready/i.test(t),
        20_000,
      );
      await shoot('1c-timeline');
      expect(rowText).toMatch(/ready/i);
      expect(await timeline.locator('[data-phase-kind="image-pull"]').count()).toBeGreaterThan(0);

      // Clicking the image-pull arrow moves the editor selection to the `image:` line (line 11).
      const pull = frame.locator('text.messageText', { hasText: /pull/i }).first();
      await pull.click();
      const selection = await pollUntil(
        () => statusBarSelection(workbench()),
        (s) => s.startsWith('Ln 11,'),
        10_000,
      );
      await shoot('1d-image-line-selected');
      expect(selection).toMatch(/^Ln 11, Col \d+/);
    },
  );

  it(
    'Pending: the Problems panel shows insufficient-memory on the memory line, the diagram the scheduling failure',
    { timeout: 180_000 },
    async () => {
      screenshotOnFailure('2-pending');
      await traceFromContextMenu('pending-memory.yaml', 'Apply & trace');
      const dialog = await modalDialog(workbench());
      await dialog.press('Apply');
      const frame = await diagramOf('too-big');
      const why = await findingsTitle(frame, 'Why Pending?', 60_000);
      expect(why).toBe('Why Pending?');
      expect(await frame.locator('.pb-diagnosis .pb-cause').allTextContents()).toContain('insufficient-memory');
      const failed = await arrowLabels(frame);
      expect(failed.join(' | ')).toMatch(/FailedScheduling|schedul/i);

      await openActivity(workbench(), 'Explorer');
      await openFileFromExplorer(workbench(), 'pending-memory.yaml');
      const rows = await pollUntil(
        () => problems(workbench()),
        (r) => r.some((x) => x.includes('insufficient-memory')),
        30_000,
      );
      await shoot('2-pending-problems');
      const row = rows.find((x) => x.includes('insufficient-memory')) ?? '';
      expect(row).toMatch(/do not have enough free memory/);
      expect(row).toContain('pod-birth/insufficient-memory');
      // Line 13 is `memory: 64Gi`.
      expect(row).toMatch(/\[Ln 13, Col \d+\]/);
      await dismiss(workbench());
    },
  );

  it('attach: a pod created with kubectl beforehand gets its birth reconstructed', { timeout: 180_000 }, async () => {
    screenshotOnFailure('3-attach');
    await kubectl(['-n', ns, 'apply', '-f', join(REPO_ROOT, 'test', 'samples', 'init-container.yaml')]);
    await waitForPod(ns, 'with-init', 'Ready', (p) =>
      (p.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'),
    );
    await traceFromContextMenu('init-container.yaml', 'Attach to the existing pod');
    const frame = await diagramOf('with-init');
    const phase = await finalPhase(frame, 60_000);
    await shoot('3-attach-diagram');
    expect(phase).toBe('ready');
    const arrows = await arrowLabels(frame);
    expect(arrows.filter((a) => /start/i.test(a)).length, JSON.stringify(arrows)).toBeGreaterThanOrEqual(2); // init + app
    expect(arrows.join(' | ')).toMatch(/sandbox/i);
  });
});
