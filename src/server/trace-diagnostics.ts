// Diagnostics from a trace, on the manifest field each cause is about: one per Diagnosis, and one per
// failed step that no diagnosis explains. Recomputed from the current text on every publish.

import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver';
import { parsePath } from '../core/manifest/index.js';
import type { Step } from '../core/model.js';
import { stepLabel } from '../core/report/text.js';
import { toLspRange } from './doc-view.js';
import { plainText } from './markdown.js';
import type { TraceView } from './trace-map.js';

export const SOURCE = 'Pod Birth';

/** What a trace diagnostic carries for code actions (the client hands it back). */
export interface TraceDiagnosticData {
  readonly traceId: string;
  /** The diagnosis' cause, or the failed step's kind. */
  readonly cause: string;
  /** Index into trace.diagnosis, or null for a failed step. */
  readonly diagnosis: number | null;
  readonly step: string | null;
}

export function isTraceDiagnosticData(x: unknown): x is TraceDiagnosticData {
  if (typeof x !== 'object' || x === null) return false;
  const d = x as Record<string, unknown>;
  return (
    typeof d.traceId === 'string' &&
    typeof d.cause === 'string' &&
    (d.diagnosis === null || typeof d.diagnosis === 'number')
  );
}

/** Cluster text can be long (a whole FailedScheduling message); the Problems panel wants a sentence or three. */
const MAX_MESSAGE = 600;

/** One path is the other or contains it. */
function related(a: string, b: string): boolean {
  const x = parsePath(a);
  const y = parsePath(b);
  if (!x || !y) return false;
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) if (x[i] !== y[i]) return false;
  return true;
}

export function traceDiagnostics(tv: TraceView): Diagnostic[] {
  const { trace } = tv;
  const blocking = trace.phase === 'pending' || trace.phase === 'failed';
  const severity = blocking ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning;
  const out: Diagnostic[] = [];

  trace.diagnosis.forEach((d, i) => {
    if (d.yamlPath === null) return;
    const at = tv.locate(d.yamlPath, d.container);
    if (!at) return;
    const data: TraceDiagnosticData = { traceId: tv.entry.traceId, cause: d.cause, diagnosis: i, step: null };
    out.push({
      range: toLspRange(at.range),
      severity,
      code: `pod-birth/${d.cause}`,
      source: SOURCE,
      message:
        plainText(`${d.message} ${d.suggestion}`, MAX_MESSAGE) + (at.note ? ` (${plainText(at.note, 300)})` : ''),
      data,
    });
  });

  // Failed steps the diagnosis does not cover (a pull failure before the pod status says ErrImagePull),
  // the latest of each kind per field.
  const explained = (s: Step): boolean =>
    trace.diagnosis.some(
      (d) =>
        d.yamlPath !== null &&
        s.yamlPath !== null &&
        (d.container === null || d.container === s.container) &&
        related(d.yamlPath, s.yamlPath),
    );
  const latest = new Map<string, Step>();
  for (const s of trace.steps) {
    if (s.status !== 'failed' || s.yamlPath === null || explained(s)) continue;
    latest.set(`${s.kind}|${s.init ? 'init:' : ''}${s.container ?? ''}|${s.yamlPath}`, s);
  }
  for (const s of latest.values()) {
    const at = s.yamlPath === null ? null : tv.locate(s.yamlPath, s.container);
    if (!at) continue;
    const data: TraceDiagnosticData = { traceId: tv.entry.traceId, cause: s.kind, diagnosis: null, step: s.id };
    out.push({
      range: toLspRange(at.range),
      severity,
      code: `pod-birth/${s.kind}`,
      source: SOURCE,
      message:
        plainText(`${stepLabel(s)}${s.message ? `: ${s.message}` : ''}`, MAX_MESSAGE) +
        (at.note ? ` (${plainText(at.note, 300)})` : ''),
      data,
    });
  }
  return out;
}
