// container-failed: a run of the container exited with a non-zero code, or never ran.
// Rule: the status's terminated states (the current one and lastState, the previous run) with an exit
// code other than 0; from their startedAt to finishedAt (whole seconds). The attempt is the one whose
// CreateContainer returned that container id, else counted back from restartCount.
// Exit 128 with reason StartError is the runtime failing to start the process: the process never ran
// (its startedAt is the epoch, which apiTime drops), so the step runs from that attempt's
// CreateContainer to the failure and says it could not start.

import { apiTime } from '../../pod-status.js';
import type { ContainerFold } from '../fold.js';
import { stripScheme } from '../pod-records.js';

export const foldExits: ContainerFold = (view, c, drafts) => {
  const st = c.status;
  const createEnds = view.cri.filter((r) => r.rpc === 'CreateContainer' && r.phase === 'end');
  const killing = view.events.withReason('Killing', c.name).length > 0;
  for (const t of [st?.lastState?.terminated, st?.state?.terminated]) {
    if (!t || (t.exitCode ?? 0) === 0) continue;
    const id = stripScheme(t.containerID);
    const current = t === st?.state?.terminated;
    const attempt = id
      ? (createEnds.find((r) => r.containerId === id)?.container?.attempt ??
        (current ? (st?.restartCount ?? 0) : Math.max(0, (st?.restartCount ?? 1) - 1)))
      : 0;
    const d = drafts.get('container-failed', c.name, c.init, attempt);
    const finished = apiTime(t.finishedAt);
    if (finished) d.ends.push({ time: finished, source: 'pod' });
    const started = apiTime(t.startedAt);
    if (started) d.starts.push({ time: started, source: 'pod' });
    const neverRan = t.reason === 'StartError';
    if (neverRan && d.starts.length === 0) {
      const created = drafts.bestEnd(
        (x) => x.kind === 'container-created' && x.container === c.name && x.attempt === attempt,
      );
      if (created) d.starts.push(created);
    }
    d.status = 'failed';
    // Exit 137/143 right after the kubelet's Killing event is that kill, not the program failing.
    const killed = !neverRan && (t.exitCode === 137 || t.exitCode === 143) && killing;
    d.message = `${neverRan ? 'could not start, the process never ran: ' : killed ? 'stopped by the kubelet: ' : ''}exit code ${t.exitCode ?? '?'}${t.reason ? ` (${t.reason})` : ''}${t.message ? `: ${t.message}` : ''}`;
    d.yamlPath = c.yamlPath;
  }
};
