// The README's main job, `npm run demo`, from a fresh user state: a copy of the repository with no
// node_modules, a HOME with no ~/.cache/pod-birth, no npm cache and no demo profile, and no cluster
// up. Run by test/fresh/check.sh (which makes that copy and that HOME), not by `npm test`: it starts
// and stops the cluster itself.
//
// 1. The demo installs everything, prints the URL; the workbench opens with Pod Birth installed and
//    its CodeLens on a sample manifest; Ctrl-C (SIGINT to the demo's process group, as a terminal
//    sends it) stops it and leaves no process and no cluster behind.
// 2. A step that fails (the port code-server needs is taken) says which step failed and what to do,
//    and stops the cluster the demo started.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, describe, expect, it, onTestFailed } from 'vitest';
import { ARTIFACTS_DIR, REPO_ROOT, freePort } from '../e2e/code-server.js';
import {
  codeLensTitles,
  launchBrowser,
  openActivity,
  openFileFromExplorer,
  openWorkbench,
  pollUntil,
  screenshot,
} from '../e2e/workbench.js';

const REPO = requiredEnv('POD_BIRTH_FRESH_REPO');
const HOME = requiredEnv('POD_BIRTH_FRESH_HOME');
const SHOTS = join(ARTIFACTS_DIR, '..', 'fresh');
/** A cold machine builds Kubernetes (~10 min) and installs code-server (~2 min) during the first run. */
const COLD_START_MS = 40 * 60_000;

function requiredEnv(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run this suite through test/fresh/check.sh`);
  return v;
}

/** The environment of a new user: this HOME, none of the caller's npm, XDG, Go or Pod Birth settings. */
function freshEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(npm_|NPM_|XDG_|GO(PATH|CACHE|MODCACHE)$|POD_BIRTH_|KUBECONFIG$|VITEST|NODE_OPTIONS$)/.test(k)) continue;
    env[k] = v;
  }
  const prebuilt = process.env['POD_BIRTH_KUBE_PREBUILT'];
  return { ...env, HOME, ...(prebuilt ? { POD_BIRTH_KUBE_PREBUILT: prebuilt } : {}), ...extra };
}

interface Demo {
  readonly child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

function startDemo(extra: Record<string, string>): Demo {
  // detached: its own process group, like a job in a terminal; SIGINT to the group is Ctrl-C.
  const child = spawn('npm', ['run', 'demo'], { cwd: REPO, env: freshEnv(extra), detached: true, stdio: 'pipe' });
  let text = '';
  const keep = (b: Buffer): void => {
    text += b.toString('utf8');
    process.stdout.write(b);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : null))),
  );
  return { child, output: () => text, exited };
}

async function waitForOutput(demo: Demo, pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
  let done = false;
  void demo.exited.then(() => (done = true));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const m = demo.output().match(pattern);
    if (m) return m;
    if (done) throw new Error(`npm run demo exited before printing ${pattern}:\n${demo.output().slice(-4000)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`npm run demo did not print ${pattern} within ${timeoutMs} ms`);
}

async function exitWithin(demo: Demo, ms: number): Promise<number | null> {
  return Promise.race([
    demo.exited,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`npm run demo still running ${ms} ms after SIGINT`)), ms),
    ),
  ]);
}

/** Processes (other than this test's) whose command line or working directory is under `root`. */
function processesUnder(root: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    if (Number(pid) === process.pid) continue;
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
      let cwd = '';
      try {
        cwd = readlinkSync(`/proc/${pid}/cwd`);
      } catch {
        // a process that exited meanwhile, or a kernel thread
      }
      if (cmd.includes(root) || cwd.startsWith(root)) found.push(`${pid} ${cmd}`);
    } catch {
      // gone
    }
  }
  return found;
}

/** The cluster's daemons that still run (by command name), plus whether status.sh says it is up. */
function clusterLeftovers(): string[] {
  const daemons = new Set([
    'kube-apiserver',
    'kube-controller',
    'kube-scheduler',
    'kubelet',
    'etcd',
    'containerd',
    'docker-registry',
  ]);
  const left: string[] = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
      if (daemons.has(comm) || comm.startsWith('containerd-shim')) left.push(`${pid} ${comm}`);
    } catch {
      // gone
    }
  }
  const status = spawnSync('bash', [join(REPO_ROOT, 'test/cluster/status.sh')], { encoding: 'utf8' });
  if (status.status === 0) left.push('test/cluster/status.sh: the cluster is up');
  return left;
}

