// Which runtime and kubelet log records are this pod's. A node log holds every pod's lines;
// attributeToPod (core/logs/attribution.ts) picks the pod's by sandbox metadata and the ids the
// runtime printed. Any option about which lines may count (a time bound, say) is passed here, once.

import type { CriRecord, KubeletRecord, LogRecord } from '../model.js';
import type { ContainerStatusOf } from '../pod-status.js';
import { attributeToPod, normalizeImageRef } from '../logs/index.js';

export interface PodRef {
  readonly uid: string | null;
  readonly name: string | null;
  readonly namespace: string | null;
}

export interface PodRecords {
  /** CRI calls of the pod, by time (then raw text). */
  readonly cri: readonly CriRecord[];
  /** Kubelet lines about the pod, by time (then raw text). */
  readonly kubelet: readonly KubeletRecord[];
}

/** `containerd://3c7f…` → `3c7f…` (status ids carry the runtime's scheme; log ids do not). */
export function stripScheme(id: string | undefined): string | null {
  if (!id) return null;
  const i = id.indexOf('://');
  return i >= 0 ? id.slice(i + 3) : id;
}

function byTime<R extends LogRecord>(records: readonly R[]): R[] {
  return [...records].sort((a, b) => a.time.key.localeCompare(b.time.key) || a.raw.localeCompare(b.raw));
}

/**
 * The pod's records. With `attribute` false (or no pod object to attribute to) every record given is
 * kept: a caller that already picked the pod's lines.
 */
export function podRecords(
  all: readonly LogRecord[],
  pod: PodRef | null,
  statuses: readonly ContainerStatusOf[],
  containers: readonly { name: string; image: string | null }[],
  attribute: boolean,
): PodRecords {
  const records =
    !attribute || !pod
      ? all
      : attributeToPod(all, {
          namespace: pod.namespace ?? '',
          name: pod.name ?? '',
          uid: pod.uid ?? '',
          containerIds: statuses
            .flatMap(({ status }) => [
              stripScheme(status.containerID),
              stripScheme(status.lastState?.terminated?.containerID),
            ])
            .filter((x): x is string => !!x),
          images: containers.map((c) => c.image).filter((x): x is string => !!x),
          // Per-container images bound each pull by that container's CreateContainer, so a later
          // pod's pull of the same image is not taken for this pod's.
          containers: containers.flatMap((c) => (c.image ? [{ name: c.name, image: c.image }] : [])),
        });
  return {
    cri: byTime(records.filter((r): r is CriRecord => r.type === 'cri')),
    kubelet: byTime(records.filter((r): r is KubeletRecord => r.type === 'kubelet')),
  };
}

/** A PullImage call: its start line and the end (or failure) line that answers it, if logged. */
export interface ImagePull {
  readonly start: CriRecord;
  readonly end: CriRecord | undefined;
}

/**
 * Each container's PullImage call, keyed by containerKey. Containers claim pulls in birth order
 * (init containers first), each the oldest unclaimed pull of its image, so two containers of one
 * image do not both take the same pull.
 */
export function matchPulls(
  containers: readonly { name: string; init: boolean; image: string | null }[],
  cri: readonly CriRecord[],
): Map<string, ImagePull> {
  const claimed = new Set<CriRecord>();
  const out = new Map<string, ImagePull>();
  for (const c of containers) {
    const image = c.image ? normalizeImageRef(c.image) : null;
    const start = cri.find(
      (r) =>
        r.rpc === 'PullImage' &&
        r.phase === 'start' &&
        !claimed.has(r) &&
        !!r.image &&
        normalizeImageRef(r.image) === image,
    );
    if (!start) continue;
    const end = cri.find(
      (r) =>
        r.rpc === 'PullImage' &&
        (r.phase === 'end' || r.phase === 'failed') &&
        r.image === start.image &&
        r.time.key >= start.time.key,
    );
    claimed.add(start);
    out.set(containerKey(c), { start, end });
  }
  return out;
}

/** `app` or `init/setup`: one container of the pod. */
export function containerKey(c: { readonly name: string; readonly init: boolean }): string {
  return `${c.init ? 'init/' : ''}${c.name}`;
}
