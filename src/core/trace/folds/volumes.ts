// volume-failed ×N: the kubelet could not mount a volume.
// Rule: the FailedMount events (first → last, counts summed, the last message); done once the kubelet
// got past the mounts (sandbox ready, a container ran, or Ready), in progress while the last failure is
// one its retry clears (a race with the apiserver: volume-mounts.ts), failed otherwise. Points at the
// volume the message names, else at spec.volumes.

import { mountsDone, transientMountFailure } from '../../volume-mounts.js';
import type { PodFold } from '../fold.js';
import { foldEventRun } from '../pod-events.js';

export const foldVolumes: PodFold = (view, drafts) => {
  const mountFails = view.events.withReason('FailedMount');
  if (mountFails.length === 0) return;
  const d = drafts.get('volume-failed');
  foldEventRun(d, mountFails);
  d.status = mountsDone(view.pod) ? 'done' : transientMountFailure(d.message) !== null ? 'in-progress' : 'failed';
  const vol = /volume "([^"]+)"/.exec(d.message)?.[1];
  const vi = vol ? (view.pod?.spec?.volumes ?? []).findIndex((v) => v?.name === vol) : -1;
  d.yamlPath = vi >= 0 ? `spec.volumes[${vi}]` : 'spec.volumes';
};
