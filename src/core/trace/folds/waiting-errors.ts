// container-failed: the kubelet could not create or run the container (it waits with
// CreateContainerConfigError, CreateContainerError or RunContainerError).
// Rule: one failed step for the current attempt (restartCount), timed by the container's Failed
// events that are not about the image; counted by those that carry the runtime's "Error:" text. The
// waiting message says why.

import type { ContainerFold } from '../fold.js';
import { firstSeen, lastMessage, lastSeen, totalCount } from '../pod-events.js';
import { ABOUT_IMAGE } from './image.js';

const CREATE_OR_RUN_ERRORS = ['CreateContainerConfigError', 'CreateContainerError', 'RunContainerError'];

export const foldWaitingErrors: ContainerFold = (view, c, drafts) => {
  if (!CREATE_OR_RUN_ERRORS.includes(c.waiting)) return;
  const d = drafts.get('container-failed', c.name, c.init, c.status?.restartCount ?? 0);
  d.status = 'failed';
  const failed = view.events.withReason('Failed', c.name).filter((e) => !ABOUT_IMAGE.test(e.message));
  d.count = Math.max(1, totalCount(failed.filter((e) => e.message.startsWith('Error:'))));
  d.starts.push(...firstSeen(failed));
  d.ends.push(...lastSeen(failed));
  d.message = (c.status?.state?.waiting?.message ?? '') || lastMessage(failed) || c.waiting;
  d.yamlPath = c.yamlPath;
};
