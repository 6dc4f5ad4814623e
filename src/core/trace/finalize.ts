// A draft becomes a Step: the best start and end candidates set its times, every other candidate is
// kept as corroboration, and its id is made from kind, container and attempt.

import type { Corroboration, Step } from '../model.js';
import { formatInstant } from '../time.js';
import { ARROWS, type Precision } from '../vocabulary.js';
import { best } from './candidates.js';
import type { StepDraft } from './drafts.js';

/** `kind`, `kind:container`, `kind:init/container`, with `#attempt` after the first attempt. */
export function stepId(d: Pick<StepDraft, 'kind' | 'container' | 'init' | 'attempt'>): string {
  return `${d.kind}${d.container ? `:${d.init ? 'init/' : ''}${d.container}` : ''}${d.attempt > 0 ? `#${d.attempt}` : ''}`;
}

/** The step of a draft, or null when no source gave it a time. */
export function finalize(d: StepDraft): Step | null {
  const s = best(d.starts);
  const e = best(d.ends);
  if (!s && !e) return null;
  let start = s?.time ?? e?.time ?? null;
  let end = e?.time ?? null;
  // A start taken from another step can be later than this step's own end when one of them is whole
  // seconds; the end is the better-known moment then.
  if (start && end && start.key > end.key) start = end;
  if (d.status === 'in-progress') end = null;
  const primary = e ?? s;
  const used = new Set([s, e]);
  const corroboration: Corroboration[] = [...d.starts, ...d.ends]
    .filter((c) => !used.has(c))
    .map((c) => ({
      source: c.source,
      precision: c.time.precision,
      start: d.starts.includes(c) ? formatInstant(c.time) : null,
      end: d.ends.includes(c) ? formatInstant(c.time) : null,
    }))
    .filter((c, i, arr) => arr.findIndex((x) => x.source === c.source && x.start === c.start && x.end === c.end) === i)
    .sort((a, b) => `${a.source}${a.start}${a.end}`.localeCompare(`${b.source}${b.start}${b.end}`));
  const { from, to } = ARROWS[d.kind];
  const precision: Precision = primary?.time.precision ?? 's';
  return {
    id: stepId(d),
    kind: d.kind,
    actor: to,
    from,
    to,
    container: d.container,
    init: d.init,
    attempt: d.attempt,
    start,
    end,
    status: d.status,
    source: primary?.source ?? 'pod',
    precision,
    message: d.message,
    yamlPath: d.yamlPath,
    count: d.count,
    corroboration,
  };
}
