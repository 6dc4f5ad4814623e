// End to end in a real VS Code (code-server 4.100.3 + Debian Chromium) against the real local cluster:
// right-click a Deployment manifest → Trace Rollout → Apply & trace → confirm (context, cluster and
// namespace named) → the rollout view opens beside the manifest with one row per pod, the percentiles
// and the SLO verdict; the slowest pod is the one made slow on purpose, for its known reason; clicking
// it opens that pod's own sequence diagram; the timeline's rollout section summarizes the rollout; a
// reloaded window shows the rollout again (its report: the pods' traces ended with the old window).
// The slow pod: five replicas share a hostPath lock directory on the (single) node; the first container
// to take it waits 8 s before it creates the file its readiness probe reads, so exactly one pod is
// Ready ~8 s after the others, and its reason is the readiness probe.
// Needs: the cluster up (`npm run cluster:up`, KUBECONFIG exported), code-server installed, `npm run package`.
// Screenshots (1600×1000) and logs: test/artifacts/e2e/rollout/ (paths printed).

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import {
  clusterEnv,
  createNamespace,
  deleteNamespace,
  ensureImagePresent,
  kubectl,
  kubectlJson,
} from '../cluster/harness.js';
import { ARTIFACTS_DIR, DEFAULT_SETTINGS, REPO_ROOT } from './code-server.js';
import { startSession, type Session } from './session.js';
import {
  chooseContextMenuItem,
  diagramFrame,
  finalPhase,
  findFrame,
  modalDialog,
  openActivity,
  openEditorContextMenu,
  openFileFromExplorer,
  pickQuickItem,
  pollUntil,
  runCommand,
  suiteShots,
  waitForLanguageMode,
} from './workbench.js';

const VSIX = process.env['POD_BIRTH_E2E_VSIX'] ?? join(REPO_ROOT, 'dist', 'pod-birth.vsix');
const SHOTS = join(ARTIFACTS_DIR, 'rollout');
const WINDOW = { width: 1600, height: 1000 };
const REPLICAS = 5;
const SLOW_S = 8;
const FILE = 'rollout-e2e.yaml';

let session: Session | undefined;
let page: Page | undefined;
let ns = '';
let lockDir = '';
let work = '';

function workbench(): Page {
  if (!page) throw new Error('the workbench did not open: see the beforeAll error');
  return page;
}

const shots = suiteShots(SHOTS, () => page, onTestFailed);

function manifest(namespaceLock: string): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: rollout-e2e
spec:
  replicas: ${REPLICAS}
  selector:
    matchLabels:
      app: rollout-e2e
  template:
    metadata:
      labels:
        app: rollout-e2e
    spec:
      terminationGracePeriodSeconds: 0
      containers:
        - name: web
          image: busybox:1.36
          imagePullPolicy: IfNotPresent
          # The first container to take the node-wide lock is Ready ${SLOW_S} s late: its readiness probe waits.
          command: ['sh', '-c', 'if mkdir /lock/first 2>/dev/null; then sleep ${SLOW_S}; fi; touch /tmp/ready; exec sleep 3600']
          readinessProbe:
            exec:
              command: ['cat', '/tmp/ready']
            periodSeconds: 1
          volumeMounts:
            - name: lock
              mountPath: /lock
      volumes:
        - name: lock
          hostPath:
            path: ${namespaceLock}
            type: DirectoryOrCreate
