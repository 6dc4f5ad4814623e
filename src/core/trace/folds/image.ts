// image-pull / image-pull-failed / image-present: getting the container's image.
// Rule: a pull happened when there are Pulling events or a PullImage start line for the image
// (runtime log, ns). It failed when the container waits with an image reason (ErrImagePull,
// ImagePullBackOff…) or the runtime's pull ended in failure, unless a Pulled event says otherwise.
// Only Pulled events and no pull: the image was already present. Points at the container's `image`.

import { IMAGE_REASONS } from '../../diagnosis/images.js';
import type { NormalizedEvent } from '../../model.js';
import type { StepDraft } from '../drafts.js';
import type { ContainerFold } from '../fold.js';
import { firstSeen, lastMessage, lastSeen, totalCount } from '../pod-events.js';
import type { ContainerView } from '../pod-view.js';

/** Does an event or back-off message speak of the image? (The Failed reason covers pulls and more.) */
export const ABOUT_IMAGE = /pull|image/i;

export function imagePathOf(c: ContainerView): string | null {
  return c.yamlPath ? `${c.yamlPath}.image` : null;
}

export const foldImage: ContainerFold = (view, c, drafts) => {
  const pulling = view.events.withReason('Pulling', c.name);
  const pulled = view.events.withReason('Pulled', c.name);
  const pullStart = c.pull?.start;
  const pullEnd = c.pull?.end;
  const imageFailed = IMAGE_REASONS.has(c.waiting) || pullEnd?.phase === 'failed';
  const failEvents = view.events.withReason('Failed', c.name).filter((e) => imageFailed || ABOUT_IMAGE.test(e.message));
  let d: StepDraft;
  if (pulling.length > 0 || pullStart) {
    d = drafts.get(imageFailed && !pulled.length ? 'image-pull-failed' : 'image-pull', c.name, c.init);
    d.starts.push(...firstSeen(pulling));
    if (pullStart) d.starts.push({ time: pullStart.time, source: 'runtime-log' });
    if (d.kind === 'image-pull') pullDone(d, c, imageFailed, pulled);
    else pullFailed(d, c, failEvents, pulling);
  } else if (pulled.length > 0) {
    d = drafts.get('image-present', c.name, c.init);
    d.ends.push(...firstSeen(pulled));
    d.message = pulled[0]?.message ?? '';
  } else if (imageFailed) {
    d = drafts.get('image-pull-failed', c.name, c.init);
    d.status = 'failed';
    d.ends.push(...lastSeen(failEvents));
    d.message = c.status?.state?.waiting?.message || c.waiting;
  } else return;
  d.yamlPath = imagePathOf(c);
};

/** A pull that ended (or is still running): its end from the Pulled event and the runtime's end line. */
function pullDone(d: StepDraft, c: ContainerView, imageFailed: boolean, pulled: readonly NormalizedEvent[]): void {
  const pullEnd = c.pull?.end;
  const okPulled = pulled.filter((e) => !imageFailed || e.first);
  d.ends.push(...firstSeen(okPulled));
  if (pullEnd && pullEnd.phase === 'end') d.ends.push({ time: pullEnd.time, source: 'runtime-log' });
  d.status = d.ends.length > 0 ? 'done' : 'in-progress';
  d.message =
    okPulled[0]?.message ??
    (pullEnd?.imageRef ? `image ${pullEnd.imageRef.slice(0, 19)}` : `pulling ${c.image ?? ''}`.trim());
}

/** A failed pull ×N (one per Pulling event): ends at the last failure; the registry's words as message. */
function pullFailed(
  d: StepDraft,
  c: ContainerView,
  failEvents: readonly NormalizedEvent[],
  pulling: readonly NormalizedEvent[],
): void {
  const pullEnd = c.pull?.end;
  d.ends.push(...lastSeen(failEvents));
  if (pullEnd) d.ends.push({ time: pullEnd.time, source: 'runtime-log' });
  d.status = 'failed';
  d.count = Math.max(1, totalCount(pulling));
  d.message =
    lastMessage(failEvents.filter((e) => !/^Error: /.test(e.message))) ||
    pullEnd?.error ||
    c.status?.state?.waiting?.message ||
    c.waiting;
}
