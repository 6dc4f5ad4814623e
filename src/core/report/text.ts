// A readable timeline for terminals and bug reports.

import type { Step, Trace } from '../model.js';
import { diffMs, formatDuration } from '../time.js';
import { KIND_LABELS } from '../vocabulary.js';
import { stepDurationMs, type LineOf } from './contract.js';

/** Strips control characters so cluster text cannot move the cursor or recolour a terminal. */
export function terminalSafe(s: string, max = 160): string {
  const clean = s
    // eslint-disable-next-line no-control-regex -- stripping control characters is the point
    .replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}

/** `PullImage init:setup (restart 1) ×3`: what the step is, for every text surface. */
export function stepLabel(s: Step): string {
  // The container name is cluster text too (a trace file can hold anything): `\e]0;…` must not reach the terminal.
  return `${KIND_LABELS[s.kind]}${s.container ? ` ${s.init ? 'init:' : ''}${terminalSafe(s.container, 80)}` : ''}${s.attempt > 0 ? ` (restart ${s.attempt})` : ''}${s.count > 1 ? ` ×${s.count}` : ''}`;
}

/** One line per step as it arrives live (CLI stream, output channel). */
export function stepLine(s: Step): string {
  const d = stepDurationMs(s);
  const st = s.status === 'failed' ? ' FAILED' : s.status === 'in-progress' ? ' …' : '';
  return `${stepLabel(s).padEnd(36)} ${(d !== null ? formatDuration(d) : '').padStart(8)}${st}  [${s.source}, ${s.precision}]${s.message ? `  ${terminalSafe(s.message, 120)}` : ''}`;
}

export function renderText(trace: Trace, lineOf: LineOf | null = null): string {
  const out: string[] = [];
  // Every string from the trace is cluster text (or a trace file's): the pod's names and the runtime
  // version went to the terminal raw, so `\e[2J` or an OSC 8 link in a pod name reached it.
  const safe = (x: string | null | undefined, max = 160): string => terminalSafe(String(x ?? ''), max);
  const p = trace.pod;
  out.push(
    `pod ${p.namespace ? safe(p.namespace) : '?'}/${p.name ? safe(p.name) : '?'}${p.uid ? ` (uid ${safe(p.uid)})` : ''}${p.node ? ` on node ${safe(p.node)}` : ''}` +
      ` · runtime ${trace.runtime ? safe(trace.runtime) : 'unknown'}${trace.runtimeVersion ? ` (${safe(trace.runtimeVersion)})` : ''} · ${safe(trace.phase)}`,
  );
  const t0 = trace.steps.find((s) => s.start ?? s.end);
  const origin = t0 ? (t0.start ?? t0.end) : null;
  for (const s of trace.steps) {
    const at = s.start ?? s.end;
    const offset = origin && at ? `+${(diffMs(origin, at) / 1000).toFixed(3)}s` : '       ?';
    const dur = stepDurationMs(s);
    const label = stepLabel(s);
    const status = s.status === 'failed' ? ' FAILED' : s.status === 'in-progress' ? ' …' : '';
    const line = s.yamlPath && lineOf ? lineOf(s.yamlPath) : null;
    out.push(
      `  ${offset.padStart(10)}  ${label.padEnd(34)} ${(dur !== null ? formatDuration(dur) : '').padStart(8)}${status}  [${safe(s.source)}, ${safe(s.precision)}]${line ? ` line ${line}` : ''}` +
        (s.message ? `\n              ${terminalSafe(s.message)}` : ''),
    );
  }
  if (trace.diagnosis.length > 0) {
    out.push('', 'Why:');
    for (const d of trace.diagnosis) {
      const line = d.yamlPath && lineOf ? lineOf(d.yamlPath) : null;
      out.push(`  ${safe(d.cause)}${d.yamlPath ? `  ${safe(d.yamlPath, 300)}` : ''}${line ? ` (line ${line})` : ''}`);
      out.push(`    ${terminalSafe(d.message, 300)}`);
      out.push(`    → ${terminalSafe(d.suggestion, 300)}`);
    }
  }
  if (trace.notes.length > 0) {
    out.push('', 'Notes:');
    for (const n of trace.notes)
      out.push(
        `  [${safe(n.kind)}] ${terminalSafe(n.message, 400)}${n.remedy ? `\n    → ${terminalSafe(n.remedy, 400)}` : ''}`,
      );
  }
  return out.join('\n') + '\n';
}
