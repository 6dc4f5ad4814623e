// The pod-level steps around scheduling and the pod's end:
//   scheduling-gated    the scheduler holds the pod while spec.schedulingGates is not empty. From the
//                       creation to the first pod version our watch saw without gates (in progress while
//                       gated); the PodScheduled=False/SchedulingGated condition alone gives its start.
//   nominated           preemption: the scheduler nominated a node for the pod (status.nominatedNodeName),
//                       when the watch first saw it.
//   deadline-exceeded   the kubelet stopped the pod at activeDeadlineSeconds: the DeadlineExceeded events
//                       (first → last, counted), else status.reason with the Ready=False time.
//   evicted             the kubelet evicted the pod: the Evicted event, else status.reason.
//   preempted           the scheduler preempted the pod: the Preempted event, else the
//                       DisruptionTarget=True/PreemptionByScheduler condition.

import { gateNames } from '../../diagnosis/index.js';
import type { Pod } from '../../k8s-types.js';
import type { NormalizedEvent } from '../../model.js';
import { podCondition, type ConditionOf } from '../../pod-status.js';
import type { StepKind } from '../../vocabulary.js';
import { firstObserved } from '../candidates.js';
import type { StepDrafts } from '../drafts.js';
import type { PodFold } from '../fold.js';
import { foldEventRun } from '../pod-events.js';
import type { PodView } from '../pod-view.js';

export const foldSchedulingGates: PodFold = (view, drafts) => {
  const gatedCond = (p: Pod | null): boolean => podCondition(p, 'PodScheduled')?.reason === 'SchedulingGated';
  const gated = (p: Pod): boolean => gateNames(p).length > 0 || gatedCond(p);
  const firstGated = firstObserved(view.snapshots, gated);
  if (!firstGated && !gatedCond(view.pod)) return;
  const names = [...new Set(view.snapshots.flatMap((s) => gateNames(s.pod)))];
  const d = drafts.get('scheduling-gated');
  const created = drafts.bestEnd((x) => x.kind === 'created');
  if (created) d.starts.push(created);
  const cond = podCondition(view.pod, 'PodScheduled');
  if (cond?.reason === 'SchedulingGated' && cond.time) d.starts.push({ time: cond.time, source: 'pod' });
  const after = firstGated ? view.snapshots.slice(view.snapshots.indexOf(firstGated)) : [];
  const released = after.find((s) => !gated(s.pod));
  if (released?.receivedAt) d.ends.push({ time: released.receivedAt, source: 'watch' });
  const stillGated = view.pod !== null && gated(view.pod);
  d.status = stillGated ? 'in-progress' : 'done';
  const list = names.map((n) => `"${n}"`).join(', ') || 'scheduling gates';
  d.message = stillGated ? `waiting for ${list} to be removed` : `${list} removed`;
  d.yamlPath = 'spec.schedulingGates';
};

export const foldNominated: PodFold = (view, drafts) => {
  const seen = firstObserved(view.snapshots, (p) => !!p.status?.nominatedNodeName);
  const node = seen?.pod.status?.nominatedNodeName ?? view.pod?.status?.nominatedNodeName;
  if (!node) return;
  const d = drafts.get('nominated');
  if (seen?.receivedAt) d.ends.push({ time: seen.receivedAt, source: 'watch' });
  const failed = drafts.bestEnd((x) => x.kind === 'scheduling-failed');
  if (failed) d.starts.push(failed);
  d.message = `nominated node ${node}: lower-priority pods there are preempted to make room`;
};

export const foldPodEnd: PodFold = (view, drafts) => {
  const ready = podCondition(view.pod, 'Ready');
  const target = podCondition(view.pod, 'DisruptionTarget');
  endStep(view, drafts, 'deadline-exceeded', 'DeadlineExceeded', ready);
  endStep(view, drafts, 'evicted', 'Evicted', target?.status === 'True' ? target : ready);
  const preemptedBy = target?.status === 'True' && target.reason === 'PreemptionByScheduler' ? target : null;
  endStep(view, drafts, 'preempted', 'Preempted', preemptedBy, !!preemptedBy);
};

/**
 * One end step from its events (reason `reason`), else from status.reason (the kubelet writes the
 * same word there) with the time of `cond`, the condition that changed with it.
 */
function endStep(
  view: PodView,
  drafts: StepDrafts,
  kind: StepKind,
  reason: string,
  cond: ConditionOf | null,
  byCondition = false,
): void {
  const events: NormalizedEvent[] = view.events.withReason(reason);
  const byStatus = view.pod?.status?.reason === reason;
  if (events.length === 0 && !byStatus && !byCondition) return;
  const d = drafts.get(kind);
  d.status = 'failed';
  foldEventRun(d, events);
  if (events.length === 0 && cond?.time) d.ends.push({ time: cond.time, source: 'pod' });
  d.message = d.message || view.pod?.status?.message || cond?.message || reason;
  if (kind === 'deadline-exceeded') d.yamlPath = 'spec.activeDeadlineSeconds';
}
