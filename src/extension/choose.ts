// Which manifest document to trace: the one under the cursor, the only one, or ask. Kept free of
// `vscode` so it is unit-tested directly.

import type { ManifestDocument } from '../core/manifest/index.js';

export function describeDocument(d: ManifestDocument): string {
  return `${d.kind ?? '?'}/${d.name ?? (d.generateName ? `${d.generateName}…` : '?')} (document ${d.index + 1})`;
}

export async function chooseDocument(
  docs: readonly ManifestDocument[],
  underCursor: ManifestDocument | null,
  ask: (candidates: ManifestDocument[]) => PromiseLike<ManifestDocument | null>,
): Promise<{ doc: ManifestDocument | null; reason: string | null }> {
  const candidates = docs.filter((d) => d.podTemplatePath !== null);
  if (underCursor) {
    if (underCursor.podTemplatePath !== null) return { doc: underCursor, reason: null };
    if (candidates.length === 0)
      return {
        doc: null,
        reason: `the document under the cursor is a ${underCursor.kind ?? 'document without kind'}; Pod Birth traces Pods and workloads (Deployment, ReplicaSet, StatefulSet, DaemonSet, Job, CronJob).`,
      };
  }
  if (candidates.length === 0)
    return {
      doc: null,
      reason:
        'this file has no Pod or workload document (Deployment, ReplicaSet, StatefulSet, DaemonSet, Job, CronJob).',
    };
  if (candidates.length === 1) return { doc: candidates[0] ?? null, reason: null };
  return { doc: await ask(candidates), reason: null };
}
