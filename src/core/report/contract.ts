// The stable JSON shape of `pod-birth explain --format json`. Other tooling depends on it: add fields,
// never rename or remove them.

import { lineOfPodPath, manifestPathOf, type ManifestDocument } from '../manifest/index.js';
import type { Diagnosis, Step, Trace } from '../model.js';
import { diffMs, formatInstant } from '../time.js';

export interface ContractStep {
  kind: string;
  actor: string;
  container: string | null;
  init: boolean;
  start: string | null;
  end: string | null;
  status: string;
  source: string;
  precision: string;
  message: string;
  /** The field in the manifest given (the pod template's field in a workload), else pod-relative. */
  yamlPath: string | null;
  line: number | null;
  // Additions beyond the original contract:
  /** The field relative to the pod, whatever manifest was given (`spec.nodeSelector`). */
  podPath: string | null;
  id: string;
  from: string;
  attempt: number;
  count: number;
  durationMs: number | null;
}

export interface ContractDiagnosis {
  cause: string;
  message: string;
  suggestion: string;
  /** As in ContractStep. */
  yamlPath: string | null;
  line: number | null;
  container: string | null;
  nodes: number | null;
  evidence: string;
  /** Addition: the field relative to the pod. */
  podPath: string | null;
}

export interface ContractTrace {
  pod: { namespace: string | null; name: string | null; uid: string | null; node: string | null };
  runtime: 'containerd' | 'cri-o' | null;
  runtimeVersion: string | null;
  phase: string;
  steps: ContractStep[];
  diagnosis: ContractDiagnosis[];
  notes: { kind: string; message: string; source?: string; remedy?: string }[];
}

/** Maps a pod-relative path to a 1-based manifest line, or null (no manifest, or not found). */
export type LineOf = (yamlPath: string) => number | null;

/**
 * The manifest a trace is reported against: the line of a pod-relative path, and the path the field
 * has in that document (in a Deployment, `spec.nodeSelector` is `spec.template.spec.nodeSelector`).
 */
export interface ManifestMapping {
  readonly lineOf: LineOf;
  readonly pathOf: (yamlPath: string) => string | null;
}

/** The mapping onto one manifest document (the one the pod was made from). */
export function mappingOf(doc: ManifestDocument): ManifestMapping {
  return { lineOf: (p) => lineOfPodPath(doc, p), pathOf: (p) => manifestPathOf(doc, p) };
}

export function stepDurationMs(s: Step): number | null {
  if (!s.start || !s.end) return null;
  const d = diffMs(s.start, s.end);
  return d > 0 ? d : null;
}

/** The contract of a trace; with a manifest (its mapping, or only its lines), paths and lines are the manifest's. */
export function toContract(trace: Trace, manifest: ManifestMapping | LineOf | null = null): ContractTrace {
  const map: ManifestMapping | null =
    typeof manifest === 'function' ? { lineOf: manifest, pathOf: () => null } : manifest;
  const line = (p: string | null): number | null => (p && map ? map.lineOf(p) : null);
  const path = (p: string | null): string | null => (p && map ? (map.pathOf(p) ?? p) : p);
  return {
    pod: { ...trace.pod },
    runtime: trace.runtime,
    runtimeVersion: trace.runtimeVersion,
    phase: trace.phase,
    steps: trace.steps.map((s) => ({
      kind: s.kind,
      actor: s.actor,
      container: s.container,
      init: s.init,
      start: s.start ? formatInstant(s.start) : null,
      end: s.end ? formatInstant(s.end) : null,
      status: s.status,
      source: s.source,
      precision: s.precision,
      message: s.message,
      yamlPath: path(s.yamlPath),
      line: line(s.yamlPath),
      podPath: s.yamlPath,
      id: s.id,
      from: s.from,
      attempt: s.attempt,
      count: s.count,
      durationMs: stepDurationMs(s),
    })),
    diagnosis: trace.diagnosis.map((d: Diagnosis) => ({
      cause: d.cause,
      message: d.message,
      suggestion: d.suggestion,
      yamlPath: path(d.yamlPath),
      line: line(d.yamlPath),
      container: d.container,
      nodes: d.nodes,
      evidence: d.evidence,
      podPath: d.yamlPath,
    })),
    notes: trace.notes.map((n) => ({ ...n })),
  };
}

// JSON.stringify escapes only U+0000–U+001F. C1 controls (the 8-bit CSI U+009B and OSC U+009D, which
// some terminals obey), DEL, line/paragraph separators and bidi overrides in cluster text would reach a
// terminal raw; inside JSON strings they can be written as \u escapes without changing the value.
const JSON_UNSAFE = /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** The contract as JSON text that is safe to print to a terminal; parses back to the same value. */
export function stringifyContract(c: ContractTrace, indent = 2): string {
  return JSON.stringify(c, null, indent).replace(
    JSON_UNSAFE,
    (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
