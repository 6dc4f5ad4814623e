// Which document of a manifest a pod was made from: the one whose fields the trace's field paths
// are mapped onto. Taking the wrong one would put a pod's failures on another object's lines, so a
// document that names another pod or workload is never taken.

import type { Pod } from '../k8s-types.js';
import type { Manifest, ManifestDocument } from './parse.js';

type PodLike = Pick<Pod, 'metadata'>;

/**
 * The document a pod comes from: the Pod of that name, else the owner named in ownerReferences (a
 * Deployment through its ReplicaSet `<name>-<hash>`, a CronJob through its Job `<name>-<n>`), else a
 * workload whose name prefixes the pod's, else the only document with a pod template when it names no
 * object (a template without a name). Null otherwise: a document that names another pod or workload is
 * never taken for this pod's, since its fields would be mapped onto a pod it did not make.
 */
export function findPodDocument(manifest: Manifest, pod: PodLike): ManifestDocument | null {
  const meta = pod.metadata ?? {};
  const podName = typeof meta.name === 'string' ? meta.name : '';
  const podNs = typeof meta.namespace === 'string' ? meta.namespace : null;
  const candidates = manifest.documents.filter(
    (d) => d.podTemplatePath !== null && (d.namespace === null || podNs === null || d.namespace === podNs),
  );
  const byName = candidates.find((d) => d.kind === 'Pod' && d.name !== null && d.name === podName);
  if (byName) return byName;
  const owners = Array.isArray(meta.ownerReferences) ? meta.ownerReferences : [];
  for (const o of owners) {
    if (!o || typeof o.name !== 'string' || typeof o.kind !== 'string') continue;
    const oname = o.name;
    const direct = candidates.find((d) => d.kind === o.kind && d.name === oname);
    if (direct) return direct;
    if (o.kind === 'ReplicaSet') {
      const dep = candidates.find(
        (d) => d.kind === 'Deployment' && d.name !== null && new RegExp(`^${escapeRe(d.name)}-[a-z0-9]+$`).test(oname),
      );
      if (dep) return dep;
    }
    if (o.kind === 'Job') {
      const cj = candidates.find(
        (d) => d.kind === 'CronJob' && d.name !== null && new RegExp(`^${escapeRe(d.name)}-\\d+$`).test(oname),
      );
      if (cj) return cj;
    }
  }
  const prefixed = candidates
    .filter((d) => {
      const n = d.kind === 'Pod' ? d.generateName : d.name !== null ? `${d.name}-` : null;
      return n !== null && n !== '' && podName.startsWith(n);
    })
    .sort((a, b) => (b.name ?? b.generateName ?? '').length - (a.name ?? a.generateName ?? '').length);
  if (prefixed[0]) return prefixed[0];
  const only = candidates.length === 1 ? candidates[0] : undefined;
  return only && only.name === null && (only.generateName === null || podName === '') ? only : null;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

/**
 * Why no document was found, for a user who passed the manifest: it has no pod template at all, or
 * every one it has belongs to another object (named, so the user sees which).
 */
export function noPodDocumentReason(manifest: Manifest, pod: PodLike): string {
  const named = manifest.documents
    .filter((d) => d.podTemplatePath !== null)
    .map((d) => `${d.kind ?? '?'} "${d.name ?? d.generateName ?? '?'}"`);
  if (named.length === 0) return 'has no Pod or workload document (Deployment, Job, …) to map steps to';
  const meta = pod.metadata ?? {};
  const who = `${typeof meta.namespace === 'string' ? `${meta.namespace}/` : ''}${typeof meta.name === 'string' ? meta.name : '?'}`;
  return `is not the manifest of pod ${who}: it holds ${named.slice(0, 3).join(', ')}${named.length > 3 ? ', …' : ''}, none of which made this pod (pass the manifest the pod came from, or leave out --manifest)`;
}
