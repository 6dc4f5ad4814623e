#!/usr/bin/env node
// `npm run bench`: the performance benchmarks, measured and reported (never pass/fail).
//
// 1. Bundles bench/sections/*.ts (TypeScript, importing src/ and the test harnesses) with esbuild into
//    bench/results/.build/*.cjs (node_modules stay external; __dirname is the source file's folder).
// 2. Runs each section in its own Node process (clean heap and CPU figures). Sections that use the
//    shared test cluster run under `flock /tmp/pod-birth-cluster.lock`, one locked run per section,
//    each bounded by its own watchdog (< 5 min). Without a cluster they are skipped with a message.
// 3. Aggregates bench/results/sections/*.json into bench/results/latest.json and latest.md.
//
// Usage: node bench/run.mjs [--only live,render,...] [--skip scale,...] [--quick] [--keep]
//   --quick  fewer repetitions (a smoke run of the bench itself; figures are noisier)
//   --keep   keep the scratch builds (bench/results/.build, .webview*, pkg/); by default they are
//            removed at the end so that `eslint .` and tsc never see generated JavaScript
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, release } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const RESULTS = join(ROOT, 'bench', 'results');
const BUILD = join(RESULTS, '.build');
const SECTIONS_DIR = join(RESULTS, 'sections');
const LOCK = '/tmp/pod-birth-cluster.lock';
const STATE = process.env.POD_BIRTH_CLUSTER_DIR || '/var/lib/pod-birth-cluster';

/** In the order of the issue. `cluster`: needs the shared cluster (runs under the lock). */
const SECTIONS = [
  {
    id: 'live',
    title: '1. Live overhead (watch receive → trace → arrow on screen, vs kubectl --watch)',
    cluster: true,
  },
  { id: 'activation', title: '2. Activation and size', cluster: false },
  {
    id: 'render',
    title: '3. Rendering (Mermaid source, the page drawing it, live updates, long tasks)',
    cluster: false,
  },
  { id: 'scale', title: '4. Scale & API cost (100-replica Deployment)', cluster: true },
  { id: 'noise', title: '5. Noise immunity (10,000 unrelated Events/min)', cluster: true },
  { id: 'throughput', title: '6. Core throughput (100 MB containerd log, evidence fold)', cluster: false },
  { id: 'rollout', title: '7. Rollout (300 pods traced with --all: API cost, heap, report latency)', cluster: true },
  {
    id: 'rollout-view',
    title: '8. Rollout view (300 and 1,000 pods: first paint, sort, update, long tasks)',
    cluster: false,
  },
  {
    id: 'rollout-host',
    title: '9. Rollout in VS Code (300 pods: extension host memory, the view while live)',
    cluster: true,
  },
];

const args = process.argv.slice(2);
const listArg = (name) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1]
    ? args[i + 1]
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : null;
};
const only = listArg('--only');
const skip = listArg('--skip') ?? [];
const quick = args.includes('--quick');
const keep = args.includes('--keep');
const selected = SECTIONS.filter((s) => (!only || only.includes(s.id)) && !skip.includes(s.id));
if (selected.length === 0) {
  console.error(`bench: nothing selected (sections: ${SECTIONS.map((s) => s.id).join(', ')})`);
  process.exit(2);
}

// ---------------------------------------------------------------------------------------------
// Build

/** Replaces `__dirname` in TypeScript sources by the source file's folder, as vitest does per file. */
const dirnamePlugin = {
  name: 'source-dirname',
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, (a) => {
      const text = readFileSync(a.path, 'utf8');
      return { contents: text.replace(/\b__dirname\b/g, JSON.stringify(dirname(a.path))), loader: 'ts' };
    });
  },
};

async function build() {
  rmSync(BUILD, { recursive: true, force: true });
  mkdirSync(BUILD, { recursive: true });
  const entries = Object.fromEntries(
    readdirSync(join(ROOT, 'bench', 'sections'))
      .filter((f) => f.endsWith('.ts'))
      .map((f) => [f.replace(/\.ts$/, ''), join(ROOT, 'bench', 'sections', f)]),
  );
  await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: entries,
    outdir: BUILD,
    outExtension: { '.js': '.cjs' },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    packages: 'external',
    sourcemap: 'inline',
    logLevel: 'warning',
    plugins: [dirnamePlugin],
  });
}

