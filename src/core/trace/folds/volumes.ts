// volume-failed ×N: the kubelet could not mount a volume.
// Rule: the FailedMount events (first → last, counts summed, the last message); failed unless the pod
// became Ready after all. Points at the volume the message names, else at spec.volumes.

import { podCondition } from '../../pod-status.js';
import type { PodFold } from '../fold.js';
import { foldEventRun } from '../pod-events.js';

export const foldVolumes: PodFold = (view, drafts) => {
  const mountFails = view.events.withReason('FailedMount');
  if (mountFails.length === 0) return;
  const d = drafts.get('volume-failed');
  d.status = podCondition(view.pod, 'Ready')?.status === 'True' ? 'done' : 'failed';
  foldEventRun(d, mountFails);
  const vol = /volume "([^"]+)"/.exec(d.message)?.[1];
  const vi = vol ? (view.pod?.spec?.volumes ?? []).findIndex((v) => v?.name === vol) : -1;
  d.yamlPath = vi >= 0 ? `spec.volumes[${vi}]` : 'spec.volumes';
};
