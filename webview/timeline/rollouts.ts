// The timeline's rollout section: one line per rollout of the window (title, live or done), its SLO
// verdict in one line, the SLO startup and whole-birth percentiles, and a button that opens its
// rollout view (every pod is there, not here). Cluster text goes in through textContent only.

import '@vscode-elements/elements/dist/vscode-button/index.js';
import { formatDuration } from '../../src/core/time.js';
import type { PhaseStats } from '../../src/core/rollout/report.js';
import type { TimelineRollout } from '../../src/protocol/timeline.js';
import { el } from '../shared/dom.js';
import { sloVerdict } from '../rollout/format.js';

const cells = (s: PhaseStats | null): string =>
  s
    ? `p50 ${formatDuration(s.p50)} · p90 ${formatDuration(s.p90)} · p99 ${formatDuration(s.p99)} · max ${formatDuration(s.max)}`
    : '–';

/** Fills `list` with the rollouts (newest first); hides it when there are none. */
export function renderRollouts(
  list: HTMLElement,
  rollouts: readonly TimelineRollout[],
  open: (rolloutId: string) => void,
): void {
  list.hidden = rollouts.length === 0;
  list.replaceChildren(
    ...rollouts.map((r) => {
      const li = el('li', 'pb-rollout');
      li.dataset.rolloutId = r.id;
      const head = el('div', 'pb-rollout-head');
      const title = el('span', 'pb-rollout-title', r.title);
      title.title = r.title;
      const state = el('span', 'pb-rollout-state', r.live ? `live · ${r.pods} pods` : `${r.pods} pods`);
      const button = document.createElement('vscode-button');
      button.setAttribute('secondary', '');
      button.className = 'pb-rollout-open';
      button.textContent = 'Rollout view';
      button.title = `Open the rollout view of ${r.title}: every pod, sortable by phase`;
      button.addEventListener('click', () => open(r.id));
      // The title has the whole width (the workload's name is what tells rollouts apart); the
      // pod count and the button go on the line below.
      head.append(title);
      const meta = el('div', 'pb-rollout-meta');
      meta.append(state, button);
      const v = sloVerdict(r.slo, r.sloStartup?.count ?? 0, r.pods, r.live);
      const verdict = el('div', 'pb-rollout-verdict', v.text);
      verdict.dataset.level = v.level;
      verdict.title = v.text;
      const slo = el('div', 'pb-rollout-stats', `SLO startup: ${cells(r.sloStartup)}`);
      const total = el('div', 'pb-rollout-stats', `Total: ${cells(r.total)}`);
      li.append(head, meta, verdict, slo, total);
      return li;
    }),
  );
}
