// Everything the folds read, gathered once from the folded evidence: the latest pod object and its
// earlier snapshots, the events about it, its log records, its containers and its node. The folds
// read only this, never the TraceState, so what a fold can see is written down here.

import type { ContainerStatus, Pod } from '../k8s-types.js';
import type { CriRecord, KubeletRecord, LogRecord, NormalizedEvent, TraceContainerInfo } from '../model.js';
import { podContainerPath } from '../diagnosis/paths.js';
import { apiTime, containerStatuses, ephemeralStatuses, type ContainerStatusOf } from '../pod-status.js';
import type { RuntimeName } from '../vocabulary.js';
import { containerFromFieldPath, regardsPod } from './events.js';
import type { PodSnapshot, TraceState } from './evidence.js';
import { PodEvents } from './pod-events.js';
import { containerKey, matchPulls, podRecords, type ImagePull, type PodRef } from './pod-records.js';

export type TraceContainer = TraceContainerInfo;

export interface PodView {
  /** Every version of the pod object received, oldest resourceVersion first. */
  readonly snapshots: readonly PodSnapshot[];
  /** The newest pod object, or null when only events or logs are known. */
  readonly pod: Pod | null;
  readonly ref: PodRef;
  /** Events regarding the pod. */
  readonly events: PodEvents;
  /** Events regarding the pod's owner (ReplicaSet, Job…): where FailedCreate lands. */
  readonly ownerEvents: readonly NormalizedEvent[];
  /** Containers in spec order, init containers first. */
  readonly containers: readonly TraceContainer[];
  /** The newest pod's container statuses. */
  readonly statuses: readonly ContainerStatusOf[];
  readonly cri: readonly CriRecord[];
  readonly kubelet: readonly KubeletRecord[];
  /** Each container's PullImage call, by containerKey. */
  readonly pulls: ReadonlyMap<string, ImagePull>;
  readonly node: string | null;
  readonly runtime: RuntimeName | null;
  readonly runtimeVersion: string | null;
}

/** One container as the per-container folds read it. */
export interface ContainerView extends TraceContainer {
  /** `spec.containers[i]` / `spec.initContainers[i]` in the pod, or null when the spec does not list it. */
  readonly yamlPath: string | null;
  readonly status: ContainerStatus | undefined;
  /** The reason it is waiting (ErrImagePull, CrashLoopBackOff…), '' when not waiting. */
  readonly waiting: string;
  readonly pull: ImagePull | undefined;
}

/** Who the pod is, from the folded evidence: what picks its events and its log records. */
function podIdentity(state: TraceState) {
  const all = state.orderedSnapshots();
  const pod = all[all.length - 1]?.pod ?? null;
  const meta = pod?.metadata ?? {};
  // A watch by name also sees an earlier pod of that name (deleted, then created again): only the
  // newest pod's versions describe this birth.
  const snapshots = meta.uid ? all.filter((s) => !s.pod.metadata?.uid || s.pod.metadata.uid === meta.uid) : all;
  const ref: PodRef = { uid: meta.uid ?? null, name: meta.name ?? null, namespace: meta.namespace ?? null };
  const allEvents = [...state.events.values()].map((e) => e.event);
  const events = allEvents.filter((e) => regardsPod(e, ref));
  const statuses = [...containerStatuses(pod), ...ephemeralStatuses(pod)];
  const containers = containersOf(pod, statuses, events);
  return { pod, meta, snapshots, ref, allEvents, events, statuses, containers };
}

/**
 * The records among `records` (a node log read: every pod's lines) that the trace would attribute to
 * this pod now. A trace keeps only these, so a rollout's hundreds of live traces do not each index
 * every line of the node: each read holds all lines since the earliest pod's creation, so a line
 * attributable only later (once the pod's status names its container ids) comes again in a later read.
 */
export function ownLogRecords(state: TraceState, records: readonly LogRecord[]): readonly LogRecord[] {
  const { pod, meta, ref, statuses, containers } = podIdentity(state);
  if (!pod) return records;
  const own = podRecords(records, ref, statuses, containers, true, apiTime(meta.creationTimestamp));
  return [...own.cri, ...own.kubelet];
}

