// Section 2 — Activation and size. Builds the production bundles and the .vsix exactly as
// `npm run package` does, in a scratch copy (lib/package.ts). Then:
//   - the size of every bundle (raw and gzip) and of the .vsix;
//   - require('dist/cluster.js') (the lazily loaded cluster layer) and require('dist/extension.js')
//     (with a stub `vscode`) in fresh plain Node processes;
//   - activation in a real VS Code (code-server 4.100.3, test/e2e helpers): install the .vsix, open a
//     YAML file (onLanguage:yaml) in a fresh window, read the extension's own "activated in X ms
//     (cluster layer loaded: …)" line from its LogOutputChannel file and the extension host's log.

import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  collectLogs,
  createProfile,
  createWorkspace,
  findCodeServer,
  installExtension,
  removeProfile,
  startCodeServer,
  type CodeServer,
  type Profile,
} from '../../test/e2e/code-server.js';
import { launchBrowser, openFileFromExplorer, openWorkbench, waitForLanguageMode } from '../../test/e2e/workbench.js';
import { PKG, packageInScratch } from '../lib/package.js';
import { ROOT, RESULTS, Section, row, runSection, sleep, withRatio } from '../lib/report.js';

const QUICK = process.env.BENCH_QUICK === '1';
const KB = 1024;

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)],
  );
}

function sizes(s: Section, dist: string, vsix: string): void {
  const all = files(dist).filter((f) => !f.endsWith('.vsix'));
  const groups: { id: string; what: string; match: (rel: string) => boolean }[] = [
    { id: 'extension', what: 'dist/extension.js (loaded at activation)', match: (r) => r === 'extension.js' },
    { id: 'cluster', what: 'dist/cluster.js (lazy: first trace)', match: (r) => r === 'cluster.js' },
    { id: 'server', what: 'dist/server.js (language server process)', match: (r) => r === 'server.js' },
    { id: 'cli', what: 'dist/cli.js (CLI, not in the .vsix)', match: (r) => r === 'cli.js' },
    {
      id: 'webview-diagram',
      what: 'dist/webview/diagram.js + .css (entry)',
      match: (r) => r === 'webview/diagram.js' || r === 'webview/diagram.css',
    },
    {
      id: 'webview-timeline',
      what: 'dist/webview/timeline.js + .css (entry)',
      match: (r) => r === 'webview/timeline.js' || r === 'webview/timeline.css',
    },
    {
      id: 'webview-chunks',
      what: 'dist/webview/chunks/* (Mermaid etc., loaded on demand)',
      match: (r) => r.startsWith('webview/chunks/'),
    },
  ];
  const detail: Record<string, { bytes: number; gzip: number; files: number }> = {};
  for (const g of groups) {
    const fs = all.filter((f) => g.match(relative(dist, f)));
    const bytes = fs.reduce((a, f) => a + statSync(f).size, 0);
    const gzip = fs.reduce((a, f) => a + gzipSync(readFileSync(f), { level: 9 }).length, 0);
    detail[g.id] = { bytes, gzip, files: fs.length };
    s.add(
      row(`size-${g.id}`, g.what, 'KiB', bytes / KB, {
        detail: `${fs.length} file(s), gzip ${(gzip / KB).toFixed(0)} KiB`,
      }),
    );
  }
  const total = all.reduce((a, f) => a + statSync(f).size, 0);
  s.add(row('size-dist', 'dist/ total (all bundles)', 'KiB', total / KB));
  const vsixBytes = statSync(vsix).size;
  const listing = execFileSync('unzip', ['-l', vsix], { encoding: 'utf8' });
  const entries = listing.split('\n').filter((l) => /^\s*\d+\s+\S+\s+\S+\s+\S/.test(l)).length;
  s.add(
    row('size-vsix', 'dist/pod-birth.vsix', 'MB', vsixBytes / 1e6, {
      goal: { stat: 'value', op: '<=', value: 3, text: '.vsix ≤ 3 MB' },
      detail: `${vsixBytes.toLocaleString('en-US')} bytes, ${entries} entries`,
    }),
  );
  s.facts.sizes = detail;
  s.facts.vsixListing = listing
    .split('\n')
    .slice(3, -3)
    .map((l) => l.trim())
    .filter(Boolean);
}