async function nothingLeftBehind(): Promise<{ processes: string[]; cluster: string[] }> {
  // Process exit is not instant after the demo's own exit (shims reaped by PID 1): allow a few seconds.
  const read = (): { processes: string[]; cluster: string[] } => ({
    processes: processesUnder(HOME).concat(processesUnder(REPO)),
    cluster: clusterLeftovers(),
  });
  return pollUntil(
    async () => read(),
    (r) => r.processes.length === 0 && r.cluster.length === 0,
    15_000,
  );
}

let browser: Browser | undefined;
let blocker: Server | undefined;
afterAll(async () => {
  await browser?.close();
  blocker?.close();
});

describe('npm run demo from a fresh user state', () => {
  it(
    'installs everything, opens the workbench with Pod Birth, and Ctrl-C leaves nothing behind',
    async () => {
      expect(existsSync(join(HOME, '.cache', 'pod-birth')), 'the fresh HOME must not have ~/.cache/pod-birth').toBe(
        false,
      );
      expect(existsSync(join(HOME, '.npm')), 'the fresh HOME must not have an npm cache').toBe(false);
      expect(existsSync(join(REPO, 'node_modules')), 'the fresh copy must not have node_modules').toBe(false);
      expect(clusterLeftovers(), 'no cluster may be up before the check').toEqual([]);

      const port = await freePort();
      const t0 = Date.now();
      const demo = startDemo({ DEMO_BIND: `127.0.0.1:${port}` });
      let stopped = false;
      // A failure below must not leave the demo's cluster and code-server running for the next test.
      onTestFailed(async () => {
        if (stopped) return;
        process.kill(-demo.child.pid!, 'SIGINT');
        await exitWithin(demo, 180_000).catch(() => undefined);
      });
      const [, url] = await waitForOutput(demo, /Open:\s+(http:\/\/\S+)/, COLD_START_MS);
      console.log(`[fresh] the demo printed its URL after ${Math.round((Date.now() - t0) / 1000)} s`);
      expect(
        existsSync(join(HOME, '.cache', 'pod-birth', 'demo', 'extensions')),
        'the demo profile is in the fresh HOME',
      ).toBe(true);

      browser = await launchBrowser();
      const page: Page = await openWorkbench(browser, url!, 60_000);
      // The activity-bar container exists only when the extension is installed and enabled.
      await openActivity(page, 'Pod Birth', 30_000);
      await openActivity(page, 'Explorer', 15_000);
      await openFileFromExplorer(page, 'busybox-pod.yaml', 30_000);
      // The CodeLens comes from the running extension (host + language server): it is active.
      const lenses = await pollUntil(
        () => codeLensTitles(page),
        (t) => t.some((x) => x.includes('Trace Pod Birth')),
        60_000,
      );
      console.log(`screenshot: ${await screenshot(page, SHOTS, 'demo-workbench')}`);
      expect(lenses.join(' | ')).toContain('Trace Pod Birth');
      await browser.close();
      browser = undefined;

      const t1 = Date.now();
      stopped = true;
      process.kill(-demo.child.pid!, 'SIGINT');
      const code = await exitWithin(demo, 180_000);
      console.log(`[fresh] Ctrl-C: the demo stopped in ${Math.round((Date.now() - t1) / 1000)} s (exit ${code})`);
      expect(demo.output()).toMatch(/\[demo\] stopping/);
      expect(demo.output()).toMatch(/stopping the cluster/);
      expect(await nothingLeftBehind()).toEqual({ processes: [], cluster: [] });
    },
    COLD_START_MS + 10 * 60_000,
  );

  it(
    'a failing step says which step and what to do, and stops the cluster it started',
    async () => {
      expect(clusterLeftovers(), 'no cluster may be up before the check').toEqual([]);
      const port = await freePort();
      // Something else listens on the demo's port: code-server cannot start.
      blocker = createServer(() => undefined).listen(port, '127.0.0.1');
      const demo = startDemo({ DEMO_BIND: `127.0.0.1:${port}` });
      const code = await Promise.race([
        demo.exited,
        new Promise<never>((_, r) => setTimeout(() => r(new Error('the demo did not fail')), 15 * 60_000)),
      ]);
      expect(code).not.toBe(0);
      expect(demo.output()).toMatch(/FAILED at step "starting VS Code \(code-server\) on 127\.0\.0\.1:\d+"/);
      expect(demo.output()).toMatch(/What to do: is 127\.0\.0\.1:\d+ free/);
      expect(demo.output()).toMatch(/stopping the cluster/);
      expect(await nothingLeftBehind()).toEqual({ processes: [], cluster: [] });
    },
    20 * 60_000,
  );
});
