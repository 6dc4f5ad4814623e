// kubelet-accepted: the node's kubelet admitted the pod.
// Rule: status.startTime (whole seconds) and the kubelet log's first "SyncLoop ADD" line for the pod
// (µs). Runs from the bind.

import { apiTime } from '../../pod-status.js';
import type { PodFold } from '../fold.js';

export const foldKubeletAccepted: PodFold = (view, drafts) => {
  const startTime = apiTime(view.pod?.status?.startTime);
  const syncAdd = view.kubelet.find((r) => r.event === 'syncloop-add');
  if (!startTime && !syncAdd) return;
  const d = drafts.get('kubelet-accepted');
  if (startTime) d.ends.push({ time: startTime, source: 'pod' });
  if (syncAdd) d.ends.push({ time: syncAdd.time, source: 'kubelet-log' });
  const bound = drafts.bestEnd((x) => x.kind === 'scheduled');
  if (bound) d.starts.push(bound);
  d.message = view.node ? `kubelet on ${view.node} admitted the pod` : 'kubelet admitted the pod';
};
