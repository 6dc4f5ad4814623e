// scheduled: the scheduler bound the pod to a node.
// Rule: the first Scheduled event (µs on events.k8s.io) and the PodScheduled=True condition; the
// receive time of the first pod object with a nodeName refines them (or stands alone when neither
// gives a time). Runs from the creation. Happens when any of them, or spec.nodeName, says so.

import { podCondition } from '../../pod-status.js';
import { best, firstObserved, watchRefines } from '../candidates.js';
import type { PodFold } from '../fold.js';
import { firstSeen } from '../pod-events.js';

export const foldScheduled: PodFold = (view, drafts) => {
  const scheduled = view.events.withReason('Scheduled');
  const cond = podCondition(view.pod, 'PodScheduled');
  if (scheduled.length === 0 && !view.node && cond?.status !== 'True') return;
  const d = drafts.get('scheduled');
  d.ends.push(...firstSeen(scheduled));
  if (cond?.status === 'True' && cond.time) d.ends.push({ time: cond.time, source: 'pod' });
  const apiBind = best(d.ends)?.time ?? null;
  const bindObserved = firstObserved(view.snapshots, (p) => !!p.spec?.nodeName);
  if (bindObserved?.receivedAt && (watchRefines(bindObserved.receivedAt, apiBind) || !apiBind))
    d.ends.push({ time: bindObserved.receivedAt, source: 'watch' });
  const created = drafts.bestEnd((x) => x.kind === 'created');
  if (created) d.starts.push(created);
  d.message = scheduled[0]?.message ?? (view.node ? `assigned to ${view.node}` : '');
  d.yamlPath = view.pod?.spec?.nodeSelector ? 'spec.nodeSelector' : null;
};
