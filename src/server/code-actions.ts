// Quick fixes for trace diagnostics, only where the fix is mechanical:
//  * insufficient-memory / insufficient-cpu with a node fit: lower the request to what the roomiest
//    node has free (only when the manifest still asks for more than that);
//  * untolerated-taint: add a toleration for each taint the FailedScheduling message names (key and
//    operator; the message never says the effect, so the toleration leaves it out and tolerates the
//    key's NoSchedule and NoExecute taints, the two the scheduler filters on), or a skeleton to fill in
//    when the scheduler hid the key.
//  * image-never-pull: set imagePullPolicy from Never to IfNotPresent (the diagnosis points at it), so
//    the kubelet may pull the image it did not find on the node.
// None for node-selector-mismatch: which labels are right depends on the nodes, which the server
// cannot see, and dropping the selector changes where the pod may run. None for missing-config: the
// fix is creating the ConfigMap/Secret, not editing this manifest.

import { CodeActionKind, type CodeAction, type Diagnostic, type TextEdit } from 'vscode-languageserver';
import { parseFailedScheduling, parseQuantity } from '../core/diagnosis/index.js';
import { locatePodPath, parsePath, type Position } from '../core/manifest/index.js';
import type { Diagnosis } from '../core/model.js';
import { toLspRange, type DocView } from './doc-view.js';
import { plainText } from './markdown.js';
import { isTraceDiagnosticData, SOURCE } from './trace-diagnostics.js';
import type { TraceView } from './trace-map.js';

