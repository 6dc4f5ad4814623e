// Rollout reports made of real recorded pods (test/fixtures/recorded): each scenario's pods folded
// by the core (foldPod) into rollout rows, the report built by the core (buildRolloutReport). A larger
// rollout repeats those rows under new names, keeping every recorded time: the view's tests and its
// bench draw real phase times, never invented ones.

import { join } from 'node:path';
import { buildRolloutReport, foldPod } from '../../src/core/rollout/index.js';
import type { RolloutPod, RolloutReport } from '../../src/core/rollout/report.js';
import { RECORDED_ROOT, evidenceOf, traceFor } from './recorded.js';

/** Scenarios whose pods make a mixed rollout: Ready ones, a cold pull, a slow probe, a stuck one. */
export const ROLLOUT_SCENARIOS = [
  'deployment-3',
  'fresh-pull',
  'image-present',
  'readiness-slow',
  'init-container',
  'unschedulable-memory',
] as const;

let rows: RolloutPod[] | null = null;

/** One folded row per recorded pod of ROLLOUT_SCENARIOS. */
export function recordedRolloutRows(): RolloutPod[] {
  rows ??= ROLLOUT_SCENARIOS.flatMap((scenario) => {
    const { evidence, pods } = evidenceOf(join(RECORDED_ROOT, scenario));
    return pods.map((p) => foldPod(traceFor(evidence, p)));
  });
  return rows;
}

/**
 * The recordings were made days apart; on one rollout's time axis each copy is created where the
 * deployment-3 recording's ReplicaSet created its pods: the first one's creation, then one pod every
 * gap it measured between them (a controller's pace on the test cluster).
 */
function rebase(base: readonly RolloutPod[]): (i: number) => number | undefined {
  const created = base
    .filter((p) => p.name.startsWith('web-'))
    .map((p) => p.createdAtMs)
    .filter((x): x is number => x !== undefined)
    .sort((a, b) => a - b);
  const first = created[0];
  const last = created[created.length - 1];
  if (first === undefined || last === undefined || created.length < 2) return () => first;
  const gap = (last - first) / (created.length - 1);
  return (i) => first + i * gap;
}

/** `n` pods (the recorded rows, repeated under new names when n is larger) in a report built by the core. */
export function recordedRollout(
  n: number,
  options: { live?: boolean; rename?: (name: string, i: number) => string } = {},
): RolloutReport {
  const base = recordedRolloutRows();
  const createdAt = rebase(base);
  const pods = Array.from({ length: n }, (_, i): RolloutPod => {
    const row = base[i % base.length] as RolloutPod;
    const name = options.rename ? options.rename(row.name, i) : n <= base.length ? row.name : `${row.name}-${i}`;
    const at = createdAt(i);
    return { ...row, name, uid: `${row.uid}-${i}`, ...(at !== undefined ? { createdAtMs: at } : {}) };
  });
  return buildRolloutReport({ kind: 'Deployment', namespace: 'pb-rollout', name: 'web' }, pods, {
    live: options.live ?? false,
  });
}
