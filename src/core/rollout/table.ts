// The rollout as text for people: Markdown (renders on GitHub: the verdict, percentile table, the
// slowest pods, every pod in a collapsed table, the Gantt chart), CSV (RFC 4180) and a terminal summary.

import { formatDuration } from '../time.js';
import { terminalSafe } from '../report/text.js';
import { toGantt } from './gantt.js';
import { ROLLOUT_PHASES, type RolloutMetric, type RolloutPod, type RolloutReport } from './report.js';

const METRICS: readonly RolloutMetric[] = [...ROLLOUT_PHASES, 'sloStartup', 'total'];
const METRIC_LABEL: Record<RolloutMetric, string> = {
  schedule: 'schedule',
  sandbox: 'sandbox',
  pull: 'image pull',
  create: 'create',
  start: 'start',
  ready: 'ready',
  sloStartup: 'SLO startup',
  total: 'total (to Ready)',
};

function dur(ms: number | undefined | null): string {
  if (ms === undefined || ms === null) return '–';
  return ms === 0 ? '0ms' : formatDuration(ms);
}

function verdict(r: RolloutReport): string {
  const { slo } = r;
  if (slo.met === null || slo.p99Ms === null) return 'no pod has started all its containers yet';
  return `p99 SLO startup ${formatDuration(slo.p99Ms)} ${slo.met ? '≤' : '>'} ${formatDuration(slo.thresholdMs)}: ${slo.met ? 'met' : 'NOT met'}`;
}

function counts(r: RolloutReport): string {
  const by = new Map<string, number>();
  for (const p of r.pods) by.set(p.outcome, (by.get(p.outcome) ?? 0) + 1);
  return [...by].map(([o, n]) => `${n} ${o}`).join(', ');
}

/**
 * Cluster text as one Markdown table cell: one line, and every character that Markdown or HTML in
 * GitHub's renderer would act on escaped (a pod name or reason cannot open a link, an image or a tag).
 */