/** A Kubernetes quantity as we write it back (`3814Mi`, `500m`, `2`). */
const QUANTITY = /^\d+(\.\d+)?(m|Ki|Mi|Gi|Ti|Pi|k|M|G|T|P)?$/;
/** Taint keys are qualified names; values are label values. Anything else is not written into YAML. */
const TAINT_KEY = /^(?=.{1,253}$)([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const TAINT_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;
const YAML_WORDS = /^(true|false|yes|no|on|off|y|n|null|~)$/i;
const PLACEHOLDER_KEY = 'REPLACE-WITH-TAINT-KEY';

export interface Taint {
  readonly key: string;
  readonly value: string;
}

/** The taints a FailedScheduling message names (`had untolerated taint {key: value}`), valid ones only. */
export function taintsIn(evidence: string): Taint[] {
  const out: Taint[] = [];
  for (const r of parseFailedScheduling(evidence).reasons) {
    if (!/taint/i.test(r.reason)) continue;
    for (const m of r.reason.matchAll(/\{([^{}:]+):\s*([^{}]*)\}/g)) {
      const key = (m[1] ?? '').trim();
      const value = (m[2] ?? '').trim();
      if (TAINT_KEY.test(key) && TAINT_VALUE.test(value) && !out.some((t) => t.key === key && t.value === value))
        out.push({ key, value });
    }
  }
  return out;
}

function yamlKey(s: string): string {
  return /^[A-Za-z][-A-Za-z0-9_./]*$/.test(s) && !YAML_WORDS.test(s) ? s : JSON.stringify(s);
}

function textOf(view: DocView, start: Position, end: Position): string | null {
  if (start.line !== end.line) return null;
  return (view.lines[start.line] ?? '').slice(start.col, end.col);
}

function lowerRequest(tv: TraceView, d: Diagnosis, diag: Diagnostic): CodeAction | null {
  const fit = d.fit;
  if (!fit || d.yamlPath === null || fit.resource !== (d.cause === 'insufficient-memory' ? 'memory' : 'cpu'))
    return null;
  const free = QUANTITY.test(fit.free) ? parseQuantity(fit.free) : null;
  if (free === null || free <= 0) return null;
  const at = tv.locate(d.yamlPath, d.container);
  if (!at?.result.found) return null;
  const r = at.result.range;
  const current = textOf(tv.view, r.start, r.end);
  if (current === null) return null;
  const asked = parseQuantity(current.trim().replace(/^(["'])(.*)\1$/, '$2'));
  if (asked !== null && asked <= free) return null; // already fits: nothing mechanical to do
  return {
    title: plainText(
      `Lower requests.${fit.resource} to ${fit.free} (node ${fit.node} has ${fit.free} free of ${fit.allocatable})`,
      200,
    ),
    kind: CodeActionKind.QuickFix,
    diagnostics: [diag],
    isPreferred: true,
    edit: { changes: { [tv.view.uri]: [{ range: toLspRange(r), newText: fit.free }] } },
  };
}

/** How far a block sequence's `-` sits right of its key in this document (`containers:` → `  - name`). */
function sequenceOffset(tv: TraceView): number {
  for (const p of ['spec.containers', 'spec.initContainers', 'spec.volumes', 'spec.tolerations']) {
    const r = locatePodPath(tv.doc, p);
    if (r?.found && r.keyRange && r.range.start.line > r.keyRange.start.line)
      return Math.max(0, r.range.start.col - r.keyRange.start.col);
  }
  return 2;
}

function tolerationLines(taints: readonly Taint[], dashCol: number): string[] {
  const dash = `${' '.repeat(dashCol)}- `;
  const body = ' '.repeat(dashCol + 2);
  if (taints.length === 0) {
    return [
      `${dash}key: ${PLACEHOLDER_KEY}  # the node's taint key: kubectl describe node NODE | grep -A3 Taints`,
      `${body}operator: Exists`,
      `${body}effect: NoSchedule`,
    ];
  }
  return taints.flatMap((t) =>
    t.value === ''
      ? [`${dash}key: ${yamlKey(t.key)}`, `${body}operator: Exists`]
      : [`${dash}key: ${yamlKey(t.key)}`, `${body}operator: Equal`, `${body}value: ${JSON.stringify(t.value)}`],
  );
}

/** Inserts whole lines after line `after` (at the end of the file, after a line break). */
function insertAfter(view: DocView, after: number, lines: readonly string[]): TextEdit {
  const text = lines.join(view.eol);
  if (after + 1 < view.lines.length) {
    const pos = { line: after + 1, character: 0 };
    return { range: { start: pos, end: pos }, newText: text + view.eol };
  }
  const pos = { line: after, character: (view.lines[after] ?? '').length };
  return { range: { start: pos, end: pos }, newText: view.eol + text };
}

function tolerated(tv: TraceView): { key: string | null; operator: string | null }[] {
  const base = tv.doc.podTemplatePath === null ? null : parsePath(tv.doc.podTemplatePath);
  let node: unknown = tv.doc.toJSON();
  for (const s of [...(base ?? []), 'spec', 'tolerations'])
    node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[String(s)] : undefined;
  if (!Array.isArray(node)) return [];
  return node.map((t: unknown) => {
    const o = typeof t === 'object' && t !== null ? (t as Record<string, unknown>) : {};
    return {
      key: typeof o.key === 'string' ? o.key : null,
      operator: typeof o.operator === 'string' ? o.operator : null,
    };
  });
}

function addToleration(tv: TraceView, d: Diagnosis, diag: Diagnostic): CodeAction | null {
  const have = tolerated(tv);
  if (have.some((t) => t.key === null && t.operator === 'Exists')) return null; // already tolerates every taint
  const taints = taintsIn(d.evidence).filter((t) => !have.some((h) => h.key === t.key));
  if (taints.length === 0 && taintsIn(d.evidence).length > 0) return null; // every named taint already has an entry
  const { view } = tv;
  const offset = sequenceOffset(tv);
  const tol = locatePodPath(tv.doc, 'spec.tolerations');
  const spec = locatePodPath(tv.doc, 'spec');
  if (!tol || !spec?.found) return null;
  let edit: TextEdit | null = null;
  if (tol.found) {
    const r = tol.range;
    const lineText = view.lines[r.start.line] ?? '';
    const value = textOf(view, r.start, r.end)?.trim();
    if (lineText.slice(r.start.col).startsWith('-')) {
      edit = insertAfter(view, r.end.line, tolerationLines(taints, r.start.col)); // a block sequence: append
    } else if (
      value !== undefined &&
      ['', '[]', 'null', '~'].includes(value) &&
      tol.keyRange &&
      tol.keyRange.start.line === r.start.line
    ) {
      // `tolerations: []` (or no value): the key becomes a block sequence.
      const colon = lineText.indexOf(':', tol.keyRange.end.col);
      if (colon < 0) return null;
      const end = value === '' ? { line: r.start.line, col: colon + 1 } : r.end;
      const lines = tolerationLines(taints, tol.keyRange.start.col + offset);
      edit = {
        range: toLspRange({ start: { line: r.start.line, col: colon }, end }),
        newText: `:${view.eol}${lines.join(view.eol)}`,
      };
    } else {
      return null; // a flow sequence with entries: leave the style to the author
    }
  } else if (tol.missing.length === 1 && tol.missing[0] === 'tolerations') {
    const r = spec.range;
    if ((view.lines[r.start.line] ?? '').slice(r.start.col).startsWith('{')) return null; // a flow mapping
    const keyCol = r.start.col;
    edit = insertAfter(view, r.end.line, [
      `${' '.repeat(keyCol)}tolerations:`,
      ...tolerationLines(taints, keyCol + offset),
    ]);
  }
  if (!edit) return null;
  const title =
    taints.length === 0
      ? 'Add a tolerations skeleton (fill in the taint key from kubectl describe node)'
      : plainText(
          `Add a toleration for taint ${taints.map((t) => (t.value ? `${t.key}=${t.value}` : t.key)).join(', ')} (any effect)`,
          200,
        );
  return { title, kind: CodeActionKind.QuickFix, diagnostics: [diag], edit: { changes: { [view.uri]: [edit] } } };
}

/** `imagePullPolicy: Never` → `IfNotPresent`, only when the field still says Never. */
function allowPull(tv: TraceView, d: Diagnosis, diag: Diagnostic): CodeAction | null {
  if (d.yamlPath === null || !d.yamlPath.endsWith('.imagePullPolicy')) return null;
  const at = tv.locate(d.yamlPath, d.container);
  if (!at?.result.found) return null;
  const r = at.result.range;
  const current = textOf(tv.view, r.start, r.end)
    ?.trim()
    .replace(/^(["'])(.*)\1$/, '$2');
  if (current !== 'Never') return null;
  return {
    title: 'Set imagePullPolicy to IfNotPresent (let the kubelet pull the image)',
    kind: CodeActionKind.QuickFix,
    diagnostics: [diag],
    isPreferred: true,
    edit: { changes: { [tv.view.uri]: [{ range: toLspRange(r), newText: 'IfNotPresent' }] } },
  };
}

/** Quick fixes for the trace diagnostics the client sends back in the code action context. */
export function traceCodeActions(tvs: readonly TraceView[], diagnostics: readonly Diagnostic[]): CodeAction[] {
  const out: CodeAction[] = [];
  for (const diag of diagnostics) {
    if (diag.source !== SOURCE || !isTraceDiagnosticData(diag.data) || diag.data.diagnosis === null) continue;
    const data = diag.data;
    const tv = tvs.find((t) => t.entry.traceId === data.traceId);
    const d = data.diagnosis === null ? undefined : tv?.trace.diagnosis[data.diagnosis];
    if (!tv || !d || d.cause !== data.cause) continue;
    const action =
      d.cause === 'insufficient-memory' || d.cause === 'insufficient-cpu'
        ? lowerRequest(tv, d, diag)
        : d.cause === 'untolerated-taint'
          ? addToleration(tv, d, diag)
          : d.cause === 'image-never-pull'
            ? allowPull(tv, d, diag)
            : null;
    if (action) out.push(action);
  }
  return out;
}
