// probe-failed ×N: a startup, liveness or readiness probe failed.
// Rule: the container's Unhealthy events (first → last, counts summed, the last message); failed
// unless the container is Ready now. Points at the probe the message names.

import { probeField } from '../../diagnosis/paths.js';
import type { ContainerFold } from '../fold.js';
import { foldEventRun } from '../pod-events.js';

export const foldProbes: ContainerFold = (view, c, drafts) => {
  const unhealthy = view.events.withReason('Unhealthy', c.name);
  if (unhealthy.length === 0) return;
  const d = drafts.get('probe-failed', c.name, c.init);
  foldEventRun(d, unhealthy);
  d.status = c.status?.ready ? 'done' : 'failed';
  d.yamlPath = c.yamlPath ? `${c.yamlPath}.${probeField(d.message)}` : null;
};
