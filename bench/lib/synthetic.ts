// Synthetic-but-realistic traces of a given size: the realistic single-container birth of
// test/unit/trace/realistic.ts (real containerd 1.6 lines, kubelet and scheduler events) folded by the
// real engine, then its per-container steps cloned for more containers (worker-0, worker-1, …), each
// clone shifted 40 ms later, as a pod with many containers (or init containers) would show them.
// `repeats` > 1 repeats every per-container step consecutively (a back-off loop logging the same
// step again): those are what collapseRepeats merges into one `×N` arrow.

import type { Step, Trace } from '../../src/core/model.js';
import { renderMermaid } from '../../src/core/mermaid/index.js';
import { instantFromMs, toMs, type Instant } from '../../src/core/time.js';
import { traceFromEvidence } from '../../src/core/trace/index.js';
import { allEvidence } from '../../test/unit/trace/realistic.js';

export const UNCAPPED = 1_000_000;

const shift = (i: Instant | null, ms: number): Instant | null => (i ? instantFromMs(toMs(i) + ms, i.precision) : null);

export function baseTrace(): Trace {
  return traceFromEvidence(allEvidence());
}

/** Arrows the uncollapsed, uncapped diagram has. */
export function arrowsOf(trace: Trace): number {
  return renderMermaid(trace, { collapseRepeats: false, maxSteps: UNCAPPED }).messages.length;
}

/**
 * A trace whose uncollapsed, uncapped diagram has exactly `arrows` arrows (or the nearest above when
 * a step adds two), built from the realistic trace.
 */
export function syntheticTrace(arrows: number, repeats = 1): Trace {
  const base = baseTrace();
  const podLevel = base.steps.filter((s) => s.container === null);
  const per = base.steps.filter((s) => s.container !== null);
  const steps: Step[] = [...podLevel];
  const trace = (): Trace => ({ ...base, steps: [...steps], containers: containersOf(steps, base) });
  let count = arrowsOf(trace());
  for (let i = 0; count < arrows; i++) {
    for (const s of per) {
      for (let r = 0; r < repeats && count < arrows; r++) {
        const off = i * 40 + r * 5;
        steps.push({
          ...s,
          id: `${s.id}-w${i}-r${r}`,
          container: `worker-${i}`,
          attempt: s.attempt + r,
          start: shift(s.start, off),
          end: shift(s.end, off),
        });
        count = arrowsOf(trace());
      }
      if (count >= arrows) break;
    }
  }
  return trace();
}

function containersOf(steps: readonly Step[], base: Trace): Trace['containers'] {
  const names = [...new Set(steps.map((s) => s.container).filter((c): c is string => !!c))];
  const image = base.containers[0]?.image ?? null;
  return names.map((name) => ({ name, init: false, image }));
}

/** The first `n` steps of a trace (a live trace growing), with the phase still running. */
export function prefix(trace: Trace, n: number): Trace {
  const phase: Trace['phase'] = n < trace.steps.length ? 'starting' : trace.phase;
  return { ...trace, phase, steps: trace.steps.slice(0, n) };
}
