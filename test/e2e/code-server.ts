// Helpers to run a real VS Code (code-server 4.100.3, installed by test/e2e/install-code-server.sh) for the e2e suite:
// throwaway profile, install a .vsix, open a workspace folder, stop by the PID we started.
// See docs/vscode-e2e.md.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { copyFile, cp, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';

export const CODE_SERVER_VERSION = '4.100.3';

/** Repository root (this file is test/e2e/code-server.ts). */
export const REPO_ROOT = resolve(__dirname, '..', '..');

/** Git-ignored folder for screenshots and logs. */
export const ARTIFACTS_DIR = join(REPO_ROOT, 'test', 'artifacts', 'e2e');

/** Settings for a quiet, deterministic test profile. */
export const DEFAULT_SETTINGS: Readonly<Record<string, unknown>> = {
  'telemetry.telemetryLevel': 'off',
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'security.workspace.trust.enabled': false,
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'update.mode': 'none',
  'git.enabled': false,
  'git.openRepositoryInParentFolders': 'never',
  'editor.codeLens': true,
  'window.restoreWindows': 'none',
  'files.hotExit': 'off',
  'chat.commandCenter.enabled': false,
};

/** The code-server binary: $POD_BIRTH_CODE_SERVER, else the one install-code-server.sh puts in the cache. */
export function findCodeServer(): string {
  const fromEnv = process.env['POD_BIRTH_CODE_SERVER'];
  const cacheRoot = process.env['POD_BIRTH_CACHE'] ?? join(homedir(), '.cache', 'pod-birth');
  const binary =
    fromEnv ?? join(cacheRoot, `code-server-${CODE_SERVER_VERSION}`, 'node_modules', '.bin', 'code-server');
  if (!existsSync(binary)) {
    throw new Error(
      `code-server not found at ${binary}: run \`bash test/e2e/install-code-server.sh\` first (or set POD_BIRTH_CODE_SERVER).`,
    );
  }
  return binary;
}

/** A free TCP port on 127.0.0.1 (asked from the OS, then released). */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error('could not read the port of a probe socket'));
        return;
      }
      const { port } = address;
      server.close(() => resolvePort(port));
    });
  });
}

/** Throwaway directories for one code-server run. */
export interface Profile {
  readonly root: string;
  readonly userDataDir: string;
  readonly extensionsDir: string;
  /** XDG_CONFIG_HOME / XDG_DATA_HOME for code-server's own config.yaml and logs, so $HOME is not touched. */
  readonly xdgDir: string;
}

/** Creates a fresh profile under the OS temp dir (short paths: VS Code puts IPC sockets there) and writes settings.json. */
export async function createProfile(settings: Readonly<Record<string, unknown>> = DEFAULT_SETTINGS): Promise<Profile> {
  const root = await mkdtemp(join(tmpdir(), 'pod-birth-e2e-'));
  const profile: Profile = {
    root,
    userDataDir: join(root, 'user-data'),
    extensionsDir: join(root, 'extensions'),
    xdgDir: join(root, 'xdg'),
  };
  await mkdir(join(profile.userDataDir, 'User'), { recursive: true });
  await mkdir(profile.extensionsDir, { recursive: true });
  await mkdir(profile.xdgDir, { recursive: true });
  await writeFile(join(profile.userDataDir, 'User', 'settings.json'), `${JSON.stringify(settings, null, 2)}\n`);
  return profile;
}

/** Creates a workspace folder inside the profile, with copies of the given files (by basename). */
export async function createWorkspace(profile: Profile, files: readonly string[]): Promise<string> {
  const workspace = join(profile.root, 'workspace');
  await mkdir(workspace, { recursive: true });
  for (const file of files) await copyFile(file, join(workspace, basename(file)));
  return workspace;
}

function codeServerEnv(profile: Profile): NodeJS.ProcessEnv {
  return {
    ...process.env,
    XDG_CONFIG_HOME: join(profile.xdgDir, 'config'),
    XDG_DATA_HOME: join(profile.xdgDir, 'data'),
  };
}

function commonArgs(profile: Profile): string[] {
  return [
    '--config',
    join(profile.xdgDir, 'config.yaml'),
    '--user-data-dir',
    profile.userDataDir,
    '--extensions-dir',
    profile.extensionsDir,
  ];
}

