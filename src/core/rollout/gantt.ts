// The rollout as a Mermaid Gantt chart: one section per pod (its name), its phases as tasks on the
// time axis from the first pod's creation. Front matter asks for compact mode, so a pod's phases that
// do not overlap share one row (Mermaid 10.4+; older renderers draw one row per phase).
//
// Cluster text never becomes Mermaid structure. What the Gantt grammar of Mermaid 12.3 does (read in
// node_modules/mermaid/dist/chunks/mermaid.core/ganttDiagram-*.mjs): `section\s[^\n]+` takes the rest
// of the line as the section's title; keywords (`title`, `section`, `click`, `dateFormat`…) are matched
// at the start of a line before task text; task text is `[^:\n]+` and task data `:[^#\n;]+`. The
// preprocessing common to all diagrams (directives `%%{…}%%`, `%%` comment lines, front matter, entity
// codes) applies too. So pod names go only into section titles, escaped with the sequence diagram's
// escaper (one line; `:` `;` `#` `%` and every other character that the preprocessing reacts to
// written as an entity code), and task texts are the fixed phase names.

import { escapeMermaidText } from '../mermaid/escape.js';
import { ROLLOUT_PHASES, type RolloutPod, type RolloutReport } from './report.js';

export interface GanttOptions {
  /** At most this many pods are drawn, the slowest ones (default 100): a chart of 1,000 rows helps nobody. */
  readonly maxPods?: number;
}

/** The pods a chart draws: all when they fit, else the slowest; in order of total startup. */
export function ganttPods(report: RolloutReport, maxPods = 100): RolloutPod[] {
  const drawable = report.pods.filter((p) => p.createdAtMs !== undefined && p.spans);
  const byTotal = [...drawable].sort((a, b) => (a.totalMs ?? 0) - (b.totalMs ?? 0) || a.name.localeCompare(b.name));
  return byTotal.slice(Math.max(0, byTotal.length - Math.max(1, Math.floor(maxPods))));
}

export function toGantt(report: RolloutReport, options: GanttOptions = {}): string {
  const pods = ganttPods(report, options.maxPods ?? 100);
  const t0 = Math.min(...pods.map((p) => p.createdAtMs as number));
  const end = Math.max(0, ...pods.map((p) => (p.createdAtMs as number) - t0 + (p.totalMs ?? 0)));
  const w = report.workload;
  const shown = pods.length < report.pods.length ? ` (the ${pods.length} slowest of ${report.pods.length} pods)` : '';
  const lines = [
    '---',
    'displayMode: compact',
    '---',
    'gantt',
    `    title ${escapeMermaidText(`${w.kind} ${w.namespace}/${w.name}: pod startup${shown}`, 200)}`,
    // Epoch milliseconds, counted from the first pod's creation: the axis reads as time since then.
    '    dateFormat x',
    `    axisFormat ${end > 60_000 ? '%M:%S' : '%S.%L'}`,
  ];
  pods.forEach((p, i) => {
    lines.push(`    section ${escapeMermaidText(p.name, 80)}`);
    const base = (p.createdAtMs as number) - t0;
    for (const phase of ROLLOUT_PHASES) {
      const span = p.spans?.[phase];
      if (!span) continue;
      const start = Math.round(base + span[0]);
      const ms = Math.round(span[1] - span[0]);
      // Mermaid draws nothing useful for an empty task (an image already present): leave it out.
      if (ms <= 0) continue;
      lines.push(`    ${phase} :p${i}${phase}, ${start}, ${ms}ms`);
    }
  });
  if (pods.length === 0) lines.push('    section no pod has started yet');
  return lines.join('\n') + '\n';
}
