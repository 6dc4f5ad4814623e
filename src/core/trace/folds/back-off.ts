// back-off ×N: the kubelet waits before pulling again or restarting the container.
// Rule: the container's BackOff events (first → last, counts summed, the last message); failed while
// the container waits in CrashLoopBackOff or ImagePullBackOff. An image back-off belongs to the pull
// and points at the container's `image`; a crash back-off points at the container.

import type { ContainerFold } from '../fold.js';
import { foldEventRun } from '../pod-events.js';
import { ABOUT_IMAGE, imagePathOf } from './image.js';

export const foldBackOff: ContainerFold = (view, c, drafts) => {
  const backOff = view.events.withReason('BackOff', c.name);
  if (backOff.length === 0) return;
  const imageBackOff =
    c.waiting === 'ImagePullBackOff' ||
    (c.waiting !== 'CrashLoopBackOff' && backOff.some((e) => ABOUT_IMAGE.test(e.message)) && !c.status?.state?.running);
  const d = drafts.get('back-off', c.name, c.init);
  foldEventRun(d, backOff);
  d.status = c.waiting === 'CrashLoopBackOff' || c.waiting === 'ImagePullBackOff' ? 'failed' : 'done';
  d.yamlPath = imageBackOff ? imagePathOf(c) : c.yamlPath;
};
