// created: the apiserver stored the pod.
// Rule: metadata.creationTimestamp (whole seconds), refined by the receive time of the first pod
// object our watch saw when that lies within two seconds after it and the pod was not bound yet: a
// first object that is already bound came from the list of an attach, not from the creation itself
// (its receive time would put the creation after the binding). No creationTimestamp, no step.

import { apiTime } from '../../pod-status.js';
import { watchRefines } from '../candidates.js';
import type { PodFold } from '../fold.js';

export const foldCreated: PodFold = (view, drafts) => {
  const meta = view.pod?.metadata ?? {};
  const created = apiTime(meta.creationTimestamp);
  if (!created) return;
  const d = drafts.get('created');
  d.ends.push({ time: created, source: 'pod' });
  const first = view.snapshots[0];
  if (first && !first.pod.spec?.nodeName && watchRefines(first.receivedAt, created) && first.receivedAt)
    d.ends.push({ time: first.receivedAt, source: 'watch' });
  d.message = meta.ownerReferences?.[0]?.kind
    ? `created by ${meta.ownerReferences[0].kind} ${meta.ownerReferences[0].name ?? ''}`.trim()
    : 'pod stored';
  d.yamlPath = 'metadata.name';
};
