// container-killed ×N: the kubelet stopped the container (a failed liveness probe, the pod's active
// deadline, an eviction, a deletion).
// Rule: the container's Killing events (first → last, counts summed, the last message: "Stopping
// container main", "Container main failed liveness probe, will be restarted"). Points at the liveness
// probe when that is why, else at the container.

import type { ContainerFold } from '../fold.js';
import { foldEventRun } from '../pod-events.js';

export const foldKilled: ContainerFold = (view, c, drafts) => {
  const killing = view.events.withReason('Killing', c.name);
  if (killing.length === 0) return;
  const d = drafts.get('container-killed', c.name, c.init);
  foldEventRun(d, killing);
  const liveness = killing.some((e) => /liveness probe/i.test(e.message));
  d.yamlPath = c.yamlPath ? (liveness ? `${c.yamlPath}.livenessProbe` : c.yamlPath) : null;
};