/** Fresh `node` processes: require() time of a bundle (module evaluation included). */
function requireTimes(s: Section, dist: string): void {
  const n = QUICK ? 5 : 15;
  const stub = join(RESULTS, '.build', 'vscode-stub.cjs');
  // Any property is a function/constructor returning the same proxy: enough for module evaluation.
  // esbuild's ESM interop copies own property names, so ownKeys lists every `.name` the bundle uses.
  const names = [...new Set(readFileSync(join(dist, 'extension.js'), 'utf8').match(/(?<=\.)[A-Za-z_$][\w$]*/g) ?? [])];
  writeFileSync(
    stub,
    `const names=${JSON.stringify(names)}.filter(n=>!['length','name','prototype','arguments','caller'].includes(n));
const h={get:(t,p)=>p==='__esModule'?false:p==='then'?undefined:p===Symbol.toPrimitive?()=>'':p in t?t[p]:P,apply:()=>P,construct:()=>P,
ownKeys:(t)=>[...Reflect.ownKeys(t),...names],
getOwnPropertyDescriptor:(t,p)=>Reflect.getOwnPropertyDescriptor(t,p)??{configurable:true,enumerable:true,writable:true,value:P}};
const P=new Proxy(class{},h);module.exports=P;`,
  );
  const measure = (file: string, stubVscode: boolean): number[] => {
    const out: number[] = [];
    const pre = stubVscode
      ? `const M=require('module');const r=M._resolveFilename;M._resolveFilename=function(q,...a){return q==='vscode'?${JSON.stringify(stub)}:r.call(this,q,...a)};`
      : '';
    const code = `${pre}const t=performance.now();require(${JSON.stringify(file)});process.stdout.write(String(performance.now()-t))`;
    for (let i = 0; i < n + 1; i++) {
      const v = Number(execFileSync(process.execPath, ['-e', code], { encoding: 'utf8' }));
      if (i > 0) out.push(v); // the first run warms the OS file cache
    }
    return out;
  };
  const cluster = s.add(
    row(
      'require-cluster',
      "require('dist/cluster.js') in plain Node (fresh process each)",
      'ms',
      measure(join(dist, 'cluster.js'), false),
      { detail: 'the cluster layer, loaded on the first trace' },
    ),
  );
  s.add(
    withRatio(
      row(
        'require-extension',
        "require('dist/extension.js') in plain Node, `vscode` stubbed",
        'ms',
        measure(join(dist, 'extension.js'), true),
        { detail: 'module evaluation only; VS Code adds this to activation as code loading' },
      ),
      cluster,
    ),
  );
}

interface Activation {
  readonly ms: number;
  /** exthost log "_doActivateExtension pod-birth.pod-birth" → our "activated in" line (ms clock of the logs). */
  readonly totalMs: number | null;
  readonly clusterLoaded: boolean;
  readonly exthost: string[];
  /** Other extensions the extension host activated between our _doActivateExtension and our line. */
  readonly between: string[];
}

function grepLogs(dir: string, re: RegExp): { file: string; line: string }[] {
  if (!existsSync(dir)) return [];
  return files(dir).flatMap((f) =>
    readFileSync(f, 'utf8')
      .split('\n')
      .filter((l) => re.test(l))
      .map((line) => ({ file: relative(dir, f), line })),
  );
}