// ---------------------------------------------------------------------------------------------
// Preconditions

function clusterUp() {
  const file = join(STATE, 'cluster.json');
  if (!existsSync(file)) return `no ${file}`;
  try {
    const env = JSON.parse(readFileSync(file, 'utf8'));
    const out = execFileSync(env.cikube, ['kubectl', '--kubeconfig', env.kubeconfig, 'get', '--raw', '/readyz'], {
      timeout: 15_000,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    if (out.trim() !== 'ok') return `apiserver /readyz said ${out.trim().slice(0, 80)}`;
    return null;
  } catch (e) {
    return `apiserver not reachable (${String(e.message ?? e).split('\n')[0]})`;
  }
}

function writeSkipped(s, reason) {
  mkdirSync(SECTIONS_DIR, { recursive: true });
  const result = {
    id: s.id,
    title: s.title,
    status: 'skipped',
    reason,
    startedAt: new Date().toISOString(),
    durationMs: 0,
    rows: [],
    notes: [`skipped: ${reason}`],
    facts: {},
  };
  writeFileSync(join(SECTIONS_DIR, `${s.id}.json`), `${JSON.stringify(result, null, 2)}\n`);
}

function runSection(s) {
  const script = join(BUILD, `${s.id}.cjs`);
  const cmd = s.cluster ? 'flock' : process.execPath;
  const argv = s.cluster ? ['-w', '900', LOCK, process.execPath, '--expose-gc', script] : ['--expose-gc', script];
  return new Promise((resolveP) => {
    const started = Date.now();
    console.log(`\n=== ${s.title}${s.cluster ? `  (under flock ${LOCK})` : ''}`);
    const child = spawn(cmd, argv, {
      cwd: ROOT,
      stdio: 'inherit',
      env: { ...process.env, BENCH_QUICK: quick ? '1' : '' },
    });
    child.on('close', (code, signal) => {
      console.log(`=== ${s.id}: exit ${code ?? signal} after ${((Date.now() - started) / 1000).toFixed(1)} s`);
      resolveP(code ?? 1);
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Report

function machineFacts() {
  const sh = (cmd, a) => {
    try {
      return execFileSync(cmd, a, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000 }).trim();
    } catch {
      return null;
    }
  };
  let cluster = null;
  try {
    const env = JSON.parse(readFileSync(join(STATE, 'cluster.json'), 'utf8'));
    cluster = {
      kubernetes: env.kubernetesVersion,
      node: env.nodeName,
      runtime: 'containerd',
      startedAt: env.startedAt,
    };
  } catch {
    // no cluster
  }
  return {
    date: new Date().toISOString(),
    nproc: cpus().length,
    cpu: cpus()[0]?.model ?? null,
    ramGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    kernel: release(),
    node: process.version,
    chromium: sh(process.env.POD_BIRTH_CHROMIUM ?? '/usr/bin/chromium', ['--version']),
    git: sh('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD']),
    gitDirty: (sh('git', ['-C', ROOT, 'status', '--porcelain', '--untracked-files=no']) ?? '').length > 0,
    cluster,
    quick,
  };
}

const fmt = (v) => {
  if (v === null || v === undefined || Number.isNaN(v)) return '–';
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a >= 1000) return Math.round(v).toLocaleString('en-US');
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1);
  return v.toFixed(2);
};
const esc = (s) => String(s).replace(/\|/g, '\\|').replace(/\n/g, ' ');

function markdown(report) {
  const m = report.machine;
  const out = [];
  out.push('# Pod Birth benchmarks', '');
  out.push(
    `Run ${m.date} at ${m.git ?? '?'}${m.gitDirty ? ' (uncommitted changes)' : ''}${m.quick ? ' — **quick run** (fewer repetitions)' : ''}.`,
    '',
  );
  out.push('| Machine | |', '|---|---|');
  out.push(
    `| CPUs (nproc) | ${m.nproc} × ${esc(m.cpu ?? '?')} |`,
    `| RAM | ${m.ramGiB} GiB |`,
    `| Kernel | ${m.kernel} |`,
    `| Node | ${m.node} |`,
    `| Chromium | ${esc(m.chromium ?? 'none')} |`,
  );
  if (m.cluster)
    out.push(
      `| Cluster | Kubernetes ${m.cluster.kubernetes}, node ${m.cluster.node}, containerd (local, single node) |`,
    );
  out.push('');
  out.push(
    'Figures are median / p95 / p99 (nearest rank) over n repeated runs; ratios compare medians measured in the same run. Goals are reported, never enforced.',
    '',
  );
  const goals = [];
  for (const s of report.sections) {
    out.push(`## ${s.title}`, '');
    if (s.status !== 'ok') out.push(`**${s.status}**: ${esc(s.reason ?? '')}`, '');
    if (s.rows.length > 0) {
      out.push(
        '| Metric | n | median | p95 | p99 | max | unit | goal | met | ratio (same run) |',
        '|---|---:|---:|---:|---:|---:|---|---|---|---|',
      );
      for (const r of s.rows) {
        const g = r.goal ? esc(r.goal.text) : '';
        const met = r.goal ? (r.met ? 'yes' : `**no** (${r.margin > 0 ? '+' : ''}${fmt(r.margin)} ${r.unit})`) : '';
        const ratio = r.ratio ? `${fmt(r.ratio.value)}× ${esc(r.ratio.vs)}` : '';
        const what = r.detail ? `${esc(r.what)} <br><sub>${esc(r.detail)}</sub>` : esc(r.what);
        out.push(
          `| ${what} | ${r.summary.n} | ${fmt(r.summary.median)} | ${fmt(r.summary.p95)} | ${fmt(r.summary.p99)} | ${fmt(r.summary.max)} | ${r.unit} | ${g} | ${met} | ${ratio} |`,
        );
        if (r.goal) goals.push({ section: s.id, row: r });
      }
      out.push('');
    }
    if (s.notes.length > 0) {
      for (const n of s.notes) out.push(`- ${esc(n)}`);
      out.push('');
    }
  }
  out.push('## Goals', '', '| Section | Goal | Measured | Met |', '|---|---|---:|---|');
  for (const { section, row: r } of goals) {
    const stat = r.goal.stat === 'value' ? r.summary.median : r.summary[r.goal.stat];
    out.push(
      `| ${section} | ${esc(r.what)}: ${esc(r.goal.text)} | ${fmt(stat)} ${r.unit} | ${r.met ? 'yes' : `**no** (${r.margin > 0 ? '+' : ''}${fmt(r.margin)})`} |`,
    );
  }
  out.push('');
  return out.join('\n');
}

function aggregate(runStarted) {
  const sections = [];
  for (const s of SECTIONS) {
    const file = join(SECTIONS_DIR, `${s.id}.json`);
    if (!existsSync(file)) continue;
    const r = JSON.parse(readFileSync(file, 'utf8'));
    r.stale = Date.parse(r.startedAt) < runStarted;
    if (r.stale) r.notes = [`(from an earlier run, ${r.startedAt})`, ...r.notes];
    sections.push(r);
  }
  const report = { machine: machineFacts(), sections };
  writeFileSync(join(RESULTS, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(RESULTS, 'latest.md'), markdown(report));
}

// ---------------------------------------------------------------------------------------------

const runStarted = Date.now() - 1000;
mkdirSync(RESULTS, { recursive: true });
if (!only) rmSync(SECTIONS_DIR, { recursive: true, force: true });
await build();
const down = selected.some((s) => s.cluster) ? clusterUp() : null;
if (down)
  console.log(
    `\nbench: the test cluster is not up (${down}); the cluster sections are skipped. Start it with \`npm run cluster:up\`.`,
  );
let failed = 0;
for (const s of selected) {
  if (s.cluster && down) {
    writeSkipped(s, `the test cluster is not up (${down}); start it with \`npm run cluster:up\``);
    continue;
  }
  if ((await runSection(s)) !== 0) failed++;
}
aggregate(runStarted);
if (!keep)
  for (const d of ['.build', '.webview', '.webview-dev', 'pkg'])
    rmSync(join(RESULTS, d), { recursive: true, force: true });
console.log(
  `\nbench: results in ${join(RESULTS, 'latest.md')} and ${join(RESULTS, 'latest.json')}${failed ? ` (${failed} section(s) ended with an error, see above)` : ''}`,
);
