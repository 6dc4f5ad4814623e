// kubelet-accepted: the node's kubelet admitted the pod.
// Rule: status.startTime (whole seconds) and the kubelet log's "SyncLoop ADD" line for the pod (µs):
// the last one at or before the pod's first RunPodSandbox (a kubelet restart adds every pod again
// later; an earlier pod of the same name was added before), else the first. Runs from the bind.

import { apiTime } from '../../pod-status.js';
import type { PodFold } from '../fold.js';

export const foldKubeletAccepted: PodFold = (view, drafts) => {
  const startTime = apiTime(view.pod?.status?.startTime);
  const adds = view.kubelet.filter((r) => r.event === 'syncloop-add');
  const sandbox = view.cri.find((r) => r.rpc === 'RunPodSandbox' && r.phase === 'start');
  const syncAdd = (sandbox ? adds.filter((r) => r.time.key <= sandbox.time.key).pop() : undefined) ?? adds[0];
  if (!startTime && !syncAdd) return;
  const d = drafts.get('kubelet-accepted');
  if (startTime) d.ends.push({ time: startTime, source: 'pod' });
  if (syncAdd) d.ends.push({ time: syncAdd.time, source: 'kubelet-log' });
  const bound = drafts.bestEnd((x) => x.kind === 'scheduled');
  if (bound) d.starts.push(bound);
  d.message = view.node ? `kubelet on ${view.node} admitted the pod` : 'kubelet admitted the pod';
};