export function markdownCell(s: string, max = 200): string {
  return terminalSafe(s, max)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([\\`*_[\]{}()#+!|~])/g, '\\$1');
}

export function toMarkdown(r: RolloutReport): string {
  const w = r.workload;
  const out: string[] = [];
  out.push(`## Rollout of ${markdownCell(w.kind)} \`${markdownCell(`${w.namespace}/${w.name}`).replace(/`/g, '')}\``);
  out.push('');
  out.push(
    `**${r.slo.met === null ? 'SLO: pending' : r.slo.met ? 'SLO met' : 'SLO not met'}** — ${markdownCell(verdict(r))} ` +
      `(Kubernetes pod-startup SLO: 99th percentile of creation → all containers started, excluding image pulls and init containers, ≤ 5 s). ` +
      `${r.pods.length} pods: ${counts(r)}${r.live ? ' (still tracing)' : ''}.`,
  );
  out.push('');
  out.push('| phase | p50 | p90 | p99 | max | pods |');
  out.push('|---|---:|---:|---:|---:|---:|');
  for (const m of METRICS) {
    const s = r.percentiles[m];
    if (s)
      out.push(`| ${METRIC_LABEL[m]} | ${dur(s.p50)} | ${dur(s.p90)} | ${dur(s.p99)} | ${dur(s.max)} | ${s.count} |`);
  }
  out.push('');
  out.push('Percentiles by nearest rank (each is a measured pod time).');
  const byName = new Map(r.pods.map((p) => [p.name, p] as const));
  const slow = r.slowest.map((n) => byName.get(n)).filter((p): p is RolloutPod => !!p);
  if (slow.length > 0) {
    out.push('');
    out.push('### Slowest pods');
    out.push('');
    out.push('| pod | node | total | SLO startup | why |');
    out.push('|---|---|---:|---:|---|');
    for (const p of slow)
      out.push(
        `| ${markdownCell(p.name)} | ${markdownCell(p.node ?? '–')} | ${dur(p.totalMs)} | ${dur(p.sloStartupMs)} | ${p.reason ? markdownCell(p.reason.text, 300) : '–'} |`,
      );
  }
  out.push('');
  out.push('<details><summary>Every pod</summary>');
  out.push('');
  out.push(`| pod | node | outcome | ${ROLLOUT_PHASES.join(' | ')} | SLO startup | total |`);
  out.push(`|---|---|---|${ROLLOUT_PHASES.map(() => '---:|').join('')}---:|---:|`);
  for (const p of r.pods)
    out.push(
      `| ${markdownCell(p.name)} | ${markdownCell(p.node ?? '–')} | ${p.outcome} | ${ROLLOUT_PHASES.map((ph) => dur(p.phases[ph])).join(' | ')} | ${dur(p.sloStartupMs)} | ${dur(p.totalMs)} |`,
    );
  out.push('');
  out.push('</details>');
  out.push('');
  out.push('```mermaid');
  out.push(toGantt(r).trimEnd());
  out.push('```');
  return out.join('\n') + '\n';
}

/**
 * One CSV field (RFC 4180: quoted when it holds a comma, a quote or a line break; quotes doubled).
 * Text that a spreadsheet would run as a formula (= + - @ at the start) gets a leading apostrophe.
 */
export function csvField(v: string | number | undefined | null): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  const safe = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export const CSV_COLUMNS = [
  'pod',
  'uid',
  'node',
  'outcome',
  'created',
  ...ROLLOUT_PHASES.map((p) => `${p}_ms`),
  'slo_startup_ms',
  'total_ms',
  'reason',
  'reason_text',
] as const;

export function toCsv(r: RolloutReport): string {
  const rows = [CSV_COLUMNS.join(',')];
  for (const p of r.pods) {
    const fields = [
      p.name,
      p.uid,
      p.node,
      p.outcome,
      p.createdAtMs === undefined ? undefined : new Date(p.createdAtMs).toISOString(),
      ...ROLLOUT_PHASES.map((ph) => p.phases[ph]),
      p.sloStartupMs,
      p.totalMs,
      p.reason?.cause,
      p.reason?.text,
    ];
    rows.push(fields.map(csvField).join(','));
  }
  return rows.join('\r\n') + '\r\n';
}

export function toText(r: RolloutReport): string {
  const w = r.workload;
  const out: string[] = [];
  out.push(
    `Rollout of ${terminalSafe(w.kind, 40)} ${terminalSafe(`${w.namespace}/${w.name}`, 200)}: ${r.pods.length} pods (${counts(r)})${r.live ? ', still tracing' : ''}`,
  );
  out.push(`SLO: ${verdict(r)}`);
  out.push('');
  const pad = (s: string, n: number): string => s.padEnd(n);
  const lpad = (s: string, n: number): string => s.padStart(n);
  out.push(`  ${pad('phase', 18)}${['p50', 'p90', 'p99', 'max'].map((h) => lpad(h, 9)).join('')}${lpad('pods', 7)}`);
  for (const m of METRICS) {
    const s = r.percentiles[m];
    if (s)
      out.push(
        `  ${pad(METRIC_LABEL[m], 18)}${[s.p50, s.p90, s.p99, s.max].map((v) => lpad(dur(v), 9)).join('')}${lpad(String(s.count), 7)}`,
      );
  }
  const byName = new Map(r.pods.map((p) => [p.name, p] as const));
  const slow = r.slowest.map((n) => byName.get(n)).filter((p): p is RolloutPod => !!p);
  if (slow.length > 0) {
    out.push('');
    out.push('Slowest pods:');
    for (const p of slow)
      out.push(
        `  ${terminalSafe(p.name, 80)}  ${p.node ? `on ${terminalSafe(p.node, 60)}  ` : ''}total ${dur(p.totalMs)}, SLO startup ${dur(p.sloStartupMs)}${p.reason ? `\n    ${terminalSafe(p.reason.text, 300)}` : ''}`,
      );
  }
  return out.join('\n') + '\n';
}
