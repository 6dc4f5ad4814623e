// sandbox-created / sandbox-failed: RunPodSandbox, one step per attempt.
// Rule: the runtime log's RunPodSandbox start and end lines pair up by attempt (n-th start with n-th
// end); a failure line between one start and the next makes that attempt sandbox-failed. The first
// attempt also takes the PodReadyToStartContainers (PodHasNetwork before 1.29) condition time, and
// starts at the kubelet's admission when no log gives a start. Without runtime failure lines, the
// FailedCreatePodSandBox events make one sandbox-failed step.

import { podCondition } from '../../pod-status.js';
import type { CriRecord } from '../../model.js';
import type { StepDrafts } from '../drafts.js';
import type { PodFold } from '../fold.js';
import { firstSeen, lastMessage, lastSeen, totalCount } from '../pod-events.js';
import type { PodView } from '../pod-view.js';

export const foldSandbox: PodFold = (view, drafts) => {
  foldSandboxAttempts(view, drafts);
  foldSandboxEvents(view, drafts);
};

function foldSandboxAttempts(view: PodView, drafts: StepDrafts): void {
  const calls = (phase: CriRecord['phase']): CriRecord[] =>
    view.cri.filter((r) => r.rpc === 'RunPodSandbox' && r.phase === phase);
  const starts = calls('start');
  const ends = calls('end');
  const fails = calls('failed');
  const readyToStart = podCondition(view.pod, 'PodReadyToStartContainers') ?? podCondition(view.pod, 'PodHasNetwork');
  if (starts.length === 0 && ends.length === 0 && readyToStart?.status !== 'True') return;
  const attempts = Math.max(starts.length, ends.length, 1);
  for (let a = 0; a < attempts; a++) {
    const s = starts[a];
    const e = ends[a];
    const f = fails.find(
      (x) => s && x.time.key >= s.time.key && (!starts[a + 1] || x.time.key < (starts[a + 1]?.time.key ?? '')),
    );
    if (!s && !e && a > 0) continue;
    const d = drafts.get(f ? 'sandbox-failed' : 'sandbox-created', null, false, a);
    if (s) d.starts.push({ time: s.time, source: 'runtime-log' });
    if (e) d.ends.push({ time: e.time, source: 'runtime-log' });
    if (f) {
      d.ends.push({ time: f.time, source: 'runtime-log' });
      d.status = 'failed';
      d.message = f.error ?? f.raw;
    } else d.message = e?.sandboxId ? `sandbox ${e.sandboxId.slice(0, 12)}` : 'pod sandbox and network ready';
    if (a === 0 && readyToStart?.status === 'True' && readyToStart.time && !f)
      d.ends.push({ time: readyToStart.time, source: 'pod' });
    if (a === 0 && d.starts.length === 0) {
      const accepted = drafts.bestEnd((x) => x.kind === 'kubelet-accepted');
      if (accepted) d.starts.push(accepted);
    }
  }
}

function foldSandboxEvents(view: PodView, drafts: StepDrafts): void {
  const failed = view.events.withReason('FailedCreatePodSandBox');
  if (failed.length === 0 || drafts.find((d) => d.kind === 'sandbox-failed')) return;
  const d = drafts.get('sandbox-failed');
  d.status = 'failed';
  d.count = totalCount(failed);
  d.starts.push(...firstSeen(failed));
  d.ends.push(...lastSeen(failed));
  d.message = lastMessage(failed);
}
