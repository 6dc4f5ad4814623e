// Which runtime and kubelet log records are this pod's. A node log holds every pod's lines;
// attributeToPod (core/logs/attribution.ts) picks the pod's by sandbox metadata and the ids the
// runtime printed. Any option about which lines may count (a time bound, say) is passed here, once.
//
// The time bound: lines that name the pod only by namespace/name (the kubelet's SyncLoop ADD, CRI-O)
// count from its creationTimestamp on. An earlier pod of the same name (deleted and created again, a
// StatefulSet pod replaced) wrote its lines before this one existed; without the bound its SyncLoop ADD
// became this pod's "kubelet accepts pod", before the creation, with a false clock-skew note. No
// allowance for clock skew: a recorded pod deleted and created again had its predecessor's SyncLoop
// ADD 0.8 s before its own creation second, and creationTimestamp is already truncated down to the
// second. A node clock running behind only costs the name-only kubelet lines (status.startTime stands
// in); lines linked by UID or ids are taken whatever their time.

import type { CriRecord, KubeletRecord, LogRecord } from '../model.js';
import type { ContainerStatusOf } from '../pod-status.js';
import { attributeToPod, normalizeImageRef } from '../logs/index.js';
import type { Instant } from '../time.js';

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
  created: Instant | null,
): PodRecords {
  const records =
    !attribute || !pod
      ? all
      : attributeToPod(
          all,
          {
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
          },
          { notBefore: created },
        );
  return {
    cri: numberCrioAttempts(byTime(records.filter((r): r is CriRecord => r.type === 'cri'))),
    kubelet: byTime(records.filter((r): r is KubeletRecord => r.type === 'kubelet')),
  };
}

/**
 * CRI-O never logs a container's attempt (its `Creating container: ns/pod/name` has no metadata), so
 * its parser says 0 for every CreateContainer and a restarted container's runs collapsed into one.
 * Within one pod the n-th CreateContainer of a container is its n-th attempt (the kubelet counts
 * attempts the same way, sandbox re-creations included); an end line takes its start's attempt (joined
 * by CRI-O's request id), else the n-th end. Records in time order in, the same order out.
 */
export function numberCrioAttempts(cri: readonly CriRecord[]): CriRecord[] {
  const starts = new Map<string, number>();
  const ends = new Map<string, number>();
  const byRequest = new Map<string, number>();
  return cri.map((r) => {
    if (r.runtime !== 'cri-o' || r.rpc !== 'CreateContainer' || !r.container || r.phase === 'failed') return r;
    const name = r.container.name;
    let attempt: number;
    if (r.phase === 'start') {
      attempt = starts.get(name) ?? 0;
      starts.set(name, attempt + 1);
      if (r.requestId) byRequest.set(r.requestId, attempt);
    } else {
      attempt = (r.requestId ? byRequest.get(r.requestId) : undefined) ?? ends.get(name) ?? 0;
      ends.set(name, attempt + 1);
    }
    return attempt === r.container.attempt ? r : { ...r, container: { ...r.container, attempt } };
  });
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