export function readPodView(state: TraceState, attributeLogs: boolean): PodView {
  const { pod, meta, snapshots, ref, allEvents, events, statuses, containers } = podIdentity(state);
  const ownerUids = new Set((meta.ownerReferences ?? []).map((o) => o?.uid).filter((u): u is string => !!u));
  const ownerEvents = allEvents.filter((e) => !!e.regarding.uid && ownerUids.has(e.regarding.uid));
  const { cri, kubelet } = podRecords(
    [...state.logs.values()],
    pod ? ref : null,
    statuses,
    containers,
    attributeLogs,
    apiTime(meta.creationTimestamp),
  );
  const node = pod?.spec?.nodeName ?? scheduledNodeFromEvents(events) ?? null;
  const runtimeVersion = node
    ? (state.nodes.get(node) ?? null)
    : state.nodes.size === 1
      ? ([...state.nodes.values()][0] ?? null)
      : null;
  return {
    snapshots,
    pod,
    ref,
    events: new PodEvents(events),
    ownerEvents,
    containers,
    statuses,
    cri,
    kubelet,
    pulls: matchPulls(containers, cri),
    node,
    runtime: runtimeFrom(runtimeVersion, cri, statuses),
    runtimeVersion,
  };
}

export function containerView(view: PodView, c: TraceContainer): ContainerView {
  const status = view.statuses.find((x) => x.status.name === c.name && x.init === c.init)?.status;
  return {
    ...c,
    yamlPath: podContainerPath(view.pod ?? {}, c.name, c.init),
    status,
    waiting: status?.state?.waiting?.reason ?? '',
    pull: view.pulls.get(containerKey(c)),
  };
}

/** Containers in spec order (init first); from the statuses and events when the spec is absent. */
function containersOf(
  pod: Pod | null,
  statuses: readonly ContainerStatusOf[],
  events: readonly NormalizedEvent[],
): TraceContainer[] {
  const out: TraceContainer[] = [];
  const add = (name: string | undefined, init: boolean, image: string | null, more: Partial<TraceContainer> = {}) => {
    if (name && !out.some((c) => c.name === name && c.init === init)) out.push({ name, init, image, ...more });
  };
  for (const c of pod?.spec?.initContainers ?? [])
    add(c?.name, true, c?.image ?? null, c?.restartPolicy === 'Always' ? { sidecar: true } : {});
  for (const c of pod?.spec?.containers ?? []) add(c?.name, false, c?.image ?? null);
  for (const c of pod?.spec?.ephemeralContainers ?? []) add(c?.name, false, c?.image ?? null, { ephemeral: true });
  for (const { status, init, ephemeral } of statuses)
    add(status.name, init, status.image ?? null, ephemeral ? { ephemeral: true } : {});
  for (const e of events) {
    const c = containerFromFieldPath(e.regarding.fieldPath);
    if (c) add(c.name, c.init, null, c.ephemeral ? { ephemeral: true } : {});
  }
  // Ephemeral containers come last: they join a running pod and are no part of its birth order.
  return [...out.filter((c) => !c.ephemeral), ...out.filter((c) => c.ephemeral)];
}

function scheduledNodeFromEvents(events: readonly NormalizedEvent[]): string | null {
  const e = events.find((x) => x.reason === 'Scheduled');
  const m = e ? / to (\S+?)\.?$/.exec(e.message.trim()) : null;
  return m?.[1] ?? null;
}

function runtimeFrom(
  version: string | null,
  cri: readonly CriRecord[],
  statuses: readonly ContainerStatusOf[],
): RuntimeName | null {
  const v = version ?? statuses.map(({ status }) => status.containerID ?? '').find((x) => x.includes('://')) ?? '';
  if (/^containerd/i.test(v)) return 'containerd';
  if (/^cri-o/i.test(v)) return 'cri-o';
  return cri[0]?.runtime ?? null;
}