/** Installs a .vsix into the profile with `code-server --install-extension`; returns the installed extension folders. */
export async function installExtension(binary: string, profile: Profile, vsix: string): Promise<string[]> {
  if (!existsSync(vsix)) throw new Error(`VSIX not found: ${vsix}`);
  const output = await new Promise<string>((resolveRun, reject) => {
    execFile(
      binary,
      [...commonArgs(profile), '--force', '--install-extension', vsix],
      { env: codeServerEnv(profile), timeout: 120_000 },
      (error, stdout, stderr) => {
        const text = `${stdout}${stderr}`;
        if (error) reject(new Error(`code-server --install-extension ${vsix} failed: ${error.message}\n${text}`));
        else resolveRun(text);
      },
    );
  });
  const installed = (await readdir(profile.extensionsDir, { withFileTypes: true }))
    .filter((e) => e.isDirectory())
    .map((e) => e.name);
  if (installed.length === 0) throw new Error(`code-server --install-extension ${vsix} installed nothing:\n${output}`);
  return installed;
}

export interface StartOptions {
  readonly binary: string;
  readonly profile: Profile;
  readonly workspace: string;
  /** code-server's stdout/stderr go here. */
  readonly logFile: string;
  readonly startTimeoutMs?: number;
}

export interface CodeServer {
  readonly pid: number;
  readonly port: number;
  readonly baseUrl: string;
  /** The workbench URL with the workspace folder open. */
  readonly workspaceUrl: string;
  readonly logFile: string;
  /** Stops the process group led by our PID (TERM, then KILL). Safe to call twice. */
  stop(): Promise<void>;
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

async function waitForHealthz(baseUrl: string, child: ChildProcess, timeoutMs: number, logFile: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  while (Date.now() < deadline) {
    if (exited(child))
      throw new Error(
        `code-server exited early (code ${String(child.exitCode)}, signal ${String(child.signalCode)}); see ${logFile}`,
      );
    try {
      const response = await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) return;
      lastError = `HTTP ${response.status}`;
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(
    `code-server did not answer ${baseUrl}/healthz within ${timeoutMs} ms (${lastError}); see ${logFile}`,
  );
}

/**
 * Starts code-server on a free 127.0.0.1 port, in its own process group, and waits until it answers.
 * On any failure the process group is stopped before the error is thrown.
 */
export async function startCodeServer(options: StartOptions): Promise<CodeServer> {
  const { binary, profile, workspace, logFile } = options;
  await mkdir(dirname(logFile), { recursive: true });
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const log = createWriteStream(logFile);
  const args = [
    ...commonArgs(profile),
    '--auth',
    'none',
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    workspace,
  ];
  const child = spawn(binary, args, { env: codeServerEnv(profile), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  const pid = child.pid;
  if (pid === undefined) {
    log.end();
    throw new Error(`could not spawn ${binary}`);
  }
  // Last resort if the test runner exits without calling stop().
  const onExit = (): void => killGroup(pid, 'SIGKILL');
  process.once('exit', onExit);

  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    process.removeListener('exit', onExit);
    if (!exited(child)) {
      const done = new Promise<void>((r) => child.once('exit', () => r()));
      killGroup(pid, 'SIGTERM');
      const timer = setTimeout(() => killGroup(pid, 'SIGKILL'), 5_000);
      await done;
      clearTimeout(timer);
    }
    // Children that outlived the group leader (extension host, language server).
    killGroup(pid, 'SIGKILL');
    await new Promise<void>((r) => log.end(() => r()));
  };

  try {
    await waitForHealthz(baseUrl, child, options.startTimeoutMs ?? 30_000, logFile);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    pid,
    port,
    baseUrl,
    workspaceUrl: `${baseUrl}/?folder=${encodeURIComponent(workspace)}`,
    logFile,
    stop,
  };
}

/** Copies VS Code's own logs (extension host, language server output channels) into an artifacts folder. */
export async function collectLogs(profile: Profile, destination: string): Promise<void> {
  const logs = join(profile.userDataDir, 'logs');
  if (!existsSync(logs)) return;
  await mkdir(destination, { recursive: true });
  await cp(logs, destination, { recursive: true });
}

/** Removes the throwaway profile (and the workspace inside it). */
export async function removeProfile(profile: Profile): Promise<void> {
  await rm(profile.root, { recursive: true, force: true });
}