async function activation(s: Section, vsix: string): Promise<void> {
  let binary: string;
  try {
    binary = findCodeServer();
  } catch (e) {
    s.note(`activation in VS Code not measured: ${e instanceof Error ? e.message : String(e)}`);
    return;
  }
  const runs = QUICK ? 2 : 5;
  let profile: Profile | null = null;
  let server: CodeServer | null = null;
  const browser = await launchBrowser();
  const results: Activation[] = [];
  const windowToActivated: number[] = [];
  try {
    profile = await createProfile();
    const workspace = await createWorkspace(profile, [join(ROOT, 'test', 'samples', 'busybox-pod.yaml')]);
    await installExtension(binary, profile, vsix);
    const logs = join(profile.userDataDir, 'logs');
    for (let i = 0; i < runs; i++) {
      // A fresh code-server per run: a new extension host process, nothing of the extension loaded.
      server = await startCodeServer({ binary, profile, workspace, logFile: join(RESULTS, 'code-server.log') });
      const before = grepLogs(logs, /activated in [\d.]+ ms/).length;
      const page = await openWorkbench(browser, server.workspaceUrl);
      const t0 = performance.now();
      await openFileFromExplorer(page, 'busybox-pod.yaml');
      await waitForLanguageMode(page, 'YAML');
      let hits: { file: string; line: string }[] = [];
      for (let k = 0; k < 120; k++) {
        hits = grepLogs(logs, /activated in [\d.]+ ms/);
        if (hits.length > before) break;
        await sleep(250);
      }
      windowToActivated.push(performance.now() - t0);
      const hit = hits[hits.length - 1];
      const m = hit?.line.match(/activated in ([\d.]+) ms \(cluster layer loaded: (true|false)\)/);
      if (m && hits.length > before) {
        const exthost = grepLogs(logs, /pod-birth\.pod-birth/).filter(
          (h) => /exthost/i.test(h.file) && !/Pod Birth/.test(h.file),
        );
        const start = [...exthost].reverse().find((h) => /_doActivateExtension pod-birth\.pod-birth/.test(h.line));
        const t = (line: string | undefined): number => {
          const d = line?.match(/^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}\.\d{3})/);
          return d ? Date.parse(`${d[1]}T${d[2]}`) : Number.NaN;
        };
        const total = t(hit?.line) - t(start?.line);
        // The extension host runs every extension on one thread: what it activated meanwhile (the
        // built-in git and github extensions activate on '*' at the same moment) delays our line.
        const between = grepLogs(logs, /_doActivateExtension (?!pod-birth\.)/)
          .filter((h) => /exthost/i.test(h.file))
          .filter((h) => t(h.line) >= t(start?.line) && t(h.line) <= t(hit?.line))
          .map((h) => /_doActivateExtension (\S+),/.exec(h.line)?.[1] ?? '?');
        results.push({
          between,
          ms: Number(m[1]),
          totalMs: Number.isFinite(total) ? total : null,
          clusterLoaded: m[2] === 'true',
          exthost: exthost.map((h) => h.line.slice(0, 240)),
        });
        if (i === 0) s.facts.activationLogFile = hit?.file;
      } else s.note(`run ${i + 1}: no "activated in" line within 30 s`);
      await page.close();
      await server.stop();
      server = null;
    }
  } finally {
    await browser.close().catch(() => undefined);
    await server?.stop();
    if (profile) {
      await collectLogs(profile, join(RESULTS, 'vscode-logs')).catch(() => undefined);
      await removeProfile(profile);
    }
  }
  if (results.length === 0) return;
  s.add(
    row(
      'activate',
      'activate() as the extension logs it (onLanguage:yaml, fresh window)',
      'ms',
      results.map((r) => r.ms),
      {
        goal: { stat: 'median', op: '<=', value: 50, text: 'activation ≤ 50 ms' },
        detail: `cluster layer loaded at activation: ${[...new Set(results.map((r) => String(r.clusterLoaded)))].join('/')}`,
      },
    ),
  );
  const totals = results.map((r) => r.totalMs).filter((x): x is number => x !== null);
  if (totals.length) {
    s.add(
      row(
        'activate-total',
        'activation incl. code loading: exthost "_doActivateExtension" → "activated in" (log timestamps, ms)',
        'ms',
        totals,
        {
          goal: { stat: 'median', op: '<=', value: 150, text: 'activation incl. module load ≤ 150 ms' },
          detail: `loading dist/extension.js + activate(), and whatever else the extension host's one thread did meanwhile: in ${results.filter((r) => r.between.length > 0).length} of ${results.length} runs it activated other extensions in between (${[...new Set(results.flatMap((r) => r.between))].join(', ') || 'none'})`,
        },
      ),
    );
  }
  const required = s.rows.find((r) => r.id === 'require-extension');
  if (required) {
    const own = required.summary.median + median(results.map((r) => r.ms));
    s.add(
      row(
        'activate-own',
        'our code at activation: module evaluation (plain Node, median) + activate() (median)',
        'ms',
        own,
        {
          goal: { stat: 'value', op: '<=', value: 150, text: 'activation incl. module load ≤ 150 ms' },
          detail: 'the part of the extension host interval above that is this extension’s own work',
        },
      ),
    );
  }
  s.add(
    row(
      'activate-lazy',
      'cluster bundle loaded at activation (runs where it was)',
      'runs',
      results.filter((r) => r.clusterLoaded).length,
      { goal: { stat: 'value', op: '==', value: 0, text: 'cluster bundle lazily loaded' } },
    ),
  );
  s.add(
    row('open-to-activated', 'YAML file clicked → "activated" line in the log file (wall)', 'ms', windowToActivated, {
      detail: 'includes the extension host starting the extension and the log file flush',
    }),
  );
  s.facts.exthostLines = results[0]?.exthost ?? [];
}

