// The table of `npm run test:matrix` (test/cluster/matrix.sh), from the reports that
// test/cluster/matrix.test.ts wrote (<out>/<combination>.json) and the timings matrix.sh kept
// (<out>/<combination>.timings). Usage: node matrix-table.mjs <out dir> <combination>...
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const [out, ...combos] = process.argv.slice(2);
if (!out) {
  console.error('usage: node matrix-table.mjs <out dir> <combination>...');
  process.exit(2);
}

const readJson = (f) => (existsSync(f) ? JSON.parse(readFileSync(f, 'utf8')) : null);
const timings = (f) =>
  existsSync(f)
    ? Object.fromEntries(
        readFileSync(f, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => l.split('='))
          .map(([k, v]) => [k, Number(v)]),
      )
    : {};
const mb = (bytes) => (bytes ? `${Math.round(bytes / 1e6)} MB` : '?');
const secs = (s) =>
  s === undefined || Number.isNaN(s) ? '-' : s >= 90 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${s} s`;

const rows = [
  '| Combination | Ready | CRI steps matched (≤ 1 ms) | Failures diagnosed | Precision shown | Build (this run: kube + runtime) | Size (cikube + runtime) | up / tests / record |',
  '|---|---|---|---|---|---|---|---|',
];
for (const combo of combos) {
  if (/^containerd-1\.37-/.test(combo)) {
    rows.push(`| ${combo} | refused | – | – | – | – | – | – |`);
    continue;
  }
  const r = readJson(join(out, `${combo}.json`));
  const t = timings(join(out, `${combo}.timings`));
  if (!r) {
    rows.push(
      `| ${combo} | ${t.build_failed ? 'build failed' : Object.keys(t).length ? 'no report (cluster:up failed)' : 'not run'} | – | – | – | – | – | – |`,
    );
    continue;
  }
  const ready = r.nodeReady ? `yes (${r.kubeletVersion}, ${r.runtimeVersion})` : `NO (${r.runtimeVersion || '?'})`;
  const births = [...r.births, ...(r.cli ? [r.cli] : [])];
  const bad = births.filter((b) => !b.ok);
  let cri;
  if (combo.endsWith('-stock')) {
    const said = births.filter((b) => b.ok && b.degraded).length;
    cri = `n/a (log query off): ${said}/${births.length} traces say so${bad.length ? `; failed: ${bad.map((b) => b.case).join(', ')}` : ''}`;
  } else {
    const calls = births.reduce((n, b) => n + b.calls, 0);
    const matched = births.reduce((n, b) => n + b.matched, 0);
    const invented = births.reduce((n, b) => n + b.invented, 0);
    cri = `${matched}/${calls}, ${invented} invented${bad.length ? `; failed: ${bad.map((b) => b.case).join(', ')}` : ''}`;
  }
  const fOk = r.failures.filter((f) => f.ok).length;
  const fBad = r.failures.filter((f) => !f.ok).map((f) => `${f.case} (${f.causes.join(' ') || 'none'})`);
  const failures = `${fOk}/${r.failures.length}${fBad.length ? `; not: ${fBad.join(', ')}` : ''}`;
  const bySource = new Map();
  for (const b of births)
    for (const p of b.precisions) {
      const [source, precision] = p.split(':');
      if (!bySource.has(source)) bySource.set(source, new Set());
      bySource.get(source).add(precision);
    }
  const precision = [...bySource].map(([s, ps]) => `${s} ${[...ps].join('/')}`).join(' · ');
  rows.push(
    `| ${combo} | ${ready} | ${cri} | ${failures} | ${precision} | ${secs(t.build_kube_s)} + ${secs(t.build_runtime_s)} | ${mb(t.kube_bytes)} + ${mb(t.runtime_bytes)} | ${secs(t.up_s)} / ${secs(t.tests_s)} / ${secs(t.record_s)} |`,
  );
}
console.log(rows.join('\n'));
