// One build for every bundle (why each is separate: docs/architecture.md, "Bundles"):
//   dist/extension.js  extension host (cjs, vscode external) — loaded at activation, keep it small
//   dist/commands.js, dist/language-client.js  host parts required after activation (lazy)
//   dist/cluster.js    cluster layer with @kubernetes/client-node — required lazily on first trace
//   dist/server.js     language server (separate process)
//   dist/webview/*     browser ESM with code splitting (mermaid loads its sequence chunk on demand)
//   dist/cli.js        the pod-birth CLI
// Usage: node scripts/build.mjs [--production] [--watch]
import * as esbuild from 'esbuild';
import { existsSync, mkdirSync, rmSync } from 'node:fs';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const node = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
  legalComments: 'none',
  // Keep names readable in stack traces users paste into bug reports.
  keepNames: true,
};

const targets = [
  {
    ...node,
    entryPoints: { extension: 'src/extension/extension.ts' },
    outdir: 'dist',
    external: ['vscode', './cluster.js', './commands.js', './language-client.js'],
  },
  // Required by extension.js on first use (see its header): the command handlers with yaml and the
  // trace engine, and the language client. Each may load cluster.js itself, never bundle it.
  {
    ...node,
    entryPoints: { commands: 'src/extension/commands.ts', 'language-client': 'src/extension/language-client.ts' },
    outdir: 'dist',
    external: ['vscode', './cluster.js'],
  },
  { ...node, entryPoints: { cluster: 'src/cluster/index.ts' }, outdir: 'dist', external: ['vscode'] },
  { ...node, entryPoints: { server: 'src/server/server.ts' }, outdir: 'dist' },
  { ...node, entryPoints: { cli: 'src/cli/bin.ts' }, outdir: 'dist', banner: { js: '#!/usr/bin/env node' } },
  {
    bundle: true,
    platform: 'browser',
    format: 'esm',
    splitting: true,
    target: ['es2022', 'chrome120'],
    entryPoints: {
      diagram: 'webview/diagram/main.ts',
      timeline: 'webview/timeline/main.ts',
      rollout: 'webview/rollout/main.ts',
    },
    outdir: 'dist/webview',
    chunkNames: 'chunks/[name]-[hash]',
    sourcemap: production ? false : 'linked',
    minify: production,
    logLevel: 'warning',
    legalComments: 'none',
  },
].flatMap((t) => {
  // An entry that is not in the tree yet is reported, never silently left out.
  const present = Object.entries(t.entryPoints).filter(([, e]) => {
    if (existsSync(e)) return true;
    console.warn(`build: no ${e}, not built`);
    return false;
  });
  return present.length > 0 ? [{ ...t, entryPoints: Object.fromEntries(present) }] : [];
});

if (!watch) rmSync('dist', { recursive: true, force: true });
mkdirSync('dist', { recursive: true });
const started = Date.now();
if (watch) {
  for (const t of targets) await (await esbuild.context(t)).watch();
  console.log('build: watching');
} else {
  await Promise.all(targets.map((t) => esbuild.build(t)));
  console.log(`build: ${targets.length} bundle(s) in ${Date.now() - started} ms${production ? ' (production)' : ''}`);
}