/** What dist/extension.js is made of (esbuild metafile of the same entry, production options), by package. */
async function composition(s: Section): Promise<void> {
  const esbuild = await import('esbuild');
  const r = await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: ['src/extension/extension.ts'],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    minify: true,
    keepNames: true,
    // As scripts/build.mjs builds it: the commands and the language client are loaded lazily.
    external: ['vscode', './cluster.js', './commands.js', './language-client.js'],
    write: false,
    outfile: join(PKG, 'composition.js'),
    metafile: true,
    logLevel: 'silent',
  });
  const out = Object.values(r.metafile.outputs)[0];
  const byPkg = new Map<string, number>();
  for (const [input, v] of Object.entries(out?.inputs ?? {})) {
    const m = input.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
    const key = m ? (m[1] as string) : input.startsWith('src/') ? input.split('/').slice(0, 2).join('/') : input;
    byPkg.set(key, (byPkg.get(key) ?? 0) + v.bytesInOutput);
  }
  const top = [...byPkg.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 10)
    .map(([k, v]) => ({ input: k, kib: Math.round(v / 102.4) / 10 }));
  s.facts.extensionComposition = top;
  s.note(
    `dist/extension.js by input (KiB in the minified bundle): ${top.map((t) => `${t.input} ${t.kib}`).join(', ')}.`,
  );
}

void runSection(new Section('activation', '2. Activation and size'), async (s) => {
  const { dist, vsix, buildMs, packageMs } = await packageInScratch(s);
  s.facts.buildMs = Math.round(buildMs);
  s.facts.packageMs = Math.round(packageMs);
  s.log(`built and packaged in ${(buildMs / 1000).toFixed(1)} + ${(packageMs / 1000).toFixed(1)} s in ${PKG}`);
  sizes(s, dist, vsix);
  await composition(s);
  requireTimes(s, dist);
  await activation(s, vsix);
});

function median(xs: readonly number[]): number {
  const v = [...xs].sort((a, b) => a - b);
  return v.length ? (v[Math.floor((v.length - 1) / 2)] ?? 0) : 0;
}
