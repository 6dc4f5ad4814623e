// What the language server says about a manifest, computed from the text alone (no cluster):
// YAML errors, documents Pod Birth cannot trace, and where to put "Trace Pod Birth" CodeLenses.
// Pure so that it is tested without a connection.

import { parseManifest, type Manifest, type Range } from '../core/manifest/index.js';

export interface ManifestDiagnostic {
  readonly range: Range;
  readonly severity: 'error' | 'warning' | 'information';
  readonly code: string;
  readonly message: string;
}

export interface TraceLens {
  readonly range: Range;
  readonly docIndex: number;
  readonly title: string;
}

export interface Analysis {
  readonly diagnostics: ManifestDiagnostic[];
  readonly lenses: TraceLens[];
  /** Whether this looks like a Kubernetes manifest at all (other YAML is left alone). */
  readonly kubernetes: boolean;
}

const TRACEABLE = 'Pod, Deployment, ReplicaSet, StatefulSet, DaemonSet, Job, CronJob';
const KINDS = new Map(
  ['Pod', 'Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob'].map((k) => [k.toLowerCase(), k]),
);

/** `manifest` lets a caller that already parsed the text share the parse. */
export function analyze(text: string, manifest: Manifest = parseManifest(text)): Analysis {
  const kubernetes = manifest.documents.some((d) => d.kind !== null && d.apiVersion !== null);
  const diagnostics: ManifestDiagnostic[] = [];
  const lenses: TraceLens[] = [];
  if (!kubernetes) return { diagnostics, lenses, kubernetes };
  for (const d of manifest.documents) {
    for (const e of d.errors) {
      diagnostics.push({
        range: e.range,
        severity: 'error',
        code: 'pod-birth/yaml-error',
        message: `YAML error: ${e.message.split('\n')[0]} — Pod Birth cannot trace this document until it parses.`,
      });
    }
    if (d.errors.length > 0) continue;
    if (d.podTemplatePath !== null) {
      const start = { line: d.range.start.line, col: 0 };
      lenses.push({
        range: { start, end: start },
        docIndex: d.index,
        title: `Trace Pod Birth: ${d.kind ?? ''}/${d.name ?? d.generateName ?? '?'}`,
      });
      if (!d.name && !d.generateName) {
        diagnostics.push({
          range: { start, end: { line: start.line, col: 1 } },
          severity: 'warning',
          code: 'pod-birth/no-name',
          message: `This ${d.kind ?? 'document'} has neither metadata.name nor metadata.generateName: the apiserver will reject it. Add metadata.name.`,
        });
      }
    } else if (d.kind !== null) {
      // Kinds are case-sensitive: `kind: pod` or `kind: Deployments` is rejected by the apiserver.
      const meant = KINDS.get(d.kind.toLowerCase().replace(/s$/, ''));
      if (meant && meant !== d.kind) {
        diagnostics.push({
          range: { start: { line: d.range.start.line, col: 0 }, end: { line: d.range.start.line, col: 1 } },
          severity: 'warning',
          code: 'pod-birth/wrong-kind',
          message: `kind "${d.kind}" is not a Kubernetes kind (kinds are case-sensitive): did you mean "${meant}"? Pod Birth traces ${TRACEABLE}.`,
        });
      }
    }
  }
  return { diagnostics, lenses, kubernetes };
}
