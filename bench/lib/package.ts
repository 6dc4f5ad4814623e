// The production bundles and the .vsix, built exactly as `npm run package` does (scripts/build.mjs
// --production, then vsce package --no-dependencies) but in a scratch copy under bench/results/pkg/
// (symlinks to src, webview, scripts, node_modules), so the shared dist/ is never rebuilt under other
// people's feet. The activation section builds it; the rollout-host section reuses it (or builds it
// when run alone).

import { execFile } from 'node:child_process';
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import { join } from 'node:path';
import { ROOT, RESULTS, type Section } from './report.js';

export const PKG = join(RESULTS, 'pkg');
export const PKG_VSIX = join(PKG, 'dist', 'pod-birth.vsix');

function run(cmd: string, args: string[], cwd: string, timeoutMs = 300_000): Promise<string> {
  return new Promise((resolveP, rejectP) => {
    execFile(
      cmd,
      args,
      { cwd, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' },
      (err, stdout, stderr) => {
        if (err) rejectP(new Error(`${cmd} ${args.join(' ')}: ${stderr || err.message}`));
        else resolveP(stdout + stderr);
      },
    );
  });
}

/** The newest modification time (ms) of the files under `dir`. */
function newestUnder(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true }))
    if (e.isFile()) newest = Math.max(newest, statSync(join(e.parentPath, e.name)).mtimeMs);
  return newest;
}

/** The scratch .vsix exists and is newer than every source it is built from (else it is stale). */
export function scratchVsixIsCurrent(): boolean {
  if (!existsSync(PKG_VSIX)) return false;
  const built = statSync(PKG_VSIX).mtimeMs;
  const sources = Math.max(
    newestUnder(join(ROOT, 'src')),
    newestUnder(join(ROOT, 'webview')),
    statSync(join(ROOT, 'package.json')).mtimeMs,
  );
  return built > sources;
}

/** A scratch checkout for `npm run package`: the package files copied, the sources linked. */
export async function packageInScratch(
  s: Pick<Section, 'facts'>,
): Promise<{ dist: string; vsix: string; buildMs: number; packageMs: number }> {
  rmSync(PKG, { recursive: true, force: true });
  mkdirSync(PKG, { recursive: true });
  for (const d of ['src', 'webview', 'scripts', 'node_modules']) symlinkSync(join(ROOT, d), join(PKG, d));
  for (const f of ['package.json', '.vscodeignore', 'README.md', 'CHANGELOG.md', 'LICENSE', 'tsconfig.json'])
    if (existsSync(join(ROOT, f))) copyFileSync(join(ROOT, f), join(PKG, f));
  cpSync(join(ROOT, 'media'), join(PKG, 'media'), { recursive: true });
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  s.facts.packageScript = pkg.scripts.package;
  const t0 = performance.now();
  await run(process.execPath, ['scripts/build.mjs', '--production'], PKG);
  const t1 = performance.now();
  await run(
    join(ROOT, 'node_modules', '.bin', 'vsce'),
    ['package', '--no-dependencies', '-o', 'dist/pod-birth.vsix'],
    PKG,
  );
  const t2 = performance.now();
  return { dist: join(PKG, 'dist'), vsix: join(PKG, 'dist', 'pod-birth.vsix'), buildMs: t1 - t0, packageMs: t2 - t1 };
}