`;
}

/** The rollout view's frame (its page, not the timeline's rollout section). */
function rolloutFrame(timeoutMs = 60_000): Promise<Frame> {
  return findFrame(workbench(), '#pb-app.pb-rollout .pb-scroll', timeoutMs);
}

beforeAll(async () => {
  const env = clusterEnv(); // throws a clear "start the cluster" error when it is not up
  ns = await createNamespace('pb-e2e-rollout');
  // The lock is a hostPath volume: allowed whatever default Pod Security level the cluster sets.
  await kubectl(['label', 'namespace', ns, 'pod-security.kubernetes.io/enforce=privileged']);
  await ensureImagePresent(ns, 'busybox:1.36');
  lockDir = `/tmp/pod-birth-e2e-rollout/${ns}`;
  work = mkdtempSync(join(tmpdir(), 'pb-rollout-e2e-'));
  writeFileSync(join(work, FILE), manifest(lockDir));
  session = await startSession({
    vsix: VSIX,
    dir: SHOTS,
    files: [join(work, FILE)],
    settings: {
      ...DEFAULT_SETTINGS,
      'podBirth.kubeconfig': env.kubeconfig,
      'podBirth.namespace': ns,
      'podBirth.traceTimeout': 90,
    },
    viewport: WINDOW,
  });
  page = session.page;
});

afterAll(async () => {
  await session?.stop();
  if (ns) await deleteNamespace(ns);
  // The lock directory is on this machine (the test cluster's one node).
  if (lockDir) rmSync(lockDir, { recursive: true, force: true });
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('Trace Rollout in real VS Code against the real cluster', () => {
  it(
    'apply a 5-replica Deployment, the rollout view shows every pod; the slowest (its readiness probe) opens its diagram',
    { timeout: 240_000 },
    async () => {
      shots.onFailure('1-rollout');
      const p = workbench();
      await openActivity(p, 'Explorer');
      await openFileFromExplorer(p, FILE);
      await waitForLanguageMode(p, 'YAML');
      const labels = await openEditorContextMenu(p);
      expect(labels).toContain('Trace Rollout');
      await chooseContextMenuItem(p, 'Trace Rollout');
      await pickQuickItem(p, 'Apply & trace');
      const dialog = await modalDialog(p);
      await shots.shoot('1a-confirm');
      // The same confirmation as every apply: context, cluster server and namespace.
      expect(dialog.text).toContain(`namespace "${ns}"`);
      expect(dialog.text).toMatch(/Context: \S+/);
      expect(dialog.text).toMatch(/Cluster: https:\/\//);
      await dialog.press('Apply');

      const view = await rolloutFrame();
      // Live first, then done once every pod's trace ended (Ready).
      await pollUntil(
        async () =>
          (
            (await view
              .locator('.pb-where')
              .textContent()
              .catch(() => '')) ?? ''
          ).trim(),
        (t) => t.startsWith(`${REPLICAS} pods`),
        60_000,
      );
      await shots.shoot('1b-rollout-live');
      await pollUntil(
        () =>
          view
            .locator('.pb-live')
            .isVisible()
            .catch(() => true),
        (live) => !live,
        120_000,
      );
      await shots.shoot('1c-rollout-done');

      // One row per pod, the cluster's own pods.
      const pods = await kubectlJson<{ items: { metadata: { name: string } }[] }>([
        '-n',
        ns,
        'get',
        'pods',
        '-l',
        'app=rollout-e2e',
        '-o',
        'json',
      ]);
      const names = pods.items.map((x) => x.metadata.name).sort();
      const rows = (
        await view
          .locator('.pb-pod:not([hidden])')
          .evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.pod ?? ''))
      ).sort();
      expect(rows).toEqual(names);
      expect(await view.locator('.pb-verdict').textContent()).toMatch(/^Startup SLO (met|missed): p99 /);
      expect(await view.locator('tr[data-metric="sloStartup"] td').first().textContent()).toBe(String(REPLICAS));

      // Sorted by total: the first row is the slow pod, named first among the slowest, for its readiness probe.
      const first = view.locator('.pb-pod[aria-rowindex="1"]');
      const slow = (await first.getAttribute('data-pod')) ?? '';
      expect(await view.locator('.pb-slow').first().textContent()).toBe(slow);
      expect(await view.locator('.pb-slowest li').first().locator('.pb-slow-why').textContent()).toMatch(
        /readiness probe/,
      );
      // Exactly one pod (the lock holder) spent SLOW_S s more between its containers started and Ready.
      const readyS = (label: string): number => {
        const m = /Ready (\d+(?:\.\d+)?)(ms|s)/.exec(label);
        return m ? Number(m[1] ?? Number.NaN) / (m[2] === 'ms' ? 1000 : 1) : Number.NaN;
      };
      const aria = await view
        .locator('.pb-pod:not([hidden])')
        .evaluateAll((els) =>
          els.map((e) => [(e as HTMLElement).dataset.pod ?? '', e.getAttribute('aria-label') ?? ''] as const),
        );
      const slowOnes = aria.filter(([, l]) => readyS(l) >= SLOW_S - 0.5).map(([n]) => n);
      expect(slowOnes, JSON.stringify(aria)).toEqual([slow]);

      // The slowest pod's row → its own sequence diagram.
      await first.click();
      const diagram = await diagramFrame(p, `${ns}/${slow}`, 60_000);
      expect(await finalPhase(diagram, 60_000)).toBe('ready');
      const arrows = (await diagram.locator('text.messageText').allTextContents()).join(' | ');
      expect(arrows).toMatch(/sandbox/i);
      await shots.shoot('1d-slowest-diagram');

      // The timeline's rollout section: the rollout, its verdict, and the way back to the view.
      await openActivity(p, 'Pod Birth');
      const timeline = await findFrame(p, '.pb-rollouts .pb-rollout', 30_000);
      const summary = ((await timeline.locator('.pb-rollout').first().textContent()) ?? '').replace(/\s+/g, ' ');
      expect(summary).toContain(`Deployment rollout-e2e (${ns})`);
      expect(summary).toMatch(/Startup SLO (met|missed)/);
      expect(summary).toContain(`${REPLICAS} pods`);
      await shots.shoot('1e-timeline-rollout');
    },
  );

  it(
    'attach from the workload trace pick ("Attach to the whole rollout"): the same pods, reconstructed',
    { timeout: 180_000 },
    async () => {
      shots.onFailure('2-attach');
      const p = workbench();
      await runCommand(p, 'View: Close All Editor Groups');
      await openActivity(p, 'Explorer');
      await openFileFromExplorer(p, FILE);
      await waitForLanguageMode(p, 'YAML');
      await openEditorContextMenu(p);
      await chooseContextMenuItem(p, 'Trace Pod Birth');
      await pickQuickItem(p, 'Attach to the whole rollout');
      const view = await rolloutFrame();
      await pollUntil(
        () =>
          view
            .locator('.pb-live')
            .isVisible()
            .catch(() => true),
        (live) => !live,
        120_000,
      );
      await shots.shoot('2-rollout-attached');
      const pods = await kubectlJson<{ items: { metadata: { name: string } }[] }>([
        '-n',
        ns,
        'get',
        'pods',
        '-l',
        'app=rollout-e2e',
        '-o',
        'json',
      ]);
      const rows = (
        await view
          .locator('.pb-pod:not([hidden])')
          .evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.pod ?? ''))
      ).sort();
      expect(rows).toEqual(pods.items.map((x) => x.metadata.name).sort());
      expect(await view.locator('.pb-verdict').textContent()).toMatch(/^Startup SLO (met|missed): p99 /);
    },
  );

  it(
    'a reloaded window keeps its rollout: the view comes back with every pod, and says why a pod no longer opens',
    { timeout: 180_000 },
    async () => {
      shots.onFailure('3-reloaded');
      const p = workbench();
      const before = (
        await (
          await rolloutFrame()
        )
          .locator('.pb-pod:not([hidden])')
          .evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.pod ?? ''))
      ).sort();
      expect(before).toHaveLength(REPLICAS);
      // A finished rollout is saved at once; give VS Code's storage a moment as a user would.
      await p.waitForTimeout(2500);
      await p.reload();
      await p.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
      const view = await rolloutFrame();
      const rows = await pollUntil(
        async () =>
          (
            await view
              .locator('.pb-pod:not([hidden])')
              .evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.pod ?? ''))
          ).sort(),
        (r) => r.length === REPLICAS,
        30_000,
      );
      expect(rows).toEqual(before);
      expect(await view.locator('.pb-live').isVisible()).toBe(false);
      expect(await view.locator('.pb-verdict').textContent()).toMatch(/^Startup SLO (met|missed): p99 /);
      await shots.shoot('3-rollout-reloaded');
      // Its pods' traces ended with the old window's worker: a click says so and what to do.
      await view.locator('.pb-pod[aria-rowindex="1"]').click();
      const toast = p.locator('.notifications-toasts .notification-list-item', {
        hasText: 'traced before the window reloaded',
      });
      await toast.first().waitFor({ state: 'visible', timeout: 15_000 });
      expect(await toast.first().textContent()).toMatch(/Attach to \S+ to see its birth/);
      // The timeline's rollout section has it too.
      await openActivity(p, 'Pod Birth');
      const timeline = await findFrame(p, '.pb-rollouts .pb-rollout', 30_000);
      expect(((await timeline.locator('.pb-rollout').first().textContent()) ?? '').replace(/\s+/g, ' ')).toContain(
        `Deployment rollout-e2e (${ns})`,
      );
    },
  );
});
