// initialized / containers-ready / ready: the pod's conditions turning True.
// Rule: the condition's lastTransitionTime (whole seconds), refined by the receive time of the first
// pod object our watch saw with it True, when that lies within two seconds after it.

import { podCondition } from '../../pod-status.js';
import { firstObserved, watchRefines } from '../candidates.js';
import type { PodFold } from '../fold.js';

const CONDITION_STEPS = [
  ['initialized', 'Initialized'],
  ['containers-ready', 'ContainersReady'],
  ['ready', 'Ready'],
] as const;

export const foldConditions: PodFold = (view, drafts) => {
  for (const [kind, type] of CONDITION_STEPS) {
    const c = podCondition(view.pod, type);
    if (c?.status !== 'True' || !c.time) continue;
    const d = drafts.get(kind);
    d.ends.push({ time: c.time, source: 'pod' });
    const seen = firstObserved(view.snapshots, (p) => podCondition(p, type)?.status === 'True');
    if (seen?.receivedAt && watchRefines(seen.receivedAt, c.time))
      d.ends.push({ time: seen.receivedAt, source: 'watch' });
    d.message = `${type}=True`;
  }
};
