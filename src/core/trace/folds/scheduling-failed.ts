// scheduling-failed ×N: the scheduler found no node.
// Rule: the FailedScheduling events (first occurrence → last, their counts summed, the last message),
// or, without events, the PodScheduled=False/Unschedulable condition. Starts at the creation when no
// event gives a start. The message is the scheduler's, without a repeated tail (schedulerText).

import { schedulerText } from '../../diagnosis/scheduling.js';
import { podCondition } from '../../pod-status.js';
import type { PodFold } from '../fold.js';
import { firstSeen, lastMessage, lastSeen, totalCount } from '../pod-events.js';

export const foldSchedulingFailed: PodFold = (view, drafts) => {
  const failed = view.events.withReason('FailedScheduling');
  const cond = podCondition(view.pod, 'PodScheduled');
  if (failed.length === 0 && !(cond?.status === 'False' && cond.reason === 'Unschedulable')) return;
  const d = drafts.get('scheduling-failed');
  d.status = 'failed';
  d.count = Math.max(1, totalCount(failed));
  d.starts.push(...firstSeen(failed));
  d.ends.push(...lastSeen(failed));
  if (failed.length === 0 && cond?.time) d.ends.push({ time: cond.time, source: 'pod' });
  const created = drafts.bestEnd((x) => x.kind === 'created');
  if (created && d.starts.length === 0) d.starts.push(created);
  d.message = schedulerText(lastMessage(failed) || cond?.message || '');
};
